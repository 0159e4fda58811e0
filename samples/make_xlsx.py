"""Regenerate samples/ie_nfq_microcreds.xlsx, the Irish institute's Banner export.

    .venv/bin/python samples/make_xlsx.py

The workbook mimics a report exported from Banner and tidied in Excel: a merged banner row, a blank
row, then the header; start dates are real Excel dates, fees are numbers with a currency format.
Two rows are broken on purpose (see samples/README.md). The output is byte-for-byte reproducible:
document properties are fixed and the zip entries get a fixed timestamp.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

OUT = Path(__file__).with_name("ie_nfq_microcreds.xlsx")
FIXED = dt.datetime(2025, 9, 1, 8, 30, 0)
BODY = "Atlantic Midlands Technological University"
QA_QQI = "QQI – validated under delegated authority (AMTU Quality Framework)"
QA_INT = "Approved by AMTU Academic Council"

BANNER = "Micro-credentials catalogue 2025/26 – exported from Banner"
HEADER = ["Course Code", "Course Title", "NFQ Level", "ECTS Credits", "Delivery Mode",
          "Language of Instruction", "Learning Outcomes", "Assessment", "Awarding Body",
          "Quality Assurance", "Start Date", "Fee (EUR)"]

ROWS = [
    ("MC-COMP-6101", "Certificate in Data Analytics Fundamentals", 6, 10, "Online", "English",
     "Clean, combine and summarise data using spreadsheets and SQL.\n"
     "Produce clear charts and dashboards for a non-technical audience.\n"
     "Explain the limitations of a data set and its analysis.",
     "Continuous assessment (100%)", BODY, QA_QQI, dt.date(2025, 9, 22), 1250),
    ("MC-COMP-7202", "Machine Learning with Python", 7, 10, "Blended", "English",
     "Select and apply supervised learning algorithms to real-world problems.\n"
     "Evaluate models using appropriate metrics and cross-validation.\n"
     "Communicate the ethical implications of automated decision-making.",
     "Project (60%), online quizzes (40%)", BODY, QA_QQI, dt.date(2025, 10, 6), 1495),
    ("MC-COMP-8203", "Cybersecurity Risk Management", 8, 10, "Online", "English",
     "Assess information security risks using ISO/IEC 27005.\n"
     "Design an incident response plan for a medium-sized organisation.",
     "Written examination (50%), case study (50%)", BODY, QA_QQI, dt.date(2026, 1, 19), 1600),
    ("MC-BUS-7104", "Project Management Practice", 7, 5, "Blended", "English",
     "Plan, schedule and control a project using predictive and agile techniques.\n"
     "Manage stakeholders, risks and change in a project environment.",
     "Project plan and reflective report", BODY, QA_QQI, dt.date(2025, 9, 29), 850),
    ("MC-BUS-6105", "Digital Marketing Essentials", 6, 5, "Online", "English",
     "Develop a digital marketing plan across search, social and email channels.\n"
     "Measure campaign performance with web analytics.",
     "Portfolio", BODY, QA_INT, dt.date(2025, 10, 13), 750),
    ("MC-BUS-9106", "Sustainable Business and ESG Reporting", 9, 10, "Blended", "English",
     "Critically evaluate corporate sustainability strategies.\n"
     "Prepare ESG disclosures in line with the CSRD and ESRS.\n"
     "Lead decarbonisation initiatives within an organisation.",
     "Research essay (70%), presentation (30%)", BODY, QA_QQI, dt.date(2026, 1, 26), 1950),
    ("MC-LANG-6107", "Gaeilge san Ionad Oibre (Irish in the Workplace)", 6, 5, "On campus", "Irish; English",
     "Communicate in Irish in everyday workplace situations (CEFR B1).\n"
     "Draft bilingual correspondence in line with the Official Languages Act.",
     "Oral examination (50%), written assignment (50%)", BODY, QA_INT, dt.date(2025, 9, 15), 0),
    ("MC-ENG-7108", "Lean Six Sigma Green Belt", 7, 10, "Blended", "English",
     "Apply the DMAIC cycle to a process improvement project.\n"
     "Use statistical process control tools to reduce variation.",
     "Improvement project", BODY, QA_QQI, dt.date(2025, 11, 3), 1400),
    ("MC-SCI-8109", "Medical Device Regulatory Affairs", 8, 10, "Online", "English",
     "Interpret the EU Medical Device Regulation (MDR 2017/745).\n"
     "Compile a technical file for a class IIa device.",
     "Continuous assessment", BODY, QA_QQI, dt.date(2026, 2, 2), 1750),
    ("MC-ENG-6110", "Solar PV Installation and Design", 6, 5, "On campus", "English",
     "Design a domestic solar PV system to current Irish standards.\n"
     "Install and commission a PV array safely.",
     "Practical assessment (60%), written examination (40%)", BODY, QA_QQI, dt.date(2026, 3, 2), 900),
    ("MC-COMP-9111", "Applied Artificial Intelligence for Business Leaders", 9, 5, "Online", "English",
     "Evaluate opportunities for AI adoption in an organisation.\n"
     "Develop an AI governance framework aligned with the EU AI Act.",
     "Strategy paper", BODY, QA_QQI, dt.date(2026, 2, 16), 1200),
    ("MC-COMP-7112", "Cloud Computing with AWS", 7, 5, "Online", "English",
     None, "Online quizzes and practical labs", BODY, None, dt.date(2025, 10, 20), 800),
    ("MC-HLT-9113", "Leadership in Healthcare", 9, 10, "Blended", "English",
     "Critically analyse models of clinical leadership.\n"
     "Lead a quality improvement initiative in a healthcare setting.",
     "Reflective portfolio", BODY, QA_QQI, dt.date(2026, 1, 12), 1800),
    ("MC-BUS-8114", "Data Protection (GDPR) in Practice", 8, 5, "Online", "Irish; English",
     "Apply the GDPR and the Data Protection Act 2018 to organisational processing.\n"
     "Conduct a data protection impact assessment.",
     "Case study", BODY, QA_INT, dt.date(2025, 11, 17), 950),
    ("MC-COMP-1115", "Quantum Computing Frontiers", 11, 10, "Online", "English",
     "Explain the principles of quantum algorithms.",
     "Research paper", BODY, QA_QQI, dt.date(2026, 2, 9), 2000),
    ("MC-EDU-7116", "Universal Design for Learning", 7, -5, "Online", "English",
     "Apply UDL principles to the design of a module.",
     "Portfolio", BODY, QA_INT, dt.date(2025, 10, 6), 500),
]


def build() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Micro-credentials"
    ws.append([BANNER])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for row in ROWS:
        ws.append(list(row))
        r = ws.max_row
        ws.cell(r, 7).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 11).number_format = "DD/MM/YYYY"
        ws.cell(r, 12).number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHIJKL", (14, 46, 10, 12, 14, 22, 70, 36, 40, 50, 12, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    p = wb.properties
    p.creator = "Banner Reporting Service"
    p.lastModifiedBy = "Registry Office"
    p.title = "Micro-credentials catalogue 2025/26"
    p.created = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise(buf.getvalue())


def _normalise(data: bytes) -> bytes:
    """Fix what openpyxl stamps with the clock (core.xml modified date, zip entry times)."""
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 9, 1, 8, 30, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({len(ROWS)} records)")
