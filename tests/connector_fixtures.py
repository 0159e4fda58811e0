"""Helpers for the connector tests: realistic export files written into a temp folder."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from connectors import read_file

GERMAN_HEADER = ["Kursnummer", "Titel", "Niveau (DQR)", "Leistungspunkte", "Sprache"]
GERMAN_ROWS = [
    ["KI-101", "Künstliche Intelligenz für Einsteiger", "6", "7,5", "Deutsch, Englisch"],
    ["BWL-210", "Grundlagen der Betriebswirtschaftslehre", "6", "5", "Deutsch"],
    ["MB-330", "Maschinenbau: Größen, Maße und Übungen", "7", "2,5", "Deutsch"],
]
IRISH_HEADER = ["Award Title", "NFQ Level", "Credits", "Awarding Body", "Mode"]
IRISH_ROWS = [
    ["Certificate in Data Analytics", "8", "10", "Dublin City University", "Online"],
    ["Special Purpose Award in Cloud Computing", "7", "15", "Atlantic Technological University", "Blended"],
    ["Minor Award in Health & Safety", "6", "5", "Munster Technological University", "On campus"],
]
FRENCH_HEADER = ["Intitulé", "Niveau RNCP", "Crédits ECTS", "Modalité"]
FRENCH_ROWS = [
    ["Gestion de projet numérique", "6", "6", "Présentiel"],
    ["Élève ingénieur : cœur de métier", "7", "3", "À distance"],
    ["Français langue étrangère – maîtrise", "5", "4", "Hybride"],
]
POLISH_HEADER = ["Nazwa kursu", "Poziom PRK", "Punkty ECTS", "Język"]
POLISH_ROWS = [
    ["Zarządzanie projektami zwinnymi", "6", "5", "polski"],
    ["Łączność bezprzewodowa i sieci", "7", "4", "polski, angielski"],
    ["Źródła energii odnawialnej – żywność i środowisko", "6", "3", "polski"],
]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ";", newline: str = "\r\n") -> str:
    """A simple CSV text; cells holding the delimiter, quotes or line breaks are quoted."""
    def q(v: str) -> str:
        if delimiter in v or '"' in v or "\n" in v or "\r" in v:
            return '"' + v.replace('"', '""') + '"'
        return v
    return "".join(delimiter.join(q(v) for v in r) + newline for r in [header, *rows])


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def read_all(path, **kw) -> tuple:
    """(FileInfo, one concatenated frame, the list of batch frames)."""
    info, batches = read_file(path, **kw)
    frames = [b.frame for b in batches]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return info, frame, frames


def source_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not (c.startswith("__") and c.endswith("__"))]


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[list]:
    cols = columns or source_columns(frame)
    return [list(r) for r in frame[cols].itertuples(index=False, name=None)]


def course_workbook(path: Path, *, empty_first_sheet: bool = True, banner: bool = True) -> Path:
    """An XLSX export: an empty first sheet, then "Courses" with a merged title, a banner line and
    a blank row above the header, typed cells, a blank row inside the data and an empty trailing
    column; then a "Notes" sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Deckblatt"
    if not empty_first_sheet:
        first["A1"] = "only a title"
    ws = wb.create_sheet("Courses")
    r = 1
    if banner:
        ws["A1"] = "Kursexport Hochschule Musterstadt"
        ws.merge_cells("A1:F1")
        ws["A2"] = "Stand: 01.09.2025"
        r = 4  # row 3 stays blank
    header = ["Kursnummer", "Titel", "Leistungspunkte", "Beginn", "Online", "Niveau (DQR)"]
    for c, v in enumerate(header, start=1):
        ws.cell(row=r, column=c, value=v)
    data = [
        ["KI-101", "Künstliche Intelligenz für Einsteiger", 7.5, dt.datetime(2025, 9, 1), True, 6],
        ["BWL-210", "Grundlagen der BWL", 5, dt.datetime(2025, 10, 1, 10, 0), False, 6.0],
        None,  # a blank row inside the data
        ["MB-330", "  Maschinenbau  ", 2.50, dt.date(2026, 3, 15), None, 7],
    ]
    rows_written = []
    for offset, row in enumerate(data, start=1):
        rr = r + offset
        if row is not None:
            for c, v in enumerate(row, start=1):
                ws.cell(row=rr, column=c, value=v)
            rows_written.append(rr)
    # a formatted but empty trailing column (style only, no value)
    ws.cell(row=r, column=8).number_format = "0.00"
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Hinweis"
    notes["B1"] = "Text"
    notes["A2"] = "1"
    notes["B2"] = "Nur zur Information"
    wb.save(path)
    return path
