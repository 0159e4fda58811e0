"""The server-rendered web catalogue (catalog/web.py) on the shipped samples plus a hostile source:
search with facet filters, pagination, a credential page, the institutions' scorecards, 404s, and
markup from sources shown as text, never run."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient

from catalog import store, web
from catalog.api import create_app
from clearinghouse import pipeline
from clearinghouse.descriptor import ANNEX_I_ELEMENTS, annex_i_present, record_id
from tests.web_catalogue import (HOSTILE_BODY, HOSTILE_SOURCE, HOSTILE_TITLE, SKILL_URI, STACK_TITLE,
                                 build)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    yield build(tmp_path_factory.mktemp("web"))
    store.dispose_all()


@pytest.fixture()
def client(catalogue):
    return TestClient(create_app(catalogue))


def html(res):
    return lxml.html.fromstring(res.text)


def total_of(doc) -> int:
    heading = doc.xpath("string(//h2[@id='results-heading'])")
    found = re.match(r"(\d+) credentials? found", heading.strip())
    assert found, heading
    return int(found.group(1))


def result_ids(doc) -> list[str]:
    return [a.get("href").removeprefix("/credentials/") for a in doc.xpath("//a[@class='result-link']")]


def facet_links(doc, param: str) -> list[tuple[str, int, str]]:
    """(value, count, href) of one facet group."""
    out = []
    for a in doc.xpath(f"//nav[@aria-label='Filters']//a[@data-facet='{param}']"):
        count = int(re.search(r"\((\d+)\)\s*$", a.text_content()).group(1))
        out.append((a.get("data-value"), count, a.get("href")))
    return out


def test_search_page_matches_the_api_and_is_accessible(client):
    res = client.get("/", params={"q": "data"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    doc = html(res)
    api = client.get("/api/credentials", params={"q": "data", "limit": 200}).json()
    assert total_of(doc) == api["total"] >= 4
    assert result_ids(doc) == [i["id"] for i in api["items"]][:web.PAGE_SIZE]  # same order, best first
    assert doc.get("lang") == "en"
    assert doc.xpath("//header") and doc.xpath("//main[@id='main']") and doc.xpath("//nav[@aria-label='Site']")
    assert len(doc.xpath("//h1")) == 1
    box = doc.xpath("//input[@id='q']")[0]
    assert box.get("value") == "data" and doc.xpath("//label[@for='q']")
    assert doc.xpath("//label[@for='sort']") and doc.xpath("//form[@role='search']/@method") == ["get"]
    assert doc.xpath("//a[@class='skip']/@href") == ["#results"]
    assert not doc.xpath("//script"), "the catalogue needs no JavaScript"


def test_every_facet_link_narrows_to_its_count(client):
    doc = html(client.get("/", params={"q": "data"}))
    unfiltered = total_of(doc)
    groups = {p: facet_links(doc, p) for p in ("eqf", "ects", "type", "mode", "country", "language", "isced_f")}
    assert all(groups[p] for p in ("eqf", "ects", "mode", "country", "language")), groups
    for param, links in groups.items():
        for value, count, href in links:
            page = html(client.get(href))
            assert total_of(page) == count <= unfiltered, (param, value)
            assert parse_qs(urlsplit(href).query) == {"q": ["data"], param: [value]}
            for rid in result_ids(page):
                rec = client.get(f"/api/credentials/{rid}").json()
                assert {"eqf": lambda: str(rec["eqf_level"]) == value,
                        "country": lambda: rec["country"] == value,
                        "mode": lambda: rec["participation_mode"] == value,
                        "type": lambda: rec["credential_type"] == value,
                        "language": lambda: value in rec["languages"],
                        "isced_f": lambda: any(code.startswith(value) for code in rec["isced_f"]),
                        "ects": lambda: web.ECTS_LABELS[value][0] <= rec["ects"]
                        and (web.ECTS_LABELS[value][1] is None or rec["ects"] < web.ECTS_LABELS[value][1]),
                        }[param](), (param, value, rec["id"])
            # the chosen value is marked and its link removes the filter again
            chosen = page.xpath(f"//a[@data-facet='{param}'][@aria-current='true']")
            assert [a.get("data-value") for a in chosen] == [value]
            assert parse_qs(urlsplit(chosen[0].get("href")).query) == {"q": ["data"]}


def test_filters_combine_and_can_be_removed(client):
    ie = html(client.get("/", params={"country": "IE"}))
    both = html(client.get("/", params={"country": "IE", "eqf": "6"}))
    assert 0 < total_of(both) < total_of(ie) < total_of(html(client.get("/")))
    api = client.get("/api/credentials", params={"country": "IE", "eqf": 6}).json()
    assert sorted(result_ids(both)) == sorted(i["id"] for i in api["items"])
    chips = both.xpath("//div[@class='active-filters']//a")
    assert [c.text_content().split("×")[0].strip() for c in chips] == ["Country: Ireland", "EQF level: Level 6",
                                                                       "Clear all filters"]
    assert parse_qs(urlsplit(chips[1].get("href")).query) == {"country": ["IE"]}
    # a new text search keeps the filters (hidden inputs of the form)
    hidden = {i.get("name"): i.get("value") for i in both.xpath("//form[@role='search']//input[@type='hidden']")}
    assert hidden == {"country": "IE", "eqf": "6"}


def test_ects_range_is_half_open_like_its_facet(client):
    everything = client.get("/api/credentials", params={"limit": 200}).json()["items"]
    ten = {i["id"] for i in everything if i["ects"] == 10}
    assert ten, "the samples have a 10 ECTS credential"
    lower = set(result_ids(html(client.get("/", params={"ects": "5-10"}))))
    upper = html(client.get("/", params={"ects": "10-30"}))
    assert not ten & lower and ten <= set(result_ids(upper))


def test_pages_cover_every_result_once(client):
    first = html(client.get("/"))
    total, seen, page = total_of(first), [], 1
    assert total > web.PAGE_SIZE
    while True:
        doc = html(client.get("/", params={"page": page}))
        seen += result_ids(doc)
        nxt = doc.xpath("//a[@rel='next']/@href")
        if not nxt:
            break
        assert parse_qs(urlsplit(nxt[0]).query)["page"] == [str(page + 1)]
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert first.xpath("string(//nav[@aria-label='Pages']//li[@aria-current='page'])") == \
        f"Page 1 of {-(-total // web.PAGE_SIZE)}"


@pytest.mark.parametrize("params, words", [
    ({"eqf": "9"}, "EQF level: '9' is not a valid value"),
    ({"mode": "hybrid"}, "Participation: 'hybrid' is not a valid value"),
    ({"page": "0"}, "page: '0' is not a valid value"),
    ({"ects": "1-2"}, "Workload (ECTS): '1-2' is not a valid value"),
    ({"country": "<b>x</b>"}, "Country: '<b>x</b>' is not a valid value"),
])
def test_bad_parameters_give_one_clear_line(client, params, words):
    res = client.get("/", params=params)
    assert res.status_code == 400
    doc = html(res)
    assert [e.text_content() for e in doc.xpath("//p[@role='alert']")] == [words]
    assert "Traceback" not in res.text and "<b>x</b>" not in res.text


def test_credential_page_shows_annex_i_completeness_and_provenance(client):
    rec = client.get("/api/credentials", params={"source": "ie-nfq-microcreds", "limit": 1}).json()["items"][0]
    res = client.get(f"/credentials/{rec['id']}")
    assert res.status_code == 200
    doc = html(res)
    assert doc.xpath("string(//h1)") == rec["title"]
    score = doc.xpath("string(//h2[@id='completeness']//span[@class='score'])")
    assert score == f"{round(rec['completeness'] * 100)}%"
    present = annex_i_present(rec)
    items = doc.xpath("//ul[@class='elements']/li")
    assert len(items) == len(ANNEX_I_ELEMENTS)
    for li, key in zip(items, ANNEX_I_ELEMENTS):
        assert li.text_content().strip().endswith("present" if present[key] else "missing"), key
    labels = [dt.text_content() for dt in doc.xpath("//section[h2[@id='elements']]//dt")]
    for label in ("Title", "Awarding body", "Country", "Learning outcomes", "Notional workload", "Level",
                  "Type of assessment", "Form of participation", "Quality assurance", "Prerequisites",
                  "Supervision and identity check", "Grading", "Stackability", "Languages", "Dates",
                  "Price", "Public page"):
        assert label in labels
    text = doc.text_content()
    assert rec["awarding_body"]["name"] in text and f"EQF {rec['eqf_level']}" in text
    for outcome in rec["learning_outcomes"]:
        assert outcome in text
    assert doc.xpath(f"//a[@href='/institutions/{rec['source']}']")
    assert rec["source_record_id"] in text and rec["provenance"]["locator"] in text
    derived = doc.xpath("//section[h2[@id='provenance']]//tbody/tr/td[1]/text()")
    assert derived == list(rec["provenance"]["fields"])


def test_source_markup_is_shown_as_text_never_run(client):
    hostile_id = record_id(HOSTILE_SOURCE, "H-1")
    for res in (client.get("/", params={"q": "secure data"}), client.get(f"/credentials/{hostile_id}"),
                client.get(f"/institutions/{HOSTILE_SOURCE}")):
        assert res.status_code == 200
        for raw in ("<script", "<img", "<svg", "<iframe", "<style", "<b>", "<u>", "<i>"):
            assert raw not in res.text
        assert not [h for h in html(res).xpath("//@href | //@src") if "javascript" in h.lower()]
    results = html(client.get("/", params={"q": "secure data"}))
    assert HOSTILE_TITLE in [a.text_content() for a in results.xpath("//a[@class='result-link']")]
    page = client.get(f"/credentials/{hostile_id}")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page.text
    doc = html(page)
    assert doc.xpath("string(//h1)") == HOSTILE_TITLE and doc.xpath("//h1/@lang") == ["en"]
    assert HOSTILE_BODY in doc.xpath("string(//header[@class='credential-head']/p[@class='body'])")
    hrefs = doc.xpath("//a/@href")
    assert not [h for h in hrefs if not (h.startswith(("/", "#", "http://", "https://")))], hrefs
    # a javascript: URL stays visible as text, but is no link
    assert "javascript:alert(document.cookie)" in doc.text_content()
    # skills: label linked to the ESCO URI, confidence and method; the javascript: one is no link
    rows = doc.xpath("//section[h2[@id='skills']]//tbody/tr")
    assert [r.xpath("string(td[2])") for r in rows] == ["82%", "40%"]
    assert rows[0].xpath("td[1]/a/@href") == [SKILL_URI]
    assert rows[0].xpath("string(td[1]/a)") == "<svg onload=alert(1)>manage data"
    assert rows[0].xpath("string(td[3])") == "lexical match" and not rows[1].xpath(".//a")
    # stackability: the catalogue record it stacks into is linked by its title, the other is text
    stacks = doc.xpath("//ul[@class='stacks']/li")
    assert stacks[0].xpath("a/@href") == [f"/credentials/{record_id(HOSTILE_SOURCE, 'H-2')}"]
    assert stacks[0].text_content() == STACK_TITLE
    assert stacks[1].text_content() == "<i>Some external degree</i>" and not stacks[1].xpath("a")


def test_unknown_ids_and_sources_are_404_pages(client):
    for path in ("/credentials/nope:0000000000000000", "/credentials/" + "x" * 300,
                 "/institutions/no-such-source", "/institutions/%3Cscript%3E"):
        res = client.get(path)
        assert res.status_code == 404 and res.headers["content-type"].startswith("text/html"), path
        doc = html(res)
        assert doc.xpath("string(//h1)") == "Not found" and doc.xpath("//a[@href='/']")
        assert "<script>" not in res.text


def test_institutions_overview_and_scorecard(client, catalogue):
    doc = html(client.get("/institutions"))
    sources = client.get("/api/sources").json()
    rows = {r.xpath("string(th)"): r for r in doc.xpath("//table[@class='scores']/tbody/tr")}
    assert set(rows) == {s["source"] for s in sources}
    for s in sources:
        cells = [td.text_content() for td in rows[s["source"]].xpath("td")]
        assert cells[0] == str(s["active"]) and cells[3] == str(s["quarantined"])
        assert cells[2] == f"{round(s['avg_completeness'] * 100)}%"

    source = "de-hs-weiterbildung"
    card = html(client.get(f"/institutions/{source}"))
    assert card.xpath("string(//h1)") == f"Scorecard: {source}"
    recs = client.get("/api/credentials", params={"source": source, "limit": 200}).json()["items"]
    for row, key in zip(card.xpath("//section[h2[@id='elements']]//tbody/tr"), ANNEX_I_ELEMENTS):
        n = sum(annex_i_present(r)[key] for r in recs)
        assert row.xpath("string(td[1])") == f"{n} of {len(recs)}", key
    quarantine = store.quarantine_entries(store.connect(catalogue), source)
    reasons = {(r.xpath("string(td[1])"), r.xpath("string(td[2])")): int(r.xpath("string(td[3])"))
               for r in card.xpath("//section[h2[@id='quarantine']]//tbody/tr")}
    assert sum(1 for q in quarantine if any(r["rule"] == "duplicate" for r in q["reasons"])) == \
        reasons[("source_record_id", "duplicate")] >= 1
    runs = card.xpath("//section[h2[@id='runs']]//tbody/tr")
    log = [r for r in store.run_log(store.connect(catalogue), 100) if r["source"] == source]
    assert len(runs) == len(log) == 1
    assert [td.text_content() for td in runs[0].xpath("td")][2:5] == \
        [str(log[0]["counts"][k]) for k in ("read", "accepted", "quarantined")]
    assert f"{len(quarantine)} of {log[0]['counts']['read']} records read were quarantined" in \
        " ".join(card.text_content().split())
    # raw values of quarantined rows are for operators (the API's /api/quarantine), not this page
    assert quarantine[0]["raw"]["Titel"] not in card.text_content()
    assert card.xpath(f"//a[@href='/?source={source}']")
    assert total_of(html(client.get("/", params={"source": source}))) == len(recs)


def test_cluster_and_stack_links_are_shown_when_the_catalogue_has_them(client, monkeypatch):
    """What the catalogue keeps beside a record (its cluster: the same credential from other
    sources; its stackability links) is shown when present; unknown shapes and keys generically."""
    items = client.get("/api/credentials", params={"limit": 3}).json()["items"]
    rec, other, third = (i["id"] for i in items)
    extra = {
        "cluster": {"id": "cl-0123456789abcdef", "size": 2, "primary": rec, "sources": [
            {"source": items[0]["source"], "id": rec, "source_record_id": "A", "status": "active", "url": None},
            {"source": "other-src", "id": other, "source_record_id": "B-7", "status": "active",
             "url": "javascript:alert(1)"}]},
        "stack_links": [{"relation": "isPartOf", "id": third, "title": "<b>Big</b> degree", "target": third},
                        {"relation": "isPartOf", "id": None, "title": None, "target": "urn:x:unresolved"},
                        {"relation": "supersedes", "id": other, "title": "Old one", "target": other}],
        "audit": {"members": [other], "note": "<i>kept</i>"},
    }
    monkeypatch.setattr(web, "_catalogue_info", lambda engine, r: {**r, **extra})
    page = client.get(f"/credentials/{rec}")
    assert page.status_code == 200 and "<b>Big</b>" not in page.text and "<i>kept</i>" not in page.text
    doc = html(page)
    rows = doc.xpath("//section[h2[@id='cluster']]//tbody/tr")
    assert len(rows) == 1 and rows[0].xpath("string(td[1])") == "other-src"
    assert rows[0].xpath("td[2]/a/@href") == [f"/credentials/{other}"] and not rows[0].xpath("td[4]/a")
    links = doc.xpath("//section[h2[@id='links']]")[0]
    assert [dt.text_content() for dt in links.xpath(".//dt")] == ["Counts towards", "Replaces"]
    assert links.xpath(".//a/@href") == [f"/credentials/{third}", f"/credentials/{other}"]
    assert "urn:x:unresolved (not in this catalogue)" in " ".join(links.text_content().split())
    further = doc.xpath("//section[h2[@id='related']]")[0]
    assert [dt.text_content() for dt in further.xpath("dl/dt")] == ["Audit"]
    assert further.xpath(".//a/@href") == [f"/credentials/{other}"] and "<i>kept</i>" in further.text_content()


def test_static_css_and_the_api_schema_untouched(client):
    css = client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    paths = client.get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/") for p in paths), list(paths)


def test_a_credit_without_ects_shows_as_given(tmp_path):
    """Credits the source gives in a unit with no ECTS rate, or with no unit at all, are shown as
    given (never as 'not given', never as ECTS)."""
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("id,title,credits,credit unit,awarding body,country\n"
                        "N1,Nursing informatics,3,unit not stated,Ivy Tech Community College,US\n"
                        "N2,Werkstoffkunde,4,SWS,Hochschule Musterstadt,DE\n", encoding="utf-8")
    home = tmp_path / "home"
    url = store.catalog_url(home)
    pipeline.ingest(home, "credits", csv_file, url)
    client = TestClient(create_app(url))
    for rid, shown in (("N1", "given as 3 credits, unit not stated; no ECTS derived"),
                       ("N2", "given as 4 SWS; no ECTS derived")):
        doc = html(client.get(f"/credentials/{record_id('credits', rid)}"))
        workload = doc.xpath("string(//dt[.='Notional workload']/following-sibling::dd[1])").strip()
        assert workload == shown
    store.dispose_all()
