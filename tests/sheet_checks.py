"""Checks on a workbook's sheets as an officer prints and reads them (issue 22 item 6, as
opened in LibreOffice): shared by the tables workbook's, the templates' and the audit
workbook's tests."""

from __future__ import annotations

from collections import defaultdict

from openpyxl.utils import get_column_letter

from pipeline.inputs.sheet_layout import DEFAULT_WIDTH, PAGE_WIDTH, SCALE_MIN


def used_width(sheet) -> float:
    """The width of the sheet's used columns, in characters."""
    return sum(sheet.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
               for c in range(1, sheet.max_column + 1))


def overflow_width(sheet) -> float:
    """How far the longest unwrapped text runs from column A (a line LibreOffice prints
    whole, widening what is fitted to the page): its length, in characters."""
    longest = 0.0
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and not (cell.alignment and
                                                    cell.alignment.wrap_text):
                start = sum(sheet.column_dimensions[get_column_letter(c)].width
                            or DEFAULT_WIDTH for c in range(1, cell.column))
                longest = max(longest, start + len(cell.value) * 0.9)
    return longest


def assert_prints_legibly(sheet, title_columns: bool = True) -> None:
    """Landscape, fitted to as many pages' width as keep the text at 60% or more, with
    the header row repeated on each page, and the first column too when the sheet is more
    than one page wide; no unwrapped line wider than what prints."""
    setup = sheet.page_setup
    assert setup.orientation == "landscape", sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    pages = setup.fitToWidth or 1
    widest = max(used_width(sheet), overflow_width(sheet))
    assert widest / pages <= PAGE_WIDTH / SCALE_MIN + 1, \
        f"{sheet.title}: {widest:.0f} characters wide on {pages} page(s)"
    if pages > 1 and title_columns:
        assert sheet.print_title_cols, f"{sheet.title}: no column repeated on each page"
        assert setup.pageOrder == "overThenDown", sheet.title


def assert_columns_fit(sheet, header_row: int, last_row: int) -> None:
    """No figure wider than its column (it would show as ####), no column much wider than
    its header and longest value need, and one number format per column and unit."""
    formats: dict[tuple[int, str], set[str]] = defaultdict(set)
    units = None
    header = [c.value for c in sheet[header_row]]
    if "Unit" in header:
        units = header.index("Unit") + 1
    longest: dict[int, int] = defaultdict(int)
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=last_row):
        for cell in row:
            if isinstance(cell.value, bool) or cell.value is None:
                continue
            if isinstance(cell.value, int | float):
                unit = sheet.cell(row=cell.row, column=units).value if units else ""
                formats[(cell.column, str(unit))].add(cell.number_format)
                fmt = cell.number_format
                places = fmt.split(".")[1].count("0") if "." in fmt else 0
                text = f"{cell.value:,.{places}f}" + ("£" if "£" in fmt else "") + \
                    ("%" if "%" in fmt else "")
                width = sheet.column_dimensions[get_column_letter(cell.column)].width
                assert width >= len(text) + 1, f"{sheet.title}!{cell.coordinate} shows ####"
                longest[cell.column] = max(longest[cell.column], len(text) + 2)
            elif not (cell.alignment and cell.alignment.wrap_text):
                longest[cell.column] = max(longest[cell.column], len(str(cell.value)))
            else:
                longest[cell.column] = max(longest[cell.column], 44)   # a paragraph
    for (column, unit), found in formats.items():
        assert len(found) == 1, f"{sheet.title} column {column} ({unit}): {sorted(found)}"
    for place, text in enumerate(header, start=1):
        width = sheet.column_dimensions[get_column_letter(place)].width
        need = max(longest[place], max(len(w) for w in str(text).split()) + 1,
                   len(str(text)) / 3 + 1, 6) + 4
        assert width <= need, f"{sheet.title}: column {text!r} {width} wide, needs {need}"
