"""DCAT-AP description of the catalogue: one ``dcat:Dataset`` with one ``dcat:Distribution`` per
export format, in Turtle.

    g = dcat_description(store.stats(engine), base="https://clearinghouse.example/",
                         title="Credential clearinghouse catalogue", publisher="Clearinghouse",
                         issued="2026-01-01", modified="2026-11-28",
                         distributions=[("parquet", "https://.../catalogue.parquet"), ("ctdl-jsonld", "...")])
    write_dcat(stats, out, base=..., ...)          # Turtle; returns the number of distributions

Dataset (``<base>dataset``): ``dct:title`` / ``dct:description`` (English; the description names
the record counts of ``stats`` — ``catalog.store.stats`` — unless one is given), ``dct:publisher``
(a ``foaf:Agent``: the URI when ``publisher`` is one, else ``<base>publisher`` with ``foaf:name``),
``dct:issued`` / ``dct:modified`` (``xsd:date`` or ``xsd:dateTime``), ``dcat:theme`` EDUC of the
EU data-theme authority, ``dcat:keyword`` (the given keywords, else defaults), ``dct:spatial``
(EU country authority, from ``countries``), ``dct:language`` (EU language authority, from
``languages``), ``dcat:landingPage`` ``base``, ``dct:identifier``.

Distribution (``<base>distributions/<format>``) per ``(format, url)``: ``dcat:accessURL`` and
``dcat:downloadURL`` ``url``, ``dcat:mediaType`` (IANA media-type URI), ``dct:format`` (EU file-type
authority, where it has a concept for the format), ``dct:conformsTo`` (ELM for the ELM exports,
CTDL for ctdl-jsonld, Open Badges 3.0 for ob3), ``dct:title``. Unknown formats raise ValueError.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from catalog.elm_export import _country, _language

EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA = "http://www.iana.org/assignments/media-types/"
EDUC = URIRef(EU_THEME + "EDUC")

ELM = URIRef("http://data.europa.eu/snb/model/elm/")
CTDL = URIRef("http://purl.org/ctdl/terms/")
OB3 = URIRef("https://www.imsglobal.org/spec/ob/v3p0/")

# format -> (title, IANA media type, EU file-type code or None, conformsTo or None)
FORMATS: dict[str, tuple[str, str, str | None, URIRef | None]] = {
    "parquet": ("Apache Parquet", "application/vnd.apache.parquet", "PARQUET", None),
    "csv": ("CSV", "text/csv", "CSV", None),
    "jsonl": ("JSON Lines", "application/jsonl", None, None),  # no EU file-type concept known for JSON Lines
    "json": ("JSON", "application/json", "JSON", None),
    "elm-ttl": ("ELM v3 (LOQ profile), Turtle", "text/turtle", "RDF_TURTLE", ELM),
    "elm-jsonld": ("ELM v3 (LOQ profile), JSON-LD", "application/ld+json", "JSON_LD", ELM),
    "ctdl-jsonld": ("CTDL JSON-LD (Credential Registry)", "application/ld+json", "JSON_LD", CTDL),
    "ob3": ("Open Badges 3.0 AchievementCredentials (unsigned)", "application/json", "JSON", OB3),
    "dcat": ("DCAT-AP description, Turtle", "text/turtle", "RDF_TURTLE", None),
}
DEFAULT_KEYWORDS = ("micro-credentials", "credentials", "qualifications", "European Qualifications Framework",
                    "ECTS", "lifelong learning")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _when(v: Any) -> Literal:
    s = str(v).strip()
    if _DATE.match(s):
        return Literal(s, datatype=XSD.date)
    return Literal(s.replace(" ", "T"), datatype=XSD.dateTime)


def _summary(stats: dict[str, Any]) -> str:
    parts = ["Descriptions of micro-credentials and other credentials as offered (European standard "
             "elements of Council Recommendation 2022/C 243/02, Annex I), harmonised from institutional, "
             "national and registry sources."]
    if stats.get("active") is not None:
        parts.append(f"{stats['active']} active records" + (
            f", {stats['withdrawn']} withdrawn" if stats.get("withdrawn") else "") + (
            f" from {len(stats['sources'])} source(s)" if stats.get("sources") else "") + ".")
    return " ".join(parts)


def dcat_description(stats: dict[str, Any], *, base: str, title: str, publisher: str, issued: Any, modified: Any,
                     distributions: Iterable[tuple[str, str]], description: str | None = None,
                     keywords: Iterable[str] = DEFAULT_KEYWORDS, countries: Iterable[str] = (),
                     languages: Iterable[str] = ()) -> Graph:
    g = Graph()
    for p, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("xsd", XSD)):
        g.bind(p, ns)
    root = base if base.endswith("/") else base + "/"
    ds = URIRef(root + "dataset")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(title, lang="en")))
    g.add((ds, DCTERMS.description, Literal(description or _summary(stats), lang="en")))
    g.add((ds, DCTERMS.identifier, Literal(str(ds))))
    g.add((ds, DCAT.landingPage, URIRef(root)))
    if re.match(r"^https?://\S+$", publisher):
        agent = URIRef(publisher)
    else:
        agent = URIRef(root + "publisher")
        g.add((agent, FOAF.name, Literal(publisher, lang="en")))
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((ds, DCTERMS.publisher, agent))
    g.add((ds, DCTERMS.issued, _when(issued)))
    g.add((ds, DCTERMS.modified, _when(modified)))
    g.add((ds, DCAT.theme, EDUC))
    for kw in keywords:
        g.add((ds, DCAT.keyword, Literal(kw, lang="en")))
    for code in countries:
        c = _country(code)
        if c:
            g.add((ds, DCTERMS.spatial, URIRef(EU_COUNTRY + c[0])))
    for code in languages:
        lang = _language(code)
        if lang:
            g.add((ds, DCTERMS.language, URIRef(EU_LANGUAGE + lang[0])))
    seen = set()
    for fmt, url in distributions:
        if fmt not in FORMATS:
            raise ValueError(f"unknown distribution format {fmt!r} (known: {', '.join(FORMATS)})")
        if fmt in seen:
            raise ValueError(f"distribution format {fmt!r} given twice")
        seen.add(fmt)
        label, media, file_type, conforms = FORMATS[fmt]
        dist = URIRef(root + "distributions/" + fmt)
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(label, lang="en")))
        g.add((dist, DCAT.accessURL, URIRef(url)))
        g.add((dist, DCAT.downloadURL, URIRef(url)))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        if file_type:
            g.add((dist, DCTERMS["format"], URIRef(EU_FILE_TYPE + file_type)))
        if conforms is not None:
            g.add((dist, DCTERMS.conformsTo, conforms))
    return g


def write_dcat(stats: dict[str, Any], out: str | os.PathLike, **kwargs: Any) -> int:
    """Write the description (Turtle) to ``out``; returns the number of distributions."""
    g = dcat_description(stats, **kwargs)
    Path(out).write_text(g.serialize(format="turtle"), encoding="utf-8")
    return len(list(g.objects(None, DCAT.distribution)))
