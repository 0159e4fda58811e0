"""Dates (ISO 8601 calendar dates) and durations (ISO 8601 durations) as sources write them."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from transforms.numbers import parse_number
from transforms.result import Derived, Flag, Problem
from transforms.text import as_text, fold, load_yaml, shorten

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's 1900 leap-year bug
_EXCEL_MIN, _EXCEL_MAX = 18264, 73051  # 1950-01-01 .. 2099-12-31


@lru_cache(maxsize=None)
def _months() -> dict[str, int]:
    out: dict[str, int] = {}
    for month, names in load_yaml("months.yaml").items():
        for name in names:
            out[fold(str(name))] = int(month)
    return out


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:  # '01.09.25'
        y += 2000 if y < 70 else 1900
    return y


def _build(y: int, m: int, d: int | None, raw: str, field: str) -> Derived | str:
    try:
        if d is None:
            dt.date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return Derived(problems=(Problem(field, "out-of-range", f"'{shorten(raw)}' is not a calendar date."),))


def _month_of(word: str) -> int | None:
    return _months().get(fold(word).rstrip("."))


# Countries whose short numeric dates put the month first (CLDR short date patterns M/d/y:
# en-US and the US territories, the Philippines, Micronesia, the Marshall Islands, Palau)
MONTH_FIRST_COUNTRIES = frozenset({"US", "AS", "GU", "MP", "PR", "UM", "VI", "PH", "FM", "MH", "PW"})


def iso_date(text: str | None, field: str = "start_date", dayfirst: bool = True) -> Derived:
    """A date in any common form -> values {field: 'YYYY-MM-DD'}: ISO ('2025-09-01', also with
    a time as XLSX cells give it), numeric ('01.09.2025', '1/9/2025', day first unless
    dayfirst=False), with month names in en/de/fr/es/it/nl/pl ('1er septembre 2025',
    '1. September 2025', 'September 1, 2025'), and Excel serial day numbers ('45901').
    A month without a day gives 'YYYY-MM' with a flag. A text of words with no number in it
    ("up to three start points in the year") -> no value and a flag. Unparseable -> Problem."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    t = raw.strip()
    flags: list[Flag] = []
    method = f"from '{shorten(t)}'"
    value: Derived | str | None = None

    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", t):
        value = _build(int(m[1]), int(m[2]), int(m[3]), raw, field)
    elif m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        value = _build(int(m[1]), int(m[2]), None, raw, field)
    elif m := re.fullmatch(r"(\d{1,2})[./\-](\d{1,2})[./\-](\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?", t):
        a, b, y = int(m[1]), int(m[2]), _year(m[3])
        d, mo = (a, b) if dayfirst else (b, a)
        if mo > 12 and d <= 12:
            d, mo = mo, d
            flags.append(Flag(field, "date-order-guessed",
                              f"'{raw}' cannot be {'day-month' if dayfirst else 'month-day'}-year; read as {'month-day' if dayfirst else 'day-month'}-year."))
        value = _build(y, mo, d, raw, field)
        method += " (day first)" if (dayfirst and not flags) or (not dayfirst and flags) else " (month first)"
    elif re.fullmatch(r"(19|20)\d{2}", t):
        value = t
    elif re.fullmatch(r"\d{5}(?:\.0+)?", t) and _EXCEL_MIN <= int(float(t)) <= _EXCEL_MAX:
        value = (_EXCEL_EPOCH + dt.timedelta(days=int(float(t)))).isoformat()
        method += " (Excel serial day number)"
    else:
        words = re.findall(r"[^\W\d_]+\.?|\d+", t)
        nums = [w for w in words if w.isdigit()]
        months = [mm for w in words if not w.isdigit() and (mm := _month_of(w))]
        others = [w for w in words if not w.isdigit() and not _month_of(w)
                  and fold(w).rstrip(".") not in ("er", "de", "del", "of", "the", "st", "nd", "rd", "th", "le", "il", "am", "den", "el")]
        if len(months) == 1 and not others and 1 <= len(nums) <= 2:
            years = [n for n in nums if len(n) == 4]
            days = [n for n in nums if len(n) <= 2]
            if len(years) == 1 and len(days) == 1:
                value = _build(int(years[0]), months[0], int(days[0]), raw, field)
            elif len(years) == 1 and not days:
                value = _build(int(years[0]), months[0], None, raw, field)
    if value is None and not re.search(r"\d", t) and len(re.findall(r"[^\W\d_]{2,}", t)) >= 4:
        # prose about dates ("OU qualifications have up to three start points in the year,
        # October, February or April.", as XCRI-CAP <start> text may be): no date to take, but
        # not a wrong one either
        return Derived(flags=(Flag(field, "date-as-text",
                                   f"'{shorten(raw)}' is a text about dates, not a date; left empty."),))
    if value is None:
        return Derived(problems=(Problem(field, "unparseable", f"'{shorten(raw)}' is not a date we can read."),))
    if isinstance(value, Derived):
        return value
    if len(value) < 10:
        flags.append(Flag(field, "date-incomplete",
                          f"'{raw}' gives {'a month' if len(value) == 7 else 'only a year'} but no day; kept as {value}."))
    return Derived(values={field: value}, flags=tuple(flags), methods={field: method})


# --------------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------------
_ISO_DURATION = re.compile(
    r"P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?", re.I)
_ORDER = ("Y", "M", "W", "D", "H", "MIN")


@lru_cache(maxsize=None)
def _units() -> dict[str, str]:
    out: dict[str, str] = {}
    for unit, words in load_yaml("durations.yaml").items():
        if unit == "not_fixed":
            continue
        for w in words:
            out[fold(str(w))] = unit
    return out


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def iso_duration(text: str | None) -> Derived:
    """Duration as given -> values duration (ISO 8601): '6 weeks' -> 'P6W', '3 Monate' -> 'P3M',
    '10 Tage' -> 'P10D', '1 Jahr 6 Monate' -> 'P1Y6M', '40 Stunden' -> 'PT40H'; 'P6W' kept.
    Words for something without a fixed length ('1 semestre') and other text: no value, flag."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    t = raw.strip()
    if _ISO_DURATION.fullmatch(t):
        return Derived(values={"duration": t.upper().replace(",", ".")}, methods={"duration": "as given (ISO 8601)"})
    parts: dict[str, float] = {}
    rest = fold(t)
    rest = re.sub(r"\b(ca|approx|approximately|about|circa|etwa|rund|environ|aprox|circa|ongeveer|około|ok)\b\.?", " ", rest)
    rest = re.sub(r"[()\[\]]", " ", rest)  # "9 months (approx)"
    pairs = re.findall(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+\.?)", rest)
    leftover = re.sub(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+\.?)", " ", rest)
    leftover = re.sub(r"\b(and|und|et|y|e|en|i|,)\b", " ", leftover).strip(" ,")
    ok = bool(pairs) and not leftover
    if ok:
        for num, word in pairs:
            unit = _units().get(word.rstrip(".")) or _units().get(word)
            n = parse_number(num)
            if unit is None or n is None or unit in parts:
                ok = False
                break
            parts[unit] = n
    if not ok or not parts:
        not_fixed = any(re.search(rf"(?<!\w){re.escape(fold(w))}(?!\w)", fold(t))
                        for w in load_yaml("durations.yaml")["not_fixed"])
        why = "names a period without a fixed length" if not_fixed else "is not a length of time we can read"
        return Derived(flags=(Flag("duration", "unrecognised-value",
                                   f"Duration '{shorten(raw)}' {why}, so it is not written as an ISO 8601 duration; left empty."),))
    if "W" in parts and len(parts) > 1:  # weeks do not combine with other designators
        parts["D"] = parts.get("D", 0) + 7 * parts.pop("W")
    date_part = "".join(f"{_fmt(parts[u])}{u}" for u in ("Y", "M", "W", "D") if u in parts)
    time_part = "".join(f"{_fmt(parts[u])}{'M' if u == 'MIN' else u}" for u in ("H", "MIN") if u in parts)
    value = "P" + date_part + (("T" + time_part) if time_part else "")
    return Derived(values={"duration": value}, methods={"duration": f"from '{shorten(raw)}'"})
