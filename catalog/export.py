"""Catalogue exports: Parquet (typed from the descriptor), CSV (flat) and JSON Lines."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearinghouse.descriptor import FIELDS, MAP_FIELDS, OBJECT_PARTS

_SCALAR = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "enum": pa.string()}


def _struct(key: str) -> pa.StructType:
    return pa.struct([(name, _SCALAR[kind]) for name, kind in OBJECT_PARTS[key].items()])


def arrow_schema() -> pa.Schema:
    fields = []
    for f in FIELDS:
        if f.kind in _SCALAR:
            typ = _SCALAR[f.kind]
        elif f.key in MAP_FIELDS:
            typ = pa.map_(pa.string(), pa.string())
        elif f.kind in ("list", "list-enum"):
            typ = pa.list_(_struct(f.key)) if f.key in OBJECT_PARTS else pa.list_(pa.string())
        elif f.key in OBJECT_PARTS:
            typ = _struct(f.key)
        else:  # provenance: free-form, kept as JSON text
            typ = pa.string()
        fields.append(pa.field(f.key, typ))
    return pa.schema(fields)


def _arrow_row(rec: dict[str, Any], schema: pa.Schema) -> dict[str, Any]:
    row = {}
    for fld in schema:
        v = rec.get(fld.name)
        if pa.types.is_string(fld.type) and isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False, sort_keys=True)
        elif pa.types.is_map(fld.type) and isinstance(v, dict):
            v = list(v.items())
        elif pa.types.is_struct(fld.type) and isinstance(v, dict):
            v = {k: v.get(k) for k in (c.name for c in fld.type)}
        row[fld.name] = v
    return row


def _batched(it: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(it)
    while chunk := list(islice(it, size)):
        yield chunk


def write_parquet(records: Iterable[dict[str, Any]], out: Path, batch: int = 20_000) -> int:
    schema = arrow_schema()
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for chunk in _batched(records, batch):
            writer.write_table(pa.Table.from_pylist([_arrow_row(r, schema) for r in chunk], schema=schema))
            n += len(chunk)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def flat_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return "; ".join(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection): such a
# text cell is written with a leading apostrophe, as OWASP advises; numbers are written as they are
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(v: Any) -> str:
    """``flat_value`` of a value, made safe to open in a spreadsheet: a text cell that begins
    with a formula trigger gets a leading apostrophe ("'=SUM(1+1)"); numbers stay as they are."""
    text = flat_value(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return text
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_csv(records: Iterable[dict[str, Any]], out: Path) -> int:
    """The descriptor's fields as CSV columns, every text cell safe to open in a spreadsheet."""
    keys = [f.key for f in FIELDS]
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(keys)
        for rec in records:
            writer.writerow([spreadsheet_cell(rec.get(k)) for k in keys])
            n += 1
    return n


def write_jsonl(records: Iterable[dict[str, Any]], out: Path) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


WRITERS = {"parquet": write_parquet, "csv": write_csv, "jsonl": write_jsonl}
