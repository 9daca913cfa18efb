"""The tables workbook meets the Analysis Function's essential items for spreadsheets
(issue 22 item 6): cover, contents and notes sheets first; each table marked up as an Excel
table with its title in A1; no unexplained blank cell; title, subject and language in the
properties; sheet names cut at a word, never mid-word; wrapped text given room to print.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.config import find_project_root
from pipeline.report.export import sheet_title, write_workbook
from pipeline.report.table_spec import AppendixTable
from tests.sheet_checks import assert_columns_fit, assert_prints_legibly

ROOT = find_project_root()

FRONT = ["Cover", "Contents", "Notes"]
MARKERS = ("[x]", "[z]")
LONG = "Block 1 Children and Young People"
STAMP = "2007-06-30T12:00:00"


def _tables() -> list[AppendixTable]:
    block = AppendixTable(
        "block-cyp", "Block 1: Children and Young People", pd.DataFrame({
            "Indicator": ["7.1", "7.2", "Total"], "Unit": ["count", "percent", ""],
            "Value": [26629.0, float("nan"), 99.0], "Final RAG": ["Red", "", ""],
            "Lead's commentary": ["Up " * 80, "", "=HYPERLINK(\"x\")"]}),
        {"Indicator": "text", "Unit": "text", "Value": "value", "Final RAG": "rag",
         "Lead's commentary": "partner"}, unit_column="Unit", emphasis_column="Indicator",
        emphasis=("Total",), sheet=LONG)
    empty = AppendixTable("none", "Nothing to list", pd.DataFrame({"File": [], "Row": []}),
                          {"File": "text", "Row": "count"})
    return [block, empty]


def _write(tmp_path):
    path = write_workbook(_tables(), tmp_path / "t.xlsx", STAMP,
                          "Leicestershire Together · 2006-07 Q4", "Leicestershire Together")
    return path, load_workbook(path)


def _table_cells(sheet, table):
    return [row for row in sheet[table.ref]]


def check_standard(book, full_names: dict[str, str] | None = None) -> None:
    """The checks a workbook of tables must pass (used on the small and the demo's)."""
    assert book.sheetnames[:3] == FRONT
    assert book.active.title == "Cover"
    props = book.properties
    assert props.title and props.subject and props.language == "en-GB" and props.creator
    contents = book["Contents"]
    assert contents["A1"].value and contents.tables
    linked = {c.hyperlink.location.split("!")[0].strip("'") for c in contents["A"]
              if c.hyperlink is not None}
    assert linked == set(book.sheetnames[3:])
    notes = book["Notes"]
    assert notes.tables and notes["A1"].value
    note_text = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    for marker in MARKERS:
        assert marker in note_text
    names = set()
    for sheet in book.worksheets:
        assert sheet["A1"].value, sheet.title                 # a title in A1 everywhere
        if sheet.title == "Cover":
            continue
        assert len(sheet.tables) == 1, sheet.title
        table = next(iter(sheet.tables.values()))
        assert table.displayName not in names
        names.add(table.displayName)
        rows = _table_cells(sheet, table)
        header = [c.value for c in rows[0]]
        assert all(isinstance(h, str) and h for h in header)
        assert len({h.casefold() for h in header}) == len(header)
        assert len(rows) >= 2
        for row in rows[1:]:
            for cell in row:                                  # nothing blank in a table
                assert cell.value is not None and cell.value != "", \
                    f"{sheet.title}!{cell.coordinate} is blank"
        assert not sheet.merged_cells.ranges
        assert sheet.print_title_rows
        assert_prints_legibly(sheet)
        first = rows[0][0].row
        assert sheet.print_title_rows == f"${first}:${first}", sheet.title
        assert all("_" not in h for h in header), f"{sheet.title}: {header}"
        if sheet.title not in FRONT:
            assert_columns_fit(sheet, first, rows[-1][0].row)
            assert sheet.freeze_panes == f"A{first + 1}"
    for sheet in book.worksheets[3:]:
        full = (full_names or {}).get(sheet.title, sheet.title)
        assert full.startswith(re.sub(r" \(\d+\)$", "", sheet.title))
        rest = full[len(re.sub(r" \(\d+\)$", "", sheet.title)):]
        assert rest == "" or rest.startswith(" "), f"{sheet.title!r} cut mid-word"


def test_small_workbook_meets_the_standard(tmp_path):
    path, book = _write(tmp_path)
    check_standard(book, {"Block 1 Children and Young": LONG})
    assert book.sheetnames == [*FRONT, "Block 1 Children and Young", "Nothing to list"]


def test_blank_cells_are_marked_and_explained(tmp_path):
    _, book = _write(tmp_path)
    sheet = book["Block 1 Children and Young"]
    assert sheet["C6"].value == "[x]"                     # no value in a data row
    assert sheet["D7"].value == "[z]"                     # nothing applies in a total row
    assert sheet["E5"].value.startswith("Up ")
    assert sheet["E7"].value == "=HYPERLINK(\"x\")" and sheet["E7"].data_type == "s"
    assert "Notes sheet" in sheet["A3"].value
    empty = book["Nothing to list"]
    assert "no rows" in empty["A5"].value.casefold()


def test_wrapped_text_gets_a_row_height_to_print_without_overlap(tmp_path):
    _, book = _write(tmp_path)
    sheet = book["Block 1 Children and Young"]
    width = sheet.column_dimensions["E"].width
    lines = math.ceil(len("Up " * 80) / (width * 1.1))
    assert sheet["E5"].alignment.wrap_text
    assert sheet.row_dimensions[5].height >= 15 * lines * 0.9


def test_sheet_names_are_cut_at_a_word():
    taken: set[str] = set()
    assert sheet_title("Block 1 Children and Young People", taken) == \
        "Block 1 Children and Young"
    assert sheet_title("Block 1 Children and Young People", taken) == \
        "Block 1 Children and Young (2)"
    assert sheet_title("Supercalifragilisticexpialidocious-words", set()) == \
        "Supercalifragilisticexpialidoci"                  # one word: no boundary to cut at


@pytest.mark.slow
def test_demo_tables_workbook_meets_the_standard(appendix_demo):
    demo = appendix_demo
    path = demo["report"] / "tables" / "appendix-tables.xlsx"
    book = load_workbook(path)
    full = {}
    for sheet in book.worksheets[3:]:
        full[sheet.title] = sheet.title
        if sheet.title.startswith("Block "):
            title = sheet["A1"].value                       # "Block 1: Children and ..."
            full[sheet.title] = title.replace(":", "")
    check_standard(book, full)
    gap = book["Reward gap analysis"]
    table = next(iter(gap.tables.values()))
    assert sum(c.value in MARKERS for row in _table_cells(gap, table)[1:] for c in row) > 0


@pytest.mark.slow
def test_laa2_demo_tables_workbook_meets_the_standard(laa2_run):
    book = load_workbook(laa2_run["report"] / "tables" / "appendix-tables.xlsx")
    full = {s.title: (s["A1"].value.replace(":", "") if s.title.startswith("Block ")
                      else s.title) for s in book.worksheets[3:]}
    check_standard(book, full)
    assert "Multi-Area Agreement indicators" in book.sheetnames
