"""File readers: a CSV or XLSX return into rows of cell text, or a clear reason why not.

A reader never loses a line and never guesses silently: a cell or row it cannot read as
written gets a :class:`~pipeline.inputs.sheets.Note` (a problem quarantines the row, a
warning is reported) and the rest of the file goes through. This module is the entry: the
file's type and size checked, then :mod:`pipeline.inputs.csv_reader` or
:mod:`pipeline.inputs.xlsx_reader`; what they hand on is in :mod:`pipeline.inputs.sheets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.inputs.csv_reader import OLE_MAGIC, ZIP_MAGIC, read_csv_rows
from pipeline.inputs.sheets import Sheets, Unreadable
from pipeline.inputs.xlsx_reader import read_xlsx_sheets

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
REFUSED_SUFFIXES = {
    ".xls": "an old Excel .xls file: save it as .xlsx (Excel Workbook) or .csv",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or .csv",
    ".xlsm": "a macro-enabled workbook: save it as .xlsx without macros",
}
DAMAGED_WORKBOOK = ("the workbook could not be read: it may be damaged or not really an "
                    "Excel file; save it again from Excel and send it again")


def read_file_bytes(path: Path, max_bytes: int) -> bytes:
    """A return file's bytes, refusing one over ``max_bytes`` before reading it.

    Raises
    ------
    Unreadable
        For a file over the limit.
    OSError
        When the file cannot be opened (e.g. ``PermissionError``).
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise Unreadable(f"file is {size / 1e6:.1f} MB, larger than the {max_bytes / 1e6:.0f} MB "
                         "limit for a return: is it the right file?")
    return path.read_bytes()


def check_suffix(path: Path) -> None:
    """Refuse a file type that is not CSV or XLSX, saying what to send instead."""
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise Unreadable(f"unsupported file type: {REFUSED_SUFFIXES[suffix]}")
    if suffix not in SUPPORTED_SUFFIXES:
        raise Unreadable(f"unsupported file type {suffix or '(none)'}: send CSV or XLSX")


def parse_sheets(data: bytes, suffix: str, columns: Sequence[str] = ()) -> Sheets:
    """Read a return's bytes (a ``.csv`` or ``.xlsx``) into sheets of text.

    ``columns`` are the header names expected (they decide a CSV's delimiter).

    Raises
    ------
    Unreadable
        For an empty, binary, encrypted or corrupt file; the message says what to send.
    """
    if not data.strip():
        raise Unreadable("file is empty")
    if suffix.lower() == ".csv":
        return read_csv_rows(data, columns)
    if data.startswith(OLE_MAGIC):
        raise Unreadable("workbook is password-protected (or an old .xls renamed .xlsx): "
                         "remove the password and save as .xlsx")
    if not data.startswith(ZIP_MAGIC):
        raise Unreadable("file is not a valid .xlsx workbook (corrupt or renamed)")
    try:
        return read_xlsx_sheets(data)
    except Unreadable:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise Unreadable(DAMAGED_WORKBOOK, f"{type(exc).__name__}: {exc}") from exc


def read_sheets(path: Path, max_bytes: int, columns: Sequence[str] = ()) -> Sheets:
    """Read a return file into sheets of text.

    Raises
    ------
    Unreadable
        For a file type that is not CSV or XLSX, a file over ``max_bytes``, an empty,
        encrypted or corrupt file; the message says what to send instead.
    OSError
        When the file cannot be opened (e.g. ``PermissionError``).
    """
    check_suffix(path)
    return parse_sheets(read_file_bytes(path, max_bytes), path.suffix, columns)

