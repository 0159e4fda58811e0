"""What the standards connector tests share: the frame convention and reading a file whole."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from connectors.base import ERROR, LOCATOR, RAW, FileInfo, sha256_of
from transforms.candidate import CANDIDATE_FIELDS, TITLE_PREFIX


def info_for(path: Path, fmt: str) -> FileInfo:
    return FileInfo(path=str(path), format=fmt, sha256=sha256_of(path), size=os.path.getsize(path))


def assert_frame_convention(frame: pd.DataFrame) -> None:
    """Connector columns last; every cell a non-blank str or None; columns are candidate fields,
    titles in other languages, or x_ extensions."""
    assert list(frame.columns[-3:]) == [LOCATOR, ERROR, RAW]
    for col in frame.columns:
        assert frame[col].dtype == object, col
        for v in frame[col]:
            assert v is None or (isinstance(v, str) and v.strip()), (col, v)
        if col not in (LOCATOR, ERROR, RAW):
            assert col in CANDIDATE_FIELDS or col.startswith(TITLE_PREFIX) or col.startswith("x_"), col


def read_whole(reader: Callable, path: Path, info: FileInfo, batch_size: int = 1000) -> pd.DataFrame:
    batches = list(reader(path, info, batch_size))
    assert all(len(b) <= batch_size for b in batches)
    for b in batches:
        assert_frame_convention(b.frame)
    frame = pd.concat([b.frame for b in batches], ignore_index=True).astype(object)
    return frame.where(frame.notna(), None)
