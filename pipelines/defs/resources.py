"""The resource that carries the home folder and the catalogue URL."""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from clearinghouse import config


class ClearinghouseResource(dg.ConfigurableResource):
    home: str = ""  # empty: $CLEARINGHOUSE_HOME, else ./.clearinghouse
    catalog_url: str = ""  # empty: $CLEARINGHOUSE_CATALOG_URL, else SQLite under home

    def home_path(self) -> Path:
        return config.home_dir(self.home or None)

    def url(self) -> str:
        from catalog.store import catalog_url
        return self.catalog_url or os.environ.get("CLEARINGHOUSE_CATALOG_URL") or catalog_url(self.home_path())

    def registered(self) -> dict[str, config.SourceSpec]:
        home = self.home_path()
        return {s.key: s for s in config.load_sources(config.sources_file(home))}
