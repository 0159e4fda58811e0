"""connectors.safe: no entity expansion, no external entities, no network, no remote JSON-LD context."""
from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from connectors import safe
from connectors.base import FileInfo, SourceFileError
from connectors.openbadges import read_openbadges
from connectors.xcri import looks_like_xcri, read_xcri

NS12 = "http://xcri.org/profiles/1.2/catalog"
ENTITY_MESSAGE = ("XML with entity declarations is refused (external entities and entity expansion "
                  "are not allowed)")

EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>
<catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <provider><course><dc:title>&e;</dc:title></course></provider>
</catalog>
"""

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <provider><course><dc:title>&lol9;</dc:title></course></provider>
</catalog>
"""


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    calls: list = []

    def refuse(self, address, *args, **kwargs):
        calls.append(address)
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return calls


def info_for(path: Path, fmt: str) -> FileInfo:
    return FileInfo(path=str(path), format=fmt, sha256="", size=os.path.getsize(path))


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("text", [EXTERNAL_ENTITY, BILLION_LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entity_declarations_are_refused(tmp_path, no_network, text):
    p = write(tmp_path, "feed.xml", text)
    with pytest.raises(SourceFileError) as err:
        list(read_xcri(p, info_for(p, "xcri"), 100))
    assert str(err.value) == f"feed.xml: {ENTITY_MESSAGE}"
    assert not looks_like_xcri(p.read_bytes())
    assert safe.root_tag(p.read_bytes()) is None
    assert no_network == []


def test_parser_itself_neither_expands_nor_fetches(tmp_path, no_network):
    """Defence in depth: even without the DOCTYPE check, the lxml options resolve nothing."""
    p = write(tmp_path, "feed.xml", EXTERNAL_ENTITY)
    titles = []
    try:
        for event, elem in safe.iterparse(p, ("end",)):
            if isinstance(elem.tag, str) and elem.tag.endswith("}title"):
                titles.append("".join(elem.itertext()))
    except SourceFileError:
        pass  # refusing is fine too
    assert all("lol" not in t and "127.0.0.1" not in t for t in titles)
    p = write(tmp_path, "lol.xml", BILLION_LAUGHS)
    try:
        for event, elem in safe.iterparse(p, ("end",)):
            if isinstance(elem.tag, str) and elem.tag.endswith("}title"):
                assert len("".join(elem.itertext())) < 1000
    except SourceFileError:
        pass
    assert no_network == []


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE catalog SYSTEM "http://127.0.0.1:9/x.dtd">',
    '<!DOCTYPE catalog PUBLIC "-//X//DTD X//EN" "http://127.0.0.1:9/x.dtd">',
])
def test_external_dtd_is_refused(tmp_path, no_network, doctype):
    p = write(tmp_path, "feed.xml", f'<?xml version="1.0"?>\n{doctype}\n<catalog xmlns="{NS12}"><provider><course/></provider></catalog>')
    with pytest.raises(SourceFileError, match=r"^feed\.xml: XML referring to an external DTD is refused \(external entities"):
        list(read_xcri(p, info_for(p, "xcri"), 10))
    assert no_network == []


def test_parameter_entities_are_refused(tmp_path, no_network):
    p = write(tmp_path, "feed.xml", '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;]>\n'
                                    f'<catalog xmlns="{NS12}"/>')
    with pytest.raises(SourceFileError, match=r"^feed\.xml: XML with entity declarations is refused"):
        list(read_xcri(p, info_for(p, "xcri"), 10))
    assert no_network == []


def test_utf16_doctype_is_seen(tmp_path, no_network):
    p = tmp_path / "feed.xml"
    p.write_bytes(EXTERNAL_ENTITY.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    with pytest.raises(SourceFileError, match=r"entity declarations is refused"):
        list(read_xcri(p, info_for(p, "xcri"), 10))


def test_harmless_doctype_and_comments_pass(tmp_path):
    p = write(tmp_path, "feed.xml", f'<?xml version="1.0"?>\n<!-- <!ENTITY in a comment> -->\n<!DOCTYPE catalog>\n'
                                    f'<catalog xmlns="{NS12}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                                    "<provider><course><dc:title>T &amp; U</dc:title></course></provider></catalog>")
    (batch,) = read_xcri(p, info_for(p, "xcri"), 10)
    assert batch.frame["title"].tolist() == ["T & U"]


def test_remote_jsonld_context_is_refused(tmp_path, no_network):
    doc = {"@context": "https://example.org/ctx.jsonld", "type": "BadgeClass", "name": "x",
           "id": "https://b.example/1", "criteria": {"narrative": "y"}}
    p = write(tmp_path, "badge.json", json.dumps(doc))
    with pytest.raises(SourceFileError) as err:
        list(read_openbadges(p, info_for(p, "openbadges"), 10))
    assert str(err.value) == ("badge.json: JSON-LD context https://example.org/ctx.jsonld is not available "
                              "locally; remote contexts are not fetched")
    assert no_network == []


@pytest.mark.parametrize("doc", [
    # in a list, next to allowed ones
    {"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx.json"]},
    # nested: an endorsement inside an achievement
    {"@context": "https://w3id.org/openbadges/v2",
     "endorsement": [{"@context": "https://evil.example/ctx.json", "type": "Endorsement"}]},
    # inline context importing a remote one
    {"@context": [{"@import": "https://evil.example/ctx.json", "x": "http://x.example/x"}]},
    # scoped context of a term
    {"@context": {"Thing": {"@id": "http://x.example/Thing", "@context": "https://evil.example/ctx.json"}}},
])
def test_remote_context_anywhere_is_refused(doc):
    with pytest.raises(SourceFileError, match=r"^doc\.json: JSON-LD context https://evil\.example/ctx\.json is not available locally"):
        safe.check_jsonld_contexts(doc, "doc.json")


def test_known_contexts_are_accepted():
    doc = {"@context": ["http://www.w3.org/ns/credentials/v2/",  # http and a trailing slash: same context
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                        {"ex": "https://ex.example/#"}]}
    assert safe.check_jsonld_contexts(doc, "d.json") == doc["@context"][:2]
    assert safe.check_jsonld_contexts({"name": "no context"}, "d.json") == []


def test_local_copies_match_the_allow_list():
    data = json.loads((safe.CONTEXTS_DIR / "known_contexts.json").read_text(encoding="utf-8"))
    copied = {url: e for url, e in data["contexts"].items() if e["file"]}
    assert set(copied) == {"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2",
                           "https://www.w3.org/2018/credentials/examples/v1",
                           "http://data.europa.eu/snb/model/context/edc-ap"}
    for url, entry in copied.items():
        path = safe.CONTEXTS_DIR / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], url
        assert "@context" in safe.local_context(url)
    # Open Badges contexts are allow-listed by URL only (1EdTech licence: no copy kept)
    assert safe.is_known_context("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    assert safe.local_context("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json") is None
    assert (safe.CONTEXTS_DIR / "SOURCE.md").is_file() and (safe.CONTEXTS_DIR / "LICENSE-W3C.md").is_file()


def test_json_limits(tmp_path):
    p = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(SourceFileError, match=r"deep\.json: the JSON document is nested too deeply"):
        safe.load_json(p)
    p = write(tmp_path, "big.json", json.dumps({"type": "BadgeClass", "name": "x" * 5000}))
    with pytest.raises(SourceFileError, match=r"big\.json: the file is \d+ bytes, over the 1000 bytes limit"):
        list(read_openbadges(p, info_for(p, "openbadges"), 10, max_bytes=1000))
