"""Free text: markup removal, list splitting, and the small text helpers the crosswalks share
(accent folding, loading vocabulary files, keyword matching in several languages)."""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "thead", "tbody", "section", "article", "header", "footer", "blockquote",
    "pre", "hr", "address", "figure", "figcaption", "nav", "aside", "main", "caption",
}
_DROP_TAGS = {"script", "style", "head", "title", "noscript", "template"}
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][\w:-]*[^<>]*>|<!--|<!\[CDATA\[|<\?xml")
_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "æ": "ae", "œ": "oe"})
_SPACES = re.compile(r"[^\S\n]+")  # whitespace except newline (includes NBSP, thin space)


# --------------------------------------------------------------------------------------------
# helpers shared by the crosswalks
# --------------------------------------------------------------------------------------------
def blank(value: Any) -> bool:
    """None, NaN, or a string with nothing but whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: Any) -> str | None:
    """A crosswalk input as a stripped string (numbers from spreadsheets included), or None."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching: 'Präsenz' -> 'prasenz', 'Łódź' -> 'lodz'."""
    text = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00b4", "'")
    return re.sub(r"\s+", " ", text.casefold()).strip()


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    with open(VOCAB_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _pattern(keyword: str) -> str:
    """Regex for one vocabulary keyword (already folded). '*' at either end: no word boundary
    there (German compounds: '*klausur' matches 'Abschlussklausur'); a space or hyphen inside
    matches any run of spaces/hyphens ('face to face' = 'face-to-face')."""
    start = not keyword.startswith("*")
    end = not keyword.endswith("*")
    core = keyword.strip("*")
    parts = re.split(r"[\s\-]+", core)
    body = r"[\s\-]*".join(re.escape(p) for p in parts if p)
    return (r"(?<!\w)" if start else "") + body + (r"(?!\w)" if end else "")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    label: str
    keyword: str


class KeywordMatcher:
    """Finds vocabulary keywords (label -> keywords) in text, case- and accent-insensitively.
    Longer keywords win over shorter ones that overlap them ('mündliche Prüfung' before
    'Prüfung'); the result is in order of appearance."""

    def __init__(self, table: dict[str, Iterable[str]]):
        entries = []
        for label, keywords in table.items():
            for kw in keywords or ():
                k = fold(str(kw))
                if k.strip("*"):
                    entries.append((label, k, re.compile(_pattern(k))))
        self.entries = entries

    def find(self, text: str) -> list[Match]:
        folded = fold(text)
        found: list[Match] = []
        for label, kw, rx in self.entries:
            for m in rx.finditer(folded):
                found.append(Match(m.start(), m.end(), label, kw))
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: list[Match] = []
        for m in found:
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        return sorted(taken, key=lambda m: m.start)

    def labels(self, text: str) -> list[str]:
        """Labels found, in order of first appearance, without duplicates."""
        out: list[str] = []
        for m in self.find(text):
            if m.label not in out:
                out.append(m.label)
        return out


def shorten(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# markup
# --------------------------------------------------------------------------------------------
def _html_root(text: str):
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text, flags=re.I)
    parser = lxml.html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, recover=True,
        default_doctype=False,
    )
    return lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)


def _walk(el, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()  # XHTML namespace
    if tag in _DROP_TAGS:
        if el.tail:
            out.append(_flat(el.tail))
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.append("\n")
    if el.text and isinstance(el.tag, str):
        # in markup a line break in the text is just a space; breaks come from the elements
        out.append(el.text if tag == "pre" else _flat(el.text))
    for child in el:
        _walk(child, out)
    if block:
        out.append("\n")
    if el.tail:
        out.append(_flat(el.tail))


def _flat(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text)


def _strip_markup(text: str) -> str:
    try:
        root = _html_root(text)
        parts: list[str] = []
        _walk(root, parts)
        return "".join(parts)
    except Exception:  # malformed beyond lxml's recovery: a plain regex, no parser
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.S | re.I)
        text = re.sub(r"<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", "\n", text, flags=re.I)
        return re.sub(r"<[^>]*>", " ", text)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\u00ad", "").replace("\u200b", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def clean_text(text: Any) -> str | None:
    """Plain text from text that may hold HTML/XHTML markup and entities: tags removed (no
    network, no entity resolution beyond the HTML ones), paragraphs and list items on their own
    line, runs of whitespace collapsed, empty lines dropped. None when nothing is left."""
    text = as_text(text)
    if text is None:
        return None
    if _MARKUP.search(text):
        text = _strip_markup(text)
    # twice: sources that escaped their markup once ("&amp;uuml;") still come out readable
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    if _MARKUP.search(text):  # markup that was itself escaped in the source
        text = _strip_markup(text)
    text = _tidy(text)
    return text or None


_BULLET = re.compile(
    r"^\s*(?:[•·▪▫◦‣⁃●○■□►▶➢✓✔\-*–—+]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])\s+"
)
_INLINE_BULLET = re.compile(r"\s*[•·▪●■►➢✓✔]\s*")


def _tag(el) -> str:
    return el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""


def _li_text(li) -> str:
    """Text of one <li> without the items of a list nested in it (those come on their own)."""
    parts: list[str] = [_flat(li.text or "")]
    for child in li:
        if _tag(child) not in ("ul", "ol"):
            _walk(child, parts)
        elif child.tail:
            parts.append(_flat(child.tail))
    return "".join(parts)


def _li_items(text: str) -> list[str] | None:
    if not re.search(r"<\s*li\b", text, re.I):
        return None
    try:
        root = _html_root(text)
    except Exception:
        return None
    items = (_li_text(li) for li in root.iter() if _tag(li) == "li")
    return [i for i in (" ".join(_tidy(html.unescape(x)).split("\n")) for x in items) if i]


def _dedupe(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def split_outcomes(text: Any) -> list[str]:
    """Learning outcomes, one per item: <li> items where the markup has them, otherwise lines,
    with bullets and numbering ("•", "-", "*", "–", "1.", "a)") removed; a single line is split
    on semicolons or inline bullets. An introductory line ending in ':' is not an outcome."""
    raw = as_text(text)
    if raw is None:
        return []
    items = _li_items(raw)
    if not items:
        cleaned = clean_text(raw)
        if cleaned is None:
            return []
        lines = cleaned.split("\n")
        if len(lines) == 1:
            line = lines[0]
            if len(_INLINE_BULLET.findall(line)) >= 2:
                lines = _INLINE_BULLET.split(line)
            elif ";" in line:
                lines = line.split(";")
            elif re.search(r"(?:^|\s)(?:[-–*]|\d{1,2}[.)])\s", line) and len(re.findall(r"(?:^|\s)(?:[-–*]|\d{1,2}[.)])\s", line)) >= 2:
                lines = re.split(r"(?:^|\s)(?:[-–*]|\d{1,2}[.)])\s+", line)
        items = lines
    out = []
    for item in items:
        item = _BULLET.sub("", item).strip()
        item = item.rstrip(";,").strip()
        if item:
            out.append(item)
    if len(out) > 1 and out[0].endswith(":"):
        out = out[1:]
    return _dedupe(out)


def split_list(text: Any) -> list[str]:
    """A list of names or ids (stacks_into): split on newlines, semicolons, '|' and bullets,
    not on commas (titles have commas)."""
    cleaned = clean_text(text)
    if cleaned is None:
        return []
    parts = re.split(r"[\n;|•]+", cleaned)
    return _dedupe(_BULLET.sub("", p).strip() for p in parts)
