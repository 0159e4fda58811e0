"""The HTTP API on the shipped samples: search with facets and cursor pages, one credential,
sources and stats, and the quarantine for operators only."""
from __future__ import annotations


import pytest
from fastapi.testclient import TestClient

from catalog import store, tokens
from catalog.api import create_app
from clearinghouse.descriptor import KEYS
from tests.conftest import sample_catalogue


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    home = tmp_path_factory.mktemp("api")
    url = sample_catalogue(home)
    yield url
    store.dispose_all()


@pytest.fixture()
def client(catalogue):
    return TestClient(create_app(catalogue))


def test_search_with_filters_and_facets(client):
    res = client.get("/api/credentials", params={"q": "data", "limit": 3})
    assert res.status_code == 200
    body = res.json()
    assert body["total"] >= 4 and len(body["items"]) == 3
    assert all(list(item) == list(KEYS) for item in body["items"])
    assert set(body["facets"]) == {"eqf_level", "country", "participation_mode", "credential_type",
                                   "languages", "ects", "isced_f"}
    assert sum(body["facets"]["country"].values()) == body["total"]
    res = client.get("/api/credentials", params={"country": "IE", "eqf": 6, "language": "ga"}).json()
    assert res["total"] >= 1 and all(i["country"] == "IE" and i["eqf_level"] == 6 and "ga" in i["languages"]
                                     for i in res["items"])
    # a facet ignores its own filter, so the other EQF levels stay visible with their counts
    assert len(res["facets"]["eqf_level"]) > 1 and res["facets"]["eqf_level"]["6"] == res["total"]


def test_cursor_pages_cover_everything_once(client):
    seen, cursor = [], None
    total = client.get("/api/credentials", params={"limit": 1}).json()["total"]
    while True:
        params = {"limit": 25, "sort": "ects", **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/credentials", params=params).json()
        seen.extend(i["id"] for i in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == total
    other = client.get("/api/credentials", params={"limit": 25, "sort": "title", "cursor": cursor or "eA"})
    assert other.status_code == 400


def test_one_credential_sources_stats(client):
    first = client.get("/api/credentials", params={"limit": 1}).json()["items"][0]
    res = client.get(f"/api/credentials/{first['id']}")
    assert res.status_code == 200 and res.json() == first
    assert client.get("/api/credentials/nope:0").status_code == 404
    sources = client.get("/api/sources").json()
    assert {s["source"] for s in sources} >= {"de-hs-weiterbildung", "pl-prk-kursy"}
    assert client.get("/api/stats").json()["active"] == sum(s["active"] for s in sources)


@pytest.mark.parametrize("params", [{"eqf": 9}, {"mode": "hybrid"}, {"limit": 0}, {"limit": 1000},
                                    {"country": "Deutschland"}, {"sort": "price"}])
def test_bad_parameters_are_422(client, params):
    assert client.get("/api/credentials", params=params).status_code == 422


def test_quarantine_is_for_operators(client, catalogue):
    engine = store.connect(catalogue)
    _, inst = tokens.create(engine, source="pl-prk-kursy")
    _, op = tokens.create(engine, operator=True)
    assert client.get("/api/quarantine").status_code == 401
    assert client.get("/api/quarantine", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/quarantine", headers={"Authorization": f"Bearer {inst}"}).status_code == 403
    res = client.get("/api/quarantine", headers={"Authorization": f"Bearer {op}"},
                     params={"source": "ie-nfq-microcreds"})
    assert res.status_code == 200 and sorted(e["source_record_id"] for e in res.json()) == [
        "MC-COMP-1115", "MC-EDU-7116"]
    token_id = inst.split("_")[1]
    assert tokens.revoke(engine, token_id) and tokens.resolve(engine, inst) is None


def test_credential_as_json_ld_or_turtle_by_accept(client):
    from rdflib import Graph, URIRef

    first = client.get("/api/credentials", params={"source": "ie-nfq-microcreds", "limit": 1}).json()["items"][0]
    url = f"/api/credentials/{first['id']}"
    ttl = client.get(url, headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.text, format="turtle")
    titles = {str(o) for o in g.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert first["title"] in titles
    jsonld = client.get(url, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(g)
    assert client.get(url, headers={"Accept": "application/json"}).json() == first
