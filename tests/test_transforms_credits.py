"""Credit crosswalk: ECTS, hours and other credit units."""
import pytest

from transforms.credits import derive_credits


@pytest.mark.parametrize("credit, unit, hours, values, flags", [
    ("5", "ECTS", None, {"ects": 5.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, []),
    ("5 ECTS", None, None, {"ects": 5.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, []),
    ("7,5", "LP", None, {"ects": 7.5, "credit_original": {"value": 7.5, "unit": "ECTS"}}, []),
    ("2,5 ECTS-Punkte", None, None, {"ects": 2.5, "credit_original": {"value": 2.5, "unit": "ECTS"}}, []),
    ("6", "Leistungspunkte", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("6", "crédits ECTS", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("6", "punkty ECTS", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("6", "créditos ECTS", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("6", "CFU", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("6", "studiepunten", None, {"ects": 6.0, "credit_original": {"value": 6.0, "unit": "ECTS"}}, []),
    ("4 EC", None, None, {"ects": 4.0, "credit_original": {"value": 4.0, "unit": "ECTS"}}, []),
    ("15 CATS", None, None, {"ects": 7.5, "credit_original": {"value": 15.0, "unit": "CATS"}}, []),
    ("20", "CATS points", None, {"ects": 10.0, "credit_original": {"value": 20.0, "unit": "CATS"}}, []),
    ("30", "UK credits", None, {"ects": 15.0, "credit_original": {"value": 30.0, "unit": "CATS"}}, []),
    ("20", "SCQF credit points", None, {"ects": 10.0, "credit_original": {"value": 20.0, "unit": "SCQF"}}, []),
    # hours as the credit unit: ECTS = hours / 27.5
    ("120", "Stunden", None,
     {"ects": 4.36, "workload_hours": 120.0, "credit_original": {"value": 120.0, "unit": "hours"}}, []),
    ("150 heures", None, None,
     {"ects": 5.45, "workload_hours": 150.0, "credit_original": {"value": 150.0, "unit": "hours"}}, []),
    ("55", "godzin", None,
     {"ects": 2.0, "workload_hours": 55.0, "credit_original": {"value": 55.0, "unit": "hours"}}, []),
    # workload hours alone
    (None, None, "120", {"ects": 4.36, "workload_hours": 120.0}, []),
    (None, None, "ca. 120 h", {"ects": 4.36, "workload_hours": 120.0}, []),
    (None, None, "1.375 Stunden", {"ects": 50.0, "workload_hours": 1375.0}, []),
    # both: ECTS from the credit, hours as given, checked against 25-30 h per ECTS
    ("5", "ECTS", "125", {"ects": 5.0, "workload_hours": 125.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, []),
    ("5 ECTS", None, "150 Stunden",
     {"ects": 5.0, "workload_hours": 150.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, []),
    ("5", "ECTS", "40",
     {"ects": 5.0, "workload_hours": 40.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, ["workload-inconsistent"]),
    ("5", "ECTS", "200",
     {"ects": 5.0, "workload_hours": 200.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, ["workload-inconsistent"]),
    # no unit: ECTS assumed, flagged
    ("5", None, None, {"ects": 5.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, ["unit-guessed"]),
    ("10 credits", None, None, {"ects": 10.0, "credit_original": {"value": 10.0, "unit": "ECTS"}}, ["unit-guessed"]),
    # rates without an agreed equivalence
    ("3", "US credit hours", None,
     {"ects": 6.0, "credit_original": {"value": 3.0, "unit": "US-semester-credit"}}, ["rate-not-agreed"]),
    ("4", "quarter credits", None,
     {"ects": 5.32, "credit_original": {"value": 4.0, "unit": "US-quarter-credit"}}, ["rate-not-agreed"]),
    ("2", "CEU", None,
     {"ects": 0.73, "workload_hours": 20.0, "credit_original": {"value": 2.0, "unit": "CEU"}}, ["rate-not-agreed"]),
    # unit written in the value wins over a conflicting unit column
    ("5 ECTS", "CATS", None, {"ects": 5.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, ["unit-conflict"]),
    # an aside in brackets does not make the value ambiguous
    ("5 ECTS (125-150 h)", None, None, {"ects": 5.0, "credit_original": {"value": 5.0, "unit": "ECTS"}}, []),
    ("0", "ECTS", None, {"credit_original": {"value": 0.0, "unit": "ECTS"}}, ["zero-value"]),
    (None, None, None, {}, []),
])
def test_derive_credits(credit, unit, hours, values, flags):
    d = derive_credits(credit, unit, hours)
    assert d.problems == ()
    assert d.values == values
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("credit, unit, hours, field, rule", [
    ("viele", None, None, "ects", "unparseable"),
    ("tbc", "ECTS", None, "ects", "unparseable"),
    ("5-10", "ECTS", None, "ects", "unparseable"),
    ("-5", "ECTS", None, "ects", "out-of-range"),
    ("500", "ECTS", None, "ects", "out-of-range"),
    ("1000", "CATS", None, "ects", "out-of-range"),
    (None, None, "20000", "workload_hours", "out-of-range"),
    (None, None, "-3", "workload_hours", "out-of-range"),
    (None, None, "nach Bedarf", "workload_hours", "unparseable"),
    ("5", "ECTS", "viele", "workload_hours", "unparseable"),
])
def test_derive_credits_problems(credit, unit, hours, field, rule):
    d = derive_credits(credit, unit, hours)
    assert [(p.field, p.rule) for p in d.problems] == [(field, rule)]
    assert d.values == {}


def test_methods():
    d = derive_credits(None, None, "110")
    assert d.values["ects"] == 4.0
    assert "hours / 27.5 (ECTS Users' Guide 2015: 25-30 h per ECTS)" in d.methods["ects"]
    assert "2 CATS credits = 1 ECTS" in derive_credits("15", "CATS", None).methods["ects"]
    us = derive_credits("3", "semester credits", None)
    assert "x 2" in us.methods["ects"] and "3" in us.flags[0].message


@pytest.mark.parametrize("credit, country, ects, unit", [
    ("20", "GB", 10.0, "CATS"),   # UK providers count CATS credits
    ("20", "gb", 10.0, "CATS"),
    ("20", "IE", 20.0, "ECTS"),
    ("20", None, 20.0, "ECTS"),
    ("20 ECTS", "GB", 20.0, "ECTS"),  # a unit written in the value wins
])
def test_bare_credit_unit_by_country(credit, country, ects, unit):
    d = derive_credits(credit, country=country)
    assert d.values["ects"] == ects and d.values["credit_original"]["unit"] == unit
    assert [f.code for f in d.flags] == ([] if credit.endswith("ECTS") else ["unit-guessed"])


def test_unknown_unit_is_kept_not_converted():
    d = derive_credits("120", "Poppleton Measurement Transfer (PMT) scheme")
    assert d.problems == ()
    assert d.values == {"credit_original": {"value": 120.0, "unit": "Poppleton Measurement Transfer (PMT) scheme"}}
    assert [f.code for f in d.flags] == ["unit-unknown"]
    assert derive_credits("-5", "SWS").problems[0].rule == "out-of-range"
