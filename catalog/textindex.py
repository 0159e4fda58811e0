"""An in-memory inverted index over the SQLite FTS5 table's own (folded) text, scored with FTS5's
bm25 formula (fts5_aux.c: the same idf, k1 = 1.2, b = 0.75, column weights and document length),
so that it ranks as ``bm25(credentials_fts, 0, 10, 2, 3, 3)`` does, at NumPy speed.

FTS5 pays a few microseconds per matching row for bm25 and for handing each rowid to Python: a
word in a quarter of a million-record catalogue costs over a second. Here a query word is a slice
of one posting array (a word prefix, the union of the slices of the words it starts), matches of
several words are intersected with a dense mask, and the score is one vectorised expression.
"""
from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from catalog.fts import WORD, tokens
from catalog.tables import FTS_TABLE

COLUMNS = ("title", "description", "outcomes", "skills")
WEIGHTS = (10.0, 2.0, 3.0, 3.0)  # as catalog.search ranks with bm25()
K1, B = 1.2, 0.75
CHUNK = 100_000
MATCH_CACHE_BYTES = 128 * 1024 * 1024


@dataclass
class TextIndex:
    terms: list[str]  # sorted
    offsets: np.ndarray  # postings of terms[i]: [offsets[i], offsets[i+1])
    docs: np.ndarray  # row positions (ascending within a term)
    freq: np.ndarray  # weighted frequency of the term in the row
    doclen: np.ndarray  # tokens in the row, all columns
    n_rows: int
    avgdl: float
    prefix_cache: OrderedDict = field(default_factory=OrderedDict)
    # the matches of recent queries' words (rows and bm25), like a search engine's query cache:
    # the same words with other filters, another page or the facets cost no second pass
    match_cache: OrderedDict = field(default_factory=OrderedDict)
    match_cache_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def prefix(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding a word that starts with ``word`` and the summed weighted frequency."""
        with self.lock:
            found = self.prefix_cache.get(word)
        if found is not None:
            return found
        lo = bisect.bisect_left(self.terms, word)
        hi = bisect.bisect_left(self.terms, word + "\U0010ffff")
        if hi - lo == 1:
            a, b = self.offsets[lo], self.offsets[lo + 1]
            found = (self.docs[a:b], self.freq[a:b])
        elif hi == lo:
            found = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64))
        else:
            docs = np.concatenate([self.docs[self.offsets[i]:self.offsets[i + 1]] for i in range(lo, hi)])
            freq = np.concatenate([self.freq[self.offsets[i]:self.offsets[i + 1]] for i in range(lo, hi)])
            dense = np.bincount(docs, weights=freq, minlength=len(self.doclen))  # no sort: one pass
            rows = np.flatnonzero(dense)
            found = (rows.astype(np.int32), dense[rows])
        with self.lock:
            self.prefix_cache[word] = found
            while len(self.prefix_cache) > 2000:
                self.prefix_cache.popitem(last=False)
        return found

    def search(self, query: str, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Row positions where every query word occurs as a word prefix, with FTS5's bm25 (lower is
        better, as FTS5 gives it)."""
        words = tuple(tokens(query))  # as FTS5 gets them: a repeated word is a repeated phrase
        with self.lock:
            found = self.match_cache.get(words)
            if found is not None:
                self.match_cache.move_to_end(words)
                return found
        found = self._match(words, size)
        with self.lock:
            if words not in self.match_cache:
                self.match_cache[words] = found
                self.match_cache_bytes += found[0].nbytes + found[1].nbytes
            while self.match_cache_bytes > MATCH_CACHE_BYTES and len(self.match_cache) > 1:
                _, (rows, score) = self.match_cache.popitem(last=False)
                self.match_cache_bytes -= rows.nbytes + score.nbytes
        return found

    def _match(self, words: tuple[str, ...], size: int) -> tuple[np.ndarray, np.ndarray]:
        hits = [self.prefix(w) for w in words]
        if not hits or any(len(h[0]) == 0 for h in hits):
            return np.empty(0, dtype=np.int64), np.empty(0)
        smallest = min(range(len(hits)), key=lambda i: len(hits[i][0]))
        rows = hits[smallest][0]
        dense = np.zeros(size)  # a word's weighted frequency per row (0: absent)
        freqs: dict[int, np.ndarray] = {smallest: hits[smallest][1]}
        for i, (docs, freq) in enumerate(hits):
            if i == smallest:
                continue
            dense[docs] = freq
            f = dense[rows]
            dense[docs] = 0.0
            keep = f > 0
            rows = rows[keep]
            freqs = {k: g[keep] for k, g in freqs.items()}
            freqs[i] = f[keep]
        freqs_in_order = [freqs[i] for i in range(len(hits))]
        norm = K1 * (1 - B + B * self.doclen[rows] / self.avgdl)
        score = np.zeros(len(rows))
        for (docs, _), f in zip(hits, freqs_in_order):
            idf = math.log((self.n_rows - len(docs) + 0.5) / (len(docs) + 0.5))
            if idf <= 0.0:
                idf = 1e-6
            score += idf * (f * (K1 + 1.0)) / (f + norm)
        return rows.astype(np.int64), -score


def build(engine: Engine, rowid: np.ndarray) -> TextIndex:
    """From the FTS table's stored text; rows are positions in ``rowid`` (ascending rowids)."""
    size = len(rowid)
    term_ids: dict[str, int] = {}
    parts_term, parts_doc, parts_freq = [], [], []
    doclen = np.zeros(size, dtype=np.float64)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT rowid, {', '.join(COLUMNS)} FROM {FTS_TABLE} ORDER BY rowid")
        while True:
            rows = cur.fetchmany(CHUNK)
            if not rows:
                break
            frame = pd.DataFrame.from_records(rows, columns=("rowid", *COLUMNS))
            pos = np.searchsorted(rowid, frame["rowid"].to_numpy(dtype=np.int64))
            pos = np.minimum(pos, max(size - 1, 0))
            keep = rowid[pos] == frame["rowid"].to_numpy(dtype=np.int64) if size else np.zeros(len(frame), bool)
            toks, docs, weights = [], [], []
            for column, weight in zip(COLUMNS, WEIGHTS):
                words = frame[column].fillna("").str.findall(WORD).explode().dropna()
                at = words.index.to_numpy()
                ok = keep[at]  # a row the catalogue no longer has is left out
                toks.append(words.to_numpy(dtype=object)[ok])
                docs.append(pos[at][ok])
                weights.append(np.full(int(ok.sum()), weight))
            doc = np.concatenate(docs)
            doclen += np.bincount(doc, minlength=size)
            tok = np.concatenate(toks)
            wt = np.concatenate(weights)
            codes, uniques = pd.factorize(tok)
            local = np.fromiter((term_ids.setdefault(u, len(term_ids)) for u in uniques), dtype=np.int64,
                                count=len(uniques))
            parts_term.append(local[codes])
            parts_doc.append(doc.astype(np.int64))
            parts_freq.append(wt)
    finally:
        raw.close()
    if parts_term:
        term = np.concatenate(parts_term)
        doc = np.concatenate(parts_doc)
        freq = np.concatenate(parts_freq)
    else:
        term = doc = np.empty(0, dtype=np.int64)
        freq = np.empty(0)
    # one posting per (term, row), its weights summed; then terms in sorted order
    key = term * max(size, 1) + doc
    keys, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=freq)
    term_of, doc_of = keys // max(size, 1), keys % max(size, 1)
    names = sorted(term_ids, key=term_ids.__getitem__)
    order_of_term = np.empty(len(names), dtype=np.int64)
    sorted_names = sorted(range(len(names)), key=names.__getitem__)
    order_of_term[sorted_names] = np.arange(len(names))
    new_term = order_of_term[term_of] if len(names) else term_of
    order = np.lexsort((doc_of, new_term))
    counts = np.bincount(new_term, minlength=len(names))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n_rows = int(size)
    return TextIndex(terms=[names[i] for i in sorted_names], offsets=offsets,
                     docs=doc_of[order].astype(np.int32), freq=summed[order], doclen=doclen,
                     n_rows=n_rows, avgdl=float(doclen.sum() / n_rows) if n_rows else 1.0)

