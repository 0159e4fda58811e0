"""Time from an institution's upload to the record being searchable, through the real API.

    python bench/bench_upload.py --records 100000 --catalog /tmp/bench100k.sqlite --repeat 3

Builds (or reuses) a catalogue of N synthetic records as bench_api.py does, serves it with uvicorn
on 127.0.0.1, creates an institution token, then repeatedly POSTs a small CSV export (20 courses,
one with a word no other record has) to /api/uploads and measures, from the start of the POST:
the answer (upload stored, first report), the upload's status turning `published` (the pipeline
ran: parse, harmonise, validate with Great Expectations, publish), and the first search that
finds the new word (the API's search index has the new delivery).
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_api import build, serve  # noqa: E402


def export(word: str) -> bytes:
    lines = ["code;Titel;Beschreibung;DQR-Niveau;ECTS;Sprache;Lernform"]
    for i in range(20):
        title = f"Zertifikatskurs {word}" if i == 0 else f"Weiterbildung Modul {i}"
        lines.append(f"K{i:03d};{title};Praxisnahe Weiterbildung für Fachkräfte;{4 + i % 4};{5 + i % 3};Deutsch;online")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def one_upload(base: str, token: str, source: str) -> tuple[float, float, float]:
    import requests as rq

    s = rq.Session()
    s.trust_env = False
    word = "bench" + secrets.token_hex(4)
    t0 = time.perf_counter()
    res = s.post(f"{base}/api/uploads", headers={"Authorization": f"Bearer {token}"},
                 files={"file": ("export.csv", export(word), "text/csv")}, data={"source": source}, timeout=60)
    res.raise_for_status()
    answered = time.perf_counter() - t0
    upload_id = res.json()["upload_id"]
    published = searchable = None
    while time.perf_counter() - t0 < 900:
        if published is None:
            status = s.get(f"{base}/api/uploads/{upload_id}", headers={"Authorization": f"Bearer {token}"},
                           timeout=60).json()["status"]
            if status == "failed":
                raise SystemExit(f"upload {upload_id} failed")
            if status == "published":
                published = time.perf_counter() - t0
        found = s.get(f"{base}/api/credentials", params={"q": word, "facets": "false"}, timeout=60).json()["total"]
        if found:
            searchable = time.perf_counter() - t0
            if published is None:
                published = searchable
            break
        time.sleep(0.05)
    if searchable is None:
        raise SystemExit("the upload did not become searchable within 900 s")
    return answered, published, searchable


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--catalog", type=Path, help="SQLite file to keep the built catalogue in (reused when it exists)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    from catalog import store, tokens

    with tempfile.TemporaryDirectory() as tmp:
        path = a.catalog or Path(tmp) / "catalog.sqlite"
        url = f"sqlite:///{path}"
        if not path.exists():
            build(url, a.records)
        _, token = tokens.create(store.connect(url), source="de-bench-upload")
        store.dispose_all()
        os.environ.pop("CLEARINGHOUSE_ESCO", None)
        server = serve(url, a.port, a.workers, tmp)
        base = f"http://127.0.0.1:{a.port}"
        try:
            import requests as rq
            rq.get(f"{base}/api/credentials", params={"q": "data"}, timeout=900,
                   proxies={"http": ""})  # the column store is loaded before timing
            runs = [one_upload(base, token, "de-bench-upload") for _ in range(a.repeat)]
        finally:
            server.terminate()
            server.wait(30)
    for name, i in (("answer", 0), ("published", 1), ("searchable", 2)):
        print(f"{name}: median {statistics.median(r[i] for r in runs):.2f} s "
              f"(runs: {', '.join(f'{r[i]:.2f}' for r in runs)})")


if __name__ == "__main__":
    main()
