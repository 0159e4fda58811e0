"""CTDL connector: every sample under shared/reference/ctdl (Credential Registry API fixtures,
Registry Assistant publishing samples and envelopes, Schema-Development handbook examples), and
small made-up documents (envelope lists, JWT-only envelopes, contexts, credits, delivery)."""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests import standards_helpers
from tests.standards_helpers import assert_frame_convention, read_whole

from connectors.base import ERROR, LOCATOR, RAW, FileInfo, SourceFileError, sha256_of
from connectors.ctdl import (
    CREDENTIAL_TYPES, LEARNING_TYPES, UNIT_NOT_STATED, looks_like_assistant_input, looks_like_ctdl, read_ctdl,
)
from transforms.candidate import CANDIDATE_FIELDS, TITLE_PREFIX

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
CTDL = REFERENCE / "ctdl"
API = CTDL / "registry-api-samples"
ENV = CTDL / "registry-envelope-samples"
DEV = CTDL / "schema-dev-samples"
needs_reference = pytest.mark.skipif(
    not CTDL.is_dir(), reason=f"shared reference data not found at {CTDL} (checkout without ../shared)")

SAMPLE_DIRS = (API, ENV, DEV)
SAMPLES = sorted(f"{p.parent.name}/{p.name}" for d in SAMPLE_DIRS if d.is_dir() for p in d.iterdir() if p.is_file())

# what each sample gives: a record count, or the SourceFileError it raises (a phrase of it)
NO_CREDENTIAL = "no CTDL credential, learning opportunity or course in this document"
ASSISTANT = "a Credential Registry Assistant API input with no credential, learning opportunity or course"
EXPECTED: dict[str, int | str] = {
    "registry-api-samples/assessment_profile__2_import.json": f"{NO_CREDENTIAL} (found: ceterms:AssessmentProfile ×1)",
    "registry-api-samples/assessment_profile__3_import.json": f"{NO_CREDENTIAL} (found: ceterms:AssessmentProfile ×1)",
    "registry-api-samples/credential__1_valid.json": 1,
    "registry-api-samples/credential__2_valid.json": 1,
    "registry-api-samples/credential__3_import.json": 1,
    "registry-api-samples/credential__4_import.json": 1,
    "registry-api-samples/learning_opportunity_profile__2_import.json": 1,
    "registry-api-samples/learning_opportunity_profile__3_import.json": 1,
    "registry-api-samples/organization__2_valid.json": f"{NO_CREDENTIAL} (found: ceterms:Agent ×1)",
    "registry-api-samples/organization__3_import.json": f"{NO_CREDENTIAL} (found: ceterms:CredentialOrganization ×1)",
    "registry-envelope-samples/Credentials__files__CredentialGraphSampleInput.json": 1,
    "registry-envelope-samples/Credentials__files__CredentialWithMultipleLanguages_Api_input.json": 1,
    "registry-envelope-samples/Credentials__files__CredentialWithMultipleLanguages_Api_output.json": 2,
    "registry-envelope-samples/Credentials__files__Credential_PublishDetailedRecord_API_Input.json": "invalid JSON: Expecting property name enclosed in double quotes (line 186, column 11)",
    "registry-envelope-samples/Credentials__files__Credential_PublishDetailedRecord_API_output.json": 3,
    "registry-envelope-samples/Credentials__files__Credential_WithOutcomeData_Credential_API_Input.json": 1,
    "registry-envelope-samples/Credentials__files__Credential_WithOutcomeData_Credential_API_output.json": 1,
    "registry-envelope-samples/EnvelopeSamples__AssessmentEnvelope.json": f"{NO_CREDENTIAL} (found: ceterms:AssessmentProfile ×1)",
    "registry-envelope-samples/EnvelopeSamples__ConditionManifest.json": "invalid JSON: Expecting ',' delimiter (line 17, column 5)",
    "registry-envelope-samples/EnvelopeSamples__CostManifest.json": f"{NO_CREDENTIAL} (found: ceterms:CostManifest ×1)",
    "registry-envelope-samples/EnvelopeSamples__CredentialEnvelope.json": 1,
    "registry-envelope-samples/EnvelopeSamples__LearningOpportunityEnvelope.json": 1,
    "registry-envelope-samples/EnvelopeSamples__OrganizationEnvelope.json": f"{NO_CREDENTIAL} (found: ceterms:CredentialOrganization ×1, ceterms:QACredentialOrganization ×1)",
    "registry-envelope-samples/OutcomeData__files__CareerBridge_Credential_WithAggregateDataProfile_API_Input.json": 1,
    "registry-envelope-samples/OutcomeData__files__CareerBridge_Credential_WithAggregateDataProfile_API_Output.json": 1,
    "registry-envelope-samples/OutcomeData__files__Kansas_Credential_WithAggregateDataProfile_API_Input.json": 1,
    "registry-envelope-samples/OutcomeData__files__Kansas_Credential_WithAggregateDataProfile_API_Output.json": 1,
    "registry-envelope-samples/PerformanceExamples__files__2021-28_credential_ce-bd860014-039c-9c32-f816-e4f429b17f40_format_rainput.json": "invalid JSON: Expecting property name enclosed in double quotes (line 10, column 7)",
    "registry-envelope-samples/Sample_Input_Classes__2017-10-31_Assessment_2107_raInput.json": f"{ASSISTANT} (found: ceterms:AssessmentProfile ×1)",
    "registry-envelope-samples/Sample_Input_Classes__2017-11-06_lopp_2163_raInput.json": 1,
    "registry-envelope-samples/Sample_Input_Classes__2017-11-14_ConditionManifest_10_raInput.json": f"{ASSISTANT} (found: ceterms:ConditionManifest ×1)",
    "registry-envelope-samples/Sample_Input_Classes__2017-11-14_CostManifest_1_raInput.json": f"{ASSISTANT} (found: ceterms:CostManifest ×1)",
    "registry-envelope-samples/Sample_Input_Classes__2017-11-19_Credential_1141_raInput.json": 1,
    "registry-envelope-samples/Sample_Input_Classes__2017-11-27_Organization_1082_raInput.json": f"{ASSISTANT} (found: ceterms:CredentialOrganization ×1)",
    "schema-dev-samples/CTDLinLERs_VCs_OpenBadges_CLRs__s1_2_DegreeInRegistryAndVC.json": 1,
    "schema-dev-samples/CTDLinLERs_VCs_OpenBadges_CLRs__s_3_1_CoursesFromDifferntOrgs.json": 3,
    "schema-dev-samples/CourseProgramExamples__programWithCourses.json": 6,
    "schema-dev-samples/CourseProgramExamples__programWithLifeCycle.json": 1,
    "schema-dev-samples/HandbookExamples__CredentialTypes__basicDescription.json": 1,
    "schema-dev-samples/HandbookExamples__CredentialTypes__frameworkLevels.json": f"{NO_CREDENTIAL} (found: ceterms:CredentialType ×5,",
    "schema-dev-samples/HandbookExamples__QualificationsFramework__basicDescription.json": f"{NO_CREDENTIAL} (found: ceterms:QualificationsFramework ×1)",
    "schema-dev-samples/HandbookExamples__QualificationsFramework__credentialLevel.json": 1,
    "schema-dev-samples/HandbookExamples__QualificationsFramework__frameworkAlignment.json": f"{NO_CREDENTIAL} (found: ceterms:AlignmentMap ×1)",
    "schema-dev-samples/HandbookExamples__QualificationsFramework__levelDesriptors.json": f"{NO_CREDENTIAL} (found: ceasn:Competency ×9,",
    "schema-dev-samples/HandbookExamples__degreeWithConcentration.json": 1,
    "schema-dev-samples/deprecated__audienceLevel.ttl": "(this is RDF Turtle / N-Triples, not JSON-LD)",
    "schema-dev-samples/deprecated__credentialType.ttl": "(this is RDF Turtle / N-Triples, not JSON-LD)",
    "schema-dev-samples/deprecated__ctdl-terms.ttl": "(this is RDF Turtle / N-Triples, not JSON-LD)",
    "schema-dev-samples/deprecated__learningDelivery.ttl": "(this is RDF Turtle / N-Triples, not JSON-LD)",
}


def info_for(path: Path) -> FileInfo:
    return standards_helpers.info_for(path, "ctdl")


def read(path: Path, batch_size: int = 1000, info: FileInfo | None = None) -> pd.DataFrame:
    return read_whole(read_ctdl, path, info or info_for(path), batch_size)


def rows(path: Path) -> list[dict]:
    return read(path).to_dict("records")


def write_json(tmp_path: Path, name: str, doc) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------------
# an independent count of the credential resources of a document (plain json, no connector code)


def _credential_names_from_map() -> set[str]:
    data = json.loads((CTDL / "registry-json-schemas" / "subclasses_map.json").read_text(encoding="utf-8"))
    names: set[str] = set()

    def walk(tree: dict) -> None:
        for key, sub in tree.items():
            names.add(key.split(":")[-1])
            walk(sub)

    names.add("Credential")
    walk(data["ceterms:Credential"])
    return names


def count_credentials(doc) -> int:
    kinds = _credential_names_from_map() | {"LearningOpportunityProfile", "LearningProgram", "Course"}

    def top_level(d):
        if isinstance(d, list):
            for x in d:
                yield from top_level(x)
        elif isinstance(d, dict):
            if "decoded_resource" in d:
                yield from top_level(d["decoded_resource"])
            elif "GraphInput" in d:
                yield from top_level(d["GraphInput"])
            elif "@graph" in d:
                yield from d["@graph"]
            elif "credentialSubject" in d:
                ach = d["credentialSubject"]["achievement"]
                yield from (ach if isinstance(ach, list) else [ach])
            else:
                yield d

    n = 0
    for node in top_level(doc):
        t = node.get("@type", node.get("type"))
        described = set(node) - {"@id", "id", "@type", "type", "@context"}
        if isinstance(t, str) and t.split(":")[-1] in kinds and described:
            n += 1
    return n


# ------------------------------------------------------------------------------------------------
# every sample


@needs_reference
def test_sample_set_is_the_expected_one():
    assert SAMPLES == sorted(EXPECTED)


@needs_reference
def test_credential_types_cover_the_registry_subclasses_map():
    assert _credential_names_from_map() <= CREDENTIAL_TYPES
    assert LEARNING_TYPES == {"LearningOpportunityProfile", "LearningProgram", "Course"}


@needs_reference
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_gives_records_or_a_clear_error(name):
    path = CTDL / name
    expected = EXPECTED[name]
    info = info_for(path)
    if isinstance(expected, str):
        with pytest.raises(SourceFileError) as e:
            list(read_ctdl(path, info, 1000))
        msg = str(e.value)
        assert msg.startswith(path.name + ": ") and expected in msg and "\n" not in msg
        return
    frame = read(path, info=info)
    assert len(frame) == expected
    assert frame[ERROR].isna().all()
    assert frame["title"].notna().all()
    assert frame["source_record_id"].notna().all() and frame["source_record_id"].is_unique
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    if looks_like_assistant_input(doc):  # a Registry Assistant publish input: one resource per request
        assert not looks_like_ctdl(doc) and expected == 1
    else:
        assert looks_like_ctdl(doc)
        assert count_credentials(doc) == expected  # nothing lost, nothing invented
    assert info.records_path == frame[LOCATOR].iloc[0]


@needs_reference
def test_the_invalid_json_samples_are_those_source_md_names():
    for name in ("Credentials__files__Credential_PublishDetailedRecord_API_Input.json",
                 "EnvelopeSamples__ConditionManifest.json",
                 "PerformanceExamples__files__2021-28_credential_ce-bd860014-039c-9c32-f816-e4f429b17f40_format_rainput.json"):
        assert "invalid JSON" in EXPECTED[f"registry-envelope-samples/{name}"]


# ------------------------------------------------------------------------------------------------
# specific records


@needs_reference
def test_registry_record_master_degree():
    (r,) = rows(API / "credential__1_valid.json")
    assert r[LOCATOR] == "/"
    assert r["title"] == "Master of Science in Project Management"
    assert r["source_record_id"] == "urn:ctid:6bf1a7e2-814e-4598-a66e-a3e2ecb727d8"
    assert (r["credential_type"], r["x_ctdl_type"]) == ("Master Degree", "ceterms:MasterDegree")
    assert r["awarding_body_id"] == "http://credentialengineregistry.org/resource/dc814d62-6198-4a58-803d-0d453dc414d5"
    assert r["x_status"] == "Active"
    assert r["x_occupations"] == "Security Managers"


@needs_reference
def test_inline_owner_gives_name_and_country():
    (r,) = rows(API / "credential__4_import.json")
    assert r["source_record_id"] == "ce-28E50037-D306-4F1E-AA9D-22A0E716B7A7"
    assert r["title"] == "Health Informatics"
    assert (r["awarding_body_name"], r["country"]) == ("Medical Licensing Board of Indiana", "United States")
    assert r["x_offered_by"] == "Indiana University Bloomington"
    assert r["x_naics"] == "622; 62231"
    assert r["x_requires_resources"] == "CSP Examination"  # an embedded AssessmentProfile is not a record


@needs_reference
def test_learning_opportunity_duration_delivery_cost():
    (r,) = rows(API / "learning_opportunity_profile__3_import.json")
    assert r["title"] == "Certified Radiographic Interpreter (CRI) Seminars"
    assert r["credential_type"] == "Learning Opportunity Profile"
    assert (r["duration"], r["participation_mode"]) == ("P5D", "onsite")
    assert r["quality_assurance"] == "Accredited by Indiana Commission for Higher Education"
    assert r["qa_body"] == "Indiana Commission for Higher Education"
    assert r["x_costs"] == "Learning Resource: 1640 US Dollar; Learning Resource: 1407 US Dollar"
    assert r.get("price") is None  # two costs of the same kind: no one price chosen
    assert r["x_learning_method"] == "Applied Instruction; Lecture"


@needs_reference
def test_multilingual_graph_with_costs_credits_and_blank_node():
    path = ENV / "Credentials__files__CredentialWithMultipleLanguages_Api_output.json"
    info = info_for(path)
    degree, lopp = read(path, info=info).to_dict("records")
    assert degree[LOCATOR] == "/@graph/0"
    assert degree["source_record_id"] == "ce-cef8a76d-f168-0513-8fac-0b8dc60ef853"
    assert (degree["title"], degree["title_language"]) == ("Bachelor of Science in Accounting", "en")
    assert degree["title@ar-sa"] == "بكالوريوس العلوم في المحاسبة"
    assert degree["description"].startswith("The Bachelor of Science in Accounting")
    assert degree["languages"] == "ar-SA; en"
    assert (degree["price"], degree["price_currency"]) == ("12999", "USD")  # the tuition
    assert degree["x_costs"] == "Application: 100 USD; Tuition: 12999 USD"
    assert degree["x_duration_range"] == "P8W to P12W" and degree.get("duration") is None
    assert degree["x_required_credit"] == "10 US semester credit hours"
    assert degree["x_keywords"] == "Accounting; Taxation; financial management"
    assert degree["quality_assurance"] == "Accredited by Some Accreditation Body"
    assert (lopp[LOCATOR], lopp["title"], lopp["x_blank_node"]) == ("/@graph/2", "A required learning opportunity.", "true")
    assert info.warnings == ["1 resource in the document is not a credential, learning opportunity or course and was "
                             "not read as a record (used to resolve references): ceterms:QACredentialOrganization ×1."]


@needs_reference
def test_envelope_with_bom():
    path = ENV / "EnvelopeSamples__CredentialEnvelope.json"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    info = info_for(path)
    (r,) = read(path, info=info).to_dict("records")
    assert r[LOCATOR] == "/decoded_resource/@graph/0"
    assert r["source_record_id"] == r["x_envelope_ctid"] == "ce-14525aea-57c5-4f5a-8f1c-bdc95c7f8b9b"
    assert r["title"] == "21st Century Skills for Workplace Success"
    assert r["credential_type"] == "Certification"
    assert r["start_date"] == "2016-09-01"
    assert r["x_cip"] == "35.0103"
    assert r["quality_assurance"].startswith("Approved by National College Credit Recommendation Service (NCCRS); Recognized by Asia Society")
    assert "ceterms:renewal" in r["x_unread_properties"]
    assert "ceterms:QACredentialOrganization ×4" in info.warnings[0]


@needs_reference
def test_program_with_courses_resolves_the_organization():
    recs = rows(DEV / "CourseProgramExamples__programWithCourses.json")
    assert [r["credential_type"] for r in recs] == ["Master Degree", "Learning Program"] + ["Course"] * 4
    assert [r["title"] for r in recs[2:]] == ["Data Analysis with Python", "Data Analysis with R", "Statistics", "Data Management"]
    assert {r["awarding_body_name"] for r in recs} == {"UC Sunnydale"}
    program = recs[1]
    assert program["x_has_part"].split("; ") == [f"res:1ca80f84-9331-4855-a746-13613a08c20{i}" for i in range(1, 5)]
    assert recs[2]["x_is_part_of"] == "res:1ca80f84-9331-4855-a746-13613a08c101"
    assert recs[0]["x_status"] == "Deprecated"


@needs_reference
def test_verifiable_credential_with_ctdl_achievement():
    (r,) = rows(DEV / "CTDLinLERs_VCs_OpenBadges_CLRs__s1_2_DegreeInRegistryAndVC.json")
    assert r[LOCATOR] == "/credentialSubject/achievement"
    assert r["title"] == "Bachelor’s Degree"
    assert r["url"] == "https://credentialfinder.org/credential/0000/Science_and_Arts"  # compact IRI expanded
    assert r["learning_outcomes"] == "Demonstrate a good knowledge of science…\nDemonstrate a good knowledge of arts…"


@needs_reference
def test_reference_only_nodes_are_not_records():
    path = DEV / "HandbookExamples__degreeWithConcentration.json"
    info = info_for(path)
    (r,) = read(path, info=info).to_dict("records")
    assert r["title"] == "B.S. in Data Science"
    assert r["x_degree_concentration"] == "Business Analytics; Geographic Information Systems (GIS)"
    assert info.warnings == ["5 nodes only name an @id without describing the resource and were not read as "
                             "records: ceterms:LearningOpportunityProfile ×5."]


@needs_reference
def test_framework_level_kept_raw():
    (r,) = rows(DEV / "HandbookExamples__QualificationsFramework__credentialLevel.json")
    assert r["x_level"] == "Erewhon Qualification Levels: Level 3"
    assert r.get("nqf_level") is None and r.get("eqf_level") is None


# ------------------------------------------------------------------------------------------------
# made-up documents


CTX = "https://credreg.net/ctdl/schema/context/json"


def _cred(ctid: str, **extra) -> dict:
    return {"@id": f"https://credentialengineregistry.org/resources/{ctid}", "@type": "ceterms:MicroCredential",
            "ceterms:ctid": ctid, "ceterms:name": {"de": f"Kurs {ctid}", "en-GB": f"Course {ctid}"}, **extra}


CTID1 = "ce-00000000-0000-0000-0000-000000000001"
CTID2 = "ce-00000000-0000-0000-0000-000000000002"
ORG = "ce-00000000-0000-0000-0000-0000000000aa"


def test_list_of_envelopes_and_org_found_by_ctid(tmp_path):
    org = {"@id": f"https://credentialengineregistry.org/resources/{ORG}", "@type": "ceterms:CredentialOrganization",
           "ceterms:ctid": ORG, "ceterms:name": {"en": "Example College"},
           "ceterms:address": [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": "Ireland"}}]}
    cred = _cred(CTID1, **{
        "ceterms:ownedBy": [f"https://credentialengineregistry.org/graph/{ORG.upper()}"],  # other URI, same CTID
        "ceterms:creditValue": [{"@type": "schema:QuantitativeValue", "schema:value": 5,
                                 "ceterms:creditUnitType": [{"@type": "ceterms:CredentialAlignmentObject",
                                                             "ceterms:targetNode": "creditUnit:ECTS"}]}],
        "ceterms:learningDeliveryType": [{"ceterms:targetNode": "deliveryType:OnlineOnly"},
                                         {"ceterms:targetNode": "deliveryType:InPerson"}],
        "ceterms:assessmentMethodType": [{"ceterms:targetNode": "assessMethod:Exam"},
                                         {"ceterms:targetNode": "assessMethod:Artifact"}],
        "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "P6W"}],
        "ceterms:estimatedCost": [{"@type": "ceterms:CostProfile", "ceterms:price": 250, "ceterms:currency": "EUR"}],
        "ceterms:isPartOf": ["https://credentialengineregistry.org/resources/ce-x"],
        "ceterms:teaches": [{"@type": "ceasn:Competency", "ceasn:competencyText": {"en": "Analyse data"}}],
    })
    envelopes = [
        {"envelope_id": "e1", "envelope_ceterms_ctid": CTID1, "envelope_ctdl_type": "ceterms:MicroCredential",
         "decoded_resource": {"@context": CTX, "@graph": [cred, org]}},
        {"envelope_id": "e2", "envelope_ceterms_ctid": ORG, "decoded_resource": {"@context": CTX, **org}},
    ]
    p = write_json(tmp_path, "envelopes.json", envelopes)
    assert looks_like_ctdl(envelopes)
    info = FileInfo(str(p), "ctdl", "", 1)
    (r,) = read(p, info=info).to_dict("records")
    assert r[LOCATOR] == "/0/decoded_resource/@graph/0"
    assert (r["title"], r["title_language"], r["title@de"]) == (f"Course {CTID1}", "en-GB", f"Kurs {CTID1}")
    assert r["credential_type"] == "Micro Credential"
    assert (r["awarding_body_name"], r["awarding_body_id"], r["country"]) == ("Example College", ORG, "Ireland")
    assert (r["credit"], r["credit_unit"]) == ("5", "ECTS")
    assert r["participation_mode"] == "online; onsite"
    assert r["assessment_type"] == "exam; portfolio or project"
    assert (r["duration"], r["price"], r["price_currency"]) == ("P6W", "250", "EUR")
    assert r["x_is_part_of"] == "https://credentialengineregistry.org/resources/ce-x"
    assert r["learning_outcomes"] == "Analyse data"
    assert "ceterms:CredentialOrganization ×2" in info.warnings[0]


def test_envelope_with_only_the_signed_resource(tmp_path):
    payload = json.dumps({"@context": CTX, "@graph": [_cred(CTID2)]}).encode()
    token = "e30." + base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".c2ln"
    p = write_json(tmp_path, "jwt.json", {"envelope_id": "e", "resource": token})
    (r,) = rows(p)
    assert (r[LOCATOR], r["source_record_id"]) == ("/resource/@graph/0", CTID2)


def test_unknown_remote_context_refused(tmp_path):
    p = write_json(tmp_path, "ctx.json", {"@context": [CTX, "https://evil.example/context.json"], **_cred(CTID1)})
    with pytest.raises(SourceFileError, match="context https://evil.example/context.json is not available locally"):
        list(read_ctdl(p, FileInfo(str(p), "ctdl", "", 1), 10))
    ok = write_json(tmp_path, "ok.json", {"@context": ["http://credreg.net/ctdl/schema/context/json",
                                                       "https://credreg.net/ctdlasn/schema/context/json"], **_cred(CTID1)})
    assert len(rows(ok)) == 1


def test_graph_item_that_is_not_a_resource_is_kept_as_error(tmp_path):
    p = write_json(tmp_path, "g.json", {"@context": CTX, "@graph": [_cred(CTID1), "oops", {"ceterms:name": "x"}]})
    info = FileInfo(str(p), "ctdl", "", 1)
    recs = read(p, batch_size=1, info=info).to_dict("records")
    assert [r[LOCATOR] for r in recs] == ["/@graph/0", "/@graph/1", "/@graph/2"]
    assert recs[0][ERROR] is None
    assert recs[1][ERROR] == "/@graph/1: not a CTDL resource (a JSON str)" and recs[1][RAW] == '"oops"'
    assert recs[2][ERROR] == "/@graph/2: not a CTDL resource (an object without @type)"
    assert "2 items of the document are not a CTDL resource" in info.warnings[0]


def test_no_credential_and_not_ctdl(tmp_path):
    org = write_json(tmp_path, "org.json", {"@context": CTX, "@type": "ceterms:CredentialOrganization", "ceterms:name": "X"})
    with pytest.raises(SourceFileError, match=r"^org.json: no CTDL credential, learning opportunity or course in this "
                                              r"document \(found: ceterms:CredentialOrganization ×1\)$"):
        list(read_ctdl(org, FileInfo(str(org), "ctdl", "", 1), 10))
    plain = write_json(tmp_path, "plain.json", [{"title": "x"}])
    assert not looks_like_ctdl([{"title": "x"}])
    with pytest.raises(SourceFileError, match="not a CTDL document"):
        list(read_ctdl(plain, FileInfo(str(plain), "ctdl", "", 1), 10))


def test_looks_like_ctdl():
    assert looks_like_ctdl({"@type": "ceasn:CompetencyFramework"})
    assert looks_like_ctdl({"@graph": [{"@type": "ceterms:Course"}]})
    assert looks_like_ctdl({"envelope_id": "x", "decoded_resource": {}})
    assert not looks_like_ctdl({"@type": "BadgeClass"})
    assert not looks_like_ctdl("ceterms:Course")
    assert not looks_like_ctdl(None)


# ------------------------------------------------------------------------------------------------
# through mapping and harmonisation


def _harmonise(frame: pd.DataFrame):
    from transforms.harmonise import Context, harmonise
    from transforms.mapping import apply_mapping, plan_mapping

    cand_cols = [c for c in frame.columns if not c.startswith("x_")]  # x_ columns stay in the raw record
    plan = plan_mapping(cand_cols)
    assert plan.targets == {c: c for c in cand_cols if c in CANDIDATE_FIELDS or c.startswith(TITLE_PREFIX)}
    return harmonise(apply_mapping(frame[cand_cols], plan), Context(source="x"))


@needs_reference
def test_end_to_end_multilingual_bachelor():
    h = _harmonise(read(ENV / "Credentials__files__CredentialWithMultipleLanguages_Api_output.json"))
    r = h.records[0]
    assert h.problems[0] == []
    assert r["title"] == "Bachelor of Science in Accounting"
    assert r["credential_type"] == "qualification"
    assert r["url"] == "https://www.bachelorstudies.com/Bachelor-of-Science-in-Accounting/Saudi-Arabia/Dar-Al-Hekma-University"
    assert r["languages"] == ["ar", "en"]
    assert r["price"] == {"amount": 12999.0, "currency": "USD"}
    assert r["quality_assurance"]["type"] == "external-accreditation"
    assert r["provenance"]["locator"] == "/@graph/0"


@needs_reference
def test_end_to_end_course():
    h = _harmonise(read(DEV / "CourseProgramExamples__programWithCourses.json"))
    r = h.records[2]
    assert (r["title"], r["credential_type"], r["languages"]) == ("Data Analysis with Python", "course", ["en"])
    assert r["url"] == "https://example.edu/Courses/DataAnalysisPython/"
    assert r["awarding_body"]["name"] == "UC Sunnydale"


# ------------------------------------------------------------------------------------------------
# values as US registries write them, and Registry Assistant publish inputs


def test_id_references_us_language_tags_place_country_and_a_credit_without_unit(tmp_path):
    from transforms.credits import UNIT_NOT_STATED as CROSSWALK_UNIT_NOT_STATED, derive_credits

    cred = {"@context": CTX, "@type": "ceterms:Certificate", "ceterms:ctid": CTID1,
            "ceterms:name": {"en-US": "Welding Technology Certificate"},
            "ceterms:description": {"en-US": "Entry-level welding."},
            "ceterms:inLanguage": ["en-US"],
            "ceterms:subjectWebpage": {"@id": "https://www.example-college.edu/welding"},
            "ceterms:deliveryType": [{"@id": "deliveryType:InPerson"}],
            "ceterms:creditUnitValue": 16,
            "ceterms:availableAt": [{"@type": "ceterms:Place", "ceterms:addressLocality": {"en-US": "Fort Wayne"},
                                     "ceterms:addressCountry": {"en-US": "United States"}}],
            "ceterms:ownedBy": [{"@id": f"https://credentialengineregistry.org/resources/{ORG}"}]}
    (r,) = rows(write_json(tmp_path, "us.json", cred))
    assert (r["title"], r["title_language"], r["description"]) == \
        ("Welding Technology Certificate", "en-US", "Entry-level welding.")
    assert r["url"] == "https://www.example-college.edu/welding"  # {"@id": ...}, not dropped
    assert r["participation_mode"] == "onsite"
    assert r["country"] == "United States" and r["x_available_at"] == "Fort Wayne, United States"
    # no creditUnitType: the connector says so, and the crosswalk derives no ECTS from it
    assert (r["credit"], r["credit_unit"]) == ("16", UNIT_NOT_STATED) and UNIT_NOT_STATED == CROSSWALK_UNIT_NOT_STATED
    d = derive_credits(r["credit"], r["credit_unit"], country="US")
    assert "ects" not in d.values and d.values["credit_original"] == {"value": 16.0, "unit": None}
    assert [f.code for f in d.flags] == ["unit-not-stated"]


@pytest.mark.parametrize("unit", ["credits", "Credit Units", None])
def test_a_credit_that_only_says_credits_is_not_ects(tmp_path, unit):
    qv = {"@type": "schema:QuantitativeValue", "schema:value": 3}
    if unit:
        qv["schema:unitText"] = unit
    (r,) = rows(write_json(tmp_path, "c.json", _cred(CTID1, **{"ceterms:creditValue": [qv]})))
    assert (r["credit"], r["credit_unit"]) == ("3", UNIT_NOT_STATED)
    assert r.get("x_credit_unit_as_written") == unit


def test_registry_assistant_publish_request(tmp_path):
    request = {
        "PublishForOrganizationIdentifier": ORG, "DefaultLanguage": "en-US",
        "LearningOpportunity": {
            "Name": "Introduction to Nursing Informatics", "Description": "Data and systems in nursing practice.",
            "CTID": CTID2, "SubjectWebpage": "https://example.edu/nursing-informatics",
            "LearningDeliveryType": ["deliveryType:OnlineOnly"], "InLanguage": ["en-US"],
            "OwnedBy": [{"CTID": ORG}], "OfferedBy": [{"Name": "Example School of Nursing", "Type": "ceterms:CredentialOrganization"}],
            "CreditValue": [{"Value": 3, "CreditUnitType": ["creditUnit:SemesterHour"]}],
            "EstimatedDuration": [{"ExactDuration": {"Weeks": 15}}],
            "AvailableAt": [{"Address1": "1700 Mishawaka Ave", "City": "South Bend", "AddressRegion": "Indiana",
                             "PostalCode": "46615", "Country": "United States"}],
        },
    }
    assert looks_like_assistant_input(request) and not looks_like_ctdl(request)
    (r,) = rows(write_json(tmp_path, "ra.json", request))
    assert r[LOCATOR] == "/LearningOpportunity"
    assert (r["source_record_id"], r["title"], r["title_language"]) == \
        (CTID2, "Introduction to Nursing Informatics", "en-US")
    assert (r["awarding_body_id"], r["x_offered_by"]) == (ORG, "Example School of Nursing")  # never '[{"CTID": ...}]'
    assert (r["credit"], r["credit_unit"], r["duration"]) == ("3", "US semester credit hours", "P15W")
    assert (r["participation_mode"], r["languages"], r["country"]) == ("online", "en-US", "United States")
    assert r["x_assistant_publish_for"] == ORG


def test_registry_assistant_input_of_a_kind_not_read_says_so(tmp_path):
    org = {"PublishForOrganizationIdentifier": ORG,
           "Organization": {"Name": "Example College", "CTID": ORG, "AgentType": ["orgType:Postsecondary"]}}
    p = write_json(tmp_path, "org.json", org)
    with pytest.raises(SourceFileError, match=r"^org.json: a Credential Registry Assistant API input with no credential, "
                                              r"learning opportunity or course \(found: ceterms:CredentialOrganization ×1\)$"):
        list(read_ctdl(p, FileInfo(str(p), "ctdl", "", 1), 10))


def test_registry_assistant_credit_required_by_the_credential(tmp_path):
    """Indiana University South Bend's BSN publish request gives no credit value of its own but
    requires "Credit Hours" {"Description": "Semester Hours", "Value": 120.0}: that is its credit."""
    request = {"PublishForOrganizationIdentifier": ORG, "DefaultLanguage": "en-US", "Credential": {
        "Type": "Credential", "CredentialType": "ceterms:BachelorDegree", "Ctid": CTID1,
        "Name": "B.S. in Nursing (Pre-Licensure)", "Description": "The Bachelor of Science in Nursing degree.",
        "OwnedBy": [{"Type": "CredentialOrganization", "CTID": ORG}],
        "SubjectWebpage": "https://healthscience.iusb.edu/nursing/index.html", "DateEffective": "8/4/1971",
        "Requires": [{"Name": "Credit Hours", "Description": "Credit hour requirements to earn this degree.",
                      "AssertedBy": {"CTID": ORG, "Type": "CredentialOrganization", "Address": [], "Email": []},
                      "CreditValue": {"Description": "Semester Hours", "Value": 120.0}}]}}
    (r,) = rows(write_json(tmp_path, "iusb.json", request))
    assert (r["credit"], r["credit_unit"], r["x_required_credit"]) == ("120", "Semester Hours", "120 Semester Hours")
