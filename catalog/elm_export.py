"""ELM v3 export of the catalogue: LOQ-profile RDF (the application profile of the Europass
Qualification Dataset Register), in Turtle or JSON-LD, checked with pyshacl against the LOQ
shapes (local copy in ``catalog/shapes``).

    graph, reports = to_elm_graph(records)            # reports: records not emitted, and why
    n = write_elm(records, out, fmt="turtle")          # or fmt="json-ld"; returns records written
    conforms, results = validate_elm(graph)

One ``elm:LearningAchievementSpecification`` per record (``elm:Qualification`` for the credential
types in ``qualification_types``, by default only ``qualification``), at
``<base><record id>`` (``base`` defaults to ``https://clearinghouse.example/credentials/``).
The property mapping mirrors the ELM reader (``connectors/elm.py``), so an exported document
read back gives the same title, levels, credits, languages, mode, url and awarding body:

- ``dc:title`` (``title_language``, else ``en``; further ``titles`` by language),
  ``dc:description``; ``adms:identifier`` -> ``elm:Identifier`` (source record id, scheme = source)
- ``elm:learningOutcome`` -> ``elm:LearningOutcome`` nodes with a ``dc:title`` each
- ``elm:creditPoint`` -> ``elm:CreditPoint`` (``elm:framework`` ECTS concept, ``elm:point``)
- ``elm:volumeOfLearning`` (xsd:duration ``PT<h>H[<m>M]`` from ``workload_hours``)
- ``elm:EQFLevel`` (``http://data.europa.eu/snb/eqf/N``), ``elm:NQFLevel`` (the QDR concept of
  framework + level from ``transforms/vocab/nqf_eqf_referencing_selected.csv``)
- ``elm:ISCEDFCode`` (``http://data.europa.eu/snb/isced-f/<code>``), ``dc:language``
  (``http://publications.europa.eu/resource/authority/language/<ISO 639-3>``), ``elm:mode``
  (EDC modes: Online / Presential / Blended), ``elm:entryRequirement`` (Note) from prerequisites,
  ``dc:type`` (a concept labelled with the credential type), ``foaf:homepage`` ->
  ``elm:WebResource`` (``elm:contentUrl``)
- ``elm:awardingOpportunity`` -> ``elm:AwardingOpportunity`` -> ``elm:awardingBody`` ->
  ``elm:Organisation`` (``rov:legalName``, ``elm:location`` -> ``dc:Location`` -> ``elm:address``
  -> ``elm:Address`` -> ``elm:countryCode`` country authority concept)

Every concept is typed ``skos:Concept`` with its ``skos:inScheme`` (the scheme URIs the mdr
shapes require) and, where known, an English ``skos:prefLabel``.

Which records are emitted: what the LOQ shapes require of the nodes written (title; an awarding
body with a name and a country for the Organisation / Location / Address shapes; for a
Qualification also an EQF level, a QDR NQF level concept, at least one ISCED-F code and one
learning outcome). A record that lacks any of these is not written but reported
(``Report(id, source_record_id, reasons)``).

Profile note: in LOQ 1.1.0 ``elm:EQFLevel`` / ``elm:NQFLevel`` are Qualification properties (the
ontology's domain, the QDR XSD); the LearningAchievementSpecification shape, which is
``sh:deactivated`` in that release, does not list them. The export still gives a specification's
levels (the catalogue's users need them, the ELM reader reads them); pass
``qualification_types=("qualification", "micro-credential", ...)`` to write levelled credentials as
``elm:Qualification`` instead, as the Europass Annex I micro-credential sample does.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
ROV = Namespace("http://www.w3.org/ns/regorg#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
LOQ = Namespace("http://data.europa.eu/snb/model/ap/loq-constraints/")

DEFAULT_BASE = "https://clearinghouse.example/credentials/"
SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
SHAPE_FILES = ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl")
NQF_CSV = Path(__file__).resolve().parents[1] / "transforms" / "vocab" / "nqf_eqf_referencing_selected.csv"

# concept schemes (QDR code lists, qdr-xml-loq/cv/*.xsd; the mdr shapes check these)
EQF_SCHEME = URIRef("http://data.europa.eu/snb/eqf/25831c2")
NQF_SCHEME = URIRef("http://data.europa.eu/snb/qdr/25831c2")
ISCED_SCHEME = URIRef("http://data.europa.eu/snb/isced-f/25831c2")
LANGUAGE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/language")
COUNTRY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/country")
CREDIT_SCHEME = URIRef("http://data.europa.eu/snb/education-credit/25831c2")
MODE_SCHEME = URIRef("http://data.europa.eu/snb/learning-assessment/25831c2")

EQF_URI = "http://data.europa.eu/snb/eqf/{}"
ISCED_URI = "http://data.europa.eu/snb/isced-f/{}"
LANGUAGE_URI = "http://publications.europa.eu/resource/authority/language/{}"
COUNTRY_URI = "http://publications.europa.eu/resource/authority/country/{}"
ECTS = URIRef("http://data.europa.eu/snb/education-credit/6fcec5c5af")
# descriptor participation_mode -> EDC "modes of learning and assessment" (cv/europass-modes.xsd)
MODES = {
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "Online"),
    "onsite": ("http://data.europa.eu/snb/learning-assessment/9191af2ed9", "Presential"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "Blended"),
}

PREFIXES = {"elm": ELM, "dc": DCTERMS, "skos": SKOS, "foaf": FOAF, "rov": ROV, "adms": ADMS, "xsd": XSD}


@dataclass
class Report:
    """A record that was not emitted, with the reasons in plain words."""
    id: str | None
    source_record_id: str | None
    reasons: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# code lists


@functools.lru_cache(maxsize=1)
def _nqf_concepts() -> dict[tuple[str, str], tuple[str, str]]:
    """(descriptor framework code, level) -> (QDR NQF level concept URI, its label)."""
    from transforms.text import load_yaml
    by_csv = {spec["csv_country"]: code for code, spec in load_yaml("frameworks.yaml")["frameworks"].items()
              if spec.get("csv_country")}
    out: dict[tuple[str, str], tuple[str, str]] = {}
    with open(NQF_CSV, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            code = by_csv.get(r["country"])
            uri = (r.get("nqf_level_qdr_uri") or "").strip()
            if code and uri:
                out[(code, r["nqf_level"].strip())] = (uri, r["nqf_level_label"].strip())
    return out


def _level_key(level: str) -> str:
    level = level.strip()
    return "II" if level.startswith("II-") else level  # as transforms.levels._key


def nqf_concept(nqf: dict[str, Any] | None) -> tuple[str, str] | None:
    """The QDR NQF level concept (URI, label) of a descriptor's ``nqf``, or None."""
    if not nqf or not nqf.get("framework") or nqf.get("level") in (None, ""):
        return None
    return _nqf_concepts().get((str(nqf["framework"]), _level_key(str(nqf["level"]))))


@functools.lru_cache(maxsize=512)
def _language(code: str) -> tuple[str, str] | None:
    """ISO 639-1 (or -3) code -> (EU authority code, English name)."""
    import pycountry
    code = code.strip().lower().split("-")[0]
    lang = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if lang is None:
        return None
    return lang.alpha_3.upper(), lang.name


@functools.lru_cache(maxsize=512)
def _country(code: str) -> tuple[str, str] | None:
    """ISO 3166-1 alpha-2 (or a 3166-2 subdivision) -> (alpha-3, name)."""
    import pycountry
    code = code.strip().upper().split("-")[0]
    c = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
    if c is None:
        return None
    return c.alpha_3, c.name


# ------------------------------------------------------------------------------------------------
# graph building


def record_uri(record_id: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(base + quote(str(record_id), safe=":-._~"))


def _org_base(base: str) -> str:
    root = base.rstrip("/")
    return (root.rsplit("/", 1)[0] if root.count("/") > 2 else root) + "/organisations/"


def _duration(hours: float) -> str:
    minutes = round(float(hours) * 60)
    h, m = divmod(minutes, 60)
    return f"PT{h}H{m}M" if m else f"PT{h}H"


def _num(v: float) -> str:
    return f"{float(v):g}"


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


def _valid_tag(tag: Any) -> str | None:
    tag = _text(tag)
    return tag.lower() if tag and _LANG_TAG.match(tag) else None


def _lang_tag(rec: dict[str, Any]) -> str:
    """Language tag of the record's texts: title_language, else "en"."""
    return _valid_tag(rec.get("title_language")) or "en"


class _Builder:
    def __init__(self, base: str, qualification_types: Collection[str]) -> None:
        self.g = Graph()
        for p, ns in PREFIXES.items():
            self.g.bind(p, ns, override=True, replace=True)
        self.base = base
        self.org_base = _org_base(base)
        self.qualification_types = set(qualification_types)
        self.schemes: set[URIRef] = set()
        self.org_names: dict[URIRef, str] = {}

    # -- concepts ---------------------------------------------------------------------------------

    def concept(self, uri: str | URIRef, scheme: URIRef, label: str | None = None) -> URIRef:
        c = URIRef(str(uri))
        g = self.g
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, scheme))
        if label and (c, SKOS.prefLabel, None) not in g:
            g.add((c, SKOS.prefLabel, Literal(label, lang="en")))
        if scheme not in self.schemes:
            self.schemes.add(scheme)
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
        return c

    # -- what a record lacks ----------------------------------------------------------------------

    def problems(self, rec: dict[str, Any]) -> list[str]:
        reasons = []
        qualification = rec.get("credential_type") in self.qualification_types
        if not _text(rec.get("title")):
            reasons.append("no title (dc:title is required)")
        body = rec.get("awarding_body") or {}
        if not _text(body.get("name")):
            reasons.append("no awarding body name (the awarding Organisation needs a legal name)")
        country = _text(body.get("country")) or _text(rec.get("country"))
        if not country:
            reasons.append("no country for the awarding body (the Organisation needs a location with a country)")
        elif _country(country) is None:
            reasons.append(f"country {country!r} is not an ISO 3166 country code")
        if qualification:
            eqf = rec.get("eqf_level")
            if eqf is None:
                reasons.append("no EQF level (a Qualification needs exactly one)")
            elif not (isinstance(eqf, int) and 1 <= eqf <= 8):
                reasons.append(f"EQF level {eqf!r} is not 1-8")
            nqf = rec.get("nqf") or {}
            if not nqf.get("level"):
                reasons.append("no national framework level (a Qualification needs an NQF level)")
            elif nqf_concept(nqf) is None:
                reasons.append(f"national level {nqf.get('framework')} {nqf.get('level')} has no QDR NQF "
                               "level concept in the referencing table")
            if not [c for c in rec.get("isced_f") or [] if _text(c)]:
                reasons.append("no ISCED-F field of education (a Qualification needs at least one)")
            if not [o for o in rec.get("learning_outcomes") or [] if _text(o)]:
                reasons.append("no learning outcomes (a Qualification needs at least one)")
        return reasons

    # -- one record -------------------------------------------------------------------------------

    def add(self, rec: dict[str, Any]) -> URIRef:
        """Add one record: whatever it has (``to_elm_graph`` first checks ``problems``)."""
        g = self.g
        node = record_uri(rec["id"], self.base)
        lang = _lang_tag(rec)
        qualification = rec.get("credential_type") in self.qualification_types
        g.add((node, RDF.type, ELM.Qualification if qualification else ELM.LearningAchievementSpecification))

        title = _text(rec.get("title"))
        if title:
            g.add((node, DCTERMS.title, Literal(title, lang=lang)))
        for tl, t in sorted((rec.get("titles") or {}).items()):
            tl = _valid_tag(tl)
            if tl and tl != lang and _text(t):
                g.add((node, DCTERMS.title, Literal(_text(t), lang=tl)))
        desc = _text(rec.get("description"))
        if desc:
            g.add((node, DCTERMS.description, Literal(desc, lang=lang)))

        if _text(rec.get("source_record_id")):
            ident = URIRef(f"{node}/identifier")
            g.add((node, ADMS.identifier, ident))
            g.add((ident, RDF.type, ELM.Identifier))
            g.add((ident, SKOS.notation, Literal(str(rec["source_record_id"]))))
            if _text(rec.get("source")):
                g.add((ident, ELM.schemeName, Literal(str(rec["source"]))))

        ctype = _text(rec.get("credential_type"))
        if ctype:
            root = self.org_base.rsplit("/organisations/", 1)[0]
            g.add((node, DCTERMS.type, self.concept(f"{root}/credential-type/{quote(ctype)}",
                                                    URIRef(f"{root}/credential-type"), ctype)))

        for i, outcome in enumerate(o for o in rec.get("learning_outcomes") or [] if _text(o)):
            lo = URIRef(f"{node}/learning-outcome/{i + 1}")
            g.add((node, ELM.learningOutcome, lo))
            g.add((lo, RDF.type, ELM.LearningOutcome))
            g.add((lo, DCTERMS.title, Literal(_text(outcome), lang=lang)))

        if rec.get("ects") is not None:
            cp = URIRef(f"{node}/credit-point/ects")
            g.add((node, ELM.creditPoint, cp))
            g.add((cp, RDF.type, ELM.CreditPoint))
            g.add((cp, ELM.framework, self.concept(ECTS, CREDIT_SCHEME, "European Credit Transfer System")))
            g.add((cp, ELM.point, Literal(_num(rec["ects"]))))
        if rec.get("workload_hours") is not None and float(rec["workload_hours"]) > 0:
            g.add((node, ELM.volumeOfLearning,
                   Literal(_duration(rec["workload_hours"]), datatype=XSD.duration, normalize=False)))

        eqf = rec.get("eqf_level")
        if isinstance(eqf, int) and 1 <= eqf <= 8:
            g.add((node, ELM.EQFLevel, self.concept(EQF_URI.format(eqf), EQF_SCHEME, f"Level {eqf}")))
        nqf = nqf_concept(rec.get("nqf"))
        if nqf:
            g.add((node, ELM.NQFLevel, self.concept(nqf[0], NQF_SCHEME, nqf[1])))

        for code in rec.get("isced_f") or []:
            if _text(code):
                g.add((node, ELM.ISCEDFCode, self.concept(ISCED_URI.format(quote(str(_text(code)), safe="")), ISCED_SCHEME)))
        for code in rec.get("languages") or []:
            found = _language(code) if _text(code) else None
            if found:
                g.add((node, DCTERMS.language, self.concept(LANGUAGE_URI.format(found[0]), LANGUAGE_SCHEME, found[1])))
        mode = MODES.get(rec.get("participation_mode") or "")
        if mode:
            g.add((node, ELM.mode, self.concept(mode[0], MODE_SCHEME, mode[1])))
        prereq = _text(rec.get("prerequisites"))
        if prereq:
            note = URIRef(f"{node}/entry-requirement")
            g.add((node, ELM.entryRequirement, note))
            g.add((note, RDF.type, ELM.Note))
            g.add((note, ELM.noteLiteral, Literal(prereq, lang=lang)))
        url = _text(rec.get("url"))
        if url and url.lower().startswith(("http://", "https://")) and not any(c in url for c in ' <>"{}|\\^`'):
            web = URIRef(f"{node}/homepage")
            g.add((node, FOAF.homepage, web))
            g.add((web, RDF.type, ELM.WebResource))
            g.add((web, ELM.contentUrl, Literal(url, datatype=XSD.anyURI)))

        self._awarding(node, rec)
        return node

    def _awarding(self, node: URIRef, rec: dict[str, Any]) -> None:
        g = self.g
        body = rec.get("awarding_body") or {}
        name = _text(body.get("name"))
        country = _country(_text(body.get("country")) or _text(rec.get("country")) or "")
        if not name:
            return
        org = self._org_node(body, name, country)
        ao = URIRef(f"{node}/awarding-opportunity")
        g.add((node, ELM.awardingOpportunity, ao))
        g.add((ao, RDF.type, ELM.AwardingOpportunity))
        g.add((ao, ELM.awardingBody, org))
        g.add((ao, ELM.learningAchievementSpecification, node))
        if org in self.org_names:
            return
        self.org_names[org] = name
        g.add((org, RDF.type, ELM.Organisation))
        g.add((org, ROV.legalName, Literal(name, lang="en")))
        if country:
            loc, addr = URIRef(f"{org}/location"), URIRef(f"{org}/address")
            g.add((org, ELM.location, loc))
            g.add((loc, RDF.type, DCTERMS.Location))
            g.add((loc, ELM.address, addr))
            g.add((addr, RDF.type, ELM.Address))
            g.add((addr, ELM.countryCode, self.concept(COUNTRY_URI.format(country[0]), COUNTRY_SCHEME, country[1])))
        ident = _text(body.get("id"))
        if ident and URIRef(ident) != org:
            i = URIRef(f"{org}/identifier")
            g.add((org, ADMS.identifier, i))
            g.add((i, RDF.type, ELM.Identifier))
            g.add((i, SKOS.notation, Literal(ident)))

    def _org_node(self, body: dict[str, Any], name: str, country: tuple[str, str] | None) -> URIRef:
        ident = _text(body.get("id"))
        if ident and ident.lower().startswith(("http://", "https://")) and " " not in ident:
            uri = URIRef(ident)
            if self.org_names.get(uri, name) == name:
                return uri
        key = f"{name.casefold()}\x1f{country[0] if country else ''}\x1f{ident or ''}"
        return URIRef(self.org_base + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16])


def to_elm_graph(records: Iterable[dict[str, Any]], *, base: str = DEFAULT_BASE,
                 qualification_types: Collection[str] = ("qualification",)) -> tuple[Graph, list[Report]]:
    """(ELM LOQ graph of the records that can conform, reports of those that cannot)."""
    b = _Builder(base, qualification_types)
    reports: list[Report] = []
    seen: set[str] = set()
    for rec in records:
        reasons = b.problems(rec)
        if not rec.get("id"):
            reasons.insert(0, "no catalogue id (the resource URI is derived from it)")
        elif str(rec["id"]) in seen:
            reasons.insert(0, "duplicate catalogue id (the record with this id was already exported)")
        if reasons:
            reports.append(Report(rec.get("id"), rec.get("source_record_id"), reasons))
            continue
        seen.add(str(rec["id"]))
        b.add(rec)
    return b.g, reports


FORMATS = {"turtle": "turtle", "ttl": "turtle", "json-ld": "json-ld", "jsonld": "json-ld"}


def serialize(g: Graph, fmt: str = "turtle") -> bytes:
    fmt = FORMATS.get(fmt.lower()) if isinstance(fmt, str) else None
    if fmt is None:
        raise ValueError("format must be 'turtle' or 'json-ld'")
    if fmt == "json-ld":
        # an inline context (prefixes only): the document parses offline
        context = {p: str(ns) for p, ns in PREFIXES.items()}
        return g.serialize(format="json-ld", context=context, indent=1).encode("utf-8")
    return g.serialize(format="turtle").encode("utf-8")  # xsd:string literals written plain (RDF 1.1)


def write_elm(records: Iterable[dict[str, Any]], out: str | os.PathLike, fmt: str = "turtle", *,
              base: str = DEFAULT_BASE, qualification_types: Collection[str] = ("qualification",),
              reports: list[Report] | None = None) -> int:
    """Write the ELM export (Turtle or JSON-LD) to ``out``; returns the number of records written.
    Records not written are appended to ``reports`` when a list is given."""
    records = list(records)
    g, found = to_elm_graph(records, base=base, qualification_types=qualification_types)
    data = serialize(g, fmt)
    Path(out).write_bytes(data)
    if reports is not None:
        reports.extend(found)
    return len(records) - len(found)


def write_elm_turtle(records: Iterable[dict[str, Any]], out: Path) -> int:
    return write_elm(records, out, "turtle")


def write_elm_jsonld(records: Iterable[dict[str, Any]], out: Path) -> int:
    return write_elm(records, out, "json-ld")


# WRITERS-compatible (records, out) -> count; for catalog.export.WRITERS
ELM_WRITERS = {"elm-ttl": write_elm_turtle, "elm-jsonld": write_elm_jsonld}


# ------------------------------------------------------------------------------------------------
# validation


# The URL / URI patterns of LOQ are written for Java regular expressions: a mid-pattern ``(?i)``
# and Unicode classes inside a class union (``[%[\\p{L}\\p{Nl}\\p{Nd}]]``), which Python's re (used by
# pyshacl) refuses. They are rewritten in memory to the same language in Python syntax.
_JAVA_IP_LITERAL = r"\[[[A-Fa-f0-9]\:\.]*[%[\p{L}\p{Nl}\p{Nd}]]*\]"
_PY_IP_LITERAL = r"\[[A-Fa-f0-9:.]*[%\w]*\]"


def python_pattern(pattern: str) -> str:
    """A LOQ sh:pattern in Python ``re`` syntax (unchanged when it already compiles)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # Java's nested classes
            re.compile(pattern)
        return pattern
    except re.error:
        pass
    p = pattern.replace(_JAVA_IP_LITERAL, _PY_IP_LITERAL)
    if p.startswith("^(?i)"):
        p = "(?i)^" + p[len("^(?i)"):]
    re.compile(p)  # raises if a further Java-only construct appears
    return p


@functools.lru_cache(maxsize=2)
def _shapes_ntriples(activate_las: bool) -> str:
    g = Graph()
    for name in SHAPE_FILES:
        g.parse(SHAPES_DIR / name, format="turtle")
    for s, o in list(g.subject_objects(SH.pattern)):
        fixed = python_pattern(str(o))
        if fixed != str(o):
            g.remove((s, SH.pattern, o))
            g.add((s, SH.pattern, Literal(fixed)))
    if activate_las:
        g.remove((LOQ.LearningAchievementSpecificationShape, SH.deactivated, None))
    return g.serialize(format="nt")


def shapes_graph(activate_las: bool = False) -> Graph:
    """The LOQ shapes (constraints + controlled vocabularies), from ``catalog/shapes``."""
    g = Graph()
    g.parse(data=_shapes_ntriples(activate_las), format="nt")
    return g


_SHORT = {**{str(ns): f"{p}:" for p, ns in PREFIXES.items()}, str(SH): "sh:"}


def _short(node: Any) -> str:
    s = str(node)
    if isinstance(node, URIRef):
        for ns, prefix in _SHORT.items():
            if s.startswith(ns) and "/" not in s[len(ns):] and "#" not in s[len(ns):]:
                return prefix + s[len(ns):]
    return s


def validate_elm(graph: Graph, *, activate_las: bool = False) -> tuple[bool, list[dict[str, str]]]:
    """pyshacl against LOQ-constraints.ttl + LOQ-constraints-mdr.ttl (no inference, nothing
    fetched). Returns (conforms, results) with one dict per result: focus, path, message (and
    severity, value, shape). ``activate_las`` re-activates the LearningAchievementSpecification
    shape that LOQ 1.1.0 ships deactivated."""
    import pyshacl
    shapes = shapes_graph(activate_las)
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                           advanced=False, allow_warnings=False)
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        results.append({
            "focus": str(report.value(r, SH.focusNode)),
            "path": _short(path) if path is not None else "",
            "message": str(report.value(r, SH.resultMessage) or ""),
            "severity": _short(report.value(r, SH.resultSeverity)).replace("sh:", ""),
            "value": str(value) if value is not None else "",
        })
    results.sort(key=lambda d: (d["focus"], d["path"], d["message"]))
    return bool(conforms), results


def report_dicts(reports: Iterable[Report]) -> list[dict[str, Any]]:
    return [{"id": r.id, "source_record_id": r.source_record_id, "reasons": list(r.reasons)} for r in reports]


def reports_json(reports: Iterable[Report]) -> str:
    return json.dumps(report_dicts(reports), ensure_ascii=False, indent=1)
