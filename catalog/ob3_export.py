"""Open Badges 3.0 export of the catalogue: one unsigned AchievementCredential per record, whose
``credentialSubject.achievement`` is the record as an OB3 ``Achievement``.

    docs, reports = to_ob3(records)                       # reports: records not written, and why
    n = write_ob3(records, out)                           # a JSON array of the documents
    errors = validate_ob3(doc, schema_path)               # against the 1EdTech JSON Schema

Why a credential and not a bare Achievement: the only OB3 JSON Schema available is 1EdTech's
``ob_v3p0_achievementcredential_schema.json`` (a copy is in ``shared/reference/open-badges``; it has
no licence and is not copied into this repository), which validates AchievementCredentials. The
documents written are *specimens*: no recipient (``credentialSubject`` has no ``id``), no
``proof`` (unsigned), ``validFrom`` = the record's ``first_seen`` (a fixed date, never "now"),
``issuer`` = the awarding body. They describe the credential as offered; they are not awards and a
wallet must not accept them as such.

Achievement (``<base>achievements/<record id>``): ``name``, ``description``, ``criteria``
(``id`` = the record's ``url``; ``narrative`` = the learning outcomes), ``achievementType``
(micro-credential -> MicroCredential, digital-badge -> Badge, verified-certificate ->
CertificateOfCompletion, professional-certificate -> Certificate, course -> Course, qualification
-> AssociateDegree / BachelorDegree / MasterDegree / DoctoralDegree by QF-EHEA cycle, else
Certificate; micromasters / nanodegree -> ``ext:MicroMasters`` / ``ext:Nanodegree``; other or none ->
Achievement), ``creator`` (the awarding body Profile), ``inLanguage``, ``humanCode``
(``source_record_id``), ``alignment``: EQF level (``targetType`` ``ext:EQF``, ``targetCode`` N,
``targetUrl`` the EQF concept), the national level (``ext:NQF``, when the QDR has a concept for
it), ESCO skills (``targetFramework`` "ESCO", ``targetUrl`` the ESCO URI, ``targetName`` the label).

EU micro-credential elements, with the keys and values of the Edubadges profile (the keys
``connectors/openbadges.py`` reads; ``type`` also ``EducredentialAchievement`` and the Edubadges
context, which define them): ``ECTS``, ``timeInvestment`` (workload hours, a whole number),
``participationType`` (online -> "online"; onsite, blended -> "onsite or blended"),
``assessmentType`` (one value: written / oral exam, online quiz -> "testing"; practical
demonstration, project -> "application of a skill"; portfolio; recognition of prior learning;
the first of the record's types that has one), ``supervisionType`` + ``identityChecked`` (the four
Annex I values). Information the Edubadges vocabulary cannot hold (onsite vs blended, several
assessment types) is lost; quality assurance is not written (an Alignment needs a ``targetUrl``).

Reported, not written: no id, no title, no awarding body name (``issuer`` is required), no
``first_seen`` or ``start_date`` for ``validFrom``, no description (unless
``compose_description=True``), no criteria (neither learning outcomes nor a web page), withdrawn
records, and, with ``validate_schema=<path>``, a document the schema rejects.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from catalog.ctdl_export import _num, _url, summary_description
from catalog.elm_export import EQF_URI, Report, _country, _text, _valid_tag, nqf_concept

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://raw.githubusercontent.com/educredentials/obv3-examples/refs/heads/main/contexts/educredential.json",
]
DEFAULT_BASE = "https://clearinghouse.example/"
SHARED_SCHEMA = (Path(__file__).resolve().parents[2] / "shared" / "reference" / "open-badges"
                 / "edubadges-ob3-examples" / "schemas" / "ob_v3p0_achievementcredential_schema.json")

ACHIEVEMENT_TYPES = {
    "micro-credential": "MicroCredential", "digital-badge": "Badge",
    "verified-certificate": "CertificateOfCompletion", "professional-certificate": "Certificate",
    "course": "Course", "micromasters": "ext:MicroMasters", "nanodegree": "ext:Nanodegree",
}
DEGREES = {"short": "AssociateDegree", "first": "BachelorDegree", "second": "MasterDegree", "third": "DoctoralDegree"}
PARTICIPATION = {"online": "online", "onsite": "onsite or blended", "blended": "onsite or blended"}
ASSESSMENT = {
    "written-exam": "testing", "oral-exam": "testing", "online-quiz": "testing",
    "practical-demonstration": "application of a skill", "project": "application of a skill",
    "portfolio": "portfolio", "recognition-of-prior-learning": "recognition of prior learning",
}
SUPERVISION = {  # descriptor -> (Edubadges supervisionType, identityChecked)
    "unsupervised-no-id-check": ("unsupervised with no identity verification", False),
    "supervised-no-id-check": ("supervised with no identity verification", False),
    "supervised-online-id-check": ("supervised online", True),
    "supervised-onsite-id-check": ("onsite with identity verification", True),
}
_OB_LANG = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$")


def _date_time(v: Any) -> str | None:
    """An ISO 8601 date or timestamp as a DateTimeZ (UTC ``Z`` when no offset is given)."""
    s = _text(v)
    m = _STAMP.match(s) if s else None
    if not m:
        return None
    date, time, zone = m.groups()
    time = time or "00:00:00"
    if len(time) == 5:
        time += ":00"
    if not zone:
        zone = "Z"
    elif len(zone) == 5:
        zone = zone[:3] + ":" + zone[3:]
    return f"{date}T{time}{zone}"


def _ob_lang(tag: Any) -> str | None:
    tag = _valid_tag(tag)
    if not tag:
        return None
    parts = tag.split("-")
    out = [parts[0]] + [p.title() if len(p) == 4 else p.upper() for p in parts[1:]]
    s = "-".join(out)
    return s if _OB_LANG.match(s) else (parts[0] if _OB_LANG.match(parts[0]) else None)


def achievement_type(rec: dict[str, Any]) -> str:
    kind = rec.get("credential_type")
    if kind == "qualification":
        return DEGREES.get(rec.get("qf_ehea_cycle") or "", "Certificate")
    return ACHIEVEMENT_TYPES.get(kind or "", "Achievement")


def profile(rec: dict[str, Any], base: str = DEFAULT_BASE) -> dict[str, Any] | None:
    body = rec.get("awarding_body") or {}
    name = _text(body.get("name"))
    if not name:
        return None
    code = (_text(body.get("country")) or _text(rec.get("country")) or "").upper().split("-")[0] or None
    ident = _url(body.get("id"))
    if ident is None:
        key = f"{name.casefold()}\x1f{code or ''}\x1f{_text(body.get('id')) or ''}"
        ident = base.rstrip("/") + "/organisations/" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    prof: dict[str, Any] = {"id": ident, "type": ["Profile"], "name": name}
    country = _country(code) if code else None
    if country:
        prof["address"] = {"type": ["Address"], "addressCountryCode": code, "addressCountry": country[1]}
    if _text(body.get("id")) and _url(body.get("id")) is None:
        prof["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": _text(body["id"]),
                                    "identifierType": "identifier"}]
    return prof


def _alignments(rec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    eqf = rec.get("eqf_level")
    if isinstance(eqf, int) and 1 <= eqf <= 8:
        out.append({"type": ["Alignment"], "targetType": "ext:EQF", "targetName": f"EQF level {eqf}",
                    "targetCode": str(eqf), "targetFramework": "European Qualifications Framework",
                    "targetUrl": EQF_URI.format(eqf)})
    nqf = rec.get("nqf") or {}
    concept = nqf_concept(nqf)
    if concept:
        out.append({"type": ["Alignment"], "targetType": "ext:NQF",
                    "targetName": f"{nqf['framework']} level {nqf['level']}", "targetCode": str(nqf["level"]),
                    "targetFramework": str(nqf["framework"]), "targetUrl": concept[0]})
    for skill in rec.get("esco_skills") or []:
        uri = _url((skill or {}).get("uri"))
        label = _text((skill or {}).get("label"))
        if uri and label:
            out.append({"type": ["Alignment"], "targetName": label, "targetUrl": uri, "targetFramework": "ESCO"})
    return out


def _criteria(rec: dict[str, Any]) -> dict[str, Any] | None:
    crit: dict[str, Any] = {}
    web = _url(rec.get("url"))
    if web:
        crit["id"] = web
    outcomes = [o for o in (_text(x) for x in rec.get("learning_outcomes") or []) if o]
    if outcomes:
        crit["narrative"] = ("Learners who earn this credential have demonstrated these learning outcomes:\n\n"
                             + "\n".join(f"- {o}" for o in outcomes))
    return crit or None


def to_document(rec: dict[str, Any], *, base: str = DEFAULT_BASE, compose_description: bool = False) -> dict[str, Any]:
    """The AchievementCredential of one record, with whatever it has (``to_ob3`` checks it)."""
    root = base.rstrip("/")
    rid = quote(str(rec.get("id") or ""), safe=":-._~")
    prof = profile(rec, base)
    ach: dict[str, Any] = {"id": f"{root}/achievements/{rid}", "type": ["Achievement", "EducredentialAchievement"]}
    title = _text(rec.get("title"))
    if title:
        ach["name"] = title
    desc = _text(rec.get("description")) or (summary_description(rec) if compose_description else None)
    if desc:
        ach["description"] = desc
    crit = _criteria(rec)
    if crit:
        ach["criteria"] = crit
    ach["achievementType"] = achievement_type(rec)
    if prof:
        ach["creator"] = prof
    lang = _ob_lang(rec.get("title_language")) or next(
        (t for t in (_ob_lang(x) for x in rec.get("languages") or []) if t), None)
    if lang:
        ach["inLanguage"] = lang
    if _text(rec.get("source_record_id")):
        ach["humanCode"] = str(rec["source_record_id"])
    aligns = _alignments(rec)
    if aligns:
        ach["alignment"] = aligns
    if rec.get("ects") is not None:
        ach["ECTS"] = _num(rec["ects"])
    hours = rec.get("workload_hours")
    if hours is not None and round(float(hours)) >= 1:
        ach["timeInvestment"] = int(round(float(hours)))
    if rec.get("participation_mode") in PARTICIPATION:
        ach["participationType"] = PARTICIPATION[rec["participation_mode"]]
    assess = next((ASSESSMENT[a] for a in rec.get("assessment_type") or [] if a in ASSESSMENT), None)
    if assess:
        ach["assessmentType"] = assess
    if rec.get("supervision") in SUPERVISION:
        ach["supervisionType"], ach["identityChecked"] = SUPERVISION[rec["supervision"]]

    doc: dict[str, Any] = {"@context": list(CONTEXTS), "id": f"{root}/ob3/credentials/{rid}",
                           "type": ["VerifiableCredential", "AchievementCredential"]}
    if title:
        doc["name"] = title
    if prof:
        doc["issuer"] = prof
    valid_from = _date_time(rec.get("first_seen")) or _date_time(rec.get("start_date"))
    if valid_from:
        doc["validFrom"] = valid_from
    doc["credentialSubject"] = {"type": ["AchievementSubject"], "achievement": ach}
    return doc


# ------------------------------------------------------------------------------------------------
# validation


@functools.lru_cache(maxsize=4)
def _validator(path: str) -> Any:
    from jsonschema import Draft201909Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT201909

    def no_network(uri: str):
        raise NoSuchResource(ref=uri)

    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT201909)
    registry = Registry(retrieve=no_network).with_resource(schema.get("$id", "urn:ob3-schema"), resource)
    return Draft201909Validator(schema, registry=registry)


def _plain(err: Any) -> str:
    where = "/".join(str(p) for p in err.absolute_path) or "credential"
    return f"{where}: {err.message}"


def validate_ob3(doc: dict[str, Any], schema_path: str | os.PathLike = SHARED_SCHEMA) -> list[str]:
    """Schema errors of one document in plain words ([] = valid), against the 1EdTech
    AchievementCredential JSON Schema at ``schema_path`` (read locally; nothing is fetched)."""
    v = _validator(os.fspath(schema_path))
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return list(dict.fromkeys(_plain(e) for e in errors))


# ------------------------------------------------------------------------------------------------
# records -> documents


def _problems(rec: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    reasons = []
    ach = doc["credentialSubject"]["achievement"]
    if "name" not in ach:
        reasons.append("no title (the Achievement needs a name)")
    if "description" not in ach:
        reasons.append("no description (the Achievement needs one)")
    if "criteria" not in ach:
        reasons.append("no criteria (neither learning outcomes nor a web page to describe how it is earned)")
    if "issuer" not in doc:
        reasons.append("no awarding body name (the credential needs an issuer)")
    if "validFrom" not in doc:
        reasons.append("no first_seen or start_date to date the credential (validFrom is required)")
    return reasons


def to_ob3(records: Iterable[dict[str, Any]], *, base: str = DEFAULT_BASE, compose_description: bool = False,
           validate_schema: str | os.PathLike | None = None) -> tuple[list[dict[str, Any]], list[Report]]:
    """(documents of the records that can be expressed, reports of those that cannot)."""
    docs: list[dict[str, Any]] = []
    reports: list[Report] = []
    seen: set[str] = set()
    for rec in records:
        rid, srid = rec.get("id"), rec.get("source_record_id")
        if not rid:
            reports.append(Report(None, srid, ["no catalogue id (the achievement id is derived from it)"]))
            continue
        if str(rid) in seen:
            reports.append(Report(rid, srid, ["duplicate catalogue id (the record with this id was already exported)"]))
            continue
        if rec.get("status") == "withdrawn":
            reports.append(Report(rid, srid, ["withdrawn (no longer in its source's latest delivery): not published"]))
            continue
        doc = to_document(rec, base=base, compose_description=compose_description)
        reasons = _problems(rec, doc)
        if not reasons and validate_schema is not None:
            reasons = validate_ob3(doc, validate_schema)
        if reasons:
            reports.append(Report(rid, srid, reasons))
            continue
        seen.add(str(rid))
        docs.append(doc)
    return docs, reports


def write_ob3(records: Iterable[dict[str, Any]], out: str | os.PathLike, *, reports: list[Report] | None = None,
              **options: Any) -> int:
    """Write a JSON array of the AchievementCredentials to ``out``; returns the number written.
    Records not written are appended to ``reports`` when a list is given. ``options``: as ``to_ob3``."""
    docs, found = to_ob3(records, **options)
    Path(out).write_text(json.dumps(docs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if reports is not None:
        reports.extend(found)
    return len(docs)


# WRITERS-compatible (records, out) -> count
OB3_WRITERS = {"ob3": write_ob3}
