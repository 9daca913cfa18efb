"""Data-quality stage: run the suites in order, quarantine failing rows, describe every finding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs.ingest import resolve_supersession
from pipeline.inputs.register import Register
from pipeline.inputs.sheets import cell_name
from pipeline.quality import catalogue, checks, cross_checks
from pipeline.quality.engines import open_session
from pipeline.quality.gx import (
    Dataset,
    explode_findings,
    load_suite,
    raise_for_critical,
)
from pipeline.rules_schema import Rules

SUITES = ("register", "targets", "returns", "certification", "coverage", "consistency",
          "lead_rating", "commentary", "plausibility", "soft_range")
QUARANTINE_COLUMNS = ["partner", "source_file", "source_sha256", "source_sheet", "source_row",
                      "cell", "column", "found", "check", "suite", "severity", "dimension",
                      "indicator_id", "period", "reason", "checked_column", "check_id", "grade"]


@dataclass(frozen=True)
class Checked:
    """Outcome of the quality stage.

    ``clean``: rows that passed (``in_force`` resolved); ``quarantine``: rows and files
    that failed a critical check; ``results``: one row per expectation run; ``findings``:
    every failed row of every suite, described in the partner's terms (``checked_column``
    names the column the expectation checked, with ``suite`` and ``check`` the key of its
    ``results`` row); ``assessed``: the
    indicators as the clean rows rate them (for the completeness counts); ``engine``: the
    validation engine that evaluated the suites (:data:`pipeline.quality.engines.ENGINES`).
    """

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    results: pd.DataFrame
    findings: pd.DataFrame
    assessed: pd.DataFrame
    engine: str = "columnar"


def load_suites(expectations_dir: Path) -> dict[str, dict]:
    """Every suite the quality stage runs, by name, with each expectation's severity,
    dimension and check id from the check catalogue (see :mod:`pipeline.quality.catalogue`)."""
    return catalogue.apply_catalogue({name: load_suite(expectations_dir, name) for name in SUITES},
                                     catalogue.load_catalogue(expectations_dir))


def cell_reference(sheet: str, header: str, column: str, row: int) -> str:
    """Where a partner finds a value: ``Returns!E14`` (or ``E14`` in a CSV)."""
    if row <= 0:
        return ""
    names = header.split(",") if header else []
    where = cell_name(names.index(column) + 1, row) if column in names else f"?{row}"
    return f"{sheet}!{where}" if sheet else where


def _text(row: dict, column: str) -> str:
    for name in (f"{column}_text", column):
        if name in row:
            value = row[name]
            return "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                else str(value)
    return ""


def _fill(template: str, row: dict) -> str:
    if "{" not in template:
        return template
    values = defaultdict(str, {k: v for k, v in row.items()
                               if not (isinstance(v, float) and pd.isna(v))})
    try:
        return template.format_map(values)
    except (ValueError, TypeError, KeyError):
        return template


FOUND_SHOWN = 200  # characters of a value quoted in a reason (the cell keeps them all)


def _shown(text: str) -> str:
    return text if len(text) <= FOUND_SHOWN else text[:FOUND_SHOWN] + "..."


def describe_findings(findings: pd.DataFrame, frames: dict[str, pd.DataFrame],
                      ids: dict[tuple[str, str, str], str] | None = None) -> pd.DataFrame:
    """Findings in a partner's terms: file, sheet, row, cell, value as typed, expectation.

    An expectation's ``report_column`` written ``{name}`` is read from each failing row's
    ``name`` column (a read problem names the cell it concerns). A row with no partner is
    reported to the partner its file's other rows name. A value read from a labelled cell
    above the header (a template's date certified) is located by the row's ``<column>_cell``.
    ``ids`` gives each finding its check id (:func:`pipeline.quality.catalogue.check_ids`).
    """
    out = []
    for (suite, check, column, expected, report), group in findings.groupby(
            ["suite", "expectation", "column", "expected", "report_column"], sort=False):
        records = frames[suite].reset_index(drop=True).iloc[group["row_key"].to_numpy()]
        for f, row in zip(group.itertuples(index=False), records.to_dict("records"),
                          strict=True):
            shown = (str(row.get(report[1:-1], "") or "") if report.startswith("{")
                     else report or column)
            found = _text(row, shown) if shown else ""
            source_row = int(row.get("source_row", 0) or 0)
            # Extra columns have no cell of their own in the check: point at the first one.
            at = found.split(", ")[0] if shown == "unexpected_columns" else shown
            placed = str(row.get(f"{at}_cell", "") or "") if at else ""
            out.append({
                "partner": str(row.get("partner", "") or row.get("file_partner", "") or ""),
                "source_file": str(row.get("source_file", "")),
                "source_sha256": str(row.get("source_sha256", "")),
                "source_sheet": str(row.get("source_sheet", "")), "source_row": source_row,
                "cell": placed or (cell_reference(str(row.get("source_sheet", "")),
                                                  str(row.get("source_header", "")), at,
                                                  source_row) if at else ""),
                "column": shown, "found": found, "check": check, "suite": suite,
                "severity": f.severity, "dimension": f.dimension,
                "indicator_id": str(row.get("indicator_id", "")),
                "period": str(row.get("period", "")),
                "reason": (f"{shown} {_shown(found)!r}: expected " if source_row and shown
                           else "expected ") + _fill(expected, row),
                "checked_column": column,
                "check_id": (ids or {}).get((suite, check, column), ""),
                "grade": catalogue.grade_of(f.severity),
            })
    frame = pd.DataFrame(out, columns=QUARANTINE_COLUMNS)
    return frame.sort_values(["partner", "source_file", "source_sheet", "source_row", "suite",
                              "check"], kind="stable").reset_index(drop=True)


def one_message_per_unread_row(findings: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Findings without the knock-on ones of rows that could not be read as written.

    A row with a ``read_problem`` (e.g. a quote never closed) gets that message only: its
    other cells are not what the partner meant, so checking them would only add noise.
    """
    unread = set(np.flatnonzero(returns["read_problem"].fillna("").to_numpy() != ""))
    knock_on = ((findings["suite"] == "returns") & findings["row_key"].isin(unread)
                & (findings["column"] != "read_problem"))
    return findings[~knock_on].reset_index(drop=True)


def quarantine_files(file_problems: pd.DataFrame) -> pd.DataFrame:
    """Whole files (or sheets) that could not be read, as quarantine records."""
    return pd.DataFrame({
        "partner": "", "source_file": file_problems["source_file"],
        "source_sha256": file_problems["source_sha256"],
        "source_sheet": file_problems["source_sheet"], "source_row": 0, "cell": "",
        "column": "", "found": "", "check": file_problems["check"], "suite": "ingest",
        "severity": "critical", "dimension": "validity", "indicator_id": "", "period": "",
        "reason": file_problems["reason"], "checked_column": "",
        "check_id": file_problems["check"].map(catalogue.FILE_CHECKS).fillna(""),
        "grade": "FAIL"}, columns=QUARANTINE_COLUMNS)


Assess = Callable[[Register, pd.DataFrame, str, Rules], pd.DataFrame]


def check_returns(rows: pd.DataFrame, file_problems: pd.DataFrame, register: Register,
                  suites: dict[str, dict], period: str, rules: Rules,
                  run_time: str | None = None, *, assess: Assess) -> Checked:
    """Validate the register and the returns; quarantine rows failing a critical check.

    First the register, targets and every row read; rows failing a critical check are
    quarantined and resubmissions resolved among the rest; each return file's
    certification is checked. Then the cross-row checks on the rows in force: completeness
    for ``period``, district against county, the lead's RAG against the numbers, commentary
    for red and amber, plausibility and soft ranges (all warnings: ADVISORY). ``run_time``
    (the run's generated-at stamp) bounds the submission times (a return stamped after the run is
    quarantined). The suites are evaluated by the engine ``rules.validation_engine`` names
    (:mod:`pipeline.quality.engines`). ``assess`` rates the clean rows for the lead-rating
    check: the assess stage's
    :func:`pipeline.assess.assessment.assess_indicators`, passed in so that data flows one
    way (the quality stage does not import a later stage).

    Raises
    ------
    ValidationFailed
        When a critical table-level expectation fails (nothing can be trusted).
    """
    params = checks.suite_parameters(register, rules)
    annotated = checks.annotate_returns(rows.reset_index(drop=True), register,
                                        rules.declared_extra_columns, run_time)
    frames = {"register": cross_checks.frame_register(register, period),
              "targets": cross_checks.frame_targets(register), "returns": annotated,
              "certification": cross_checks.frame_certification(annotated, period)}
    session = open_session(rules.validation_engine)
    results = session.run([Dataset(frames[name], suites[name], params) for name in frames])
    raise_for_critical(results, where="register and returns")
    findings = one_message_per_unread_row(explode_findings(results), annotated)
    bad = findings[(findings["suite"] == "returns") & (findings["severity"] == "critical")]
    clean = resolve_supersession(annotated.drop(index=sorted(set(bad["row_key"]))))
    clean = clean.reset_index(drop=True)

    assessed = assess(register, clean, period, rules)
    frames.update({
        "coverage": cross_checks.frame_coverage(clean, register, period),
        "consistency": cross_checks.frame_consistency(clean, register, period),
        "lead_rating": cross_checks.frame_lead_rating(assessed, clean),
        "commentary": cross_checks.frame_commentary(assessed, clean),
        "plausibility": cross_checks.frame_plausibility(clean, register, period, rules),
        "soft_range": cross_checks.frame_soft_range(clean, register, period, rules)})
    later = ("coverage", "consistency", "lead_rating", "commentary", "plausibility",
             "soft_range")
    results = pd.concat([results, session.run([Dataset(frames[n], suites[n], params)
                                               for n in later])], ignore_index=True)
    described = describe_findings(
        one_message_per_unread_row(explode_findings(results), annotated), frames,
        catalogue.check_ids(suites))
    quarantine = pd.concat([quarantine_files(file_problems),
                            described[(described["suite"] == "returns")
                                      & (described["severity"] == "critical")]],
                           ignore_index=True)
    quarantine["source_row"] = quarantine["source_row"].astype("int64")
    ids = catalogue.check_ids(suites)
    results["check_id"] = [ids.get(key, "") for key in zip(
        results["suite"], results["expectation"], results["column"], strict=True)]
    return Checked(clean, quarantine, results, described, assessed, rules.validation_engine)
