"""CTDL terms and JSON-LD value helpers shared by the CTDL reader (``connectors.ctdl``) and the
Registry Assistant input converter (``connectors.ctdl_assistant``): the credential and learning
types of CTDL, CTID and CURIE patterns, and small accessors for keys as written (the documents are
never expanded as JSON-LD). Package-private: names keep their leading underscore.
"""
from __future__ import annotations

import re
from typing import Any

from .base import json_cell, put_joined

SEP = "; "

# ceterms:Credential and its subclasses, from CredentialEngine/CredentialRegistry
# fixtures/subclasses_map.json (commit c30d127, schemas of 2025-07-23).
CREDENTIAL_TYPES = frozenset({
    "Credential",
    "Badge", "DigitalBadge", "OpenBadge",
    "Certificate", "ApprenticeshipCertificate", "JourneymanCertificate", "MasterCertificate",
    "CertificateOfCompletion", "Certification",
    "Degree",
    "AssociateDegree", "AssociateOfAppliedArtsDegree", "AssociateOfAppliedScienceDegree",
    "AssociateOfArtsDegree", "AssociateOfScienceDegree",
    "BachelorDegree", "BachelorOfArtsDegree", "BachelorOfScienceDegree",
    "DoctoralDegree", "ProfessionalDoctorate", "ResearchDoctorate",
    "MasterDegree", "MasterOfArtsDegree", "MasterOfScienceDegree",
    "SpecialistDegree",
    "Diploma", "GeneralEducationDevelopment", "SecondarySchoolDiploma",
    "License", "MicroCredential", "QualityAssuranceCredential",
    # later CTDL terms not yet in that map
    "AcademicCertificate", "CertificateOfParticipation", "BasicTechnicalCertificate",
})
LEARNING_TYPES = frozenset({"LearningOpportunityProfile", "LearningProgram", "Course"})
_NEWER_CREDENTIAL = re.compile(r"(Degree|Certificate|Credential|Diploma|Badge|License|Certification|Doctorate)$")
_ORG_TYPES = frozenset({"CredentialOrganization", "QACredentialOrganization", "Organization", "Agent"})

_CTID = re.compile(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_WEB = re.compile(r"^https?://", re.I)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(?!//)(.+)$")

# ------------------------------------------------------------------------------------------------
# small helpers


def _local(t: str) -> str:
    return t.rsplit("#", 1)[-1].rsplit("/", 1)[-1].split(":")[-1]


def _type_values(obj: Any) -> list[str]:
    if not isinstance(obj, dict):
        return []
    t = obj.get("@type", obj.get("type"))
    return [v for v in (t if isinstance(t, list) else [t]) if isinstance(v, str)]


def _is_ctdl_type(t: str) -> bool:
    return t.startswith(("ceterms:", "ceasn:")) or "purl.org/ctdl" in t


def _record_type(obj: Any) -> str | None:
    """The credential / learning-opportunity type of a resource (as written), else None."""
    for t in _type_values(obj):
        if not _is_ctdl_type(t):
            continue
        name = _local(t)
        if name in CREDENTIAL_TYPES or name in LEARNING_TYPES:
            return t
        if t.startswith("ceterms:") and _NEWER_CREDENTIAL.search(name) and "Organization" not in name:
            return t
    return None


def _node_id(v: Any) -> str | None:
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, dict):
        i = v.get("@id", v.get("id"))
        return i.strip() if isinstance(i, str) and i.strip() else None
    return None


_s = json_cell  # a JSON value as a cell string


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _put(rec: dict[str, str | None], key: str, value: str | None, sep: str = SEP) -> None:
    put_joined(rec, key, value, sep)


def _join(values: list[str | None], sep: str = SEP) -> str | None:
    return sep.join(dict.fromkeys(v for v in values if v)) or None


def _is_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and ("decoded_resource" in obj or (
        "envelope_id" in obj and isinstance(obj.get("resource"), str)))
