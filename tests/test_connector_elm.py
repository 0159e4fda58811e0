"""ELM v3 RDF connector: the real samples under shared/reference/elm (Europass credentials in
JSON-LD and Turtle, signed and upload-wrapped forms; ontology, SHACL and fixture files that are
not credential documents), and small made-up LOQ documents in Turtle / RDF/XML / JSON-LD."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests import standards_helpers
from tests.standards_helpers import assert_frame_convention, read_whole
import rdflib

from connectors.base import ERROR, LOCATOR, RAW, FileInfo, SourceFileError, sha256_of
from connectors.elm import local_context, looks_like_elm_rdf, read_elm
from transforms.candidate import CANDIDATE_FIELDS, TITLE_PREFIX

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
ELM_DIR = REFERENCE / "elm"
SAMPLES = ELM_DIR / "samples"
needs_reference = pytest.mark.skipif(
    not ELM_DIR.is_dir(), reason=f"shared reference data not found at {ELM_DIR} (checkout without ../shared)")
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"

# every RDF / JSON file of the reference folder (the QDR XML folders belong to the QDR connector)
ALL_FILES = sorted(
    str(p.relative_to(ELM_DIR)) for p in ELM_DIR.rglob("*")
    if p.is_file() and p.suffix in (".ttl", ".jsonld", ".json") and "qdr-xml" not in p.parts
) if ELM_DIR.is_dir() else []
# files that are not credential / qualification documents, and why they are refused
REFUSED = {
    "ontology/ELM-3.1.0.ttl": "an ontology",
    "ontology/ELM-3.2.0.ttl": "an ontology",
    "ontology/ELM-external-3.1.0.ttl": "vocabulary definitions",
    "edci-test-fixtures/EDC-generic-constraints.ttl": "SHACL shapes",
    "edci-test-fixtures/MockedSampleAccreditation.json": "without a JSON-LD @context",
    "edci-test-fixtures/ServiceSampleAccreditation.json": "without a JSON-LD @context",
    "edci-test-fixtures/credential_shouldValidate.jsonld":
        "JSON-LD context http://dev.everisdx.io/datamodel/test/edc-ap-context.jsonld is not available locally",
    "edci-test-fixtures/cred_noLegalName_shouldFail.jsonld":
        "JSON-LD context http://dev.everisdx.io/datamodel/test/edc-ap-context.jsonld is not available locally",
    "shacl/edc-ap-context.jsonld": "a JSON-LD context",
    **{f"shacl/{n}": "SHACL shapes" for n in (
        "AMS-constraints-mdr.ttl", "AMS-constraints.ttl", "EDC-accredited.ttl", "EDC-converted.ttl",
        "EDC-diplomaSupplement.ttl", "EDC-generic-full.ttl", "EDC-generic-no-cv.ttl",
        "EDC-issuedByMandate.ttl", "LOQ-constraints-mdr.ttl", "LOQ-constraints.ttl", "PID-constraints.ttl")},
}


def info_for(path: Path) -> FileInfo:
    return standards_helpers.info_for(path, "elm")


def read(path: Path, batch_size: int = 1000) -> pd.DataFrame:
    return read_whole(read_elm, path, info_for(path), batch_size)


def rows(path: Path) -> list[dict]:
    return read(path).to_dict("records")


def _offline_graph(path: Path) -> rdflib.Graph:
    """An independent parse of a sample (contexts given by hand) for counting."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc = doc.get("credential", doc)
    if "payload" in doc:
        doc = json.loads(doc["payload"])
    edc = json.loads((ELM_DIR / "shacl" / "edc-ap-context.jsonld").read_text(encoding="utf-8"))["@context"]
    vc = json.loads((REFERENCE / "w3c-vc" / "contexts" / "credentials-v1.jsonld").read_text(encoding="utf-8"))["@context"]
    doc["@context"] = [vc, edc]
    return rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")


COUNT_SPECS = """
PREFIX elm: <http://data.europa.eu/snb/model/elm/>
PREFIX cred: <https://www.w3.org/2018/credentials#>
SELECT DISTINCT ?x WHERE {
  { ?x a elm:Qualification } UNION { ?x a elm:LearningAchievementSpecification }
  UNION { ?c cred:credentialSubject/elm:hasClaim/elm:specifiedBy ?x }
  UNION { ?c cred:credentialSubject/elm:hasClaim ?x FILTER NOT EXISTS { ?x elm:specifiedBy ?s } }
}"""


# ------------------------------------------------------------------------------------------------
# the real files


@needs_reference
def test_every_reference_file_gives_records_or_a_clear_error():
    assert ALL_FILES, "no files found"
    for rel in ALL_FILES:
        path = ELM_DIR / rel
        if rel in REFUSED:
            with pytest.raises(SourceFileError) as e:
                list(read_elm(path, info_for(path), 100))
            msg = str(e.value)
            assert msg.startswith(path.name + ": ") and REFUSED[rel] in msg, (rel, msg)
            if "context" not in REFUSED[rel] and "@context" not in REFUSED[rel] and "JSON" not in msg:
                assert "not a credential or qualification document" in msg, msg
        else:
            assert len(read(path)) >= 1, rel


@needs_reference
@pytest.mark.parametrize("name", ["Sample-MC-Annex1-unsigned.jsonld", "Sample-MC-Annex1-unsigned-uploadable.json",
                                  "Sample-MC-Annex1-signed.jsonld", "Sample-CertOfPart-unsigned.jsonld",
                                  "Sample-CertOfPart-unsigned-uploadable.json", "credential-sample.jsonld"])
def test_record_count_matches_an_independent_sparql_count(name):
    g = _offline_graph(SAMPLES / name)
    expected = len(list(g.query(COUNT_SPECS)))
    assert expected >= 1
    assert len(read(SAMPLES / name)) == expected


@needs_reference
def test_turtle_sample_count_matches_sparql():
    g = rdflib.Graph().parse(SAMPLES / "credential-sample-turtle.ttl", format="turtle")
    expected = len(list(g.query(COUNT_SPECS)))
    assert expected == len(read(SAMPLES / "credential-sample-turtle.ttl")) == 1


@needs_reference
@pytest.mark.parametrize("name", ["Sample-MC-Annex1-unsigned.jsonld", "Sample-MC-Annex1-signed.jsonld",
                                  "Sample-MC-Annex1-unsigned-uploadable.json"])
def test_micro_credential_annex1_sample(name):
    (r,) = rows(SAMPLES / name)
    assert r[LOCATOR] == "urn:epass:qualification:1"
    assert r["source_record_id"] == "urn:epass:qualification:1"
    assert (r["title"], r["title_language"]) == ("Digital micro-credential creation", "en")
    assert r["eqf_level"] == "6"
    assert (r["credit"], r["credit_unit"]) == ("2", "ECTS")
    assert (r["x_volume_of_learning"], r["workload_hours"]) == ("PT60H", "60")
    assert (r["nqf_level"], r["x_nqf_level_label"]) == ("6", "RQF Level 6")
    assert "RQF" in r["nqf_framework"]
    assert r["isced_f"] == "003; 0688"
    assert r["languages"] == "en"
    assert r["participation_mode"] == "Blended"
    assert r["x_learning_setting"] == "non-formal learning"
    assert r["learning_outcomes"].split("\n") == ["Communication, collaboration and creativity",
                                                  "Developing digital content"]
    assert len(r["x_esco_skills"].split("\n")) == 4
    assert (r["awarding_body_name"], r["country"]) == ("University of Zed", "IE")
    assert r["supervision"] == "Unsupervised without ID Verification"
    assert "artefact assessment" in r["assessment_type"]
    assert r["grading"].startswith("Standard grading")
    assert r["x_grade"] == "Pass"
    assert r["prerequisites"].startswith("The learner needs")
    assert "Europass EDC" in r["verification"]
    assert r[ERROR] is None


@needs_reference
def test_certificate_of_participation_gives_the_activity_specification():
    (r,) = rows(SAMPLES / "Sample-CertOfPart-unsigned.jsonld")
    assert (r["title"], r["x_elm_type"]) == ("EDC Updates Webinar", "LearningActivitySpecification")
    assert r["participation_mode"] == "Online"
    assert r["url"] == "https://europa.eu/europass/en/europass-tools/digital-credentials"
    assert r["country"] == "BE"


@needs_reference
def test_claim_without_specification_turtle_and_jsonld_agree():
    (t,) = rows(SAMPLES / "credential-sample-turtle.ttl")
    (j,) = rows(SAMPLES / "credential-sample.jsonld")
    for r in (t, j):
        assert r["title"] == "some kind of learning achievement"
        assert r["title@fr"] == "une sorte de réussite scolaire"
        assert r[LOCATOR] == "http://example.org/cl1"
        assert "claim without a specification" in r["x_elm_type"]
    assert j["country"] == "FR"


@needs_reference
def test_detection_of_the_samples():
    for name in ("Sample-MC-Annex1-unsigned.jsonld", "Sample-MC-Annex1-signed.jsonld",
                 "Sample-MC-Annex1-unsigned-uploadable.json", "credential-sample.jsonld"):
        data = (SAMPLES / name).read_bytes()
        assert looks_like_elm_rdf(data[:65536], json.loads(data)), name
        assert looks_like_elm_rdf(data[:65536], None) or name.endswith("signed.jsonld"), name
    assert looks_like_elm_rdf((SAMPLES / "credential-sample-turtle.ttl").read_bytes()[:65536], None)
    acc = ELM_DIR / "edci-test-fixtures" / "MockedSampleAccreditation.json"
    assert not looks_like_elm_rdf(acc.read_bytes()[:65536], json.loads(acc.read_bytes()))
    assert not looks_like_elm_rdf(b'{"name": "x"}', {"name": "x"})
    assert not looks_like_elm_rdf(b"id,title\n1,x\n", None)


@needs_reference
def test_elm_contexts_have_local_copies():
    assert isinstance(local_context(EDC_CONTEXT), dict)
    assert local_context(VC_CONTEXT) is not None
    assert local_context("http://dev.everisdx.io/datamodel/test/edc-ap-context.jsonld") is None


# ------------------------------------------------------------------------------------------------
# LOQ documents (made up, in the three syntaxes)

LOQ_TTL = """
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dc: <http://purl.org/dc/terms/> .
@prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:q1 a elm:Qualification ;
  dc:title "Datenanalyse"@de, "Data analysis"@en ;
  dc:description "Analyse data."@en ;
  elm:EQFLevel <http://data.europa.eu/snb/eqf/5> ;
  elm:NQFLevel <http://data.europa.eu/snb/qdr/c_670e54c7> ;
  elm:ISCEDFCode <http://data.europa.eu/snb/isced-f/0542> ;
  dc:language <http://publications.europa.eu/resource/authority/language/DEU> ;
  elm:mode <http://data.europa.eu/snb/learning-assessment/920fbb3cbe> ;
  elm:volumeOfLearning "PT150H"^^xsd:duration ;
  elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ; elm:point "6" ] ;
  elm:learningOutcome ex:lo1, ex:lo2 ;
  elm:isPartOf ex:q2 ;
  foaf:homepage [ elm:contentUrl "https://example.org/q1" ] ;
  elm:awardingOpportunity [ elm:awardingBody ex:org1 ] .
ex:lo1 a elm:LearningOutcome ; dc:title "Clean data"@en ; elm:relatedESCOSkill <http://data.europa.eu/esco/skill/abc> .
ex:lo2 a elm:LearningOutcome ; dc:title "Visualise data"@en .
ex:q2 a elm:LearningAchievementSpecification ; dc:title "Data science programme"@en .
ex:org1 a elm:Organisation ; rov:legalName "Example University"@en ;
  elm:location [ elm:address [ elm:countryCode <http://publications.europa.eu/resource/authority/country/DEU> ] ] .
ex:opp1 a elm:LearningOpportunity ; dc:title "Data analysis, spring intake"@en ;
  elm:learningAchievementSpecification ex:q1 ;
  dc:temporal [ elm:startDate "2025-03-01" ] .
ex:opp2 a elm:LearningOpportunity ; dc:title "Short course without a specification"@en ;
  elm:learningAchievementSpecification ex:elsewhere .
"""


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def _check_loq(recs: list[dict]) -> None:
    by_id = {r["source_record_id"]: r for r in recs}
    assert set(by_id) == {"http://example.org/q1", "http://example.org/q2", "http://example.org/opp2"}
    q1 = by_id["http://example.org/q1"]
    assert (q1["title"], q1["title_language"], q1["title@de"]) == ("Data analysis", "en", "Datenanalyse")
    assert q1["eqf_level"] == "5"
    assert (q1["nqf_level"], q1["nqf_framework"]) == ("6", "Irish National Framework of Qualifications")
    assert (q1["credit"], q1["credit_unit"], q1["workload_hours"]) == ("6", "ECTS", "150")
    assert (q1["isced_f"], q1["languages"], q1["participation_mode"]) == ("0542", "de", "Online")
    assert q1["learning_outcomes"] == "Clean data\nVisualise data"
    assert q1["x_esco_skills"] == "http://data.europa.eu/esco/skill/abc"
    assert (q1["awarding_body_name"], q1["awarding_body_id"], q1["country"]) == \
        ("Example University", "http://example.org/org1", "DE")
    assert (q1["stackability"], q1["stacks_into"]) == ("stackable", "Data science programme")
    assert q1["url"] == "https://example.org/q1"
    assert q1["start_date"] == "2025-03-01"  # from its one learning opportunity
    assert q1["x_learning_opportunities"] == "http://example.org/opp1"
    assert q1["credential_type"] == "qualification"
    opp2 = by_id["http://example.org/opp2"]
    assert opp2["title"] == "Short course without a specification"
    assert opp2["x_learning_achievement_specification"] == "http://example.org/elsewhere"


def test_loq_turtle(tmp_path):
    p = _write(tmp_path, "loq.ttl", LOQ_TTL)
    assert looks_like_elm_rdf(p.read_bytes(), None)
    recs = rows(p)
    _check_loq(recs)
    assert [r[LOCATOR] for r in recs] == [r["source_record_id"] for r in recs]


def test_loq_rdf_xml(tmp_path):
    from connectors.elm import _verbatim_literals
    with _verbatim_literals():  # keep "PT150H" as written in the made-up RDF/XML
        g = rdflib.Graph().parse(data=LOQ_TTL, format="turtle")
    p = _write(tmp_path, "loq.rdf", g.serialize(format="xml"))
    assert looks_like_elm_rdf(p.read_bytes()[:65536], None)
    _check_loq(rows(p))


def test_loq_jsonld_with_remote_context_replaced(tmp_path):
    doc = {
        "@context": EDC_CONTEXT,
        "@graph": [
            {"id": "http://example.org/q9", "type": "Qualification", "title": {"en": "Welding", "fr": "Soudage"},
             "eqfLevel": "http://data.europa.eu/snb/eqf/4", "volumeOfLearning": "PT40H",
             "language": ["http://publications.europa.eu/resource/authority/language/FRA"]},
        ],
    }
    # the EDC context does not alias id/type: JSON-LD keywords work, and so do the aliases of VC v1
    doc["@context"] = [VC_CONTEXT, EDC_CONTEXT]
    p = _write(tmp_path, "q.jsonld", json.dumps(doc))
    assert looks_like_elm_rdf(p.read_bytes(), doc)
    (r,) = rows(p)
    assert (r["title"], r["title@fr"], r["eqf_level"], r["workload_hours"], r["languages"]) == \
        ("Welding", "Soudage", "4", "40", "fr")


def test_unknown_remote_context_is_refused_without_fetching(tmp_path):
    doc = {"@context": ["https://example.org/ctx.jsonld"], "id": "http://example.org/q", "type": "Qualification"}
    p = _write(tmp_path, "q.jsonld", json.dumps(doc))
    with pytest.raises(SourceFileError, match=r"q\.jsonld: JSON-LD context https://example.org/ctx.jsonld is not "
                                              r"available locally; remote contexts are not fetched"):
        list(read_elm(p, info_for(p), 10))


def test_rdf_xml_with_entities_is_refused(tmp_path):
    xml = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:elm="http://data.europa.eu/snb/model/elm/"><elm:Qualification rdf:about="http://x/q">'
           '<elm:title>&x;</elm:title></elm:Qualification></rdf:RDF>')
    p = _write(tmp_path, "bad.rdf", xml)
    with pytest.raises(SourceFileError, match="entity"):
        list(read_elm(p, info_for(p), 10))


def test_turtle_syntax_error(tmp_path):
    p = _write(tmp_path, "bad.ttl", "@prefix elm: <http://data.europa.eu/snb/model/elm/> .\n<http://x/q> a elm:Qualification ; elm:title \"unclosed .")
    with pytest.raises(SourceFileError, match=r"^bad\.ttl: invalid Turtle"):
        list(read_elm(p, info_for(p), 10))


def test_batches(tmp_path):
    p = _write(tmp_path, "loq.ttl", LOQ_TTL)
    batches = list(read_elm(p, info_for(p), 2))
    assert [len(b) for b in batches] == [2, 1]


# ------------------------------------------------------------------------------------------------
# through mapping and harmonisation


def _harmonise(frame: pd.DataFrame):
    from transforms.harmonise import Context, harmonise
    from transforms.mapping import apply_mapping, plan_mapping

    cand_cols = [c for c in frame.columns if not c.startswith("x_")]
    plan = plan_mapping(cand_cols)
    assert plan.targets == {c: c for c in cand_cols if c in CANDIDATE_FIELDS or c.startswith(TITLE_PREFIX)}
    return harmonise(apply_mapping(frame[cand_cols], plan), Context(source="x"))


@needs_reference
def test_end_to_end_micro_credential_sample():
    h = _harmonise(read(SAMPLES / "Sample-MC-Annex1-unsigned.jsonld"))
    (r,) = h.records
    assert r["title"] == "Digital micro-credential creation"
    assert r["eqf_level"] == 6
    assert r["ects"] == 2.0
    assert r["credit_original"] == {"value": 2.0, "unit": "ECTS"}
    assert r["languages"] == ["en"]
    assert r["country"] == "IE"
    assert r["participation_mode"] == "blended"
    assert r["provenance"]["locator"] == "urn:epass:qualification:1"


def test_end_to_end_loq_turtle(tmp_path):
    h = _harmonise(read(_write(tmp_path, "loq.ttl", LOQ_TTL)))
    by_id = {r["source_record_id"]: r for r in h.records}
    r = by_id["http://example.org/q1"]
    assert (r["title"], r["eqf_level"], r["ects"], r["languages"]) == ("Data analysis", 5, 6.0, ["de"])
    assert r["nqf"]["framework"] == "IE-NFQ"


def _dc4eu_style(title: dict, image_bytes: int = 80_000) -> dict:
    """A Europass EDC credential as DC4EU pilots issue it: the official EDC context only (no VC
    context), the title as ``dc:title``, and a base64 image written before ``@context``."""
    return {
        "id": "urn:credential:dc4eu-0001",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "displayParameter": {"id": "urn:dp:1", "type": "DisplayParameter",
                             "individualDisplay": {"id": "urn:id:1", "type": "IndividualDisplay",
                                                   "displayDetail": {"id": "urn:dd:1", "type": "DisplayDetail",
                                                                     "image": {"id": "urn:img:1", "type": "MediaObject",
                                                                               "content": "A" * image_bytes}}}},
        "dc:title": title,
        "issuer": {"id": "did:ebsi:zexample", "type": "Organisation", "legalName": {"en": "Universidad de Ejemplo"}},
        "validFrom": "2024-05-02T10:00:00Z",
        "@context": [EDC_CONTEXT],
    }


def test_edc_with_the_official_context_is_elm_in_auto_mode_and_keeps_dc_title(tmp_path):
    from connectors.sniff import detect_format

    doc = _dc4eu_style({"en": "European Health Data Space micro-credential", "es": "Microcredencial EEDS"})
    p = _write(tmp_path, "dc4eu.json", json.dumps(doc))
    assert p.stat().st_size > 65536 and p.read_bytes().find(b"@context") > 65536  # not in the sniffed head
    assert detect_format(p) == "elm"
    (r,) = rows(p)
    assert (r["title"], r["title_language"], r["title@es"]) == \
        ("European Health Data Space micro-credential", "en", "Microcredencial EEDS")
    assert "credential without a claim" in r["x_elm_type"]
    assert r["awarding_body_name"] == "Universidad de Ejemplo"


def test_a_json_file_that_only_mentions_elm_late_is_not_elm(tmp_path):
    from connectors.sniff import detect_format

    doc = [{"title": f"Course {i}", "notes": "A" * 2000} for i in range(40)] + \
          [{"title": "Reading list", "url": "http://data.europa.eu/snb/model/elm"}]
    p = _write(tmp_path, "plain.json", json.dumps(doc))
    assert detect_format(p) == "json"


def test_dc4eu_pilot_spellings_are_read(tmp_path):
    """The DC4EU higher-education micro-credential sample writes the issuer's name as
    elm:legalName (the ontology has rov:legalName), names ECTS by a framework concept whose URI is
    not the vocabulary's but whose notation is 'ECTS', and gives its ISCED-F field as an
    educationSubject of the ISCED-F scheme."""
    spec = {"id": "urn:spec:digital-competences-micro", "type": "LearningAchievementSpecification",
            "dc:title": {"en": "Qualification in Digital Competences"},
            "elm:educationSubject": [{"id": "http://data.europa.eu/snb/isced-f/0610", "type": "Concept",
                                      "skos:notation": "0610"}],
            "elm:creditPoint": [{"id": "urn:credit:ects-3", "type": "CreditPoint",
                                 "elm:framework": {"id": "http://data.europa.eu/snb/education-credit/6fcec5c425",
                                                   "type": "Concept", "skos:notation": "ECTS"},
                                 "elm:point": "3"}]}
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", EDC_CONTEXT],
           "id": "urn:uuid:7b8c9d0e", "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
           "issuer": {"id": "did:ebsi:zABC987654321XYZ", "type": "Organisation",
                      "elm:legalName": {"en": "University of Barcelona"}},
           "credentialSubject": {"id": "did:ebsi:123", "type": "Person", "elm:hasClaim": [
               {"id": "urn:claim:1", "type": "LearningAchievement", "dc:title": {"en": "Microcredential"},
                "elm:specifiedBy": spec}]},
           "validFrom": "2025-07-01T09:00:00Z"}
    (r,) = rows(_write(tmp_path, "euhemc.json", json.dumps(doc)))
    assert (r["title"], r["awarding_body_name"], r["isced_f"]) == \
        ("Qualification in Digital Competences", "University of Barcelona", "0610")
    assert (r["credit"], r["credit_unit"]) == ("3", "ECTS")
