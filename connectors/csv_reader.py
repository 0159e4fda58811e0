"""CSV (and TSV, semicolon or pipe separated) exports.

- Delimiter: whichever of ``,`` ``;`` TAB ``|`` splits the first lines (parsed quote-aware, so
  delimiters inside quoted cells do not count) into the most consistent number of fields.
- Header row: banner lines above the header ("Export generated 2025-01-01", blank lines) are
  skipped: the header is the first row whose number of non-empty cells is close to the usual
  number of fields (>= 60 % of the modal field count, at least 2 when rows have 2 or more fields).
- Records are parsed by Python's ``csv`` module from physical lines (``\\n``, ``\\r\\n`` or ``\\r``),
  so quoted cells may hold line breaks and delimiters; the locator is the physical line where the
  record starts. Blank lines are skipped but counted.
- Ragged rows never lose data: missing trailing fields are None; extra non-empty values right of
  the header are kept under ``column_<n>``. Both are reported in ``FileInfo.warnings``.
- An unclosed quote (one that would swallow the rest of the file, hits the cell size limit, or
  turns several physical rows into one record with the wrong number of fields while the first of
  those lines alone has the right number) does not abort the file: that row is read again with
  quotes taken literally and emitted with ``__error__`` set; reading resumes on the next line.
"""
from __future__ import annotations

import csv
import math
import os
from collections import Counter, deque
from itertools import islice
from typing import Iterable, Iterator

from .base import (
    FileInfo, RawBatch, SourceFileError, clip, display_name, make_frame, normalise_header, plural,
    summarise_rows, unique_name, META_COLUMNS,
)
from .sniff import TextEncoding, iter_lines

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_LINES = 400
SAMPLE_CHARS = 64 * 1024
MAX_RECORD_LINES = 10_000
MAX_RECORD_CHARS = 4_000_000
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class _Runaway(Exception):
    """One record spans more physical lines/characters than any real record does."""


class _Lines:
    """Physical lines with a counter, the lines of the record being read, and push-back."""

    __slots__ = ("it", "count", "pending", "buf", "chars", "exhausted")

    def __init__(self, it: Iterator[str]):
        self.it = it
        self.count = 0
        self.pending: deque[str] = deque()
        self.buf: list[str] = []
        self.chars = 0
        self.exhausted = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pending:
            line = self.pending.popleft()
        else:
            try:
                line = next(self.it)
            except StopIteration:
                self.exhausted = True
                raise
        self.count += 1
        buf = self.buf
        buf.append(line)
        if len(buf) > 1:
            self.chars += len(line)
            if len(buf) > MAX_RECORD_LINES or self.chars > MAX_RECORD_CHARS:
                raise _Runaway
        return line

    def start_record(self) -> None:
        self.buf = []
        self.chars = 0
        self.exhausted = False


class _Records:
    """Yield (start_line, fields, error, raw) for every record, blank ones included."""

    def __init__(self, lines: Iterable[str], delimiter: str):
        self.lines = _Lines(iter(lines))
        self.delimiter = delimiter
        self.expected: int | None = None  # field count of the header, once known
        self.reader = self._new_reader()

    def _new_reader(self):
        return csv.reader(self.lines, delimiter=self.delimiter, quotechar='"', doublequote=True,
                          strict=False)

    def __iter__(self) -> Iterator[tuple[int, list[str], str | None, str | None]]:
        lines = self.lines
        while True:
            lines.start_record()
            start = lines.count + 1
            try:
                fields = next(self.reader)
            except StopIteration:
                return
            except _Runaway:
                yield self._recover(start, f"it runs on for more than {MAX_RECORD_LINES:,} lines")
                continue
            except csv.Error:
                yield self._recover(
                    start, f"a cell grows beyond {csv.field_size_limit():,} characters")
                continue
            end = lines.count
            if end > start:
                if lines.exhausted:
                    yield self._recover(start, f"it runs on to the end of the file (row {end})")
                    continue
                if self.expected is not None and len(fields) != self.expected:
                    literal = self._literal(lines.buf[0])
                    if len(literal) == self.expected:
                        yield self._recover(
                            start, f"it runs on to row {end} and merges {end - start + 1} rows")
                        continue
            yield start, fields, None, None

    def _literal(self, line: str) -> list[str]:
        return line.rstrip("\r\n").split(self.delimiter)

    def _recover(self, start: int, why: str):
        lines = self.lines
        buf = lines.buf
        first = buf[0] if buf else ""
        lines.pending.extendleft(reversed(buf[1:]))
        lines.count = start
        lines.exhausted = False
        self.reader = self._new_reader()
        error = (f"row {start}: a quote opened in this row is not closed ({why}); "
                 f"the row was read with its quotes taken literally")
        return start, self._literal(first), error, clip(first.rstrip("\r\n"))


def _blank(fields: list[str]) -> bool:
    for v in fields:
        if v and not v.isspace():
            return False
    return True


def _trimmed_len(fields: list[str]) -> int:
    n = len(fields)
    while n and (not fields[n - 1] or fields[n - 1].isspace()):
        n -= 1
    return n


def _nonempty(fields: list[str]) -> int:
    return sum(1 for v in fields if v and not v.isspace())


def sample_lines(path: str | os.PathLike, enc: TextEncoding) -> list[str]:
    out: list[str] = []
    chars = 0
    for line in islice(iter_lines(path, enc), SAMPLE_LINES):
        out.append(line)
        chars += len(line)
        if chars >= SAMPLE_CHARS:
            break
    return out


def detect_delimiter(lines: list[str]) -> str:
    """The candidate that splits the sample into the most consistent field count (>= 2)."""
    best, best_score = ",", (-1.0, 0, 0)
    for rank, d in enumerate(DELIMITERS):
        counts = [len(f) for _, f, _, _ in _Records(lines, d) if not _blank(f)]
        if not counts:
            continue
        freq = Counter(counts)
        modal = max(freq, key=lambda c: (freq[c], c))
        if modal < 2:
            continue
        share = freq[modal] / len(counts)
        score = (round(share, 3), modal, -rank)
        if score > best_score:
            best, best_score = d, score
    return best


def find_header(records: list[tuple[int, list[str], str | None, str | None]]) -> int | None:
    """1-based line of the header row among sample records, None if all are blank."""
    rows = [(start, f) for start, f, _, _ in records if not _blank(f)]
    if not rows:
        return None
    freq = Counter(_trimmed_len(f) for _, f in rows)
    modal = max(freq, key=lambda c: (freq[c], c))
    need = 1 if modal <= 1 else max(2, math.ceil(0.6 * modal))
    for start, f in rows:
        if _nonempty(f) >= need:
            return start
    return rows[0][0]


def read_csv(path: str | os.PathLike, info: FileInfo, enc: TextEncoding,
             batch_size: int, delimiter: str | None = None) -> Iterator[RawBatch]:
    """Find delimiter (unless given) and header (filling ``info``); return the batch iterator."""
    name = display_name(path)
    lines = sample_lines(path, enc)
    if delimiter is None:
        delimiter = detect_delimiter(lines)
    records = list(_Records(lines, delimiter))
    header_row = find_header(records)
    if header_row is None:
        raise SourceFileError(f"{name}: no header row found (the first {len(lines)} lines are blank)", path)
    header_fields = next(f for s, f, _, _ in records if s == header_row)
    info.delimiter = delimiter
    info.header_row = header_row
    info.columns = normalise_header(header_fields)
    banner = [(s, f) for s, f, _, _ in records if s < header_row and not _blank(f)]
    if banner:
        shown = "; ".join(
            f"row {s}: {clip(delimiter.join(v for v in f if v).strip(), 60)!r}" for s, f in banner[:3])
        info.warnings.append(
            f"{plural(len(banner), 'line')} above the header row (row {header_row}) "
            f"{'was' if len(banner) == 1 else 'were'} skipped: {shown}"
            + (" ..." if len(banner) > 3 else ""))
    return _batches(path, info, enc, delimiter, header_row, batch_size)


def _batches(path, info: FileInfo, enc: TextEncoding, delimiter: str, header_row: int,
             batch_size: int) -> Iterator[RawBatch]:
    reader = _Records(iter_lines(path, enc), delimiter)
    columns: list[str] = []
    named: list[bool] = []  # header cell had a name (unnamed columns are dropped when empty)
    n = 0
    taken: set[str] = set()
    extra_names: dict[int, str] = {}
    short_rows: list[int] = []
    n_short = 0
    long_rows: list[int] = []
    n_long = 0
    long_cols: set[str] = set()
    error_rows: list[int] = []
    n_errors = 0
    n_nul = 0

    rows: list[list[str | None]] = []
    locs: list[str] = []
    errors: list[str | None] = []
    raws: list[str | None] = []
    extras: dict[str, dict[int, str]] = {}
    any_error = False

    def flush() -> RawBatch:
        frame = make_frame(columns, rows, locs, errors if any_error else None,
                           raws if any_error else None, extras)
        drop = [c for c, has_name in zip(columns, named)
                if not has_name and frame[c].isna().all()]
        if drop:
            frame = frame.drop(columns=drop)
        return RawBatch(frame)

    seen_header = False
    for start, fields, error, raw in reader:
        if not seen_header:
            if start < header_row:
                continue
            seen_header = True
            columns = normalise_header(fields)
            named = [bool(v and v.strip().strip("\ufeff").strip()) for v in fields]
            n = len(columns)
            taken = set(columns) | set(META_COLUMNS)
            reader.expected = len(fields)
            continue
        if error is None:
            if _blank(fields):
                continue
            bad_col = next((j for j, v in enumerate(fields) if v and "\x00" in v), None)
            if bad_col is not None:  # one corrupt cell: this row is quarantined, the file is read
                name = columns[bad_col] if bad_col < n else f"column {bad_col + 1}"
                error = f"row {start}: a NUL byte in column {name!r} (a corrupt cell); the row cannot be trusted"
                raw = clip(",".join(v or "" for v in fields).replace("\x00", "\\0"))
                fields = [v.replace("\x00", "") if v else v for v in fields]
                n_nul += 1
                any_error = True
        else:
            n_errors += 1
            any_error = True
            if len(error_rows) < 1000:
                error_rows.append(start)
        i = len(rows)
        length = len(fields)
        if length == n:
            row = [v if v and not v.isspace() else None for v in fields]
        elif length < n:
            row = [v if v and not v.isspace() else None for v in fields]
            row.extend([None] * (n - length))
            if error is None:
                n_short += 1
                if len(short_rows) < 1000:
                    short_rows.append(start)
        else:
            row = [v if v and not v.isspace() else None for v in fields[:n]]
            kept = False
            for j in range(n, length):
                v = fields[j]
                if v and not v.isspace():
                    col = extra_names.get(j)
                    if col is None:
                        col = extra_names[j] = unique_name(f"column_{j + 1}", taken)
                    extras.setdefault(col, {})[i] = v
                    long_cols.add(col)
                    kept = True
            if kept and error is None:
                n_long += 1
                if len(long_rows) < 1000:
                    long_rows.append(start)
        rows.append(row)
        locs.append(f"row {start}")
        errors.append(error)
        raws.append(raw)
        if len(rows) >= batch_size:
            yield flush()
            rows, locs, errors, raws, extras = [], [], [], [], {}
            any_error = False
    if rows:
        yield flush()

    if n_long:
        cols = sorted(long_cols, key=lambda c: (len(c), c))
        info.warnings.append(
            f"{plural(n_long, 'row')} had more fields than the header row; the extra values were "
            f"kept as {', '.join(cols)}: {summarise_rows(long_rows, n_long)}")
    if n_short:
        info.warnings.append(
            f"{plural(n_short, 'row')} had fewer fields than the header row; the missing values "
            f"were read as empty: {summarise_rows(short_rows, n_short)}")
    if n_nul:
        info.warnings.append(f"{plural(n_nul, 'row')} had a NUL byte in a cell and "
                             f"{'was' if n_nul == 1 else 'were'} marked as errors")
    if n_errors:
        info.warnings.append(
            f"{plural(n_errors, 'row')} had a quote that is not closed; "
            f"{'it was' if n_errors == 1 else 'they were'} read with quotes taken literally and "
            f"marked as errors: {summarise_rows(error_rows, n_errors)}")
