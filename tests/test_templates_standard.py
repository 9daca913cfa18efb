"""The return templates to the Analysis Function's standard (issue 22 item 6): the
instructions first, an input prompt on every cell to fill, nothing a partner cannot act on
(no commands), and no meaning carried by colour alone."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.config import find_project_root
from pipeline.inputs.register import load_register
from pipeline.inputs.templates import (
    FIGURE_COLUMNS,
    HEADER_ROW,
    INPUTS,
    LOCKED,
    SHEET,
    write_templates,
)
from tests.sheet_checks import assert_prints_legibly

ROOT = find_project_root()
STAMP = "2007-04-01T00:00:00"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    register = load_register(ROOT / "data" / "raw" / "register")
    ids = register.indicators["indicator_id"]
    figures = pd.DataFrame({"indicator_id": ids, "target": 100.0, "trajectory_point": 25.0,
                            "last_value": 20.0, "last_value_period": "2006-07 Q4"},
                           columns=FIGURE_COLUMNS)
    written = write_templates(register, "2007-08 Q1", figures, tmp_path_factory.mktemp("t"),
                              STAMP, {"name": "Leicestershire Together"})
    return load_workbook(next(p for p in written if "constabulary" in p.name))


def _prompted(sheet) -> set[str]:
    cells: set[str] = set()
    for validation in sheet.data_validations.dataValidation:
        if validation.showInputMessage and validation.prompt and validation.promptTitle:
            for ranges in validation.sqref.ranges:
                cells |= {f"{get_column_letter(col)}{row}" for row, col in ranges.cells}
    return cells


def test_instructions_come_first_and_open_first(book):
    assert book.sheetnames == ["Instructions", SHEET]
    assert book.active.title == "Instructions"
    assert book["Instructions"]["A1"].value


def test_every_cell_to_fill_has_an_input_prompt(book):
    sheet = book[SHEET]
    prompted = _prompted(sheet)
    inputs = [c for row in sheet.iter_rows(min_row=HEADER_ROW + 1) for c in row
              if c.protection.locked is False]
    inputs += [sheet["B6"], sheet["B7"]]
    assert inputs
    missing = sorted({c.coordinate for c in inputs} - prompted)
    assert not missing, f"no input prompt on {missing[:5]}"


def test_no_commands_a_partner_cannot_run(book):
    text = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows()
                    for c in row if c.value is not None)
    assert "laa " not in text and "`" not in text


def test_locked_and_input_columns_are_told_apart_in_words_not_colour_alone(book):
    sheet = book[SHEET]
    above = HEADER_ROW - 1
    for number, _ in enumerate(LOCKED, start=1):
        assert sheet[f"{get_column_letter(number)}{above}"].value == "Filled in for you"
    for number in range(len(LOCKED) + 1, len(LOCKED) + len(INPUTS) + 1):
        assert sheet[f"{get_column_letter(number)}{above}"].value == "Fill in"
    for row in (6, 7):
        assert sheet[f"C{row}"].value == "Fill in"
    words = " ".join(str(c.value) for row in sheet.iter_rows(max_row=HEADER_ROW) for c in row
                     if c.value) + " ".join(str(c.value) for c in book["Instructions"]["B"]
                                             if c.value)
    for colour in ("grey", "white", "gray"):
        assert colour not in words.casefold()


def test_wrapped_text_gets_room_to_print_and_pages_fit_the_width(book):
    for sheet in book.worksheets:
        assert_prints_legibly(sheet)
    instructions = book["Instructions"]
    long = [c for c in instructions["B"] if c.value and len(str(c.value)) > 120]
    assert long
    for cell in long:
        assert (instructions.row_dimensions[cell.row].height or 0) >= 30, cell.coordinate
    sheet = book[SHEET]
    titles = [c for c in sheet["C"][HEADER_ROW:] if c.value and len(str(c.value)) > 50]
    assert titles
    for cell in titles:
        assert (sheet.row_dimensions[cell.row].height or 0) >= 30, cell.coordinate


def test_the_labelled_cells_print_whole_and_wide_returns_repeat_their_ids(book):
    """Opened in LibreOffice, the partner's name and the template mark wrapped in the
    11-character Indicator ID column and ran into the rows under them; the Return sheet
    printed 19 columns on one page's width, too small to read."""
    sheet = book[SHEET]
    for row in range(2, 6):
        cell = sheet[f"B{row}"]
        assert not (cell.alignment and cell.alignment.wrap_text), cell.coordinate
        room = sum(sheet.column_dimensions[c].width for c in "BCDE")
        assert all(sheet.cell(row=row, column=c).value is None for c in range(3, 6))
        assert len(str(cell.value)) <= room, cell.coordinate
    assert sheet["B5"].is_date and sheet["B5"].number_format == "d mmmm yyyy"   # deadline
    assert_prints_legibly(sheet)
    assert sheet.print_title_cols == "$A:$B"
    assert_prints_legibly(book["Instructions"])
