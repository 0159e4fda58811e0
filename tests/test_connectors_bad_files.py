"""Connectors: files that cannot be read give one clear SourceFileError line, never anything else;
damaged parts of readable files are reported without losing records."""
from __future__ import annotations

import codecs
import json
import os
import zipfile

import pytest

from connector_fixtures import (
    GERMAN_HEADER, GERMAN_ROWS, IRISH_HEADER, IRISH_ROWS, course_workbook, csv_text, read_all,
    records, write,
)
from connectors import SourceFileError, detect_format, read_file


def error_of(path, **kw) -> str:
    with pytest.raises(SourceFileError) as e:
        info, batches = read_file(path, **kw)
        for _ in batches:
            pass
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_missing_file(tmp_path):
    assert error_of(tmp_path / "nowhere.csv") == "nowhere.csv: file not found"


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "export.csv").mkdir()
    assert error_of(tmp_path / "export.csv") == "export.csv: is a folder, not a file"


@pytest.mark.parametrize("content", [
    b"",
    b"   \r\n\t\n\n",
    codecs.BOM_UTF8,
    codecs.BOM_UTF8 + b"\r\n  \r\n",
    codecs.BOM_UTF16_LE + " \r\n".encode("utf-16-le"),
])
def test_empty_files(tmp_path, content):
    p = write(tmp_path, "data.csv", content)
    assert error_of(p) == "data.csv: the file is empty"
    if content:
        with pytest.raises(SourceFileError, match=r"^data.csv: the file is empty$"):
            detect_format(p)


@pytest.mark.parametrize("content", [
    "Kursnummer;Titel;Niveau (DQR)",
    "Kursnummer;Titel;Niveau (DQR)\r\n",
    "Kursnummer;Titel;Niveau (DQR)\r\n\r\n;;\r\n",
    "Export vom 01.01.2025\n\nKursnummer;Titel;Niveau (DQR)\n",
])
def test_header_only_csv(tmp_path, content):
    p = write(tmp_path, "kurse.csv", content)
    assert error_of(p) == "kurse.csv: the file has a header row but no data rows"


def test_header_only_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Kurse"
    wb.active.append(["Kursnummer", "Titel"])
    wb.save(tmp_path / "kurse.xlsx")
    assert error_of(tmp_path / "kurse.xlsx") == (
        "kurse.xlsx: the file has a header row (sheet Kurse) but no data rows")


def test_empty_workbook(tmp_path):
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "leer.xlsx")
    assert error_of(tmp_path / "leer.xlsx") == "leer.xlsx: the workbook is empty (no sheet has any data)"


@pytest.mark.parametrize("name", ["garbage.csv", "garbage.xlsx", "garbage.json", "garbage.bin"])
def test_random_bytes(tmp_path, name):
    p = write(tmp_path, name, os.urandom(200_000))
    assert error_of(p) == f"{name}: not a text table (binary content)"
    with pytest.raises(SourceFileError, match="binary content"):
        detect_format(p)


def test_random_high_bytes_without_controls_are_binary(tmp_path):
    data = bytes(b for b in os.urandom(400_000) if b >= 0x80)
    p = write(tmp_path, "noise.csv", data)
    assert error_of(p) == "noise.csv: not a text table (binary content)"


def test_random_bytes_forced_formats(tmp_path):
    p = write(tmp_path, "garbage.xlsx", os.urandom(5_000))
    assert error_of(p, format="xlsx") == "garbage.xlsx: not an XLSX workbook (unknown binary content)"
    assert error_of(p, format="csv") == "garbage.xlsx: not a text table (binary content)"


def test_csv_named_xlsx(tmp_path):
    p = write(tmp_path, "x.xlsx", csv_text(GERMAN_HEADER, GERMAN_ROWS))
    info, frame, _ = read_all(p)  # auto: judged by content
    assert info.format == "csv" and records(frame) == GERMAN_ROWS
    assert error_of(p, format="xlsx") == "x.xlsx: not an XLSX workbook (it looks like a CSV file)"


def test_xlsx_named_csv(tmp_path):
    p = course_workbook(tmp_path / "kurse.csv")
    info, frame, _ = read_all(p)
    assert info.format == "xlsx" and info.sheet == "Courses" and len(frame) == 3
    assert error_of(p, format="csv") == "kurse.csv: not a CSV file (it looks like an XLSX workbook)"


def test_other_binary_formats_are_named(tmp_path):
    with zipfile.ZipFile(tmp_path / "export.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    assert error_of(tmp_path / "export.xlsx") == (
        "export.xlsx: is a ZIP archive, not a table; unpack it first")
    p = write(tmp_path, "alt.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)
    assert error_of(p) == ("alt.xlsx: is an old Excel .xls workbook or a password-protected Office "
                           "file; save it as .xlsx or CSV")
    p = write(tmp_path, "report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert error_of(p) == "report.csv: is a PDF document, not a table"
    p = write(tmp_path, "login.csv", "<!DOCTYPE html>\n<html><body>Sign in</body></html>\n")
    assert error_of(p) == (
        "login.csv: is an HTML page, not a table (was a web page saved instead of the export?)")


def test_truncated_xlsx(tmp_path):
    course_workbook(tmp_path / "full.xlsx")
    data = (tmp_path / "full.xlsx").read_bytes()
    p = write(tmp_path, "cut.xlsx", data[: len(data) // 2])
    assert error_of(p) == "cut.xlsx: is a damaged or incomplete ZIP/XLSX file"


def test_size_limit(tmp_path):
    p = tmp_path / "huge.csv"
    with open(p, "wb") as f:
        f.truncate(250_000_000)  # sparse: refused before a byte is read
    assert error_of(p) == "huge.csv: the file is 250 MB, over the 200 MB limit"
    small = write(tmp_path, "small.csv", "a,b\n" + ("x" * 997 + ",2\n") * 2_500)
    assert error_of(small, max_bytes=2_000_000) == "small.csv: the file is 2.5 MB, over the 2.0 MB limit"
    info, frame, _ = read_all(small, max_bytes=3_000_000)
    assert len(frame) == 2_500


def test_invalid_json_names_line_and_column(tmp_path):
    p = write(tmp_path, "f.json", '{"items": [\n  {"a": 1},\n  {"a": 2 "b": 3}\n]}\n')
    assert error_of(p) == "f.json: invalid JSON at line 3 column 11: Expecting ',' delimiter"


def test_truncated_json(tmp_path):
    p = write(tmp_path, "cut.json", json.dumps([{"a": i} for i in range(50)])[:200])
    assert error_of(p).startswith("cut.json: invalid JSON at line 1 column ")


def test_json_without_records(tmp_path):
    assert error_of(write(tmp_path, "e.json", "[]")) == "e.json: the file holds no records"
    assert error_of(write(tmp_path, "e2.json", '{"total": 0, "items": []}')) == (
        "e2.json: the file holds no records at /items")
    assert error_of(write(tmp_path, "n.json", "42")) == (
        "n.json: the JSON document is a number, not an object or an array of objects")


def test_forced_json_on_other_text(tmp_path):
    p = write(tmp_path, "c.json", '{"a": 1}\n{"a": 2}\n')
    assert error_of(p, format="json") == (
        "c.json: invalid JSON at line 2 column 1: Extra data "
        "(it looks like JSON Lines, one object per line)")
    p = write(tmp_path, "d.json", csv_text(IRISH_HEADER, IRISH_ROWS, ","))
    assert error_of(p, format="json") == (
        "d.json: invalid JSON at line 1 column 1: Expecting value (it looks like a CSV file)")


def test_jsonl_where_every_line_is_broken_still_gives_error_records(tmp_path):
    p = write(tmp_path, "b.jsonl", '{"a": 1\n{"b": }\n', )
    info, frame, _ = read_all(p, format="jsonl")
    assert list(frame["__locator__"]) == ["line 1", "line 2"]
    assert frame["__error__"].notna().all()
    assert list(frame.columns) == ["__locator__", "__error__", "__raw__"]


def test_unclosed_quote_in_a_large_file_stops_at_the_cell_limit(tmp_path):
    rows = [f"K-{i};Kurs {i};5\n" for i in range(1, 20_001)]
    rows[9] = 'K-10;"Kurs 10 ohne Ende;5\n'
    p = write(tmp_path, "gross.csv", "Code;Titel;Punkte\n" + "".join(rows))
    info, frame, _ = read_all(p)
    assert len(frame) == 20_000
    bad = frame[frame["__error__"].notna()]
    assert list(bad["__locator__"]) == ["row 11"]
    assert bad.iloc[0]["Titel"] == '"Kurs 10 ohne Ende'
    assert frame.loc[10, "Titel"] == "Kurs 11"
    assert frame.loc[19_999, "__locator__"] == "row 20001"
    assert info.warnings == [
        "1 row had a quote that is not closed; it was read with quotes taken literally and "
        "marked as errors: row 11"]


def test_undecodable_bytes_in_a_legacy_file_are_replaced_and_reported(tmp_path):
    data = "Titel;Ort\nStraße;Köln\n".encode("cp1252") + b"Bad \x81 byte;\xe9t\xe9\n"
    p = write(tmp_path, "k.csv", data)
    info, frame, _ = read_all(p)
    assert info.encoding == "cp1252"
    assert list(frame["Titel"]) == ["Straße", "Bad \ufffd byte"]
    assert list(frame["Ort"]) == ["Köln", "été"]
    assert info.warnings == [
        "1 line held bytes that are not cp1252 characters; they were replaced by \ufffd: row 3"]


def test_stray_nul_in_a_long_text_file_is_tolerated(tmp_path):
    """The file is read; the one row with a NUL in a cell is marked as an error (quarantined)."""
    body = "".join(f"K-{i},Kurs {i}\n" for i in range(1, 2001))
    p = write(tmp_path, "n.csv", "Code,Titel\n" + body.replace("Kurs 5\n", "Kurs\x00 5\n", 1))
    info, frame, _ = read_all(p)
    assert len(frame) == 2000
    assert frame.loc[4, "Titel"] == "Kurs 5"
    assert frame["__error__"].notna().sum() == 1
    assert frame.loc[4, "__error__"] == "row 6: a NUL byte in column 'Titel' (a corrupt cell); the row cannot be trusted"


def test_only_source_file_error_escapes(tmp_path):
    """A battery of malformed inputs: each either reads or raises SourceFileError."""
    course_workbook(tmp_path / "ok.xlsx")
    xlsx = (tmp_path / "ok.xlsx").read_bytes()
    samples = {
        "a.csv": b'"""\n"\n',
        "b.csv": b"\xff\xfe\x00",
        "c.json": b"{" * 100_000,
        "d.jsonl": b"\x00{}\n",
        "e.xlsx": xlsx[:100] + os.urandom(2000) + xlsx[2100:],
        "f.csv": b"\r\r\r\n\n",
        "g.json": b'{"a": NaN, "b": [1, {"c": []}]}',
        "h.csv": "ä".encode("utf-16-le"),
    }
    for name, data in samples.items():
        p = write(tmp_path, name, data)
        try:
            info, batches = read_file(p)
            for _ in batches:
                pass
        except SourceFileError as e:
            assert str(e).startswith(f"{name}: ")
