"""The web catalogue: server-rendered HTML pages (Jinja2 templates in catalog/templates, autoescaped,
no JavaScript) over the same search, facets and store the JSON API uses.

Pages: ``/`` search with facet filters, ``/credentials/{id}`` one credential with its Annex I
elements, ``/institutions`` and ``/institutions/{source}`` the quality scorecards."""

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from catalog import scorecard, store
from catalog.facets import ECTS_RANGES
from catalog.facets import facets as facet_counts
from catalog.search import SORTS, Query, search
from clearinghouse.descriptor import (ANNEX_I_ELEMENTS, CREDENTIAL_TYPES, KEYS, PARTICIPATION_MODES,
                                      annex_i_present)

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 20
MAX_PAGE = 500
MAX_LINKED = 30  # stacks_into items looked up for their titles
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}:[0-9a-f]{16}$")  # descriptor.record_id
ISCED_BROAD = {
    "00": "Generic programmes and qualifications", "01": "Education", "02": "Arts and humanities",
    "03": "Social sciences, journalism and information", "04": "Business, administration and law",
    "05": "Natural sciences, mathematics and statistics",
    "06": "Information and communication technologies",
    "07": "Engineering, manufacturing and construction",
    "08": "Agriculture, forestry, fisheries and veterinary", "09": "Health and welfare", "10": "Services",
}
SORT_LABELS = {"relevance": "Best match", "title": "Title", "ects": "ECTS", "eqf_level": "EQF level",
               "last_changed": "Last changed"}
# facet key in catalog.facets -> (query parameter, heading)
FACETS = (("eqf_level", "eqf", "EQF level"), ("ects", "ects", "Workload (ECTS)"),
          ("credential_type", "type", "Type"), ("participation_mode", "mode", "Participation"),
          ("country", "country", "Country"), ("languages", "language", "Language"),
          ("isced_f", "isced_f", "Field of study (ISCED-F)"))
FILTER_LABELS = {param: heading for _, param, heading in FACETS} | {"source": "Source"}
ECTS_LABELS = {(f"{lo:g}-{hi:g}" if hi is not None else f"{lo:g}+"): (lo, hi) for lo, hi in ECTS_RANGES}


# ------------------------------------------------------------------ labels and filters for templates

def country_name(code: str | None) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code) if code and len(code) == 2 else None
    return found.name if found else (code or "")


def language_name(code: str | None) -> str:
    import pycountry

    found = pycountry.languages.get(alpha_2=code) if code and len(code) == 2 else None
    return found.name if found else (code or "")


def isced_name(code: str) -> str:
    broad = ISCED_BROAD.get(code[:2])
    return f"{code} {broad}" if broad and len(code) == 2 else f"{code} ({broad})" if broad else code


def ects_name(label: str) -> str:
    lo, hi = ECTS_LABELS.get(label, (None, None))
    if lo is None:
        return label
    return f"{lo:g} or more" if hi is None else f"{lo:g} to under {hi:g}"


def sentence(value: Any) -> str:
    """First letter upper case, the rest as written (Jinja's capitalize lowers "ECTS")."""
    text = str(value)
    return text[:1].upper() + text[1:]


def type_label(value: str | None) -> str:
    return sentence(value if value == "micro-credential" else str(value or "credential").replace("-", " "))


def facet_label(param: str, value: str) -> str:
    return {"eqf": lambda v: f"Level {v}", "country": country_name, "language": language_name,
            "mode": str.capitalize, "type": type_label,
            "isced_f": isced_name, "ects": ects_name}.get(param, str)(value)


def safe_url(value: Any) -> str | None:
    """An http(s) URL from a record, or None: a source's javascript: or data: URL is never a link."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def pct(value: Any) -> str:
    return f"{round(float(value) * 100)}%" if isinstance(value, (int, float)) else "n/a"


def number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else ""


def is_record_id(value: Any) -> bool:
    return isinstance(value, str) and bool(RECORD_ID.match(value))


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.ChainableUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(country_name=country_name, language_name=language_name, pct=pct,
                       number=number, safe_url=safe_url, isced_name=isced_name, sentence=sentence,
                       type_label=type_label,
                       urlpart=lambda value: quote(str(value), safe=":"))
    env.tests["record_id"] = is_record_id
    env.globals.update(annex_i=ANNEX_I_ELEMENTS)
    return Jinja2Templates(env=env, context_processors=[
        lambda request: {"root": request.scope.get("root_path", "")}])


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


# ------------------------------------------------------------------ search parameters

def _read_filters(params: Any) -> tuple[dict[str, str], list[str]]:
    """The page's filters from the query string: valid ones kept, each invalid one named."""
    checks = {
        "q": lambda v: len(v) <= 500,
        "country": lambda v: re.fullmatch(r"[A-Za-z]{2}", v) is not None,
        "eqf": lambda v: v in {str(n) for n in range(1, 9)},
        "mode": lambda v: v in PARTICIPATION_MODES,
        "type": lambda v: v in CREDENTIAL_TYPES,
        "language": lambda v: re.fullmatch(r"[A-Za-z]{2}", v) is not None,
        "isced_f": lambda v: re.fullmatch(r"[0-9]{2,4}", v) is not None,
        "ects": lambda v: v in ECTS_LABELS,
        "source": lambda v: len(v) <= 120,
        "sort": lambda v: v in SORTS,
        "page": lambda v: v.isdigit() and 1 <= int(v) <= MAX_PAGE,
    }
    chosen: dict[str, str] = {}
    errors: list[str] = []
    for name, ok in checks.items():
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if ok(value):
            chosen[name] = value.upper() if name == "country" else value.lower() if name == "language" else value
        else:
            shown = value if len(value) <= 40 else value[:40] + "..."
            errors.append(f"{FILTER_LABELS.get(name, name)}: {shown!r} is not a valid value")
    return chosen, errors


def _query(chosen: dict[str, str]) -> Query:
    ects_min = ects_max = None
    if "ects" in chosen:
        ects_min, hi = ECTS_LABELS[chosen["ects"]]
        # the facet's range is [lo, hi); Query's ects_max is inclusive: the float just below hi
        ects_max = math.nextafter(hi, -math.inf) if hi is not None else None
    page = int(chosen.get("page", "1"))
    return Query(text=chosen.get("q"), source=chosen.get("source"), country=chosen.get("country"),
                 eqf=int(chosen["eqf"]) if "eqf" in chosen else None, ects_min=ects_min, ects_max=ects_max,
                 mode=chosen.get("mode"), language=chosen.get("language"), type=chosen.get("type"),
                 isced_f=chosen.get("isced_f"), sort=chosen.get("sort", "relevance"),
                 limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)


def _href(root: str, chosen: dict[str, str], **changes: str | None) -> str:
    params = {k: v for k, v in chosen.items() if k != "page"}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"{root}/" + (f"?{urlencode(params)}" if params else "")


def _facet_groups(root: str, chosen: dict[str, str], counts: dict[str, dict[str, int]]) -> list[dict]:
    groups = []
    for key, param, heading in FACETS:
        values = dict(counts.get(key) or {})
        if key == "eqf_level":
            values = dict(sorted(values.items(), key=lambda kv: int(kv[0])))
        selected = chosen.get(param)
        if selected is not None and selected not in values:
            values[selected] = 0
        items = [{"value": value, "label": facet_label(param, value), "count": n,
                  "selected": value == selected,
                  "href": _href(root, chosen, **{param: None if value == selected else value})}
                 for value, n in values.items() if n or value == selected]
        if items:
            groups.append({"param": param, "heading": heading, "items": items})
    return groups


# ------------------------------------------------------------------ what the catalogue adds to a record

RELATIONS = {"isPartOf": "Counts towards", "hasPart": "Made up of", "supersedes": "Replaces",
             "supersededBy": "Replaced by"}


def _catalogue_info(engine: Engine, rec: dict[str, Any]) -> dict[str, Any]:
    """The record with what the catalogue knows beside it (its cluster, its stackability links),
    where the catalogue keeps them (catalog.clusters); else the record as it is."""
    try:
        from catalog import clusters
    except ImportError:
        return rec
    info = getattr(clusters, "with_catalogue_info", None)
    return info(engine, rec) if info else rec


def _cluster_members(rec: dict[str, Any], extras: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The other sources' records of the same credential, when ``cluster`` has the expected shape
    (then it leaves ``extras``); None otherwise."""
    cluster = extras.get("cluster")
    members = cluster.get("sources") if isinstance(cluster, dict) else None
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        return None
    del extras["cluster"]
    return [m for m in members if m.get("id") != rec["id"]]


def _links(extras: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``stack_links`` grouped by relation (taken out of ``extras``), when they have the expected shape."""
    links = extras.get("stack_links")
    if not isinstance(links, list) or not all(isinstance(x, dict) and x.get("relation") for x in links):
        return None
    del extras["stack_links"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        groups.setdefault(RELATIONS.get(link["relation"], str(link["relation"])), []).append(link)
    return [{"label": label, "items": items} for label, items in groups.items()]


# ------------------------------------------------------------------ the pages

def router(engine: Engine) -> APIRouter:
    web = APIRouter(include_in_schema=False)
    templates = _templates()

    def page(request: Request, name: str, status: int = 200, **context: Any):
        return templates.TemplateResponse(request, name, context, status_code=status)

    def not_found(request: Request, what: str):
        return page(request, "not_found.html", 404, what=what)

    @web.get("/", name="web_search")
    def search_page(request: Request):
        root = request.scope.get("root_path", "")
        chosen, errors = _read_filters(request.query_params)
        context: dict[str, Any] = {"chosen": chosen, "errors": errors, "sorts": SORT_LABELS,
                                   "hidden": {k: v for k, v in chosen.items() if k not in ("q", "sort", "page")}}
        if errors:
            return page(request, "search.html", 400, items=[], total=0, facets=[], active=[], pages={},
                        **context)
        query = _query(chosen)
        items, total = search(engine, query)
        current = int(chosen.get("page", "1"))
        last = max(1, math.ceil(total / PAGE_SIZE))
        pages = {"current": current, "last": last, "first": query.offset + 1,
                 "prev": _href(root, chosen, page=str(current - 1)) if current > 1 else None,
                 "next": _href(root, chosen, page=str(current + 1)) if current < min(last, MAX_PAGE) else None}
        active = [{"label": FILTER_LABELS[k], "value": facet_label(k, v), "href": _href(root, chosen, **{k: None})}
                  for k, v in chosen.items() if k in FILTER_LABELS]
        return page(request, "search.html", items=items, total=total, pages=pages, active=active,
                    facets=_facet_groups(root, chosen, facet_counts(engine, query)),
                    clear=_href(root, {"q": chosen["q"]} if "q" in chosen else {}), **context)

    @web.get("/credentials/{record_id}", name="web_credential")
    def credential_page(request: Request, record_id: str):
        rec = store.get(engine, record_id) if len(record_id) <= 200 else None
        if rec is None:
            return not_found(request, f"No credential with id {record_id!r}.")
        stacks = []
        for item in (rec.get("stacks_into") or [])[:MAX_LINKED]:
            target = store.get(engine, item) if is_record_id(item) else None
            stacks.append({"text": target["title"] if target else str(item),
                           "id": target["id"] if target else None})
        rec = _catalogue_info(engine, rec)
        extras = {k: v for k, v in rec.items() if k not in KEYS and v not in (None, [], {}, "")}
        cluster, links = _cluster_members(rec, extras), _links(extras)
        return page(request, "credential.html", rec=rec, present=annex_i_present(rec), stacks=stacks,
                    cluster=cluster, links=links, extras=extras)

    @web.get("/institutions", name="web_institutions")
    def institutions_page(request: Request):
        return page(request, "institutions.html", rows=scorecard.overview(engine))

    @web.get("/institutions/{source}", name="web_institution")
    def institution_page(request: Request, source: str):
        card = scorecard.for_source(engine, source) if len(source) <= 120 else None
        if card is None:
            return not_found(request, f"No institution or source {source!r} in this catalogue.")
        return page(request, "institution.html", card=card,
                    records_href=_href(request.scope.get("root_path", ""), {"source": source}))

    return web


__all__ = ["router", "static_files", "safe_url"]
