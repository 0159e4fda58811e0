"""CSV written by the project is safe to open in a spreadsheet (issue 16): a text cell that begins
with =, +, -, @, a tab or a carriage return is a formula there, so it is written with a leading
apostrophe (OWASP's CSV-injection rule); numbers, and the Parquet and JSON exports, keep the value."""
from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq

from catalog.export import FORMULA_TRIGGERS, spreadsheet_cell
from tests.conftest import run_cli

HOSTILE = [("F1", "=HYPERLINK(\"http://evil.example\",\"click\")"), ("F2", "@SUM(1+1)"),
           ("F3", "+49 Kurs"), ("F4", "-Rechnungswesen"), ("F5", "\tTabbed title"),
           ("F6", "Plain title"), ("F7", "Cost = 3")]


def test_a_cell_is_escaped_only_when_a_spreadsheet_would_run_it():
    assert spreadsheet_cell("=1+1") == "'=1+1" and spreadsheet_cell("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_cell("Cost = 3") == "Cost = 3" and spreadsheet_cell(None) == ""
    assert spreadsheet_cell(-2.5) == "-2.5" and spreadsheet_cell(5) == "5"  # numbers are numbers
    assert spreadsheet_cell(["-a", "b"]) == "'-a; b"


def test_hostile_titles_export_to_csv_with_no_formula(tmp_path):
    src = tmp_path / "hostile.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "ects", "description"])
        for rid, title in HOSTILE:
            w.writerow([rid, title, "5", "=cmd|' /C calc'!A0"])
    home = tmp_path / "home"
    run_cli("ingest", str(src), "--source", "hostile", home=home)
    out = tmp_path / "out.csv"
    run_cli("export", str(out), "--format", "csv", home=home)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for key, cell in row.items():
            assert not cell.startswith(FORMULA_TRIGGERS), (key, cell)
    titles = {r["source_record_id"]: r["title"] for r in rows}
    assert titles["F2"] == "'@SUM(1+1)" and titles["F1"].startswith("'=HYPERLINK(")
    assert titles["F6"] == "Plain title" and titles["F7"] == "Cost = 3"
    assert {r["ects"] for r in rows} == {"5.0"}
    # the machine formats keep the value as given
    pq_out, js_out = tmp_path / "out.parquet", tmp_path / "out.jsonl"
    run_cli("export", str(pq_out), "--format", "parquet", home=home)
    run_cli("export", str(js_out), "--format", "jsonl", home=home)
    from_parquet = dict(zip(*pq.read_table(pq_out, columns=["source_record_id", "title"]).to_pydict().values()))
    from_json = {r["source_record_id"]: r["title"] for r in map(json.loads, js_out.read_text(encoding="utf-8").splitlines())}
    assert from_parquet["F2"] == from_json["F2"] == "@SUM(1+1)"
    # and the command line's CSV output
    listed = run_cli("search", "--source", "hostile", "--format", "csv", "--limit", "20", home=home).stdout
    cells = [c for row in csv.reader(io.StringIO(listed)) for c in row]
    assert "'@SUM(1+1)" in cells and not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
