"""Ingest: partner return files (CSV, XLSX) into one tidy table with lineage, never losing a row."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs.readers import Unreadable, read_sheets, sha256_file
from pipeline.periods import normalise_period

REQUIRED_COLUMNS = ("partner", "indicator_id", "period", "geography", "value", "data_status",
                    "submitted_at")
OPTIONAL_COLUMNS = ("lead_rag", "commentary", "actions", "submitted_by")
RETURN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
NOT_AVAILABLE_TEXT = {"", "n/a", "na", "-", "--", "n.a.", "not available", "nil return"}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}
LINEAGE_COLUMNS = ["source_file", "source_sha256", "source_sheet", "source_row", "record_id",
                   "source_header", "unexpected_columns", "decimal_comma"]
FILE_PROBLEM_COLUMNS = ["source_file", "source_sha256", "source_sheet", "check", "reason"]
DEFAULT_MAX_BYTES = 25_000_000

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass(frozen=True)
class Ingested:
    """Every row read (``rows``) and every file that could not be read (``file_problems``)."""

    rows: pd.DataFrame
    file_problems: pd.DataFrame


def _clean_number_text(text: object, decimal_comma: bool) -> str:
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removeprefix("£").removesuffix("%")
    if decimal_comma and _DECIMAL_COMMA.match(cleaned):
        return cleaned.replace(",", ".")
    return cleaned.replace(",", "") if _THOUSANDS.match(cleaned) else cleaned


def parse_value(text: object, decimal_comma: bool = False) -> float:
    """Parse a value as a partner typed it; NaN when not available or not a number.

    ``45%`` -> 45.0, ``1,234`` -> 1234.0, `` 12 `` -> 12.0, ``£1,250`` -> 1250.0;
    ``n/a``, ``-`` and blank -> NaN. ``12,5`` is 12.5 only in a file whose delimiter is
    a semicolon (``decimal_comma``); elsewhere it is not a number. Use
    :func:`value_problem` to tell "not available" from "not a number".
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan")
    cleaned = _clean_number_text(text, decimal_comma)
    return float(cleaned) if _NUMBER.match(cleaned) else float("nan")


def is_not_available(text: object) -> bool:
    """True for the spellings partners use for "no value": blank, ``n/a``, ``-``..."""
    return text is None or str(text).strip().casefold() in NOT_AVAILABLE_TEXT


def value_problem(text: object, decimal_comma: bool = False) -> str:
    """Why a value cannot be read (a short hint), or ``""`` if it parses or is declared n/a."""
    if is_not_available(text) or not np.isnan(parse_value(text, decimal_comma)):
        return ""
    shown = str(text).strip()
    if shown.startswith("="):
        return ("it is a formula with no saved value: open the workbook in Excel, save it, "
                "and send it again")
    if _DECIMAL_COMMA.match(shown.replace(" ", "")):
        return f"it has a decimal comma: write {shown.replace(',', '.')}"
    return "it is not a number"


def normalise_header(name: object) -> str:
    """``Indicator ID`` -> ``indicator_id``: lower case, non-alphanumerics to ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name or "").strip().lower()).strip("_")


def _find_header(rows: list[list[str]]) -> int | None:
    best, best_score = None, 2
    for i, row in enumerate(rows[:20]):
        names = [normalise_header(c) for c in row if str(c).strip()]
        score = sum(1 for n in names if difflib.get_close_matches(n, RETURN_COLUMNS, 1, 0.8))
        if score > best_score:
            best, best_score = i, score
    return best


def _missing_columns_reason(header: list[str]) -> str:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if not missing:
        return ""
    notes = []
    for column in missing:
        close = difflib.get_close_matches(column, [h for h in header if h not in RETURN_COLUMNS],
                                          1, 0.75)
        notes.append(f"{column} (found {close[0]!r}: misspelt?)" if close else column)
    return f"missing required column(s): {', '.join(notes)}"


def frame_from_rows(rows: list[list[str]], source: dict[str, object]) -> tuple[pd.DataFrame, str]:
    """Turn one sheet's rows into a frame of the return columns plus lineage.

    Returns the frame and ``""``, or an empty frame and the reason the sheet is unusable:
    a sheet missing a required column is never half-ingested.
    """
    header_at = _find_header(rows)
    if header_at is None:
        return pd.DataFrame(), ("no header row found in the first 20 rows (expected columns "
                                + ", ".join(REQUIRED_COLUMNS) + ")")
    header = [normalise_header(c) for c in rows[header_at]]
    reason = _missing_columns_reason(header)
    if reason:
        return pd.DataFrame(), reason
    width = len(header)
    body = [(i + 1, (r + [""] * width)[:width]) for i, r in enumerate(rows)
            if i > header_at and any(str(c).strip() for c in r)]
    if not body:
        return pd.DataFrame(), "header found but no data rows"
    frame = pd.DataFrame([r for _, r in body], columns=range(width), dtype=str)
    first = {name: i for i, name in reversed(list(enumerate(header)))}
    extra = sorted({h for h in header if h and h not in RETURN_COLUMNS})
    data = {c: frame[first[c]] if c in first else "" for c in RETURN_COLUMNS}
    out = pd.DataFrame(data, index=frame.index)
    out["source_row"] = [n for n, _ in body]
    for key, value in source.items():
        out[key] = value
    out["source_header"] = ",".join(header)
    out["unexpected_columns"] = ", ".join(extra)
    out["record_id"] = [f"{source['source_file']}|{source['source_sheet']}|{n}" for n, _ in body]
    return out, ""


def read_return_file(path: Path, returns_dir: Path,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[pd.DataFrame], list[dict]]:
    """Read one return file into frames (one per usable sheet) and whole-file/sheet problems."""
    name = path.relative_to(returns_dir).as_posix()
    digest = sha256_file(path)
    problem = {"source_file": name, "source_sha256": digest, "source_sheet": "",
               "check": "readable"}
    try:
        sheets = read_sheets(path, max_bytes)
    except Unreadable as exc:
        return [], [{**problem, "reason": str(exc)}]
    frames, problems = [], []
    for sheet, rows in sheets.rows.items():
        frame, reason = frame_from_rows(rows, {"source_file": name, "source_sha256": digest,
                                               "source_sheet": sheet,
                                               "decimal_comma": sheets.delimiter == ";"})
        if reason:
            problems.append({**problem, "source_sheet": sheet, "check": "structure",
                             "reason": reason})
        else:
            frames.append(frame)
    if frames and len(sheets.rows) > 1:
        problems = [p for p in problems if p["reason"] != "header found but no data rows"
                    and not p["reason"].startswith("no header row")]
    return frames, problems


def parse_timestamps(texts: pd.Series) -> pd.Series:
    """Submission times as typed: ISO first, then UK day-first forms (``10/05/2007 09:30``)."""
    stamps = pd.to_datetime(texts, format="ISO8601", errors="coerce", utc=True)
    rest = stamps.isna() & (texts.str.strip() != "")
    if rest.any():
        stamps[rest] = pd.to_datetime(texts[rest], dayfirst=True, format="mixed",
                                      errors="coerce", utc=True)
    return stamps.dt.tz_localize(None).dt.floor("s").astype("datetime64[s]")


def tidy_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Parse and normalise the raw text columns, keeping the text beside each parsed value."""
    rows = raw.copy()
    for column in RETURN_COLUMNS:
        rows[column] = rows[column].fillna("").astype(str).str.strip()
    comma = rows["decimal_comma"].astype(bool)
    rows["value_text"] = rows["value"]
    rows["value"] = [parse_value(t, c) for t, c in zip(rows["value_text"], comma, strict=True)]
    rows["value"] = rows["value"].astype("float64")
    rows["value_problem"] = [value_problem(t, c) for t, c in
                             zip(rows["value_text"], comma, strict=True)]
    rows["data_status"] = rows["data_status"].str.lower().str.replace(" ", "_")
    declared_blank = rows["value_text"].map(is_not_available).astype(bool)
    rows["final_without_value"] = (rows["data_status"] == "final") & declared_blank
    rows["period_text"] = rows["period"]
    canonical = rows["period"].map(normalise_period)
    rows["period"] = canonical.where(canonical.notna(), rows["period"])
    rows["lead_rag"] = rows["lead_rag"].map(lambda r: RAG_WORDS.get(r.casefold(), r))
    rows["geography"] = rows["geography"].where(
        rows["geography"].str.casefold() != "county", "county")
    rows["submitted_at_text"] = rows["submitted_at"]
    rows["submitted_at"] = parse_timestamps(rows["submitted_at"])
    return rows


def ingest_returns(returns_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Ingested:
    """Read every return under ``returns_dir`` (sorted by name) into one tidy table.

    Files are only read, never changed. A file that cannot be used at all is listed in
    ``file_problems`` with the reason; the other files' rows still go through.
    """
    files = sorted(p for p in returns_dir.rglob("*") if p.is_file()
                   and not p.name.startswith((".", "~$")) and p.name != "README.md")
    frames, problems = [], []
    for path in files:
        got, bad = read_return_file(path, returns_dir, max_bytes)
        frames += got
        problems += bad
    columns = list(RETURN_COLUMNS) + LINEAGE_COLUMNS
    raw = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame({c: pd.Series(dtype=str) for c in columns}))
    raw["decimal_comma"] = raw["decimal_comma"].astype(bool)
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
