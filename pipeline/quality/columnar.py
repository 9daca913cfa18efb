"""The same suites, evaluated column by column: the run's engine for every suite.

This module reads the very same suite JSON as :mod:`pipeline.quality.gx` and evaluates each
expectation as one vectorised mask, with Great Expectations 1.x's pandas semantics, returning
results in the same shape (:data:`pipeline.quality.gx.RESULT_COLUMNS`). It starts at once
(GX takes about two seconds to import, and its per-expectation objects most of a second to
validate the returns' ten suites) and stays fast on a national table of millions of rows
(GX's pandas engine slows past a million: its issue 4774). The suites stay the one statement
of the rules; the tests run both engines on the demos' frames and on hostile ones and check
that they give the same results (tests/test_columnar_engine.py).

GX's semantics, as its pandas metrics compute them (great_expectations/expectations/metrics):

* missing values (``None``, ``NaN``, ``pd.NA``, ``NaT``) are never unexpected, but for
  ``expect_column_values_to_not_be_null``; the others look at the present values only;
* ``in_set`` / ``not_in_set``: ``Series.isin(value_set)`` (``True`` and ``1`` are equal, as
  in Python; ``"1"`` and ``1`` are not); a ``value_set`` of ``None`` is vacuously met;
* ``match_regex``: ``astype(str).str.contains(regex)`` (numbers are matched as written by
  ``str``, ``1.0`` as ``"1.0"``);
* ``between``: on an ``int64`` or ``float64`` column, vectorised comparisons; on any other
  column, value by value in Python, where a text value against number bounds raises (GX
  reports an exception: here a :class:`ConfigError`, as :mod:`pipeline.quality.gx` raises it);
* ``unique``: every occurrence of a repeated present value is unexpected
  (``duplicated(keep=False)``);
* ``compound_columns_unique``: rows whose columns are all missing are left out
  (``ignore_row_if="all_values_are_missing"``, GX's default; ``any_value_is_missing`` and
  ``never`` are also known); among the others, every occurrence of a repeated combination.

Anything else (another expectation type, ``mostly``, ``row_condition``, an argument not
listed in :data:`KNOWN_KWARGS`, a ``$PARAMETER`` not given) is refused with a
:class:`ConfigError`, never skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError
from pipeline.quality.gx import RESULT_COLUMNS, ROW_KEY, Dataset

_BOUNDS = ("min_value", "max_value", "strict_min", "strict_max")
# The arguments each known expectation type takes here; any other is refused.
KNOWN_KWARGS: dict[str, frozenset[str]] = {
    "expect_column_values_to_not_be_null": frozenset({"column"}),
    "expect_column_values_to_be_in_set": frozenset({"column", "value_set"}),
    "expect_column_values_to_not_be_in_set": frozenset({"column", "value_set"}),
    "expect_column_values_to_match_regex": frozenset({"column", "regex"}),
    "expect_column_values_to_be_between": frozenset({"column", *_BOUNDS}),
    "expect_column_values_to_be_unique": frozenset({"column"}),
    "expect_compound_columns_to_be_unique": frozenset({"column_list", "ignore_row_if"}),
    "expect_table_columns_to_match_set": frozenset({"column_set", "exact_match"}),
}
IGNORE_ROW_IF = ("all_values_are_missing", "any_value_is_missing", "never")


def _refuse(kind: str, why: str) -> ConfigError:
    return ConfigError(f"expectation {kind} cannot be evaluated column by column: {why}")


def _resolve(kind: str, value: object, parameters: dict[str, object]) -> object:
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        if name not in parameters:
            raise _refuse(kind, f"the suite's parameter {name!r} is not given")
        return parameters[name]
    return value


def resolve_kwargs(kind: str, kwargs: dict, parameters: dict[str, object]) -> dict:
    """The expectation's arguments, ``$PARAMETER`` placeholders filled, after checking that
    this engine knows the type and every argument (else :class:`ConfigError`)."""
    if kind not in KNOWN_KWARGS:
        raise _refuse(kind, "unknown expectation type; use the great_expectations engine "
                      "or add it to pipeline.quality.columnar")
    unknown = sorted(set(kwargs) - KNOWN_KWARGS[kind])
    if unknown:
        raise _refuse(kind, f"argument {', '.join(unknown)} is not supported")
    return {k: _resolve(kind, v, parameters) for k, v in kwargs.items()}


def _between_native(values: pd.Series, kw: dict) -> np.ndarray:
    """GX's vectorised comparison (int64 and float64 columns), present values only."""
    low, high = kw.get("min_value"), kw.get("max_value")
    ok = np.ones(len(values), dtype=bool)
    if low is not None:
        ok &= (values > low if kw.get("strict_min") else values >= low).to_numpy(dtype=bool)
    if high is not None:
        ok &= (values < high if kw.get("strict_max") else values <= high).to_numpy(dtype=bool)
    return ~ok


def _between_value(value: object, kw: dict) -> bool:
    """GX's ``is_between`` on one value: text only against text bounds."""
    low, high = kw.get("min_value"), kw.get("max_value")
    for bound in (low, high):
        if bound is not None and isinstance(value, str) != isinstance(bound, str):
            raise _refuse("expect_column_values_to_be_between",
                          f"{value!r} cannot be compared with the bound {bound!r} (Great "
                          "Expectations refuses it too: column values and bounds must be "
                          "of the same type)")
    try:
        return not ((low is None or (value > low if kw.get("strict_min") else value >= low))
                    and (high is None
                         or (value < high if kw.get("strict_max") else value <= high)))
    except TypeError as exc:
        raise _refuse("expect_column_values_to_be_between", str(exc)) from exc


def _between(values: pd.Series, kw: dict) -> np.ndarray:
    low, high = kw.get("min_value"), kw.get("max_value")
    if low is None and high is None:
        raise _refuse("expect_column_values_to_be_between",
                      "min_value and max_value cannot both be None")
    if low is not None and high is not None and low > high:
        raise _refuse("expect_column_values_to_be_between",
                      "min_value cannot be greater than max_value")
    if values.dtype in (np.dtype("int64"), np.dtype("float64")):
        return _between_native(values, kw)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype):
        raise _refuse("expect_column_values_to_be_between", "dates are not supported")
    return np.fromiter((_between_value(v, kw) for v in values), dtype=bool, count=len(values))


def unexpected_mask(frame: pd.DataFrame, kind: str, kwargs: dict) -> np.ndarray:
    """Rows that fail one column (or compound) expectation, ``kwargs`` resolved.

    Raises
    ------
    ConfigError
        For an expectation type or an argument this engine does not evaluate, a column
        the frame lacks, or values GX would refuse to compare.
    """
    if kind == "expect_compound_columns_to_be_unique":
        return _compound_unique(frame, kwargs)
    if kwargs.get("column") not in frame.columns:
        raise _refuse(kind, f"the frame has no column {kwargs.get('column')!r}")
    column = frame[kwargs["column"]]
    present = column.notna().to_numpy(dtype=bool)
    if kind == "expect_column_values_to_not_be_null":
        return ~present
    values = column if present.all() else column[present]
    if kind in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        if kwargs.get("value_set") is None:
            return np.zeros(len(frame), dtype=bool)
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            raise _refuse(kind, "dates are not supported")
        inside = values.isin(kwargs["value_set"]).to_numpy(dtype=bool)
        bad = inside if kind == "expect_column_values_to_not_be_in_set" else ~inside
    elif kind == "expect_column_values_to_match_regex":
        bad = ~values.astype(str).str.contains(kwargs["regex"]).to_numpy(dtype=bool)
    elif kind == "expect_column_values_to_be_between":
        bad = _between(values, kwargs)
    elif kind == "expect_column_values_to_be_unique":
        bad = values.duplicated(keep=False).to_numpy(dtype=bool)
    else:
        raise _refuse(kind, "unknown expectation type")
    out = np.zeros(len(frame), dtype=bool)
    out[present] = bad
    return out


def _compound_unique(frame: pd.DataFrame, kwargs: dict) -> np.ndarray:
    kind = "expect_compound_columns_to_be_unique"
    columns = list(kwargs.get("column_list") or [])
    missing = [c for c in columns if c not in frame.columns]
    if not columns or missing:
        raise _refuse(kind, f"the frame has no column {', '.join(map(repr, missing))}"
                      if missing else "column_list is empty")
    rule = kwargs.get("ignore_row_if", "all_values_are_missing")
    if rule not in IGNORE_ROW_IF:
        raise _refuse(kind, f"ignore_row_if {rule!r}; known: {', '.join(IGNORE_ROW_IF)}")
    part = frame[columns]
    absent = part.isna().to_numpy(dtype=bool)
    left_out = {"all_values_are_missing": absent.all(axis=1),
                "any_value_is_missing": absent.any(axis=1),
                "never": np.zeros(len(frame), dtype=bool)}[rule]
    out = np.zeros(len(frame), dtype=bool)
    out[~left_out] = part[~left_out].duplicated(keep=False).to_numpy(dtype=bool)
    return out


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
        kwargs = resolve_kwargs(kind, item.get("kwargs", {}), parameters)
        if kind == "expect_table_columns_to_match_set":
            wanted = set(kwargs["column_set"])
            have = {*frame.columns, ROW_KEY}   # GX is given the frame with its row_key
            ok = wanted <= have if kwargs.get("exact_match", True) is False else wanted == have
            failed: list[int] = []
            column = ""
        else:
            column = str(kwargs.get("column") or (kwargs.get("column_list") or [""])[0])
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


class ColumnarSession:
    """The columnar engine with :class:`pipeline.quality.gx.ValidationSession`'s interface:
    nothing to start; :meth:`run` validates datasets and returns one row per expectation."""

    def run(self, datasets: list[Dataset]) -> pd.DataFrame:
        """Validate each dataset against its suite (row keys: positions in its frame)."""
        parts = [evaluate_suite(d.frame.reset_index(drop=True), d.suite, d.parameters)
                 for d in datasets]
        return pd.concat(parts, ignore_index=True) if parts else \
            pd.DataFrame(columns=RESULT_COLUMNS)
