"""Per-source mapping profiles: what a person says about one source's export, in a small YAML file.

A profile names the source, says which column is which candidate field (where header synonyms are
not enough or are wrong), maps the source's codes to words the crosswalks know, and sets constants
that hold for every record of the source. See samples/profiles/README.md for the format.

``load_profile`` reads and checks one file; every problem raises ``ProfileError`` with one line
naming the file and the key. Scalars are read as strings (YAML 1.1 would turn ``yes``/``on``/``N``
into booleans and ``010`` into 8), so value maps match the source's strings as written.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from transforms.candidate import CANDIDATE_FIELDS, TITLE_PREFIX


class ProfileError(ValueError):
    """An invalid mapping profile; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class ColumnSpec:
    """One source column of a profile. ``field`` None means: leave this column unmapped."""

    field: str | None
    unit: str | None = None  # credit -> credit_unit, price -> price_currency, duration -> unit of bare numbers
    framework: str | None = None  # nqf_level -> nqf_framework

    def implies(self) -> dict[str, str]:
        """Candidate constants this column's unit/framework stand for."""
        out: dict[str, str] = {}
        if self.unit is not None and self.field in UNIT_FIELDS and UNIT_FIELDS[self.field]:
            out[UNIT_FIELDS[self.field]] = self.unit
        if self.framework is not None:
            out["nqf_framework"] = self.framework
        return out


# field -> the candidate field its `unit` sets (None: the unit is appended to bare numbers)
UNIT_FIELDS: dict[str, str | None] = {"credit": "credit_unit", "price": "price_currency", "duration": None}
FRAMEWORK_FIELDS = ("nqf_level",)


@dataclass(frozen=True)
class ProfileOptions:
    dayfirst: bool | None = None  # dates like 03/04/2025 are day first (None: let the date crosswalk decide)
    sheet: str | None = None  # spreadsheet sheet to read
    delimiter: str | None = None  # CSV delimiter override
    encoding: str | None = None  # text encoding override
    header_row: int | None = None  # 1-based row holding the headers, where it is not the first

    def get(self, key: str, default=None):
        """Dict-style access (``options.get("dayfirst", True)``): ``default`` where the profile is silent."""
        value = getattr(self, key, None) if key in _OPTION_KEYS else None
        return default if value is None else value


@dataclass(frozen=True)
class Profile:
    source: str | None = None
    country: str | None = None  # country of the source; becomes the `country` constant
    format: str | None = None  # connector format override (csv, xlsx, json, xml, ...)
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {source value: value}
    constants: dict[str, str] = field(default_factory=dict)
    options: ProfileOptions = field(default_factory=ProfileOptions)
    path: str | None = None  # where it was read from

    def constant_values(self) -> dict[str, str]:
        """Constants the profile itself gives: country, then column units/frameworks, then `constants`."""
        out: dict[str, str] = {}
        if self.country:
            out["country"] = self.country
        for spec in self.columns.values():
            out.update(spec.implies())
        out.update(self.constants)
        return out


# ---------------------------------------------------------------------------------------------
# YAML with every scalar a string (or None for ~/null/empty), duplicate keys refused
# ---------------------------------------------------------------------------------------------

class _StrLoader(yaml.SafeLoader):
    pass


_StrLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_StrLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_strings(text: str) -> Any:
    """Parse YAML keeping scalars as strings; raises yaml.YAMLError on bad YAML or duplicate keys."""
    return yaml.load(text, Loader=_StrLoader)  # noqa: S506 - a SafeLoader subclass


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return " ".join(f"{problem}{where}".split())


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------

_TOP_KEYS = ("source", "country", "format", "columns", "values", "constants", "options")
_COLUMN_KEYS = ("field", "unit", "framework")
_OPTION_KEYS = ("dayfirst", "sheet", "delimiter", "encoding", "header_row")
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _hint(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def is_candidate_field(name: str) -> bool:
    if name in CANDIDATE_FIELDS:
        return True
    return name.startswith(TITLE_PREFIX) and bool(_LANG_TAG.match(name[len(TITLE_PREFIX):]))


class _Checker:
    def __init__(self, name: str):
        self.name = name

    def fail(self, message: str) -> ProfileError:
        return ProfileError(f"{self.name}: {message}")

    def text(self, value: Any, where: str, *, allow_none: bool = True) -> str | None:
        if value is None:
            if allow_none:
                return None
            raise self.fail(f"{where} is empty")
        if not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else type(value).__name__
            raise self.fail(f"{where} must be a single value, not {kind}")
        value = value.strip()
        if not value:
            if allow_none:
                return None
            raise self.fail(f"{where} is empty")
        return value

    def mapping(self, value: Any, where: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            kind = "a list" if isinstance(value, list) else "a single value"
            raise self.fail(f"{where} must be a mapping, not {kind}")
        return value

    def field_name(self, value: str, where: str) -> str:
        if not is_candidate_field(value):
            raise self.fail(f"{where} unknown field {value!r}{_hint(value, CANDIDATE_FIELDS)}")
        return value


def profile_from_dict(data: Any, name: str = "<profile>") -> Profile:
    """Check an already parsed profile (``name`` is used in error messages)."""
    check = _Checker(name)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise check.fail("a profile must be a mapping of keys (source, columns, values, constants, options)")
    for key in data:
        if key not in _TOP_KEYS:
            raise check.fail(f"unknown key {key!r}{_hint(str(key), _TOP_KEYS)}; "
                             f"known keys: {', '.join(_TOP_KEYS)}")

    source = check.text(data.get("source"), "source")
    country = check.text(data.get("country"), "country")
    fmt = check.text(data.get("format"), "format")
    fmt = fmt.lower() if fmt else None

    columns: dict[str, ColumnSpec] = {}
    for col, spec in check.mapping(data.get("columns"), "columns").items():
        col_name = check.text(col, "a column name in columns", allow_none=False)
        where = f"column {col_name!r}"
        if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "ignore", "none", "-")):
            columns[col_name] = ColumnSpec(None)
            continue
        if isinstance(spec, str):
            columns[col_name] = ColumnSpec(check.field_name(spec.strip(), f"{where} maps to"))
            continue
        if not isinstance(spec, dict):
            raise check.fail(f"{where} must map to a field name or to {{field: ..., unit: ..., framework: ...}}")
        for key in spec:
            if key not in _COLUMN_KEYS:
                raise check.fail(f"{where} has unknown key {key!r}{_hint(str(key), _COLUMN_KEYS)}")
        fld = check.text(spec.get("field"), f"{where}: field")
        if fld is None:
            raise check.fail(f"{where} needs a `field`")
        fld = check.field_name(fld, f"{where} maps to")
        unit = check.text(spec.get("unit"), f"{where}: unit")
        framework = check.text(spec.get("framework"), f"{where}: framework")
        if unit is not None and fld not in UNIT_FIELDS:
            raise check.fail(f"{where}: `unit` applies only to {', '.join(UNIT_FIELDS)}, not {fld!r}")
        if framework is not None and fld not in FRAMEWORK_FIELDS:
            hint = " (use field: nqf_level)" if fld == "level" else ""
            raise check.fail(f"{where}: `framework` applies only to nqf_level, not {fld!r}{hint}")
        columns[col_name] = ColumnSpec(fld, unit, framework)

    values: dict[str, dict[str, str]] = {}
    for fld, vmap in check.mapping(data.get("values"), "values").items():
        fld = check.field_name(check.text(fld, "a field in values", allow_none=False), "values has")
        vmap = check.mapping(vmap, f"values.{fld}")
        out: dict[str, str] = {}
        seen: dict[str, str] = {}
        for raw, new in vmap.items():
            raw_s = check.text(raw, f"a source value in values.{fld}", allow_none=False)
            new_s = check.text(new, f"values.{fld}.{raw_s}", allow_none=False)
            key = raw_s.casefold()
            if key in seen and out[seen[key]] != new_s:
                raise check.fail(f"values.{fld}: {seen[key]!r} and {raw_s!r} are the same value "
                                 f"(matching ignores case) but map to different values")
            seen[key] = raw_s
            out[raw_s] = new_s
        values[fld] = out

    constants: dict[str, str] = {}
    for fld, value in check.mapping(data.get("constants"), "constants").items():
        fld = check.field_name(check.text(fld, "a field in constants", allow_none=False), "constants has")
        constants[fld] = check.text(value, f"constants.{fld}", allow_none=False)

    # a column's unit/framework and a constant for the same field must agree
    for col_name, spec in columns.items():
        for fld, value in spec.implies().items():
            if fld in constants and constants[fld] != value:
                raise check.fail(f"column {col_name!r} says {fld} {value!r} but constants.{fld} "
                                 f"is {constants[fld]!r}")

    opts_raw = check.mapping(data.get("options"), "options")
    for key in opts_raw:
        if key not in _OPTION_KEYS:
            raise check.fail(f"options has unknown key {key!r}{_hint(str(key), _OPTION_KEYS)}; "
                             f"known: {', '.join(_OPTION_KEYS)}")
    dayfirst = check.text(opts_raw.get("dayfirst"), "options.dayfirst")
    if dayfirst is not None:
        if dayfirst.lower() in _TRUE:
            dayfirst_b: bool | None = True
        elif dayfirst.lower() in _FALSE:
            dayfirst_b = False
        else:
            raise check.fail(f"options.dayfirst must be true or false, not {dayfirst!r}")
    else:
        dayfirst_b = None
    header_row = check.text(opts_raw.get("header_row"), "options.header_row")
    if header_row is not None and not (header_row.isdigit() and int(header_row) >= 1):
        raise check.fail(f"options.header_row must be a row number (1, 2, ...), not {header_row!r}")
    delimiter = opts_raw.get("delimiter")
    if delimiter is not None:  # not stripped: a tab is a delimiter
        if not isinstance(delimiter, str):
            raise check.fail("options.delimiter must be a single character")
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise check.fail(f"options.delimiter must be a single character, not {delimiter!r}")
    encoding = check.text(opts_raw.get("encoding"), "options.encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise check.fail(f"options.encoding {encoding!r} is not a known text encoding") from None
    options = ProfileOptions(
        dayfirst=dayfirst_b,
        sheet=check.text(opts_raw.get("sheet"), "options.sheet"),
        delimiter=delimiter,
        encoding=encoding,
        header_row=int(header_row) if header_row is not None else None,
    )
    return Profile(source=source, country=country, format=fmt, columns=columns, values=values,
                   constants=constants, options=options, path=None if name == "<profile>" else name)


def load_profile(path: str | Path) -> Profile:
    """Read and check one profile file; raises ProfileError (one line naming the file and key)."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProfileError(f"{name}: no such file ({path})") from None
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ProfileError(f"{name}: cannot be read ({exc.strerror})") from None
    try:
        data = load_yaml_strings(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{name}: not valid YAML: {_yaml_problem(exc)}") from None
    profile = profile_from_dict(data, name)
    return dataclasses.replace(profile, path=str(path))
