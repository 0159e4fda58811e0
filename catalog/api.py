"""The HTTP API (FastAPI; OpenAPI at /docs): search with facets and cursor pagination, one
credential, sources, stats and, for operators, the quarantine."""

import base64
import binascii
from typing import Annotated, Any, Literal

from pathlib import Path as FilePath

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Path, Query as Q, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from catalog import store, tokens, uploads, web
from catalog.clusters import with_catalogue_info
from catalog.facets import facets as facet_counts
from catalog.search import SORTS, Query, search
from clearinghouse import config, jsonio
from clearinghouse.descriptor import CREDENTIAL_TYPES, KEYS, PARTICIPATION_MODES, descriptor_only

MAX_PAGE = 200


class Problem(BaseModel):
    detail: str | list[Any] = Field(description="what was wrong, in plain words")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an operation (all share the Problem body)."""
    words = {400: "bad request", 401: "no token or an invalid one", 403: "not allowed for this token",
             404: "not found", 406: "not available in the requested representation",
             413: "upload too large", 429: "too many requests"}
    return {code: {"model": Problem, "description": words[code]} for code in codes}


class Page(BaseModel):
    total: int = Field(description="records matching the query")
    items: list[dict[str, Any]] = Field(description="credential descriptors with exactly the spec's keys; with "
                                                    "?expand=true each then has `cluster`: every source's "
                                                    "record of that credential")
    facets: dict[str, dict[str, int]] | None = None
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")


def _invalid(field: str, message: str) -> HTTPException:
    """A 422 in the same shape as FastAPI's own validation errors (the documented one)."""
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


def _encode_cursor(offset: int, q: Query) -> str:
    """Opaque: the offset and the query it belongs to (a cursor from another query is refused)."""
    key = [offset, *_key_of(q)]
    return base64.urlsafe_b64encode(jsonio.dumpb(key)).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, q: Query) -> int:
    try:
        raw = jsonio.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, *rest = raw
        if rest != jsonio.loads(jsonio.dumpb(_key_of(q))) or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise HTTPException(400, "cursor does not belong to this query (start again without it)") from None
    return offset


def _key_of(q: Query) -> list[Any]:
    return [q.text, q.source, q.country, q.eqf, q.ects_min, q.ects_max, q.mode, q.language, q.type,
            q.isced_f, q.sort, q.descending, q.part_of, q.stackable, q.all_members]


def _negotiate(accept: str | None) -> str:
    """json, json-ld or turtle from an Accept header (first match in the order given)."""
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in ("application/ld+json",):
            return "json-ld"
        if media in ("text/turtle", "application/x-turtle"):
            return "turtle"
        if media in ("application/json", "*/*", "application/*"):
            return "json"
    return "json"


def create_app(catalog_url: str, home: FilePath | None = None, *, upload_rate: int = 10) -> FastAPI:
    app = FastAPI(title="Credential clearinghouse", version="0.1.0",
                  description="Search the harmonised credential catalogue; institutions upload their exports.")
    engine = store.connect(catalog_url)
    home = FilePath(home) if home else config.home_dir()
    rate = uploads.RateLimit(limit=upload_rate)

    def principal(authorization: Annotated[str | None, Header()] = None) -> tokens.Principal | None:
        if authorization is None:
            return None
        scheme, _, token = authorization.partition(" ")
        found = tokens.resolve(engine, token.strip()) if scheme.lower() == "bearer" and token else None
        if found is None:
            raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
        return found

    def operator(who: Annotated[tokens.Principal | None, Depends(principal)]) -> tokens.Principal:
        if who is None:
            raise HTTPException(401, "a token is required", headers={"WWW-Authenticate": "Bearer"})
        if not who.operator:
            raise HTTPException(403, "operators only")
        return who

    @app.get("/api/credentials", response_model=Page, summary="Search credentials", responses=_errors(400))
    def list_credentials(
        q: Annotated[str | None, Q(max_length=500, description="full text")] = None,
        source: Annotated[str | None, Q(max_length=120)] = None,
        country: Annotated[str | None, Q(pattern="^[A-Za-z]{2}$")] = None,
        eqf: Annotated[int | None, Q(ge=1, le=8)] = None,
        ects_min: Annotated[float | None, Q(ge=0, le=10_000)] = None,
        ects_max: Annotated[float | None, Q(ge=0, le=10_000)] = None,
        mode: Annotated[Literal[PARTICIPATION_MODES] | None, Q()] = None,  # type: ignore[valid-type]
        language: Annotated[str | None, Q(pattern="^[A-Za-z]{2}$")] = None,
        type: Annotated[Literal[CREDENTIAL_TYPES] | None, Q()] = None,  # type: ignore[valid-type]
        isced_f: Annotated[str | None, Q(pattern="^[0-9]{2,4}$")] = None,
        sort: Annotated[Literal[SORTS], Q()] = "relevance",  # type: ignore[valid-type]
        desc: bool = False,
        include_withdrawn: bool = False,
        part_of: Annotated[str | None, Q(max_length=200, description="only credentials counting towards "
                                                                     "this one (catalogue or cluster id)")] = None,
        stackable: Annotated[bool, Q(description="only credentials counting towards a larger one")] = False,
        all_members: Annotated[bool, Q(description="every source's record, not one per credential")] = False,
        limit: Annotated[int, Q(ge=1, le=MAX_PAGE)] = 20,
        cursor: Annotated[str | None, Q(max_length=2000)] = None,
        with_facets: Annotated[bool, Q(alias="facets")] = True,
        expand: Annotated[bool, Q(description="add `cluster` to each item (beyond the descriptor's keys)")] = False,
    ) -> Response:
        query = Query(text=q, source=source, country=country, eqf=eqf, ects_min=ects_min,
                      ects_max=ects_max, mode=mode, language=language, type=type, isced_f=isced_f,
                      include_withdrawn=include_withdrawn, limit=limit, sort=sort, descending=desc,
                      part_of=part_of, stackable=stackable, all_members=all_members)
        query.offset = _decode_cursor(cursor, query) if cursor else 0
        items, total = search(engine, query)
        nxt = query.offset + len(items)
        if not expand:
            items = [{k: r[k] for k in KEYS} for r in items]
        page = {"total": total, "items": items,
                "facets": facet_counts(engine, query) if with_facets and not cursor else None,
                "next_cursor": _encode_cursor(nxt, query) if nxt < total else None}
        # already the documented shape: serialised once with orjson, not validated again by pydantic
        return Response(jsonio.dumpb(page), media_type="application/json")

    @app.get("/api/credentials/{record_id}", summary="One credential",
             description="JSON (the descriptor); ELM as JSON-LD or Turtle by the Accept header.",
             responses={200: {"content": {"application/json": {}, "application/ld+json": {},
                                          "text/turtle": {}}}, **_errors(404, 406)})
    def get_credential(record_id: Annotated[str, Path(max_length=200)],
                       accept: Annotated[str | None, Header()] = None,
                       expand: Annotated[bool, Q(description="JSON: add `cluster` and `stack_links`")] = False,
                       ) -> Response:
        rec = store.get(engine, record_id)
        if rec is None:
            raise HTTPException(404, f"no credential with id {record_id!r}")
        wanted = _negotiate(accept)
        if wanted == "json":  # the descriptor's keys; expanded: then "cluster" and "stack_links"
            return JSONResponse(with_catalogue_info(engine, rec) if expand else descriptor_only(rec))
        from catalog.elm_export import serialize, to_elm_graph

        graph, reports = to_elm_graph([rec])
        if reports:
            raise HTTPException(406, "this credential cannot be given as ELM: " + "; ".join(reports[0].reasons))
        media = "text/turtle" if wanted == "turtle" else "application/ld+json"
        return Response(serialize(graph, wanted), media_type=media)

    @app.get("/api/sources", summary="Sources and their counts")
    def list_sources() -> list[dict[str, Any]]:
        return store.stats(engine)["sources"]

    @app.get("/api/stats", summary="Catalogue counts")
    def get_stats() -> dict[str, Any]:
        return store.stats(engine)

    def someone(who: Annotated[tokens.Principal | None, Depends(principal)]) -> tokens.Principal:
        if who is None:
            raise HTTPException(401, "a token is required", headers={"WWW-Authenticate": "Bearer"})
        return who

    @app.post("/api/uploads", status_code=202, summary="Upload an export for a source",
              description="Multipart fields `file` and `source`. An institution's token uploads for its "
                          "own source only. The file is stored under its sha256 first; the answer holds "
                          "the upload id and an immediate report; the pipeline then runs for the source.",
              responses=_errors(400, 401, 403, 413, 429))
    def post_upload(who: Annotated[tokens.Principal, Depends(someone)],
                    file: Annotated[UploadFile, File()],
                    source: Annotated[str, Form(max_length=120)]) -> dict[str, Any]:
        try:
            config.check_source_key(source)
        except config.ConfigError as exc:
            raise _invalid("source", str(exc)) from None
        if not who.may_read_source(source):
            raise HTTPException(403, f"this token may not upload for source {source!r}")
        if not rate.allow(who.token_id):
            raise HTTPException(429, "too many uploads; wait a minute", headers={"Retry-After": "60"})
        try:
            path, sha, size = uploads.store_file(home, source, file.file, uploads.max_upload_bytes())
        except uploads.UploadTooLarge as exc:
            raise HTTPException(413, str(exc)) from None
        if size == 0:
            raise _invalid("file", "the file is empty")
        report = uploads.quick_report(path)
        upload_id = uploads.new_upload_id()
        uploads.record(engine, upload_id=upload_id, source=source, token_id=who.token_id, file_sha256=sha,
                       filename=(file.filename or "")[:500], size=size, received_at=uploads._now(),
                       status="received" if report["readable"] else "failed", report=jsonio.dumps(report))
        if report["readable"]:
            uploads.start(home, engine, catalog_url, upload_id, source, path)
        return {"upload_id": upload_id, "source": source, "sha256": sha, "size": size,
                "status": "received" if report["readable"] else "failed", "report": report}

    @app.get("/api/uploads/{upload_id}", summary="An upload's status and full per-row report",
             responses=_errors(401, 404))
    def get_upload(upload_id: Annotated[str, Path(max_length=60)],
                   who: Annotated[tokens.Principal, Depends(someone)]) -> dict[str, Any]:
        found = uploads.get(engine, upload_id)
        if found is None or not who.may_read_source(found["source"]):
            raise HTTPException(404, f"no upload {upload_id!r} for this token")
        return {k: v for k, v in found.items() if k != "token_id"}

    @app.get("/api/quarantine", summary="Quarantined records (operators only)", responses=_errors(401, 403))
    def get_quarantine(_: Annotated[tokens.Principal, Depends(operator)],
                       source: Annotated[str | None, Q(max_length=120)] = None) -> list[dict[str, Any]]:
        return store.quarantine_entries(engine, source)

    app.include_router(web.router(engine))  # the HTML catalogue: /, /credentials/{id}, /institutions
    app.mount("/static", web.static_files(), name="static")
    return app
