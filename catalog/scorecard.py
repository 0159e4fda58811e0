"""Quality scorecard of each source (institution): its records' completeness, the share of each
Annex I element present, its quality flags, and quarantine counts over its runs (run log) with the
reasons of its current quarantine, aggregated by field and rule (no raw values: those are for
operators only, as in the API)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from catalog import store
from catalog import tables as t
from clearinghouse.descriptor import ANNEX_I_ELEMENTS, annex_i_present

RUNS_SHOWN = 50


def _run_row(r: Any) -> dict[str, Any]:
    return dict(r._mapping) | {"counts": json.loads(r.counts or "{}")}


def overview(engine: Engine) -> list[dict[str, Any]]:
    """One row per source: store.stats' counts plus its number of runs and its latest run."""
    rows = store.stats(engine)["sources"]
    runs = t.runs.c
    with engine.connect() as conn:
        n_runs = dict(conn.execute(select(runs.source, func.count()).group_by(runs.source)).all())
        newest = (select(runs.source, func.max(runs.started_at).label("started"))
                  .group_by(runs.source).subquery())
        joined = t.runs.join(newest, (newest.c.source == runs.source) & (newest.c.started == runs.started_at))
        last = {r.source: _run_row(r)
                for r in conn.execute(select(t.runs).select_from(joined).order_by(runs.run_id))}
    known = {r["source"] for r in rows}
    for source in sorted(set(n_runs) - known):  # every delivery failed: no record, no quarantine
        rows.append({"source": source, "active": 0, "withdrawn": 0, "avg_completeness": None,
                     "quarantined": 0})
    for row in rows:
        row["runs"] = int(n_runs.get(row["source"], 0))
        row["last_run"] = last.get(row["source"])
    return rows


def for_source(engine: Engine, source: str) -> dict[str, Any] | None:
    """The scorecard of one source, or None when the catalogue has never heard of it."""
    c = t.credentials.c
    present: Counter[str] = Counter()
    flags: Counter[tuple[str, str]] = Counter()
    status: Counter[str] = Counter()
    compl_sum, compl_n = 0.0, 0
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(t.credentials).where(c.source == source))
        for row in result:
            rec = store._doc(row)
            status[rec["status"]] += 1
            for key, ok in annex_i_present(rec).items():
                present[key] += ok
            for flag in rec.get("quality_flags") or []:
                flags[(str(flag.get("field") or ""), str(flag.get("code") or ""))] += 1
            if rec.get("completeness") is not None:
                compl_sum += float(rec["completeness"])
                compl_n += 1
        runs = [_run_row(r) for r in conn.execute(
            select(t.runs).where(t.runs.c.source == source)
            .order_by(t.runs.c.started_at.desc(), t.runs.c.run_id.desc()))]
        quarantine_rows = conn.execute(
            select(t.quarantine.c.reasons).where(t.quarantine.c.source == source)).scalars().all()
    records = sum(status.values())
    if not records and not runs and not quarantine_rows:
        return None
    reasons: Counter[tuple[str, str]] = Counter()
    for raw in quarantine_rows:
        for reason in {(str(r.get("field") or ""), str(r.get("rule") or "")) for r in json.loads(raw)}:
            reasons[reason] += 1
    read = sum(int(r["counts"].get("read") or 0) for r in runs)
    quarantined = sum(int(r["counts"].get("quarantined") or 0) for r in runs)
    return {
        "source": source,
        "records": records, "active": status["active"], "withdrawn": status["withdrawn"],
        "mean_completeness": round(compl_sum / compl_n, 3) if compl_n else None,
        "elements": [{"key": key, "label": label, "present": present[key],
                      "share": present[key] / records if records else None}
                     for key, label in ANNEX_I_ELEMENTS.items()],
        "flags": [{"field": f, "code": code, "count": n} for (f, code), n in flags.most_common()],
        "quarantined_now": len(quarantine_rows),
        "reasons": [{"field": f, "rule": rule, "count": n}
                    for (f, rule), n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
        "runs": runs[:RUNS_SHOWN], "runs_total": len(runs),
        "runs_read": read, "runs_quarantined": quarantined,
        "runs_failed": sum(1 for r in runs if r["status"] != "published"),
    }


__all__ = ["overview", "for_source"]
