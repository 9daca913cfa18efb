"""The data-quality pages of a run: the auditors' report, the partner scorecard and one
feedback file per partner.

The quality stage computes the frames (:mod:`pipeline.quality.scorecard`,
:mod:`pipeline.quality.quarantine`); this module writes them as CSV and JSON (partner text
defused) and as escaped, self-contained HTML: inline CSS, no script, nothing fetched, and
links between the pages relative to the ``data-quality`` folder, so the published folder
reads the same offline.
"""

from __future__ import annotations

import json
import os
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.figures import format_number
from pipeline.names import anchor, anchors, unique_slugs
from pipeline.quality.scorecard import FEEDBACK_COLUMNS
from pipeline.rag import rag_label
from pipeline.report.audit import describe_checked
from pipeline.report.export import write_csv
from pipeline.report.pages import render

UNKNOWN_PARTNER = "unknown-partner"
REPORT = "report.html"
RESULTS_JSON = "validation-results.json"
RESULTS_CSV = "validation-results.csv"
FAILURES_CSV = "validation-failures.csv"
CHECKS_PAGE = "checks.html"
CHECKS_CSV = "checks.csv"
AUDIT_CSV = "audit-findings.csv"
# How the suites were evaluated (Validation.engine, a name of pipeline.quality.engines.ENGINES),
# in the method note of the data-quality report.
ENGINE_NOTE = {
    "columnar": "They were evaluated column by column by this reporting system's own reader "
                "of those rules, which its tests show gives the same results as Great "
                "Expectations itself.",
    "great_expectations": "They were evaluated by Great Expectations itself.",
}
ROWS_SHOWN = 200            # rows a page lists per failed check, or per partner's feedback
FAILED_ROWS = "failed-rows"  # folder of the CSV of every row of a check failed by more
RESULTS_TABLE = {"suite": "suite", "expectation": "expectation", "column": "column",
                 "report_column": "partners' column", "severity": "severity",
                 "dimension": "dimension", "expected": "expected", "success": "passed",
                 "element_count": "rows checked", "unexpected_count": "rows failed"}
FAILED_ROW = {"partner": "partner", **{k: FEEDBACK_COLUMNS[k] for k in (
    "source_file", "source_sheet", "source_row", "cell", "column", "found", "indicator_id",
    "period", "reason")}}
_JSON_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass(frozen=True)
class Validation:
    """What the quality stage found, for the report: the GX ``results`` (one row per
    expectation), the ``findings`` (every failed row, in the partner's terms, with the
    ``checked_column``), the ``quarantine`` (its whole files: ``source_row`` 0), the
    ``suites`` as parsed JSON, the run's generated-at stamp, and the check ``catalogue``
    (:func:`pipeline.quality.catalogue.load_catalogue`; with it, the report gets its page
    of checks and every finding links to its check), and the auditor's findings
    (:attr:`pipeline.inputs.register.Register.audit_findings`: every one is listed), and
    the ``engine`` that evaluated the suites (a key of :data:`ENGINE_NOTE`)."""

    results: pd.DataFrame
    findings: pd.DataFrame
    quarantine: pd.DataFrame
    suites: dict[str, dict]
    generated_at: str
    catalogue: pd.DataFrame | None = None
    audit_findings: pd.DataFrame | None = None
    engine: str = "columnar"


@dataclass(frozen=True)
class FailedCheck:
    """One failed expectation and the rows that failed it (``rows``: the findings' columns)."""

    anchor: str
    suite: str
    check_id: str
    expectation: str
    column: str
    report_column: str
    severity: str
    dimension: str
    expected: tuple[tuple[str, bool], ...]
    rows_checked: int
    rows_failed: int
    rows: pd.DataFrame


def feedback_files(partners: list[str]) -> dict[str, str]:
    """The file name (no suffix) of each partner's feedback, distinct even for partner names
    that differ only in case or punctuation: ``Leicester City`` -> ``leicester-city``."""
    return unique_slugs(partners, fallback=UNKNOWN_PARTNER)


def phrase_expected(expected: str, expectation: str,
                    column: str) -> tuple[tuple[str, bool], ...]:
    """What an expectation wants, in words, as ``(text, is_placeholder)`` parts.

    The suite's ``meta.expected`` is used, its ``{column}`` placeholders (filled per row in
    the findings) named in words: ``a count (indicator {indicator_id})`` ->
    ``("a count (indicator ", False), ("indicator id", True), (")", False)``, printed
    ``[indicator id]``. A placeholder right after another (a figure and its unit,
    ``{change_threshold:g}{change_measure}``) is part of it: ``change threshold``. Without
    one, GX's name of the expectation says it: ``column values to be unique (indicator_id)``.
    """
    if not expected:
        return ((f"{expectation.removeprefix('expect_').replace('_', ' ')} ({column})", False),)
    try:
        fields = list(string.Formatter().parse(expected))
    except ValueError:
        return ((expected, False),)
    parts: list[tuple[str, bool]] = []
    for literal, field, _spec, _conversion in fields:
        if literal:
            parts.append((literal, False))
        if field and not (parts and parts[-1][1]):
            parts.append((field.replace("_", " "), True))
    return tuple(parts)


def _rows_of(findings: pd.DataFrame, result: pd.Series) -> pd.DataFrame:
    mine = findings[(findings["suite"] == result["suite"])
                    & (findings["check"] == result["expectation"])
                    & (findings["checked_column"] == result["column"])]
    return mine.reset_index(drop=True)


def list_failed_checks(results: pd.DataFrame, findings: pd.DataFrame) -> list[FailedCheck]:
    """Each failed expectation, in the order the suites ran, with the rows that failed it
    (partner, file, sheet, row, cell, value found, what was expected there)."""
    failed = results[~results["success"].astype(bool)].reset_index(drop=True)
    keys = [f"{r.suite} {r.expectation} {r.column}" for r in failed.itertuples()]
    ids = anchors("check", keys)
    return [FailedCheck(
        anchor=ids[key], suite=str(r["suite"]), check_id=str(r.get("check_id", "") or ""),
        expectation=str(r["expectation"]),
        column=str(r["column"]), report_column=str(r["report_column"]),
        severity=str(r["severity"]), dimension=str(r["dimension"]),
        expected=phrase_expected(str(r["expected"]), str(r["expectation"]), str(r["column"])),
        rows_checked=int(r["element_count"]), rows_failed=int(r["unexpected_count"]),
        rows=_rows_of(findings, r)) for key, (_, r) in zip(keys, failed.iterrows(), strict=True)]


def summarise_suites(results: pd.DataFrame, suites: dict[str, dict]) -> pd.DataFrame:
    """One row per suite, in the order they ran: what it checks, rows checked, expectations
    run, passed, and failed (critical and warning)."""
    records = []
    for suite, rows in results.groupby("suite", sort=False):
        ok = rows["success"].astype(bool)
        records.append({
            "suite": str(suite),
            "checks": str(suites.get(str(suite), {}).get("meta", {}).get("description", "")),
            "rows_checked": int(rows["element_count"].max()), "expectations": len(rows),
            "passed": int(ok.sum()),
            "failed_critical": int((~ok & (rows["severity"] == "critical")).sum()),
            "failed_warning": int((~ok & (rows["severity"] != "critical")).sum())})
    return pd.DataFrame(records, columns=["suite", "checks", "rows_checked", "expectations",
                                          "passed", "failed_critical", "failed_warning"])


def list_passed_checks(results: pd.DataFrame) -> pd.DataFrame:
    """The expectations that passed: suite, what was expected (in words), dimension,
    severity and rows checked."""
    passed = results[results["success"].astype(bool)]
    return pd.DataFrame({
        "suite": passed["suite"].astype(str),
        "expected": [phrase_expected(str(e), str(x), str(c)) for e, x, c in zip(
            passed["expected"], passed["expectation"], passed["column"], strict=True)],
        "column": passed["column"].astype(str), "dimension": passed["dimension"].astype(str),
        "severity": passed["severity"].astype(str),
        "rows_checked": passed["element_count"].astype("int64")}).reset_index(drop=True)


def _plain(value: object) -> object:
    """A numpy scalar as the Python value JSON knows."""
    return value.item() if isinstance(value, np.generic) else value


def results_json(validation: Validation, meeting: str, period: str,
                 checks: list[FailedCheck] | None = None) -> str:
    """The validation results for machines: every expectation (the results' columns) with
    its ``failed_rows`` (the findings' columns), and the ``files_not_read``. ``<``, ``>``
    and ``&`` are written as ``\\u003c`` etc., so the text stays inert even in a page.
    ``checks`` are :func:`list_failed_checks` of the validation, if already made."""
    if checks is None:
        checks = list_failed_checks(validation.results, validation.findings)
    failed = {(c.suite, c.expectation, c.column): c.rows for c in checks}
    expectations = []
    for result in validation.results[list(RESULTS_TABLE)].to_dict("records"):
        rows = failed.get((result["suite"], result["expectation"], result["column"]))
        rows = [] if rows is None else rows[list(FAILED_ROW)].to_dict("records")
        expectations.append({**{k: _plain(v) for k, v in result.items()},
                             "failed_rows": [{k: _plain(v) for k, v in row.items()}
                                             for row in rows]})
    payload = {"meeting": meeting, "period": period, "generated_at": validation.generated_at,
               "expectations": expectations,
               "files_not_read": _unread(validation.quarantine).to_dict("records")}
    text = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False)
    for char, escaped in _JSON_HTML.items():
        text = text.replace(char, escaped)
    return text + "\n"


def _unread(quarantine: pd.DataFrame) -> pd.DataFrame:
    whole = quarantine[quarantine["source_row"] == 0]
    return whole[["source_file", "source_sheet", "check", "reason"]].astype(str).reset_index(
        drop=True)


def check_anchor(check_id: str) -> str:
    """The id of a check's entry on the checks page: ``value-number`` -> ``check-value-number``."""
    return anchor("check", check_id)


def list_catalogue(catalogue: pd.DataFrame, results: pd.DataFrame,
                   quarantine: pd.DataFrame) -> pd.DataFrame:
    """The catalogue with this run's outcome of each check: PASS, or its grade with the
    rows (or files) that failed it; ``not run`` for a check of a suite that did not run."""
    failed = results[~results["success"].astype(bool)]
    column = "check_id" if "check_id" in results else None
    ran = set(results[column]) if column else set()
    rows_failed = (failed.groupby(column)["unexpected_count"].sum().to_dict() if column
                   else {})
    whole = quarantine[quarantine["source_row"] == 0]
    files_failed = (whole.groupby("check_id").size().to_dict() if "check_id" in whole
                    else {})
    outcomes = []
    for row in catalogue.itertuples(index=False):
        if row.id in files_failed:
            outcomes.append(f"{row.grade}: {files_failed[row.id]} file(s) or sheet(s)")
        elif row.id in rows_failed or (column and row.id in set(failed[column])):
            count = int(rows_failed.get(row.id, 0))
            outcomes.append(f"{row.grade}: {count} row(s)" if count else row.grade)
        elif row.id in ran or not row.suite:
            outcomes.append("PASS")
        else:
            outcomes.append("not run")
    return catalogue.assign(anchor=[check_anchor(i) for i in catalogue["id"]],
                            outcome=outcomes).reset_index(drop=True)


def write_checks_page(folder: Path, validation: Validation, meeting: str,
                      period: str) -> list[Path]:
    """The report's page of checks (``checks.html``, ``checks.csv``): every check of the
    catalogue with its id (an anchor the feedback links to), grade, dimension, what it
    checks, the guidance, and this run's outcome."""
    if validation.catalogue is None:
        return []
    table = list_catalogue(validation.catalogue, validation.results, validation.quarantine)
    page = render("checks.html.j2", checks=table, meeting=meeting, period=period,
                  generated_at=validation.generated_at, root="", report=REPORT)
    (folder / CHECKS_PAGE).write_text(page, encoding="utf-8")
    return [folder / CHECKS_PAGE,
            write_csv(table.drop(columns=["anchor"]), folder / CHECKS_CSV)]


def write_validation_report(folder: Path, validation: Validation, meeting: str, period: str,
                            partners: dict[str, str]) -> list[Path]:
    """Write the auditors' data-quality report (``report.html``) and the raw results
    (``validation-results.json``, ``validation-results.csv``, ``validation-failures.csv``).

    The report lists the first ``ROWS_SHOWN`` rows of each failed check, with their count;
    a check failed by more gets ``failed-rows/<check anchor>.csv`` with every row, linked.

    ``partners`` maps each partner with a feedback page to its path from ``folder`` (no
    suffix), so failed rows link to it.
    """
    checks = list_failed_checks(validation.results, validation.findings)
    columns = ["suite", "expectation", "severity", "dimension", *FAILED_ROW]
    full = {c.anchor: f"{FAILED_ROWS}/{c.anchor}.csv" for c in checks
            if len(c.rows) > ROWS_SHOWN}
    page = render("data_quality_report.html.j2", meeting=meeting, period=period,
                  generated_at=validation.generated_at, failed=checks,
                  suites=summarise_suites(validation.results, validation.suites),
                  passed=list_passed_checks(validation.results),
                  unread=_unread(validation.quarantine), partners=partners,
                  row_columns=FAILED_ROW, root="", report=REPORT,
                  downloads=(RESULTS_JSON, RESULTS_CSV, FAILURES_CSV),
                  checks_page=CHECKS_PAGE if validation.catalogue is not None else "",
                  check_anchor=check_anchor, rows_shown=ROWS_SHOWN, full=full,
                  figure=format_number, audit=validation.audit_findings,
                  engine_note=ENGINE_NOTE[validation.engine],
                  audit_sentence=describe_checked(validation.audit_findings["finding"])
                  if validation.audit_findings is not None else "")
    (folder / REPORT).write_text(page, encoding="utf-8")
    (folder / RESULTS_JSON).write_text(results_json(validation, meeting, period, checks),
                                       encoding="utf-8")
    table = validation.results[list(RESULTS_TABLE)].rename(columns=RESULTS_TABLE)
    rows = {c.anchor: c.rows.assign(expectation=c.expectation)[columns].rename(
        columns=FAILED_ROW) for c in checks}
    failures = pd.concat(rows.values(), ignore_index=True) if checks else pd.DataFrame(
        columns=columns).rename(columns=FAILED_ROW)
    return [folder / REPORT, folder / RESULTS_JSON,
            write_csv(table, folder / RESULTS_CSV),
            write_csv(failures, folder / FAILURES_CSV),
            *[write_csv(rows[key], folder / name) for key, name in full.items()],
            *write_checks_page(folder, validation, meeting, period),
            *([write_csv(validation.audit_findings, folder / AUDIT_CSV)]
              if validation.audit_findings is not None else [])]


def write_quality_reports(folder: Path, feedback_folder: Path, scorecard: pd.DataFrame,
                          feedback: dict[str, pd.DataFrame], meeting: str,
                          period: str, tables: dict[str, pd.DataFrame] | None = None,
                          validation: Validation | None = None) -> list[Path]:
    """Write the scorecard (CSV, HTML), one feedback file per partner (CSV, HTML), any
    further ``tables`` as ``<name>.csv`` and, given the ``validation``, the auditors' report
    (:func:`write_validation_report`), which every page then links to. A feedback page lists
    the first ``ROWS_SHOWN`` problems and links its CSV, which holds every one."""
    files = feedback_files(list(feedback))
    report = REPORT if validation is not None else ""
    down = Path(os.path.relpath(feedback_folder, folder)).as_posix() + "/"
    up = Path(os.path.relpath(folder, feedback_folder)).as_posix() + "/"
    links = {partner: down + name for partner, name in files.items()}
    written = [write_csv(scorecard, folder / "scorecard.csv")]
    written += [write_csv(table, folder / f"{name}.csv") for name, table in (tables or {}).items()]
    if validation is not None:
        written += write_validation_report(folder, validation, meeting, period, links)
    page = render("scorecard.html.j2", scorecard=scorecard, feedback=feedback, meeting=meeting,
                  period=period, files=links, root="",
                  report=report)
    (folder / "scorecard.html").write_text(page, encoding="utf-8")
    written.append(folder / "scorecard.html")
    checks = CHECKS_PAGE if validation is not None and validation.catalogue is not None else ""
    for partner, table in feedback.items():
        written.append(write_csv(table, feedback_folder / f"{files[partner]}.csv"))
        html = render("feedback.html.j2", partner=partner, table=table, meeting=meeting,
                      period=period, root=up, report=report, checks_page=checks,
                      check_anchor=check_anchor, rows_shown=ROWS_SHOWN,
                      csv=f"{files[partner]}.csv", figure=format_number)
        path = feedback_folder / f"{files[partner]}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


# The appendix's data-quality section (cells of notebooks/04_appendix.ipynb).

def render_certification(table: pd.DataFrame) -> str:
    """Per partner: certified or not, and by whom (see
    :func:`pipeline.quality.scorecard.certification_by_partner`)."""
    return render("certification.html.j2", rows=table.to_dict("records"))


def render_commentary_missing(table: pd.DataFrame) -> str:
    """The red and amber indicators without the lead's commentary (see
    :func:`pipeline.quality.scorecard.commentary_missing`); "" when there are none."""
    if table.empty:
        return ""
    rows = table.assign(rating=table["final_rag"].map(rag_label)).to_dict("records")
    return render("commentary_missing.html.j2", rows=rows)
