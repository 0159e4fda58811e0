"""Open Badges 2.0 BadgeClass / Assertion and Open Badges 3.0 Achievement / AchievementCredential.

    info = FileInfo(path=p, format="openbadges", sha256=sha256_of(p), size=os.path.getsize(p))
    for batch in read_openbadges(p, info, batch_size=1000):
        ...   # candidate field names as columns, one row per BadgeClass / Achievement

What one document gives:

- an OB3 ``AchievementCredential`` / ``OpenBadgeCredential`` (a W3C Verifiable Credential): one
  record for ``credentialSubject.achievement`` (locator ``/credentialSubject/achievement``), with
  the credential's ``issuer`` as awarding body (the achievement's ``creator`` where there is no
  issuer);
- an OB3 ``Achievement`` or an OB2 ``BadgeClass`` on its own: one record (locator ``/``);
- an OB2 ``Assertion``: the record of its badge when the BadgeClass is embedded (``/badge``); a
  badge given only by URL is not fetched: the record is kept with the reason in ``__error__``;
- a JSON array of these, or an object holding them under ``@graph`` / ``badges`` /
  ``achievements`` / ``credentials`` / ``items``: one record each (``/3/credentialSubject/achievement``);
  an element that is none of them is kept as an error record, never dropped.

Fields (values as the document gives them; the crosswalks normalise): ``id`` -> source_record_id,
``name`` -> title, ``inLanguage`` / ``@language`` -> title_language and languages, ``description``
(Markdown kept) -> description, issuer ``name`` / ``id`` / ``address.addressCountryCode`` (else
``addressCountry``) -> awarding_body_name / awarding_body_id / country; credential_type:
"micro-credential" when ``achievementType`` is MicroCredential or the credential carries an EU
micro-credential profile (a ``credentialSchema`` or type naming a micro-credential, as the
Edubadges profile does), else the ``achievementType`` text, else "digital-badge" (an OB2
BadgeClass, an OB3 achievement without achievementType). Credits: the ECTS extension
(``ECTS`` / ``ects``) -> credit + credit_unit "ECTS"; ``SBU`` (Dutch study-load hours) -> credit +
credit_unit "SBU"; an alignment whose type/framework/name says ECTS -> credit "ECTS";
``creditsAvailable`` -> credit without unit when nothing else gives one; ``timeInvestment`` ->
workload_hours. Alignments: ``ext:EQF`` or an EQF framework -> eqf_level (``targetCode``, else
``targetName``); a national framework (NLQF, SCQF, DQR...) -> nqf_level + nqf_framework;
``ext:QualityAssurance`` -> quality_assurance (name and description); competency / learning-outcome
alignments and ``learningOutcome`` keys -> learning_outcomes (joined with "\\n"); others ->
``x_alignments``. ``participationType`` -> participation_mode, ``assessmentType`` ->
assessment_type, ``supervisionType`` -> supervision, ``resultDescription`` -> grading; criteria,
tags, identifiers and the like -> ``x_`` columns. verification: "Open Badges" (OB2) or
"Open Badges; verifiable credential" (OB3).

Safety: the document is size-checked and parsed whole (``connectors.safe.load_json``); every
``@context`` must be in the local allow-list (``connectors.safe.check_jsonld_contexts``): nothing is
fetched, JSON-LD is not expanded, keys are read as written.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Iterator

from . import safe
from .base import (
    put_joined, batches_of, json_cell,
    ERROR, LOCATOR, RAW, FileInfo, RawBatch, SourceFileError, clip, display_name, frame_from_dicts,
    number_to_str,
)

SEP = "; "
CONTAINER_KEYS = ("@graph", "badges", "badgeClasses", "achievements", "credentials", "items",
                  "verifiableCredential")
CREDENTIAL_TYPES = {"AchievementCredential", "OpenBadgeCredential"}
RECORD_TYPES = {"BadgeClass", "Achievement"}
_OB_CONTEXT = re.compile(r"openbadges|openbadgespec|purl\.imsglobal\.org/spec/ob/", re.I)
_MICRO = re.compile(r"micro-?credential", re.I)
_EQF = re.compile(r"(^|[^a-z])eqf([^a-z]|$)|european qualifications? framework", re.I)
_NQF = re.compile(r"(^|[^a-z])(nlqf|nqf|nfq|scqf|cqfw|rqf|fheq|dqr|prk|cncp|rncp|qf-?ehea)([^a-z]|$)", re.I)
_ECTS = re.compile(r"(^|[^a-z])ects([^a-z]|$)", re.I)
_OUTCOME = re.compile(r"competenc|learning ?outcome|outcome", re.I)
_QA = re.compile(r"quality ?assurance|accreditation", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


# ------------------------------------------------------------------------------------------------
# helpers


def _types(obj: Any) -> set[str]:
    if not isinstance(obj, dict):
        return set()
    t = obj.get("type", obj.get("@type"))
    values = t if isinstance(t, list) else [t]
    out = set()
    for v in values:
        if isinstance(v, str):
            out.add(v.rsplit("#", 1)[-1].rsplit("/", 1)[-1].split(":")[-1])
    return out


def _contexts(obj: Any) -> list[str]:
    if not isinstance(obj, dict):
        return []
    ctx = obj.get("@context")
    items = ctx if isinstance(ctx, list) else [ctx]
    return [c for c in items if isinstance(c, str)]


_s = json_cell  # a JSON value as a cell string


def _id(v: Any) -> str | None:
    """The id of a node given inline ({"id": ...}) or by reference (a string)."""
    if isinstance(v, str):
        return _s(v)
    if isinstance(v, dict):
        return _s(v.get("id", v.get("@id")))
    return None


def _put(rec: dict[str, str | None], key: str, value: str | None, sep: str = SEP) -> None:
    put_joined(rec, key, value, sep)


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _language_text(v: Any, lang_hint: str | None = None) -> tuple[str | None, str | None, dict[str, str]]:
    """(text, its language, further {lang: text}) from a plain string, a language map
    ({"en": "...", "nl": "..."}) or JSON-LD value objects ([{"@value": ..., "@language": ...}])."""
    if isinstance(v, str) or v is None or isinstance(v, (int, float)):
        return _s(v), None, {}
    pairs: list[tuple[str | None, str]] = []
    if isinstance(v, dict) and "@value" in v:
        pairs.append((v.get("@language"), str(v["@value"])))
    elif isinstance(v, dict):
        pairs.extend((k, str(t)) for k, t in v.items() if isinstance(t, (str, int, float)))
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict) and "@value" in item:
                pairs.append((item.get("@language"), str(item["@value"])))
            elif isinstance(item, str):
                pairs.append((None, item))
    pairs = [(lang, text) for lang, text in pairs if text.strip()]
    if not pairs:
        return None, None, {}
    main = next((p for p in pairs if lang_hint and p[0] and p[0].lower() == lang_hint.lower()), pairs[0])
    others = {lang: text for lang, text in pairs
              if lang and (main[0] is None or lang.lower() != main[0].lower())}
    return main[1], main[0], others


def _web(v: str | None) -> str | None:
    return v if v and re.match(r"^https?://", v, re.I) else None


# ------------------------------------------------------------------------------------------------
# detection


def looks_like_openbadges(obj: dict | list) -> bool:
    """True for a parsed JSON document that is (or holds) Open Badges: an OB context
    (w3id.org/openbadges, purl.imsglobal.org/spec/ob/...), or an object typed BadgeClass,
    Assertion, OpenBadgeCredential or AchievementCredential, an Achievement with criteria, or a
    credential whose credentialSubject holds an achievement. Looks at up to 20 items of a list."""
    try:
        return any(_looks(item) for item in _candidates(obj))
    except Exception:  # detection never raises
        return False


def _candidates(obj: Any) -> list[Any]:
    if isinstance(obj, list):
        return obj[:20]
    if isinstance(obj, dict):
        out = [obj]
        for key in CONTAINER_KEYS:
            if isinstance(obj.get(key), list):
                out.extend(obj[key][:20])
        return out
    return []


def _looks(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    if any(_OB_CONTEXT.search(c) for c in _contexts(item)):
        return True
    types = _types(item)
    if types & (CREDENTIAL_TYPES | {"BadgeClass", "Assertion"}):
        return True
    if "Achievement" in types and "criteria" in item:
        return True
    subject = item.get("credentialSubject")
    return any(isinstance(s, dict) and isinstance(s.get("achievement"), dict) for s in _as_list(subject))


# ------------------------------------------------------------------------------------------------
# records


def _entries(doc: Any) -> list[tuple[Any, str]]:
    """(object, JSON pointer prefix) of each top-level entry: the document itself, the items of
    a top-level array, or the items of a container key."""
    if isinstance(doc, list):
        return [(item, f"/{i}") for i, item in enumerate(doc)]
    if isinstance(doc, dict):
        if not (_types(doc) or "credentialSubject" in doc or "badge" in doc):
            for key in CONTAINER_KEYS:
                if isinstance(doc.get(key), list):
                    token = key.replace("~", "~0").replace("/", "~1")
                    return [(item, f"/{token}/{i}") for i, item in enumerate(doc[key])]
        return [(doc, "")]
    return []


Found = tuple[dict[str, str | None], str, str | None, str | None]  # record, locator, error, raw


def _records_of(obj: Any, ptr: str) -> list[Found]:
    here = ptr or "/"
    if not isinstance(obj, dict):
        return [({}, here, f"{here}: not an Open Badges object (a JSON {type(obj).__name__})",
                 clip(json.dumps(obj, ensure_ascii=False)))]
    types = _types(obj)
    subjects = obj.get("credentialSubject")
    if subjects is not None:
        out: list[Found] = []
        many = isinstance(subjects, list)
        for i, subject in enumerate(_as_list(subjects)):
            sp = f"{ptr}/credentialSubject" + (f"/{i}" if many else "")
            ach = subject.get("achievement") if isinstance(subject, dict) else None
            loc = f"{sp}/achievement"
            if isinstance(ach, dict):
                out.append((_achievement(ach, obj, version=3), loc, None, None))
            elif isinstance(ach, str):
                out.append(({"source_record_id": ach}, loc,
                             f"{loc}: the achievement is not embedded ({ach}); remote achievements are not fetched",
                             clip(json.dumps(subject, ensure_ascii=False))))
        if out:
            return out
        if "EndorsementCredential" in types:
            return [({}, here, f"{here}: an EndorsementCredential describes no achievement",
                     clip(json.dumps(obj, ensure_ascii=False)))]
    if "Assertion" in types or ("badge" in obj and "recipient" in obj):
        badge = obj.get("badge")
        loc = f"{ptr}/badge"
        if isinstance(badge, dict):
            return [(_achievement(badge, None, version=2), loc, None, None)]
        return [({"source_record_id": _s(badge)} if isinstance(badge, str) else {}, loc,
                 f"{loc}: the BadgeClass is not embedded ({_s(badge) or 'missing'}); remote badges are not fetched",
                 clip(json.dumps(obj, ensure_ascii=False)))]
    if types & RECORD_TYPES or ("criteria" in obj and "name" in obj):
        version = 2 if "BadgeClass" in types else 3
        return [(_achievement(obj, None, version=version), here, None, None)]
    return [({}, here,
             f"{here}: not an Open Badges BadgeClass, Achievement, Assertion or AchievementCredential",
             clip(json.dumps(obj, ensure_ascii=False)))]


def _issuer_facts(issuer: Any, rec: dict[str, str | None]) -> None:
    if isinstance(issuer, str):
        rec.setdefault("awarding_body_id", _s(issuer))
        return
    if not isinstance(issuer, dict):
        return
    name, _lang, _others = _language_text(issuer.get("name"))
    rec.setdefault("awarding_body_name", name)
    rec.setdefault("awarding_body_id", _id(issuer))
    address = issuer.get("address")
    if isinstance(address, dict):
        rec.setdefault("country", _s(address.get("addressCountryCode")) or _s(address.get("addressCountry")))
        _put(rec, "x_issuer_locality", _s(address.get("addressLocality")))
    _put(rec, "x_issuer_url", _s(issuer.get("url")))
    for ident in _as_list(issuer.get("otherIdentifier")):
        if isinstance(ident, dict) and _s(ident.get("identifier")):
            kind = _s(ident.get("identifierType"))
            _put(rec, "x_issuer_identifiers", f"{kind}: {ident['identifier']}" if kind else _s(ident["identifier"]))


def _achievement(ach: dict, credential: dict | None, version: int) -> dict[str, str | None]:
    rec: dict[str, str | None] = {}
    rec["source_record_id"] = _id(ach)
    lang = _s(ach.get("inLanguage")) or _s(ach.get("@language")) or _s(ach.get("language"))
    title, title_lang, others = _language_text(ach.get("name"), lang)
    rec["title"] = title
    rec["title_language"] = title_lang or lang
    for other_lang, text in others.items():
        rec.setdefault(f"title@{other_lang}", text)
    rec["languages"] = lang or title_lang
    description, _dl, _do = _language_text(ach.get("description"), lang)
    rec["description"] = description

    # awarding body: the credential's issuer (OB3), the badge's issuer (OB2), else the creator
    if credential is not None:
        _issuer_facts(credential.get("issuer"), rec)
    _issuer_facts(ach.get("issuer"), rec)
    creator = ach.get("creator")
    if creator is not None:
        creator_name = _s(creator.get("name")) if isinstance(creator, dict) else None
        if (rec.get("awarding_body_name") or rec.get("awarding_body_id")) and \
                (creator_name or _id(creator)) not in (rec.get("awarding_body_name"), rec.get("awarding_body_id")):
            _put(rec, "x_creator", creator_name or _id(creator))
        _issuer_facts(creator, rec)

    # credential kind
    achievement_type = _s(ach.get("achievementType"))
    markers = [achievement_type or ""] + sorted(_types(ach))
    if credential is not None:
        markers += sorted(_types(credential))
        markers += [_id(s) or "" for s in _as_list(credential.get("credentialSchema"))]
    if any(_MICRO.search(m) for m in markers):
        rec["credential_type"] = "micro-credential"
    elif achievement_type:
        rec["credential_type"] = achievement_type.split(":")[-1] if achievement_type.startswith("ext:") else achievement_type
    else:
        rec["credential_type"] = "digital-badge"
    rec["x_achievement_type"] = achievement_type

    # criteria, page
    criteria = ach.get("criteria")
    if isinstance(criteria, dict):
        rec["x_criteria"] = _s(criteria.get("narrative"))
        rec["x_criteria_url"] = _web(_id(criteria))
    elif isinstance(criteria, str):
        rec["x_criteria_url"] = _web(criteria) or None
        if not rec["x_criteria_url"]:
            rec["x_criteria"] = criteria
    rec["url"] = _web(_s(ach.get("url"))) or rec.get("x_criteria_url") or _web(rec["source_record_id"])

    # credits and workload
    ects = ach.get("ECTS", ach.get("ects", ach.get("ext:ECTS")))
    sbu = ach.get("SBU", ach.get("ext:SBU"))
    if _s(ects) is not None:
        rec["credit"], rec["credit_unit"] = _s(ects), "ECTS"
    elif _s(sbu) is not None:
        rec["credit"], rec["credit_unit"] = _s(sbu), "SBU"
    if _s(sbu) is not None and rec.get("credit_unit") != "SBU":
        rec["x_sbu"] = _s(sbu)
    rec["workload_hours"] = _s(ach.get("timeInvestment"))
    credits_available = _s(ach.get("creditsAvailable"))

    # alignments
    outcomes: list[str] = []
    for al in _as_list(ach.get("alignment")):
        if not isinstance(al, dict):
            continue
        ttype = _s(al.get("targetType")) or ""
        framework = _s(al.get("targetFramework")) or ""
        tname = _s(al.get("targetName")) or ""
        code = _s(al.get("targetCode"))
        desc = _s(al.get("targetDescription"))
        kind = f"{ttype} {framework}"
        if _EQF.search(kind) or (not ttype and _EQF.search(tname)):
            rec.setdefault("eqf_level", code or tname or None)
        elif _NQF.search(kind):
            rec.setdefault("nqf_level", code or tname or None)
            rec.setdefault("nqf_framework", framework or ttype.split(":")[-1])
        elif _ECTS.search(kind) or (_ECTS.search(tname) and _NUMBER.search(code or tname)):
            if not rec.get("credit"):
                if code and _NUMBER.fullmatch(code.strip()):
                    number = code
                else:
                    m = _NUMBER.search(tname)
                    number = m.group(0) if m else code
                rec["credit"], rec["credit_unit"] = number, "ECTS"
        elif _QA.search(kind):
            text = "\n".join(x for x in (tname, desc) if x)
            _put(rec, "quality_assurance", text or None, "\n")
            _put(rec, "x_qa_code", code)
            _put(rec, "x_qa_url", _s(al.get("targetUrl")))
        elif "data.europa.eu/esco/skill/" in (_s(al.get("targetUrl")) or "") or framework.strip().upper() == "ESCO":
            uri = _s(al.get("targetUrl")) or code
            if uri:  # an ESCO skill the issuer aligned the badge to
                _put(rec, "x_esco_skills", f"{uri}\t{tname}" if tname else uri, "\n")
        elif _OUTCOME.search(kind):
            if tname or desc:
                outcomes.append(tname or desc)
        else:
            label = tname or code or _s(al.get("targetUrl"))
            if label:
                extra = ", ".join(x for x in (ttype, framework, code if code != label else None) if x)
                _put(rec, "x_alignments", f"{label} ({extra})" if extra else label)
    for key in ("learningOutcome", "learningOutcomes", "ext:learningOutcome"):
        for item in _as_list(ach.get(key)):
            text = _s(item) if not isinstance(item, dict) else (
                _s(item.get("description")) or _s(item.get("name")) or _s(item.get("title")))
            if text:
                outcomes.append(text)
    rec["learning_outcomes"] = "\n".join(dict.fromkeys(outcomes)) or None
    if credits_available:
        if rec.get("credit"):
            rec["x_credits_available"] = credits_available
        else:
            rec["credit"] = credits_available

    # EU micro-credential elements (Edubadges profile and similar extensions)
    rec["participation_mode"] = _s(ach.get("participationType") or ach.get("ext:participationType"))
    rec["assessment_type"] = _s(ach.get("assessmentType") or ach.get("ext:assessmentType"))
    rec["supervision"] = _s(ach.get("supervisionType") or ach.get("ext:supervisionType"))
    rec["x_identity_checked"] = _s(ach.get("identityChecked"))
    grading = []
    for rd in _as_list(ach.get("resultDescription")):
        if not isinstance(rd, dict):
            continue
        part = _s(rd.get("name")) or "result"
        scale = []
        if _s(rd.get("resultType")):
            scale.append(_s(rd.get("resultType")))
        if rd.get("allowedValue"):
            scale.append("values " + ", ".join(str(v) for v in _as_list(rd.get("allowedValue"))))
        if _s(rd.get("valueMin")) or _s(rd.get("valueMax")):
            scale.append(f"{_s(rd.get('valueMin')) or '?'}-{_s(rd.get('valueMax')) or '?'}")
        if _s(rd.get("requiredValue")):
            scale.append(f"required {_s(rd.get('requiredValue'))}")
        grading.append(f"{part}: {', '.join(scale)}" if scale else part)
    rec["grading"] = SEP.join(dict.fromkeys(grading)) or None

    # further facts without a candidate field
    rec["x_human_code"] = _s(ach.get("humanCode"))
    rec["x_field_of_study"] = _s(ach.get("fieldOfStudy"))
    rec["x_specialization"] = _s(ach.get("specialization"))
    rec["x_tags"] = SEP.join(str(t) for t in _as_list(ach.get("tag", ach.get("tags"))) if isinstance(t, (str, int))) or None
    rec["x_education_program_identifier"] = _s(ach.get("educationProgramIdentifier"))
    rec["x_version"] = _s(ach.get("version"))
    image = ach.get("image")
    rec["x_image"] = _web(_id(image))
    for ident in _as_list(ach.get("otherIdentifier")):
        if isinstance(ident, dict) and _s(ident.get("identifier")):
            kind = _s(ident.get("identifierType"))
            _put(rec, "x_other_identifiers", f"{kind}: {ident['identifier']}" if kind else _s(ident["identifier"]))
    rec["verification"] = "Open Badges; verifiable credential" if version == 3 else "Open Badges"
    if credential is not None:
        rec["x_credential_id"] = _id(credential)
    rec["x_ob_version"] = "3.0" if version == 3 else "2.0"
    return {k: v for k, v in rec.items() if v is not None}


# ------------------------------------------------------------------------------------------------
# reading


def read_openbadges(path: str | os.PathLike, info: FileInfo, batch_size: int,
                    *, max_bytes: int = safe.DEFAULT_JSON_MAX_BYTES) -> Iterator[RawBatch]:
    """Batches (at most ``batch_size`` records) of the BadgeClasses / Achievements in an Open
    Badges 2.0 / 3.0 JSON(-LD) document.

    Raises SourceFileError (one line) for a file over ``max_bytes``, invalid JSON, a remote
    ``@context`` that is not in the local allow-list, or a document that holds no Open Badges
    object at all. Entries of a list that are not badges are kept as error records."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    encoding = info.encoding if info.encoding and info.encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig", "ascii") else None
    doc = safe.load_json(path, max_bytes, encoding=encoding)
    safe.check_jsonld_contexts(doc, name, path)
    if not looks_like_openbadges(doc):
        raise SourceFileError(
            f"{name}: not an Open Badges document (no BadgeClass, Achievement, Assertion or "
            "AchievementCredential, and no Open Badges context)", path)
    found: list[Found] = []
    for obj, ptr in _entries(doc):
        found.extend(_records_of(obj, ptr))
    # records read, or references to badges that are not embedded (kept for quarantine)
    if not any(err is None or rec.get("source_record_id") for rec, _l, err, _raw in found):
        first = next((err for _r, _l, err, _raw in found if err), None)
        raise SourceFileError(f"{name}: the document holds no readable badge or achievement"
                              + (f" ({first})" if first else ""), path)
    if not info.records_path:
        info.records_path = found[0][1]
    yield from batches_of(found, info, batch_size)
