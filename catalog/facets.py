"""Facet counts over a filtered catalogue, in SQL: EQF level, country, mode, type, language,
ISCED-F field and ECTS ranges. Each facet counts what the other filters leave (the facet's own
filter is ignored for its own counts, so a person can widen a choice)."""
from __future__ import annotations

from dataclasses import replace
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from catalog.search import Query, base_query, language_codes

ECTS_RANGES = ((0, 5), (5, 10), (10, 30), (30, 60), (60, None))
_COLUMN_FACETS = {"eqf_level": "eqf", "country": "country", "participation_mode": "mode",
                  "credential_type": "type"}


FACET_ORDER = (*_COLUMN_FACETS, "languages", "ects", "isced_f")


def range_label(lo: float, hi: float | None) -> str:
    """The ECTS facet's bucket name: "5-10", "60+"."""
    return f"{lo:g}-{hi:g}" if hi is not None else f"{lo:g}+"


def facets(engine: Engine, q: Query) -> dict[str, dict[str, int]]:
    """On SQLite from the in-memory column store (catalog.columnar), elsewhere in SQL."""
    if engine.dialect.name == "sqlite":
        from catalog import columnar

        return columnar.facets(engine, q)
    return sql_facets(engine, q)


def sql_facets(engine: Engine, q: Query) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    dialect = engine.dialect.name
    with engine.connect() as conn:
        shared = [col for col, own in _COLUMN_FACETS.items() if getattr(q, own) is None]
        if dialect == "postgresql" and len(shared) > 1:  # one pass for the facets whose filter is unset
            out.update(_grouping_sets(conn, base_query(q, dialect, light=True).subquery(), shared))
        for column, own_filter in _COLUMN_FACETS.items():
            if column in out:
                continue
            sub = base_query(replace(q, **{own_filter: None}), dialect, light=True).subquery()
            col = sub.c[column]
            rows = conn.execute(select(col, func.count()).where(col.is_not(None))
                                .group_by(col).order_by(func.count().desc(), col)).all()
            out[column] = {str(k): int(n) for k, n in rows}
        sub = base_query(replace(q, language=None), dialect, light=True).subquery()
        out["languages"] = _multi_counts(conn, sub.c.languages, dialect)
        sub = base_query(replace(q, ects_min=None, ects_max=None), dialect, light=True).subquery()
        buckets = [
            func.sum(case((and_(sub.c.ects >= lo, *( [sub.c.ects < hi] if hi is not None else [])), 1),
                          else_=0))
            for lo, hi in ECTS_RANGES
        ]
        row = conn.execute(select(*buckets)).one()
        out["ects"] = {range_label(lo, hi): int(n or 0) for (lo, hi), n in zip(ECTS_RANGES, row)}
        sub = base_query(q, dialect, light=True).subquery()
        out["isced_f"] = _multi_counts(conn, sub.c.isced_f, dialect)
    return {k: out[k] for k in FACET_ORDER}


def _grouping_sets(conn, sub, columns: list[str]) -> dict[str, dict[str, int]]:
    """Counts per value of several columns in one scan (PostgreSQL GROUPING SETS): each result row
    belongs to the one set whose column is not null."""
    cols = [sub.c[name] for name in columns]
    found: dict[str, list[tuple[str, int]]] = {name: [] for name in columns}
    for row in conn.execute(select(*cols, func.count()).group_by(func.grouping_sets(*cols))):
        *values, n = row
        for name, value in zip(columns, values):
            if value is not None:
                found[name].append((str(value), int(n)))
                break
    return {name: dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0]))) for name, pairs in found.items()}


def _multi_counts(conn, column, dialect: str) -> dict[str, int]:
    """Counts per value of a packed multi-valued column ("|de|en|"): in SQL on PostgreSQL
    (unnest), elsewhere over the fetched values."""
    counts: dict[str, int] = {}
    if dialect == "postgresql":
        codes = select(func.unnest(func.string_to_array(func.btrim(column, "|"), "|")).label("code")
                       ).where(column.is_not(None)).subquery()
        for code, n in conn.execute(select(codes.c.code, func.count()).where(codes.c.code != "")
                                    .group_by(codes.c.code)):
            counts[code] = int(n)
    else:
        for (packed,) in conn.execute(select(column).where(column.is_not(None))):
            for code in language_codes(packed):
                counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


__all__ = ["facets", "ECTS_RANGES", "FACET_ORDER", "range_label"]
