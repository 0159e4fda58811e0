"""A throw-away PostgreSQL database on the machine's server (127.0.0.1:5432, trust auth, the
`test` database to connect through). Without a server the test skips and says why; CI starts
the server in .ci/run, so there it runs."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get("CLEARINGHOUSE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_postgres_database():
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ch_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means: no server here
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at {ADMIN_URL} not reachable ({type(exc).__name__}); CI starts it")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from catalog import store
        store.dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
