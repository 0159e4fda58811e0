"""kill -9 of a run at several moments (issue 16, part 4): the catalogue is as it was before the
run or as after it, never in between, and a rerun gives what a clean run gives."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.conftest import CLI


def _cli(home, *args, check=True):
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CLEARINGHOUSE_CATALOG_URL", None)
    return subprocess.run([str(CLI), "--home", str(home), *args], capture_output=True, text=True,
                          env=env, check=check, timeout=600)


def _delivery(path, version: int, n: int = 3000) -> None:
    rows = ["id,title,ects,level,language"]
    for i in range(n + (400 if version == 2 else 0)):
        changed = version == 2 and i % 2 == 0
        rows.append(f"K{i},Kurs {i} {'neu' if changed else 'alt'} Datenanalyse,5,EQF 6,de")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _snapshot(home) -> dict[str, tuple[str, str]]:
    out = home / "snap.jsonl"
    _cli(home, "export", str(out), "--format", "jsonl")
    snap = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        snap[r["id"]] = (r["content_hash"], r["status"])
    out.unlink()
    return snap


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    base = tmp_path_factory.mktemp("kill")
    v1, v2 = base / "v1.csv", base / "v2.csv"
    _delivery(v1, 1)
    _delivery(v2, 2)
    before = base / "before"
    _cli(before, "ingest", str(v1), "--source", "k", "--country", "DE")
    after = base / "after"
    shutil.copytree(before, after)
    started = time.monotonic()
    _cli(after, "ingest", str(v2), "--source", "k", "--country", "DE")
    return base, v2, before, _snapshot(before), _snapshot(after), time.monotonic() - started


@pytest.mark.parametrize("share", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_kill_9_leaves_the_catalogue_before_or_after(states, share):
    base, v2, before, snap_before, snap_after, seconds = states
    assert snap_before != snap_after
    home = base / f"killed-{share}"
    shutil.copytree(before, home)
    env = {**os.environ}
    env.pop("CLEARINGHOUSE_CATALOG_URL", None)
    proc = subprocess.Popen([str(CLI), "--home", str(home), "ingest", str(v2), "--source", "k", "--country", "DE"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(seconds * share)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if share <= 0.5:  # well inside the run: it was killed, not finished
        assert proc.returncode == -signal.SIGKILL
    assert _snapshot(home) in (snap_before, snap_after), "the catalogue is between two states"
    rerun = _cli(home, "ingest", str(v2), "--source", "k", "--country", "DE", check=False)
    assert rerun.returncode == 0 and "Traceback" not in rerun.stderr, rerun.stderr[-2000:]
    assert _snapshot(home) == snap_after
