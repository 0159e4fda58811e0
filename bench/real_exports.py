"""Real catalogue exports, as a new user brings them: the share of titled rows accepted without a
mapping profile, and the field accuracy on the hand-checked sample.

    python bench/real_exports.py [--data DIR]

Reads the documents of tests/data/real_provider_data/manifest.yaml from DIR (default: the test
suite's: $CLEARINGHOUSE_REAL_DATA, else ``realdata`` beside ``shared``), registers every one
found as a source (format detected, the manifest's `country` only), runs one ``clearinghouse
run`` in a temporary home, and prints two Markdown tables that bench/README.md quotes. A
measurement of correctness, not of speed: one run is the figure.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MANIFEST = REPO / "tests" / "data" / "real_provider_data" / "manifest.yaml"
CHECKED_FIELDS = ("title", "eqf_level", "ects", "languages", "participation_mode", "awarding_body", "country")


def documents() -> list[dict[str, Any]]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["documents"]


def default_data_dir() -> Path:
    if os.environ.get("CLEARINGHOUSE_REAL_DATA"):
        return Path(os.environ["CLEARINGHOUSE_REAL_DATA"])
    shared = Path(os.environ.get("CLEARINGHOUSE_SHARED", REPO.parent / "shared"))
    return shared.resolve().parent / "realdata"


def _value(record: dict[str, Any], fld: str) -> Any:
    value = record.get(fld)
    if fld == "awarding_body":
        return (value or {}).get("name")
    if fld == "languages":
        return sorted(value or [])
    return value


def hand_check(docs: list[dict[str, Any]], by_source: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per hand-checked (record, field): source, record key, field, got, want, right.
    A field the `checked` entry leaves out is one the document does not give (want None / [])."""
    out = []
    for d in docs:
        for key, truth in (d.get("checked") or {}).items():
            record = next((r for r in by_source.get(d["source"], [])
                           if str(key) in (r["source_record_id"], r["provenance"]["locator"])), None)
            for fld in CHECKED_FIELDS:
                want = truth.get(fld)
                want = sorted(want or []) if fld == "languages" else want
                got = _value(record, fld) if record is not None else "(not in the catalogue)"
                out.append({"source": d["source"], "record": str(key), "field": fld,
                            "got": got, "want": want, "right": record is not None and got == want})
    return out


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).parent / "clearinghouse"
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_CATALOG_URL"}
    return subprocess.run([str(cli), "--home", str(home), *args], capture_output=True, text=True, env=env,
                          timeout=1800)


def measure(data: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def path(d: dict[str, Any]) -> Path:  # held in the repo (open licence), else under data
        return MANIFEST.parent / d["file"] if (MANIFEST.parent / d["file"]).is_file() else data / d["file"]

    docs = [d for d in documents() if path(d).is_file()]
    if not docs:
        raise SystemExit(f"no real provider document found under {data}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        registry = home / "sources.yaml"
        registry.write_text(yaml.safe_dump({"sources": [
            {"key": d["source"], "path": str(path(d)), **({"country": d["country"]} if d.get("country") else {})}
            for d in docs]}), encoding="utf-8")
        res = _cli(home, "run", "--sources", str(registry), "--output", "json")
        if res.returncode != 0:
            raise SystemExit(res.stderr)
        summaries = {s["source"]: s for s in json.loads(res.stdout)}
        out = home / "all.jsonl"
        _cli(home, "export", str(out), "--format", "jsonl")
        by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in out.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            by_source[r["source"]].append(r)
    rows = []
    for d in docs:
        s = summaries[d["source"]]
        titled = d["records"] - d.get("untitled", 0)
        rows.append({"document": d["file"], "read": s["read"], "titled": titled, "accepted": s["accepted"],
                     "quarantined": s["quarantined"], "share": s["accepted"] / titled if titled else 1.0})
    return rows, hand_check(docs, by_source)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data_dir())
    args = ap.parse_args(argv)
    rows, checks = measure(args.data)
    print("| document | read | with a title | accepted | quarantined | accepted of titled |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['document']} | {r['read']} | {r['titled']} | {r['accepted']} | {r['quarantined']} | "
              f"{r['share']:.1%} |")
    titled, accepted = sum(r["titled"] for r in rows), sum(r["accepted"] for r in rows)
    print(f"| **all** | {sum(r['read'] for r in rows)} | {titled} | {accepted} | "
          f"{sum(r['quarantined'] for r in rows)} | **{accepted / titled:.1%}** |")
    print()
    print("| field | checked | right |")
    print("|---|---:|---:|")
    for fld in CHECKED_FIELDS:
        these = [c for c in checks if c["field"] == fld]
        print(f"| {fld} | {len(these)} | {sum(c['right'] for c in these)} |")
    right = sum(c["right"] for c in checks)
    records = len({(c["source"], c["record"]) for c in checks})
    sources = len({c["source"] for c in checks})
    print(f"| **all** ({records} records, {sources} sources) | {len(checks)} | **{right} ({right / len(checks):.1%})** |")
    for c in checks:
        if not c["right"]:
            print(f"\nwrong: {c['source']} {c['record']} {c['field']}: {c['got']!r}, by hand {c['want']!r}")


if __name__ == "__main__":
    main()
