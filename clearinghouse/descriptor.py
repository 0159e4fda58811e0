"""The credential descriptor: the one schema every stage imports.

The contract is ``shared/spec/descriptor.md``. Its JSON keys are public (command line and API
output), so this module is the only place the field list is written down; everything else
(pyarrow schema, catalogue columns, GX suites, exports) is derived from ``FIELDS``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from clearinghouse.jsonio import dumpb

CREDENTIAL_TYPES = (
    "micro-credential", "digital-badge", "micromasters", "nanodegree", "verified-certificate",
    "professional-certificate", "course", "qualification", "other",
)
PARTICIPATION_MODES = ("online", "onsite", "blended")
ASSESSMENT_TYPES = (
    "written-exam", "oral-exam", "practical-demonstration", "project", "portfolio",
    "continuous-assessment", "online-quiz", "peer-assessment", "recognition-of-prior-learning",
    "none", "other",
)
SUPERVISION = (
    "unsupervised-no-id-check", "supervised-no-id-check", "supervised-online-id-check",
    "supervised-onsite-id-check",
)
QA_TYPES = ("internal", "external-accreditation", "national-register", "none", "unknown")
STACKABILITY = ("standalone", "stackable")
VERIFICATION = (
    "europass-edc", "open-badges", "verifiable-credential", "blockchain", "registry-lookup",
    "paper", "other",
)
QF_EHEA_CYCLES = ("short", "first", "second", "third")
STATUSES = ("active", "withdrawn")
EQF_TO_CYCLE = {5: "short", 6: "first", 7: "second", 8: "third"}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # string | integer | number | object | list | enum | list-enum
    enum: tuple[str, ...] | None = None
    catalogue: bool = False  # kept by the catalogue, not produced by the pipeline
    hashed: bool = True  # part of the harmonised content (content_hash)


FIELDS: tuple[Field, ...] = (
    Field("id", "string"),
    Field("source", "string"),
    Field("source_record_id", "string"),
    Field("title", "string"),
    Field("title_language", "string"),
    Field("titles", "object"),
    Field("description", "string"),
    Field("credential_type", "enum", CREDENTIAL_TYPES),
    Field("awarding_body", "object"),
    Field("country", "string"),
    Field("region", "string"),
    Field("learning_outcomes", "list"),
    Field("ects", "number"),
    Field("workload_hours", "number"),
    Field("credit_original", "object"),
    Field("eqf_level", "integer"),
    Field("nqf", "object"),
    Field("qf_ehea_cycle", "enum", QF_EHEA_CYCLES),
    Field("isced_f", "list"),
    Field("esco_skills", "list"),
    Field("languages", "list"),
    Field("participation_mode", "enum", PARTICIPATION_MODES),
    Field("assessment_type", "list-enum", ASSESSMENT_TYPES),
    Field("supervision", "enum", SUPERVISION),
    Field("quality_assurance", "object"),
    Field("prerequisites", "string"),
    Field("grading", "string"),
    Field("stackability", "enum", STACKABILITY),
    Field("stacks_into", "list"),
    Field("verification", "list-enum", VERIFICATION),
    Field("url", "string"),
    Field("start_date", "string"),
    Field("end_date", "string"),
    Field("duration", "string"),
    Field("price", "object"),
    Field("licence", "string"),
    Field("completeness", "number"),
    Field("quality_flags", "list"),
    Field("provenance", "object", hashed=False),
    Field("content_hash", "string", hashed=False),
    Field("first_seen", "string", catalogue=True, hashed=False),
    Field("last_seen", "string", catalogue=True, hashed=False),
    Field("last_changed", "string", catalogue=True, hashed=False),
    Field("status", "enum", STATUSES, catalogue=True, hashed=False),
)
KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)

# Documented extensions: values a source gives that the descriptor has no key for, kept on the
# record under an ``x_`` key only when present. They are stored, hashed and exported as JSON, and
# shown where the output is not restricted to the descriptor's keys (``show``/``search`` with
# --expand, the API with expand=true, the web page); the descriptor's own JSON never has them.
# - x_difficulty: how demanding the source says the course is ("Beginner", "All Levels",
#   "Intermédiaire"): a MOOC platform's difficulty is not a qualification level, never an EQF level.
DIFFICULTY = ("introductory", "intermediate", "advanced", "all-levels")
EXTENSIONS: tuple[Field, ...] = (
    Field("x_difficulty", "enum", DIFFICULTY),
)
EXTENSION_KEYS: tuple[str, ...] = tuple(f.key for f in EXTENSIONS)

# The parts of the object-valued fields (and of the items of list-of-object fields), with their
# kinds, so typed exports (Parquet) can be derived from this module alone.
OBJECT_PARTS: dict[str, dict[str, str]] = {
    "awarding_body": {"name": "string", "id": "string", "country": "string"},
    "credit_original": {"value": "number", "unit": "string"},
    "nqf": {"framework": "string", "level": "string"},
    "quality_assurance": {"type": "string", "body": "string", "text": "string"},
    "price": {"amount": "number", "currency": "string"},
    "esco_skills": {"uri": "string", "label": "string", "confidence": "number", "method": "string"},
    "quality_flags": {"field": "string", "code": "string", "message": "string"},
}
# Free-form objects: titles maps language -> title; provenance is kept as JSON text in tables.
MAP_FIELDS = frozenset({"titles"})
FIELD_BY_KEY = {f.key: f for f in FIELDS}
_KEY_IS_LIST = tuple((f.key, f.kind in ("list", "list-enum")) for f in FIELDS)
_HASHED_KEYS = tuple(f.key for f in FIELDS if f.hashed)
LIST_KEYS = frozenset(f.key for f in FIELDS if f.kind in ("list", "list-enum"))

# Annex I mandatory elements that `completeness` counts (spec: "completeness" row).
ANNEX_I_ELEMENTS: dict[str, str] = {
    "title": "title",
    "awarding_body": "awarding body",
    "country": "country of the awarding body",
    "learning_outcomes": "learning outcomes",
    "workload": "notional workload (ECTS or hours)",
    "level": "level (EQF or national framework)",
    "assessment_type": "type of assessment",
    "participation_mode": "form of participation",
    "quality_assurance": "quality assurance",
}


def record_id(source: str, source_record_id: str) -> str:
    """Stable catalogue id: same source record, same id, on every run and machine."""
    digest = hashlib.sha256(f"{source}\x1f{source_record_id}".encode("utf-8")).hexdigest()
    return f"{source}:{digest[:16]}"


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def annex_i_present(rec: dict[str, Any]) -> dict[str, bool]:
    body = rec.get("awarding_body") or {}
    qa = rec.get("quality_assurance") or {}
    return {
        "title": not empty(rec.get("title")),
        "awarding_body": not empty(body.get("name")),
        "country": not empty(rec.get("country")),
        "learning_outcomes": not empty(rec.get("learning_outcomes")),
        "workload": rec.get("ects") is not None or rec.get("workload_hours") is not None,
        "level": rec.get("eqf_level") is not None or not empty((rec.get("nqf") or {}).get("level")),
        "assessment_type": not empty(rec.get("assessment_type")),
        "participation_mode": not empty(rec.get("participation_mode")),
        "quality_assurance": not empty(qa) and qa.get("type") not in (None, "unknown"),
    }


def completeness(rec: dict[str, Any], present: dict[str, bool] | None = None) -> float:
    present = present if present is not None else annex_i_present(rec)
    return round(sum(present.values()) / len(present), 3)


def content_hash(rec: dict[str, Any]) -> str:
    """Hash of the harmonised content, without timestamps or provenance (extensions included
    where present, so a record without them hashes as before)."""
    payload = {k: rec.get(k) for k in _HASHED_KEYS}
    payload.update({k: rec[k] for k in EXTENSION_KEYS if rec.get(k) is not None})
    return hashlib.sha256(dumpb(payload, sort_keys=True)).hexdigest()


def normalise(rec: dict[str, Any]) -> dict[str, Any]:
    """The spec's keys, in the spec's order (absent lists as [], absent others as None), then
    the documented extensions that have a value."""
    get = rec.get
    out = {k: ([] if is_list and get(k) is None else get(k)) for k, is_list in _KEY_IS_LIST}
    for k in EXTENSION_KEYS:
        if get(k) is not None:
            out[k] = rec[k]
    return out


def descriptor_only(rec: dict[str, Any]) -> dict[str, Any]:
    """Exactly the descriptor's keys (the public JSON of one record)."""
    return {k: rec.get(k) for k in KEYS}
