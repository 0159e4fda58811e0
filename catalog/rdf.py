"""The catalogue as RDF, for SPARQL.

    g = records_to_graph(store.iter_records(engine))
    rows = sparql(records_or_graph, "SELECT ?level (COUNT(?c) AS ?n) WHERE { ?c elm:EQFLevel ?level } GROUP BY ?level")

``records_to_graph`` gives every record (not only those that conform to the LOQ profile: the
SPARQL view is the whole catalogue) with the ELM mapping of ``catalog.elm_export`` (whatever the
record has is written), plus catalogue facts on the same node:

- ``dc:identifier`` the catalogue id, ``dc:source`` the source key, ``dc:created`` first_seen,
  ``dc:modified`` last_changed (xsd:dateTime)
- ``ch:status`` (``active`` / ``withdrawn``), ``ch:contentHash``, ``ch:credentialType``,
  ``ch:country``, ``ch:eqfLevel`` (xsd:integer, the same level as ``elm:EQFLevel``)

with ``ch:`` = ``https://clearinghouse.example/ns/catalogue#``. Queries may use the prefixes
``elm dc skos foaf rov adms xsd rdf rdfs ch`` without declaring them.

Safety: nothing is fetched. ``SERVICE`` and ``FROM`` / ``FROM NAMED`` (which rdflib would load
over the network) are refused with a ValueError; so is a query that does not parse (the parser's
message, on one line).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from catalog.elm_export import DEFAULT_BASE, PREFIXES, _Builder

CH = Namespace("https://clearinghouse.example/ns/catalogue#")
QUERY_PREFIXES = {**{p: str(ns) for p, ns in PREFIXES.items()}, "rdf": str(RDF), "rdfs": str(RDFS), "ch": str(CH)}


def records_to_graph(records: Iterable[dict[str, Any]], *, base: str = DEFAULT_BASE) -> Graph:
    """The catalogue as one RDF graph: ELM (LOQ mapping) plus catalogue facts, every record."""
    b = _Builder(base, ("qualification",))
    g = b.g
    g.bind("ch", CH, override=True, replace=True)
    for rec in records:
        if not rec.get("id"):
            continue
        node = b.add(rec)
        g.add((node, DCTERMS.identifier, Literal(str(rec["id"]))))
        for pred, key in ((DCTERMS.source, "source"), (CH.status, "status"), (CH.contentHash, "content_hash"),
                          (CH.credentialType, "credential_type"), (CH.country, "country")):
            if rec.get(key) not in (None, ""):
                g.add((node, pred, Literal(str(rec[key]))))
        for pred, key in ((DCTERMS.created, "first_seen"), (DCTERMS.modified, "last_changed")):
            if rec.get(key):
                g.add((node, pred, Literal(str(rec[key]), datatype=XSD.dateTime, normalize=False)))
        if isinstance(rec.get("eqf_level"), int):
            g.add((node, CH.eqfLevel, Literal(rec["eqf_level"], datatype=XSD.integer)))
    return g


def _one_line(e: Exception) -> str:
    msg = " ".join(str(e).split())
    return msg if len(msg) <= 400 else msg[:400] + "…"


def _walk(node: Any, seen: set[int] | None = None) -> Iterable[Any]:
    seen = seen if seen is not None else set()
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v, seen)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _walk(v, seen)


def prepare(query: str) -> Any:
    """The parsed, checked query (ValueError: does not parse, or would fetch something)."""
    from rdflib.plugins.sparql import prepareQuery
    if not isinstance(query, str) or not query.strip():
        raise ValueError("invalid SPARQL query: empty query")
    try:
        prepared = prepareQuery(query, initNs=QUERY_PREFIXES)
    except Exception as e:  # pyparsing ParseException, or an algebra error (unknown prefix ...)
        raise ValueError(f"invalid SPARQL query: {_one_line(e)}") from None
    algebra = prepared.algebra
    if algebra.get("datasetClause"):
        raise ValueError("SPARQL FROM / FROM NAMED is not supported: the query runs on the catalogue graph, "
                         "nothing is loaded")
    for part in _walk(algebra):
        if getattr(part, "name", None) == "ServiceGraphPattern":
            raise ValueError("SPARQL SERVICE is not supported: federated queries would fetch remote data")
    return prepared


def sparql(records: Iterable[dict[str, Any]] | Graph, query: str, *, base: str = DEFAULT_BASE) -> list[dict[str, Any]]:
    """Run a SPARQL query over the catalogue (records, or a graph from ``records_to_graph``).

    SELECT: one dict per row, variable -> value as a string (unbound variables left out);
    ASK: ``[{"result": bool}]``; CONSTRUCT / DESCRIBE: one dict per triple (subject, predicate,
    object). A malformed query raises ValueError with the parser's message on one line."""
    prepared = prepare(query)
    g = records if isinstance(records, Graph) else records_to_graph(records, base=base)
    try:
        result = g.query(prepared)
    except Exception as e:
        raise ValueError(f"SPARQL query failed: {_one_line(e)}") from None
    if result.type == "ASK":
        return [{"result": bool(result.askAnswer)}]
    if result.type == "SELECT":
        names = [str(v) for v in (result.vars or [])]
        rows = []
        for row in result:
            rows.append({n: str(v) for n, v in zip(names, row) if v is not None})
        return rows
    return [{"subject": str(s), "predicate": str(p), "object": str(o)} for s, p, o in result.graph or []]


__all__ = ["CH", "QUERY_PREFIXES", "prepare", "records_to_graph", "sparql"]
