"""Free text -> the descriptor's enums (form of participation, assessment, supervision,
credential type, quality assurance, stackability, verification). The words for each value in
en, de, fr, es, it, nl, pl are in ``vocab/modes.yaml``; free text that matches nothing gives
a flag, not a problem."""
from __future__ import annotations

import re
from functools import lru_cache

from clearinghouse.descriptor import (
    ASSESSMENT_TYPES, CREDENTIAL_TYPES, PARTICIPATION_MODES, QA_TYPES, STACKABILITY, SUPERVISION,
    VERIFICATION,
)
from transforms.result import Derived, Flag
from transforms.text import KeywordMatcher, as_text, clean_text, fold, load_yaml, shorten

_GENERIC = "_generic-exam"
# after a generic 'exam': what follows says which kind it is
_INTRO = re.compile(r"\s*(?::|\(|-|\u2013|in form|in der form|in form von|als|sous forme|en forme|en forma|in forma|in de vorm|w formie)")


def _vocab() -> dict:
    return load_yaml("modes.yaml")


@lru_cache(maxsize=None)
def _matcher(section: str) -> KeywordMatcher:
    table = dict(_vocab()[section])
    if section == "assessment_type":
        table[_GENERIC] = _vocab()["generic_exam"]
    return KeywordMatcher(table)


@lru_cache(maxsize=None)
def _not_mode() -> KeywordMatcher:
    return KeywordMatcher({"x": _vocab()["not_participation_mode"]})


def _enum_value(text: str, allowed: tuple[str, ...]) -> str | None:
    """The text is itself an enum value ('supervised-online-id-check', 'Digital badge')."""
    key = re.sub(r"[\s_]+", "-", fold(text))
    return key if key in allowed else None


def _unrecognised(field: str, raw: str, what: str) -> Derived:
    return Derived(flags=(Flag(field, "unrecognised-value",
                               f"'{shorten(raw)}' does not say {what} in words we know; left empty."),))


def participation_mode(text: str | None) -> Derived:
    """Form of participation -> online / onsite / blended. Words for both online and on-site
    ('online and on campus', 'Präsenz- und Onlinephasen') give blended."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    value = _enum_value(raw, PARTICIPATION_MODES)
    if value is None:
        found = _matcher("participation_mode").labels(raw)
        if "blended" in found or ("online" in found and "onsite" in found):
            value = "blended"
        elif found:
            value = found[0]
    if value is None:
        if _not_mode().find(raw):
            return Derived(flags=(Flag("participation_mode", "unrecognised-value",
                                       f"'{shorten(raw)}' is about study time, not the form of participation (online, on-site or blended); left empty."),))
        return _unrecognised("participation_mode", raw, "online, on-site or blended")
    return Derived(values={"participation_mode": value},
                   methods={"participation_mode": f"from '{shorten(raw)}' (vocabulary match)"})


def assessment_types(text: str | None) -> Derived:
    """Assessment text -> assessment_type: list of the descriptor's values in order of first
    appearance, without duplicates ('Klausur und mündliche Prüfung' -> written-exam, oral-exam).
    'Exam'/'Prüfung' alone (not saying written or oral) is read as written-exam with a flag."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    direct = [v for part in re.split(r"[,;|/]+", raw) if (v := _enum_value(part.strip(), ASSESSMENT_TYPES))]
    flags: list[Flag] = []
    if direct and len(direct) == len([p for p in re.split(r"[,;|/]+", raw) if p.strip()]):
        found = list(dict.fromkeys(direct))
    else:
        found = []
        folded = fold(raw)
        matches = _matcher("assessment_type").find(raw)
        specific = any(m.label != _GENERIC for m in matches)
        for m in matches:
            label = m.label
            if label == _GENERIC and specific and _INTRO.match(folded[m.end:]):
                continue  # 'Modulprüfung: Projektarbeit' - the exam is the project
            if label == _GENERIC:
                label = "written-exam"
                if not any(f.code == "assessment-guessed" for f in flags):
                    flags.append(Flag("assessment_type", "assessment-guessed",
                                      f"'{shorten(raw)}' names an exam without saying written or oral; read as a written exam."))
            if label not in found:
                found.append(label)
    if len(found) > 1 and "none" in found:
        found.remove("none")  # 'keine Prüfung, nur Projekt'
    if not found:
        return _unrecognised("assessment_type", raw, "how learners are assessed")
    return Derived(values={"assessment_type": found}, flags=tuple(flags),
                   methods={"assessment_type": f"from '{shorten(raw)}' (vocabulary match)"})


def supervision(text: str | None) -> Derived:
    """Supervision and identity check -> one of unsupervised-no-id-check,
    supervised-no-id-check, supervised-online-id-check, supervised-onsite-id-check."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    value = _enum_value(raw, SUPERVISION)
    flags: list[Flag] = []
    if value is None:
        found = set(_matcher("supervision").labels(raw))
        unsupervised = "unsupervised" in found
        id_check = "id_check" in found
        supervised = "supervised" in found or id_check
        where = found & {"online", "onsite"}
        if unsupervised:
            value = "unsupervised-no-id-check"
            if id_check:
                flags.append(Flag("supervision", "inconsistent-value",
                                  f"'{shorten(raw)}' says unsupervised and names an identity check; read as unsupervised."))
        elif supervised and not id_check:
            value = "supervised-no-id-check"
            if "no_id_check" not in found:
                flags.append(Flag("supervision", "id-check-not-stated",
                                  f"'{shorten(raw)}' says the assessment is supervised but not whether identity is checked; read as no identity check."))
        elif supervised and len(where) == 1:
            value = f"supervised-{where.pop()}-id-check"
        elif supervised:
            return Derived(flags=(Flag("supervision", "unrecognised-value",
                                       f"'{shorten(raw)}' says supervised with an identity check but not clearly whether online or on site; left empty."),))
    if value is None:
        return _unrecognised("supervision", raw, "whether the assessment is supervised and identity checked")
    return Derived(values={"supervision": value}, flags=tuple(flags),
                   methods={"supervision": f"from '{shorten(raw)}' (vocabulary match)"})


def credential_type(text: str | None) -> Derived:
    """Kind of credential -> credential_type. The most specific kind named wins (vocabulary
    order: micromasters, nanodegree, micro-credential, badge, verified / professional
    certificate, course, qualification); anything else -> other, with a flag."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    value = _enum_value(raw, CREDENTIAL_TYPES)
    if value is None:
        found = set(_matcher("credential_type").labels(raw))
        value = next((k for k in _vocab()["credential_type"] if k in found), None)
    if value is None:
        return Derived(values={"credential_type": "other"},
                       flags=(Flag("credential_type", "unrecognised-value",
                                   f"'{shorten(raw)}' is not a kind of credential we know; recorded as other."),),
                       methods={"credential_type": f"'{shorten(raw)}' not recognised: other"})
    return Derived(values={"credential_type": value},
                   methods={"credential_type": f"from '{shorten(raw)}' (vocabulary match)"})


def quality_assurance(text: str | None, body: str | None = None) -> Derived:
    """QA text and QA body -> quality_assurance {'type', 'body', 'text'}. Type: national-register
    over external-accreditation over internal (the strongest named); 'none' only when nothing
    else is named; text that names none of them -> unknown, with a flag. A known agency named in
    the text is taken as the body when none is given."""
    raw = clean_text(text)
    body_raw = clean_text(body)
    if raw is None and body_raw is None:
        return Derived()
    flags: list[Flag] = []
    qa_type = None
    probe = " ".join(x for x in (raw, body_raw) if x)
    if raw and (v := _enum_value(raw, QA_TYPES)):
        qa_type = v
    else:
        found = set(_matcher("quality_assurance").labels(probe))
        for kind in ("national-register", "external-accreditation", "internal", "none"):
            if kind in found:
                qa_type = kind
                break
    if body_raw is None and raw:
        bodies = [b for b in _vocab()["qa_bodies"]
                  if re.search(rf"(?<!\w){re.escape(fold(b))}(?!\w)", fold(raw))]
        if len(bodies) == 1:
            body_raw = bodies[0]
    if qa_type is None:
        qa_type = "unknown"
        flags.append(Flag("quality_assurance", "unrecognised-value",
                          f"'{shorten(probe)}' does not say what kind of quality assurance applies; type recorded as unknown."))
    value = {"type": qa_type, "body": body_raw, "text": raw}
    return Derived(values={"quality_assurance": value}, flags=tuple(flags),
                   methods={"quality_assurance": f"type from '{shorten(probe)}' (vocabulary match)"})


def stackability(text: str | None) -> Derived:
    """Stackable or standalone: yes/ja/oui/tak/sí and 'counts towards ...' -> stackable;
    no/nein/non and 'standalone' -> standalone."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    value = _enum_value(raw, STACKABILITY)
    flags: list[Flag] = []
    if value is None:
        found = _matcher("stackability").labels(raw)
        if "stackable" in found:
            value = "stackable"
            if "standalone" in found:
                flags.append(Flag("stackability", "inconsistent-value",
                                  f"'{shorten(raw)}' says both standalone and stackable; read as stackable."))
        elif found:
            value = "standalone"
    if value is None:
        return _unrecognised("stackability", raw, "whether the credential is stackable")
    return Derived(values={"stackability": value}, flags=tuple(flags),
                   methods={"stackability": f"from '{shorten(raw)}' (vocabulary match)"})


def verification(text: str | None) -> Derived:
    """How an award can be verified -> list of the descriptor's verification values, in order
    of first appearance."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    parts = [p.strip() for p in re.split(r"[,;|/]+", raw) if p.strip()]
    direct = [v for p in parts if (v := _enum_value(p, VERIFICATION))]
    found = direct if len(direct) == len(parts) else _matcher("verification").labels(raw)
    if not found:
        return _unrecognised("verification", raw, "how an award can be verified")
    return Derived(values={"verification": found},
                   methods={"verification": f"from '{shorten(raw)}' (vocabulary match)"})
