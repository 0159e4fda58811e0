"""XCRI-CAP 1.1 / 1.2 connector: real feeds from shared/reference/xcri-cap/samples, small made-up
feeds for what the samples do not show (1.1, ECTS/EQF, several providers, batching)."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from connectors import safe
from connectors.base import ERROR, LOCATOR, RAW, FileInfo, SourceFileError, sha256_of
from connectors.xcri import looks_like_xcri, read_xcri
from transforms.candidate import CANDIDATE_FIELDS, TITLE_PREFIX

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
SAMPLES = REFERENCE / "xcri-cap" / "samples"
needs_reference = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"shared reference data not found at {SAMPLES} (checkout without ../shared)")

NS12 = "http://xcri.org/profiles/1.2/catalog"
NS11 = "http://xcri.org/profiles/catalog"
FEEDS = ["ou-example.xml", "PG_Generic_XCRI-CAP-1.2_poppleton.xml", "wychwolf-moodle.xml"]
# a UK further-education college's feed as such exports come (made up, modelled on a real one)
COLLEGE = Path(__file__).resolve().parent / "data" / "xcri_real" / "fe_college_modes_levels.xml"


def info_for(path: Path) -> FileInfo:
    return FileInfo(path=str(path), format="xcri", sha256=sha256_of(path), size=os.path.getsize(path))


def read(path: Path, batch_size: int = 1000) -> pd.DataFrame:
    batches = list(read_xcri(path, info_for(path), batch_size))
    assert all(len(b) <= batch_size for b in batches)
    for b in batches:
        assert_frame_convention(b.frame)
    return concat(batches)


def concat(batches) -> pd.DataFrame:
    """Batches may have different column sets: concatenated, a missing cell is None (not NaN)."""
    frame = pd.concat([b.frame for b in batches], ignore_index=True).astype(object)
    return frame.where(frame.notna(), None)


def rows(path: Path) -> list[dict]:
    return read(path).to_dict("records")


def independent_course_count(path: Path) -> int:
    tree = etree.parse(str(path), safe.xml_parser())
    ns = etree.QName(tree.getroot()).namespace
    return int(tree.xpath("count(/x:catalog/x:provider/x:course)", namespaces={"x": ns}))


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


def assert_frame_convention(frame: pd.DataFrame) -> None:
    assert list(frame.columns[-3:]) == [LOCATOR, ERROR, RAW]
    for col in frame.columns:
        assert frame[col].dtype == object, col
        for v in frame[col]:
            assert v is None or (isinstance(v, str) and v.strip()), (col, v)
        if col not in (LOCATOR, ERROR, RAW):
            assert col in CANDIDATE_FIELDS or col.startswith(TITLE_PREFIX) or col.startswith("x_"), col


# ------------------------------------------------------------------------------------------------
# the real feeds


@needs_reference
@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_reads_completely(name):
    path = SAMPLES / name
    assert looks_like_xcri(path.read_bytes()[:65536])
    frame = read(path)
    assert len(frame) == independent_course_count(path)  # nothing lost
    assert frame[ERROR].isna().all()
    assert frame["title"].notna().all()
    # a course is the qualification itself only where its mlo:qualification has its own title
    quals = frame["x_qualification"] if "x_qualification" in frame else pd.Series([None] * len(frame))
    own = [q is not None and isinstance(q, str) and t.casefold() in q.casefold().split("; ")
           for t, q in zip(frame["title"], quals)]
    assert frame["credential_type"].tolist() == ["qualification" if o else "course" for o in own]
    assert frame[LOCATOR].is_unique


@needs_reference
def test_counts_per_feed():
    assert {n: len(read(SAMPLES / n)) for n in FEEDS} == {
        "ou-example.xml": 2, "PG_Generic_XCRI-CAP-1.2_poppleton.xml": 1, "wychwolf-moodle.xml": 1}


@needs_reference
def test_open_university_feed():
    a174, b01 = rows(SAMPLES / "ou-example.xml")
    assert a174[LOCATOR] == "/catalog/provider[1]/course[1]"
    assert b01[LOCATOR] == "/catalog/provider[1]/course[2]"
    assert a174["title"] == "Start writing fiction"
    assert a174["source_record_id"] == "http://data.open.ac.uk/course/a174"
    assert a174["awarding_body_name"] == "The Open University"
    assert a174["awarding_body_id"] == "http://www.open.ac.uk/"
    assert a174["url"] == "http://www3.open.ac.uk/study/undergraduate/course/a174.htm"
    # two credits: the SCQF one is taken (a unit the crosswalk knows), both are kept
    assert (a174["credit"], a174["credit_unit"]) == ("10", "SCQF")
    assert (a174["nqf_level"], a174["nqf_framework"]) == ("7", "SCQF")
    assert a174["x_credits"] == "The Open University: 10 (level 1); SCQF: 10 (level 7)"
    # no untyped description: the abstract is the description
    assert a174["description"].startswith("If you've ever considered writing a novel")
    assert "<p>You can choose whether to submit" in a174["assessment_type"]  # XHTML kept
    assert a174["prerequisites"].startswith("There are no entry requirements")
    assert a174["x_ldcs"] == "KC.3"
    assert a174["x_subjects"] == "Literature and Creative Writing"
    # three presentations: dates and cost of the first, the others kept
    assert (a174["start_date"], a174["end_date"]) == ("2011-05-07", "2011-08-31")
    assert a174["x_start_dates"] == "2011-05-07; 2011-10-29; 2012-02-04"
    assert a174["x_presentations"] == "3"
    assert a174["x_presentation_ids"] == "A1742011E; A1742011J; A1742012B"
    assert a174["price"] == "UK fee: GBP155.00; Ireland fee: GBP340.00; Continental Europe fee: GBP385.00"
    assert a174["participation_mode"] == "Self-study"
    assert a174["languages"] == "EN"
    assert a174["x_qualification"] == "May lead to a variety of qualifications"

    assert b01["title"] == "BA (Honours) History"
    assert (a174["credential_type"], b01["credential_type"]) == ("course", "qualification")
    assert b01["source_record_id"] == "B01"
    assert b01["x_identifiers"] == "NLD: 3900010611"
    assert (b01["credit"], b01["credit_unit"]) == ("360", "The Open University")
    assert b01["x_ldcs"] == "DB"  # from "LDCS1: DB."
    assert b01["x_qualification_level"] == "Undergraduate"
    assert b01["description"].startswith("NLD Target Group Code: G\n\nB01, BA (Honours) History")
    assert b01.get("x_start_dates") is None  # one presentation


@needs_reference
def test_poppleton_postgraduate_feed():
    (mba,) = rows(SAMPLES / "PG_Generic_XCRI-CAP-1.2_poppleton.xml")
    assert mba[LOCATOR] == "/catalog/provider[1]/course[1]"
    assert mba["title"] == "Business and Marketing"
    assert mba["source_record_id"] == "http://www.poppleton.ac.uk/postgraduate/mba"
    assert mba["x_identifier_internal_id"] == "PG064"
    assert mba["awarding_body_name"] == "Poppleton University"
    assert mba["x_provider_ukprn"] == "10099999"
    assert (mba["credit"], mba["credit_unit"]) == ("180", "Poppleton Measurement Transfer (PMT) scheme")
    assert mba["x_credit_level"] == "M"
    assert mba["x_jacs"] == "N200; N500"
    assert mba["x_subjects"] == "Management studies; Marketing; Business Administration and Management"
    assert mba["description"].startswith("<div>")
    assert "<p>MBA in Business and Marketing</p>" in mba["description"]
    assert "xmlns" not in mba["description"] and "xhtml:" not in mba["description"]
    assert "<li>Business Studies</li>" in mba["x_special_feature"]
    assert mba["learning_outcomes"].startswith("Students will develop a strategic understanding")
    assert mba["assessment_type"] == "Assessment is by one 5,000-word essay for each module and the dissertation"
    assert mba["prerequisites"] == "First degree in any subject."
    assert (mba["start_date"], mba["end_date"], mba["duration"]) == ("2015-09-01", "2017-07-01", "P2Y")
    # <attendanceMode identifier="CM">Campus</attendanceMode>: the descriptor's mode, the term kept
    assert mba["participation_mode"] == "onsite"
    assert (mba["x_attendance_mode"], mba["x_attendance_mode_code"]) == ("Campus", "CM")
    assert (mba["x_study_mode"], mba["x_study_mode_code"]) == ("Part time", "PT")
    assert (mba["x_attendance_pattern"], mba["x_attendance_pattern_code"]) == ("Daytime", "DT")
    # <dcterms:educationLevel>Postgraduate</dcterms:educationLevel>: a word, no framework level
    assert mba["x_education_level"] == "Postgraduate" and mba.get("nqf_level") is None
    assert mba["languages"] == "en"
    assert mba["price"] == "GBP6,000 per stage"
    assert mba["x_qualification"] == "MBA Business and Marketing"
    assert mba["x_awarded_by"] == "Poppleton University"
    # awardedBy is the provider itself: its identifier stays, no separate provider kept
    assert mba["awarding_body_id"] == "http://www.poppleton.ac.uk"
    assert mba.get("x_provider_name") is None
    assert mba["x_venues"] == "Main Campus"


@needs_reference
def test_wychwolf_feed_prefers_machine_readable_dates():
    (c,) = rows(SAMPLES / "wychwolf-moodle.xml")
    assert c["title"] == "Creating a webcomic"
    assert c["awarding_body_name"] == "Wychwolf.com"
    # <end dtf="2012-08-31">31 August 2011</end>: the dtf attribute is the date
    assert (c["start_date"], c["end_date"]) == ("2012-08-01", "2012-08-31")
    assert c["duration"] == "P4M"
    assert c["participation_mode"] == "online"
    assert (c["x_attendance_mode"], c["x_attendance_mode_code"]) == ("Distance without attendance", "DS")
    assert c["x_metadata_keywords"] == "W101, Creating a webcomic, Short course, Wychwolf.com"
    assert c["price"] == "free"
    assert c.get("credit") is None


@needs_reference
def test_validator_module_is_not_a_feed():
    path = SAMPLES / "validator-module-XCRICAP12.xml"
    assert not looks_like_xcri(path.read_bytes()[:65536])
    with pytest.raises(SourceFileError, match=r"validator-module-XCRICAP12\.xml: not an XCRI-CAP feed .*contentValidators"):
        list(read_xcri(path, info_for(path), 100))


def test_looks_like_xcri_by_namespace():
    assert looks_like_xcri(f'<?xml version="1.0"?><catalog xmlns="{NS12}"><provider>'.encode())
    assert looks_like_xcri(f'<x:catalog xmlns:x="{NS11}">'.encode())
    assert looks_like_xcri(("\ufeff" + f'<!-- c --><catalog xmlns="{NS12}"/>').encode("utf-8"))
    assert looks_like_xcri(f'<catalog xmlns="{NS12}"/>'.encode("utf-16"))
    assert not looks_like_xcri(b"<catalog><provider/></catalog>")
    assert not looks_like_xcri(b'<rss version="2.0"><channel/></rss>')
    assert not looks_like_xcri(b"id;title\n1;x\n")
    assert not looks_like_xcri(b'{"catalog": 1}')
    assert not looks_like_xcri(b"")


# ------------------------------------------------------------------------------------------------
# made-up feeds


FEED_12 = f"""
<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:mlo="http://purl.org/net/mlo"
         xmlns:credit="http://purl.org/net/cm" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xmlns:xcriTerms="http://xcri.org/profiles/1.2/catalog/terms" xmlns:dcterms="http://purl.org/dc/terms/">
  <dc:rights>CC BY 4.0</dc:rights>
  <provider>
    <dc:identifier>https://uni-a.example/</dc:identifier>
    <dc:title>Universität A</dc:title>
    <mlo:location><mlo:town>Graz</mlo:town><mlo:country>AT</mlo:country></mlo:location>
    <course>
      <dc:identifier>A-1</dc:identifier>
      <dc:title xml:lang="de">Datenanalyse</dc:title>
      <dc:title xml:lang="en">Data analysis</dc:title>
      <dc:description>Ein Kurs.</dc:description>
      <dc:description xsi:type="xcriTerms:learningOutcome">Daten bereinigen</dc:description>
      <dc:description xsi:type="xcriTerms:learningOutcome">Modelle anpassen</dc:description>
      <dc:description xsi:type="xcriTerms:assessmentStrategy">Projektarbeit</dc:description>
      <mlo:credit><credit:scheme>ECTS</credit:scheme><credit:level>6</credit:level><credit:value>7,5</credit:value></mlo:credit>
      <mlo:credit><credit:scheme>EQF</credit:scheme><credit:level>6</credit:level><credit:value>7,5</credit:value></mlo:credit>
      <mlo:qualification><dc:title>Zertifikat</dc:title><accreditedBy>AQ Austria</accreditedBy></mlo:qualification>
      <presentation>
        <mlo:start dtf="2025-10-01">1. Oktober 2025</mlo:start>
        <attendanceMode identifier="ON">Online (no attendance)</attendanceMode>
        <mlo:languageOfInstruction>de</mlo:languageOfInstruction>
        <languageOfAssessment>en</languageOfAssessment>
        <mlo:cost>EUR 450</mlo:cost>
      </presentation>
      <presentation>
        <mlo:start dtf="2026-03-01">1. März 2026</mlo:start>
        <attendanceMode identifier="CM">Campus</attendanceMode>
        <mlo:languageOfInstruction>de</mlo:languageOfInstruction>
        <mlo:cost>EUR 450</mlo:cost>
      </presentation>
    </course>
    <course><dc:title>Zweiter Kurs</dc:title></course>
  </provider>
  <provider>
    <dc:title>Hochschule B</dc:title>
    <course><dc:identifier>B-1</dc:identifier><dc:title>Erster Kurs von B</dc:title></course>
    <course><dc:identifier>B-2</dc:identifier><dc:title>Zweiter Kurs von B</dc:title></course>
    <course><dc:identifier>B-3</dc:identifier><dc:title>Dritter Kurs von B</dc:title></course>
  </provider>
</catalog>
"""


def test_made_up_feed_fields_and_batches(tmp_path):
    p = write(tmp_path, "feed.xml", FEED_12)
    batches = list(read_xcri(p, info_for(p), 2))
    assert [len(b) for b in batches] == [2, 2, 1]
    for b in batches:
        assert_frame_convention(b.frame)
    frame = concat(batches)
    assert frame[LOCATOR].tolist() == [
        "/catalog/provider[1]/course[1]", "/catalog/provider[1]/course[2]",
        "/catalog/provider[2]/course[1]", "/catalog/provider[2]/course[2]", "/catalog/provider[2]/course[3]"]
    assert frame["awarding_body_name"].tolist() == ["Universität A"] * 2 + ["Hochschule B"] * 3
    a = frame.iloc[0].to_dict()
    assert (a["title"], a["title_language"], a["title@en"]) == ("Datenanalyse", "de", "Data analysis")
    assert a["learning_outcomes"] == "Daten bereinigen\nModelle anpassen"
    assert a["assessment_type"] == "Projektarbeit"
    assert (a["credit"], a["credit_unit"], a["eqf_level"]) == ("7,5", "ECTS", "6")
    assert a["country"] == "AT"
    assert a["licence"] == "CC BY 4.0"
    assert (a["qa_body"], a["quality_assurance"]) == ("AQ Austria", "accredited by AQ Austria")
    # presentations differ: modes and languages joined, dates and cost from the first
    assert a["participation_mode"] == "online; onsite"
    assert a["x_attendance_mode"] == "Online (no attendance); Campus"
    assert a["x_attendance_mode_code"] == "ON; CM"
    assert a["languages"] == "de; en"
    assert a["start_date"] == "2025-10-01"
    assert a["x_start_dates"] == "2025-10-01; 2026-03-01"
    assert a["price"] == "EUR 450" and a.get("x_costs") is None
    second = frame.iloc[1].to_dict()
    assert second["title"] == "Zweiter Kurs" and second["source_record_id"] is None
    assert frame.iloc[2]["awarding_body_id"] is None


def test_xcri_1_1_feed(tmp_path):
    p = write(tmp_path, "feed11.xml", f"""
        <?xml version="1.0" encoding="UTF-8"?>
        <catalog xmlns="{NS11}">
          <provider>
            <identifier>http://college.example/</identifier>
            <title>Example College</title>
            <course>
              <identifier>C11</identifier>
              <title>Welding level 2</title>
              <description>Practical welding.</description>
              <url>http://college.example/c11</url>
              <credit><scheme>CATS</scheme><level>4</level><value>20</value></credit>
              <qualification><title>Certificate in Welding</title><level>2</level><awardedBy>City and Guilds</awardedBy></qualification>
              <presentation>
                <start>2010-09-01</start><end>2011-06-30</end>
                <attendanceMode>Campus</attendanceMode>
                <languageOfInstruction>en</languageOfInstruction>
                <cost>GBP 300</cost>
              </presentation>
            </course>
          </provider>
        </catalog>
        """)
    assert looks_like_xcri(p.read_bytes())
    (c,) = read(p).to_dict("records")
    assert c[LOCATOR] == "/catalog/provider[1]/course[1]"
    assert (c["title"], c["source_record_id"], c["url"]) == ("Welding level 2", "C11", "http://college.example/c11")
    assert (c["credit"], c["credit_unit"], c["x_credit_level"]) == ("20", "CATS", "4")
    # awardedBy names the awarding body; the provider (who only offers the course) is kept apart
    assert (c["awarding_body_name"], c["awarding_body_id"]) == ("City and Guilds", None)
    assert (c["x_provider_name"], c["x_provider_id"]) == ("Example College", "http://college.example/")
    assert c["participation_mode"] == "onsite"  # 1.1: the caption alone
    assert c["nqf_level"] == "2"  # the qualification's level, for the level crosswalk
    assert (c["start_date"], c["end_date"], c["price"], c["languages"]) == ("2010-09-01", "2011-06-30", "GBP 300", "en")
    assert c["x_qualification_level"] == "2" and c["x_awarded_by"] == "City and Guilds"


def test_xcri_1_1_typed_descriptions_aim_and_prerequisites(tmp_path):
    """XCRI-CAP 1.1 feeds may type every description: the course text as xcriTerms:aim and the
    entry requirements as xcriTerms:prerequisites (the 1.1 term is plural). Seen in a real
    SQL-generated 1.1 feed, whose courses otherwise came out with no description at all."""
    p = write(tmp_path, "typed11.xml", f"""
        <?xml version="1.0" encoding="UTF-8"?>
        <catalog xmlns="{NS11}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xmlns:xcriTerms="http://xcri.org/profiles/catalog/terms">
          <provider>
            <identifier>P1</identifier>
            <title>Harbour College</title>
            <course>
              <identifier>BOAT1</identifier>
              <title>Boat repair for beginners</title>
              <description xsi:type="xcriTerms:aim"><div xmlns="http://www.w3.org/1999/xhtml"><p>Patch a hull.</p><p>Fix a rudder.</p></div></description>
              <description xsi:type="xcriTerms:prerequisites">Able to swim 50 metres.</description>
              <description xsi:type="xcriTerms:careerOutcome">Boatyard assistant.</description>
            </course>
            <course>
              <identifier>BOAT2</identifier>
              <title>Boat repair, advanced</title>
              <description>Rebuild an engine.</description>
              <description xsi:type="xcriTerms:aim">Aim kept apart.</description>
            </course>
          </provider>
        </catalog>
        """)
    first, second = read(p).to_dict("records")
    assert "Patch a hull." in first["description"] and "Fix a rudder." in first["description"]
    assert first["x_aim"] == first["description"]
    assert first["prerequisites"] == "Able to swim 50 metres."
    assert "x_prerequisites" not in first or first["x_prerequisites"] is None
    assert first["x_career_outcome"] == "Boatyard assistant."
    # an untyped description still wins; the aim stays in its own column
    assert second["description"] == "Rebuild an engine." and second["x_aim"] == "Aim kept apart."


def test_catalog_without_courses_is_refused(tmp_path):
    p = write(tmp_path, "empty.xml", f'<catalog xmlns="{NS12}"><provider><title xmlns="http://purl.org/dc/elements/1.1/">X</title></provider></catalog>')
    with pytest.raises(SourceFileError, match=r"empty\.xml: the XCRI-CAP 1\.2 catalog holds no courses"):
        list(read_xcri(p, info_for(p), 10))


def test_broken_xml_is_one_line(tmp_path):
    p = write(tmp_path, "broken.xml", f'<catalog xmlns="{NS12}"><provider><course><title>x</course></provider></catalog>')
    with pytest.raises(SourceFileError, match=r"broken\.xml: invalid XML: .*\(line 1, column \d+\)"):
        list(read_xcri(p, info_for(p), 10))


def test_size_limit(tmp_path):
    p = write(tmp_path, "feed.xml", FEED_12)
    with pytest.raises(SourceFileError, match=r"feed\.xml: the file is \d+ bytes, over the 100 bytes limit"):
        list(read_xcri(p, info_for(p), 10, max_bytes=100))


def test_large_feed_streams_in_batches(tmp_path):
    n = 2500
    courses = "".join(f"<course><dc:identifier>K{i}</dc:identifier><dc:title>Kurs {i}</dc:title></course>"
                      for i in range(n))
    p = tmp_path / "big.xml"
    p.write_text(f'<catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/"><provider>'
                 f"<dc:title>P</dc:title>{courses}</provider></catalog>", encoding="utf-8")
    batches = list(read_xcri(p, info_for(p), 1000))
    assert [len(b) for b in batches] == [1000, 1000, 500]
    last = batches[-1].frame.iloc[-1]
    assert (last["title"], last[LOCATOR], last["awarding_body_name"]) == (
        f"Kurs {n - 1}", f"/catalog/provider[1]/course[{n}]", "P")


# ------------------------------------------------------------------------------------------------
# through mapping and harmonisation


def _harmonise(frame: pd.DataFrame, country: str | None = None):
    from transforms.harmonise import Context, harmonise
    from transforms.mapping import apply_mapping, plan_mapping

    # The x_ columns stay in the raw record. NOTE: until transforms.mapping leaves "x_" columns
    # unmapped, its header synonyms would map some of them (x_is_part_of -> stacks_into), so
    # only the candidate columns are planned here.
    cand_cols = [c for c in frame.columns if not c.startswith("x_")]
    plan = plan_mapping(cand_cols)
    assert {c: f for c, f in plan.targets.items()} == {
        c: c for c in cand_cols if c in CANDIDATE_FIELDS or c.startswith(TITLE_PREFIX)}
    cand = apply_mapping(frame[cand_cols], plan)
    return harmonise(cand, Context(source="x", country=country))


@needs_reference
def test_end_to_end_open_university():
    h = _harmonise(read(SAMPLES / "ou-example.xml"))
    a174 = h.records[0]
    assert a174["title"] == "Start writing fiction"
    assert a174["ects"] == 5.0  # 10 SCQF credit points
    assert a174["credit_original"] == {"value": 10.0, "unit": "SCQF"}
    assert a174["nqf"] == {"framework": "GB-SCT-SCQF", "level": "7"}
    assert a174["eqf_level"] == 5
    assert a174["languages"] == ["en"]
    assert a174["credential_type"] == "course"
    assert a174["start_date"] == "2011-05-07"
    assert a174["awarding_body"]["name"] == "The Open University"
    assert a174["provenance"]["locator"] == "/catalog/provider[1]/course[1]"
    assert h.records[1]["title"] == "BA (Honours) History"


def test_end_to_end_ects_eqf(tmp_path):
    h = _harmonise(read(write(tmp_path, "feed.xml", FEED_12)))
    a = h.records[0]
    assert (a["title"], a["ects"], a["eqf_level"], a["country"]) == ("Datenanalyse", 7.5, 6, "AT")
    assert a["titles"] == {"en": "Data analysis"}
    assert a["learning_outcomes"] == ["Daten bereinigen", "Modelle anpassen"]
    assert a["price"] == {"amount": 450.0, "currency": "EUR"}


@needs_reference
def test_mapping_leaves_extension_columns_alone():
    from transforms.mapping import plan_mapping

    frame = read(SAMPLES / "PG_Generic_XCRI-CAP-1.2_poppleton.xml")
    plan = plan_mapping(list(frame.columns))
    assert not [c for c in plan.targets if c.startswith("x_")]


# ------------------------------------------------------------------------------------------------
# a UK college's XCRI-CAP 1.2 export: attendance modes, education levels, awarding bodies
# (such a feed came out with participation mode and level empty on every record and the
# provider as the awarding body)


def college() -> dict[str, dict]:
    return {r["source_record_id"].rsplit("/", 1)[-1]: r for r in rows(COLLEGE)}


def feed_12(tmp_path: Path, provider: str, courses: str, name: str = "feed.xml") -> Path:
    """An XCRI-CAP 1.2 document with the namespaces of the shared samples."""
    return write(tmp_path, name, f"""
        <?xml version="1.0" encoding="UTF-8"?>
        <catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
                 xmlns:mlo="http://purl.org/net/mlo" xmlns:credit="http://purl.org/net/cm"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" generated="2024-06-03T07:15:00">
          <provider>
            {provider}
            {courses}
          </provider>
        </catalog>
        """)


def test_attendance_mode_identifier_only():
    """<attendanceMode identifier="CM"/>: no caption; the XCRI-CAP 1.2 vocabulary says Campus."""
    c = college()["ENG3FT"]
    assert c["participation_mode"] == "onsite"
    assert (c["x_attendance_mode"], c["x_attendance_mode_code"]) == ("Campus", "CM")
    # identifier-only study mode and pattern: their captions, codes kept
    assert (c["x_study_mode"], c["x_study_mode_code"]) == ("Full time", "FT")
    assert (c["x_attendance_pattern"], c["x_attendance_pattern_code"]) == ("Daytime", "DT")


def test_attendance_mode_identifier_and_caption():
    by_id = college()
    assert by_id["CSK2PT"]["participation_mode"] == "blended"  # MM Mixed mode
    assert (by_id["CSK2PT"]["x_attendance_mode"], by_id["CSK2PT"]["x_attendance_mode_code"]) == ("Mixed mode", "MM")
    assert by_id["FDA-EY"]["participation_mode"] == "onsite"  # WB Work-based
    assert by_id["FDA-EY"]["x_attendance_mode_code"] == "WB"


@pytest.mark.parametrize("element, mode, code", [
    ('<attendanceMode identifier="DS"/>', "online", "DS"),
    ('<attendanceMode identifier="ON">Online (no attendance)</attendanceMode>', "online", "ON"),
    ('<attendanceMode identifier="DA">Distance with attendance</attendanceMode>', "blended", "DA"),
    ('<attendanceMode identifier="NC">Face-to-face non-campus</attendanceMode>', "onsite", "NC"),
    ("<attendanceMode>CM</attendanceMode>", "onsite", "CM"),  # the identifier as the text
    ("<attendanceMode>distance without attendance</attendanceMode>", "online", "DS"),  # caption, any case
    ("<attendanceMode>Online</attendanceMode>", "online", None),
    ("<attendanceMode>Distance Learning</attendanceMode>", "online", None),
    ("<attendanceMode>Blended learning</attendanceMode>", "blended", None),
    ("<attendanceMode>Self-study</attendanceMode>", "Self-study", None),  # as given, for the crosswalk
])
def test_attendance_mode_vocabulary_and_free_text(tmp_path, element, mode, code):
    p = feed_12(tmp_path, "<dc:title>P</dc:title>",
                f"<course><dc:title>C</dc:title><presentation>{element}</presentation></course>")
    (c,) = rows(p)
    assert c["participation_mode"] == mode
    assert c.get("x_attendance_mode_code") == code


def test_attendance_mode_free_text():
    c = college()["BKP-ONL"]
    assert c["participation_mode"] == "online"  # <attendanceMode>Distance Learning</attendanceMode>
    assert c["x_attendance_mode"] == "Distance Learning" and c.get("x_attendance_mode_code") is None
    assert (c["x_study_mode"], c["x_study_mode_code"]) == ("Part Time", "PT")  # the caption, as written
    assert c["x_attendance_pattern"] == "Flexible"


def test_study_mode_and_attendance_pattern_are_not_a_mode():
    """'Full Time' in attendanceMode is a study mode, 'Evening' a pattern: no form of participation."""
    c = college()["HNC-ENG"]
    assert c.get("participation_mode") is None
    assert c["x_attendance_mode"] == "Full Time"
    assert c["x_study_mode"] == "Full Time"
    assert (c["x_attendance_pattern"], c["x_attendance_pattern_code"]) == ("Evening", "EV")
    # with an attendance mode, the pattern never changes it
    assert college()["CSK2PT"]["participation_mode"] == "blended"


def test_pattern_gives_the_mode_only_when_no_attendance_mode(tmp_path):
    # no attendanceMode, attendancePattern "Distance Learning": the pattern names the form
    esol = college()["ESOL-E3"]
    assert esol["participation_mode"] == "online"
    assert esol["x_attendance_pattern"] == "Distance Learning"
    p = feed_12(tmp_path, "<dc:title>P</dc:title>", """
        <course><dc:title>With a mode</dc:title><presentation>
          <studyMode>Online</studyMode><attendanceMode identifier="CM">Campus</attendanceMode>
          <attendancePattern>Distance Learning</attendancePattern></presentation></course>
        <course><dc:title>Study mode only</dc:title><presentation>
          <studyMode>Part time online</studyMode></presentation></course>
        <course><dc:title>Pattern says no form</dc:title><presentation>
          <studyMode identifier="PT"/><attendancePattern identifier="WE"/></presentation></course>
        <course><dc:title>Alternatives are not clear</dc:title><presentation>
          <studyMode>Flexible study [day/eve and/or home/distance]</studyMode></presentation></course>
        <course><dc:title>A timing word as the mode</dc:title><presentation>
          <studyMode>Distance learning</studyMode><attendanceMode>Flexible</attendanceMode></presentation></course>
        """)
    with_mode, study_only, no_form, alternatives, timing = rows(p)
    assert with_mode["participation_mode"] == "onsite"
    assert study_only["participation_mode"] == "online"
    assert no_form.get("participation_mode") is None
    assert (no_form["x_study_mode"], no_form["x_attendance_pattern"]) == ("Part time", "Weekend")
    assert alternatives.get("participation_mode") is None
    # an attendanceMode is given (though it only says 'Flexible'): the study mode does not decide
    assert timing.get("participation_mode") is None
    assert timing["x_study_mode"] == "Distance learning; Flexible"


def test_levels_with_a_number_go_to_the_level_crosswalk():
    by_id = college()
    assert by_id["ENG3FT"]["nqf_level"] == "Level 3"
    assert by_id["CSK2PT"]["nqf_level"] == "NQF level 2"
    assert by_id["BKP-ONL"]["nqf_level"] == "Level 2"
    # mlo:level "Entry Level 3" has the number; the qualification's "Entry Level" does not
    assert by_id["ESOL-E3"]["nqf_level"] == "Entry Level 3"
    assert by_id["ESOL-E3"]["x_education_level"] == "Entry Level"
    # words are no framework level
    for key, word in (("HNC-ENG", "HE"), ("FDA-EY", "Degree")):
        assert by_id[key].get("nqf_level") is None and by_id[key].get("level") is None
        assert by_id[key].get("eqf_level") is None
        assert by_id[key]["x_education_level"] == word
    # the qualification's level as given stays too
    assert by_id["ENG3FT"]["x_qualification_level"] == "Level 3"


def test_awarded_by_beats_the_provider():
    by_id = college()
    eng = by_id["ENG3FT"]  # <awardedBy>Pearson</awardedBy> in the qualification
    assert (eng["awarding_body_name"], eng.get("awarding_body_id")) == ("Pearson", None)
    assert (eng["x_provider_name"], eng["x_provider_id"]) == (
        "Riverside College", "http://www.riverside-college.example.ac.uk/")
    csk = by_id["CSK2PT"]  # <awardedBy identifier="...">CPCAB</awardedBy>
    assert (csk["awarding_body_name"], csk["awarding_body_id"]) == ("CPCAB", "http://www.cpcab.co.uk/")
    bkp = by_id["BKP-ONL"]  # <awardedBy><dc:identifier/><dc:title/></awardedBy>
    assert (bkp["awarding_body_name"], bkp["awarding_body_id"]) == (
        "Association of Accounting Technicians", "http://www.aat.org.uk/")
    assert bkp["x_awarded_by"] == "Association of Accounting Technicians"
    fda = by_id["FDA-EY"]  # awardedBy on the course itself
    assert (fda["awarding_body_name"], fda.get("awarding_body_id")) == ("University of Northshire", None)
    # no awardedBy: the provider is the awarding body
    hnc = by_id["HNC-ENG"]
    assert (hnc["awarding_body_name"], hnc["awarding_body_id"]) == (
        "Riverside College", "http://www.riverside-college.example.ac.uk/")
    assert hnc.get("x_provider_name") is None and hnc.get("x_awarded_by") is None


def test_region_from_the_provider_address(tmp_path):
    assert {r["region"] for r in college().values()} == {"GB-ENG"}  # "..., England"
    scottish = feed_12(tmp_path, """<dc:title>Edinburgh College</dc:title>
        <mlo:location><mlo:town>Edinburgh</mlo:town><mlo:postcode>EH11 4DE</mlo:postcode></mlo:location>""",
        "<course><dc:title>C</dc:title></course>", "sct.xml")
    assert rows(scottish)[0]["region"] == "GB-SCT"  # postcode area EH lies in Scotland
    english_postcode = feed_12(tmp_path, """<dc:title>Milton Keynes College</dc:title>
        <mlo:location><mlo:postcode>MK6 5LP</mlo:postcode></mlo:location>""",
        "<course><dc:title>C</dc:title></course>", "mk.xml")
    assert rows(english_postcode)[0].get("region") is None  # RQF by --country GB anyway
    # no address of its own (as Adam Smith College's 2012 feed): the venues' postcodes, when they agree
    venues = feed_12(tmp_path, "<dc:title>Fife College</dc:title>", """
        <course><dc:title>C</dc:title>
          <presentation><venue><provider><dc:title>Kirkcaldy Campus</dc:title><mlo:location>
            <mlo:town>Kirkcaldy</mlo:town><mlo:postcode>KY1 1EX</mlo:postcode></mlo:location></provider></venue></presentation>
          <presentation><venue><provider><dc:title>Glenrothes Campus</dc:title><mlo:location>
            <mlo:town>Glenrothes</mlo:town><mlo:postcode>KY6 2RA</mlo:postcode></mlo:location></provider></venue></presentation>
        </course>
        <course><dc:title>D</dc:title>
          <presentation><venue><provider><dc:title>Kirkcaldy Campus</dc:title><mlo:location>
            <mlo:postcode>KY1 1EX</mlo:postcode></mlo:location></provider></venue></presentation>
          <presentation><venue><provider><dc:title>Carlisle</dc:title><mlo:location>
            <mlo:address>Carlisle, England</mlo:address></mlo:location></provider></venue></presentation>
        </course>
        <course><dc:title>E</dc:title>
          <presentation><venue><provider><dc:title>Kirkcaldy Campus</dc:title><mlo:location>
            <mlo:postcode>KY1 1EX</mlo:postcode></mlo:location></provider></venue></presentation>
          <presentation><venue><provider><dc:title>Carlisle</dc:title><mlo:location>
            <mlo:postcode>CA1 1AA</mlo:postcode></mlo:location></provider></venue></presentation>
        </course>""", "venues.xml")
    both_scottish, mixed, unknown = rows(venues)
    assert both_scottish["region"] == "GB-SCT"
    assert mixed.get("region") is None  # venues in two nations: none
    assert unknown.get("region") is None  # a venue whose postcode says no nation: none either
    abroad = feed_12(tmp_path, """<dc:title>Uni</dc:title>
        <mlo:location><mlo:address>Sydney, New South Wales</mlo:address><mlo:country>AU</mlo:country></mlo:location>""",
        "<course><dc:title>C</dc:title></course>", "au.xml")
    assert rows(abroad)[0].get("region") is None


def test_end_to_end_college_feed_with_country_gb():
    """Through mapping and harmonisation with --country GB: the modes, RQF levels with their
    EQF level (nqf_eqf_referencing_selected.csv: RQF 3 = EQF 4, RQF 2 = EQF 3, Entry 3 = EQF 1)
    and awarding bodies come out; words give no level."""
    frame = read(COLLEGE)
    h = _harmonise(frame, country="GB")
    recs = {sid.rsplit("/", 1)[-1]: r for sid, r in zip(frame["source_record_id"], h.records)}
    assert not any(h.problems)
    eng = recs["ENG3FT"]
    assert eng["participation_mode"] == "onsite"
    assert (eng["nqf"], eng["eqf_level"]) == ({"framework": "GB-ENG-RQF", "level": "3"}, 4)
    assert eng["region"] == "GB-ENG"
    assert eng["awarding_body"]["name"] == "Pearson"
    assert (recs["CSK2PT"]["participation_mode"], recs["CSK2PT"]["eqf_level"]) == ("blended", 3)
    assert recs["CSK2PT"]["nqf"] == {"framework": "GB-ENG-RQF", "level": "2"}
    assert (recs["BKP-ONL"]["participation_mode"], recs["BKP-ONL"]["eqf_level"]) == ("online", 3)
    assert recs["BKP-ONL"]["awarding_body"] == {
        "name": "Association of Accounting Technicians", "id": "http://www.aat.org.uk/", "country": "GB"}
    assert (recs["ESOL-E3"]["nqf"], recs["ESOL-E3"]["eqf_level"]) == ({"framework": "GB-ENG-RQF", "level": "Entry 3"}, 1)
    for key in ("HNC-ENG", "FDA-EY"):
        assert recs[key].get("eqf_level") is None and recs[key].get("nqf") is None
    assert recs["HNC-ENG"].get("participation_mode") is None
    assert recs["HNC-ENG"]["awarding_body"]["name"] == "Riverside College"
    assert recs["FDA-EY"]["awarding_body"]["name"] == "University of Northshire"


def test_end_to_end_scottish_levels(tmp_path):
    """SCQF named in the level, or assumed for a bare level from a Scottish provider address
    (--country GB alone would say RQF); 'Postgraduate' is no level."""
    p = feed_12(tmp_path, """<dc:identifier>https://www.edinburghcollege.example.ac.uk/</dc:identifier>
        <dc:title>Edinburgh College</dc:title>
        <mlo:location><mlo:town>Edinburgh</mlo:town><mlo:postcode>EH11 4DE</mlo:postcode></mlo:location>""", """
        <course><dc:identifier>HNC-CS</dc:identifier><dc:title>HNC Computing</dc:title>
          <mlo:qualification><dc:title>HNC Computing</dc:title>
            <dcterms:educationLevel>SCQF level 7</dcterms:educationLevel><awardedBy>SQA</awardedBy></mlo:qualification>
          <presentation><attendanceMode identifier="CM">Campus</attendanceMode></presentation></course>
        <course><dc:identifier>HIGHER-MATHS</dc:identifier><dc:title>Higher Mathematics</dc:title>
          <dcterms:educationLevel>Level 6</dcterms:educationLevel>
          <presentation><attendanceMode identifier="DS"/></presentation></course>
        <course><dc:identifier>MSC-X</dc:identifier><dc:title>MSc Data Science</dc:title>
          <mlo:qualification><dc:title>MSc Data Science</dc:title>
            <dcterms:educationLevel>Postgraduate</dcterms:educationLevel></mlo:qualification></course>
        """)
    frame = read(p)
    hnc, higher, msc = frame.to_dict("records")
    assert (hnc["nqf_level"], hnc["awarding_body_name"], hnc["x_provider_name"]) == (
        "SCQF level 7", "SQA", "Edinburgh College")
    assert msc["x_education_level"] == "Postgraduate" and msc.get("nqf_level") is None
    h = _harmonise(frame, country="GB")
    assert not any(h.problems)
    a, b, c = h.records
    assert (a["nqf"], a["eqf_level"]) == ({"framework": "GB-SCT-SCQF", "level": "7"}, 5)
    assert (b["nqf"], b["eqf_level"], b["participation_mode"]) == ({"framework": "GB-SCT-SCQF", "level": "6"}, 4, "online")
    assert any(f["code"] == "framework-from-country" for f in b["quality_flags"])
    assert c.get("eqf_level") is None and c.get("nqf") is None
    assert a["awarding_body"]["name"] == "SQA"


def test_college_feed_mapping_leaves_the_new_extension_columns_alone():
    from transforms.mapping import plan_mapping

    plan = plan_mapping(list(read(COLLEGE).columns))
    assert not [c for c in plan.targets if c.startswith("x_")]
