"""Prices: amount and ISO 4217 currency."""
from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from transforms.numbers import numbers_in, parse_number
from transforms.result import Derived, Flag, Problem
from transforms.text import KeywordMatcher, as_text, fold, load_yaml, shorten


@lru_cache(maxsize=None)
def _vocab() -> dict:
    return load_yaml("currencies.yaml")


@lru_cache(maxsize=None)
def _phrases() -> KeywordMatcher:
    v = _vocab()
    return KeywordMatcher({"free": v["free"], "on_request": v["on_request"]})


def _currency_code(token: str) -> tuple[str | None, bool]:
    """(ISO 4217 code, ambiguous?) for a code, symbol or name; (None, False) if unknown."""
    t = token.strip()
    v = _vocab()
    if t in v["symbols"]:
        return v["symbols"][t], False
    if t in v["ambiguous"]:
        return v["ambiguous"][t], True
    key = fold(t)
    if key in v["names"]:
        return v["names"][key], False
    if re.fullmatch(r"[A-Za-z]{3}", t):
        cur = pycountry.currencies.get(alpha_3=t.upper())
        if cur:
            return cur.alpha_3, False
    try:
        return pycountry.currencies.lookup(t).alpha_3, False
    except LookupError:
        return None, False


def _split(text: str) -> tuple[str, list[str]]:
    """The price text without its currency marks, and the marks found (symbols, codes, names)."""
    v = _vocab()
    marks: list[str] = []
    rest = text
    for sym in sorted(list(v["symbols"]) + list(v["ambiguous"]), key=len, reverse=True):
        if sym[0].isalpha():
            rx = re.compile(rf"(?<![^\W\d_]){re.escape(sym)}(?![^\W\d_])", re.I)
        else:
            rx = re.compile(re.escape(sym))
        if rx.search(rest):
            marks.append(sym)
            rest = rx.sub(" ", rest)
    for word in re.findall(r"[^\W\d_]+(?:\s+[^\W\d_]+)?", rest):
        for cand in (word, *word.split()):
            if fold(cand) in v["names"] or re.fullmatch(r"[A-Z]{3}", cand):
                marks.append(cand)
                rest = re.sub(rf"(?<!\w){re.escape(cand)}(?!\w)", " ", rest)
                break
    return rest, marks


def derive_price(price: str | None, currency: str | None = None) -> Derived:
    """Price as given (plus a currency column) -> values price {'amount', 'currency'}:
    '1.200,00 EUR', '€ 450', '£250', '250 GBP', '450,- €'; 'kostenlos' / 'free' / 'gratuit' ->
    amount 0. Unknown currency -> Problem unknown-code; unreadable amount -> Problem."""
    raw = as_text(price)
    cur_raw = as_text(currency)
    if raw is None:
        return Derived()
    flags: list[Flag] = []
    phrases = _phrases().labels(raw)
    text = re.sub(r"([.,])[-\u2013\u2014]{1,2}", r"\1" + "00", raw)  # '450,-' -> '450,00'
    rest, marks = _split(text)
    amount = None
    if not numbers_in(rest):
        if "free" in phrases:
            amount = 0.0
        elif "on_request" in phrases:
            return Derived(flags=(Flag("price", "price-on-request",
                                       f"Price '{shorten(raw)}' is not an amount (given on request); left empty."),))
    else:
        amount = parse_number(rest)
        if amount is not None and "free" in phrases:
            flags.append(Flag("price", "price-conditional",
                              f"Price '{shorten(raw)}' says both free and an amount; the amount is kept."))
    if amount is None and len(re.findall(r"[^\W\d_]{2,}", raw)) >= 4:
        # prose about costs ("UK fee: GBP155.00; Ireland fee: GBP340.00", "paid per unit"), as
        # XCRI-CAP <cost> is: no single price to take, but not a wrong value either
        return Derived(flags=(Flag("price", "price-as-text",
                                   f"Price '{shorten(raw)}' is a text, not one amount; left empty."),))
    if amount is None:
        return Derived(problems=(Problem("price", "unparseable",
                                         f"'{shorten(raw)}' is not a price we can read (one amount, optionally with a currency)."),))
    if amount < 0:
        return Derived(problems=(Problem("price", "out-of-range", f"Price '{shorten(raw)}' is negative."),))

    codes: list[str] = []
    for mark in marks:
        code, ambiguous = _currency_code(mark)
        if code is None and mark in _vocab()["ambiguous"]:
            return Derived(problems=(Problem("price", "unknown-code",
                                             f"Currency '{mark}' in '{shorten(raw)}' could be several currencies; give the ISO 4217 code."),))
        if code is None:
            return Derived(problems=(Problem("price", "unknown-code",
                                             f"'{mark}' in '{shorten(raw)}' is not a currency we know."),))
        if ambiguous and not cur_raw:
            flags.append(Flag("price", "currency-guessed", f"'{mark}' read as {code}."))
        if code not in codes:
            codes.append(code)
    col_code = None
    if cur_raw:
        col_code, ambiguous = _currency_code(cur_raw)
        if col_code is None:
            return Derived(problems=(Problem("price", "unknown-code",
                                             f"Currency '{shorten(cur_raw)}' is not an ISO 4217 code or currency we know."),))
        if ambiguous:
            flags.append(Flag("price", "currency-guessed", f"'{cur_raw}' read as {col_code}."))
    if len(codes) > 1:
        return Derived(problems=(Problem("price", "unparseable",
                                         f"'{shorten(raw)}' names several currencies ({', '.join(codes)})."),))
    code = codes[0] if codes else col_code
    if codes and col_code and col_code != codes[0]:
        flags.append(Flag("price", "currency-mismatch",
                          f"Price '{shorten(raw)}' is in {codes[0]} but the currency column says {col_code}; {codes[0]} is used."))
    if code is None and amount > 0:
        flags.append(Flag("price", "currency-missing", f"Price '{shorten(raw)}' has no currency."))
    if amount == 0 and not codes and "free" not in phrases:
        # a bare '0.0000' (XCRI-CAP <cost> as Adam Smith College's feed fills it for most
        # courses): a fee of nothing, or a fee nobody entered
        flags.append(Flag("price", "price-zero-unqualified",
                          f"Price '{shorten(raw)}' is a bare zero; read as no fee, though the source may mean none was given."))
    value = {"amount": round(amount, 2), "currency": code}
    how = "no fee" if "free" in phrases and not numbers_in(rest) else "amount as given"
    return Derived(values={"price": value}, flags=tuple(flags),
                   methods={"price": f"from '{shorten(raw)}'" + (f" and '{cur_raw}'" if cur_raw else "") + f" ({how}; ISO 4217 via pycountry)"})
