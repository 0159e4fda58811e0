"""Numbers as sources write them: decimal commas, thousands separators, units around them."""
from __future__ import annotations

import math
import re
from typing import Any

# One number: grouped thousands (1.200 / 1,200 / 1 200 / 1'200 / 1’200) with an optional
# decimal part, or plain digits with an optional decimal part. A sign only at the start or
# after a space/bracket (so the '-' in '5-6' or 'Level-5' is not a minus).
_NUMBER = re.compile(
    r"(?:(?:^|(?<=[\s(:=]))(?P<sign>[-+\u2212]))?"
    r"(?<![\d.,'\u2019])"
    r"(?P<num>\d{1,3}(?P<sep>[.,'\u2019\u00a0\u202f ])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d+)?(?![\d])"
    r"|\d+(?:[.,]\d+)?(?![\d])"
    r"|(?<!\d)[.,]\d+(?![\d]))"
)
_RANGE = re.compile(r"\d\s*(?:-|\u2013|\u2014|/|\bto\b|\bbis\b|\bà\b|\ba\b|\bal\b|\bdo\b|\btot\b|\btill\b)\s*[-+]?\d", re.I)


def _to_float(token: str, sep: str | None) -> float | None:
    t = token
    if sep:
        # thousands separator given; the decimal mark (if any) is the other of . and ,
        rest = t.replace(sep, "") if sep not in ".," else None
        if rest is None:
            head, _, tail = t.rpartition(sep)  # the last group after sep is 3 digits
            dec = "," if sep == "." else "."
            if dec in tail:
                digits, _, frac = tail.partition(dec)
                t = head.replace(sep, "") + digits + "." + frac
            else:
                t = t.replace(sep, "")
        else:
            t = rest.replace(",", ".")
    else:
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _tokens(text: str) -> list[float]:
    out = []
    for m in _NUMBER.finditer(text):
        token, sep = m.group("num"), m.group("sep")
        if sep in (".", ",") and token.split(sep, 1)[0] == "0":
            sep = None  # '0.500' / '0,750' is a decimal fraction, there are no thousands
        value = _to_float(token, sep)
        if value is None:
            continue
        if m.group("sign") in ("-", "\u2212"):
            value = -value
        out.append(value)
    return out


def numbers_in(text: Any) -> list[float]:
    """Every number in the text, in order."""
    if text is None or isinstance(text, bool):
        return []
    if isinstance(text, (int, float)):
        return [] if isinstance(text, float) and not math.isfinite(text) else [float(text)]
    return _tokens(str(text))


def first_number(text: Any) -> float | None:
    """The first number in the text ('ca. 120 h (4 ECTS)' -> 120.0), or None."""
    found = numbers_in(text)
    return found[0] if found else None


def is_range(text: Any) -> bool:
    return isinstance(text, str) and bool(_RANGE.search(text))


def parse_number(text: Any) -> float | None:
    """The one number in a value: '7,5' -> 7.5, '1.200,50' -> 1200.5, '1,200.50' -> 1200.5,
    '1 200' / "1'200" -> 1200.0, '3 ECTS' -> 3.0, 'ca. 120 h' -> 120.0, 'Niveau 7' -> 7.0.
    None when there is no number, or more than one ('5-6', '5 ECTS / 150 h'): which one was
    meant is not for a parser to guess."""
    found = numbers_in(text)
    if len(found) != 1:
        return None
    return found[0]
