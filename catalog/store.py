"""The catalogue store: connect, publish a delivery in one transaction, read records back.

Publishing is an upsert by ``id`` with content-hash change detection: an unchanged record is not
rewritten, a changed one is, a record missing from a source's newer full delivery becomes
``withdrawn`` (never deleted). Everything of one delivery (records, withdrawals, the source's
quarantine, the run log entry) is written in one transaction, so a crash half-way leaves the
previous catalogue as it was.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection, bindparam, case, create_engine, delete, func, insert, select, text, update,
)
from sqlalchemy.engine import Engine

from clearinghouse import jsonio
from clearinghouse.descriptor import KEYS, normalise
from catalog import pg_fulltext, schema
from catalog import tables as t
from catalog.fts import folded_text, fts_delete, fts_insert

CATALOG_URL_ENV = "CLEARINGHOUSE_CATALOG_URL"
CHUNK = 2000


def catalog_url(home: Path) -> str:
    return os.environ.get(CATALOG_URL_ENV) or f"sqlite:///{Path(home).resolve() / 'catalog.sqlite'}"


_ENGINES: dict[str, Engine] = {}


def connect(url: str) -> Engine:
    """An engine with the catalogue's tables in place (created on first use)."""
    engine = _ENGINES.get(url)
    if engine is None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # SQLite: wait for a writer (another source publishing) instead of failing at once
        engine = create_engine(url, future=True,
                               connect_args={"timeout": 120} if url.startswith("sqlite") else {})
        t.sqlite_pragmas(engine)
        schema.upgrade(engine)
        _ENGINES[url] = engine
    return engine


def dispose_all() -> None:
    """Close every catalogue connection and drop the search indexes held for them."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    import sys
    if "catalog.columnar" in sys.modules:  # loaded only by searches on SQLite
        sys.modules["catalog.columnar"].forget()


@dataclass
class PublishCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0


@dataclass
class RunRecord:
    run_id: str
    source: str
    path: str | None
    file_sha256: str | None
    started_at: str
    finished_at: str | None = None
    status: str = "running"
    counts: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


def _languages_col(codes: list[str] | None) -> str | None:
    """A list of codes as "|a|b|", so one code is found with LIKE '%|a|%'."""
    return "|" + "|".join(codes) + "|" if codes else None


def _row(rec: dict[str, Any], dialect: str = "sqlite") -> dict[str, Any]:
    """Catalogue columns derived from one descriptor."""
    return {
        "search_text": None if dialect == "sqlite" else folded_text(rec),
        "id": rec["id"], "source": rec["source"], "source_record_id": rec["source_record_id"],
        "status": rec.get("status") or "active", "content_hash": rec["content_hash"],
        "first_seen": rec["first_seen"], "last_seen": rec["last_seen"],
        "last_changed": rec["last_changed"], "title": rec["title"], "country": rec.get("country"),
        "eqf_level": rec.get("eqf_level"), "ects": rec.get("ects"),
        "participation_mode": rec.get("participation_mode"),
        "credential_type": rec.get("credential_type"),
        "languages": _languages_col(rec.get("languages")),
        "isced_f": _languages_col(rec.get("isced_f")),
        "completeness": rec.get("completeness"),
        "doc": jsonio.dumps(rec),
    }


def publish(
    engine: Engine,
    source: str,
    accepted: Iterable[list[dict[str, Any]]],
    quarantined: Iterable[list[dict[str, Any]]],
    run: RunRecord,
    *,
    now: str,
    full_delivery: bool = True,
    quarantined_ids: Iterable[str] = (),
    country: str | None = None,
) -> PublishCounts:
    """Write one delivery of ``source``. ``accepted`` and ``quarantined`` are iterables of chunks
    (so a large delivery streams from the run folder). ``quarantined_ids`` are catalogue ids of
    records present in the delivery but quarantined: they are not withdrawn (their previous
    version stays until the source fixes them)."""
    counts = PublishCounts()
    seen: set[str] = set(quarantined_ids)
    with engine.begin() as conn:
        prev = conn.execute(select(t.sources.c.last_file_sha256).where(t.sources.c.key == source)).scalar()
        same_file = prev is not None and prev == run.file_sha256
        for chunk in accepted:
            _publish_chunk(conn, chunk, now, same_file, counts, seen)
            if not full_delivery and chunk:  # fixed in this partial delivery: out of quarantine
                conn.execute(delete(t.quarantine).where(t.quarantine.c.source == source,
                                                        t.quarantine.c.record_id.in_([r["id"] for r in chunk])))
        if full_delivery:
            counts.withdrawn = _withdraw_missing(conn, source, seen, now)
        if full_delivery:  # the source's quarantine is this delivery's
            conn.execute(delete(t.quarantine).where(t.quarantine.c.source == source))
        for chunk in quarantined:
            if not full_delivery and chunk:  # a partial delivery replaces its own records' entries
                ids = [q["id"] for q in chunk if q.get("id")]
                conn.execute(delete(t.quarantine).where(t.quarantine.c.source == source,
                                                        t.quarantine.c.record_id.in_(ids)))
            if chunk:
                conn.execute(insert(t.quarantine), [
                    {"run_id": run.run_id, "source": source, "record_id": q.get("id"),
                     "source_record_id": q.get("source_record_id"), "locator": q.get("locator"),
                     "raw": json.dumps(q.get("raw") or {}, ensure_ascii=False),
                     "reasons": json.dumps(q.get("reasons") or [], ensure_ascii=False)}
                    for q in chunk
                ])
        run.counts.update(asdict(counts))
        run.status, run.finished_at = "published", now
        conn.execute(insert(t.runs), [asdict(run) | {"counts": json.dumps(run.counts)}])
        _upsert_source(conn, source, country, run.file_sha256, run.run_id, now)
        from catalog import clusters  # one entry per credential: same transaction as the delivery
        clusters.refresh(conn, source, now)
    return counts


def _publish_chunk(conn: Connection, chunk: list[dict[str, Any]], now: str, same_file: bool,
                   counts: PublishCounts, seen: set[str]) -> None:
    if not chunk:
        return
    ids = [r["id"] for r in chunk]
    seen.update(ids)
    existing = {
        row.id: (row.content_hash, row.status, row.first_seen)
        for row in conn.execute(
            select(t.credentials.c.id, t.credentials.c.content_hash, t.credentials.c.status,
                   t.credentials.c.first_seen).where(t.credentials.c.id.in_(ids)))
    }
    inserts, updates, touched = [], [], []
    for rec in chunk:
        old = existing.get(rec["id"])
        if old is None:
            rec.update(first_seen=now, last_seen=now, last_changed=now, status="active")
            inserts.append(rec)
        elif old[0] != rec["content_hash"] or old[1] != "active":
            rec.update(first_seen=old[2], last_seen=now, last_changed=now, status="active")
            updates.append(rec)
        else:
            touched.append(rec["id"])
    if inserts:
        conn.execute(insert(t.credentials), [_row(r, conn.dialect.name) for r in inserts])
        fts_insert(conn, inserts)
        pg_fulltext.refresh(conn, inserts)
    if updates:
        fts_delete(conn, [r["id"] for r in updates])
        rows = [_row(rec, conn.dialect.name) for rec in updates]
        conn.execute(update(t.credentials).where(t.credentials.c.id == bindparam("key")),
                     [{**row, "key": row["id"]} for row in rows])
        fts_insert(conn, updates)
        pg_fulltext.refresh(conn, updates)
    if touched and not same_file:
        conn.execute(update(t.credentials).where(t.credentials.c.id.in_(touched)).values(last_seen=now))
    counts.new += len(inserts)
    counts.changed += len(updates)
    counts.unchanged += len(touched)


def _withdraw_missing(conn: Connection, source: str, seen: set[str], now: str) -> int:
    active = conn.execute(
        select(t.credentials.c.id).where(t.credentials.c.source == source,
                                         t.credentials.c.status == "active")).scalars().all()
    gone = [i for i in active if i not in seen]
    for start in range(0, len(gone), CHUNK):
        part = gone[start:start + CHUNK]
        conn.execute(update(t.credentials).where(t.credentials.c.id.in_(part))
                     .values(status="withdrawn", last_changed=now))
    return len(gone)


def _upsert_source(conn: Connection, key: str, country: str | None, sha: str | None, run_id: str,
                   now: str) -> None:
    values = {"country": country, "last_file_sha256": sha, "last_run_id": run_id, "updated_at": now}
    exists = conn.execute(select(t.sources.c.key).where(t.sources.c.key == key)).scalar()
    if exists:
        conn.execute(update(t.sources).where(t.sources.c.key == key).values(**values))
    else:
        conn.execute(insert(t.sources).values(key=key, **values))


def log_failed_run(engine: Engine, run: RunRecord) -> None:
    """Log a failed run; a run id already in the log (a published delivery) is never replaced."""
    with engine.begin() as conn:
        if conn.execute(select(t.runs.c.run_id).where(t.runs.c.run_id == run.run_id)).first():
            run.run_id = f"{run.run_id}-failed-{now_token()}"
        conn.execute(insert(t.runs), [asdict(run) | {"counts": json.dumps(run.counts)}])


def now_token() -> str:
    import secrets
    return secrets.token_hex(3)


# ---------------------------------------------------------------- reading


def _doc(row: Any) -> dict[str, Any]:
    rec = jsonio.loads(row.doc)
    rec.update(status=row.status, first_seen=row.first_seen, last_seen=row.last_seen,
               last_changed=row.last_changed)
    return normalise(rec)


def get(engine: Engine, record_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.credentials).where(t.credentials.c.id == record_id)).first()
        if row is None:  # also accept "source:source_record_id"? only exact ids are stable
            return None
        return _doc(row)


def iter_records(engine: Engine, *, include_withdrawn: bool = True,
                 chunk: int = 5000) -> Iterator[dict[str, Any]]:
    query = select(t.credentials).order_by(t.credentials.c.id)
    if not include_withdrawn:
        query = query.where(t.credentials.c.status == "active")
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for row in result:
            yield _doc(row)


def quarantine_entries(engine: Engine, source: str | None = None) -> list[dict[str, Any]]:
    query = select(t.quarantine).order_by(t.quarantine.c.source, t.quarantine.c.pk)
    if source:
        query = query.where(t.quarantine.c.source == source)
    with engine.connect() as conn:
        return [
            {"source": r.source, "source_record_id": r.source_record_id, "locator": r.locator,
             "raw": json.loads(r.raw), "reasons": json.loads(r.reasons)}
            for r in conn.execute(query)
        ]


def stats(engine: Engine) -> dict[str, Any]:
    c = t.credentials.c
    with engine.connect() as conn:
        per_source = [
            {"source": r.source, "active": int(r.active or 0), "withdrawn": int(r.withdrawn or 0),
             "avg_completeness": round(float(r.compl), 3) if r.compl is not None else None}
            for r in conn.execute(
                select(c.source,
                       func.sum(case((c.status == "active", 1), else_=0)).label("active"),
                       func.sum(case((c.status == "withdrawn", 1), else_=0)).label("withdrawn"),
                       func.avg(c.completeness).label("compl"))
                .group_by(c.source).order_by(c.source))
        ]
        quarantined = dict(conn.execute(
            select(t.quarantine.c.source, func.count()).group_by(t.quarantine.c.source)).all())
        by_eqf = {str(k) if k is not None else "none": v for k, v in conn.execute(
            select(c.eqf_level, func.count()).where(c.status == "active")
            .group_by(c.eqf_level).order_by(c.eqf_level)).all()}
        runs = conn.execute(select(func.count()).select_from(t.runs)).scalar()
    for row in per_source:
        row["quarantined"] = int(quarantined.pop(row["source"], 0))
    for src, n in quarantined.items():  # sources whose every record is in quarantine
        per_source.append({"source": src, "active": 0, "withdrawn": 0, "avg_completeness": None,
                           "quarantined": int(n)})
    return {
        "records": sum(r["active"] + r["withdrawn"] for r in per_source),
        "active": sum(r["active"] for r in per_source),
        "withdrawn": sum(r["withdrawn"] for r in per_source),
        "quarantined": sum(r["quarantined"] for r in per_source),
        "runs": runs, "by_eqf_level": by_eqf, "sources": per_source,
    }


def run_log(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.runs).order_by(t.runs.c.started_at.desc()).limit(limit))
        return [dict(r._mapping) | {"counts": json.loads(r.counts or "{}")} for r in rows]


def raw_sql(engine: Engine, sql: str) -> list[Any]:  # test helper for invariants
    with engine.connect() as conn:
        return list(conn.execute(text(sql)))


__all__ = ["KEYS", "connect", "publish", "get", "iter_records", "quarantine_entries", "stats"]
