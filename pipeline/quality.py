"""Data-quality stage: suite parameters from the register, quarantine of failing rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.ingest import resolve_supersession
from pipeline.periods import Period
from pipeline.register import Register
from pipeline.validation import explode_findings, raise_for_critical, run_suite

QUARANTINE_COLUMNS = ["partner", "source_file", "source_sha256", "source_sheet", "source_row",
                      "cell", "column", "found", "check", "severity", "dimension", "reason"]
# Derived columns are reported to partners as the column they typed.
_REPORTED_COLUMN = {"value_problem": "value", "final_without_value": "value"}
_RAW_TEXT = {"value": "value_text", "period": "period_text", "submitted_at": "submitted_at_text"}


@dataclass(frozen=True)
class Checked:
    """Outcome of the quality stage: rows that passed (with ``in_force``), quarantine, results."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    results: pd.DataFrame
    findings: pd.DataFrame


def agreement_periods(register: Register) -> list[str]:
    """Every financial year with a target, and its four quarters: the periods returns may use."""
    years = sorted({Period(int(p[:4])) for p in register.targets["period"]})
    return [str(Period(y.year, q)) for y in years for q in (1, 2, 3, 4, 5)]


def suite_parameters(register: Register) -> dict[str, list[str]]:
    """Values the returns suite takes from the register (ids, periods, geographies)."""
    return {
        "indicator_ids": sorted(register.indicators["indicator_id"]),
        "periods": agreement_periods(register),
        "geographies": ["county", *register.districts],
    }


def cell_reference(sheet: str, header: str, column: str, row: int) -> str:
    """Where a partner finds a value: ``Returns!E14`` (or ``E14`` in a CSV)."""
    names = header.split(",") if header else []
    letter = get_column_letter(names.index(column) + 1) if column in names else "?"
    return f"{sheet}!{letter}{row}" if sheet else f"{letter}{row}"


def describe_findings(findings: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Findings in a partner's terms: file, sheet, row, cell, value as typed, expectation."""
    data = rows.reset_index(drop=True)
    out = []
    for _, f in findings.iterrows():
        row = data.iloc[int(f["row_key"])]
        column = _REPORTED_COLUMN.get(f["column"], f["column"])
        found = row[_RAW_TEXT[column]] if column in _RAW_TEXT else f["found"]
        out.append({
            "partner": row["partner"], "source_file": row["source_file"],
            "source_sha256": row["source_sha256"], "source_sheet": row["source_sheet"],
            "source_row": int(row["source_row"]),
            "cell": cell_reference(row["source_sheet"], row["source_header"], column,
                                   int(row["source_row"])),
            "column": column, "found": str(found), "check": f["expectation"],
            "severity": f["severity"], "dimension": f["dimension"],
            "reason": f"{column} {str(found)!r}: expected {f['expected']}",
        })
    return pd.DataFrame(out, columns=QUARANTINE_COLUMNS)


def quarantine_files(file_problems: pd.DataFrame) -> pd.DataFrame:
    """Whole files (or sheets) that could not be read, as quarantine records."""
    out = pd.DataFrame({
        "partner": "", "source_file": file_problems["source_file"],
        "source_sha256": file_problems["source_sha256"],
        "source_sheet": file_problems["source_sheet"], "source_row": 0, "cell": "",
        "column": "", "found": "", "check": file_problems["check"], "severity": "critical",
        "dimension": "validity", "reason": file_problems["reason"]}, columns=QUARANTINE_COLUMNS)
    return out


def check_returns(rows: pd.DataFrame, file_problems: pd.DataFrame, register: Register,
                  suite_json: dict) -> Checked:
    """Validate ingested rows; quarantine rows failing a critical check; resolve resubmissions.

    Raises
    ------
    ValidationFailed
        When a critical table-level expectation fails (nothing can be trusted).
    """
    data = rows.reset_index(drop=True)
    results = run_suite(data, suite_json, suite_parameters(register))
    raise_for_critical(results, where="returns")
    findings = explode_findings(results, data)
    described = describe_findings(findings, data)
    critical = sorted(set(findings.loc[findings["severity"] == "critical", "row_key"]))
    passed = data.drop(index=critical)
    quarantine = pd.concat([quarantine_files(file_problems),
                            described[described["severity"] == "critical"]], ignore_index=True)
    quarantine["source_row"] = quarantine["source_row"].astype("int64")
    clean = resolve_supersession(passed).reset_index(drop=True)
    return Checked(clean, quarantine, results, described)
