"""Bring a catalogue to the newest schema with the Alembic migrations in catalog/migrations."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaError(Exception):
    """A catalogue this version cannot use, said in one line."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if "credentials" in tables and "alembic_version" not in tables:
            raise SchemaError(f"{engine.url.render_as_string(hide_password=True)}: this catalogue was made "
                              "before schema migrations existed; move it aside and ingest the sources again")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
