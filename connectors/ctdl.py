"""Credential Engine CTDL JSON-LD: registry records, ``@graph`` documents and registry envelopes.

    info = FileInfo(path=p, format="ctdl", sha256=sha256_of(p), size=os.path.getsize(p))
    for batch in read_ctdl(p, info, batch_size=1000):
        ...   # candidate field names as columns, one row per credential / learning opportunity

What one document gives (one record per *top-level resource* that is a credential, a learning
opportunity or a course; resources embedded inside another one, e.g. an AssessmentProfile inside a
ConditionProfile, are read only as facts of their parent):

- a single resource (``{"@type": "ceterms:Certificate", ...}``): one record, locator ``/``;
- an ``@graph`` document: one record per credential resource in the graph (``/@graph/3``); the
  organizations, competencies and other resources of the graph are not records but are used to
  resolve references (the owner's name and country, competency texts);
- a registry envelope (``{"envelope_ceterms_ctid": ..., "decoded_resource": {...}}``): the same
  for its ``decoded_resource`` (``/decoded_resource/@graph/0``); an envelope that has only the
  signed ``resource`` (a JWT) is read from its payload (decoded locally, the signature is not
  checked); a JSON array of envelopes or resources: each in turn (``/2/decoded_resource``);
- a Registry Assistant "graph" publish request (``{"GraphInput": {"@graph": [...]}}``) and a W3C
  verifiable credential whose ``credentialSubject.achievement`` holds CTDL resources
  (``/credentialSubject/achievement/1``).

Credential resources: ``ceterms:Credential`` and all its subclasses (``CREDENTIAL_TYPES``, taken
from the Credential Registry's ``subclasses_map.json``; a ``ceterms:`` type not listed whose name
ends in Degree, Certificate, Credential, Diploma, Badge, License, Certification or Doctorate is
taken as a newer subclass), plus ``LEARNING_TYPES`` (LearningOpportunityProfile, LearningProgram,
Course). A node that only names an ``@id`` (a reference with no description) is not a record.
Other typed resources (organizations, competencies, condition / cost manifests, assessments...)
are counted in ``FileInfo.warnings``; a graph item that is not a typed object is kept as an error
record. A document with no credential resource at all raises SourceFileError naming what it holds.

Fields (values as the document gives them; the crosswalks normalise): ``ceterms:ctid`` (else
``@id``) -> source_record_id; ``ceterms:name`` -> title (English when the language map has it,
else the first) + title_language, other languages -> ``title@<lang>``; ``ceterms:description`` ->
description (same language as the title); the type -> credential_type as words
("Digital Badge", "Bachelor Degree", "Course"; ``x_ctdl_type`` keeps ``ceterms:DigitalBadge``);
``ownedBy`` (else ``offeredBy``) resolved in the document -> awarding_body_name / awarding_body_id
(CTID, else the URI) / country (the organization's address); ``subjectWebpage`` -> url (compact
IRIs expanded with the document's own prefixes); ``inLanguage`` -> languages; ``estimatedDuration``
exactDuration -> duration (a min/max range -> ``x_duration_range``); ``creditValue`` (value +
creditUnitType, also the older creditHourValue / creditUnitValue) -> credit + credit_unit
(SemesterHour -> "US semester credit hours", QuarterHour -> "US quarter credit hours",
ContinuingEducationUnit -> "CEU", ECTS -> "ECTS", other units as the CTDL term, e.g.
"creditUnit:DegreeCredit", which no crosswalk converts); ``deliveryType`` / ``learningDeliveryType``
-> participation_mode ("online", "onsite", "blended", several joined with "; ");
``assessmentMethodType`` -> assessment_type ("exam", "practical demonstration", "portfolio or
project"); ``estimatedCost`` -> price + price_currency (the aggregate cost, else tuition, else the
only priced cost; every cost in ``x_costs``); ``dateEffective`` -> start_date, ``expirationDate``
-> end_date; ``accreditedBy`` / ``approvedBy`` / ``recognizedBy`` / ``regulatedBy`` ->
quality_assurance ("Accredited by NAME") + qa_body; competencies (``requires`` condition
``targetCompetency``, ``ceasn:Competency`` nodes in ``requires`` / ``teaches``, resolved in the
graph) -> learning_outcomes (one per line); ``entryCondition`` -> prerequisites. Kept raw in
``x_`` columns: audience level, ``atLevel`` / credential level, status and life cycle, keywords,
subjects, NAICS / industry, occupations (SOC / O*NET), CIP codes, ``isPartOf`` / ``hasPart`` and
other connections (URIs; ``isPartOf``, ``isAdvancedStandingFor`` and the inverse of a ``hasPart``
in the same document also -> stackability "stackable" and stacks_into: the larger credential's name
when the document describes it, else its CTID or reference), required credit of the ``requires``
conditions, condition texts, alternate names, coded notation, image, envelope CTID.
``x_unread_properties`` names the resource's properties that no column holds.

Safety: the document is size-checked and parsed whole (``connectors.safe.load_json``, which also
reads a UTF-8 BOM); every remote ``@context`` must be in safe's allow-list, which names the CTDL
contexts by URL only (never fetched: keys are read as written, JSON-LD is not expanded).
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections import Counter
from typing import Any, Iterator

from . import safe
from .base import FileInfo, RawBatch, SourceFileError, batches_of, clip, display_name, plural
from .ctdl_assistant import _REQUEST_KEYS, _Assistant, _assistant_input, _request_resources, looks_like_assistant_input
from .ctdl_terms import (
    CREDENTIAL_TYPES, LEARNING_TYPES, SEP, _CTID, _CURIE, _WEB, _as_list,
    _is_ctdl_type, _is_envelope, _join, _local, _node_id, _put, _record_type, _s, _type_values,
)

__all__ = ["CREDENTIAL_TYPES", "LEARNING_TYPES", "UNIT_NOT_STATED", "check_contexts", "looks_like_assistant_input",
           "looks_like_ctdl", "read_ctdl"]


CREDIT_UNITS = {  # creditUnit:<term> -> unit text the credit crosswalk knows
    "semesterhour": "US semester credit hours",
    "semesterhours": "US semester credit hours",
    "quarterhour": "US quarter credit hours",
    "quarterhours": "US quarter credit hours",
    "continuingeducationunit": "CEU",
    "ceu": "CEU",
    "ects": "ECTS",
    "europeancredittransfersystem": "ECTS",
    "europeancredittransferandaccumulationsystem": "ECTS",
}
DELIVERY = {  # deliveryType:<term> -> participation_mode text
    "onlineonly": "online",
    "online": "online",
    "inperson": "onsite",
    "blendeddelivery": "blended",
    "blended": "blended",
}
ASSESSMENT = {  # assessMethod:<term> -> assessment text (CTDL definitions)
    "exam": "exam",
    "performance": "practical demonstration",
    "artifact": "portfolio or project",
}
QA_PROPERTIES = (("accreditedBy", "Accredited by"), ("approvedBy", "Approved by"),
                 ("recognizedBy", "Recognized by"), ("regulatedBy", "Regulated by"))

# properties read into some column (the rest are named in x_unread_properties)
_READ = {
    "@id", "id", "@type", "type", "@context", "ceterms:ctid", "ceterms:name", "ceterms:description",
    "ceterms:ownedBy", "ceterms:offeredBy", "ceterms:subjectWebpage", "ceterms:inLanguage",
    "ceterms:estimatedDuration", "ceterms:creditValue", "ceterms:creditHourValue", "ceterms:creditHourType",
    "ceterms:creditUnitValue", "ceterms:creditUnitType", "ceterms:creditUnitTypeDescription",
    "ceterms:deliveryType", "ceterms:learningDeliveryType", "ceterms:deliveryTypeDescription",
    "ceterms:assessmentMethodType", "ceterms:assessmentMethodDescription", "ceterms:estimatedCost",
    "ceterms:dateEffective", "ceterms:expirationDate", "ceterms:accreditedBy", "ceterms:approvedBy",
    "ceterms:recognizedBy", "ceterms:regulatedBy", "ceterms:requires", "ceterms:teaches",
    "ceterms:entryCondition", "ceterms:audienceLevelType", "ceterms:atLevel", "ceterms:credentialLevel",
    "ceterms:credentialStatusType", "ceterms:lifeCycleStatusType", "ceterms:keyword", "ceterms:subject",
    "ceterms:naics", "ceterms:industryType", "ceterms:occupationType", "ceterms:instructionalProgramType",
    "ceterms:isPartOf", "ceterms:hasPart", "ceterms:isRequiredFor", "ceterms:isPreparationFor",
    "ceterms:isAdvancedStandingFor", "ceterms:isRecommendedFor", "ceterms:preparationFrom",
    "ceterms:advancedStandingFrom", "ceterms:alternateName", "ceterms:codedNotation", "ceterms:image",
    "ceterms:availableOnlineAt", "ceterms:degreeConcentration", "ceterms:degreeMajor",
    "ceterms:credentialType", "ceterms:inQualificationsFramework", "ceterms:learningMethodType",
    "ceterms:availableAt",
}
_CONNECTIONS = ("isPartOf", "hasPart", "isRequiredFor", "isPreparationFor", "isAdvancedStandingFor",
                "isRecommendedFor", "preparationFrom", "advancedStandingFrom")




def _primary(lang: str | None) -> str | None:
    """The primary subtag of a language tag, lower case: 'en-US' / 'en_us' / 'EN' -> 'en'."""
    if not lang or not isinstance(lang, str):
        return None
    return re.split(r"[-_]", lang.strip(), maxsplit=1)[0].lower() or None


def _is_english(lang: str | None) -> bool:
    return _primary(lang) == "en"


def _lang_pairs(v: Any) -> list[tuple[str | None, Any]]:
    """(language, value) pairs of a plain value, a language map or JSON-LD value objects."""
    if v is None:
        return []
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        return [(None, v)]
    if isinstance(v, dict):
        if "@value" in v:
            return [(v.get("@language"), v["@value"])]
        if any(k.startswith("@") or ":" in k for k in v):
            return []  # a node, not a language map
        return [(k, t) for k, t in v.items()]
    if isinstance(v, list):
        out: list[tuple[str | None, Any]] = []
        for item in v:
            out.extend(_lang_pairs(item))
        return out
    return []


def _texts(v: Any, lang: str | None = None) -> list[str]:
    """All text values of ``v`` in one language: ``lang`` when the map has it, else English, else
    the first language given (lists inside a language map are flattened)."""
    pairs = [(lg, t) for lg, t in _lang_pairs(v)]
    if not pairs:
        return []
    langs = [lg for lg, _t in pairs]
    chosen = None
    if lang and lang in langs:
        chosen = lang
    elif lang and any(lg and lg.lower() == lang.lower() for lg in langs):
        chosen = next(lg for lg in langs if lg and lg.lower() == lang.lower())
    elif lang and any(lg and _primary(lg) == _primary(lang) for lg in langs):  # 'en-US' title, 'en' text
        chosen = next(lg for lg in langs if lg and _primary(lg) == _primary(lang))
    elif any(_is_english(lg) for lg in langs):
        chosen = next(lg for lg in langs if _is_english(lg))
    else:
        chosen = langs[0]
    out = []
    for lg, t in pairs:
        if lg == chosen or lg is None:
            for item in _as_list(t):
                s = _s(item) if isinstance(item, (str, int, float)) else None
                if s:
                    out.append(s)
    return out


def _text(v: Any, lang: str | None = None, sep: str = SEP) -> str | None:
    return _join(_texts(v, lang), sep)


def _pointer(*tokens: Any) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


# ------------------------------------------------------------------------------------------------
# @context allow-list: connectors/contexts/known_contexts.json lists the CTDL contexts (by URL only)


def check_contexts(doc: Any, name: str, path: str | os.PathLike | None = None) -> list[str]:
    return safe.check_jsonld_contexts(doc, name, path)


def _prefixes(doc: Any) -> dict[str, str]:
    """Prefix -> IRI from the document's inline @context objects (for compact IRIs such as
    ``find:credential/0000``)."""
    out: dict[str, str] = {}
    if not isinstance(doc, dict):
        return out
    for ctx in _as_list(doc.get("@context")):
        if isinstance(ctx, dict):
            for k, v in ctx.items():
                if isinstance(v, str) and not k.startswith("@") and _WEB.match(v):
                    out.setdefault(k, v)
    return out


def _expand(value: str | None, prefixes: dict[str, str]) -> str | None:
    if not value or _WEB.match(value):
        return value
    m = _CURIE.match(value)
    if m and m.group(1) in prefixes:
        return prefixes[m.group(1)] + m.group(2)
    return value


# ------------------------------------------------------------------------------------------------
# detection


def _envelope_resource(env: dict) -> Any:
    """The resource of a registry envelope: ``decoded_resource``, else the payload of the signed
    ``resource`` (JWT; decoded here, the signature is not checked), else None."""
    decoded = env.get("decoded_resource")
    if isinstance(decoded, (dict, list)):
        return decoded
    token = env.get("resource")
    if isinstance(token, str) and token.count(".") == 2 and len(token) < 50_000_000:
        payload = token.split(".")[1]
        try:
            data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            return json.loads(data.decode("utf-8-sig"))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            return None
    return None




def _achievements(obj: dict) -> list[tuple[Any, tuple]]:
    out = []
    subjects = obj.get("credentialSubject")
    many_s = isinstance(subjects, list)
    for i, subject in enumerate(_as_list(subjects)):
        if not isinstance(subject, dict):
            continue
        base = ("credentialSubject",) + ((i,) if many_s else ())
        ach = subject.get("achievement")
        if isinstance(ach, list):
            out.extend((a, base + ("achievement", j)) for j, a in enumerate(ach))
        elif isinstance(ach, dict):
            out.append((ach, base + ("achievement",)))
    return out


def looks_like_ctdl(obj: Any) -> bool:
    """True for a parsed JSON document that is (or holds) CTDL: an object (or the items of an
    ``@graph``, a list, a registry envelope's ``decoded_resource``, a Registry Assistant
    ``GraphInput``, a verifiable credential's ``credentialSubject.achievement``) whose ``@type``
    starts with ``ceterms:`` or ``ceasn:``; or a registry envelope. Looks at up to 20 items of a
    list and never raises."""
    if isinstance(obj, dict) and ("$schema" in obj or ("definitions" in obj and "@type" not in obj)):
        return False  # a JSON Schema about CTDL, not CTDL data
    try:
        return _looks(obj, 0)
    except Exception:  # detection never raises
        return False


def _looks(obj: Any, depth: int) -> bool:
    if depth > 4:
        return False
    if isinstance(obj, list):
        return any(_looks(item, depth + 1) for item in obj[:20])
    if not isinstance(obj, dict):
        return False
    if _is_envelope(obj):
        return True
    if any(_is_ctdl_type(t) for t in _type_values(obj)):
        return True
    for key in ("@graph", "GraphInput", "data"):
        if key in obj and _looks(obj[key], depth + 1):
            return True
    return any(any(_is_ctdl_type(t) for t in _type_values(a)) for a, _p in _achievements(obj))


def _assistant_units(doc: Any, prefix: tuple) -> list["_Unit"] | None:
    """The units of an Assistant input (one per request; a JSON array gives one per item), or
    None when ``doc`` is not one."""
    if isinstance(doc, list):
        if not looks_like_assistant_input(doc):
            return None
        units: list[_Unit] = []
        for i, item in enumerate(doc):
            found = _assistant_units(item, prefix + (i,))
            if found is None:
                units.append(_Unit([(item, _pointer(*prefix, i))], item, {}))
            else:
                units.extend(found)
        return units
    found = _request_resources(doc)
    if found is None:
        return None
    request = doc if any(path for _k, _r, path in found) else {}
    conv = _Assistant(request)
    items = []
    for kind, res, path in found:
        loc = _pointer(*prefix, *path) or "/"
        items.append((conv.resource(res, kind) if isinstance(res, dict) else res, loc))
    unit = _Unit(items, {"@graph": [obj for obj, _loc in items]}, {})
    unit.request = {k: v for k, v in doc.items() if k in _REQUEST_KEYS} or None
    return [unit]


# ------------------------------------------------------------------------------------------------
# the resources of a document


class _Unit:
    """The resources of one graph (a document, an envelope's resource, a GraphInput), an index of
    its nodes by @id and CTID for resolving references, and its compact-IRI prefixes."""

    def __init__(self, items: list[tuple[Any, str]], root: Any, prefixes: dict[str, str],
                 envelope: dict | None = None):
        self.items = items
        self.prefixes = prefixes
        self.envelope = envelope
        self.request: dict | None = None  # the request properties of a Registry Assistant input
        self.by_id: dict[str, dict] = {}
        self.by_ctid: dict[str, dict] = {}
        stack = [root]
        seen = 0
        while stack and seen < 200_000:
            node = stack.pop()
            seen += 1
            if isinstance(node, dict):
                if _type_values(node):
                    nid = _node_id(node)
                    if nid and (nid not in self.by_id or len(node) > len(self.by_id[nid])):
                        self.by_id[nid] = node
                    ctid = _s(node.get("ceterms:ctid")) or _s(node.get("ceasn:ctid"))
                    if ctid and _CTID.search(ctid):
                        self.by_ctid.setdefault(_CTID.search(ctid).group(0).lower(), node)
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))

    def wholes_of(self, key: str) -> list[dict]:
        """The credentials / learning opportunities of this graph whose ``ceterms:hasPart`` names
        ``key`` (an @id, expanded @id or lower-case CTID)."""
        if not hasattr(self, "_wholes"):
            self._wholes: dict[str, list[dict]] = {}
            for node in self.by_id.values():
                if _record_type(node) is None:
                    continue
                for part in _targets(node.get("ceterms:hasPart")):
                    for k in _ref_keys(part, self.prefixes):
                        if node not in self._wholes.setdefault(k, []):
                            self._wholes[k].append(node)
        return self._wholes.get(key, [])

    def resolve(self, ref: Any) -> dict | None:
        """The node a reference names (an inline node is itself), found by @id, then by CTID."""
        if isinstance(ref, dict) and len([k for k in ref if k not in ("@id", "id", "@type", "type")]) > 0:
            return ref
        rid = _node_id(ref)
        if not rid:
            return None
        node = self.by_id.get(rid) or self.by_id.get(_expand(rid, self.prefixes) or "")
        if node is None:
            m = _CTID.search(rid)
            if m:
                node = self.by_ctid.get(m.group(0).lower())
        return node


# connections that make a resource count towards the target (credit towards it, not merely
# preparation for it or a requirement to enter it): isPartOf and advanced standing
_COUNTS_TOWARDS = ("ceterms:isPartOf", "ceterms:isAdvancedStandingFor")


def _ref_keys(ref: Any, prefixes: dict[str, str]) -> set[str]:
    rid = _node_id(ref)
    if not rid:
        return set()
    keys = {rid, _expand(rid, prefixes) or rid}
    m = _CTID.search(rid)
    if m:
        keys.add(m.group(0).lower())
    if isinstance(ref, dict):
        ctid = _s(ref.get("ceterms:ctid"))
        if ctid:
            keys.add(ctid.lower())
    return keys


def _targets(value: Any) -> list[Any]:
    """The references of a connection: nodes, or the targets of a ConditionProfile."""
    out: list[Any] = []
    for ref in _as_list(value):
        if _node_id(ref) is None and isinstance(ref, dict):
            for key in ("ceterms:targetCredential", "ceterms:targetLearningOpportunity"):
                out.extend(r for r in _as_list(ref.get(key)) if _node_id(r))
        elif _node_id(ref):
            out.append(ref)
    return out


def _wholes(res: dict, unit: "_Unit", lang: str | None) -> list[str]:
    """The larger credentials ``res`` counts towards (``isPartOf``, ``isAdvancedStandingFor``, and
    the resources of the same document that name it in ``hasPart``), each as its name when the
    document describes it, else its CTID, else the reference as written."""
    refs = [r for prop in _COUNTS_TOWARDS for r in _targets(res.get(prop))]
    own = _ref_keys(res, unit.prefixes)
    refs.extend(parent for key in sorted(own) for parent in unit.wholes_of(key))
    out: list[str] = []
    for ref in refs:
        node = unit.resolve(ref)
        if node is res:
            continue
        name = _text(node.get("ceterms:name"), lang) if isinstance(node, dict) else None
        rid = _node_id(ref) or ""
        m = _CTID.search(rid)
        label = name or (m.group(0).lower() if m else rid)
        if label and label not in out:
            out.append(label)
    return out


def _graph_items(doc: dict, prefix: tuple) -> list[tuple[Any, str]]:
    graph = doc.get("@graph")
    if isinstance(graph, list):
        return [(item, _pointer(*prefix, "@graph", i)) for i, item in enumerate(graph)]
    if isinstance(graph, dict):
        return [(graph, _pointer(*prefix, "@graph"))]
    return [(doc, _pointer(*prefix) or "/")]


def _units(doc: Any) -> list[_Unit]:
    prefixes = _prefixes(doc)

    def of(obj: Any, prefix: tuple) -> list[_Unit]:
        if isinstance(obj, list):
            out: list[_Unit] = []
            for i, item in enumerate(obj):
                out.extend(of(item, prefix + (i,)))
            return out
        if not isinstance(obj, dict):
            return [_Unit([(obj, _pointer(*prefix) or "/")], obj, prefixes)]
        if _is_envelope(obj):
            res = _envelope_resource(obj)
            key = "decoded_resource" if isinstance(obj.get("decoded_resource"), (dict, list)) else "resource"
            if res is None:
                return [_Unit([(obj, _pointer(*prefix) or "/")], obj, prefixes)]
            inner = of(res, prefix + (key,))
            for u in inner:
                u.envelope = obj
                u.prefixes = {**prefixes, **_prefixes(res)}
            return inner
        if isinstance(obj.get("GraphInput"), dict) and not _type_values(obj):
            g = obj["GraphInput"]
            return [_Unit(_graph_items(g, prefix + ("GraphInput",)), g, {**prefixes, **_prefixes(g)})]
        assistant = _assistant_units(obj, prefix)
        if assistant is not None:
            return assistant
        if "@graph" in obj:
            return [_Unit(_graph_items(obj, prefix), obj, {**prefixes, **_prefixes(obj)})]
        if isinstance(obj.get("data"), list) and not _type_values(obj):
            return of(obj["data"], prefix + ("data",))
        achievements = _achievements(obj)
        if achievements and not _record_type(obj):
            return [_Unit([(a, _pointer(*prefix, *p)) for a, p in achievements], obj, prefixes)]
        return [_Unit([(obj, _pointer(*prefix) or "/")], obj, {**prefixes, **_prefixes(obj)})]

    return of(doc, ())


# ------------------------------------------------------------------------------------------------
# one record


def _alignment_label(a: Any, lang: str | None, with_code: bool = True) -> str | None:
    """A CredentialAlignmentObject (or a concept term) as text: 'name (code)' / 'name' / term."""
    if isinstance(a, str):
        return a.strip() or None
    if not isinstance(a, dict):
        return None
    name = (_text(a.get("ceterms:targetNodeName"), lang) or _text(a.get("ceterms:targetName"), lang)
            or _text(a.get("ceasn:competencyLabel"), lang) or _text(a.get("ceterms:name"), lang)
            or _text(a.get("skos:prefLabel"), lang))
    code = _s(a.get("ceterms:codedNotation")) or _s(a.get("ceasn:codedNotation"))
    node = _node_id(a.get("ceterms:targetNode")) or _concept_ref(a)
    if name and code and with_code and code not in name:
        return f"{name} ({code})"
    return name or code or node


def _terms(v: Any) -> list[str]:
    """The concept terms of an alignment property ('deliveryType:InPerson'), as written."""
    out = []
    for a in _as_list(v):
        if isinstance(a, str):
            out.append(a)
        elif isinstance(a, dict):
            node = _node_id(a.get("ceterms:targetNode")) or _concept_ref(a)
            if node:
                out.append(node)
    return out


def _concept_ref(a: Any) -> str | None:
    """The term a concept reference names by @id ({"@id": "deliveryType:OnlineOnly"}); None for a
    blank node or an object that is not a reference."""
    if not isinstance(a, dict) or a.get("ceterms:targetNode") is not None:
        return None
    rid = _node_id(a)
    return rid if rid and not rid.startswith("_:") else None


def _iri(v: Any) -> str | None:
    """The first IRI of a value given as a string, an {"@id": ...} reference, a value object or a
    list of these (``ceterms:subjectWebpage``, ``availableOnlineAt``, ``image``)."""
    for item in _as_list(v):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            rid = _node_id(item)
            if rid:
                return rid
            val = item.get("@value")
            if isinstance(val, str) and val.strip():
                return val.strip()
    return None


def _iris(v: Any) -> list[str]:
    return [i for i in (_iri(item) for item in _as_list(v)) if i]


def _norm_term(t: str) -> str:
    """'deliveryType:InPerson', 'In-Person', 'In Person' -> 'inperson' (vocabulary lookup key)."""
    return re.sub(r"[^a-z0-9]", "", _local(t).lower())


def _org_facts(org: dict | None, ref: Any, lang: str | None) -> tuple[str | None, str | None, str | None]:
    """(name, id, country) of an organization node or reference."""
    rid = _node_id(ref)
    if org is None:
        return None, rid, None
    name = _text(org.get("ceterms:name"), lang)
    ctid = _s(org.get("ceterms:ctid"))
    country = None
    for addr in _as_list(org.get("ceterms:address")) + _as_list(org.get("ceterms:availableAt")):
        if isinstance(addr, dict):
            country = _text(addr.get("ceterms:addressCountry"), lang)
            if country:
                break
    return name, ctid or _node_id(org) or rid, country


def _duration(rec: dict, value: Any, lang: str | None) -> None:
    for prof in _as_list(value):
        if isinstance(prof, str):
            rec.setdefault("duration", prof.strip() or None)
            continue
        if not isinstance(prof, dict):
            continue
        exact = _s(prof.get("ceterms:exactDuration"))
        lo, hi = _s(prof.get("ceterms:minimumDuration")), _s(prof.get("ceterms:maximumDuration"))
        if exact and not rec.get("duration"):
            rec["duration"] = exact
        elif lo or hi:
            _put(rec, "x_duration_range", f"{lo or '?'} to {hi or '?'}")
        _put(rec, "x_duration_description", _text(prof.get("ceterms:description"), lang))


def _credit_unit(types: Any, lang: str | None) -> str | None:
    for a in _as_list(types):
        for term in _terms(a):
            mapped = CREDIT_UNITS.get(_norm_term(term))
            if mapped:
                return mapped
            if term.strip():
                return term.strip()
        label = _alignment_label(a, lang)
        if label:
            return label
    return None


# A credit without a unit (or with a unit that only says "credits") is never a guess: the credit
# crosswalk keeps a value whose unit it does not know raw in credit_original and derives no ECTS,
# but reads a missing unit or a bare "credits" as ECTS. CTDL comes mostly from US sources, where
# such a value is a US credit of some kind, so the unit is passed as this text (which names no
# unit of transforms/vocab/credit_units.yaml, ambiguous words included).
UNIT_NOT_STATED = "unit not stated"
_AMBIGUOUS_UNIT = re.compile(r"^\s*((degree|academic|college|course|credit)\s+)?(credits?|units?|points?)"
                             r"(\s+(units?|values?))?\s*$", re.I)


def _stated_unit(unit: str | None) -> str:
    """The unit passed to the crosswalk: the unit as read, or UNIT_NOT_STATED when there is none
    or it only says "credits" / "units"."""
    if not unit or not unit.strip() or _AMBIGUOUS_UNIT.match(unit):
        return UNIT_NOT_STATED
    return unit


def _credit_values(value: Any, lang: str | None) -> list[tuple[str, str | None]]:
    """(value, unit) of QuantitativeValue / ValueProfile credit values."""
    out = []
    for qv in _as_list(value):
        if isinstance(qv, (int, float, str)) and not isinstance(qv, bool):
            out.append((_s(qv), None))
            continue
        if not isinstance(qv, dict):
            continue
        def get(name: str) -> Any:
            for key in (f"schema:{name}", f"ceterms:{name}", name):
                if qv.get(key) is not None:
                    return qv[key]
            return None

        v, lo, hi = _text(get("value")), _text(get("minValue")), _text(get("maxValue"))
        amount = v if v is not None else (f"{lo}-{hi}" if lo is not None and hi is not None else lo or hi)
        unit = (_credit_unit(get("creditUnitType"), lang)
                or _text(get("unitText"), lang))
        desc = _text(get("description"), lang)
        if unit is None and desc and len(desc.split()) <= 4:  # {"Description": "Semester Hours", "Value": 120}
            unit = desc
        if amount:
            out.append((amount, unit))
    return out


def _credits(rec: dict, res: dict, lang: str | None) -> None:
    found = _credit_values(res.get("ceterms:creditValue"), lang)
    if not found and res.get("ceterms:creditHourValue") is not None:
        found = [(_text(res["ceterms:creditHourValue"]),
                  _text(res.get("ceterms:creditHourType"), lang) or "credit hours")]
    if not found and res.get("ceterms:creditUnitValue") is not None:
        found = [(_text(res["ceterms:creditUnitValue"]), _credit_unit(res.get("ceterms:creditUnitType"), lang))]
    found = [f for f in found if f[0]]
    if found:
        rec["credit"], unit = found[0]
        rec["credit_unit"] = _stated_unit(unit)
        if unit and rec["credit_unit"] != unit:
            rec["x_credit_unit_as_written"] = unit
        if len(found) > 1:
            rec["x_credit_values"] = _join([f"{v} {u}" if u else v for v, u in found])
    _put(rec, "x_credit_description", _text(res.get("ceterms:creditUnitTypeDescription"), lang))


def _costs(rec: dict, value: Any, lang: str | None, unit: _Unit) -> None:
    priced: list[tuple[str, str | None, list[str], str]] = []
    for cost in _as_list(value):
        if isinstance(cost, str):
            cost = unit.resolve(cost) or {}
        if not isinstance(cost, dict):
            continue
        currency = _text(cost.get("ceterms:currency"), lang)
        kinds = [_local(t) for t in _terms(cost.get("ceterms:directCostType"))]
        label = _join([_alignment_label(a, lang, with_code=False) for a in _as_list(cost.get("ceterms:directCostType"))])
        label = label or _text(cost.get("ceterms:name"), lang) or "cost"
        price = _s(cost.get("ceterms:price"))
        if price is None:
            for detail in _as_list(cost.get("ceterms:costDetail")) + _as_list(cost.get("ceterms:costItem")):
                if isinstance(detail, dict) and detail.get("ceterms:price") is not None:
                    price = _s(detail["ceterms:price"])
                    break
        if price is None:
            continue
        priced.append((price, currency, kinds, label))
        _put(rec, "x_costs", f"{label}: {price}" + (f" {currency}" if currency else ""))
    if not priced:
        return
    chosen = (next((p for p in priced if "AggregateCost" in p[2]), None)
              or next((p for p in priced if "Tuition" in p[2]), None)
              or (priced[0] if len(priced) == 1 else None))
    if chosen:
        rec["price"], rec["price_currency"] = chosen[0], chosen[1]


def _competency_text(node: Any, lang: str | None) -> str | None:
    if not isinstance(node, dict):
        return None
    return (_text(node.get("ceasn:competencyText"), lang) or _text(node.get("ceasn:competencyLabel"), lang)
            or _text(node.get("ceterms:targetNodeName"), lang) or _text(node.get("ceterms:name"), lang)
            or _text(node.get("ceterms:targetNodeDescription"), lang))


def _is_competency(node: Any) -> bool:
    return any(_local(t) in ("Competency", "CredentialAlignmentObject") for t in _type_values(node))


def _resource(res: dict, kind: str, unit: _Unit) -> dict[str, str | None]:
    rec: dict[str, str | None] = {}
    langs = [x for x in (_texts(res.get("ceterms:inLanguage")) or [])]
    name_pairs = [(lg, _s(t)) for lg, t in _lang_pairs(res.get("ceterms:name"))
                  if isinstance(t, (str, int, float)) and _s(t)]
    title_lang = None
    if name_pairs:
        main = next((p for p in name_pairs if _is_english(p[0])), name_pairs[0])
        title_lang = main[0]
        rec["title"] = main[1]
        for lg, t in name_pairs:
            if lg and lg != title_lang:
                rec.setdefault(f"title@{lg}", t)
    rec["title_language"] = title_lang
    lang = title_lang
    rec["source_record_id"] = _s(res.get("ceterms:ctid")) or _node_id(res)
    rec["description"] = _text(res.get("ceterms:description"), lang, "\n\n")
    rec["credential_type"] = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", _local(kind))
    rec["x_ctdl_type"] = kind
    rec["languages"] = _join(langs)

    # awarding body: the owner, else the offering organization
    owners = _as_list(res.get("ceterms:ownedBy"))
    offerers = _as_list(res.get("ceterms:offeredBy"))
    for ref in owners + offerers:
        name, oid, country = _org_facts(unit.resolve(ref), ref, lang)
        if not (rec.get("awarding_body_name") or rec.get("awarding_body_id")):
            rec["awarding_body_name"], rec["awarding_body_id"], rec["country"] = name, oid, country
        elif not rec.get("awarding_body_name") and name and oid and oid == rec.get("awarding_body_id"):
            # the same organization named elsewhere (never another organization's name under this id)
            rec["awarding_body_name"] = name
            rec["country"] = rec.get("country") or country
    _put(rec, "x_owned_by", _join([_node_id(r) or _text(r.get("ceterms:name"), lang) if isinstance(r, dict) else _node_id(r)
                                   for r in owners]))
    offered = []
    for ref in offerers:
        name, oid, _c = _org_facts(unit.resolve(ref), ref, lang)
        offered.append(name or oid)
    if _join(offered) and _join(offered) not in (rec.get("awarding_body_name"), rec.get("awarding_body_id")):
        rec["x_offered_by"] = _join(offered)

    rec["url"] = _expand(_iri(res.get("ceterms:subjectWebpage")), unit.prefixes)

    _duration(rec, res.get("ceterms:estimatedDuration"), lang)
    _credits(rec, res, lang)

    # form of participation, assessment
    modes, mode_other = [], []
    for prop in ("ceterms:deliveryType", "ceterms:learningDeliveryType"):
        for a in _as_list(res.get(prop)):
            terms = _terms(a)
            mapped = [DELIVERY.get(_norm_term(t)) for t in terms]
            if any(mapped):
                modes.extend(m for m in mapped if m)
            else:
                mode_other.append(_alignment_label(a, lang))
    rec["participation_mode"] = _join(modes + mode_other)
    rec["x_delivery_description"] = _text(res.get("ceterms:deliveryTypeDescription"), lang)
    assess = []
    for a in _as_list(res.get("ceterms:assessmentMethodType")):
        terms = _terms(a)
        mapped = [ASSESSMENT.get(_norm_term(t)) for t in terms]
        if any(mapped):
            assess.extend(m for m in mapped if m)
        else:
            assess.append(_alignment_label(a, lang))
    rec["assessment_type"] = _join(assess)
    rec["x_assessment_description"] = _text(res.get("ceterms:assessmentMethodDescription"), lang)

    _costs(rec, res.get("ceterms:estimatedCost"), lang, unit)
    rec["start_date"] = _text(res.get("ceterms:dateEffective"))
    rec["end_date"] = _text(res.get("ceterms:expirationDate"))

    # quality assurance (organizations resolved in the document; other references kept raw)
    qa_text, qa_body, qa_refs = [], None, []
    for prop, verb in QA_PROPERTIES:
        names = []
        for ref in _as_list(res.get(f"ceterms:{prop}")):
            name, oid, _c = _org_facts(unit.resolve(ref), ref, lang)
            if name:
                names.append(name)
                qa_body = qa_body or name
            elif oid:
                qa_refs.append(f"{prop}: {oid}")
        if names:
            qa_text.append(f"{verb} {_join(names, ', ')}")
    rec["quality_assurance"] = _join(qa_text)
    rec["qa_body"] = qa_body
    rec["x_quality_assurance_refs"] = _join(qa_refs)

    # competencies and conditions
    outcomes: list[str] = []
    required_credit: list[str] = []
    required_pairs: list[tuple[str, str | None]] = []
    conditions: list[str] = []
    for cond in _as_list(res.get("ceterms:requires")):
        node = unit.resolve(cond) if not isinstance(cond, dict) or set(cond) <= {"@id", "id"} else cond
        if not isinstance(node, dict):
            continue
        if _is_competency(node) and not any(_local(t) == "ConditionProfile" for t in _type_values(node)):
            text = _competency_text(node, lang)
            if text:
                outcomes.append(text)
            continue
        if _record_type(node) or any(_local(t) in ("AssessmentProfile", "Assessment") for t in _type_values(node)):
            _put(rec, "x_requires_resources", _node_id(cond) or _text(node.get("ceterms:name"), lang))
            continue
        for comp in _as_list(node.get("ceterms:targetCompetency")):
            text = _competency_text(unit.resolve(comp) or comp, lang) if not isinstance(comp, str) else \
                _competency_text(unit.resolve(comp), lang)
            if text:
                outcomes.append(text)
        for v, u in _credit_values(node.get("ceterms:creditValue"), lang):
            required_credit.append(f"{v} {u}" if u else v)
            required_pairs.append((v, u))
        conditions.extend(_texts(node.get("ceterms:condition"), lang))
        for key in ("ceterms:targetLearningOpportunity", "ceterms:targetAssessment", "ceterms:targetCredential"):
            for ref in _as_list(node.get(key)):
                _put(rec, "x_requires_resources", _node_id(ref) or (
                    _text(ref.get("ceterms:name"), lang) if isinstance(ref, dict) else None))
    teaches_refs = []
    for t in _as_list(res.get("ceterms:teaches")):
        node = unit.resolve(t) if isinstance(t, str) or (isinstance(t, dict) and set(t) <= {"@id", "id"}) else t
        text = _competency_text(node, lang) if isinstance(node, dict) else None
        if text:
            outcomes.append(text)
        elif _node_id(t):
            teaches_refs.append(_node_id(t))
    rec["learning_outcomes"] = _join(outcomes, "\n")
    rec["x_teaches"] = _join(teaches_refs)
    rec["x_required_credit"] = _join(required_credit)
    if rec.get("credit") is None and len(required_pairs) == 1:
        # no credit value of its own: the one credit its requirements ask for is what it takes
        (rec["credit"], as_written), = required_pairs
        rec["credit_unit"] = _stated_unit(as_written)
        if as_written and rec["credit_unit"] != as_written:
            rec["x_credit_unit_as_written"] = as_written
    rec["x_conditions"] = _join(conditions)
    entry = []
    for cond in _as_list(res.get("ceterms:entryCondition")):
        if isinstance(cond, dict):
            entry.append(_text(cond.get("ceterms:description"), lang))
            entry.extend(_texts(cond.get("ceterms:condition"), lang))
    rec["prerequisites"] = _join(entry, "\n")

    # kept raw
    def labels(prop: str, with_code: bool = True) -> str | None:
        return _join([_alignment_label(a, lang, with_code) for a in _as_list(res.get(prop))])

    rec["x_audience_level"] = labels("ceterms:audienceLevelType")
    rec["x_learning_method"] = labels("ceterms:learningMethodType")
    places, countries = [], []
    for prop in ("ceterms:availableAt", "ceterms:address"):
        for place in _as_list(res.get(prop)):
            place = unit.resolve(place) if not isinstance(place, dict) or set(place) <= {"@id", "id"} else place
            if isinstance(place, dict):
                if prop == "ceterms:availableAt":
                    places.append(", ".join(x for x in (_text(place.get(k), lang) for k in (
                        "ceterms:name", "ceterms:addressLocality", "ceterms:addressRegion",
                        "ceterms:addressCountry")) if x) or None)
                countries.append(_text(place.get("ceterms:addressCountry"), lang))
    rec["x_available_at"] = _join(places)
    if not rec.get("country"):  # the owner gives none: where the resource itself is offered
        rec["country"] = next((c for c in countries if c), None)
    if len(set(c for c in countries if c)) > 1:
        rec["x_countries"] = _join(countries)
    levels = []
    for prop in ("ceterms:atLevel", "ceterms:credentialLevel"):
        for a in _as_list(res.get(prop)):
            label = _alignment_label(a, lang)
            fw = _text(a.get("ceterms:frameworkName"), lang) if isinstance(a, dict) else None
            levels.append(f"{fw}: {label}" if fw and label else label)
    rec["x_level"] = _join(levels)
    rec["x_status"] = labels("ceterms:credentialStatusType")
    rec["x_life_cycle_status"] = labels("ceterms:lifeCycleStatusType")
    rec["x_keywords"] = _text(res.get("ceterms:keyword"), lang)
    rec["x_subjects"] = labels("ceterms:subject")
    rec["x_naics"] = _join(_texts(res.get("ceterms:naics")) + [
        _s(a.get("ceterms:codedNotation")) for a in _as_list(res.get("ceterms:industryType")) if isinstance(a, dict)])
    rec["x_industries"] = labels("ceterms:industryType")
    rec["x_occupations"] = labels("ceterms:occupationType")
    rec["x_cip"] = _join([_s(a.get("ceterms:codedNotation")) for a in _as_list(res.get("ceterms:instructionalProgramType"))
                          if isinstance(a, dict)])
    rec["x_instructional_programs"] = labels("ceterms:instructionalProgramType")
    for prop in _CONNECTIONS:
        refs = []
        for ref in _as_list(res.get(f"ceterms:{prop}")):
            rid = _node_id(ref)
            if rid is None and isinstance(ref, dict):  # a ConditionProfile naming its targets
                for key in ("ceterms:targetCredential", "ceterms:targetLearningOpportunity", "ceterms:targetAssessment"):
                    refs.extend(_node_id(r) for r in _as_list(ref.get(key)))
            refs.append(rid)
        rec["x_" + re.sub(r"(?<=[a-z])(?=[A-Z])", "_", prop).lower()] = _join(refs)
    wholes = _wholes(res, unit, lang)
    if wholes:
        rec["stackability"] = "stackable"
        rec["stacks_into"] = "\n".join(wholes)
    rec["x_alternate_name"] = _text(res.get("ceterms:alternateName"), lang)
    rec["x_coded_notation"] = _s(res.get("ceterms:codedNotation"))
    rec["x_image"] = _iri(res.get("ceterms:image"))
    rec["x_available_online_at"] = _join(_iris(res.get("ceterms:availableOnlineAt")))
    rec["x_degree_concentration"] = _join([_alignment_label(a, lang) for a in
                                           _as_list(res.get("ceterms:degreeConcentration")) + _as_list(res.get("ceterms:degreeMajor"))])
    rec["x_credential_type_ref"] = _join([_node_id(r) for r in _as_list(res.get("ceterms:credentialType"))])
    rec["x_qualifications_framework"] = _join([_node_id(r) for r in _as_list(res.get("ceterms:inQualificationsFramework"))])
    rid = _node_id(res)
    if rid and rid.startswith("_:"):
        rec["x_blank_node"] = "true"  # described by the record that refers to it, not published itself
    if rid and rid != rec["source_record_id"]:
        rec["x_uri"] = _expand(rid, unit.prefixes)
    if unit.envelope is not None:
        rec["x_envelope_ctid"] = _s(unit.envelope.get("envelope_ceterms_ctid"))
        rec["x_envelope_id"] = _s(unit.envelope.get("envelope_id"))
    if unit.request is not None:
        rec["x_assistant_publish_for"] = _s(unit.request.get("PublishForOrganizationIdentifier"))
        rec["x_assistant_default_language"] = _s(unit.request.get("DefaultLanguage"))
    unread = [k for k in res if k not in _READ]
    rec["x_unread_properties"] = _join(unread)
    return {k: v for k, v in rec.items() if v is not None}


# ------------------------------------------------------------------------------------------------
# reading


Found = tuple[dict[str, str | None], str, str | None, str | None]  # record, locator, error, raw


def _found_in(units: list[_Unit]) -> tuple[list[Found], Counter, Counter]:
    found: list[Found] = []
    others: Counter = Counter()  # typed resources that are not credentials
    stubs: Counter = Counter()  # credential-typed nodes that only name an @id
    for unit in units:
        for obj, loc in unit.items:
            if not isinstance(obj, dict) or not _type_values(obj):
                what = f"a JSON {type(obj).__name__}" if not isinstance(obj, dict) else "an object without @type"
                found.append(({}, loc, f"{loc}: not a CTDL resource ({what})",
                              clip(json.dumps(obj, ensure_ascii=False))))
                continue
            kind = _record_type(obj)
            if kind is None:
                others[_type_values(obj)[0]] += 1
                continue
            if not [k for k in obj if k not in ("@id", "id", "@type", "type", "@context")]:
                stubs[kind] += 1
                continue
            found.append((_resource(obj, kind, unit), loc, None, None))
    return found, others, stubs


def _not_json_hint(path: str) -> str:
    """' (this is RDF Turtle, not JSON-LD)' when the file looks like Turtle / N-Triples."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    except OSError:
        return ""
    if re.match(r"(@prefix|@base|PREFIX\s|BASE\s)", head) or re.match(r"<[^>\s]+>\s+<[^>\s]+>", head):
        return " (this is RDF Turtle / N-Triples, not JSON-LD)"
    if head.startswith("<"):
        return " (this is XML, not JSON-LD)"
    return ""


def _some_keys(doc: Any) -> list[str]:
    first = doc if isinstance(doc, dict) else next((x for x in doc if isinstance(x, dict)), {}) \
        if isinstance(doc, list) else {}
    return [str(k) for k in list(first)[:3]]


def _summary(counts: Counter) -> str:
    return ", ".join(f"{t} ×{n}" for t, n in counts.most_common())


def read_ctdl(path: str | os.PathLike, info: FileInfo, batch_size: int,
              *, max_bytes: int = safe.DEFAULT_JSON_MAX_BYTES) -> Iterator[RawBatch]:
    """Batches (at most ``batch_size`` records) of the credentials, learning opportunities and
    courses in a CTDL JSON-LD document (see the module docstring).

    Raises SourceFileError (one line) for a file over ``max_bytes``, invalid JSON (the parser's
    reason), a remote ``@context`` that is neither CTDL nor in safe's allow-list, a document that is
    not CTDL (a Registry Assistant input is named as such), or a CTDL document holding no
    credential, learning opportunity or course ("found: ceterms:CredentialOrganization ×1")."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    encoding = info.encoding if info.encoding and info.encoding.lower().replace("_", "-") not in (
        "utf-8", "utf-8-sig", "ascii") else None
    try:
        doc = safe.load_json(path, max_bytes, encoding=encoding)
    except SourceFileError as e:
        raise SourceFileError(str(e) + _not_json_hint(path), path) from None
    check_contexts(doc, name, path)
    assistant = not looks_like_ctdl(doc) and looks_like_assistant_input(doc)
    if not looks_like_ctdl(doc) and not assistant:
        if _assistant_input(doc):
            raise SourceFileError(
                f"{name}: a Credential Registry Assistant API input (keys such as "
                f"{', '.join(_some_keys(doc))}) of a kind not read here, not CTDL JSON-LD; read the CTDL the "
                "registry publishes from it", path)
        raise SourceFileError(f"{name}: not a CTDL document (no @type starting with ceterms: or ceasn:, "
                              "no @graph of CTDL resources, no registry envelope)", path)
    units = _units(doc)
    for unit in units:  # envelope resources may carry contexts of their own (a JWT payload)
        if unit.envelope is not None and "decoded_resource" not in unit.envelope:
            check_contexts(_envelope_resource(unit.envelope), name, path)
    found, others, stubs = _found_in(units)
    if not any(err is None for _r, _l, err, _raw in found):
        held = others + stubs
        what = f" (found: {_summary(held)})" if held else ""
        if stubs:
            what += "; the credential nodes only name an @id"
        if assistant:
            raise SourceFileError(f"{name}: a Credential Registry Assistant API input with no credential, learning "
                                  f"opportunity or course{what}", path)
        raise SourceFileError(f"{name}: no CTDL credential, learning opportunity or course in this document{what}", path)
    if others:
        n = sum(others.values())
        info.warnings.append(f"{plural(n, 'resource')} in the document {'is' if n == 1 else 'are'} not a credential, "
                             f"learning opportunity or course and {'was not read as a record' if n == 1 else 'were not read as records'} "
                             f"(used to resolve references): {_summary(others)}.")
    if stubs:
        n = sum(stubs.values())
        info.warnings.append(f"{plural(n, 'node')} only name{'s' if n == 1 else ''} an @id without describing "
                             f"the resource and {'was not read as a record' if n == 1 else 'were not read as records'}: "
                             f"{_summary(stubs)}.")
    bad = [loc for _r, loc, err, _raw in found if err]
    if bad:
        info.warnings.append(f"{plural(len(bad), 'item')} of the document {'is' if len(bad) == 1 else 'are'} not a "
                             f"CTDL resource (kept as error records): {', '.join(bad[:10])}"
                             + (f" and {len(bad) - 10} more" if len(bad) > 10 else "") + ".")
    if not info.records_path:
        info.records_path = found[0][1]
    yield from batches_of(found, info, batch_size)
