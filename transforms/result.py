"""What every crosswalk returns: harmonised values, quality flags, problems and provenance.

A crosswalk is a pure function of strings (so the harmonise stage can apply it once per distinct
input in a column, not once per row). It never raises on bad input: an unparseable or out-of-range
value becomes a ``Problem`` (the record goes to quarantine with that reason); something doubtful
but usable becomes a ``Flag`` (the record is accepted with a quality flag).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Flag:
    field: str  # descriptor key the flag is about
    code: str  # short machine code, e.g. "unit-guessed", "level-not-referenced"
    message: str  # plain words for a person

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Problem:
    field: str  # descriptor key
    rule: str  # e.g. "unparseable", "out-of-range", "unknown-code", "not-in-framework"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Derived:
    values: dict[str, Any] = field(default_factory=dict)  # descriptor key -> harmonised value
    flags: tuple[Flag, ...] = ()
    problems: tuple[Problem, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)  # descriptor key -> how it was derived


NOTHING = Derived()
