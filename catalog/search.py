"""Catalogue search: full text plus the filters the command line and the API share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, select, text
from sqlalchemy.engine import Engine

from catalog import clusters, tables as t
from catalog.fts import fold, fts5_match, tokens
from catalog.store import _doc

SORTS = ("relevance", "title", "ects", "eqf_level", "last_changed")


@dataclass
class Query:
    text: str | None = None
    source: str | None = None
    country: str | None = None
    eqf: int | None = None
    ects_min: float | None = None
    ects_max: float | None = None
    mode: str | None = None
    language: str | None = None
    type: str | None = None
    isced_f: str | None = None
    include_withdrawn: bool = False
    limit: int = 20
    offset: int = 0
    sort: str = "relevance"  # relevance (best match first; title when there is no text) or a column
    descending: bool = False
    all_members: bool = False  # every record of a cluster, not one entry per credential
    part_of: str | None = None  # credentials counting towards this record (or cluster "cl-...")
    stackable: bool = False  # only credentials that count towards a larger one


def language_codes(column_value: str) -> list[str]:
    return [code for code in column_value.strip("|").split("|") if code]


def _conditions(q: Query) -> list[Any]:
    c = t.credentials.c
    conds: list[Any] = []
    if not q.include_withdrawn:
        conds.append(c.status == "active")
    if q.source:
        conds.append(c.source == q.source)
    if q.country:
        conds.append(c.country == q.country.upper())
    if q.eqf is not None:
        conds.append(c.eqf_level == q.eqf)
    if q.ects_min is not None:
        conds.append(c.ects >= q.ects_min)
    if q.ects_max is not None:
        conds.append(c.ects <= q.ects_max)
    if q.mode:
        conds.append(c.participation_mode == q.mode)
    if q.language:
        conds.append(c.languages.like(f"%|{q.language.lower()}|%"))
    if q.type:
        conds.append(c.credential_type == q.type)
    if q.isced_f:
        conds.append(c.isced_f.like(f"%|{q.isced_f}%"))  # a broad field finds its narrower ones
    conds.extend(clusters.conditions(q))
    return conds


def _has_text(q: Query) -> bool:
    return bool(q.text and tokens(q.text))


LIGHT_COLUMNS = ("id", "eqf_level", "country", "participation_mode", "credential_type", "languages",
                 "ects", "isced_f")


def base_query(q: Query, dialect: str = "sqlite", light: bool = False) -> Select:
    """SELECT of the matching catalogue rows (with a `rank` column when there is text on SQLite).
    ``light``: only the columns counts and facets need (not the descriptor documents)."""
    c = t.credentials.c
    conds = _conditions(q)
    cols = [getattr(c, name) for name in LIGHT_COLUMNS] if light else [t.credentials]
    if _has_text(q) and dialect == "sqlite":
        # a materialised CTE: the MATCH runs once, not once per catalogue row of the join
        fts = text(f"SELECT rowid AS rid, bm25({t.FTS_TABLE}, 0, 10.0, 2.0, 3.0, 3.0) AS rank "
                   f"FROM {t.FTS_TABLE} WHERE {t.FTS_TABLE} MATCH :match"
                   ).bindparams(match=fts5_match(q.text)).columns(rid=t.Integer, rank=t.Float
                                                                  ).cte("fts").prefix_with("MATERIALIZED")
        query = select(*cols, fts.c.rank).select_from(
            t.credentials.join(fts, fts.c.rid == literal_column("credentials.rowid")))
    elif _has_text(q) and dialect == "postgresql":  # tsvector with a GIN index
        from catalog.pg_fulltext import condition
        conds.append(condition(q.text))
        query = select(*cols)
    else:
        if _has_text(q):  # portable: every word as a word prefix in the folded text
            conds.extend(c.search_text.like(f"% {tok}%") for tok in tokens(q.text))
        query = select(*cols)
    return query.where(and_(*conds)) if conds else query


def search(engine: Engine, q: Query) -> tuple[list[dict[str, Any]], int]:
    """Matching descriptors (best match first when there is text) and the total count. On SQLite
    from the in-memory column store (catalog.columnar), elsewhere in SQL."""
    if engine.dialect.name == "sqlite":
        from catalog import columnar

        rowids, total = columnar.page(engine, q)
        return docs_by_rowid(engine, rowids), total
    return sql_search(engine, q)


def docs_by_rowid(engine: Engine, rowids: list[int]) -> list[dict[str, Any]]:
    if not rowids:
        return []
    rid = literal_column("credentials.rowid")
    with engine.connect() as conn:
        rows = {r.rid: r for r in conn.execute(select(t.credentials, rid.label("rid")).where(rid.in_(rowids)))}
        found = [rows[r] for r in rowids if r in rows]
        return clusters.attach(conn, [_doc(r) for r in found], found)  # + "cluster": its sources


def sql_search(engine: Engine, q: Query) -> tuple[list[dict[str, Any]], int]:
    """The search in SQL (PostgreSQL, and the reference the column store is tested against)."""
    c = t.credentials.c
    query = base_query(q, engine.dialect.name)
    sub_rank = "rank" in query.selected_columns
    if q.sort == "relevance":
        order = [query.selected_columns.rank.asc(), c.id] if sub_rank else [c.title, c.id]
    else:
        col = getattr(c, q.sort)
        order = [(col.desc() if q.descending else col.asc()).nulls_last(), c.id]
    with engine.connect() as conn:
        light = base_query(q, engine.dialect.name, light=True)
        total = conn.execute(select(func.count()).select_from(light.subquery())).scalar() or 0
        rows = conn.execute(query.order_by(*order).limit(q.limit).offset(q.offset)).all()
        docs = clusters.attach(conn, [_doc(r) for r in rows], rows)  # + "cluster": its sources
    return docs, int(total)


__all__ = ["Query", "SORTS", "search", "base_query", "fold", "language_codes"]
