"""The same suites, evaluated column by column: for tables too large for GX's pandas engine.

Great Expectations validates a pandas frame row by row in places and slows past a million
rows (its issue 4774). A national table has three million. This module reads the very
same suite JSON as :mod:`pipeline.quality.gx` and evaluates each expectation as one
vectorised mask, with GX's semantics (missing values are not "unexpected" except for
``expect_column_values_to_not_be_null``), returning results in the same shape
(:data:`pipeline.quality.gx.RESULT_COLUMNS`). The suite stays the one statement of the
rules; tests/test_national_quality.py checks that both engines give the same results.
Only the expectation types the national suite uses are known here; any other is refused
(:class:`ConfigError`), never skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError
from pipeline.quality.gx import RESULT_COLUMNS


def _resolve(value: object, parameters: dict[str, object]) -> object:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return parameters[value["$PARAMETER"]]
    return value


def _by_distinct(values: pd.Series, test) -> np.ndarray:
    """``test`` applied once per distinct value, mapped back (codes, not strings, per row)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    verdict = np.asarray([bool(test(u)) for u in uniques], dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    seen = codes >= 0
    out[seen] = verdict[codes[seen]]
    return out


def unexpected_mask(frame: pd.DataFrame, kind: str, kwargs: dict) -> np.ndarray:
    """Rows that fail one column expectation (missing values never do, but for not_null).

    Raises
    ------
    ConfigError
        For an expectation type this engine does not evaluate.
    """
    column = frame[kwargs["column"]]
    present = column.notna().to_numpy()
    if kind == "expect_column_values_to_not_be_null":
        return ~present
    if kind in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        allowed = set(kwargs["value_set"])
        inside = _by_distinct(column, lambda v: v in allowed)
        return present & (inside if kind == "expect_column_values_to_not_be_in_set"
                          else ~inside)
    if kind == "expect_column_values_to_match_regex":
        text = column.astype("string")
        matched = text.str.contains(kwargs["regex"], regex=True, na=False).to_numpy(dtype=bool)
        return present & ~matched
    if kind == "expect_column_values_to_be_between":
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
        bad = np.zeros(len(frame), dtype=bool)
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        with np.errstate(invalid="ignore"):
            if low is not None:
                bad |= numbers <= low if kwargs.get("strict_min") else numbers < low
            if high is not None:
                bad |= numbers >= high if kwargs.get("strict_max") else numbers > high
        return present & bad
    raise ConfigError(f"expectation {kind} cannot be evaluated column by column; use the "
                      "GX engine or add it to pipeline.quality.columnar")


def evaluate_suite(frame: pd.DataFrame, suite: dict,
                   parameters: dict[str, object] | None = None) -> pd.DataFrame:
    """One result row per expectation of ``suite`` on ``frame``, as GX would give it.

    ``failed_row_keys`` are row positions (the frame's ``row_key`` when GX runs it).
    """
    parameters = parameters or {}
    rows = len(frame)
    keys = np.arange(rows)
    records = []
    for item in suite.get("expectations", []):
        kind, meta = item["type"], item.get("meta") or {}
        kwargs = {k: _resolve(v, parameters) for k, v in item.get("kwargs", {}).items()}
        if kind == "expect_table_columns_to_match_set":
            wanted = set(kwargs["column_set"])
            ok = wanted <= set(frame.columns) if not kwargs.get("exact_match", True) \
                else wanted == set(frame.columns)
            failed: list[int] = []
            column = ""
        else:
            column = kwargs["column"]
            failed = keys[unexpected_mask(frame, kind, kwargs)].tolist()
            ok = not failed
        records.append({
            "suite": suite.get("name", ""), "expectation": kind, "column": column,
            "severity": str(item.get("severity", "critical")),
            "dimension": str(meta.get("dimension", "")),
            "expected": str(meta.get("expected", "")),
            "report_column": str(meta.get("report_column", column)),
            "success": bool(ok), "unexpected_count": len(failed), "element_count": rows,
            "failed_row_keys": failed,
        })
    return pd.DataFrame(records, columns=RESULT_COLUMNS)

