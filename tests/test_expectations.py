"""The GX descriptor suite: each invalid value gives its reason on its row, valid rows pass."""
from __future__ import annotations

import pytest

from clearinghouse import descriptor as d

gx_validate = pytest.importorskip("expectations.validate")


def rec(srid: str, **extra) -> dict:
    r = d.normalise({"source": "s", "source_record_id": srid, "id": d.record_id("s", srid),
                     "title": f"Course {srid}", "country": "IE", "eqf_level": 6, "ects": 5.0,
                     "languages": ["en", "ga"], "participation_mode": "blended",
                     "assessment_type": ["project"], "completeness": 0.7, **extra})
    return r


def test_valid_rows_pass():
    verdict = gx_validate.validate([rec("A"), rec("B", region="GB-SCT", country="GB", eqf_level=None)])
    assert verdict.reasons == {}
    assert verdict.summary["success"] is True
    assert {r["expectation"] for r in verdict.summary["results"]} >= {
        "expect_column_values_to_be_unique", "expect_column_values_to_be_between"}


@pytest.mark.parametrize("bad, field, rule", [
    ({"title": None}, "title", "required"),
    ({"eqf_level": 9}, "eqf_level", "out-of-range"),
    ({"eqf_level": 0}, "eqf_level", "out-of-range"),
    ({"ects": -5.0}, "ects", "out-of-range"),
    ({"workload_hours": 20000.0}, "workload_hours", "out-of-range"),
    ({"country": "XX"}, "country", "unknown-code"),
    ({"country": "UK"}, "country", "unknown-code"),
    ({"languages": ["en", "xx"]}, "languages", "unknown-code"),
    ({"title_language": "eng"}, "title_language", "unknown-code"),
    ({"participation_mode": "distance"}, "participation_mode", "not-in-vocabulary"),
    ({"assessment_type": ["exam"]}, "assessment_type", "not-in-vocabulary"),
    ({"start_date": "01.09.2025"}, "start_date", "not-iso-8601"),
    ({"start_date": "2025-09-01", "end_date": "2025-08-01"}, "end_date", "before-start"),
    ({"price": {"amount": 10.0, "currency": "EURO"}}, "price", "unknown-code"),
])
def test_each_rule_names_its_row_and_reason(bad, field, rule):
    verdict = gx_validate.validate([rec("A"), rec("B", **bad), rec("C")])
    assert list(verdict.reasons) == [1]
    assert [(r["field"], r["rule"]) for r in verdict.reasons[1]] == [(field, rule)]
    assert verdict.summary["success"] is False


def test_partial_dates_compare_by_their_period():
    verdict = gx_validate.validate([rec("A", start_date="2025-05-10", end_date="2025-05"),
                                    rec("B", start_date="2025", end_date="2025-03-01"),
                                    rec("C", start_date="2025-06", end_date="2025-05-31")])
    assert list(verdict.reasons) == [2]
    assert verdict.reasons[2][0]["rule"] == "before-start"


def test_untitled_rows_are_nobodys_duplicate():
    verdict = gx_validate.validate([rec("A"), rec("A", title=None)])
    assert [(r["field"], r["rule"]) for r in verdict.reasons[1]] == [("title", "required")]
    assert 0 not in verdict.reasons


def test_duplicate_ids_quarantine_every_occurrence_with_value_in_message():
    verdict = gx_validate.validate([rec("A"), rec("B"), rec("A")])
    assert sorted(verdict.reasons) == [0, 2]
    assert verdict.reasons[0][0]["message"] == "identifier 'A' occurs more than once in this delivery"


def test_several_reasons_on_one_row():
    verdict = gx_validate.validate([rec("A", title=None, eqf_level=11, country="ZZ")])
    assert {r["field"] for r in verdict.reasons[0]} == {"title", "eqf_level", "country"}
