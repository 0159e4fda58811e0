"""Real provider documents that are not in the repo (tests/data/real_provider_data/manifest.yaml):
whole feeds and registry records as their publishers wrote them, registered as sources (format
auto-detected) and run through the command line in one ``clearinghouse run``. Every record read
is accepted or quarantined (counted here in the document itself, not by the connector), the
quarantine holds exactly the expected records for the expected rule, nothing crashes, what was
accepted is in the catalogue and searchable, and it is published again as ELM, CTDL and OB 3.0
that their validators accept.

The documents are read from $CLEARINGHOUSE_REAL_DATA, else from the folder ``realdata`` beside
``shared``; without them the tests skip and say where they looked."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from lxml import etree

from bench.real_exports import hand_check
from tests.conftest import REPO, SHARED, run_cli

MANIFEST = REPO / "tests" / "data" / "real_provider_data" / "manifest.yaml"
DOCUMENTS = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["documents"]
XCRI_NS = ("http://xcri.org/profiles/1.2/catalog", "http://xcri.org/profiles/catalog")
OB3_SCHEMA = (SHARED / "reference" / "open-badges" / "edubadges-ob3-examples" / "schemas"
              / "ob_v3p0_achievementcredential_schema.json")


def real_data_dir() -> Path:
    if os.environ.get("CLEARINGHOUSE_REAL_DATA"):
        return Path(os.environ["CLEARINGHOUSE_REAL_DATA"])
    return SHARED.resolve().parent / "realdata"


HELD = MANIFEST.parent  # the documents with an open licence are held here (LICENSES.md)


def document_path(doc: dict) -> Path:
    held = HELD / doc["file"]
    return held if held.is_file() else real_data_dir() / doc["file"]


def count_records(path: Path, how: str) -> int:
    """The records in the document, counted without the connector."""
    if how == "xcri-courses":  # <course> elements directly under a provider
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        return sum(1 for ns in XCRI_NS for _ in root.iterfind(f"{{{ns}}}provider/{{{ns}}}course"))
    if how == "json-resource":  # one typed resource: no array, no @graph, no envelope
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        assert isinstance(doc, dict) and "@graph" not in doc and "decoded_resource" not in doc
        return 1 if (doc.get("@type") or doc.get("type")) else 0
    if how == "csv-rows":  # data rows of a CSV, its delimiter found by the csv module
        text = path.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
        return sum(1 for r in rows[1:] if any(c.strip() for c in r))
    if how in ("json-list", "json-keyed"):  # a top-level array of objects / an object keyed by code
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        items = doc if how == "json-list" else list(doc.values())
        assert isinstance(items, list) and all(isinstance(i, dict) for i in items)
        return len(items)
    if how.startswith("json-list-with-parts:"):  # json-list-with-parts:/degree:courses
        pointer, key = how.split(":", 2)[1:]
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        items = doc[pointer.strip("/")] if pointer.strip("/") else doc
        parts = {p["id"] for item in items for p in item.get(key, [])}  # a part listed twice is one
        return len(items) + len(parts)
    if how == "assistant-request":  # a Registry Assistant publish request: one described resource per key
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        assert "PublishForOrganizationIdentifier" in doc
        return sum(1 for v in doc.values() if isinstance(v, dict) and v.get("Name"))
    raise ValueError(f"unknown count method {how!r} in {MANIFEST}")


def accepted_count(doc: dict) -> int:
    return doc["records"] - len(doc.get("quarantined") or {})


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """Every document found, registered as a source, through one `clearinghouse run`."""
    present = [d for d in DOCUMENTS if document_path(d).is_file()]
    if not present:
        pytest.skip(f"no real provider document found under {real_data_dir()} (set CLEARINGHOUSE_REAL_DATA; "
                    f"tests/data/real_provider_data/README.md says where they come from)")
    home = tmp_path_factory.mktemp("real")
    registry = home / "sources.yaml"
    registry.write_text(yaml.safe_dump({"sources": [
        {"key": d["source"], "path": str(document_path(d)), **({"country": d["country"]} if d.get("country") else {})}
        for d in present]}), encoding="utf-8")
    res = run_cli("run", "--sources", str(registry), "--output", "json", home=home, check=False)
    summaries = {s["source"]: s for s in json.loads(res.stdout or "[]")}
    return home, res, summaries


@pytest.fixture(params=DOCUMENTS, ids=[d["source"] for d in DOCUMENTS])
def doc(request):
    d = request.param
    if not document_path(d).is_file():
        pytest.skip(f"real provider document {d['file']} not found under {real_data_dir()} "
                    f"(set CLEARINGHOUSE_REAL_DATA; origin: {d['origin']['repo']} {d['origin']['path']})")
    return d


def test_the_copy_is_the_recorded_one(doc):
    path = document_path(doc)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == doc["sha256"], (
        f"{path} is not the copy the manifest's figures were taken from")
    assert count_records(path, doc["count"]) == doc["records"]


def test_every_record_read_is_accepted_or_quarantined(catalogue, doc):
    _, res, summaries = catalogue
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    summary = summaries[doc["source"]]
    assert summary["read"] == doc["records"]
    assert summary["accepted"] + summary["quarantined"] == summary["read"]
    assert summary["quarantined"] == len(doc.get("quarantined") or {})


def test_quarantine_holds_exactly_the_expected_records(catalogue, doc):
    home, _, _ = catalogue
    held = json.loads(run_cli("quarantine", "--source", doc["source"], "--format", "json", home=home).stdout)
    # keyed by the record's own id, or by its locator where the source gives none
    got = {q["source_record_id"] or q["locator"]: [(r["field"], r["rule"]) for r in q["reasons"]] for q in held}
    want = {str(k): [tuple(v)] for k, v in (doc.get("quarantined") or {}).items()}
    assert got == want
    assert all(q["locator"] and q["raw"] and all(r["message"] for r in q["reasons"]) for q in held)


@pytest.fixture(scope="module")
def exported(catalogue, tmp_path_factory):
    home, _, _ = catalogue
    out = tmp_path_factory.mktemp("export") / "all.jsonl"
    run_cli("export", str(out), "--format", "jsonl", home=home)
    by_source: dict[str, list[dict]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        by_source.setdefault(r["source"], []).append(r)
    return by_source


def test_accepted_records_are_in_the_catalogue(catalogue, exported, doc):
    home, _, _ = catalogue
    records = exported.get(doc["source"], [])
    assert len(records) == accepted_count(doc)
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
                               "--limit", "100", home=home).stdout)
    assert probe["id"] in {r["id"] for r in found}


@pytest.mark.parametrize("fmt, profile", [("elm-ttl", "loq"), ("ctdl-jsonld", "ctdl"), ("ob3", "ob3")])
def test_published_again_in_the_standards_and_valid(catalogue, exported, tmp_path, fmt, profile):
    """The real records out as ELM (LOQ shapes), CTDL (registry JSON Schemas) or OB 3.0 (its JSON
    Schema): what is written conforms, and every record is either written or reported."""
    home, _, _ = catalogue
    if profile == "ob3" and not OB3_SCHEMA.is_file():
        pytest.skip(f"the OB 3.0 JSON Schema is read from the shared reference data, not at {OB3_SCHEMA}")
    out = tmp_path / f"catalogue.{fmt}"
    res = run_cli("export", str(out), "--format", fmt, home=home)
    wrote = re.search(r"wrote (\d+) records to .*?(?:; (\d+) reported, not written)?$", res.stderr.strip(), re.S)
    written, reported = int(wrote[1]), int(wrote[2] or 0)
    assert written + reported == sum(len(rs) for rs in exported.values()), res.stderr[-500:]
    assert res.stderr.count("not exported:") == reported
    present = [d for d in DOCUMENTS if document_path(d).is_file()]
    not_exported = set(re.findall(r"^not exported: (\S+) ", res.stderr, re.M))
    for d in present:  # what the manifest says cannot be published in this format is reported
        if fmt in (d.get("unpublishable") or {}):
            assert {r["id"] for r in exported.get(d["source"], [])} <= not_exported, (d["source"], fmt)
    if all(fmt in (d.get("unpublishable") or {}) for d in present):
        assert written == 0
        return
    assert written > 0, res.stderr[-2000:]
    check = run_cli("validate", str(out), "--profile", profile, home=home, check=False,
                    env={"CLEARINGHOUSE_OB3_SCHEMA": str(OB3_SCHEMA)})
    assert check.returncode == 0 and "conforms" in check.stdout, check.stdout[-2000:]


def test_rows_with_a_title_are_accepted_without_a_profile(catalogue):
    """Issue 17's bar: at least 95 % of the records that have a title are accepted, with no
    mapping profile, over every document present (each one's quarantine is pinned above)."""
    _, res, summaries = catalogue
    present = [d for d in DOCUMENTS if document_path(d).is_file()]
    titled = sum(d["records"] - d.get("untitled", 0) for d in present)
    accepted = sum(summaries[d["source"]]["accepted"] for d in present)
    assert accepted >= 0.95 * titled, f"{accepted} of {titled} titled records accepted"


def test_hand_checked_sample_is_right(exported):
    """The records whose fields were checked by hand against the document (the manifest's
    `checked`: what a person reading the row says each field is) come out with at least 98 % of
    those values right; every miss is listed. bench/real_exports.py prints the same figures."""
    present = [d for d in DOCUMENTS if document_path(d).is_file()]
    checks = hand_check(present, exported)
    if not checks:
        pytest.skip("no document with a hand-checked sample is present")
    # the bar is for 30 records from 6 sources: the documents held in the repo alone give that
    assert len({(c["source"], c["record"]) for c in checks}) >= 30
    assert len({c["source"] for c in checks}) >= 6
    misses = [f"{c['source']} {c['record']} {c['field']}: {c['got']!r}, by hand {c['want']!r}"
              for c in checks if not c["right"]]
    assert len(checks) - len(misses) >= 0.98 * len(checks), "\n".join(misses)
