"""`clearinghouse validate FILE --profile loq`: an ELM document (Turtle, RDF/XML, JSON-LD, a
Europass credential) or a QDR LOQ XML file checked against the LOQ application profile (the XSD
first for QDR XML, then the SHACL shapes), reported per record in plain words with the node (or
XPath) it points back to."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph

from connectors.base import SourceFileError, display_name

PROFILES = ("loq", "ctdl", "ob3")
OB3_SCHEMA_ENV = "CLEARINGHOUSE_OB3_SCHEMA"  # the 1EdTech AchievementCredential JSON Schema (not shipped: no licence to copy it)


def _graph(path: Path) -> tuple[Graph, dict[str, str]]:
    """The document as an ELM graph, and node -> locator (XPath for QDR XML, else the node)."""
    from connectors import elm, qdr, safe

    name = display_name(path)
    head = path.read_bytes()[:safe.PROLOG_MAX_BYTES]
    if qdr.looks_like_qdr(head):
        root = safe.parse_xml_bytes(path.read_bytes(), name)
        qdr.validate(root.getroottree(), name, str(path))
        builder = qdr._Builder()
        graph = builder.build(root)
        return graph, {str(k): v for k, v in builder.locators.items()}
    graph, _syntax = elm.parse_graph(str(path), name, 200_000_000)
    return graph, {}


def _json_resources(path: Path, profile: str) -> list[tuple[dict, str]]:
    """(resource, JSON pointer) of the credentials (CTDL) or credential documents (OB3)."""
    from connectors import ctdl, safe

    doc = safe.load_json(path)
    safe.check_jsonld_contexts(doc, display_name(path), path)
    if profile == "ctdl":
        return [(item, pointer) for unit in ctdl._units(doc) for item, pointer in unit.items
                if isinstance(item, dict) and ctdl._record_type(item)]
    docs = doc if isinstance(doc, list) else [doc]
    return [(d, f"/{i}" if isinstance(doc, list) else "/") for i, d in enumerate(docs) if isinstance(d, dict)]


def _check_json(path: Path, profile: str) -> dict[str, Any]:
    import os

    if profile == "ctdl":
        from catalog.ctdl_export import validate_ctdl as check_one
    else:
        from catalog.ob3_export import validate_ob3

        schema = os.environ.get(OB3_SCHEMA_ENV)
        if not schema or not Path(schema).is_file():
            raise SourceFileError(f"--profile ob3 needs the 1EdTech OB 3.0 AchievementCredential JSON Schema: "
                                  f"set {OB3_SCHEMA_ENV} to a local copy of it", path)
        check_one = lambda doc: validate_ob3(doc, schema)  # noqa: E731
    resources = _json_resources(path, profile)
    if not resources:
        raise SourceFileError(f"{display_name(path)}: no {profile.upper()} credential in this document", path)
    records = [{"node": r.get("@id") or r.get("id") or pointer, "locator": pointer, "problems": problems}
               for r, pointer in resources if (problems := check_one(r))]
    return {"file": display_name(path), "profile": profile, "conforms": not records,
            "checked": len(resources), "records": records}


def check(path: Path, profile: str = "loq") -> dict[str, Any]:
    """{"file", "profile", "conforms", "records": [{"node", "locator", "problems": [...]}]}"""
    from catalog.elm_export import validate_elm

    if profile not in PROFILES:
        raise SourceFileError(f"profile {profile!r}: one of {', '.join(PROFILES)}", path)
    if profile in ("ctdl", "ob3"):
        return _check_json(path, profile)
    graph, locators = _graph(path)
    conforms, results = validate_elm(graph)
    by_node: dict[str, list[str]] = {}
    for r in results:
        what = r["path"] or "the node"
        words = f"{what}: {r['message']}" + (f" (value {r['value']})" if r["value"] else "")
        by_node.setdefault(r["focus"], []).append(words)
    records = [{"node": node, "locator": locators.get(node, node), "problems": problems}
               for node, problems in sorted(by_node.items())]
    return {"file": display_name(path), "profile": profile, "conforms": conforms,
            "triples": len(graph), "records": records}
