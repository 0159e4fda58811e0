"""One entry per credential across sources, and stackability: a university's CSV export and the
national database's ELM export of the same awards (tests/data/clusters), end to end through the
command line; the matching rules on their own; the sources' part-of relations in the connectors;
the same catalogue on PostgreSQL."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from catalog import clusters, store
from catalog.clusters import Member, cluster_block
from catalog.search import Query, search
from clearinghouse import descriptor as d
from clearinghouse import pipeline
from connectors.base import FileInfo
from tests.conftest import REPO, SHARED, run_cli
from tests.pg import fresh_postgres_database

DATA = REPO / "tests" / "data" / "clusters"
CSV_2025 = DATA / "shannonside_courses_2025.csv"
CSV_2026 = DATA / "shannonside_courses_2026.csv"
REGISTER = DATA / "nfq_register.ttl"
UNI, NAT = "ie-shannonside", "ie-nfq-register"
CTDL_DEV = SHARED / "reference" / "ctdl" / "schema-dev-samples"
LOQ_DIR = SHARED / "reference" / "elm" / "qdr-xml-loq"

CERT = "Certificate in Data Analytics"
MSC = "Master of Science in Data Analytics"
PYTHON = "Python for Data Analysis"


def uni(code: str) -> str:
    return d.record_id(UNI, code)


def nat(name: str) -> str:
    return d.record_id(NAT, f"https://register.example.ie/nfq/{name}")


def ingest(home: Path, path: Path, source: str) -> dict:
    res = run_cli("ingest", str(path), "--source", source, "--output", "json", home=home)
    return json.loads(res.stdout)[0]


def cli_json(home: Path, *args: str) -> list | dict:
    """JSON output; search and show expanded with the catalogue's "cluster" and "stack_links"."""
    expand = ("--expand",) if args[0] in ("search", "show") else ()
    return json.loads(run_cli(*args, *expand, "--format", "json", home=home).stdout)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The university's export, then the national database's."""
    home = tmp_path_factory.mktemp("clusters")
    ingest(home, CSV_2025, UNI)
    ingest(home, REGISTER, NAT)
    return home


# ------------------------------------------------------------------------------------------------
# done when: one credential from two sources shows once, with both, and show lists its links


def test_one_credential_from_two_sources_shows_once_with_both(both):
    found = cli_json(both, "search", "certificate data analytics")
    certs = [r for r in found if r["title"] == CERT]
    assert len(certs) == 1
    cert = certs[0]
    assert cert["cluster"]["size"] == 2
    assert {(s["source"], s["id"]) for s in cert["cluster"]["sources"]} == {
        (UNI, uni("SSTU-CDA-8")), (NAT, nat("sstu-cert-data-analytics"))}
    # the university's record is the more complete one (mode, language, assessment): it represents
    assert cert["id"] == uni("SSTU-CDA-8") == cert["cluster"]["primary"]
    # every source's record is still there, both in one cluster
    members = [r for r in cli_json(both, "search", "certificate data analytics", "--all-members")
               if r["title"] == CERT]
    assert {r["id"] for r in members} == {uni("SSTU-CDA-8"), nat("sstu-cert-data-analytics")}
    assert len({r["cluster"]["id"] for r in members}) == 1

    table = run_cli("search", "certificate data analytics", home=both).stdout
    assert UNI in table and NAT in table


def test_show_lists_both_sources_and_the_stack_links(both):
    shown = cli_json(both, "show", nat("sstu-cert-data-analytics"))  # the register's member
    assert list(shown)[:len(d.KEYS)] == list(d.KEYS)
    assert shown["source"] == NAT and shown["stackability"] == "stackable" and shown["stacks_into"] == [MSC]
    assert {s["source"] for s in shown["cluster"]["sources"]} == {UNI, NAT}
    msc_members = {uni("SSTU-MDA-9"), nat("sstu-msc-data-analytics")}
    links = {(link["relation"], link["title"]): link for link in shown["stack_links"]}
    assert set(links) == {("isPartOf", MSC), ("hasPart", PYTHON)}
    # both sources say it counts towards the master's: one link, to the master's as searches show it
    assert links[("isPartOf", MSC)]["id"] in msc_members
    assert links[("hasPart", PYTHON)]["id"] == uni("SSTU-PYD-8")

    human = run_cli("show", nat("sstu-cert-data-analytics"), home=both).stdout
    assert UNI in human and NAT in human
    assert "counts towards" in human and MSC in human and "has part" in human and PYTHON in human

    msc = cli_json(both, "show", uni("SSTU-MDA-9"))
    assert {s["source"] for s in msc["cluster"]["sources"]} == {UNI, NAT}
    assert [(link["relation"], link["id"]) for link in msc["stack_links"]] == [("hasPart", uni("SSTU-CDA-8"))]


def test_look_alikes_stay_apart(both):
    every = cli_json(both, "search", "--all-members", "--limit", "100")
    cluster_of = {r["id"]: r["cluster"]["id"] for r in every}
    # same title, page and awarding body, but 5 ECTS at the university and 10 in the register
    assert cluster_of[uni("SSTU-CCF-8")] != cluster_of[nat("sstu-cloud-computing")]
    # two cohorts of one course in one source: never merged; the register's award is one EQF level up
    lean = [uni("SSTU-LSS-ON"), uni("SSTU-LSS-OS"), nat("sstu-lean-six-sigma")]
    assert len({cluster_of[i] for i in lean}) == 3
    shown = [r for r in cli_json(both, "search", "lean six sigma") if r["title"] == "Lean Six Sigma Yellow Belt"]
    assert sorted(r["eqf_level"] for r in shown) == [5, 5, 6]


def test_nothing_is_lost_in_a_merge(both):
    stats = cli_json(both, "stats")
    every = cli_json(both, "search", "--all-members", "--include-withdrawn", "--limit", "10000")
    entries = cli_json(both, "search", "--include-withdrawn", "--limit", "10000")
    assert len(every) == stats["records"] == 6 + 4  # each source's every accepted record
    assert len(entries) == 10 - 2  # the certificate and the master's are one entry each
    clusters_seen = {r["cluster"]["id"]: r["cluster"] for r in every}
    assert sum(c["size"] for c in clusters_seen.values()) == stats["records"]
    assert sorted(s["id"] for c in clusters_seen.values() for s in c["sources"]) == sorted(r["id"] for r in every)


def test_cluster_ids_are_stable_and_kept_when_a_member_joins(both, tmp_path):
    fresh = tmp_path / "fresh"
    ingest(fresh, CSV_2025, UNI)
    alone = cli_json(fresh, "show", uni("SSTU-CDA-8"))["cluster"]
    assert alone["size"] == 1 and alone["id"] == clusters.cluster_id_of(uni("SSTU-CDA-8"))
    ingest(fresh, REGISTER, NAT)
    joined = cli_json(fresh, "show", uni("SSTU-CDA-8"))["cluster"]
    assert joined["size"] == 2 and joined["id"] == alone["id"]  # the register's record joined

    def by_cluster(home: Path) -> dict[str, list[str]]:
        every = cli_json(home, "search", "--all-members", "--include-withdrawn", "--limit", "1000")
        return {r["cluster"]["id"]: sorted(s["id"] for s in r["cluster"]["sources"]) for r in every}

    assert by_cluster(fresh) == by_cluster(both)  # another home (machine, run): the same clusters


def test_a_new_code_for_the_same_course_supersedes_the_old(tmp_path):
    home = tmp_path / "h"
    ingest(home, CSV_2025, UNI)
    ingest(home, REGISTER, NAT)
    counts = ingest(home, CSV_2026, UNI)
    assert (counts["new"], counts["withdrawn"]) == (1, 1)
    old, new = uni("SSTU-PYD-8"), uni("SSTU-PYD-8B")
    shown = cli_json(home, "show", new)
    assert {(link["relation"], link["id"], link["target"]) for link in shown["stack_links"]} == {
        ("supersedes", old, "SSTU-PYD-8"), ("isPartOf", uni("SSTU-CDA-8"), CERT)}
    assert {(s["id"], s["status"]) for s in shown["cluster"]["sources"]} == {(new, "active"), (old, "withdrawn")}
    before = cli_json(home, "show", old)
    assert ("supersededBy", new) in {(link["relation"], link["id"]) for link in before["stack_links"]}
    found = [r for r in cli_json(home, "search", "python data analysis", "--include-withdrawn")
             if r["title"] == PYTHON]
    assert [r["id"] for r in found] == [new]  # one entry, the current record
    # the certificate's part is the new record now (the old one is in the same cluster)
    cert = cli_json(home, "show", uni("SSTU-CDA-8"))
    assert ("hasPart", new) in {(link["relation"], link["id"]) for link in cert["stack_links"]}
    # the same delivery again changes nothing: still one supersession
    run_cli("ingest", str(CSV_2026), "--source", UNI, home=home)
    again = cli_json(home, "show", new)
    assert sum(link["relation"] == "supersedes" for link in again["stack_links"]) == 1


def test_part_of_and_stackable_filters(both):
    for target in (uni("SSTU-MDA-9"), nat("sstu-msc-data-analytics")):  # either source's record
        found = cli_json(both, "search", "--part-of", target)
        assert [r["title"] for r in found] == [CERT] and found[0]["cluster"]["size"] == 2
    cluster = cli_json(both, "show", uni("SSTU-MDA-9"))["cluster"]["id"]
    assert [r["title"] for r in cli_json(both, "search", "--part-of", cluster)] == [CERT]
    assert [r["id"] for r in cli_json(both, "search", "--part-of", uni("SSTU-CDA-8"))] == [uni("SSTU-PYD-8")]
    assert cli_json(both, "search", "--part-of", uni("SSTU-PYD-8")) == []
    assert sorted(r["title"] for r in cli_json(both, "search", "--stackable")) == [CERT, PYTHON]
    assert [r["title"] for r in cli_json(both, "search", "python", "--stackable")] == [PYTHON]


def test_part_of_filter_in_the_api(both):
    from fastapi.testclient import TestClient

    from catalog.api import create_app

    client = TestClient(create_app(store.catalog_url(both), both))
    body = client.get("/api/credentials", params={"part_of": nat("sstu-msc-data-analytics"), "expand": True}).json()
    assert body["total"] == 1 and body["items"][0]["title"] == CERT
    assert {s["source"] for s in body["items"][0]["cluster"]["sources"]} == {UNI, NAT}
    assert sum(body["facets"]["country"].values()) == 1
    one = client.get(f"/api/credentials/{uni('SSTU-MDA-9')}", params={"expand": True}).json()
    assert [link["relation"] for link in one["stack_links"]] == ["hasPart"]
    every = client.get("/api/credentials", params={"all_members": True, "limit": 100, "expand": True}).json()
    assert every["total"] == 10


# ------------------------------------------------------------------------------------------------
# the matching rules on their own


def member(rid: str, source: str, *, ects=5.0, eqf=6, body="Example University", url=None,
           first_seen="2026-01-01T00:00:00Z", status="active", completeness=0.5) -> Member:
    return Member(id=rid, source=source, source_record_id=rid, status=status, first_seen=first_seen,
                  last_changed=first_seen, completeness=completeness, eqf=eqf, ects=ects, block_key="k",
                  cluster_id=None, primary=1, stackable=0, body=clusters.body_key(body),
                  url=clusters.url_key(url))


def test_a_bridge_never_joins_two_records_of_one_source():
    a1 = member("a:1", "a", url="https://x.example/c/1")
    a2 = member("a:2", "a", url="https://x.example/c/2")
    b = member("b:1", "b", url="https://x.example/c/1")  # same page as a:1, same body as a:2
    out = cluster_block([a1, a2, b])
    assert out["a:1"][0] == out["b:1"][0] != out["a:2"][0]  # the page is stronger evidence
    assert out["a:1"][0] == clusters.cluster_id_of("a:1")


def test_evidence_and_conflicts():
    assert clusters.title_key("Certificate in Data-Analytics!") == clusters.title_key("certificate of data analytics")
    assert clusters.title_key("Künstliche Intelligenz für Einsteiger") == "kunstliche intelligenz einsteiger"
    assert clusters.body_key("University of Galway") == clusters.body_key("Galway University")
    assert clusters.url_key("http://www.x.ie/a/b/") == clusters.url_key("https://x.ie/a/b") == "x.ie/a/b"
    assert clusters.url_key("https://x.ie/") is None  # a home page names no credential
    # nothing in common but the title: not merged
    out = cluster_block([member("a:1", "a", body="A"), member("b:1", "b", body="B")])
    assert out["a:1"][0] != out["b:1"][0]
    # other ECTS (beyond 0.5) or another EQF level: different credentials, whatever else they share
    page = "https://x.example/c/1"
    for other in ({"ects": 10.0}, {"eqf": 7}):
        out = cluster_block([member("a:1", "a", url=page), member("b:1", "b", url=page, **other)])
        assert out["a:1"][0] != out["b:1"][0], other
    out = cluster_block([member("a:1", "a", ects=5.0), member("b:1", "b", ects=5.4)])
    assert out["a:1"][0] == out["b:1"][0]
    # a missing ECTS is no conflict; a missing body is no evidence
    out = cluster_block([member("a:1", "a", ects=None), member("b:1", "b")])
    assert out["a:1"][0] == out["b:1"][0]
    out = cluster_block([member("a:1", "a", body=None), member("b:1", "b")])
    assert out["a:1"][0] != out["b:1"][0]
    # the representative: active first, then most complete, then earliest
    out = cluster_block([member("a:1", "a", status="withdrawn", completeness=1.0),
                         member("b:1", "b", completeness=0.4, first_seen="2026-02-01T00:00:00Z"),
                         member("c:1", "c", completeness=0.6, first_seen="2026-03-01T00:00:00Z")])
    assert [rid for rid, v in sorted(out.items()) if v[1]] == ["c:1"]
    assert {v[0] for v in out.values()} == {clusters.cluster_id_of("a:1")}  # named after the earliest


# ------------------------------------------------------------------------------------------------
# the sources' own part-of relations (real reference samples where they have them)

needs_reference = pytest.mark.skipif(not (CTDL_DEV.is_dir() and LOQ_DIR.is_dir()),
                                     reason="shared reference data (../shared/reference) not present")


def _rows(reader, path: Path, fmt: str) -> list[dict]:
    info = FileInfo(path=str(path), format=fmt, sha256="", size=os.path.getsize(path))
    return [r for batch in reader(str(path), info, 100) for r in batch.frame.to_dict("records")]


@needs_reference
def test_ctdl_is_part_of_and_the_inverse_of_has_part():
    from connectors.ctdl import read_ctdl

    recs = {r["title"]: r for r in _rows(read_ctdl, CTDL_DEV / "CourseProgramExamples__programWithCourses.json", "ctdl")}
    for course in ("Data Analysis with Python", "Data Analysis with R", "Statistics", "Data Management"):
        assert (recs[course]["stackability"], recs[course]["stacks_into"]) == ("stackable", "Applied Data Science")
    # the program is "required for" the degree: a requirement, not a part (not read as stacking)
    assert recs["Applied Data Science"].get("stacks_into") is None
    # only the program says hasPart: its courses get the inverse
    recs = {r["title"]: r for r in _rows(
        read_ctdl, CTDL_DEV / "CTDLinLERs_VCs_OpenBadges_CLRs__s_3_1_CoursesFromDifferntOrgs.json", "ctdl")}
    assert recs["Physics 101"]["stacks_into"] == recs["Literature 101"]["stacks_into"] == \
        "Degree Program in Science and Arts"
    assert recs["Degree Program in Science and Arts"].get("stacks_into") is None


@needs_reference
def test_qdr_is_part_of_but_not_an_entitlement():
    from connectors.qdr import read_qdr

    recs = {r["source_record_id"]: r for r in _rows(read_qdr, LOQ_DIR / "loq.xml", "qdr")}
    q1, q2 = recs["http://Q-01"], recs["http://Q-02"]
    assert (q2["stackability"], q2["stacks_into"]) == ("stackable", q1["title"])
    assert q1.get("stacks_into") is None  # it entitles to LES-01/02: entitlements, not larger credentials
    assert "http://LES-01" in q1["x_entitles_to"]


def test_elm_has_part_and_entitles_to_a_qualification(tmp_path):
    from connectors.elm import read_elm

    doc = tmp_path / "awards.ttl"
    doc.write_text("""
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dc: <http://purl.org/dc/terms/> .
@prefix ex: <https://awards.example.eu/> .
ex:master a elm:Qualification ; dc:title "Master in Public Health"@en ; elm:hasPart ex:module .
ex:module a elm:LearningAchievementSpecification ; dc:title "Epidemiology"@en .
ex:mc a elm:LearningAchievementSpecification ; dc:title "Health Data Literacy"@en ;
  elm:entitlesTo ex:master, ex:access .
ex:access a elm:LearningEntitlementSpecification ; dc:title "Access to doctoral studies"@en .
""", encoding="utf-8")
    recs = {r["title"]: r for r in _rows(read_elm, doc, "elm")}
    assert recs["Epidemiology"]["stacks_into"] == "Master in Public Health"
    assert recs["Health Data Literacy"]["stacks_into"] == "Master in Public Health"
    assert recs["Master in Public Health"].get("stacks_into") is None


@needs_reference
def test_ctdl_sample_through_the_catalogue(tmp_path):
    home = tmp_path / "h"
    run_cli("ingest", str(CTDL_DEV / "CourseProgramExamples__programWithCourses.json"), "--source",
            "us-sunnydale", "--country", "US", home=home)
    program = d.record_id("us-sunnydale", "res:1ca80f84-9331-4855-a746-13613a08c101")
    shown = cli_json(home, "show", program)
    assert sorted(link["title"] for link in shown["stack_links"] if link["relation"] == "hasPart") == [
        "Data Analysis with Python", "Data Analysis with R", "Data Management", "Statistics"]
    assert len(cli_json(home, "search", "--part-of", program)) == 4


# ------------------------------------------------------------------------------------------------
# upgrades and PostgreSQL


def test_an_older_catalogue_is_clustered_on_its_next_delivery(tmp_path):
    from alembic import command

    from catalog.schema import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        doc = d.normalise({"id": nat("sstu-msc-data-analytics"), "source": NAT, "title": MSC,
                           "source_record_id": "https://register.example.ie/nfq/sstu-msc-data-analytics",
                           "eqf_level": 7, "ects": 90.0, "url": "https://www.shannonside.ie/courses/msc-data-analytics",
                           "awarding_body": {"name": "Shannonside Technological University"}, "status": "active",
                           "content_hash": "0" * 64, "first_seen": "2025-01-01T00:00:00Z",
                           "last_seen": "2025-01-01T00:00:00Z", "last_changed": "2025-01-01T00:00:00Z"})
        conn.execute(text("INSERT INTO credentials (id, source, source_record_id, status, content_hash, first_seen, "
                          "last_seen, last_changed, title, eqf_level, ects, doc) VALUES (:id, :source, :srid, "
                          "'active', :h, :t, :t, :t, :title, 7, 90.0, :doc)"),
                     {"id": doc["id"], "source": NAT, "srid": doc["source_record_id"], "h": doc["content_hash"],
                      "t": doc["first_seen"], "title": MSC, "doc": json.dumps(doc)})
    engine.dispose()
    cat = store.connect(url)  # upgrades to the newest schema: the old record is its own entry
    assert [r["id"] for r in search(cat, Query())[0]] == [doc["id"]]
    pipeline.ingest(tmp_path / "home", UNI, CSV_2025, url)
    msc = [r for r in search(cat, Query(limit=100))[0] if r["title"] == MSC]
    assert len(msc) == 1 and {s["id"] for s in msc[0]["cluster"]["sources"]} == {doc["id"], uni("SSTU-MDA-9")}
    assert msc[0]["cluster"]["id"] == clusters.cluster_id_of(doc["id"])  # the older record names it


def test_clusters_and_links_on_postgresql(tmp_path):
    with fresh_postgres_database() as url:
        home = tmp_path / "pg"
        for path, source in ((CSV_2025, UNI), (REGISTER, NAT), (CSV_2026, UNI)):
            m = pipeline.ingest(home, source, path, url)
            assert m.counts["read"] == m.counts["accepted"]
        engine = store.connect(url)
        found, total = search(engine, Query(text="certificate data analytics"))
        certs = [r for r in found if r["title"] == CERT]
        assert len(certs) == 1 and {s["source"] for s in certs[0]["cluster"]["sources"]} == {UNI, NAT}
        assert search(engine, Query(all_members=True, include_withdrawn=True, limit=100))[1] == 6 + 4 + 1
        info = clusters.with_catalogue_info(engine, store.get(engine, nat("sstu-cert-data-analytics")))
        assert {(link["relation"], link["title"]) for link in info["stack_links"]} == {("isPartOf", MSC),
                                                                                       ("hasPart", PYTHON)}
        new = clusters.with_catalogue_info(engine, store.get(engine, uni("SSTU-PYD-8B")))
        assert ("supersedes", uni("SSTU-PYD-8")) in {(link["relation"], link["id"]) for link in new["stack_links"]}
        parts, _ = search(engine, Query(part_of=uni("SSTU-MDA-9")))
        assert [r["title"] for r in parts] == [CERT]
        assert sorted(r["title"] for r in search(engine, Query(stackable=True))[0]) == [CERT, PYTHON]
        with engine.connect() as conn:  # same cluster ids as on SQLite: derived from the records alone
            cid = conn.execute(text("SELECT cluster_id FROM credentials WHERE id = :i"),
                               {"i": uni("SSTU-CDA-8")}).scalar()
        assert cid == clusters.cluster_id_of(uni("SSTU-CDA-8"))
