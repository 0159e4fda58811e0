"""Harvesting a provider's JSON web API (MOOC platforms, course catalogues) into one JSON file.

``harvest(url, out_path, state_path=...)`` walks every page of the API and writes

    {"source_url": "<url>", "harvested_at": "2025-09-14T06:00:00Z", "items": [record, record, ...]}

atomically to ``out_path``; the pipeline then ingests that file like any delivered JSON document
(``pipeline.ingest(home, "mooc", out_path, catalog_url)``; locators are ``/items/N``).

Pagination (``pagination=``)
    ``"page"``    ``?page=1``, ``?page=2``... (``page_param``; ``size_param``/``page_size`` optional)
                  until a page holds no records, a total-pages / total-records / ``has_more`` field
                  says it was the last, or a page shorter than ``page_size`` arrives.
    ``"cursor"``  the next cursor is read from the body (``next_cursor``, ``next``, ``cursor``,
                  ``links.next``, ``meta.next_cursor``, ...): a URL is followed as it is, a token is
                  sent as ``?cursor=<token>`` (``cursor_param``); null/absent ends the harvest.
    ``"link"``    the ``Link: <...>; rel="next"`` response header (RFC 8288).
    ``"auto"``    decided from the first answer: a Link header -> link; a next-cursor field ->
                  cursor; else page numbers (a server that ignores ``?page=`` and answers page 2
                  with page 1's records is taken as unpaged).

Records are the list under ``records_key`` (dotted: ``"data.items"``) or under one of the usual
keys (items, data, results, records, courses, hits, ..., also one level down: ``data.items``,
``hits.hits``), or the top-level list.

Robustness
    * 429, 5xx, connection errors and timeouts are retried with exponential backoff plus jitter
      (``Retry-After`` honoured, up to ``max_wait`` seconds); after ``retries`` attempts:
      ``SourceFileError("<url>: the server answered 503 five times; giving up")``. Any other 4xx
      fails at once, naming the status.
    * ``min_interval`` seconds between the starts of two requests (every request counts,
      retries and redirects included): the per-source rate limit.
    * each answer is streamed and cut at ``max_response_bytes``; the sum at ``max_total_bytes``
      (default: the pipeline's own file limit, so the result can be ingested); more than
      ``max_pages`` pages is an error, never a silently truncated catalogue (a full delivery
      withdraws the records it lacks).
    * redirects are followed only within the original host (scheme upgrade http -> https
      allowed); next-page links and cursors that leave it are refused too.
    * conditional requests: ``state_path`` (small JSON) keeps the first page's ETag and
      Last-Modified and the sha256 of the harvested records. The next harvest sends
      If-None-Match / If-Modified-Since with the first request (only when ``out_path`` still
      exists); ``304`` -> ``status="unchanged"`` after exactly one request, ``out_path``
      untouched. A full harvest whose records hash the same is also ``"unchanged"`` and leaves
      ``out_path`` untouched.

Every failure is a ``SourceFileError`` with a one-line message starting with the URL.
"""
from __future__ import annotations

import email.utils
import hashlib
import os
import random
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import orjson
import requests

from .base import SourceFileError, format_size

PAGINATIONS = ("auto", "page", "cursor", "link")
RECORDS_KEYS = ("items", "data", "results", "records", "courses", "hits", "entries", "elements",
                "objects", "content", "credentials", "programmes", "programs", "offers", "rows")
CURSOR_FIELDS = ("next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next", "cursor",
                 "links.next", "_links.next", "meta.next_cursor", "meta.next", "meta.cursor.next",
                 "pagination.next_cursor", "pagination.next", "paging.next", "paging.cursors.after")
TOTAL_PAGES_FIELDS = ("total_pages", "totalPages", "pages", "page_count", "pageCount", "last_page",
                      "meta.total_pages", "meta.totalPages", "meta.pages", "meta.last_page",
                      "pagination.total_pages", "pagination.pages", "pagination.last_page")
TOTAL_RECORDS_FIELDS = ("total", "total_count", "totalCount", "total_results", "totalResults",
                        "totalItems", "total_items", "meta.total", "meta.total_count",
                        "pagination.total", "pagination.total_count", "hits.total", "hits.total.value")
HAS_MORE_FIELDS = ("has_more", "hasMore", "has_next", "hasNext", "more", "meta.has_more",
                   "pagination.has_more", "pagination.has_next")

DEFAULT_MAX_RESPONSE_BYTES = 50_000_000
MAX_REDIRECTS = 10
USER_AGENT = "clearinghouse-harvester/1.0 (+python-requests)"
_NUMBERS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times",
            6: "six times", 7: "seven times", 8: "eight times", 9: "nine times", 10: "ten times"}
_REDIRECTS = {301, 302, 303, 307, 308}

_sleep = time.sleep  # tests may replace it
_LAST_START: dict[str, float] = {}  # state file -> monotonic start of its source's last request
_LAST_START_LOCK = threading.Lock()


@dataclass
class HarvestResult:
    status: str  # "changed" | "unchanged"
    pages: int  # pages whose records were read (0 after a 304)
    records: int
    requests: int  # HTTP requests sent, retries and redirects included
    etag: str | None
    last_modified: str | None
    out_path: Path
    sha256: str | None = None  # of the harvested records (canonical JSON)
    pagination: str | None = None  # the kind used ("auto" resolved); None after a 304


def _times(n: int) -> str:
    return _NUMBERS.get(n, f"{n} times")


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------- URLs and headers


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _same_host(original: str, target: str) -> bool:
    s1, h1, p1 = _origin(original)
    s2, h2, p2 = _origin(target)
    if h1 != h2 or s2 not in ("http", "https"):
        return False
    if (s1, p1) == (s2, p2):
        return True
    return s1 == "http" and s2 == "https" and p1 == 80 and p2 == 443  # upgrade to TLS


def _with_params(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_link_header(value: str | None) -> list[tuple[str, dict[str, str]]]:
    """RFC 8288 ``Link`` header -> [(uri, {param: value})]; ``rel`` values are lower-cased."""
    out: list[tuple[str, dict[str, str]]] = []
    if not value:
        return out
    i, n = 0, len(value)
    while i < n:
        start = value.find("<", i)
        if start < 0:
            break
        end = value.find(">", start)
        if end < 0:
            break
        uri = value[start + 1:end].strip()
        i = end + 1
        params: dict[str, str] = {}
        while i < n:  # ;name=value or ;name="quoted, value" ... up to the next ',' outside quotes
            while i < n and value[i] in " \t":
                i += 1
            if i >= n or value[i] == ",":
                i += 1
                break
            if value[i] != ";":
                i += 1
                continue
            i += 1
            m = re.match(r'\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+\*?)\s*', value[i:])
            if not m:
                continue
            name = m.group(1).lower()
            i += m.end()
            val = ""
            if i < n and value[i] == "=":
                i += 1
                while i < n and value[i] in " \t":
                    i += 1
                if i < n and value[i] == '"':
                    i += 1
                    buf = []
                    while i < n and value[i] != '"':
                        if value[i] == "\\" and i + 1 < n:
                            i += 1
                        buf.append(value[i])
                        i += 1
                    i += 1
                    val = "".join(buf)
                else:
                    m2 = re.match(r"[^;,\s]*", value[i:])
                    val = m2.group(0) if m2 else ""
                    i += len(val)
            if name not in params:  # RFC 8288: later occurrences of a parameter are ignored
                params[name] = val.lower() if name == "rel" else val
        out.append((uri, params))
    return out


def _link_rels(resp: requests.Response) -> dict[str, str]:
    """rel -> absolute URL from the Link header(s)."""
    rels: dict[str, str] = {}
    for uri, params in parse_link_header(resp.headers.get("Link")):
        for rel in params.get("rel", "").split():
            rels.setdefault(rel, urljoin(resp.url, uri))
    return rels


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --------------------------------------------------------------------------- JSON bodies


def _get(doc: Any, dotted: str) -> tuple[bool, Any]:
    """(found, value) for a dotted key path inside nested objects."""
    cur = doc
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


def find_records(doc: Any, records_key: str | None = None) -> tuple[str, list] | None:
    """(where, records) in one answer, or None when no records list is there."""
    if records_key:
        found, value = _get(doc, records_key)
        return (records_key, value) if found and isinstance(value, list) else None
    if isinstance(doc, list):
        return "(top-level list)", doc
    if not isinstance(doc, dict):
        return None
    for key in RECORDS_KEYS:
        if isinstance(doc.get(key), list):
            return key, doc[key]
    for key in RECORDS_KEYS:  # one level down: {"data": {"items": [...]}}, {"hits": {"hits": [...]}}
        inner = doc.get(key)
        if isinstance(inner, dict):
            for key2 in RECORDS_KEYS:
                if isinstance(inner.get(key2), list):
                    return f"{key}.{key2}", inner[key2]
    return None


def _next_cursor(doc: Any) -> tuple[bool, Any]:
    """(a next-cursor field is there, its value) from a page's body."""
    if not isinstance(doc, dict):
        return False, None
    for field in CURSOR_FIELDS:
        found, value = _get(doc, field)
        if not found:
            continue
        if isinstance(value, dict):  # HAL / JSON:API style {"href": "..."}
            value = value.get("href") or value.get("url")
        if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
            if field == "next" and isinstance(value, int) and not isinstance(value, bool):
                continue  # "next": 2 is more likely a page number than a cursor
            return True, (None if value in (None, "") else str(value))
    return False, None


def _first_int(doc: Any, fields: Iterable[str]) -> int | None:
    if not isinstance(doc, dict):
        return None
    for field in fields:
        found, value = _get(doc, field)
        if found and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if found and isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _has_more(doc: Any) -> bool | None:
    if not isinstance(doc, dict):
        return None
    for field in HAS_MORE_FIELDS:
        found, value = _get(doc, field)
        if found and isinstance(value, bool):
            return value
    return None


def _canonical_sha(items: list) -> str:
    return hashlib.sha256(orjson.dumps(items, option=orjson.OPT_SORT_KEYS)).hexdigest()


# --------------------------------------------------------------------------- the HTTP client


@dataclass
class _Answer:
    status: int
    url: str
    headers: Any
    body: bytes
    response: requests.Response


class _Client:
    def __init__(self, session: requests.Session, origin_url: str, *, timeout, retries: int,
                 backoff: float, max_backoff: float, max_wait: float, min_interval: float,
                 headers: dict[str, str] | None, max_response_bytes: int, max_total_bytes: int,
                 rate_key: str):
        self.session = session
        self.origin_url = origin_url
        self.timeout = timeout
        self.retries = max(1, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.min_interval = min_interval
        self.headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        self.max_response_bytes = max_response_bytes
        self.max_total_bytes = max_total_bytes
        self.requests = 0
        self.total_bytes = 0
        self.rate_key = rate_key

    # one HTTP exchange, no retries, redirects not followed
    def _send(self, url: str, headers: dict[str, str]) -> _Answer:
        with _LAST_START_LOCK:  # the interval holds across harvests of one source in this process
            last = _LAST_START.get(self.rate_key)
            now = time.monotonic()
            wait = last + self.min_interval - now if (self.min_interval > 0 and last is not None) else 0.0
            _LAST_START[self.rate_key] = now + max(wait, 0.0)  # reserve the slot before sleeping
        if wait > 0:
            _sleep(wait)
        self.requests += 1
        resp = self.session.get(url, headers=headers, timeout=self.timeout, stream=True,
                                allow_redirects=False)
        try:
            if not 200 <= resp.status_code < 300:  # errors, redirects, 304: a little of the body at most
                body = resp.raw.read(4096, decode_content=True) or b""
                return _Answer(resp.status_code, resp.url, resp.headers, body, resp)
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > self.max_response_bytes:
                raise SourceFileError(f"{url}: the answer is {format_size(int(length))}, more than the "
                                      f"{format_size(self.max_response_bytes)} allowed for one page; giving up")
            chunks, size = [], 0
            for chunk in resp.iter_content(1 << 16):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise SourceFileError(f"{url}: the answer is larger than the "
                                          f"{format_size(self.max_response_bytes)} allowed for one page; giving up")
                if self.total_bytes + size > self.max_total_bytes:
                    raise SourceFileError(f"{self.origin_url}: the harvest is larger than the "
                                          f"{format_size(self.max_total_bytes)} allowed in all; giving up")
                chunks.append(chunk)
            self.total_bytes += size
            return _Answer(resp.status_code, resp.url, resp.headers, b"".join(chunks), resp)
        finally:
            resp.close()

    def _follow(self, url: str, headers: dict[str, str]) -> _Answer:
        """Send, following redirects that stay on the original host."""
        for _ in range(MAX_REDIRECTS + 1):
            ans = self._send(url, headers)
            if ans.status not in _REDIRECTS:
                return ans
            location = ans.headers.get("Location")
            if not location:
                raise SourceFileError(f"{url}: the server answered {ans.status} without a Location")
            target = urljoin(url, location)
            if not _same_host(self.origin_url, target):
                raise SourceFileError(f"{url}: the server redirects to another host ({_one_line(target, 120)}); "
                                      "refused")
            url = target
        raise SourceFileError(f"{url}: more than {MAX_REDIRECTS} redirects; giving up")

    def get(self, url: str, extra_headers: dict[str, str] | None = None) -> _Answer:
        """GET with retries on 429, 5xx, connection errors and timeouts. Returns 2xx and 304."""
        headers = {**self.headers, **(extra_headers or {})}
        failures: list[str] = []
        last_kind = ""
        for attempt in range(1, self.retries + 1):
            retry_after = None
            try:
                ans = self._follow(url, headers)
            except requests.exceptions.ConnectTimeout:
                failures.append("timeout")
                last_kind = f"could not connect within {_connect_timeout(self.timeout)} seconds"
            except requests.exceptions.Timeout:
                failures.append("timeout")
                last_kind = f"no answer within {_read_timeout(self.timeout)} seconds"
            except requests.exceptions.ConnectionError as exc:
                if "timed out" in str(exc).lower():  # a read timeout while streaming the body
                    failures.append("timeout")
                    last_kind = f"no answer within {_read_timeout(self.timeout)} seconds"
                else:
                    failures.append("connection")
                    last_kind = f"could not connect ({_connection_reason(exc)})"
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
                failures.append("broken")
                last_kind = f"the answer broke off ({_one_line(type(exc).__name__)})"
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema) as exc:
                raise SourceFileError(f"{url}: not a usable URL ({_one_line(exc)})") from None
            except requests.exceptions.RequestException as exc:
                raise SourceFileError(f"{url}: the request failed ({_one_line(exc)})") from None
            else:
                if 200 <= ans.status < 300 or ans.status == 304:
                    return ans
                if ans.status == 429 or ans.status >= 500:
                    failures.append(str(ans.status))
                    last_kind = f"the server answered {ans.status}"
                    retry_after = _retry_after(ans.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.max_wait:
                        raise SourceFileError(
                            f"{url}: the server answered {ans.status} and asks to wait "
                            f"{int(retry_after)} seconds (more than {int(self.max_wait)}); giving up")
                else:
                    raise SourceFileError(f"{url}: the server answered {ans.status} {_reason(ans)}"
                                          f"{_hint(ans.status)}")
            if attempt < self.retries:
                if retry_after is not None:
                    delay = retry_after
                else:
                    base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                    delay = base / 2 + random.uniform(0, base / 2)  # "equal jitter"
                if delay > 0:
                    _sleep(delay)
        if len(set(failures)) == 1:
            msg = f"{url}: {last_kind} {_times(len(failures))}; giving up"
        else:
            msg = f"{url}: {len(failures)} attempts failed ({', '.join(failures)}); last: {last_kind}; giving up"
        raise SourceFileError(msg)


def _read_timeout(timeout) -> float:
    return timeout[1] if isinstance(timeout, tuple) else timeout


def _connect_timeout(timeout) -> float:
    return timeout[0] if isinstance(timeout, tuple) else timeout


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("Connection refused", "Name or service not known", "nodename nor servname",
                 "Temporary failure in name resolution", "Connection reset", "Remote end closed",
                 "certificate verify failed", "Connection aborted"):
        if hint.lower() in text.lower():
            return hint.lower()
    return _one_line(type(exc).__name__)


def _reason(ans: _Answer) -> str:
    reason = ans.response.reason or ""
    snippet = _one_line(ans.body.decode("utf-8", "replace"), 120) if ans.body else ""
    text = reason
    if snippet and not snippet.lstrip().startswith("<"):
        text = f"{reason} ({snippet})" if reason else f"({snippet})"
    return _one_line(text, 200)


def _hint(status: int) -> str:
    if status in (401, 403):
        return "; check the credentials (headers=) for this source"
    if status == 404:
        return "; check the URL"
    return ""


def _decode_json(ans: _Answer, url: str) -> Any:
    body = ans.body
    if not body.strip():
        return None
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    ctype = ans.headers.get("Content-Type", "")
    m = re.search(r"charset=([\w.-]+)", ctype, re.I)
    if m and m.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        try:
            body = body.decode(m.group(1)).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        what = f" (Content-Type {ctype.split(';')[0].strip()})" if ctype and "json" not in ctype.lower() else ""
        raise SourceFileError(f"{url}: the answer is not valid JSON{what}: {_one_line(exc, 120)}") from None


# --------------------------------------------------------------------------- state


def _read_state(state_path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(state_path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# --------------------------------------------------------------------------- harvest


def harvest(url: str, out_path: str | os.PathLike, *, state_path: str | os.PathLike,
            session: requests.Session | None = None, pagination: str = "auto",
            records_key: str | None = None, page_param: str = "page", first_page: int = 1,
            size_param: str | None = None, page_size: int = 100, cursor_param: str = "cursor",
            max_pages: int = 10_000, timeout: float | tuple[float, float] = (5, 30), retries: int = 5,
            backoff: float = 0.5, max_backoff: float = 60.0, max_wait: float = 300.0,
            min_interval: float = 0.0, headers: dict[str, str] | None = None,
            max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
            max_total_bytes: int | None = None) -> HarvestResult:
    """Harvest every page of a JSON API into ``out_path`` (see the module docstring)."""
    if pagination not in PAGINATIONS:
        raise ValueError(f"pagination={pagination!r}: use one of {', '.join(PAGINATIONS)}")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SourceFileError(f"{url}: not an http(s) URL")
    if max_total_bytes is None:
        from clearinghouse.config import max_file_bytes
        max_total_bytes = max_file_bytes()
    out_path, state_path = Path(out_path), Path(state_path)
    state = _read_state(state_path)
    if state.get("url") != url:
        state = {}

    own_session = session is None
    session = session or requests.Session()
    client = _Client(session, url, timeout=timeout, retries=retries, backoff=backoff,
                     max_backoff=max_backoff, max_wait=max_wait, min_interval=min_interval,
                     headers=headers, max_response_bytes=max_response_bytes,
                     max_total_bytes=max_total_bytes, rate_key=str(state_path.resolve()))
    try:
        return _harvest(client, url, out_path, state_path, state, pagination=pagination,
                        records_key=records_key, page_param=page_param, first_page=first_page,
                        size_param=size_param, page_size=page_size, cursor_param=cursor_param,
                        max_pages=max_pages)
    finally:
        if own_session:
            session.close()


def _harvest(client: _Client, url: str, out_path: Path, state_path: Path, state: dict[str, Any], *,
             pagination: str, records_key: str | None, page_param: str, first_page: int,
             size_param: str | None, page_size: int, cursor_param: str, max_pages: int) -> HarvestResult:
    size_params = {size_param: page_size} if size_param else {}
    first_url = _with_params(url, **{page_param: first_page}, **size_params) if pagination == "page" else (
        _with_params(url, **size_params) if size_params else url)

    conditional: dict[str, str] = {}
    if out_path.exists():
        if state.get("etag"):
            conditional["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            conditional["If-Modified-Since"] = state["last_modified"]
    ans = client.get(first_url, conditional)
    etag = ans.headers.get("ETag")
    last_modified = ans.headers.get("Last-Modified")
    if ans.status == 304:
        if not conditional:
            raise SourceFileError(f"{first_url}: the server answered 304 Not Modified to a request that "
                                  "was not conditional")
        etag, last_modified = etag or state.get("etag"), last_modified or state.get("last_modified")
        new_state = {**state, "etag": etag, "last_modified": last_modified, "checked_at": _now_iso()}
        _write_atomic(state_path, orjson.dumps(new_state, option=orjson.OPT_INDENT_2))
        return HarvestResult("unchanged", 0, int(state.get("records") or 0), client.requests, etag,
                             last_modified, out_path, state.get("sha256"), None)

    items: list = []
    doc = _decode_json(ans, first_url)
    page_records = _records_of(doc, records_key, first_url, allow_none=pagination != "cursor")
    kind = pagination
    if kind == "auto":
        rels = _link_rels(ans.response)
        if {"next", "last", "first", "prev", "previous"} & set(rels):
            kind = "link"
        elif _next_cursor(doc)[0]:
            kind = "cursor"
        else:
            kind = "page"
    items.extend(page_records)
    pages = 1
    seen_urls = {ans.url, first_url}
    first_total = _first_int(doc, TOTAL_RECORDS_FIELDS)
    if first_total is not None and first_total <= len(page_records):
        first_total = None  # may be a count of this page only; an empty page will end the harvest
    page_no = first_page
    prev_sha = _canonical_sha(page_records)

    while True:
        next_url = _next_url(kind, ans, doc, page_records, url=url, pagination=pagination,
                             page_param=page_param, page_no=page_no, first_page=first_page,
                             size_params=size_params, page_size=page_size,
                             cursor_param=cursor_param, first_total=first_total, collected=len(items))
        if next_url is None:
            break
        if not _same_host(url, next_url):
            raise SourceFileError(f"{ans.url}: the next page is on another host "
                                  f"({_one_line(next_url, 120)}); refused")
        if next_url in seen_urls:
            break  # the server points back at a page already read: the end (not a loop)
        if pages >= max_pages:
            raise SourceFileError(f"{url}: more than {max_pages} pages; giving up (raise max_pages if "
                                  "the catalogue is really that large)")
        seen_urls.add(next_url)
        ans = client.get(next_url)
        if ans.status == 304:
            raise SourceFileError(f"{next_url}: the server answered 304 Not Modified to a request that "
                                  "was not conditional")
        doc = _decode_json(ans, next_url)
        page_records = _records_of(doc, records_key, next_url, allow_none=kind != "cursor")
        page_no += 1
        if page_records:
            sha = _canonical_sha(page_records)
            if sha == prev_sha:
                if kind != "page" or pagination == "auto":
                    break  # a repeated page (ignored ?page=, a cursor that echoes the current one)
                raise SourceFileError(f"{next_url}: page {page_no} holds the same records as page "
                                      f"{page_no - 1}; the server does not page with ?{page_param}=")
            prev_sha = sha
        if not page_records and kind == "page":
            break
        items.extend(page_records)
        pages += 1

    sha = _canonical_sha(items)
    unchanged = state.get("sha256") == sha and out_path.exists()
    if not unchanged:
        doc_out = {"source_url": url, "harvested_at": _now_iso(), "items": items}
        _write_atomic(out_path, orjson.dumps(doc_out, option=orjson.OPT_INDENT_2))
    new_state = {"url": url, "etag": etag, "last_modified": last_modified, "sha256": sha,
                 "records": len(items), "pages": pages, "pagination": kind,
                 "harvested_at": state.get("harvested_at") if unchanged else _now_iso(),
                 "checked_at": _now_iso()}
    _write_atomic(state_path, orjson.dumps(new_state, option=orjson.OPT_INDENT_2))
    return HarvestResult("unchanged" if unchanged else "changed", pages, len(items), client.requests,
                         etag, last_modified, out_path, sha, kind)


def _records_of(doc: Any, records_key: str | None, url: str, *, allow_none: bool) -> list:
    if doc is None:  # an empty body (e.g. 204): no records
        return []
    found = find_records(doc, records_key)
    if found is None:
        if records_key:
            raise SourceFileError(f"{url}: no list of records under '{records_key}' in the answer")
        if allow_none and isinstance(doc, dict) and not doc:
            return []
        raise SourceFileError(f"{url}: no list of records in the answer (looked for a top-level list "
                              f"and the keys {', '.join(RECORDS_KEYS[:6])}, ...); give records_key")
    where, records = found
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise SourceFileError(f"{url}: the records under '{where}' are not all objects "
                              f"(item {bad} is {type(records[bad]).__name__})")
    return records


def _next_url(kind: str, ans: _Answer, doc: Any, page_records: list, *, url: str, pagination: str,
              page_param: str, page_no: int, first_page: int, size_params: dict, page_size: int,
              cursor_param: str, first_total: int | None, collected: int) -> str | None:
    if kind == "link":
        return _link_rels(ans.response).get("next")
    if kind == "cursor":
        _, cursor = _next_cursor(doc)
        if cursor is None:
            return None
        if re.match(r"(?i)https?://", cursor) or cursor.startswith(("/", "?")):
            return urljoin(ans.url, cursor)
        return _with_params(url, **{cursor_param: cursor}, **size_params)
    # page numbers
    if not page_records:
        return None
    more = _has_more(doc)
    if more is False:
        return None
    if isinstance(doc, dict) and more is None:
        found, nxt = _get(doc, "next")
        if found and nxt is None:
            return None
    total_pages = _first_int(doc, TOTAL_PAGES_FIELDS)
    if total_pages is not None and total_pages > 0 and page_no - first_page + 1 >= total_pages:
        return None
    if first_total is not None and collected >= first_total:
        return None
    if size_params and len(page_records) < page_size:
        return None
    return _with_params(url, **{page_param: page_no + 1}, **size_params)
