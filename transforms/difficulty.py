"""Difficulty ("Beginner", "All Levels", "Intermédiaire"): how demanding a catalogue says a course
is, kept as the descriptor extension ``x_difficulty``. A difficulty is not a qualification level:
a level column holding one gives no EQF or national level (transforms/levels.py asks here first)."""
from __future__ import annotations

import re
from functools import lru_cache

from transforms.result import Derived, Flag
from transforms.text import as_text, fold, load_yaml, shorten

_LEVEL_WORDS = re.compile(r"(?<!\w)(?:levels?|niveaux?|nivel(?:es)?|livell[oi]|poziom|stufe)(?!\w)")
_BRACKETS = re.compile(r"[()\[\]]")


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    out: dict[str, str] = {}
    for value, forms in load_yaml("difficulty.yaml").items():
        for form in forms:
            out[_key(str(form))] = value
    return out


def _key(text: str) -> str:
    folded = fold(_BRACKETS.sub(" ", text))
    stripped = re.sub(r"\s+", " ", _LEVEL_WORDS.sub(" ", folded)).strip(" .-:/")
    return stripped or folded


@lru_cache(maxsize=4096)
def difficulty_of(text: str | None) -> str | None:
    """The x_difficulty value a cell states ('Beginner Level' -> introductory), else None.
    'Beginner/Intermediate' (two values) -> the easier one is not chosen: None."""
    raw = as_text(text)
    if raw is None:
        return None
    words = _words()
    key = _key(raw)
    if key in words:
        return words[key]
    if fold(raw) in words:
        return words[fold(raw)]
    return None


def derive_difficulty(text: str | None) -> Derived:
    """A difficulty column -> values x_difficulty; anything else is flagged and left empty."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    value = difficulty_of(raw)
    if value is None:
        return Derived(flags=(Flag("x_difficulty", "unrecognised-value",
                                   f"Difficulty '{shorten(raw)}' is not one we know; left empty."),))
    return Derived(values={"x_difficulty": value},
                   methods={"x_difficulty": f"from '{shorten(raw)}' (difficulty, not a level)"})
