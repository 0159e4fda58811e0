"""What every crosswalk returns: harmonised values, quality flags, problems and provenance.

A crosswalk is a pure function of strings (so the harmonise stage can apply it once per distinct
input in a column, not once per row). It never raises on bad input: a value it cannot use becomes
a ``Problem``; something doubtful but usable becomes a ``Flag`` (the record is accepted with a
quality flag).

Which problems quarantine a record (``quarantines``): only what the descriptor cannot hold. A
record is quarantined when it has no title or no identity (a duplicate identifier, an unreadable
row), or a value that is wrong for certain: out of range (EQF 99, a negative workload, 31 February),
an end before its start, a level number the framework (named, or the country's) does not have. A value that merely cannot be
normalised in an optional field (an unknown language name, a date written as prose, a level
column that holds something else) does not: the record is accepted, the field left empty, the raw
value kept in ``provenance.raw`` and a quality flag with the problem's rule as its code says why.
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


# Rules that are wrong for certain, whatever the field: they quarantine the record.
CERTAIN_RULES = frozenset({"required", "unreadable", "duplicate", "out-of-range", "before-start",
                           "not-in-framework"})


def quarantines(problem: Problem) -> bool:
    """True when the problem puts its record in quarantine (see the module's docstring)."""
    return problem.rule in CERTAIN_RULES


def as_flag(problem: Problem) -> Flag:
    """A problem that does not quarantine, as the quality flag the accepted record carries."""
    return Flag(problem.field, problem.rule,
                f"{problem.message} Left empty; the value as given is kept in provenance.raw.")


@dataclass(frozen=True)
class Derived:
    values: dict[str, Any] = field(default_factory=dict)  # descriptor key -> harmonised value
    flags: tuple[Flag, ...] = ()
    problems: tuple[Problem, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)  # descriptor key -> how it was derived


NOTHING = Derived()
