"""Export of the appendix's tables for officers: one XLSX workbook to the Analysis
Function's spreadsheet standard (Cover, Contents and Notes sheets, then a sheet per table
marked up as an Excel table, no blank cell unexplained: :mod:`pipeline.report.workbook_front`)
and one CSV per table, with partner text made safe.

Text that partners wrote can start with ``=``, ``+``, ``-`` or ``@``. In CSV it gets a
leading apostrophe (:func:`neutralise_cell`); in XLSX it is written as a string cell with
Excel's quote prefix, never as a formula, and keeps its exact text, less what a workbook
cannot hold (:func:`workbook_text`: control characters, text beyond 32,767 characters).
A table beyond a sheet's 1,048,576 rows or 16,384 columns is cut, with a note, in the
workbook; its CSV always holds every row.
Workbooks are deterministic: fixed zip dates and the run's generated-at stamp as created
and modified.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.figures import format_date
from pipeline.inputs.cells import (  # noqa: F401  (re-exported: the export's vocabulary)
    CELL_TEXT_MAX,
    FORMULA_STARTS,
    TRUNCATED,
    fix_zip_dates,
    neutralise_cell,
    save_workbook,
    workbook_text,
    write_text_cell,
    zip_stamp,
)
from pipeline.report.open_data import (  # noqa: F401  (re-exported)
    neutralise_frame,
    write_csv,
)
from pipeline.report.sheet_format import (
    NUMERIC_KINDS,
    number_format,  # noqa: F401  (re-exported)
)

if TYPE_CHECKING:
    from pipeline.report.table_spec import AppendixTable

SHEET_NAME_MAX = 31
SHEET_ROWS_MAX = 1_048_576       # Excel's rows a sheet, the title and header rows included
SHEET_COLUMNS_MAX = 16_384       # Excel's columns a sheet
HEADER_ROW = 4                   # title, note, what was cut (if anything), then the header
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at the last word boundary (mid-word only when
    its first word is longer than the limit)."""
    if len(text) <= limit:
        return text.strip()
    head = text[:limit]
    if text[limit] != " " and " " in head:
        head = head[:head.rindex(" ")]
    return head.strip(" -,;&") or text[:limit].strip()


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters at most, cut at a word, no
    ``[]:*?/\\``)."""
    clean = " ".join(_SHEET_BAD.sub(" ", workbook_text(title)).split()).strip("'")
    base = cut_at_word(clean, SHEET_NAME_MAX) or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = cut_at_word(base, SHEET_NAME_MAX - len(suffix)) + suffix
        number += 1
    taken.add(name.casefold())
    return name


def csv_name(number: int, table: AppendixTable) -> str:
    """The file name of a table's CSV, numbered in the appendix's order:
    ``01-indicator-risk-summary.csv``."""
    return f"{number:02d}-{table.name}.csv"


def fit_sheet(frame: pd.DataFrame, csv: str,
              header_row: int = HEADER_ROW) -> tuple[pd.DataFrame, str]:
    """The part of a table one sheet can hold, and a note saying what was cut.

    A sheet holds ``SHEET_ROWS_MAX`` rows, the ``header_row`` rows of title, notes and
    header included, and ``SHEET_COLUMNS_MAX`` columns. The note (``""`` when the whole
    table fits) says how many rows and columns are shown of how many, and that ``csv``
    holds the whole table.
    """
    rows, columns = SHEET_ROWS_MAX - header_row, SHEET_COLUMNS_MAX
    cut = []
    if len(frame) > rows:
        cut.append(f"rows 1 to {rows:,} of {len(frame):,}")
    if len(frame.columns) > columns:
        cut.append(f"columns 1 to {columns:,} of {len(frame.columns):,}")
    if not cut:
        return frame, ""
    note = " and ".join(cut) + f" shown: a sheet holds no more. The whole table is in {csv}."
    return frame.iloc[:rows, :columns], note[0].upper() + note[1:]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
        or (not isinstance(value, str) and pd.isna(value))


def write_workbook(tables: Sequence[AppendixTable], path: Path, generated_at: str,
                   subtitle: str = "", author: str = "", title: str = "",
                   cover: Sequence[tuple[str, str]] = ()) -> Path:
    """Write the tables to one XLSX workbook to the Analysis Function's standard: a Cover,
    a Contents and a Notes sheet first, then a formatted sheet per table.

    Each table's sheet: its title in A1, ``subtitle`` and the table's note under it (in
    lines that print within the page), then which notes of the Notes sheet apply (and what
    was cut, if anything), then the table marked up as an Excel table: a bold header row
    (repeated on each printed page, the first column too when the table prints over more
    than one page's width), frozen panes under it, numbers as numbers with thousands
    separators (£ for money, % for percentages) and one format down a column and unit
    (:mod:`pipeline.report.sheet_format`), columns as wide as their longest value, RAG
    labels as words (their colour only repeats them), totals in bold, partner text as text
    (never a formula) and wrapped, with row heights to print it. No cell of a table is blank: a
    missing value is ``[x]`` (``[z]`` in a total row), as the Notes sheet explains. A table
    longer or wider than a sheet can hold is cut (:func:`fit_sheet`) with a note in red
    naming its CSV, numbered by its place in ``tables`` as :func:`write_tables` writes it.

    Parameters
    ----------
    tables
        From :func:`pipeline.report.sheets.appendix_tables` or ``district_tables``.
    path
        The ``.xlsx`` to write (folders are created).
    generated_at
        The run's stamp (ISO 8601): the workbook's created and modified dates.
    subtitle
        A line under each sheet's title (partnership, period, meeting); the workbook's
        subject.
    author
        The workbook's creator (the partnership).
    title
        The workbook's title (Cover sheet and properties); ``"Tables"`` when blank.
    cover
        (heading, text) lines for the Cover sheet: partnership, period, meeting, contact.
    """
    from openpyxl import Workbook

    from pipeline.report.workbook_front import (
        FRONT_SHEETS,
        SheetEntry,
        cover_lines,
        note_numbers,
        notes_line,
        write_contents,
        write_cover,
        write_notes,
    )

    book = Workbook()
    book.remove(book.active)
    subtitle, author = workbook_text(subtitle), workbook_text(author)
    title = workbook_text(title) or "Tables"
    fronts = [book.create_sheet(name) for name in FRONT_SHEETS]
    taken = {name.casefold() for name in FRONT_SHEETS}
    written = []
    for number, table in enumerate(tables, start=1):
        if not table.workbook:
            continue
        sheet = book.create_sheet(sheet_title(table.sheet or table.title, taken))
        used, cut, row = _write_sheet(sheet, table, number, subtitle)
        written.append((sheet, table, used, cut, row))
    numbers = note_numbers(set().union(*(used for _, _, used, _, _ in written)))
    users: dict[str, list[str]] = {}
    entries = []
    for sheet, table, used, cut, row in written:
        line = notes_line(sorted(used), numbers)
        sheet.cell(row=row, column=1, value=" ".join(t for t in (cut, line) if t))
        for key in used:
            users.setdefault(key, []).append(sheet.title)
        entries.append(SheetEntry(sheet.title, workbook_text(table.title),
                                  workbook_text(table.note)))
    for key in numbers:
        users.setdefault(key, [])
    write_cover(fronts[0], title, cover_lines(len(entries), subtitle, generated_at, cover))
    write_contents(fronts[1], entries)
    write_notes(fronts[2], numbers, users)
    book.active = 0
    book.properties.title = title
    book.properties.subject = subtitle or title
    book.properties.language = "en-GB"
    book.properties.keywords = "Local Area Agreement; performance; tables"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(save_workbook(book, generated_at, author))
    return path


def _write_sheet(sheet, table: AppendixTable, number: int,
                 subtitle: str) -> tuple[set[str], str, int]:
    """One table's sheet (see :func:`write_workbook`); the notes it uses, what was cut and
    the row that says which notes apply."""
    from openpyxl.utils import get_column_letter

    from pipeline.inputs.cells import alignment_style, border_style, fill_style, font_style
    from pipeline.inputs.sheet_layout import fit_row_heights, set_print_layout
    from pipeline.report.chart_style import RAG_STYLE
    from pipeline.report.sheet_format import (
        DATE_FORMAT,
        column_formats,
        column_width,
        iso_date,
        note_lines,
        shown_text,
        wrap_width,
    )
    from pipeline.report.workbook_front import (
        NO_VALUE,
        NOT_APPLICABLE,
        add_table,
        table_name,
        unique_headers,
    )

    rag_codes = {"Green": "G", "Amber": "A", "Red": "R", "Not available for reporting": "N",
                 "Target not agreed": "T"}
    header_fill = fill_style("E9EDF2")
    header_border = border_style("bottom", "medium", "1A1A1A")
    total_border = border_style("top", "thin", "1A1A1A")
    note = " · ".join(t for t in (subtitle, table.note) if t)
    lines = note_lines(workbook_text(note)) if note else []
    notes_row = 2 + max(len(lines), 1)
    header_row = max(HEADER_ROW, notes_row + 1)
    frame, cut = fit_sheet(table.frame.reset_index(drop=True), csv_name(number, table),
                           header_row)
    columns = list(frame.columns)
    used = {"cut"} if cut else set()
    kinds = {table.kinds.get(c, "text") for c in columns}
    used |= {k for k in ("rag", "partner") if k in kinds}
    if kinds & set(NUMERIC_KINDS):
        used.add("units")
    sheet.cell(row=1, column=1, value=workbook_text(table.title)).font = font_style(
        bold=True, size=13)
    for offset, line in enumerate(lines, start=2):
        sheet.cell(row=offset, column=1, value=line).font = font_style(italic=True,
                                                                       color="444444")
    sheet.cell(row=notes_row, column=1).font = font_style(bold=bool(cut),
                                                          color="B3121B" if cut else None)
    headers = unique_headers([workbook_text(c) for c in columns])
    units = frame[table.unit_column] if table.unit_column in frame else None
    decimals = column_formats(frame, table.kinds, units)
    longest = dict.fromkeys(columns, 0)
    wraps, words = dict.fromkeys(columns, False), dict.fromkeys(columns, 0)
    # each column's kind and alignments, once (figures right; an indent but the first)
    specs = []
    for place, column in enumerate(columns, start=1):
        kind = table.kinds.get(column, "text")
        align = {"vertical": "top", "horizontal": "right" if kind in (*NUMERIC_KINDS, "date")
                 else None, "indent": 0 if place == 1 else 1}
        specs.append((place, column, kind, align["indent"] + 1, alignment_style(**align),
                      alignment_style(**align, wrap_text=True), wrap_width(kind)))
    bolds = ([str(v) in table.emphasis for v in frame[table.emphasis_column].tolist()]
             if table.emphasis_column in columns else [False] * len(frame))
    unit_of = [str(u) for u in units.tolist()] if units is not None else None
    formats: dict[tuple[str, str, str], str] = {}
    wrapping = [(header_row, place) for place in range(1, len(columns) + 1)]  # the header
    records = (zip(*(values.tolist() for _, values in frame.items()), strict=True)
               if columns else [()] * len(frame))  # rows from whole columns, not cell by cell
    for offset, (record, bold) in enumerate(zip(records, bolds, strict=True)):
        row = header_row + 1 + offset
        if bold:
            used.add("totals")
        for (place, column, kind, pad, align, wrapped, wrap_over), value in zip(
                specs, record, strict=True):
            cell = sheet.cell(row=row, column=place)
            wrap = False
            if (not value) if isinstance(value, str) else _missing(value):
                shown = NOT_APPLICABLE if bold else NO_VALUE
                write_text_cell(cell, shown)
                used.add("not_applicable" if bold else "no_value")
            elif kind == "date" and (day := iso_date(value)):
                cell.value = day
                cell.number_format = DATE_FORMAT
                shown = format_date(str(value))
            elif kind in NUMERIC_KINDS and not isinstance(value, str):
                number_value = float(value) + 0.0      # -0.0 is written as 0
                cell.value = int(number_value) if number_value.is_integer() \
                    and kind == "count" else number_value
                unit = unit_of[offset] if unit_of is not None else "count"
                key = (kind, column, unit)
                if key not in formats:
                    formats[key] = number_format(kind, decimals[column].get(unit, 0), unit)
                cell.number_format = formats[key]
                shown = shown_text(number_value, formats[key])
            else:
                shown = write_text_cell(cell, value)
                if kind == "partner":
                    cell.quotePrefix = True
                code = rag_codes.get(shown) if kind == "rag" else None
                if code:
                    fill, ink = RAG_STYLE[code]
                    cell.fill = fill_style(fill.lstrip("#").upper())
                    cell.font = font_style(bold=True, color=ink.lstrip("#").upper())
                if kind == "partner" or len(shown) > wrap_over:
                    wraps[column] = wrap = True
                    wrapping.append((row, place))
            cell.alignment = wrapped if wrap else align
            if bold:
                cell.font = font_style(bold=True, color=cell.font.color)
                cell.border = total_border
            longest[column] = max(longest[column], len(shown) + pad)
            words[column] = max([words[column], *(len(w) + pad for w in shown.split())])
    last_row = header_row + len(frame)
    if columns and frame.empty:                         # an Excel table needs a row
        last_row = header_row + 1
        empty = "No rows: there is nothing to list in this table."
        write_text_cell(sheet.cell(row=last_row, column=1), empty)
        for place in range(2, len(columns) + 1):
            write_text_cell(sheet.cell(row=last_row, column=place), NOT_APPLICABLE)
        used.add("not_applicable")
        longest[columns[0]], wraps[columns[0]] = len(empty), True
        wrapping.append((last_row, 1))
        sheet.cell(row=last_row, column=1).alignment = alignment_style(wrap_text=True,
                                                                       vertical="top")
    for place, (column, text) in enumerate(zip(columns, headers, strict=True), start=1):
        cell = sheet.cell(row=header_row, column=place)
        write_text_cell(cell, text)
        cell.font = font_style(bold=True)
        cell.fill = header_fill
        cell.border = header_border
        numeric = table.kinds.get(column, "text") in (*NUMERIC_KINDS, "date")
        cell.alignment = alignment_style(wrap_text=True, vertical="bottom",
                                         horizontal="right" if numeric else "left",
                                         indent=0 if place == 1 else 1)
        sheet.column_dimensions[get_column_letter(place)].width = column_width(
            text, longest[column], wraps[column], table.kinds.get(column, "text"),
            words[column])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if columns:
        add_table(sheet, f"A{header_row}:{get_column_letter(len(columns))}{last_row}",
                  table_name(number, table.name))
    fit_row_heights(sheet, header_row, last_row, wrapping if columns else None)
    set_print_layout(sheet, f"{header_row}:{header_row}", "A:A")
    return used, cut, notes_row


def warm_up() -> None:
    """Import what writing a workbook imports on first use (openpyxl's workbook, styles,
    tables and writer), so that a stage's kernel can do it before its turn."""
    import openpyxl.packaging.extended  # noqa: F401
    import openpyxl.worksheet.hyperlink  # noqa: F401
    import openpyxl.worksheet.table  # noqa: F401

    import pipeline.report.workbook_front  # noqa: F401


def write_tables(tables: Sequence[AppendixTable], folder: Path, workbook: str,
                 generated_at: str, subtitle: str = "", author: str = "", title: str = "",
                 cover: Sequence[tuple[str, str]] = ()) -> list[Path]:
    """Write the tables as one workbook (``<folder>/<workbook>.xlsx``) and a CSV each
    (a table marked ``workbook=False`` as its CSV only), each CSV with its CSV on the Web
    metadata (see :func:`write_csv`).

    CSV files are numbered in the appendix's order: ``01-indicator-risk-summary.csv``...
    Numbers are written plain (no separators), blanks for missing values. ``title`` and
    ``cover`` go to the workbook's Cover sheet (:func:`write_workbook`).

    Returns
    -------
    list[pathlib.Path]
        The workbook, then the CSV files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_workbook(tables, folder / f"{workbook}.xlsx", generated_at, subtitle,
                              author, title, cover)]
    for number, table in enumerate(tables, start=1):
        written.append(write_csv(table.frame, folder / csv_name(number, table), table.kinds,
                                 table.title, table.note, table.unit_column))
    return written
