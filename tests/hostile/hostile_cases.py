"""The hostile corpus (issue 16): broken, odd and malicious deliveries, generated at test time.

Each case is a file name, a function making its bytes (given the trap server's URL, so a file
can point at it), and what must come of ingesting it:
- ``read``: exit 0; optionally the exact (read, accepted, quarantined), and rules that must be
  among the quarantine's reasons;
- ``refused``: exit 1 with one error line (containing ``says`` when given);
- ``either``: one of the two, whichever the file deserves (both are kept to the same rules).
"""
from __future__ import annotations

import codecs
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Callable

HEADER = "id,title,ects,level,language,start date\n"
ROWS = "".join(f"C{i},Kurs {i} Datenanalyse,5,EQF 6,de,2026-09-0{i}\n" for i in range(1, 6))
CSV = HEADER + ROWS


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    make: Callable[[str], bytes]
    expect: str = "read"  # read | refused | either
    counts: tuple[int, int, int] | None = None
    rules: tuple[str, ...] = ()  # (field, rule) joined "field:rule", each among the quarantine's reasons
    says: str | None = None  # a refusal's line contains this
    source: str = "hostile"
    args: tuple[str, ...] = field(default_factory=tuple)


def _csv(text: str, encoding: str = "utf-8") -> Callable[[str], bytes]:
    return lambda trap: text.encode(encoding)


def _xlsx(rows: list[list[object]], *, formula: bool = False) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if formula:
        ws["C2"] = "=2+3"
        ws["B3"] = '=HYPERLINK("http://evil.example","click")'
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_ROWS = [["id", "title", "ects"], *[[f"X{i}", f"Workbook course {i}", 5] for i in range(1, 5)]]


def _rezip(data: bytes, change: Callable[[str, bytes], bytes], add: dict[str, str] | None = None) -> bytes:
    """The workbook ``data`` with every part passed through ``change`` and the ``add`` parts added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, change(item.filename, src.read(item.filename)))
        for name, text in (add or {}).items():
            z.writestr(name, text)
    return out.getvalue()


def _xlsx_bomb(trap: str) -> bytes:
    """A workbook whose sheet XML inflates to ~200 MB of blanks (a few hundred kB zipped)."""
    def inflate(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b"<sheetData>", b"<sheetData>" + b" " * 200_000_000, 1)
    return _rezip(_xlsx(XLSX_ROWS), inflate)


def _xlsx_external_link(trap: str) -> bytes:
    """A workbook with an external link part pointing at the trap server."""
    return _rezip(_xlsx(XLSX_ROWS), lambda name, data: data, {
        "xl/externalLinks/externalLink1.xml":
            '<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"/></externalLink>',
        "xl/externalLinks/_rels/externalLink1.xml.rels":
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            f'Target="{trap}/book.xlsx" TargetMode="External"/></Relationships>'})


def _nested_json(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _xcri(title: str, extra_prolog: str = "", body: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{extra_prolog}'
            '<catalog xmlns="http://xcri.org/profiles/1.2/catalog" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:mlo="http://purl.org/net/mlo">'
            '<provider><dc:title>Hostile College</dc:title>'
            f'<course><dc:identifier>H1</dc:identifier><dc:title>{title}</dc:title>{body}</course>'
            '<course><dc:identifier>H2</dc:identifier><dc:title>Plain course</dc:title></course>'
            '</provider></catalog>').encode()


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RLO = "Kurs \u202egnp.exe\u202c Datenanalyse"


def _every_text_field_hostile(trap: str) -> bytes:
    cols = ["id", "title", "description", "awarding body", "learning outcomes", "prerequisites", "url"]
    rows = [cols, ["S1", f"Sicher {SCRIPT}", f"Beschreibung {SCRIPT}", f"Hochschule {SCRIPT}",
                   f"Outcome {SCRIPT}", f"Vorkenntnisse {SCRIPT}", "javascript:alert(1)"]]
    buf = io.StringIO()
    import csv
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def _jsonld_remote_context(trap: str) -> bytes:
    return json.dumps({"@context": f"{trap}/context.jsonld", "@type": "ceterms:Certificate",
                       "ceterms:ctid": "ce-00000000-0000-0000-0000-000000000001",
                       "ceterms:name": "Trap credential"}).encode()


def _ob3_remote_context(trap: str) -> bytes:
    return json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2", f"{trap}/ob3.jsonld"],
                       "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1",
                       "name": "Trap badge", "issuer": {"id": f"{trap}/issuer", "type": "Profile", "name": "Trap"},
                       "credentialSubject": {"type": "AchievementSubject", "achievement": {
                           "id": f"{trap}/a", "type": "Achievement", "name": "Trap badge",
                           "criteria": {"narrative": "none"}}}}).encode()


def _mixed_encoding(trap: str) -> bytes:
    return (HEADER + "M1,Kurs Öffentliches Recht,5,EQF 6,de,2026-09-01\n").encode("utf-8") + \
        "M2,Kurs Übungen für Anfänger,5,EQF 6,de,2026-09-02\n".encode("cp1252")


def _huge_cell(trap: str) -> bytes:
    return (HEADER + "B1,Big cell," + "5" * 10 + ",EQF 6,de,2026-09-01\n"
            + 'B2,"' + "x" * 30_000_000 + '",5,EQF 6,de,2026-09-02\n'
            + "B3,After the big one,5,EQF 6,de,2026-09-03\n").encode()


def _wide(trap: str) -> bytes:
    header = ",".join(["id", "title"] + [f"col{i}" for i in range(20_000)])
    row = ",".join(["W1", "Wide course"] + ["v"] * 20_000)
    return (header + "\n" + row + "\n").encode()


def _utf16_no_bom(trap: str) -> bytes:
    return CSV.encode("utf-16-le")


def _truncated_xlsx(trap: str) -> bytes:
    data = _xlsx(XLSX_ROWS)
    return data[: len(data) // 2]


def _oversize_json(trap: str) -> bytes:
    return b"[" + b",".join([b'{"id":"O","title":"' + b"o" * 1000 + b'"}'] * 60_000) + b"]"


CASES: list[Case] = [
    # encodings and byte order marks
    Case("utf8", "kurse.csv", _csv(CSV), counts=(5, 5, 0)),
    Case("utf8-bom", "kurse.csv", lambda t: codecs.BOM_UTF8 + CSV.encode(), counts=(5, 5, 0)),
    Case("utf16le-bom", "kurse.csv", lambda t: CSV.encode("utf-16"), counts=(5, 5, 0)),
    Case("utf16be-bom", "kurse.csv", lambda t: codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"), counts=(5, 5, 0)),
    Case("utf16le-no-bom", "kurse.csv", _utf16_no_bom, counts=(5, 5, 0)),
    Case("utf32-bom", "kurse.csv", lambda t: CSV.encode("utf-32"), expect="either"),
    Case("cp1252", "kurse.csv", _csv(HEADER + "W1,Übungen zur Öffentlichkeit,5,EQF 6,de,2026-09-01\n", "cp1252"),
         counts=(1, 1, 0)),
    Case("koi8-r", "kurse.csv", _csv(HEADER + "R1,Анализ данных,5,EQF 6,ru,2026-09-01\n", "koi8-r"), expect="either"),
    Case("shift-jis", "kurse.csv", _csv(HEADER + "J1,データ分析入門,5,EQF 6,ja,2026-09-01\n", "shift_jis"), expect="either"),
    Case("mixed-utf8-cp1252", "kurse.csv", _mixed_encoding, counts=(2, 2, 0)),
    # empty and header only
    Case("empty", "kurse.csv", lambda t: b"", expect="refused"),
    Case("bom-only", "kurse.csv", lambda t: codecs.BOM_UTF8, expect="refused"),
    Case("whitespace-only", "kurse.csv", lambda t: b" \n\n \t\n", expect="refused"),
    Case("header-only", "kurse.csv", _csv(HEADER), expect="either"),
    Case("empty-json-array", "kurse.json", lambda t: b"[]", expect="either"),
    # binary and other file kinds
    Case("random-bytes", "kurse.csv", lambda t: bytes((i * 7919 + 13) % 256 for i in range(50_000)), expect="refused"),
    Case("png", "kurse.csv", lambda t: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, expect="refused"),
    Case("pdf", "kurse.csv", lambda t: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", expect="refused"),
    Case("gzip", "kurse.csv", lambda t: b"\x1f\x8b\x08\x00" + b"\x00" * 100, expect="refused"),
    Case("zip-not-xlsx", "kurse.xlsx", lambda t: _zip_of("notes.txt", b"hello"), expect="refused"),
    Case("nul-rich", "kurse.csv", lambda t: b"id,title\n" + b"\x00\x01\x02\x00" * 1000, expect="refused"),
    # spreadsheets
    Case("xlsx", "kurse.xlsx", lambda t: _xlsx(XLSX_ROWS), counts=(4, 4, 0)),
    Case("xlsx-truncated", "kurse.xlsx", _truncated_xlsx, expect="refused"),
    Case("xlsx-zip-bomb", "kurse.xlsx", _xlsx_bomb, expect="either"),
    Case("xlsx-external-link", "kurse.xlsx", _xlsx_external_link, counts=(4, 4, 0)),
    Case("xlsx-formula-cells", "kurse.xlsx", lambda t: _xlsx(XLSX_ROWS, formula=True), expect="either"),
    # shapes
    Case("20000-columns", "kurse.csv", _wide, expect="either"),
    Case("30mb-cell", "kurse.csv", _huge_cell, expect="either"),
    Case("quoted-newlines", "kurse.csv", _csv(HEADER + 'Q1,"Kurs mit\nZeilenumbruch",5,EQF 6,de,2026-09-01\n'
                                                'Q2,"Zweiter ""Kurs""",5,EQF 6,de,2026-09-02\n'), counts=(2, 2, 0)),
    Case("unclosed-quote", "kurse.csv", _csv(HEADER + 'U1,"Kurs ohne Ende,5,EQF 6,de,2026-09-01\n'
                                               "U2,Guter Kurs,5,EQF 6,de,2026-09-02\n"), expect="read"),
    Case("duplicate-ids", "kurse.csv", _csv(HEADER + "D1,Kurs A,5,EQF 6,de,2026-09-01\nD1,Kurs B,5,EQF 6,de,2026-09-02\n"
                                              "D2,Kurs C,5,EQF 6,de,2026-09-03\n"),
         counts=(3, 1, 2), rules=("source_record_id:duplicate",)),
    Case("more-fields-than-header", "kurse.csv", _csv(HEADER + "L1,Kurs,5,EQF 6,de,2026-09-01,extra,more\n"), expect="read"),
    Case("fewer-fields", "kurse.csv", _csv(HEADER + "F1,Kurs\n"), counts=(1, 1, 0)),
    Case("nul-in-a-cell", "kurse.csv", _csv(CSV + "N1,Kurs\x00kaputt,5,EQF 6,de,2026-09-01\n"), counts=(6, 5, 1)),
    Case("cr-line-endings", "kurse.csv", _csv(CSV.replace("\n", "\r")), counts=(5, 5, 0)),
    Case("mixed-line-endings", "kurse.csv", _csv(HEADER + "A1,Eins,5,EQF 6,de,2026-09-01\r\nA2,Zwei,5,EQF 6,de,2026-09-02\n"),
         counts=(2, 2, 0)),
    Case("semicolons", "kurse.csv", _csv(CSV.replace(",", ";")), counts=(5, 5, 0)),
    Case("tabs", "kurse.tsv", _csv(CSV.replace(",", "\t")), counts=(5, 5, 0)),
    Case("formula-titles", "kurse.csv", _csv(HEADER + "E1,=HYPERLINK(\"http://evil\"),5,EQF 6,de,2026-09-01\n"
                                               "E2,@SUM(1+1),5,EQF 6,de,2026-09-01\n"), counts=(2, 2, 0)),
    Case("very-long-title", "kurse.csv", _csv(HEADER + "T1," + "Lang" * 25_000 + ",5,EQF 6,de,2026-09-01\n"), expect="read"),
    Case("control-characters", "kurse.csv", _csv(HEADER + "K1,Kurs\x07\x1b[31m rot,5,EQF 6,de,2026-09-01\n"), expect="read"),
    Case("right-to-left-override", "kurse.csv", _csv(HEADER + f"R1,{RLO},5,EQF 6,de,2026-09-01\n"), counts=(1, 1, 0)),
    Case("script-in-every-text-field", "kurse.csv", _every_text_field_hostile, counts=(1, 1, 0)),
    # values that are wrong for certain, or odd
    Case("eqf-99", "kurse.csv", _csv(HEADER + "V1,Kurs,5,EQF 99,de,2026-09-01\nV2,Gut,5,EQF 6,de,2026-09-01\n"),
         counts=(2, 1, 1), rules=("eqf_level:out-of-range",)),
    Case("negative-credits", "kurse.csv", _csv(HEADER + "V1,Kurs,-5,EQF 6,de,2026-09-01\n"),
         counts=(1, 0, 1), rules=("ects:out-of-range",)),
    Case("year-99999", "kurse.csv", _csv(HEADER + "V1,Kurs,5,EQF 6,de,99999-01-01\n"), expect="read"),
    Case("nan-infinity-1e400", "kurse.json",
         lambda t: b'[{"id":"N1","title":"NaN credits","ects":NaN},{"id":"N2","title":"Infinite","ects":Infinity},'
                   b'{"id":"N3","title":"Huge float","ects":1e400},{"id":"N4","title":"Fine","ects":5}]',
         expect="read"),
    Case("huge-integer", "kurse.json",
         lambda t: b'[{"id":"H1","title":"Fine","ects":5},{"id":"H2","title":"Huge","ects":' + b"9" * 5000 + b"}]",
         counts=(2, 1, 1)),
    Case("lone-surrogate", "kurse.json", lambda t: b'[{"id":"S1","title":"Kurs \\ud800 halb"}]', expect="read"),
    # JSON shapes
    Case("invalid-json", "kurse.json", lambda t: b'[{"id": "A", "title": "x",}]', expect="refused", says="invalid JSON"),
    Case("json-scalar", "kurse.json", lambda t: b'"just a string"', expect="refused"),
    Case("json-deep-array", "kurse.json", lambda t: _nested_json(100_000, "array"), expect="refused"),
    Case("json-deep-object", "kurse.json", lambda t: _nested_json(100_000, "object"), expect="refused"),
    Case("jsonl-broken-lines", "kurse.jsonl", lambda t: b'{"id":"L1","title":"Gut"}\n{"id": broken\n[1,2]\n',
         counts=(3, 1, 2)),
    Case("oversize-json", "kurse.json", _oversize_json, expect="either"),  # 61 MB: read, or refused over the limit
    # linked data and remote contexts (the trap server counts every connection)
    Case("jsonld-remote-context", "ctdl.json", _jsonld_remote_context, expect="either"),
    Case("ob3-remote-context", "badge.json", _ob3_remote_context, expect="either"),
    # XML
    Case("xcri-script-title", "feed.xml", lambda t: _xcri("&lt;script&gt;alert(1)&lt;/script&gt; Kurs"), counts=(2, 2, 0)),
    Case("xml-malformed", "feed.xml", lambda t: _xcri("Kurs").replace(b"</provider>", b"</providr>"), expect="refused"),
    Case("xml-xxe-file", "feed.xml",
         lambda t: _xcri("&xxe;", '<!DOCTYPE catalog [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), expect="refused"),
    Case("xml-billion-laughs", "feed.xml", lambda t: _xcri(
        "&lol9;", '<!DOCTYPE catalog [<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>"),
         expect="refused"),
    Case("xml-external-dtd", "feed.xml", lambda t: _xcri("Kurs", f'<!DOCTYPE catalog SYSTEM "{t}/catalog.dtd">'),
         expect="refused"),
    Case("xml-xinclude", "feed.xml", lambda t: _xcri(
        "Kurs", "", f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{t}/inc.xml"/>'), expect="either"),
    Case("xml-deep", "feed.xml", lambda t: b"<a>" * 100_000 + b"</a>" * 100_000, expect="refused"),
    # names
    Case("source-key-traversal", "kurse.csv", _csv(CSV), expect="refused", source="../../etc", says="source key"),
    Case("file-name-traversal", "..%2F..%2Fkurse.csv", _csv(CSV), counts=(5, 5, 0)),
]


def _zip_of(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()
