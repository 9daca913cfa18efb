"""File readers: a CSV or XLSX return into rows of cell text, or a clear reason why not.

A reader never loses a line and never guesses silently: a cell or row it cannot read as
written gets a :class:`Note` (a problem quarantines the row, a warning is reported) and
the rest of the file goes through.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX and legacy .xls/.doc files
ZIP_MAGIC = b"PK\x03\x04"
REFUSED_SUFFIXES = {
    ".xls": "an old Excel .xls file: save it as .xlsx (Excel Workbook) or .csv",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or .csv",
    ".xlsm": "a macro-enabled workbook: save it as .xlsx without macros",
}
DELIMITERS = (",", ";", "\t", "|")
HEADER_ROWS = 20                 # the header is looked for in a sheet's first rows
EXCEL_COLUMNS = 16_384           # XFD, a worksheet's last column
MAX_FILLED_CELLS = 1_000_000     # a return has hundreds; more means the wrong file
MAX_SCANNED_CELLS = 20_000_000   # cells walked over, blanks between filled ones included
FIELD_LIMIT = 2**31 - 1          # a CSV field may be as long as the file (csv's default: 128K)
# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
UTF8_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_BYTES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAGIC = ((ZIP_MAGIC, "a zip archive (perhaps an .xlsx workbook renamed .csv)"),
          (OLE_MAGIC, "an old Office file (perhaps an .xls workbook renamed .csv)"),
          (b"%PDF", "a PDF document"))


DAMAGED_WORKBOOK = ("the workbook could not be read: it may be damaged or not really an "
                    "Excel file; save it again from Excel and send it again")


class Unreadable(Exception):
    """A file that cannot be read at all; the message says why, in a partner's terms.

    ``detail`` keeps the library's own words, for whoever maintains the pipeline (never
    shown to a partner); "" when the message is the whole story.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class Note:
    """What is wrong with one row as read: the cell it concerns (-1: the row) and why."""

    column: int
    text: str


@dataclass(frozen=True)
class SheetNotes:
    """What a reader noticed in one sheet, by row number (1 = the first row).

    ``numeric``: (row, column index) of cells that held a number, not text (XLSX);
    ``problems``: rows that cannot be used as read; ``warnings``: rows read with a doubt;
    ``lines``: the physical line each row starts on and ``line_count`` the file's lines
    (CSV, where a quoted cell may span lines).
    """

    numeric: frozenset[tuple[int, int]] = frozenset()
    problems: dict[int, Note] = field(default_factory=dict)
    warnings: dict[int, Note] = field(default_factory=dict)
    lines: tuple[int, ...] = ()
    line_count: int = 0


@dataclass(frozen=True)
class Sheets:
    """The rows of text of each sheet (one unnamed sheet for a CSV) and the CSV delimiter.

    ``rows[sheet][n - 1]`` is row ``n`` as a partner sees it (blank rows are empty lists);
    ``notes[sheet]`` says what the reader noticed on the way; ``hidden`` names the sheets
    the workbook hides, each with its state (``hidden`` or ``veryHidden``).
    """

    rows: dict[str, list[list[str]]]
    delimiter: str = ","
    notes: dict[str, SheetNotes] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)


def normalise_header(name: object) -> str:
    """``Indicator ID`` -> ``indicator_id``: lower case, non-alphanumerics to ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name or "").strip().lower()).strip("_")


def header_score(cells: Sequence[str], columns: Sequence[str]) -> int:
    """How many cells of a row name (or nearly name) one of ``columns``."""
    names = [normalise_header(c) for c in cells if str(c).strip() and len(str(c)) < 200]
    return sum(1 for n in names if difflib.get_close_matches(n, columns, 1, 0.8))


def number_text(value: float) -> str:
    """A number as a person reads it, never in scientific notation: ``0.000015``, ``3202``."""
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(float(value), trim="-")


def column_label(column: int) -> str:
    """A column as a spreadsheet names it: ``E`` for the 5th; past Excel's last column (XFD,
    the 16,384th), where a CSV row can still reach, ``C20012`` (R1C1 style)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(column) if 0 < column <= EXCEL_COLUMNS else f"C{column}"


def cell_name(column: int, row: int) -> str:
    """A cell as a spreadsheet names it: ``E14``, or ``R14C20012`` past Excel's last column."""
    return (f"{column_label(column)}{row}" if 0 < column <= EXCEL_COLUMNS
            else f"R{row}C{column}")


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
            return number_text(round(value * 100, 10)) + "%"
        return number_text(value)
    return str(value)


# --- CSV ----------------------------------------------------------------------------------

def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for text whose every other byte is zero (no byte order mark)."""
    head = data[:400]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_stray(line: bytes) -> tuple[str, list[tuple[bytes, str]]]:
    """A line of UTF-8 with a few bytes that are not: those read as Windows-1252."""
    parts, stray, at = [], [], 0
    while True:
        try:
            parts.append(line[at:].decode("utf-8"))
            return "".join(parts), stray
        except UnicodeDecodeError as exc:
            parts.append(line[at:at + exc.start].decode("utf-8"))
            bad = line[at + exc.start:at + exc.end]
            parts.append(bad.decode("cp1252", errors="replace"))
            stray.append((bad, parts[-1]))
            at += exc.end


@dataclass(frozen=True)
class LineWarning:
    """Bytes of one physical line read in doubt: what to say, and the characters made."""

    text: str
    chars: tuple[str, ...]


def decode_text(data: bytes) -> tuple[str, dict[int, LineWarning]]:
    """Decode a CSV's bytes; warnings by physical line (1 = first) for bytes read in doubt.

    A byte order mark says the encoding (UTF-8, UTF-16 as Excel's "Unicode text", UTF-32);
    UTF-16 without one is recognised by its zero bytes. Otherwise UTF-8, or Windows-1252
    when no line is UTF-8. In a UTF-8 file, a line with a few bytes that are not UTF-8
    (a stray Windows-1252 character pasted in) is read as Windows-1252 on that line only,
    with a warning naming the line and the bytes; the other lines keep their UTF-8.
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), {}
    codec = _utf16_without_bom(data)
    if codec:
        return data.decode(codec, errors="replace"), {}
    marked = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM):] if marked else data
    try:
        return body.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    lines = _LINE_BYTES.findall(body)
    utf8 = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    if not utf8 and not marked:
        return body.decode("cp1252", errors="replace"), {}
    texts, warnings = [], {}
    for number, line in enumerate(lines, start=1):
        if line.isascii() or _is_utf8(line):
            texts.append(line.decode("utf-8"))
            continue
        text, stray = _decode_stray(line)
        texts.append(text)
        shown = ", ".join(f"{' '.join(f'0x{b:02X}' for b in bad)} (read as {char!r})"
                          for bad, char in stray)
        warnings[number] = LineWarning(
            f"text in UTF-8: line {number} has byte(s) that are not UTF-8, read as "
            f"Windows-1252: {shown}; save the file as CSV UTF-8 and check the text",
            tuple(char for _, char in stray))
    return "".join(texts), warnings


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_binary(data: bytes, text: str) -> None:
    """Refuse a file that is not text; a few control characters in one row are that row's."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise Unreadable(f"file is {what}, not a CSV: send CSV or XLSX")
    head = _LINE.findall(text[:65536])
    controls = sum(len(_BINARY.findall(line)) for line in head)
    spread = sum(1 for line in head if _BINARY.search(line))
    if controls > max(8, len(text[:65536]) // 100) and spread > max(2, len(head) // 10):
        raise Unreadable("file is binary, not text: send CSV or XLSX")


def _parse_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def choose_delimiter(lines: Sequence[str], columns: Sequence[str] = ()) -> str:
    """The delimiter (comma, semicolon, tab or bar) under which a header of ``columns``
    shows best in the first lines; with no header found (or no ``columns`` given), the one
    that splits most of those lines into the same number of cells.

    A title line above the header ("LAA return; Q4") does not decide it.
    """
    head = [line for line in lines[:HEADER_ROWS] if line.strip()]
    if not head:
        return ","
    parsed = {d: list(csv.reader(iter(head), delimiter=d)) for d in DELIMITERS}
    if columns:
        scores = {d: max((header_score(r, columns), len(r)) for r in rows)
                  for d, rows in parsed.items()}
        top = max(scores.values())
        if top[0] > 2:
            return next(d for d in DELIMITERS if scores[d] == top)

    def regularity(rows: list[list[str]]) -> tuple[int, int]:
        widths = Counter(len(r) for r in rows if len(r) > 1)
        return max(((n, w) for w, n in widths.items()), default=(0, 0))

    regular = {d: regularity(rows) for d, rows in parsed.items()}
    return next(d for d in DELIMITERS if regular[d] == max(regular.values()))


@dataclass(frozen=True)
class _Record:
    cells: list[str]
    first: int               # 0-based index of its first physical line
    last: int
    problem: Note | None = None


def _unclosed_at_end(text: str, delimiter: str) -> bool:
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _runaway_quote(lines: Sequence[str], widths: Sequence[int], typical: int,
                   record: _Record, delimiter: str) -> bool:
    """True when a record spans lines because a quote never closed, not for a cell's text.

    It ran to the end of the file still inside the quote (the last line, too, can open
    a quote it never closes), or it swallowed a line that on its own looks like a whole
    row (as many cells as the file's rows have).
    """
    if typical >= 3 and any(widths[i] >= typical for i in range(record.first + 1,
                                                                  record.last + 1)):
        return True
    return record.last == len(lines) - 1 and '"' in lines[record.first] and _unclosed_at_end(
        "".join(lines[record.first:record.last + 1]), delimiter)


def _records(lines: Sequence[str], delimiter: str) -> Iterator[_Record]:
    """Records of the CSV, each with the physical lines it came from.

    A quote that opens and never closes would swallow the lines below it into one cell:
    that line is given alone, with a problem, and reading starts again on the next line.
    """
    widths = [len(_parse_line(line, delimiter)) for line in lines]
    common = Counter(w for w in widths if w > 1).most_common(1)
    typical = common[0][0] if common else 0
    start = 0
    while start < len(lines):
        reader = csv.reader((lines[i] for i in range(start, len(lines))),
                            delimiter=delimiter)
        read = 0
        restart = None
        for cells in reader:
            record = _Record(cells, start + read, start + reader.line_num - 1)
            read = reader.line_num
            if _runaway_quote(lines, widths, typical, record, delimiter):
                alone = _parse_line(lines[record.first], delimiter)
                line = record.first + 1
                yield _Record(alone, record.first, record.first, Note(
                    len(alone) - 1,
                    f"a closing quote (\"): the quote that opens this cell on line {line} is "
                    "never closed, so the cells after it, and the lines below, would run into "
                    "this one; this line was not read (the lines below were read as rows of "
                    "their own). Close the quote or remove it"))
                restart = record.first + 1
                break
            yield record
        start = len(lines) if restart is None else restart


def read_csv_rows(data: bytes, columns: Sequence[str] = ()) -> Sheets:
    """Decode a CSV into rows of text (see :func:`decode_text` for the encodings).

    The delimiter is the one under which a header of ``columns`` shows best (see
    :func:`choose_delimiter`). Every physical line ends up in exactly one row; a cell
    holding a NUL character or a quote that never closes makes its row a problem, not
    the file.

    Raises
    ------
    Unreadable
        For a binary file, or if the lines read do not add up to the file's lines.
    """
    csv.field_size_limit(FIELD_LIMIT)
    text, line_warnings = decode_text(data)
    _refuse_binary(data, text)
    lines = _LINE.findall(text)
    delimiter = choose_delimiter(lines, columns)
    rows, starts, problems, warnings = [], [], {}, {}
    covered = 0
    for record in _records(lines, delimiter):
        number = len(rows) + 1
        cells = record.cells
        nul = next((i for i, c in enumerate(cells) if "\x00" in c), None)
        if nul is not None:
            cells = [c.replace("\x00", "\ufffd") for c in cells]
        problem = record.problem or (None if nul is None else Note(
            nul, "text without NUL (binary zero) characters: this cell holds one; retype "
                 "it, or save the file again as CSV"))
        if problem:
            problems[number] = problem
        for line in range(record.first + 1, record.last + 2):
            if line in line_warnings and number not in warnings:
                warnings[number] = _locate(line_warnings[line], cells)
        rows.append(cells)
        starts.append(record.first + 1)
        covered += record.last - record.first + 1
    if covered != len(lines):
        raise Unreadable(f"only {covered} of the file's {len(lines)} lines could be read "
                         "as rows: save it again as CSV")
    notes = SheetNotes(problems=problems, warnings=warnings, lines=tuple(starts),
                       line_count=len(lines))
    return Sheets({"": rows}, delimiter, {"": notes})


def _locate(warning: LineWarning, cells: Sequence[str]) -> Note:
    """The warning pinned to the first cell holding a character read as Windows-1252."""
    where = next((i for i, c in enumerate(cells) if any(ch in c for ch in warning.chars)), -1)
    return Note(where, warning.text)


# --- XLSX ---------------------------------------------------------------------------------

def _sheet_rows(sheet, formulas=None) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Rows of one read-only sheet, in bounded time and memory whatever size it declares.

    The declared dimensions are ignored (a stray cell at XFD1048576 would otherwise pad
    every row to 16,384 cells and a million rows); rows end at their last filled cell and
    blank rows are one shared empty list. ``formulas`` is the same sheet read for its
    formulas (None when the workbook has none).
    """
    sheet.reset_dimensions()
    raws: Iterator = iter(())
    if formulas is not None:
        formulas.reset_dimensions()
        raws = formulas.iter_rows()
    blank: list[str] = []
    rows: list[list[str]] = []
    numeric: set[tuple[int, int]] = set()
    filled = scanned = 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        raw = next(raws, ())
        if not row and not raw:
            rows.append(blank)
            continue
        scanned += len(row) + len(raw)
        cells = [(i, c) for i, c in enumerate(row) if c.value is not None]
        missing = {i: c.value for i, c in enumerate(raw) if isinstance(c.value, str)
                   and c.value.startswith("=") and (i >= len(row) or row[i].value is None)}
        filled += len(cells) + len(missing)
        if filled > MAX_FILLED_CELLS or scanned > MAX_SCANNED_CELLS:
            raise Unreadable(f"sheet {sheet.title!r} is too large for a return (over "
                             f"{MAX_FILLED_CELLS:,} filled cells, or {MAX_SCANNED_CELLS:,} "
                             "cells to read): is it the right file?")
        if not cells and not missing:
            rows.append(blank)
            continue
        texts = [""] * (max([i for i, _ in cells] + list(missing)) + 1)
        for i, cell in cells:
            texts[i] = cell_text(cell.value, getattr(cell, "number_format", "General"))
            if cell.data_type == "n" and isinstance(cell.value, int | float):
                numeric.add((number, i))
        for i, formula in missing.items():
            texts[i] = formula   # a formula never calculated: the value check reports it
        rows.append(texts)
    return _trim_blank_tail(rows), numeric


def _trim_blank_tail(rows: list[list[str]]) -> list[list[str]]:
    end = len(rows)
    while end and not rows[end - 1]:
        end -= 1
    return rows[:end]


def _has_formulas(data: bytes) -> bool:
    """True if any worksheet of the workbook holds a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                continue
            with archive.open(name) as part:
                tail = b""
                for block in iter(lambda: part.read(1 << 20), b""):
                    if re.search(rb"<(\w+:)?f[ >/]", tail + block):
                        return True
                    tail = block[-16:]
    return False


def read_xlsx_sheets(data: bytes) -> Sheets:
    """Each sheet's rows as text: cached formula values, % formats applied; hidden sheets
    are named as such (see :class:`Sheets`).

    A formula whose value was never saved (e.g. written by a script, not by Excel) is kept
    as its formula text, which the value check then reports. Cells that held numbers are
    noted (an id like ``7.20`` typed into a number cell arrives as ``7.2``).
    """
    from openpyxl import load_workbook

    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = (load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                if _has_formulas(data) else None)
    try:
        sheets, notes, hidden = {}, {}, {}
        for sheet in values.worksheets:
            rows, numeric = _sheet_rows(sheet, formulas[sheet.title] if formulas else None)
            sheets[sheet.title] = rows
            notes[sheet.title] = SheetNotes(numeric=frozenset(numeric))
            if sheet.sheet_state != "visible":
                hidden[sheet.title] = str(sheet.sheet_state)
        return Sheets(sheets, notes=notes, hidden=hidden)
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


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

