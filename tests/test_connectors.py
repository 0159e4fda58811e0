"""Connectors: reading good (if untidy) exports into raw batches."""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connector_fixtures import (
    FRENCH_HEADER, FRENCH_ROWS, GERMAN_HEADER, GERMAN_ROWS, IRISH_HEADER, IRISH_ROWS,
    POLISH_HEADER, POLISH_ROWS, course_workbook, csv_text, read_all, records, source_columns, write,
)
from connectors import detect_format, read_file

REPO = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------------
# CSV: encodings


def test_german_cp1252_semicolon_with_banner(tmp_path):
    text = "Export generated 2025-01-01\r\n\r\n" + csv_text(GERMAN_HEADER, GERMAN_ROWS)
    p = write(tmp_path, "kurse.csv", text, "cp1252")
    info, frame, _ = read_all(p)
    assert info.format == "csv"
    assert info.encoding == "cp1252"
    assert info.delimiter == ";"
    assert info.header_row == 3
    assert info.columns == GERMAN_HEADER
    assert source_columns(frame) == GERMAN_HEADER
    assert records(frame) == GERMAN_ROWS
    assert frame.loc[0, "Titel"] == "Künstliche Intelligenz für Einsteiger"
    assert frame.loc[0, "Leistungspunkte"] == "7,5"
    assert frame.loc[0, "Sprache"] == "Deutsch, Englisch"
    assert list(frame["__locator__"]) == ["row 4", "row 5", "row 6"]
    assert info.warnings == [
        "1 line above the header row (row 3) was skipped: row 1: 'Export generated 2025-01-01'"]


def test_french_cp1252(tmp_path):
    p = write(tmp_path, "formations.csv", csv_text(FRENCH_HEADER, FRENCH_ROWS), "cp1252")
    info, frame, _ = read_all(p)
    assert info.encoding == "cp1252"
    assert source_columns(frame) == ["Intitulé", "Niveau RNCP", "Crédits ECTS", "Modalité"]
    assert records(frame) == FRENCH_ROWS
    assert frame.loc[1, "Intitulé"] == "Élève ingénieur : cœur de métier"
    assert info.warnings == []


def test_polish_utf8(tmp_path):
    p = write(tmp_path, "kursy.csv", csv_text(POLISH_HEADER, POLISH_ROWS, delimiter=","), "utf-8")
    info, frame, _ = read_all(p)
    assert info.encoding == "utf-8"
    assert info.delimiter == ","
    assert records(frame) == POLISH_ROWS
    assert frame.loc[2, "Nazwa kursu"] == "Źródła energii odnawialnej – żywność i środowisko"
    assert frame.loc[1, "Język"] == "polski, angielski"


def test_polish_cp1250_is_not_read_as_cp1252(tmp_path):
    p = write(tmp_path, "kursy.csv", csv_text(POLISH_HEADER, POLISH_ROWS), "cp1250")
    info, frame, _ = read_all(p)
    assert info.encoding == "cp1250"
    assert source_columns(frame) == POLISH_HEADER
    assert frame.loc[0, "Nazwa kursu"] == "Zarządzanie projektami zwinnymi"
    assert frame.loc[1, "Nazwa kursu"] == "Łączność bezprzewodowa i sieci"


def test_utf8_bom_is_removed_from_first_header(tmp_path):
    p = write(tmp_path, "bom.csv", codecs.BOM_UTF8 + csv_text(IRISH_HEADER, IRISH_ROWS, ",").encode())
    info, frame, _ = read_all(p)
    assert info.encoding == "utf-8-sig"
    assert source_columns(frame)[0] == "Award Title"
    assert records(frame) == IRISH_ROWS


@pytest.mark.parametrize("codec,bom,expected", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", b"", "utf-16-be"),
])
def test_utf16_with_and_without_bom(tmp_path, codec, bom, expected):
    text = csv_text(GERMAN_HEADER, GERMAN_ROWS, delimiter="\t")
    p = write(tmp_path, "excel-unicode.txt", bom + text.encode(codec))
    info, frame, _ = read_all(p)
    assert info.encoding == expected
    assert info.delimiter == "\t"
    assert source_columns(frame) == GERMAN_HEADER
    assert records(frame) == GERMAN_ROWS
    assert list(frame["__locator__"]) == ["row 2", "row 3", "row 4"]


def test_cyrillic_code_page_is_found(tmp_path):
    text = ("Название курса;Уровень;Кредиты ECTS\n"
            "Управление проектами;6;5\n"
            "Машинное обучение для начинающих;7;4\n")
    p = write(tmp_path, "kursy.csv", text, "cp1251")
    info, frame, _ = read_all(p)
    assert info.encoding == "cp1251"
    assert info.columns == ["Название курса", "Уровень", "Кредиты ECTS"]
    assert frame.loc[1, "Название курса"] == "Машинное обучение для начинающих"


def test_mixed_encodings_are_read_line_by_line_and_reported(tmp_path):
    header = "Kursnummer;Titel;Sprache\n"
    lines = [header.encode()]
    for i in range(2, 42):
        title = f"Übung {i}" if i not in (7, 12, 40) else f"Prüfung {i}"
        enc = "cp1252" if i in (7, 12, 40) else "utf-8"
        lines.append(f"K-{i};{title};Deutsch\n".encode(enc))
    p = write(tmp_path, "mixed.csv", b"".join(lines))
    info, frame, _ = read_all(p)
    assert info.encoding == "utf-8"
    assert len(frame) == 40
    assert info.warnings == [
        "3 lines were not valid UTF-8 and were read as cp1252: rows 7, 12, 40"]
    by_loc = dict(zip(frame["__locator__"], frame["Titel"]))
    assert by_loc["row 7"] == "Prüfung 7"
    assert by_loc["row 8"] == "Übung 8"
    assert by_loc["row 40"] == "Prüfung 40"
    assert frame["__error__"].isna().all()


# ------------------------------------------------------------------------------------------------
# CSV: delimiters, line endings, quoting, layout


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_delimiter(tmp_path, delimiter):
    rows = [r[:] for r in IRISH_ROWS]
    rows[0][0] = "Certificate in Data Analytics, Level 8"  # a comma inside a cell
    p = write(tmp_path, "nfq.csv", csv_text(IRISH_HEADER, rows, delimiter=delimiter))
    info, frame, _ = read_all(p)
    assert info.delimiter == delimiter
    assert source_columns(frame) == IRISH_HEADER
    assert records(frame) == rows
    assert frame.loc[0, "Award Title"] == "Certificate in Data Analytics, Level 8"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings_and_trailing_empty_line(tmp_path, newline):
    text = csv_text(IRISH_HEADER, IRISH_ROWS, delimiter=",", newline=newline) + newline
    p = write(tmp_path, "nfq.csv", text)
    info, frame, _ = read_all(p)
    assert len(frame) == 3
    assert records(frame) == IRISH_ROWS
    assert list(frame["__locator__"]) == ["row 2", "row 3", "row 4"]
    assert frame.loc[2, "Mode"] == "On campus"  # no line terminator left in the last cell


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_multiline_quoted_cells_keep_locators_right(tmp_path, newline):
    nl = newline
    text = (
        f"Code,Title,Description,Credits{nl}"
        f"A1,Data Analytics,\"Learn to clean data.{nl}Build dashboards.{nl}Present, with confidence.\",10{nl}"
        f"A2,Cloud Computing,One line only,15{nl}"
        f"{nl}"
        f"A3,\"Health {nl}& Safety\",\"Quoted \"\"word\"\" here\",5{nl}"
        f"A4,Last,,{nl}"
    )
    p = write(tmp_path, "ml.csv", text)
    info, frame, _ = read_all(p)
    assert list(frame["__locator__"]) == ["row 2", "row 5", "row 7", "row 9"]
    assert frame.loc[0, "Description"] == f"Learn to clean data.{nl}Build dashboards.{nl}Present, with confidence."
    assert frame.loc[1, "Title"] == "Cloud Computing"
    assert frame.loc[2, "Title"] == f"Health {nl}& Safety"
    assert frame.loc[2, "Description"] == 'Quoted "word" here'
    assert frame.loc[3, "Description"] is None and frame.loc[3, "Credits"] is None
    assert info.warnings == []


def test_blank_lines_are_skipped_but_counted(tmp_path):
    text = "Code;Title\n\nA;Alpha\n\n\n;;\nB;Beta\n   \n"
    p = write(tmp_path, "blank.csv", text)
    info, frame, _ = read_all(p)
    assert info.header_row == 1
    assert records(frame) == [["A", "Alpha"], ["B", "Beta"]]
    assert list(frame["__locator__"]) == ["row 3", "row 7"]


def test_ragged_rows_lose_nothing(tmp_path):
    text = ("Code,Title,Credits\n"
            "A,Alpha,5\n"
            "B,Beta\n"
            "C,Gamma,10,surplus,,more\n"
            "D,Delta,3,,\n")  # empty trailing fields are not "extra values"
    p = write(tmp_path, "ragged.csv", text)
    info, frame, _ = read_all(p)
    assert source_columns(frame) == ["Code", "Title", "Credits", "column_4", "column_6"]
    assert records(frame) == [
        ["A", "Alpha", "5", None, None],
        ["B", "Beta", None, None, None],
        ["C", "Gamma", "10", "surplus", "more"],
        ["D", "Delta", "3", None, None],
    ]
    assert info.warnings == [
        "1 row had more fields than the header row; the extra values were kept as column_4, "
        "column_6: row 4",
        "1 row had fewer fields than the header row; the missing values were read as empty: row 3",
    ]


def test_header_names_are_cleaned_and_made_unique(tmp_path):
    text = '\ufeff Name ;Name;;"Leistungs-\npunkte";__locator__;Name\n1;2;3;4;5;6\n'
    p = write(tmp_path, "hdr.csv", text)
    info, frame, _ = read_all(p)
    assert info.columns == ["Name", "Name (2)", "column_3", "Leistungs- punkte", "__locator__ (2)",
                            "Name (3)"]
    assert records(frame, info.columns) == [["1", "2", "3", "4", "5", "6"]]
    assert frame.loc[0, "__locator__"] == "row 3"


def test_unnamed_empty_columns_are_left_out(tmp_path):
    p = write(tmp_path, "t.csv", "Code;Titel;;\nA;Alpha;;\nB;Beta;;x\n")
    info, frame, _ = read_all(p)
    assert info.columns == ["Code", "Titel", "column_3", "column_4"]
    assert source_columns(frame) == ["Code", "Titel", "column_4"]
    assert list(frame["column_4"]) == [None, "x"]
    assert info.warnings == []


def test_empty_and_whitespace_cells_are_none_and_dtype_is_object(tmp_path):
    text = "Code,Title,Note\nA,  spaced  ,\nB, ,x\n"
    p = write(tmp_path, "cells.csv", text)
    info, frame, _ = read_all(p)
    assert all(str(dt_) == "object" for dt_ in frame.dtypes)
    assert frame.loc[0, "Title"] == "  spaced  "  # values are verbatim
    assert frame.loc[0, "Note"] is None
    assert frame.loc[1, "Title"] is None
    assert frame.loc[0, "__error__"] is None and frame.loc[0, "__raw__"] is None
    for v in frame.to_numpy().ravel():
        assert v is None or isinstance(v, str)


def test_unclosed_quote_swallowing_the_rest_becomes_one_error_row(tmp_path):
    text = ("Code;Title;Credits\n"
            "A;Alpha;5\n"
            'B;"Beta broken;3\n'
            "C;Gamma;10\n"
            "D;Delta;4\n")
    p = write(tmp_path, "quote.csv", text)
    info, frame, _ = read_all(p)
    assert records(frame) == [["A", "Alpha", "5"], ["B", '"Beta broken', "3"],
                              ["C", "Gamma", "10"], ["D", "Delta", "4"]]
    assert list(frame["__locator__"]) == ["row 2", "row 3", "row 4", "row 5"]
    assert frame.loc[1, "__error__"] == (
        "row 3: a quote opened in this row is not closed (it runs on to the end of the file "
        "(row 5)); the row was read with its quotes taken literally")
    assert frame.loc[1, "__raw__"] == 'B;"Beta broken;3'
    assert frame["__error__"].notna().sum() == 1
    assert info.warnings[-1] == (
        "1 row had a quote that is not closed; it was read with quotes taken literally and marked "
        "as errors: row 3")


def test_stray_quote_that_merges_rows_is_split_again(tmp_path):
    text = ("Code,Title,Credits\n"
            'A,"Alpha broken,5\n'
            'B,"Beta, quoted",3\n'
            "C,Gamma,10\n")
    p = write(tmp_path, "stray.csv", text)
    info, frame, _ = read_all(p)
    assert list(frame["__locator__"]) == ["row 2", "row 3", "row 4"]
    assert frame.loc[0, "Title"] == '"Alpha broken'
    assert frame.loc[0, "__error__"].startswith("row 2: a quote opened in this row is not closed")
    assert records(frame)[1:] == [["B", "Beta, quoted", "3"], ["C", "Gamma", "10"]]


def test_batches_are_bounded_and_locators_continue(tmp_path):
    rows = [[f"K-{i}", f"Kurs {i}"] for i in range(1, 8)]
    p = write(tmp_path, "b.csv", csv_text(["Code", "Titel"], rows))
    info, frame, frames = read_all(p, batch_size=3)
    assert [len(f) for f in frames] == [3, 3, 1]
    assert list(frame["__locator__"]) == [f"row {i}" for i in range(2, 9)]
    assert frame.loc[6, "Titel"] == "Kurs 7"


def test_delimiter_and_encoding_can_be_given(tmp_path):
    # "a|b" in every cell would fool detection into "|"; a profile says ";" and cp1250
    rows = [[f"{r[0]}|x", r[1], r[2], r[3]] for r in POLISH_ROWS]
    p = write(tmp_path, "k.csv", csv_text(POLISH_HEADER, rows), "cp1250")
    info, frame, _ = read_all(p, delimiter=";", encoding="windows-1250")
    assert (info.delimiter, info.encoding) == (";", "cp1250")
    assert records(frame) == rows
    info, frame, _ = read_all(p, delimiter=";", encoding="ascii")
    assert info.encoding == "ascii"
    assert info.warnings == ["some bytes are not valid ASCII and were replaced by \ufffd"]
    assert frame.loc[0, "Nazwa kursu"] == "Zarz\ufffddzanie projektami zwinnymi|x"


def test_fileinfo_is_known_before_iterating(tmp_path):
    data = csv_text(IRISH_HEADER, IRISH_ROWS, ",").encode()
    p = write(tmp_path, "nfq.csv", data)
    info, batches = read_file(p)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert info.path == str(p)
    assert info.columns == IRISH_HEADER
    assert sum(len(b.frame) for b in batches) == 3


def test_single_column_csv(tmp_path):
    p = write(tmp_path, "titles.csv", "Title\nData Analytics\nCloud Computing\n")
    info, frame, _ = read_all(p)
    assert info.columns == ["Title"]
    assert list(frame["Title"]) == ["Data Analytics", "Cloud Computing"]


# ------------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_banner_merged_title_blank_rows_and_types(tmp_path):
    p = course_workbook(tmp_path / "kurse.xlsx")
    info, frame, _ = read_all(p)
    assert info.format == "xlsx"
    assert info.sheet == "Courses"  # the empty first sheet is passed over
    assert info.header_row == 4
    assert info.encoding is None and info.delimiter is None
    assert source_columns(frame) == ["Kursnummer", "Titel", "Leistungspunkte", "Beginn", "Online",
                                     "Niveau (DQR)"]
    assert records(frame) == [
        ["KI-101", "Künstliche Intelligenz für Einsteiger", "7.5", "2025-09-01", "true", "6"],
        ["BWL-210", "Grundlagen der BWL", "5", "2025-10-01T10:00:00", "false", "6"],
        ["MB-330", "  Maschinenbau  ", "2.5", "2026-03-15", None, "7"],
    ]
    assert list(frame["__locator__"]) == ["sheet Courses row 5", "sheet Courses row 6",
                                          "sheet Courses row 8"]
    assert all(str(t) == "object" for t in frame.dtypes)


def test_xlsx_sheet_parameter_and_unknown_sheet(tmp_path):
    from connectors import SourceFileError

    p = course_workbook(tmp_path / "kurse.xlsx")
    info, frame, _ = read_all(p, sheet="Notes")
    assert info.sheet == "Notes" and info.header_row == 1
    assert records(frame) == [["1", "Nur zur Information"]]
    assert list(frame["__locator__"]) == ["sheet Notes row 2"]
    with pytest.raises(SourceFileError) as e:
        read_file(p, sheet="Tabelle1")
    assert str(e.value) == "kurse.xlsx: no sheet named 'Tabelle1' (sheets: Deckblatt, Courses, Notes)"


def test_xlsx_values_beyond_the_header_and_numbers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["Code", "Credits", None, "Hours"])
    ws.append(["A", 0.1 + 0.2, "gap", 1250.0])
    ws.append(["B", 1e-7, None, 12345678901234, "beyond"])
    wb.save(tmp_path / "n.xlsx")
    info, frame, _ = read_all(tmp_path / "n.xlsx")
    assert source_columns(frame) == ["Code", "Credits", "column_3", "Hours", "column_5"]
    assert records(frame) == [["A", "0.3", "gap", "1250", None],
                              ["B", "1e-07", None, "12345678901234", "beyond"]]
    assert info.warnings == [
        "1 row had values right of the header row; they were kept as column_5: row 3"]


def test_xlsx_batches(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Code", "Title"])
    for i in range(1, 11):
        ws.append([f"K-{i}", f"Kurs {i}"])
    wb.save(tmp_path / "many.xlsx")
    info, frame, frames = read_all(tmp_path / "many.xlsx", batch_size=4)
    assert [len(f) for f in frames] == [4, 4, 2]
    assert frame.loc[9, "__locator__"] == "sheet Sheet row 11"


# ------------------------------------------------------------------------------------------------
# JSON


COURSES = [
    {"id": "c-1", "title": "Data Analytics", "provider": {"name": "DCU", "country": "IE"},
     "workload": {"value": 10, "unit": "ECTS"}, "languages": ["en", "ga"],
     "outcomes": [{"text": "Clean data"}], "online": True, "price": None, "level": 8.0},
    {"id": "c-2", "title": "Cloud Computing", "provider": {"name": "ATU"},
     "workload": {"value": 7.5, "unit": "ECTS"}, "languages": [], "tags": ["cloud", None, "aws"]},
]


def _check_courses(frame, prefix):
    assert list(frame["__locator__"]) == [f"{prefix}/0", f"{prefix}/1"]
    assert source_columns(frame) == ["id", "title", "provider.name", "provider.country",
                                     "workload.value", "workload.unit", "languages", "outcomes",
                                     "online", "price", "level", "tags"]
    r0 = frame.iloc[0]
    assert r0["provider.name"] == "DCU"
    assert r0["workload.value"] == "10"
    assert r0["languages"] == "en\nga"
    assert json.loads(r0["outcomes"]) == [{"text": "Clean data"}]
    assert r0["online"] == "true"
    assert r0["price"] is None
    assert r0["level"] == "8"
    assert r0["tags"] is None
    r1 = frame.iloc[1]
    assert r1["workload.value"] == "7.5"
    assert r1["provider.country"] is None
    assert r1["languages"] is None
    assert r1["tags"] == "cloud\naws"
    assert frame["__error__"].isna().all()


@pytest.mark.parametrize("shape,prefix,records_path", [
    ("array", "", ""),
    ("items", "/items", "/items"),
    ("graph", "/@graph", "/@graph"),
    ("nested", "/response/courses", "/response/courses"),
    ("other-key", "/angebote", "/angebote"),
])
def test_json_shapes(tmp_path, shape, prefix, records_path):
    doc = {
        "array": COURSES,
        "items": {"total": 2, "items": COURSES},
        "graph": {"@context": "https://schema.org", "@graph": COURSES},
        "nested": {"meta": {"page": 1}, "response": {"courses": COURSES}},
        "other-key": {"generated": "2025-01-01", "angebote": COURSES},
    }[shape]
    p = write(tmp_path, "c.json", json.dumps(doc, indent=2, ensure_ascii=False))
    info, frame, _ = read_all(p)
    assert info.format == "json"
    assert info.records_path == records_path
    _check_courses(frame, prefix)


def test_json_single_object_is_one_record(tmp_path):
    p = write(tmp_path, "one.json", json.dumps(COURSES[0]))
    info, frame, _ = read_all(p)
    assert len(frame) == 1
    assert frame.loc[0, "__locator__"] == "/"
    assert frame.loc[0, "title"] == "Data Analytics"


@pytest.mark.parametrize("encoding,bom,name", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
])
def test_json_encodings(tmp_path, encoding, bom, name):
    doc = {"data": [{"Intitulé": "Élève ingénieur", "Poziom": "Zarządzanie"}]}
    p = write(tmp_path, "e.json", bom + json.dumps(doc, ensure_ascii=False).encode(encoding))
    info, frame, _ = read_all(p)
    assert info.encoding == name
    assert records(frame) == [["Élève ingénieur", "Zarządzanie"]]
    assert frame.loc[0, "__locator__"] == "/data/0"


def test_json_item_that_is_not_an_object_is_an_error_record(tmp_path):
    p = write(tmp_path, "x.json", json.dumps([{"a": "1"}, "oops", {"a": "3"}]))
    info, frame, _ = read_all(p)
    assert list(frame["__error__"]) == [None, "/1: not a JSON object (a string)", None]
    assert list(frame["a"]) == ["1", None, "3"]
    assert frame.loc[1, "__raw__"] == '"oops"'


def test_jsonl_with_a_broken_line(tmp_path):
    lines = [
        json.dumps({"id": "1", "title": "Data Analytics", "credits": 10}),
        json.dumps({"id": "2", "title": "Cloud", "provider": {"name": "ATU"}}),
        "",
        '{"id": "3", "title": "Broken" "credits": 5}',
        "[1, 2]",
        json.dumps({"id": "4", "title": "Zarządzanie"}, ensure_ascii=False),
    ]
    p = write(tmp_path, "c.jsonl", "\n".join(lines) + "\n")
    info, frame, _ = read_all(p)
    assert info.format == "jsonl"
    assert list(frame["__locator__"]) == ["line 1", "line 2", "line 4", "line 5", "line 6"]
    assert list(frame["title"]) == ["Data Analytics", "Cloud", None, None, "Zarządzanie"]
    assert frame.loc[1, "provider.name"] == "ATU"
    assert frame.loc[0, "credits"] == "10"
    assert list(frame["__error__"]) == [
        None, None,
        "line 4: invalid JSON: Expecting ',' delimiter (column 31)",
        "line 5: not a JSON object (an array)",
        None,
    ]
    assert frame.loc[2, "__raw__"] == lines[3]
    assert frame.loc[2, ["id", "credits", "provider.name"]].isna().all()
    assert info.warnings == [
        "2 lines are not a valid JSON object and were marked as errors: lines 4, 5"]


def test_jsonl_batches(tmp_path):
    p = write(tmp_path, "c.ndjson", "".join(json.dumps({"n": i}) + "\n" for i in range(5)))
    info, frame, frames = read_all(p, batch_size=2)
    assert [len(f) for f in frames] == [2, 2, 1]
    assert list(frame["n"]) == ["0", "1", "2", "3", "4"]


# ------------------------------------------------------------------------------------------------
# format detection


def test_detect_format_by_content(tmp_path):
    course_workbook(tmp_path / "export.csv")  # an XLSX named .csv
    assert detect_format(tmp_path / "export.csv") == "xlsx"
    write(tmp_path, "a.xlsx", csv_text(IRISH_HEADER, IRISH_ROWS, ","))
    assert detect_format(tmp_path / "a.xlsx") == "csv"
    write(tmp_path, "a.txt", "  \n[{\"a\": 1}]")
    assert detect_format(tmp_path / "a.txt") == "json"
    write(tmp_path, "sql.csv", "[ID],[Name]\n1,Data\n")
    assert detect_format(tmp_path / "sql.csv") == "csv"
    write(tmp_path, "b.json", '{"a": 1}\n{"a": 2}\n')
    assert detect_format(tmp_path / "b.json") == "jsonl"
    write(tmp_path, "c.jsonl", '{\n  "a": 1\n}\n')
    assert detect_format(tmp_path / "c.jsonl") == "json"
    # one line holding one object: the extension breaks the tie
    write(tmp_path, "d.jsonl", '{"a": 1}\n')
    write(tmp_path, "d.json", '{"a": 1}\n')
    assert detect_format(tmp_path / "d.jsonl") == "jsonl"
    assert detect_format(tmp_path / "d.json") == "json"


def test_wrong_extensions_are_read_by_content(tmp_path):
    course_workbook(tmp_path / "export.csv")
    info, frame, _ = read_all(tmp_path / "export.csv")
    assert info.format == "xlsx" and len(frame) == 3
    write(tmp_path, "export.xlsx", csv_text(GERMAN_HEADER, GERMAN_ROWS), "cp1252")
    info, frame, _ = read_all(tmp_path / "export.xlsx")
    assert info.format == "csv" and records(frame) == GERMAN_ROWS


# ------------------------------------------------------------------------------------------------
# a large file in bounded memory


_BIG_SCRIPT = textwrap.dedent("""
    import resource, sys
    sys.path.insert(0, sys.argv[2])
    import pandas, openpyxl  # noqa: F401 - baseline includes the libraries
    from connectors import read_file
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info, batches = read_file(sys.argv[1])
    n = 0
    last = None
    for b in batches:
        n += len(b.frame)
        last = (b.frame["__locator__"].iloc[-1], b.frame["Titel"].iloc[-1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("|".join(map(str, [n, (peak - base) // 1024, info.encoding, info.delimiter, last[0],
                             last[1], len(info.warnings)])))
""")


@pytest.mark.slow
def test_50mb_csv_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    n_rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Kursnummer;Titel;Niveau (DQR);Leistungspunkte;Sprache;Beschreibung\r\n")
        chunk = []
        while f.tell() < 50_000_000:
            for _ in range(10_000):
                n_rows += 1
                chunk.append(
                    f"K-{n_rows};Künstliche Intelligenz für Einsteiger {n_rows};{n_rows % 8 + 1};"
                    f"7,5;Deutsch, Englisch;\"Grundlagen; Übungen und Projekte, Teil {n_rows}\"\r\n")
            f.write("".join(chunk))
            chunk = []
    assert path.stat().st_size >= 50_000_000
    res = subprocess.run([sys.executable, "-c", _BIG_SCRIPT, str(path), str(REPO)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    count, growth_mb, encoding, delimiter, loc, title, n_warn = res.stdout.strip().split("|")
    assert int(count) == n_rows
    assert int(growth_mb) < 400, f"peak RSS grew by {growth_mb} MB"
    assert (encoding, delimiter, n_warn) == ("utf-8", ";", "0")
    assert loc == f"row {n_rows + 1}"
    assert title == f"Künstliche Intelligenz für Einsteiger {n_rows}"


def test_xlsx_instructions_sheet_before_the_table(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Instructions"
    for line in ("How to fill in this template", "One row per course", "Do not change the headers"):
        ws.append([line])
    courses = wb.create_sheet("Courses")
    courses.append(["Course ID", "Course Title", "EQF Level", "ECTS", "Mode", "Language"])
    courses.append(["TS-1", "Data Analysis", 5, 5, "Online", "English"])
    courses.append(["TS-2", "Cyber Security", 6, 10, "On campus", "English"])
    wb.save(tmp_path / "template.xlsx")
    info, batches = read_file(tmp_path / "template.xlsx")
    frame = next(batches).frame
    assert info.sheet == "Courses"
    assert frame["Course Title"].tolist() == ["Data Analysis", "Cyber Security"]
    assert frame["__locator__"].tolist() == ["sheet Courses row 2", "sheet Courses row 3"]
