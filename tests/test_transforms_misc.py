"""Numbers, dates, durations, text, prices and places."""
import pytest

from transforms.dates import iso_date, iso_duration
from transforms.money import derive_price
from transforms.numbers import first_number, parse_number
from transforms.places import derive_country, derive_region
from transforms.text import clean_text, split_list, split_outcomes


# ---------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("text, expected", [
    ("7,5", 7.5), ("7.5", 7.5), ("1.200,50", 1200.5), ("1,200.50", 1200.5), ("1 200", 1200.0),
    ("1’200", 1200.0), ("1'200", 1200.0), ("1.200", 1200.0), ("0,500", 0.5), ("12.000 h", 12000.0),
    ("3 ECTS", 3.0), ("ca. 120 h", 120.0), ("Niveau 7", 7.0), ("EQF6", 6.0), ("-5", -5.0),
    ("1.234.567,8", 1234567.8), (12, 12.0), (7.5, 7.5),
    ("5-6", None), ("5 to 6", None), ("6 – 7", None), ("viele", None), ("", None), (None, None),
    ("5 ECTS / 150 h", None),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_first_number():
    assert first_number("ca. 120 h (4 ECTS)") == 120.0
    assert first_number("keine") is None


# ---------------------------------------------------------------------------- dates
@pytest.mark.parametrize("text, expected, flags", [
    ("2025-09-01", "2025-09-01", []),
    ("01.09.2025", "2025-09-01", []),
    ("1/9/2025", "2025-09-01", []),
    ("01.09.25", "2025-09-01", []),
    ("1 September 2025", "2025-09-01", []),
    ("1er septembre 2025", "2025-09-01", []),
    ("1. September 2025", "2025-09-01", []),
    ("September 1, 2025", "2025-09-01", []),
    ("1 de septiembre de 2025", "2025-09-01", []),
    ("1 settembre 2025", "2025-09-01", []),
    ("1 września 2025", "2025-09-01", []),
    ("15 Okt. 2025", "2025-10-15", []),
    ("45901", "2025-09-01", []),
    ("2025-09-01 00:00:00", "2025-09-01", []),
    ("2025-09-01T09:00:00Z", "2025-09-01", []),
    ("9/13/2025", "2025-09-13", ["date-order-guessed"]),
    ("September 2025", "2025-09", ["date-incomplete"]),
    ("2025", "2025", ["date-incomplete"]),
])
def test_iso_date(text, expected, flags):
    d = iso_date(text, "start_date")
    assert d.values == {"start_date": expected}
    assert [f.code for f in d.flags] == flags


def test_iso_date_month_first_and_field():
    assert iso_date("9/1/2025", "end_date", dayfirst=False).values == {"end_date": "2025-09-01"}
    assert iso_date("1/9/2025", "end_date").values == {"end_date": "2025-09-01"}


@pytest.mark.parametrize("text, rule", [
    ("31.02.2025", "out-of-range"), ("tbc", "unparseable"), ("Wintersemester 2025", "unparseable"),
    ("1 septembre", "unparseable"),
])
def test_iso_date_problems(text, rule):
    d = iso_date(text, "start_date")
    assert [(p.field, p.rule) for p in d.problems] == [("start_date", rule)]


@pytest.mark.parametrize("text", [
    "OU qualifications have up to three start points in the year, October, February or April.",
    "Start dates are agreed with each employer",
])
def test_iso_date_prose_is_flagged_not_quarantined(text):
    """A text about dates with no number in it (XCRI-CAP <start> text, as the Open University's
    feed gives it for qualifications) is no date and no wrong date either."""
    d = iso_date(text, "start_date")
    assert d.values == {} and d.problems == ()
    assert [f.code for f in d.flags] == ["date-as-text"]


@pytest.mark.parametrize("text, expected", [
    ("6 weeks", "P6W"), ("3 Monate", "P3M"), ("10 Tage", "P10D"), ("P6W", "P6W"), ("p3m", "P3M"),
    ("1 Jahr 6 Monate", "P1Y6M"), ("40 Stunden", "PT40H"), ("1 month 2 weeks", "P1M14D"),
    ("ca. 6 Wochen", "P6W"), ("12 semaines", "P12W"), ("3 mesi", "P3M"), ("2 tygodnie", "P2W"),
    ("2,5 Tage", "P2.5D"), ("PT10H", "PT10H"), ("9 months (approx)", "P9M"), ("4 years (approx)", "P4Y"),
])
def test_iso_duration(text, expected):
    d = iso_duration(text)
    assert d.values == {"duration": expected} and d.flags == ()


@pytest.mark.parametrize("text", ["1 semestre", "6-8 weeks", "self-paced"])
def test_iso_duration_unrecognised(text):
    d = iso_duration(text)
    assert d.values == {} and d.problems == ()
    assert [f.code for f in d.flags] == ["unrecognised-value"]


# ---------------------------------------------------------------------------- text
@pytest.mark.parametrize("text, expected", [
    ("<p>Kenntnisse in <b>R&amp;D</b> &uuml;ber</p><p>Zweiter   Absatz</p>", "Kenntnisse in R&D über\nZweiter Absatz"),
    ("<ul><li>one</li><li>two\n  three</li></ul><script>alert(1)</script>", "one\ntwo three"),
    ('<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>A&#160;b</p></body></html>',
     "A b"),
    ("Plain &amp;  text\n\n\nsecond para", "Plain & text\nsecond para"),
    ("&lt;p&gt;escaped &amp;amp; markup&lt;/p&gt;", "escaped & markup"),
    ("a < b and c > d", "a < b and c > d"),
    ("line<br/>break", "line\nbreak"),
    ("   ", None), (None, None),
])
def test_clean_text(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("On completion, learners will be able to:\n• analyse X;\n• design Y\n1. build Z\na) test W",
     ["analyse X", "design Y", "build Z", "test W"]),
    ("analyse X; design Y; build Z", ["analyse X", "design Y", "build Z"]),
    ("• analyse X • design Y", ["analyse X", "design Y"]),
    ("- explain A\n- apply B\n\n- apply B", ["explain A", "apply B"]),
    ("– erklären\n– anwenden", ["erklären", "anwenden"]),
    ("<p>You will:</p><ul><li>Analyse data</li><li>Build <em>models</em></li></ul>", ["Analyse data", "Build models"]),
    ("Single outcome only", ["Single outcome only"]),
    ("", []),
])
def test_split_outcomes(text, expected):
    assert split_outcomes(text) == expected


def test_split_list():
    assert split_list("MSc Data Science; MBA, part-time\nPG Cert | PG Cert") == [
        "MSc Data Science", "MBA, part-time", "PG Cert"]


# ---------------------------------------------------------------------------- money
@pytest.mark.parametrize("price, currency, expected, flags", [
    ("1.200,00 EUR", None, {"amount": 1200.0, "currency": "EUR"}, []),
    ("€ 450", None, {"amount": 450.0, "currency": "EUR"}, []),
    ("£250", None, {"amount": 250.0, "currency": "GBP"}, []),
    ("250 GBP", None, {"amount": 250.0, "currency": "GBP"}, []),
    ("EUR 1,200.00", None, {"amount": 1200.0, "currency": "EUR"}, []),
    ("450,- €", None, {"amount": 450.0, "currency": "EUR"}, []),
    ("1 500 zł", None, {"amount": 1500.0, "currency": "PLN"}, []),
    ("CHF 800.-", None, {"amount": 800.0, "currency": "CHF"}, []),
    ("199 Euro", None, {"amount": 199.0, "currency": "EUR"}, []),
    ("100", "EUR", {"amount": 100.0, "currency": "EUR"}, []),
    ("100", "Euro", {"amount": 100.0, "currency": "EUR"}, []),
    ("kostenlos", None, {"amount": 0.0, "currency": None}, []),
    ("free", "EUR", {"amount": 0.0, "currency": "EUR"}, []),
    ("gratuit", None, {"amount": 0.0, "currency": None}, []),
    ("bezpłatnie", None, {"amount": 0.0, "currency": None}, []),
    ("$99", None, {"amount": 99.0, "currency": "USD"}, ["currency-guessed"]),
    ("100", None, {"amount": 100.0, "currency": None}, ["currency-missing"]),
    ("0.0000", None, {"amount": 0.0, "currency": None}, ["price-zero-unqualified"]),
    ("0 EUR", None, {"amount": 0.0, "currency": "EUR"}, []),
    ("250 GBP", "EUR", {"amount": 250.0, "currency": "GBP"}, ["currency-mismatch"]),
])
def test_derive_price(price, currency, expected, flags):
    d = derive_price(price, currency)
    assert d.problems == ()
    assert d.values == {"price": expected}
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("price, currency, rule", [
    ("100 XYZ", None, "unknown-code"), ("100", "ZZZ", "unknown-code"), ("300 kr", None, "unknown-code"),
    ("-5 EUR", None, "out-of-range"), ("200-300 EUR", None, "unparseable"), ("viel", None, "unparseable"),
])
def test_derive_price_problems(price, currency, rule):
    d = derive_price(price, currency)
    assert [(p.field, p.rule) for p in d.problems] == [("price", rule)]


def test_price_on_request_is_flag():
    d = derive_price("auf Anfrage", None)
    assert d.values == {} and d.problems == () and [f.code for f in d.flags] == ["price-on-request"]


# ---------------------------------------------------------------------------- places
@pytest.mark.parametrize("text, expected", [
    ("DE", {"country": "DE"}), ("de", {"country": "DE"}), ("DEU", {"country": "DE"}),
    ("Deutschland", {"country": "DE"}), ("Irlande", {"country": "IE"}), ("Ireland", {"country": "IE"}),
    ("Polska", {"country": "PL"}), ("Niederlande", {"country": "NL"}), ("the Netherlands", {"country": "NL"}),
    ("España", {"country": "ES"}), ("Italia", {"country": "IT"}), ("Francja", {"country": "FR"}),
    ("UK", {"country": "GB"}), ("United Kingdom", {"country": "GB"}), ("Großbritannien", {"country": "GB"}),
    ("Royaume-Uni", {"country": "GB"}), ("Wielka Brytania", {"country": "GB"}),
    ("England", {"country": "GB", "region": "GB-ENG"}), ("Scotland", {"country": "GB", "region": "GB-SCT"}),
    ("Schottland", {"country": "GB", "region": "GB-SCT"}), ("Écosse", {"country": "GB", "region": "GB-SCT"}),
    ("Wales", {"country": "GB", "region": "GB-WLS"}), ("Northern Ireland", {"country": "GB", "region": "GB-NIR"}),
    ("GB-SCT", {"country": "GB", "region": "GB-SCT"}),
])
def test_derive_country(text, expected):
    d = derive_country(text)
    assert d.values == expected and d.problems == () and d.flags == ()


def test_country_from_address_is_flagged():
    d = derive_country("Dublin, Ireland")
    assert d.values == {"country": "IE"} and [f.code for f in d.flags] == ["country-from-address"]


@pytest.mark.parametrize("text", ["Atlantis", "xx", "XYZ"])
def test_unknown_country(text):
    d = derive_country(text)
    assert [(p.field, p.rule) for p in d.problems] == [("country", "unknown-code")]
    assert text in d.problems[0].message


@pytest.mark.parametrize("text, country, expected, flags", [
    ("GB-SCT", None, "GB-SCT", []), ("Scotland", "GB", "GB-SCT", []), ("UK-SCT", "GB", "GB-SCT", ["region-code-repaired"]),
    ("Bayern", "DE", "DE-BY", []), ("GB-SCT", "DE", "GB-SCT", ["region-country-mismatch"]),
])
def test_derive_region(text, country, expected, flags):
    d = derive_region(text, country)
    assert d.values == {"region": expected}
    assert [f.code for f in d.flags] == flags


def test_derive_region_invalid():
    assert [p.rule for p in derive_region("XX-ABC", None).problems] == ["unknown-code"]
    d = derive_region("Nowhere", "GB")
    assert d.values == {} and [f.code for f in d.flags] == ["unrecognised-value"]


def test_prose_about_costs_is_a_flag_not_a_wrong_price():
    from transforms.money import derive_price

    d = derive_price("UK fee: GBP155.00; Ireland fee: GBP340.00; Continental Europe fee: GBP385.00")
    assert (d.values, [f.code for f in d.flags], d.problems) == ({}, ["price-as-text"], ())
    assert derive_price("viel").problems[0].rule == "unparseable"


@pytest.mark.parametrize("text, expected", [
    ("中国", "CN"), ("日本", "JP"), ("Россия", "RU"), ("الإمارات العربية المتحدة", "AE"), ("Brasil", "BR"),
    ("Türkiye", "TR"), ("Paris, FRA", "FR"), ("Lisboa, Portugal", "PT"), ("USA", "US"),
])
def test_country_names_in_any_language_and_alpha_3_in_addresses(text, expected):
    d = derive_country(text)
    assert d.problems == () and d.values["country"] == expected


def test_a_phrase_naming_two_countries_is_no_country():
    assert derive_country("Deutschland und Frankreich").values == {}
