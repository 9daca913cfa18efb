"""File readers: a CSV or XLSX return into rows of cell text, or a clear reason why not."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX and legacy .xls/.doc files
ZIP_MAGIC = b"PK\x03\x04"
REFUSED_SUFFIXES = {
    ".xls": "an old Excel .xls file: save it as .xlsx (Excel Workbook) or .csv",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or .csv",
    ".xlsm": "a macro-enabled workbook: save it as .xlsx without macros",
}


class Unreadable(Exception):
    """A file that cannot be read at all; the message says why, in a partner's terms."""


@dataclass(frozen=True)
class Sheets:
    """The rows of text of each sheet (one unnamed sheet for a CSV) and the CSV delimiter."""

    rows: dict[str, list[list[str]]]
    delimiter: str = ","


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cell_text(value: object, number_format: str = "General") -> str:
    """A spreadsheet cell as the text a person sees: ``39.36%`` for a % format, ISO dates."""
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


def read_csv_rows(data: bytes) -> Sheets:
    """Decode a CSV (UTF-8 with or without BOM, else Windows-1252) into rows of text.

    The delimiter (comma, semicolon or tab) is the one the first line uses most.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise Unreadable("file is binary, not text: send CSV or XLSX")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return Sheets({"": rows}, delimiter)


def read_xlsx_sheets(path: Path) -> Sheets:
    """Each sheet's rows as text: cached formula values, % formats applied.

    A formula whose value was never saved (e.g. written by a script, not by Excel) is kept
    as its formula text, which the value check then reports.
    """
    from openpyxl import load_workbook

    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        sheets = {}
        for sheet in values.worksheets:
            other = formulas[sheet.title].iter_rows()
            rows = []
            for row in sheet.iter_rows():
                raw = next(other, ())
                texts = [cell_text(c.value, getattr(c, "number_format", "General"))
                         for c in row]
                for i, cell in enumerate(raw):
                    if (i < len(texts) and texts[i] == "" and isinstance(cell.value, str)
                            and cell.value.startswith("=")):
                        texts[i] = cell.value
                rows.append(texts)
            sheets[sheet.title] = rows
        return Sheets(sheets)
    finally:
        values.close()
        formulas.close()


def read_sheets(path: Path, max_bytes: int) -> Sheets:
    """Read a return file into sheets of text.

    Raises
    ------
    Unreadable
        For a file type that is not CSV or XLSX, a file over ``max_bytes``, an empty,
        encrypted or corrupt file; the message says what to send instead.
    """
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise Unreadable(f"unsupported file type: {REFUSED_SUFFIXES[suffix]}")
    if suffix not in SUPPORTED_SUFFIXES:
        raise Unreadable(f"unsupported file type {suffix or '(none)'}: send CSV or XLSX")
    size = path.stat().st_size
    if size > max_bytes:
        raise Unreadable(f"file is {size / 1e6:.1f} MB, larger than the {max_bytes / 1e6:.0f} MB "
                         "limit for a return: is it the right file?")
    data = path.read_bytes()
    if not data.strip():
        raise Unreadable("file is empty")
    if suffix == ".csv":
        return read_csv_rows(data)
    if data.startswith(OLE_MAGIC):
        raise Unreadable("workbook is password-protected (or an old .xls renamed .xlsx): "
                         "remove the password and save as .xlsx")
    if not data.startswith(ZIP_MAGIC):
        raise Unreadable("file is not a valid .xlsx workbook (corrupt or renamed)")
    try:
        return read_xlsx_sheets(path)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise Unreadable(f"workbook cannot be opened ({type(exc).__name__}: {exc}): "
                         "it may be corrupt; save it again from Excel") from exc
