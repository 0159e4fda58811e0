"""JSON documents and JSON Lines.

JSON: the records are a top-level array of objects (followed by the courses or modules each one
lists under a key like ``courses``, as records of their own with the parent's title under ``Part of``); or the array held by a top-level (or nested,
up to three levels) key such as ``items``, ``data``, ``records``, ``results``, ``courses``,
``credentials``, ``@graph``, ``hits`` (any key holding a list of objects is used when none of
these is there); or an object keyed by the records' codes (``{"P1": {...}, "P2": {...}}``, each record given its
key as ``code``); or, failing that, the document itself is one record. The locator is the JSON
pointer of the record (``/items/3``; ``/`` for a single-record document). Other keys are only taken as the
records array when the object does not look like a record itself (no id/title/name key, at most
three plain values), so a single course with a list of outcomes stays one record. Invalid JSON raises
SourceFileError with the parser's message, line and column.

JSON Lines: one object per line. A line that is not valid JSON, or not an object, does not stop
the file: it becomes a record whose source columns are all None and whose ``__error__`` says
``"line 7: invalid JSON: Expecting ',' delimiter (column 12)"`` (``__raw__`` holds the line).

Flattening (both): nested objects give dotted keys (``provider.name``); a list of scalars is one
string with the items joined by ``"\\n"``; a list holding objects or lists is kept as a JSON string;
numbers as strings ("7", "7.5"), booleans "true"/"false", null and "" -> None.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Iterator

from .base import (
    FileInfo, RawBatch, SourceFileError, clip, display_name, frame_from_dicts, number_to_str, plural,
    summarise_rows, unique_name, META_COLUMNS,
)
from .sniff import TextEncoding, iter_lines, read_text

RECORD_KEYS = ("items", "data", "records", "results", "courses", "credentials", "@graph", "hits",
               "rows", "entries", "elements", "objects", "list", "values", "content", "offers",
               "programmes", "programs", "qualifications", "microcredentials", "badges",
               "achievements", "resources", "result", "response")
_META = set(META_COLUMNS)


def _scalar(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v if v and not v.isspace() else None
    if isinstance(v, (bool, int, float)):
        return number_to_str(v)
    return str(v)


# keys that name the language of a text variant: [{"designacao": "...", "locSigla": "PT"}, ...]
_LANG_KEYS = frozenset({"lang", "language", "locale", "locsigla", "idioma", "langue", "sprache", "lingua",
                        "@language", "languagecode", "language_code", "lang_code", "iso", "taal", "jezyk"})
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


def language_variants(v: list) -> list[tuple[str, str]] | None:
    """[(language, text)] when a list holds one text per language, each item an object with a
    language key (lang, locale, locSigla, @language ...) holding a tag and one other text value;
    else None. The language is the tag's primary subtag in lower case ('PT' -> 'pt')."""
    if not v or not all(isinstance(x, dict) and len(x) == 2 for x in v):
        return None
    out = []
    for item in v:
        lang_key = next((k for k in item if str(k).lower() in _LANG_KEYS), None)
        if lang_key is None:
            return None
        lang, (text,) = item[lang_key], [item[k] for k in item if k != lang_key]
        if not isinstance(lang, str) or not _LANG_TAG.match(lang.strip()) or not isinstance(text, str):
            return None
        out.append((re.split(r"[-_]", lang.strip())[0].lower(), text))
    return out


def flatten(obj: dict, prefix: str = "", out: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """One JSON object as flat columns (see the module's docstring). A list of language variants
    gives its first text under the key and every variant under ``key@<language>``."""
    if out is None:
        out = {}
    for k, v in obj.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if key in out or key in _META:
            key = unique_name(key, set(out) | _META)
        if isinstance(v, dict):
            if v:
                flatten(v, key, out)
            else:
                out[key] = None
        elif isinstance(v, list) and (variants := language_variants(v)):
            out[key] = _scalar(variants[0][1])
            for lang, text in variants:
                out.setdefault(f"{key}@{lang}", _scalar(text))
        elif isinstance(v, list):
            if any(isinstance(x, (dict, list)) for x in v):
                out[key] = json.dumps(v, ensure_ascii=False)
            else:
                parts = [s for s in (_scalar(x) for x in v) if s is not None]
                out[key] = "\n".join(parts) if parts else None
        else:
            out[key] = _scalar(v)
    return out


def _pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _is_record_list(v: Any) -> bool:
    return isinstance(v, list) and (not v or any(isinstance(x, dict) for x in v))


_RECORD_HINTS = {"id", "@id", "title", "name", "titel", "intitulé", "nazwa", "code", "url"}


def _looks_like_record(doc: dict) -> bool:
    """An object with a title/name/id, or more than 3 plain values, is a record itself."""
    if any(str(k).lower() in _RECORD_HINTS for k in doc):
        return True
    return sum(1 for v in doc.values() if not isinstance(v, (dict, list))) > 3


def find_records(doc: Any, depth: int = 0) -> tuple[str, list] | None:
    """(pointer, list) of the records array inside an object, or None."""
    if not isinstance(doc, dict):
        return None
    lowered = {str(k).lower(): k for k in doc}
    for want in RECORD_KEYS:
        k = lowered.get(want)
        if k is not None and _is_record_list(doc[k]) and doc[k]:
            return "/" + _pointer_token(str(k)), doc[k]
    if _looks_like_record(doc):
        return None  # e.g. one course with a list of learning outcomes: not a wrapper
    candidates = [(k, v) for k, v in doc.items()
                  if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
    if candidates:
        k, v = max(candidates, key=lambda kv: len(kv[1]))
        return "/" + _pointer_token(str(k)), v
    for want in RECORD_KEYS:  # an empty records array under a known key
        k = lowered.get(want)
        if k is not None and isinstance(doc[k], list) and not doc[k]:
            return "/" + _pointer_token(str(k)), doc[k]
    if depth < 2:
        inner = []
        for k, v in doc.items():
            if isinstance(v, dict):
                found = find_records(v, depth + 1)
                if found is not None and found[1]:
                    inner.append(("/" + _pointer_token(str(k)) + found[0], found[1]))
        if inner:
            return max(inner, key=lambda pv: len(pv[1]))
    return None


KEY_COLUMN = "code"  # where a record keyed by its code gets that code (when it has no such key)


def keyed_records(doc: Any, depth: int = 0) -> tuple[str, dict] | None:
    """(pointer, object) when the records are an object keyed by their codes,
    ``{"P1": {...}, "P2": {...}}`` (at the top or under one wrapper key): at least two entries,
    every value an object, the objects sharing most of their keys."""
    if not isinstance(doc, dict) or len(doc) < 1:
        return None
    values = list(doc.values())
    if len(doc) >= 2 and all(isinstance(v, dict) and v for v in values):
        keysets = [set(v) for v in values]
        common = set.intersection(*keysets)
        if common and len(common) * 2 >= max(len(k) for k in keysets) and \
                not any(str(k).lower() in _RECORD_HINTS for k in doc) and \
                sum(1 for v in values if len(v) >= 2) * 2 >= len(values):
            return "", doc
    if depth == 0 and len(doc) <= 3:  # {"meta": {...}, "programmes": {"P1": {...}, ...}}
        for k, v in doc.items():
            found = keyed_records(v, 1) if isinstance(v, dict) else None
            if found is not None:
                return "/" + _pointer_token(str(k)), found[1]
    return None


def _keyed_batches(keyed: tuple[str, dict], info: FileInfo, batch_size: int) -> Iterator[RawBatch]:
    pointer, doc = keyed
    info.records_path = pointer or "/"
    items, locs = [], []
    for key, item in doc.items():
        rec = dict(item)
        if not any(str(k).lower() in ("id", "code", "@id") for k in rec):
            rec = {KEY_COLUMN: str(key), **rec}
        items.append(rec)
        locs.append(f"{pointer}/{_pointer_token(str(key))}")
    return _json_batches(items, lambda i: locs[i], info, batch_size)


class HugeNumber(str):
    """A JSON integer too long for any field (Python refuses to convert more than 4,300 digits):
    kept as its digits, and the record holding it is marked as an error."""


def _int(digits: str) -> int | HugeNumber:
    return int(digits) if len(digits.lstrip("-")) <= 4000 else HugeNumber(digits)


def _huge_number(obj: Any, path: str = "") -> tuple[str, int] | None:
    """(key path, digits) of the first HugeNumber inside obj."""
    if isinstance(obj, HugeNumber):
        return path or "/", len(obj.lstrip("-"))
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        found = _huge_number(v, f"{path}/{_pointer_token(str(k))}")
        if found:
            return found
    return None


def _huge_error(where: str, obj: Any) -> str | None:
    found = _huge_number(obj)
    if found is None:
        return None
    return (f"{where}: a number of {found[1]:,} digits at {found[0]} (no field holds such a number; "
            "a corrupt value)")


def _without_huge(rec: dict[str, str | None]) -> dict[str, str | None]:
    return {k: (None if isinstance(v, HugeNumber) else v) for k, v in rec.items()}


def _kind(v: Any) -> str:
    return {str: "a string", list: "an array", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(v), type(v).__name__)


def read_json(path: str | os.PathLike, info: FileInfo, enc: TextEncoding, batch_size: int,
              hint: str | None = None) -> Iterator[RawBatch]:
    name = display_name(path)
    text = read_text(path, enc)
    try:
        doc = json.loads(text, strict=False, parse_int=_int)
    except json.JSONDecodeError as e:
        extra = f" ({hint})" if hint else ""
        raise SourceFileError(
            f"{name}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}{extra}", path) from None
    except RecursionError:
        raise SourceFileError(f"{name}: the JSON is nested too deeply to read", path) from None
    del text
    if isinstance(doc, list):
        pointer, items = "", doc
    elif isinstance(doc, dict):
        keyed = keyed_records(doc)
        if keyed is not None:
            return _keyed_batches(keyed, info, batch_size)
        found = find_records(doc)
        if found is None:
            pointer, items = None, [doc]
        else:
            pointer, items = found
    else:
        raise SourceFileError(
            f"{name}: the JSON document is {_kind(doc)}, not an object or an array of objects", path)
    info.records_path = pointer if pointer is not None else "/"
    if pointer is None:
        locate = lambda i: "/"  # noqa: E731 - the whole document is the record
        return _json_batches(items, locate, info, batch_size)
    locs = [f"{pointer}/{i}" for i in range(len(items))]
    items, locs = with_parts(items, locs, info)
    return _json_batches(items, lambda i: locs[i], info, batch_size)


# keys under which a record lists the smaller records it is made of (a degree's courses, a
# programme's modules): those are records of their own too
PART_KEYS = frozenset({"courses", "course", "modules", "units", "components", "subjects", "parts", "haspart",
                       "learningopportunities", "learning_opportunities", "cursos", "unidades_curriculares",
                       "disciplinas", "kurse", "module", "cours", "corsi", "insegnamenti", "vakken",
                       "przedmioty", "asignaturas", "opintojaksot"})
PART_OF_COLUMN = "Part of"  # the header the parts get their parent's title under (stacks_into)


def _title_of(rec: dict) -> str | None:
    for key in ("title", "name", "titel", "nome", "nom", "nazwa", "designacao", "designação"):
        for k, v in rec.items():
            if str(k).lower() == key and isinstance(v, str) and v.strip():
                return v.strip()
    return None


def with_parts(items: list, locs: list[str], info: FileInfo) -> tuple[list, list[str]]:
    """The records followed by the parts they list under a PART_KEYS key (each a record-like
    object), every part given its parent's title under ``Part of``. A part listed by several
    parents (a course shared by two degrees, the same id) is one record naming them all."""
    parts: dict[str, dict] = {}  # part id (or its locator) -> the part with its parents
    part_locs: dict[str, str] = {}
    for item, loc in zip(items, locs):
        if not isinstance(item, dict):
            continue
        parent = _title_of(item)
        for k, v in item.items():
            if str(k).lower() not in PART_KEYS or not isinstance(v, list):
                continue
            for j, part in enumerate(v):
                if not (isinstance(part, dict) and _looks_like_record(part) and _title_of(part)):
                    continue
                pid = next((str(part[x]) for x in part if str(x).lower() in ("id", "@id", "code") and part[x]), None)
                key = f"id:{pid}" if pid is not None else f"{loc}/{_pointer_token(str(k))}/{j}"
                if key not in parts:
                    parts[key] = {**part, PART_OF_COLUMN: []}
                    part_locs[key] = f"{loc}/{_pointer_token(str(k))}/{j}"
                if parent and parent not in parts[key][PART_OF_COLUMN]:
                    parts[key][PART_OF_COLUMN].append(parent)
    if not parts:
        return items, locs
    shared = sum(1 for p in parts.values() if len(p[PART_OF_COLUMN]) > 1)
    info.warnings.append(
        f"{plural(len(parts), 'part')} listed inside the records (courses, modules) read as records of their own"
        + (f"; {plural(shared, 'part')} listed by several records, read once" if shared else ""))
    for p in parts.values():
        p[PART_OF_COLUMN] = p[PART_OF_COLUMN] or None
    return [*items, *parts.values()], [*locs, *part_locs.values()]


def _json_batches(items: list, locate, info: FileInfo, batch_size: int) -> Iterator[RawBatch]:
    n_bad = n_huge = 0
    bad: list[str] = []
    first = True
    for start in range(0, len(items), batch_size):
        recs, locs, errs, raws = [], [], [], []
        for i in range(start, min(start + batch_size, len(items))):
            item = items[i]
            loc = locate(i)
            huge = _huge_error(loc, item) if isinstance(item, dict) else None
            if huge is not None:  # the record keeps its id and title, so its quarantine names it
                recs.append(_without_huge(flatten(item)))
                errs.append(huge)
                raws.append(clip(json.dumps(item, ensure_ascii=False)))
                n_huge += 1
            elif isinstance(item, dict):
                recs.append(flatten(item))
                errs.append(None)
                raws.append(None)
            else:
                recs.append({})
                errs.append(f"{loc}: not a JSON object ({_kind(item)})")
                raws.append(clip(json.dumps(item, ensure_ascii=False)))
                n_bad += 1
                if len(bad) < 10:
                    bad.append(loc)
            locs.append(loc)
        frame = frame_from_dicts(recs, locs, errs, raws)
        if first:
            info.columns = [c for c in frame.columns if c not in _META]
            first = False
        yield RawBatch(frame)
    if n_huge:
        info.warnings.append(f"{plural(n_huge, 'record')} held a number too long for any field and "
                             f"{'was' if n_huge == 1 else 'were'} marked as errors")
    if n_bad:
        info.warnings.append(
            f"{plural(n_bad, 'item')} of the records array {'is' if n_bad == 1 else 'are'} not a JSON "
            f"object and {'was' if n_bad == 1 else 'were'} marked as errors: "
            + ", ".join(bad) + (f" and {n_bad - len(bad)} more" if n_bad > len(bad) else ""))


def read_jsonl(path: str | os.PathLike, info: FileInfo, enc: TextEncoding,
               batch_size: int) -> Iterator[RawBatch]:
    return _jsonl_batches(path, info, enc, batch_size)


def _jsonl_batches(path, info: FileInfo, enc: TextEncoding, batch_size: int) -> Iterator[RawBatch]:
    decoder = json.JSONDecoder(strict=False, parse_int=_int)
    n_bad = 0
    bad_rows: list[int] = []
    first = True
    recs, locs, errs, raws = [], [], [], []
    for lineno, line in enumerate(iter_lines(path, enc), start=1):
        text = line.strip().lstrip("\ufeff").strip()
        if not text:
            continue
        error, obj = None, None
        try:
            obj = decoder.decode(text)
        except json.JSONDecodeError as e:
            error = f"line {lineno}: invalid JSON: {e.msg} (column {e.colno})"
        except RecursionError:
            error = f"line {lineno}: invalid JSON: nested too deeply"
        else:
            if not isinstance(obj, dict):
                error = f"line {lineno}: not a JSON object ({_kind(obj)})"
            else:
                error = _huge_error(f"line {lineno}", obj)
        if error is None:
            recs.append(flatten(obj))
            errs.append(None)
            raws.append(None)
        elif isinstance(obj, dict) and _huge_number(obj):
            recs.append(_without_huge(flatten(obj)))
            errs.append(error)
            raws.append(clip(line.rstrip("\r\n")))
        else:
            recs.append({})
            errs.append(error)
            raws.append(clip(line.rstrip("\r\n")))
            n_bad += 1
            if len(bad_rows) < 1000:
                bad_rows.append(lineno)
        locs.append(f"line {lineno}")
        if len(recs) >= batch_size:
            frame = frame_from_dicts(recs, locs, errs, raws)
            if first:
                info.columns = [c for c in frame.columns if c not in _META]
                first = False
            yield RawBatch(frame)
            recs, locs, errs, raws = [], [], [], []
    if recs:
        frame = frame_from_dicts(recs, locs, errs, raws)
        if first:
            info.columns = [c for c in frame.columns if c not in _META]
        yield RawBatch(frame)
    if n_bad:
        info.warnings.append(
            f"{plural(n_bad, 'line')} {'is' if n_bad == 1 else 'are'} not a valid JSON object and "
            f"{'was' if n_bad == 1 else 'were'} marked as errors: "
            f"{summarise_rows(bad_rows, n_bad, label='lines')}")
