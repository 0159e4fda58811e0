"""Search and facet counts on SQLite from an in-memory column store (like Lucene's doc values).

SQL answers a faceted query with one GROUP BY per facet over the matching rows, each row looked up
by key in the wide credentials table: at 10^6 records a common word costs seconds. Here the
columns that filters, facets and sorts read (status, source, country, EQF, ECTS, mode, type,
languages, ISCED-F, and sort ranks) are held as NumPy arrays ordered by rowid, loaded once per
catalogue generation (a new row in the run log: every publish writes one). A query then costs one
FTS5 lookup of the matching rowids and their bm25 ranks, a few vectorised masks and bincounts,
and the documents of one page read by rowid. The semantics are those of ``catalog.search`` and
``catalog.facets`` (the SQL path, kept for PostgreSQL); tests compare the two on random queries.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from catalog import textindex
from catalog.facets import ECTS_RANGES, FACET_ORDER, range_label
from catalog.fts import tokens

_CODED = ("source", "country", "participation_mode", "credential_type")
_MULTI = ("languages", "isced_f")
FLAGS = ("cluster_primary", "stackable")
CUBE_AXES = ("eqf_level", "country", "participation_mode", "credential_type")


class _Codes:
    """Strings to small integers (-1 for none), with the vocabulary kept for the way back."""

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.index = {v: i for i, v in enumerate(values)}


def _factorize(column: tuple) -> tuple[np.ndarray, _Codes]:
    codes, uniques = pd.factorize(np.array(column, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int32), _Codes([str(u) for u in uniques])


@dataclass
class Multi:
    """A multi-valued column ("|de|en|") by value combination: each row has the code of its
    combination (-1: none); few combinations exist, so counting rows per combination and spreading
    the counts over the combinations' values costs one pass over the rows, not over the values."""
    combo: np.ndarray  # per row
    entry_combo: np.ndarray  # the combinations' values, flattened: (combination, value code)
    entry_code: np.ndarray
    vocab: _Codes
    n_combos: int

    def having(self, wanted: tuple[int, ...]) -> np.ndarray:
        """Per combination: does it hold any wanted value (one extra False for 'none')."""
        out = np.zeros(self.n_combos + 1, dtype=bool)
        out[self.entry_combo[np.isin(self.entry_code, np.array(wanted, dtype=np.int64))]] = True
        return out

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        combos = self.combo[rows]
        return self.spread(np.bincount(combos[combos >= 0], minlength=self.n_combos))

    def spread(self, per_combo: np.ndarray) -> dict[str, int]:
        """Counts per combination to counts per value, most frequent first."""
        per_value = np.bincount(self.entry_code, weights=per_combo[self.entry_combo],
                                minlength=len(self.vocab.values))
        pairs = [(v, int(per_value[i])) for i, v in enumerate(self.vocab.values) if per_value[i]]
        return dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))


def _multi(column: tuple) -> Multi:
    combo, combos = _factorize(column)
    values: dict[str, int] = {}
    entry_combo, entry_code = [], []
    for i, packed in enumerate(combos.values):
        for v in dict.fromkeys(x for x in packed.strip("|").split("|") if x):
            entry_combo.append(i)
            entry_code.append(values.setdefault(v, len(values)))
    return Multi(combo=combo, entry_combo=np.array(entry_combo, dtype=np.int64),
                 entry_code=np.array(entry_code, dtype=np.int64), vocab=_Codes(list(values)),
                 n_combos=len(combos.values))


@dataclass
class Snapshot:
    generation: Any
    rowid: np.ndarray
    active: np.ndarray
    eqf: np.ndarray  # 0 = none
    ects: np.ndarray  # NaN = none
    coded: dict[str, np.ndarray]
    vocab: dict[str, _Codes]
    multi: dict[str, Multi]  # languages, isced_f
    text: textindex.TextIndex
    engine: Engine
    flags: dict[str, np.ndarray]  # 0/1 columns kept by catalog/clusters.py: cluster_primary, stackable
    cube: np.ndarray = None  # per row: its cell of (EQF 0-8, country, mode, type), 0 on an axis = none
    cube_shape: tuple[int, ...] = ()
    ects_bucket: np.ndarray = None  # per row: 1-5 the ECTS facet's range, 0 none
    aggregates: dict[tuple, "Aggregate"] = field(default_factory=dict)  # browse counts, made on first use

    @property
    def cube_shape_size(self) -> int:
        return int(np.prod(self.cube_shape))
    ranks: dict[str, np.ndarray] = field(default_factory=dict)  # sort ranks, made on first use
    orders: dict[tuple, np.ndarray] = field(default_factory=dict)  # full sort orders, likewise

    @property
    def size(self) -> int:
        return len(self.rowid)

    def member_mask(self, column: str, wanted: tuple[int, ...]) -> np.ndarray:
        """Rows having any of the wanted codes in a multi-valued column."""
        multi = self.multi[column]
        return multi.having(wanted)[multi.combo]

    def order(self, name: str, descending: bool) -> np.ndarray:
        """Every row position sorted by a column (missing values last), then by id."""
        key = (name, descending)
        found = self.orders.get(key)
        if found is None:
            primary = self.rank(name)
            if descending:
                missing = _missing_rank(self, name)
                primary = np.where(primary == missing, np.iinfo(np.int64).max, -primary) \
                    if missing is not None else -primary
            found = self.orders[key] = np.lexsort((self.rank("id"), primary))
        return found

    def rank(self, name: str) -> np.ndarray:
        """Dense sort rank of every row by one column (ties equal; a missing value ranks last)."""
        found = self.ranks.get(name)
        if found is not None:
            return found
        if name == "eqf_level":
            found = np.where(self.eqf > 0, self.eqf, 99).astype(np.int64)
        elif name == "ects":
            present = ~np.isnan(self.ects)
            uniq, inverse = np.unique(self.ects[present], return_inverse=True)
            found = np.full(self.size, len(uniq), dtype=np.int64)
            found[present] = inverse
        else:  # id, title, last_changed: sorted by SQLite (binary collation, as ORDER BY does)
            with self.engine.connect() as conn:
                rows = conn.exec_driver_sql(f"SELECT rowid, {name} FROM credentials ORDER BY {name}").all()
            pos = np.searchsorted(self.rowid, np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
            values = np.array([r[1] for r in rows], dtype=object)
            dense = np.concatenate([[0], np.cumsum(values[1:] != values[:-1])]) if len(rows) else np.empty(0)
            found = np.zeros(self.size, dtype=np.int64)
            found[pos] = dense
        self.ranks[name] = found
        return found


def load(engine: Engine, generation: Any) -> Snapshot:
    cols = ("rowid", "status", "source", "country", "eqf_level", "ects", "participation_mode",
            "credential_type", "languages", "isced_f", *FLAGS)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM credentials ORDER BY rowid").all()
    by = dict(zip(cols, zip(*rows))) if rows else {c: () for c in cols}
    coded, vocab, multi = {}, {}, {}
    for name in _CODED:
        coded[name], vocab[name] = _factorize(by[name])
    for name in _MULTI:
        multi[name] = _multi(by[name])
        vocab[name] = multi[name].vocab
    rowid = np.array(by["rowid"], dtype=np.int64)
    snap = Snapshot(generation=generation, rowid=rowid, active=np.array(by["status"], dtype=object) == "active",
                    eqf=np.array([v or 0 for v in by["eqf_level"]], dtype=np.int16),
                    ects=np.array(by["ects"], dtype=np.float64), coded=coded, vocab=vocab,
                    multi=multi, text=textindex.build(engine, rowid),
                    engine=engine, flags={f: np.array(by[f], dtype=bool) for f in FLAGS})
    snap.cube_shape = (9, *(len(vocab[c].values) + 1 for c in CUBE_AXES[1:]))
    cell = snap.eqf.astype(np.int64)
    for column, width in zip(CUBE_AXES[1:], snap.cube_shape[1:]):
        cell = cell * width + (coded[column].astype(np.int64) + 1)
    snap.cube = cell
    edges = np.array([lo for lo, _ in ECTS_RANGES], dtype=np.float64)
    snap.ects_bucket = np.where(np.isnan(snap.ects), 0, np.searchsorted(edges, np.nan_to_num(snap.ects, nan=-1.0),
                                                                        side="right")).astype(np.int64)
    snap.rank("id")  # every page needs the id order; a query without text, the title's
    snap.order("title", False)
    return snap


_SNAPSHOTS: dict[str, Snapshot] = {}
_LOCK = threading.Lock()
_LOADING: set[str] = set()
BACKGROUND_FROM = 50_000  # a larger catalogue is reloaded in the background, the old one answering


def _generation(engine: Engine) -> Any:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT max(rowid), count(*) FROM runs")).one())


def snapshot(engine: Engine) -> Snapshot:
    """The current column store of this catalogue, reloaded after a publish. A small catalogue is
    reloaded at once; a large one in the background while the previous store answers (seconds)."""
    generation = _generation(engine)
    key = str(engine.url)
    snap = _SNAPSHOTS.get(key)
    if snap is not None and snap.generation == generation:
        return snap
    if snap is not None and snap.size >= BACKGROUND_FROM:
        with _LOCK:
            if key not in _LOADING:
                _LOADING.add(key)
                threading.Thread(target=_reload, args=(engine, key, generation), daemon=True).start()
        return snap
    with _LOCK:
        snap = _SNAPSHOTS.get(key)
        if snap is None or snap.generation != generation:
            snap = _SNAPSHOTS[key] = load(engine, generation)
            _RESULTS.clear()
        return snap


def _reload(engine: Engine, key: str, generation: Any) -> None:
    try:
        fresh = load(engine, generation)
        with _LOCK:
            _SNAPSHOTS[key] = fresh
            _RESULTS.clear()
    finally:
        with _LOCK:
            _LOADING.discard(key)


def forget(engine: Engine | None = None) -> None:
    with _LOCK:
        if engine is None:
            _SNAPSHOTS.clear()
        else:
            _SNAPSHOTS.pop(str(engine.url), None)
        _RESULTS.clear()


# ------------------------------------------------------------------------------- evaluation


@dataclass
class Evaluation:
    candidates: np.ndarray  # row positions that match the text (all rows when there is none)
    rank: np.ndarray | None  # bm25 of each candidate (text queries)
    masks: dict[str, np.ndarray]  # per filter, over the candidates
    matched: np.ndarray  # boolean over the candidates: every filter holds
    picks: dict[str, int] = field(default_factory=dict)  # cube filters: the chosen index on the axis


_RESULTS: OrderedDict[tuple, Evaluation] = OrderedDict()  # search() then facets() of one request


def _code_of(snap: Snapshot, column: str, value: str) -> int:
    return snap.vocab[column].index.get(value, -2)  # -2: matches nothing


def evaluate(engine: Engine, q: Any) -> tuple[Snapshot, Evaluation]:
    snap = snapshot(engine)
    key = (snap.generation, q.text, q.source, q.country, q.eqf, q.ects_min, q.ects_max, q.mode,
           q.language, q.type, q.isced_f, q.include_withdrawn, q.all_members, q.part_of, q.stackable)
    with _LOCK:
        found = _RESULTS.get(key)
    if found is not None:
        return snap, found
    if q.text and tokens(q.text):
        cand, rank = snap.text.search(q.text, snap.size)
        at = lambda column: column[cand]  # noqa: E731
    else:
        cand, rank = np.arange(snap.size), None
        at = lambda column: column  # noqa: E731  (every row is a candidate: no gather)
    masks: dict[str, np.ndarray] = {}
    picks: dict[str, int] = {}
    if not q.include_withdrawn:
        masks["status"] = at(snap.active)
    for column, value in (("source", q.source), ("country", q.country and q.country.upper()),
                          ("participation_mode", q.mode), ("credential_type", q.type)):
        if value:
            code = _code_of(snap, column, value)
            masks[column] = at(snap.coded[column]) == code
            picks[column] = code + 1
    if q.eqf is not None:
        masks["eqf_level"] = at(snap.eqf) == q.eqf
        picks["eqf_level"] = q.eqf if 1 <= q.eqf <= 8 else -1
    if q.ects_min is not None or q.ects_max is not None:
        values = at(snap.ects)
        m = ~np.isnan(values)
        if q.ects_min is not None:
            m &= values >= q.ects_min
        if q.ects_max is not None:
            m &= values <= q.ects_max
        masks["ects"] = m
    if q.language:
        code = _code_of(snap, "languages", q.language.lower())
        masks["languages"] = at(snap.member_mask("languages", (code,)))
    if q.isced_f:
        wanted = tuple(i for v, i in snap.vocab["isced_f"].index.items() if v.startswith(q.isced_f))
        masks["isced_f"] = at(snap.member_mask("isced_f", wanted or (-2,)))
    from catalog.clusters import columnar_masks  # one entry per credential, stackability
    masks.update(columnar_masks(engine, snap, q, cand))
    matched = _all(masks, len(cand))
    ev = Evaluation(candidates=cand, rank=rank, masks=masks, matched=matched, picks=picks)
    with _LOCK:
        _RESULTS[key] = ev
        while len(_RESULTS) > 8:
            _RESULTS.popitem(last=False)
    return snap, ev


def _all(masks: dict[str, np.ndarray], n: int, *, but: tuple[str, ...] = ()) -> np.ndarray:
    out = np.ones(n, dtype=bool)
    for name, mask in masks.items():
        if name not in but:
            out &= mask
    return out


# ------------------------------------------------------------------------------- answers


def page(engine: Engine, q: Any) -> tuple[list[int], int]:
    """Rowids of the requested page, in order, and the total count."""
    snap, ev = evaluate(engine, q)
    rows = ev.candidates[ev.matched]
    total = len(rows)
    want = q.offset + q.limit
    if total == 0 or q.offset >= total:
        return [], total
    if ev.rank is None:  # no text: walk the precomputed order until the page is full
        column = "title" if q.sort == "relevance" else q.sort
        order = snap.order(column, q.descending and q.sort != "relevance")
        found: list[np.ndarray] = []
        start, step, have = 0, max(1024, 4 * want), 0
        while have < want and start < snap.size:
            part = order[start:start + step]
            part = part[ev.matched[part]]
            found.append(part)
            have += len(part)
            start, step = start + step, step * 4
        picked = np.concatenate(found)[q.offset:want] if found else np.empty(0, dtype=np.int64)
        return snap.rowid[picked].tolist(), total
    id_rank = snap.rank("id")[rows]
    if q.sort == "relevance" and ev.rank is not None:
        primary = ev.rank[ev.matched]
    else:
        column = "title" if q.sort == "relevance" else q.sort
        primary = snap.rank(column)[rows].astype(np.float64)
        if q.descending and q.sort != "relevance":
            missing = _missing_rank(snap, column)
            nulls = primary == missing if missing is not None else np.zeros(len(primary), bool)
            primary = np.where(nulls, np.inf, -primary)
    if want < total:  # the page's rows without sorting every match: partition, keep ties, then sort
        cut = np.partition(primary, want - 1)[want - 1]
        keep = np.flatnonzero(primary <= cut)
    else:
        keep = np.arange(total)
    order = keep[np.lexsort((id_rank[keep], primary[keep]))][q.offset:want]
    return snap.rowid[rows[order]].tolist(), total


def _missing_rank(snap: Snapshot, column: str) -> float | None:
    if column == "eqf_level":
        return 99.0
    if column == "ects":
        return float(snap.rank("ects").max()) if np.isnan(snap.ects).any() else None
    return None  # title and last_changed are never missing


def facets(engine: Engine, q: Any) -> dict[str, dict[str, int]]:
    snap, ev = evaluate(engine, q)
    cand = ev.candidates
    out: dict[str, dict[str, int]] = {}

    def ordered(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0])))

    full = ev.rank is None  # every row was a candidate: select with the boolean masks directly

    def rows_but(*columns: str) -> np.ndarray:
        """What every filter but the facet's own leaves (a boolean mask over all rows, or positions)."""
        keep = _all(ev.masks, len(cand), but=columns) if any(c in ev.masks for c in columns) else ev.matched
        return keep if full else cand[keep]

    browse = _browse_key(ev)
    if browse is not None:  # no text, only filters the precomputed browse counts cover
        return _browse_facets(snap, ev, _aggregate(snap, ev, browse), ordered)
    # the four single-valued facets from one count per cell of (EQF, country, mode, type): taken
    # over the rows that the other filters leave, each facet then fixes the other axes' choices
    rows = rows_but(*CUBE_AXES) if any(a in ev.masks for a in CUBE_AXES) else rows_but("")
    cube = np.bincount(snap.cube[rows], minlength=snap.cube_shape_size).reshape(snap.cube_shape)
    for axis, column in enumerate(CUBE_AXES):
        view = cube
        for other, name in enumerate(CUBE_AXES):
            if other != axis and name in ev.picks:
                pick = ev.picks[name]
                view = np.take(view, [pick] if 0 <= pick < cube.shape[other] else [], axis=other)
        counts = view.sum(axis=tuple(i for i in range(len(CUBE_AXES)) if i != axis))
        if column == "eqf_level":
            out[column] = ordered({str(level): int(counts[level]) for level in range(1, len(counts))})
        else:
            out[column] = ordered({v: int(counts[i + 1]) for i, v in enumerate(snap.vocab[column].values)})
    out["languages"] = _multi_counts(snap, "languages", rows_but("languages"))
    values = snap.ects[rows_but("ects")]
    values = values[~np.isnan(values)]
    out["ects"] = {range_label(lo, hi):
                   int(np.count_nonzero((values >= lo) & (values < hi if hi is not None else True)))
                   for lo, hi in ECTS_RANGES}
    out["isced_f"] = _multi_counts(snap, "isced_f", ev.matched if full else cand[ev.matched])
    return {k: out[k] for k in FACET_ORDER}


# Browsing without text (the landing page, a country's or a level's credentials) counts the whole
# catalogue: those counts are kept per snapshot as one table of (EQF, country, mode, type, ECTS range)
# cells, plus (cell, language combination) and (cell, ISCED-F combination) pairs, so a browse query's
# facets cost a pass over the cells, not over a million rows.
BROWSE_MASKS = {"status", "cluster_primary", *CUBE_AXES}


@dataclass
class Aggregate:
    cells: np.ndarray  # shape (*cube_shape, len(ECTS_RANGES) + 1)
    pairs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # per multi column: cell axes, combo, count


def _browse_key(ev: Evaluation) -> tuple | None:
    if ev.rank is not None or set(ev.masks) - BROWSE_MASKS:
        return None
    return ("status" in ev.masks, "cluster_primary" in ev.masks)


def _aggregate(snap: Snapshot, ev: Evaluation, key: tuple) -> Aggregate:
    found = snap.aggregates.get(key)
    if found is not None:
        return found
    base = _all(ev.masks, snap.size, but=CUBE_AXES)
    cube, width = snap.cube[base], len(ECTS_RANGES) + 1
    cells = np.bincount(cube * width + snap.ects_bucket[base], minlength=snap.cube_shape_size * width)
    pairs = {}
    for column, multi in snap.multi.items():
        key_of = cube * (multi.n_combos + 1) + (multi.combo[base] + 1)
        uniq, counts = np.unique(key_of, return_counts=True)
        combo = uniq % (multi.n_combos + 1) - 1
        keep = combo >= 0
        axes = np.stack(np.unravel_index(uniq[keep] // (multi.n_combos + 1), snap.cube_shape))
        pairs[column] = (axes, combo[keep], counts[keep])
    found = snap.aggregates[key] = Aggregate(cells=cells.reshape(*snap.cube_shape, width), pairs=pairs)
    return found


def _browse_facets(snap: Snapshot, ev: Evaluation, agg: Aggregate, ordered: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    n_axes = len(CUBE_AXES)

    def picked(view: np.ndarray, skip: int | None) -> np.ndarray:
        for axis, name in enumerate(CUBE_AXES):
            if axis != skip and name in ev.picks:
                pick = ev.picks[name]
                view = np.take(view, [pick] if 0 <= pick < view.shape[axis] else [], axis=axis)
        return view

    for axis, column in enumerate(CUBE_AXES):
        counts = picked(agg.cells, axis).sum(axis=tuple(i for i in range(n_axes + 1) if i != axis))
        if column == "eqf_level":
            out[column] = ordered({str(level): int(counts[level]) for level in range(1, len(counts))})
        else:
            out[column] = ordered({v: int(counts[i + 1]) for i, v in enumerate(snap.vocab[column].values)})
    for column in ("languages", "isced_f"):
        axes, combo, counts = agg.pairs[column]
        keep = np.ones(len(combo), dtype=bool)
        for axis, name in enumerate(CUBE_AXES):
            if name in ev.picks:
                keep &= axes[axis] == ev.picks[name]
        multi = snap.multi[column]
        out[column] = multi.spread(np.bincount(combo[keep], weights=counts[keep], minlength=multi.n_combos))
    buckets = picked(agg.cells, None).sum(axis=tuple(range(n_axes)))
    out["ects"] = {range_label(lo, hi): int(buckets[i + 1]) for i, (lo, hi) in enumerate(ECTS_RANGES)}
    return {k: out[k] for k in FACET_ORDER}


def _multi_counts(snap: Snapshot, column: str, rows: np.ndarray) -> dict[str, int]:
    return snap.multi[column].counts(rows)


__all__ = ["snapshot", "evaluate", "page", "facets", "forget", "Snapshot"]
