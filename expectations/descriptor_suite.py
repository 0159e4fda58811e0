"""The descriptor suite: what every harmonised record must satisfy to be accepted.

Each entry names the expectation, the descriptor field it is about, the rule code that goes into a
quarantine reason, and the message template (``{value}`` is the offending value). The suite is
derived from the descriptor's own enumerations so it cannot drift from the contract.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry

from clearinghouse import descriptor as d

SUITE_NAME = "credential_descriptor"
ISO_DATE = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"


@dataclass(frozen=True)
class Rule:
    expectation: str  # great_expectations.expectations class name
    kwargs: dict[str, Any] = field(hash=False)
    field: str  # descriptor key for the quarantine reason
    rule: str
    message: str  # may use {value}


@lru_cache(maxsize=1)
def iso_codes() -> dict[str, frozenset[str]]:
    return {
        "country": frozenset(c.alpha_2 for c in pycountry.countries),
        "region": frozenset(s.code for s in pycountry.subdivisions),
        "language": frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")),
        "currency": frozenset(c.alpha_3 for c in pycountry.currencies),
    }


def _list_regex(values) -> str:
    alt = "|".join(sorted(re.escape(v) for v in values))
    return rf"^(?:{alt})(?:\|(?:{alt}))*$"


def rules() -> list[Rule]:
    codes = iso_codes()
    r = [
        Rule("ExpectColumnValuesToNotBeNull", {"column": "title"}, "title", "required",
             "the title is missing"),
        Rule("ExpectColumnValuesToBeUnique", {"column": "source_record_id"}, "source_record_id",
             "duplicate", "identifier '{value}' occurs more than once in this delivery"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "eqf_level", "min_value": 1, "max_value": 8},
             "eqf_level", "out-of-range", "EQF level {value} is outside 1-8"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "ects", "min_value": 0, "max_value": 400},
             "ects", "out-of-range", "{value} ECTS is not a plausible workload (0-400)"),
        Rule("ExpectColumnValuesToBeBetween",
             {"column": "workload_hours", "min_value": 0, "max_value": 12000},
             "workload_hours", "out-of-range", "{value} hours is not a plausible workload (0-12000)"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "completeness", "min_value": 0, "max_value": 1},
             "completeness", "out-of-range", "completeness {value} is outside 0-1"),
        Rule("ExpectColumnValuesToBeInSet", {"column": "country", "value_set": sorted(codes["country"])},
             "country", "unknown-code", "'{value}' is not an ISO 3166-1 country code"),
        Rule("ExpectColumnValuesToBeInSet", {"column": "region", "value_set": sorted(codes["region"])},
             "region", "unknown-code", "'{value}' is not an ISO 3166-2 subdivision code"),
        Rule("ExpectColumnValuesToBeInSet",
             {"column": "title_language", "value_set": sorted(codes["language"])},
             "title_language", "unknown-code", "'{value}' is not an ISO 639-1 language code"),
        Rule("ExpectColumnValuesToMatchRegex",
             {"column": "languages", "regex": _list_regex(codes["language"])},
             "languages", "unknown-code", "'{value}' holds a code that is not ISO 639-1"),
        Rule("ExpectColumnValuesToMatchRegex",
             {"column": "assessment_type", "regex": _list_regex(d.ASSESSMENT_TYPES)},
             "assessment_type", "not-in-vocabulary", "'{value}' is not an assessment type of the descriptor"),
        Rule("ExpectColumnValuesToMatchRegex",
             {"column": "verification", "regex": _list_regex(d.VERIFICATION)},
             "verification", "not-in-vocabulary", "'{value}' is not a verification method of the descriptor"),
        Rule("ExpectColumnValuesToMatchRegex", {"column": "start_date", "regex": ISO_DATE},
             "start_date", "not-iso-8601", "'{value}' is not an ISO 8601 date"),
        Rule("ExpectColumnValuesToMatchRegex", {"column": "end_date", "regex": ISO_DATE},
             "end_date", "not-iso-8601", "'{value}' is not an ISO 8601 date"),
        Rule("ExpectColumnPairValuesAToBeGreaterThanB",
             {"column_A": "end_date_latest", "column_B": "start_date_earliest", "or_equal": True,
              "ignore_row_if": "either_value_is_missing"},
             "end_date", "before-start", "the end date is before the start date"),
        Rule("ExpectColumnValuesToBeInSet",
             {"column": "price_currency", "value_set": sorted(codes["currency"])},
             "price", "unknown-code", "'{value}' is not an ISO 4217 currency"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "price_amount", "min_value": 0},
             "price", "out-of-range", "price {value} is negative"),
    ]
    for key in ("credential_type", "participation_mode", "supervision", "qf_ehea_cycle", "stackability"):
        r.append(Rule("ExpectColumnValuesToBeInSet",
                      {"column": key, "value_set": list(d.FIELD_BY_KEY[key].enum or ())},
                      key, "not-in-vocabulary", "'{value}' is not a value the descriptor allows for " + key))
    return r


def column(rule: Rule) -> str:
    return rule.kwargs.get("column") or rule.kwargs["column_A"]


VALIDATED_COLUMNS = (
    "source_record_id", "title", "eqf_level", "ects", "workload_hours", "completeness", "country",
    "region", "title_language", "languages", "assessment_type", "verification", "start_date",
    "end_date", "price_currency", "price_amount", "credential_type", "participation_mode",
    "supervision", "qf_ehea_cycle", "stackability", "end_date_latest", "start_date_earliest",
)
