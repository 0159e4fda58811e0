"""The web catalogue in a real browser: Debian's chromium driven by Playwright (no browser download:
``executable_path``), against the real app under uvicorn on 127.0.0.1. Search typed and submitted
with the keyboard, a facet narrowing the results, a credential page, keyboard-only navigation,
hostile markup that must not run, and no console or page error on any page visited.

Without chromium the test skips with the reason (``make test`` installs it where it can); under
CI (the ``CI`` variable set) a missing chromium fails instead, so CI always exercises it."""
from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.web_catalogue import HOSTILE_SOURCE, HOSTILE_TITLE, build

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    return found


@pytest.fixture(scope="module")
def chromium():
    path = chromium_path()
    if path is None:
        reason = ("Debian's chromium is not installed (apt-get install chromium; `make test` does it as root), "
                  "so the browser test cannot run")
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # a dev dependency: missing means a broken environment, not a skip
        pytest.fail(f"the playwright package is missing from the environment: {exc}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real app under uvicorn in a thread, on a free loopback port."""
    import uvicorn

    from catalog import store
    from catalog.api import create_app

    url = build(tmp_path_factory.mktemp("browser"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    store.dispose_all()


@pytest.fixture()
def page(chromium, server):
    """A fresh page; every console error, page error, dialog and failed request is collected and
    must be empty when the test ends."""
    context = chromium.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
          else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    pg.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    visited: list[str] = []
    pg.on("framenavigated", lambda f: visited.append(f.url) if f == pg.main_frame else None)
    yield pg
    context.close()
    assert visited and problems == [], f"on {visited}: {problems}"


def results_total(pg) -> int:
    heading = pg.locator("#results-heading").inner_text()
    found = re.match(r"(\d+) credentials? found", heading)
    assert found, heading
    return int(found.group(1))


def api_total(server: str, **params) -> int:
    return httpx.get(f"{server}/api/credentials", params={**params, "limit": 1}).json()["total"]


def test_search_typed_and_submitted_with_the_keyboard(page, server):
    page.goto("/")
    assert page.title().startswith("Search")
    box = page.get_by_label("Search credentials")
    box.focus()
    page.keyboard.type("data")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=data" in page.url
    assert results_total(page) == api_total(server, q="data") >= 4
    assert page.get_by_label("Search credentials").input_value() == "data"
    titles = page.locator("a.result-link").all_inner_texts()
    assert titles and all(t.strip() for t in titles)


def test_a_facet_filter_narrows_the_results(page, server):
    page.goto("/?q=data")
    before = results_total(page)
    link = page.locator("nav[aria-label='Filters'] a[data-facet='country']").first
    code, label = link.get_attribute("data-value"), link.inner_text()
    count = int(re.search(r"\((\d+)\)", label).group(1))
    assert count < before
    link.click()
    page.wait_for_url(re.compile(rf"country={code}"))
    assert results_total(page) == count == api_total(server, q="data", country=code)
    chosen = page.locator(f"nav[aria-label='Filters'] a[data-facet='country'][aria-current='true']")
    assert chosen.count() == 1 and chosen.get_attribute("data-value") == code
    # the chip removes the filter again
    page.locator(".active-filters a", has_text="Country:").click()
    page.wait_for_url(re.compile(r"\?q=data$"))
    assert results_total(page) == before


def test_a_detail_page(page, server):
    page.goto("/?q=data&country=IE")
    first = page.locator("a.result-link").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/credentials/"))
    assert page.locator("h1").inner_text() == title
    rid = page.url.rsplit("/credentials/", 1)[1]
    rec = httpx.get(f"{server}/api/credentials/{rid}").json()
    assert page.locator("#completeness .score").inner_text() == f"{round(rec['completeness'] * 100)}%"
    assert page.locator("ul.elements li").count() == 9
    assert page.get_by_role("heading", name="Annex I elements").is_visible()
    assert page.get_by_role("heading", name="Source and provenance").is_visible()
    page.get_by_role("link", name=rec["source"]).click()
    page.wait_for_url(re.compile(rf"/institutions/{rec['source']}$"))
    assert page.locator("h1").inner_text() == f"Scorecard: {rec['source']}"
    page.get_by_role("link", name="Institutions").click()
    page.wait_for_url(re.compile(r"/institutions$"))
    assert page.locator("table.scores tbody tr").count() == len(httpx.get(f"{server}/api/sources").json())


def test_keyboard_only_tab_to_a_result_and_open_it(page):
    page.goto("/?q=data")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent, "
                            "getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["Skip to results", "solid"], "the skip link comes first and shows its focus"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    active = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent, "
                           "getComputedStyle(document.activeElement).outlineStyle]")
    first = page.locator("a.result-link").first.inner_text()
    assert active == ["result-link", first, "solid"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/credentials/" in page.url and page.locator("h1").inner_text() == first
    # and from the top of any page Tab walks the links in order, without a trap: skip link, site nav
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Search"


def test_hostile_markup_is_text_in_the_browser(page):
    page.goto("/?q=secure+data")
    link = page.locator("a.result-link", has_text="Handling")
    assert link.inner_text() == HOSTILE_TITLE
    link.click()
    page.wait_for_url(re.compile(r"/credentials/"))
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.evaluate("() => document.querySelectorAll('script, iframe, svg, img, style').length") == 0
    assert page.locator("body").is_visible()  # the record's <style> did not hide the page
    page.goto(f"/institutions/{HOSTILE_SOURCE}")
    assert page.locator("h1").inner_text() == f"Scorecard: {HOSTILE_SOURCE}"


def test_screenshots_of_the_pages(page, tmp_path):
    """Not an assertion on looks, a record of them: search and a detail page as PNG files."""
    out = Path(os.environ.get("CLEARINGHOUSE_SCREENSHOTS") or tmp_path)
    page.goto("/?q=data")
    page.screenshot(path=str(out / "web-search.png"), full_page=True)
    page.locator("a.result-link").first.click()
    page.wait_for_url(re.compile(r"/credentials/"))
    page.screenshot(path=str(out / "web-detail.png"), full_page=True)
    assert (out / "web-search.png").stat().st_size > 10_000 and (out / "web-detail.png").stat().st_size > 10_000
