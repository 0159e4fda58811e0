"""Find out what a file is: its format (by content, the extension only breaks ties) and, for text
files, its encoding; and read a text file as physical lines in that encoding.

Encodings (``TextEncoding``):

- a BOM decides: UTF-8 (``"utf-8-sig"``), UTF-16 (``"utf-16"``), UTF-32 (``"utf-32"``);
- UTF-16 without BOM is recognised by its NUL-byte pattern (``"utf-16-le"`` / ``"utf-16-be"``);
- otherwise the whole file is checked as strict UTF-8 (while its sha256 is computed). If it is not
  valid UTF-8, every line is classified: lines that are valid UTF-8 are read as UTF-8, the others
  in a Windows code page: cp1252 (Western European) unless cp1250 (Central European, e.g. Polish)
  gives clearly more plausible letters. Text that is mostly non-Latin (over 20 % of the bytes of
  those lines >= 0x80: Cyrillic, Greek...) gets the code page charset-normalizer finds, or is
  refused as binary when it finds none. A file mixing UTF-8 and a code page gets a warning naming
  the rows read in the minority encoding.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

from .base import SourceFileError, display_name, plural, summarise_rows

SAMPLE_BYTES = 64 * 1024
CHUNK = 1 << 20
FORMATS = ("csv", "xlsx", "json", "jsonl", "xcri", "openbadges", "ctdl", "elm", "qdr")
EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv", ".psv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json", ".geojson": "json", ".jsonld": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".xml": "xcri",
}
# Words in the head of a JSON file that make it worth asking the CTDL connector (asked first:
# CTDL inside a verifiable credential would also pass for Open Badges).
_CTDL_HINTS = ("ceterms:", "ceasn:", "credreg.net", "decoded_resource",
               # Registry Assistant publish inputs (PascalCase request bodies)
               "publishfororganizationidentifier", "publishbyorganizationidentifier", '"ctid"',
               '"credentialtype"')
# ... and the ELM connector (Europass credentials and ELM JSON-LD), asked before both.
_ELM_HINTS = ("data.europa.eu/snb/model", "europeandigitalcredential", '"payload"', '"credential"')
# Words in the head of a JSON file that make it worth asking the Open Badges connector.
_OPEN_BADGES_HINTS = ("openbadges", "purl.imsglobal.org/spec/ob", "badgeclass", "achievementcredential",
                      "openbadgecredential")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "is an old Excel .xls workbook or a password-protected Office file; save it as .xlsx or CSV"),
    (b"%PDF", "is a PDF document, not a table"),
    (b"\x1f\x8b", "is gzip-compressed; unpack it first"),
    (b"\x89PNG", "is a PNG image, not a table"),
    (b"\xff\xd8\xff", "is a JPEG image, not a table"),
    (b"7z\xbc\xaf", "is a 7-Zip archive; unpack it first"),
    (b"Rar!", "is a RAR archive; unpack it first"),
    (b"SQLite format 3\x00", "is an SQLite database, not a table export"),
    (b"PAR1", "is a Parquet file, not a CSV/XLSX/JSON export"),
)


# ------------------------------------------------------------------------------------------------
# basic checks


def check_file(path: str | os.PathLike, max_bytes: int | None = None) -> int:
    """Raise SourceFileError unless ``path`` is a readable, non-empty file within the size limit;
    return its size."""
    from .base import format_size

    name = display_name(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise SourceFileError(f"{name}: file not found", path) from None
    except OSError as e:
        raise SourceFileError(f"{name}: cannot be read ({e.strerror or e})", path) from None
    if p.is_dir():
        raise SourceFileError(f"{name}: is a folder, not a file", path)
    if not os.access(p, os.R_OK):
        raise SourceFileError(f"{name}: cannot be read (permission denied)", path)
    size = st.st_size
    if size == 0:
        raise SourceFileError(f"{name}: the file is empty", path)
    if max_bytes is not None and size > max_bytes:
        raise SourceFileError(
            f"{name}: the file is {format_size(size)}, over the {format_size(max_bytes)} limit", path)
    return size


def read_head(path: str | os.PathLike, n: int = SAMPLE_BYTES) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def bom_of(head: bytes) -> tuple[str | None, bytes]:
    """(codec, bom bytes) for a BOM at the start of ``head``; (None, b"") if there is none."""
    for bom, _name, codec in _BOMS:
        if head.startswith(bom):
            return codec, bom
    return None, b""


def utf16_without_bom(head: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by NUL bytes in every other position (mostly-ASCII text)."""
    sample = head[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even_nul = sample[0:half * 2:2].count(0)
    odd_nul = sample[1:half * 2:2].count(0)
    if odd_nul >= 0.3 * half and even_nul <= 0.02 * half:
        return "utf-16-le"
    if even_nul >= 0.3 * half and odd_nul <= 0.02 * half:
        return "utf-16-be"
    return None


def _head_text(head: bytes) -> tuple[str, str | None]:
    """Decode the head for structural checks: (text, wide codec or None)."""
    codec, bom = bom_of(head)
    if codec in ("utf-16", "utf-32"):
        return head.decode(codec, errors="replace").lstrip("\ufeff"), codec
    wide = utf16_without_bom(head)
    if wide:
        return head.decode(wide, errors="replace"), wide
    body = head[len(bom):]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(body) - 3 and e.reason == "unexpected end of data":
            text = body[: e.start].decode("utf-8")  # cut through a character at the sample end
        else:
            text = body.decode("latin-1")
    return text, None


BINARY = "not a text table (binary content)"
_TEXT_CONTROLS = set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A}


def _binary_reason(head: bytes, text: str, wide: str | None) -> str | None:
    for magic, reason in _MAGIC:
        if head.startswith(magic):
            return reason
    if wide:
        controls = sum(1 for ch in text if ord(ch) < 0x20 and ord(ch) in _TEXT_CONTROLS)
        bad = text.count("\ufffd")
        return BINARY if (controls + bad) > 0.02 * max(1, len(text)) else None
    nul = head.count(0)
    if nul > 3 and nul > len(head) // 1000:  # a stray NUL or two is a corrupt cell, NUL-rich content is binary
        return BINARY
    controls = sum(head.count(bytes([c])) for c in _TEXT_CONTROLS)
    if controls > 0.01 * len(head) + 4:  # a few control characters in a small file are stray, not binary
        return BINARY
    if _high_share(head) > NON_LATIN_SHARE and not _valid_utf8_prefix(head[len(bom_of(head)[1]):]):
        if other_codepage(head) is None:
            return BINARY
    return None


NON_LATIN_SHARE = 0.2


def _high_share(data: bytes) -> float:
    if not data:
        return 0.0
    return sum(1 for b in data if b >= 0x80) / len(data)


def _valid_utf8_prefix(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(data) - 3 and e.reason == "unexpected end of data"
    return True


def other_codepage(sample: bytes) -> str | None:
    """For text that is mostly bytes >= 0x80 but not UTF-8 (Cyrillic, Greek... or binary noise):
    the code page charset-normalizer finds, or None when it finds no plausible text."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    best = from_bytes(sample[:64 * 1024]).best()
    if best is None or best.encoding in ("utf_8", "utf_16", "utf_32", "ascii"):
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def _zip_kind(path: str | os.PathLike) -> str:
    """'xlsx' for an Excel workbook, else a reason why this ZIP is not one."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
            if "mimetype" in names:
                mt = z.read("mimetype")[:100].decode("ascii", "replace")
                if "spreadsheet" in mt:
                    return "is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV"
            if any(n.startswith("word/") for n in names):
                return "is a Word document, not a table"
            if any(n.startswith("ppt/") for n in names):
                return "is a PowerPoint file, not a table"
            return "is a ZIP archive, not a table; unpack it first"
    except zipfile.BadZipFile:
        return "is a damaged or incomplete ZIP/XLSX file"
    except (OSError, KeyError, RuntimeError, NotImplementedError) as e:
        return f"is a ZIP file that cannot be opened ({e})"


def _is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _content_format(path: str | os.PathLike, head: bytes) -> tuple[str | None, str | None]:
    """(format, None) or (None, reason) judged by content only; the extension is not consulted
    except to break the JSON / JSON Lines tie (returns "json?" then)."""
    if _is_zip(head):
        kind = _zip_kind(path)
        return ("xlsx", None) if kind == "xlsx" else (None, kind)
    text, wide = _head_text(head)
    reason = _binary_reason(head, text, wide)
    if reason:
        return None, reason
    stripped = text.lstrip("\ufeff \t\r\n\x0b\x0c")
    if not stripped:
        return None, "empty"
    low = stripped[:200].lower()
    if low.startswith(("<!doctype html", "<html")):
        return None, "is an HTML page, not a table (was a web page saved instead of the export?)"
    if stripped.startswith("<"):
        from .safe import check_xml_prolog
        from .xcri import looks_like_xcri

        from .elm import looks_like_elm_rdf
        from .qdr import looks_like_qdr

        check_xml_prolog(path, head)  # entity declarations and external DTDs are refused here
        if looks_like_xcri(head):
            return "xcri", None
        if looks_like_qdr(head):
            return "qdr", None
        if looks_like_elm_rdf(head):
            return "elm", None
    if low.startswith(("<?xml", "<rss", "<feed", "<rdf:rdf", "<!--")):
        broken = _xml_syntax_error(path)
        if broken:
            return None, broken
        return None, "is an XML document of no kind read here (XCRI-CAP course feed, QDR LOQ XML, ELM RDF/XML)"
    first = stripped[0]
    if first not in "[{" and _looks_like_turtle(stripped):
        from .elm import looks_like_elm_rdf

        if looks_like_elm_rdf(head):
            return "elm", None
    truncated = len(head) >= SAMPLE_BYTES
    if first in "[{" and (any(h in stripped[:SAMPLE_BYTES].lower() for h in _ELM_HINTS)
                          or (truncated and _file_mentions(path, _ELM_FILE_HINTS))):
        # Europass credentials carry base64 images: "@context" and the type may come after them
        if _parsed_is(path, "elm", head):
            return "elm", None
    if first in "[{" and any(h in stripped[:SAMPLE_BYTES].lower() for h in _CTDL_HINTS):
        if _parsed_is(path, "ctdl"):
            return "ctdl", None
    if first in "[{" and any(h in low or h in stripped[:SAMPLE_BYTES].lower() for h in _OPEN_BADGES_HINTS):
        if _parsed_is(path, "openbadges"):
            return "openbadges", None
    if first == "[":
        after = stripped[1:].lstrip()
        if not after or after[0] in '{["]-0123456789tfn':
            return "json", None
        return "csv", None  # "[ID],[Name]": bracketed CSV headers (SQL Server exports)
    if first == "{":
        return _json_or_lines(stripped, truncated=len(head) >= SAMPLE_BYTES), None
    return "csv", None


_ELM_FILE_HINTS = (b"data.europa.eu/snb/model", b"EuropeanDigitalCredential")
_MENTION_MAX_BYTES = 200_000_000


def _file_mentions(path: str | os.PathLike, needles: tuple[bytes, ...]) -> bool:
    """Does the file (read in chunks, up to 200 MB) hold one of these byte strings?"""
    keep = max(len(n) for n in needles) - 1
    tail = b""
    read = 0
    try:
        with open(path, "rb") as f:
            while read < _MENTION_MAX_BYTES and (block := f.read(CHUNK)):
                read += len(block)
                data = tail + block
                if any(n in data for n in needles):
                    return True
                tail = data[-keep:]
    except OSError:
        return False
    return False


def _xml_syntax_error(path: str | os.PathLike) -> str | None:
    """The XML parser's reason why a document is not well-formed, as one line ("invalid XML:
    ... (line 3, column 7)"), or None when it parses (nothing is resolved or fetched)."""
    from .safe import iterparse

    try:
        for _event, _elem in iterparse(path, events=("end",)):
            _elem.clear()
    except SourceFileError as e:
        msg = str(e)
        prefix = display_name(path) + ": "
        return msg[len(prefix):] if msg.startswith(prefix) else msg
    except (OSError, ValueError) as e:  # pragma: no cover - unreadable after the checks
        return f"invalid XML: {e}"
    return None


def _looks_like_turtle(text: str) -> bool:
    head = text[:4096]
    return head.startswith(("@prefix", "PREFIX", "@base", "BASE")) or "\n@prefix" in head


def _parsed_is(path: str | os.PathLike, fmt: str, head: bytes = b"") -> bool:
    """Does the whole JSON document look like this standard (ELM, CTDL, Open Badges)?"""
    from .ctdl import looks_like_assistant_input, looks_like_ctdl
    from .elm import looks_like_elm_rdf
    from .openbadges import looks_like_openbadges
    from .safe import load_json

    looks = {"ctdl": lambda obj: looks_like_ctdl(obj) or looks_like_assistant_input(obj),
             "openbadges": looks_like_openbadges,
             "elm": lambda obj: looks_like_elm_rdf(head, obj)}[fmt]
    try:
        return looks(load_json(path))
    except (SourceFileError, ValueError, OSError):
        return False  # not one JSON document (JSON Lines, broken): the JSON readers say why


def _json_or_lines(text: str, truncated: bool) -> str:
    lines = [ln.strip() for ln in text.splitlines()]
    if truncated and lines:
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = [ln for ln in lines if ln][:20]
    objects = 0
    for ln in lines:
        try:
            if isinstance(json.loads(ln), dict):
                objects += 1
        except ValueError:
            pass
    first_ok = False
    if lines:
        try:
            first_ok = isinstance(json.loads(lines[0]), dict)
        except ValueError:
            first_ok = False
    if first_ok and objects >= 2:
        return "jsonl"
    if objects >= 1:
        return "json?"  # one line holding one object, or few parsable lines: ask the extension
    return "json"


def detect_format(path: str | os.PathLike) -> str:
    """Return "csv", "xlsx", "json" or "jsonl", judged by the content of ``path``: a ZIP holding
    ``[Content_Types].xml`` and ``xl/`` is XLSX; text starting with ``[`` is JSON; text starting
    with ``{`` is JSON Lines when several lines are each a JSON object, else JSON; any other text is
    CSV. The extension only breaks ties. Raises SourceFileError for a missing or empty file and for
    binary content that is none of these."""
    check_file(path)
    head = read_head(path)
    fmt, reason = _content_format(path, head)
    name = display_name(path)
    if fmt is None:
        if reason == "empty":
            if _only_whitespace(path, head):
                raise SourceFileError(f"{name}: the file is empty", path)
            return "csv"
        raise SourceFileError(f"{name}: {reason}", path)
    if fmt == "json?":
        ext = EXTENSIONS.get(Path(path).suffix.lower())
        return "jsonl" if ext == "jsonl" else "json"
    return fmt


def _only_whitespace(path: str | os.PathLike, head: bytes) -> bool:
    """True if the file holds nothing but BOMs, whitespace (and NULs of a wide encoding)."""
    codec, bom = bom_of(head)
    wide = codec in ("utf-16", "utf-32") or utf16_without_bom(head) is not None
    junk = b" \t\r\n\x0b\x0c" + (b"\x00\xff\xfe" if wide else b"")
    with open(path, "rb") as f:
        first = True
        while block := f.read(CHUNK):
            if first:
                block = block[len(bom):]
                first = False
            if block.strip(junk):
                # a UTF-8 BOM in the middle of whitespace is still nothing
                if block.replace(codecs.BOM_UTF8, b"").strip(junk):
                    return False
    return True


def mismatch_message(path: str | os.PathLike, wanted: str, found: str | None, reason: str | None) -> str:
    """"x.xlsx: not an XLSX workbook (it looks like a CSV file)"."""
    if found in _ARTICLE:
        looks = f"it looks like {_ARTICLE[found]}"
    elif reason == "empty":
        looks = "the file is empty"
    elif reason == BINARY:
        looks = "unknown binary content"
    elif reason:
        looks = f"it {reason}"
    else:
        looks = "unknown content"
    return f"{display_name(path)}: not {_ARTICLE[wanted]} ({looks})"


_ARTICLE = {"xlsx": "an XLSX workbook", "csv": "a CSV file", "json": "a JSON document",
            "jsonl": "a JSON Lines file"}


# ------------------------------------------------------------------------------------------------
# encodings


@dataclass
class TextEncoding:
    name: str  # reported in FileInfo.encoding
    codec: str | None  # whole-stream codec; None = decode line by line
    bom: bytes = b""
    legacy: str = "cp1252"  # line-wise: code page for lines that are not UTF-8
    try_utf8: bool = True  # line-wise: try strict UTF-8 first on each line
    warnings: list[str] = field(default_factory=list)


_WESTERN = set("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœšžÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŒŠŽ")
_CENTRAL = set(
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻáäčďéěíĺľňôŕřšťúůýžÁÄČĎÉĚÍĹĽŇÔŔŘŠŤÚŮÝŽőűŐŰăâîşţĂÂÎŞŢöüßÖÜ")


def _plausibility(text: str, expected: set[str]) -> int:
    score = 0
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        if ch.isalpha():
            score += 1 if ch in expected else 0
            # an upper-case accented letter in the middle of a lower-case word is implausible
            if ch.isupper() and 0 < i < n - 1 and text[i - 1].islower() and text[i + 1].islower():
                score -= 2
        elif ch == "\ufffd":
            score -= 3
        elif 0 < i < n - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            score -= 2  # a symbol inside a word: "Zarz¹dzanie"
    return score


def choose_legacy(sample: bytes) -> str:
    """cp1252 unless cp1250 reads the non-UTF-8 bytes as clearly more plausible letters."""
    w = sample.decode("cp1252", errors="replace")
    c = sample.decode("cp1250", errors="replace")
    return "cp1250" if _plausibility(c, _CENTRAL) > _plausibility(w, _WESTERN) else "cp1252"


def byte_lines(f: BinaryIO) -> Iterator[bytes]:
    """Physical lines of a byte stream with their terminators (\\n, \\r\\n or \\r)."""
    parts: list[bytes] = []
    while True:
        block = f.read(CHUNK)
        if not block:
            if parts:
                yield b"".join(parts)
            return
        if b"\n" not in block and b"\r" not in block:
            parts.append(block)
            continue
        parts.append(block)
        data = b"".join(parts)
        lines = data.splitlines(keepends=True)
        last = lines.pop()
        parts = [last]
        yield from lines


def _sha256_and_decodes(path: str | os.PathLike, codec: str) -> tuple[str, bool]:
    """One pass over the file: its sha256, and whether all of it decodes strictly in ``codec``."""
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder(codec)("strict")
    ok = True
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
            if ok:
                try:
                    dec.decode(block)
                except UnicodeDecodeError:
                    ok = False
    if ok:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            ok = False
    return h.hexdigest(), ok


def scan_text_file(path: str | os.PathLike, head: bytes,
                   encoding: str | None = None) -> tuple[str, TextEncoding]:
    """Read the whole file once: its sha256 and its encoding (see the module docstring).
    ``encoding`` (a Python codec name) skips detection; bytes it cannot decode are replaced by
    U+FFFD with a warning."""
    codec, bom = bom_of(head)
    wide = codec if codec in ("utf-16", "utf-32") else utf16_without_bom(head)
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise SourceFileError(f"{display_name(path)}: unknown encoding {encoding!r}", path) from None
        if name == "utf-8" and bom == codecs.BOM_UTF8:
            name = "utf-8-sig"
        wide = name
    if wide:
        name = wide if encoding is not None else (codec if codec in ("utf-16", "utf-32") else wide)
        digest, ok = _sha256_and_decodes(path, name)
        enc = TextEncoding(name=name, codec=name)
        if not ok:
            enc.warnings.append(f"some bytes are not valid {name.upper()} and were replaced by \ufffd")
        return digest, enc

    digest, valid = _sha256_and_decodes(path, "utf-8")
    utf8_name = "utf-8-sig" if bom else "utf-8"
    if valid:
        return digest, TextEncoding(name=utf8_name, codec=utf8_name, bom=bom)

    # not valid UTF-8: classify the lines
    utf8_rows: list[int] = []
    bad_rows: list[int] = []
    n_utf8 = n_bad = 0
    sample = bytearray()
    bad_lines_kept: list[tuple[int, bytes]] = []
    with open(path, "rb") as f:
        f.read(len(bom))
        for lineno, line in enumerate(byte_lines(f), start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                n_bad += 1
                if len(bad_rows) < 1000:
                    bad_rows.append(lineno)
                if len(sample) < 256 * 1024:
                    sample += line
                if len(bad_lines_kept) < 20000:
                    bad_lines_kept.append((lineno, line))
            else:
                n_utf8 += 1
                if len(utf8_rows) < 1000:
                    utf8_rows.append(lineno)
    if _high_share(bytes(sample)) > NON_LATIN_SHARE:
        legacy = other_codepage(bytes(sample))
        if legacy is None:
            raise SourceFileError(f"{display_name(path)}: {BINARY}", path)
    else:
        legacy = choose_legacy(bytes(sample))
    undecodable = []
    for lineno, line in bad_lines_kept:
        try:
            line.decode(legacy)
        except UnicodeDecodeError:
            undecodable.append(lineno)
    if n_utf8 == 0:
        enc = TextEncoding(name=legacy, codec=None, bom=bom, legacy=legacy, try_utf8=False)
    elif n_utf8 >= n_bad:
        enc = TextEncoding(name=utf8_name, codec=None, bom=bom, legacy=legacy, try_utf8=True)
        enc.warnings.append(
            f"{plural(n_bad, 'line')} {'was' if n_bad == 1 else 'were'} not valid UTF-8 and "
            f"{'was' if n_bad == 1 else 'were'} read as {legacy}: {summarise_rows(bad_rows, n_bad)}")
    else:
        enc = TextEncoding(name=legacy, codec=None, bom=bom, legacy=legacy, try_utf8=True)
        enc.warnings.append(
            f"the file is mostly {legacy} but {plural(n_utf8, 'line')} "
            f"{'was' if n_utf8 == 1 else 'were'} valid UTF-8 and read as UTF-8: "
            f"{summarise_rows(utf8_rows, n_utf8)}")
    if undecodable:
        enc.warnings.append(
            f"{plural(len(undecodable), 'line')} held bytes that are not {legacy} characters; "
            f"they were replaced by \ufffd: {summarise_rows(undecodable)}")
    return digest, enc


def iter_lines(path: str | os.PathLike, enc: TextEncoding) -> Iterator[str]:
    """The file's physical lines (terminators kept; \\n, \\r\\n and \\r all end a line)."""
    if enc.codec is not None:
        with open(path, encoding=enc.codec, errors="replace", newline="") as text:
            yield from text
        return
    legacy, try_utf8 = enc.legacy, enc.try_utf8
    with open(path, "rb") as f:
        f.read(len(enc.bom))
        for line in byte_lines(f):
            if line.isascii():
                yield line.decode("ascii")
                continue
            if try_utf8:
                try:
                    yield line.decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    pass
            yield line.decode(legacy, errors="replace")


def read_text(path: str | os.PathLike, enc: TextEncoding) -> str:
    if enc.codec is not None:
        with open(path, "rb") as f:
            data = f.read()
        text = data.decode(enc.codec, errors="replace")
        return text.lstrip("\ufeff") if text.startswith("\ufeff") else text
    return "".join(iter_lines(path, enc))
