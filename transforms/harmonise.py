"""Candidate batch (the source's strings under candidate field names) to descriptor records.

Each crosswalk is a pure function of strings, so it is applied once per distinct input in a
column (a batch of 50,000 rows usually holds a few dozen distinct levels, units, modes or
language lists) and the result is mapped back to the rows. What a crosswalk finds invalid
becomes a quarantine reason; what it finds doubtful becomes a quality flag; how it derived a
value goes into the record's provenance.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clearinghouse import descriptor as d
from transforms import credits, dates, difficulty, isced, languages, levels, modes, money, places
from transforms import text as textx
from transforms.skills import keep_source_links
from transforms.candidate import SOURCE_SKILLS, TITLE_PREFIX
from transforms.result import NOTHING, Derived, Flag, Problem, as_flag, quarantines

LOCATOR = "__locator__"
ERROR = "__error__"


@dataclass
class Context:
    source: str
    country: str | None = None  # ISO alpha-2 given for the whole source (--country)
    file_sha256: str | None = None
    harvested_at: str | None = None
    dayfirst: bool | None = None  # numeric dates day first; None: as the record's country writes them
    tagger: Any = None  # transforms.skills.LexicalTagger, when an ESCO skill set is configured


@dataclass
class Harmonised:
    records: list[dict[str, Any]]  # one descriptor per row (without catalogue fields)
    problems: list[list[Problem]]  # per row; non-empty -> quarantine
    columns: dict[str, str] = field(default_factory=dict)  # candidate field -> source column


def _apply(frame: pd.DataFrame, cols: tuple[str, ...], fn: Callable[..., Derived]) -> list[Derived]:
    """fn applied once per distinct tuple of the given columns, mapped back to every row."""
    if not any(c in frame.columns for c in cols):
        return [NOTHING] * len(frame)
    series = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in cols]
    cache: dict[tuple, Derived] = {}
    out: list[Derived] = []
    for key in zip(*series):
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = NOTHING if all(v is None for v in key) else fn(*key)
        out.append(hit)
    return out


def _apply_values(values: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    cache: dict[Any, Any] = {}
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        if v not in cache:
            cache[v] = fn(v)
        out.append(cache[v])
    return out


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as str or None (no NaN), stripped; empty strings become None."""
    def clean(v: Any) -> str | None:
        if isinstance(v, str):
            return v.strip() or None
        if v is None or v != v:  # None, NaN, pd.NA (NA != NA is NA, which is falsy-unsafe)
            return None
        return str(v)

    def safe(v: Any) -> str | None:
        try:
            return clean(v)
        except TypeError:  # pd.NA in a boolean context
            return None

    return pd.DataFrame({col: pd.Series([safe(v) for v in frame[col].tolist()], dtype=object)
                         for col in frame.columns})


def _url(value: str) -> Derived:
    if re.match(r"^https?://\S+$", value):
        return Derived(values={"url": value})
    if re.match(r"^www\.\S+$", value):
        return Derived(values={"url": "https://" + value},
                       flags=(Flag("url", "url-repaired", f"'{value}' had no scheme; https:// added"),))
    return Derived(flags=(Flag("url", "unrecognised-value", f"'{value}' is not a web address; left out"),))


def _day_first(ctx: Context, country: Any) -> bool:
    """Whether '8/4/1971' is 8 April: as the profile says, else as the record's country writes
    dates (month first in the United States and the countries that follow its usage)."""
    if ctx.dayfirst is not None:
        return ctx.dayfirst
    return (textx.as_text(country) or "").upper() not in dates.MONTH_FIRST_COUNTRIES


def _country(value: str) -> Derived:
    return places.derive_country(value)


ESCO_LINK_KEYS = ("uri", "label", "confidence", "method")


def _tag_skills(tagger: Any, titles: list, outcomes: list, descriptions: list) -> list:
    """Per row: (links with the descriptor's keys, provenance text) or None, tagged in one batch
    from the learning outcomes (else the title and description)."""
    if tagger is None:
        return [None] * len(titles)
    texts = [" ".join(o) if o else " ".join(x for x in (t, dsc) if x) for t, o, dsc in
             zip(titles, outcomes, descriptions)]
    out = []
    for links in tagger.tag(texts):
        if not links:
            out.append(None)
            continue
        version = links[0].get("esco_version") or "unknown"
        out.append(([{k: link[k] for k in ESCO_LINK_KEYS} for link in links],
                    f"{links[0]['method']} tagging against ESCO {version} (confidence per link)"))
    return out


def _with_source_skills(given: list, tagged: list, tagger: Any) -> list:
    """Skills the source itself names (ELM relatedESCOSkill, Open Badges alignments to ESCO) come
    first, method ``source`` and confidence 1; the tagger's links to other skills follow. A link
    without a label gets ESCO's preferred label when a download is loaded."""
    skillset = getattr(tagger, "skillset", None)
    out = []
    for raw, found in zip(given, tagged):
        items = [dict(zip(("uri", "label"), line.split("\t", 1))) for line in (raw or "").splitlines() if line.strip()]
        links = keep_source_links(items)
        if not links:
            out.append(found)
            continue
        for link in links:
            known = skillset.get(link["uri"]) if skillset is not None and not link["label"] else None
            if known is not None:
                link["label"] = known.preferred_label()
        seen = {link["uri"] for link in links}
        merged = [{k: link[k] for k in ESCO_LINK_KEYS} for link in links]
        merged += [link for link in (found[0] if found else []) if link["uri"] not in seen]
        out.append((merged, "given by the source" + (f"; others by {found[1]}" if found else "")))
    return out


# The candidate columns a descriptor field is derived from: what ``provenance.raw`` keeps of a
# value that could not be normalised (the field itself is left empty).
RAW_INPUTS: dict[str, tuple[str, ...]] = {
    "eqf_level": ("eqf_level", "level"), "nqf": ("nqf_level", "nqf_framework", "level"),
    "ects": ("credit", "credit_unit", "workload_hours"), "workload_hours": ("workload_hours", "credit"),
    "price": ("price", "price_currency"), "region": ("region", "country"),
}
# Fields that tell two records of the same title apart when the source gives no identifier.
IDENTITY_INPUTS = ("title", "awarding_body_name", "url", "start_date", "credit", "eqf_level",
                   "nqf_level", "level", "languages", "participation_mode", "duration", "price")


def _derived_ids(frame: pd.DataFrame, titles: list, bodies: list, srids: list) -> list[str | None]:
    """Identifiers for the rows that have none: from the title and awarding body, so the id
    survives a re-delivery; where two rows of the batch share those, also from what tells them
    apart (URL, start date, credit, level, languages, mode, duration, price). Rows equal in all
    of these keep one id: the later ones are the delivery's duplicates."""
    todo = [i for i, s in enumerate(srids) if not s]
    out: list[str | None] = [None] * len(srids)
    base = {i: _derived_source_id(titles[i], bodies[i]) for i in todo}
    counts = Counter(base.values())
    extra_cols = [_column(frame, c) for c in IDENTITY_INPUTS[2:]]
    for i in todo:
        out[i] = base[i] if counts[base[i]] == 1 else \
            _derived_source_id(titles[i], bodies[i], *(c[i] for c in extra_cols))
    return out


def _derived_source_id(title: str | None, body: str | None, *others: str | None) -> str:
    """The derived identifier of a record: a hash of its title and awarding body, and the other
    distinguishing values where given."""
    basis = f"{(title or '').casefold().strip()}\x1f{(body or '').casefold().strip()}"
    extra = [(o or "").casefold().strip() for o in others]
    if any(extra):
        basis += "\x1f" + "\x1f".join(extra)
    return "title-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def harmonise(candidate: pd.DataFrame, ctx: Context) -> Harmonised:
    frame = _clean_frame(candidate.reset_index(drop=True))
    n = len(frame)
    col = lambda name: _column(frame, name)  # noqa: E731

    # Country first: the level crosswalk uses it to recognise a national framework.
    country_d = _apply(frame, ("country",), _country)
    region_given = _apply(frame, ("region", "country"),
                          lambda r, c: places.derive_region(r, None) if r else NOTHING)
    countries = [cd.values.get("country") or ctx.country for cd in country_d]
    regions = [rg.values.get("region") or cd.values.get("region")
               for rg, cd in zip(region_given, country_d)]
    level_frame = frame.assign(__country=countries, __region=regions)
    derived: dict[str, list[Derived]] = {
        "country": country_d,
        "region": region_given,
        "levels": _apply(level_frame, ("eqf_level", "nqf_level", "nqf_framework", "level",
                                        "__country", "__region"), levels.derive_level),
        "credits": _apply(level_frame, ("credit", "credit_unit", "workload_hours", "__country"),
                          credits.derive_credits),
        "languages": _apply(frame, ("languages",), languages.derive_languages),
        "title_language": _apply(frame, ("title_language",), languages.language_code),
        "participation_mode": _apply(frame, ("participation_mode",), modes.participation_mode),
        "assessment_type": _apply(frame, ("assessment_type",), modes.assessment_types),
        "supervision": _apply(frame, ("supervision",), modes.supervision),
        "credential_type": _apply(frame, ("credential_type",), modes.credential_type),
        "quality_assurance": _apply(frame, ("quality_assurance", "qa_body"), modes.quality_assurance),
        "stackability": _apply(frame, ("stackability",), modes.stackability),
        "verification": _apply(frame, ("verification",), modes.verification),
        "start_date": _apply(level_frame, ("start_date", "__country"),
                             lambda v, c: dates.iso_date(v, "start_date", dayfirst=_day_first(ctx, c))),
        "end_date": _apply(level_frame, ("end_date", "__country"),
                           lambda v, c: dates.iso_date(v, "end_date", dayfirst=_day_first(ctx, c))),
        "duration": _apply(frame, ("duration",), dates.iso_duration),
        "price": _apply(frame, ("price", "price_currency"), money.derive_price),
        "url": _apply(frame, ("url",), _url),
        "difficulty": _apply(frame, ("difficulty",), difficulty.derive_difficulty),
    }
    titles = _apply_values(col("title"), textx.clean_text)
    descriptions = _apply_values(col("description"), textx.clean_text)
    outcomes = _apply_values(col("learning_outcomes"), textx.split_outcomes)
    stacks = _apply_values(col("stacks_into"), textx.split_list)
    plain = {k: _apply_values(col(k), textx.clean_text)
             for k in ("prerequisites", "grading", "licence", "awarding_body_name")}
    title_cols = [c for c in frame.columns if c.startswith(TITLE_PREFIX)]
    other_titles = {c[len(TITLE_PREFIX):]: _apply_values(col(c), textx.clean_text) for c in title_cols}
    skills = _with_source_skills(col(SOURCE_SKILLS), _tag_skills(ctx.tagger, titles, outcomes, descriptions),
                                 ctx.tagger)
    # after tagging: the ESCO links are one of the inputs the ISCED-F inference uses
    derived["isced_f"] = isced.derive_column(col("isced_f"), *map(col, isced.SUBJECT_COLUMNS),
                                             [s[0] if s else None for s in skills], titles, descriptions)
    srids, bodies_id, locators = col("source_record_id"), col("awarding_body_id"), col(LOCATOR)
    derived_ids = _derived_ids(frame, titles, plain["awarding_body_name"], srids)
    errors = col(ERROR)

    records: list[dict[str, Any]] = []
    problems: list[list[Problem]] = []
    for i in range(n):
        rec: dict[str, Any] = {"source": ctx.source}
        flags: list[Flag] = []
        probs: list[Problem] = []
        methods: dict[str, str] = {}
        for part in derived.values():
            dv = part[i]
            if dv is NOTHING:
                continue
            for k, v in dv.values.items():
                if v is not None and rec.get(k) is None:
                    rec[k] = v
            flags.extend(dv.flags)
            probs.extend(dv.problems)
            methods.update(dv.methods)
        if rec.get("country") is None and ctx.country:
            rec["country"] = ctx.country
            methods["country"] = "given for the whole source at ingest (--country)"
        # what cannot be normalised in an optional field: flagged, left empty, kept raw
        raw_kept: dict[str, Any] = {}
        certain = [p for p in probs if quarantines(p)]
        for p in probs:
            if quarantines(p):
                continue
            flags.append(as_flag(p))
            rec.pop(p.field, None)
            for c in RAW_INPUTS.get(p.field, (p.field,)):
                value = frame.at[i, c] if c in frame.columns else None
                if value is not None:
                    raw_kept[c] = value
        probs = certain
        if errors[i]:
            probs.append(Problem("record", "unreadable", str(errors[i])))
        title = titles[i]
        rec["title"] = title
        if not title:
            probs.append(Problem("title", "required", "the title is missing"))
        rec["description"] = descriptions[i]
        rec["learning_outcomes"] = outcomes[i] or []
        rec["stacks_into"] = stacks[i] or []
        if skills[i]:
            rec["esco_skills"], methods["esco_skills"] = skills[i]
        for k in ("prerequisites", "grading", "licence"):
            rec[k] = plain[k][i]
        body_name = plain["awarding_body_name"][i]
        if body_name or bodies_id[i]:
            rec["awarding_body"] = {"name": body_name, "id": bodies_id[i], "country": rec.get("country")}
        extra = {lang: vals[i] for lang, vals in other_titles.items() if vals[i]}
        same = next((lang for lang, t in extra.items() if t == title), None)
        if same is not None:  # the title is one of the language variants: that is its language
            del extra[same]
            code = languages.language_code(same).values.get("title_language")
            if rec.get("title_language") is None and code:
                rec["title_language"] = code
                methods["title_language"] = f"the {same} variant of the source's titles"
        rec["titles"] = extra or None
        srid = srids[i]
        if not srid:
            srid = derived_ids[i]
            flags.append(Flag("source_record_id", "id-derived",
                              "the source gives no identifier; one was derived from title and awarding body"))
        rec["source_record_id"] = srid
        rec["id"] = d.record_id(ctx.source, srid)
        present = d.annex_i_present(rec)
        for key, ok in present.items():
            if not ok and key != "title":
                flags.append(Flag(key, "missing-annex-i-element",
                                  f"Annex I element missing: {d.ANNEX_I_ELEMENTS[key]}"))
        rec["completeness"] = d.completeness(rec, present)
        rec["quality_flags"] = [f.as_dict() for f in flags]
        rec["provenance"] = {
            "file_sha256": ctx.file_sha256,
            "locator": locators[i],
            "harvested_at": ctx.harvested_at,
            "fields": {k: methods[k] for k in sorted(methods)},
        }
        if raw_kept:
            rec["provenance"]["raw"] = raw_kept
        rec = d.normalise(rec)
        rec["status"] = None
        rec["content_hash"] = d.content_hash(rec)
        records.append(rec)
        problems.append(probs)
    return Harmonised(records=records, problems=problems)
