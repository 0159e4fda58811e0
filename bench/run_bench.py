"""Records per second per stage, end-to-end time and peak memory, beside the raw floor.

    python bench/run_bench.py --sizes 10000 100000 1000000 --repeat 3

Each measurement runs in a fresh subprocess (so peak RSS is that run's own). The raw floor is
pyarrow reading the same CSV and writing Parquet, measured in the same run on the same file.
Prints a Markdown table of medians; bench/README.md quotes it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

STAGES = ("parse", "harmonise", "validate", "publish")


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_pipeline(path: str, home: str) -> dict:
    from clearinghouse import pipeline
    from catalog.store import catalog_url

    h = Path(home)
    t0 = time.perf_counter()
    pipeline.land(h, "bench", Path(path), country="DE")
    times = {}
    for stage in STAGES:
        s = time.perf_counter()
        if stage == "publish":
            m = pipeline.publish(h, "bench", catalog_url(h))
        else:
            m = getattr(pipeline, stage)(h, "bench")
        times[stage] = time.perf_counter() - s
    total = time.perf_counter() - t0
    return {"times": times, "total": total, "counts": m.counts, "peak_rss_mb": _peak_rss_mb()}


def child_floor(path: str, out: str) -> dict:
    import pyarrow.csv as pc
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    table = pc.read_csv(path, read_options=pc.ReadOptions(encoding="cp1252"),
                        parse_options=pc.ParseOptions(delimiter=";", newlines_in_values=True))
    pq.write_table(table, out)
    return {"total": time.perf_counter() - t0, "rows": table.num_rows, "peak_rss_mb": _peak_rss_mb()}


def _child(kind: str, *args: str) -> dict:
    env = {**os.environ, "CLEARINGHOUSE_MAX_FILE_MB": "2000"}  # the 10^6 file is ~280 MB
    res = subprocess.run([sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True,
                         env=env)
    if res.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs="+")
    a = ap.parse_args()
    if a.child:
        kind, *args = a.child
        print(json.dumps(child_pipeline(*args) if kind == "pipeline" else child_floor(*args)))
        return
    from bench.generate import write

    print("| records | stage | records/s (median) | seconds (median) |")
    print("|---:|---|---:|---:|")
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.sizes:
            csv_path = write(n, Path(tmp) / f"bench-{n}.csv")
            runs, floors = [], []
            for r in range(a.repeat):
                runs.append(_child("pipeline", str(csv_path), str(Path(tmp) / f"home-{n}-{r}")))
                floors.append(_child("floor", str(csv_path), str(Path(tmp) / f"floor-{n}-{r}.parquet")))
            for stage in STAGES:
                secs = statistics.median(x["times"][stage] for x in runs)
                print(f"| {n:,} | {stage} | {n / secs:,.0f} | {secs:.2f} |")
            total = statistics.median(x["total"] for x in runs)
            floor = statistics.median(x["total"] for x in floors)
            rss = statistics.median(x["peak_rss_mb"] for x in runs)
            frss = statistics.median(x["peak_rss_mb"] for x in floors)
            print(f"| {n:,} | **end to end** | {n / total:,.0f} | {total:.2f} |")
            print(f"| {n:,} | raw floor (pyarrow CSV → Parquet) | {n / floor:,.0f} | {floor:.2f} |")
            summary.append({"records": n, "end_to_end_s": round(total, 2), "floor_s": round(floor, 3),
                            "peak_rss_mb": round(rss), "floor_peak_rss_mb": round(frss),
                            "counts": runs[0]["counts"], "repeat": a.repeat})
    print()
    print("| records | end to end (s) | raw floor (s) | peak RSS pipeline (MB) | peak RSS floor (MB) | accepted | quarantined |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for s in summary:
        print(f"| {s['records']:,} | {s['end_to_end_s']} | {s['floor_s']} | {s['peak_rss_mb']} | "
              f"{s['floor_peak_rss_mb']} | {s['counts']['accepted']:,} | {s['counts']['quarantined']:,} |")


if __name__ == "__main__":
    main()
