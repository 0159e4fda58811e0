"""XLSX workbooks (openpyxl, read-only and streaming, cached formula values).

- Sheet: the ``sheet`` asked for, else the first visible sheet that has a header row followed by
  data (then hidden sheets).
- Header row: among the first 30 non-blank rows, the first one that has at least 2 non-empty text
  cells (1 for a one-column sheet), at least 60 % as many non-empty cells as the fullest of those
  rows, and a non-blank row below it. Banner rows, merged title cells (openpyxl gives the value in
  the top-left cell only) and blank rows above it are skipped.
- Values: text verbatim (empty -> None); integers "7" (also 7.0); other numbers with up to 15
  significant digits and no trailing zeros ("7.5"); dates "2025-09-01", date-times
  "2025-09-01T10:00:00", times "10:00:00"; booleans "true"/"false"; formulas give their cached
  value (None if the workbook was never calculated).
- Entirely blank rows are skipped; trailing empty columns are dropped; values right of the header
  are kept under ``column_<n>`` (with a warning).
"""
from __future__ import annotations

import datetime as dt
import math
import os
import warnings as _warnings
from decimal import Decimal
from typing import Any, Iterator

from .base import (
    FileInfo, RawBatch, SourceFileError, display_name, make_frame, normalise_header, number_to_str,
    plural, summarise_rows, unique_name, META_COLUMNS,
)

PROBE_ROWS = 30


def xl_value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v if v and not v.isspace() else None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return number_to_str(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is None and v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat()
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        total = v.total_seconds()
        h, rem = divmod(int(total), 3600)
        m, s = divmod(rem, 60)
        return f"{h}:{m:02d}:{s:02d}"
    if isinstance(v, Decimal):
        return number_to_str(float(v)) if v == v.to_integral_value() else str(v)
    s = str(v)
    return s if s.strip() else None


def _trim(values: list[str | None]) -> list[str | None]:
    n = len(values)
    while n and values[n - 1] is None:
        n -= 1
    return values[:n]


def _rows(ws) -> Iterator[tuple[int, tuple]]:
    for r, raw in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        yield r, raw


def _probe(ws) -> tuple[int | None, bool]:
    """(header row, has data below it) for a sheet; (None, False) if the sheet is empty."""
    probe: list[tuple[int, list[str | None], int]] = []  # row, values, text cells
    for r, raw in _rows(ws):
        vals = _trim([xl_value(v) for v in raw])
        if not vals:
            continue
        texts = sum(1 for v in raw if isinstance(v, str) and v.strip())
        probe.append((r, vals, texts))
        if len(probe) >= PROBE_ROWS:
            break
    if not probe:
        return None, False
    counts = [sum(1 for v in vals if v is not None) for _, vals, _ in probe]
    most = max(counts)
    need_text = 1 if most <= 1 else 2
    need = 1 if most <= 1 else max(2, math.ceil(0.6 * most))
    for i, (r, vals, texts) in enumerate(probe):
        if texts >= need_text and counts[i] >= need and i + 1 < len(probe):
            return r, True
    # nothing is followed by data: a header-only sheet (or a single row)
    for i, (r, vals, texts) in enumerate(probe):
        if texts >= need_text and counts[i] >= need:
            return r, False
    return probe[0][0], len(probe) > 1


def read_xlsx(path: str | os.PathLike, info: FileInfo, batch_size: int,
              sheet: str | None = None) -> Iterator[RawBatch]:
    import openpyxl  # imported here: CSV/JSON users do not pay for it

    name = display_name(path)
    fh = open(path, "rb")  # a file object: openpyxl would refuse a path not ending in .xlsx
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged files
        fh.close()
        raise SourceFileError(f"{name}: not a readable XLSX workbook ({type(e).__name__}: {e})",
                              path) from e
    wb._connector_fh = fh
    try:
        ws, header_row = _choose_sheet(wb, name, path, sheet)
    except BaseException:
        _close(wb)
        raise
    info.sheet = ws.title
    info.header_row = header_row
    header = []
    for r, raw in _rows(ws):
        if r == header_row:
            header = _trim([xl_value(v) for v in raw])
            break
    info.columns = normalise_header(header)
    return _batches(wb, ws, info, header, header_row, batch_size)


def _choose_sheet(wb, name: str, path, sheet: str | None):
    sheets = list(wb.worksheets)
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise SourceFileError(
                f"{name}: no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})", path)
        ws = wb[sheet]
        if not hasattr(ws, "iter_rows"):
            raise SourceFileError(f"{name}: sheet {sheet!r} is a chart, not a table", path)
        ws.reset_dimensions()
        header_row, has_data = _probe(ws)
        if header_row is None:
            raise SourceFileError(f"{name}: sheet {sheet!r} is empty", path)
        return ws, header_row
    visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
    hidden = [ws for ws in sheets if ws not in visible]
    # A table (a header of two or more columns with data below) beats a one-column sheet of
    # text, such as an "Instructions" sheet in front of the data; then a header-only sheet.
    probes = []
    for ws in visible + hidden:
        if not hasattr(ws, "iter_rows"):
            continue
        ws.reset_dimensions()  # some writers store wrong dimensions; read what is there
        header_row, has_data = _probe(ws)
        if header_row is not None:
            probes.append((ws, header_row, has_data, _width(ws, header_row)))
    for wanted in (lambda p: p[2] and p[3] >= 2, lambda p: p[2], lambda p: True):
        for ws, header_row, _, _ in (p for p in probes if wanted(p)):
            return ws, header_row
    raise SourceFileError(f"{name}: the workbook is empty (no sheet has any data)", path)


def _width(ws, header_row: int) -> int:
    for r, raw in _rows(ws):
        if r == header_row:
            return sum(1 for v in raw if xl_value(v) is not None)
    return 0


def _batches(wb, ws, info: FileInfo, header: list[str | None], header_row: int,
             batch_size: int) -> Iterator[RawBatch]:
    try:
        columns = info.columns
        n = len(columns)
        taken = set(columns) | set(META_COLUMNS)
        extra_names: dict[int, str] = {}
        long_rows: list[int] = []
        n_long = 0
        long_cols: set[str] = set()
        title = ws.title
        rows: list[list[str | None]] = []
        locs: list[str] = []
        extras: dict[str, dict[int, str]] = {}
        for r, raw in _rows(ws):
            if r <= header_row:
                continue
            vals = [xl_value(v) for v in raw]
            if not any(v is not None for v in vals):
                continue
            i = len(rows)
            if len(vals) > n:
                kept = False
                for j in range(n, len(vals)):
                    v = vals[j]
                    if v is not None:
                        col = extra_names.get(j)
                        if col is None:
                            col = extra_names[j] = unique_name(f"column_{j + 1}", taken)
                        extras.setdefault(col, {})[i] = v
                        long_cols.add(col)
                        kept = True
                if kept:
                    n_long += 1
                    if len(long_rows) < 1000:
                        long_rows.append(r)
                vals = vals[:n]
            elif len(vals) < n:
                vals.extend([None] * (n - len(vals)))
            rows.append(vals)
            locs.append(f"sheet {title} row {r}")
            if len(rows) >= batch_size:
                yield RawBatch(make_frame(columns, rows, locs, extra=extras))
                rows, locs, extras = [], [], {}
        if rows:
            yield RawBatch(make_frame(columns, rows, locs, extra=extras))
        if n_long:
            cols = sorted(long_cols, key=lambda c: (len(c), c))
            info.warnings.append(
                f"{plural(n_long, 'row')} had values right of the header row; they were kept as "
                f"{', '.join(cols)}: {summarise_rows(long_rows, n_long)}")
    finally:
        _close(wb)


def _close(wb) -> None:
    try:
        wb.close()
    finally:
        fh = getattr(wb, "_connector_fh", None)
        if fh is not None:
            fh.close()
