"""The job, the inbox sensor (a new file starts a run for its source) and the nightly schedule."""

import json
from pathlib import Path

import dagster as dg

from pipelines.defs.assets import STAGE_ASSETS
from pipelines.defs.names import (
    API_SCHEDULE, INBOX_SENSOR, INGEST_JOB, NIGHTLY_SCHEDULE, SOURCE_TAG, SOURCES_PARTITIONS,
)
from pipelines.defs.partitions import sources_partitions
from pipelines.defs.resources import ClearinghouseResource

ingest_job = dg.define_asset_job(INGEST_JOB, selection=dg.AssetSelection.assets(*STAGE_ASSETS),
                                 partitions_def=sources_partitions)


def _landing_config(path: str) -> dg.RunConfig:
    return dg.RunConfig(ops={"landed": {"config": {"path": path}}})


def scan_inbox(home, cursor: dict[str, str]) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """New or changed files under <home>/inbox/<source>/: (source, path, signature) each."""
    found, new_cursor = [], dict(cursor)
    inbox = home / "inbox"
    if not inbox.exists():
        return found, new_cursor
    for source_dir in sorted(p for p in inbox.iterdir() if p.is_dir()):
        for f in sorted(source_dir.iterdir()):
            if not f.is_file() or f.name.startswith(".") or f.name.endswith(".part") or f.name.endswith(".tmp"):
                continue
            st = f.stat()
            sig = f"{st.st_mtime_ns}:{st.st_size}"
            if cursor.get(str(f)) != sig:
                found.append((source_dir.name, str(f), sig))
                new_cursor[str(f)] = sig
    return found, new_cursor


@dg.sensor(name=INBOX_SENSOR, job=ingest_job, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, clearinghouse: ClearinghouseResource):
    cursor = json.loads(context.cursor) if context.cursor else {}
    found, new_cursor = scan_inbox(clearinghouse.home_path(), cursor)
    if not found:
        return dg.SkipReason("no new file in the inbox")
    newest: dict[str, tuple[str, str]] = {}  # one run per source: its newest new file
    for source, path, sig in found:
        if source not in newest or Path(path).stat().st_mtime_ns >= Path(newest[source][0]).stat().st_mtime_ns:
            newest[source] = (path, sig)
    sources = sorted(newest)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"{s}:{p}:{sig}", partition_key=s, run_config=_landing_config(p),
                                    tags={SOURCE_TAG: s, "clearinghouse/file": p})
                      for s, (p, sig) in sorted(newest.items())],
        dynamic_partitions_requests=[sources_partitions.build_add_request(sources)],
        cursor=json.dumps(new_cursor, sort_keys=True),
    )


@dg.schedule(name=NIGHTLY_SCHEDULE, job=ingest_job, cron_schedule="0 2 * * *",
             execution_timezone="Europe/Brussels")
def nightly_all_sources(context: dg.ScheduleEvaluationContext, clearinghouse: ClearinghouseResource):
    """Every registered file source, each its own partition run, every night (web API sources
    have their own hourly schedule)."""
    registered = clearinghouse.registered()
    keys = sorted(k for k, spec in registered.items() if spec.path is not None)
    existing = set(context.instance.get_dynamic_partitions(SOURCES_PARTITIONS))
    missing = [k for k in keys if k not in existing]
    if missing:
        context.instance.add_dynamic_partitions(SOURCES_PARTITIONS, missing)
    date = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [dg.RunRequest(run_key=f"{k}:{date}", partition_key=k, tags={SOURCE_TAG: k},
                          run_config=_landing_config(str(registered[k].path))) for k in keys]


@dg.schedule(name=API_SCHEDULE, job=ingest_job, cron_schedule="0 * * * *", execution_timezone="Europe/Brussels")
def hourly_api_sources(context: dg.ScheduleEvaluationContext, clearinghouse: ClearinghouseResource):
    """Web API sources (registered with `url:`), every hour: an unchanged API costs one
    conditional request and its run publishes nothing new."""
    specs = [s for s in clearinghouse.registered().values() if s.url]
    if not specs:
        return dg.SkipReason("no web API source is registered")
    keys = sorted(s.key for s in specs)
    existing = set(context.instance.get_dynamic_partitions(SOURCES_PARTITIONS))
    missing = [k for k in keys if k not in existing]
    if missing:
        context.instance.add_dynamic_partitions(SOURCES_PARTITIONS, missing)
    hour = context.scheduled_execution_time.strftime("%Y-%m-%dT%H")
    return [dg.RunRequest(run_key=f"{k}:{hour}", partition_key=k, tags={SOURCE_TAG: k}) for k in keys]
