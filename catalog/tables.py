"""Catalogue tables (SQLAlchemy Core). The full descriptor is kept as JSON in ``doc``; the columns
beside it are the ones searches filter and sort on, derived from the descriptor when written."""
from __future__ import annotations

from sqlalchemy import (
    Column, Float, Index, Integer, MetaData, String, Table, Text, event, text,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

credentials = Table(
    "credentials", metadata,
    Column("id", String(200), primary_key=True),
    Column("source", String(120), nullable=False, index=True),
    Column("source_record_id", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", String(40), nullable=False),
    Column("last_seen", String(40), nullable=False),
    Column("last_changed", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("country", String(2), index=True),
    Column("eqf_level", Integer, index=True),
    Column("ects", Float),
    Column("participation_mode", String(16)),
    Column("credential_type", String(40)),
    Column("languages", Text),  # "|de|en|" so a LIKE '%|de|%' finds one language
    Column("isced_f", Text),  # "|0613|0611|", likewise
    Column("completeness", Float),
    Column("doc", Text, nullable=False),  # the descriptor as JSON
    # Folded (case, diacritics) title, description, outcomes and skills, for backends without
    # the SQLite FTS5 index; empty on SQLite.
    Column("search_text", Text),
    # Kept by catalog/clusters.py (migration 0004): the cluster of records from several sources that
    # describe one credential, whether this record represents it in searches (1; a record alone is
    # its own representative), the normalised-title blocking key, and whether any member stacks.
    Column("cluster_id", String(40), index=True),
    Column("cluster_primary", Integer, nullable=False, server_default=text("1")),
    Column("block_key", String(200), index=True),
    Column("stackable", Integer, nullable=False, server_default=text("0")),
)
Index("ix_credentials_source_record", credentials.c.source, credentials.c.source_record_id, unique=True)

# Links between records (migration 0004): "isPartOf" from a record's stacks_into (the larger
# credential it counts towards; to_id is the catalogue record it was resolved to, None while no
# record matches) and "supersedes" (a source's new record replacing its withdrawn one).
stack_links = Table(
    "stack_links", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("from_id", String(200), nullable=False, index=True),
    Column("relation", String(20), nullable=False),
    Column("target_ref", Text, nullable=False),
    Column("to_id", String(200), index=True),
)

quarantine = Table(
    "quarantine", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), nullable=False, index=True),
    Column("source", String(120), nullable=False, index=True),
    Column("source_record_id", Text),
    Column("record_id", String(200), index=True),  # the catalogue id it would have
    Column("locator", Text),
    Column("raw", Text, nullable=False),  # JSON object of the source's own values
    Column("reasons", Text, nullable=False),  # JSON list of {field, rule, message}
)

runs = Table(
    "runs", metadata,
    Column("run_id", String(40), primary_key=True),
    Column("source", String(120), nullable=False, index=True),
    Column("path", Text),
    Column("file_sha256", String(64)),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("status", String(20), nullable=False),
    Column("counts", Text),  # JSON
    Column("message", Text),
)

sources = Table(
    "sources", metadata,
    Column("key", String(120), primary_key=True),
    Column("country", String(2)),
    Column("last_file_sha256", String(64)),
    Column("last_run_id", String(40)),
    Column("updated_at", String(40)),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_id", String(16), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),  # the token itself is never stored
    Column("source", String(120)),  # the institution's source; None for an operator token
    Column("operator", Integer, nullable=False, default=0),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

uploads = Table(
    "uploads", metadata,
    Column("upload_id", String(40), primary_key=True),
    Column("source", String(120), nullable=False, index=True),
    Column("token_id", String(16)),
    Column("file_sha256", String(64), nullable=False),
    Column("filename", Text),  # as the client named it: shown, never used as a path
    Column("size", Integer, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # received, processing, published, failed
    Column("run_id", String(80)),
    Column("report", Text),  # JSON: format, rows, first errors; counts when published
)

# SQLite only, created by the first migration: an FTS5 table whose unicode61 tokenizer with
# remove_diacritics 2 folds "Künstliche" and "kunstliche" to the same token.
FTS_TABLE = "credentials_fts"


def sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
