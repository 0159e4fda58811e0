"""XCRI-CAP 1.1 / 1.2 course feeds (UK course advertising, ``<catalog>`` documents).

    info = FileInfo(path=p, format="xcri", sha256=sha256_of(p), size=os.path.getsize(p))
    for batch in read_xcri(p, info, batch_size=1000):
        ...   # batch.frame: candidate field names as columns, one row per <course>

One record per ``<course>`` of a provider (not per presentation). The columns are candidate field
names (``transforms.candidate.CANDIDATE_FIELDS``), so the mapping stage takes them unchanged; what
has no candidate field (JACS / LDCS subject codes, qualification, study mode, further dates...)
goes to columns prefixed ``x_`` that the raw record keeps. Values stay as the feed gives them
(strings; the crosswalks normalise them); XHTML descriptions keep their markup.

- course: ``dc:identifier`` (the first without ``xsi:type``) -> source_record_id; ``dc:title`` ->
  title (``xml:lang`` -> title_language, titles in further languages -> ``title@<lang>``);
  ``dc:description`` without a type (else ``abstract``, else the 1.1 type ``aim``) -> description;
  typed descriptions (XCRI terms): learningOutcome and ``<learningOutcome>`` -> learning_outcomes
  (joined with "\\n"), assessmentStrategy and ``mlo:assessment`` -> assessment_type, others ->
  ``x_<type>``; ``mlo:prerequisite`` / entry requirements / the 1.1 type ``prerequisites`` ->
  prerequisites; ``mlo:url`` -> url;
  ``mlo:credit`` -> credit / credit_unit (``credit:scheme``; ECTS, CATS, SCQF, CQFW preferred when
  several are given, all kept in ``x_credits``) and its level -> eqf_level or nqf_level +
  nqf_framework when the scheme is a framework (SCQF, CQFW, FHEQ, RQF, EQF...), else
  ``x_credit_level``; ``mlo:qualification`` -> ``x_qualification*`` (``accreditedBy`` -> qa_body);
  levels (``mlo:level`` and ``dcterms:educationLevel`` of the course and its qualifications):
  the first with a number ("Level 3", "SCQF level 7", "NQF level 2", "Entry Level 3") ->
  nqf_level, unless a framework credit gave one, for ``transforms.levels`` to read the framework
  from the text or from the country / region; words ("Postgraduate", "Degree", "HE") and the
  levels not taken -> ``x_education_level``;
  ``awardedBy`` (in the qualification or the course: a name, an ``identifier`` attribute, or
  ``dc:title`` / ``dc:identifier`` children) -> awarding_body_name / awarding_body_id (the
  provider then kept in ``x_provider_name`` / ``x_provider_id``), all names in ``x_awarded_by``;
  ``dc:subject`` -> ``x_jacs`` / ``x_ldcs`` (codes) and ``x_subjects`` (labels);
  credential_type is "course", or "qualification" when the course's ``mlo:qualification`` has its
  own title (the course is the qualification).
- presentations: start / end (the ``dtf`` attribute when given, else the text) and cost from the
  first presentation (all distinct values in ``x_start_dates``, ``x_end_dates``, ``x_costs`` when
  presentations differ); attendanceMode -> participation_mode: a term of the XCRI-CAP 1.2
  vocabulary (identifier, caption or both) as online / onsite / blended, other free text as
  given; study modes and patterns in it ("Full Time", "Evening") are no mode; only a
  presentation without attendanceMode takes the mode from a study mode / pattern that clearly
  names one ("Distance Learning"). The terms as given -> ``x_attendance_mode``, ``x_study_mode``,
  ``x_attendance_pattern`` (identifier-only terms by their caption), identifiers ->
  ``x_*_code``; languages of instruction and assessment -> languages: distinct values of all
  presentations joined with "; ".
- provider: ``dc:title`` -> awarding_body_name, ``dc:identifier`` -> awarding_body_id (only when
  the course names no ``awardedBy``), a country in its location -> country (XCRI-CAP itself has
  no country element; UK feeds rarely give one), the UK nation its address names or its
  postcode area lies in (else the one all the course's venues lie in) -> region, for the
  framework of a bare level (SCQF in Scotland, CQFW in Wales, RQF in England and NI).

``__locator__`` is the course's XPath ("/catalog/provider[1]/course[3]", prefixes left out).
The feed is read twice with lxml ``iterparse`` (provider facts, then courses), so memory stays
bounded by one course. Unsafe XML (a DOCTYPE with entity declarations, an external DTD) is refused
before parsing (``connectors.safe``).
"""
from __future__ import annotations

import copy
import os
import re
from typing import Any, Iterator

from lxml import etree

from . import safe
from .base import (
    put_joined, batches_of,
    ERROR, LOCATOR, RAW, FileInfo, RawBatch, SourceFileError, clip, display_name, frame_from_dicts,
)

XCRI_NAMESPACES = {
    "http://xcri.org/profiles/1.2/catalog": "1.2",
    "http://xcri.org/profiles/catalog": "1.1",
}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SEP = "; "

_CONTAINERS = {"catalog", "provider"}  # a course counts when only these are above it
_PREFERRED_CREDIT = ("ects", "cats", "scqf", "cqfw")
# credit schemes that are qualification frameworks: their credit:level is a framework level
_FRAMEWORK_SCHEMES = re.compile(
    r"\b(scqf|cqfw|fheq|rqf|qcf|nqf|nfq|fqheis|eqf|dqr|nlqf|prk|cncp|rncp)\b", re.I)
_JACS = re.compile(r"^[A-Z]\d{3}$")  # N200
_LDCS = re.compile(r"^[A-Z]{2}(?:\.\d+)?$")  # KC.3, DB

# XCRI-CAP 1.2 presentation vocabularies (IMS VDEX, Cetis/xcri CurrentReleases: attendanceMode
# 2.1, attendancePattern 2.1, studyMode 2.1): term identifier -> caption. The 1.1 enumerations
# (xcri_cap_terms_1_1.xsd) use the same captions, and "Short" as a pattern.
ATTENDANCE_MODES = {
    "CM": "Campus", "DA": "Distance with attendance", "DS": "Distance without attendance",
    "MM": "Mixed mode", "NC": "Face-to-face non-campus", "ON": "Online (no attendance)", "WB": "Work-based",
}
# each attendance mode as the descriptor's form of participation (text the crosswalk reads as is)
MODE_OF_ATTENDANCE = {
    "CM": "onsite", "NC": "onsite", "WB": "onsite",
    "DS": "online", "ON": "online",
    "DA": "blended", "MM": "blended",
}
ATTENDANCE_PATTERNS = {
    "DT": "Daytime", "EV": "Evening", "TW": "Twilight", "DR": "Day/Block release", "WE": "Weekend",
    "CS": "Customised",
}
STUDY_MODES = {
    "NK": "Not known", "FL": "Flexible", "FT": "Full time", "PF": "Part of a full time programme",
    "PT": "Part time",
}
# free text in <attendanceMode> that is a study mode or an attendance pattern, not a form
_STUDY_WORDS = re.compile(r"^\s*(?:(?:full|part)[\s-]*time\b.*|flexible|sandwich|not known)\s*$", re.I)
_PATTERN_WORDS = re.compile(
    r"^\s*(?:daytime|day\s*time|evenings?|twilight|weekends?|day(?:\s*/\s*|\s+)block\s+release|day\s+release|"
    r"block\s+release|customi[sz]ed|short|daytime\s+and\s+evening|days?)\s*$", re.I)
# a study mode / attendance pattern text that clearly says the form (used only when no
# attendanceMode says it): blended first ('distance with attendance'), then online, then onsite
_IMPLIED_MODES = (
    ("blended", re.compile(
        r"\b(?:blended|hybrid|mixed[\s-]+mode|distance\b.{0,40}\bwith\b.{0,20}\battendance)\b", re.I)),
    ("online", re.compile(r"\b(?:online|on-line|e-?learning|distance|remote|virtual|web-?based)\b", re.I)),
    ("onsite", re.compile(
        r"\b(?:campus|classroom|face[\s-]+to[\s-]+face|in[\s-]+person|on[\s-]*site|work[\s-]*based)\b", re.I)),
)
# UK nations named in a provider's address; postcode areas that lie wholly in one nation
_NATIONS = (
    ("GB-NIR", re.compile(r"\bnorthern\s+ireland\b", re.I)),
    ("GB-SCT", re.compile(r"\bscotland\b", re.I)),
    ("GB-WLS", re.compile(r"(?<!south )\b(?:wales|cymru)\b", re.I)),
    ("GB-ENG", re.compile(r"(?<!new )\bengland\b", re.I)),
)
_ADDRESS_PARTS = ("address", "street", "town", "postcode", "country")
_VENUE_REGION = "\x00venue_region"  # working key of _record, never a column
_UK_NAMES = {"gb", "uk", "gbr", "united kingdom", "great britain", "england", "scotland", "wales",
             "northern ireland"}
_POSTCODE = re.compile(r"\b([A-Z]{1,2})\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_POSTCODE_AREAS = {
    **{a: "GB-SCT" for a in
       ("AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "ZE")},
    "BT": "GB-NIR", "CF": "GB-WLS", "SA": "GB-WLS",
}


# ------------------------------------------------------------------------------------------------
# detection


def looks_like_xcri(head: bytes) -> bool:
    """True when the document's root element is in an XCRI-CAP namespace (1.2:
    ``http://xcri.org/profiles/1.2/catalog``, 1.1: ``http://xcri.org/profiles/catalog``).
    ``head``: the first bytes of the file (64 KB is plenty). Never raises; parses nothing unsafe."""
    tag = safe.root_tag(head)
    return bool(tag) and _ns(tag) in XCRI_NAMESPACES


# ------------------------------------------------------------------------------------------------
# small helpers


def _ns(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _local(tag: Any) -> str | None:
    if not isinstance(tag, str):
        return None  # comments, processing instructions
    return tag.rsplit("}", 1)[-1]


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _type_of(el: etree._Element) -> str | None:
    """Local part of xsi:type ('xcriTerms:specialFeature' -> 'specialFeature')."""
    t = el.get(XSI_TYPE) or el.get("type")
    if not t:
        return None
    return t.rsplit(":", 1)[-1].strip() or None


def _text(el: etree._Element | None) -> str | None:
    """Plain text of a simple element, outer whitespace removed; None when empty."""
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None


def _markup(el: etree._Element) -> str | None:
    """Content of an element that may hold XHTML: its text and child markup (prefixes and
    namespace declarations removed), outer whitespace removed."""
    if len(el) == 0:
        return _text(el)
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        c = copy.deepcopy(child)
        for e in c.iter():
            if isinstance(e.tag, str):
                e.tag = _local(e.tag)
                for key in list(e.attrib):
                    if key.startswith("{"):
                        del e.attrib[key]
        etree.cleanup_namespaces(c)
        parts.append(etree.tostring(c, encoding="unicode", with_tail=True))
    text = "".join(parts).strip()
    return text or None


def _distinct(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _join(values: list[str | None], sep: str = SEP) -> str | None:
    vals = _distinct(values)
    return sep.join(vals) if vals else None


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) in names]


def _first(el: etree._Element, *names: str) -> etree._Element | None:
    for c in el:
        if _local(c.tag) in names:
            return c
    return None


def _dated(el: etree._Element | None) -> str | None:
    """A date element: its machine-readable ``dtf`` attribute when given, else its text."""
    if el is None:
        return None
    return (el.get("dtf") or "").strip() or _text(el)


def _put(rec: dict[str, str | None], key: str, value: str | None, sep: str = SEP) -> None:
    put_joined(rec, key, value, sep)


def _fold(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


def _term(el: etree._Element, vocab: dict[str, str]) -> tuple[str | None, str | None, bool]:
    """(code, label, known) of a vocabulary element: ``<attendanceMode identifier="CM">Campus
    </attendanceMode>``, the identifier alone (as attribute or as text) or a caption alone.
    ``known``: the code is one of the vocabulary's; else code is the identifier as given (or
    None) and label the text as given."""
    ident = (el.get("identifier") or "").strip() or None
    text = _text(el)
    if ident and ident.upper() in vocab:
        return ident.upper(), text or vocab[ident.upper()], True
    if text and not ident and text.upper() in vocab:  # <attendanceMode>CM</attendanceMode>
        return text.upper(), vocab[text.upper()], True
    if text:
        code = next((c for c, caption in vocab.items() if _fold(caption) == _fold(text)), None)
        if code:
            return code, text, True
    return ident, text or ident, False


def _implied_mode(text: str | None) -> str | None:
    """The form of participation a study mode / attendance pattern text clearly names
    ('Distance Learning' -> online), else None ('Part time', 'Evening', and alternatives such
    as 'Flexible study [day/eve and/or home/distance]')."""
    if not text or re.search(r"\bor\b", text, re.I):
        return None
    for mode, rx in _IMPLIED_MODES:
        if rx.search(text):
            return mode
    return None


def _region_of_address(lines: list[str]) -> str | None:
    """A UK nation (ISO 3166-2) from a provider's address: named ('Edinburgh, Scotland'), else
    from a postcode whose area lies wholly in Scotland, Wales or Northern Ireland ('EH1 1YZ')."""
    for code, rx in _NATIONS:
        if any(rx.search(line) for line in lines):
            return code
    for line in lines:
        for m in _POSTCODE.finditer(line.upper()):
            if m.group(1) in _POSTCODE_AREAS:
                return _POSTCODE_AREAS[m.group(1)]
    return None


# ------------------------------------------------------------------------------------------------
# reading


class _Walker:
    """Follows iterparse events: the element path with XPath positions (same local name)."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []
        self.counters: list[dict[str, int]] = [{}]

    def start(self, elem: etree._Element) -> None:
        name = _local(elem.tag) or "node()"
        counts = self.counters[-1]
        counts[name] = counts.get(name, 0) + 1
        self.stack.append((name, counts[name]))
        self.counters.append({})

    def end(self) -> None:
        self.stack.pop()
        self.counters.pop()

    def names(self) -> list[str]:
        return [n for n, _ in self.stack]

    def xpath(self) -> str:
        if not self.stack:
            return "/"
        root, *rest = self.stack
        return "/" + "/".join([root[0]] + [f"{n}[{i}]" for n, i in rest])

    def provider_index(self) -> int | None:
        for n, i in self.stack:
            if n == "provider":
                return i
        return None


def _free(elem: etree._Element) -> None:
    """Drop a processed element (and its processed predecessors) to keep memory bounded."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _is_course(names: list[str]) -> bool:
    return names[-1] == "course" and all(n in _CONTAINERS for n in names[:-1])


def _is_provider(names: list[str]) -> bool:
    return names[-1] == "provider" and all(n == "catalog" for n in names[:-1])


def _check_root(path: str, name: str) -> str:
    head = safe.PROLOG_MAX_BYTES
    with open(path, "rb") as f:
        data = f.read(head)
    tag = safe.root_tag(data)
    if tag is None:
        # let the parser say what is wrong (syntax error line and column)
        for _ in safe.iterparse(path, ("end",)):
            pass
        raise SourceFileError(f"{name}: not an XML document", path)
    ns = _ns(tag)
    if ns not in XCRI_NAMESPACES:
        where = f"in namespace {ns}" if ns else "in no namespace"
        raise SourceFileError(
            f"{name}: not an XCRI-CAP feed (its root element is <{_local(tag)}> {where}; expected "
            f"<catalog> in http://xcri.org/profiles/1.2/catalog or http://xcri.org/profiles/catalog)", path)
    return XCRI_NAMESPACES[ns]


def _provider_facts(path: str) -> tuple[dict[int, dict[str, str | None]], dict[str, str | None]]:
    """Pass 1: per provider position, the provider's own facts; and the catalog's facts."""
    walker = _Walker()
    providers: dict[int, dict[str, str | None]] = {}
    catalog: dict[str, str | None] = {}
    for event, elem in safe.iterparse(path):
        if event == "start":
            walker.start(elem)
            continue
        names = walker.names()
        if _is_course(names):
            elem.clear(keep_tail=False)  # the provider's own children before it must stay
        elif _is_provider(names):
            providers[walker.stack[-1][1]] = _provider_record(elem)
            elem.clear(keep_tail=False)  # the catalog's own children before it must stay
        elif len(names) == 1:
            catalog = _catalog_record(elem)
        walker.end()
    return providers, catalog


def _catalog_record(el: etree._Element) -> dict[str, str | None]:
    rec: dict[str, str | None] = {}
    if _local(el.tag) != "catalog":
        return rec
    for c in _children(el, "rights"):
        _put(rec, "licence", _text(c))
    if el.get("generated"):
        rec["x_catalog_generated"] = el.get("generated")
    return rec


def _provider_record(el: etree._Element) -> dict[str, str | None]:
    rec: dict[str, str | None] = {}
    idents = _children(el, "identifier")
    plain = [i for i in idents if not _type_of(i)]
    main = plain[0] if plain else (idents[0] if idents else None)
    rec["awarding_body_id"] = _text(main)
    for i in idents:
        if i is not main and _text(i):
            key = f"x_provider_{_snake(_type_of(i))}" if _type_of(i) else "x_provider_identifiers"
            _put(rec, key, _text(i))
    titles = _children(el, "title")
    rec["awarding_body_name"] = _text(titles[0]) if titles else None
    _put(rec, "x_provider_url", _text(_first(el, "url")))
    lines: list[str] = []
    for loc in _children(el, "location"):
        _put(rec, "country", _text(_first(loc, "country")))
        _put(rec, "x_provider_town", _text(_first(loc, "town")))
        _put(rec, "x_provider_postcode", _text(_first(loc, "postcode")))
        lines += [t for c in _children(loc, *_ADDRESS_PARTS) if (t := _text(c))]
    # the UK nation of the provider (the level crosswalk needs it: SCQF in Scotland, CQFW in
    # Wales, RQF in England and Northern Ireland); a country other than the UK has none here
    if lines and _fold(rec.get("country") or "gb") in _UK_NAMES:
        rec["region"] = _region_of_address(lines)
    return rec


def _record(course: etree._Element, provider: dict[str, str | None],
            catalog: dict[str, str | None]) -> dict[str, str | None]:
    rec: dict[str, str | None] = {}
    identifiers: list[etree._Element] = []
    titles: list[etree._Element] = []
    descriptions: list[str] = []
    outcomes: list[str] = []
    assessments: list[str] = []
    prerequisites: list[str] = []
    credits: list[tuple[str | None, str | None, str | None]] = []
    presentations: list[etree._Element] = []
    abstract = None
    aims: list[str] = []   # 1.1 feeds may type every description, the course's own text as "aim"
    levels: list[str] = []  # mlo:level, dcterms:educationLevel of the course and its qualifications
    bodies: list[tuple[str | None, str | None]] = []  # awardedBy (name, id), course and qualifications

    for child in course:
        name = _local(child.tag)
        if name is None:
            continue
        if name == "identifier":
            identifiers.append(child)
        elif name == "title":
            titles.append(child)
        elif name == "description":
            kind = _type_of(child)
            value = _markup(child)
            if value is None and child.get("href"):
                _put(rec, f"x_{_snake(kind)}_href" if kind else "x_description_href", child.get("href"))
                continue
            if kind is None:
                if value:
                    descriptions.append(value)
            elif kind.lower() in ("learningoutcome", "learningoutcomes"):
                if value:
                    outcomes.append(value)
            elif kind.lower() in ("assessmentstrategy", "assessment"):
                if value:
                    assessments.append(value)
            elif kind.lower() in ("entryprofile", "entryrequirements", "prerequisite", "prerequisites"):
                if value:
                    prerequisites.append(value)
            else:
                if kind.lower() == "aim" and value:
                    aims.append(value)
                _put(rec, f"x_{_snake(kind)}", value, "\n")
        elif name == "abstract":
            abstract = _markup(child)
            _put(rec, "x_abstract", abstract)
        elif name == "learningOutcome":
            if (v := _markup(child)):
                outcomes.append(v)
        elif name == "assessment":
            if (v := _markup(child)):
                assessments.append(v)
        elif name in ("prerequisite", "entryRequirements", "entryProfile"):
            if (v := _markup(child)):
                prerequisites.append(v)
        elif name == "objective":
            _put(rec, "x_objective", _markup(child), "\n")
        elif name == "url":
            rec.setdefault("url", _text(child))
        elif name == "subject":
            _subject(child, rec)
        elif name == "type":
            _put(rec, "x_course_type", _text(child) or child.get("identifier"))
        elif name == "qualification":
            _qualification(child, rec, levels, bodies)
        elif name in ("level", "educationLevel"):
            if (v := _text(child) or (child.get("identifier") or "").strip()):
                levels.append(v)
        elif name == "awardedBy":
            _awarded_by(child, rec, bodies)
        elif name == "credit":
            credits.append(_credit(child))
        elif name == "presentation":
            presentations.append(child)
        elif name == "image":
            _put(rec, "x_image", child.get("src") or _text(child))
        else:
            value = _markup(child) or child.get("href") or child.get("identifier")
            _put(rec, f"x_{_snake(name)}", value)

    # identifier and titles
    plain = [i for i in identifiers if not _type_of(i) and _text(i)]
    main = plain[0] if plain else next((i for i in identifiers if _text(i)), None)
    rec["source_record_id"] = _text(main)
    for i in identifiers:
        if i is not main and _text(i):
            kind = _type_of(i)
            _put(rec, f"x_identifier_{_snake(kind)}" if kind else "x_identifiers", _text(i))
    if titles:
        first = titles[0]
        rec["title"] = _text(first)
        main_lang = first.get(XML_LANG)
        rec["title_language"] = main_lang
        for t in titles[1:]:
            lang = t.get(XML_LANG)
            if lang and lang != main_lang:
                rec.setdefault(f"title@{lang}", _text(t))
            else:
                _put(rec, "x_other_titles", _text(t))

    rec["description"] = "\n\n".join(descriptions) if descriptions else abstract or "\n\n".join(aims) or None
    rec["learning_outcomes"] = "\n".join(outcomes) or None
    rec["assessment_type"] = "\n".join(assessments) or None
    rec["prerequisites"] = "\n".join(prerequisites) or None
    rec["credential_type"] = "qualification" if _is_its_qualification(rec) else "course"
    _credits(credits, rec)
    _levels(levels, rec)
    _presentations(presentations, rec)
    _awarding_body(bodies, provider, rec)

    for key, value in provider.items():
        if key in ("awarding_body_name", "awarding_body_id") and bodies:
            continue  # the awarding body is named (awardedBy): the provider is not it
        if value is not None and rec.get(key) is None:
            rec[key] = value
    for key, value in catalog.items():
        if value is not None and rec.get(key) is None:
            rec[key] = value
    venue_region = rec.pop(_VENUE_REGION, None)
    if rec.get("region") is None and venue_region and _fold(rec.get("country") or "gb") in _UK_NAMES:
        rec["region"] = venue_region
    return rec


def _is_its_qualification(rec: dict[str, str | None]) -> bool:
    """The course is the qualification itself when its ``mlo:qualification`` has the course's own
    title (the Open University lists "BA (Honours) History" as a course leading to "BA (Honours)
    History"); otherwise it is a course that leads to one."""
    def norm(s: str | None) -> str:
        return re.sub(r"\s+", " ", s or "").strip().casefold()
    title = norm(rec.get("title"))
    return bool(title) and any(norm(q) == title for q in (rec.get("x_qualification") or "").split(SEP))


def _subject(el: etree._Element, rec: dict[str, str | None]) -> None:
    text = _text(el)
    code = (el.get("identifier") or "").strip() or None
    kind = (_type_of(el) or "").lower()
    if "jacs" in kind:
        _put(rec, "x_jacs", code or text)
        _put(rec, "x_subjects", text if code else None)
        return
    if "ldcs" in kind:
        _put(rec, "x_ldcs", code or text)
        _put(rec, "x_subjects", text if code else None)
        return
    m = re.match(r"^\s*(JACS\d*|LDCS\d*)\s*:\s*(.+?)\.?\s*$", text or "", re.I)
    if m:  # "LDCS1: DB."
        _put(rec, "x_jacs" if m.group(1).lower().startswith("jacs") else "x_ldcs", m.group(2))
        return
    if code:
        if _JACS.match(code):
            _put(rec, "x_jacs", code)
        elif _LDCS.match(code):
            _put(rec, "x_ldcs", code)
        else:
            _put(rec, f"x_subject_{_snake(kind)}" if kind else "x_subject_codes", code)
        if text and text != code:
            _put(rec, "x_subjects", text)
        return
    _put(rec, "x_subjects", text)


def _qualification(el: etree._Element, rec: dict[str, str | None], levels: list[str],
                   bodies: list[tuple[str | None, str | None]]) -> None:
    for child in el:
        name = _local(child.tag)
        if name == "awardedBy":
            _awarded_by(child, rec, bodies)
            continue
        value = _text(child)
        if name in ("educationLevel", "level"):
            value = value or (child.get("identifier") or "").strip() or None
        if not name or not value:
            continue
        if name == "title":
            _put(rec, "x_qualification", value)
        elif name in ("educationLevel", "level"):
            _put(rec, "x_qualification_level", value)
            levels.append(value)
        elif name == "type":
            _put(rec, "x_qualification_type", value)
        elif name == "accreditedBy":
            _put(rec, "qa_body", value)
            _put(rec, "quality_assurance", f"accredited by {value}")
        else:
            _put(rec, f"x_qualification_{_snake(name)}", value)


_URLISH = re.compile(r"^(?:https?://|www\.|urn:)\S+$", re.I)


def _awarded_by(el: etree._Element, rec: dict[str, str | None],
                bodies: list[tuple[str | None, str | None]]) -> None:
    """One ``awardedBy``: its name (the text, or a ``dc:title`` / ``name`` child) and identifier
    (an ``identifier`` / ``href`` / ``rdf:resource`` attribute, a ``dc:identifier`` or ``mlo:url``
    child, or a text that is itself a URL). All names are kept in ``x_awarded_by``."""
    name = ident = None
    for key in ("identifier", "href", "uri", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"):
        if (v := (el.get(key) or "").strip()):
            ident = v
            break
    if any(isinstance(c.tag, str) for c in el):
        name = _text(_first(el, "title", "name"))
        ident = ident or _text(_first(el, "identifier")) or _text(_first(el, "url"))
    else:
        text = _text(el)
        if text and _URLISH.match(text):
            ident = ident or text
        else:
            name = text
    if name or ident:
        bodies.append((name, ident))
        _put(rec, "x_awarded_by", name or ident)


def _awarding_body(bodies: list[tuple[str | None, str | None]], provider: dict[str, str | None],
                   rec: dict[str, str | None]) -> None:
    """awardedBy -> awarding_body_name / awarding_body_id (the first one named); the provider is
    the awarding body only when no awardedBy is given (``_record``). When the awarding body is
    another organisation, the provider stays in ``x_provider_name`` / ``x_provider_id``."""
    if not bodies:
        return
    name, ident = bodies[0]
    p_name, p_id = provider.get("awarding_body_name"), provider.get("awarding_body_id")
    same = bool(name and p_name and _fold(name) == _fold(p_name)) or bool(ident and p_id and ident == p_id)
    if same:
        name, ident = name or p_name, ident or p_id
    else:
        rec["x_provider_name"], rec["x_provider_id"] = p_name, p_id
    rec["awarding_body_name"], rec["awarding_body_id"] = name, ident


def _levels(levels: list[str], rec: dict[str, str | None]) -> None:
    """Levels of the course and its qualifications ('Level 3', 'SCQF level 7', 'RQF 4', 'Entry
    Level 3'): the first that holds a number -> nqf_level, for the level crosswalk to read its
    framework (named, else from the country / region). A level already given by a framework
    credit scheme wins. Words without a number ('Postgraduate', 'Degree', 'HE', 'Entry Level')
    are no framework level: they and the levels not taken stay in ``x_education_level``."""
    rest: list[str] = []
    for v in _distinct(levels):
        if re.search(r"\d", v) and "nqf_level" not in rec:
            rec["nqf_level"] = v
        else:
            rest.append(v)
    if rest:
        rec["x_education_level"] = _join(rest)


def _credit(el: etree._Element) -> tuple[str | None, str | None, str | None]:
    return (_text(_first(el, "scheme")), _text(_first(el, "level")), _text(_first(el, "value")))


def _credits(credits: list[tuple[str | None, str | None, str | None]], rec: dict[str, str | None]) -> None:
    given = [c for c in credits if c[2] or c[1]]
    if not given:
        return
    chosen = None
    for pref in _PREFERRED_CREDIT:
        chosen = next((c for c in given if c[2] and c[0] and re.search(rf"\b{pref}\b", c[0], re.I)), None)
        if chosen:
            break
    if chosen is None:
        chosen = next((c for c in given if c[2]), given[0])
    scheme, level, value = chosen
    rec["credit"] = value
    rec["credit_unit"] = scheme if value else None
    # levels: from every credit whose scheme is a framework (EQF first), else the chosen one's
    for s, lv, _v in given:
        if not (s and lv):
            continue
        if re.search(r"\beqf\b", s, re.I):
            rec.setdefault("eqf_level", lv)
        elif _FRAMEWORK_SCHEMES.search(s) and "nqf_level" not in rec:
            rec["nqf_level"], rec["nqf_framework"] = lv, s
    if level and not (scheme and _FRAMEWORK_SCHEMES.search(scheme)):
        rec["x_credit_level"] = level
    if len(given) > 1 or (level and "x_credit_level" in rec):
        parts = []
        for s, lv, v in given:
            part = f"{s or '?'}: {v or '?'}"
            if lv:
                part += f" (level {lv})"
            parts.append(part)
        rec["x_credits"] = _join(parts)


def _attendance(p: etree._Element) -> dict[str, list[str | None]]:
    """A presentation's form of participation (``mode``: the descriptor's online / onsite /
    blended for an XCRI attendanceMode term, its identifier alone or its caption; other free
    text as given, for the crosswalk), and its attendance mode, study mode and attendance
    pattern as given (labels; identifier-only terms by their caption) with their codes.

    Study modes and patterns are no form of participation: an attendanceMode that holds one
    ('Full Time', 'Evening') goes with them. Only when the presentation has no attendanceMode may
    a study mode or pattern that clearly names a form ('Distance Learning', 'Online') give it."""
    out: dict[str, list[str | None]] = {k: [] for k in (
        "mode", "x_attendance_mode", "x_attendance_mode_code", "x_study_mode", "x_study_mode_code",
        "x_attendance_pattern", "x_attendance_pattern_code")}
    for kind, vocab in (("study_mode", STUDY_MODES), ("attendance_pattern", ATTENDANCE_PATTERNS)):
        for e in _children(p, "studyMode" if kind == "study_mode" else "attendancePattern"):
            code, label, _known = _term(e, vocab)
            out[f"x_{kind}"].append(label)
            out[f"x_{kind}_code"].append(code)
    modes = _children(p, "attendanceMode")
    for e in modes:
        code, label, known = _term(e, ATTENDANCE_MODES)
        out["x_attendance_mode"].append(label)
        out["x_attendance_mode_code"].append(code)
        if known:
            out["mode"].append(MODE_OF_ATTENDANCE[code])
        elif not label:
            continue
        elif (implied := _implied_mode(label)):
            out["mode"].append(implied)  # 'Distance Learning', 'Online', 'Blended'
        elif _STUDY_WORDS.match(label):
            out["x_study_mode"].append(label)
        elif _PATTERN_WORDS.match(label):
            out["x_attendance_pattern"].append(label)
        else:
            out["mode"].append(label)  # as given, for the crosswalk ('Self-study', 'Präsenz')
    if not modes:
        out["mode"] = _distinct([_implied_mode(t) for t in out["x_study_mode"] + out["x_attendance_pattern"]])
    return out


def _venue_region(venue_provider: etree._Element) -> str | None:
    """The UK nation of a venue's address; '?' when it has an address that says none (an English
    postcode), None when it has no address."""
    lines = [t for loc in _children(venue_provider, "location") for c in _children(loc, *_ADDRESS_PARTS)
             if (t := _text(c))]
    return (_region_of_address(lines) or "?") if lines else None


def _presentations(presentations: list[etree._Element], rec: dict[str, str | None]) -> None:
    if not presentations:
        return
    facts: list[dict[str, Any]] = []
    for p in presentations:
        f: dict[str, Any] = {
            "id": _text(_first(p, "identifier")),
            "url": _text(_first(p, "url")),
            "start": _dated(_first(p, "start")),
            "end": _dated(_first(p, "end")),
            "duration": None,
            **_attendance(p),
            "langs": [_text(e) for e in _children(p, "languageOfInstruction", "languageOfAssessment")],
            "cost": _text(_first(p, "cost")),
            "places": _text(_first(p, "places", "placesAvailable")),
            "venue": [_text(_first(prov, "title")) for v in _children(p, "venue") for prov in _children(v, "provider")],
            "venue_region": [_venue_region(prov) for v in _children(p, "venue") for prov in _children(v, "provider")],
        }
        dur = _first(p, "duration")
        if dur is not None:
            f["duration"] = (dur.get("interval") or "").strip() or _text(dur)
        facts.append(f)
    first = facts[0]
    rec["start_date"] = first["start"]
    rec["end_date"] = first["end"]
    rec["duration"] = first["duration"]
    rec["price"] = first["cost"]
    if not rec.get("url"):
        rec["url"] = next((f["url"] for f in facts if f["url"]), None)
    rec["participation_mode"] = _join([m for f in facts for m in f["mode"]])
    rec["languages"] = _join([lang for f in facts for lang in f["langs"]])
    for key in ("x_attendance_mode", "x_attendance_mode_code", "x_study_mode", "x_study_mode_code",
                "x_attendance_pattern", "x_attendance_pattern_code"):
        if (joined := _join([m for f in facts for m in f[key]])):
            rec[key] = joined
    rec["x_presentations"] = str(len(facts))
    rec["x_presentation_ids"] = _join([f["id"] for f in facts])
    rec["x_venues"] = _join([v for f in facts for v in f["venue"]])
    venue_regions = _distinct([r for f in facts for r in f["venue_region"]])
    if len(venue_regions) == 1 and venue_regions[0] != "?":  # when the provider's address gives none
        rec[_VENUE_REGION] = venue_regions[0]
    rec["x_places"] = _join([f["places"] for f in facts])
    for key, name in (("start", "x_start_dates"), ("end", "x_end_dates"),
                      ("duration", "x_durations"), ("cost", "x_costs")):
        values = _distinct([f[key] for f in facts])
        if len(values) > 1:
            rec[name] = SEP.join(values)


def read_xcri(path: str | os.PathLike, info: FileInfo, batch_size: int,
              *, max_bytes: int = safe.DEFAULT_XML_MAX_BYTES) -> Iterator[RawBatch]:
    """Batches (at most ``batch_size`` records) of the courses of an XCRI-CAP 1.1/1.2 feed.

    Raises SourceFileError (one line) for a file that is too large, unsafe XML (entity
    declarations, an external DTD), invalid XML, a document that is not an XCRI-CAP catalog, or
    a catalog without courses. A course that cannot be read is still a record: its
    ``__error__`` says why and ``__raw__`` holds its XML (clipped)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    safe.check_size(path, max_bytes)
    safe.check_xml_prolog(path)
    version = _check_root(path, name)
    providers, catalog = _provider_facts(path)
    if not info.records_path:
        info.records_path = "/catalog/provider/course"

    records: list[dict[str, str | None]] = []
    locators: list[str] = []
    errors: list[str | None] = []
    raws: list[str | None] = []
    total = 0
    walker = _Walker()
    for event, elem in safe.iterparse(path):
        if event == "start":
            walker.start(elem)
            continue
        names = walker.names()
        if _is_course(names):
            locator = walker.xpath()
            provider = providers.get(walker.provider_index() or 0, {})
            try:
                rec = _record(elem, provider, catalog)
                err = raw = None
            except Exception as e:  # one bad course never stops the feed
                rec = {k: v for k, v in provider.items()}
                err = f"{locator}: the course could not be read ({type(e).__name__}: {e})"
                raw = clip(etree.tostring(elem, encoding="unicode"))
            rec = {k: (v if isinstance(v, str) and v.strip() else None) for k, v in rec.items()}
            records.append(rec)
            locators.append(locator)
            errors.append(err)
            raws.append(raw)
            total += 1
            _free(elem)
            if len(records) >= batch_size:
                yield _batch(records, locators, errors, raws, info)
                records, locators, errors, raws = [], [], [], []
        walker.end()
    if records:
        yield _batch(records, locators, errors, raws, info)
    if total == 0:
        raise SourceFileError(f"{name}: the XCRI-CAP {version} catalog holds no courses", path)


def _batch(records, locators, errors, raws, info: FileInfo) -> RawBatch:
    for rec in records:  # connector columns are never source columns
        for meta in (LOCATOR, ERROR, RAW):
            rec.pop(meta, None)
    frame = frame_from_dicts(records, locators, errors, raws)
    if not info.columns:
        info.columns = [c for c in frame.columns if c not in (LOCATOR, ERROR, RAW)]
    return RawBatch(frame)
