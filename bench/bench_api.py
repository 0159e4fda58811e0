"""API search latency under concurrent load, on loopback only.

    python bench/bench_api.py --records 100000 --backend sqlite --clients 8 --requests 400

Builds a catalogue of N synthetic descriptors (published through the same store code as the
pipeline, in one delivery), serves it with uvicorn on 127.0.0.1, then sends a bounded number of
faceted full-text queries from several client threads and reports p50 / p95 / p99 latency.
The load stops by itself (request count and a time limit).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# Course topics as catalogues name them, in the languages of the sources. Records draw topics with
# Zipf-like weights (a few topics are common, most are rare) and queries draw them the same way, so
# popular queries match many records, as on a real catalogue: the commonest topic is in about 4 % of
# records, with the words a query can also hit elsewhere ("data", "management").
TOPICS = """data analysis|machine learning|project management|cybersecurity|sustainability|digital marketing
cloud computing|software development|web design|nursing care|early childhood education|accounting
financial management|supply chain management|renewable energy|welding technology|electrical installation
logistics|human resources management|public health|food safety|tourism management|graphic design
Datenanalyse|Projektmanagement|Künstliche Intelligenz|Pflege|Buchhaltung|Elektrotechnik|Logistik
Softwareentwicklung|Personalwesen|Nachhaltigkeit|Maschinenbau|Betriebswirtschaft|Mediengestaltung
analyse de données|gestion de projet|intelligence artificielle|comptabilité|soins infirmiers
développement web|marketing numérique|énergies renouvelables|gestion des ressources humaines
zarządzanie projektami|analiza danych|rachunkowość|programowanie|pielęgniarstwo|logistyka
análisis de datos|gestión de proyectos|contabilidad|energías renovables|enfermería|desarrollo web
blockchain fundamentals|data protection law|agile methods|leadership|entrepreneurship|robotics
quality management|statistics|circular economy|building information modelling|social work
mechanical engineering|occupational safety|customer service|sales techniques|business english
interior design|photography|music production|sports coaching|veterinary assistance|laboratory techniques
geographic information systems|user experience design|network administration|database administration
embedded systems|mobile app development|game development|3D printing|industrial automation
climate adaptation|water management|organic farming|forestry|beekeeping|winemaking|bakery
hospitality management|event management|journalism|translation|sign language|teacher training
mediation|conflict resolution|ethics|philosophy|art history|archaeology|museum studies""".replace("\n", "|").split("|")
WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(TOPICS))]
LEVEL_WORDS = ["Grundlagen", "advanced", "practice", "intensive", "for beginners", "professional",
               "Aufbaukurs", "niveau avancé", "micro-credential", "certificate"]
FILTERS = [{}, {}, {"eqf": 6}, {"country": "DE"}, {"mode": "online", "language": "en"}, {"ects_min": 5},
           {"type": "micro-credential"}, {"country": "IE", "eqf": 7}, {"isced_f": "06"}]


def queries(rnd: random.Random) -> dict:
    """A query as people type them: one topic (or one of its words), with 0 to 2 filters;
    one in ten is a filter-only browse."""
    topic = rnd.choices(TOPICS, WEIGHTS)[0]
    words = topic.split()
    text = topic if rnd.random() < 0.6 or len(words) == 1 else rnd.choice(words)
    params = dict(rnd.choice(FILTERS))
    if rnd.random() >= 0.1:
        params["q"] = text
    return params


def build(url: str, n: int) -> None:
    from catalog import store
    from clearinghouse import descriptor as d

    rnd = random.Random(7)
    countries, langs = ["DE", "IE", "FR", "PL", "GB", "ES", "NL", "AT"], [["de"], ["en"], ["fr"], ["de", "en"], ["pl"], ["es"]]

    def recs():
        chunk = []
        for i in range(n):
            topic, other = rnd.choices(TOPICS, WEIGHTS, k=2)
            r = d.normalise({
                "source": "bench", "source_record_id": f"B{i:07d}", "id": d.record_id("bench", f"B{i:07d}"),
                "title": f"{topic} {rnd.choice(LEVEL_WORDS)} {i % 97}",
                "description": f"A course on {topic} and {other} for working professionals.",
                "learning_outcomes": [f"apply {topic} in practice", f"evaluate {other} results"],
                "country": rnd.choice(countries), "eqf_level": rnd.randint(3, 8), "ects": rnd.choice([1, 2.5, 5, 7.5, 10, 15, 30, 60]),
                "languages": rnd.choice(langs), "participation_mode": rnd.choice(["online", "onsite", "blended"]),
                "credential_type": rnd.choice(["micro-credential", "course", "digital-badge", "qualification"]),
                "isced_f": [rnd.choice(["0613", "0411", "0714", "0311", "0913", "0111", "0521", "1015"])],
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


def serve(url: str, port: int, workers: int, home: str) -> subprocess.Popen:
    """uvicorn in its own process (as `clearinghouse serve --workers N` runs it), on loopback."""
    import requests as rq

    env = {**os.environ, "CLEARINGHOUSE_HOME": home, "CLEARINGHOUSE_CATALOG_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "catalog.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
                            env=env, cwd=str(HERE.parent))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if rq.get(f"http://127.0.0.1:{port}/api/stats", timeout=5, proxies={"http": ""}).ok:
                return proc
        except rq.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the API did not start")


def load(port: int, clients: int, requests: int, limit_s: float, timeout: float = 30) -> list[float]:
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
            params = {**queries(rnd), "limit": 20}
            t0 = time.perf_counter()
            res = session.get(f"http://127.0.0.1:{port}/api/credentials", params=params, timeout=timeout)
            dt = time.perf_counter() - t0
            res.raise_for_status()
            with lock:
                latencies.append(dt)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return latencies


def warm_up(port: int, clients: int) -> None:
    """Until every worker has loaded its column store: rounds of requests, each on a new
    connection (so that every worker process gets some), until a round has no slow answer."""
    import requests as rq

    def fresh(params: dict) -> float:
        t0 = time.perf_counter()
        rq.get(f"http://127.0.0.1:{port}/api/credentials", params=params, timeout=900,
               proxies={"http": "", "https": ""}).raise_for_status()
        return time.perf_counter() - t0

    rnd = random.Random(99)
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(clients) as pool:
            lat = list(pool.map(fresh, [{**queries(rnd), "limit": 20} for _ in range(clients * 15)]))
        if max(lat) < 1.0 or max(lat) < 3 * statistics.median(lat):  # no worker still loading
            load(port, clients, clients * 30, 300)  # and the commonest words' postings
            return
    raise SystemExit("the workers did not warm up within 30 minutes")


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
    ap.add_argument("--catalog", type=Path, help="SQLite file to keep the built catalogue in (reused when it exists)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.backend == "sqlite":
            path = a.catalog or Path(tmp) / "catalog.sqlite"
            url = f"sqlite:///{path}"
            ctx = None
        else:
            from tests.pg import fresh_postgres_database
            ctx = fresh_postgres_database()
            url = ctx.__enter__()
        t0 = time.perf_counter()
        if not (a.backend == "sqlite" and a.catalog and a.catalog.exists()):
            build(url, a.records)
        built = time.perf_counter() - t0
        server = serve(url, a.port, a.workers, tmp)
        try:
            warm_up(a.port, a.clients)
            lat = load(a.port, a.clients, a.requests, a.limit_seconds)
        finally:
            server.terminate()
            server.wait(30)
            if ctx is not None:
                ctx.__exit__(None, None, None)
    ms = [x * 1000 for x in lat]
    print(f"| {a.backend} | {a.records:,} | {a.workers} | {a.clients} | {len(ms)} | {pct(ms, 50):.1f} | {pct(ms, 95):.1f} | "
          f"{pct(ms, 99):.1f} | {statistics.mean(ms):.1f} | {max(ms):.1f} | {built:.0f} |")


if __name__ == "__main__":
    main()
