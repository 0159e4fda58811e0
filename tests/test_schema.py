"""The migrations create exactly the tables the code uses, on SQLite and PostgreSQL, and a
catalogue from before migrations gets one clear line."""
from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from catalog import schema, store
from catalog.tables import FTS_TABLE, metadata
from tests.pg import fresh_postgres_database


def _differences(url: str) -> list:
    engine = store.connect(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        diffs = compare_metadata(ctx, metadata)
    return [d for d in diffs if not (d[0] == "remove_table" and d[1].name.startswith(FTS_TABLE))
            and not _is_pg_fulltext(d)]


def _is_pg_fulltext(diff) -> bool:
    """The tsvector column and its GIN index exist on PostgreSQL only (migration 0003)."""
    text = repr(diff)
    return "search_vector" in text


def test_migrations_match_the_tables_sqlite(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'c.sqlite'}") == []


def test_migrations_match_the_tables_postgresql():
    with fresh_postgres_database() as url:
        assert _differences(url) == []


def test_catalogue_from_before_migrations_is_refused(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE credentials (id TEXT PRIMARY KEY)")
    with pytest.raises(schema.SchemaError, match="before schema migrations"):
        schema.upgrade(create_engine(f"sqlite:///{path}"))


def test_upgrade_twice_is_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    engine = store.connect(url)
    schema.upgrade(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
