"""One corrupt cell never costs the whole delivery (issue 16): a JSON integer of 5,000 digits, a
NUL byte in one CSV cell. That record is quarantined with a reason a person understands; every
other record is accepted."""
from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _ingest(tmp_path, name: str, data: bytes, source: str):
    path = tmp_path / name
    path.write_bytes(data)
    home = tmp_path / "home"
    res = run_cli("ingest", str(path), "--source", source, "--output", "json", home=home)
    assert "Traceback" not in res.stderr
    (summary,) = json.loads(res.stdout)
    held = json.loads(run_cli("quarantine", "--source", source, "--format", "json", home=home).stdout)
    return summary, held, res.stderr


GOOD = [{"id": f"C{i}", "title": f"Course {i}", "ects": 5} for i in range(1, 6)]


@pytest.mark.parametrize("shape", ["json", "jsonl"])
def test_a_json_integer_of_5000_digits_quarantines_its_record_only(tmp_path, shape):
    items = [*GOOD[:2], {"id": "C-HUGE", "title": "Corrupt credits", "ects": "HUGE"}, *GOOD[2:]]
    text = json.dumps(items) if shape == "json" else "\n".join(json.dumps(i) for i in items)
    data = text.replace('"HUGE"', "9" * 5000).encode()
    summary, held, stderr = _ingest(tmp_path, f"huge.{shape}", data, "huge")
    assert (summary["read"], summary["accepted"], summary["quarantined"]) == (6, 5, 1)
    (q,) = held
    assert q["source_record_id"] == "C-HUGE" and q["locator"] == ("/2" if shape == "json" else "line 3")
    message = q["reasons"][0]["message"]
    assert "a number of 5,000 digits at /ects" in message
    assert "set_int_max_str_digits" not in message + stderr and "ValueError" not in stderr


def test_a_nul_byte_in_one_csv_cell_quarantines_its_row_only(tmp_path):
    rows = ["id,title,ects"] + [f"{g['id']},{g['title']},5" for g in GOOD]
    rows.insert(3, "C-NUL,Broken\x00title,5")
    summary, held, stderr = _ingest(tmp_path, "nul.csv", ("\n".join(rows) + "\n").encode(), "nul")
    assert (summary["read"], summary["accepted"], summary["quarantined"]) == (6, 5, 1)
    (q,) = held
    assert (q["source_record_id"], q["locator"]) == ("C-NUL", "row 4")
    assert "a NUL byte in column 'title'" in q["reasons"][0]["message"]
    assert "binary" not in stderr


def test_a_file_full_of_nul_bytes_is_still_binary(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(b"id,title\n" + b"\x00\x01\x02\x00" * 500)
    res = run_cli("ingest", str(path), "--source", "blob", home=tmp_path / "home", check=False)
    assert res.returncode == 1 and res.stderr.strip().splitlines() == ["error: blob.csv: not a text table (binary content)"]
