"""Ingest: partner return files (CSV, XLSX) into one tidy table with lineage, never losing a row."""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.digest import sha256_bytes, sha256_file
from pipeline.errors import InputError
from pipeline.inputs.filenames import shown_name, shown_path
from pipeline.inputs.readers import check_suffix, parse_sheets, read_file_bytes
from pipeline.inputs.register_files import COUNTY
from pipeline.inputs.sheets import (
    HEADER_ROWS,
    Note,
    SheetNotes,
    Unreadable,
    cell_name,
    column_label,
    header_score,
    normalise_header,
)
from pipeline.periods import normalise_period

REQUIRED_COLUMNS = ("partner", "indicator_id", "period", "geography", "value", "data_status",
                    "submitted_at")
OPTIONAL_COLUMNS = ("lead_rag", "commentary", "actions", "submitted_by", "confirmation")
RETURN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# A return template (pipeline.inputs.templates): the locked columns it adds for the partner's
# information, the columns the partner fills in, and the labelled cells above its header.
TEMPLATE_INFO_COLUMNS = ("title", "unit", "polarity", "target", "trajectory_point",
                         "last_value", "last_value_period", "baseline", "baseline_period")
TEMPLATE_INPUT_COLUMNS = ("value", "data_status", "lead_rag", "commentary", "actions",
                          "confirmation")
TEMPLATE_MARK = "return_template"
BLOCK_LABELS = {TEMPLATE_MARK: "template", "partner": "template_partner",
                "period": "template_period", "certified_by": "certified_by",
                "date_certified": "certified_on", "certified_on": "certified_on"}
BLOCK_COLUMNS = ["template", "template_partner", "template_period", "certified_by",
                 "certified_by_cell", "certified_on", "certified_on_cell", "submitted_at_cell",
                 "locked_title"]
NOT_AVAILABLE_TEXT = {"", "n/a", "na", "-", "--", "n.a.", "not available", "nil return", "#n/a"}
EXCEL_ERRORS = {"#n/a", "#value!", "#div/0!", "#ref!", "#name?", "#num!", "#null!", "#spill!",
                "#calc!", "#field!", "#blocked!", "#connect!", "#busy!", "#unknown!",
                "#getting_data"}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}
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
DEFAULT_MAX_BYTES = 25_000_000
SKIPPED_NAMES = ("README.md",)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")


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

    ``45%`` -> 45.0, ``1,234`` -> 1234.0, `` 12 `` -> 12.0, ``£1,250`` -> 1250.0,
    ``1.5e-05`` -> 0.000015; ``n/a``, ``#N/A``, ``-`` and blank -> NaN. ``12,5`` is 12.5
    only in a file whose delimiter is a semicolon (``decimal_comma``); elsewhere it is not
    a number. Use :func:`value_problem` to tell "not available" from "not a number".
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan")
    cleaned = _clean_number_text(text, decimal_comma)
    number = float(cleaned) if _NUMBER.match(cleaned) else float("nan")
    return number if math.isfinite(number) else float("nan")


def is_not_available(text: object) -> bool:
    """True for the spellings partners use for "no value": blank, ``n/a``, ``-``, ``#N/A``..."""
    return text is None or str(text).strip().casefold() in NOT_AVAILABLE_TEXT


def is_excel_error(text: object) -> bool:
    """True for an Excel error value (``#N/A``, ``#VALUE!``, ``#DIV/0!``...)."""
    return str(text).strip().casefold() in EXCEL_ERRORS


def value_problem(text: object, decimal_comma: bool = False) -> str:
    """Why a value cannot be read (a short hint), or ``""`` if it parses or is declared n/a."""
    if is_not_available(text) or not np.isnan(parse_value(text, decimal_comma)):
        return ""
    shown = str(text).strip()
    if shown.startswith("="):
        return ("it is a formula with no saved value: open the workbook in Excel, save it, "
                "and send it again")
    if is_excel_error(shown):
        return (f"it is an Excel error ({shown}): correct the formula, or mark the row "
                "not_available")
    if _DECIMAL_COMMA.match(shown.replace(" ", "")):
        return f"it has a decimal comma: write {shown.replace(',', '.')}"
    return "it is not a number"


def _find_header(rows: list[list[str]]) -> int | None:
    best, best_score = None, 2
    for i, row in enumerate(rows[:HEADER_ROWS]):
        score = header_score(row, RETURN_COLUMNS)
        if score > best_score:
            best, best_score = i, score
    return best


def read_block(rows: list[list[str]], sheet: str) -> dict[str, tuple[str, str]]:
    """The labelled cells above a header: ``{name: (text, cell)}`` for each label of
    :data:`BLOCK_LABELS` found as a row's first filled cell, its value in the cell to the
    right (``Certified by | Jane Smith``), ``cell`` naming that cell (``Return!B4``)."""
    found: dict[str, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        filled = [(j, c) for j, c in enumerate(row) if c.strip()]
        if not filled:
            continue
        j, label = filled[0]
        name = BLOCK_LABELS.get(normalise_header(label))
        if name and name not in found:
            text = row[j + 1].strip() if j + 1 < len(row) else ""
            where = cell_name(j + 2, number)
            found[name] = (text, f"{sheet}!{where}" if sheet else where)
    if "template" not in found:   # partner and period are read from templates only
        found = {k: v for k, v in found.items() if k in ("certified_by", "certified_on")}
    return found


def _blank_template_row(row: list[str], header: list[str]) -> bool:
    return not any(c.strip() for h, c in zip(header, row, strict=False)
                   if h in TEMPLATE_INPUT_COLUMNS)


def _missing_columns_reason(header: list[str], dated: bool = False) -> str:
    missing = [c for c in REQUIRED_COLUMNS if c not in header
               and not (dated and c == "submitted_at")]
    if not missing:
        return ""
    notes = []
    for column in missing:
        close = difflib.get_close_matches(column, [h for h in header if h not in RETURN_COLUMNS],
                                          1, 0.75)
        notes.append(f"{column} (found {close[0]!r}: misspelt?)" if close else column)
    return f"missing required column(s): {', '.join(notes)}"


def _duplicate_columns_reason(header: list[str]) -> str:
    places: dict[str, list[str]] = {}
    for i, name in enumerate(header):
        if name in RETURN_COLUMNS:
            places.setdefault(name, []).append(column_label(i + 1))
    twice = [f"{name} (columns {' and '.join(at)})" for name, at in places.items()
             if len(at) > 1]
    if not twice:
        return ""
    return (f"column heading(s) used more than once: {', '.join(twice)}: keep one column of "
            "each, so that no value has to be picked by guess")


def _refs(cells: list[tuple[int, str]], sheet: str, number: int) -> str:
    shown = [f"{sheet + '!' if sheet else ''}{cell_name(j + 1, number)} {text[:40]!r}"
             for j, text in cells[:3]]
    return ", ".join(shown) + (" ..." if len(cells) > 3 else "")


def _row_notes(row: list[str], header: list[str], number: int, notes: SheetNotes,
               sheet: str) -> tuple[Note | None, Note | None]:
    """The row's problem and warning: the reader's, text outside the return's columns, or
    a row with most of its required cells blank (a stray cell, a note typed below)."""
    problem, warning = notes.problems.get(number), notes.warnings.get(number)
    width = len(header)
    stray = [(j, c.strip()) for j, c in enumerate(row)
             if c.strip() and (j >= width or not header[j])]
    filled = [h for h, c in zip(header, row, strict=False) if h in REQUIRED_COLUMNS and c.strip()]
    used = any(c.strip() for h, c in zip(header, row, strict=False) if h in RETURN_COLUMNS)
    if problem is None and stray and not used:
        problem = Note(-1, "the return's columns filled in: this row has text only outside "
                           f"them ({_refs(stray, sheet, number)}), so it was not read")
    elif problem is None and len(filled) * 2 < len(REQUIRED_COLUMNS):
        problem = Note(-1, f"a complete row: only {', '.join(filled) or 'optional columns'} "
                           "filled in; complete the row or delete it")
    elif stray and warning is None:
        warning = Note(-1, "every value under a heading: "
                           f"{_refs(stray, sheet, number)} has no heading and was ignored")
    return problem, warning


def frame_from_rows(rows: list[list[str]], source: dict[str, object],
                    notes: SheetNotes | None = None) -> tuple[pd.DataFrame, str]:
    """Turn one sheet's rows into a frame of the return columns plus lineage.

    Returns the frame and ``""``, or an empty frame and the reason the sheet is unusable:
    a sheet missing a required column, or with one twice, is never half-ingested. Every
    row below the header is either a data row or blank; ``notes`` (from the reader) give
    rows their ``read_problem``/``read_warning``, as do text outside the named columns and
    a row with most required cells blank. A reader's warning about a line above the header
    goes with the first data row.
    """
    notes = notes or SheetNotes()
    header_at = _find_header(rows)
    if header_at is None:
        return pd.DataFrame(), ("no header row found in the first 20 rows (expected columns "
                                + ", ".join(REQUIRED_COLUMNS) + ")")
    header = [normalise_header(c) for c in rows[header_at]]
    while header and not header[-1]:
        header.pop()
    sheet = str(source.get("source_sheet", ""))
    block = read_block(rows[:header_at], sheet)
    template = "template" in block
    reason = (_missing_columns_reason(header, template and "certified_on" in block)
              or _duplicate_columns_reason(header))
    if reason:
        return pd.DataFrame(), reason
    above = [notes.warnings[n] for n in sorted(notes.warnings) if n <= header_at + 1]
    records = []
    for i, row in enumerate(rows):
        if i <= header_at or not row or not any(c.strip() for c in row):
            continue
        problem, warning = _row_notes(row, header, i + 1, notes, sheet)
        if template and problem is None and _blank_template_row(row, header):
            problem = Note(header.index("value") if "value" in header else -1,
                           "a value and data status: this row of the template was left blank, "
                           "so nothing was returned for it (an earlier return, if any, stays "
                           "in force); fill it in, choosing not_available where there is no "
                           "figure, or delete the row")
        if above and warning is None:
            warning = Note(-1, above.pop(0).text)
        records.append((i + 1, row, problem, warning))
    if not records:
        return pd.DataFrame(), "header found but no data rows"
    at = {name: i for i, name in enumerate(header)}
    out = pd.DataFrame({c: [r[at[c]] if c in at and at[c] < len(r) else ""
                            for _, r, _, _ in records] for c in RETURN_COLUMNS}, dtype=str)
    numbers = [n for n, _, _, _ in records]
    out["source_row"] = numbers
    for key, value in source.items():
        out[key] = value
    out["source_header"] = ",".join(header)
    known = RETURN_COLUMNS + (TEMPLATE_INFO_COLUMNS if template else ())
    out["unexpected_columns"] = ", ".join(sorted({h for h in header
                                                  if h and h not in known}))
    for name in BLOCK_COLUMNS:
        out[name] = ""
    for name, (text, cell) in block.items():
        out[name] = text
        if name in ("certified_by", "certified_on"):
            out[f"{name}_cell"] = cell
    if template:
        out["template"] = "yes"
        out["locked_title"] = [r[at["title"]] if "title" in at and at["title"] < len(r) else ""
                               for _, r, _, _ in records]
    if "certified_on" in block and "submitted_at" not in at:
        out["submitted_at"] = block["certified_on"][0]   # a template: the date certified
        out["submitted_at_cell"] = block["certified_on"][1]
    out["record_id"] = [f"{source['source_file']}|{source['source_sheet']}|{n}" for n in numbers]

    def named(note: Note | None) -> str:
        return header[note.column] if note and 0 <= note.column < len(header) else ""

    out["read_problem"] = [p.text if p else "" for _, _, p, _ in records]
    out["read_problem_column"] = [named(p) for _, _, p, _ in records]
    out["read_warning"] = [w.text if w else "" for _, _, _, w in records]
    out["read_warning_column"] = [named(w) for _, _, _, w in records]
    out["indicator_id_numeric"] = [(n, at["indicator_id"]) in notes.numeric for n in numbers]
    return out, ""


def os_reason(exc: OSError, what: str = "file") -> str:
    """Why the file system refused a file or folder, in plain words (its own words are
    the problem's ``detail``)."""
    if isinstance(exc, PermissionError):
        return (f"the {what} cannot be read: permission denied (the account running the "
                f"pipeline may not open it); ask for the {what} to be shared, or copy it in "
                "again")
    if isinstance(exc, FileNotFoundError):
        return (f"the {what} cannot be read: it was moved or deleted while the returns were "
                "being read; copy it in again")
    return (f"the {what} cannot be read: the computer running the pipeline could not read it "
            "from its disk (a read error); copy it in again")


def read_return_file(path: Path, returns_dir: Path,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[pd.DataFrame], list[dict]]:
    """Read one return file into frames (one per usable sheet) and whole-file/sheet problems.

    The file is read once: its sha256 is that of the bytes read. A file the process may
    not open is a problem of that file only. A hidden sheet's rows are never used: beside
    a visible sheet with data the hidden one is ignored; alone, it is a problem (check
    ``hidden``) naming the sheet.
    """
    name = shown_path(path, returns_dir)
    problem = {"source_file": name, "source_sha256": "", "source_sheet": "",
               "check": "readable"}
    try:
        check_suffix(path)
        data = read_file_bytes(path, max_bytes)
    except Unreadable as exc:
        try:
            digest = sha256_file(path)
        except OSError:
            digest = ""
        return [], [{**problem, "source_sha256": digest, "reason": str(exc),
                     "detail": exc.detail}]
    except OSError as exc:
        return [], [{**problem, "reason": os_reason(exc), "detail": str(exc)}]
    digest = sha256_bytes(data)
    problem["source_sha256"] = digest
    try:
        sheets = parse_sheets(data, path.suffix, RETURN_COLUMNS)
    except Unreadable as exc:
        return [], [{**problem, "reason": str(exc), "detail": exc.detail}]
    frames, problems, hidden = [], [], []
    for sheet, rows in sheets.rows.items():
        frame, reason = frame_from_rows(rows, {"source_file": name, "source_sha256": digest,
                                               "source_sheet": sheet,
                                               "decimal_comma": sheets.delimiter == ";"},
                                        sheets.notes.get(sheet))
        if reason:
            if sheet not in sheets.hidden:
                problems.append({**problem, "source_sheet": sheet, "check": "structure",
                                 "reason": reason})
        elif sheet in sheets.hidden:
            hidden.append(sheet)
        else:
            frames.append(frame)
    if not frames:   # a hidden sheet's data never counts; beside a visible one, it is ignored
        problems += [{**problem, "source_sheet": sheet, "check": "hidden",
                      "reason": hidden_sheet_reason(sheet, sheets.hidden[sheet])}
                     for sheet in hidden]
    if (frames or hidden) and len(sheets.rows) > 1:
        problems = [p for p in problems if p["reason"] != "header found but no data rows"
                    and not p["reason"].startswith("no header row")]
    return frames, problems


def hidden_sheet_reason(sheet: str, state: str) -> str:
    """Why the data on a hidden sheet (``state``: ``hidden`` or ``veryHidden``) was not used."""
    if state == "veryHidden":
        return (f"the sheet {sheet!r} is hidden in the workbook (very hidden: Excel's Unhide "
                "does not list it): move the data to a visible sheet and send the file again")
    return (f"the sheet {sheet!r} is hidden in the workbook: unhide it and send the file "
            "again, or move the data to a visible sheet")


def list_folder(folder: Path) -> list[os.DirEntry]:
    """The entries of one folder, by name (raises ``OSError`` if it cannot be listed)."""
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


def _entry_problem(entry: os.DirEntry, name: str) -> dict[str, str] | None:
    """Why a folder entry is not read as a return, or None for a plain file."""
    problem = {"source_file": name, "source_sha256": "", "source_sheet": "", "check": "readable"}
    if entry.is_symlink():
        try:
            target = shown_name(os.readlink(entry.path))
        except OSError:
            target = "(unknown)"
        return {**problem, "reason": f"a symbolic link to {target}, not a file: links are not "
                                     "read, so that every figure traces back to a file in the "
                                     "returns folder; copy the return itself in"}
    if not entry.is_file(follow_symlinks=False):
        return {**problem, "reason": "not a regular file (a device, pipe or socket): put the "
                                     "return itself in the returns folder"}
    return None


def find_return_files(returns_dir: Path) -> tuple[list[Path], list[dict[str, str]]]:
    """Every return file under ``returns_dir`` (sorted by path) and the entries refused.

    Hidden entries (``.``), Office lock files (``~$``) and README.md are skipped. Symbolic
    links are refused, not followed, each with a message naming where it points; so are
    pipes and devices. A sub-folder that cannot be listed is a problem of its own.

    Raises
    ------
    InputError
        If ``returns_dir`` itself is missing or cannot be read.
    """
    try:
        pending = [(returns_dir, list_folder(returns_dir))]
    except OSError as exc:
        raise InputError(os_reason(exc, "returns folder"), folder=str(returns_dir)) from exc
    files, problems = [], []
    while pending:
        folder, entries = pending.pop()
        for entry in entries:
            if entry.name.startswith((".", "~$")) or entry.name in SKIPPED_NAMES:
                continue
            path = folder / entry.name
            name = shown_path(path, returns_dir)
            try:
                if not entry.is_symlink() and entry.is_dir(follow_symlinks=False):
                    pending.append((path, list_folder(path)))
                    continue
                refused = _entry_problem(entry, name)
            except OSError as exc:
                refused = {"source_file": name + "/", "source_sha256": "", "source_sheet": "",
                           "check": "readable", "reason": os_reason(exc, "folder") + (
                               ": the returns in it were not read"), "detail": str(exc)}
            if refused:
                problems.append(refused)
            else:
                files.append(path)
    return sorted(files), sorted(problems, key=lambda p: p["source_file"])


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
