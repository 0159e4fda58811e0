"""Connectors: read a delivered file (CSV, XLSX, JSON, JSON Lines) into batches of raw records.

    info, batches = read_file("landing/tu-berlin/ab12....csv")
    for batch in batches:          # RawBatch; batch.frame is a pandas DataFrame of str/None
        ...

Connectors know formats, never crosswalks: the frames carry the source's own column names and
values, plus ``__locator__`` / ``__error__`` / ``__raw__`` (see ``connectors.base``). No record is
ever dropped silently. A file that cannot be read at all raises ``SourceFileError`` (one line for a
person); no other exception type escapes for bad input.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Iterator

from .base import (
    DEFAULT_BATCH_SIZE, DEFAULT_MAX_BYTES, ERROR, LOCATOR, META_COLUMNS, RAW, FileInfo, RawBatch,
    SourceFileError, display_name,
)
from .sniff import (
    EXTENSIONS, FORMATS, _content_format, _only_whitespace, check_file, detect_format,
    mismatch_message, read_head, scan_text_file,
)

__all__ = [
    "read_file", "detect_format", "SourceFileError", "RawBatch", "FileInfo", "LOCATOR", "ERROR",
    "RAW", "META_COLUMNS", "FORMATS",
]


def read_file(
    path: str | os.PathLike,
    format: str = "auto",
    batch_size: int = DEFAULT_BATCH_SIZE,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> tuple[FileInfo, Iterator[RawBatch]]:
    """Open ``path`` and return its ``FileInfo`` and an iterator of ``RawBatch`` (at most
    ``batch_size`` records each).

    ``format``: "auto" (judge by content: a CSV named .xlsx is read as CSV, an XLSX named .csv as
    XLSX), or "csv" / "xlsx" / "json" / "jsonl" to insist (a file that is not of that format then
    raises, e.g. "x.xlsx: not an XLSX workbook (it looks like a CSV file)"). ``sheet``: the XLSX
    sheet to read (default: the first one with data). ``max_bytes``: larger files are refused.
    ``delimiter`` / ``encoding`` (CSV, JSON, JSON Lines; e.g. from a source's mapping profile)
    replace detection: ``encoding`` is a Python codec name ("cp1252", "utf-16"...).

    Everything up to the first batch is done before returning (file checks, sha256, encoding,
    delimiter, header, the first batch itself), so a file without any record raises here:
    missing, empty (0 bytes or only whitespace/BOM), binary, over the size limit, no header row,
    a header but no data rows, invalid JSON, no records. Later batches are streamed; memory stays
    bounded by ``batch_size`` for CSV, XLSX and JSON Lines (a JSON document is parsed whole).
    """
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise ValueError(f"delimiter must be one character (not a quote or line break), not {delimiter!r}")
    if format not in ("auto",) + FORMATS:
        raise ValueError(f"format must be 'auto' or one of {', '.join(FORMATS)}, not {format!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = os.fspath(path)
    name = display_name(path)
    try:
        info, batches = _open(path, format, batch_size, max_bytes, sheet, delimiter, encoding)
        guarded = _guard(batches, name, path)
        first = next(guarded, None)
    except SourceFileError:
        raise
    except MemoryError:
        raise
    except Exception as e:  # a reader bug or an exotic file: still one clear line
        raise SourceFileError(f"{name}: could not be read ({type(e).__name__}: {e})", path) from e
    if first is None:
        if info.format in ("csv", "xlsx"):
            where = f" (sheet {info.sheet})" if info.sheet else ""
            raise SourceFileError(
                f"{name}: the file has a header row{where} but no data rows", path)
        where = f" at {info.records_path}" if info.records_path else ""
        raise SourceFileError(f"{name}: the file holds no records{where}", path)
    return info, itertools.chain([first], guarded)


def _open(path: str, format: str, batch_size: int, max_bytes: int, sheet: str | None,
          delimiter: str | None, encoding: str | None):
    from . import csv_reader, json_reader, xlsx_reader

    name = display_name(path)
    size = check_file(path, max_bytes)
    head = read_head(path)
    found, reason = _content_format(path, head)
    if found is None and reason == "empty":
        if _only_whitespace(path, head):
            raise SourceFileError(f"{name}: the file is empty", path)
        found = "csv"  # long leading whitespace, content further down
    if found == "json?":
        found = "jsonl" if EXTENSIONS.get(Path(path).suffix.lower()) == "jsonl" else "json"

    ext = EXTENSIONS.get(Path(path).suffix.lower())
    if found == "csv" and ext in ("json", "jsonl") and size <= len(head) and _is_json(head):
        found = "json"  # a .json holding a bare string or number: say so, not "no data rows"

    if format == "auto":
        if found is None:
            raise SourceFileError(f"{name}: {reason}", path)
        fmt = found
    else:
        fmt = format
        if fmt in ("xcri", "openbadges", "ctdl", "elm", "qdr"):
            pass  # the standards readers say themselves what is wrong with the document
        elif (fmt == "xlsx") != (found == "xlsx"):
            raise SourceFileError(mismatch_message(path, fmt, found, reason), path)
        elif found is None:
            raise SourceFileError(f"{name}: {reason}", path)

    if fmt == "xcri":
        from .base import sha256_of
        from .xcri import read_xcri

        info = FileInfo(path=path, format="xcri", sha256=sha256_of(path), size=size)
        return info, read_xcri(path, info, batch_size, max_bytes=max_bytes)
    if fmt in ("elm", "qdr"):
        from .base import sha256_of
        from .elm import read_elm
        from .qdr import read_qdr

        info = FileInfo(path=path, format=fmt, sha256=sha256_of(path), size=size)
        reader = read_elm if fmt == "elm" else read_qdr
        return info, reader(path, info, batch_size, max_bytes=max_bytes)
    if fmt in ("openbadges", "ctdl"):
        from .ctdl import read_ctdl
        from .openbadges import read_openbadges

        reader = {"openbadges": read_openbadges, "ctdl": read_ctdl}[fmt]
        digest, enc = scan_text_file(path, head, encoding)
        info = FileInfo(path=path, format=fmt, sha256=digest, size=size, encoding=enc.name)
        return info, reader(path, info, batch_size, max_bytes=max_bytes)

    if fmt == "xlsx":
        from .base import sha256_of

        info = FileInfo(path=path, format="xlsx", sha256=sha256_of(path), size=size)
        return info, xlsx_reader.read_xlsx(path, info, batch_size, sheet=sheet)

    digest, enc = scan_text_file(path, head, encoding)
    info = FileInfo(path=path, format=fmt, sha256=digest, size=size, encoding=enc.name)
    info.warnings.extend(enc.warnings)
    if fmt == "csv":
        return info, csv_reader.read_csv(path, info, enc, batch_size, delimiter=delimiter)
    if fmt == "json":
        hint = None
        if found == "jsonl":
            hint = "it looks like JSON Lines, one object per line"
        elif found == "csv":
            hint = "it looks like a CSV file"
        return info, json_reader.read_json(path, info, enc, batch_size, hint=hint)
    return info, json_reader.read_jsonl(path, info, enc, batch_size)


def _is_json(head: bytes) -> bool:
    import json

    try:
        json.loads(head.decode("utf-8-sig"))
    except ValueError:
        return False
    return True


def _guard(batches: Iterator[RawBatch], name: str, path: str) -> Iterator[RawBatch]:
    """Let only SourceFileError escape while batches are read."""
    try:
        yield from batches
    except SourceFileError:
        raise
    except MemoryError:
        raise
    except Exception as e:
        raise SourceFileError(f"{name}: reading stopped ({type(e).__name__}: {e})", path) from e
