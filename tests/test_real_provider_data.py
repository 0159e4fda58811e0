"""Real provider documents that are not in the repo (tests/data/real_provider_data/manifest.yaml):
whole feeds and registry records as their publishers wrote them, through the command line with
``--format auto``. Every record read is accepted or quarantined (counted here in the document
itself, not by the connector), the quarantine holds exactly the expected records for the expected
rule, nothing crashes, and what was accepted is in the catalogue and searchable.

The documents are read from $CLEARINGHOUSE_REAL_DATA, else from the folder ``realdata`` beside
``shared``; without them the tests skip and say where they looked."""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml
from lxml import etree

from tests.conftest import REPO, SHARED, run_cli

MANIFEST = REPO / "tests" / "data" / "real_provider_data" / "manifest.yaml"
DOCUMENTS = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["documents"]
XCRI_NS = ("http://xcri.org/profiles/1.2/catalog", "http://xcri.org/profiles/catalog")


def real_data_dir() -> Path:
    if os.environ.get("CLEARINGHOUSE_REAL_DATA"):
        return Path(os.environ["CLEARINGHOUSE_REAL_DATA"])
    return SHARED.resolve().parent / "realdata"


def document_path(doc: dict) -> Path:
    path = real_data_dir() / doc["file"]
    if not path.is_file():
        pytest.skip(f"real provider document {doc['file']} not found under {real_data_dir()} "
                    f"(set CLEARINGHOUSE_REAL_DATA; origin: {doc['origin']['repo']} {doc['origin']['path']})")
    return path


def count_records(path: Path, how: str) -> int:
    """The records in the document, counted without the connector."""
    if how == "xcri-courses":  # <course> elements directly under a provider
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        return sum(1 for ns in XCRI_NS for _ in root.iterfind(f"{{{ns}}}provider/{{{ns}}}course"))
    if how == "json-resource":  # one typed resource: no array, no @graph, no envelope
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        assert isinstance(doc, dict) and "@graph" not in doc and "decoded_resource" not in doc
        return 1 if (doc.get("@type") or doc.get("type")) else 0
    raise ValueError(f"unknown count method {how!r} in {MANIFEST}")


@pytest.fixture(scope="module", params=DOCUMENTS, ids=[d["source"] for d in DOCUMENTS])
def ingested(request, tmp_path_factory):
    doc = request.param
    path = document_path(doc)
    home = tmp_path_factory.mktemp(doc["source"])
    args = ["ingest", str(path), "--source", doc["source"], "--format", "auto", "--output", "json"]
    if doc.get("country"):
        args += ["--country", doc["country"]]
    res = run_cli(*args, home=home, check=False)
    return doc, path, home, res


def test_the_copy_is_the_recorded_one(ingested):
    doc, path, _, _ = ingested
    assert hashlib.sha256(path.read_bytes()).hexdigest() == doc["sha256"], (
        f"{path} is not the copy the manifest's figures were taken from")
    assert count_records(path, doc["count"]) == doc["records"]


def test_every_record_read_is_accepted_or_quarantined(ingested):
    doc, _, home, res = ingested
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    [summary] = json.loads(res.stdout)
    assert summary["source"] == doc["source"]
    assert summary["read"] == doc["records"]
    assert summary["accepted"] + summary["quarantined"] == summary["read"]
    assert summary["quarantined"] == len(doc.get("quarantined") or {})


def test_quarantine_holds_exactly_the_expected_records(ingested):
    doc, _, home, _ = ingested
    held = json.loads(run_cli("quarantine", "--format", "json", home=home).stdout)
    got = {q["source_record_id"]: [(r["field"], r["rule"]) for r in q["reasons"]] for q in held}
    want = {str(k): [tuple(v)] for k, v in (doc.get("quarantined") or {}).items()}
    assert got == want
    assert all(q["locator"] and q["raw"] and all(r["message"] for r in q["reasons"]) for q in held)


def test_accepted_records_are_in_the_catalogue(ingested, tmp_path):
    doc, _, home, _ = ingested
    out = tmp_path / "all.jsonl"
    run_cli("export", str(out), "--format", "jsonl", home=home)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == doc["records"] - len(doc.get("quarantined") or {})
    assert len({r["source_record_id"] for r in records}) == len(records)
    for r in records:
        assert r["title"] and r["provenance"]["locator"] and r["provenance"]["file_sha256"] == doc["sha256"]
        assert r["description"] is None or "<" not in r["description"], r["source_record_id"]
        if doc.get("country"):
            assert r["country"] == doc["country"]
    expect = doc.get("expect") or {}
    if "credential_type" in expect:
        assert Counter(r["credential_type"] for r in records) == expect["credential_type"]
    if "ects" in expect:
        assert [r["ects"] for r in records] == [expect["ects"]]
    if "esco_skills_method" in expect:
        assert {s["method"] for r in records for s in r["esco_skills"]} == {expect["esco_skills_method"]}
    # a title picked from the middle of the document is found by searching for it
    probe = sorted(records, key=lambda r: r["id"])[len(records) // 2]
    found = json.loads(run_cli("search", probe["title"], "--all-members", "--format", "json",
                               "--limit", "50", home=home).stdout)
    assert probe["id"] in {r["id"] for r in found}
