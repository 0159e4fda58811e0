"""API search latency under concurrent load, on loopback only.

    python bench/bench_api.py --records 100000 --backend sqlite --clients 8 --requests 400

Builds a catalogue of N synthetic descriptors (published through the same store code as the
pipeline, in one delivery), serves it with uvicorn on 127.0.0.1, then sends a bounded number of
faceted full-text queries from several client threads and reports p50 / p95 / p99 latency.
The load stops by itself (request count and a time limit).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

WORDS = ["Datenanalyse", "data analysis", "machine learning", "Projektmanagement", "cybersecurity",
         "sustainability", "digital marketing", "Künstliche Intelligenz", "analyse de données", "cloud"]
QUERIES = [
    {"q": "data"}, {"q": "kunstliche", "eqf": 6}, {"q": "analysis", "country": "IE"},
    {"q": "cloud", "mode": "online", "language": "en"}, {"q": "projektmanagement", "ects_min": 5},
    {"eqf": 7, "country": "DE"}, {"q": "machine learning", "type": "micro-credential"},
]


def build(url: str, n: int) -> None:
    from catalog import store
    from clearinghouse import descriptor as d

    rnd = random.Random(7)
    countries, langs = ["DE", "IE", "FR", "PL", "GB", "ES"], [["de"], ["en"], ["fr"], ["de", "en"], ["pl"]]

    def recs():
        chunk = []
        for i in range(n):
            topic = rnd.choice(WORDS)
            r = d.normalise({
                "source": "bench", "source_record_id": f"B{i:07d}", "id": d.record_id("bench", f"B{i:07d}"),
                "title": f"{topic} {rnd.choice(['Grundlagen', 'advanced', 'practice', 'intensive'])} {i % 97}",
                "description": f"A course on {topic} for working professionals.",
                "learning_outcomes": [f"apply {topic}", "evaluate results"],
                "country": rnd.choice(countries), "eqf_level": rnd.randint(4, 8), "ects": rnd.choice([2.5, 5, 7.5, 10]),
                "languages": rnd.choice(langs), "participation_mode": rnd.choice(["online", "onsite", "blended"]),
                "credential_type": rnd.choice(["micro-credential", "course", "digital-badge"]),
                "isced_f": [rnd.choice(["0613", "0411", "0714", "0311"])],
                "provenance": {"locator": f"row {i + 2}"}})
            r["completeness"] = d.completeness(r)
            r["content_hash"] = d.content_hash(r)
            chunk.append(r)
            if len(chunk) == 5000:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    run = store.RunRecord(run_id="bench", source="bench", path=None, file_sha256="0" * 64,
                          started_at="2026-01-01T00:00:00Z")
    store.publish(store.connect(url), "bench", recs(), [[]], run, now="2026-01-01T00:00:00Z")


def serve(url: str, port: int):
    import uvicorn

    from catalog.api import create_app

    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server


def load(port: int, clients: int, requests: int, limit_s: float) -> list[float]:
    import requests as rq

    deadline = time.monotonic() + limit_s
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        session = rq.Session()
        session.trust_env = False  # loopback only, never a proxy
        rnd = random.Random(k)
        for _ in range(requests // clients):
            if time.monotonic() > deadline:
                return
            params = {**rnd.choice(QUERIES), "limit": 20}
            t0 = time.perf_counter()
            res = session.get(f"http://127.0.0.1:{port}/api/credentials", params=params, timeout=30)
            dt = time.perf_counter() - t0
            res.raise_for_status()
            with lock:
                latencies.append(dt)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return latencies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--limit-seconds", type=float, default=300)
    ap.add_argument("--port", type=int, default=8765)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.backend == "sqlite":
            url = f"sqlite:///{tmp}/catalog.sqlite"
            ctx = None
        else:
            from tests.pg import fresh_postgres_database
            ctx = fresh_postgres_database()
            url = ctx.__enter__()
        t0 = time.perf_counter()
        build(url, a.records)
        built = time.perf_counter() - t0
        server = serve(url, a.port)
        load(a.port, a.clients, a.clients * 3, 60)  # warm-up
        lat = load(a.port, a.clients, a.requests, a.limit_seconds)
        server.should_exit = True
        if ctx is not None:
            ctx.__exit__(None, None, None)
    ms = [x * 1000 for x in lat]
    print(f"| {a.backend} | {a.records:,} | {a.clients} | {len(ms)} | {pct(ms, 50):.1f} | {pct(ms, 95):.1f} | "
          f"{pct(ms, 99):.1f} | {statistics.mean(ms):.1f} | {built:.0f} |")


if __name__ == "__main__":
    main()
