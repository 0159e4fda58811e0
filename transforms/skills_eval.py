"""Labelled sets and micro precision/recall/F1 for ESCO skill taggers.

Two synthetic sets, both built from the skill set itself (no human judgement involved, so they
measure retrieval of known phrasings, not agreement with annotators):

* ``labelled_set_from_alt_labels``: "Participants can {alt label}." and similar templates; the gold
  skill is the concept carrying that alternative label. Easy for a tagger that indexes alt labels
  (the lexical tagger does), so it checks that exact mentions are found and not drowned.
* ``labelled_set_from_descriptions``: the first sentence of the skill's description with every one
  of the skill's labels removed (as phrases, case-insensitive): a paraphrase-like, harder set.

Only skills whose labels come from an ESCO export (not the labels guessed from the flattened file)
are drawn, so the gold is certain.
"""
from __future__ import annotations

from pathlib import Path

import random
import re

from transforms.esco import SkillSet

__all__ = ["labelled_set_from_alt_labels", "labelled_set_from_descriptions", "evaluate"]

TEMPLATES = (
    "Participants can {x}.",
    "Learners will be able to {x}.",
    "On completion, participants {x}.",
    "The learner is able to {x}.",
)
DESCRIPTION_TEMPLATE = "{x}"
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.(?:\s|$)")


def _eligible(skillset: SkillSet):
    return [s for s in skillset.skills if s.label_source != "flat-heuristic"]


def labelled_set_from_alt_labels(skillset: SkillSet, n: int = 500, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (text, gold uri) pairs, one alt label each, from distinct skills, reproducible by seed."""
    lang = skillset.language
    pool = [(s.uri, alt) for s in _eligible(skillset) for alt in s.alt_labels(lang)[:3]]
    rng = random.Random(seed)
    rng.shuffle(pool)
    out, used = [], set()
    for uri, alt in pool:
        if uri in used:
            continue
        used.add(uri)
        out.append((rng.choice(TEMPLATES).format(x=alt), uri))
        if len(out) >= n:
            break
    return out


def _strip_labels(sentence: str, labels: list[str]) -> str:
    for lab in sorted(labels, key=len, reverse=True):
        if lab:
            sentence = re.sub(r"(?<!\w)" + re.escape(lab) + r"(?!\w)", " ", sentence, flags=re.I)
    return " ".join(sentence.split()).strip(" ,;:")


def labelled_set_from_descriptions(skillset: SkillSet, n: int = 500, seed: int = 0,
                                   min_words: int = 5) -> list[tuple[str, str]]:
    """``n`` (text, gold uri) pairs: first description sentence minus the skill's own labels."""
    lang = skillset.language
    pool = []
    for s in _eligible(skillset):
        desc = (s.descriptions.get(lang) or s.description or "").strip()
        if not desc:
            continue
        first = _SENTENCE_END.split(desc, maxsplit=1)[0].strip()
        text = _strip_labels(first, s.labels.get(lang, []) + s.hidden_labels.get(lang, []))
        if len(text.split()) >= min_words:
            pool.append((text if text.endswith(".") else text + ".", s.uri))
    rng = random.Random(seed)
    rng.shuffle(pool)
    return pool[:n]


def labelled_set_from_source_links(paths: list[Path]) -> list[tuple[str, str]]:
    """(outcome text, ESCO skill URI) pairs that sources give themselves: every ELM learning
    outcome (JSON-LD) with ``relatedESCOSkill``, its title or prefLabel as the text. Real
    publishers' links, so a test of the tagger against people's judgement, not ESCO's own wording."""
    import json

    out: list[tuple[str, str]] = []

    def text_of(node: dict) -> str | None:
        for key in ("title", "prefLabel", "name"):
            value = node.get(key)
            if isinstance(value, dict):
                value = value.get("en") or next(iter(value.values()), None)
            if isinstance(value, list):
                value = value[0] if value else None
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    def walk(node) -> None:
        if isinstance(node, dict):
            skills = node.get("relatedESCOSkill")
            text = text_of(node) if skills else None
            if skills and text:
                for skill in skills if isinstance(skills, list) else [skills]:
                    uri = skill.get("id") if isinstance(skill, dict) else skill
                    if isinstance(uri, str) and (text, uri) not in out:
                        out.append((text, uri))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in paths:
        try:
            walk(json.loads(Path(path).read_text(encoding="utf-8-sig")))
        except (OSError, ValueError):
            continue  # not JSON(-LD): no links read from it
    return out


def evaluate(tagger, labelled: list[tuple[str, str]], top_k: int = 5) -> dict:
    """Micro scores: an item is found when its gold uri is among the links the tagger returns
    (those are already above its threshold); precision = found / all links returned, recall =
    found / items."""
    texts = [t for t, _ in labelled]
    links = tagger.tag(texts, top_k=top_k)
    found = sum(1 for (_, gold), ls in zip(labelled, links) if any(link["uri"] == gold for link in ls))
    returned = sum(len(ls) for ls in links)
    n = len(labelled)
    precision = found / returned if returned else 0.0
    recall = found / n if n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": n,
            "links": returned, "found": found}
