"""What a reader hands on, whatever the file: the sheets of text (:class:`Sheets`), what
was noticed on their rows (:class:`Note`, :class:`SheetNotes`), the refusal of a whole file
(:class:`Unreadable`), and how a cell is shown and named as a spreadsheet does
(:func:`cell_text`, :func:`cell_name`) and a header recognised (:func:`header_score`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

HEADER_ROWS = 20                 # the header is looked for in a sheet's first rows
EXCEL_COLUMNS = 16_384           # XFD, a worksheet's last column


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
    known = tuple(columns)
    return sum(1 for n in names if _names_a_column(n, known))


@functools.lru_cache(maxsize=4096)   # the rows scanned for a header repeat their words
def _names_a_column(name: str, columns: tuple[str, ...]) -> bool:
    """Whether ``name`` is one of ``columns``, or close to one (difflib's ratio 0.8)."""
    return bool(difflib.get_close_matches(name, columns, 1, 0.8))


def number_text(value: float) -> str:
    """A number as a person reads it, never in scientific notation: ``0.000015``, ``3202``."""
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(float(value), trim="-")


def column_label(column: int) -> str:
    """A column as a spreadsheet names it: ``E`` for the 5th; past Excel's last column (XFD,
    the 16,384th), where a CSV row can still reach, ``C20012`` (R1C1 style).

    Computed here rather than by openpyxl's ``get_column_letter``, so that naming a cell in
    a finding (the validate stage) does not import the workbook library (~0.1 s)."""
    if not 0 < column <= EXCEL_COLUMNS:
        return f"C{column}"
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
