"""Regenerate tests/data/exports/ie_liffey_valley_modules.xlsx (an Irish institute's XLSX export).

    .venv/bin/python tests/data/exports/make_xlsx.py

Written the way the institute's reporting tool writes it: a merged banner row, a blank row, the header
on row 3, real Excel dates and numbers. Expected results are in expected.yaml. The bytes are
reproducible (fixed document properties and zip entry timestamps).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUT = Path(__file__).with_name("ie_liffey_valley_modules.xlsx")
STAMP = dt.datetime(2025, 11, 20, 14, 5, 0)

BANNER = "Liffey Valley Institute – micro-credential modules, intake 2026 (report MOD_OFFER_v3)"
HEADER = ["Module Code", "Module Title", "NFQ Level", "ECTS", "Mode of Delivery", "Language(s)",
          "Start Date", "Fee"]
ROWS = [
    ("LVI-DA-601", "Data Analytics with Excel & Power BI", 6, 10, "Online", "English", dt.date(2026, 1, 19), 950),
    ("LVI-CS-702", "Cloud Security Fundamentals", 7, 5, "Blended", "English", dt.date(2026, 2, 2), 700),
    ("LVI-PM-803", "Project Management: Agile and Predictive", 8, 10, "On campus", "English", dt.date(2026, 1, 26), 1100),
    ("LVI-ML-904", "Machine Learning Operations (MLOps)", 9, 7.5, "Online", "English", dt.date(2026, 3, 2), 1350),
    ("LVI-GA-605", "Gaeilge Ghnó (Business Irish)", 6, 5, "Blended", "Irish", dt.date(2026, 2, 9), 0),
    ("LVI-SU-706", "Circular Economy in Practice", 7, 5, "On campus", "English; Irish", dt.date(2026, 2, 16), 650),
    ("LVI-RE-507", "Retrofit Energy Assessor", 5, 15, "On campus", "English", dt.date(2026, 1, 12), 1200),
    ("LVI-DM-708", "Digital Marketing Analytics", 7, 5, "Online", "English", dt.date(2026, 4, 13), 700),
    ("LVI-RM-1209", "Advanced Research Methods", 12, 10, "Online", "English", dt.date(2026, 3, 9), 1500),
    ("LVI-HR-610", None, 6, 5, "Blended", "English", dt.date(2026, 4, 20), 600),
    ("LVI-ED-1011", "Doctoral Research Supervision", 10, 5, "Blended", "English", dt.date(2026, 5, 4), 800),
]


def build() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Modules"
    ws.append([BANNER])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in ROWS:
        ws.append(list(row))
        ws.cell(ws.max_row, 7).number_format = "DD/MM/YYYY"
        ws.cell(ws.max_row, 8).number_format = '"€"#,##0.00'
    wb.properties.creator = "MOD_OFFER report"
    wb.properties.created = STAMP
    buf = io.BytesIO()
    wb.save(buf)
    return _stable(buf.getvalue())


def _stable(data: bytes) -> bytes:
    """Replace what openpyxl takes from the clock: core.xml's modified date and zip entry times."""
    iso = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({len(ROWS)} records)")
