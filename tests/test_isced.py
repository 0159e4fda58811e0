"""ISCED-F 2013 fields: the official list (from ESCO), given codes checked against it, and the
inferences in their order: JACS / LDCS subject codes (real XCRI-CAP feeds through the command
line), ESCO skill groups of the tagged skills, and title words in de / fr / en."""
from __future__ import annotations

import csv
import json
import re

import pytest

from catalog import store
from tests.conftest import SHARED, run_cli
from transforms import isced, isced_vocab

REFERENCE = SHARED / "reference"
ESCO = REFERENCE / "esco" / "v1.2.0"
FLAT = REFERENCE / "esco" / "all-skills-flat" / "skills.csv"
XCRI = REFERENCE / "xcri-cap"
needs_esco = pytest.mark.skipif(not ESCO.exists(), reason=f"shared ESCO export not at {ESCO}")
needs_xcri = pytest.mark.skipif(not XCRI.exists(), reason=f"shared XCRI-CAP samples not at {XCRI}")


def _records(home, source):
    engine = store.connect(store.catalog_url(home))
    return {r["source_record_id"]: r for r in store.iter_records(engine) if r["source"] == source}


def _quarantine(home, source):
    return {q["source_record_id"]: q for q in store.quarantine_entries(store.connect(store.catalog_url(home)), source)}


def _write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


# ------------------------------------------------------------------------------- the list
@needs_esco
def test_official_list_is_escos_isced_f_fields_unchanged():
    """vocab/isced_f_2013.csv is what the builder makes from the shared ESCO export today."""
    assert isced_vocab.FIELDS_FILE.read_text(encoding="utf-8") == isced_vocab.fields_text(ESCO)
    with open(ESCO / "skillGroups_en.csv", encoding="utf-8", newline="") as fh:
        shared = {r["code"]: r["preferredLabel"] for r in csv.DictReader(fh)
                  if r["conceptUri"].startswith("http://data.europa.eu/esco/isced-f/")}
    fields = isced.official()
    assert len(fields) == len(shared) == 220
    assert {c: f.label for c, f in fields.items()} == shared


def test_official_list_shape():
    fields = isced.official()
    assert {len(c) for c in fields} == {2, 3, 4}
    assert fields["0613"].label == "software and applications development and analysis"
    assert fields["0613"].broader == "061" and fields["061"].broader == "06" and fields["06"].broader is None
    assert all(f.broader == c[:-1] for c, f in fields.items() if len(c) > 2)  # 0413 is under 041, under 04
    assert "0699" not in fields and "0614" not in fields


@needs_esco
def test_skill_map_is_built_from_the_broader_links_and_covers_the_knowledge_skills():
    assert isced_vocab.SKILLS_FILE.read_text(encoding="utf-8") == isced_vocab.skills_text(ESCO)
    table = isced.skill_fields()
    assert all(isced.is_valid(c) and len(c) == 4 for codes in table.values() for c in codes)
    if FLAT.exists():
        csv.field_size_limit(1 << 30)
        with open(FLAT, encoding="utf-8", newline="") as fh:
            flat = {r["id"].rsplit("/", 1)[1]: r["description"] for r in csv.DictReader(fh)}
        assert set(table) <= set(flat)
        share = len(table) / len(flat)
        assert 0.2 < share < 0.3, share  # the knowledge concepts: ESCO files skills proper elsewhere
        accounting = next(u for u, text in flat.items() if text.startswith("accounting techniques "))
        assert table[accounting] == ("0411",)


def test_vocab_regenerates_from_the_command_line_and_reports_stale(tmp_path):
    if not ESCO.exists():
        pytest.skip(f"shared ESCO export not at {ESCO}")
    assert isced_vocab.main([str(ESCO), "--check"]) == 0
    partial = tmp_path / "esco"
    partial.mkdir()
    for name in ("skillGroups_en.csv", "broaderRelationsSkillPillar_en.csv"):
        lines = (ESCO / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (partial / name).write_text("".join(lines[:-40]), encoding="utf-8")  # an older, shorter export
    assert isced_vocab.main([str(partial), "--check"]) == 1


@pytest.mark.parametrize("name, key", [("jacs_isced.csv", "jacs"), ("ldcs_isced.csv", "ldcs")])
def test_crosswalk_rows_point_to_official_codes(name, key):
    rows = list(isced._vocab_rows(name))
    assert len(rows) > 100
    assert len({r[key] for r in rows}) == len(rows)
    for r in rows:
        assert isced.is_valid(r["isced_f"]), r
        assert 0 < float(r["confidence"]) <= 1, r
        if len(r["isced_f"]) < 4:  # a broad or narrow field is a weaker statement
            assert float(r["confidence"]) <= 0.7, r


@needs_xcri
@pytest.mark.parametrize("vdex, key, name", [("JACS31_0.xml", "jacs", "jacs_isced.csv"),
                                             ("LDCS_v3.0.xml", "ldcs", "ldcs_isced.csv")])
def test_crosswalk_keys_are_codes_of_the_published_lists(vdex, key, name):
    text = (XCRI / "vocabularies-vdex" / vdex).read_text(encoding="utf-8")
    published = [c.rstrip(".") for c in re.findall(r"<termIdentifier>([^<]+)</termIdentifier>", text)]
    for r in isced._vocab_rows(name):
        if r["note"].startswith("JACS 2.0"):
            assert not any(c.startswith(r[key]) for c in published), r  # gone from JACS 3
            continue
        assert any(c.startswith(r[key]) for c in published), r


# ------------------------------------------------------------------------------ given codes
@pytest.mark.parametrize("value, codes, flags", [
    ("0613", ["0613"], []),
    ("061; 0612", ["061", "0612"], []),
    ("06 0613", ["06", "0613"], []),
    ("003; 0688", ["003", "0688"], []),
    ("http://data.europa.eu/snb/isced-f/0542", ["0542"], []),
    ("0413 Management and administration", ["0413"], []),
    ("Management and administration", ["0413"], ["isced-from-label"]),
    ("613", ["0613"], ["leading-zero-restored"]),
])
def test_given_codes_are_checked_and_kept(value, codes, flags):
    got = isced.given(value)
    assert got.values == {"isced_f": codes} and not got.problems
    assert [f.code for f in got.flags] == flags
    assert got.methods == {"isced_f": "as given by the source"}


@pytest.mark.parametrize("value, rule", [("0699", "unknown-code"), ("0613; 12345", "unknown-code"),
                                         ("Informatik", "unparseable"), ("0614", "unknown-code")])
def test_unknown_given_codes_are_problems(value, rule):
    got = isced.given(value)
    assert not got.values and [p.rule for p in got.problems] == [rule]
    assert all(p.field == "isced_f" for p in got.problems)


def test_given_codes_through_the_pipeline(tmp_path):
    """A spreadsheet with an ISCED-F column: valid codes kept and winning over the title, an
    unknown code is flagged and kept raw (the record accepted), a lost leading zero is restored."""
    path = _write_csv(tmp_path / "kurse.csv", ["ID", "Titel", "ISCED-F", "Sprache"], [
        ["K1", "Informatik für Einsteiger", "0311", "Deutsch"],
        ["K2", "Grundlagen der Pflege", "0699", "Deutsch"],
        ["K3", "Mathematik", "541", "Deutsch"],
        ["K4", "Informatik für Einsteiger II", "", "Deutsch"],
    ])
    home = tmp_path / "home"
    run_cli("ingest", str(path), "--source", "kurse", "--country", "DE", home=home)
    recs, quarantined = _records(home, "kurse"), _quarantine(home, "kurse")
    assert set(recs) == {"K1", "K2", "K3", "K4"} and not quarantined
    assert recs["K1"]["isced_f"] == ["0311"]  # given wins over the title
    assert recs["K1"]["provenance"]["fields"]["isced_f"] == "as given by the source"
    assert recs["K3"]["isced_f"] == ["0541"]
    assert "leading-zero-restored" in {f["code"] for f in recs["K3"]["quality_flags"]}
    assert recs["K4"]["isced_f"] == ["0613"]
    assert recs["K4"]["provenance"]["fields"]["isced_f"].startswith("from the title ('Informatik' -> 0613)")
    flags = [f for f in recs["K2"]["quality_flags"] if f["field"] == "isced_f"]
    assert [f["code"] for f in flags] == ["unknown-code"] and "0699" in flags[0]["message"]
    assert recs["K2"]["isced_f"] == [] and recs["K2"]["provenance"]["raw"] == {"isced_f": "0699"}


# --------------------------------------------------------------------- subject code crosswalks
@needs_xcri
def test_jacs_and_ldcs_codes_of_real_feeds_give_fields(tmp_path):
    home = tmp_path / "home"
    samples = XCRI / "samples"
    run_cli("ingest", str(samples / "ou-example.xml"), "--source", "ou", home=home)
    run_cli("ingest", str(samples / "PG_Generic_XCRI-CAP-1.2_poppleton.xml"), "--source", "pop", home=home)
    run_cli("ingest", str(samples / "wychwolf-moodle.xml"), "--source", "moodle", home=home)
    ou = _records(home, "ou")
    # LDCS KC.3 (creative writing), "LDCS1: DB." (history)
    fiction, history = ou["http://data.open.ac.uk/course/a174"], ou["B01"]
    assert fiction["isced_f"] == ["0232"]
    assert fiction["provenance"]["fields"]["isced_f"].startswith("from LDCS KC.3 -> 0232 (confidence 0.7)")
    assert history["isced_f"] == ["0222"]
    assert "LDCS DB -> 0222" in history["provenance"]["fields"]["isced_f"]
    assert "ldcs_isced.csv" in history["provenance"]["fields"]["isced_f"]
    (mba,) = _records(home, "pop").values()  # JACS3 N200 management studies, N500 marketing
    assert mba["isced_f"] == ["0413", "0414"]
    method = mba["provenance"]["fields"]["isced_f"]
    assert method.startswith("from JACS N200 -> 0413 (confidence 0.8), JACS N500 -> 0414 (confidence 0.9)")
    assert "jacs_isced.csv" in method and "not an official" in method
    assert not any(f["field"] == "isced_f" for r in (fiction, history, mba) for f in r["quality_flags"])
    (webcomic,) = _records(home, "moodle").values()  # "Creating a webcomic": no subject code, no field word
    assert webcomic["isced_f"] == [] and "isced_f" not in webcomic["provenance"]["fields"]


@pytest.mark.parametrize("jacs, ldcs, codes", [
    ("N200; N500", None, ["0413", "0414"]),
    ("I100", None, ["0613"]),
    ("G400", None, ["0613"]),        # JACS 2.0 computer science
    ("B230", None, ["0916"]),        # pharmacy, more detailed than its principal subject B2
    ("N100; N200", None, ["0413"]),  # 041 (business studies) is implied by 0413
    ("T700", None, []),              # American studies: no safe field
    (None, "AK.6", ["0411"]),
    (None, "AK.2", ["041"]),
    (None, "KC.3", ["0232"]),
    (None, "AA.", ["041"]),
    ("T700", "DB", ["0222"]),        # JACS gave nothing: LDCS is used
    ("junk", "??", []),
])
def test_subject_crosswalks(jacs, ldcs, codes):
    got = isced.from_subjects(jacs, ldcs)
    assert got.values.get("isced_f", []) == codes


# ------------------------------------------------------------------------ ESCO skill groups
def _uris_for(code, n):
    uuids = [u for u, codes in sorted(isced.skill_fields().items()) if codes == (code,)][:n]
    assert len(uuids) == n
    return [{"uri": isced.SKILL_URI + u, "label": None, "confidence": 0.9, "method": "lexical-label-match"}
            for u in uuids]


def test_skill_groups_need_two_agreeing_skills_and_a_majority():
    two = _uris_for("0411", 2)
    got = isced.from_skills(two)
    assert got.values == {"isced_f": ["0411"]}
    assert got.methods["isced_f"].startswith("from the ESCO skill groups of 2 of the 2 linked skills")
    assert got.methods["isced_f"].endswith("(confidence 0.63)")  # 0.7 x 2/2 agreeing x 0.9 per link
    assert isced.from_skills(two[:1]).values == {}  # one skill is not enough
    unknown = [{"uri": "http://data.europa.eu/esco/skill/not-a-skill", "confidence": 1.0}]
    assert isced.from_skills(two[:1] + unknown).values == {}
    # two accounting, one finance skill: 0411 has the majority
    assert isced.from_skills(two + _uris_for("0412", 1)).values == {"isced_f": ["0411"]}
    # two accounting, two finance: no detailed majority, but all are business and administration
    assert isced.from_skills(two + _uris_for("0412", 2)).values == {"isced_f": ["041"]}
    # accounting, nursing: nothing in common
    assert isced.from_skills(two + _uris_for("0913", 2)).values == {}


@pytest.mark.skipif(not FLAT.exists(), reason=f"shared ESCO skills not at {FLAT}")
def test_skill_groups_of_tagged_skills_through_the_pipeline(tmp_path):
    """With $CLEARINGHOUSE_ESCO set the records are tagged first; a title that names no field
    then gets the field of its skills."""
    path = _write_csv(tmp_path / "modules.csv", ["Code", "Title", "Learning outcomes"], [
        ["M1", "Module 1", "Apply accounting techniques and audit techniques; prepare tax returns"],
        ["M2", "Module 2", "Write programs in JavaScript and Python (computer programming); query data with SQL"],
        ["M3", "Module 3", "Work safely in a team and communicate well"],
    ])
    home = tmp_path / "home"
    run_cli("ingest", str(path), "--source", "mods", "--country", "GB", home=home,
            env={"CLEARINGHOUSE_ESCO": str(FLAT), "CLEARINGHOUSE_HOME": str(home)})
    recs = _records(home, "mods")
    assert all(r["esco_skills"] for r in recs.values())
    assert recs["M1"]["isced_f"] == ["0411"]
    assert recs["M2"]["isced_f"] == ["0613"]
    for r in (recs["M1"], recs["M2"]):
        assert r["provenance"]["fields"]["isced_f"].startswith("from the ESCO skill groups of ")
        assert "esco_skill_isced.csv" in r["provenance"]["fields"]["isced_f"]
    assert recs["M3"]["isced_f"] == []


# ------------------------------------------------------------------------------ title words
@pytest.mark.parametrize("title, code", [
    ("Informatik für Einsteiger", "0613"),
    ("Grundlagen der Pflege", "0913"),
    ("Gesundheits- und Krankenpflege", "0913"),
    ("Arbeitspsychologie", "0313"),
    ("Maschinenbau kompakt", "0715"),
    ("Comptabilité générale", "0411"),
    ("Soins infirmiers en gériatrie", "0913"),
    ("Droit du travail", "0421"),
    ("Introduction to Bookkeeping", "0411"),
    ("Art History: The Renaissance", "0213"),   # not history (0222): the longer words win
    ("Projectmanagement voor professionals", "0413"),
    ("Accounting and Finance", "041"),          # two detailed fields of one narrow field
])
def test_title_words(title, code):
    got = isced.from_text(title)
    assert got.values == {"isced_f": [code]}
    assert [f.code for f in got.flags] == ["isced-from-text"]
    conf = "0.5" if len(code) == 4 else "0.4"
    assert got.methods["isced_f"].endswith(f"(confidence {conf})")


@pytest.mark.parametrize("title", [
    "Creating a webcomic",
    "Leadership for the future",
    "Software Architecture in Practice",  # not architecture (0731)
    "Data Mining with R",                 # not mining (0724)
    "Wirtschaftsinformatik",              # an inter-disciplinary field: no guess
    "Ethik in der Pflege",                # philosophy and nursing: no guess
    "Activité physique adaptée",
    "Start writing fiction",
])
def test_no_guess_for_titles_that_name_no_single_field(title):
    assert isced.from_text(title).values == {}


def test_description_needs_a_clear_majority():
    clear = "Nursing care in practice. Nursing ethics and nursing documentation. Midwifery basics."
    assert isced.from_text("Module 7", clear).values == {"isced_f": ["0913"]}
    assert "from the description" in isced.from_text("Module 7", clear).methods["isced_f"]
    mixed = "Marketing for nurses: nursing, law and marketing in a clinic."
    assert isced.from_text("Module 7", mixed).values == {}


def test_title_words_through_the_pipeline(tmp_path):
    path = _write_csv(tmp_path / "mixed.csv", ["ID", "Title", "Language"], [
        ["D1", "Informatik für Einsteiger", "de"],
        ["F1", "Comptabilité générale", "fr"],
        ["E1", "Certificate in Counselling Skills", "en"],
        ["E2", "Leadership for the future", "en"],
    ])
    home = tmp_path / "home"
    res = run_cli("ingest", str(path), "--source", "mixed", "--country", "IE", "--output", "json", home=home)
    assert json.loads(res.stdout)
    recs = _records(home, "mixed")
    assert {k: r["isced_f"] for k, r in recs.items()} == {"D1": ["0613"], "F1": ["0411"], "E1": ["0923"], "E2": []}
    assert recs["F1"]["provenance"]["fields"]["isced_f"] == (
        "from the title ('Comptabilité' -> 0411) via transforms/vocab/isced_keywords.yaml "
        "and the ISCED-F labels (confidence 0.5)")
    flag = next(f for f in recs["D1"]["quality_flags"] if f["field"] == "isced_f")
    assert flag["code"] == "isced-from-text" and "0613" in flag["message"]
    assert "isced_f" not in recs["E2"]["provenance"]["fields"]


def test_derive_column_runs_each_step_once_per_distinct_input(monkeypatch):
    calls = []
    real = isced.from_text
    monkeypatch.setattr(isced, "from_text", lambda t, dsc=None: calls.append(t) or real(t, dsc))
    titles = ["Grundlagen der Pflege"] * 500 + ["Comptabilité générale"] * 500
    out = isced.derive_column([None] * 1000, [None] * 1000, [None] * 1000, [None] * 1000, titles, [None] * 1000)
    assert sorted(calls) == ["Comptabilité générale", "Grundlagen der Pflege"]
    assert out[0].values == {"isced_f": ["0913"]} and out[-1].values == {"isced_f": ["0411"]}
