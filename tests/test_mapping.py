"""Mapping stage: header normalisation, header synonyms in seven languages, profiles, applying a plan."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from transforms.candidate import CANDIDATE_FIELDS
from transforms.mapping import (
    ColumnPlan,
    apply_mapping,
    map_batch,
    match_header,
    normalise_header,
    parse_vocabulary,
    plan_mapping,
    vocabulary,
)
from transforms.profile import ColumnSpec, Profile, ProfileError, load_profile, load_yaml_strings, profile_from_dict

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# normalise_header
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header, expected", [
    ("Kurs-Nr.", "kurs nr"),
    ("kurs nr", "kurs nr"),
    ("KURS_NR", "kurs nr"),
    ("Intitulé", "intitule"),
    ("Niveau (DQR)", "niveau dqr"),
    ("Niveau DQR (1-8)", "niveau dqr 1 8"),
    ("Modalités d'évaluation", "modalites d evaluation"),
    ("  Credits\n(ECTS) ", "credits ects"),
    ("Tytuł", "tytul"),
    ("Język wykładowy", "jezyk wykladowy"),
    ("Efekty uczenia się", "efekty uczenia sie"),
    ("Prüfungsform", "prufungsform"),
    ("Straße", "strasse"),
    ("Título en inglés", "titulo en ingles"),
    ("Durée [semaines]", "duree semaines"),
    ("Language(s)", "language s"),
    ("title@en", "title en"),
    ("Preis (€)", "preis eur"),
    ("Fee (£)", "fee gbp"),
    ("Cena (zł)", "cena zl"),
    ("courseTitle", "course title"),
    ("EQFLevel", "eqf level"),
    ("URLs", "urls"),
    ("", ""),
    (None, ""),
    (7, "7"),
])
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


def test_normalise_header_equalities():
    assert normalise_header("Kurs-Nr.") == normalise_header("kurs nr") == normalise_header(" KURS – NR ")
    assert normalise_header("Intitulé") == normalise_header("INTITULE") == "intitule"
    assert normalise_header("Crédits ECTS") == normalise_header("credits_ects")


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def test_vocabulary_covers_every_candidate_field():
    vocab = vocabulary()
    fields = {s.field for s in vocab.synonyms}
    missing = set(CANDIDATE_FIELDS) - fields
    assert not missing, f"no header synonyms for {sorted(missing)}"
    # every synonym matches its own field
    wrong = [(s.header, s.field, match_header(s.header).field) for s in vocab.synonyms
             if match_header(s.header).field != s.field]
    assert not wrong


def test_vocabulary_refuses_one_header_for_two_fields():
    with pytest.raises(ValueError, match="same header"):
        parse_vocabulary({"fields": {"title": ["Titel"], "description": ["TITEL"]}})
    with pytest.raises(ValueError, match="unknown field"):
        parse_vocabulary({"fields": {"titel": ["Titel"]}})


# ---------------------------------------------------------------------------------------------
# Header rows from real exports, by language
# ---------------------------------------------------------------------------------------------

HEADER_ROWS = {
    # German: Weiterbildungs-/Modulkatalog (HISinOne-like export)
    "de": (
        ["Kursnr", "Kurstitel", "Kurstitel (englisch)", "Anbieter", "Land", "Leistungspunkte",
         "Arbeitsaufwand (h)", "Kontaktstunden", "DQR-Niveau", "EQR-Niveau", "Unterrichtssprache",
         "Veranstaltungsform", "Prüfungsform", "Lernergebnisse", "Teilnahmevoraussetzungen", "Beginn",
         "Ende", "Dauer (Wochen)", "Preis (€)", "Webseite", "__locator__", "__error__"],
        {"Kursnr": "source_record_id", "Kurstitel": "title", "Kurstitel (englisch)": "title@en",
         "Anbieter": "awarding_body_name", "Land": "country", "Leistungspunkte": "credit",
         "Arbeitsaufwand (h)": "workload_hours", "DQR-Niveau": "nqf_level", "EQR-Niveau": "eqf_level",
         "Unterrichtssprache": "languages", "Veranstaltungsform": "participation_mode",
         "Prüfungsform": "assessment_type", "Lernergebnisse": "learning_outcomes",
         "Teilnahmevoraussetzungen": "prerequisites", "Beginn": "start_date", "Ende": "end_date",
         "Dauer (Wochen)": "duration", "Preis (€)": "price", "Webseite": "url"},
        {"credit_unit": "ECTS", "nqf_framework": "DE-DQR", "price_currency": "EUR"},
        ["Kontaktstunden"],
    ),
    # German: Modulhandbuch with other wording
    "de-modul": (
        ["Modulnummer", "Modulbezeichnung", "Englischer Titel", "Hochschule", "LP", "Workload (Stunden)",
         "SWS", "Niveau DQR (1-8)", "Lehrsprache", "Lernform", "Prüfungsart", "Qualifikationsziele",
         "Vorkenntnisse", "Modulbeschreibung", "Verwendbarkeit", "Kurs-Nr."],
        {"Modulnummer": "source_record_id", "Modulbezeichnung": "title", "Englischer Titel": "title@en",
         "Hochschule": "awarding_body_name", "LP": "credit", "Workload (Stunden)": "workload_hours",
         "Niveau DQR (1-8)": "nqf_level", "Lehrsprache": "languages", "Lernform": "participation_mode",
         "Prüfungsart": "assessment_type", "Qualifikationsziele": "learning_outcomes",
         "Vorkenntnisse": "prerequisites", "Modulbeschreibung": "description", "Verwendbarkeit": "stacks_into"},
        {"credit_unit": "ECTS", "nqf_framework": "DE-DQR"},
        ["SWS", "Kurs-Nr."],  # Kurs-Nr. loses source_record_id to the first exact match
    ),
    "fr": (
        ["Code formation", "Intitulé de la formation", "Titre anglais", "Organisme de formation", "Pays",
         "Crédits ECTS", "Volume horaire", "Heures de contact", "Niveau RNCP", "Niveau CEC",
         "Langue d'enseignement", "Modalité", "Modalités d'évaluation", "Objectifs pédagogiques",
         "Prérequis", "Date de début", "Date de fin", "Durée (jours)", "Tarif", "Lien", "Certification qualité"],
        {"Code formation": "source_record_id", "Intitulé de la formation": "title", "Titre anglais": "title@en",
         "Organisme de formation": "awarding_body_name", "Pays": "country", "Crédits ECTS": "credit",
         "Volume horaire": "workload_hours", "Niveau RNCP": "nqf_level", "Niveau CEC": "eqf_level",
         "Langue d'enseignement": "languages", "Modalité": "participation_mode",
         "Modalités d'évaluation": "assessment_type", "Objectifs pédagogiques": "learning_outcomes",
         "Prérequis": "prerequisites", "Date de début": "start_date", "Date de fin": "end_date",
         "Durée (jours)": "duration", "Tarif": "price", "Lien": "url", "Certification qualité": "quality_assurance"},
        {"credit_unit": "ECTS", "nqf_framework": "FR-CNCP"},
        ["Heures de contact"],
    ),
    "es": (
        ["Código", "Nombre del curso", "Título en inglés", "Universidad", "País", "Créditos ECTS", "Horas",
         "Nivel MEC", "Idioma", "Modalidad", "Sistema de evaluación", "Resultados de aprendizaje",
         "Requisitos previos", "Fecha de inicio", "Fecha de fin", "Duración (semanas)", "Precio", "Enlace",
         "Horas presenciales"],
        {"Código": "source_record_id", "Nombre del curso": "title", "Título en inglés": "title@en",
         "Universidad": "awarding_body_name", "País": "country", "Créditos ECTS": "credit",
         "Horas": "workload_hours", "Nivel MEC": "eqf_level", "Idioma": "languages",
         "Modalidad": "participation_mode", "Sistema de evaluación": "assessment_type",
         "Resultados de aprendizaje": "learning_outcomes", "Requisitos previos": "prerequisites",
         "Fecha de inicio": "start_date", "Fecha de fin": "end_date", "Duración (semanas)": "duration",
         "Precio": "price", "Enlace": "url"},
        {"credit_unit": "ECTS"},
        ["Horas presenciales"],
    ),
    "it": (
        ["Codice insegnamento", "Denominazione", "Titolo in inglese", "Ateneo", "Paese", "CFU", "Ore di studio",
         "Ore di lezione", "Livello EQF", "Livello QNQ", "Lingua", "Modalità di erogazione", "Modalità d'esame",
         "Risultati di apprendimento attesi", "Prerequisiti", "Data di inizio", "Data di fine", "Durata (mesi)",
         "Prezzo", "Sito web"],
        {"Codice insegnamento": "source_record_id", "Denominazione": "title", "Titolo in inglese": "title@en",
         "Ateneo": "awarding_body_name", "Paese": "country", "CFU": "credit", "Ore di studio": "workload_hours",
         "Livello EQF": "eqf_level", "Livello QNQ": "nqf_level", "Lingua": "languages",
         "Modalità di erogazione": "participation_mode", "Modalità d'esame": "assessment_type",
         "Risultati di apprendimento attesi": "learning_outcomes", "Prerequisiti": "prerequisites",
         "Data di inizio": "start_date", "Data di fine": "end_date", "Durata (mesi)": "duration",
         "Prezzo": "price", "Sito web": "url"},
        {"credit_unit": "ECTS", "nqf_framework": "IT-QNQ"},
        ["Ore di lezione"],
    ),
    "nl": (
        ["Cursuscode", "Naam opleiding", "Engelse naam", "Instelling", "Land", "Studiepunten",
         "Studiebelasting (uren)", "Contacturen", "NLQF-niveau", "EQF-niveau", "Voertaal", "Onderwijsvorm",
         "Toetsvorm", "Leeruitkomsten", "Toelatingseisen", "Startdatum", "Einddatum", "Duur (weken)",
         "Prijs", "Website"],
        {"Cursuscode": "source_record_id", "Naam opleiding": "title", "Engelse naam": "title@en",
         "Instelling": "awarding_body_name", "Land": "country", "Studiepunten": "credit",
         "Studiebelasting (uren)": "workload_hours", "NLQF-niveau": "nqf_level", "EQF-niveau": "eqf_level",
         "Voertaal": "languages", "Onderwijsvorm": "participation_mode", "Toetsvorm": "assessment_type",
         "Leeruitkomsten": "learning_outcomes", "Toelatingseisen": "prerequisites", "Startdatum": "start_date",
         "Einddatum": "end_date", "Duur (weken)": "duration", "Prijs": "price", "Website": "url"},
        {"credit_unit": "ECTS", "nqf_framework": "NL-NLQF"},
        ["Contacturen"],
    ),
    "pl": (
        ["Kod kursu", "Nazwa kursu", "Nazwa w języku angielskim", "Uczelnia", "Kraj", "Punkty ECTS",
         "Liczba godzin", "Liczba godzin zajęć", "Poziom PRK", "Poziom ERK", "Język wykładowy", "Forma zajęć",
         "Forma zaliczenia", "Efekty uczenia się", "Wymagania wstępne", "Data rozpoczęcia",
         "Data zakończenia", "Czas trwania (tygodnie)", "Cena (zł)", "Strona www"],
        {"Kod kursu": "source_record_id", "Nazwa kursu": "title", "Nazwa w języku angielskim": "title@en",
         "Uczelnia": "awarding_body_name", "Kraj": "country", "Punkty ECTS": "credit",
         "Liczba godzin": "workload_hours", "Poziom PRK": "nqf_level", "Poziom ERK": "eqf_level",
         "Język wykładowy": "languages", "Forma zajęć": "participation_mode",
         "Forma zaliczenia": "assessment_type", "Efekty uczenia się": "learning_outcomes",
         "Wymagania wstępne": "prerequisites", "Data rozpoczęcia": "start_date",
         "Data zakończenia": "end_date", "Czas trwania (tygodnie)": "duration", "Cena (zł)": "price",
         "Strona www": "url"},
        {"credit_unit": "ECTS", "nqf_framework": "PL-PRK", "price_currency": "PLN"},
        ["Liczba godzin zajęć"],
    ),
    # England: Ofqual-register-like qualification export (RQF, CATS, TQT vs GLH)
    "en-gb": (
        ["Qualification number", "Qualification title", "Awarding organisation", "Qualification level (RQF)",
         "Credits (CATS)", "Guided learning hours", "Total qualification time", "Assessment method",
         "Entry requirements", "Country", "Fee (£)", "URL", "Mode of study", "Unit title"],
        {"Qualification number": "source_record_id", "Qualification title": "title",
         "Awarding organisation": "awarding_body_name", "Qualification level (RQF)": "nqf_level",
         "Credits (CATS)": "credit", "Total qualification time": "workload_hours",
         "Assessment method": "assessment_type", "Entry requirements": "prerequisites", "Country": "country",
         "Fee (£)": "price", "URL": "url", "Mode of study": "participation_mode"},
        {"nqf_framework": "GB-ENG-RQF", "credit_unit": "CATS", "price_currency": "GBP"},
        ["Guided learning hours", "Unit title"],  # Unit title loses title to Qualification title
    ),
    # Scotland: SCQF database-like export
    "en-sct": (
        ["Course code", "Course title", "SCQF level", "SCQF credit points", "Provider", "Delivery mode",
         "Region", "Learning outcomes", "Stackable"],
        {"Course code": "source_record_id", "Course title": "title", "SCQF level": "nqf_level",
         "SCQF credit points": "credit", "Provider": "awarding_body_name", "Delivery mode": "participation_mode",
         "Region": "region", "Learning outcomes": "learning_outcomes", "Stackable": "stackability"},
        {"nqf_framework": "GB-SCT-SCQF", "credit_unit": "SCQF"},
        [],
    ),
    # Ireland: university micro-credential catalogue (NFQ, ECTS, euro)
    "en-ie": (
        ["Module Code", "Module Title", "NFQ Level", "EQF Level", "ECTS Credits", "Provider",
         "Delivery Mode", "Language of instruction", "Start Date", "Fee (€)", "Quality Assurance",
         "Verification", "ISCED-F code", "Supervision"],
        {"Module Code": "source_record_id", "Module Title": "title", "NFQ Level": "nqf_level",
         "EQF Level": "eqf_level", "ECTS Credits": "credit", "Provider": "awarding_body_name",
         "Delivery Mode": "participation_mode", "Language of instruction": "languages",
         "Start Date": "start_date", "Fee (€)": "price", "Quality Assurance": "quality_assurance",
         "Verification": "verification", "ISCED-F code": "isced_f", "Supervision": "supervision"},
        {"nqf_framework": "IE-NFQ", "credit_unit": "ECTS", "price_currency": "EUR"},
        [],
    ),
}


@pytest.mark.parametrize("name", list(HEADER_ROWS))
def test_header_rows(name):
    columns, targets, constants, unmapped = HEADER_ROWS[name]
    plan = plan_mapping(columns)
    assert plan.targets == targets
    assert plan.constants == constants
    assert plan.unmapped == unmapped
    assert [c for c in columns if c.startswith("__")] == plan.passthrough
    # no source column feeds two fields, and no field is fed twice
    assert len(set(plan.targets.values())) == len(plan.targets)


@pytest.mark.parametrize("header, fld, implies", [
    ("Niveau DQR (1-8)", "nqf_level", {"nqf_framework": "DE-DQR"}),
    ("Niveau (DQR)", "nqf_level", {"nqf_framework": "DE-DQR"}),
    ("Level (Irish NFQ)", "nqf_level", {"nqf_framework": "IE-NFQ"}),
    ("SCQF Level", "nqf_level", {"nqf_framework": "GB-SCT-SCQF"}),
    ("RQF level", "nqf_level", {"nqf_framework": "GB-ENG-RQF"}),
    ("Niveau RNCP", "nqf_level", {"nqf_framework": "FR-CNCP"}),
    ("Poziom PRK", "nqf_level", {"nqf_framework": "PL-PRK"}),
    ("Level", "level", {}),
    ("Niveau", "level", {}),
    ("Nivel", "level", {}),
    ("Livello", "level", {}),
    ("Poziom", "level", {}),
    ("Stufe", "level", {}),
    ("EQF level", "eqf_level", {}),
    ("Level (EQF)", "eqf_level", {}),
    ("Poziom ERK/EQF", "eqf_level", {}),
    ("CATS credits", "credit", {"credit_unit": "CATS"}),
    ("Credits (CATS)", "credit", {"credit_unit": "CATS"}),
    ("SCQF credit points", "credit", {"credit_unit": "SCQF"}),
    ("ECTS", "credit", {"credit_unit": "ECTS"}),
    ("Leistungspunkte", "credit", {"credit_unit": "ECTS"}),
    ("Number of ECTS credits", "credit", {"credit_unit": "ECTS"}),
    ("Punkte (ECTS)", "credit", {"credit_unit": "ECTS"}),
    ("Credits", "credit", {}),
    ("Credit (ECTS/CATS)", "credit", {}),  # names two units: none is implied
    ("Workload (hours)", "workload_hours", {}),
    ("Stunden", "workload_hours", {}),
    ("Title (EN)", "title@en", {}),
    ("Titel englisch", "title@en", {}),
    ("title_fr", "title@fr", {}),
    ("English title", "title@en", {}),
    ("Titre anglais", "title@en", {}),
    ("Name (Deutsch)", "title@de", {}),
    ("Titre de la formation", "title", {}),  # "de" here is a word, not German
    ("Title language", "title_language", {}),
    ("Kosten (€)", "price", {"price_currency": "EUR"}),
    ("Cost (USD)", "price", {"price_currency": "USD"}),
    ("Contact hours", "_ignore", {}),
])
def test_match_header(header, fld, implies):
    match = match_header(header)
    assert match.field == fld
    assert match.implies == implies


@pytest.mark.parametrize("header", [
    "Postal code", "Contact email", "Telefon", "Ansprechpartner", "Veranstaltungsort", "Status",
    "Semester", "Bemerkungen", "Dozent", "", "Language level", "Provider URL", "EQF/DQR-Niveau",
    "Start-/Enddatum",
])
def test_headers_left_alone(header):
    assert match_header(header).field is None


def test_duration_units_from_header():
    plan = plan_mapping(["Dauer (Wochen)", "Titel"])
    assert plan.targets == {"Dauer (Wochen)": "duration", "Titel": "title"}
    assert plan.suffixes == {"Dauer (Wochen)": "weeks"}
    assert plan_mapping(["Durata (mesi)"]).suffixes == {"Durata (mesi)": "months"}


def test_two_columns_one_field_keeps_best_then_first():
    plan = plan_mapping(["Kurstitel englisch", "Bezeichnung", "Titel", "Titel der Veranstaltung (kurz)"])
    assert plan.targets == {"Kurstitel englisch": "title@en", "Bezeichnung": "title"}
    assert plan.unmapped == ["Titel", "Titel der Veranstaltung (kurz)"]
    assert len(plan.ambiguous) == 2
    assert all("title" in msg and "'Bezeichnung'" in msg for msg in plan.ambiguous)
    # an exact synonym beats a word match even when it comes later
    plan = plan_mapping(["Titel der Veranstaltung (kurz)", "Titel"])
    assert plan.targets == {"Titel": "title"}


def test_only_foreign_titles_first_becomes_title():
    plan = plan_mapping(["Titel (DE)", "Titel (EN)", "ECTS"])
    assert plan.targets == {"Titel (DE)": "title", "Titel (EN)": "title@en", "ECTS": "credit"}
    assert plan.constants == {"title_language": "de", "credit_unit": "ECTS"}


def test_reserved_columns_never_mapped():
    plan = plan_mapping(["__locator__", "Title", "__error__", "__raw__"])
    assert plan.targets == {"Title": "title"}
    assert plan.passthrough == ["__locator__", "__error__"]
    assert plan.unmapped == []


def test_duplicate_and_odd_headers():
    plan = plan_mapping(["Title", "Title", None, "Unnamed: 3", 42])
    assert plan.targets == {"Title": "title"}
    assert plan.unmapped == ["None", "Unnamed: 3", "42"]
    assert any("more than once" in n for n in plan.notes)


def test_describe():
    plan = plan_mapping(["Leistungspunkte", "NFQ Level", "Kontaktstunden", "Preis (€)", "Dauer (Wochen)"])
    lines = plan.describe()
    assert "'Leistungspunkte' -> credit (unit ECTS)" in lines
    assert "'NFQ Level' -> nqf_level (framework IE-NFQ)" in lines
    assert "'Preis (€)' -> price (currency EUR)" in lines
    assert "'Dauer (Wochen)' -> duration (bare numbers read as weeks)" in lines
    assert "'Kontaktstunden' not mapped" in lines
    assert "constant credit_unit = 'ECTS' (implied by 'Leistungspunkte')" in lines


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------

GOOD_PROFILE = """\
source: hs-musterstadt
country: DE
columns:
  Kursnr: source_record_id
  Bezeichnung: title
  LP: {field: credit, unit: ECTS}
  Stufe: {field: nqf_level, framework: DE-DQR}
  Form: participation_mode
  Code: ~
values:
  participation_mode: {P: onsite, O: online, H: blended}
  supervision: {Yes: supervised-onsite-id-check, 01: unsupervised-no-id-check}
constants:
  awarding_body_name: Hochschule Musterstadt
options:
  dayfirst: true
  delimiter: ";"
  sheet: Kurse
"""


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_profile_good(tmp_path):
    profile = load_profile(write(tmp_path, GOOD_PROFILE))
    assert profile.source == "hs-musterstadt"
    assert profile.country == "DE"
    assert profile.columns == {
        "Kursnr": ColumnSpec("source_record_id"), "Bezeichnung": ColumnSpec("title"),
        "LP": ColumnSpec("credit", unit="ECTS"), "Stufe": ColumnSpec("nqf_level", framework="DE-DQR"),
        "Form": ColumnSpec("participation_mode"), "Code": ColumnSpec(None),
    }
    assert profile.values["participation_mode"] == {"P": "onsite", "O": "online", "H": "blended"}
    # scalars stay text: YAML 1.1 would have made these True and 1
    assert profile.values["supervision"] == {"Yes": "supervised-onsite-id-check", "01": "unsupervised-no-id-check"}
    assert profile.constants == {"awarding_body_name": "Hochschule Musterstadt"}
    assert profile.options.dayfirst is True
    assert profile.options.delimiter == ";"
    assert profile.options.sheet == "Kurse"
    assert profile.options.encoding is None
    assert profile.path.endswith("mapping.yaml")


def test_readme_example_is_a_valid_profile():
    text = (ROOT / "samples" / "profiles" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    profile = profile_from_dict(load_yaml_strings(block), "README.md")
    assert profile.columns["LP"] == ColumnSpec("credit", unit="ECTS")
    assert profile.options.header_row == 3


@pytest.mark.parametrize("text, message", [
    ("columns:\n  LP: credits\n",
     "mapping.yaml: column 'LP' maps to unknown field 'credits' (did you mean 'credit'?)"),
    ("columns:\n  LP: {field: credits, unit: ECTS}\n",
     "mapping.yaml: column 'LP' maps to unknown field 'credits' (did you mean 'credit'?)"),
    ("columns:\n  LP: {feld: credit}\n", "mapping.yaml: column 'LP' has unknown key 'feld' (did you mean 'field'?)"),
    ("columns:\n  LP: {unit: ECTS}\n", "mapping.yaml: column 'LP' needs a `field`"),
    ("columns:\n  LP: [credit]\n", "mapping.yaml: column 'LP' must map to a field name"),
    ("columns:\n  Titel: {field: title, unit: ECTS}\n", "mapping.yaml: column 'Titel': `unit` applies only to"),
    ("columns:\n  Stufe: {field: level, framework: DE-DQR}\n", "(use field: nqf_level)"),
    ("columns: [a, b]\n", "mapping.yaml: columns must be a mapping, not a list"),
    ("colums:\n  LP: credit\n", "mapping.yaml: unknown key 'colums' (did you mean 'columns'?)"),
    ("values:\n  participation: {P: onsite}\n",
     "mapping.yaml: values has unknown field 'participation' (did you mean 'participation_mode'?)"),
    ("values:\n  participation_mode: [onsite]\n", "mapping.yaml: values.participation_mode must be a mapping"),
    ("values:\n  participation_mode: {P: onsite, p: online}\n", "are the same value"),
    ("constants:\n  awarding_body: X\n", "mapping.yaml: constants has unknown field 'awarding_body'"),
    ("constants:\n  country: [DE, AT]\n", "mapping.yaml: constants.country must be a single value, not a list"),
    ("columns:\n  LP: {field: credit, unit: ECTS}\nconstants:\n  credit_unit: CATS\n",
     "mapping.yaml: column 'LP' says credit_unit 'ECTS' but constants.credit_unit is 'CATS'"),
    ("options:\n  dayfirst: maybe\n", "mapping.yaml: options.dayfirst must be true or false, not 'maybe'"),
    ("options:\n  dayfrist: true\n", "mapping.yaml: options has unknown key 'dayfrist' (did you mean 'dayfirst'?)"),
    ("options:\n  delimiter: ';;'\n", "options.delimiter must be a single character"),
    ("options:\n  encoding: klingon-8\n", "options.encoding 'klingon-8' is not a known text encoding"),
    ("source: [a]\n", "mapping.yaml: source must be a single value, not a list"),
    ("- just\n- a list\n", "mapping.yaml: a profile must be a mapping"),
    ("columns:\n  LP: credit\n  LP: title\n", "mapping.yaml: not valid YAML: duplicate key 'LP'"),
    ("columns:\n  LP: credit\n   Titel: title\n", "mapping.yaml: not valid YAML:"),
    ("columns: {LP: credit\n", "mapping.yaml: not valid YAML:"),
])
def test_load_profile_bad(tmp_path, text, message):
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, text))
    text_of_error = str(info.value)
    assert message in text_of_error
    assert text_of_error.startswith("mapping.yaml: ")
    assert "\n" not in text_of_error


def test_load_profile_missing_file(tmp_path):
    with pytest.raises(ProfileError, match=r"^nope\.yaml: no such file"):
        load_profile(tmp_path / "nope.yaml")


def test_empty_profile_is_valid(tmp_path):
    profile = load_profile(write(tmp_path, ""))
    assert profile.columns == {} and profile.options.dayfirst is None
    assert profile.options.get("dayfirst", True) is True  # dict-style access with a default


@pytest.mark.parametrize("text, expected", [
    ("options:\n  dayfirst: no\n", False), ("options:\n  dayfirst: Yes\n", True),
    ("options:\n  delimiter: tab\n", "\t"), ("options:\n  delimiter: \"\\t\"\n", "\t"),
])
def test_profile_option_spellings(tmp_path, text, expected):
    options = load_profile(write(tmp_path, text)).options
    assert (options.dayfirst if "dayfirst" in text else options.delimiter) == expected


# ---------------------------------------------------------------------------------------------
# Profiles in planning
# ---------------------------------------------------------------------------------------------


def test_profile_columns_win_and_set_constants(tmp_path):
    profile = load_profile(write(tmp_path, GOOD_PROFILE))
    columns = ["kursnr", "Bezeichnung", "Titel", "LP", "Stufe", "Form", "Code", "Land", "__locator__"]
    plan = plan_mapping(columns, profile)
    assert plan.targets == {"kursnr": "source_record_id", "Bezeichnung": "title", "LP": "credit",
                            "Stufe": "nqf_level", "Form": "participation_mode", "Land": "country"}
    assert plan.unmapped == ["Titel", "Code"]  # Titel loses to the profile; Code ignored by the profile
    assert plan.constants == {"country": "DE", "credit_unit": "ECTS", "nqf_framework": "DE-DQR",
                              "awarding_body_name": "Hochschule Musterstadt"}
    assert plan.constant_sources["country"] == "profile country"
    assert "'LP' -> credit (unit ECTS)" in plan.describe()


def test_profile_constant_overrides_header_implied():
    profile = Profile(constants={"credit_unit": "CATS"})
    plan = plan_mapping(["ECTS"], profile)
    assert plan.constants == {"credit_unit": "CATS"}
    assert plan.implied == {"ECTS": {"credit_unit": "ECTS"}}


def test_profile_column_absent_is_noted():
    plan = plan_mapping(["Title"], Profile(columns={"Kursnr": ColumnSpec("source_record_id")}))
    assert plan.targets == {"Title": "title"}
    assert any("'Kursnr' is not in this source" in n for n in plan.notes)


# ---------------------------------------------------------------------------------------------
# apply_mapping
# ---------------------------------------------------------------------------------------------


def small_frame(dtype=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Kursnr": ["K1", "K2", "K3", "K4"],
            "Bezeichnung": ["Datenanalyse", "Statistik", None, "Ethik"],
            "LP": ["5", None, "7,5", " "],
            "Einheit": ["CATS", None, "", None],
            "Form": [" p ", "O", "hybrid", None],
            "Dauer (Wochen)": ["6", "3 Monate", None, "2.5"],
            "Land": ["AT", None, "  ", "DE"],
            "Notiz": ["x", "y", "z", "w"],
            "__locator__": ["row 2", "row 3", "row 4", "row 5"],
            "__error__": [None, None, "bad quote", None],
        },
        index=[40, 7, 12, 3],  # not sorted: the order must survive
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", [None, object])  # pandas' str dtype, and the connectors' object/None
def test_apply_mapping_small(dtype):
    profile = Profile(
        country="DE",
        columns={"LP": ColumnSpec("credit", unit="ECTS"), "Form": ColumnSpec("participation_mode")},
        values={"participation_mode": {"P": "onsite", "O": "online", "H": "blended"}},
        constants={"awarding_body_name": "Hochschule Musterstadt"},
    )
    frame = small_frame(dtype)
    plan = plan_mapping(list(frame.columns), profile)
    out = apply_mapping(frame, plan, profile)

    assert list(out.index) == [40, 7, 12, 3]
    assert list(out.columns) == ["source_record_id", "title", "credit", "credit_unit", "participation_mode",
                                 "duration", "country", "awarding_body_name", "__locator__", "__error__"]
    rows = out.astype(object).where(out.notna(), None).to_dict("records")
    assert [r["source_record_id"] for r in rows] == ["K1", "K2", "K3", "K4"]
    assert [r["title"] for r in rows] == ["Datenanalyse", "Statistik", None, "Ethik"]
    assert [r["credit"] for r in rows] == ["5", None, "7,5", " "]
    # constants fill only empty cells (missing or blank), never overwrite
    assert [r["credit_unit"] for r in rows] == ["CATS", "ECTS", "ECTS", "ECTS"]
    assert [r["country"] for r in rows] == ["AT", "DE", "DE", "DE"]
    assert [r["awarding_body_name"] for r in rows] == ["Hochschule Musterstadt"] * 4
    # value map: whole value, trimmed, any case; other values unchanged
    assert [r["participation_mode"] for r in rows] == ["onsite", "online", "hybrid", None]
    # unit from the header appended to bare numbers only
    assert [r["duration"] for r in rows] == ["6 weeks", "3 Monate", None, "2.5 weeks"]
    # pass-through columns are the same objects' values, unchanged
    pd.testing.assert_series_equal(out["__locator__"], frame["__locator__"])
    pd.testing.assert_series_equal(out["__error__"], frame["__error__"])
    assert "Notiz" not in out.columns
    # the raw frame is not modified
    pd.testing.assert_frame_equal(frame, small_frame(dtype))


def test_apply_mapping_passes_connector_columns_without_planning_them():
    frame = pd.DataFrame({"Title": ["a", None], "__locator__": ["row 2", "row 3"],
                          "__error__": [None, "line 3: unclosed quote"], "__raw__": [None, '"b,']}, dtype=object)
    plan = plan_mapping([c for c in frame.columns if not c.startswith("__")])
    out = apply_mapping(frame, plan)
    assert list(out.columns) == ["title", "__locator__", "__error__"]
    assert out["__error__"].tolist() == [None, "line 3: unclosed quote"]


def test_apply_mapping_without_profile_and_object_dtype():
    frame = pd.DataFrame({"Titel": ["A", None], "ECTS": [None, "5"], "__locator__": ["1", "2"]}, dtype=object)
    out, plan = map_batch(frame)
    assert plan.targets == {"Titel": "title", "ECTS": "credit"}
    assert list(out.columns) == ["title", "credit", "credit_unit", "__locator__"]
    assert out["credit_unit"].tolist() == ["ECTS", "ECTS"]
    assert out["title"].iloc[0] == "A" and pd.isna(out["title"].iloc[1])


def test_apply_mapping_refuses_a_batch_without_planned_columns():
    plan = ColumnPlan(targets={"Titel": "title"})
    with pytest.raises(KeyError, match="Titel"):
        apply_mapping(pd.DataFrame({"Title": ["x"]}), plan)


def test_apply_mapping_50000_rows():
    n = 50_000
    profile = Profile(country="IE", values={"participation_mode": {"F2F": "onsite", "ONL": "online"}})
    frame = pd.DataFrame({
        "Module Code": [f"M{i:05d}" for i in range(n)],
        "Module Title": [f"Module {i}" for i in range(n)],
        "ECTS Credits": [None if i % 3 == 0 else str(5 + i % 4) for i in range(n)],
        "NFQ Level": [str(6 + i % 4) for i in range(n)],
        "Delivery Mode": (["F2F", "onl", "Blended", None] * (n // 4)),
        "Country": [None if i % 2 else "Ireland" for i in range(n)],
        "Duration (weeks)": [str(i % 12) for i in range(n)],
        "__locator__": [f"row {i + 2}" for i in range(n)],
    }).iloc[::-1]  # reversed index: order must be kept
    out, plan = map_batch(frame, profile)
    assert len(out) == n
    assert out.index.equals(frame.index)
    assert out["source_record_id"].iloc[0] == "M49999"
    assert out["credit_unit"].eq("ECTS").all()
    assert out["nqf_framework"].eq("IE-NFQ").all()
    assert out["credit"].isna().sum() == len(range(0, n, 3))
    modes = out["participation_mode"].value_counts(dropna=False)
    assert modes["onsite"] == n // 4 and modes["online"] == n // 4 and modes["Blended"] == n // 4
    assert (out["country"] == "Ireland").sum() == n // 2 and (out["country"] == "IE").sum() == n // 2
    assert out["duration"].iloc[-1] == "0 weeks"
    assert out["__locator__"].tolist() == frame["__locator__"].tolist()


def test_duration_in_hours_also_gives_workload_when_no_workload_column():
    frame = pd.DataFrame({"Titre": ["a", "b", "c", "d"], "Durée": ["84 h", "3 mois", None, "82,5 heures"]},
                         dtype=object)
    out, plan = map_batch(frame)
    assert plan.hours_from == "Durée"
    assert "'Durée' -> duration (values in hours also give workload_hours)" in plan.describe()
    assert out["duration"].tolist() == ["84 h", "3 mois", None, "82,5 heures"]
    assert [None if pd.isna(v) else v for v in out["workload_hours"]] == ["84 h", None, None, "82,5 heures"]
    # a real workload column wins; a duration in weeks never gives hours
    assert plan_mapping(["Durée", "Volume horaire"]).hours_from is None
    assert plan_mapping(["Dauer (Wochen)"]).hours_from is None


def test_columns_named_as_candidate_fields_map_to_themselves():
    """What the standards connectors emit (ELM, CTDL, Open Badges ...) needs no header guessing."""
    from transforms.candidate import CANDIDATE_FIELDS

    columns = [*CANDIDATE_FIELDS, "title@en"]
    plan = plan_mapping(columns)
    assert plan.targets == {c: c for c in columns}
    assert plan.unmapped == [] and plan.constants == {}


@pytest.mark.parametrize("header, field", [("Level of qualification", "level"),
                                           ("Qualification level (RQF)", "nqf_level")])
def test_generic_level_headers(header, field):
    assert match_header(header).field == field


def test_extension_columns_of_standards_stay_unmapped():
    plan = plan_mapping(["title", "x_study_mode", "x_is_part_of", "x_jacs"])
    assert plan.targets == {"title": "title"}
    assert plan.unmapped == ["x_study_mode", "x_is_part_of", "x_jacs"]
