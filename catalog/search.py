"""Catalogue search: full text plus the filters the command line and the API share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.engine import Engine

from catalog import tables as t
from catalog.fts import fold, fts5_match, tokens
from catalog.store import _doc


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
    include_withdrawn: bool = False
    limit: int = 20
    offset: int = 0


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
    return conds


def search(engine: Engine, q: Query) -> tuple[list[dict[str, Any]], int]:
    """Matching descriptors (best match first when there is text) and the total count."""
    c = t.credentials.c
    conds = _conditions(q)
    rank = None
    if q.text and tokens(q.text):
        if engine.dialect.name == "sqlite":
            match = fts5_match(q.text)
            fts = text(f"SELECT id, bm25({t.FTS_TABLE}, 0, 10.0, 2.0, 3.0, 3.0) AS rank "
                       f"FROM {t.FTS_TABLE} WHERE {t.FTS_TABLE} MATCH :match"
                       ).bindparams(match=match).columns(id=t.String, rank=t.Float).subquery("fts")
            base = select(t.credentials, fts.c.rank).join(fts, fts.c.id == c.id)
            rank = fts.c.rank
        else:  # portable: every word as a word prefix in the folded text
            conds.extend(c.search_text.like(f"% {tok}%") for tok in tokens(q.text))
            base = select(t.credentials)
    else:
        base = select(t.credentials)
    where = and_(*conds) if conds else None
    query = base.where(where) if where is not None else base
    order = [rank.asc(), c.id] if rank is not None else [c.title, c.id]
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
        rows = conn.execute(query.order_by(*order).limit(q.limit).offset(q.offset)).all()
    return [_doc(r) for r in rows], int(total)


__all__ = ["Query", "search", "fold"]
