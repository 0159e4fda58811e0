"""Harvesting JSON web APIs (connectors.webapi) against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.base import SourceFileError
from connectors.webapi import HarvestResult, find_records, harvest, parse_link_header

FAST = dict(backoff=0.01, timeout=(2, 5))


def _records(page: int, n: int = 2) -> list[dict]:
    return [{"id": f"r{page}-{i}", "title": f"Record {page}.{i}"} for i in range(1, n + 1)]


COURSES = [
    {"id": f"mooc-{n:03d}", "title": title, "ects": ects, "eqf_level": eqf, "language": lang,
     "mode": mode, "provider": {"name": "Open Lakeshore University", "country": "NL"},
     "url": f"https://courses.example.org/c/{n}"}
    for n, (title, ects, eqf, lang, mode) in enumerate([
        ("Introduction to Data Science", 5, 6, "en", "online"),
        ("Circular Economy Fundamentals", 3, 5, "en", "online"),
        ("Grundlagen der Cybersicherheit", 4, 6, "de", "blended"),
        ("Machine Learning in Practice", 6, 7, "en", "online"),
        ("Gestion de projet agile", 2, 5, "fr", "online"),
        ("Sustainable Supply Chains", 5, 6, "en", "blended"),
    ], start=1)
]


class Server:
    """A tiny API server; every request is logged as (path, query, monotonic time, headers)."""

    def __init__(self):
        self.log: list[tuple[str, dict, float, dict]] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                with server.lock:
                    server.log.append((parts.path, query, time.monotonic(), dict(self.headers)))
                    server.counts[parts.path] = server.counts.get(parts.path, 0) + 1
                    count = server.counts[parts.path]
                try:
                    getattr(server, "route_" + parts.path.strip("/").replace("-", "_"))(self, query, count)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def send(self, status=200, body=None, headers=None):
                data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_to(self, path: str) -> list[tuple[str, dict, float, dict]]:
        return [r for r in self.log if r[0] == path]

    # ---- routes
    def route_pages(self, h, q, n):  # 3 pages of 2 records, then an empty page
        page = int(q.get("page", 1))
        h.send(body={"items": _records(page) if page <= 3 else [], "page": page})

    def route_pages_total(self, h, q, n):  # says how many pages there are: no empty page needed
        page = int(q.get("page", 1))
        h.send(body={"meta": {"total_pages": 3, "page": page}, "results": _records(page)})

    def route_static(self, h, q, n):  # ignores ?page=
        h.send(body={"courses": _records(1, 3)})

    def route_cursor(self, h, q, n):
        order = [None, "c2", "c3"]
        cur = q.get("cursor")
        i = order.index(cur)
        nxt = order[i + 1] if i + 1 < len(order) else None
        h.send(body={"data": _records(i + 1), "next_cursor": nxt})

    def route_cursor_url(self, h, q, n):  # next as a relative URL under links.next
        i = int(q.get("after", 0))
        nxt = f"/cursor-url?after={i + 1}" if i < 2 else None
        h.send(body={"records": _records(i + 1), "links": {"next": nxt}})

    def route_link(self, h, q, n):
        p = int(q.get("p", 1))
        links = [f'<{self.base}/link?p=3>; rel="last"']
        if p < 3:
            links.insert(0, f'</link?p={p + 1}>; rel="next"; title="page, next"')
        h.send(body=_records(p), headers={"Link": ", ".join(links)})

    def route_flaky(self, h, q, n):
        if n <= 2:
            h.send(503, {"error": "busy"})
        else:
            h.send(body={"items": _records(1), "next_cursor": None})

    def route_down(self, h, q, n):
        h.send(500, {"error": "boom"})

    def route_throttle(self, h, q, n):
        if n == 1:
            h.send(429, {"error": "slow down"}, headers={"Retry-After": "0"})
        else:
            h.send(body={"items": _records(1)})

    def route_etag(self, h, q, n):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send(304, headers={"ETag": '"v1"'})
        else:
            h.send(body={"items": _records(1), "next": None}, headers={"ETag": '"v1"'})

    def route_lastmod(self, h, q, n):
        stamp = "Sun, 14 Sep 2025 06:00:00 GMT"
        if h.headers.get("If-Modified-Since") == stamp:
            h.send(304)
        else:
            h.send(body={"items": _records(1), "has_more": False}, headers={"Last-Modified": stamp})

    def route_same(self, h, q, n):  # no validators: the same content every time
        h.send(body={"items": _records(1), "next": None})

    def route_missing(self, h, q, n):
        h.send(404, {"error": "no such feed"})

    def route_slow(self, h, q, n):
        time.sleep(1.0)
        h.send(body={"items": []})

    def route_rate(self, h, q, n):
        page = int(q.get("page", 1))
        h.send(body={"items": _records(page) if page <= 2 else []})

    def route_courses(self, h, q, n):
        page = int(q.get("page", 1))
        if page == 1 and h.headers.get("If-None-Match") == '"courses-v1"':
            h.send(304, headers={"ETag": '"courses-v1"'})
            return
        h.send(body={"meta": {"page": page, "per_page": 2, "total": len(COURSES)},
                     "data": COURSES[(page - 1) * 2: page * 2]}, headers={"ETag": '"courses-v1"'})

    def route_away(self, h, q, n):  # redirects to another host name
        port = self.httpd.server_address[1]
        h.send(302, headers={"Location": f"http://localhost:{port}/pages"})

    def route_moved(self, h, q, n):  # redirects on the same host
        h.send(301, headers={"Location": "/pages"})

    def route_big(self, h, q, n):
        h.send(body={"items": [{"id": str(i), "title": "x" * 100} for i in range(100)]})

    def route_html(self, h, q, n):
        data = b"<html><body>Maintenance</body></html>"
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


@pytest.fixture()
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def _home(monkeypatch, tmp_path):
    monkeypatch.setenv("CLEARINGHOUSE_HOME", str(tmp_path / "home"))


def _run(server, tmp_path, path, **kw) -> HarvestResult:
    return harvest(server.base + path, tmp_path / "out.json", state_path=tmp_path / "state.json",
                   **{**FAST, **kw})


def _ids(tmp_path) -> list[str]:
    return [r["id"] for r in json.loads((tmp_path / "out.json").read_text())["items"]]


# ------------------------------------------------------------------------ pagination


def test_page_numbers_until_an_empty_page(server, tmp_path):
    res = _run(server, tmp_path, "/pages", pagination="page")
    assert (res.status, res.pages, res.records, res.requests) == ("changed", 3, 6, 4)
    assert _ids(tmp_path) == ["r1-1", "r1-2", "r2-1", "r2-2", "r3-1", "r3-2"]
    assert [q.get("page") for _, q, _, _ in server.log] == ["1", "2", "3", "4"]
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["source_url"] == server.base + "/pages" and doc["harvested_at"].endswith("Z")


def test_auto_detects_page_numbers(server, tmp_path):
    res = _run(server, tmp_path, "/pages")
    assert (res.pagination, res.records, res.requests) == ("page", 6, 4)


def test_total_pages_field_saves_the_empty_page(server, tmp_path):
    res = _run(server, tmp_path, "/pages-total")
    assert (res.pages, res.records, res.requests) == (3, 6, 3)


def test_a_server_ignoring_page_param_is_read_once_in_auto_mode(server, tmp_path):
    res = _run(server, tmp_path, "/static")
    assert (res.pages, res.records) == (1, 3)
    with pytest.raises(SourceFileError, match="same records as page 1"):
        _run(server, tmp_path, "/static", pagination="page")


def test_cursor_pagination(server, tmp_path):
    res = _run(server, tmp_path, "/cursor")
    assert (res.pagination, res.pages, res.records, res.requests) == ("cursor", 3, 6, 3)
    assert [q.get("cursor") for _, q, _, _ in server.log] == [None, "c2", "c3"]
    assert _ids(tmp_path)[-1] == "r3-2"


def test_cursor_as_relative_url_under_links_next(server, tmp_path):
    res = _run(server, tmp_path, "/cursor-url", pagination="cursor")
    assert (res.pages, res.records, res.requests) == (3, 6, 3)


def test_link_header_pagination(server, tmp_path):
    res = _run(server, tmp_path, "/link")
    assert (res.pagination, res.pages, res.records, res.requests) == ("link", 3, 6, 3)
    assert _ids(tmp_path) == ["r1-1", "r1-2", "r2-1", "r2-2", "r3-1", "r3-2"]


def test_parse_link_header():
    links = parse_link_header('<https://a.example/x?p=2>; rel="next last"; title="a, b", '
                              "</y>; rel=prev;type=application/json")
    assert links == [("https://a.example/x?p=2", {"rel": "next last", "title": "a, b"}),
                     ("/y", {"rel": "prev", "type": "application/json"})]
    assert parse_link_header(None) == []


def test_find_records_keys():
    assert find_records([{"a": 1}])[1] == [{"a": 1}]
    assert find_records({"data": {"items": [{"a": 1}]}})[0] == "data.items"
    assert find_records({"hits": {"hits": [{"a": 1}]}})[0] == "hits.hits"
    assert find_records({"x": {"y": [{"a": 1}]}}, "x.y")[1] == [{"a": 1}]
    assert find_records({"meta": {}}) is None


# ------------------------------------------------------------------------ retries and errors


def test_503_twice_then_200_is_retried(server, tmp_path):
    res = _run(server, tmp_path, "/flaky")
    assert (res.records, res.pages) == (2, 1)
    assert server.counts["/flaky"] == 3  # 503, 503, 200
    assert res.requests == 3


def test_always_500_gives_a_clear_error(server, tmp_path):
    with pytest.raises(SourceFileError) as err:
        _run(server, tmp_path, "/down", retries=3)
    assert str(err.value) == f"{server.base}/down: the server answered 500 three times; giving up"
    assert server.counts["/down"] == 3
    assert not (tmp_path / "out.json").exists()


def test_429_with_retry_after(server, tmp_path):
    res = _run(server, tmp_path, "/throttle", backoff=5.0)  # Retry-After: 0 wins over the backoff
    assert res.records == 2
    times = [t for _, _, t, _ in server.requests_to("/throttle")]
    assert times[1] - times[0] < 1.0


def test_404_fails_at_once(server, tmp_path):
    with pytest.raises(SourceFileError, match=r"/missing: the server answered 404 Not Found") as err:
        _run(server, tmp_path, "/missing")
    assert "\n" not in str(err.value)
    assert server.counts["/missing"] == 1


def test_slow_server_times_out_after_retries(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(SourceFileError, match=r"/slow: no answer within 0.5 seconds twice; giving up"):
        _run(server, tmp_path, "/slow", timeout=(1, 0.5), retries=2)
    assert server.counts["/slow"] == 2
    assert time.monotonic() - started < 3


def test_rate_limit_spaces_the_requests(server, tmp_path):
    res = _run(server, tmp_path, "/rate", min_interval=0.2)
    assert res.requests == 3
    times = [t for _, _, t, _ in server.requests_to("/rate")]
    assert len(times) == 3
    assert times[-1] - times[0] >= 0.4 - 0.02  # server-side clock; a little slack for scheduling
    assert all(b - a >= 0.2 - 0.02 for a, b in zip(times, times[1:]))


def test_redirect_to_another_host_is_refused(server, tmp_path):
    with pytest.raises(SourceFileError, match="redirects to another host"):
        _run(server, tmp_path, "/away")
    assert "/pages" not in server.counts  # nothing was fetched from the other host name
    res = _run(server, tmp_path, "/moved", pagination="cursor", records_key="items")
    assert res.records == 2  # a redirect on the same host is followed


def test_response_size_limit(server, tmp_path):
    with pytest.raises(SourceFileError, match="allowed for one page"):
        _run(server, tmp_path, "/big", max_response_bytes=2_000)
    with pytest.raises(SourceFileError, match="allowed in all"):
        _run(server, tmp_path, "/pages", max_total_bytes=200)


def test_not_json(server, tmp_path):
    with pytest.raises(SourceFileError, match=r"not valid JSON \(Content-Type text/html\)"):
        _run(server, tmp_path, "/html")


def test_max_pages(server, tmp_path):
    with pytest.raises(SourceFileError, match="more than 2 pages"):
        _run(server, tmp_path, "/pages", max_pages=2)


# ------------------------------------------------------------------------ conditional requests


def test_etag_second_harvest_is_one_request(server, tmp_path):
    first = _run(server, tmp_path, "/etag")
    assert (first.status, first.etag, first.requests) == ("changed", '"v1"', 1)
    before = (tmp_path / "out.json").stat().st_mtime_ns
    second = _run(server, tmp_path, "/etag")
    assert (second.status, second.requests, second.pages) == ("unchanged", 1, 0)
    assert server.counts["/etag"] == 2
    assert server.log[-1][3].get("If-None-Match") == '"v1"'
    assert (tmp_path / "out.json").stat().st_mtime_ns == before
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["etag"] == '"v1"' and len(state["sha256"]) == 64


def test_last_modified(server, tmp_path):
    first = _run(server, tmp_path, "/lastmod")
    assert first.last_modified == "Sun, 14 Sep 2025 06:00:00 GMT" and first.records == 2
    second = _run(server, tmp_path, "/lastmod")
    assert (second.status, second.requests) == ("unchanged", 1)
    assert server.log[-1][3].get("If-Modified-Since") == "Sun, 14 Sep 2025 06:00:00 GMT"


def test_no_conditional_request_when_the_output_is_gone(server, tmp_path):
    _run(server, tmp_path, "/etag")
    (tmp_path / "out.json").unlink()
    res = _run(server, tmp_path, "/etag")
    assert res.status == "changed" and (tmp_path / "out.json").exists()
    assert "If-None-Match" not in server.log[-1][3]


def test_same_content_without_validators_is_unchanged(server, tmp_path):
    assert _run(server, tmp_path, "/same").status == "changed"
    before = (tmp_path / "out.json").read_bytes()
    res = _run(server, tmp_path, "/same")
    assert (res.status, res.requests, res.records) == ("unchanged", 1, 2)
    assert (tmp_path / "out.json").read_bytes() == before


# ------------------------------------------------------------------------ end to end


def test_harvest_then_ingest(server, tmp_path):
    from catalog import store
    from clearinghouse import pipeline

    home = tmp_path / "home"
    out = tmp_path / "mooc.json"
    res = harvest(server.base + "/courses", out, state_path=tmp_path / "mooc.state.json", **FAST)
    assert (res.pages, res.records) == (3, 6)
    assert res.requests == 3  # meta.total says 6: no empty 4th page needed
    m = pipeline.ingest(home, "mooc", out, store.catalog_url(home))
    assert m.counts["read"] == 6
    stats = store.stats(store.connect(store.catalog_url(home)))
    assert stats["active"] == 6, (m.counts, m.warnings)


def test_rate_limit_holds_across_harvests_of_one_source(server, tmp_path):
    _run(server, tmp_path, "/same", min_interval=0.3)
    _run(server, tmp_path, "/same", min_interval=0.3)
    t1, t2 = [t for _, _, t, _ in server.requests_to("/same")]
    assert t2 - t1 >= 0.3 - 0.02


def test_harvest_command_and_registered_api_source(server, tmp_path):
    """`clearinghouse harvest URL --source KEY` ingests; a second harvest of the unchanged API costs
    one request and writes nothing; a `url:` source in the registry is harvested by `run`."""
    from tests.conftest import run_cli

    home = tmp_path / "h"
    env = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    first = json.loads(run_cli("harvest", server.base + "/courses", "--source", "mooc", "--output", "json",
                               home=home, env=env).stdout)[0]
    assert (first["harvest"], first["read"], first["new"]) == ("changed", 6, first["accepted"])
    before = len(server.requests_to("/courses"))
    again = json.loads(run_cli("harvest", server.base + "/courses", "--source", "mooc", "--output", "json",
                               home=home, env=env).stdout)[0]
    assert (again["harvest"], again["requests"], again["new"], again["changed"]) == ("unchanged", 1, 0, 0)
    assert len(server.requests_to("/courses")) == before + 1
    registry = tmp_path / "sources.yaml"
    registry.write_text(f"sources:\n  - key: mooc2\n    url: {server.base}/courses\n    api: {{pagination: page}}\n")
    rows = json.loads(run_cli("run", "--sources", str(registry), "--output", "json", home=home, env=env).stdout)
    assert rows[0]["source"] == "mooc2" and rows[0]["read"] == 6


def test_dagster_api_source_partition_and_schedule(server, tmp_path, monkeypatch):
    """A web API source is one more partition of the same asset graph: `landed` harvests it; the
    hourly schedule asks for it and the nightly one does not."""
    import dagster as dg

    from pipelines.defs.assets import STAGE_ASSETS
    from pipelines.defs.automation import hourly_api_sources, nightly_all_sources
    from pipelines.defs.checks import CHECKS
    from pipelines.defs.names import SOURCES_PARTITIONS
    from pipelines.defs.resources import ClearinghouseResource

    registry = tmp_path / "sources.yaml"
    registry.write_text(f"sources:\n  - key: mooc-api\n    url: {server.base}/courses\n    country: NL\n")
    monkeypatch.setenv("CLEARINGHOUSE_SOURCES", str(registry))
    resources = {"clearinghouse": ClearinghouseResource(home=str(tmp_path / "home"))}
    with dg.instance_for_test() as instance:
        ctx = dg.build_schedule_context(instance=instance, resources=resources,
                                        scheduled_execution_time=__import__("datetime").datetime(2026, 11, 28, 3))
        assert [r.partition_key for r in hourly_api_sources(ctx)] == ["mooc-api"]
        assert nightly_all_sources(ctx) == []
        res = dg.materialize([*STAGE_ASSETS, *CHECKS], partition_key="mooc-api", instance=instance,
                             resources=resources)
        assert res.success
        assert instance.get_dynamic_partitions(SOURCES_PARTITIONS) == ["mooc-api"]
    from catalog import store
    assert store.stats(store.connect(store.catalog_url(tmp_path / "home")))["active"] == 6
