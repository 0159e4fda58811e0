"""CTDL JSON-LD export of the catalogue (Credential Engine Credential Registry), checked against the
registry's JSON Schemas (local copies in ``catalog/schemas/ctdl``, see its ``SOURCE.md``).

    resources, reports = to_ctdl(records)     # resources: one CTDL resource per record written
    n = write_ctdl(records, out)              # {"@context": ..., "@graph": [...]}; returns records written
    errors = validate_ctdl(resource)          # [] when the resource validates

One resource per record, in the registry's current JSON-LD encoding (the one of the Registry
Assistant's 2026 output samples): ``"@context": "https://credreg.net/ctdl/schema/context/json"``,
language maps for texts (``{"en": "..."}``), ``@id`` ``<base>resources/<ctid>``, ``ceterms:ctid``
``ce-<uuid5 of the record id>`` (same record, same CTID on every run and machine). The awarding
body is a ``ceterms:CredentialOrganization`` node of the same ``@graph`` (written once, referenced
by ``ceterms:ownedBy``).

``@type`` from ``credential_type``: micro-credential / micromasters / nanodegree ->
``ceterms:MicroCredential``; digital-badge -> ``ceterms:DigitalBadge``; verified-certificate ->
``ceterms:CertificateOfCompletion``; professional-certificate -> ``ceterms:Certificate``;
qualification -> by QF-EHEA cycle ``ceterms:AssociateDegree`` (short) / ``BachelorDegree`` /
``MasterDegree`` / ``DoctoralDegree``, else ``ceterms:Certificate``; course -> ``ceterms:Course``
(a learning opportunity, not a credential: checked against the learning-opportunity schema).
``other`` and a missing type are reported (CTDL has no "credential of unknown kind" the registry
accepts) unless ``default_credential_type`` names the type to assume.

Properties: ``ceterms:name`` / ``ceterms:description`` (language ``title_language``, else ``en``;
further ``titles``), ``ceterms:subjectWebpage`` (``url``), ``ceterms:inLanguage``,
``ceterms:ownedBy``, ``ceterms:credentialStatusType`` ``credentialStat:Active`` (courses:
``ceterms:lifeCycleStatusType`` ``lifeCycle:Active``), ``ceterms:estimatedDuration``
(``duration`` as ``exactDuration``), ``ceterms:creditValue`` (``schema:QuantitativeValue`` with
``schema:value`` = ECTS and ``schema:unitText`` "ECTS": the CTDL CreditUnit concept scheme has no
ECTS concept in the stored CTDL material, so no ``creditUnitType`` concept is invented; plus
``ceterms:creditUnitTypeDescription``), ``ceterms:learningDeliveryType`` (``deliveryType:OnlineOnly``
/ ``InPerson`` / ``BlendedDelivery``), ``ceterms:assessmentMethodType`` (``assessMethod:Exam`` /
``Performance`` / ``Artifact``), ``ceterms:requires`` (a ConditionProfile whose
``targetCompetency`` are the learning outcomes; courses: ``ceterms:teaches``),
``ceterms:entryCondition`` (prerequisites), ``ceterms:dateEffective`` (``start_date``),
``ceterms:codedNotation`` (``source_record_id``).
Not written (no CTDL property the registry schema can check, or one that needs data the
catalogue lacks): EQF / NQF level, ISCED-F, ESCO skills, price (a CostProfile needs a
``costDetails`` URL), quality assurance (an accrediting organisation node needs more than a name).

Which records are written: those whose resource validates (``validate_ctdl``). The registry
requires a description and a subject webpage: a record without them is reported unless
``compose_description=True`` (a description composed from the record's own facts) and / or
``webpage_template`` (e.g. ``"https://clearinghouse.example/credentials/{id}"``, the catalogue's
page of the record) are given. Withdrawn records are reported (publishing them as Active would be
false). Reports are ``catalog.elm_export.Report``.

Schema drift (documented in ``catalog/schemas/ctdl/SOURCE.md``): the stored registry schemas are
draft-04 files that still describe the 2017 encoding (``http://`` context, plain strings); the
registry's current output uses ``https://`` and language maps. ``validate_ctdl`` therefore checks
against the copied schema with a small in-memory overlay (``SCHEMA_OVERLAY``) and nothing else
changed; ``strict=True`` uses the files exactly as copied.
"""
from __future__ import annotations

import copy
import functools
import json
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalog.elm_export import Report, _country, _lang_tag, _text, _valid_tag

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
DEFAULT_BASE = "https://clearinghouse.example/"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "ctdl"
CREDENTIAL_SCHEMA = SCHEMA_DIR / "credential.json"
LOPP_SCHEMA = SCHEMA_DIR / "learning_opportunity_profile.json"
# namespace of the uuid5 CTIDs (itself a uuid5 of the catalogue's URL): never change it, or every
# published CTID changes
CTID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearinghouse.example/ctid")

MICRO = "ceterms:MicroCredential"
TYPES = {
    "micro-credential": MICRO,
    "micromasters": MICRO,
    "nanodegree": MICRO,
    "digital-badge": "ceterms:DigitalBadge",
    "verified-certificate": "ceterms:CertificateOfCompletion",
    "professional-certificate": "ceterms:Certificate",
    "course": "ceterms:Course",
}
DEGREES = {"short": "ceterms:AssociateDegree", "first": "ceterms:BachelorDegree",
           "second": "ceterms:MasterDegree", "third": "ceterms:DoctoralDegree"}
LEARNING_TYPES = frozenset({"ceterms:Course", "ceterms:LearningProgram", "ceterms:LearningOpportunityProfile"})
DELIVERY = {"online": ("deliveryType:OnlineOnly", "Online Only"),
            "onsite": ("deliveryType:InPerson", "In Person"),
            "blended": ("deliveryType:BlendedDelivery", "Blended Delivery")}
ASSESS = {"written-exam": ("assessMethod:Exam", "Exam"), "oral-exam": ("assessMethod:Exam", "Exam"),
          "online-quiz": ("assessMethod:Exam", "Exam"),
          "practical-demonstration": ("assessMethod:Performance", "Performance"),
          "project": ("assessMethod:Artifact", "Artifact"), "portfolio": ("assessMethod:Artifact", "Artifact")}
TYPE_WORDS = {"micro-credential": "Micro-credential", "micromasters": "MicroMasters programme credential",
              "nanodegree": "Nanodegree", "digital-badge": "Digital badge",
              "verified-certificate": "Verified certificate", "professional-certificate": "Professional certificate",
              "course": "Course", "qualification": "Qualification", "other": "Credential"}

_URL_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$", re.I)
_DURATION = re.compile(r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                       r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


# ------------------------------------------------------------------------------------------------
# identifiers


def ctid(record_id: str) -> str:
    """``ce-<uuid5>`` of a catalogue record id: stable across runs and machines."""
    return "ce-" + str(uuid.uuid5(CTID_NAMESPACE, str(record_id)))


def resource_id(the_ctid: str, base: str = DEFAULT_BASE) -> str:
    return base.rstrip("/") + "/resources/" + the_ctid


def _url(v: Any) -> str | None:
    s = _text(v)
    return s if s and _URL_OK.match(s) else None


def _lang_map(rec: dict[str, Any], text: str) -> dict[str, str]:
    return {_lang_tag(rec): text}


def _cao(framework: str, framework_name: str, node: str, name: str) -> dict[str, Any]:
    return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": framework,
            "ceterms:frameworkName": {"en": framework_name}, "ceterms:targetNode": node,
            "ceterms:targetNodeName": {"en": name}}


def _num(v: Any) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() else f


def ctdl_type(rec: dict[str, Any], default_credential_type: str | None = None) -> str | None:
    kind = rec.get("credential_type") or default_credential_type
    if kind == "qualification":
        return DEGREES.get(rec.get("qf_ehea_cycle") or "", "ceterms:Certificate")
    return TYPES.get(kind or "")


def summary_description(rec: dict[str, Any], credential_type: str | None = None) -> str | None:
    """A description composed only of the record's own facts (for ``compose_description``)."""
    body = rec.get("awarding_body") or {}
    parts = []
    kind = TYPE_WORDS.get(rec.get("credential_type") or credential_type or "", "Credential")
    name = _text(body.get("name"))
    if name:
        country = _country(_text(body.get("country")) or _text(rec.get("country")) or "")
        parts.append(f"{kind} awarded by {name}" + (f" ({country[1]})" if country else "") + ".")
    if rec.get("ects") is not None:
        parts.append(f"{_num(rec['ects'])} ECTS credits.")
    elif rec.get("workload_hours") is not None:
        parts.append(f"{_num(rec['workload_hours'])} hours of notional learning.")
    nqf = rec.get("nqf") or {}
    if isinstance(rec.get("eqf_level"), int):
        level = f"EQF level {rec['eqf_level']}"
        if nqf.get("framework") and nqf.get("level"):
            level += f" ({nqf['framework']} level {nqf['level']})"
        parts.append(level + ".")
    if rec.get("participation_mode"):
        parts.append(f"Participation: {rec['participation_mode']}.")
    outcomes = [o for o in (_text(x) for x in rec.get("learning_outcomes") or []) if o]
    if outcomes:
        parts.append("Learning outcomes: " + " ".join(o if o.endswith(".") else o + "." for o in outcomes))
    return " ".join(parts) or None


# ------------------------------------------------------------------------------------------------
# one record


def _org_ctid(body: dict[str, Any], country: str | None) -> str:
    key = f"org\x1f{(_text(body.get('name')) or '').casefold()}\x1f{country or ''}\x1f{_text(body.get('id')) or ''}"
    return ctid(key)


def organisation(rec: dict[str, Any], base: str = DEFAULT_BASE) -> dict[str, Any] | None:
    """The awarding body as a ``ceterms:CredentialOrganization`` node, or None without a name."""
    body = rec.get("awarding_body") or {}
    name = _text(body.get("name"))
    if not name:
        return None
    country_code = (_text(body.get("country")) or _text(rec.get("country")) or "").upper() or None
    the_ctid = _org_ctid(body, country_code)
    org: dict[str, Any] = {"@id": resource_id(the_ctid, base), "@type": "ceterms:CredentialOrganization",
                           "ceterms:ctid": the_ctid, "ceterms:name": {"en": name}}
    country = _country(country_code) if country_code else None
    if country:
        org["ceterms:address"] = [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": country[1]}}]
    web = _url(body.get("id"))
    if web:
        org["ceterms:subjectWebpage"] = web
    elif _text(body.get("id")):
        org["ceterms:identifier"] = [{"@type": "ceterms:IdentifierValue", "ceterms:identifierValue": _text(body["id"])}]
    return org


REGISTRY_RESOURCES = "https://credentialengineregistry.org/resources/"
_REGISTRY_CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def registry_owner(rec: dict[str, Any]) -> str | None:
    """The awarding body as the Credential Registry's own resource URI, where the record knows it
    only by its registry CTID or URI (a registry record's ``ownedBy``): a reference, no node."""
    body_id = _text((rec.get("awarding_body") or {}).get("id")) or ""
    if body_id.startswith(REGISTRY_RESOURCES) and _REGISTRY_CTID.match(body_id[len(REGISTRY_RESOURCES):]):
        return body_id
    return REGISTRY_RESOURCES + body_id.lower() if _REGISTRY_CTID.match(body_id) else None


def to_resource(rec: dict[str, Any], *, base: str = DEFAULT_BASE, compose_description: bool = False,
                webpage_template: str | None = None, default_credential_type: str | None = None,
                org: dict[str, Any] | None = None) -> dict[str, Any]:
    """The CTDL resource of one record, with whatever it has (``to_ctdl`` validates it)."""
    the_ctid = ctid(rec["id"])
    typ = ctdl_type(rec, default_credential_type)
    res: dict[str, Any] = {"@id": resource_id(the_ctid, base), "@type": typ or "ceterms:Credential",
                           "ceterms:ctid": the_ctid}
    lang = _lang_tag(rec)
    title = _text(rec.get("title"))
    if title:
        names = {lang: title}
        for tl, t in sorted((rec.get("titles") or {}).items()):
            tl = _valid_tag(tl)
            if tl and tl not in names and _text(t):
                names[tl] = _text(t)
        res["ceterms:name"] = names
    desc = _text(rec.get("description")) or (
        summary_description(rec, default_credential_type) if compose_description else None)
    if desc:
        res["ceterms:description"] = {lang: desc}
    web = _url(rec.get("url"))
    if web is None and webpage_template and rec.get("id"):
        from urllib.parse import quote
        web = webpage_template.format(id=quote(str(rec["id"]), safe=":-._~"), ctid=the_ctid)
    if web:
        res["ceterms:subjectWebpage"] = web
    if typ in LEARNING_TYPES:
        res["ceterms:lifeCycleStatusType"] = _cao("https://credreg.net/ctdl/terms/LifeCycleStatus",
                                                  "Life Cycle Status", "lifeCycle:Active", "Active")
    else:
        res["ceterms:credentialStatusType"] = _cao("https://credreg.net/ctdl/terms/CredentialStatus",
                                                   "Credential Status", "credentialStat:Active", "Active")
    langs = [t for t in (_valid_tag(x) for x in rec.get("languages") or []) if t]
    if langs:
        res["ceterms:inLanguage"] = list(dict.fromkeys(langs))
    if org is None:
        org = organisation(rec, base)
    if org is not None:
        res["ceterms:ownedBy"] = [org["@id"]]
    elif registry_owner(rec):
        res["ceterms:ownedBy"] = [registry_owner(rec)]
    if _text(rec.get("source_record_id")):
        res["ceterms:codedNotation"] = str(rec["source_record_id"])
    duration = _text(rec.get("duration"))
    if duration and _DURATION.match(duration):
        res["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": duration}]
    if rec.get("ects") is not None:
        res["ceterms:creditValue"] = [{
            "@type": "schema:QuantitativeValue", "schema:value": _num(rec["ects"]), "schema:unitText": "ECTS",
            "schema:description": {"en": "ECTS credits (European Credit Transfer and Accumulation System)"}}]
        res["ceterms:creditUnitTypeDescription"] = {"en": "ECTS"}
    mode = DELIVERY.get(rec.get("participation_mode") or "")
    if mode:
        res["ceterms:learningDeliveryType"] = [_cao("https://credreg.net/ctdl/terms/Delivery", "Delivery Type", *mode)]
    methods = list(dict.fromkeys(ASSESS[a] for a in rec.get("assessment_type") or [] if a in ASSESS))
    if methods:
        res["ceterms:assessmentMethodType"] = [
            _cao("https://credreg.net/ctdl/terms/AssessmentMethod", "Assessment Method", *m) for m in methods]
    outcomes = [o for o in (_text(x) for x in rec.get("learning_outcomes") or []) if o]
    if outcomes:
        comps = [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": {lang: o}} for o in outcomes]
        if typ in LEARNING_TYPES:
            res["ceterms:teaches"] = comps
        else:
            res["ceterms:requires"] = [{"@type": "ceterms:ConditionProfile",
                                        "ceterms:description": {"en": "The learning outcomes the holder has demonstrated."},
                                        "ceterms:targetCompetency": comps}]
    prereq = _text(rec.get("prerequisites"))
    if prereq:
        res["ceterms:entryCondition"] = [{"@type": "ceterms:ConditionProfile", "ceterms:description": {lang: prereq}}]
    start = _text(rec.get("start_date"))
    if start and _DATE.match(start):
        res["ceterms:dateEffective"] = start[:10]
    return res


# ------------------------------------------------------------------------------------------------
# validation

# What the in-memory overlay changes in the copied draft-04 schemas (and nothing else): the
# registry's current encoding (https context, language maps) is accepted besides the 2017 one, and
# ceterms:Course / ceterms:LearningProgram are checked with the learning-opportunity definition.
_LANG_MAP = {"type": "object", "minProperties": 1, "additionalProperties": False,
             "patternProperties": {r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$": {"type": "string"}}}
_LANG_MAP_MULTI = {"type": "object", "minProperties": 1, "additionalProperties": False,
                   "patternProperties": {r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$":
                                         {"type": "array", "items": {"type": "string"}}}}
SCHEMA_OVERLAY = {
    "@context": "enum: also https://credreg.net/ctdl/schema/context/json",
    "meta:langstring": "a string, or a language map {tag: string}",
    "meta:langstring_multi": "an array of strings, or a language map {tag: [string]}",
    "ceterms:LearningOpportunityProfile/@type": "enum: also ceterms:Course, ceterms:LearningProgram",
}


def _overlay(schema: dict[str, Any]) -> dict[str, Any]:
    s = copy.deepcopy(schema)
    d = s["definitions"]
    d["@context"]["enum"] = list(dict.fromkeys(d["@context"]["enum"] + [CONTEXT]))
    d["meta:langstring"] = {"anyOf": [{"type": "string"}, _LANG_MAP]}
    d["meta:langstring_multi"] = {"anyOf": [{"type": "array", "items": {"$ref": "#/definitions/meta:langstring"}},
                                            _LANG_MAP_MULTI]}
    lopp = d.get("ceterms:LearningOpportunityProfile")
    if lopp:
        t = lopp["properties"]["@type"]
        t["enum"] = list(dict.fromkeys(t["enum"] + ["ceterms:Course", "ceterms:LearningProgram"]))
    return s


@functools.lru_cache(maxsize=4)
def _validators(strict: bool) -> dict[str, Any]:
    """{'credential': validator, 'learning': validator, 'defs': {...}} over the local copies only."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT4

    def no_network(uri: str):
        raise NoSuchResource(ref=uri)

    out: dict[str, Any] = {}
    resources = []
    for key, path in (("credential", CREDENTIAL_SCHEMA), ("learning", LOPP_SCHEMA)):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if not strict:
            schema = _overlay(schema)
        uri = "urn:clearinghouse:ctdl-schema:" + path.name
        schema = {**schema, "id": uri}
        out[key] = schema
        resources.append((uri, Resource.from_contents(schema, default_specification=DRAFT4)))
    registry = Registry(retrieve=no_network).with_resources(resources)
    for key in ("credential", "learning"):
        out[key + "_validator"] = Draft4Validator(out[key], registry=registry)
    return out


def _plain(err: Any) -> str:
    where = "/".join(str(p) for p in err.absolute_path)
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"{where + ': ' if where else ''}{missing} is missing (required by the registry schema)"
    if err.validator == "enum" and where.endswith("@type"):
        return f"@type {err.instance!r} is not a type this registry schema describes"
    return f"{where or 'resource'}: {err.message}"


def validate_ctdl(resource: dict[str, Any], *, strict: bool = False) -> list[str]:
    """Schema errors of one resource in plain words ([] = valid). Credentials are checked against
    the definition of their ``@type`` in ``credential.json`` (and the whole schema's ``anyOf``),
    learning opportunities against ``learning_opportunity_profile.json``."""
    v = _validators(strict)
    typ = resource.get("@type")
    if typ in LEARNING_TYPES:
        errors = sorted(v["learning_validator"].iter_errors(resource), key=lambda e: list(e.absolute_path))
        return list(dict.fromkeys(_plain(e) for e in errors))
    schema = v["credential"]
    if typ not in schema["definitions"]:
        return [f"@type {typ!r} is not one of the credential types of the registry schema"]
    validator = v["credential_validator"]
    sub = validator.evolve(schema={"allOf": [{"$ref": schema["id"] + "#/definitions/" + typ}]})
    errors = sorted(sub.iter_errors(resource), key=lambda e: list(e.absolute_path))
    out = list(dict.fromkeys(_plain(e) for e in errors))
    if not out and not validator.is_valid(resource):  # the anyOf of the whole schema
        out.append("resource: not valid under the registry schema's anyOf of credential types")
    return out


# ------------------------------------------------------------------------------------------------
# records -> resources


def to_ctdl(records: Iterable[dict[str, Any]], *, base: str = DEFAULT_BASE, compose_description: bool = False,
            webpage_template: str | None = None, default_credential_type: str | None = None,
            strict_schema: bool = False) -> tuple[list[dict[str, Any]], list[Report]]:
    """(graph items: the valid resources, then the organisations they own-reference; reports of
    the records not written, with the reasons in plain words)."""
    resources: list[dict[str, Any]] = []
    orgs: dict[str, dict[str, Any]] = {}
    reports: list[Report] = []
    seen: set[str] = set()
    for rec in records:
        reasons: list[str] = []
        if not rec.get("id"):
            reports.append(Report(None, rec.get("source_record_id"), ["no catalogue id (the CTID is derived from it)"]))
            continue
        if str(rec["id"]) in seen:
            reports.append(Report(rec["id"], rec.get("source_record_id"),
                                  ["duplicate catalogue id (the record with this id was already exported)"]))
            continue
        if rec.get("status") == "withdrawn":
            reports.append(Report(rec["id"], rec.get("source_record_id"), [
                "withdrawn (no longer in its source's latest delivery): not published as an Active credential"]))
            continue
        if ctdl_type(rec, default_credential_type) is None:
            kind = rec.get("credential_type")
            reasons.append(f"credential type {kind!r} has no CTDL credential class the registry schema accepts"
                           if kind else "no credential type (CTDL needs a credential class; none is assumed)")
        org = organisation(rec, base)
        if org is None and registry_owner(rec) is None:
            reasons.append("no awarding body name (ceterms:ownedBy needs an organisation)")
        res = to_resource(rec, base=base, compose_description=compose_description,
                          webpage_template=webpage_template, default_credential_type=default_credential_type, org=org)
        if not reasons:
            reasons.extend(validate_ctdl(res, strict=strict_schema))
        if reasons:
            reports.append(Report(rec["id"], rec.get("source_record_id"), reasons))
            continue
        seen.add(str(rec["id"]))
        resources.append(res)
        if org is not None:
            orgs.setdefault(org["@id"], org)
    return resources + list(orgs.values()), reports


def document(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": CONTEXT, "@graph": items}


def write_ctdl(records: Iterable[dict[str, Any]], out: str | os.PathLike, *, reports: list[Report] | None = None,
               **options: Any) -> int:
    """Write ``{"@context", "@graph"}`` to ``out``; returns the number of records written. Records
    not written are appended to ``reports`` when a list is given. ``options``: as ``to_ctdl``."""
    items, found = to_ctdl(records, **options)
    Path(out).write_text(json.dumps(document(items), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if reports is not None:
        reports.extend(found)
    return sum(1 for r in items if r.get("@type") != "ceterms:CredentialOrganization")


# WRITERS-compatible (records, out) -> count
CTDL_WRITERS = {"ctdl-jsonld": write_ctdl}
