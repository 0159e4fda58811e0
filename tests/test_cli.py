"""The command line end to end on the shipped samples: summaries, exact JSON keys, exports,
idempotency, withdrawal, and one clear error line (never a traceback) on bad input."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clearinghouse.descriptor import KEYS
from tests.conftest import REPO, run_cli

SAMPLES = REPO / "samples"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    res = run_cli("run", "--output", "json", home=home)
    return home, json.loads(res.stdout)


def test_run_ingests_every_sample_and_loses_nothing(demo_home):
    _, rows = demo_home
    by_source = {r["source"]: r for r in rows}
    assert len(by_source) == 8
    for r in rows:
        assert r["read"] == r["accepted"] + r["quarantined"], r
        assert r["new"] == r["accepted"]
    # broken rows on purpose, as samples/README.md lists them: (read, quarantined)
    assert {k: (r["read"], r["quarantined"]) for k, r in by_source.items()} == {
        "de-hs-weiterbildung": (20, 4),  # DQR 9, no title, an id used twice (both rows)
        "ie-nfq-microcreds": (16, 2),  # NFQ 11, ECTS -5
        # accepted with a flag, the field empty (README "Accepted, flagged, quarantined"):
        # LP "viele", Klingon, CATS "TBC", Pays "Atlantis", "angileski"
        "uk-rqf-short-courses": (18, 0),
        "fr-cncp-formations": (16, 0),
        "pl-prk-kursy": (15, 0),
        "mooc-learnarc": (14, 2),  # no title, -10 hours
        "scot-scqf-courses": (14, 1),  # a line that is not JSON
        "es-valdeserra-microcredenciales": (12, 1),  # EQF 9
    }


def test_search_json_has_exactly_the_spec_keys(demo_home):
    home, _ = demo_home
    res = run_cli("search", "data", "--format", "json", "--limit", "50", home=home)
    found = json.loads(res.stdout)
    assert found, "the samples have data courses"
    for rec in found:
        assert list(rec) == list(KEYS)
        assert rec["status"] == "active"


def test_search_filters_and_diacritics(demo_home):
    home, _ = demo_home
    found = json.loads(run_cli("search", "kunstliche", "--format", "json", home=home).stdout)
    assert found and all("Künstlich" in r["title"] or "künstlich" in (r["description"] or "").lower()
                         for r in found)
    found = json.loads(run_cli("search", "--eqf", "7", "--country", "IE", "--format", "json", home=home).stdout)
    assert found and {(r["eqf_level"], r["country"]) for r in found} == {(7, "IE")}
    found = json.loads(run_cli("search", "--language", "ga", "--format", "json", home=home).stdout)
    assert found and all("ga" in r["languages"] for r in found)
    found = json.loads(run_cli("search", "--mode", "blended", "--ects-min", "5", "--ects-max", "10",
                               "--format", "json", home=home).stdout)
    assert found and all(r["participation_mode"] == "blended" and 5 <= r["ects"] <= 10 for r in found)
    res = run_cli("search", "data", "--format", "csv", home=home)
    header = next(csv.reader(res.stdout.splitlines()))
    assert header == list(KEYS)


def test_show_and_quarantine_json(demo_home):
    home, _ = demo_home
    first = json.loads(run_cli("search", "--source", "ie-nfq-microcreds", "--format", "json", "--limit", "1",
                               home=home).stdout)[0]
    shown = json.loads(run_cli("show", first["id"], "--format", "json", home=home).stdout)
    assert list(shown) == list(KEYS) and shown["id"] == first["id"]
    assert shown["provenance"]["locator"].startswith("sheet ")
    assert shown["provenance"]["file_sha256"] and shown["provenance"]["fields"]["eqf_level"]
    entries = json.loads(run_cli("quarantine", "--source", "ie-nfq-microcreds", "--format", "json",
                                 home=home).stdout)
    assert {e["source_record_id"] for e in entries} == {"MC-COMP-1115", "MC-EDU-7116"}
    for e in entries:
        assert set(e) == {"source", "source_record_id", "locator", "raw", "reasons"}
        assert e["locator"].startswith("sheet ") and e["raw"]
        assert all(set(r) == {"field", "rule", "message"} for r in e["reasons"])
    nfq11 = next(e for e in entries if e["source_record_id"] == "MC-COMP-1115")
    assert any(r["field"] == "nqf" and r["rule"] == "not-in-framework" for r in nfq11["reasons"])
    # an unknown language is no longer a reason to quarantine: accepted, flagged, kept raw
    assert json.loads(run_cli("quarantine", "--source", "uk-rqf-short-courses", "--format", "json",
                              home=home).stdout) == []
    uk = json.loads(run_cli("search", "--source", "uk-rqf-short-courses", "--format", "json", "--limit", "50",
                            home=home).stdout)
    klingon = next(r for r in uk if r["source_record_id"] == "KMC-KLI-102")
    assert klingon["languages"] == [] and klingon["provenance"]["raw"] == {"languages": "Klingon"}
    assert any(f["field"] == "languages" and f["code"] == "unknown-code" and "Klingon" in f["message"]
               for f in klingon["quality_flags"])
    tbc = next(r for r in uk if r["source_record_id"] == "KMC-DAT-405")
    assert tbc["ects"] is None and tbc["provenance"]["raw"]["credit"] == "TBC"


def test_exports_hold_every_record(demo_home, tmp_path):
    home, rows = demo_home
    total = sum(r["accepted"] for r in rows)
    run_cli("export", str(tmp_path / "c.parquet"), "--format", "parquet", home=home)
    table = pq.read_table(tmp_path / "c.parquet")
    assert table.num_rows == total and table.column_names == list(KEYS)
    assert set(table.column("eqf_level").to_pylist()) - {None} <= set(range(1, 9))
    run_cli("export", str(tmp_path / "c.csv"), "--format", "csv", home=home)
    with open(tmp_path / "c.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == total
    run_cli("export", str(tmp_path / "c.jsonl"), "--format", "jsonl", home=home)
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == total and list(json.loads(lines[0])) == list(KEYS)


def _catalogue(home: Path, tmp: Path) -> list[dict]:
    out = tmp / f"{home.name}.jsonl"
    run_cli("export", str(out), "--format", "jsonl", home=home)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_rerun_is_idempotent(demo_home, tmp_path):
    home, _ = demo_home
    before = _catalogue(home, tmp_path)
    rows = json.loads(run_cli("run", "--output", "json", home=home).stdout)
    assert all(r["new"] == 0 and r["changed"] == 0 and r["withdrawn"] == 0 for r in rows)
    assert _catalogue(home, tmp_path) == before  # not even last_seen moves for the same file
    # a second machine (home) gives the same records: same ids, same content hashes
    other = tmp_path / "other"
    run_cli("run", "--output", "json", home=other)
    strip = lambda recs: [(r["id"], r["content_hash"]) for r in recs]  # noqa: E731
    assert strip(_catalogue(other, tmp_path)) == strip(before)


def test_withdrawn_when_missing_from_newer_full_delivery(tmp_path):
    home = tmp_path / "h"
    src = SAMPLES / "uk_rqf_short_courses.csv"
    run_cli("ingest", str(src), "--source", "kmc", "--country", "GB", home=home)
    lines = src.read_bytes().splitlines(keepends=True)
    assert lines[-3].startswith(b"KMC-HSC-203,")
    newer = tmp_path / "newer.csv"
    newer.write_bytes(b"".join(lines[:-3] + lines[-2:]))  # KMC-HSC-203 is gone
    res = json.loads(run_cli("ingest", str(newer), "--source", "kmc", "--output", "json", home=home).stdout)[0]
    assert (res["read"], res["new"], res["changed"], res["withdrawn"]) == (17, 0, 0, 1)
    found = json.loads(run_cli("search", "--source", "kmc", "--include-withdrawn", "--format", "json",
                               "--limit", "100", home=home).stdout)
    withdrawn = [r for r in found if r["status"] == "withdrawn"]
    assert [r["source_record_id"] for r in withdrawn] == ["KMC-HSC-203"]
    active = json.loads(run_cli("search", "Health and Social Care", "--source", "kmc", "--format", "json",
                                home=home).stdout)
    assert active == []  # withdrawn records are kept but not found by default


BAD_FILES = {
    "empty.csv": b"",
    "header_only.csv": "Kursnummer;Titel;Niveau\r\n".encode("cp1252"),
    "garbage.csv": bytes(range(256)) * 64,
    "not_really.xlsx": b"Course Code,Course Title\nA1,Data Analysis\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_one_clear_line(name, tmp_path):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    res = run_cli("ingest", str(path), "--source", "bad", "--country", "DE", home=tmp_path / "h", check=False)
    if name == "not_really.xlsx":  # read by content, not by extension
        assert res.returncode == 0, res.stderr
        return
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and name in lines[0], res.stderr


@pytest.mark.parametrize("args, words", [
    (["ingest", "/nonexistent/file.csv", "--source", "x"], "no such file"),
    (["ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "x", "--country", "XX"], "--country XX"),
    (["ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "../etc"], "--source"),
    (["ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "x", "--mapping", "/nope.yaml"], "mapping"),
    (["show", "nope:123"], "no record"),
    (["search", "--type", "diploma"], "--type"),
    (["search", "--mode", "hybrid"], "--mode"),
    (["search", "--eqf", "9"], "--eqf"),
    (["search", "--format", "xml"], "--format"),
    (["search", "--language", "english"], "--language"),
    (["quarantine", "--source", "nosuch"], "--source nosuch"),
    (["ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--country", "PL"], "--source"),
])
def test_bad_command_lines(args, words, tmp_path):
    res = run_cli(*args, home=tmp_path / "h", check=False)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and words in res.stderr, res.stderr
    assert "internal error" not in res.stderr
    assert len([ln for ln in res.stderr.splitlines() if ln.strip()]) == 1, res.stderr


def test_unusable_home_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = run_cli("stats", home=afile, check=False)
    assert res.returncode == 1 and res.stderr.startswith("error: --home") and "Traceback" not in res.stderr


def test_file_over_the_size_limit_is_one_line(tmp_path):
    res = run_cli("ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "pl", home=tmp_path / "h",
                  check=False, env={"CLEARINGHOUSE_MAX_FILE_MB": "0.001"})
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith("error: pl_prk_kursy.csv: the file is") and "limit" in res.stderr


def test_failed_run_is_logged(tmp_path):
    home = tmp_path / "h"
    (tmp_path / "empty.csv").write_bytes(b"")
    run_cli("ingest", str(tmp_path / "empty.csv"), "--source", "s1", home=home, check=False)
    log = json.loads(run_cli("runs", "--format", "json", home=home).stdout)
    assert log[0]["status"] == "failed" and "empty" in log[0]["message"]


def test_source_keys_never_leave_the_home(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    registry = tmp_path / "sources.yaml"
    registry.write_text(f"sources:\n  - key: ../../victim\n    path: {SAMPLES / 'pl_prk_kursy.csv'}\n")
    res = run_cli("run", "--sources", str(registry), home=tmp_path / "h" / "home", check=False)
    assert res.returncode == 1 and "source key '../../victim'" in res.stderr and "Traceback" not in res.stderr
    assert (victim / "keep.txt").read_text() == "keep" and sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


def test_a_source_runs_one_delivery_at_a_time(tmp_path):
    import fcntl
    from clearinghouse import pipeline

    home = tmp_path / "h"
    with pipeline.source_lock(home, "pl"):
        res = run_cli("ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "pl", home=home, check=False)
    assert res.returncode == 1 and "being processed by another run" in res.stderr
    assert fcntl  # the lock is an flock on <home>/locks/<source>.lock
    run_cli("ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "pl", home=home)  # free again


def test_failed_ingest_never_replaces_a_published_run(tmp_path):
    home = tmp_path / "h"
    run_cli("ingest", str(SAMPLES / "pl_prk_kursy.csv"), "--source", "pl", home=home)
    run_cli("ingest", str(tmp_path / "missing.csv"), "--source", "pl", home=home, check=False)
    log = json.loads(run_cli("runs", "--format", "json", home=home).stdout)
    assert sorted(r["status"] for r in log) == ["failed", "published"]


def test_elm_export_conforms_to_the_loq_shapes(demo_home, tmp_path):
    from rdflib import Graph

    from catalog.elm_export import validate_elm

    home, rows = demo_home
    out = tmp_path / "catalogue.ttl"
    res = run_cli("export", str(out), "--format", "elm-ttl", home=home)
    written = int(res.stderr.split("wrote ")[1].split(" ")[0])
    reported = res.stderr.count("not exported:")
    assert written + reported == sum(r["accepted"] for r in rows) and written > 0
    graph = Graph().parse(out, format="turtle")
    conforms, results = validate_elm(graph)
    assert conforms, results[:3]


def test_sparql_over_the_catalogue(demo_home):
    home, _ = demo_home
    res = run_cli("sparql", "SELECT (COUNT(?s) AS ?n) WHERE { ?s ch:eqfLevel 6 }", "--format", "json", home=home)
    found = json.loads(run_cli("search", "--eqf", "6", "--format", "json", "--limit", "1000", home=home).stdout)
    assert json.loads(res.stdout) == [{"n": str(len(found))}]
    bad = run_cli("sparql", "SELEC nothing", home=home, check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("error: invalid SPARQL query") and "Traceback" not in bad.stderr


def test_validate_reports_per_node_and_exit_status(demo_home, tmp_path):
    from rdflib import Graph, URIRef

    home, _ = demo_home
    good = tmp_path / "good.ttl"
    run_cli("export", str(good), "--format", "elm-ttl", home=home)
    ok = run_cli("validate", str(good), "--profile", "loq", "--format", "json", home=home)
    assert json.loads(ok.stdout)["conforms"] is True and json.loads(ok.stdout)["records"] == []
    graph = Graph().parse(good, format="turtle")
    legal = URIRef("http://www.w3.org/ns/regorg#legalName")
    org = next(graph.subjects(legal, None))
    graph.remove((org, legal, None))
    bad = tmp_path / "bad.ttl"
    graph.serialize(bad, format="turtle")
    res = run_cli("validate", str(bad), "--profile", "loq", "--format", "json", home=home, check=False)
    assert res.returncode == 1
    report = json.loads(res.stdout)
    assert report["conforms"] is False
    assert [r["locator"] for r in report["records"]] == [str(org)]
    assert any("legalName" in p for p in report["records"][0]["problems"])
    wrong = run_cli("validate", str(bad), "--profile", "ob5", home=home, check=False)
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: --profile ob5")


@pytest.mark.parametrize("fmt", ["ctdl-jsonld", "ob3"])
def test_ctdl_and_ob3_exports_write_or_report_every_record(fmt, demo_home, tmp_path):
    home, rows = demo_home
    out = tmp_path / f"c.{fmt}"
    res = run_cli("export", str(out), "--format", fmt, "--compose", home=home)
    written = int(res.stderr.split("wrote ")[1].split(" ")[0])
    reported = res.stderr.count("not exported:")
    assert written > 0 and written + reported == sum(r["accepted"] for r in rows)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["@graph"] if fmt == "ctdl-jsonld" else doc) >= written
