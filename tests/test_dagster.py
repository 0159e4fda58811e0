"""The Dagster definitions: they load, one source partition materialises through every stage to
the catalogue (checks included), a failing blocking check stops publishing, the inbox sensor
starts a run per new file, and the nightly schedule asks for every registered source."""
from __future__ import annotations

import json
import os
import shutil

import dagster as dg
import pytest

from catalog import store
from clearinghouse import descriptor as d
from clearinghouse import pipeline
from pipelines.defs.assets import STAGE_ASSETS
from pipelines.defs.automation import inbox_sensor, nightly_all_sources, scan_inbox
from pipelines.defs.checks import CHECKS
from pipelines.defs.names import CHECK_DESCRIPTOR_SUITE, CHECK_NOTHING_LOST, SOURCES_PARTITIONS
from pipelines.defs.resources import ClearinghouseResource
from tests.conftest import REPO

SOURCE = "ie-nfq-microcreds"


def test_definitions_load_with_the_asset_graph():
    from pipelines.definitions import defs

    # resolved under an instance of its own, as `dagster dev` loads them: Dagster keeps the current
    # instance's state storage in a context variable, which an earlier test in the same process
    # may have left pointing at an instance whose folder is gone
    with dg.instance_for_test():
        graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"landed", "parsed", "harmonised", "validated", "published"}
    assert defs.resolve_job_def("ingest_source") is not None
    checks = {k.name for k in graph.asset_check_keys}
    assert checks == {CHECK_DESCRIPTOR_SUITE, CHECK_NOTHING_LOST}


@pytest.fixture()
def instance():
    with dg.instance_for_test() as inst:
        inst.add_dynamic_partitions(SOURCES_PARTITIONS, [SOURCE])
        yield inst


def test_materialise_one_source_partition(tmp_path, instance):
    home = tmp_path / "home"
    res = dg.materialize([*STAGE_ASSETS, *CHECKS], partition_key=SOURCE, instance=instance,
                         resources={"clearinghouse": ClearinghouseResource(home=str(home))})
    assert res.success
    mats = {e.asset_key.to_user_string(): e.materialization.metadata
            for e in res.get_asset_materialization_events()}
    assert set(mats) == {"landed", "parsed", "harmonised", "validated", "published"}
    assert mats["validated"]["read"].value == 16 and mats["validated"]["quarantined"].value == 2
    checks = {e.check_name: e.passed for e in res.get_asset_check_evaluations()}
    assert checks == {CHECK_DESCRIPTOR_SUITE: True, CHECK_NOTHING_LOST: True}
    engine = store.connect(store.catalog_url(home))
    rec = store.get(engine, d.record_id(SOURCE, "MC-DATA-6101")) or next(
        r for r in store.iter_records(engine))
    assert rec["source"] == SOURCE and rec["status"] == "active"
    assert store.stats(engine)["active"] == 14


def test_failing_blocking_check_stops_publishing(tmp_path, instance, monkeypatch):
    home = tmp_path / "home"
    resources = {"clearinghouse": ClearinghouseResource(home=str(home))}
    real_validate = pipeline.validate

    def leaky_validate(h, source, **kw):  # a defect that lets an invalid record through
        m = real_validate(h, source, **kw)
        acc = sorted((pipeline.work_dir(h, source) / "accepted").glob("part-*.jsonl"))[0]
        rows = [json.loads(x) for x in acc.read_text(encoding="utf-8").splitlines()]
        rows[0]["eqf_level"] = 11
        acc.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return m

    monkeypatch.setattr(pipeline, "validate", leaky_validate)
    res = dg.materialize([*STAGE_ASSETS, *CHECKS], partition_key=SOURCE, instance=instance,
                         resources=resources, raise_on_error=False)
    checks = {e.check_name: e.passed for e in res.get_asset_check_evaluations()}
    assert checks[CHECK_DESCRIPTOR_SUITE] is False
    published = [e for e in res.get_asset_materialization_events()
                 if e.asset_key.to_user_string() == "published"]
    assert published == []
    assert not (home / "catalog.sqlite").exists() or store.stats(
        store.connect(store.catalog_url(home)))["active"] == 0


def test_inbox_sensor_requests_a_run_per_new_file(tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox" / "pl-prk-kursy"
    inbox.mkdir(parents=True)
    shutil.copy(REPO / "samples" / "pl_prk_kursy.csv", inbox / "kursy.csv")
    with dg.build_sensor_context(resources={"clearinghouse": ClearinghouseResource(home=str(home))}) as ctx:
        result = inbox_sensor(ctx)
    assert [r.partition_key for r in result.run_requests] == ["pl-prk-kursy"]
    assert result.run_requests[0].run_config["ops"]["landed"]["config"]["path"] == str(inbox / "kursy.csv")
    assert result.run_requests[0].tags["clearinghouse/source"] == "pl-prk-kursy"
    assert result.dynamic_partitions_requests[0].partition_keys == ["pl-prk-kursy"]
    # the cursor remembers the file: nothing new on the next tick, a changed file is new again
    found, cursor = scan_inbox(home, json.loads(result.cursor))
    assert found == []
    (inbox / "kursy.csv").write_bytes((inbox / "kursy.csv").read_bytes() + b"\n")
    found, _ = scan_inbox(home, cursor)
    assert [f[0] for f in found] == ["pl-prk-kursy"]


def test_nightly_schedule_requests_every_registered_source(tmp_path, instance):
    home = tmp_path / "home"
    ctx = dg.build_schedule_context(instance=instance,
                                    resources={"clearinghouse": ClearinghouseResource(home=str(home))},
                                    scheduled_execution_time=__import__("datetime").datetime(2026, 11, 28, 2))
    requests = nightly_all_sources(ctx)
    keys = sorted(r.partition_key for r in requests)
    assert "de-hs-weiterbildung" in keys and len(keys) == 8
    assert set(keys) <= set(instance.get_dynamic_partitions(SOURCES_PARTITIONS))
    de = next(r for r in requests if r.partition_key == "de-hs-weiterbildung")
    assert de.run_config["ops"]["landed"]["config"]["path"].endswith("samples/de_hochschule_weiterbildung.csv")
    assert de.tags["clearinghouse/source"] == "de-hs-weiterbildung"


def test_one_run_per_source_for_several_new_files(tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox" / "pl-prk-kursy"
    inbox.mkdir(parents=True)
    for n, name in enumerate(("old.csv", "new.csv")):
        shutil.copy(REPO / "samples" / "pl_prk_kursy.csv", inbox / name)
        os.utime(inbox / name, ns=(n * 10**9, n * 10**9))
    with dg.build_sensor_context(resources={"clearinghouse": ClearinghouseResource(home=str(home))}) as ctx:
        result = inbox_sensor(ctx)
    assert [r.run_config["ops"]["landed"]["config"]["path"] for r in result.run_requests] == [str(inbox / "new.csv")]


def test_postgres_instance_runs_and_stores_the_materialisation(tmp_path, monkeypatch):
    """pipelines/dagster-postgres.yaml: run and event storage in PostgreSQL."""
    from tests.pg import fresh_postgres_database

    with fresh_postgres_database() as url:
        dagster_home = tmp_path / "dagster"
        dagster_home.mkdir()
        shutil.copy(REPO / "pipelines" / "dagster-postgres.yaml", dagster_home / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_PG_URL", url.replace("postgresql+psycopg://", "postgresql+psycopg2://"))
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            instance.add_dynamic_partitions(SOURCES_PARTITIONS, ["pl-prk-kursy"])
            res = dg.materialize([*STAGE_ASSETS, *CHECKS], partition_key="pl-prk-kursy", instance=instance,
                                 resources={"clearinghouse": ClearinghouseResource(home=str(tmp_path / "home"))})
            assert res.success
            stored = instance.get_latest_materialization_event(dg.AssetKey("published"))
            assert stored is not None and stored.dagster_event.partition == "pl-prk-kursy"
