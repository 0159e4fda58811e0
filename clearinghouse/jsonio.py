"""JSON in and out of the run folder and the catalogue (orjson: the stages spend most of their
time here otherwise)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson


def dumps(obj: Any, *, sort_keys: bool = False) -> str:
    opts = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    return orjson.dumps(obj, default=str, option=opts).decode("utf-8")


def dumpb(obj: Any, *, sort_keys: bool = False) -> bytes:
    opts = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    return orjson.dumps(obj, default=str, option=opts)


loads = orjson.loads


def read_lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from fh


def read_jsonl(path: Path) -> Iterator[Any]:
    for line in read_lines(path):
        yield orjson.loads(line)
