"""How a sheet prints: row heights for wrapped text (LibreOffice does not grow a row for
it, so wrapped text would run into the next row) and a landscape page set-up fitted to
the width of as few pages as keep the text legible. Used by the return templates and the
appendix's tables workbook.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable

LINE_HEIGHT = 15.0               # points a line of 11 point text needs
DEFAULT_WIDTH = 8.43             # a column's width when none is set (characters)
PAGE_WIDTH = 135.0               # characters of width a landscape A4 page prints at 100%
SCALE_MIN = 0.6                  # the smallest a sheet is shrunk to fit a page's width


def lines_needed(text: str, width: float, bold: bool = False, indent: float = 0) -> int:
    """How many lines ``text`` wraps to, between words, in a column ``width`` characters
    wide (a width is counted in digits; text averages a little narrower, hence the 1.1;
    bold text a tenth wider; an indent takes a character a step)."""
    room = max(int(width * 1.1 * (0.9 if bold else 1.0) - indent) - 1, 1)
    text = str(text)
    if len(text) <= room and "\n" not in text and "\t" not in text:
        return 1                 # it fits on one line (what textwrap would find, faster)
    return sum(max(1, len(textwrap.wrap(part, room, break_long_words=True,
                                        break_on_hyphens=False)))
               for part in text.split("\n"))


def fit_row_heights(sheet, first_row: int, last_row: int,
                    wrapping: Iterable[tuple[int, int]] | None = None) -> None:
    """Give each row of ``sheet`` from ``first_row`` to ``last_row`` that holds wrapped text
    the height its longest cell needs, so that it prints without overlapping the next row
    (nor cutting a wrapped header's first line). ``wrapping``, the (row, column) of the
    cells that may wrap when the writer knows them, spares reading every other cell's
    style (each read looks it up)."""
    from openpyxl.utils import get_column_letter

    if wrapping is None:
        cells = (cell for row in sheet.iter_rows(min_row=first_row, max_row=last_row)
                 for cell in row)
    else:
        cells = (sheet.cell(row=row, column=column) for row, column in sorted(set(wrapping))
                 if first_row <= row <= last_row)
    widths: dict[int, float] = {}
    lines: dict[int, int] = {}
    for cell in cells:
        if cell.value is None:
            continue
        alignment = cell.alignment
        if not (alignment and alignment.wrap_text):
            continue
        column = cell.column
        if column not in widths:
            widths[column] = sheet.column_dimensions[get_column_letter(column)].width \
                or DEFAULT_WIDTH
        font = cell.font
        lines[cell.row] = max(lines.get(cell.row, 1),
                              lines_needed(str(cell.value), widths[column],
                                           bool(font and font.b), alignment.indent or 0))
    for row, count in lines.items():          # in row order, as the cells came
        if count > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * count


def pages_wide(sheet) -> int:
    """How many landscape A4 pages wide ``sheet`` prints on: one, unless fitting its used
    columns to one page would shrink the text below :data:`SCALE_MIN` of its size."""
    from openpyxl.utils import get_column_letter

    width = sum(sheet.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
                for c in range(1, sheet.max_column + 1))
    return max(1, math.ceil(width / (PAGE_WIDTH / SCALE_MIN)))


def set_print_layout(sheet, title_rows: str = "", title_columns: str = "") -> None:
    """Print ``sheet`` landscape, fitted to the width of as few pages as keep its text
    legible (:func:`pages_wide`), repeating ``title_rows`` (``"4:4"``) at the top of each
    page when given, and ``title_columns`` (``"A:A"``, the column that names each row) at
    the left of each page when the sheet is more than one page wide; the pages of the
    same rows print one after the other."""
    if title_rows:
        sheet.print_title_rows = title_rows
    wide = pages_wide(sheet)
    if wide > 1 and title_columns:
        sheet.print_title_cols = title_columns
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.pageOrder = "overThenDown"
    sheet.page_setup.fitToWidth = wide
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
