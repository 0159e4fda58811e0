"""Two deliveries of different sources into one home at once, and two runs of the same source at
once (issue 16, part 4): both complete, nothing is lost, and the catalogue holds exactly what two
runs one after the other would have given."""
from __future__ import annotations

import json
import os
import subprocess

from tests.conftest import CLI, REPO

SAMPLES = REPO / "samples"


def _start(home, *args):
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CLEARINGHOUSE_CATALOG_URL", None)
    return subprocess.Popen([str(CLI), "--home", str(home), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _ids(home) -> list[str]:
    out = subprocess.run([str(CLI), "--home", str(home), "search", "--all-members", "--format", "json",
                          "--limit", "1000"], capture_output=True, text=True, check=True).stdout
    return sorted(r["id"] for r in json.loads(out))


def test_two_sources_ingested_at_once_into_one_home(tmp_path):
    a, b = SAMPLES / "de_hochschule_weiterbildung.csv", SAMPLES / "fr_cncp_formations.csv"
    together, apart = tmp_path / "together", tmp_path / "apart"
    procs = [_start(together, "ingest", str(a), "--source", "de-a", "--country", "DE", "--output", "json"),
             _start(together, "ingest", str(b), "--source", "fr-b", "--country", "FR", "--output", "json")]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and "Traceback" not in err, err[-2000:]
        (summary,) = json.loads(out)
        assert summary["read"] == summary["accepted"] + summary["quarantined"] and summary["read"] > 0
    for args in (("ingest", str(a), "--source", "de-a", "--country", "DE"),
                 ("ingest", str(b), "--source", "fr-b", "--country", "FR")):
        p = _start(apart, *args)
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert _ids(together) == _ids(apart) and _ids(together)


def test_two_runs_of_one_source_at_once(tmp_path):
    """The same source twice at once: one waits for the other (or says it is busy, in one line);
    the catalogue ends as after one clean run."""
    src = SAMPLES / "de_hochschule_weiterbildung.csv"
    home, clean = tmp_path / "home", tmp_path / "clean"
    procs = [_start(home, "ingest", str(src), "--source", "de-a", "--country", "DE") for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert all("Traceback" not in err for _, err in results), [e[-1500:] for _, e in results]
    assert any(p.returncode == 0 for p in procs)
    for p, (_, err) in zip(procs, results):
        if p.returncode != 0:
            lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
            assert p.returncode == 1 and len(lines) == 1, err[-1500:]
    p = _start(clean, "ingest", str(src), "--source", "de-a", "--country", "DE")
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert _ids(home) == _ids(clean)
