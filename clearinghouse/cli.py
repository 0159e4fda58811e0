"""`clearinghouse`: ingest, run, search, show, stats, export, quarantine, runs.

Bad input gets one clear error line on stderr and a non-zero exit, never a traceback
(set CLEARINGHOUSE_DEBUG=1 to see one). Commands that do not validate never import
Great Expectations.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from clearinghouse import config

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Harmonise credential metadata into one searchable catalogue.")
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class InFmt(str, Enum):
    auto = "auto"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    jsonl = "jsonl"
    xcri = "xcri"
    openbadges = "openbadges"
    ctdl = "ctdl"
    elm = "elm"
    qdr = "qdr"


class ExportFmt(str, Enum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"
    elm_ttl = "elm-ttl"
    elm_jsonld = "elm-jsonld"
    ctdl_jsonld = "ctdl-jsonld"
    ob3 = "ob3"
    dcat = "dcat"


class Mode(str, Enum):
    online = "online"
    onsite = "onsite"
    blended = "blended"


class State:
    home: Path


state = State()
FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output: table, json or csv.")]
ExpandOpt = Annotated[bool, typer.Option(
    "--expand", help="JSON: also the catalogue's keys beyond the descriptor (cluster, stack_links).")]


@app.callback()
def _main(home: Annotated[Optional[Path], typer.Option(
        "--home", help="Home folder (default: $CLEARINGHOUSE_HOME, else ./.clearinghouse).")] = None):
    try:
        state.home = config.home_dir(home)
    except OSError as exc:
        fail(f"--home {home or ''}: cannot use it as the home folder ({exc.strerror or exc})")


def _catalog_url() -> str:
    from catalog.store import catalog_url
    return catalog_url(state.home)


def _engine():
    from catalog import store
    return store.connect(_catalog_url())


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def _progress(enabled: bool = True):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} records"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=not (enabled and err.is_terminal)) as prog:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int) -> None:
            if stage not in tasks:
                tasks[stage] = prog.add_task(stage, total=None)
            prog.update(tasks[stage], completed=done)
        yield report


# ---------------------------------------------------------------- output helpers

SUMMARY_KEYS = ("read", "accepted", "quarantined", "new", "changed", "unchanged", "withdrawn")


def _emit(rows: list[dict[str, Any]], fmt: Fmt, columns: list[str], title: str | None = None) -> None:
    if fmt is Fmt.json:
        out.out(json.dumps(rows, ensure_ascii=False, indent=2), highlight=False)
        return
    if fmt is Fmt.csv:
        from catalog.export import spreadsheet_cell
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([spreadsheet_cell(r.get(c)) for c in columns])
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold", no_wrap=c in _NO_WRAP)
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in columns])
    out.print(table)


_NO_WRAP = frozenset({"id", "source", "run_id", "locator", "source_record_id"})


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ", ".join(_cell(x) for x in v)
    if isinstance(v, dict):
        return v.get("name") or json.dumps(v, ensure_ascii=False)
    return str(v)


def _summary_row(m) -> dict[str, Any]:
    return {"source": m.source, **{k: m.counts.get(k, 0) for k in SUMMARY_KEYS}}


# ---------------------------------------------------------------- commands


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="The export to ingest.")],
    source: Annotated[str, typer.Option("--source", help="Key of the source (institution, feed).")],
    country: Annotated[Optional[str], typer.Option("--country", help="ISO 3166-1 alpha-2 of the source.")] = None,
    in_format: Annotated[InFmt, typer.Option("--format", help="Input format.")] = InFmt.auto,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Mapping profile (YAML).")] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Partial delivery: withdraw nothing.")] = False,
    output: Annotated[Fmt, typer.Option("--output", "-o", help="Summary as table, json or csv.")] = Fmt.table,
):
    """Land a file, run the pipeline for its source and print what happened."""
    from clearinghouse import pipeline

    _check_source_key(source)
    if country and not _known_country(country):
        fail(f"--country {country}: not an ISO 3166-1 alpha-2 code")
    with _progress() as report:
        m = pipeline.ingest(state.home, source, path, _catalog_url(), country=country,
                            fmt=in_format.value, mapping=mapping, partial=partial, progress=report)
    for w in m.warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    _emit([_summary_row(m)], output, ["source", *SUMMARY_KEYS])


def _check_source_key(key: str) -> None:
    try:
        config.check_source_key(key)
    except config.ConfigError as exc:
        fail(f"--source: {exc}")


def _known_language(code: str) -> bool:
    import pycountry
    return len(code) == 2 and pycountry.languages.get(alpha_2=code.lower()) is not None


def _known_country(code: str) -> bool:
    import pycountry
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


@app.command()
def harvest(
    url: Annotated[str, typer.Argument(help="A JSON web API listing the source's courses or credentials.")],
    source: Annotated[str, typer.Option("--source", help="Key of the source.")],
    country: Annotated[Optional[str], typer.Option("--country")] = None,
    pagination: Annotated[str, typer.Option("--pagination", help="auto, page, cursor or link.")] = "auto",
    records_key: Annotated[Optional[str], typer.Option("--records-key", help="Where the records are (a.b).")] = None,
    min_interval: Annotated[float, typer.Option("--min-interval", min=0, help="Seconds between requests.")] = 0.0,
    output: Annotated[Fmt, typer.Option("--output", "-o")] = Fmt.table,
):
    """Harvest a web API (pages, cursors or Link headers; retries; ETag / If-Modified-Since) and
    run the pipeline for the source; an unchanged catalogue costs one request and writes nothing."""
    from clearinghouse import pipeline

    _check_source_key(source)
    if pagination not in ("auto", "page", "cursor", "link"):
        fail(f"--pagination {pagination}: one of auto, page, cursor, link")
    if not url.startswith(("http://", "https://")):
        fail(f"{url}: give an http(s) address")
    with _progress() as report:
        rows = [_harvest_and_ingest(pipeline, source, url, country, report=report,
                                    options={"pagination": pagination, "records_key": records_key,
                                             "min_interval": min_interval})]
    _emit(rows, output, ["source", "harvest", "requests", *SUMMARY_KEYS])


def _harvest_and_ingest(pipeline, source: str, url: str, country: str | None, *, options: dict,
                        report=None) -> dict:
    out_file, result = pipeline.harvest_api(state.home, source, url, **options)
    row = {"source": source, "harvest": result.status, "requests": result.requests}
    if result.status == "unchanged":
        return row | {k: 0 for k in SUMMARY_KEYS}
    m = pipeline.ingest(state.home, source, out_file, _catalog_url(), country=country, fmt="json",
                        progress=report)
    return row | _summary_row(m)


@app.command()
def run(
    sources: Annotated[Optional[Path], typer.Option(
        "--sources", help="Sources registry (default: <home>/sources.yaml, else the shipped samples).")] = None,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Run just these source keys.")] = None,
    output: Annotated[Fmt, typer.Option("--output", "-o", help="Summary as table, json or csv.")] = Fmt.table,
):
    """Ingest every registered source; one failing source does not stop the others."""
    from clearinghouse import pipeline

    specs = config.load_sources(sources or config.sources_file(state.home))
    if only:
        unknown = sorted(set(only) - {s.key for s in specs})
        if unknown:
            fail(f"--only: no registered source {', '.join(unknown)}")
        specs = [s for s in specs if s.key in only]
    rows, failed = [], 0
    with _progress() as report:
        for spec in specs:
            try:
                if spec.url:
                    rows.append(_harvest_and_ingest(pipeline, spec.key, spec.url, spec.country,
                                                    options=spec.api, report=report))
                    continue
                m = pipeline.ingest(state.home, spec.key, spec.path, _catalog_url(), country=spec.country,
                                    fmt=spec.format, mapping=spec.mapping, partial=spec.partial,
                                    progress=report)
                rows.append(_summary_row(m))
                for w in m.warnings:
                    err.print(f"[yellow]warning:[/] {spec.key}: {w}", highlight=False)
            except Exception as exc:  # noqa: BLE001 - one source's failure never stops the others
                failed += 1
                message = str(exc) if isinstance(exc, (pipeline.PipelineError, config.ConfigError)) \
                    else f"internal error: {type(exc).__name__}: {exc}"
                err.print(f"[bold red]error:[/] {spec.key}: {message}", highlight=False)
                rows.append({"source": spec.key, "error": message})
    if output is Fmt.table:
        good = [r for r in rows if "error" not in r]
        total = {"source": "TOTAL", **{k: sum(r[k] for r in good) for k in SUMMARY_KEYS}}
        _emit(good + [total], output, ["source", *SUMMARY_KEYS], title="Delivery summary")
    else:
        _emit(rows, output, ["source", *SUMMARY_KEYS, "error"])
    if failed:
        raise typer.Exit(1)


@app.command()
def search(
    text: Annotated[Optional[str], typer.Argument(help="Words to find (title, description, outcomes, skills).")] = None,
    source: Annotated[Optional[str], typer.Option("--source")] = None,
    country: Annotated[Optional[str], typer.Option("--country")] = None,
    eqf: Annotated[Optional[int], typer.Option("--eqf", min=1, max=8)] = None,
    ects_min: Annotated[Optional[float], typer.Option("--ects-min", min=0)] = None,
    ects_max: Annotated[Optional[float], typer.Option("--ects-max", min=0)] = None,
    mode: Annotated[Optional[Mode], typer.Option("--mode")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="ISO 639-1 code.")] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="Credential type.")] = None,
    include_withdrawn: Annotated[bool, typer.Option("--include-withdrawn")] = False,
    part_of: Annotated[Optional[str], typer.Option(
        "--part-of", help="Only credentials that count towards this one (catalogue id or cluster id).")] = None,
    stackable: Annotated[bool, typer.Option("--stackable", help="Only credentials that count towards a larger one.")] = False,
    all_members: Annotated[bool, typer.Option(
        "--all-members", help="Every source's record, not one entry per credential.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 20,
    expand: ExpandOpt = False,
    fmt: FormatOpt = Fmt.table,
):
    """Search the catalogue: one entry per credential, with the sources that describe it. With
    --format json: descriptors with exactly the spec's keys (--expand adds "cluster": every
    source's record of that credential)."""
    from catalog.search import Query, search as run_search
    from clearinghouse.descriptor import CREDENTIAL_TYPES

    if language and not _known_language(language):
        fail(f"--language {language}: give an ISO 639-1 code such as de, en, fr")
    if type_ and type_ not in CREDENTIAL_TYPES:
        fail(f"--type {type_}: one of {', '.join(CREDENTIAL_TYPES)}")
    q = Query(text=text, source=source, country=country, eqf=eqf, ects_min=ects_min, ects_max=ects_max,
              mode=mode.value if mode else None, language=language, type=type_,
              include_withdrawn=include_withdrawn, limit=limit, part_of=part_of, stackable=stackable,
              all_members=all_members)
    records, total = run_search(_engine(), q)
    if fmt is Fmt.table:
        records = [{**r, "sources": [m["source"] for m in r["cluster"]["sources"]]} for r in records]
        _emit(records, fmt, ["id", "title", "sources", "country", "eqf_level", "ects", "participation_mode",
                             "languages"], title=f"{total} found" + (f", first {len(records)}" if total > len(records) else ""))
    else:
        from clearinghouse.descriptor import KEYS
        _emit(records if expand and fmt is Fmt.json else [{k: r[k] for k in KEYS} for r in records],
              fmt, list(KEYS))


@app.command()
def show(record_id: Annotated[str, typer.Argument(help="Catalogue id.")], expand: ExpandOpt = False,
         fmt: FormatOpt = Fmt.table):
    """One record, every field, then the sources of its credential and its stackability links.
    With --format json: the descriptor's keys only, unless --expand ("cluster", "stack_links")."""
    from catalog import store
    from catalog.clusters import with_catalogue_info

    rec = store.get(_engine(), record_id)
    if rec is None:
        fail(f"no record with id {record_id!r}")
    if fmt is Fmt.json:  # the descriptor's keys; expanded: then "cluster" and "stack_links"
        from clearinghouse.descriptor import descriptor_only
        shown = with_catalogue_info(_engine(), rec) if expand else descriptor_only(rec)
        out.out(json.dumps(shown, ensure_ascii=False, indent=2), highlight=False)
    elif fmt is Fmt.csv:
        from clearinghouse.descriptor import KEYS
        _emit([rec], fmt, list(KEYS))
    else:
        table = Table(show_header=False, title=rec["title"])
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for k, v in rec.items():
            if v not in (None, [], {}):
                table.add_row(k, json.dumps(v, ensure_ascii=False, indent=1) if isinstance(v, (dict, list))
                              and k in ("provenance", "quality_flags", "esco_skills") else _cell(v))
        out.print(table)
        _show_cluster_and_links(with_catalogue_info(_engine(), rec))


_RELATION_WORDS = {"isPartOf": "counts towards", "hasPart": "has part", "supersedes": "supersedes",
                   "supersededBy": "superseded by"}


def _show_cluster_and_links(info: dict[str, Any]) -> None:
    cluster = info.get("cluster") or {}
    _emit(cluster.get("sources") or [], Fmt.table, ["source", "id", "source_record_id", "status", "url"],
          title=f"Sources: {cluster.get('size', 0)} record(s) of this credential"
                + (f" (cluster {cluster['id']})" if cluster.get("id") else ""))
    links = [{**link, "relation": _RELATION_WORDS.get(link["relation"], link["relation"])}
             for link in info.get("stack_links") or []]
    if links:
        _emit(links, Fmt.table, ["relation", "id", "title", "target"], title="Stackability links")
    else:
        out.print("Stackability links: none", highlight=False)


@app.command()
def stats(fmt: FormatOpt = Fmt.table):
    """Counts per source, EQF levels, quarantine and runs."""
    from catalog import store

    s = store.stats(_engine())
    if fmt is Fmt.json:
        out.out(json.dumps(s, ensure_ascii=False, indent=2), highlight=False)
        return
    _emit(s["sources"], fmt, ["source", "active", "withdrawn", "quarantined", "avg_completeness"],
          title=f"{s['active']} active, {s['withdrawn']} withdrawn, {s['quarantined']} in quarantine, "
                f"{s['runs']} runs")
    if fmt is Fmt.table:
        _emit([{"eqf_level": k, "records": v} for k, v in s["by_eqf_level"].items()], fmt,
              ["eqf_level", "records"], title="Active records by EQF level")


@app.command()
def export(
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="File to write.")],
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f")] = ExportFmt.parquet,
    active_only: Annotated[bool, typer.Option("--active-only")] = False,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the catalogue is published (URIs, pages).")]
    = "https://clearinghouse.example/",
    compose: Annotated[bool, typer.Option(
        "--compose", help="CTDL/OB3: fill a missing description from the record's own facts and a missing "
                          "web page with the record's page in the catalogue.")] = False,
):
    """Write the whole catalogue as Parquet, CSV, JSON Lines or ELM (Turtle / JSON-LD, LOQ profile).
    ELM: a record that cannot conform to the LOQ shapes is reported, never written broken."""
    from catalog import store
    from catalog.export import WRITERS

    if out_path.parent and not out_path.parent.exists():
        fail(f"{out_path.parent}: no such folder")
    records = store.iter_records(_engine(), include_withdrawn=not active_only)
    tmp = out_path.with_name(out_path.name + ".part")  # a reader never sees a half-written export
    reports: list = []
    try:
        if fmt.value.startswith("elm-"):
            from catalog.elm_export import write_elm
            n = write_elm([r for r in records if r["status"] == "active"], tmp,
                          "turtle" if fmt.value == "elm-ttl" else "json-ld", reports=reports)
        elif fmt is ExportFmt.ctdl_jsonld:
            from catalog.ctdl_export import write_ctdl
            n = write_ctdl(records, tmp, reports=reports, compose_description=compose,
                           webpage_template=base_url.rstrip("/") + "/credentials/{id}" if compose else None)
        elif fmt is ExportFmt.ob3:
            from catalog.ob3_export import write_ob3
            n = write_ob3(records, tmp, reports=reports, compose_description=compose)
        elif fmt is ExportFmt.dcat:
            from datetime import UTC, datetime

            from catalog.dcat import write_dcat
            stats_ = store.stats(_engine())
            now = datetime.now(UTC).date().isoformat()
            root = base_url.rstrip("/") + "/exports/"
            n = write_dcat(stats_, tmp, base=base_url, title="Credential clearinghouse catalogue",
                           publisher="Credential clearinghouse", issued=now, modified=now,
                           distributions=[(f, root + f"catalogue.{ext}") for f, ext in (
                               ("parquet", "parquet"), ("csv", "csv"), ("jsonl", "jsonl"),
                               ("elm-ttl", "ttl"), ("ctdl-jsonld", "ctdl.json"), ("ob3", "ob3.json"))])
        else:
            n = WRITERS[fmt.value](records, tmp)
        tmp.replace(out_path)
    finally:
        tmp.unlink(missing_ok=True)
    for rep in reports:
        err.print(f"[yellow]not exported:[/] {rep.id} ({rep.source_record_id}): {'; '.join(rep.reasons)}",
                  highlight=False)
    what = f"a DCAT-AP description with {n} distributions" if fmt is ExportFmt.dcat else f"{n} records"
    err.print(f"wrote {what} to {out_path}" + (f"; {len(reports)} reported, not written" if reports else ""),
              highlight=False)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="ELM / QDR XML (loq), CTDL JSON-LD (ctdl) or OB 3.0 credentials (ob3).")],
    profile: Annotated[str, typer.Option("--profile", help="loq, ctdl or ob3 (ob3 reads the schema named by $CLEARINGHOUSE_OB3_SCHEMA).")] = "loq",
    fmt: FormatOpt = Fmt.table,
):
    """Check a document against an application profile; every problem per record, in plain words.
    Exit status 1 when it does not conform."""
    from catalog.profile_check import PROFILES, check
    from connectors.base import SourceFileError

    if profile not in PROFILES:
        fail(f"--profile {profile}: one of {', '.join(PROFILES)}")
    if not path.is_file():
        fail(f"{path}: no such file")
    try:
        result = check(path, profile)
    except SourceFileError as exc:
        fail(str(exc))
    if fmt is Fmt.json:
        out.out(json.dumps(result, ensure_ascii=False, indent=2), highlight=False)
    else:
        rows = [{"locator": r["locator"], "problems": "; ".join(r["problems"])} for r in result["records"]]
        _emit(rows, fmt, ["locator", "problems"],
              title=f"{result['file']}: {'conforms to' if result['conforms'] else 'does not conform to'} "
                    f"the {profile.upper()} profile ({len(rows)} nodes with problems)")
    if not result["conforms"]:
        raise typer.Exit(1)


@app.command()
def sparql(query: Annotated[str, typer.Argument(help="A SPARQL query over the catalogue as ELM RDF.")],
           fmt: FormatOpt = Fmt.table):
    """SPARQL over the catalogue as RDF (ELM, plus catalogue facts in the ch: namespace)."""
    from catalog import store
    from catalog.rdf import records_to_graph, sparql as run_sparql

    graph = records_to_graph(store.iter_records(_engine()))
    try:
        rows = run_sparql(graph, query)
    except ValueError as exc:
        fail(str(exc))
    columns = sorted({k for r in rows for k in r}) or ["result"]
    _emit(rows, fmt, columns, title=f"{len(rows)} rows")


@app.command()
def quarantine(source: Annotated[Optional[str], typer.Option("--source")] = None, fmt: FormatOpt = Fmt.table):
    """Records held back from the latest delivery of each source, with every reason."""
    from catalog import store

    engine = _engine()
    if source and source not in {s["source"] for s in store.stats(engine)["sources"]}:
        fail(f"--source {source}: no such source in the catalogue")
    entries = store.quarantine_entries(engine, source)
    if fmt is Fmt.table:
        rows = [{**e, "reasons": "; ".join(f"{r['field']}: {r['message']}" for r in e["reasons"])}
                for e in entries]
        _emit(rows, fmt, ["source", "source_record_id", "locator", "reasons"],
              title=f"{len(entries)} in quarantine")
    else:
        _emit(entries, fmt, ["source", "source_record_id", "locator", "raw", "reasons"])


@app.command()
def runs(limit: Annotated[int, typer.Option("--limit", min=1)] = 20, fmt: FormatOpt = Fmt.table):
    """The run log: what ran, when, with what counts."""
    from catalog import store

    rows = store.run_log(_engine(), limit)
    if fmt is Fmt.table:
        rows = [{**r, **{k: r["counts"].get(k) for k in SUMMARY_KEYS}} for r in rows]
        _emit(rows, fmt, ["run_id", "source", "status", *SUMMARY_KEYS, "message"])
    else:
        _emit(rows, fmt, ["run_id", "source", "path", "file_sha256", "started_at", "finished_at",
                          "status", "counts", "message"])


def _usage_message(exc: Exception) -> str:
    """click's usage errors, said in one line with the option they are about."""
    message = exc.format_message().replace("Value error, ", "")
    param = getattr(exc, "param", None)
    name = getattr(param, "opts", None) or ([param.name] if getattr(param, "name", None) else [])
    if name and name[0] not in message:
        message = f"{name[0]}: {message}"
    return " ".join(message.split())


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                         help="Worker processes (each holds its own search index).")] = 1,
):
    """The web catalogue and the HTTP API (OpenAPI at /docs) on 127.0.0.1."""
    import uvicorn

    err.print(f"serving the catalogue at http://{host}:{port}/ (API docs: /docs)", highlight=False)
    if workers > 1:  # uvicorn starts each worker from the import string, with the same home folder
        os.environ[config.HOME_ENV] = str(state.home)
        from catalog.store import CATALOG_URL_ENV
        os.environ.setdefault(CATALOG_URL_ENV, _catalog_url())
        uvicorn.run("catalog.asgi:app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    from catalog.api import create_app

    uvicorn.run(create_app(_catalog_url(), state.home), host=host, port=port, log_level="warning")


tokens_app = typer.Typer(help="API tokens: institutions upload and read for their own source.",
                         no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    source: Annotated[Optional[str], typer.Option("--source", help="The institution's source key.")] = None,
    operator: Annotated[bool, typer.Option("--operator", help="An operator token (sees everything).")] = False,
):
    """Create a token; it is printed once, alone on the last line, and stored hashed."""
    from catalog import tokens

    if operator == bool(source):
        fail("give either --source KEY or --operator")
    if source:
        _check_source_key(source)
    token_id, token = tokens.create(_engine(), source=source, operator=operator)
    err.print(f"token {token_id} for {'operators' if operator else 'source ' + source} "
              "(keep it: it is not shown again)", highlight=False)
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(help="The token id printed at creation.")]):
    """Revoke a token."""
    from catalog import tokens

    if not tokens.revoke(_engine(), token_id):
        fail(f"no active token {token_id!r}")
    err.print(f"token {token_id} revoked", highlight=False)


skills_app = typer.Typer(help="ESCO skills: evaluate the tagger.", no_args_is_help=True)
app.add_typer(skills_app, name="skills")


@skills_app.command("evaluate")
def skills_evaluate(
    esco: Annotated[Optional[Path], typer.Option("--esco", help="ESCO download (default: $CLEARINGHOUSE_ESCO).")] = None,
    n: Annotated[int, typer.Option("--n", min=10, max=100_000, help="Labelled items per set.")] = 500,
    source_links: Annotated[Optional[list[Path]], typer.Option(
        "--source-links", help="ELM JSON-LD files whose outcomes name ESCO skills: one more labelled set.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Precision, recall and F1 of the lexical tagger on labelled sets built from ESCO itself (and,
    with --source-links, from the skills publishers link their outcomes to)."""
    from transforms.skills import ESCO_ENV, LexicalTagger, load_skillset
    from transforms.skills_eval import (evaluate, labelled_set_from_alt_labels, labelled_set_from_descriptions,
                                        labelled_set_from_source_links)

    path = esco or os.environ.get(ESCO_ENV)
    if not path:
        fail(f"give --esco PATH or set {ESCO_ENV} to an ESCO download")
    try:
        skillset = load_skillset(path)
    except (OSError, ValueError) as exc:
        fail(f"--esco {path}: {exc}")
    tagger = LexicalTagger(skillset)
    rows = []
    sets = [("alt labels", labelled_set_from_alt_labels(skillset, n=n)),
            ("descriptions without labels", labelled_set_from_descriptions(skillset, n=n))]
    if source_links:
        missing = [str(p) for p in source_links if not p.is_file()]
        if missing:
            fail(f"--source-links: no such file: {missing[0]}")
        pairs = labelled_set_from_source_links(source_links)
        if not pairs:
            fail("--source-links: no learning outcome with relatedESCOSkill in those files")
        sets.append((f"source links ({len(source_links)} files)", pairs))
    for name, labelled in sets:
        res = evaluate(tagger, labelled)
        rows.append({"set": name, **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in res.items()}})
    _emit(rows, fmt, ["set", "n", "precision", "recall", "f1"], title=f"lexical tagger, {len(skillset)} skills")


def main() -> None:
    """Entry point: known errors as one line, anything else as one line too (exit 2)."""
    from catalog.schema import SchemaError
    from clearinghouse.pipeline import PipelineError

    try:
        rv = app(standalone_mode=False)  # click returns the code of a typer.Exit here
        sys.exit(rv if isinstance(rv, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (PipelineError, config.ConfigError, SchemaError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # a usage error (click)
            err.print(f"[bold red]error:[/] {_usage_message(exc)}", highlight=False)
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(1)
        if os.environ.get("CLEARINGHOUSE_DEBUG"):
            raise
        err.print(f"[bold red]error:[/] internal error: {type(exc).__name__}: {exc} "
                  "(set CLEARINGHOUSE_DEBUG=1 for details)", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
