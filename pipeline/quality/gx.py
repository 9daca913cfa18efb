"""Data-quality validation: the only module that imports Great Expectations (when asked).

Great Expectations is the reference engine of the suites (``[quality] validation_engine =
"great_expectations"``); the run's default is :mod:`pipeline.quality.columnar`, which gives
the same results (see :mod:`pipeline.quality.engines`). GX is imported only when a
:class:`ValidationSession` is opened.

Suites live as JSON in ``expectations/``; each expectation carries a GX ``severity``
(``critical`` quarantines the failing rows, ``warning`` is reported) and in ``meta`` its
quality ``dimension``, what was ``expected`` (in words for partners; ``{column}``
placeholders are filled from the failing row) and the ``report_column`` partners know.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, ValidationFailed

ROW_KEY = "row_key"
RESULT_COLUMNS = ["suite", "expectation", "column", "severity", "dimension", "expected",
                  "report_column", "success", "unexpected_count", "element_count",
                  "failed_row_keys"]
FINDING_COLUMNS = ["suite", "row_key", "expectation", "column", "severity", "dimension",
                   "expected", "report_column"]


@dataclass(frozen=True)
class Dataset:
    """One frame to validate, its suite (parsed JSON) and the suite's parameters."""

    frame: pd.DataFrame
    suite: dict
    parameters: dict[str, object] = field(default_factory=dict)


def load_suite(expectations_dir: Path, name: str) -> dict:
    """Read suite ``name`` from ``<expectations_dir>/<name>.json``, naming the file on error."""
    path = expectations_dir / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"expectation suite cannot be read: {exc}", file=str(path)) from exc


def import_gx():
    """Great Expectations, imported quietly (no analytics, no warnings, errors logged only)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
    return gx


def _context(gx):
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


class ValidationSession:
    """One GX context for a run: validate datasets in several steps.

    Each frame gets a plain RangeIndex and a ``row_key`` column (its position) so every
    failure can be traced back to its row. ``parameters`` fill ``{"$PARAMETER": name}``
    placeholders in the suite (e.g. the register's indicator ids). No GX Data Docs are
    built: the results are reported by :mod:`pipeline.report.quality_pages`.
    """

    def __init__(self) -> None:
        self._gx = import_gx()
        self._context = _context(self._gx)
        # one asset and batch definition for every frame: adding one saves the context's
        # whole configuration, which grows with each asset added
        self._batches = self._context.data_sources.add_pandas("laa") \
            .add_dataframe_asset("frames").add_batch_definition_whole_dataframe("all")

    def run(self, datasets: list[Dataset]) -> pd.DataFrame:
        """Validate each dataset against its suite; one result row per expectation.

        Each suite is validated on its batch directly (``Batch.validate``), not through a
        stored checkpoint: the same expectations and results, without storing a suite, a
        validation definition and a checkpoint in the context for each (a quarter of the
        time of the demo's validation).
        """
        gx = self._gx
        records = []
        for dataset in datasets:
            data = dataset.frame.reset_index(drop=True).copy()
            data[ROW_KEY] = range(len(data))
            try:
                suite = gx.ExpectationSuite(**dataset.suite)
            except (ValueError, TypeError, gx.exceptions.GreatExpectationsError) as exc:
                raise ConfigError(f"expectation suite not valid: {' '.join(str(exc).split())}",
                                  suite=str(dataset.suite.get("name", ""))) from exc
            batch = self._batches.get_batch(batch_parameters={"dataframe": data})
            try:
                result = batch.validate(
                    suite, expectation_parameters=dataset.parameters,
                    result_format={"result_format": "COMPLETE",
                                   "unexpected_index_column_names": [ROW_KEY]})
            except gx.exceptions.SuiteParameterError as exc:
                raise ConfigError(f"expectation suite parameter missing: {exc}",
                                  suite=suite.name) from exc
            records += [_record(suite.name, item, len(data)) for item in result.results]
        return pd.DataFrame(records, columns=RESULT_COLUMNS)


def run_suites(datasets: list[Dataset]) -> pd.DataFrame:
    """Validate datasets in a fresh :class:`ValidationSession`."""
    return ValidationSession().run(datasets)


def _raised(info: dict) -> str | None:
    """The message of an exception GX caught while running an expectation, or None.

    GX reports it either at the top of ``exception_info`` or, when one of the
    expectation's metrics failed (a missing column, text compared with number bounds),
    under each metric's id: both mean the expectation did not run.
    """
    for found in (info, *(v for v in info.values() if isinstance(v, dict))):
        if found.get("raised_exception"):
            return str(found.get("exception_message") or "")
    return None


def _record(suite: str, item, rows: int) -> dict:
    config = item.expectation_config
    message = _raised(item.exception_info or {})
    if message is not None:
        raise ConfigError(f"expectation {config.type} could not run: {message}", suite=suite)
    meta = config.meta or {}
    keys = [int(d[ROW_KEY]) for d in (item.result.get("unexpected_index_list") or [])
            if isinstance(d, dict)]
    columns = config.kwargs.get("column_list") or [""]   # compound checks: the first names it
    column = str(config.kwargs.get("column") or config.kwargs.get("column_B") or columns[0])
    return {
        "suite": suite, "expectation": config.type, "column": column,
        "severity": str(getattr(config.severity, "value", config.severity)),
        "dimension": str(meta.get("dimension", "")),
        "expected": str(meta.get("expected", "")),
        "report_column": str(meta.get("report_column", column)),
        "success": bool(item.success),
        "unexpected_count": int(item.result.get("unexpected_count") or 0),
        "element_count": int(item.result.get("element_count") or rows),
        "failed_row_keys": sorted(set(keys)),
    }


def run_suite(frame: pd.DataFrame, suite_json: dict,
              parameters: dict[str, object] | None = None) -> pd.DataFrame:
    """Validate one frame against one suite (see :func:`run_suites`)."""
    return run_suites([Dataset(frame, suite_json, parameters or {})])


def explode_findings(results: pd.DataFrame) -> pd.DataFrame:
    """One row per failed row and expectation (suite, row_key, and the expectation's words)."""
    failed = results.loc[~results["success"]].explode("failed_row_keys")
    failed = failed[failed["failed_row_keys"].notna()].rename(
        columns={"failed_row_keys": "row_key"})
    out = failed.assign(row_key=failed["row_key"].astype("int64"))
    return out[FINDING_COLUMNS].reset_index(drop=True)


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
