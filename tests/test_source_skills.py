"""Skills a source names itself (ELM relatedESCOSkill, Open Badges alignments to ESCO) reach the
record's esco_skills with method "source" and confidence 1, before the tagger's own links."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED, run_cli

ANNEX1 = SHARED / "reference" / "elm" / "samples" / "Sample-MC-Annex1-unsigned.jsonld"


@pytest.mark.skipif(not ANNEX1.is_file(), reason=f"shared ELM sample not at {ANNEX1}")
def test_elm_related_esco_skills_are_kept_with_method_source(tmp_path):
    doc = json.loads(ANNEX1.read_text(encoding="utf-8"))
    given: dict[str, str] = {}

    def walk(node):  # the sample's own relatedESCOSkill entries, found without the connector
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "relatedESCOSkill":
                    for skill in value if isinstance(value, list) else [value]:
                        given.setdefault(skill["id"], skill["prefLabel"]["en"])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    out = json.loads(run_cli("ingest", str(ANNEX1), "--source", "edc", "--output", "json", home=tmp_path).stdout)[0]
    assert out["accepted"] == 1
    (rec,) = json.loads(run_cli("search", "--source", "edc", "--format", "json", home=tmp_path).stdout)
    links = rec["esco_skills"]
    assert {link["uri"]: link["label"] for link in links} == given and len(given) == 4
    assert all(link["method"] == "source" and link["confidence"] == 1.0 for link in links)
    assert all(link["uri"].startswith("http://data.europa.eu/esco/skill/") for link in links)
    assert rec["provenance"]["fields"]["esco_skills"].startswith("given by the source")


def test_open_badges_alignment_to_esco_is_kept_and_labelled(tmp_path):
    uri = "http://data.europa.eu/esco/skill/2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f"
    badge = {
        "@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
        "id": "https://badges.example.edu/badges/data-101", "name": "Data Analysis Basics",
        "description": "Learners clean a data set and report descriptive statistics.",
        "criteria": {"narrative": "Complete the four assignments."},
        "issuer": {"type": "Profile", "id": "https://badges.example.edu/issuer",
                   "name": "Example Polytechnic", "url": "https://example.edu"},
        "alignment": [
            {"targetName": "perform data analysis", "targetUrl": uri, "targetFramework": "ESCO"},
            {"targetName": "Teamwork", "targetUrl": "https://example.edu/competences/teamwork"},
        ],
    }
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge), encoding="utf-8")
    home = tmp_path / "home"
    run_cli("ingest", str(path), "--source", "badges", "--country", "NL", home=home)
    (rec,) = json.loads(run_cli("search", "--source", "badges", "--format", "json", home=home).stdout)
    assert rec["esco_skills"] == [{"uri": uri, "label": "perform data analysis", "confidence": 1.0,
                                   "method": "source"}]
    # the alignment that is not an ESCO skill is not made one
    assert all("teamwork" not in link["uri"] for link in rec["esco_skills"])


@pytest.mark.skipif(not ANNEX1.is_file(), reason=f"shared ELM sample not at {ANNEX1}")
def test_evaluate_on_the_links_publishers_give(tmp_path):
    """`skills evaluate --source-links` scores the tagger on outcome-to-skill links from real ELM
    documents: the Annex I sample links two outcomes to four ESCO skills."""
    from transforms.skills_eval import labelled_set_from_source_links

    pairs = labelled_set_from_source_links([ANNEX1])
    assert len(pairs) == 4 and {text for text, _ in pairs} == {"Communication, collaboration and creativity",
                                                                "Developing digital content"}
    esco = Path(__file__).parent / "data" / "esco-v1.2.0-de-fr"
    rows = json.loads(run_cli("skills", "evaluate", "--esco", str(esco), "--n", "10", "--source-links", str(ANNEX1),
                              "--format", "json", home=tmp_path).stdout)
    (row,) = [r for r in rows if r["set"].startswith("source links")]
    assert row["n"] == 4 and 0.0 <= row["f1"] <= 1.0
    bad = run_cli("skills", "evaluate", "--esco", str(esco), "--source-links", str(tmp_path / "nope.jsonld"),
                  home=tmp_path, check=False)
    assert bad.returncode == 1 and "no such file" in bad.stderr and "Traceback" not in bad.stderr
