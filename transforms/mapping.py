"""Mapping stage: a raw batch with the source's own column headers -> a candidate batch.

``plan_mapping`` decides once per source (from the header row and an optional profile) which
source column feeds which candidate field (``transforms.candidate.CANDIDATE_FIELDS``) and which
constants the headers or the profile imply ("Leistungspunkte" -> credit, credit_unit ECTS).
``apply_mapping`` then applies that plan to each batch with whole-column operations.

Matching a header, in order:
1. the profile's explicit columns (by exact name, else by normalised name);
2. an exact synonym from ``vocab/headers.yaml`` (after ``normalise_header``);
3. words: every word of a synonym occurs in the header; the synonym with most words (then the
   longest) wins, so "Niveau DQR (1-8)" is nqf_level with framework DE-DQR and not the generic
   level. Words left over can qualify the match ("Titel (englisch)" -> title@en,
   "Credits (CATS)" -> credit_unit CATS, "Preis in EUR", "Dauer (Wochen)").
A column feeds at most one field; when two columns claim one field the stronger match (then the
first column) keeps it and the other is left unmapped with a note in ``ambiguous``.
Where no column feeds workload_hours, the cells of a duration column given in hours ("84 h")
also fill workload_hours (``ColumnPlan.hours_from``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from transforms.candidate import CANDIDATE_FIELDS, SOURCE_SKILLS, TITLE_PREFIX
from transforms.isced import SUBJECT_COLUMNS
from transforms.profile import UNIT_FIELDS, ColumnSpec, Profile, is_candidate_field, load_yaml_strings

VOCAB_PATH = Path(__file__).with_name("vocab") / "headers.yaml"
IGNORE = "_ignore"  # vocabulary pseudo-field: headers that look like a field but are not it
LOCATOR, ERROR = "__locator__", "__error__"
PASSTHROUGH = (LOCATOR, ERROR)  # connector columns copied unchanged into the candidate frame
SUBJECT_CODES = SUBJECT_COLUMNS  # XCRI-CAP JACS / LDCS codes, copied too: the ISCED-F inference reads them
EXTENSION_PREFIX = "x_"  # standards connectors keep elements with no candidate field as x_<name>
_LANGUAGE_VARIANT = re.compile(r"^(.+)@([a-z]{2})$")  # a language's variant of a column: "name@pt"
_RESERVED = re.compile(r"^__\w+__$")  # connector columns (__locator__, __error__, __raw__ ...): never mapped

# ---------------------------------------------------------------------------------------------
# Header normalisation
# ---------------------------------------------------------------------------------------------

# letters NFKD does not decompose, and currency signs that carry meaning in a header
_TRANSLIT = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "ħ": "h",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th",
    "€": " eur ", "£": " gbp ", "$": " usd ",
})
_CAMEL_1 = re.compile(r"(?<=[a-z])(?=[A-Z])")  # courseTitle -> course Title
_CAMEL_2 = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})")  # EQFLevel -> EQF Level (not URLs, LPs)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(h: object) -> str:
    """Compare-form of a header: words of lower-case ASCII letters/digits separated by one space.

    Case, accents, punctuation, underscores, hyphens and bracket characters are dropped (the words
    in brackets are kept): "Kurs-Nr." -> "kurs nr", "Intitulé" -> "intitule",
    "Niveau (DQR)" -> "niveau dqr", "courseTitle" -> "course title", "Preis (€)" -> "preis eur".
    """
    text = "" if h is None else str(h)
    text = text.translate(_TRANSLIT)
    text = _CAMEL_2.sub(" ", _CAMEL_1.sub(" ", text))
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_TRANSLIT)  # casefold may have produced some of them
    return _NON_WORD.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Synonym:
    field: str
    header: str  # as written in the vocabulary
    key: str  # normalised
    tokens: frozenset[str]
    exact: bool  # only whole-header matches (generic words)
    implies: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.tokens), len(self.key))


@dataclass(frozen=True)
class Qualifier:
    """Words left in a header after its synonym that refine the match for one field."""

    rename: str | None  # e.g. "title@{value}"
    implies: str | None  # candidate field the value is a constant for
    suffix: bool  # the value is a unit appended to bare numbers
    words: dict[str, str]  # normalised word -> value (anywhere in the header)
    codes: dict[str, str]  # normalised code -> value (only as the header's last word)

    def tokens(self) -> set[str]:
        return set(self.words) | set(self.codes)


@dataclass(frozen=True)
class Vocabulary:
    by_key: dict[str, Synonym]
    by_compact: dict[str, Synonym]
    synonyms: tuple[Synonym, ...]
    qualifiers: dict[str, Qualifier]
    # synonym positions by one of their words (each synonym under its least word): a header is
    # compared only with the synonyms that share a word with it
    by_token: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def candidates(self, tokens: set[str]) -> list[Synonym]:
        found = sorted({i for t in tokens for i in self.by_token.get(t, ())})
        return [self.synonyms[i] for i in found]


def _compact(key: str) -> str:
    return key.replace(" ", "")


def _vocab_field(name: str) -> bool:
    return name == IGNORE or is_candidate_field(name)


def parse_vocabulary(data: object, name: str = "headers.yaml") -> Vocabulary:
    """Build (and check) the header vocabulary; raises ValueError naming the entry at fault."""
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise ValueError(f"{name}: needs a `fields` mapping")
    by_key: dict[str, Synonym] = {}
    by_compact: dict[str, Synonym] = {}
    synonyms: list[Synonym] = []
    for fld, entries in data["fields"].items():
        if not _vocab_field(fld):
            raise ValueError(f"{name}: unknown field {fld!r}")
        if not isinstance(entries, list):
            raise ValueError(f"{name}: fields.{fld} must be a list")
        for entry in entries:
            if isinstance(entry, str):
                entry = {"header": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("header"), str):
                raise ValueError(f"{name}: fields.{fld}: bad entry {entry!r}")
            unknown = set(entry) - {"header", "implies", "exact"}
            if unknown:
                raise ValueError(f"{name}: fields.{fld}: {entry['header']!r} has unknown keys {sorted(unknown)}")
            implies = entry.get("implies") or {}
            if not isinstance(implies, dict) or not all(
                    is_candidate_field(k) and isinstance(v, str) for k, v in implies.items()):
                raise ValueError(f"{name}: fields.{fld}: {entry['header']!r} has a bad `implies`")
            exact = str(entry.get("exact", "false")).lower() in ("true", "yes", "1")
            key = normalise_header(entry["header"])
            if not key:
                raise ValueError(f"{name}: fields.{fld}: {entry['header']!r} normalises to nothing")
            syn = Synonym(fld, entry["header"], key, frozenset(key.split()), exact, tuple(implies.items()))
            for index, k in ((by_key, key), (by_compact, _compact(key))):
                other = index.get(k)
                if other is not None and (other.field != fld or other.implies != syn.implies):
                    raise ValueError(f"{name}: {entry['header']!r} ({fld}) and {other.header!r} "
                                     f"({other.field}) are the same header")
                index.setdefault(k, syn)
            synonyms.append(syn)
    qualifiers: dict[str, Qualifier] = {}
    for fld, spec in (data.get("qualifiers") or {}).items():
        if not is_candidate_field(fld) or not isinstance(spec, dict):
            raise ValueError(f"{name}: qualifiers.{fld}: unknown field or not a mapping")
        words: dict[str, str] = {}
        codes: dict[str, str] = {}
        for target, kind in ((words, "words"), (codes, "codes")):
            for value, forms in (spec.get(kind) or {}).items():
                for form in forms:
                    target[normalise_header(form)] = value
        implies = spec.get("implies")
        if implies is not None and not is_candidate_field(implies):
            raise ValueError(f"{name}: qualifiers.{fld}: unknown field {implies!r}")
        qualifiers[fld] = Qualifier(spec.get("rename"), implies, str(spec.get("suffix", "")).lower() == "true",
                                    words, codes)
    by_token: dict[str, list[int]] = {}
    for i, syn in enumerate(synonyms):
        by_token.setdefault(min(syn.tokens), []).append(i)
    return Vocabulary(by_key, by_compact, tuple(synonyms), qualifiers,
                      {t: tuple(ix) for t, ix in by_token.items()})


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The header vocabulary from vocab/headers.yaml, loaded once."""
    return parse_vocabulary(load_yaml_strings(VOCAB_PATH.read_text(encoding="utf-8")), VOCAB_PATH.name)


# ---------------------------------------------------------------------------------------------
# Matching one header
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeaderMatch:
    field: str | None  # None: no match (or ambiguous)
    strength: tuple[int, int, int] = (0, 0, 0)  # profile (3,0,0) > exact synonym (2,0,0) > words (1, n words, length)
    implies: dict[str, str] = field(default_factory=dict)
    suffix: str | None = None  # unit appended to bare numbers
    method: str = ""
    note: str | None = None  # why not mapped / what was dropped


def _qualify(fld: str, syn_implies: dict[str, str], residual: set[str], last: str,
             vocab: Vocabulary) -> tuple[str, dict[str, str], str | None, str | None]:
    """Apply the qualifier words left in a header: (field, implies, suffix, note)."""
    implies = dict(syn_implies)
    qual = vocab.qualifiers.get(fld)
    if qual is None or not residual:
        return fld, implies, None, None
    found = {qual.words[t] for t in residual if t in qual.words}
    if last in residual and last in qual.codes:
        found.add(qual.codes[last])
    if not found:
        return fld, implies, None, None
    if len(found) > 1:
        return fld, implies, None, f"names several ({', '.join(sorted(found))}); none used"
    value = found.pop()
    if qual.rename:
        return qual.rename.format(value=value), implies, None, None
    if qual.suffix:
        return fld, implies, value, None
    if qual.implies:
        if implies.get(qual.implies, value) != value:
            note = f"names {qual.implies} {implies[qual.implies]} and {value}; none used"
            implies.pop(qual.implies)
            return fld, implies, None, note
        implies[qual.implies] = value
    return fld, implies, None, None


def match_header(header: str, vocab: Vocabulary | None = None) -> HeaderMatch:
    """Match one header against the vocabulary (no profile)."""
    vocab = vocab or vocabulary()
    key = normalise_header(header)
    if not key:
        return HeaderMatch(None, note="empty header")
    syn = vocab.by_key.get(key) or vocab.by_compact.get(_compact(key))
    if syn is not None:
        return HeaderMatch(syn.field, (2, 0, 0), dict(syn.implies), None, f"synonym {syn.header!r}")

    words = key.split()
    tokens = set(words)
    hits: list[Synonym] = []
    for syn in vocab.candidates(tokens):
        if not syn.tokens <= tokens:
            continue
        if syn.exact:  # generic word: only with nothing but qualifier words around it
            qual = vocab.qualifiers.get(syn.field)
            if qual is None or not (tokens - syn.tokens) <= qual.tokens():
                continue
        hits.append(syn)
    if not hits:
        return HeaderMatch(None)
    # most words wins; equally many words for two fields is a tie (not decided by letter count)
    most = max(len(s.tokens) for s in hits)
    best = [s for s in hits if len(s.tokens) == most]
    fields = sorted({s.field for s in best})
    if "level" in fields and len(fields) > 1 and set(fields) - {"level"} <= {"eqf_level", "nqf_level"}:
        # "Qualification level (RQF)": a header that names a framework is not the generic level
        fields.remove("level")
        best = [s for s in best if s.field != "level"]
    if len(fields) > 1:
        return HeaderMatch(None, note=f"matches {' and '.join(fields)} equally "
                                      f"({', '.join(repr(s.header) for s in best)})")
    syn = max(best, key=lambda s: s.size)
    # constants implied by every matching synonym of the chosen field (they must agree)
    implies: dict[str, str] = {}
    conflict: set[str] = set()
    for s in sorted((s for s in hits if s.field == syn.field), key=lambda s: s.size, reverse=True):
        for k, v in s.implies:
            if implies.get(k, v) != v:
                conflict.add(k)
            implies.setdefault(k, v)
    note = None
    for k in conflict:
        implies.pop(k, None)
        note = f"names several {k} values; none used"
    fld, implies, suffix, qnote = _qualify(syn.field, implies, tokens - syn.tokens, words[-1], vocab)
    if fld == IGNORE:
        return HeaderMatch(IGNORE, (1, *syn.size), method=f"words of {syn.header!r}")
    return HeaderMatch(fld, (1, *syn.size), implies, suffix, f"words of {syn.header!r}", qnote or note)


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------

_CONSTANT_LABEL = {"credit_unit": "unit", "nqf_framework": "framework", "price_currency": "currency",
                   "title_language": "language"}


@dataclass
class ColumnPlan:
    targets: dict[str, str] = field(default_factory=dict)  # source column -> candidate field
    constants: dict[str, str] = field(default_factory=dict)  # candidate field -> constant value
    unmapped: list[str] = field(default_factory=list)  # source columns not mapped
    ambiguous: list[str] = field(default_factory=list)  # messages: columns that lost or tied
    passthrough: list[str] = field(default_factory=list)  # __locator__ / __error__ where in the header
    implied: dict[str, dict[str, str]] = field(default_factory=dict)  # source column -> constants it implies
    suffixes: dict[str, str] = field(default_factory=dict)  # source column -> unit appended to bare numbers
    methods: dict[str, str] = field(default_factory=dict)  # source column -> how it was matched
    constant_sources: dict[str, str] = field(default_factory=dict)  # field -> where its constant came from
    # a duration column whose cells given in hours ("84 h") also fill workload_hours (only when no
    # column feeds workload_hours: "Durée: 84 h" in a training catalogue is the volume horaire)
    hours_from: str | None = None
    notes: list[str] = field(default_factory=list)  # everything else worth telling a person
    # the first column, unnamed or named like a row index ("", "Unnamed: 0", "#", "index"), used
    # as source_record_id when no header names an identifier and its values are unique in a batch
    index_column: str | None = None

    def field_of(self, column: str) -> str | None:
        return self.targets.get(column)

    def column_for(self, fld: str) -> str | None:
        return next((c for c, f in self.targets.items() if f == fld), None)

    def describe(self) -> list[str]:
        """One line per decision, for a person checking a new source."""
        lines = []
        for col, fld in self.targets.items():
            extra = [f"{_CONSTANT_LABEL.get(k, k)} {v}" for k, v in self.implied.get(col, {}).items()]
            if col in self.suffixes:
                extra.append(f"bare numbers read as {self.suffixes[col]}")
            if col == self.hours_from:
                extra.append("values in hours also give workload_hours")
            lines.append(f"{col!r} -> {fld}" + (f" ({', '.join(extra)})" if extra else ""))
        for fld, value in self.constants.items():
            lines.append(f"constant {fld} = {value!r} ({self.constant_sources.get(fld, 'implied')})")
        lines.extend(f"{col!r} not mapped" for col in self.unmapped)
        lines.extend(f"ambiguous: {msg}" for msg in self.ambiguous)
        lines.extend(f"note: {msg}" for msg in self.notes)
        return lines


@dataclass
class _Claim:
    index: int
    column: str
    match: HeaderMatch


# Headers of a leading index column (pandas' unnamed index, "#", "No."): normalised forms.
INDEX_HEADERS = frozenset({"", "column 1", "unnamed 0", "index", "idx", "no", "s no", "sl no", "sr no",
                           "row", "row id", "row number", "lfd nr", "n", "num"})


def _index_column(columns: list[str], unmapped: set[str]) -> str | None:
    """The leading column when it is named like a row index and nothing else claimed it."""
    if not columns:
        return None
    first = str(columns[0])
    return first if first in unmapped and normalise_header(first) in INDEX_HEADERS else None


def _profile_lookup(profile: Profile | None) -> tuple[dict[str, ColumnSpec], dict[str, tuple[str, ColumnSpec]]]:
    if profile is None:
        return {}, {}
    normalised = {}
    for name, spec in profile.columns.items():
        normalised.setdefault(normalise_header(name), (name, spec))
    return profile.columns, normalised


def plan_mapping(columns: list[str], profile: Profile | None = None) -> ColumnPlan:
    """Decide which source column feeds which candidate field, and which constants apply."""
    vocab = vocabulary()
    plan = ColumnPlan()
    exact_cols, norm_cols = _profile_lookup(profile)
    used_profile_cols: set[str] = set()
    claims: dict[str, list[_Claim]] = {}
    seen: set[str] = set()
    unmapped: list[tuple[int, str]] = []

    for index, raw in enumerate(columns):
        col = str(raw)
        if col in seen:
            plan.notes.append(f"column {col!r} occurs more than once; only the first is used")
            continue
        seen.add(col)
        if _RESERVED.match(col):  # never mapped; __raw__ etc. stay with the raw frame
            if col in PASSTHROUGH:
                plan.passthrough.append(col)
            continue
        if col.startswith(EXTENSION_PREFIX):  # a standard's element with no descriptor field
            unmapped.append((index, col))
            continue
        spec = exact_cols.get(col)
        spec_name = col if spec is not None else None
        if spec is None and normalise_header(col) in norm_cols:
            spec_name, spec = norm_cols[normalise_header(col)]
        if spec is None and (col in CANDIDATE_FIELDS or col.startswith(TITLE_PREFIX)):
            # a column already named as a candidate field (what the standards connectors emit)
            match = HeaderMatch(col, (3, 0, 0), {}, None, "candidate field name")
            claims.setdefault(match.field, []).append(_Claim(index, col, match))
            continue
        if spec is not None:
            used_profile_cols.add(spec_name)
            if spec.field is None:
                unmapped.append((index, col))
                plan.notes.append(f"{col!r} left unmapped by the profile")
                continue
            suffix = spec.unit if spec.field in UNIT_FIELDS and UNIT_FIELDS[spec.field] is None else None
            match = HeaderMatch(spec.field, (3, 0, 0), spec.implies(), suffix, "profile")
        elif (variant := _LANGUAGE_VARIANT.fullmatch(col)) is not None:
            # 'designacao@pt': one language's text of a field (connectors write these for lists
            # of language variants); a title in any language is title@<lang>, the rest stay unmapped
            base = match_header(variant[1], vocab)
            if base.field != "title":
                unmapped.append((index, col))
                continue
            match = HeaderMatch(f"{TITLE_PREFIX}{variant[2]}", (2, 0, 0), {}, None,
                                f"{variant[2]} variant of a title ({base.method})")
        else:
            match = match_header(col, vocab)
            if match.field is None or match.field == IGNORE:
                unmapped.append((index, col))
                if match.note and match.field is None:
                    plan.ambiguous.append(f"{col!r} {match.note}; left unmapped")
                elif match.field == IGNORE:
                    plan.notes.append(f"{col!r} is not mapped on purpose ({match.method})")
                continue
            if match.note:
                plan.notes.append(f"{col!r}: {match.note}")
        claims.setdefault(match.field, []).append(_Claim(index, col, match))

    if profile is not None:
        for name in profile.columns:
            if name not in used_profile_cols:
                plan.notes.append(f"profile column {name!r} is not in this source")

    winners: list[_Claim] = []
    for fld, group in claims.items():
        group.sort(key=lambda c: (tuple(-x for x in c.match.strength), c.index))
        winner, losers = group[0], group[1:]
        winners.append(winner)
        for loser in losers:
            plan.ambiguous.append(f"{loser.column!r} also matches {fld}, which {winner.column!r} "
                                  f"({winner.match.method}) feeds; {loser.column!r} left unmapped")
            unmapped.append((loser.index, loser.column))
    winners.sort(key=lambda c: c.index)

    # a title in another language only: it becomes the title, its language the title language
    if not any(c.match.field == "title" for c in winners):
        first = next((c for c in winners if c.match.field.startswith(TITLE_PREFIX)), None)
        if first is not None:
            lang = first.match.field[len(TITLE_PREFIX):]
            first.match = HeaderMatch("title", first.match.strength,
                                      {**first.match.implies, "title_language": lang},
                                      first.match.suffix, first.match.method)
            plan.notes.append(f"no plain title column; {first.column!r} ({TITLE_PREFIX}{lang}) is used as the title")

    if not any(c.match.field == "source_record_id" for c in winners):
        index_col = _index_column(columns, {c for _, c in unmapped})
        if index_col is not None:
            unmapped = [(i, c) for i, c in unmapped if c != index_col]
            winners.insert(0, _Claim(0, index_col, HeaderMatch("source_record_id", (1, 0, 0), {}, None,
                                                               "index column (used while its values are unique)")))
            plan.index_column = index_col

    for claim in winners:
        plan.targets[claim.column] = claim.match.field
        plan.methods[claim.column] = claim.match.method
        if claim.match.implies:
            plan.implied[claim.column] = dict(claim.match.implies)
        if claim.match.suffix:
            plan.suffixes[claim.column] = claim.match.suffix
    fed = {c.match.field for c in winners}
    if "workload_hours" not in fed and not (profile is not None and "workload_hours" in profile.constants):
        duration = next((c for c in winners if c.match.field == "duration"), None)
        if duration is not None and duration.match.suffix in (None, "hours"):
            plan.hours_from = duration.column
    # constants: header-implied first, then the profile (country, column units, constants) wins
    for claim in winners:
        if claim.match.method != "profile":
            for k, v in claim.match.implies.items():
                plan.constants[k] = v
                plan.constant_sources[k] = f"implied by {claim.column!r}"
    if profile is not None:
        if profile.country:
            plan.constants["country"] = profile.country
            plan.constant_sources["country"] = "profile country"
        for claim in winners:
            if claim.match.method == "profile":
                for k, v in claim.match.implies.items():
                    plan.constants[k] = v
                    plan.constant_sources[k] = f"profile, column {claim.column!r}"
        for k, v in profile.constants.items():
            plan.constants[k] = v
            plan.constant_sources[k] = "profile constants"
    plan.unmapped = [col for _, col in sorted(unmapped)]
    return plan


# ---------------------------------------------------------------------------------------------
# Applying the plan to a batch
# ---------------------------------------------------------------------------------------------

_BARE_NUMBER = r"^\s*\d+(?:[.,]\d+)?\s*$"
_IN_HOURS = (r"(?i)^\s*\d+(?:[.,]\d+)?\s*(?:h|hrs?|hours?|std\.?|stunden?|heures?|horas?|ore|ora|uur|uren|"
             r"godz\.?|godzin[ay]?)\s*$")


def _empty(s: pd.Series) -> pd.Series:
    """True where a cell has no value (missing or only whitespace)."""
    return s.isna() | s.astype("str").str.strip().eq("").fillna(False).astype(bool)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    got = frame[name]
    if isinstance(got, pd.DataFrame):  # duplicate header: the first one, as planned
        got = got.iloc[:, 0]
    return got


# Cells that say "no value" in the exporting system's words ("nil" from Ruby / Go, "NULL" from a
# database dump, "N/A", a dash): no value, as an empty cell is (the raw cell stays in provenance).
# "none" is a value where it is one of the field's words (assessment type none, QA none).
NULL_MARKERS = frozenset({"nil", "null", "n/a", "n.a.", "#n/a", "nan", "none", "-", "--", "---", "—", "–"})
_NONE_IS_A_VALUE = frozenset({"assessment_type", "quality_assurance", "supervision", "prerequisites",
                              "verification", "stackability"})


def _null_markers(s: pd.Series, fld: str, vmap: dict | None) -> pd.Series:
    markers = NULL_MARKERS - ({"none"} if fld in _NONE_IS_A_VALUE else set())
    if vmap:  # what the profile maps explicitly is its value
        markers = markers - {str(k).strip().casefold() for k in vmap}
    folded = s.astype("str").str.strip().str.casefold()
    return s.where(~(folded.isin(markers) & s.notna()), None)


def apply_mapping(frame: pd.DataFrame, plan: ColumnPlan, profile: Profile | None = None) -> pd.DataFrame:
    """The candidate frame for one raw batch: same index and row order as ``frame``.

    Columns: the mapped candidate fields (in source column order), then the constant-only fields,
    then ``__locator__`` and ``__error__`` (where the frame has them, whether or not the plan saw
    them) unchanged; other ``__x__`` columns (``__raw__``) stay with the raw frame. Profile value maps
    replace whole cell values (after strip, ignoring case); bare numbers in a column with a unit
    suffix get the unit appended; constants fill only the cells that are empty.
    """
    missing = [c for c in plan.targets if c not in frame.columns]
    if missing:
        raise KeyError(f"batch lacks the planned column(s) {missing}; plan the mapping from this batch's header")
    values = profile.values if profile is not None else {}
    out: dict[str, pd.Series] = {}
    for col, fld in plan.targets.items():
        s = _null_markers(_column(frame, col), fld, values.get(fld))
        vmap = values.get(fld)
        if vmap:
            lookup = {k.strip().casefold(): v for k, v in vmap.items()}
            mapped = s.astype("str").str.strip().str.casefold().map(lookup)
            s = s.where(mapped.isna(), mapped)
        unit = plan.suffixes.get(col)
        if unit:
            bare = s.astype("str").str.match(_BARE_NUMBER).fillna(False).astype(bool)
            s = s.where(~bare, s.astype("str").str.strip() + " " + unit)
        if fld in plan.constants:
            s = s.where(~_empty(s), plan.constants[fld])
        out[fld] = s
    if plan.hours_from is not None and "workload_hours" not in out:
        s = out["duration"]
        in_hours = s.astype("str").str.match(_IN_HOURS).fillna(False).astype(bool)
        if in_hours.any():
            out["workload_hours"] = s.where(in_hours, None).astype(object)
    if plan.index_column is not None and "source_record_id" in out:
        ids = out["source_record_id"]
        if _empty(ids).any() or ids.duplicated().any():  # not an identifier in this batch
            del out["source_record_id"]
    for fld, value in plan.constants.items():
        if fld not in out:
            out[fld] = pd.Series(value, index=frame.index, dtype=object)
    for col in (*PASSTHROUGH, *SUBJECT_CODES, SOURCE_SKILLS):
        if col in frame.columns:
            out[col] = _column(frame, col)
    return pd.DataFrame(out, index=frame.index)


def map_batch(frame: pd.DataFrame, profile: Profile | None = None) -> tuple[pd.DataFrame, ColumnPlan]:
    """Plan from the batch's own header and apply: (candidate frame, plan)."""
    plan = plan_mapping(list(frame.columns), profile)
    return apply_mapping(frame, plan, profile), plan


__all__ = [
    "ColumnPlan", "HeaderMatch", "LOCATOR", "ERROR", "apply_mapping", "map_batch", "match_header",
    "normalise_header", "parse_vocabulary", "plan_mapping", "vocabulary",
]
