"""The SQLite column store answers exactly as the SQL search and facets do (the reference, used on
PostgreSQL), on the shipped samples and on a generated catalogue, for random queries; and it sees
a new delivery at once."""
from __future__ import annotations

import random
import sys

import pytest

from catalog import columnar, store
from catalog.facets import facets, sql_facets
from catalog.search import SORTS, Query, search, sql_search
from clearinghouse import pipeline
from tests.conftest import REPO, sample_catalogue

sys.path.insert(0, str(REPO))
from bench.bench_api import TOPICS, build  # noqa: E402


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    home = tmp_path_factory.mktemp("columnar")
    samples = sample_catalogue(home)
    generated = f"sqlite:///{home / 'generated.sqlite'}"
    build(generated, 3000)
    yield {"samples": store.connect(samples), "generated": store.connect(generated)}
    columnar.forget()
    store.dispose_all()


def _random_query(rnd: random.Random, words: list[str]) -> Query:
    q = Query(limit=rnd.choice([1, 5, 20, 50]), offset=rnd.choice([0, 0, 3, 20]),
              sort=rnd.choice(SORTS), descending=rnd.random() < 0.4)
    if rnd.random() < 0.7:
        q.text = " ".join(rnd.sample(words, rnd.choice([1, 1, 2])))
    for name, values in (("country", ["DE", "ie", "FR", "PL", "XX"]), ("eqf", [4, 5, 6, 7]),
                         ("mode", ["online", "onsite", "blended"]), ("language", ["de", "EN", "fr", "pl"]),
                         ("type", ["micro-credential", "course", "qualification"]),
                         ("isced_f", ["06", "061", "0613", "04", "9"]), ("ects_min", [2.5, 5]),
                         ("ects_max", [10, 30])):
        if rnd.random() < 0.2:
            setattr(q, name, rnd.choice(values))
    q.include_withdrawn = rnd.random() < 0.2
    return q


@pytest.mark.parametrize("name", ["samples", "generated"])
def test_same_answers_as_sql(catalogues, name):
    engine = catalogues[name]
    words = ["data", "analysis", "kunstliche", "pflege", "management", "digital", "gestion", "zzzz",
             "projektmanagement", "energy", "skills", *[w for t in TOPICS[:30] for w in t.split()]]
    rnd = random.Random(11)
    nonzero = 0
    for _ in range(150):
        q = _random_query(rnd, words)
        items, total = search(engine, q)
        ref_items, ref_total = sql_search(engine, q)
        assert total == ref_total, q
        assert [i["id"] for i in items] == [i["id"] for i in ref_items], q
        assert items == ref_items
        assert facets(engine, q) == sql_facets(engine, q), q
        nonzero += total > 0
    assert nonzero > 40  # the queries exercise real matches, not only empty answers


def test_a_new_delivery_is_seen_at_once(catalogues, tmp_path):
    engine = catalogues["samples"]
    before = search(engine, Query(text="Datenanalyse Pflegekräfte"))[1]
    csv = tmp_path / "new.csv"
    csv.write_text("code;Titel;Beschreibung;DQR-Niveau\n"
                   "N1;Datenanalyse für Pflegekräfte;Auswertung von Pflegedaten;6\n", encoding="utf-8")
    pipeline.ingest(tmp_path / "home", "de-new-source", csv, str(engine.url), country="DE")
    assert search(engine, Query(text="Datenanalyse Pflegekräfte"))[1] == before + 1
    assert facets(engine, Query(text="Datenanalyse Pflegekräfte"))["eqf_level"].get("6", 0) >= 1


def test_postgresql_facets_equal_the_column_store(tmp_path):
    """The same deliveries in PostgreSQL: its SQL facets (GROUPING SETS, unnest) count what the
    SQLite column store counts, for filter-only queries (full text differs by design: PostgreSQL
    stems with the record's language configuration, FTS5 matches word prefixes)."""
    from clearinghouse.config import SAMPLE_SOURCES, load_sources
    from tests.pg import fresh_postgres_database

    lite = store.connect(sample_catalogue(tmp_path / "sqlite-home"))  # this test's own: the same deliveries
    with fresh_postgres_database() as url:
        for spec in load_sources(SAMPLE_SOURCES):
            pipeline.ingest(tmp_path / "pg-home", spec.key, spec.path, url, country=spec.country,
                            mapping=spec.mapping)
        pg = store.connect(url)
        rnd = random.Random(5)
        for _ in range(60):
            q = _random_query(rnd, ["data", "pflege"])
            q.text = None
            assert facets(pg, q) == facets(lite, q), q
            assert search(pg, q)[1] == search(lite, q)[1], q
