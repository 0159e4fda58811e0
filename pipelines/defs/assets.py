"""One asset per stage, partitioned by source. Thin: each calls clearinghouse.pipeline."""

from pathlib import Path

import dagster as dg

from clearinghouse import pipeline
from pipelines.defs.partitions import sources_partitions
from pipelines.defs.resources import ClearinghouseResource

GROUP = "delivery"


class LandingConfig(dg.Config):
    """Which file to land. Empty path: the newest file in <home>/inbox/<source>/, else the path
    registered for the source in the sources registry."""
    path: str = ""
    country: str = ""
    mapping: str = ""
    format: str = "auto"
    partial: bool = False


def _newest_inbox_file(home: Path, source: str) -> Path | None:
    inbox = home / "inbox" / source
    files = [p for p in inbox.glob("*") if p.is_file() and not p.name.startswith(".")] if inbox.exists() else []
    return max(files, key=lambda p: (p.stat().st_mtime_ns, p.name)) if files else None


def _archive_if_inbox(home: Path, source: str, path: Path) -> None:
    """A landed inbox file moves to inbox/<source>/.done/ (its copy is in landing/), so an old
    file never stands in for a later delivery."""
    inbox = home / "inbox" / source
    if Path(path).resolve().parent == inbox.resolve():
        done = inbox / ".done"
        done.mkdir(exist_ok=True)
        Path(path).replace(done / Path(path).name)


def _fail(exc: Exception) -> dg.Failure:
    return dg.Failure(description=str(exc), allow_retries=False)


@dg.asset(partitions_def=sources_partitions, group_name=GROUP, kinds={"python"})
def landed(context: dg.AssetExecutionContext, config: LandingConfig,
           clearinghouse: ClearinghouseResource) -> dg.MaterializeResult:
    """The delivery stored immutably under landing/<source>/<sha256>.<ext>."""
    source = context.partition_key
    home = clearinghouse.home_path()
    spec = clearinghouse.registered().get(source)
    path = Path(config.path) if config.path else (_newest_inbox_file(home, source) or (spec.path if spec else None))
    fmt = config.format if config.format != "auto" else (spec.format if spec else "auto")
    if path is None and spec is not None and spec.url:  # a web API source: harvest it first
        try:
            path, result = pipeline.harvest_api(home, source, spec.url, **spec.api)
        except (pipeline.PipelineError, pipeline.ConfigError) as exc:
            pipeline.log_failure(home, source, clearinghouse.url(), str(exc), spec.url)
            raise _fail(exc) from None
        context.log.info(f"harvested {spec.url}: {result.status}, {result.records} records, "
                         f"{result.requests} requests")
        fmt = "json"
    if path is None:
        raise dg.Failure(description=f"source '{source}': no file given, none in the inbox and not registered")
    try:
        m = pipeline.land(
            home, source, path,
            country=config.country or (spec.country if spec else None),
            fmt=fmt,
            mapping=Path(config.mapping) if config.mapping else (spec.mapping if spec else None),
            partial=config.partial or (spec.partial if spec else False))
    except (pipeline.PipelineError, pipeline.ConfigError) as exc:
        pipeline.log_failure(home, source, clearinghouse.url(), str(exc), str(path))
        raise _fail(exc) from None
    _archive_if_inbox(home, source, path)
    return dg.MaterializeResult(metadata={"file": m.original_path, "sha256": m.file_sha256,
                                          "run_id": m.run_id})


def _stage(fn, context: dg.AssetExecutionContext, clearinghouse: ClearinghouseResource, **kw):
    home = clearinghouse.home_path()
    try:
        return fn(home, context.partition_key, **kw)
    except (pipeline.PipelineError, pipeline.ConfigError) as exc:
        pipeline.log_failure(home, context.partition_key, clearinghouse.url(), str(exc))
        raise _fail(exc) from None


@dg.asset(partitions_def=sources_partitions, group_name=GROUP, deps=[landed], kinds={"python"})
def parsed(context: dg.AssetExecutionContext, clearinghouse: ClearinghouseResource) -> dg.MaterializeResult:
    """Raw batches: the source's own columns as strings, with a locator per record."""
    m = _stage(pipeline.parse, context, clearinghouse)
    return dg.MaterializeResult(metadata={
        "records_read": m.counts["read"], "format": m.format,
        "columns_mapped": dg.MetadataValue.json(m.columns), "unmapped": dg.MetadataValue.json(m.unmapped),
        "warnings": dg.MetadataValue.json(m.warnings)})


@dg.asset(partitions_def=sources_partitions, group_name=GROUP, deps=[parsed], kinds={"python"})
def harmonised(context: dg.AssetExecutionContext, clearinghouse: ClearinghouseResource) -> dg.MaterializeResult:
    """Descriptor records: EQF, ECTS, languages, modes ... with flags and provenance."""
    m = _stage(pipeline.harmonise, context, clearinghouse)
    return dg.MaterializeResult(metadata={"records": m.counts["harmonised"],
                                          "duplicate_ids": len(m.duplicates)})


@dg.asset(partitions_def=sources_partitions, group_name=GROUP, deps=[harmonised], kinds={"python"})
def validated(context: dg.AssetExecutionContext, clearinghouse: ClearinghouseResource) -> dg.MaterializeResult:
    """Accepted records and the quarantine (every reason kept), by the GX descriptor suite."""
    m = _stage(pipeline.validate, context, clearinghouse)
    return dg.MaterializeResult(metadata={k: m.counts[k] for k in ("read", "accepted", "quarantined")})


@dg.asset(partitions_def=sources_partitions, group_name=GROUP, deps=[validated], kinds={"sqlite"})
def published(context: dg.AssetExecutionContext, clearinghouse: ClearinghouseResource) -> dg.MaterializeResult:
    """The catalogue: upsert by id, withdrawn records kept, the source's quarantine replaced."""
    m = _stage(pipeline.publish, context, clearinghouse, catalog_url=clearinghouse.url())
    return dg.MaterializeResult(metadata={k: m.counts.get(k, 0) for k in
                                          ("new", "changed", "unchanged", "withdrawn", "quarantined")})


STAGE_ASSETS = [landed, parsed, harmonised, validated, published]
