"""The hostile corpus's trap server (every connection to it is counted: there must be none) and
its summary line at the end of the run."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

RESULTS: dict[str, str] = {}


class _Trap(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(b'{"@context": {"name": "http://schema.org/name"}}')

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="session")
def trap():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pytest_runtest_logreport(report):
    if report.when == "call" and "test_hostile_case[" in report.nodeid:
        RESULTS[report.nodeid.split("[", 1)[1].rstrip("]")] = report.outcome


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        passed = sum(1 for v in RESULTS.values() if v == "passed")
        terminalreporter.write_line(
            f"hostile corpus: {len(RESULTS)} cases, {passed} passed, {len(RESULTS) - passed} failed")
