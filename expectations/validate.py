"""Run the descriptor suite with Great Expectations on a batch of harmonised records.

Returns every failing row with every reason (field, rule, message), and a summary of the GX
validation result that the run folder keeps."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from expectations.descriptor_suite import SUITE_NAME, VALIDATED_COLUMNS, Rule, column, rules

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class Verdict:
    reasons: dict[int, list[dict[str, str]]]  # row position -> reasons
    summary: dict[str, Any]  # per expectation: success, unexpected count


def records_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The scalar view of descriptors that the suite checks (lists joined with '|')."""
    def joined(v):
        return "|".join(v) if v else None

    rows = {
        # an untitled row is quarantined anyway: its (derived) id is nobody's duplicate
        "source_record_id": [r.get("source_record_id") if r.get("title") else None for r in records],
        "title": [r.get("title") or None for r in records],
        "eqf_level": pd.array([r.get("eqf_level") for r in records], dtype="Int64"),
        "ects": pd.array([r.get("ects") for r in records], dtype="Float64"),
        "workload_hours": pd.array([r.get("workload_hours") for r in records], dtype="Float64"),
        "completeness": pd.array([r.get("completeness") for r in records], dtype="Float64"),
        "country": [r.get("country") for r in records],
        "region": [r.get("region") for r in records],
        "title_language": [r.get("title_language") for r in records],
        "languages": [joined(r.get("languages")) for r in records],
        "assessment_type": [joined(r.get("assessment_type")) for r in records],
        "verification": [joined(r.get("verification")) for r in records],
        "start_date": [r.get("start_date") for r in records],
        "end_date": [r.get("end_date") for r in records],
        # partial dates ("2025-05", "2025") compared as the period's last and first day
        "end_date_latest": [_pad(r.get("end_date"), "-99-99") for r in records],
        "start_date_earliest": [_pad(r.get("start_date"), "-00-00") for r in records],
        "price_currency": [(r.get("price") or {}).get("currency") for r in records],
        "price_amount": pd.array([(r.get("price") or {}).get("amount") for r in records], dtype="Float64"),
    }
    for key in ("credential_type", "participation_mode", "supervision", "qf_ehea_cycle", "stackability"):
        rows[key] = [r.get(key) for r in records]
    frame = pd.DataFrame(rows)
    assert tuple(sorted(frame.columns)) == tuple(sorted(VALIDATED_COLUMNS))
    return frame


def _pad(date: str | None, fill: str) -> str | None:
    return (date + fill)[:10] if isinstance(date, str) and date else None


def _gx_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """GX's pandas engine wants plain object columns for strings with None (also after a
    Parquet round trip, which gives pandas' str dtype or an all-null column)."""
    out = frame.reset_index(drop=True).copy()
    for key in out.columns:
        if key in _NUMERIC:
            out[key] = out[key].astype("Float64" if key != "eqf_level" else "Int64")
        else:
            out[key] = pd.Series([None if v is None or v != v else v for v in out[key].tolist()],
                                 dtype=object)
    return out


_NUMERIC = frozenset({"eqf_level", "ects", "workload_hours", "completeness", "price_amount"})


@lru_cache(maxsize=1)
def _suite_runner():
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas("harmonised")
    batch_def = source.add_dataframe_asset("descriptors").add_batch_definition_whole_dataframe("batch")
    suite = gx.ExpectationSuite(name=SUITE_NAME)
    rule_list = rules()
    for rule in rule_list:
        suite.add_expectation(getattr(gx.expectations, rule.expectation)(**rule.kwargs))
    suite = context.suites.add(suite)
    return batch_def, suite, rule_list


def validate(records: list[dict[str, Any]]) -> Verdict:
    return validate_frame(records_frame(records))


def validate_frame(frame: pd.DataFrame) -> Verdict:
    """The suite on the scalar view of a batch (see records_frame); reasons keyed by row position."""
    if frame.empty:
        return Verdict(reasons={}, summary={"suite": SUITE_NAME, "rows": 0, "success": True, "results": []})
    frame = _gx_ready(frame)
    batch_def, suite, rule_list = _suite_runner()
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    by_key = {_key(r.expectation, r.kwargs): r for r in rule_list}
    reasons: dict[int, list[dict[str, str]]] = {}
    summary_rows = []
    for res in result.results:
        cfg = res.expectation_config
        rule: Rule | None = by_key.get(_key(_class_name(cfg.type), cfg.kwargs))
        unexpected = res.result.get("unexpected_index_list") or []
        summary_rows.append({
            "expectation": cfg.type, "column": cfg.kwargs.get("column") or cfg.kwargs.get("column_A"),
            "success": bool(res.success), "unexpected": len(unexpected),
            "error": (res.exception_info or {}).get("exception_message")
            if (res.exception_info or {}).get("raised_exception") else None,
        })
        if rule is None:
            continue
        if (res.exception_info or {}).get("raised_exception"):
            raise RuntimeError(f"validation rule {cfg.type} on {column(rule)} failed to run: "
                               f"{res.exception_info.get('exception_message')}")
        values = frame[column(rule)]
        for idx in unexpected:
            pos = int(idx if not isinstance(idx, dict) else next(iter(idx.values())))
            value = values.iloc[pos]
            reasons.setdefault(pos, []).append({
                "field": rule.field, "rule": rule.rule,
                "message": rule.message.format(value=value),
            })
    summary = {"suite": SUITE_NAME, "rows": len(frame), "success": bool(result.success),
               "results": summary_rows}
    return Verdict(reasons=reasons, summary=summary)


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _key(expectation: str, kwargs: dict[str, Any]) -> tuple:
    col = kwargs.get("column") or kwargs.get("column_A")
    return (expectation, col)
