"""The stages of one delivery, shared by the command line and the Dagster assets.

    land -> parse -> harmonise -> validate -> publish

Each stage reads what the previous one left in the source's work folder
(``<home>/work/<source>/``) and replaces only its own output there, so re-running a stage is
idempotent. ``publish`` copies the delivery's report, validation results and quarantine into
``<home>/runs/<run-id>/``, where they are kept.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearinghouse import jsonio
from clearinghouse.config import ConfigError, check_country, check_source_key, max_file_bytes
from connectors import read_file
from connectors.base import SourceFileError, sha256_of
from transforms.harmonise import ERROR, LOCATOR, Context, harmonise as harmonise_frame
from transforms.mapping import apply_mapping, plan_mapping
from transforms.profile import Profile, ProfileError, load_profile

Progress = Callable[[str, int], None]  # (stage, records done so far)
RAW_TEXT = "__raw__"  # connectors: the source text of a record they could not read


class PipelineError(Exception):
    """A delivery that cannot be processed, said in one line for a person."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Manifest:
    run_id: str
    source: str
    original_path: str
    landed_path: str
    file_sha256: str
    format: str
    country: str | None
    mapping: str | None
    partial: bool
    landed_at: str
    file_info: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # source column -> candidate field
    constants: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # source_record_ids seen twice or more
    repeats: list[str] = field(default_factory=list)  # of those, the ones whose records are all the same
    counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)


def work_dir(home: Path, source: str) -> Path:
    return home / "work" / check_source_key(source)


@contextmanager
def source_lock(home: Path, source: str):
    """One delivery of a source at a time (its work folder is shared by the stages)."""
    lock_dir = home / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{check_source_key(source)}.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineError(f"source '{source}' is being processed by another run; try again when it "
                                "has finished") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_manifest(home: Path, source: str) -> Manifest:
    path = work_dir(home, source) / "manifest.json"
    if not path.exists():
        raise PipelineError(f"source '{source}' has no landed delivery (run the landing stage first)")
    return Manifest(**json.loads(path.read_text(encoding="utf-8")))


def write_manifest(home: Path, manifest: Manifest) -> None:
    path = work_dir(home, manifest.source) / "manifest.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def _profile(mapping: str | None) -> Profile | None:
    if not mapping:
        return None
    try:
        return load_profile(Path(mapping))
    except ProfileError as exc:
        raise PipelineError(str(exc)) from None


# ---------------------------------------------------------------- stages


def land(home: Path, source: str, path: Path, *, country: str | None = None, fmt: str = "auto",
         mapping: Path | None = None, partial: bool = False) -> Manifest:
    """Store the file immutably under landing/<source>/<sha256>.<ext> before anything else."""
    path = Path(path)
    check_source_key(source)
    country = check_country(country, "--country")
    if not path.exists():
        raise PipelineError(f"{path}: no such file")
    if path.is_dir():
        raise PipelineError(f"{path}: is a folder, not a file")
    if mapping is not None and not Path(mapping).exists():
        raise PipelineError(f"{mapping}: mapping profile not found")
    sha = sha256_of(path)
    ext = "".join(path.suffixes[-1:]).lower() or ".bin"
    dest = home / "landing" / source / f"{sha}{ext}"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(dest)
        dest.chmod(0o444)
    wd = work_dir(home, source)
    if wd.exists():
        shutil.rmtree(wd)
    wd.mkdir(parents=True)
    manifest = Manifest(
        run_id=f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", source=source,
        original_path=str(path.resolve()), landed_path=str(dest), file_sha256=sha, format=fmt,
        country=country.upper() if country else None,
        mapping=str(Path(mapping).resolve()) if mapping else None, partial=partial,
        landed_at=now_iso(),
    )
    write_manifest(home, manifest)
    return manifest


def _reset(dir_: Path) -> Path:
    if dir_.exists():
        shutil.rmtree(dir_)
    dir_.mkdir(parents=True)
    return dir_


def parse(home: Path, source: str, *, batch_size: int = 50_000, progress: Progress | None = None) -> Manifest:
    """Read the landed file into raw batches (the source's own columns, as strings)."""
    m = read_manifest(home, source)
    profile = _profile(m.mapping)
    fmt = m.format if m.format != "auto" else (profile.format if profile and profile.format else "auto")
    out = _reset(work_dir(home, source) / "parsed")
    started = datetime.now(UTC)
    try:
        info, batches = read_file(Path(m.landed_path), format=fmt, batch_size=batch_size,
                                  max_bytes=max_file_bytes(), **_read_options(profile))
        read = 0
        plan = None
        for n, batch in enumerate(batches):
            frame = batch.frame
            if plan is None:
                plan = plan_mapping([c for c in frame.columns if not c.startswith("__")], profile)
            table = pa.Table.from_pandas(frame.astype(object).where(frame.notna(), None),
                                         preserve_index=False)
            pq.write_table(table, out / f"part-{n:05d}.parquet")
            read += len(frame)
            if progress:
                progress("parse", read)
    except SourceFileError as exc:
        landed_name, original = Path(m.landed_path).name, Path(m.original_path).name
        raise PipelineError(str(exc).replace(m.landed_path, original).replace(landed_name, original)) from None
    m.file_info = {k: v for k, v in _info_dict(info).items() if k not in ("path",)}
    m.format = info.format
    m.warnings = list(getattr(info, "warnings", []) or [])
    if plan is not None:
        m.columns, m.constants, m.unmapped = dict(plan.targets), dict(plan.constants), list(plan.unmapped)
        if "title" not in plan.targets.values() and "title" not in plan.constants:
            m.warnings.append("no column was recognised as the title: every record will be quarantined; "
                              "give a mapping profile (--mapping) that names it")
    m.counts = {"read": read}
    m.stage_seconds["parse"] = (datetime.now(UTC) - started).total_seconds()
    write_manifest(home, m)
    return m


def _read_options(profile: Profile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    opts = {}
    for key in ("sheet", "delimiter", "encoding"):
        value = getattr(profile, key, None) or (getattr(profile, "options", {}) or {}).get(key)
        if value:
            opts[key] = value
    return opts


def _info_dict(info: Any) -> dict[str, Any]:
    raw = asdict(info) if hasattr(info, "__dataclass_fields__") else dict(vars(info))
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in raw.items()}


def _parts(dir_: Path, pattern: str) -> list[Path]:
    return sorted(dir_.glob(pattern)) if dir_.exists() else []


def harmonise(home: Path, source: str, *, progress: Progress | None = None) -> Manifest:
    """Map the source's columns to candidate fields and run every crosswalk. Per part it writes
    the records (one JSON line each), a side file of problems and raw values (same line order)
    and the scalar view the validation suite checks (Parquet)."""
    from expectations.validate import records_frame  # no GX import: that happens in validate

    m = read_manifest(home, source)
    profile = _profile(m.mapping)
    wd = work_dir(home, source)
    out = _reset(wd / "harmonised")
    started = datetime.now(UTC)
    from transforms.skills import configured_tagger

    try:
        tagger = configured_tagger()
    except (OSError, ValueError) as exc:
        raise PipelineError(f"ESCO skills: {exc}") from None
    ctx = Context(source=source, country=m.country or (profile.country if profile else None),
                  file_sha256=m.file_sha256, harvested_at=m.landed_at,
                  dayfirst=_dayfirst(profile), tagger=tagger)
    ids: Counter[str] = Counter()
    contents: dict[str, set[str]] = {}  # source_record_id -> the content hashes of its records
    done = 0
    for n, part in enumerate(_parts(wd / "parsed", "part-*.parquet")):
        raw = pq.read_table(part).to_pandas()
        raw = raw.astype(object).where(raw.notna(), None)
        plan = plan_mapping([c for c in raw.columns if not c.startswith("__")], profile)
        h = harmonise_frame(apply_mapping(raw, plan, profile), ctx)
        raw_cols = [c for c in raw.columns if not c.startswith("__") or c == RAW_TEXT]
        raw_rows = raw[raw_cols].rename(columns={RAW_TEXT: "_unreadable_text"}).to_dict(orient="records")
        stem = f"part-{n:05d}"
        with open(out / f"{stem}.records.jsonl", "wb") as rec_fh, open(out / f"{stem}.side.jsonl", "wb") as side_fh:
            for rec, probs, raw_row in zip(h.records, h.problems, raw_rows):
                if rec["title"]:  # an id made up for an unreadable, untitled row is nobody's duplicate
                    ids[rec["source_record_id"]] += 1
                    contents.setdefault(rec["source_record_id"], set()).add(rec["content_hash"])
                rec_fh.write(jsonio.dumpb(rec) + b"\n")
                side_fh.write(jsonio.dumpb({
                    "problems": [p.as_dict() for p in probs],
                    "raw": {k: v for k, v in raw_row.items() if v is not None},
                }) + b"\n")
        pq.write_table(pa.Table.from_pandas(records_frame(h.records), preserve_index=False),
                       out / f"{stem}.scalars.parquet")
        done += len(h.records)
        if progress:
            progress("harmonise", done)
    m.duplicates = sorted(k for k, c in ids.items() if c > 1)
    m.repeats = [k for k in m.duplicates if len(contents[k]) == 1]
    m.counts["harmonised"] = done
    m.stage_seconds["harmonise"] = (datetime.now(UTC) - started).total_seconds()
    write_manifest(home, m)
    return m


def _dayfirst(profile: Profile | None) -> bool | None:
    """The profile's date order; None (as the record's country writes dates) where it is silent."""
    if profile is None:
        return None
    opts = getattr(profile, "options", None) or {}
    value = opts.get("dayfirst", getattr(profile, "dayfirst", None))
    return None if value is None else bool(value)


def validate(home: Path, source: str, *, progress: Progress | None = None) -> Manifest:
    """Run the GX descriptor suite; split into accepted and quarantined, every reason kept.
    Accepted records are copied line for line (no re-serialisation)."""
    from expectations.validate import validate_frame  # GX import is slow: only here

    m = read_manifest(home, source)
    wd = work_dir(home, source)
    acc_dir, q_dir, v_dir = _reset(wd / "accepted"), _reset(wd / "quarantine"), _reset(wd / "validation")
    started = datetime.now(UTC)
    dup, same = set(m.duplicates), set(m.repeats)
    repeated: set[str] = set()  # derived ids already accepted once in this delivery
    accepted = quarantined = 0
    for scalars in _parts(wd / "harmonised", "part-*.scalars.parquet"):
        stem = scalars.name.removesuffix(".scalars.parquet")
        frame = pq.read_table(scalars).to_pandas()
        verdict = validate_frame(frame)
        (v_dir / f"{stem}.json").write_text(json.dumps(verdict.summary, indent=1), encoding="utf-8")
        srids = frame["source_record_id"].tolist()
        lines = zip(jsonio.read_lines(wd / "harmonised" / f"{stem}.records.jsonl"),
                    jsonio.read_lines(wd / "harmonised" / f"{stem}.side.jsonl"))
        with open(acc_dir / f"{stem}.jsonl", "wb") as acc, open(q_dir / f"{stem}.jsonl", "wb") as qua:
            for pos, (rec_line, side_line) in enumerate(lines):
                side = jsonio.loads(side_line)
                reasons = _merge_reasons(side["problems"], verdict.reasons.get(pos, []))
                if srids[pos] in dup:
                    reasons = _duplicate_reasons(reasons, srids[pos], jsonio.loads(rec_line), repeated,
                                                 srids[pos] in same)
                if not reasons:
                    acc.write(rec_line)
                    accepted += 1
                    continue
                rec = jsonio.loads(rec_line)
                qua.write(jsonio.dumpb({
                    "source": source,
                    "source_record_id": None if _derived_id(rec) else rec["source_record_id"],
                    "id": rec["id"], "locator": rec["provenance"]["locator"],
                    "raw": side["raw"], "reasons": reasons,
                }) + b"\n")
                quarantined += 1
        if progress:
            progress("validate", accepted + quarantined)
    if m.counts.get("read", 0) != accepted + quarantined:
        raise PipelineError(f"records lost: read {m.counts.get('read')} but accepted {accepted} + "
                            f"quarantined {quarantined}")
    m.counts.update(accepted=accepted, quarantined=quarantined)
    m.stage_seconds["validate"] = (datetime.now(UTC) - started).total_seconds()
    write_manifest(home, m)
    return m


def _duplicate_reasons(reasons: list[dict], srid: str, rec: dict[str, Any], repeated: set[str],
                       same_content: bool = False) -> list[dict]:
    """An identifier the source gave twice for different records quarantines every record that
    has it (which one is right cannot be told). Where the records are the same (the same
    harmonised content), or the identifier was derived for a source that gives none (shared only
    by rows equal in title, awarding body and every other distinguishing value), the first is
    accepted and the repeats are quarantined as repeats of it."""
    derived = rec["title"] and _derived_id(rec)
    keep_first = derived or (rec["title"] and same_content)
    if not keep_first and any(r["rule"] == "duplicate" for r in reasons):
        return reasons
    reasons = [r for r in reasons if r["rule"] != "duplicate"]  # the suite's uniqueness check
    if keep_first and srid not in repeated:
        if not reasons:
            repeated.add(srid)
        return reasons
    message = ("the same record as an earlier row of this delivery (same title, awarding body, URL, "
               "dates, credit, level, languages and mode; the source gives no identifier)" if derived else
               f"a repeat of an earlier record with identifier '{srid}' and the same content" if keep_first else
               f"identifier '{srid}' occurs more than once in this delivery")
    return [*reasons, {"field": "source_record_id", "rule": "duplicate", "message": message}]


def _derived_id(rec: dict[str, Any]) -> bool:
    return any(f.get("code") == "id-derived" for f in rec.get("quality_flags") or [])


def _merge_reasons(first: list[dict], second: list[dict]) -> list[dict]:
    out, seen = [], set()
    for r in [*first, *second]:
        key = (r["field"], r["rule"])
        if key not in seen:  # a crosswalk problem and the suite's rule on the same field: one reason
            seen.add(key)
            out.append(r)
    return out


def _chunks(paths: list[Path], size: int = 2000) -> Iterator[list[dict[str, Any]]]:
    buf: list[dict[str, Any]] = []
    for path in paths:
        for row in jsonio.read_jsonl(path):
            buf.append(row)
            if len(buf) >= size:
                yield buf
                buf = []
    if buf:
        yield buf


def publish(home: Path, source: str, catalog_url: str, *, progress: Progress | None = None) -> Manifest:
    """Upsert the accepted records and replace the source's quarantine, in one transaction."""
    from catalog import store

    m = read_manifest(home, source)
    wd = work_dir(home, source)
    if "accepted" not in m.counts:
        raise PipelineError(f"source '{source}' has not been validated yet")
    if m.counts["read"] != m.counts["accepted"] + m.counts["quarantined"]:
        raise PipelineError(f"source '{source}': read {m.counts['read']} is not accepted + quarantined; "
                            "not published")
    started = datetime.now(UTC)
    engine = store.connect(catalog_url)
    q_parts = _parts(wd / "quarantine", "part-*.jsonl")
    q_ids = [row["id"] for path in q_parts for row in jsonio.read_jsonl(path)]
    run = store.RunRecord(run_id=m.run_id, source=source, path=m.original_path,
                          file_sha256=m.file_sha256, started_at=m.landed_at,
                          counts={k: m.counts[k] for k in ("read", "accepted", "quarantined")})
    counts = store.publish(
        engine, source, _chunks(_parts(wd / "accepted", "part-*.jsonl")), _chunks(q_parts), run,
        now=now_iso(), full_delivery=not m.partial, quarantined_ids=q_ids, country=m.country,
    )
    m.counts.update(asdict(counts))
    m.stage_seconds["publish"] = (datetime.now(UTC) - started).total_seconds()
    write_manifest(home, m)
    _keep_run(home, wd, m)
    if progress:
        progress("publish", m.counts["accepted"])
    return m


def _keep_run(home: Path, wd: Path, m: Manifest) -> None:
    run_dir = home / "runs" / m.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wd / "manifest.json", run_dir / "report.json")
    with open(run_dir / "quarantine.jsonl", "w", encoding="utf-8") as out:
        for path in _parts(wd / "quarantine", "part-*.jsonl"):
            out.write(path.read_text(encoding="utf-8"))
    validation = [json.loads(p.read_text(encoding="utf-8")) for p in _parts(wd / "validation", "*.json")]
    (run_dir / "validation.json").write_text(json.dumps(validation, indent=1), encoding="utf-8")


def log_failure(home: Path, source: str, catalog_url: str, message: str, path: str | None = None) -> None:
    from catalog import store

    run_id, sha, started = f"failed-{uuid.uuid4().hex[:12]}", None, now_iso()
    try:
        m = read_manifest(home, source)
        if path is None or Path(path).resolve() == Path(m.original_path):  # this delivery's manifest
            run_id, sha, started = m.run_id, m.file_sha256, m.landed_at
    except (PipelineError, OSError, ValueError):
        pass
    store.log_failed_run(store.connect(catalog_url), store.RunRecord(
        run_id=run_id, source=source, path=path, file_sha256=sha, started_at=started,
        finished_at=now_iso(), status="failed", message=message))


def harvest_api(home: Path, source: str, url: str, **options: Any) -> tuple[Path, Any]:
    """Fetch a JSON web API source into <home>/harvest/<source>/latest.json (conditional requests:
    an unchanged catalogue costs one request). Returns (file, HarvestResult)."""
    from connectors.webapi import harvest

    folder = home / "harvest" / check_source_key(source)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "latest.json"
    try:
        result = harvest(url, out, state_path=folder / "state.json", **options)
    except SourceFileError as exc:
        raise PipelineError(str(exc)) from None
    except TypeError as exc:
        raise ConfigError(f"source {source}: api options: {exc}") from None
    return out, result


def ingest(home: Path, source: str, path: Path, catalog_url: str, *, country: str | None = None,
           fmt: str = "auto", mapping: Path | None = None, partial: bool = False,
           batch_size: int = 50_000, progress: Progress | None = None) -> Manifest:
    """All stages for one file: what `clearinghouse ingest` and the Dagster job both do."""
    check_source_key(source)
    with source_lock(home, source):
        try:
            land(home, source, path, country=country, fmt=fmt, mapping=mapping, partial=partial)
            parse(home, source, batch_size=batch_size, progress=progress)
            harmonise(home, source, progress=progress)
            validate(home, source, progress=progress)
            return publish(home, source, catalog_url, progress=progress)
        except (PipelineError, ConfigError) as exc:
            log_failure(home, source, catalog_url, str(exc), str(path))
            raise
        except Exception as exc:  # a defect or the environment (disk, database): logged all the same
            log_failure(home, source, catalog_url, f"internal error: {type(exc).__name__}: {exc}", str(path))
            raise
