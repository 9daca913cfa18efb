"""No exported sheet exceeds what a workbook can hold (1,048,576 rows including the title
and header, 16,384 columns, 32,767 characters a cell): the sheet is cut with a note saying
how much is shown and which CSV holds the whole table, and the CSV holds every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.inputs import cells
from pipeline.report import export
from pipeline.report.table_spec import AppendixTable

STAMP = "2007-06-30T12:00:00"
HOSTILE = "=HYPERLINK(\"http://example.invalid\",\"x\")"


def _quarantine(rows: int, columns: int = 3) -> AppendixTable:
    frame = pd.DataFrame({"File": [f"f{n}.csv" for n in range(rows)],
                          "Row": list(range(2, rows + 2)),
                          "Found": [HOSTILE] + ["x" * 60] * (rows - 1)})
    for extra in range(columns - 3):
        frame[f"Extra {extra}"] = "e"
    kinds = {c: "partner" for c in frame.columns}
    kinds["Row"] = "count"
    return AppendixTable("national-quarantine", "National quarantine", frame, kinds,
                         sheet="National quarantine")


def _small() -> AppendixTable:
    return AppendixTable("small", "Small", pd.DataFrame({"A": [1, 2]}), {"A": "count"})


def test_a_table_longer_than_a_sheet_is_cut_with_a_note_and_whole_in_its_csv(
        tmp_path, monkeypatch):
    monkeypatch.setattr(export, "SHEET_ROWS_MAX", 10)       # title, note, cut note, header, 6
    monkeypatch.setattr(export, "SHEET_COLUMNS_MAX", 4)
    monkeypatch.setattr(cells, "CELL_TEXT_MAX", 50)
    written = export.write_tables([_small(), _quarantine(25, 6)], tmp_path, "book", STAMP)
    assert [p.name for p in written] == ["book.xlsx", "01-small.csv",
                                         "02-national-quarantine.csv"]
    sheet = load_workbook(written[0])["National quarantine"]
    assert sheet.max_row == 10 and sheet.max_column == 4
    assert sheet["A3"].value.startswith(
        "Rows 1 to 6 of 25 and columns 1 to 4 of 6 shown: a sheet holds no more. "
        "The whole table is in 02-national-quarantine.csv.")
    assert [c.value for c in sheet[4]] == ["File", "Row", "Found", "Extra 0"]
    assert [sheet.cell(row=r, column=2).value for r in range(5, 11)] == [2, 3, 4, 5, 6, 7]
    assert sheet["C5"].value == HOSTILE and sheet["C5"].quotePrefix     # still defused
    assert sheet["C6"].value == "x" * (50 - len(cells.TRUNCATED)) + cells.TRUNCATED
    assert next(iter(sheet.tables.values())).ref == "A4:D10"
    assert "shown" not in load_workbook(written[0])["Small"]["A3"].value   # nothing cut
    whole = pd.read_csv(written[2], encoding="utf-8-sig")
    assert len(whole) == 25 and len(whole.columns) == 6
    assert whole["Found"].iloc[0] == "'" + HOSTILE and whole["Found"].iloc[1] == "x" * 60


def test_a_table_that_fits_exactly_is_not_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "SHEET_ROWS_MAX", 29)
    monkeypatch.setattr(export, "SHEET_COLUMNS_MAX", 3)
    path = export.write_workbook([_quarantine(25)], tmp_path / "t.xlsx", STAMP)
    sheet = load_workbook(path).worksheets[3]
    assert sheet.max_row == 29 and "shown" not in sheet["A3"].value


def test_a_cut_workbook_is_byte_identical_for_the_same_stamp(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "SHEET_ROWS_MAX", 10)
    first = export.write_workbook([_quarantine(25)], tmp_path / "a.xlsx", STAMP)
    second = export.write_workbook([_quarantine(25)], tmp_path / "b.xlsx", STAMP)
    assert first.read_bytes() == second.read_bytes()


def test_the_limits_are_excels():
    assert (export.SHEET_ROWS_MAX, export.SHEET_COLUMNS_MAX, cells.CELL_TEXT_MAX) == (
        1_048_576, 16_384, 32_767)
    sheet = Workbook().active
    sheet.cell(row=export.SHEET_ROWS_MAX, column=export.SHEET_COLUMNS_MAX, value=1)
    with pytest.raises(ValueError, match="1048576"):
        sheet.cell(row=export.SHEET_ROWS_MAX + 1, column=1)


def test_fit_sheet_with_the_real_limits():
    room = export.SHEET_ROWS_MAX - export.HEADER_ROW
    fits = pd.DataFrame({"n": np.zeros(room, dtype="int8")})
    assert export.fit_sheet(fits, "t.csv")[1] == ""
    over = pd.DataFrame({"n": np.zeros(room + 1, dtype="int8")})
    shown, note = export.fit_sheet(over, "05-t.csv")
    assert len(shown) == room == 1_048_572
    assert note == ("Rows 1 to 1,048,572 of 1,048,573 shown: a sheet holds no more. "
                    "The whole table is in 05-t.csv.")
    wide = pd.DataFrame(np.zeros((1, export.SHEET_COLUMNS_MAX + 1), dtype="int8"))
    shown, note = export.fit_sheet(wide, "w.csv")
    assert shown.shape == (1, 16_384)
    assert note.startswith("Columns 1 to 16,384 of 16,385 shown")
