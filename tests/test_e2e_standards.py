"""Every shared XCRI-CAP and Open Badges sample through `ingest --format auto`: recognised by
content, each record accepted or quarantined with reasons, none lost, no crash; unsafe documents
refused with one clear line and no connection attempted."""
from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from catalog import store
from clearinghouse import pipeline
from tests.conftest import SHARED, run_cli

REFERENCE = SHARED / "reference"
needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason=f"shared reference data not at {REFERENCE}")

XCRI = sorted((REFERENCE / "xcri-cap" / "samples").glob("*.xml")) if REFERENCE.exists() else []
BADGES = (sorted((REFERENCE / "open-badges" / "edubadges-ob3-examples" / "credentials").glob("*.json"))
          + sorted((REFERENCE / "open-badges" / "ob3-spec").glob("example-*.json"))) if REFERENCE.exists() else []
ELM = ([*sorted((REFERENCE / "elm" / "samples").glob("*")), *sorted((REFERENCE / "elm" / "qdr-xml-loq").glob("*.xml"))]
       if REFERENCE.exists() else [])
CTDL = ([p for folder in ("registry-api-samples", "registry-envelope-samples", "schema-dev-samples")
         for p in sorted((REFERENCE / "ctdl" / folder).glob("*.json"))] if REFERENCE.exists() else [])
NOT_A_FEED = {"validator-module-XCRICAP12.xml"}  # the validator's rule file, not a course feed


@needs_reference
@pytest.mark.parametrize("path", XCRI + BADGES, ids=lambda p: p.name)
def test_every_sample_ingests_and_nothing_is_lost(path, tmp_path):
    home = tmp_path / "home"
    url = store.catalog_url(home)
    if path.name in NOT_A_FEED:
        with pytest.raises(pipeline.PipelineError, match="XML document of no kind read here"):
            pipeline.ingest(home, "s", path, url)
        return
    m = pipeline.ingest(home, "s", path, url)
    assert m.format == ("xcri" if path.suffix == ".xml" else "openbadges")
    _nothing_lost(m, url)


@needs_reference
@pytest.mark.parametrize("path", ELM + CTDL, ids=lambda p: p.name)
def test_elm_qdr_ctdl_samples(path, tmp_path):
    """Each file gives records (accepted or quarantined with reasons) or one clear line saying
    why it holds none (an organisation only, a cost manifest, invalid JSON in the sample)."""
    home = tmp_path / "home"
    url = store.catalog_url(home)
    try:
        m = pipeline.ingest(home, "s", path, url)
    except pipeline.PipelineError as exc:
        assert str(exc).startswith(path.name + ":") and "\n" not in str(exc)
        return
    expected = "qdr" if path.suffix == ".xml" else ("elm" if path.parent.parent.name == "elm" else "ctdl")
    assert m.format == expected  # Registry Assistant inputs too: recognised by content as CTDL
    _nothing_lost(m, url)


def _nothing_lost(m, url):
    assert m.counts["read"] >= 1
    assert m.counts["read"] == m.counts["accepted"] + m.counts["quarantined"]
    engine = store.connect(url)
    for rec in store.iter_records(engine):
        assert rec["title"] and rec["provenance"]["locator"]  # XPath, JSON pointer or node URI
    for q in store.quarantine_entries(engine):
        assert q["reasons"] and all(r["message"] for r in q["reasons"])


@needs_reference
def test_xcri_course_values(tmp_path):
    home = tmp_path / "home"
    pipeline.ingest(home, "ou", REFERENCE / "xcri-cap" / "samples" / "ou-example.xml", store.catalog_url(home),
                    country="GB")
    recs = {r["title"]: r for r in store.iter_records(store.connect(store.catalog_url(home)))}
    fiction = next(r for t, r in recs.items() if "fiction" in t.lower())
    assert (fiction["ects"], fiction["eqf_level"], fiction["nqf"]["framework"]) == (5.0, 5, "GB-SCT-SCQF")
    assert fiction["credential_type"] == "course" and "<" not in (fiction["description"] or "")


def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE catalog [<!ENTITY ext SYSTEM "http://127.0.0.1:9/secret">]>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog"><provider><course><title>&ext;</title></course></provider></catalog>
"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog"><provider><course><title>&lol2;</title></course></provider></catalog>
"""
REMOTE_CONTEXT = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/evil-context.jsonld"],
                  "type": ["VerifiableCredential", "OpenBadgeCredential"],
                  "credentialSubject": {"achievement": {"type": ["Achievement"], "name": "Data literacy",
                                                        "criteria": {"narrative": "Pass the test"}}}}


@pytest.mark.parametrize("name, content, words", [
    ("xxe.xml", XXE, "entity"),
    ("laughs.xml", LAUGHS, "entity"),
    ("remote.json", json.dumps(REMOTE_CONTEXT).encode(), "https://example.org/evil-context.jsonld"),
])
def test_unsafe_documents_refused_without_connecting(name, content, words, tmp_path, monkeypatch):
    _no_network(monkeypatch)
    path = tmp_path / name
    path.write_bytes(content)
    home = tmp_path / "home"
    with pytest.raises(pipeline.PipelineError) as err:
        pipeline.ingest(home, "s", path, store.catalog_url(home))
    assert words in str(err.value) and name in str(err.value)
    assert "\n" not in str(err.value)


def test_unsafe_document_on_the_command_line_is_one_line(tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    res = run_cli("ingest", str(path), "--source", "s", home=tmp_path / "h", check=False)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith("error: xxe.xml:") and len(res.stderr.strip().splitlines()) == 1
