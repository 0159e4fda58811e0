"""Europass QDR XML uploads, Learning Opportunities & Qualifications profile (LOQ, ELM v3).

    info = FileInfo(path=p, format="qdr", sha256=sha256_of(p), size=os.path.getsize(p))
    for batch in read_qdr(p, info, batch_size=1000):
        ...   # candidate field names as columns, one row per qualification / specification

A QDR LOQ document (root ``<Courses>`` in ``http://data.europa.eu/snb/model/ap/loq-constraints/``)
is first validated against the shipped XML schema (``loq.xsd`` and its code lists, all local
files): an invalid document is refused with the first validation error and its line, nothing is
mapped. The XML mirrors ELM (sections ``learningOpportunityReferences``,
``learningAchievementSpecificationReferences``, ``learningOutcomeReferences``,
``agentReferences``, ``locationReferences``...; ``id`` / ``idref`` link the records, ``uri``
names a controlled-vocabulary concept, ``language`` tags a text), so it is read into an ELM RDF
graph (element name -> ELM / DC / FOAF / SKOS / ROV property) and mapped by the ELM connector
(``connectors.elm``, same records and fields): one record per ``<qualification>`` /
``<learningAchievementSpecification>``, and per ``<learningOpportunity>`` whose specification is
not in the document.

``__locator__`` is the element's XPath (``/Courses/learningAchievementSpecificationReferences[1]/
qualification[2]``, prefixes left out). Parsing goes through ``connectors.safe`` (no DTD, no
entities, no network); the document is parsed whole (``max_bytes``, default 50 MB).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Iterator

from lxml import etree
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from . import elm, safe
from .base import FileInfo, RawBatch, SourceFileError, display_name

LOQ_NS = "http://data.europa.eu/snb/model/ap/loq-constraints/"
DEFAULT_MAX_BYTES = 50_000_000

_SCHEMA_NAME = "loq.xsd"
# where the LOQ schema (loq.xsd with its cv/ and external/ folders) is looked for, in order
SCHEMA_DIRS = (
    Path(__file__).with_name("schemas") / "qdr-loq",
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "elm" / "qdr-xml-loq",
)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NS_PRED = {  # element namespace -> RDF namespace of the property
    "http://purl.org/dc/terms/": str(DCTERMS),
    "http://www.w3.org/2004/02/skos/core#": str(SKOS),
    "http://xmlns.com/foaf/0.1/": str(FOAF),
    "http://www.w3.org/ns/regorg#": str(elm.ROV),
    "http://www.w3.org/ns/adms#": str(elm.ADMS),
}
_LOQ_PRED = {  # LOQ element name -> property (everything else: elm:<name>)
    "title": DCTERMS.title, "description": DCTERMS.description, "type": DCTERMS.type,
    "language": DCTERMS.language, "temporal": DCTERMS.temporal, "modified": DCTERMS.modified,
    "spatial": DCTERMS.spatial, "identifier": elm.ADMS.identifier, "homepage": FOAF.homepage,
    "legalName": elm.ROV.legalName, "registration": elm.ROV.registration,
    "prefLabel": SKOS.prefLabel, "altLabel": SKOS.altLabel, "notation": SKOS.notation,
    "inScheme": SKOS.inScheme, "definition": SKOS.definition,
}
_CLASS = {  # record element name -> ELM class
    "qualification": elm.ELM.Qualification,
    "learningAchievementSpecification": elm.ELM.LearningAchievementSpecification,
    "learningOpportunity": elm.ELM.LearningOpportunity,
    "learningOutcome": elm.ELM.LearningOutcome,
    "learningActivitySpecification": elm.ELM.LearningActivitySpecification,
    "learningAssessmentSpecification": elm.ELM.LearningAssessmentSpecification,
    "learningEntitlementSpecification": elm.ELM.LearningEntitlementSpecification,
    "organisation": elm.ELM.Organisation, "agent": elm.ELM.Agent, "group": elm.ELM.Group,
    "accreditation": elm.ELM.Accreditation, "gradingScheme": elm.ELM.GradingScheme,
    "location": DCTERMS.Location,
}


# ------------------------------------------------------------------------------------------------
# detection


def looks_like_qdr(head: bytes) -> bool:
    """True when the document's root element is in the QDR LOQ namespace
    (``http://data.europa.eu/snb/model/ap/loq-constraints/``; the root is ``<Courses>``).
    ``head``: the first bytes of the file (64 KB is plenty). Never raises."""
    try:
        tag = safe.root_tag(head)
        return bool(tag) and tag.startswith("{" + LOQ_NS + "}")
    except Exception:
        return False


# ------------------------------------------------------------------------------------------------
# schema


def schema_path() -> Path | None:
    for d in SCHEMA_DIRS:
        p = d / _SCHEMA_NAME
        if p.is_file():
            return p
    return None


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    # the schema's imports are relative local files; the parser never uses the network
    doc = etree.parse(path, safe.xml_parser(load_dtd=False))
    return etree.XMLSchema(doc)


def validate(tree: etree._ElementTree, name: str, path: str, xsd: str | os.PathLike | None = None) -> None:
    """Refuse a document that does not validate against loq.xsd (first error, with its line)."""
    xsd_path = Path(xsd) if xsd else schema_path()
    if xsd_path is None or not Path(xsd_path).is_file():
        raise SourceFileError(
            f"{name}: the QDR LOQ schema ({_SCHEMA_NAME}) is not available locally "
            f"(looked in {', '.join(str(d) for d in SCHEMA_DIRS)}); QDR XML is not read without validation", path)
    schema = _schema(str(Path(xsd_path).resolve()))
    if schema.validate(tree):
        return
    errors = [e for e in schema.error_log]
    first = errors[0] if errors else None
    if first is None:  # pragma: no cover
        raise SourceFileError(f"{name}: not valid against the QDR LOQ schema", path)
    msg = " ".join(first.message.split())
    more = f" ({len(errors) - 1} more errors)" if len(errors) > 1 else ""
    raise SourceFileError(
        f"{name}: not valid against the QDR LOQ schema ({_SCHEMA_NAME}): line {first.line}: {msg}{more}", path)


# ------------------------------------------------------------------------------------------------
# XML -> ELM graph


def _local(tag: Any) -> str | None:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _pred(el: etree._Element) -> URIRef:
    q = etree.QName(el)
    if q.namespace in _NS_PRED:
        return URIRef(_NS_PRED[q.namespace] + q.localname)
    return _LOQ_PRED.get(q.localname) or elm.ELM[q.localname]


def _xpath(el: etree._Element) -> str:
    steps: list[str] = []
    node = el
    while node is not None:
        parent = node.getparent()
        name = _local(node.tag) or "node()"
        if parent is None:
            steps.append(name)
        else:
            same = [c for c in parent if _local(c.tag) == name]
            steps.append(f"{name}[{same.index(node) + 1}]")
        node = parent
    return "/" + "/".join(reversed(steps))


class _Builder:
    def __init__(self) -> None:
        self.g = Graph()
        self.locators: dict[Any, str] = {}
        self.order: dict[Any, int] = {}

    def build(self, root: etree._Element) -> Graph:
        for section in root:
            if not isinstance(section.tag, str):
                continue
            for item in section:
                if not isinstance(item.tag, str):
                    continue
                node = self.node(item)
                cls = _CLASS.get(_local(item.tag) or "")
                if cls is not None:
                    self.g.add((node, RDF.type, cls))
                self.locators.setdefault(node, _xpath(item))
                self.order.setdefault(node, len(self.order))
        return self.g

    def node(self, el: etree._Element) -> Any:
        ident = (el.get("id") or "").strip()
        node: Any = URIRef(ident) if ident else BNode()
        self.children(node, el)
        return node

    def children(self, node: Any, el: etree._Element) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            pred = _pred(child)
            idref = (child.get("idref") or "").strip()
            uri = (child.get("uri") or "").strip()
            if idref:
                self.g.add((node, pred, URIRef(idref)))
            elif uri:
                concept = URIRef(uri)
                self.g.add((node, pred, concept))
                self.children(concept, child)  # labels of the concept
            elif len(child):
                self.g.add((node, pred, self.node(child)))
            else:
                text = child.text or ""
                if not text.strip():
                    continue
                lang = child.get("language") or child.get(_XML_LANG)
                self.g.add((node, pred, Literal(text.strip(), lang=lang or None)))


# ------------------------------------------------------------------------------------------------
# reading


def read_qdr(path: str | os.PathLike, info: FileInfo, batch_size: int,
             *, max_bytes: int = DEFAULT_MAX_BYTES, xsd: str | os.PathLike | None = None) -> Iterator[RawBatch]:
    """Batches (at most ``batch_size`` records) of the qualifications / learning-achievement
    specifications of a QDR LOQ XML document.

    Raises SourceFileError (one line) for a file over ``max_bytes``, unsafe or invalid XML, a root
    that is not in the LOQ namespace, a document that does not validate against ``loq.xsd``
    (``xsd``: another copy of it), or one that holds no qualification or specification."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    safe.check_size(path, max_bytes)
    with open(path, "rb") as f:
        data = f.read()
    safe.check_xml_prolog(path, data[:safe.PROLOG_MAX_BYTES])
    root = safe.parse_xml_bytes(data, name)
    tag = root.tag if isinstance(root.tag, str) else ""
    if not tag.startswith("{" + LOQ_NS + "}"):
        ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else None
        raise SourceFileError(
            f"{name}: not a QDR LOQ document (its root element is <{_local(tag)}> "
            + (f"in namespace {ns}" if ns else "in no namespace")
            + f"; expected <Courses> in {LOQ_NS})", path)
    tree = root.getroottree()
    validate(tree, name, path, xsd)

    builder = _Builder()
    g = builder.build(root)
    found = elm.graph_records(g, locate=lambda n: builder.locators.get(n) or str(n))
    if not found:
        raise SourceFileError(f"{name}: the QDR LOQ document holds no qualification, learning achievement "
                              "specification or learning opportunity", path)
    order = {loc: i for i, loc in enumerate(builder.locators.values())}
    found.sort(key=lambda rl: order.get(rl[1], len(order)))
    if not info.records_path:
        info.records_path = "/Courses/learningAchievementSpecificationReferences"
    yield from elm.batches_of([(rec, loc, None, None) for rec, loc in found], info, batch_size)
