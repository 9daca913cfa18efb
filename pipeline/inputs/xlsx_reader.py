"""The XLSX reader: each sheet's rows as the text a person sees (cached formula values,
% formats applied, a formula never calculated kept as its text), hidden sheets named, in
bounded time and memory whatever size a sheet declares.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from pipeline.inputs.sheets import SheetNotes, Sheets, Unreadable, cell_text

MAX_FILLED_CELLS = 1_000_000     # a return has hundreds; more means the wrong file
MAX_SCANNED_CELLS = 20_000_000   # cells walked over, blanks between filled ones included


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
