"""ISCED-F 2013 fields of education and training (descriptor key ``isced_f``).

Codes the source gives are checked against the official list (``vocab/isced_f_2013.csv``, the 220
broad, narrow and detailed fields as ESCO publishes them): a code not on it is an invalid present
value (problem ``unknown-code``, the record goes to quarantine). Given codes win. Otherwise the
field is inferred, in this order, and the first method that finds something is used:

1. subject codes: JACS (``vocab/jacs_isced.csv``) or else LDCS (``vocab/ldcs_isced.csv``), the
   codes an XCRI-CAP feed gives in ``x_jacs`` / ``x_ldcs``; both files are our own crosswalks
   from the published code lists, not official ones, with a confidence per row;
2. the ESCO skill groups of the record's ``esco_skills`` (``vocab/esco_skill_isced.csv``): a
   field that at least two linked skills and more than half of the skills that have a field
   share, at the most detailed level where that holds;
3. the title (else the description): field labels and a small en/de/fr keyword list
   (``vocab/isced_keywords.yaml``). Low confidence and flagged; words pointing to fields of
   different narrow groups give nothing (no code is better than a wrong code).

The method and its confidence go into the record's provenance (``fields.isced_f``)."""
from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from transforms.result import NOTHING, Derived, Flag, Problem
from transforms.text import VOCAB_DIR, as_text, fold, load_yaml, shorten

FIELD = "isced_f"
SUBJECT_COLUMNS = ("x_jacs", "x_ldcs")  # where connectors.xcri keeps JACS / LDCS codes
SKILL_URI = "http://data.europa.eu/esco/skill/"
MIN_SKILLS = 2  # linked skills that must share a field before it is inferred from them
SKILLS_CONFIDENCE = 0.7  # at best (every skill with a field agrees, links of confidence 1)
TITLE_CONFIDENCE = {4: 0.5, 3: 0.4}  # one detailed field / one narrow field named in the title
DESCRIPTION_CONFIDENCE = 0.3
_VAGUE_LABEL = re.compile(r"not (?:further defined|elsewhere classified)|inter-disciplinary|field unknown|\(")


def _vocab_rows(name: str) -> Iterable[dict[str, str]]:
    with open(VOCAB_DIR / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(line for line in fh if not line.startswith("#"))


# --------------------------------------------------------------------------------- the list
@dataclass(frozen=True)
class Field:
    code: str
    label: str
    broader: str | None


@lru_cache(maxsize=None)
def official() -> dict[str, Field]:
    """ISCED-F 2013 code -> field (2-digit broad, 3-digit narrow, 4-digit detailed)."""
    return {r["code"]: Field(r["code"], r["label"], r["broader"] or None)
            for r in _vocab_rows("isced_f_2013.csv")}


def is_valid(code: str) -> bool:
    return code in official()


@lru_cache(maxsize=None)
def _labels() -> dict[str, str]:
    return {fold(f.label): f.code for f in official().values()}


# ------------------------------------------------------------------------- codes as given
_URI_OR_CODE = re.compile(r"^(?:\S*isced-f/)?(\d+)(?:\.0)?(?:$|[\s:.)–-]+(.*)$)")
_ONLY_CODES = re.compile(r"^[\d\s,;|/.]+$")


def _given_code(part: str) -> tuple[str | None, Flag | None, Problem | None]:
    m = _URI_OR_CODE.match(part)
    if m is None:
        code = _labels().get(fold(part.rstrip(".")))
        if code:
            return code, Flag(FIELD, "isced-from-label",
                              f"'{shorten(part)}' is the label of ISCED-F {code}; code used"), None
        return None, None, Problem(FIELD, "unparseable", f"'{shorten(part)}' is not an ISCED-F 2013 field code")
    code = m.group(1)
    if is_valid(code):
        return code, None, None
    padded = "0" + code
    if not code.startswith("0") and is_valid(padded):  # a spreadsheet dropped the leading zero
        return padded, Flag(FIELD, "leading-zero-restored",
                            f"ISCED-F '{code}' read as {padded} (a leading zero was lost)"), None
    return None, None, Problem(FIELD, "unknown-code",
                               f"'{code}' is not on the ISCED-F 2013 list of fields (vocab/isced_f_2013.csv)")


def given(value: Any) -> Derived:
    """ISCED-F codes as the source gives them ('0613', '061; 0612', '613', an ESCO/ELM ISCED-F
    URI, '0613 Software ...', an official English label), each checked against the list."""
    text = as_text(value)
    if text is None:
        return NOTHING
    if _ONLY_CODES.match(text):
        parts = [p for p in re.split(r"[\s,;|/]+", text) if p.strip(".")]
    else:
        parts = [p.strip() for p in re.split(r"[,;|\n]+", text) if p.strip()]
    codes: list[str] = []
    flags: list[Flag] = []
    problems: list[Problem] = []
    for part in parts:
        code, flag, problem = _given_code(part)
        if code and code not in codes:
            codes.append(code)
        flags.extend([flag] if flag else [])
        problems.extend([problem] if problem else [])
    if problems:
        return Derived(flags=tuple(flags), problems=tuple(problems))
    return Derived(values={FIELD: codes}, flags=tuple(flags), methods={FIELD: "as given by the source"})


# ------------------------------------------------------------------ subject code crosswalks
@dataclass(frozen=True)
class Crosswalk:
    scheme: str
    file: str
    rows: dict[str, tuple[str, float]]  # key (prefix of a code) -> (ISCED-F code, confidence)
    code: re.Pattern

    def lookup(self, code: str) -> tuple[str, str, float] | None:
        """(matched key, ISCED-F code, confidence) for the longest key the code starts with."""
        for n in range(len(code), 0, -1):
            hit = self.rows.get(code[:n])
            if hit:
                return code[:n], hit[0], hit[1]
        return None


@lru_cache(maxsize=None)
def crosswalk(scheme: str) -> Crosswalk:
    file, key, rx = {"JACS": ("jacs_isced.csv", "jacs", r"^[A-Z]\d{1,3}$"),
                     "LDCS": ("ldcs_isced.csv", "ldcs", r"^[A-Z]{1,2}(?:\.\d*)?$")}[scheme]
    rows = {r[key]: (r["isced_f"], float(r["confidence"])) for r in _vocab_rows(file)}
    return Crosswalk(scheme, file, rows, re.compile(rx))


def _without_broader(codes: list[str]) -> list[str]:
    """Drops a code that a more detailed code in the list already implies (041 beside 0413)."""
    return [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]


def _from_scheme(scheme: str, value: str | None) -> Derived:
    text = as_text(value)
    if text is None:
        return NOTHING
    cw = crosswalk(scheme)
    found: list[tuple[str, str, float]] = []
    for raw in re.split(r"[\s,;|]+", text.upper()):
        raw = raw.rstrip(".")  # 'DB.' in 'LDCS1: DB.', the second-level 'AA.'
        if not cw.code.match(raw):
            continue
        hit = cw.lookup(raw)
        if hit and hit[1] not in [f[1] for f in found]:
            found.append((raw, hit[1], hit[2]))
    if not found:
        return NOTHING
    codes = _without_broader([c for _, c, _ in found])
    steps = ", ".join(f"{scheme} {raw} -> {c} (confidence {conf:g})" for raw, c, conf in found if c in codes)
    return Derived(values={FIELD: codes},
                   methods={FIELD: f"from {steps} via transforms/vocab/{cw.file} (own crosswalk, not an official one)"})


def from_subjects(jacs: str | None, ldcs: str | None) -> Derived:
    """From JACS subject codes ('N200; N500'), else from LDCS codes ('KC.3', 'DB')."""
    got = _from_scheme("JACS", jacs)
    return got if got is not NOTHING else _from_scheme("LDCS", ldcs)


# ---------------------------------------------------------------------- ESCO skill groups
@lru_cache(maxsize=None)
def skill_fields() -> dict[str, tuple[str, ...]]:
    """ESCO skill UUID -> the ISCED-F field(s) its broader links reach."""
    return {r["skill"]: tuple(r["isced_f"].split()) for r in _vocab_rows("esco_skill_isced.csv")}


def from_skills(links: list[dict] | None) -> Derived:
    """The field shared by most of the record's ESCO skills that have one: at least MIN_SKILLS of
    them and more than half, at the most detailed level (4, else 3, else 2 digits) where that holds.
    Confidence: 0.7 x share of agreeing skills x their mean link confidence."""
    table = skill_fields()
    mapped: list[tuple[tuple[str, ...], float]] = []
    for link in links or []:
        uri = str(link.get("uri") or "")
        codes = table.get(uri[len(SKILL_URI):]) if uri.startswith(SKILL_URI) else None
        if codes:
            mapped.append((codes, float(link.get("confidence") or 0)))
    if len(mapped) < MIN_SKILLS:
        return NOTHING
    for digits in (4, 3, 2):
        support: Counter[str] = Counter()
        for codes, _ in mapped:
            support.update({c[:digits] for c in codes})
        (code, n), = support.most_common(1)
        tied = [c for c, k in support.items() if k == n]
        if n >= MIN_SKILLS and n * 2 > len(mapped) and len(tied) == 1:
            share = n / len(mapped)
            confs = [conf for codes, conf in mapped if any(c.startswith(code) for c in codes)]
            conf = round(SKILLS_CONFIDENCE * share * sum(confs) / len(confs), 2)
            return Derived(values={FIELD: [code]}, methods={FIELD: (
                f"from the ESCO skill groups of {n} of the {len(mapped)} linked skills that have one "
                f"(esco_skills) via transforms/vocab/esco_skill_isced.csv (confidence {conf:g})")})
    return NOTHING


# ------------------------------------------------------------------------------ text
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Matcher:
    """Keyword phrases matched word by word on folded text (one dictionary lookup per word, so a
    long description costs little): at each word the longest phrase starting there wins."""
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]  # first word -> [(words, code)], longest first
    compounds: tuple[tuple[str, str, str], ...]  # ('end' | 'start', part, code): '*psychologie'

    def find(self, text: str) -> list[tuple[str, str]]:
        """(code, the words as written in the text) per keyword found, ignored phrases left out."""
        folded, origin = _fold_map(text)
        toks = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(folded)]
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(toks):
            hit = next(((len(words), code) for words, code in self.phrases.get(toks[i][0], ())
                        if tuple(t[0] for t in toks[i:i + len(words)]) == words), None)
            if hit is None:
                word = toks[i][0]
                hit = next(((1, code) for where, part, code in self.compounds
                             if (word.endswith(part) if where == "end" else word.startswith(part))), None)
            if hit is None:
                i += 1
                continue
            n, code = hit
            if code:
                out.append((code, text[origin[toks[i][1]]:origin[toks[i + n - 1][2] - 1] + 1]))
            i += n
        return out


def _fold_map(text: str) -> tuple[str, list[int] | range]:
    """``fold`` character by character (whitespace kept as single spaces), with the index in
    ``text`` of each folded character, so a match can be shown as the source wrote it."""
    chars = set(text)
    for ch in chars:
        if ord(ch) not in _CHAR_FOLD:
            _CHAR_FOLD[ord(ch)] = " " if ch.isspace() else fold(ch)
    folded = text.translate(_CHAR_FOLD)
    if all(len(_CHAR_FOLD[ord(ch)]) == 1 for ch in chars):  # one for one: 'é' -> 'e'
        return folded, range(len(text))
    origin: list[int] = []
    for i, ch in enumerate(text):  # 'ß' -> 'ss', a combining accent -> ''
        origin.extend([i] * len(_CHAR_FOLD[ord(ch)]))
    return folded, origin


_CHAR_FOLD: dict[int, str] = {}


@lru_cache(maxsize=None)
def _matcher() -> _Matcher:
    """The English labels of the detailed fields (not the 'not further defined' / 'not elsewhere
    classified' / inter-disciplinary ones) and the keyword list. A phrase of several words also
    matches written as one word ('Projectmanagement'); '*' at an end of a one-word keyword lets
    it end or start a compound ('*psychologie': 'Arbeitspsychologie')."""
    table: dict[tuple[str, ...], str] = {}
    compounds: list[tuple[str, str, str]] = []

    def put(words: tuple[str, ...], code: str, given: str) -> None:
        if table.get(words, code) != code:
            raise ValueError(f"ISCED-F keywords: '{given}' names both "
                             f"{table[words] or '_ignore'} and {code or '_ignore'}")
        table[words] = code

    def add(keyword: str, code: str) -> None:
        if code and not is_valid(code):
            raise ValueError(f"ISCED-F keywords: '{keyword}' names {code}, which is not on the list")
        kw = fold(keyword)
        words = tuple(_WORD.findall(kw))
        if kw.startswith("*") or kw.endswith("*"):
            if len(words) != 1:
                raise ValueError(f"ISCED-F keywords: '{keyword}': '*' only on one-word keywords")
            compounds.append(("end" if kw.startswith("*") else "start", words[0], code))
        put(words, code, keyword)
        if len(words) > 1:
            put(("".join(words),), code, keyword)

    for f in official().values():
        if len(f.code) == 4 and not _VAGUE_LABEL.search(f.label) and not f.code.startswith("00"):
            add(f.label, f.code)
    for code, langs in load_yaml("isced_keywords.yaml").items():
        for words in (w for ws in (langs or {}).values() for w in ws or ()):
            add(str(words), "" if code == "_ignore" else code)
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, code in sorted(table.items(), key=lambda kv: -len(kv[0])):
        phrases.setdefault(words[0], []).append((words, code))
    return _Matcher(phrases, tuple(compounds))


def _one_field(codes: list[str]) -> str | None:
    """The one detailed field named, else the one narrow field all of them are in, else None."""
    distinct = sorted(set(codes))
    if len(distinct) == 1:
        return distinct[0]
    narrow = {c[:3] for c in distinct}
    return narrow.pop() if len(narrow) == 1 and all(len(c) == 4 for c in distinct) else None


def from_text(title: str | None, description: str | None = None) -> Derived:
    """A low-confidence guess from words naming a field: in the title; if the title names none,
    in the description when one field has at least 3 mentions and 3 in 4 of all mentions."""
    m = _matcher()
    found = m.find(title) if title else []
    where = "title"
    if found:
        code = _one_field([c for c, _ in found])
        if code is None:
            return NOTHING
        conf = TITLE_CONFIDENCE.get(len(code), 0.4)
    elif description:
        found = m.find(description)
        counts = Counter(c for c, _ in found)
        if not counts:
            return NOTHING
        (code, n), = counts.most_common(1)
        if n < 3 or n * 4 < 3 * sum(counts.values()):
            return NOTHING
        found = [(c, w) for c, w in found if c == code]
        conf, where = DESCRIPTION_CONFIDENCE, "description"
    else:
        return NOTHING
    words = ", ".join(f"'{w}'" for w in dict.fromkeys(w for _, w in found))
    label = official()[code].label
    return Derived(
        values={FIELD: [code]},
        flags=(Flag(FIELD, "isced-from-text",
                    f"ISCED-F {code} ({label}) guessed from {words} in the {where}; not given by the source"),),
        methods={FIELD: (f"from the {where} ({words} -> {code}) via transforms/vocab/isced_keywords.yaml "
                         f"and the ISCED-F labels (confidence {conf:g})")})


# --------------------------------------------------------------------- column-wise
def derive_column(given_values: list, jacs: list, ldcs: list, skills: list, titles: list,
                  descriptions: list) -> list[Derived]:
    """Per row: the given codes (checked), else the first inference that finds a field. Each step
    runs once per distinct input; ``skills`` holds each row's ESCO links (or None)."""
    caches: dict[str, dict] = {k: {} for k in ("given", "subjects", "skills", "text")}

    def once(kind: str, key: Any, fn, *args) -> Derived:
        cache = caches[kind]
        if key not in cache:
            cache[key] = fn(*args)
        return cache[key]

    out: list[Derived] = []
    for g, j, ld, links, title, desc in zip(given_values, jacs, ldcs, skills, titles, descriptions):
        if as_text(g) is not None:
            out.append(once("given", g, given, g))
            continue
        got = NOTHING
        if j is not None or ld is not None:
            got = once("subjects", (j, ld), from_subjects, j, ld)
        if got is NOTHING and links:
            got = once("skills", tuple((lk.get("uri"), lk.get("confidence")) for lk in links), from_skills, links)
        if got is NOTHING and (title or desc):
            got = once("text", (title, desc), from_text, title, desc)
        out.append(got)
    return out
