"""Ingest: partner return files (CSV, XLSX) into one tidy table with lineage, never losing a row."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.periods import normalise_period

REQUIRED_COLUMNS = ("partner", "indicator_id", "period", "geography", "value", "data_status",
                    "submitted_at")
OPTIONAL_COLUMNS = ("lead_rag", "commentary", "actions", "submitted_by")
RETURN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
NOT_AVAILABLE_TEXT = {"", "n/a", "na", "-", "--", "n.a.", "not available", "nil return"}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}
LINEAGE_COLUMNS = ["source_file", "source_sha256", "source_sheet", "source_row", "record_id",
                   "source_header"]
FILE_PROBLEM_COLUMNS = ["source_file", "source_sha256", "source_sheet", "check", "reason"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Ingested:
    """Every row read (``rows``) and every file that could not be read (``file_problems``)."""

    rows: pd.DataFrame
    file_problems: pd.DataFrame


def parse_value(text: object) -> float:
    """Parse a value as a partner typed it; NaN when not available or not a number.

    ``45%`` -> 45.0, ``1,234`` -> 1234.0, `` 12 `` -> 12.0, ``£1,250`` -> 1250.0;
    ``n/a``, ``-`` and blank -> NaN. Use :func:`value_problem` to tell "not available"
    from "not a number".
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan")
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removeprefix("£").removesuffix("%")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    return float(cleaned) if _NUMBER.match(cleaned) else float("nan")


def is_not_available(text: object) -> bool:
    """True for the spellings partners use for "no value": blank, ``n/a``, ``-``..."""
    return text is None or str(text).strip().casefold() in NOT_AVAILABLE_TEXT


def value_problem(text: object) -> str:
    """Why a value cannot be read, or ``""`` if it parses or is declared not available."""
    if is_not_available(text) or not np.isnan(parse_value(text)):
        return ""
    return f"{str(text).strip()!r} is not a number (expected e.g. 1234, 1,234, 45% or n/a)"


def normalise_header(name: object) -> str:
    """``Indicator ID`` -> ``indicator_id``: lower case, non-alphanumerics to ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name or "").strip().lower()).strip("_")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cell_text(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if "%" in (number_format or ""):
            value = round(value * 100, 10)
            return (str(int(value)) if float(value).is_integer() else repr(float(value))) + "%"
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def read_csv_rows(data: bytes) -> list[list[str]]:
    """Decode a CSV (UTF-8 with or without BOM, else Windows-1252) into rows of text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def read_xlsx_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Each sheet's rows as text, with cached formula values and % formats applied."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {sheet.title: [[_cell_text(c.value, getattr(c, "number_format", "General"))
                               for c in row] for row in sheet.iter_rows()]
                for sheet in book.worksheets}
    finally:
        book.close()


def _find_header(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:20]):
        names = {normalise_header(c) for c in row}
        if {"indicator_id", "value"} <= names:
            return i
    return None


def frame_from_rows(rows: list[list[str]], source: dict[str, object]) -> tuple[pd.DataFrame, str]:
    """Turn one sheet's rows into a frame of the return columns plus lineage.

    Returns the frame and ``""``, or an empty frame and the reason the sheet is unusable.
    """
    header_at = _find_header(rows)
    if header_at is None:
        return pd.DataFrame(), "no header row with indicator_id and value in the first 20 rows"
    header = [normalise_header(c) for c in rows[header_at]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return pd.DataFrame(), f"missing required column(s): {', '.join(missing)}"
    width = len(header)
    body = [(i + 1, (r + [""] * width)[:width]) for i, r in enumerate(rows)
            if i > header_at and any(str(c).strip() for c in r)]
    if not body:
        return pd.DataFrame(), "header found but no data rows"
    frame = pd.DataFrame([r for _, r in body], columns=header, dtype=str)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in OPTIONAL_COLUMNS:
        if column not in frame:
            frame[column] = ""
    frame = frame[list(RETURN_COLUMNS)].copy()
    frame["source_row"] = [n for n, _ in body]
    for key, value in source.items():
        frame[key] = value
    frame["source_header"] = ",".join(header)
    frame["record_id"] = [f"{source['source_file']}|{source['source_sheet']}|{n}"
                          for n, _ in body]
    return frame, ""


def read_return_file(path: Path, returns_dir: Path) -> tuple[list[pd.DataFrame], list[dict]]:
    """Read one return file into frames (one per usable sheet) and problems (whole-file/sheet)."""
    name = path.relative_to(returns_dir).as_posix()
    digest = sha256_file(path)
    problem = {"source_file": name, "source_sha256": digest, "source_sheet": "",
               "check": "readable"}
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return [], [{**problem, "reason": f"unsupported file type {path.suffix or '(none)'}: "
                     "send CSV or XLSX"}]
    try:
        if path.suffix.lower() == ".csv":
            data = path.read_bytes()
            sheets = {"": read_csv_rows(data)} if data.strip() else {}
        else:
            sheets = read_xlsx_sheets(path)
    except Exception as exc:  # any reader failure quarantines the whole file, with its reason
        return [], [{**problem, "reason": f"file cannot be read ({type(exc).__name__}: {exc})"}]
    if not sheets:
        return [], [{**problem, "reason": "file is empty"}]
    frames, problems = [], []
    for sheet, rows in sheets.items():
        frame, reason = frame_from_rows(rows, {"source_file": name, "source_sha256": digest,
                                               "source_sheet": sheet})
        if reason:
            problems.append({**problem, "source_sheet": sheet, "check": "structure",
                             "reason": reason})
        else:
            frames.append(frame)
    if frames and len(sheets) > 1:
        problems = []  # other sheets of a workbook (notes, lookups) are not returns
    return frames, problems


def tidy_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Parse and normalise the raw text columns, keeping the text beside each parsed value."""
    rows = raw.copy()
    for column in RETURN_COLUMNS:
        rows[column] = rows[column].fillna("").astype(str).str.strip()
    rows["value_text"] = rows["value"]
    rows["value"] = rows["value_text"].map(parse_value).astype("float64")
    rows["value_problem"] = rows["value_text"].map(value_problem)
    rows["final_without_value"] = (rows["data_status"].str.lower() == "final") & rows[
        "value_text"].map(is_not_available)
    rows["period_text"] = rows["period"]
    canonical = rows["period"].map(normalise_period)
    rows["period"] = canonical.where(canonical.notna(), rows["period"])
    rows["data_status"] = rows["data_status"].str.lower().str.replace(" ", "_")
    rows["lead_rag"] = rows["lead_rag"].map(lambda r: RAG_WORDS.get(r.casefold(), r))
    rows["geography"] = rows["geography"].where(
        rows["geography"].str.casefold() != "county", "county")
    rows["submitted_at_text"] = rows["submitted_at"]
    rows["submitted_at"] = rows["submitted_at"].map(_parse_timestamp).astype("datetime64[s]")
    return rows


def _parse_timestamp(text: str) -> pd.Timestamp | None:
    for dayfirst in (False, True):
        try:
            stamp = pd.to_datetime(text, dayfirst=dayfirst, format="ISO8601" if not dayfirst
                                   else None)
            if stamp.tzinfo is not None:
                stamp = stamp.tz_convert("UTC").tz_localize(None)
            return stamp.floor("s")
        except (ValueError, TypeError):
            continue
    return None


def ingest_returns(returns_dir: Path) -> Ingested:
    """Read every return under ``returns_dir`` (sorted by name) into one tidy table.

    Files are only read, never changed. A file that cannot be used at all is listed in
    ``file_problems`` with the reason; the other files' rows still go through.
    """
    files = sorted(p for p in returns_dir.rglob("*") if p.is_file()
                   and not p.name.startswith((".", "~$")) and p.name != "README.md")
    frames, problems = [], []
    for path in files:
        got, bad = read_return_file(path, returns_dir)
        frames += got
        problems += bad
    columns = list(RETURN_COLUMNS) + LINEAGE_COLUMNS
    raw = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame({c: pd.Series(dtype=str) for c in columns}))
    rows = tidy_rows(raw)
    rows["source_row"] = rows["source_row"].astype("int64")
    problems_frame = pd.DataFrame(problems, columns=FILE_PROBLEM_COLUMNS).astype(str)
    return Ingested(rows.reset_index(drop=True), problems_frame)


def resolve_supersession(rows: pd.DataFrame) -> pd.DataFrame:
    """Mark the submission in force per indicator, period and geography.

    The latest ``submitted_at`` wins (ties: later file name, then later row). Earlier
    submissions are kept with ``in_force`` False and ``superseded_by`` naming the winner.
    """
    ordered = rows.sort_values(["submitted_at", "source_file", "source_sheet", "source_row"],
                               kind="stable", na_position="first")
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
