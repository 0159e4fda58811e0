"""Levels: EQF level, national framework level and QF-EHEA cycle.

The EQF level of a national level comes only from the country's published referencing
(``vocab/nqf_eqf_referencing_selected.csv``, the shared reference table copied verbatim, plus
``vocab/nqf_eqf_referencing_supplement.csv`` for rows it leaves implicit: the CNCP levels 1-8
of Decree 2019-14, single RQF/CQFW entry levels). A level with no referencing gives no EQF
level and a flag, never a guess."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from clearinghouse.descriptor import EQF_TO_CYCLE
from transforms import places
from transforms.difficulty import difficulty_of
from transforms.numbers import numbers_in
from transforms.result import Derived, Flag, Problem
from transforms.text import VOCAB_DIR, KeywordMatcher, as_text, fold, load_yaml, shorten

EQF = "EQF"
_NATIONAL = "_national"
_SUPERSEDED = "_superseded:"
_ROMAN = {"i": "I", "ii": "II", "iii": "III", "iv": "IV", "v": "V", "vbis": "Vbis", "vi": "VI"}
CYCLE_METHOD = "QF-EHEA cycles: short = EQF 5, first = 6, second = 7, third = 8"


@dataclass(frozen=True)
class Row:
    eqf: int | None
    flag: str | None
    note: str
    label: str


def _fw() -> dict:
    return load_yaml("frameworks.yaml")


def _key(level: str) -> str:
    """Table key of a level as written in the referencing CSV."""
    level = level.strip()
    if level.startswith("II-"):
        return "II"  # 'II-Grade de Licence'
    return level


@lru_cache(maxsize=None)
def table() -> dict[tuple[str, str], Row]:
    """(framework code, level) -> EQF level (None: not referenced), flag code and source note."""
    by_csv = {spec["csv_country"]: code for code, spec in _fw()["frameworks"].items() if spec.get("csv_country")}
    rows: dict[tuple[str, str], Row] = {}
    with open(VOCAB_DIR / "nqf_eqf_referencing_selected.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            code = by_csv[r["country"]]
            eqf = int(r["eqf_level"]) if r["eqf_level"].strip() else None
            rows[(code, _key(r["nqf_level"]))] = Row(
                eqf, None if eqf else "level-not-referenced", r["source_note"], r["nqf_level_label"])
    with open(VOCAB_DIR / "nqf_eqf_referencing_supplement.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            eqf = int(r["eqf_level"]) if r["eqf_level"].strip() else None
            rows[(r["framework"], r["nqf_level"])] = Row(
                eqf, r["flag_code"] or (None if eqf else "level-not-referenced"), r["source_note"],
                f"{r['framework']} {r['nqf_level']}")
    return rows


def framework_levels(code: str) -> list[str]:
    return [lvl for (fw, lvl) in table() if fw == code]


@lru_cache(maxsize=None)
def _framework_matcher() -> KeywordMatcher:
    spec = _fw()
    entries: dict[str, list[str]] = {}
    for code, fw in spec["frameworks"].items():
        entries[code] = list(fw["aliases"])
        if fw.get("superseded"):
            entries[_SUPERSEDED + code] = list(fw["superseded"])
    entries[_NATIONAL] = list(spec["national_generic"])
    return KeywordMatcher(entries)


@lru_cache(maxsize=None)
def _level_words() -> re.Pattern:
    words = sorted((fold(w) for w in _fw()["level_words"]), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


@lru_cache(maxsize=None)
def _fr_i_words() -> dict[str, re.Pattern]:
    return {key: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in words) + r")(?!\w)")
            for key, words in _fw()["fr_level_i"].items()}


@dataclass
class Reading:
    framework: str | None  # framework code, EQF, _NATIONAL or None (not said)
    level: str | None  # normalised level: '7', 'Entry 3', 'III', 'I-Master'
    kind: str  # 'number', 'entry', 'roman'
    raw: str
    superseded: bool = False
    error: str | None = None
    from_country: bool = False  # the framework is only the country's (the text names none)


def _token(segment: str) -> tuple[str | None, str, str | None]:
    """(level, kind, error) from a piece of level text without its framework name."""
    s = fold(segment)
    s = _level_words().sub(" ", s)
    if m := re.search(r"(?<!\w)(?:entry|e)\s*(\d(?:\s*-\s*\d)?)(?!\w)", s):
        return "Entry " + re.sub(r"\s+", "", m[1]), "entry", None
    if re.search(r"(?<!\w)entry(?!\w)", s):
        return None, "entry", "says entry level but not which (1, 2 or 3)"
    nums = numbers_in(re.sub(r"[-/]", " ", s))
    if len(nums) == 1:
        n = nums[0]
        if not float(n).is_integer() or n < 0:
            return None, "number", f"{n:g} is not a whole level number"
        return str(int(n)), "number", None
    if len(nums) > 1:
        return None, "number", "holds several numbers (a range or two levels); give one level"
    romans = re.findall(r"(?<![\w])(v\s?bis|vi|iv|v|iii|ii|i)(?![\w])", s)
    if len(romans) == 1:
        level = _ROMAN[romans[0].replace(" ", "")]
        if level == "I":
            for key, rx in _fr_i_words().items():
                if rx.search(s):
                    level = key
        return level, "roman", None
    if len(romans) > 1:
        return None, "roman", "holds several levels; give one level"
    return None, "number", "has no level number"


def _read(text: str) -> list[Reading]:
    """Framework names and levels in one level text: 'SCQF level 9', 'Niveau 6 (RNCP)',
    'NFQ 8 / EQF 6', 'Entry 3', '7'."""
    found = _framework_matcher().find(text)
    folded = fold(text)
    if not found:
        level, kind, err = _token(text)
        return [Reading(None, level, kind, text, error=err)]
    out: list[Reading] = []
    prefix = folded[: found[0].start]
    for i, m in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else len(folded)
        segment = folded[m.end:end]
        level, kind, err = _token(segment)
        if err == "has no level number" and i == 0 and prefix.strip():
            level, kind, err = _token(prefix)  # 'Niveau 6 (RNCP)'
        label = m.label
        superseded = label.startswith(_SUPERSEDED)
        if superseded:
            label = label[len(_SUPERSEDED):]
        out.append(Reading(label, level, kind, text, superseded, err))
    return out


def _resolve_framework(text: str) -> tuple[str | None, bool]:
    """Framework code (or _NATIONAL) named in an nqf_framework value; superseded?"""
    found = _framework_matcher().find(text)
    if not found:
        return None, False
    label = found[0].label
    if label.startswith(_SUPERSEDED):
        return label[len(_SUPERSEDED):], True
    return label, False


def _country_framework(country: str | None, region: str | None) -> tuple[str | None, str | None]:
    """(framework code, what it was inferred from) for a country / region value."""
    spec = _fw()
    ctry = reg = None
    if country:
        d = places.derive_country(country)
        ctry, reg = d.values.get("country"), d.values.get("region")
    if region:
        d = places.derive_region(region, ctry)
        reg = d.values.get("region") or reg
        if ctry is None and reg:
            ctry = reg.split("-")[0]
    if reg and reg in spec["by_region"]:
        return spec["by_region"][reg], f"{ctry or ''} {reg}".strip()
    if ctry and ctry in spec["by_country"]:
        return spec["by_country"][ctry], ctry
    return None, None


def derive_level(eqf_level: str | None = None, nqf_level: str | None = None,
                 nqf_framework: str | None = None, level: str | None = None,
                 country: str | None = None, region: str | None = None) -> Derived:
    """Levels as given -> values eqf_level (1-8), nqf {'framework', 'level'}, qf_ehea_cycle
    (from EQF 5-8) and region (for the regional SCQF / CQFW).

    The framework is read from `nqf_framework`, else from words in the level ('SCQF level 9',
    'DQR-Niveau 6', 'Niveau 6 (RNCP)', 'Entry 3'), else from the country (flagged). A bare
    `level` with neither is read as EQF (flagged). A level the framework does not have is a
    Problem (not-in-framework); an EQF level outside 1-8 is out-of-range; text with no level is
    unparseable. Given EQF and national levels that disagree: the given EQF is kept, flagged."""
    raw_eqf, raw_nqf, raw_fw, raw_level = (as_text(x) for x in (eqf_level, nqf_level, nqf_framework, level))
    # a difficulty ('Beginner', 'All Levels') in a level column is not a level: kept as x_difficulty
    difficulty: dict[str, str] = {}
    flags: list[Flag] = []
    for which, raw in (("eqf_level", raw_eqf), ("nqf_level", raw_nqf), ("level", raw_level)):
        value = difficulty_of(raw)
        if value is None:
            continue
        difficulty.setdefault("x_difficulty", value)
        if which != "level":
            flags.append(Flag("eqf_level" if which == "eqf_level" else "nqf", "difficulty-not-level",
                              f"'{shorten(raw)}' is a difficulty, not a qualification level; kept as x_difficulty."))
        raw_eqf, raw_nqf, raw_level = (None if x is raw else x for x in (raw_eqf, raw_nqf, raw_level))
    if raw_eqf is None and raw_nqf is None and raw_level is None:
        if difficulty:
            return Derived(values=difficulty, flags=tuple(flags),
                           methods={"x_difficulty": "a difficulty in a level column (not a level)"})
        return Derived()
    problems: list[Problem] = []
    country_fw, country_from = _country_framework(as_text(country), as_text(region))

    explicit_fw, explicit_superseded = (None, False)
    if raw_fw is not None:
        explicit_fw, explicit_superseded = _resolve_framework(raw_fw)
        if explicit_fw is None:
            flags.append(Flag("nqf", "framework-not-supported",
                              f"Framework '{shorten(raw_fw)}' is not one whose EQF referencing we hold; no EQF level derived from it."))
        elif explicit_fw == _NATIONAL:
            explicit_fw = country_fw
            if explicit_fw is None:
                flags.append(Flag("nqf", "framework-unknown",
                                  f"'{shorten(raw_fw)}' names a national framework but no country says which."))

    readings: list[tuple[Reading, str]] = []  # (reading, which input)
    if raw_eqf is not None:
        for r in _read(raw_eqf):
            if r.framework is None:
                r.framework = EQF
            readings.append((r, "eqf_level"))
    for raw, which in ((raw_nqf, "nqf_level"), (raw_level, "level")):
        if raw is None:
            continue
        for r in _read(raw):
            said_national = r.framework == _NATIONAL
            if said_national:
                r.framework = explicit_fw or country_fw
            elif r.framework and explicit_fw and r.framework not in (explicit_fw, EQF):
                flags.append(Flag("nqf", "framework-conflict",
                                  f"'{shorten(raw)}' names {r.framework} but the framework given is {explicit_fw}; {explicit_fw} is used."))
                r.framework = explicit_fw
            if r.framework is None and explicit_fw:
                r.framework = explicit_fw
                r.superseded = r.superseded or explicit_superseded
            if r.framework is None and raw_fw is not None and explicit_fw is None:
                r.framework = "?" + raw_fw  # a framework we do not support
            if r.framework is None and r.kind == "entry":
                r.framework = country_fw if country_fw in ("GB-WLS-CQFW",) else "GB-ENG-RQF"
            if r.framework is None and country_fw and (r.kind == "number" or country_fw == "FR-CNCP"):
                r.framework, r.from_country = country_fw, True
                flags.append(Flag("nqf", "framework-from-country",
                                  f"Level '{shorten(raw)}' does not name its framework; {country_fw} assumed from the country ({country_from})."))
            if r.framework is None and which == "level" and r.kind == "number" and not said_national:
                r.framework = EQF
                flags.append(Flag("eqf_level", "level-without-framework",
                                  f"Level '{shorten(raw)}' names no framework and no country says which; read as an EQF level."))
            readings.append((r, which))

    eqf_direct: tuple[int, str] | None = None
    national: tuple[str, str, Row | None, str] | None = None  # (fw, level, row, raw)
    national_eqf: list[tuple[int, str]] = []
    for r, which in readings:
        field = "eqf_level" if r.framework == EQF else "nqf"
        if r.error or r.level is None:
            problems.append(Problem(field, "unparseable",
                                    f"Level '{shorten(r.raw)}' {r.error or 'has no level we can read'}."))
            continue
        if r.framework == EQF:
            if r.kind != "number":
                problems.append(Problem("eqf_level", "unparseable",
                                        f"EQF level '{shorten(r.raw)}' is not a number from 1 to 8."))
            elif not 1 <= int(r.level) <= 8:
                problems.append(Problem("eqf_level", "out-of-range",
                                        f"EQF level {r.level} (from '{shorten(r.raw)}') is outside 1-8."))
            elif eqf_direct is None:
                eqf_direct = (int(r.level), r.raw)
            elif eqf_direct[0] != int(r.level):
                flags.append(Flag("eqf_level", "level-mismatch",
                                  f"EQF levels {eqf_direct[0]} and {r.level} are both given; {eqf_direct[0]} is kept."))
            continue
        if r.framework is None:
            flags.append(Flag("nqf", "framework-unknown",
                              f"Level '{shorten(r.raw)}' does not say its framework and no country tells it; "
                              f"kept without a framework, no EQF level derived."))
            if national is None:
                national = (None, r.level, None, r.raw)
            continue
        if r.framework.startswith("?"):
            if national is None:
                national = (r.framework[1:], r.level, None, r.raw)
            continue
        row = table().get((r.framework, r.level))
        if row is None and r.from_country and not _level_words().search(fold(r.raw)):
            # a bare number the country's framework does not have ('210', 'CG 2391' in a Scottish
            # feed's free-text level): no level was said, so nothing is wrong for certain
            flags.append(Flag("nqf", "not-a-level",
                              f"'{shorten(r.raw)}' names no framework or level word and is no {r.framework} level; "
                              "left empty."))
            continue
        if row is None:
            have = ", ".join(framework_levels(r.framework))
            problems.append(Problem("nqf", "not-in-framework",
                                    f"{r.framework} has no level '{r.level}' (from '{shorten(r.raw)}'); its levels are {have}."))
            continue
        if r.superseded:
            flags.append(Flag("nqf", "framework-superseded",
                              f"'{shorten(r.raw)}' uses a superseded framework; its level {r.level} is read as {r.framework} {r.level}."))
        if national is None:
            national = (r.framework, r.level, row, r.raw)
        if row.eqf is not None:
            national_eqf.append((row.eqf, f"{r.framework} {r.level}"))

    if problems:
        return Derived(values=difficulty, flags=tuple(flags), problems=tuple(problems))

    values: dict = dict(difficulty)
    methods: dict[str, str] = {"x_difficulty": "a difficulty in a level column (not a level)"} if difficulty else {}
    if national is not None:
        fw, lvl, row, raw = national
        values["nqf"] = {"framework": fw, "level": lvl}
        methods["nqf"] = f"from '{shorten(raw)}'"
        region_code = _fw()["frameworks"].get(fw or "", {}).get("region")
        if region_code:
            values["region"] = region_code
            methods["region"] = f"{fw} is the framework of {region_code}"
        if row is not None and row.eqf is None:
            code = row.flag or "level-not-referenced"
            what = ("is ambiguous in the EQF referencing" if code == "level-ambiguous"
                    else "is not referenced to the EQF")
            flags.append(Flag("eqf_level", code, f"{fw} level {lvl} {what} ({row.note}); no EQF level derived."))
        elif row is not None and eqf_direct is None:
            values["eqf_level"] = row.eqf
            methods["eqf_level"] = f"from {fw} {lvl} via {row.note}"
    if len({e for e, _ in national_eqf}) > 1:
        flags.append(Flag("eqf_level", "level-mismatch",
                          "National levels given point to different EQF levels: "
                          + ", ".join(f"{src} = EQF {e}" for e, src in national_eqf) + "."))
    if eqf_direct is not None:
        values["eqf_level"] = eqf_direct[0]
        methods["eqf_level"] = f"as given ('{shorten(eqf_direct[1])}')"
        if national_eqf and national_eqf[0][0] != eqf_direct[0]:
            flags.append(Flag("eqf_level", "level-mismatch",
                              f"EQF level {eqf_direct[0]} is given but {national_eqf[0][1]} is EQF {national_eqf[0][0]} "
                              f"in the referencing; the given EQF level is kept."))
    eqf = values.get("eqf_level")
    if eqf in EQF_TO_CYCLE:
        values["qf_ehea_cycle"] = EQF_TO_CYCLE[eqf]
        methods["qf_ehea_cycle"] = f"from EQF {eqf} ({CYCLE_METHOD})"
    return Derived(values=values, flags=tuple(flags), methods=methods)
