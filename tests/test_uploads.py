"""Institution uploads through the API: stored under their sha256 first, an immediate report,
the pipeline run for the source, the full per-row report; tokens confine an institution to its
own source; oversized uploads are refused with nothing half-stored."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from catalog import store, tokens
from catalog.api import create_app
from tests.conftest import REPO

SAMPLES = REPO / "samples"


@pytest.fixture()
def setup(tmp_path):
    home = tmp_path / "home"
    url = store.catalog_url(home)
    engine = store.connect(url)
    _, token_a = tokens.create(engine, source="uni-a")
    _, token_b = tokens.create(engine, source="uni-b")
    _, operator = tokens.create(engine, operator=True)
    client = TestClient(create_app(url, home, upload_rate=3))
    return client, home, {"a": token_a, "b": token_b, "op": operator}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def upload(client, token, source, name="kurse.csv", content=None):
    content = content if content is not None else (SAMPLES / "de_hochschule_weiterbildung.csv").read_bytes()
    return client.post("/api/uploads", headers=bearer(token) if token else {},
                       files={"file": (name, content, "text/csv")}, data={"source": source})


def wait_done(client, token, upload_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/uploads/{upload_id}", headers=bearer(token)).json()
        if body["status"] in ("published", "failed"):
            return body
        time.sleep(0.5)
    raise AssertionError("the upload was not processed in time")


def test_upload_report_then_full_per_row_report(setup):
    client, home, tok = setup
    res = upload(client, tok["a"], "uni-a")
    assert res.status_code == 202, res.text
    body = res.json()
    assert body["report"]["format"] == "csv" and body["report"]["rows"] == 20
    stored = home / "uploads" / "uni-a" / body["sha256"]
    assert stored.exists() and not (stored.stat().st_mode & 0o222)  # immutable copy
    done = wait_done(client, tok["a"], body["upload_id"])
    assert done["status"] == "published"
    assert done["report"]["counts"]["read"] == 20 and done["report"]["counts"]["quarantined"] == 4
    rows = {q["locator"]: q["reasons"] for q in done["report"]["quarantine"]}
    assert len(rows) == 4 and all(r and r[0]["field"] and r[0]["message"] for r in rows.values())
    found = client.get("/api/credentials", params={"source": "uni-a", "limit": 100}).json()
    assert found["total"] == 16


def test_an_institution_cannot_upload_or_read_for_another(setup):
    client, _, tok = setup
    assert upload(client, tok["a"], "uni-b").status_code == 403
    res = upload(client, tok["b"], "uni-b")
    assert res.status_code == 202
    assert client.get(f"/api/uploads/{res.json()['upload_id']}", headers=bearer(tok["a"])).status_code == 404
    assert client.get(f"/api/uploads/{res.json()['upload_id']}", headers=bearer(tok["op"])).status_code == 200
    wait_done(client, tok["b"], res.json()["upload_id"])


def test_missing_and_wrong_tokens_are_refused(setup):
    client, _, _ = setup
    assert upload(client, None, "uni-a").status_code == 401
    assert upload(client, "chx_nope_nope", "uni-a").status_code == 401
    assert client.get("/api/uploads/up-123").status_code == 401


def test_oversized_upload_refused_with_nothing_half_stored(setup, monkeypatch):
    client, home, tok = setup
    monkeypatch.setenv("CLEARINGHOUSE_MAX_UPLOAD_MB", "0.01")  # 10 kB
    res = upload(client, tok["a"], "uni-a", content=b"Kursnummer;Titel\r\n" + b"K1;Kurs\r\n" * 5000)
    assert res.status_code == 413
    folder = home / "uploads" / "uni-a"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_client_filename_is_never_a_path(setup):
    client, home, tok = setup
    res = upload(client, tok["a"], "uni-a", name="../../../../tmp/evil.csv")
    assert res.status_code == 202
    assert not (home.parent / "evil.csv").exists()
    assert [p.name for p in (home / "uploads" / "uni-a").iterdir()] == [res.json()["sha256"]]
    wait_done(client, tok["a"], res.json()["upload_id"])


def test_unreadable_file_reported_at_once(setup):
    client, _, tok = setup
    res = upload(client, tok["a"], "uni-a", name="x.csv", content=bytes(range(256)) * 8)
    assert res.status_code == 202 and res.json()["status"] == "failed"
    assert "binary" in res.json()["report"]["errors"][0]["message"]


def test_rate_limit_per_token(setup):
    client, _, tok = setup
    codes = [upload(client, tok["b"], "uni-b", content=b"").status_code for _ in range(4)]
    assert codes[:3] == [422, 422, 422] and codes[3] == 429
