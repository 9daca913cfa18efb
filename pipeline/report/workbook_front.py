"""The parts of the tables workbook that the Analysis Function's spreadsheet standard asks
for around the tables: a Cover, a Contents and a Notes sheet first, each table marked up as
an Excel table, the markers for blank cells, and row heights that let wrapped text print
without running into the next row (LibreOffice does not grow a row for wrapped text).

:func:`pipeline.report.export.write_workbook` calls these; they only touch the openpyxl
sheets they are given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.figures import format_date
from pipeline.inputs.cells import alignment_style, font_style, workbook_text, write_text_cell
from pipeline.inputs.sheet_layout import fit_row_heights, set_print_layout

FRONT_SHEETS = ("Cover", "Contents", "Notes")
NO_VALUE, NOT_APPLICABLE = "[x]", "[z]"
# (key, text): each sheet says which apply; the Notes sheet lists those any sheet uses.
NOTES = (
    ("no_value", f"{NO_VALUE} marks a cell with no value: the figure was not given, is not "
                 "available, or cannot be computed for this row (for example a share of "
                 "nothing). The CSV file leaves such a cell empty."),
    ("not_applicable", f"{NOT_APPLICABLE} marks a cell where nothing applies: a total row has "
                       "no entry of its own in this column (no unit, rating or period)."),
    ("rag", "RAG ratings: Green, on track; Amber, some risk; Red, high risk of missing the "
            "target; Not available for reporting, no usable value; Target not agreed, no "
            "agreed target. The rating is always written as a word: the cell's colour only "
            "repeats it."),
    ("units", "Units: a heading ending in (£) is in pounds; a heading with % holds "
              "percentages on a 0 to 100 scale; any other figure is in the indicator's unit, "
              "named in the Unit column where there is one (count, percent, rate)."),
    ("totals", "Rows in bold are totals; the row's label says which (theme total, overall "
               "total, Totals)."),
    ("partner", "Text that partners wrote (titles, commentary, actions) is shown as they wrote "
                "it; text starting with =, +, - or @ is text, never a formula."),
    ("cut", "A table longer or wider than a sheet can hold is cut, with a line under its "
            "title saying so; its CSV file holds every row and column."),
)
ALWAYS = frozenset({"no_value", "not_applicable", "units"})
_NAME_BAD = re.compile(r"[^0-9A-Za-z_]")


@dataclass(frozen=True)
class SheetEntry:
    """One data sheet as the Contents sheet lists it."""

    sheet: str
    title: str
    description: str


def note_numbers(used: set[str]) -> dict[str, int]:
    """The number each used note gets on the Notes sheet, in :data:`NOTES` order (the
    markers' and units' notes always: they explain the shorthand)."""
    keys = [key for key, _ in NOTES if key in used | ALWAYS]
    return {key: number for number, key in enumerate(keys, start=1)}


def notes_line(keys: Sequence[str], numbers: dict[str, int]) -> str:
    """``"Notes 1, 3 and 4 (see the Notes sheet) apply to this table."`` (a pointer to the
    Notes sheet when none does)."""
    shown = sorted(numbers[k] for k in set(keys) if k in numbers)
    if not shown:
        return "No note applies to this table (the Notes sheet explains the shorthand)."
    words = [str(n) for n in shown]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return (f"Note{'s' if len(words) > 1 else ''} {listed} (see the Notes sheet) "
            f"appl{'y' if len(words) > 1 else 'ies'} to this table.")


def table_name(number: int, name: str) -> str:
    """A unique, valid Excel table name: ``Table_01_indicator_risk_summary``."""
    return f"Table_{number:02d}_" + _NAME_BAD.sub("_", name)[:200]


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Headers made non-blank and unique regardless of case (an Excel table needs both)."""
    seen: set[str] = set()
    out = []
    for position, header in enumerate(headers, start=1):
        base = header.strip() or f"Column {position}"
        name, number = base, 2
        while name.casefold() in seen:
            name, number = f"{base} ({number})", number + 1
        seen.add(name.casefold())
        out.append(name)
    return out


def add_table(sheet, ref: str, name: str) -> None:
    """Mark ``ref`` (header row first) of ``sheet`` up as an Excel table called ``name``."""
    from openpyxl.worksheet.table import Table, TableStyleInfo

    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False,
                                          showColumnStripes=False)
    sheet.add_table(table)


def _rows(sheet, rows: Sequence[tuple[str, ...]], first: int, bold_first: bool = True):
    wrap = alignment_style(wrap_text=True, vertical="top")
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=first + offset, column=column)
            write_text_cell(cell, value)
            cell.alignment = wrap
            if bold_first and offset == 0:
                cell.font = font_style(bold=True)


def write_cover(sheet, title: str, lines: Sequence[tuple[str, str]]) -> None:
    """The Cover sheet: the title in A1, then a heading and a paragraph for each of
    ``lines`` (what the workbook holds, period, meeting, source, generated...)."""
    sheet.column_dimensions["A"].width = 100
    write_text_cell(sheet["A1"], title)
    sheet["A1"].font = font_style(bold=True, size=14)
    row = 2
    for heading, text in lines:
        write_text_cell(sheet.cell(row=row, column=1), heading)
        sheet.cell(row=row, column=1).font = font_style(bold=True, size=12)
        write_text_cell(sheet.cell(row=row + 1, column=1), text)
        sheet.cell(row=row + 1, column=1).alignment = alignment_style(wrap_text=True,
                                                                      vertical="top")
        row += 2
    fit_row_heights(sheet, 1, row)
    set_print_layout(sheet, "")


def write_contents(sheet, entries: Sequence[SheetEntry]) -> None:
    """The Contents sheet: each data sheet's name, linked to it, its table's title and a
    line on what it holds, as an Excel table."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheet["A1"] = "Contents"
    sheet["A1"].font = font_style(bold=True, size=14)
    write_text_cell(sheet["A2"], "Select a sheet name to go to it. Every table is also a "
                                 "CSV file in the workbook's folder.")
    header = ("Sheet name", "Table title", "What it holds")
    _rows(sheet, [header, *[(e.sheet, e.title, e.description or e.title) for e in entries]],
          3)
    for offset, entry in enumerate(entries, start=4):
        cell = sheet.cell(row=offset, column=1)
        quoted = entry.sheet.replace("'", "''")
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1",
                                   display=entry.sheet)
        cell.font = font_style(color="0563C1", underline="single")
    for letter, width in zip("ABC", (32, 44, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    add_table(sheet, f"A3:C{3 + max(len(entries), 1)}", "Table_contents")
    if not entries:
        _rows(sheet, [("None", "There are no tables in this workbook.", NOT_APPLICABLE)], 4,
              bold_first=False)
    fit_row_heights(sheet, 3, 3 + len(entries))
    set_print_layout(sheet, "3:3")


def write_notes(sheet, numbers: dict[str, int], users: dict[str, list[str]]) -> None:
    """The Notes sheet: each note any table uses, numbered, with the sheets it applies to,
    as an Excel table."""
    sheet["A1"] = "Notes"
    sheet["A1"].font = font_style(bold=True, size=14)
    write_text_cell(sheet["A2"], "Each table's sheet says, under its title, which of these "
                                 "notes apply to it.")
    rows = [("Note number", "Note text", "Applies to")]
    texts = dict(NOTES)
    for key, number in sorted(numbers.items(), key=lambda item: item[1]):
        rows.append((f"Note {number}", texts[key],
                     ", ".join(users.get(key, [])) or "No table here uses it"))
    _rows(sheet, rows, 3)
    for letter, width in zip("ABC", (12, 90, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    add_table(sheet, f"A3:C{3 + len(rows) - 1}", "Table_notes")
    fit_row_heights(sheet, 3, 3 + len(rows))
    set_print_layout(sheet, "3:3")


def cover_lines(count: int, subtitle: str, generated_at: str,
                 cover: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The Cover sheet's lines (heading, text): what the workbook holds, the run's own
    ``cover`` lines, the source, how blank cells are marked and when it was generated."""
    about = f"the {subtitle} report" if subtitle else "the report"
    return [
        ("What this workbook holds",
         f"The {count} table{'s' if count != 1 else ''} behind {about}, one table a sheet, "
         "listed with links on the Contents sheet. Each table is also a CSV file in this "
         "workbook's folder, numbered in the same order."),
        *[(workbook_text(h), workbook_text(t)) for h, t in cover if t],
        ("Source", "The partners' returns and the partnership's register of indicators and "
                   "targets, after the data-quality checks; every figure is computed from "
                   "them."),
        ("Blank cells", "No cell of a table is left blank: [x] marks a cell with no value and "
                        "[z] a cell where nothing applies (see the Notes sheet)."),
        ("Generated", format_date(str(generated_at)[:10]) or "no date given"),
    ]
