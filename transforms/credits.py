"""Credits and workload: ECTS, notional hours and the credit as the source gave it."""
from __future__ import annotations

import re
from functools import lru_cache

from transforms.numbers import numbers_in, parse_number
from transforms.result import Derived, Flag, Problem
from transforms.text import KeywordMatcher, as_text, load_yaml, shorten


def _vocab() -> dict:
    return load_yaml("credit_units.yaml")


@lru_cache(maxsize=None)
def _unit_matcher() -> KeywordMatcher:
    v = _vocab()
    table = {unit: spec["words"] for unit, spec in v["units"].items()}
    table["_ambiguous"] = v["ambiguous_words"]
    return KeywordMatcher(table)


def _units_in(text: str) -> list[str]:
    return _unit_matcher().labels(text)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _number(text: str, field: str) -> tuple[float | None, Problem | None]:
    """The one number in a credit or hours value; a bracketed aside may hold a second one
    ('5 ECTS (125-150 h)')."""
    value = parse_number(text)
    if value is None and len(numbers_in(text)) > 1:
        outside = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
        value = parse_number(outside)
        if value is None:
            return None, Problem(field, "unparseable",
                                 f"'{shorten(text)}' holds several numbers or a range; give one value.")
    if value is None:
        return None, Problem(field, "unparseable", f"'{shorten(text)}' is not a number.")
    return value, None


# Where a bare credit number is in the national credit unit rather than ECTS (UK providers count
# CATS credits: 10 notional hours each, 2 = 1 ECTS).
_NATIONAL_UNIT = {"GB": "CATS"}
# The unit a connector passes when the source itself says a credit has no unit (CTDL
# creditUnitValue without creditUnitType, mostly from US colleges): the value is kept with its
# unit left empty and no ECTS is derived, never a guess (connectors/ctdl.py UNIT_NOT_STATED).
UNIT_NOT_STATED = "unit not stated"


def derive_credits(credit: str | None, credit_unit: str | None = None,
                   workload_hours: str | None = None, country: str | None = None) -> Derived:
    """Credit value and unit, and notional hours -> values ects, workload_hours, credit_original.

    Units: ECTS (LP, CP, crédits ECTS, CFU, studiepunten, ...), CATS and SCQF points (2 = 1
    ECTS), hours (ECTS = hours / 27.5), US semester / quarter credits and CEU (rates without an
    agreed equivalence: flagged). The unit comes from `credit_unit`, else from words in
    `credit` ('5 ECTS'); a bare number is taken as ECTS with a flag (as CATS for a GB source,
    also flagged). Negative, unparseable or
    absurd values (> 400 ECTS, > 12000 h) are Problems."""
    v = _vocab()
    raw_credit = as_text(credit)
    raw_unit = as_text(credit_unit)
    raw_hours = as_text(workload_hours)
    values: dict = {}
    flags: list[Flag] = []
    problems: list[Problem] = []
    methods: dict[str, str] = {}
    hpe, hmin, hmax = float(v["hours_per_ects"]), float(v["hours_per_ects_min"]), float(v["hours_per_ects_max"])

    # -- hours as given ---------------------------------------------------------------------
    hours = None
    if raw_hours is not None:
        hours, problem = _number(raw_hours, "workload_hours")
        other = [u for u in _units_in(raw_hours) if u not in ("hours",)]
        if problem:
            problems.append(problem)
        elif other:
            problems.append(Problem("workload_hours", "unparseable",
                                    f"Workload '{shorten(raw_hours)}' is not in hours."))
            hours = None
        elif hours < 0:
            problems.append(Problem("workload_hours", "out-of-range", f"Workload '{shorten(raw_hours)}' is negative."))
            hours = None
        elif hours > v["max_hours"]:
            problems.append(Problem("workload_hours", "out-of-range",
                                    f"Workload '{shorten(raw_hours)}' is more than {v['max_hours']} hours."))
            hours = None
        elif hours == 0:
            flags.append(Flag("workload_hours", "zero-value", "Workload of 0 hours left empty."))
            hours = None

    # -- credit -----------------------------------------------------------------------------
    ects = None
    if raw_credit is not None:
        amount, problem = _number(raw_credit, "ects")
        written = [u for u in _units_in(raw_credit)]
        given = _units_in(raw_unit) if raw_unit else []
        unit, guessed = None, None
        if raw_unit:
            if given:
                unit = given[0]
        if unit is None and not raw_unit:
            unit = written[0] if written else None
        elif unit and written and written[0] not in (unit, "_ambiguous") and unit != "_ambiguous":
            flags.append(Flag("ects", "unit-conflict",
                              f"Credit '{shorten(raw_credit)}' names {written[0]} but the unit column says '{raw_unit}'; {written[0]} is used."))
            unit = written[0]
        if unit == "_ambiguous" and written and written[0] != "_ambiguous":
            unit = written[0]
        if problem:
            problems.append(problem)
        elif amount < 0:
            problems.append(Problem("ects", "out-of-range", f"Credit '{shorten(raw_credit)}' is negative."))
        elif raw_unit and raw_unit.lower() == UNIT_NOT_STATED:
            values["credit_original"] = {"value": amount, "unit": None}
            methods["credit_original"] = f"from '{shorten(raw_credit)}' (the source states no unit)"
            flags.append(Flag("ects", "unit-not-stated",
                              f"Credit '{shorten(raw_credit)}' is given without its unit; kept as given, "
                              "no ECTS derived."))
        elif raw_unit and not given:
            # a unit with no agreed rate to ECTS (an institution's own scheme, SWS): the value is
            # kept as the source gave it; no ECTS is derived, never a guess
            values["credit_original"] = {"value": amount, "unit": raw_unit}
            methods["credit_original"] = f"from '{shorten(raw_credit)}' and unit '{shorten(raw_unit)}'"
            flags.append(Flag("ects", "unit-unknown",
                              f"Credit unit '{shorten(raw_unit)}' has no known rate to ECTS; "
                              f"{shorten(raw_credit)} {shorten(raw_unit)} kept, no ECTS derived."))
        else:
            if unit is None or unit == "_ambiguous":
                guessed = unit
                unit = _NATIONAL_UNIT.get((as_text(country) or "").upper(), "ECTS")
                said = f"'{raw_unit or raw_credit}' does not say which credits" if guessed else "no unit is given"
                why = f" (the usual credit of {country.upper()} providers)" if unit != "ECTS" else ""
                flags.append(Flag("ects", "unit-guessed",
                                  f"Credit '{shorten(raw_credit)}': {said}; taken as {unit} credits{why}."))
            spec = v["units"][unit]
            values["credit_original"] = {"value": amount, "unit": unit}
            methods["credit_original"] = f"from '{shorten(raw_credit)}'" + (f" and unit '{raw_unit}'" if raw_unit else "")
            if "ects_per_unit" in spec:
                ects = amount * float(spec["ects_per_unit"])
                method = spec["method"]
            else:
                unit_hours = amount * float(spec["hours_per_unit"])
                ects = unit_hours / hpe
                method = spec["method"]
                if unit == "hours":
                    method = v["hours_method"]
                if hours is None and unit_hours > 0:
                    if unit_hours > v["max_hours"]:
                        problems.append(Problem("workload_hours", "out-of-range",
                                                f"Credit '{shorten(raw_credit)}' is more than {v['max_hours']} hours."))
                    else:
                        hours = unit_hours
                        methods["workload_hours"] = (f"from credit {_fmt(amount)} {unit}"
                                                     + (f" x {_fmt(spec['hours_per_unit'])} h" if unit != "hours" else ""))
            if not spec.get("agreed", True):
                flags.append(Flag("ects", "rate-not-agreed",
                                  f"{_fmt(amount)} {unit} converted to ECTS at a rate with no agreed equivalence: {spec['method']}."))
            if amount == 0:
                flags.append(Flag("ects", "zero-value",
                                  f"Credit '{shorten(raw_credit)}' is 0: no credit is awarded; ECTS left empty."))
                ects = None
            elif ects > v["max_ects"]:
                problems.append(Problem("ects", "out-of-range",
                                        f"Credit '{shorten(raw_credit)}' is {_fmt(round(ects, 2))} ECTS, more than {v['max_ects']}."))
                ects = None
            if ects is not None:
                methods["ects"] = method if unit == "ECTS" else f"{_fmt(amount)} {unit}: {method}"

    # -- ects from hours alone; hours vs credit -------------------------------------------------
    if ects is None and raw_credit is None and hours is not None:
        ects = hours / hpe
        if ects > v["max_ects"]:
            problems.append(Problem("ects", "out-of-range", f"Workload '{shorten(raw_hours)}' is more than {v['max_ects']} ECTS."))
            ects = None
        else:
            methods["ects"] = f"from {_fmt(hours)} h: {v['hours_method']}"
    elif ects is not None and raw_hours is not None and hours is not None:
        low, high = ects * hmin, ects * hmax
        if not (low * 0.98 <= hours <= high * 1.02):
            flags.append(Flag("workload_hours", "workload-inconsistent",
                              f"{_fmt(hours)} hours do not fit {_fmt(round(ects, 2))} ECTS "
                              f"({_fmt(round(low, 1))}-{_fmt(round(high, 1))} h at 25-30 h per ECTS)."))
    if hours is not None and raw_hours is not None:
        methods["workload_hours"] = "as given (hours)"
    if hours is not None:
        values["workload_hours"] = round(float(hours), 2)
    if ects is not None:
        values["ects"] = round(float(ects), 2)
    if problems:
        return Derived(flags=tuple(flags), problems=tuple(problems))
    return Derived(values=values, flags=tuple(flags), methods=methods)
