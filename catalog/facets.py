"""Facet counts over a filtered catalogue, in SQL: EQF level, country, mode, type, language,
ISCED-F field and ECTS ranges. Each facet counts what the other filters leave (the facet's own
filter is ignored for its own counts, so a person can widen a choice)."""
from __future__ import annotations

from dataclasses import replace
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from catalog import tables as t
from catalog.search import Query, base_query, language_codes

ECTS_RANGES = ((0, 5), (5, 10), (10, 30), (30, 60), (60, None))
_COLUMN_FACETS = {"eqf_level": "eqf", "country": "country", "participation_mode": "mode",
                  "credential_type": "type"}


def _range_label(lo: float, hi: float | None) -> str:
    return f"{lo:g}-{hi:g}" if hi is not None else f"{lo:g}+"


def facets(engine: Engine, q: Query) -> dict[str, dict[str, int]]:
    """On SQLite from the in-memory column store (catalog.columnar), elsewhere in SQL."""
    if engine.dialect.name == "sqlite":
        from catalog import columnar

        return columnar.facets(engine, q)
    return sql_facets(engine, q)


def sql_facets(engine: Engine, q: Query) -> dict[str, dict[str, int]]:
    c = t.credentials.c
    out: dict[str, dict[str, int]] = {}
    dialect = engine.dialect.name
    with engine.connect() as conn:
        for column, own_filter in _COLUMN_FACETS.items():
            sub = base_query(replace(q, **{own_filter: None}), dialect, light=True).subquery()
            col = sub.c[column]
            rows = conn.execute(select(col, func.count()).where(col.is_not(None))
                                .group_by(col).order_by(func.count().desc(), col)).all()
            out[column] = {str(k): int(n) for k, n in rows}
        sub = base_query(replace(q, language=None), dialect, light=True).subquery()
        counts: dict[str, int] = {}
        for (langs,) in conn.execute(select(sub.c.languages).where(sub.c.languages.is_not(None))):
            for code in language_codes(langs):
                counts[code] = counts.get(code, 0) + 1
        out["languages"] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        sub = base_query(replace(q, ects_min=None, ects_max=None), dialect, light=True).subquery()
        buckets = [
            func.sum(case((and_(sub.c.ects >= lo, *( [sub.c.ects < hi] if hi is not None else [])), 1),
                          else_=0))
            for lo, hi in ECTS_RANGES
        ]
        row = conn.execute(select(*buckets)).one()
        out["ects"] = {_range_label(lo, hi): int(n or 0) for (lo, hi), n in zip(ECTS_RANGES, row)}
        sub = base_query(q, dialect, light=True).subquery()
        isced: dict[str, int] = {}
        for (codes,) in conn.execute(select(sub.c.isced_f).where(sub.c.isced_f.is_not(None))):
            for code in language_codes(codes):
                isced[code] = isced.get(code, 0) + 1
        out["isced_f"] = dict(sorted(isced.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


__all__ = ["facets", "ECTS_RANGES"]
