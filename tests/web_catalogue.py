"""The catalogue the web tests read: the shipped samples through the whole pipeline (as
tests/test_api.py builds it), plus one hostile source published directly, whose records carry
markup and javascript: URLs where a source could put them, ESCO skills and a stackability link."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog import store
from clearinghouse import pipeline
from clearinghouse.config import SAMPLE_SOURCES, load_sources
from clearinghouse.descriptor import completeness, content_hash, normalise, record_id

HOSTILE_SOURCE = "zz-hostile-feed"
HOSTILE_TITLE = '<script>alert("title")</script> Secure <b>Data</b> Handling & "Quotes"'
HOSTILE_BODY = "<img src=x onerror=alert(1)> Evil Academy"
SKILL_URI = "http://data.europa.eu/esco/skill/25f0ea33-1f4c-4a56-8d3f-6e5b6b1b7d1b"
STACK_TITLE = "Master's Programme in Secure Data"


def _descriptor(source_record_id: str, **values: Any) -> dict[str, Any]:
    rec = normalise({"id": record_id(HOSTILE_SOURCE, source_record_id), "source": HOSTILE_SOURCE,
                     "source_record_id": source_record_id, **values})
    rec["completeness"] = completeness(rec)
    rec["content_hash"] = content_hash(rec)
    return rec


def hostile_records() -> list[dict[str, Any]]:
    target = _descriptor("H-2", title=STACK_TITLE, awarding_body={"name": "Evil Academy", "country": "NL"},
                         country="NL", ects=90.0, eqf_level=7, participation_mode="blended",
                         credential_type="qualification", languages=["en"],
                         provenance={"locator": "item 2"})
    hostile = _descriptor(
        "H-1", title=HOSTILE_TITLE, title_language="en",
        description="<style>body{display:none}</style>Plain words about data.",
        awarding_body={"name": HOSTILE_BODY, "id": "javascript:alert('body')", "country": "NL"},
        country="NL", ects=5.0, workload_hours=140.0, eqf_level=6, participation_mode="online",
        credential_type="micro-credential", languages=["en", "nl"],
        learning_outcomes=["<iframe src=https://evil.example/></iframe>Explain data handling."],
        assessment_type=["project"], quality_assurance={"type": "internal", "body": "<u>QA board</u>"},
        stackability="stackable", stacks_into=[target["id"], "<i>Some external degree</i>"],
        url="javascript:alert(document.cookie)",
        esco_skills=[{"uri": SKILL_URI, "label": "<svg onload=alert(1)>manage data", "confidence": 0.82,
                      "method": "lexical match"},
                     {"uri": "javascript:alert(2)", "label": "not a link", "confidence": 0.4,
                      "method": "given by the source"}],
        quality_flags=[{"field": "title", "code": "markup<kept>", "message": "<b>markup</b> in the title"}],
        provenance={"locator": "item 1", "fields": {"title": "<script>as given</script>"}},
    )
    return [hostile, target]


def build(home: Path) -> str:
    """The catalogue URL, after every sample source and the hostile one are published."""
    url = store.catalog_url(home)
    for spec in load_sources(SAMPLE_SOURCES):
        pipeline.ingest(home, spec.key, spec.path, url, country=spec.country, mapping=spec.mapping)
    recs = hostile_records()
    run = store.RunRecord(run_id="20250101T000000-hostile", source=HOSTILE_SOURCE, path=None,
                          file_sha256=None, started_at="2025-01-01T00:00:00Z",
                          counts={"read": len(recs), "accepted": len(recs), "quarantined": 0})
    store.publish(store.connect(url), HOSTILE_SOURCE, [recs], [], run, now="2025-01-01T00:00:00Z")
    return url
