"""Data-quality validation: the only module that imports Great Expectations.

Suites live as JSON in ``expectations/``; each expectation carries a GX ``severity``
(``critical`` quarantines the failing rows, ``warning`` is reported) and in ``meta`` its
quality ``dimension`` and what was ``expected``, in words for partners.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, ValidationFailed

ROW_KEY = "row_key"
RESULT_COLUMNS = ["suite", "expectation", "column", "severity", "dimension", "expected",
                  "success", "unexpected_count", "element_count", "failed_row_keys"]
FINDING_COLUMNS = ["row_key", "suite", "expectation", "column", "severity", "dimension",
                   "expected", "found"]


def load_suite(expectations_dir: Path, name: str) -> dict:
    """Read suite ``name`` from ``<expectations_dir>/<name>.json``, naming the file on error."""
    path = expectations_dir / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"expectation suite cannot be read: {exc}", file=str(path)) from exc


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
    return gx


def run_suite(frame: pd.DataFrame, suite_json: dict,
              parameters: dict[str, object] | None = None) -> pd.DataFrame:
    """Validate ``frame`` against a suite; one result row per expectation.

    The frame gets a plain RangeIndex and a ``row_key`` column (its position) so each
    failure can be traced back to its row. ``parameters`` fill ``{"$PARAMETER": name}``
    placeholders in the suite (e.g. the register's indicator ids).
    """
    gx = _gx()
    data = frame.reset_index(drop=True).copy()
    data[ROW_KEY] = range(len(data))
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(gx.ExpectationSuite(**suite_json))
    asset = context.data_sources.add_pandas("returns").add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": data})
    result = batch.validate(suite, expectation_parameters=parameters or {},
                            result_format={"result_format": "COMPLETE",
                                           "unexpected_index_column_names": [ROW_KEY]})
    records = []
    for item in result.results:
        config = item.expectation_config
        info = item.exception_info or {}
        if info.get("raised_exception"):
            raise ConfigError(f"expectation {config.type} could not run: "
                              f"{info.get('exception_message')}", suite=suite.name)
        meta = config.meta or {}
        keys = [int(d[ROW_KEY]) for d in (item.result.get("unexpected_index_list") or [])
                if isinstance(d, dict)]
        records.append({
            "suite": suite.name,
            "expectation": config.type,
            "column": str(config.kwargs.get("column", "")),
            "severity": str(getattr(config.severity, "value", config.severity)),
            "dimension": str(meta.get("dimension", "")),
            "expected": str(meta.get("expected", "")),
            "success": bool(item.success),
            "unexpected_count": int(item.result.get("unexpected_count") or 0),
            "element_count": int(item.result.get("element_count") or len(data)),
            "failed_row_keys": keys,
        })
    return pd.DataFrame(records, columns=RESULT_COLUMNS)


def explode_findings(results: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per failed row and expectation, with the value found in that row."""
    rows = []
    data = frame.reset_index(drop=True)
    for _, res in results[~results["success"]].iterrows():
        for key in res["failed_row_keys"]:
            column = res["column"]
            found = data.at[key, column] if column in data.columns else ""
            rows.append({"row_key": key, **{c: res[c] for c in FINDING_COLUMNS[1:-1]},
                         "found": "" if pd.isna(found) else str(found)})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def table_level_failures(results: pd.DataFrame) -> pd.DataFrame:
    """Critical expectations that failed without naming rows (e.g. missing columns)."""
    failed = results[~results["success"] & (results["severity"] == "critical")]
    return failed[failed["failed_row_keys"].map(len) == 0]


def raise_for_critical(results: pd.DataFrame, where: str) -> None:
    """Stop the run (:class:`ValidationFailed`) if a table-level critical check failed."""
    failed = table_level_failures(results)
    if not failed.empty:
        first = failed.iloc[0]
        raise ValidationFailed(f"critical check {first['expectation']} failed: expected "
                               f"{first['expected'] or 'the suite to pass'}",
                               data=where, suite=first["suite"])
