"""Blocking checks in front of publishing: the accepted records pass the GX descriptor suite and
nothing was lost (read = accepted + quarantined)."""

import dagster as dg

from clearinghouse import jsonio, pipeline
from pipelines.defs.assets import validated
from pipelines.defs.names import CHECK_DESCRIPTOR_SUITE, CHECK_NOTHING_LOST
from pipelines.defs.partitions import sources_partitions
from pipelines.defs.resources import ClearinghouseResource


@dg.asset_check(asset=validated, name=CHECK_DESCRIPTOR_SUITE, blocking=True, partitions_def=sources_partitions,
                description="Every accepted record passes the Great Expectations descriptor suite.")
def descriptor_suite_passes(context: dg.AssetCheckExecutionContext,
                            clearinghouse: ClearinghouseResource) -> dg.AssetCheckResult:
    from expectations.validate import validate as run_suite

    home = clearinghouse.home_path()
    source = context.partition_key
    accepted_dir = pipeline.work_dir(home, source) / "accepted"
    failures, rows = 0, 0
    examples: list[str] = []
    for part in sorted(accepted_dir.glob("part-*.jsonl")):
        records = list(jsonio.read_jsonl(part))
        verdict = run_suite(records)
        rows += len(records)
        failures += len(verdict.reasons)
        for pos, reasons in list(verdict.reasons.items())[:5]:
            examples.append(f"{records[pos]['provenance']['locator']}: {reasons[0]['message']}")
    return dg.AssetCheckResult(passed=failures == 0, metadata={
        "accepted_rows": rows, "failing_rows": failures, "examples": dg.MetadataValue.json(examples)})


@dg.asset_check(asset=validated, name=CHECK_NOTHING_LOST, blocking=True, partitions_def=sources_partitions,
                description="Records read = accepted + quarantined.")
def nothing_lost(context: dg.AssetCheckExecutionContext,
                 clearinghouse: ClearinghouseResource) -> dg.AssetCheckResult:
    m = pipeline.read_manifest(clearinghouse.home_path(), context.partition_key)
    read, acc, qua = m.counts.get("read", -1), m.counts.get("accepted", 0), m.counts.get("quarantined", 0)
    return dg.AssetCheckResult(passed=read == acc + qua,
                               metadata={"read": read, "accepted": acc, "quarantined": qua})


CHECKS = [descriptor_suite_passes, nothing_lost]
