"""`clearinghouse serve --workers N`: several uvicorn worker processes answer for one home folder's
catalogue (each loads its own search index), the web pages and the API alike."""
from __future__ import annotations

import os
import socket
import subprocess
import time

import requests

from tests.conftest import CLI, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_two_workers(tmp_path):
    home = tmp_path / "home"
    csv = tmp_path / "kurse.csv"
    csv.write_text("Kurs-Nr;Titel;DQR-Niveau;ECTS\nK1;Datenanalyse mit Python;6;5\nK2;Pflegedokumentation;4;2\n",
                   encoding="utf-8")
    run_cli("ingest", str(csv), "--source", "de-kurse", "--country", "DE", home=home)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_CATALOG_URL"}
    proc = subprocess.Popen([str(CLI), "--home", str(home), "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    session = requests.Session()
    session.trust_env = False
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                res = session.get(f"http://127.0.0.1:{port}/api/credentials", params={"q": "datenanalyse"}, timeout=30)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert res.status_code == 200
        body = res.json()
        assert body["total"] == 1 and body["items"][0]["title"] == "Datenanalyse mit Python"
        assert body["facets"]["eqf_level"] == {"6": 1}
        for _ in range(6):  # whichever worker answers, the same catalogue
            assert session.get(f"http://127.0.0.1:{port}/api/stats", timeout=30).json()["records"] == 2
        page = session.get(f"http://127.0.0.1:{port}/", params={"q": "pflege"}, timeout=30)
        assert page.status_code == 200 and "Pflegedokumentation" in page.text
    finally:
        proc.terminate()
        proc.wait(30)
