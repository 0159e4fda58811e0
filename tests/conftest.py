from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CLI = Path(sys.executable).parent / "clearinghouse"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Tests never touch the developer's own home folder or catalogue."""
    monkeypatch.delenv("CLEARINGHOUSE_CATALOG_URL", raising=False)
    monkeypatch.delenv("CLEARINGHOUSE_SOURCES", raising=False)
    monkeypatch.setenv("CLEARINGHOUSE_HOME", str(tmp_path / "default-home"))
    yield
    from catalog import store
    store.dispose_all()


def run_cli(*args: str, home: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("CLEARINGHOUSE_CATALOG_URL", None)
    res = subprocess.run([str(CLI), "--home", str(home), *args], capture_output=True, text=True,
                         env=full_env, timeout=600)
    if check and res.returncode != 0:
        raise AssertionError(f"clearinghouse {' '.join(args)} exited {res.returncode}:\n{res.stderr}")
    return res


def sample_catalogue(home: Path) -> str:
    """The shipped samples through the whole pipeline into ``home``'s catalogue; its URL."""
    from catalog import store
    from clearinghouse import pipeline
    from clearinghouse.config import SAMPLE_SOURCES, load_sources

    url = store.catalog_url(home)
    for spec in load_sources(SAMPLE_SOURCES):
        pipeline.ingest(home, spec.key, spec.path, url, country=spec.country, mapping=spec.mapping)
    return url


# The hostile corpus's summary line (tests/hostile/): its cases' outcomes, at the end of the run
_HOSTILE: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if "test_hostile_case[" in report.nodeid and (report.when == "call" or report.outcome != "passed"):
        _HOSTILE[report.nodeid.split("[", 1)[1].rstrip("]")] = report.outcome


def pytest_terminal_summary(terminalreporter):
    if _HOSTILE:
        passed = sum(1 for v in _HOSTILE.values() if v == "passed")
        terminalreporter.write_line(
            f"hostile corpus: {len(_HOSTILE)} cases, {passed} passed, {len(_HOSTILE) - passed} not passed")
