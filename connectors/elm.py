"""European Learning Model (ELM v3) RDF: qualifications and learning-achievement specifications
(the LOQ profile used by the Europass QDR) and Europass Digital Credentials (EDC), in Turtle,
RDF/XML or JSON-LD.

    info = FileInfo(path=p, format="elm", sha256=sha256_of(p), size=os.path.getsize(p))
    for batch in read_elm(p, info, batch_size=1000):
        ...   # candidate field names as columns, one row per specification

The document is parsed with rdflib into a graph (nothing is fetched: see "Safety"), then:

- one record per ``elm:Qualification`` / ``elm:LearningAchievementSpecification`` node;
- one record per ``elm:LearningOpportunity`` whose ``elm:learningAchievementSpecification`` is
  not described in the document (or that has none); an opportunity whose specification *is*
  described adds its facts (dates, price, provider, duration) to that specification's record;
- a Europass credential (``cred:credentialSubject`` -> ``elm:hasClaim``): the specification of
  each top-level claim (``elm:specifiedBy``, whatever its class: a LearningActivitySpecification
  for a certificate of participation); a claim without a specification is its own record
  (``x_elm_type`` says so). The credential's profile, issuer and the claim's awarding body,
  assessment (grade, ID verification, assessment specification) fill the record too.

Fields (values as the document gives them, strings; the crosswalks normalise): node URI ->
source_record_id; ``dc:title`` -> title (the English title, else an untagged one, else the first
language in alphabetical order; ``xml:lang`` -> title_language; other languages ->
``title@<lang>``); ``dc:description`` -> description; ``elm:learningOutcome`` -> learning_outcomes
(the titles of the LearningOutcome nodes, joined with "\\n"; ``elm:learningOutcomeSummary`` when
there are none); ``elm:creditPoint`` -> credit + credit_unit (ECTS preferred; all in ``x_credits``);
``elm:volumeOfLearning`` -> ``x_volume_of_learning`` and workload_hours when it is in hours
(``PT60H``); ``elm:EQFLevel`` (``.../eqf/6``) -> eqf_level "6"; ``elm:NQFLevel`` (a QDR concept)
-> nqf_level + nqf_framework from the shared referencing table
(``transforms/vocab/nqf_eqf_referencing_selected.csv``, column ``nqf_level_qdr_uri``), else its
prefLabel as level; ``elm:ISCEDFCode`` -> isced_f (codes, "; "); ``dc:language`` (``.../ENG``) ->
languages ("en"); ``elm:mode`` -> participation_mode (label); ``elm:learningSetting`` ->
``x_learning_setting``; awarding body: ``elm:awardingOpportunity/elm:awardingBody`` (credential:
the claim's ``elm:awardedBy``, else the issuer) -> awarding_body_name (``rov:legalName``) /
awarding_body_id / country (its location's address country, alpha-2); ``elm:relatedESCOSkill``
(of the specification and its outcomes) -> ``x_esco_skills`` (one per line, "URI<TAB>prefLabel"); ``elm:hasPart`` / ``isPartOf`` /
``entitlesTo`` / ``specialisationOf`` -> ``x_`` columns (``isPartOf``, the inverse of a
``hasPart`` in the same document and an ``entitlesTo`` naming a Qualification / specification also
-> stackability "stackable" and stacks_into: the larger credential's title, else its URI);
``foaf:homepage`` -> url (else the first supplementary document);
``elm:entryRequirement`` -> prerequisites; ``elm:provenBy`` (assessment specification type and
title) -> assessment_type, its grading scheme -> grading; ``elm:idVerification`` -> supervision;
``elm:accreditation`` -> quality_assurance / qa_body; credential_type: "micro-credential" when the
credential profile or the specification's type says so, else the type's label, else
"qualification" for an elm:Qualification; verification "Europass EDC" for a credential.

``__locator__`` is the node's URI, or for a blank node its path from a named node
(``urn:cred:1 / cred:credentialSubject / elm:hasClaim / elm:specifiedBy``).

Safety: size-checked; RDF/XML goes through ``connectors.safe.check_xml_prolog`` (no DTD, no
entities); JSON-LD is loaded with ``connectors.safe.load_json`` and every remote ``@context`` is
replaced by a local copy before rdflib sees it (``LOCAL_CONTEXTS``); a context without a local copy
refuses the file. Literal lexical forms are kept as written (rdflib normalisation is off while
parsing).
"""
from __future__ import annotations

import base64
import contextlib
import csv
import functools
import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import rdflib
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from . import safe
from .base import (
    put_joined,
    ERROR, LOCATOR, RAW, FileInfo, RawBatch, SourceFileError, display_name, frame_from_dicts,
)

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
CRED = Namespace("https://www.w3.org/2018/credentials#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
PREFIXES = {str(ELM): "elm:", str(CRED): "cred:", str(DCTERMS): "dc:", str(FOAF): "foaf:",
            str(ROV): "rov:", str(SKOS): "skos:", str(ADMS): "adms:", str(RDF): "rdf:"}

DEFAULT_MAX_BYTES = 50_000_000  # an RDF document is parsed whole
SEP = "; "
RECORD_CLASSES = (ELM.Qualification, ELM.LearningAchievementSpecification)

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
CONTEXT_DIRS = (safe.CONTEXTS_DIR, REFERENCE_DIR / "elm" / "shacl", REFERENCE_DIR / "w3c-vc" / "contexts")
# remote JSON-LD contexts of ELM / EDC documents -> local file name (looked for in CONTEXT_DIRS)
LOCAL_CONTEXTS = {
    "http://data.europa.eu/snb/model/context/edc-ap": "edc-ap-context.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
}
NQF_CSV = Path(__file__).resolve().parents[1] / "transforms" / "vocab" / "nqf_eqf_referencing_selected.csv"

ECTS_URI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
ISCED_F_SCHEME = "http://data.europa.eu/snb/isced-f/"
CREDIT_FRAMEWORKS = {ECTS_URI: "ECTS", "http://data.europa.eu/snb/education-credit/60b314e826": "ECVET"}
# labels of the controlled vocabularies (QDR code lists, cv/*.xsd) used when the document gives none
CONCEPT_LABELS = {
    "http://data.europa.eu/snb/learning-assessment/729f3bed4b": "Workbased",
    "http://data.europa.eu/snb/learning-assessment/7813801c77": "Project based",
    "http://data.europa.eu/snb/learning-assessment/9191af2ed9": "Presential",
    "http://data.europa.eu/snb/learning-assessment/920fbb3cbe": "Online",
    "http://data.europa.eu/snb/learning-assessment/e92d221e4d": "Blended",
    "http://data.europa.eu/snb/learning-assessment/ed4c557045": "Research-Lab based",
    "http://data.europa.eu/snb/learning-setting/6fd4685715": "formal learning",
    "http://data.europa.eu/snb/learning-setting/e207a81fc7": "non-formal learning",
}
_MICRO = re.compile(r"micro-?credential", re.I)
_HOURS = re.compile(r"^PT(\d+(?:[.,]\d+)?)H(?:(\d+(?:[.,]\d+)?)M)?$", re.I)
_ELM_NS = re.compile(rb"data\.europa\.eu/snb/model")
_RDF_XML_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"

_NORMALISE_LOCK = threading.Lock()


# ------------------------------------------------------------------------------------------------
# detection


def looks_like_elm_rdf(head: bytes, obj: dict | list | None = None) -> bool:
    """True for an ELM / Europass document: a parsed JSON(-LD) ``obj`` with the EDC context
    (``http://data.europa.eu/snb/model/context/edc-ap``) or a ``EuropeanDigitalCredential`` /
    ELM class type, also wrapped as ``{"credential": ...}`` (EDCI upload form) or as a JWS JSON
    serialisation (``{"payload": ..., "signatures": ...}``); else Turtle / RDF/XML whose ``head``
    (first bytes; 64 KB is plenty) uses the ELM namespace ``http://data.europa.eu/snb/model/...``
    (RDF/XML: root element ``rdf:RDF``). Ontology and SHACL files of ELM also say yes (the reader
    then refuses them with the reason). Never raises."""
    try:
        if obj is not None:
            return _json_looks_elm(obj)
        data = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not data:
            return False
        if data[:1] in (b"{", b"["):
            return bool(re.search(rb"data\.europa\.eu/snb/model/context|EuropeanDigitalCredential", data))
        if data[:1] == b"<" and not data.startswith((b"<http", b"<urn:", b"<_:")):
            return safe.root_tag(head) == _RDF_XML_ROOT and bool(_ELM_NS.search(head))
        return bool(_ELM_NS.search(head)) and _looks_turtle(data)
    except Exception:
        return False


def _looks_turtle(data: bytes) -> bool:
    text = data[:65536].decode("utf-8", errors="replace")
    return bool(re.search(r"^\s*(@prefix|@base|prefix\s|base\s)", text, re.I | re.M)
                or re.search(r"^\s*<[^>\s]+>\s+(<[^>\s]+>|a|[\w-]*:[\w-]*)\s", text, re.M))


def _json_looks_elm(obj: Any) -> bool:
    if isinstance(obj, list):
        return any(_json_looks_elm(x) for x in obj[:20])
    if not isinstance(obj, dict):
        return False
    if isinstance(obj.get("credential"), dict) and len(obj) <= 3:
        return _json_looks_elm(obj["credential"])
    if isinstance(obj.get("payload"), str) and "signatures" in obj:
        return bool(re.search(r"data\.europa\.eu/snb/model/context|EuropeanDigitalCredential",
                              _jws_payload_text(obj["payload"]) or ""))
    ctx = obj.get("@context")
    if any(isinstance(c, str) and "data.europa.eu/snb/model" in c for c in (ctx if isinstance(ctx, list) else [ctx])):
        return True
    types = obj.get("type", obj.get("@type"))
    types = types if isinstance(types, list) else [types]
    names = {t.rsplit("/", 1)[-1].split(":")[-1] for t in types if isinstance(t, str)}
    if "EuropeanDigitalCredential" in names:
        return True
    return bool(ctx) and bool(names & {"Qualification", "LearningAchievementSpecification", "LearningOpportunity"})


# ------------------------------------------------------------------------------------------------
# parsing


@contextlib.contextmanager
def _verbatim_literals() -> Iterator[None]:
    """rdflib rewrites typed literals ('PT60H' -> 'P2DT12H'); keep them as written while parsing."""
    with _NORMALISE_LOCK:
        old = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = old


def _norm_url(url: str) -> str:
    u = re.sub(r"^https?://", "", url.strip(), flags=re.I).split("#", 1)[0].rstrip("/")
    host, _, rest = u.partition("/")
    return host.lower() + ("/" + rest if rest else "")


@functools.lru_cache(maxsize=16)
def _context_file(norm: str) -> dict | None:
    for url, fname in LOCAL_CONTEXTS.items():
        if _norm_url(url) != norm:
            continue
        for d in CONTEXT_DIRS:
            p = Path(d) / fname
            if p.is_file():
                return json.loads(p.read_text(encoding="utf-8"))
    return None


def local_context(url: str) -> Any:
    """The ``@context`` value of a local copy of a remote context, or None."""
    doc = safe.local_context(url) if safe.is_known_context(url) else None
    if doc is None:
        doc = _context_file(_norm_url(url))
    if isinstance(doc, dict) and "@context" in doc:
        return doc["@context"]
    return None


def _localise_contexts(doc: Any, name: str, path: str) -> Any:
    """A copy of ``doc`` in which every remote ``@context`` URL is replaced by its local copy."""

    def ctx_value(ctx: Any) -> Any:
        if isinstance(ctx, str):
            local = local_context(ctx)
            if local is None:
                shown = ctx if len(ctx) <= 200 else ctx[:200] + "…"
                raise SourceFileError(f"{name}: JSON-LD context {shown} is not available locally; "
                                      "remote contexts are not fetched", path)
            return ctx_value(local)
        if isinstance(ctx, list):
            out: list = []
            for c in ctx:
                v = ctx_value(c)
                out.extend(v if isinstance(v, list) else [v])
            return out
        if isinstance(ctx, dict):
            if isinstance(ctx.get("@import"), str):
                ctx = dict(ctx)
                imported = ctx_value(ctx.pop("@import"))
                base = {}
                for part in imported if isinstance(imported, list) else [imported]:
                    if isinstance(part, dict):
                        base.update(part)
                ctx = {**base, **ctx}
            return {k: ({**v, "@context": ctx_value(v["@context"])} if isinstance(v, dict) and "@context" in v else v)
                    for k, v in ctx.items()}
        return ctx

    def walk(node: Any, depth: int) -> Any:
        if depth > 200:
            raise SourceFileError(f"{name}: the JSON document is nested too deeply to be read", path)
        if isinstance(node, dict):
            return {k: (ctx_value(_with_vc_context(v)) if k == "@context" else _language_map(k, walk(v, depth + 1)))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1) for v in node]
        return node

    return walk(doc, 0)


EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
VC_CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2")


def _with_vc_context(ctx: Any) -> Any:
    """The EDC context defines no ``id`` / ``type`` aliases and no ``credentialSubject`` /
    ``issuer``: EDC documents rely on the W3C VC context for them, whose credential terms are
    scoped to the ``VerifiableCredential`` type. A document that names the EDC context without a
    VC context gets the VC v1 context in front, and those credential terms unscoped (a credential
    typed only ``EuropeanDigitalCredential`` keeps its subject and issuer)."""
    urls = [_norm_url(c) for c in (ctx if isinstance(ctx, list) else [ctx]) if isinstance(c, str)]
    if _norm_url(EDC_CONTEXT) not in urls or any(_norm_url(v) in urls for v in VC_CONTEXTS):
        return ctx
    v1 = local_context(VC_CONTEXTS[0])
    scoped = v1.get("VerifiableCredential", {}).get("@context") if isinstance(v1, dict) else None
    extra = [{k: v for k, v in scoped.items() if k not in ("@protected", "@version")}] if isinstance(scoped, dict) else []
    return [VC_CONTEXTS[0], *extra] + (ctx if isinstance(ctx, list) else [ctx])


_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_IRI_LIKE = re.compile(r"^(https?:|urn:|_:|did:|mailto:)", re.I)


def _language_map(key: str, value: Any) -> Any:
    """A language map ({"en": "...", "de": "..."}) given to a property written as a compact or
    absolute IRI ("dc:title", "http://purl.org/dc/terms/title"), which has no ``@container:
    @language`` definition and would be read as a node (losing the text): the same texts as
    JSON-LD value objects ([{"@language": "en", "@value": "..."}]). Terms of the context (``title``)
    keep their language maps."""
    if not isinstance(key, str) or key.startswith("@") or ":" not in key or not isinstance(value, dict) or not value:
        return value
    out = []
    for lang, text in value.items():
        if not isinstance(lang, str) or not _LANG_TAG.match(lang):
            return value
        texts = text if isinstance(text, list) else [text]
        if not all(isinstance(t, str) for t in texts):
            return value
        if lang.lower() in ("id", "type") and any(_IRI_LIKE.match(t) for t in texts):
            return value  # {"id": "urn:..."}: a node reference, not Indonesian
        out.extend({"@language": lang.replace("_", "-"), "@value": t} for t in texts)
    return out


def _jws_payload_text(payload: str) -> str | None:
    if payload.lstrip().startswith("{"):
        return payload
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except Exception:
        return None


def _unwrap(doc: Any, name: str, path: str) -> Any:
    """The credential inside an EDCI upload wrapper or a JWS JSON serialisation."""
    if isinstance(doc, dict) and isinstance(doc.get("credential"), dict) and "@context" not in doc:
        return doc["credential"]
    if isinstance(doc, dict) and isinstance(doc.get("payload"), str) and ("signatures" in doc or "signature" in doc):
        text = _jws_payload_text(doc["payload"])
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError as e:
            raise SourceFileError(f"{name}: the signed credential's payload is not valid JSON ({e.msg})", path) from None
    return doc


def _has_context(doc: Any) -> bool:
    if isinstance(doc, list):
        return any(_has_context(x) for x in doc)
    return isinstance(doc, dict) and "@context" in doc


def _parse_error(name: str, syntax: str, e: Exception, path: str) -> SourceFileError:
    msg = " ".join(str(e).split())
    if len(msg) > 300:
        msg = msg[:300] + "…"
    return SourceFileError(f"{name}: invalid {syntax}: {msg}", path)


def parse_graph(path: str, name: str, max_bytes: int) -> tuple[Graph, str]:
    """(graph, syntax) of an RDF document, parsed safely."""
    safe.check_size(path, max_bytes)
    with open(path, "rb") as f:
        data = f.read()
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    first = body.lstrip()[:1]
    g = Graph()
    if first in (b"{", b"["):
        doc = _unwrap(safe.load_json(path, max_bytes), name, path)
        if isinstance(doc, dict) and set(doc) == {"@context"}:
            raise SourceFileError(f"{name}: a JSON-LD context (term definitions only), not a credential "
                                  "or qualification document", path)
        if not _has_context(doc):
            raise SourceFileError(
                f"{name}: a JSON document without a JSON-LD @context, not an ELM / Europass credential "
                "or qualification document", path)
        doc = _localise_contexts(doc, name, path)
        try:
            with _verbatim_literals():
                g.parse(data=json.dumps(doc), format="json-ld")
        except SourceFileError:
            raise
        except Exception as e:
            raise _parse_error(name, "JSON-LD", e, path) from None
        return g, "JSON-LD"
    if first == b"<" and not re.match(rb"\s*<(https?:|urn:|_:|[^\s>]*[/#][^\s>]*>)", body):
        safe.check_xml_prolog(path, data[:safe.PROLOG_MAX_BYTES])
        tag = safe.root_tag(data[:safe.PROLOG_MAX_BYTES])
        if tag != _RDF_XML_ROOT:
            local = (tag or "?").rsplit("}", 1)[-1]
            ns = tag[1:].split("}", 1)[0] if tag and tag.startswith("{") else None
            raise SourceFileError(
                f"{name}: an XML document with root element <{local}>"
                + (f" in namespace {ns}" if ns else "")
                + ", not RDF/XML (expected <rdf:RDF>); QDR XML uploads are read by the QDR connector", path)
        try:
            safe.parse_xml_bytes(data, name)  # syntax errors with line and column, entities refused
            with _verbatim_literals():
                g.parse(data=data, format="xml")
        except SourceFileError:
            raise
        except Exception as e:
            raise _parse_error(name, "RDF/XML", e, path) from None
        return g, "RDF/XML"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SourceFileError(f"{name}: not valid UTF-8 text ({e})", path) from None
    try:
        with _verbatim_literals():
            g.parse(data=text, format="turtle")
    except Exception as e:
        raise _parse_error(name, "Turtle", e, path) from None
    return g, "Turtle"


# ------------------------------------------------------------------------------------------------
# graph helpers


def _objs(g: Graph, s: Any, *preds: URIRef) -> list[Any]:
    out: list[Any] = []
    for p in preds:
        for o in g.objects(s, p):
            if o not in out:
                out.append(o)
    return sorted(out, key=_sort_key)


def _sort_key(o: Any) -> tuple:
    if isinstance(o, Literal):
        return (0, o.language or "", str(o))
    if isinstance(o, URIRef):
        return (1, "", str(o))
    return (2, "", str(o))


def _obj(g: Graph, s: Any, *preds: URIRef) -> Any:
    objs = _objs(g, s, *preds)
    return objs[0] if objs else None


def _pick_lang(lits: list[Literal], prefer: str | None = None) -> tuple[Literal | None, list[Literal]]:
    """(main literal, the others): the preferred language, else English, else untagged, else the
    alphabetically first language."""
    lits = [lit for lit in lits if isinstance(lit, Literal) and str(lit).strip()]
    if not lits:
        return None, []

    def rank(lit: Literal) -> tuple:
        lang = (lit.language or "").lower()
        if prefer and lang == prefer.lower():
            return (0, "")
        if lang.startswith("en"):
            return (1, lang)
        if not lang:
            return (2, "")
        return (3, lang)

    ordered = sorted(lits, key=lambda x: (rank(x), str(x)))
    return ordered[0], ordered[1:]


def _text(g: Graph, s: Any, *preds: URIRef, prefer: str | None = None) -> str | None:
    main, _ = _pick_lang([o for o in _objs(g, s, *preds) if isinstance(o, Literal)], prefer)
    return str(main).strip() if main is not None else None


def _label(g: Graph, node: Any, prefer: str | None = None) -> str | None:
    """A concept's or resource's label: prefLabel, title, legal name, noteLiteral, or a known code list label."""
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node).strip() or None
    for preds in ((SKOS.prefLabel,), (DCTERMS.title,), (ROV.legalName,), (FOAF.name,), (ELM.noteLiteral,),
                  (RDFS.label,), (SKOS.altLabel,)):
        t = _text(g, node, *preds, prefer=prefer)
        if t:
            return t
    return CONCEPT_LABELS.get(str(node))


def _note(g: Graph, node: Any, prefer: str | None = None) -> str | None:
    """Text of a Note (noteLiteral) or of a plain literal."""
    if isinstance(node, Literal):
        return str(node).strip() or None
    return _text(g, node, ELM.noteLiteral, prefer=prefer) or _text(g, node, DCTERMS.description, prefer=prefer)


def _code(uri: Any) -> str:
    return str(uri).rstrip("/").rsplit("/", 1)[-1]


def _skill(g: Graph, node: Any) -> str | None:
    """An ESCO skill as "URI<TAB>English prefLabel" (the label where the document gives one)."""
    uri = _uri(node)
    label = _text(g, node, SKOS.prefLabel, prefer="en") if uri else None
    return f"{uri}\t{label}" if uri and label else uri


def _uri(node: Any) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _put(rec: dict[str, str | None], key: str, value: str | None, sep: str = SEP) -> None:
    put_joined(rec, key, value, sep)


def _join(values: Iterable[str | None], sep: str = SEP) -> str | None:
    out = list(dict.fromkeys(v for v in values if v))
    return sep.join(out) if out else None


def _web(v: str | None) -> str | None:
    return v if v and re.match(r"^https?://", v, re.I) else None


@functools.lru_cache(maxsize=1)
def _nqf_table() -> dict[str, dict[str, str]]:
    """QDR NQF level concept URI -> row of the shared referencing table."""
    out: dict[str, dict[str, str]] = {}
    try:
        with open(NQF_CSV, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("nqf_level_qdr_uri"):
                    out[r["nqf_level_qdr_uri"].strip()] = r
    except OSError:  # pragma: no cover - the table ships with the code
        pass
    return out


@functools.lru_cache(maxsize=512)
def _alpha2_language(code: str) -> str:
    try:
        import pycountry
        lang = pycountry.languages.get(alpha_3=code.lower())
        if lang is not None and getattr(lang, "alpha_2", None):
            return lang.alpha_2
    except Exception:  # pragma: no cover
        pass
    return code.lower()


@functools.lru_cache(maxsize=512)
def _alpha2_country(code: str) -> str:
    try:
        import pycountry
        c = pycountry.countries.get(alpha_3=code.upper())
        if c is not None:
            return c.alpha_2
    except Exception:  # pragma: no cover
        pass
    return code


def _language_code(g: Graph, node: Any) -> str | None:
    if isinstance(node, URIRef) and "/authority/language/" in str(node):
        return _alpha2_language(_code(node))
    if isinstance(node, Literal):
        return str(node).strip() or None
    return _label(g, node)


def _country_code(node: Any) -> str | None:
    if isinstance(node, URIRef) and "/authority/country/" in str(node):
        return _alpha2_country(_code(node))
    if isinstance(node, Literal):
        return str(node).strip() or None
    return None


# ------------------------------------------------------------------------------------------------
# records


class _Mapper:
    def __init__(self, g: Graph, locate: Callable[[Any], str] | None = None) -> None:
        self.g = g
        self.locate = locate or self._path_locator

    # -- which nodes are records ---------------------------------------------------------------

    def record_nodes(self) -> list[tuple[Any, dict[str, Any]]]:
        """(node, context) per record; context: credential / claim / learning opportunities."""
        g = self.g
        found: dict[Any, dict[str, Any]] = {}
        for cls in RECORD_CLASSES:
            for s in sorted(set(g.subjects(RDF.type, cls)), key=_sort_key):
                found.setdefault(s, {})
        # Europass credentials: the specification of each top-level claim
        creds = set(g.subjects(CRED.credentialSubject, None)) | set(g.subjects(RDF.type, ELM.EuropeanDigitalCredential))
        for cred in sorted(creds, key=_sort_key):
            has_claims = any(_objs(g, subject, ELM.hasClaim) for subject in _objs(g, cred, CRED.credentialSubject))
            if not has_claims and ((cred, DCTERMS.title, None) in g or (cred, ELM.displayParameter, None) in g):
                ctx = found.setdefault(cred, {})  # a credential that names no claim: its own record
                ctx.setdefault("credential", cred)
                ctx["credential_only"] = True
            for subject in _objs(g, cred, CRED.credentialSubject):
                for claim in _objs(g, subject, ELM.hasClaim):
                    specs = _objs(g, claim, ELM.specifiedBy)
                    for spec in specs or [claim]:
                        ctx = found.setdefault(spec, {})
                        ctx.setdefault("credential", cred)
                        ctx.setdefault("claim", claim)
                        if not specs:
                            ctx["claim_only"] = True
        # learning opportunities
        for lo in sorted(set(g.subjects(RDF.type, ELM.LearningOpportunity)), key=_sort_key):
            specs = [s for s in _objs(g, lo, ELM.learningAchievementSpecification, ELM.specifiedBy)
                     if s in found or self._described(s)]
            if specs:
                for s in specs:
                    found.setdefault(s, {}).setdefault("opportunities", []).append(lo)
            else:
                found.setdefault(lo, {})["opportunity_only"] = True
        return list(found.items())

    def _described(self, node: Any) -> bool:
        return (node, DCTERMS.title, None) in self.g or (node, RDF.type, None) in self.g

    # -- locators --------------------------------------------------------------------------------

    def _path_locator(self, node: Any) -> str:
        if isinstance(node, URIRef):
            return str(node)
        # breadth-first back to a named node (or a node nothing points to)
        g = self.g
        seen = {node}
        frontier: list[tuple[Any, list[str]]] = [(node, [])]
        while frontier:
            nxt: list[tuple[Any, list[str]]] = []
            for n, path in frontier:
                parents = sorted(((s, p) for s, p in g.subject_predicates(n)), key=lambda sp: (_sort_key(sp[0]), str(sp[1])))
                if not parents and path:
                    return " / ".join(["_:root"] + path)
                for s, p in parents:
                    step = [self._qname(p)] + path
                    if isinstance(s, URIRef):
                        return " / ".join([str(s)] + step)
                    if s not in seen:
                        seen.add(s)
                        nxt.append((s, step))
            frontier = nxt
        return f"_:{node}"

    @staticmethod
    def _qname(p: Any) -> str:
        s = str(p)
        for ns, prefix in PREFIXES.items():
            if s.startswith(ns):
                return prefix + s[len(ns):]
        return f"<{s}>"

    # -- one record --------------------------------------------------------------------------------

    def record(self, node: Any, ctx: dict[str, Any]) -> dict[str, str | None]:
        g = self.g
        rec: dict[str, str | None] = {}
        types = [_code(t) for t in _objs(g, node, RDF.type) if isinstance(t, URIRef)]
        rec["source_record_id"] = _uri(node) or self._identifier(node)

        # titles
        titles = [o for o in _objs(g, node, DCTERMS.title) if isinstance(o, Literal)]
        main, others = _pick_lang(titles)
        if main is not None:
            rec["title"] = str(main).strip()
            rec["title_language"] = main.language
            for lit in others:
                if lit.language and lit.language != main.language:
                    rec.setdefault(f"title@{lit.language}", str(lit).strip())
                else:
                    _put(rec, "x_other_titles", str(lit).strip())
        lang = main.language if main is not None else None
        rec["description"] = _text(g, node, DCTERMS.description, prefer=lang)
        _put(rec, "x_alternative_titles", _join(str(o) for o in _objs(g, node, SKOS.altLabel) if isinstance(o, Literal)))

        # outcomes and skills
        outcomes, skills = [], []
        for lo in _objs(g, node, ELM.learningOutcome):
            outcomes.append(_label(g, lo, lang) if not isinstance(lo, Literal) else str(lo))
            skills.extend(_skill(g, s) for s in _objs(g, lo, ELM.relatedESCOSkill))
        skills.extend(_skill(g, s) for s in _objs(g, node, ELM.relatedESCOSkill))
        summary = _join((_note(g, n, lang) for n in _objs(g, node, ELM.learningOutcomeSummary)), "\n")
        rec["learning_outcomes"] = _join(outcomes, "\n") or summary
        if summary and outcomes:
            rec["x_learning_outcome_summary"] = summary
        rec["x_esco_skills"] = _join(skills, "\n")

        self._credits(node, rec)
        self._levels(node, rec)
        # ISCED-F codes, and education subjects that are concepts of the ISCED-F scheme
        isced = [c for c in _objs(g, node, ELM.ISCEDFCode) if isinstance(c, URIRef)]
        isced += [c for c in _objs(g, node, ELM.educationSubject)
                  if isinstance(c, URIRef) and str(c).startswith(ISCED_F_SCHEME) and c not in isced]
        rec["isced_f"] = _join(_code(c) for c in isced)
        rec["languages"] = _join(_language_code(g, n) for n in _objs(g, node, DCTERMS.language))
        rec["participation_mode"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.mode))
        rec["x_learning_setting"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.learningSetting))
        rec["x_target_group"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.targetGroup))
        rec["x_education_subject"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.educationSubject))
        rec["x_education_level"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.educationLevel))
        rec["x_qualification_code"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, node, ELM.qualificationCode))
        rec["x_maximum_duration"] = _text(g, node, ELM.maximumDuration)
        rec["x_is_partial_qualification"] = _text(g, node, ELM.isPartialQualification)
        rec["prerequisites"] = _join((_note(g, n, lang) for n in _objs(g, node, ELM.entryRequirement)), "\n")
        rec["x_category"] = _join(str(o) for o in _objs(g, node, ELM.category) if isinstance(o, Literal))
        rec["x_status"] = _text(g, node, ELM.status)
        rec["x_modified"] = _text(g, node, DCTERMS.modified, ELM.modified)

        # relations
        for key, pred in (("x_has_part", ELM.hasPart), ("x_is_part_of", ELM.isPartOf),
                          ("x_entitles_to", ELM.entitlesTo), ("x_specialisation_of", ELM.specialisationOf),
                          ("x_generalisation_of", ELM.generalisationOf), ("x_influenced_by", ELM.influencedBy)):
            rec[key] = _join((_uri(o) or _label(g, o, lang) for o in _objs(g, node, pred)), "\n")
        parents = self._wholes(node)
        if parents:
            rec["stackability"] = "stackable"
            rec["stacks_into"] = _join((_label(g, p, lang) or _uri(p) for p in parents), "\n")

        # pages
        for hp in _objs(g, node, FOAF.homepage):
            _put(rec, "x_homepages", self._web_resource(hp))
        for doc in _objs(g, node, ELM.supplementaryDocument):
            _put(rec, "x_supplementary_documents", self._web_resource(doc))
        rec["url"] = _web((rec.get("x_homepages") or "").split(SEP)[0]) or \
            _web((rec.get("x_supplementary_documents") or "").split(SEP)[0])

        # awarding body
        for ao in _objs(g, node, ELM.awardingOpportunity):
            for body in _objs(g, ao, ELM.awardingBody):
                self._organisation(body, rec)
            for loc in _objs(g, ao, ELM.location):
                rec.setdefault("country", self._location_country(loc))
            self._period(ao, rec, "x_awarding_")

        # assessment, quality assurance
        for assessment in _objs(g, node, ELM.provenBy):
            self._assessment(assessment, rec, lang)
        for acc in _objs(g, node, ELM.accreditation):
            self._accreditation(acc, rec, lang)

        # type
        dc_types = [_label(g, t, lang) or _uri(t) for t in _objs(g, node, DCTERMS.type)]
        rec["x_type"] = _join(dc_types)
        rec["x_elm_type"] = _join(types)

        # a learning opportunity's facts
        if ctx.get("opportunity_only"):
            self._opportunity(node, rec, lang, own=True)
        for lo in ctx.get("opportunities", []):
            _put(rec, "x_learning_opportunities", _uri(lo) or self.locate(lo))
        if len(ctx.get("opportunities", [])) == 1:
            self._opportunity(ctx["opportunities"][0], rec, lang, own=False)

        # a credential's facts
        cred = ctx.get("credential")
        markers = [t or "" for t in dc_types]
        if cred is not None:
            self._credential(cred, ctx.get("claim"), rec, lang, markers)
            if ctx.get("claim_only"):
                rec["x_elm_type"] = _join([rec.get("x_elm_type"), "claim without a specification"])
            if ctx.get("credential_only"):
                rec["x_elm_type"] = _join([rec.get("x_elm_type"), "credential without a claim"])

        if any(_MICRO.search(m) for m in markers):
            rec["credential_type"] = "micro-credential"
        elif dc_types and dc_types[0] and not dc_types[0].startswith("http"):
            rec["credential_type"] = dc_types[0]
        elif "Qualification" in types:
            rec["credential_type"] = "qualification"
        elif "LearningOpportunity" in types or "LearningActivitySpecification" in types:
            rec["credential_type"] = "course"
        return {k: v for k, v in rec.items() if v is not None and str(v).strip()}

    def _wholes(self, node: Any) -> list[Any]:
        """The larger specifications ``node`` counts towards: its ``elm:isPartOf``, the record nodes
        of the document that name it with ``elm:hasPart`` (the inverse, recorded on the part), and
        its ``elm:entitlesTo`` targets that are themselves a Qualification / specification (an
        entitlement to a LearningEntitlementSpecification is not a larger credential)."""
        g = self.g
        out = list(_objs(g, node, ELM.isPartOf))
        wholes = sorted((s for s in g.subjects(ELM.hasPart, node)
                         if any((s, RDF.type, c) in g for c in RECORD_CLASSES)), key=_sort_key)
        out.extend(w for w in wholes if w not in out and w != node)
        out.extend(o for o in _objs(g, node, ELM.entitlesTo)
                   if o not in out and any((o, RDF.type, c) in g for c in RECORD_CLASSES))
        return out

    def _identifier(self, node: Any) -> str | None:
        for ident in _objs(self.g, node, ADMS.identifier, DCTERMS.identifier):
            if isinstance(ident, Literal):
                return str(ident)
            n = _text(self.g, ident, SKOS.notation)
            if n:
                return n
        return None

    def _web_resource(self, node: Any) -> str | None:
        if isinstance(node, Literal):
            return str(node).strip() or None
        url = _text(self.g, node, ELM.contentUrl) or _uri(self.g.value(node, ELM.contentUrl))
        if url:
            return url
        return _web(_uri(node))

    def _credits(self, node: Any, rec: dict[str, str | None]) -> None:
        found: list[tuple[str | None, str | None]] = []
        for cp in _objs(self.g, node, ELM.creditPoint):
            fw = self.g.value(cp, ELM.framework)
            unit = CREDIT_FRAMEWORKS.get(str(fw)) if fw is not None else None
            if unit is None and fw is not None:  # a framework concept known by its notation only
                notation = (_text(self.g, fw, SKOS.notation) or "").strip().upper()
                unit = next((u for u in CREDIT_FRAMEWORKS.values() if u == notation), None)
            unit = unit or (_label(self.g, fw) if fw is not None else None) or _uri(fw)
            found.append((unit, _text(self.g, cp, ELM.point)))
        if found:
            unit, point = next((f for f in found if f[0] == "ECTS" and f[1]), next((f for f in found if f[1]), found[0]))
            rec["credit"], rec["credit_unit"] = point, unit if point else None
            if len(found) > 1:
                rec["x_credits"] = _join(f"{u or '?'}: {p or '?'}" for u, p in found)
        for vol in _objs(self.g, node, ELM.volumeOfLearning):
            text = str(vol).strip()
            _put(rec, "x_volume_of_learning", text)
            m = _HOURS.match(text)
            if m and "workload_hours" not in rec:
                hours = float(m.group(1).replace(",", ".")) + float((m.group(2) or "0").replace(",", ".")) / 60
                rec["workload_hours"] = f"{hours:g}"

    def _levels(self, node: Any, rec: dict[str, str | None]) -> None:
        g = self.g
        eqf = [o for o in _objs(g, node, ELM.EQFLevel)]
        for o in eqf:
            code = _code(o) if isinstance(o, URIRef) and "/eqf/" in str(o) else (_label(g, o) or str(o))
            if code:
                rec.setdefault("eqf_level", code)
                break
        if len(eqf) > 1:
            rec["x_eqf_levels"] = _join(_uri(o) or str(o) for o in eqf)
        nqf = _objs(g, node, ELM.NQFLevel)
        table = _nqf_table()
        for o in nqf:
            row = table.get(str(o))
            if row:
                rec.setdefault("nqf_level", row["nqf_level"])
                rec.setdefault("nqf_framework", row["framework"])
                rec.setdefault("x_nqf_level_label", _label(g, o) or row.get("nqf_level_label"))
        if "nqf_level" not in rec:
            for o in nqf:
                label = _label(g, o)
                if label:
                    rec["nqf_level"] = label
                    break
        if nqf:
            rec["x_nqf_level_uri"] = _join(_uri(o) for o in nqf)

    def _organisation(self, org: Any, rec: dict[str, str | None], prefix: str = "awarding_body") -> None:
        g = self.g
        if prefix == "awarding_body" and (rec.get("awarding_body_name") or rec.get("awarding_body_id")):
            name = _label(g, org) or _uri(org)
            if name and name not in (rec.get("awarding_body_name"), rec.get("awarding_body_id")):
                _put(rec, "x_other_awarding_bodies", name)
            return
        # elm:legalName is not in the ontology (rov:legalName is), but real EDC pilots write it
        rec[f"{prefix}_name"] = _text(g, org, ROV.legalName) or _text(g, org, ELM.legalName) or \
            _text(g, org, SKOS.prefLabel) or _text(g, org, FOAF.name) or _text(g, org, SKOS.altLabel)
        rec[f"{prefix}_id"] = _uri(org) or self._identifier(org)
        if prefix == "awarding_body":
            rec.setdefault("country", self._org_country(org))
            homepage = _join(self._web_resource(h) for h in _objs(g, org, FOAF.homepage))
            _put(rec, "x_awarding_body_homepage", homepage)

    def _org_country(self, org: Any) -> str | None:
        g = self.g
        for loc in _objs(g, org, ELM.location):
            c = self._location_country(loc)
            if c:
                return c
        for cp in _objs(g, org, ELM.contactPoint):
            for addr in _objs(g, cp, ELM.address):
                c = _country_code(g.value(addr, ELM.countryCode))
                if c:
                    return c
        for ident in _objs(g, org, ELM.eidasLegalIdentifier, ROV.registration):
            c = _country_code(g.value(ident, DCTERMS.spatial))
            if c:
                return c
        return None

    def _location_country(self, loc: Any) -> str | None:
        for addr in _objs(self.g, loc, ELM.address):
            c = _country_code(self.g.value(addr, ELM.countryCode))
            if c:
                return c
        return None

    def _period(self, node: Any, rec: dict[str, str | None], prefix: str) -> None:
        for period in _objs(self.g, node, DCTERMS.temporal):
            _put(rec, f"{prefix}start_date", _text(self.g, period, ELM.startDate))
            _put(rec, f"{prefix}end_date", _text(self.g, period, ELM.endDate))

    def _assessment(self, node: Any, rec: dict[str, str | None], lang: str | None) -> None:
        """A LearningAssessmentSpecification (LOQ), or a LearningAssessment of a credential with its
        specification, grade and ID verification."""
        g = self.g
        texts: list[str | None] = []
        for spec in _objs(g, node, ELM.specifiedBy) or [node]:
            texts.extend(_label(g, t, lang) for t in _objs(g, spec, DCTERMS.type))
            texts.append(_text(g, spec, DCTERMS.title, prefer=lang))
            for gs in _objs(g, spec, ELM.gradingScheme):
                text = _join([_text(g, gs, DCTERMS.title, prefer=lang), _text(g, gs, DCTERMS.description, prefer=lang)], ": ")
                _put(rec, "grading", text, "\n")
            for m in _objs(g, spec, ELM.mode):
                _put(rec, "x_assessment_mode", _label(g, m, lang) or _uri(m))
        _put(rec, "assessment_type", _join(texts), "\n")
        for v in _objs(g, node, ELM.idVerification, ELM.supervisionVerification):
            _put(rec, "supervision", _label(g, v, lang) or _uri(v))
        for grade in _objs(g, node, ELM.grade):
            _put(rec, "x_grade", _note(g, grade, lang))
        for body in _objs(g, node, ELM.assessedBy):
            _put(rec, "x_assessed_by", _label(g, body) or _uri(body))

    def _accreditation(self, acc: Any, rec: dict[str, str | None], lang: str | None) -> None:
        g = self.g
        if isinstance(acc, URIRef) and not (acc, None, None) in g:
            _put(rec, "quality_assurance", f"accreditation {acc}", "\n")
            return
        kind = _join(_label(g, t, lang) or _uri(t) for t in _objs(g, acc, DCTERMS.type))
        title = _text(g, acc, DCTERMS.title, prefer=lang)
        _put(rec, "quality_assurance", _join([title, kind], ": ") or f"accreditation {_uri(acc) or ''}".strip(), "\n")
        for agent in _objs(g, acc, ELM.accreditingAgent):
            _put(rec, "qa_body", _label(g, agent) or _uri(agent))
        _put(rec, "x_accreditations", _uri(acc))

    def _opportunity(self, lo: Any, rec: dict[str, str | None], lang: str | None, own: bool) -> None:
        g = self.g
        if own:
            for spec in _objs(g, lo, ELM.learningAchievementSpecification, ELM.specifiedBy):
                _put(rec, "x_learning_achievement_specification", _uri(spec) or self.locate(spec))
        for period in _objs(g, lo, DCTERMS.temporal):
            rec.setdefault("start_date", _text(g, period, ELM.startDate))
            rec.setdefault("end_date", _text(g, period, ELM.endDate))
        if not rec.get("duration"):
            rec["duration"] = _text(g, lo, ELM.duration)
        for price in _objs(g, lo, ELM.priceDetail):
            for amount in _objs(g, price, ELM.amount):
                value = _text(g, amount, ELM.value)
                unit = g.value(amount, ELM.unit)
                if value and not rec.get("price"):
                    rec["price"] = value
                    rec["price_currency"] = _code(unit) if isinstance(unit, URIRef) else (str(unit) if unit else None)
                _put(rec, "x_prices", _join([value, _code(unit) if unit is not None else None], " "))
        for org in _objs(g, lo, ELM.providedBy):
            if not (rec.get("awarding_body_name") or rec.get("awarding_body_id")):
                self._organisation(org, rec)
            else:
                _put(rec, "x_provided_by", _label(g, org) or _uri(org))
        if not rec.get("participation_mode"):
            rec["participation_mode"] = _join(_label(g, m, lang) or _uri(m) for m in _objs(g, lo, ELM.mode))
        if not rec.get("languages"):
            rec["languages"] = _join(_language_code(g, n) for n in _objs(g, lo, ELM.defaultLanguage, DCTERMS.language))
        if not rec.get("url"):
            rec["url"] = _web(_join(self._web_resource(h) for h in _objs(g, lo, FOAF.homepage)) or "")
            if rec["url"] and SEP in rec["url"]:
                rec["url"] = rec["url"].split(SEP)[0]
        for loc in _objs(g, lo, ELM.location):
            rec.setdefault("country", self._location_country(loc))
        rec["x_application_deadline"] = _join(str(o) for o in _objs(g, lo, ELM.applicationDeadline))

    def _credential(self, cred: Any, claim: Any, rec: dict[str, str | None], lang: str | None,
                    markers: list[str]) -> None:
        g = self.g
        rec["x_credential_id"] = _uri(cred) or self.locate(cred)
        profiles = [_label(g, p, lang) or _uri(p) for p in _objs(g, cred, ELM.credentialProfiles)]
        rec["x_credential_profile"] = _join(profiles)
        markers.extend(p or "" for p in profiles)
        markers.extend(_uri(s) or "" for s in _objs(g, cred, CRED.credentialSchema))
        rec["verification"] = "Europass EDC; verifiable credential"
        if claim is not None:
            rec["x_claim"] = _uri(claim) or self.locate(claim)
            if not rec.get("title"):
                self._title(claim, rec)
            for ap in _objs(g, claim, ELM.awardedBy):
                for body in _objs(g, ap, ELM.awardingBody):
                    self._organisation(body, rec)
            for assessment in _objs(g, claim, ELM.provenBy):
                self._assessment(assessment, rec, lang)
            if not rec.get("x_workload"):
                rec["x_workload"] = _text(g, claim, ELM.workload)
            for period in _objs(g, claim, DCTERMS.temporal):
                rec.setdefault("x_claim_start_date", _text(g, period, ELM.startDate))
                rec.setdefault("x_claim_end_date", _text(g, period, ELM.endDate))
        if not rec.get("title"):  # the credential's own title, else the one it is displayed with
            self._title(cred, rec)
        if not rec.get("title"):
            for display in _objs(g, cred, ELM.displayParameter):
                self._title(display, rec)
                if rec.get("title"):
                    break
        for issuer in _objs(g, cred, CRED.issuer):
            if not (rec.get("awarding_body_name") or rec.get("awarding_body_id")):
                self._organisation(issuer, rec)
            else:
                rec["x_issuer"] = _label(g, issuer) or _uri(issuer)

    def _title(self, node: Any, rec: dict[str, str | None]) -> None:
        """title / title_language / title@<lang> from a node's dc:title (when it has one)."""
        main, others = _pick_lang([o for o in _objs(self.g, node, DCTERMS.title) if isinstance(o, Literal)])
        if main is None:
            return
        rec["title"] = str(main).strip()
        rec["title_language"] = main.language
        for lit in others:
            if lit.language and lit.language != main.language:
                rec.setdefault(f"title@{lit.language}", str(lit).strip())


def _not_records_reason(g: Graph, syntax: str) -> str:
    if (None, RDF.type, SH.NodeShape) in g or (None, SH.targetClass, None) in g or (None, SH.property, None) in g:
        return f"SHACL shapes ({syntax} application-profile constraints), not a credential or qualification document"
    if any((None, RDF.type, c) in g for c in (OWL.Ontology, OWL.Class, RDFS.Class, RDF.Property,
                                               OWL.ObjectProperty, OWL.DatatypeProperty)):
        return f"an ontology ({syntax} vocabulary definitions: classes and properties), not a credential or qualification document"
    if (None, RDF.type, None) not in g and ((None, SKOS.definition, None) in g or (None, RDFS.comment, None) in g):
        return (f"vocabulary definitions ({syntax}: definitions of reused classes and properties), "
                "not a credential or qualification document")
    if len(g) == 0:
        return f"the {syntax} document holds no RDF statements"
    return (f"the {syntax} document holds no ELM Qualification, LearningAchievementSpecification, "
            "LearningOpportunity or Europass credential claim")


def graph_records(g: Graph, locate: Callable[[Any], str] | None = None) -> list[tuple[dict[str, str | None], str]]:
    """(record, locator) for every record of an ELM graph (shared with the QDR connector)."""
    mapper = _Mapper(g, locate)
    out = []
    for node, ctx in mapper.record_nodes():
        out.append((mapper.record(node, ctx), mapper.locate(node)))
    return out


def batches_of(found: list[tuple[dict[str, str | None], str, str | None, str | None]], info: FileInfo,
               batch_size: int) -> Iterator[RawBatch]:
    for start in range(0, len(found), batch_size):
        chunk = found[start:start + batch_size]
        records = []
        for rec, *_ in chunk:
            rec = {k: v for k, v in rec.items() if k not in (LOCATOR, ERROR, RAW)}
            records.append(rec)
        frame = frame_from_dicts(records, [c[1] for c in chunk], [c[2] for c in chunk], [c[3] for c in chunk])
        if not info.columns:
            info.columns = [c for c in frame.columns if c not in (LOCATOR, ERROR, RAW)]
        yield RawBatch(frame)


def read_elm(path: str | os.PathLike, info: FileInfo, batch_size: int,
             *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawBatch]:
    """Batches (at most ``batch_size`` records) of the qualifications / specifications of an ELM
    document (Turtle, RDF/XML or JSON-LD; Europass credentials as JSON-LD, also signed (JWS JSON)
    or wrapped for upload).

    Raises SourceFileError (one line) for a file over ``max_bytes``, a syntax error, unsafe XML,
    a JSON-LD context without a local copy, or a document with nothing to read (an ontology or
    SHACL shapes file says so)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    g, syntax = parse_graph(path, name, max_bytes)
    found = [(rec, loc, None, None) for rec, loc in graph_records(g)]
    if not found:
        raise SourceFileError(f"{name}: {_not_records_reason(g, syntax)}", path)
    if not info.records_path:
        info.records_path = "elm:Qualification | elm:LearningAchievementSpecification"
    yield from batches_of(found, info, batch_size)
