"""`clearinghouse validate FILE --profile loq`: an ELM document (Turtle, RDF/XML, JSON-LD, a
Europass credential) or a QDR LOQ XML file checked against the LOQ application profile (the XSD
first for QDR XML, then the SHACL shapes), reported per record in plain words with the node (or
XPath) it points back to."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph

from connectors.base import SourceFileError, display_name

PROFILES = ("loq",)


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


def check(path: Path, profile: str = "loq") -> dict[str, Any]:
    """{"file", "profile", "conforms", "records": [{"node", "locator", "problems": [...]}]}"""
    from catalog.elm_export import validate_elm

    if profile not in PROFILES:
        raise SourceFileError(f"profile {profile!r}: one of {', '.join(PROFILES)}", path)
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
