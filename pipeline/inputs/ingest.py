"""Ingest: partner return files (CSV, XLSX) into one tidy table with lineage, never losing a row.

The files are found and read by :mod:`pipeline.inputs.return_files`, each sheet made a
frame by :mod:`pipeline.inputs.return_sheet`, each value read by
:mod:`pipeline.inputs.return_values`; this module joins them into one table
(:func:`ingest_returns`), marks the submission in force and lists the sources read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.inputs.register_files import COUNTY
from pipeline.inputs.return_files import DEFAULT_MAX_BYTES, find_return_files, read_return_file
from pipeline.inputs.return_sheet import BLOCK_COLUMNS, RETURN_COLUMNS
from pipeline.inputs.return_values import (
    RAG_WORDS,
    is_excel_error,
    is_not_available,
    parse_timestamps,
    parse_value,
    value_problem,
)
from pipeline.periods import normalise_period

LINEAGE_COLUMNS = ["source_file", "source_sha256", "source_sheet", "source_row", "record_id",
                   "source_header", "unexpected_columns", "decimal_comma"]
# What the reader noticed about a row: a problem quarantines it (the only message it gets),
# a warning is reported; each names the column it concerns ("" for the row). With the
# value a row made by other means (e.g. in tests) has.
READ_DEFAULTS = {"read_problem": "", "read_problem_column": "", "read_warning": "",
                 "read_warning_column": "", "indicator_id_numeric": False}
READ_COLUMNS = list(READ_DEFAULTS)
# ``detail``: a library's own words about a file it could not read (for maintainers only).
FILE_PROBLEM_COLUMNS = ["source_file", "source_sha256", "source_sheet", "check", "reason",
                        "detail"]


@dataclass(frozen=True)
class Ingested:
    """Every row read (``rows``) and every file that could not be read (``file_problems``)."""

    rows: pd.DataFrame
    file_problems: pd.DataFrame


def tidy_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Parse and normalise the raw text columns, keeping the text beside each parsed value."""
    rows = raw.copy()
    for column in RETURN_COLUMNS:
        rows[column] = rows[column].fillna("").astype(str).str.strip()
    for column in BLOCK_COLUMNS:
        rows[column] = (rows[column].fillna("").astype(str).str.strip() if column in rows
                        else "")
    comma = rows["decimal_comma"].astype(bool)
    rows["value_text"] = rows["value"]
    rows["value"] = [parse_value(t, c) for t, c in zip(rows["value_text"], comma, strict=True)]
    rows["value"] = rows["value"].astype("float64")
    rows["value_problem"] = [value_problem(t, c) for t, c in
                             zip(rows["value_text"], comma, strict=True)]
    rows["data_status"] = rows["data_status"].str.lower().str.replace(" ", "_")
    # An Excel error (#VALUE!...) where the row declares no value is no problem.
    excused = (rows["data_status"] == "not_available") & rows["value_text"].map(
        is_excel_error).astype(bool)
    rows["value_problem"] = rows["value_problem"].where(~excused, "")
    for column, default in READ_DEFAULTS.items():
        rows[column] = rows[column].fillna(default).astype(type(default))
    declared_blank = rows["value_text"].map(is_not_available).astype(bool)
    rows["final_without_value"] = (rows["data_status"] == "final") & declared_blank
    rows["period_text"] = rows["period"]
    canonical = rows["period"].map(normalise_period)
    rows["period"] = canonical.where(canonical.notna(), rows["period"])
    rows["lead_rag"] = rows["lead_rag"].map(lambda r: RAG_WORDS.get(r.casefold(), r))
    rows["geography"] = rows["geography"].where(
        rows["geography"].str.casefold() != COUNTY, COUNTY)
    rows["submitted_at_text"] = rows["submitted_at"]
    rows["submitted_at"] = parse_timestamps(rows["submitted_at"])
    return rows


def ingest_returns(returns_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Ingested:
    """Read every return under ``returns_dir`` (sorted by name) into one tidy table.

    Files are only read, never changed. A file that cannot be used at all (or a link,
    or a folder that cannot be listed) is listed in ``file_problems`` with the reason; the
    other files' rows still go through. See :func:`find_return_files`.

    Raises
    ------
    InputError
        If ``returns_dir`` itself is missing or cannot be read.
    """
    files, problems = find_return_files(returns_dir)
    frames = []
    for path in files:
        got, bad = read_return_file(path, returns_dir, max_bytes)
        frames += got
        problems += bad
    columns = list(RETURN_COLUMNS) + LINEAGE_COLUMNS + READ_COLUMNS + BLOCK_COLUMNS
    raw = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame({c: pd.Series(dtype=str) for c in columns}))
    raw["decimal_comma"] = raw["decimal_comma"].astype(bool)
    rows = tidy_rows(raw)
    rows["source_row"] = rows["source_row"].astype("int64")
    problems_frame = pd.DataFrame(problems, columns=FILE_PROBLEM_COLUMNS,
                                  dtype=object).fillna("").astype(str)
    return Ingested(rows.reset_index(drop=True), problems_frame)


def resolve_supersession(rows: pd.DataFrame) -> pd.DataFrame:
    """Mark the submission in force per indicator, period and geography.

    The latest ``submitted_at`` wins (ties: later file name, then later row), except that
    a row from a partner that does not lead the indicator (``partner_leads`` False, where
    the column is given) never wins over the lead's: it is in force only where the lead
    sent nothing. Earlier submissions are kept with ``in_force`` False and
    ``superseded_by`` naming the winner.
    """
    order = ["submitted_at", "source_file", "source_sheet", "source_row"]
    if "partner_leads" in rows:
        order = ["partner_leads", *order]
    ordered = rows.sort_values(order, kind="stable", na_position="first")
    key = ["indicator_id", "period", "geography"]
    winner = ordered.groupby(key, sort=False, dropna=False)["record_id"].transform("last")
    out = rows.copy()
    out["in_force"] = (winner == ordered["record_id"]).reindex(rows.index)
    out["superseded_by"] = winner.reindex(rows.index).where(~out["in_force"], "")
    return out


def summarise_sources(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per file and sheet read: partner(s), rows, periods and the file's sha256."""
    if rows.empty:
        return pd.DataFrame(columns=["source_file", "source_sheet", "partner", "rows", "periods",
                                     "sha256"])
    grouped = rows.groupby(["source_file", "source_sheet"], sort=True)
    return pd.DataFrame({
        "partner": grouped["partner"].agg(lambda s: ", ".join(sorted(set(s) - {""}))),
        "rows": grouped.size(),
        "periods": grouped["period"].agg(lambda s: ", ".join(sorted(set(s)))),
        "sha256": grouped["source_sha256"].first().str[:12],
    }).reset_index()
