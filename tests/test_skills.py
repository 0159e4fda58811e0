"""ESCO loaders, the lexical skill tagger and its evaluation."""
from __future__ import annotations

from pathlib import Path

import pytest

from transforms.esco import (Skill, SkillSet, load_flat, load_skills_csv, load_skills_dir, load_skos,
                             version_from_path)
from transforms.skills import LexicalTagger, keep_source_links, normalise_tokens
from transforms.skills_eval import (evaluate, labelled_set_from_alt_labels,
                                    labelled_set_from_descriptions)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
ESCO_DIR = REFERENCE / "esco" / "v1.2.0"
FLAT = REFERENCE / "esco" / "all-skills-flat" / "skills.csv"

needs_reference = pytest.mark.skipif(
    not (ESCO_DIR.is_dir() and FLAT.is_file()),
    reason=f"shared ESCO reference data not found under {REFERENCE} (esco/v1.2.0, esco/all-skills-flat)")


# ---------------------------------------------------------------------------- loaders
@needs_reference
@pytest.mark.parametrize("name, rows", [
    ("digitalSkillsCollection_en.csv", 1284), ("transversalSkillsCollection_en.csv", 95),
    ("digCompSkillsCollection_en.csv", 25), ("greenSkillsCollection_en.csv", 591),
    ("languageSkillsCollection_en.csv", 359), ("researchSkillsCollection_en.csv", 40),
])
def test_collection_counts(name, rows):
    skills = load_skills_csv(ESCO_DIR / name)
    assert len(skills) == rows
    assert all(s.uri.startswith("http://data.europa.eu/esco/skill/") for s in skills)
    assert all(s.labels["en"][0] for s in skills)


@needs_reference
def test_occupation_rows_are_not_skills():
    assert load_skills_csv(ESCO_DIR / "researchOccupationsCollection_en.csv") == []


@needs_reference
def test_load_dir_from_collections():
    ss = load_skills_dir(ESCO_DIR)
    assert ss.version == "1.2.0" and ss.languages == ["en"]
    assert len(ss) == 2334  # union of the six skill collections, each concept once
    haskell = ss.get("http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02")
    assert haskell.labels["en"] == ["Haskell", "Haskell techniques"]
    assert haskell.skill_type == "knowledge"
    assert haskell.description.startswith("The techniques and principles")
    # ' | '-separated alt labels are split too
    assert all(" | " not in a for s in ss for a in s.labels["en"])
    assert load_skills_dir(ESCO_DIR, version="1.2.1").version == "1.2.1"


def test_load_export_layout_two_languages(tmp_path):
    d = tmp_path / "esco-v1.1.1"
    d.mkdir()
    head = ("conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,"
            "modifiedDate,scopeNote,definition,inScheme,description\n")
    (d / "skills_en.csv").write_text(
        head + 'KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/a,skill/competence,'
        'cross-sector,analyse data,"data analysis\nanalyse datasets",analyse dat,released,'
        '2023-01-01,,,,"Examine data."\n', encoding="utf-8")
    (d / "skills_de.csv").write_text(
        head + 'KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/a,skill/competence,'
        'cross-sector,Daten analysieren,Datenanalyse,,released,2023-01-01,,,,"Daten prüfen."\n',
        encoding="utf-8")
    ss = load_skills_dir(d)
    assert ss.version == "1.1.1" and ss.languages == ["en", "de"]
    s = ss.get("http://data.europa.eu/esco/skill/a")
    assert s.labels == {"en": ["analyse data", "data analysis", "analyse datasets"],
                        "de": ["Daten analysieren", "Datenanalyse"]}
    assert s.hidden_labels == {"en": ["analyse dat"]}
    assert s.description == "Examine data." and s.descriptions["de"] == "Daten prüfen."
    assert s.skill_type == "skill/competence" and s.reuse_level == "cross-sector"


def test_version_from_path():
    assert version_from_path("/x/esco/v1.2.0/skills_en.csv") == "1.2.0"
    assert version_from_path("/x/ESCO dataset - v1.1.2/skills_en.csv") == "1.1.2"
    assert version_from_path("/usr/lib/python3.11/esco/skills.csv") is None


@needs_reference
def test_load_flat():
    ss = load_flat(FLAT)
    assert len(ss) == 13939
    assert ss.version == "unknown"
    assert load_flat(FLAT, version="1.1.1", known=None).version == "1.1.1"
    by_source = {}
    for s in ss:
        by_source[s.label_source] = by_source.get(s.label_source, 0) + 1
    assert by_source == {"export": 2334, "flat-heuristic": 11605}
    haskell = ss.get("http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02")
    assert haskell.labels["en"][0] == "Haskell"
    # heuristic: the description starts at the first sentence-like capitalised word
    s = ss.get("http://data.europa.eu/esco/skill/00064735-8fad-454b-90c7-ed858cc993f2")
    assert s.label_source == "flat-heuristic"
    assert s.description.startswith("Supervise the operations of a correctional facility")
    assert s.labels["en"][0].startswith("supervise correctional procedures")
    assert "oversee prison procedures" in s.label_text
    # without known labels: first 6 words of the label part
    bare = load_flat(FLAT, known=None).get(s.uri)
    assert bare.labels["en"] == ["supervise correctional procedures oversee prison procedures"]


SKOS_TTL = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix esco: <http://data.europa.eu/esco/model#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

<http://data.europa.eu/esco/skill/s1> a skos:Concept, esco:Skill ;
    skos:prefLabel "analyse data"@en, "Daten analysieren"@de ;
    skos:altLabel "data analysis"@en, "analyse datasets"@en, "Datenanalyse"@de ;
    skos:hiddenLabel "analyse dat"@en ;
    esco:skillType <http://data.europa.eu/esco/skill-type/skill> ;
    dcterms:description [ a esco:NodeLiteral ; esco:nodeLiteral "Examine data."@en ] .

<http://data.europa.eu/esco/skill/s2> a esco:Skill ;
    skos:prefLabel "Python (computer programming)"@en ;
    skos:altLabel "Python"@en ;
    skos:definition "Programming in Python."@en .

<http://data.europa.eu/esco/occupation/o1> a esco:Occupation ;
    skos:prefLabel "data analyst"@en .
"""


def test_load_skos_turtle_and_rdfxml(tmp_path):
    ttl = tmp_path / "esco_v1.2.0_skills.ttl"
    ttl.write_text(SKOS_TTL, encoding="utf-8")
    ss = load_skos(ttl, version="1.2.0")
    assert len(ss) == 2 and ss.version == "1.2.0" and ss.languages == ["en", "de"]
    s1 = ss.get("http://data.europa.eu/esco/skill/s1")
    assert s1.labels["en"][0] == "analyse data"
    assert sorted(s1.labels["en"][1:]) == ["analyse datasets", "data analysis"]
    assert s1.labels["de"] == ["Daten analysieren", "Datenanalyse"]
    assert s1.hidden_labels == {"en": ["analyse dat"]}
    assert s1.description == "Examine data." and s1.skill_type == "skill"
    assert ss.get("http://data.europa.eu/esco/skill/s2").description == "Programming in Python."
    from rdflib import Graph
    xml = tmp_path / "skills.rdf"
    Graph().parse(data=SKOS_TTL, format="turtle").serialize(str(xml), format="xml")
    sx = load_skos(xml, version="1.2.0", languages=["en"])
    assert sx.languages == ["en"] and sx.get(s1.uri).labels == {"en": s1.labels["en"]}


# ---------------------------------------------------------------------------- tagger
def _data_skills() -> SkillSet:
    def sk(i, labels, desc, stype="skill/competence"):
        return Skill(f"http://data.europa.eu/esco/skill/t{i}", {"en": labels}, desc, stype)
    return SkillSet([
        sk(1, ["analyse data", "data analysis", "analyse datasets"],
           "Collect and examine data and statistics to find patterns and support decisions."),
        sk(2, ["Python (computer programming)", "Python"],
           "Software development techniques and principles in Python.", "knowledge"),
        sk(3, ["manage databases", "administer databases"],
           "Apply database design schemes, define data dependencies and use query languages."),
        sk(4, ["visualise data", "create data visualisations"],
           "Present data in charts and diagrams for easier understanding."),
        sk(5, ["use spreadsheets software", "work with spreadsheets"],
           "Use software tools to create and edit tabular data, calculate and display it."),
    ], version="1.2.0")


@pytest.fixture(scope="module")
def small_tagger():
    return LexicalTagger(_data_skills(), use_cache=False)


def test_normalise_tokens():
    assert normalise_tokens("Analysing the DATA-sets") == ["analys", "data", "set"]
    assert normalise_tokens("analyse") == normalise_tokens("analyze") == normalise_tokens("analysed")
    assert normalise_tokens("Programming in Python") == ["program", "python"]


def test_tagger_exact_label(small_tagger):
    links = small_tagger.tag(["Participants can analyse data with Python"])[0]
    by_uri = {link["uri"]: link for link in links}
    t1 = by_uri["http://data.europa.eu/esco/skill/t1"]
    assert t1 == {"uri": "http://data.europa.eu/esco/skill/t1", "label": "analyse data",
                  "confidence": 0.95, "method": "lexical-label-match", "esco_version": "1.2.0"}
    t2 = by_uri["http://data.europa.eu/esco/skill/t2"]
    assert t2["label"] == "Python (computer programming)" and t2["confidence"] >= 0.9
    assert t2["method"] == "lexical-label-match"
    assert links[0]["confidence"] >= links[-1]["confidence"]


def test_tagger_variants_and_nothing(small_tagger):
    # inflection and American spelling: still a label match (stem level)
    links = small_tagger.tag(["Learners analyzed datasets", "bake bread", "", "Knead dough by hand."])
    assert [link["uri"] for link in links[0]][:1] == ["http://data.europa.eu/esco/skill/t1"]
    assert links[0][0]["method"] == "lexical-label-match" and links[0][0]["confidence"] >= 0.9
    assert links[1] == [] and links[2] == [] and links[3] == []


def test_tagger_fuzzy_and_bm25(small_tagger):
    fuzzy = small_tagger.tag_one("Students manage databses")
    assert fuzzy[0]["uri"] == "http://data.europa.eu/esco/skill/t3"
    assert fuzzy[0]["method"] == "lexical-label-match" and 0.8 <= fuzzy[0]["confidence"] < 0.9
    bm25 = small_tagger.tag_one("Present statistics in charts and diagrams")
    assert bm25[0]["uri"] == "http://data.europa.eu/esco/skill/t4"
    assert bm25[0]["method"] == "lexical-bm25" and 0.35 <= bm25[0]["confidence"] < 0.9
    strict = LexicalTagger(_data_skills(), min_confidence=0.99, use_cache=False)
    assert strict.tag_one("Present statistics in charts and diagrams") == []


def test_tagger_top_k_and_batches():
    tagger = LexicalTagger(_data_skills(), use_cache=False, batch_size=2)
    texts = ["analyse data, visualise data, manage databases and use spreadsheets software"] * 5
    out = tagger.tag(texts, top_k=3)
    assert len(out) == 5 and all(len(x) == 3 for x in out)
    assert out[0] == out[4]


def test_index_cache(tmp_path):
    ss = _data_skills()
    first = LexicalTagger(ss, cache_dir=tmp_path, cache_after_s=0)
    assert not first.index_from_cache and list(tmp_path.glob("lexical-*.pkl"))
    second = LexicalTagger(ss, cache_dir=tmp_path, cache_after_s=0)
    assert second.index_from_cache
    text = ["Participants can analyse data with Python"]
    assert first.tag(text) == second.tag(text)


def test_keep_source_links():
    links = keep_source_links([
        {"uri": "http://data.europa.eu/esco/skill/t1", "label": "analyse data"},
        {"targetUrl": "http://data.europa.eu/esco/skill/t2", "targetName": "Python"},
        "http://data.europa.eu/esco/skill/t1", {"label": "no uri"},
    ], esco_version="1.2.0")
    assert links == [
        {"uri": "http://data.europa.eu/esco/skill/t1", "label": "analyse data", "confidence": 1.0,
         "method": "source", "esco_version": "1.2.0"},
        {"uri": "http://data.europa.eu/esco/skill/t2", "label": "Python", "confidence": 1.0,
         "method": "source", "esco_version": "1.2.0"},
    ]


# ---------------------------------------------------------------------------- evaluation
@pytest.fixture(scope="module")
def flat_tagger(tmp_path_factory):
    if not FLAT.is_file():
        pytest.skip(f"shared ESCO reference data not found under {REFERENCE}")
    ss = load_flat(FLAT)
    return ss, LexicalTagger(ss, cache_dir=tmp_path_factory.mktemp("esco-cache"))


@needs_reference
def test_labelled_sets_are_reproducible(flat_tagger):
    ss, _ = flat_tagger
    a = labelled_set_from_alt_labels(ss, n=50, seed=3)
    assert a == labelled_set_from_alt_labels(ss, n=50, seed=3) and len(a) == 50
    assert len({uri for _, uri in a}) == 50
    d = labelled_set_from_descriptions(ss, n=50, seed=3)
    assert len(d) == 50
    for text, uri in d:  # the skill's own labels are removed from its sentence
        assert ss.get(uri).labels["en"][0].casefold() not in text.casefold()


@needs_reference
def test_evaluation_on_flat_file(flat_tagger):
    ss, tagger = flat_tagger
    alt = evaluate(tagger, labelled_set_from_alt_labels(ss, n=200, seed=0))
    assert alt["n"] == 200
    assert alt["f1"] > 0.5 and alt["recall"] > 0.9
    hard = evaluate(tagger, labelled_set_from_descriptions(ss, n=200, seed=0))
    assert hard["n"] == 200
    assert 0.5 < hard["recall"] <= 1.0 and 0.1 < hard["precision"] <= 1.0
    assert hard["f1"] < alt["f1"]
    links = tagger.tag(["Participants can analyse data with Python"])[0]
    assert all(0 <= link["confidence"] <= 1 and link["esco_version"] == "unknown" for link in links)


def test_pipeline_links_have_the_descriptor_keys_and_float_confidence(tmp_path, monkeypatch):
    """With $CLEARINGHOUSE_ESCO set, harmonise tags every record; links carry exactly the
    descriptor's keys, JSON numbers for confidence, and the method in provenance."""
    import json

    from catalog import store
    from clearinghouse import pipeline
    from tests.conftest import REPO

    flat = REFERENCE / "esco" / "all-skills-flat" / "skills.csv"
    if not flat.exists():
        pytest.skip(f"shared ESCO skills not at {flat}")
    monkeypatch.setenv("CLEARINGHOUSE_ESCO", str(flat))
    monkeypatch.setenv("CLEARINGHOUSE_HOME", str(tmp_path / "home"))
    home = tmp_path / "home"
    pipeline.ingest(home, "uk", REPO / "samples" / "uk_rqf_short_courses.csv", store.catalog_url(home), country="GB")
    recs = list(store.iter_records(store.connect(store.catalog_url(home))))
    tagged = [r for r in recs if r["esco_skills"]]
    assert len(tagged) >= len(recs) // 2
    for r in tagged:
        for link in r["esco_skills"]:
            assert set(link) == {"uri", "label", "confidence", "method"}
            assert isinstance(link["confidence"], float) and 0 < link["confidence"] <= 1
            assert link["uri"].startswith("http://data.europa.eu/esco/skill/")
        assert "ESCO" in r["provenance"]["fields"]["esco_skills"]
    json.dumps(recs)


def test_evaluate_command_prints_precision_recall_f1(tmp_path):
    import json as _json

    from tests.conftest import run_cli

    flat = REFERENCE / "esco" / "all-skills-flat" / "skills.csv"
    if not flat.exists():
        pytest.skip(f"shared ESCO skills not at {flat}")
    res = run_cli("skills", "evaluate", "--esco", str(flat), "--n", "100", "--format", "json", home=tmp_path)
    rows = {r["set"]: r for r in _json.loads(res.stdout)}
    assert rows["alt labels"]["n"] == 100 and rows["alt labels"]["f1"] > 0.5
    assert all(0 <= rows[s][k] <= 1 for s in rows for k in ("precision", "recall", "f1"))
