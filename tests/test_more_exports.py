"""CTDL JSON-LD, Open Badges 3.0 and DCAT-AP exports: the IE NFQ sample ingested for real,
exported, validated (CTDL: the registry JSON Schemas copied in catalog/schemas/ctdl; OB3: the
1EdTech AchievementCredential schema read from ../shared, never copied) and read back with the
CTDL and Open Badges connectors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from catalog import ctdl_export as C
from catalog import dcat as D
from catalog import ob3_export as O
from connectors.base import ERROR
from connectors.ctdl import read_ctdl
from connectors.openbadges import read_openbadges
from tests.standards_helpers import info_for, read_whole

DCAT = rdflib.namespace.Namespace("http://www.w3.org/ns/dcat#")

REPO = Path(__file__).resolve().parents[1]
IE_SAMPLE = REPO / "samples" / "ie_nfq_microcreds.xlsx"
OB3_SCHEMA = O.SHARED_SCHEMA
KINDS = ("micro-credential", "digital-badge", "course", "qualification", "professional-certificate",
         "verified-certificate", "nanodegree")


@pytest.fixture(scope="module")
def ie_records(tmp_path_factory) -> list[dict]:
    if not IE_SAMPLE.is_file():
        pytest.skip(f"sample {IE_SAMPLE} not found")
    from catalog import store
    from clearinghouse import pipeline
    home = tmp_path_factory.mktemp("more-exports-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLEARINGHOUSE_HOME", str(home))
        url = store.catalog_url(home)
        pipeline.ingest(home, "ie", IE_SAMPLE, url, country="IE")
        recs = list(store.iter_records(store.connect(url)))
        store.dispose_all()
    assert recs
    return recs


@pytest.fixture(scope="module")
def complete_records(ie_records) -> list[dict]:
    """The sample's records with what the IE register does not give (a type, a page, a description)."""
    out = []
    for i, rec in enumerate(ie_records):
        out.append({**rec, "credential_type": KINDS[i % len(KINDS)],
                    "url": f"https://courses.example.ie/microcredentials/{rec['source_record_id']}",
                    "description": f"{rec['title']}: a short credential of the IE sample.",
                    "title_language": "en"})
    return out


def _ob3_schema() -> Path:
    if not OB3_SCHEMA.is_file():
        pytest.skip(f"the OB3 AchievementCredential JSON Schema is not available at {OB3_SCHEMA} "
                    "(it has no licence, so it is read from ../shared and never copied here)")
    return OB3_SCHEMA


# ------------------------------------------------------------------------------------------------
# CTDL


def test_ctdl_resources_validate_and_round_trip(complete_records, tmp_path):
    items, reports = C.to_ctdl(complete_records)
    assert reports == []
    creds = [r for r in items if r["@type"] != "ceterms:CredentialOrganization"]
    orgs = [r for r in items if r["@type"] == "ceterms:CredentialOrganization"]
    assert len(creds) == len(complete_records)
    assert orgs and all(r["ceterms:ownedBy"][0] in {o["@id"] for o in orgs} for r in creds)
    for res in creds:
        assert C.validate_ctdl(res) == [], res["@id"]
        assert res["@id"] == "https://clearinghouse.example/resources/" + res["ceterms:ctid"]
    by_type = {r["ceterms:codedNotation"]: r["@type"] for r in creds}
    kinds = {rec["source_record_id"]: rec["credential_type"] for rec in complete_records}
    assert {by_type[k] for k, v in kinds.items() if v == "course"} == {"ceterms:Course"}
    assert {by_type[k] for k, v in kinds.items() if v == "micro-credential"} == {"ceterms:MicroCredential"}

    out = tmp_path / "ctdl.json"
    assert C.write_ctdl(complete_records, out) == len(complete_records)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json"
    frame = read_whole(read_ctdl, out, info_for(out, "ctdl"))
    assert frame[ERROR].isna().all()
    back = {row["source_record_id"]: row for row in frame.to_dict("records")}
    assert len(back) == len(complete_records)
    for rec in complete_records:
        row = back[C.ctid(rec["id"])]
        assert row["title"] == rec["title"]
        assert row["title_language"] == "en"
        assert row["url"] == rec["url"]
        assert row["languages"] == "; ".join(rec["languages"])
        assert row["x_ctdl_type"] == by_type[rec["source_record_id"]]
        assert row["awarding_body_name"] == rec["awarding_body"]["name"]
        if rec.get("ects") is not None:
            assert (float(row["credit"]), row["credit_unit"]) == (rec["ects"], "ECTS")
        if rec.get("participation_mode"):
            assert row["participation_mode"] == rec["participation_mode"]
    # the type as words, as the CTDL crosswalk reads it
    mc = next(r for r in complete_records if r["credential_type"] == "micro-credential")
    assert back[C.ctid(mc["id"])]["credential_type"] == "Micro Credential"


def test_ctdl_ids_and_output_are_stable(complete_records, tmp_path):
    rec = complete_records[0]
    assert C.ctid(rec["id"]) == C.ctid(rec["id"]) and C.ctid(rec["id"]).startswith("ce-")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    C.write_ctdl(complete_records, a)
    C.write_ctdl(list(reversed(list(reversed(complete_records)))), b)
    assert a.read_bytes() == b.read_bytes()


def test_ctdl_records_that_cannot_be_expressed_are_reported(complete_records, ie_records, tmp_path):
    other = {**complete_records[0], "credential_type": "other"}
    no_page = {**complete_records[1], "url": None}
    withdrawn = {**complete_records[2], "status": "withdrawn"}
    good = complete_records[3]
    out = tmp_path / "ctdl.json"
    reports: list = []
    assert C.write_ctdl([other, no_page, withdrawn, good], out, reports=reports) == 1
    why = {r.id: " | ".join(r.reasons) for r in reports}
    assert "has no CTDL credential class" in why[other["id"]]
    assert "ceterms:subjectWebpage is missing" in why[no_page["id"]]
    assert "withdrawn" in why[withdrawn["id"]]
    written = json.loads(out.read_text(encoding="utf-8"))["@graph"]
    assert [r["ceterms:ctid"] for r in written if "ceterms:codedNotation" in r] == [C.ctid(good["id"])]

    # the sample as ingested: no type, no page, no description -> every record reported, with why
    items, reports = C.to_ctdl(ie_records)
    assert items == [] and len(reports) == len(ie_records)
    assert all("no credential type" in r.reasons[0] for r in reports)
    # with the documented fallbacks every record is written and valid
    items, reports = C.to_ctdl(ie_records, compose_description=True, default_credential_type="micro-credential",
                               webpage_template="https://clearinghouse.example/credentials/{id}")
    assert reports == []
    creds = [r for r in items if r["@type"] == "ceterms:MicroCredential"]
    assert len(creds) == len(ie_records) and all(C.validate_ctdl(r) == [] for r in creds)
    assert "ECTS" in next(iter(creds[0]["ceterms:description"].values()))


def test_ctdl_owner_known_only_by_its_registry_ctid_is_referenced(complete_records):
    """A registry record's owner is a registry URI or CTID without a name (WGU, IU South Bend):
    ownedBy references the registry's resource; a bare non-registry id without a name is still
    reported."""
    base = {**complete_records[3]}
    by_uri = {**base, "id": "u:1", "awarding_body": {
        "name": None, "id": "https://credentialengineregistry.org/resources/ce-036d082d-d80e-41a7-99a0-2d63a4ad3a4a"}}
    by_ctid = {**base, "id": "u:2", "awarding_body": {"name": None, "id": "ce-55183524-EEFD-487d-bbec-985b8b509386"}}
    unnamed = {**base, "id": "u:3", "awarding_body": {"name": None, "id": "did:ebsi:zABC"}}
    items, reports = C.to_ctdl([by_uri, by_ctid, unnamed])
    owners = [r["ceterms:ownedBy"] for r in items if "ceterms:codedNotation" in r]
    assert owners == [["https://credentialengineregistry.org/resources/ce-036d082d-d80e-41a7-99a0-2d63a4ad3a4a"],
                      ["https://credentialengineregistry.org/resources/ce-55183524-eefd-487d-bbec-985b8b509386"]]
    assert not [r for r in items if r["@type"] == "ceterms:CredentialOrganization"]
    assert [(r.id, r.reasons) for r in reports] == [("u:3", ["no awarding body name (ceterms:ownedBy needs an organisation)"])]
    assert all(C.validate_ctdl(r) == [] for r in items)


def test_ctdl_strict_schema_is_the_2017_encoding(complete_records):
    """The copied schema, without the overlay, rejects the registry's current language maps (and
    accepts the same resource once texts are plain strings): the overlay loosens nothing else."""
    res = C.to_resource(next(r for r in complete_records if r["credential_type"] == "micro-credential"))
    errors = C.validate_ctdl(res, strict=True)
    assert errors and all("is not of type 'string'" in e for e in errors)

    def flatten(v):
        if isinstance(v, dict) and v and all(isinstance(k, str) and len(k) <= 3 and isinstance(x, str)
                                             for k, x in v.items()):
            return next(iter(v.values()))
        if isinstance(v, dict):
            return {k: flatten(x) for k, x in v.items()}
        if isinstance(v, list):
            return [flatten(x) for x in v]
        return v
    assert C.validate_ctdl(flatten(res), strict=True) == []
    broken = {k: v for k, v in res.items() if k != "ceterms:ctid"}
    assert C.validate_ctdl(broken) == ["ceterms:ctid is missing (required by the registry schema)"]


# ------------------------------------------------------------------------------------------------
# Open Badges 3.0


def test_ob3_documents_validate_and_round_trip(complete_records, tmp_path):
    schema = _ob3_schema()
    recs = [{**r, "esco_skills": [{"uri": "http://data.europa.eu/esco/skill/0e9ac1a6-2b1a-4b5b-9d1c-1b2f0b0c7a11",
                                    "label": "manage quality", "confidence": 1.0, "method": "given"}],
             "supervision": "supervised-onsite-id-check"} if i == 0 else r
            for i, r in enumerate(complete_records)]
    docs, reports = O.to_ob3(recs, validate_schema=schema)
    assert reports == [] and len(docs) == len(recs)
    for doc in docs:
        assert O.validate_ob3(doc, schema) == []
        assert "proof" not in doc and "id" not in doc["credentialSubject"]  # an unsigned specimen, no learner
    first = docs[0]["credentialSubject"]["achievement"]
    assert {"targetFramework": "ESCO", "targetName": "manage quality"}.items() <= first["alignment"][-1].items()
    assert (first["supervisionType"], first["identityChecked"]) == ("onsite with identity verification", True)
    assert docs[0]["validFrom"].endswith("Z")

    out = tmp_path / "ob3.json"
    assert O.write_ob3(recs, out, validate_schema=schema) == len(recs)
    frame = read_whole(read_openbadges, out, info_for(out, "openbadges"))
    back = {row["x_human_code"]: row for row in frame.to_dict("records")}
    assert len(back) == len(recs)
    for rec in recs:
        row = back[rec["source_record_id"]]
        assert row["title"] == rec["title"]
        assert row["url"] == rec["url"]
        assert row["awarding_body_name"] == rec["awarding_body"]["name"]
        assert row["country"] == "IE"
        if rec.get("ects") is not None:
            assert (float(row["credit"]), row["credit_unit"]) == (rec["ects"], "ECTS")
        if rec.get("eqf_level") is not None:
            assert row["eqf_level"] == str(rec["eqf_level"])
        if rec.get("nqf"):
            assert row["nqf_level"] == rec["nqf"]["level"]
    mc = next(r for r in recs if r["credential_type"] == "micro-credential")
    assert back[mc["source_record_id"]]["credential_type"] == "micro-credential"


def test_ob3_records_that_cannot_be_expressed_are_reported(complete_records, ie_records, tmp_path):
    no_criteria = {**complete_records[0], "url": None, "learning_outcomes": []}
    no_body = {**complete_records[1], "awarding_body": None}
    good = complete_records[2]
    out = tmp_path / "ob3.json"
    reports: list = []
    assert O.write_ob3([no_criteria, no_body, good], out, reports=reports) == 1
    why = {r.id: " | ".join(r.reasons) for r in reports}
    assert "no criteria" in why[no_criteria["id"]]
    assert "no awarding body" in why[no_body["id"]]
    assert [d["credentialSubject"]["achievement"]["humanCode"] for d in json.loads(out.read_text())] == \
        [good["source_record_id"]]
    # the sample as ingested has no descriptions: reported unless composed from the record's facts
    docs, reports = O.to_ob3(ie_records)
    assert docs == [] and all("no description" in " ".join(r.reasons) for r in reports)
    docs, reports = O.to_ob3(ie_records, compose_description=True)
    assert len(docs) + len(reports) == len(ie_records) and docs
    assert all("no criteria" in " ".join(r.reasons) for r in reports)  # records without learning outcomes
    if OB3_SCHEMA.is_file():
        assert all(O.validate_ob3(d, OB3_SCHEMA) == [] for d in docs)


# ------------------------------------------------------------------------------------------------
# DCAT-AP


def test_dcat_description(ie_records, tmp_path):
    stats = {"records": len(ie_records), "active": len(ie_records), "withdrawn": 0,
             "sources": [{"source": "ie", "active": len(ie_records)}]}
    dists = [("parquet", "https://clearinghouse.example/exports/catalogue.parquet"),
             ("csv", "https://clearinghouse.example/exports/catalogue.csv"),
             ("elm-ttl", "https://clearinghouse.example/exports/catalogue.elm.ttl"),
             ("ctdl-jsonld", "https://clearinghouse.example/exports/catalogue.ctdl.json"),
             ("ob3", "https://clearinghouse.example/exports/catalogue.ob3.json")]
    out = tmp_path / "dcat.ttl"
    n = D.write_dcat(stats, out, base="https://clearinghouse.example/", title="Credential clearinghouse catalogue",
                     publisher="Credential Clearinghouse", issued="2026-01-01", modified="2026-11-28T12:00:00Z",
                     distributions=dists, countries=["IE"], languages=["en"])
    assert n == len(dists)
    g = rdflib.Graph().parse(out, format="turtle")
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    ds = datasets[0]
    assert (ds, DCAT.theme, D.EDUC) in g
    assert str(g.value(ds, DCTERMS.title)) == "Credential clearinghouse catalogue"
    assert f"{len(ie_records)} active records" in str(g.value(ds, DCTERMS.description))
    assert g.value(g.value(ds, DCTERMS.publisher), rdflib.namespace.FOAF.name) is not None
    assert (ds, DCTERMS.spatial, rdflib.URIRef(D.EU_COUNTRY + "IRL")) in g
    got = list(g.objects(ds, DCAT.distribution))
    assert len(got) == len(dists)
    by_url = {str(g.value(d, DCAT.accessURL)): d for d in got}
    ctdl = by_url["https://clearinghouse.example/exports/catalogue.ctdl.json"]
    assert g.value(ctdl, DCAT.mediaType) == rdflib.URIRef(D.IANA + "application/ld+json")
    assert g.value(ctdl, DCTERMS["format"]) == rdflib.URIRef(D.EU_FILE_TYPE + "JSON_LD")
    assert g.value(ctdl, DCTERMS.conformsTo) == D.CTDL
    assert g.value(by_url["https://clearinghouse.example/exports/catalogue.elm.ttl"], DCTERMS.conformsTo) == D.ELM
    assert g.value(by_url["https://clearinghouse.example/exports/catalogue.ob3.json"], DCTERMS.conformsTo) == D.OB3
    with pytest.raises(ValueError):
        D.dcat_description(stats, base="https://x.example/", title="t", publisher="p", issued="2026-01-01",
                           modified="2026-01-01", distributions=[("pdf", "https://x.example/a.pdf")])


def test_validate_command_ctdl_and_ob3_profiles(tmp_path):
    """`validate --profile ctdl|ob3`: the exports conform; a resource with its required page removed
    is reported at its JSON pointer; ob3 without a schema named says how to give one."""
    import json as _json

    from tests.conftest import REPO, SHARED, run_cli

    home = tmp_path / "h"
    run_cli("ingest", str(REPO / "samples" / "mooc_catalog.json"), "--source", "mooc", home=home)
    ctdl_out = tmp_path / "c.json"
    res = run_cli("export", str(ctdl_out), "--format", "ctdl-jsonld", "--compose", home=home)
    written = int(res.stderr.split("wrote ")[1].split(" ")[0])
    ok = _json.loads(run_cli("validate", str(ctdl_out), "--profile", "ctdl", "--format", "json", home=home).stdout)
    assert written > 0 and ok["conforms"] is True and ok["checked"] == written
    doc = _json.loads(ctdl_out.read_text(encoding="utf-8"))
    victim = next(i for i, r in enumerate(doc["@graph"]) if "ceterms:subjectWebpage" in r)
    del doc["@graph"][victim]["ceterms:subjectWebpage"]
    ctdl_out.write_text(_json.dumps(doc), encoding="utf-8")
    bad = run_cli("validate", str(ctdl_out), "--profile", "ctdl", "--format", "json", home=home, check=False)
    report = _json.loads(bad.stdout)
    assert bad.returncode == 1 and [r["locator"] for r in report["records"]] == [f"/@graph/{victim}"]
    assert "subjectWebpage" in report["records"][0]["problems"][0]
    ob3_out = tmp_path / "b.json"
    run_cli("export", str(ob3_out), "--format", "ob3", "--compose", home=home)
    res = run_cli("validate", str(ob3_out), "--profile", "ob3", home=home, check=False,
                  env={"CLEARINGHOUSE_OB3_SCHEMA": ""})
    assert res.returncode == 1 and "CLEARINGHOUSE_OB3_SCHEMA" in res.stderr
    schema = SHARED / "reference/open-badges/edubadges-ob3-examples/schemas/ob_v3p0_achievementcredential_schema.json"
    if not schema.exists():
        pytest.skip(f"the OB3 schema is read from the shared reference data, not at {schema}")
    ok = _json.loads(run_cli("validate", str(ob3_out), "--profile", "ob3", "--format", "json", home=home,
                             env={"CLEARINGHOUSE_OB3_SCHEMA": str(schema)}).stdout)
    assert ok["conforms"] is True and ok["checked"] >= 1
