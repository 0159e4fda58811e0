"""Safe parsing for the standards connectors (XML feeds, JSON-LD documents).

Nothing here ever opens a network connection or reads a file other than the one asked for:

- XML: ``check_xml_prolog`` refuses a document whose DOCTYPE declares entities (billion laughs,
  external entities) or refers to an external DTD, *before* anything parses it; ``xml_parser`` /
  ``iterparse`` give lxml parsers that do not resolve entities, load DTDs, touch the network or
  accept huge trees. XML syntax errors become ``SourceFileError`` with line and column.
- Size: ``check_size`` refuses files over a limit (one line, like every connector message).
- JSON: ``load_json`` parses a whole document (size-checked; deep nesting is refused, not a crash).
- JSON-LD: ``check_jsonld_contexts`` walks every ``@context`` (top level and nested, e.g. an
  endorsement inside a badge) and refuses any remote context URL that is not in the local
  allow-list ``contexts/known_contexts.json``. The allow-list names the contexts of Open Badges
  1.1/2.0/3.0, W3C Verifiable Credentials v1/v2 and a few others; those published under an open
  licence are copied next to it (``local_context`` returns them). Connectors read JSON keys
  directly and never expand JSON-LD, so a listed context needs no local copy to be accepted.
"""
from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from lxml import etree

from .base import SourceFileError, display_name, format_size

CONTEXTS_DIR = Path(__file__).with_name("contexts")
DEFAULT_XML_MAX_BYTES = 200_000_000  # XML is streamed (iterparse): memory stays bounded
DEFAULT_JSON_MAX_BYTES = 50_000_000  # a JSON document is parsed whole
PROLOG_MAX_BYTES = 1_000_000  # how far to look for the root element behind comments / DOCTYPE

ENTITY_REFUSED = "XML with entity declarations is refused (external entities and entity expansion are not allowed)"
EXTERNAL_DTD_REFUSED = "XML referring to an external DTD is refused (external entities and entity expansion are not allowed)"

_PARSER_OPTIONS = dict(
    resolve_entities=False,  # never expand or fetch entities
    no_network=True,  # libxml2 must not open any URL
    load_dtd=False,  # never read a DTD (internal subsets are refused up front anyway)
    dtd_validation=False,
    huge_tree=False,  # keep libxml2's limits on depth and text size
    remove_pis=True,
)


# ------------------------------------------------------------------------------------------------
# size


def check_size(path: str | os.PathLike, max_bytes: int) -> int:
    """Size of ``path`` in bytes; SourceFileError when missing or over ``max_bytes``."""
    name = display_name(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise SourceFileError(f"{name}: file not found", path) from None
    except OSError as e:
        raise SourceFileError(f"{name}: cannot be read ({e.strerror or e})", path) from None
    if size == 0:
        raise SourceFileError(f"{name}: the file is empty", path)
    if max_bytes is not None and size > max_bytes:
        raise SourceFileError(
            f"{name}: the file is {format_size(size)}, over the {format_size(max_bytes)} limit", path)
    return size


# ------------------------------------------------------------------------------------------------
# XML


def xml_parser(**overrides: Any) -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD, uses no network, refuses huge trees."""
    return etree.XMLParser(**{**_PARSER_OPTIONS, **overrides})


def _decode_prolog(data: bytes) -> str:
    """Text of the start of an XML document, good enough to find markup (ASCII) in it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # BOM-less UTF-16: NUL bytes in every other position of the first characters
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return data.decode("utf-16-be", errors="replace")
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return data.decode("utf-16-le", errors="replace")
    return data.decode("latin-1")  # markup is ASCII; other bytes do not matter here


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PI = re.compile(r"<\?.*?\?>", re.S)


def _doctype_of(text: str) -> tuple[str | None, bool]:
    """(the DOCTYPE declaration or None, whether the root element was reached) in a prolog text."""
    pos, n = 0, len(text)
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            return None, False
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            if end < 0:
                return None, False
            pos = end + 3
        elif text.startswith("<?", lt):
            end = text.find("?>", lt + 2)
            if end < 0:
                return None, False
            pos = end + 2
        elif text[lt:lt + 9].upper() == "<!DOCTYPE":
            # up to the closing '>' outside the internal subset [...] and outside quotes
            depth, quote, i = 0, None, lt + 9
            while i < n:
                ch = text[i]
                if quote:
                    if ch == quote:
                        quote = None
                elif ch in "\"'":
                    quote = ch
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                elif ch == ">" and depth <= 0:
                    return text[lt:i + 1], True
                i += 1
            return text[lt:], False  # not closed within the prolog window
        elif text.startswith("<!", lt):
            pos = lt + 2  # stray markup declaration outside a DOCTYPE: let the parser judge
        else:
            return None, True  # the root element starts here
    return None, False


def check_xml_prolog(path: str | os.PathLike, head: bytes | None = None) -> None:
    """Refuse an XML document whose DOCTYPE declares entities or names an external DTD.

    Reads at most ``PROLOG_MAX_BYTES`` (the prolog before the root element). A DOCTYPE with an
    internal subset holding ``<!ENTITY`` (billion laughs, ``SYSTEM "http://..."`` entities) or
    a DOCTYPE with a SYSTEM/PUBLIC identifier (an external DTD is an external entity) raises
    SourceFileError; so does a DOCTYPE too long to check.
    """
    name = display_name(path)
    if head is None or len(head) < PROLOG_MAX_BYTES:
        with open(path, "rb") as f:
            head = f.read(PROLOG_MAX_BYTES)
    text = _decode_prolog(head)
    doctype, _root_seen = _doctype_of(text)
    if doctype is None:
        return
    body = _COMMENT.sub(" ", doctype)
    subset = body.split("[", 1)[1] if "[" in body else ""
    if re.search(r"<!ENTITY", body, re.I) or re.search(r"%[A-Za-z_][\w.-]*;", subset):
        raise SourceFileError(f"{name}: {ENTITY_REFUSED}", path)
    if not doctype.rstrip().endswith(">"):
        raise SourceFileError(f"{name}: {ENTITY_REFUSED} (the DOCTYPE is too long to be checked)", path)
    outer = re.sub(r"\[.*\]", " ", body, flags=re.S)
    if re.search(r"\b(SYSTEM|PUBLIC)\b", outer):
        raise SourceFileError(f"{name}: {EXTERNAL_DTD_REFUSED}", path)


def xml_error(path: str | os.PathLike, err: Exception) -> SourceFileError:
    """An lxml syntax error as one line: 'feed.xml: invalid XML: ... (line 3, column 7)'."""
    name = display_name(path)
    msg = getattr(err, "msg", None) or str(err)
    pos = getattr(err, "position", None)
    text = " ".join(str(msg).split())
    text = re.sub(r",? ?\(?line \d+, column \d+\)?$", "", text).strip()
    where = f" (line {pos[0]}, column {pos[1]})" if pos and pos[0] else ""
    if re.search(r"entit", text, re.I):
        return SourceFileError(f"{name}: {ENTITY_REFUSED} ({text}){where}", path)
    return SourceFileError(f"{name}: invalid XML: {text}{where}", path)


def iterparse(path: str | os.PathLike, events: tuple[str, ...] = ("start", "end"),
              **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """lxml iterparse with the safe options; syntax errors raise SourceFileError.
    Call ``check_xml_prolog`` first (``safe_iterparse`` does both)."""
    try:
        for event, elem in etree.iterparse(os.fspath(path), events=events, **{**_PARSER_OPTIONS, **kwargs}):
            if isinstance(elem, etree._Entity):  # pragma: no cover - entities are refused up front
                raise SourceFileError(f"{display_name(path)}: {ENTITY_REFUSED}", path)
            yield event, elem
    except etree.XMLSyntaxError as e:
        raise xml_error(path, e) from None


def safe_iterparse(path: str | os.PathLike, events: tuple[str, ...] = ("start", "end"),
                   max_bytes: int = DEFAULT_XML_MAX_BYTES, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    check_size(path, max_bytes)
    check_xml_prolog(path)
    return iterparse(path, events, **kwargs)


def parse_xml_bytes(data: bytes, name: str = "document") -> etree._Element:
    """Parse a small XML document held in memory, with the same checks as a file."""
    doctype, _ = _doctype_of(_decode_prolog(data[:PROLOG_MAX_BYTES]))
    if doctype is not None:
        body = _COMMENT.sub(" ", doctype)
        if re.search(r"<!ENTITY", body, re.I):
            raise SourceFileError(f"{name}: {ENTITY_REFUSED}")
        if re.search(r"\b(SYSTEM|PUBLIC)\b", re.sub(r"\[.*\]", " ", body, flags=re.S)):
            raise SourceFileError(f"{name}: {EXTERNAL_DTD_REFUSED}")
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as e:
        raise xml_error(name, e) from None


def root_tag(head: bytes) -> str | None:
    """Clark name ('{ns}local') of the root element of an XML document given its first bytes
    (a prefix is enough); None when it is not XML or the root is not in the head. Safe: nothing
    is resolved or loaded, a DOCTYPE with entities gives None."""
    try:
        doctype, _ = _doctype_of(_decode_prolog(head[:PROLOG_MAX_BYTES]))
        if doctype is not None and re.search(r"<!ENTITY", doctype, re.I):
            return None
        parser = etree.XMLPullParser(events=("start",), **_PARSER_OPTIONS)
        try:
            parser.feed(head)
        except etree.XMLSyntaxError:
            pass  # a syntax error after the root start tag: the root is still known
        for _event, elem in parser.read_events():
            return elem.tag if isinstance(elem.tag, str) else None
    except (etree.XMLSyntaxError, ValueError, TypeError):
        return None
    return None


# ------------------------------------------------------------------------------------------------
# JSON and JSON-LD


def load_json(path: str | os.PathLike, max_bytes: int = DEFAULT_JSON_MAX_BYTES,
              encoding: str | None = None) -> Any:
    """Parse a JSON document (size-checked). Invalid JSON, an unreadable encoding or absurd
    nesting raise SourceFileError with one line."""
    name = display_name(path)
    check_size(path, max_bytes)
    with open(path, "rb") as f:
        data = f.read()
    try:
        if encoding:
            text = data.decode(encoding)
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except (UnicodeDecodeError, LookupError) as e:
        raise SourceFileError(f"{name}: not valid text in {encoding or 'UTF-8'} ({e})", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceFileError(f"{name}: invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})", path) from None
    except RecursionError:
        raise SourceFileError(f"{name}: the JSON document is nested too deeply to be read", path) from None


@functools.lru_cache(maxsize=1)
def known_contexts() -> dict[str, dict[str, Any]]:
    """The allow-list: normalised context URL -> {'file': local file name or None, 'name': ...}."""
    data = json.loads((CONTEXTS_DIR / "known_contexts.json").read_text(encoding="utf-8"))
    return {_norm_url(url): entry for url, entry in data["contexts"].items()}


def _norm_url(url: str) -> str:
    """Compare-form of a context URL: scheme-insensitive (http = https), no fragment, no trailing '/'."""
    u = url.strip()
    u = re.sub(r"^https?://", "", u, flags=re.I)
    u = u.split("#", 1)[0].rstrip("/")
    host, _, rest = u.partition("/")
    return host.lower() + ("/" + rest if rest else "")


def is_known_context(url: str) -> bool:
    return _norm_url(url) in known_contexts()


def local_context(url: str) -> dict | None:
    """The local copy of an allow-listed context (only those with an open licence), else None.
    For a JSON-LD document loader that must never fetch."""
    entry = known_contexts().get(_norm_url(url))
    if not entry or not entry.get("file"):
        return None
    return json.loads((CONTEXTS_DIR / entry["file"]).read_text(encoding="utf-8"))


def _context_urls(ctx: Any) -> Iterator[str]:
    """Remote references in one @context value (a string, a list, or an inline object)."""
    if isinstance(ctx, str):
        yield ctx
    elif isinstance(ctx, list):
        for item in ctx:
            yield from _context_urls(item)
    elif isinstance(ctx, dict):
        imp = ctx.get("@import")
        if isinstance(imp, str):
            yield imp
        for key, value in ctx.items():
            if isinstance(value, dict) and "@context" in value:  # scoped context of a term
                yield from _context_urls(value["@context"])


def check_jsonld_contexts(doc: Any, name: str, path: str | os.PathLike | None = None,
                          max_depth: int = 200) -> list[str]:
    """Refuse a document with a remote @context that is not in the local allow-list.

    Every ``@context`` in the document is checked (nested objects too). Inline contexts are
    accepted (they are local), but a remote URL inside them (``@import``, a term's scoped
    ``@context``) must be allow-listed as well. Returns the context URLs found (in order, once each).
    """
    found: list[str] = []
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise SourceFileError(f"{name}: the JSON document is nested too deeply to be read", path)
        if isinstance(node, dict):
            if "@context" in node:
                for url in _context_urls(node["@context"]):
                    if url not in found:
                        found.append(url)
                    if not is_known_context(url):
                        shown = url if len(url) <= 200 else url[:200] + "…"
                        raise SourceFileError(
                            f"{name}: JSON-LD context {shown} is not available locally; "
                            "remote contexts are not fetched", path)
            stack.extend((v, depth + 1) for k, v in node.items() if k != "@context" and isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return found
