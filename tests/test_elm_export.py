"""ELM v3 (LOQ profile) export and the SPARQL view of the catalogue: the IE NFQ sample ingested
for real, exported, validated with pyshacl against the local LOQ shapes (catalog/shapes), read
back with the ELM connector, and queried."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF

from catalog import elm_export as E
from catalog import rdf as R

REPO = Path(__file__).resolve().parents[1]
IE_SAMPLE = REPO / "samples" / "ie_nfq_microcreds.xlsx"
SHARED_NQF_TABLE = REPO.parent / "shared" / "reference" / "frameworks" / "nqf_eqf_referencing_selected.csv"


@pytest.fixture(scope="module")
def ie_records(tmp_path_factory) -> list[dict]:
    if not IE_SAMPLE.is_file():
        pytest.skip(f"sample {IE_SAMPLE} not found")
    from catalog import store
    from clearinghouse import pipeline
    home = tmp_path_factory.mktemp("elm-home")
    url = store.catalog_url(home)
    pipeline.ingest(home, "ie", IE_SAMPLE, url, country="IE")
    recs = list(store.iter_records(store.connect(url)))
    store.dispose_all()
    assert recs
    return recs


def _qualification(rec: dict, **over) -> dict:
    """A record of the sample made into a full qualification (ISCED-F given)."""
    return {**rec, "credential_type": "qualification", "isced_f": ["0413"], **over}


def _records_of(path: Path) -> list[dict]:
    from connectors.base import FileInfo, sha256_of
    from connectors.elm import read_elm
    info = FileInfo(path=str(path), format="elm", sha256=sha256_of(path), size=os.path.getsize(path))
    frames = [b.frame for b in read_elm(path, info, batch_size=100)]
    return pd.concat(frames, ignore_index=True).astype(object).to_dict("records")


def _val(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


# ------------------------------------------------------------------------------------------------
# export + SHACL


def test_sample_exports_and_conforms(ie_records):
    g, reports = E.to_elm_graph(ie_records)
    assert reports == []  # every IE record has a title and an awarding body with its country
    specs = set(g.subjects(RDF.type, E.ELM.LearningAchievementSpecification))
    assert len(specs) == len(ie_records)
    conforms, results = E.validate_elm(g)
    assert conforms, results[:5]
    assert results == []
    # stable URIs from the record id
    rec = ie_records[0]
    node = rdflib.URIRef(E.DEFAULT_BASE + rec["id"])
    assert node in specs
    assert (node, E.ELM.EQFLevel, rdflib.URIRef(f"http://data.europa.eu/snb/eqf/{rec['eqf_level']}")) in g
    # concepts carry the schemes the mdr shapes check
    assert (rdflib.URIRef("http://publications.europa.eu/resource/authority/language/ENG"),
            rdflib.namespace.SKOS.inScheme, E.LANGUAGE_SCHEME) in g


def test_same_records_same_graph(ie_records):
    a = E.serialize(E.to_elm_graph(ie_records)[0])
    b = E.serialize(E.to_elm_graph(list(reversed(ie_records)))[0])
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(data=a, format="turtle"),
                                     rdflib.Graph().parse(data=b, format="turtle"))


def test_nqf_level_is_the_qdr_concept(ie_records):
    rec = next(r for r in ie_records if (r.get("nqf") or {}).get("level") == "9")
    g, _ = E.to_elm_graph([rec])
    node = E.record_uri(rec["id"])
    # IE NFQ level 9 in the referencing table (the QDR concept)
    assert list(g.objects(node, E.ELM.NQFLevel)) == [rdflib.URIRef("http://data.europa.eu/snb/qdr/c_c6ada0f4")]
    assert (rdflib.URIRef("http://data.europa.eu/snb/qdr/c_c6ada0f4"), rdflib.namespace.SKOS.inScheme,
            E.NQF_SCHEME) in g


def test_qualifications_conform_and_incomplete_ones_are_reported(ie_records):
    full = [_qualification(r, url="https://amtu.example.ie/courses/x", workload_hours=262.5,
                           titles={"ga": "Teideal"}, description="Plain text.", prerequisites="NFQ level 8")
            for r in ie_records if r.get("learning_outcomes")][:4]
    no_level = _qualification(ie_records[0], id="ie:no-level", source_record_id="NOLEVEL", eqf_level=None, nqf=None)
    no_isced = _qualification(ie_records[1], id="ie:no-isced", source_record_id="NOISCED", isced_f=[])
    no_body = {**ie_records[2], "id": "ie:no-body", "source_record_id": "NOBODY", "awarding_body": None}
    no_title = {**ie_records[3], "id": "ie:no-title", "source_record_id": "NOTITLE", "title": None}
    unreferenced = _qualification(ie_records[4], id="ie:unref", source_record_id="UNREF",
                                  nqf={"framework": "FR-CNCP", "level": "6"})
    duplicate = {**full[0], "title": "Another title"}
    g, reports = E.to_elm_graph(full + [no_level, no_isced, no_body, no_title, unreferenced, duplicate])

    quals = set(g.subjects(RDF.type, E.ELM.Qualification))
    assert quals == {E.record_uri(r["id"]) for r in full}
    conforms, results = E.validate_elm(g)
    assert conforms, results[:5]

    assert [m for r in reports if r.id == full[0]["id"] for m in r.reasons][0].startswith("duplicate catalogue id")
    by_id = {r.id: r for r in reports if r.id != full[0]["id"]}
    assert set(by_id) == {"ie:no-level", "ie:no-isced", "ie:no-body", "ie:no-title", "ie:unref"}
    assert by_id["ie:no-level"].source_record_id == "NOLEVEL"
    assert any("no EQF level" in m for m in by_id["ie:no-level"].reasons)
    assert any("national framework level" in m for m in by_id["ie:no-level"].reasons)
    assert any("ISCED-F" in m for m in by_id["ie:no-isced"].reasons)
    assert any("awarding body" in m for m in by_id["ie:no-body"].reasons)
    assert by_id["ie:no-title"].reasons == ["no title (dc:title is required)"]
    assert any("no QDR NQF level concept" in m for m in by_id["ie:unref"].reasons)
    for r in by_id.values():  # nothing of a reported record is in the graph
        assert (E.record_uri(r.id), None, None) not in g
    # the Irish title is there beside the English one, each tagged
    titles = set(g.objects(E.record_uri(full[0]["id"]), rdflib.namespace.DCTERMS.title))
    assert {t.language for t in titles} == {"en", "ga"}
    assert json.loads(E.reports_json(reports))[0]["reasons"]


def test_shapes_catch_a_broken_graph(ie_records):
    """The validation is real: a Qualification without its EQF level and an Organisation without
    a location are violations."""
    g, _ = E.to_elm_graph([_qualification(r) for r in ie_records[:2]])
    q = next(g.subjects(RDF.type, E.ELM.Qualification))
    g.remove((q, E.ELM.EQFLevel, None))
    org = next(g.subjects(RDF.type, E.ELM.Organisation))
    g.remove((org, E.ELM.location, None))
    g.add((q, E.ELM.ISCEDFCode, rdflib.URIRef("http://example.org/not-isced")))
    g.add((rdflib.URIRef("http://example.org/not-isced"), RDF.type, rdflib.namespace.SKOS.Concept))
    conforms, results = E.validate_elm(g)
    assert not conforms
    paths = {(r["focus"], r["path"]) for r in results}
    assert (str(q), "elm:EQFLevel") in paths
    assert (str(org), "elm:location") in paths
    assert (str(q), "elm:ISCEDFCode") in paths  # not in the ISCED-F scheme (mdr shape)
    assert all(r["message"] for r in results)


def test_strict_las_shape_shows_the_profile_gap(ie_records):
    """LOQ 1.1.0 ships the LearningAchievementSpecification shape deactivated; re-activated, it
    rejects EQF/NQF levels on a specification (closed shape) and wants ISCED-F."""
    g, _ = E.to_elm_graph(ie_records[:1])
    conforms, results = E.validate_elm(g, activate_las=True)
    assert not conforms
    assert {r["path"] for r in results} >= {"elm:EQFLevel", "elm:NQFLevel", "elm:ISCEDFCode"}


def test_java_url_patterns_are_usable_in_python():
    import re
    for s, o in E.shapes_graph().subject_objects(E.SH.pattern):
        re.compile(str(o))
    url = E.python_pattern(r"^(?i)(http|https):(//(([^@\[/?#]*)@)?(\[[[A-Fa-f0-9]\:\.]*[%[\p{L}\p{Nl}\p{Nd}]]*\]|"
                           r"[^\[/?#:]*)(:(\d*(?:\{[^/]+?\})?))?)?([^?#]*)(\?([^#]*))?(#(.*))?")
    assert re.search(url, "HTTPS://example.org/a?b#c") and not re.search(url, "ftp://example.org")


# ------------------------------------------------------------------------------------------------
# files, round trip


def test_turtle_round_trip_through_the_elm_reader(ie_records, tmp_path):
    recs = ie_records + [_qualification(ie_records[0], id="ie:qual", source_record_id="Q1",
                                        url="https://amtu.example.ie/q1", workload_hours=250)]
    out = tmp_path / "catalogue.ttl"
    reports: list = []
    assert E.write_elm(recs, out, "turtle", reports=reports) == len(recs)
    assert reports == []
    back = {r["source_record_id"]: r for r in _records_of(out)}
    assert len(back) == len(recs)
    for rec in recs:
        got = back[str(E.record_uri(rec["id"]))]
        assert got["title"] == rec["title"]
        assert str(got["eqf_level"]) == str(rec["eqf_level"])
        assert float(got["credit"]) == rec["ects"] and got["credit_unit"] == "ECTS"
        assert got["nqf_level"] == rec["nqf"]["level"]
        assert got["awarding_body_name"] == rec["awarding_body"]["name"]
        assert got["country"] == "IE"
        assert got["languages"].split("; ") == sorted(rec["languages"])
        assert got["participation_mode"].lower() == {"onsite": "presential"}.get(
            rec["participation_mode"], rec["participation_mode"])
        outcomes = [o for o in rec["learning_outcomes"] if o]
        assert sorted((_val(got.get("learning_outcomes")) or "").split("\n") if outcomes else []) == sorted(outcomes)
    q = back[str(E.record_uri("ie:qual"))]
    assert q["credential_type"] == "qualification" and q["isced_f"] == "0413"
    assert q["url"] == "https://amtu.example.ie/q1" and float(q["workload_hours"]) == 250


def test_jsonld_parses_offline(ie_records, tmp_path):
    out = tmp_path / "catalogue.jsonld"
    assert E.write_elm(ie_records, out, "json-ld") == len(ie_records)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)  # inline: nothing to fetch
    g = rdflib.Graph().parse(out, format="json-ld")
    ttl, _ = E.to_elm_graph(ie_records)
    assert rdflib.compare.isomorphic(g, ttl)
    assert E.validate_elm(g)[0]


def test_unknown_format_refused(ie_records, tmp_path):
    with pytest.raises(ValueError, match="turtle"):
        E.write_elm(ie_records, tmp_path / "x", "rdfxml")


# ------------------------------------------------------------------------------------------------
# SPARQL


def test_sparql_counts_per_eqf_level_match_the_catalogue(ie_records):
    rows = R.sparql(ie_records, """
        SELECT ?level (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c elm:EQFLevel ?level } GROUP BY ?level""")
    got = {int(r["level"].rsplit("/", 1)[1]): int(r["n"]) for r in rows}
    assert got == dict(Counter(r["eqf_level"] for r in ie_records if r.get("eqf_level") is not None))
    # the catalogue facts are there too
    g = R.records_to_graph(ie_records)
    rows = R.sparql(g, 'SELECT ?id ?hash WHERE { ?c dc:identifier ?id ; ch:contentHash ?hash ; '
                       'ch:status "active" ; dc:source "ie" }')
    assert {r["id"]: r["hash"] for r in rows} == {r["id"]: r["content_hash"] for r in ie_records}
    assert R.sparql(g, "ASK { ?c a elm:LearningAchievementSpecification }") == [{"result": True}]
    assert R.sparql(g, "ASK { ?c ch:status \"withdrawn\" }") == [{"result": False}]


def test_sparql_keeps_records_that_do_not_conform(ie_records):
    recs = [{**ie_records[0], "id": "ie:no-body", "awarding_body": None, "country": None}] + ie_records[1:]
    n = R.sparql(recs, "SELECT (COUNT(?c) AS ?n) WHERE { ?c dc:identifier ?id }")
    assert n == [{"n": str(len(recs))}]


@pytest.mark.parametrize("query", [
    "SELEC ?x WHERE { ?x ?p ?o }",
    "SELECT ?x WHERE { ?x ?p ?o ",
    "SELECT ?x WHERE { ?x nope:p ?o }",
])
def test_malformed_sparql_is_a_value_error(ie_records, query):
    with pytest.raises(ValueError) as exc:
        R.sparql(ie_records, query)
    assert "\n" not in str(exc.value) and str(exc.value).startswith("invalid SPARQL query")


@pytest.mark.parametrize("query", [
    "SELECT * FROM <http://example.org/data> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_sparql_never_fetches(query):
    with pytest.raises(ValueError, match="not supported"):
        R.sparql([], query)


def test_referencing_table_copy_matches_shared():
    """The NQF concepts come from the repo's verbatim copy of the shared referencing table."""
    if not SHARED_NQF_TABLE.is_file():
        pytest.skip(f"shared reference table not found at {SHARED_NQF_TABLE}")
    assert SHARED_NQF_TABLE.read_bytes() == E.NQF_CSV.read_bytes()
