"""Alembic migrations of the catalogue (SQLite and PostgreSQL). `catalog.store.connect` brings a
catalogue to the newest revision on first use; `alembic` can also run them by hand."""
