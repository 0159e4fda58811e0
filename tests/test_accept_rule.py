"""What is quarantined and what is accepted with a flag (README "Accepted, flagged, quarantined"),
through the command line on small exports shaped like the real ones that were rejected whole:
MOOC catalogues with a difficulty column named "Level", language names in their own script,
unknown optional values, duplicate titles, JSON keyed by programme code and language variants."""
from __future__ import annotations

import json

import pytest

from clearinghouse.descriptor import KEYS
from tests.conftest import run_cli

# A Coursera-style export: a leading unnamed index column, difficulty under "Level", the
# language of instruction in its own script, one title twice with different index values.
MOOC_CSV = """\
,course_title,course_organization,course_Certificate_type,Level,Language,course_students_enrolled
134,(ISC)2 Systems Security Certified Practitioner (SSCP),(ISC)2,SPECIALIZATION,Beginner,English,5.3k
743,A Crash Course in Causality: Inferring Causal Effects from Observational Data,University of Pennsylvania,COURSE,Intermediate,English,17k
874,A Crash Course in Causality: Inferring Causal Effects from Observational Data,University of Pennsylvania,COURSE,Intermediate,English,17k
413,机器学习基础,国立台湾大学,COURSE,All Levels,中文,64k
501,データサイエンス入門,東京大学,COURSE,Mixed,日本語,12k
502,مقدمة في علم البيانات,جامعة الملك سعود,COURSE,Advanced,اللغة العربية,3k
503,Klingon for Beginners,Qo'noS Academy,COURSE,Beginner,Klingon,1k
"""


def _records(home, source):
    res = run_cli("search", "--source", source, "--all-members", "--expand", "--format", "json",
                  "--limit", "100", home=home)
    return {r["source_record_id"]: r for r in json.loads(res.stdout)}


def _ingest(tmp_path, name, text, source, *extra):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    res = run_cli("ingest", str(path), "--source", source, *extra, "--output", "json", home=home)
    summary = json.loads(res.stdout)[0]
    assert summary["read"] == summary["accepted"] + summary["quarantined"]
    quarantine = json.loads(run_cli("quarantine", "--source", source, "--format", "json", home=home).stdout)
    return home, summary, quarantine


@pytest.fixture(scope="module")
def mooc(tmp_path_factory):
    return _ingest(tmp_path_factory.mktemp("mooc"), "coursera.csv", MOOC_CSV, "mooc")


def test_a_difficulty_under_level_is_no_eqf_level_and_quarantines_nothing(mooc):
    home, summary, quarantine = mooc
    assert (summary["read"], summary["accepted"], summary["quarantined"]) == (7, 7, 0), quarantine
    recs = _records(home, "mooc")
    assert {k: r["x_difficulty"] for k, r in recs.items()} == {
        "134": "introductory", "743": "intermediate", "874": "intermediate", "413": "all-levels",
        "501": "all-levels", "502": "advanced", "503": "introductory"}
    assert all(r["eqf_level"] is None and r["nqf"] is None for r in recs.values())


def test_the_index_column_keeps_two_rows_of_one_title_apart(mooc):
    home, _, _ = mooc
    recs = _records(home, "mooc")
    assert recs["743"]["title"] == recs["874"]["title"] and recs["743"]["id"] != recs["874"]["id"]
    assert not any(f["code"] == "id-derived" for r in recs.values() for f in r["quality_flags"])


def test_language_names_in_their_own_script(mooc):
    home, _, _ = mooc
    recs = _records(home, "mooc")
    assert recs["413"]["languages"] == ["zh"]
    assert recs["501"]["languages"] == ["ja"]
    assert recs["502"]["languages"] == ["ar"]
    assert recs["134"]["languages"] == ["en"]


def test_an_unknown_language_is_flagged_left_empty_and_kept_raw(mooc):
    home, _, _ = mooc
    rec = _records(home, "mooc")["503"]
    assert rec["languages"] == []
    flag = next(f for f in rec["quality_flags"] if f["field"] == "languages")
    assert flag["code"] == "unknown-code" and "Klingon" in flag["message"]
    assert rec["provenance"]["raw"] == {"languages": "Klingon"}


def test_difficulty_is_an_extension_not_a_descriptor_key(mooc):
    home, _, _ = mooc
    rec_id = _records(home, "mooc")["134"]["id"]
    plain = json.loads(run_cli("show", rec_id, "--format", "json", home=home).stdout)
    assert list(plain) == list(KEYS)
    expanded = json.loads(run_cli("show", rec_id, "--format", "json", "--expand", home=home).stdout)
    assert expanded["x_difficulty"] == "introductory"
    found = json.loads(run_cli("search", "Systems Security", "--format", "json", home=home).stdout)
    assert found and all(list(r) == list(KEYS) for r in found)


def test_wrong_for_certain_still_quarantines(tmp_path):
    text = ("Course ID;Title;EQF level;Start date;End date;Language;Price\n"
            "A1;Datenanalyse;99;2026-03-01;2026-06-30;Deutsch;100 EUR\n"
            "A2;Maschinelles Lernen;6;2026-09-01;2026-06-30;Deutsch;100 EUR\n"
            "A3;Statistik;6;2026-03-01;2026-06-30;Deutsch;-5 EUR\n"
            "A4;Datenbanken;6;ab Frühjahr;2026-06-30;Sprache der Engel;120 Taler\n")
    _, summary, quarantine = _ingest(tmp_path, "kurse.csv", text, "de-kurse", "--country", "DE")
    reasons = {q["source_record_id"]: {(r["field"], r["rule"]) for r in q["reasons"]} for q in quarantine}
    assert reasons == {"A1": {("eqf_level", "out-of-range")}, "A2": {("end_date", "before-start")},
                       "A3": {("price", "out-of-range")}}
    assert summary["accepted"] == 1
    rec = _records(tmp_path / "home", "de-kurse")["A4"]
    assert rec["start_date"] is None and rec["languages"] == []
    assert rec["price"] == {"amount": 120.0, "currency": None}  # the amount is read, the currency not
    assert rec["eqf_level"] == 6 and rec["end_date"] == "2026-06-30"
    assert {f["field"] for f in rec["quality_flags"] if f["code"] in ("unknown-code", "unparseable")} >= {
        "start_date", "languages"}
    assert any(f["field"] == "price" for f in rec["quality_flags"])
    assert rec["provenance"]["raw"]["start_date"] == "ab Frühjahr"


def test_same_title_without_ids_kept_apart_and_true_repeats_quarantined(tmp_path):
    text = ("Title,Provider,URL\n"
            "Python for Data Analysis,Open Academy,https://example.org/py-1\n"
            "Python for Data Analysis,Open Academy,https://example.org/py-2\n"
            "Statistics Basics,Open Academy,https://example.org/stats\n"
            "Statistics Basics,Open Academy,https://example.org/stats\n")
    home, summary, quarantine = _ingest(tmp_path, "courses.csv", text, "academy")
    assert (summary["accepted"], summary["quarantined"]) == (3, 1)
    assert [q["locator"] for q in quarantine] == ["row 5"]
    assert quarantine[0]["reasons"][0]["rule"] == "duplicate"
    urls = sorted(r["url"] for r in _records(home, "academy").values())
    assert urls == ["https://example.org/py-1", "https://example.org/py-2", "https://example.org/stats"]


def test_json_keyed_by_code_with_language_variants(tmp_path):
    doc = {
        "L123": {"designacao": [{"designacao": "Engenharia Informática", "locSigla": "PT"},
                                {"designacao": "Computer Engineering", "locSigla": "EN"}],
                 "ects": 180, "idioma": "Português"},
        "M456": {"designacao": [{"designacao": "Gestão", "locSigla": "PT"},
                                {"designacao": "Management", "locSigla": "EN"}],
                 "ects": 120, "idioma": "Português, English"},
    }
    home, summary, _ = _ingest(tmp_path, "cursos.json", json.dumps(doc, ensure_ascii=False), "pt-uni",
                               "--country", "PT")
    assert (summary["read"], summary["accepted"]) == (2, 2)
    recs = _records(home, "pt-uni")
    assert recs["L123"]["title"] == "Engenharia Informática" and recs["L123"]["title_language"] == "pt"
    assert recs["L123"]["titles"] == {"en": "Computer Engineering"}
    assert recs["L123"]["provenance"]["locator"] == "/L123"
    assert recs["M456"]["ects"] == 120 and recs["M456"]["languages"] == ["pt", "en"]


@pytest.mark.parametrize("header", ["Filière de formation", "Learning Opportunity Name", "Designação"])
def test_title_headers_of_real_exports(tmp_path, header):
    text = f"{header};Code\nLicence - Droit;F1\n"
    _, summary, _ = _ingest(tmp_path, "f.csv", text, "titles", "--country", "FR")
    assert summary["accepted"] == 1


def test_numeric_dates_are_read_as_the_records_country_writes_them(tmp_path):
    """'8/4/1971' from a US college is 4 August (month first, as the Registry Assistant's
    DateEffective is written); from a German or British provider it is 8 April."""
    text = ("id,title,start date,end date,country\n"
            "US-1,B.S. in Nursing (Pre-Licensure),8/4/1971,12/20/1971,United States\n"
            "DE-1,Werkstoffkunde,8/4/1971,20/12/1971,DE\n"
            "GB-1,Bookkeeping,08/04/1971,20.12.1971,GB\n")
    home, summary, quarantine = _ingest(tmp_path, "dates.csv", text, "dates")
    assert (summary["accepted"], quarantine) == (3, [])
    recs = _records(home, "dates")
    assert {k: (r["start_date"], r["end_date"]) for k, r in recs.items()} == {
        "US-1": ("1971-08-04", "1971-12-20"), "DE-1": ("1971-04-08", "1971-12-20"),
        "GB-1": ("1971-04-08", "1971-12-20")}
    assert "(month first)" in recs["US-1"]["provenance"]["fields"]["start_date"]


def test_a_record_given_twice_with_its_id_is_kept_once(tmp_path):
    """The IST degree list gives "Química" twice with the same id: the first is accepted and the
    repeat quarantined as a repeat; an id shared by two different records still quarantines both."""
    degrees = [{"id": "2761663971607", "name": "Química"}, {"id": "2761663971608", "name": "Física"},
               {"id": "2761663971607", "name": "Química"},
               {"id": "99", "name": "Engenharia Civil"}, {"id": "99", "name": "Engenharia Mecânica"}]
    home, summary, quarantine = _ingest(tmp_path, "degrees.json", json.dumps(degrees, ensure_ascii=False), "ist")
    assert (summary["read"], summary["accepted"], summary["quarantined"]) == (5, 2, 3)
    assert sorted(_records(home, "ist")) == ["2761663971607", "2761663971608"]
    held = sorted((q["source_record_id"], q["locator"], q["reasons"][0]["message"]) for q in quarantine)
    assert held == [
        ("2761663971607", "/2", "a repeat of an earlier record with identifier '2761663971607' and the same content"),
        ("99", "/3", "identifier '99' occurs more than once in this delivery"),
        ("99", "/4", "identifier '99' occurs more than once in this delivery")]


def test_a_degree_list_with_its_courses_gives_both(tmp_path):
    """The FenixEdu API's degrees with their courses (IST, Lisbon): the degrees and the courses
    are records; a course two degrees share is one record that counts towards both."""
    shared = {"id": "1127510519585568", "name": "Desenvolvimento Sustentável - Fundamentos Quantitativos",
              "acronym": "DSFQ", "academicTerm": "1º Semestre 2021/2022", "credits": "6.0"}
    doc = {"degree": [
        {"id": "1128661570813976", "name": "Indústria 4.0 Sustentável", "courses": [
            {"id": "283085589463418", "name": "Sistemas de Produção na Indústria 4.0 Sustentável",
             "acronym": "SPI-4S", "academicTerm": "1º Semestre 2021/2022", "credits": "3.0"}, shared]},
        {"id": "1128661570813980", "name": "Big Picture Thinking para a Sustentabilidade", "courses": [shared]},
    ]}
    home, summary, quarantine = _ingest(tmp_path, "degrees_courses.json", json.dumps(doc, ensure_ascii=False),
                                        "ist", "--country", "PT")
    assert (summary["read"], summary["accepted"], quarantine) == (4, 4, [])
    recs = _records(home, "ist")
    assert recs["1128661570813980"]["stacks_into"] == [] and recs["1128661570813980"]["ects"] is None
    course = recs["1127510519585568"]
    assert (course["title"], course["ects"], course["provenance"]["locator"]) == (
        "Desenvolvimento Sustentável - Fundamentos Quantitativos", 6.0, "/degree/0/courses/1")
    assert course["stacks_into"] == ["Indústria 4.0 Sustentável", "Big Picture Thinking para a Sustentabilidade"]
    assert recs["283085589463418"]["stacks_into"] == ["Indústria 4.0 Sustentável"]


def test_no_value_markers_are_no_value(tmp_path):
    """'nil' (the scraped edX list), 'NULL', 'N/A' and dashes are no value: nothing is flagged as
    an unrecognised word or quarantined for them; an assessment of 'None' is the value none; a
    title of 'N/A' is no title."""
    text = ("id,title,subject,difficulty,language,assessment,credits,start date\n"
            "0,The Science of Happiness at Work Professional Certificate  ,nil,nil,nil,nil,nil,nil\n"
            "1,UX Design and Evaluation MicroMasters® Program,NULL,N/A,—,None,-,n/a\n"
            "2,N/A,Business,Beginner,English,,,\n")
    home, summary, quarantine = _ingest(tmp_path, "edx.csv", text, "edx")
    assert (summary["read"], summary["accepted"], summary["quarantined"]) == (3, 2, 1)
    assert [(q["source_record_id"], [(r["field"], r["rule"]) for r in q["reasons"]]) for q in quarantine] == \
        [("2", [("title", "required")])]
    recs = _records(home, "edx")
    for r in recs.values():
        assert not [f for f in r["quality_flags"] if f["code"] not in ("missing-annex-i-element", "isced-from-text")], r
        assert (r.get("x_difficulty"), r["languages"], r["ects"], r["start_date"]) == (None, [], None, None)
    assert recs["1"]["assessment_type"] == ["none"] and recs["0"]["assessment_type"] == []
