"""Where things live: the home folder, the catalogue URL, the registered sources."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HOME_ENV = "CLEARINGHOUSE_HOME"
SOURCES_ENV = "CLEARINGHOUSE_SOURCES"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SOURCES = REPO_ROOT / "samples" / "sources.yaml"


MAX_FILE_MB_ENV = "CLEARINGHOUSE_MAX_FILE_MB"


def max_file_bytes() -> int:
    """Largest delivery accepted (default 200 MB; $CLEARINGHOUSE_MAX_FILE_MB raises it)."""
    raw = os.environ.get(MAX_FILE_MB_ENV, "200")
    try:
        mb = float(raw)
    except ValueError:
        raise ConfigError(f"{MAX_FILE_MB_ENV}={raw!r}: not a number of megabytes") from None
    return int(mb * 1_000_000)


class ConfigError(Exception):
    """A configuration problem, said in one line."""


_SOURCE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def check_source_key(key: str) -> str:
    """A source key names folders (landing/<key>/, work/<key>/): letters, digits, '.', '_', '-'."""
    if not isinstance(key, str) or not _SOURCE_KEY.fullmatch(key) or ".." in key:
        raise ConfigError(f"source key {key!r}: use 1-120 letters, digits, '.', '_' or '-' "
                          "(it names folders)")
    return key


def check_country(code: str | None, where: str) -> str | None:
    import pycountry
    if code is None:
        return None
    if not isinstance(code, str) or len(code) != 2 or pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ConfigError(f"{where}: country {code!r} is not an ISO 3166-1 alpha-2 code")
    return code.upper()


def home_dir(home: str | os.PathLike | None = None) -> Path:
    path = Path(home or os.environ.get(HOME_ENV) or ".clearinghouse").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class SourceSpec:
    key: str
    path: Path | None  # a file, or None for a web API source (url)
    country: str | None = None
    format: str = "auto"
    mapping: Path | None = None
    partial: bool = False
    url: str | None = None  # a JSON web API to harvest (connectors.webapi) instead of a file
    api: dict = field(default_factory=dict)  # harvest options: pagination, records_key, min_interval ...


def sources_file(home: Path) -> Path:
    """The sources registry: $CLEARINGHOUSE_SOURCES, else <home>/sources.yaml, else the samples."""
    env = os.environ.get(SOURCES_ENV)
    if env:
        return Path(env)
    own = home / "sources.yaml"
    return own if own.exists() else SAMPLE_SOURCES


def load_sources(path: Path) -> list[SourceSpec]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: sources registry not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a 'sources:' list")
    specs = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("key") or not (entry.get("path") or entry.get("url")):
            raise ConfigError(f"{path}: source #{n} needs at least 'key' and 'path' (or 'url')")
        base = path.parent
        mapping = entry.get("mapping")
        key = str(entry["key"])
        try:
            check_source_key(key)
            country = check_country(entry.get("country"), f"source {key}")
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        specs.append(SourceSpec(
            key=key, path=(base / entry["path"]).resolve() if entry.get("path") else None,
            url=entry.get("url"), api=dict(entry.get("api") or {}),
            country=country, format=entry.get("format", "auto"),
            mapping=(base / mapping).resolve() if mapping else None,
            partial=bool(entry.get("partial", False)),
        ))
    return specs
