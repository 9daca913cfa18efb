"""Finding and reading the return files: the folder walked, each file read once, refusals.

:func:`find_return_files` lists the returns under the returns folder (links, pipes and
unlistable folders refused, each with a reason); :func:`read_return_file` reads one file
into a frame per usable sheet (see :mod:`pipeline.inputs.return_sheet`) and the file's or
sheets' problems, in plain words (:func:`os_reason`, :func:`hidden_sheet_reason`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipeline.digest import sha256_bytes, sha256_file
from pipeline.errors import InputError
from pipeline.inputs.filenames import shown_name, shown_path
from pipeline.inputs.readers import check_suffix, parse_sheets, read_file_bytes
from pipeline.inputs.return_sheet import RETURN_COLUMNS, frame_from_rows
from pipeline.inputs.sheets import Unreadable

DEFAULT_MAX_BYTES = 25_000_000
SKIPPED_NAMES = ("README.md",)


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
