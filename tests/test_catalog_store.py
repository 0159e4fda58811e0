"""The catalogue store: upsert by id with content-hash change detection, withdrawal, one
transaction per delivery, diacritics-folded full text."""
from __future__ import annotations

import pytest

from catalog import search as catsearch
from tests.pg import fresh_postgres_database
from catalog import store
from clearinghouse import descriptor as d


def rec(srid: str, title: str, source: str = "uni-a", **extra) -> dict:
    r = d.normalise({"source": source, "source_record_id": srid, "id": d.record_id(source, srid),
                     "title": title, "country": "DE", "eqf_level": 6, "ects": 5.0,
                     "languages": ["de"], "participation_mode": "online",
                     "provenance": {"locator": "row 2"}, **extra})
    r["completeness"] = d.completeness(r)
    r["content_hash"] = d.content_hash(r)
    return r


def deliver(engine, records, *, sha="a" * 64, source="uni-a", now="2026-01-01T00:00:00Z", run="r1",
            quarantined=(), full=True):
    run_rec = store.RunRecord(run_id=run, source=source, path="x.csv", file_sha256=sha, started_at=now)
    return store.publish(engine, source, [records], [list(quarantined)], run_rec, now=now,
                         full_delivery=full)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = store.connect(f"sqlite:///{tmp_path / 'c.sqlite'}")
        yield eng
        store.dispose_all()
        return
    with fresh_postgres_database() as url:
        yield store.connect(url)
        store.dispose_all()


def test_new_changed_unchanged_withdrawn(engine):
    c = deliver(engine, [rec("K1", "Künstliche Intelligenz"), rec("K2", "Datenanalyse")])
    assert (c.new, c.changed, c.unchanged, c.withdrawn) == (2, 0, 0, 0)
    c = deliver(engine, [rec("K1", "Künstliche Intelligenz II")], sha="b" * 64, now="2026-02-01T00:00:00Z",
                run="r2")
    assert (c.new, c.changed, c.unchanged, c.withdrawn) == (0, 1, 0, 1)
    k2 = store.get(engine, d.record_id("uni-a", "K2"))
    assert k2["status"] == "withdrawn" and k2["title"] == "Datenanalyse"  # kept, not deleted
    k1 = store.get(engine, d.record_id("uni-a", "K1"))
    assert k1["first_seen"] == "2026-01-01T00:00:00Z" and k1["last_changed"] == "2026-02-01T00:00:00Z"
    assert list(k1) == list(d.KEYS)
    # K2 comes back: reactivated, counted as changed
    c = deliver(engine, [rec("K1", "Künstliche Intelligenz II"), rec("K2", "Datenanalyse")], sha="c" * 64,
                now="2026-03-01T00:00:00Z", run="r3")
    assert (c.new, c.changed, c.unchanged, c.withdrawn) == (0, 1, 1, 0)
    assert store.get(engine, d.record_id("uni-a", "K2"))["status"] == "active"


def test_same_delivery_twice_writes_nothing(engine):
    records = [rec("K1", "Künstliche Intelligenz"), rec("K2", "Datenanalyse")]
    deliver(engine, [dict(r) for r in records])
    before = store.raw_sql(engine, "SELECT * FROM credentials ORDER BY id")
    c = deliver(engine, [dict(r) for r in records], now="2026-01-02T00:00:00Z", run="r2")
    assert (c.new, c.changed, c.unchanged, c.withdrawn) == (0, 0, 2, 0)
    assert store.raw_sql(engine, "SELECT * FROM credentials ORDER BY id") == before


def test_partial_delivery_withdraws_nothing(engine):
    deliver(engine, [rec("K1", "A"), rec("K2", "B")])
    c = deliver(engine, [rec("K3", "C")], sha="b" * 64, run="r2", full=False)
    assert (c.new, c.withdrawn) == (1, 0)


def test_other_sources_untouched(engine):
    deliver(engine, [rec("K1", "A")])
    deliver(engine, [rec("X1", "Other", source="uni-b")], source="uni-b", run="r2")
    deliver(engine, [], sha="b" * 64, run="r3")  # uni-a delivers nothing: its record is withdrawn
    assert store.get(engine, d.record_id("uni-b", "X1"))["status"] == "active"
    assert store.get(engine, d.record_id("uni-a", "K1"))["status"] == "withdrawn"


def test_crash_mid_publish_leaves_previous_catalogue(engine, monkeypatch):
    deliver(engine, [rec("K1", "A"), rec("K2", "B")])
    before = store.raw_sql(engine, "SELECT * FROM credentials ORDER BY id")

    def exploding():
        yield [rec("K1", "A changed")]
        raise OSError("disk gone")

    run_rec = store.RunRecord(run_id="r2", source="uni-a", path="x", file_sha256="b" * 64,
                              started_at="2026-02-01T00:00:00Z")
    with pytest.raises(OSError):
        store.publish(engine, "uni-a", exploding(), [[]], run_rec, now="2026-02-01T00:00:00Z")
    assert store.raw_sql(engine, "SELECT * FROM credentials ORDER BY id") == before
    assert store.raw_sql(engine, "SELECT count(*) FROM runs WHERE run_id = 'r2'") == [(0,)]


def test_quarantine_replaced_per_source(engine):
    q = {"source_record_id": "K9", "locator": "row 9", "raw": {"Titel": ""},
         "reasons": [{"field": "title", "rule": "required", "message": "the title is missing"}]}
    deliver(engine, [rec("K1", "A")], quarantined=[q])
    assert [e["locator"] for e in store.quarantine_entries(engine, "uni-a")] == ["row 9"]
    deliver(engine, [rec("K1", "A")], sha="b" * 64, run="r2", quarantined=[])
    assert store.quarantine_entries(engine, "uni-a") == []


def test_fulltext_folds_diacritics_and_filters(engine):
    deliver(engine, [
        rec("K1", "Künstliche Intelligenz für Einsteiger", learning_outcomes=["Modelle trainieren"]),
        rec("K2", "Datenanalyse mit Python", eqf_level=7, ects=7.5, languages=["de", "en"]),
        rec("K3", "Éthique de l'intelligence artificielle", country="FR", languages=["fr"]),
    ])
    found, total = catsearch.search(engine, catsearch.Query(text="kunstliche"))
    assert total == 1 and found[0]["source_record_id"] == "K1"
    found, _ = catsearch.search(engine, catsearch.Query(text="ethique"))
    assert [r["source_record_id"] for r in found] == ["K3"]
    found, _ = catsearch.search(engine, catsearch.Query(text="intelligen"))
    assert {r["source_record_id"] for r in found} == {"K1", "K3"}
    found, _ = catsearch.search(engine, catsearch.Query(text="modelle"))  # outcomes are indexed
    assert [r["source_record_id"] for r in found] == ["K1"]
    found, _ = catsearch.search(engine, catsearch.Query(language="en"))
    assert [r["source_record_id"] for r in found] == ["K2"]
    found, _ = catsearch.search(engine, catsearch.Query(eqf=7, ects_min=7, ects_max=8))
    assert [r["source_record_id"] for r in found] == ["K2"]
    found, _ = catsearch.search(engine, catsearch.Query(country="fr"))
    assert [r["source_record_id"] for r in found] == ["K3"]
    found, total = catsearch.search(engine, catsearch.Query(text="   "))
    assert total == 3


def test_sharp_s_and_changed_records_in_the_index(engine):
    deliver(engine, [rec("S1", "Straßenbau Grundkurs"), rec("S2", "Brückenbau")])
    for query in ("Straßenbau", "strassenbau", "STRASSE"):
        found, _ = catsearch.search(engine, catsearch.Query(text=query))
        assert [r["source_record_id"] for r in found] == ["S1"], query
    deliver(engine, [rec("S1", "Tiefbau Grundkurs"), rec("S2", "Brückenbau")], sha="b" * 64, run="r2")
    assert catsearch.search(engine, catsearch.Query(text="strassenbau"))[1] == 0  # old text gone
    assert [r["source_record_id"] for r in catsearch.search(engine, catsearch.Query(text="tiefbau"))[0]] == ["S1"]


def test_partial_delivery_keeps_other_quarantine_entries(engine):
    def q(srid):
        return {"id": d.record_id("uni-a", srid), "source_record_id": srid, "locator": "row 2",
                "raw": {}, "reasons": [{"field": "title", "rule": "required", "message": "m"}]}
    deliver(engine, [rec("K1", "A")], quarantined=[q("Q1"), q("Q2")])
    deliver(engine, [rec("Q1", "Q1 fixed")], sha="b" * 64, run="r2", full=False, quarantined=[q("Q3")])
    left = sorted(e["source_record_id"] for e in store.quarantine_entries(engine, "uni-a"))
    assert left == ["Q2", "Q3"]  # Q1 was fixed, Q2 was not in the partial delivery, Q3 is new


def test_postgresql_full_text_stems_by_record_language():
    with fresh_postgres_database() as url:
        engine = store.connect(url)
        deliver(engine, [rec("E1", "Analysing survey data", languages=["en"]),
                         rec("G1", "Grundlagen der Datenanalysen", languages=["de"]),
                         rec("F1", "Éthique des données", languages=["fr"])])
        found = lambda q: [r["source_record_id"] for r in catsearch.search(engine, catsearch.Query(text=q))[0]]  # noqa: E731
        assert found("analyses") == ["E1"]  # English stem of both words: analys
        assert found("datenanalyse") == ["G1"]
        assert found("ethique donnees") == ["F1"]  # accents folded both ways
        assert found("survey") == ["E1"] and found("nothing here") == []
        from sqlalchemy import inspect
        indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("credentials")}
        assert indexes["ix_credentials_search_vector"]["column_names"] == ["search_vector"]


def test_a_title_with_an_underscored_code_is_found_by_its_title(engine):
    """Credential Registry names carry program codes ("Master of Business Administration
    (MBA_201404)", Western Governors University): searching the whole title, or the code, finds it."""
    deliver(engine, [rec("W1", "Master of Business Administration (MBA_201404)"),
                     rec("W2", "Master of Science, Accounting (MSACC_202503)")])
    for query in ("Master of Business Administration (MBA_201404)", "MBA_201404", "mba 201404"):
        found, _ = catsearch.search(engine, catsearch.Query(text=query))
        assert [r["source_record_id"] for r in found] == ["W1"], query
