"""Every case of the hostile corpus (hostile_cases.py) through `clearinghouse ingest` in its own
process: no traceback, exit status 0 (read) or 1 (refused, one error line naming no Python
internals), records read = accepted + quarantined, every quarantine with a reason, no connection
to the trap server, under 30 s and 1 GiB; then every case through POST /api/uploads: never a 5xx."""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time

import pytest

from hostile_cases import CASES, Case
from tests.conftest import CLI

TIME_LIMIT_S = 30
MEMORY_LIMIT_KB = 1024 * 1024
PYTHON_INTERNALS = re.compile(r"\b\w+(Error|Exception)\b|Traceback|sys\.set_int_max_str_digits|File \"")


def _run(args: list[str], home, env=None) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr, peak RSS in kB) of one CLI process, killed after the time
    limit. The process is reaped with wait4, so its own peak memory is known."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("CLEARINGHOUSE_CATALOG_URL", None)
    proc = subprocess.Popen([str(CLI), "--home", str(home), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=n, f=f: streams.__setitem__(n, f.read()))
               for n, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    killer = threading.Timer(TIME_LIMIT_S, proc.kill)
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timed_out = not killer.is_alive()
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    if timed_out:
        pytest.fail(f"over {TIME_LIMIT_S} s: {' '.join(args)}")
    decode = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return proc.returncode, decode(streams["out"]), decode(streams["err"]), usage.ru_maxrss


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, trap, tmp_path):
    server, trap_url = trap
    hits_before = server.RequestHandlerClass.hits
    path = tmp_path / case.file
    path.write_bytes(case.make(trap_url))
    home = tmp_path / "home"
    code, out, err, rss_kb = _run(["ingest", str(path), "--source", case.source, "--output", "json",
                                   *case.args], home)
    assert rss_kb < MEMORY_LIMIT_KB, f"over 1 GiB: {rss_kb // 1024} MiB"
    assert "Traceback" not in err, err[-3000:]
    assert server.RequestHandlerClass.hits == hits_before, "the trap server was contacted"
    assert code in (0, 1), (code, err[-2000:])
    if case.expect == "read":
        assert code == 0, err[-2000:]
    elif case.expect == "refused":
        assert code == 1, out[-2000:]
    if code == 1:
        lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1, err[-2000:]
        assert not PYTHON_INTERNALS.search(lines[0]), lines[0]
        if case.says:
            assert case.says in lines[0], lines[0]
        return
    (summary,) = json.loads(out)
    assert summary["read"] == summary["accepted"] + summary["quarantined"]
    if case.counts:
        assert (summary["read"], summary["accepted"], summary["quarantined"]) == case.counts
    code, out, err, _ = _run(["quarantine", "--source", case.source, "--format", "json"], home)
    assert code == 0, err
    held = json.loads(out)
    assert len(held) == summary["quarantined"]
    assert all(q["reasons"] and all(r["message"] for r in q["reasons"]) for q in held)
    found = {f"{r['field']}:{r['rule']}" for q in held for r in q["reasons"]}
    assert set(case.rules) <= found, found


def test_every_hostile_case_through_the_upload_api(trap, tmp_path):
    """The corpus as institutions' uploads (POST /api/uploads, the file name as the case has it):
    never a 5xx; every upload is processed to `published` or `failed`, a failure with its reason;
    the trap server is never contacted."""
    from fastapi.testclient import TestClient

    from catalog import store, tokens
    from catalog.api import create_app

    server, trap_url = trap
    hits_before = server.RequestHandlerClass.hits
    home = tmp_path / "home"
    url = store.catalog_url(home)
    _, token = tokens.create(store.connect(url), source="hostile")
    client = TestClient(create_app(url, home, upload_rate=10_000))
    headers = {"Authorization": f"Bearer {token}"}
    pending = {}
    for case in CASES:
        if case.source != "hostile":
            continue  # the source key is the token's; a traversal key is the CLI case
        res = client.post("/api/uploads", headers=headers, data={"source": "hostile"},
                          files={"file": (case.file, case.make(trap_url), "application/octet-stream")})
        assert res.status_code < 500, (case.name, res.status_code, res.text[:500])
        if res.status_code in (200, 201, 202):
            pending[case.name] = res.json()["upload_id"]
        else:
            assert res.json().get("detail"), (case.name, res.text[:500])
        # uploads of one source are processed one at a time: wait for this one
        if case.name in pending:
            deadline = time.monotonic() + 60
            while True:
                got = client.get(f"/api/uploads/{pending[case.name]}", headers=headers)
                assert got.status_code < 500, (case.name, got.text[:500])
                body = got.json()
                if body["status"] in ("published", "failed"):
                    break
                assert time.monotonic() < deadline, (case.name, body)
                time.sleep(0.2)
            if body["status"] == "failed":  # refused: the report says why, in a line
                report = body.get("report") or {}
                why = report.get("error") or " ".join(e["message"] for e in report.get("errors") or [])
                assert why and "Traceback" not in why and not PYTHON_INTERNALS.search(why), (case.name, why)
    assert len(pending) >= len(CASES) - 5
    assert server.RequestHandlerClass.hits == hits_before, "the trap server was contacted"
    store.dispose_all()
