"""Languages of instruction and of titles -> ISO 639-1 codes.

Names come from pycountry (English names and their de/fr/es/it/nl/pl translations, the
iso639-3 catalogues it ships) plus ``vocab/languages.yaml`` (endonyms, adjective forms), then
from the CLDR names that langcodes reads through ``language_data`` (every language's name in
every language and script: '中文', '日本語', 'العربية', 'Português'); tags are read with
langcodes (BCP 47 with regions and scripts, deprecated codes) and checked against pycountry."""
from __future__ import annotations

import gettext
import re
from functools import lru_cache

import langcodes
import pycountry

from transforms.cldr import code_for_name
from transforms.result import Derived, Flag, Problem
from transforms.text import as_text, fold, load_yaml, shorten

LOCALES = ("de", "fr", "es", "it", "nl", "pl")
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_SEPARATORS = re.compile(r"[,;/|+&\n\r\t•·]+")


@lru_cache(maxsize=None)
def _names() -> dict[str, str]:
    """folded language name -> ISO 639-1 code."""
    out: dict[str, str] = {}
    langs = [l for l in pycountry.languages if hasattr(l, "alpha_2")]
    translators = [None] + [gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[loc])
                            for loc in LOCALES]
    for tr in translators:
        for lang in langs:
            for attr in ("name", "common_name", "inverted_name"):
                name = getattr(lang, attr, None)
                if not name:
                    continue
                name = tr.gettext(name) if tr else name
                variants = {name, re.sub(r"\s*\(.*?\)\s*", " ", name).strip()}
                variants |= {p.strip() for v in list(variants) for p in v.split(";")}
                variants |= {m.strip() for m in re.findall(r"\(([^)0-9]+)\)", name)}  # 'Spanisch (Kastilisch)'
                for v in variants:
                    if v and len(v) > 3:
                        out.setdefault(fold(v), lang.alpha_2)
    for name, code in load_yaml("languages.yaml")["names"].items():
        out[fold(str(name))] = code
    return out


@lru_cache(maxsize=None)
def _words(kind: str) -> frozenset[str]:
    return frozenset(fold(str(w)) for w in load_yaml("languages.yaml")[kind])


def _from_tag(token: str) -> tuple[str | None, bool, str | None]:
    """(ISO 639-1 code, repaired?, reason when not usable) for a token shaped like a tag."""
    t = token.strip()
    repaired = "_" in t
    norm = t.replace("_", "-")
    try:
        lang = langcodes.Language.get(norm, normalize=True).language
    except Exception:
        return None, False, None
    if not lang:
        return None, False, None
    if not langcodes.tag_is_valid(norm):
        # 'en-EN': a valid language with an invalid region or script: the language is usable
        primary = norm.split("-")[0]
        if "-" not in norm or not langcodes.tag_is_valid(primary):
            return None, False, None
        norm, repaired = primary, True
    primary = norm.split("-")[0].lower()
    if len(primary) == 3 or lang != primary:
        repaired = True  # 'eng', 'ger', 'iw' -> 'he'
    rec = pycountry.languages.get(alpha_2=lang) if len(lang) == 2 else None
    if rec is None and len(lang) == 3:
        rec = pycountry.languages.get(alpha_3=lang)
        if rec is not None and not hasattr(rec, "alpha_2"):
            return None, False, f"{rec.name} ({lang}) has no ISO 639-1 two-letter code"
    if rec is None or not hasattr(rec, "alpha_2"):
        return None, False, None
    return rec.alpha_2, repaired, None


def _cldr_name(token: str) -> str | None:
    """ISO 639-1 code of a language name in any language and script (CLDR): '中文' -> zh,
    '简体中文' -> zh, 'Mandarin' -> zh, 'Tiếng Việt' -> vi."""
    name = token.strip()
    if len(name) < 2 or _TAG.fullmatch(name):
        return None
    found = code_for_name("language", name)
    if found is None:
        return None
    try:
        lang = langcodes.Language.get(found, normalize=True).language
    except (LookupError, ValueError):
        return None
    rec = pycountry.languages.get(alpha_2=lang) if lang and len(lang) == 2 else None
    if rec is None and lang and len(lang) == 3:
        rec = pycountry.languages.get(alpha_3=lang)
    return getattr(rec, "alpha_2", None)


def _resolve(token: str) -> tuple[str | None, bool, str | None]:
    """One language given by name or code -> (code, repaired, reason)."""
    key = fold(token)
    if not key:
        return None, False, None
    if key in _names() and len(key) > 3:
        return _names()[key], False, None
    if _TAG.fullmatch(token.strip()):
        code, repaired, reason = _from_tag(token)
        if code or reason:
            return code, repaired, reason
    if key in _names():
        return _names()[key], False, None
    return _cldr_name(token), False, None


def _split_piece(piece: str) -> list[str]:
    """A piece that is not one language: split on joining words, then on spaces. A run of short
    codes ('de en fr') is split on spaces only: 'en' is a code there, not the Dutch 'and'."""
    conj = _words("conjunctions")
    words = piece.split()
    if len(words) > 1 and all(_TAG.fullmatch(w) and len(w) <= 3 for w in words):
        return words
    parts, current = [], []
    for w in words:
        if fold(w) in conj and current:
            parts.append(" ".join(current))
            current = []
        else:
            current.append(w)
    if current:
        parts.append(" ".join(current))
    return parts


def _parse(text: str, field: str) -> tuple[list[str], list[Flag], list[Problem]]:
    codes: list[str] = []
    flags: list[Flag] = []
    problems: list[Problem] = []
    text = re.sub(r"\([^)]*\)", " ", text)  # 'Englisch (B2)', 'English (UK)'
    fillers = _words("fillers")

    def take(token: str, code: str | None, repaired: bool) -> None:
        if repaired:
            flags.append(Flag(field, "language-tag-repaired",
                              f"Language tag '{token}' read as the ISO 639-1 code '{code}'."))
        if code and code not in codes:
            codes.append(code)

    def unknown(token: str, reason: str | None) -> None:
        problems.append(Problem(field, "unknown-code", (
            f"'{shorten(token)}' is not a language name or ISO 639 code that we know"
            + (f": {reason}." if reason else ".")
        )))

    for piece in _SEPARATORS.split(text):
        piece = piece.strip(" .:-\"'")
        if not piece:
            continue
        code, repaired, reason = _resolve(piece)
        if code:
            take(piece, code, repaired)
            continue
        for part in _split_piece(piece):
            code, repaired, reason = _resolve(part)
            if code:
                take(part, code, repaired)
                continue
            words = [w.strip(":.\"'") for w in part.split()]
            words = [w for w in words if w]
            found = [(w, *_resolve(w)) for w in words]
            named = [f for f in found if f[1] and len(fold(f[0])) > 3]
            for w, code, repaired, reason in found:
                fw = fold(w)
                if fw in fillers and (named or not code):
                    continue  # 'en français': 'en' is a preposition there, not English
                if named and len(fw) <= 3:
                    continue
                if code:
                    take(w, code, repaired)
                else:
                    unknown(w if len(words) > 1 else part, reason)
    return codes, flags, problems


def derive_languages(text: str | None) -> Derived:
    """Language(s) of instruction -> values languages: ISO 639-1 codes in order, without
    duplicates, from names or codes in en, de, fr, es, it, nl, pl and any separator
    ('Deutsch, Englisch' -> ['de', 'en']; 'anglais/français' -> ['en', 'fr']). A tag that had
    to be repaired ('en_GB', 'ENG') is flagged; an unknown language is a Problem, or a flag when
    other languages of the list were read (they are kept)."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    codes, flags, problems = _parse(raw, "languages")
    if problems and codes:  # 'polski, angileski': the languages read are kept, the rest flagged
        flags += [Flag(p.field, p.rule, f"{p.message} The other languages given are kept.") for p in problems]
        problems = []
    if problems:
        return Derived(flags=tuple(flags), problems=tuple(problems))
    if not codes:
        return Derived(problems=(Problem("languages", "unparseable",
                                         f"No language found in '{shorten(raw)}'."),))
    return Derived(values={"languages": codes}, flags=tuple(flags),
                   methods={"languages": f"from '{shorten(raw)}' (names and tags read as ISO 639-1)"})


def language_code(text: str | None) -> Derived:
    """Language of the title -> values {'title_language': code}. Several languages: the first
    is used, with a flag."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    codes, flags, problems = _parse(raw, "title_language")
    if problems:
        return Derived(flags=tuple(flags), problems=tuple(problems))
    if not codes:
        return Derived(problems=(Problem("title_language", "unparseable",
                                         f"No language found in '{shorten(raw)}'."),))
    if len(codes) > 1:
        flags.append(Flag("title_language", "several-values",
                          f"'{shorten(raw)}' names several languages; the first ({codes[0]}) is used."))
    return Derived(values={"title_language": codes[0]}, flags=tuple(flags),
                   methods={"title_language": f"from '{shorten(raw)}' (ISO 639-1)"})
