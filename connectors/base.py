"""Types shared by every connector, and the small helpers they have in common.

A connector turns one delivered file into batches of *raw records*: the source's own column names
and the source's own values as strings. It knows formats, never crosswalks, and it never loses a
record: a record it cannot read properly is still emitted, with the reason in ``__error__``.

The frame convention (the contract with ``transforms.mapping``)
---------------------------------------------------------------
``RawBatch.frame`` is a ``pandas.DataFrame`` in which **every column has dtype ``object``** and
every cell is either a ``str`` or ``None`` (never ``NaN``, never a number). Empty and
whitespace-only cells are ``None``; other values are kept verbatim (not stripped).

Column names are the source's own header names with surrounding whitespace/BOM removed and inner
runs of whitespace (e.g. a line break inside a header cell) collapsed to one space; an empty header
becomes ``column_<n>`` (``n`` = 1-based column position), a repeated one ``Name (2)``, ``Name (3)``.
Values found to the right of the last header column are kept under ``column_<n>`` too (and
reported in ``FileInfo.warnings``). A CSV column without a header name that has no value in a
batch is left out of that batch (trailing delimiters do not make empty columns). For JSON, nested
keys are joined with dots (``provider.name``). Different batches of one file may therefore have
different column sets; ``FileInfo.columns`` lists the header names as found.

Three connector columns follow the source columns in every frame (their names start and end with
``__``; a source column that happens to use one of these names is renamed ``__locator__ (2)``):

- ``__locator__`` (str, never None): where a person finds the record. CSV ``"row 5"`` (1-based
  physical line in the file where the record starts; the header line counts, blank lines count);
  XLSX ``"sheet Courses row 7"``; JSON a JSON pointer ``"/items/3"`` (``"/"`` for a document that
  is a single record); JSON Lines ``"line 4"``.
- ``__error__`` (str or None): ``None`` for a good record. Otherwise one line saying why the record
  could not be read properly (``"line 7: invalid JSON: Expecting ',' delimiter (column 12)"``).
  Such records must go to quarantine; their source columns hold whatever could be read (all
  ``None`` for a broken JSON line; the fields read with quotes taken literally for a CSV row with
  an unclosed quote).
- ``__raw__`` (str or None): for error records, the record's source text (at most 2,000
  characters); ``None`` for good records.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

LOCATOR = "__locator__"
ERROR = "__error__"
RAW = "__raw__"
META_COLUMNS = (LOCATOR, ERROR, RAW)

RAW_MAX_CHARS = 2000
DEFAULT_MAX_BYTES = 200_000_000
DEFAULT_BATCH_SIZE = 50_000


class SourceFileError(Exception):
    """A delivered file cannot be read at all. ``str(err)`` is one line meant for a person, starting
    with the file name: ``"courses.csv: the file is empty"``."""

    def __init__(self, message: str, path: str | os.PathLike | None = None):
        message = " ".join(str(message).split())  # always one line
        super().__init__(message)
        self.path = str(path) if path is not None else None


@dataclass
class FileInfo:
    """What was found out about a file before its records are read.

    ``warnings`` holds one plain sentence per problem that did not stop the reading (lines in
    another encoding, rows with too many fields, an unclosed quote, skipped banner lines). Problems
    found up front (encoding, banner lines) are there when ``read_file`` returns; problems found
    while reading rows are appended as the batches are produced, so the list is complete once the
    batch iterator is exhausted.
    """

    path: str
    format: str  # "csv" | "xlsx" | "json" | "jsonl"
    sha256: str
    size: int  # bytes
    encoding: str | None = None  # csv/json/jsonl: "utf-8", "utf-8-sig", "utf-16", "cp1252", ...
    delimiter: str | None = None  # csv: "," ";" "\t" "|"
    sheet: str | None = None  # xlsx: the sheet read
    header_row: int | None = None  # csv/xlsx: 1-based physical row of the header
    columns: list[str] = field(default_factory=list)  # source column names (header; JSON: first batch)
    records_path: str | None = None  # json: JSON pointer of the array holding the records
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class RawBatch:
    """One bounded batch of raw records (see the module docstring for the frame convention)."""

    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.frame)


# ---------------------------------------------------------------------------------------------
# helpers shared by the readers


def display_name(path: str | os.PathLike) -> str:
    return Path(path).name or str(path)


def format_size(n: int) -> str:
    mb = n / 1_000_000
    if mb >= 10:
        return f"{int(round(mb))} MB"
    if mb >= 0.1:
        return f"{mb:.1f} MB"
    return f"{n} bytes"


def sha256_of(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(chunk):
            h.update(b)
    return h.hexdigest()


def cell(value: str | None) -> str | None:
    """A source string as stored in a frame: empty or whitespace-only -> None, else verbatim."""
    if not value or value.isspace():
        return None
    return value


def number_to_str(v: float | int) -> str:
    """7 -> "7", 7.0 -> "7", 7.5 -> "7.5", 0.1+0.2 -> "0.3" (15 significant digits, like Excel)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v) or math.isinf(v):
        return repr(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    s = format(v, ".15g")
    if "e" in s:
        s = repr(v)
    return s


def clip(text: str | None, limit: int = RAW_MAX_CHARS) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + "…"


def normalise_header(names: Iterable[Any]) -> list[str]:
    """Header cells -> unique column names (see module docstring)."""
    out: list[str] = []
    seen: set[str] = set(META_COLUMNS)
    for i, raw in enumerate(names, start=1):
        name = "" if raw is None else str(raw)
        name = " ".join(name.replace("\ufeff", " ").split())
        if not name:
            name = f"column_{i}"
        out.append(unique_name(name, seen))
    return out


def unique_name(name: str, seen: set[str]) -> str:
    """Return ``name`` or ``name (2)``, ``name (3)``... not yet in ``seen``; add it to ``seen``."""
    candidate, k = name, 2
    while candidate in seen:
        candidate = f"{name} ({k})"
        k += 1
    seen.add(candidate)
    return candidate


def summarise_rows(rows: list[int], total: int | None = None, label: str = "rows", limit: int = 10) -> str:
    """[7, 12, 40] -> "rows 7, 12, 40"; long lists are cut: "rows 1, 2, ... and 37 more"."""
    total = len(rows) if total is None else total
    if total == 1 and label.endswith("s"):
        label = label[:-1]
    shown = ", ".join(str(r) for r in rows[:limit])
    more = total - min(len(rows), limit)
    return f"{label} {shown}" + (f" and {more} more" if more > 0 else "")


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def make_frame(
    columns: list[str],
    rows: list[list[str | None]],
    locators: list[str],
    errors: list[str | None] | None = None,
    raws: list[str | None] | None = None,
    extra: dict[str, dict[int, str]] | None = None,
) -> pd.DataFrame:
    """Build a frame of object columns. ``rows`` must already be padded to ``len(columns)``;
    ``extra`` maps further column names to {row index: value}."""
    n = len(rows)
    data: dict[str, list] = {}
    if columns:
        if n:
            cols = list(zip(*rows))
        else:
            cols = [() for _ in columns]
        for name, col in zip(columns, cols):
            data[name] = list(col)
    for name, values in (extra or {}).items():
        data[name] = [values.get(i) for i in range(n)]
    data[LOCATOR] = locators
    data[ERROR] = errors if errors is not None else [None] * n
    data[RAW] = raws if raws is not None else [None] * n
    frame = pd.DataFrame(data, dtype=object)
    if frame.shape[1] != len(data):  # pragma: no cover - defensive, names are unique
        raise AssertionError("duplicate column names")
    return frame


def frame_from_dicts(records: list[dict[str, str | None]], locators: list[str],
                     errors: list[str | None], raws: list[str | None]) -> pd.DataFrame:
    """Build a frame from flattened records whose key sets differ (union, first-seen order)."""
    order: dict[str, None] = {}
    for rec in records:
        for k in rec:
            if k not in order:
                order[k] = None
    data: dict[str, list] = {k: [_no_surrogates(rec.get(k)) for rec in records] for k in order}
    data[LOCATOR] = locators
    data[ERROR] = errors
    data[RAW] = [_no_surrogates(r) for r in raws]
    return pd.DataFrame(data, dtype=object)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(v: Any) -> Any:
    """A lone UTF-16 surrogate ("\\ud800" in JSON) is no character and cannot be written as UTF-8:
    it becomes U+FFFD, as an undecodable byte does."""
    if isinstance(v, str) and not v.isascii() and _SURROGATE.search(v):
        return _SURROGATE.sub("\ufffd", v)
    return v


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    buf: list[Any] = []
    for item in items:
        buf.append(item)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def put_joined(rec: dict[str, str | None], key: str, value: str | None, sep: str) -> None:
    """Set ``rec[key]``, or append ``value`` to it (distinct values joined with ``sep``): how the
    standards connectors gather repeated elements into one candidate field."""
    if not value:
        return
    old = rec.get(key)
    if not old:
        rec[key] = value
    elif value not in old.split(sep):
        rec[key] = old + sep + value


def batches_of(found: list[tuple[dict, str, str | None, str | None]], info: "FileInfo",
               batch_size: int) -> Iterator["RawBatch"]:
    """(record, locator, error, raw text) tuples as RawBatch frames of ``batch_size`` records."""
    for start in range(0, len(found), batch_size):
        chunk = found[start:start + batch_size]
        records = []
        for rec, _loc, _err, _raw in chunk:
            for meta in (LOCATOR, ERROR, RAW):
                rec.pop(meta, None)
            records.append(rec)
        frame = frame_from_dicts(records, [c[1] for c in chunk], [c[2] for c in chunk], [c[3] for c in chunk])
        if not info.columns:
            info.columns = [c for c in frame.columns if c not in (LOCATOR, ERROR, RAW)]
        yield RawBatch(frame)


def json_cell(v: Any) -> str | None:
    """A JSON value as a cell string: None for null/empty, numbers without trailing zeros,
    objects and lists as compact JSON."""
    if v is None:
        return None
    if isinstance(v, str):
        return v if v.strip() else None
    if isinstance(v, (bool, int, float)):
        return number_to_str(v)
    return json.dumps(v, ensure_ascii=False)
