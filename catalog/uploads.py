"""Institution uploads: a file arrives through the API, is stored immutably under its sha256 before
anything else happens, gets an immediate report (format, rows, the first problems with row and
column), and the pipeline for its source runs in the background. The client's filename is kept as
information only; it never becomes part of a path."""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from catalog import tables as t

MAX_UPLOAD_MB_ENV = "CLEARINGHOUSE_MAX_UPLOAD_MB"
FIRST_ERRORS = 20


class UploadTooLarge(Exception):
    pass


def max_upload_bytes() -> int:
    return int(float(os.environ.get(MAX_UPLOAD_MB_ENV, "50")) * 1_000_000)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def store_file(home: Path, source: str, stream: BinaryIO, limit: int) -> tuple[Path, str, int]:
    """Copy the stream to uploads/<source>/<sha256> (read-only), refusing more than `limit`
    bytes with nothing left behind. Returns (path, sha256, size)."""
    from clearinghouse.config import check_source_key

    folder = home / "uploads" / check_source_key(source)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".incoming-{uuid.uuid4().hex}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(tmp, "wb") as out:
            while block := stream.read(1 << 20):
                size += len(block)
                if size > limit:
                    raise UploadTooLarge(f"the file is over the {limit // 1_000_000} MB upload limit")
                digest.update(block)
                out.write(block)
        sha = digest.hexdigest()
        final = folder / sha
        if final.exists():
            tmp.unlink()
        else:
            tmp.replace(final)
            final.chmod(0o444)
        return final, sha, size
    finally:
        tmp.unlink(missing_ok=True)


def quick_report(path: Path) -> dict[str, Any]:
    """What the connectors see at once: format, rows, and the first rows they could not read."""
    from connectors import read_file
    from connectors.base import SourceFileError

    try:
        info, batches = read_file(path)
        rows, errors = 0, []
        for batch in batches:
            frame = batch.frame
            if "__error__" in frame.columns:
                for loc, msg in zip(frame["__locator__"], frame["__error__"]):
                    if msg and len(errors) < FIRST_ERRORS:
                        errors.append({"locator": loc, "column": None, "message": str(msg)})
            rows += len(frame)
    except SourceFileError as exc:
        return {"format": None, "rows": 0, "readable": False,
                "errors": [{"locator": None, "column": None, "message": str(exc).replace(str(path), "upload")}]}
    return {"format": info.format, "rows": rows, "readable": True, "encoding": info.encoding,
            "warnings": list(info.warnings), "errors": errors}


def record(engine: Engine, **row: Any) -> None:
    with engine.begin() as conn:
        conn.execute(insert(t.uploads).values(**row))


def set_status(engine: Engine, upload_id: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(t.uploads).where(t.uploads.c.upload_id == upload_id).values(**values))


def get(engine: Engine, upload_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.uploads).where(t.uploads.c.upload_id == upload_id)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["report"] = json.loads(out["report"] or "{}")
    return out


def process(home: Path, engine: Engine, catalog_url: str, upload_id: str, source: str, path: Path) -> None:
    """The pipeline run for the upload's source (in a background thread); the upload's report
    then holds the delivery's counts and every quarantined row with its reasons."""
    from catalog import store
    from clearinghouse import pipeline

    set_status(engine, upload_id, status="processing")
    report = get(engine, upload_id)["report"]
    for attempt in range(60):  # another delivery of this source may be running: wait for it
        try:
            m = pipeline.ingest(home, source, path, catalog_url)
            break
        except pipeline.PipelineError as exc:
            if "being processed by another run" in str(exc) and attempt < 59:
                time.sleep(2)
                continue
            set_status(engine, upload_id, status="failed", report=json.dumps({**report, "error": str(exc)}))
            return
        except Exception as exc:  # noqa: BLE001 - the upload says so instead of a thread dying
            set_status(engine, upload_id, status="failed",
                       report=json.dumps({**report, "error": f"internal error: {type(exc).__name__}: {exc}"}))
            return
    quarantined = [e for e in store.quarantine_entries(engine, source)]
    report.update(counts=m.counts, quarantine=quarantined)
    set_status(engine, upload_id, status="published", run_id=m.run_id, report=json.dumps(report))


def start(home: Path, engine: Engine, catalog_url: str, upload_id: str, source: str, path: Path) -> threading.Thread:
    thread = threading.Thread(target=process, args=(home, engine, catalog_url, upload_id, source, path),
                              name=f"upload-{upload_id}", daemon=True)
    thread.start()
    return thread


class RateLimit:
    """At most `limit` uploads per token in `window` seconds."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._seen.setdefault(key, deque())
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True


def new_upload_id() -> str:
    return f"up-{uuid.uuid4().hex}"


__all__ = ["store_file", "quick_report", "start", "get", "RateLimit", "UploadTooLarge"]
