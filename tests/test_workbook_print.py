"""The tables workbook as an officer opens and prints it in LibreOffice (issue 22 item 6,
opened by hand): each test is a fault seen there.

- a long note in A2 ran unwrapped past the table, and LibreOffice shrank the whole page to
  print it (the Reward gap analysis at about a tenth of its size, its last two columns on
  a page of their own);
- wide tables fitted to one page's width printed too small to read, with no column naming
  the row on a second page;
- a column was as wide as its whole header ("Melton share of county total %") or its
  longest sentence, and a right-aligned figure ran into the text of the next column
  ("39.3%2006-07 Q4", "8.9%[x]");
- one column showed 5% beside 39.3% and 34 beside 6.9 (a format per cell, not per column);
- the partnership directory's header read ``parent_outcome`` (a program word).
"""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.report.export import write_workbook
from pipeline.report.sheet_format import NOTE_LINE_MAX, decimals_needed, number_format
from pipeline.report.sheets import directory_table
from pipeline.report.table_spec import AppendixTable
from tests.sheet_checks import assert_columns_fit, assert_prints_legibly

STAMP = "2007-06-30T12:00:00"
NOTE = ("The computed rating comes from how far the value is off what it is rated against "
        "(the trajectory for a value from before the year end, the target at the year end): "
        "as a % of that figure, and for an indicator that is itself a percentage also in "
        "percentage points (2.5% against 10% is 75% off, 7.5 points); 0 or below is met or "
        "beaten.")
SHARE = "Melton share of county total %"


def _wide_table() -> AppendixTable:
    rows = 3
    frame = pd.DataFrame({
        "Indicator": ["2.2", "2.7", "2.9"], "Unit": ["percent", "count", "percent"],
        "Melton value": [39.3, 8563.0, 5.0], "Value period": ["2006-07 Q4"] * rows,
        SHARE: [8.9, float("nan"), 7.6], "Against the county": ["better", "", "worse"],
        **{f"Commentary {n}": ["A sentence a partner wrote about the figure " * 3] * rows
           for n in range(1, 9)}})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Melton value": "value", SHARE: "pct",
                  **{f"Commentary {n}": "partner" for n in range(1, 9)}})
    return AppendixTable("melton-values", "Melton against the county", frame, kinds,
                         unit_column="Unit", note=NOTE, sheet="Melton values")


def _sheet(tmp_path):
    path = write_workbook([_wide_table()], tmp_path / "t.xlsx", STAMP,
                          "Leicestershire Together · 2006-07 Q4 · Board 2007-09-03",
                          "Leicestershire Together")
    return load_workbook(path)["Melton values"]


def _header_row(sheet) -> int:
    return int(next(iter(sheet.tables.values())).ref.split(":")[0][1:])


def test_a_long_note_is_cut_into_lines_that_print_within_the_page(tmp_path):
    sheet = _sheet(tmp_path)
    header = _header_row(sheet)
    lines = [sheet.cell(row=r, column=1).value for r in range(2, header - 1)]
    assert len(lines) >= 2 and all(len(line) <= NOTE_LINE_MAX for line in lines)
    assert " ".join(lines) == "Leicestershire Together · 2006-07 Q4 · Board 2007-09-03 · " \
        + NOTE
    assert "Notes sheet" in sheet.cell(row=header - 1, column=1).value
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.freeze_panes == f"A{header + 1}"
    table = next(iter(sheet.tables.values()))
    assert table.ref.startswith(f"A{header}:")


def test_a_wide_table_prints_over_pages_legibly_with_its_first_column_repeated(tmp_path):
    sheet = _sheet(tmp_path)
    assert sheet.page_setup.fitToWidth >= 2
    assert sheet.print_title_cols == "$A:$A"
    assert_prints_legibly(sheet)


def test_columns_fit_their_values_and_headers_wrap(tmp_path):
    sheet = _sheet(tmp_path)
    header = _header_row(sheet)
    assert_columns_fit(sheet, header, header + 3)
    width = {c.value: sheet.column_dimensions[get_column_letter(c.column)].width
             for c in sheet[header]}
    assert width[SHARE] < len(SHARE)                  # its header wraps, its figures fit
    assert width["Commentary 1"] <= 46                # a paragraph wraps
    assert sheet[f"E{header}"].alignment.wrap_text


def test_text_after_a_figure_is_set_in_from_the_column_edge(tmp_path):
    sheet = _sheet(tmp_path)
    header = _header_row(sheet)
    for row in range(header, header + 4):
        for figure in ("C", "E"):                  # Melton value, the share: set in too
            assert sheet[f"{figure}{row}"].alignment.horizontal == "right", f"{figure}{row}"
            assert sheet[f"{figure}{row}"].alignment.indent >= 1, f"{figure}{row}"
        assert sheet[f"D{row}"].alignment.indent >= 1, f"D{row}"     # after Melton value
        assert sheet[f"F{row}"].alignment.indent >= 1, f"F{row}"     # after the share


def test_one_number_format_per_column_and_unit(tmp_path):
    sheet = _sheet(tmp_path)
    header = _header_row(sheet)
    values = [sheet[f"C{r}"] for r in range(header + 1, header + 4)]
    assert [c.number_format for c in values] == ['0.0"%"', "#,##0", '0.0"%"']  # 39.3%, 5.0%
    assert decimals_needed(39.36) == 2 and decimals_needed(5.0) == 0 \
        and decimals_needed(39.30) == 1
    assert number_format("value", 1, "percent") == '0.0"%"'


def test_the_directory_names_its_columns_in_words():
    directory = pd.DataFrame({"outcome_id": ["1.1", "1.1.1"], "outcome": ["Safe", "Safer"],
                              "lead_partnership": ["P", "P"], "board_champion": ["C", "C"],
                              "executive_officer": ["E", "E"], "outcome_lead": ["L", "L"],
                              "parent_outcome": ["", "1.1"]})
    table = directory_table(directory)
    assert "Part of outcome" in table.frame.columns
    assert not any("_" in c for c in table.frame.columns)
    top = directory_table(directory.assign(parent_outcome=""))
    assert list(top.frame.columns) == ["Outcome", "Title", "Lead partnership",
                                       "Board champion", "Executive officer", "Outcome lead"]


def test_the_audit_workbook_prints_its_indicator_on_each_page_and_says_what_to_fill_in():
    """The Findings and Sources sheets printed over two pages' width with nothing naming
    the row on the second; the Cover said which cells to fill in by their colour only."""
    from tests.test_spot_check import _book, _item

    book = _book([_item() for _ in range(3)])
    for name in ("Findings", "Sources", "Checks"):
        assert_prints_legibly(book[name])
    assert book["Findings"].print_title_cols == "$A:$A"
    cover = " ".join(str(c.value) for c in book["Cover"]["A"] if c.value)
    assert "yellow" not in cover and "finding, note, auditor, date" in cover


def test_dates_are_dates_in_the_board_style_and_iso_in_the_csv(tmp_path):
    """LAA2's delivery plans held their dates as text ("2008-09-01"), and the Cover dated
    the workbook 2026-12-05 where the documents say 5 December 2026."""
    import datetime as dt

    from pipeline.report.export import write_tables

    frame = pd.DataFrame({"Indicator": ["NI 1", "NI 2"], "Due": ["2009-04-30", ""],
                          "Note": ["x", "y"]})
    table = AppendixTable("delivery-plans", "Delivery plans", frame,
                          {"Indicator": "text", "Due": "date", "Note": "partner"})
    written = write_tables([table], tmp_path, "t", STAMP)
    sheet = load_workbook(written[0])["Delivery plans"]
    header = _header_row(sheet)
    due = sheet.cell(row=header + 1, column=2)
    assert due.value == dt.datetime(2009, 4, 30) and due.number_format == "d mmmm yyyy"
    assert sheet.cell(row=header + 2, column=2).value == "[x]"
    assert "2009-04-30,x" in written[1].read_text(encoding="utf-8-sig")
    cover = [c.value for c in load_workbook(written[0])["Cover"]["A"]]
    assert cover[cover.index("Generated") + 1] == "30 June 2007"


def test_the_district_coverage_share_is_a_number():
    """The share of all indicators was the text "15.6%": a number stored as text."""
    from pipeline.report.sheets import coverage_table

    coverage = pd.DataFrame({"district": ["Melton", "Any district"],
                             "indicators_with_data": [20, 0], "indicators": [128, 0],
                             "share": ["15.6%", "-"]})
    table = coverage_table(coverage)
    shares = table.frame["Share of all indicators %"]
    assert shares.iloc[0] == 15.6 and pd.isna(shares.iloc[1])
    assert table.kinds["Share of all indicators %"] == "pct"


def test_a_paragraph_in_a_column_of_labels_does_not_run_down_the_page(tmp_path):
    """LAA2's data-quality table wrapped a 330-character measure (a list of 51 indicators)
    in a 24-character column: one row 17 lines tall, pushed onto a page of its own."""
    listed = "Indicators not checked against the official list: " + ", ".join(
        f"NI {n}" for n in range(1, 52))
    frame = pd.DataFrame({"Measure": ["Rows read", listed], "Count": [122, 51]})
    table = AppendixTable("data-quality-summary", "Data quality of the returns", frame,
                          {"Measure": "text", "Count": "count"})
    sheet = load_workbook(write_workbook([table], tmp_path / "t.xlsx", STAMP)).worksheets[3]
    header = _header_row(sheet)
    assert 40 <= sheet.column_dimensions["A"].width <= 46
    assert sheet.row_dimensions[header + 2].height <= 15 * 10
    assert_columns_fit(sheet, header, header + 2)


def test_the_pooled_fund_share_is_a_number_never_shown_as_its_threshold(tmp_path):
    """The underspend's share of the allocation was the text "4.997%" (a number stored as
    text); as a number it must not read 5.0%, the threshold it falls short of."""
    from pipeline.report.sheets import pooled_fund_table

    outturn = pd.DataFrame({
        "year": ["2006-07"] * 2, "block": ["Safer Communities", "Total"],
        "allocation_gbp": [1000.0, 9420376.0], "virement_gbp": [0.0, 0.0],
        "budget_gbp": [1000.0, 9420376.0], "spend_gbp": [906.0, 8949617.0],
        "underspend_gbp": [94.0, 470759.0], "underspend_pct": [9.4, 4.997242],
        "carry_forward_gbp": [0.0, 0.0], "commentary": ["", ""],
        "source_file": ["fund.csv", ""], "source_row": [2, float("nan")]})
    table = pooled_fund_table(outturn, 5.0)
    assert list(table.frame["Underspend % of allocation"]) == [9.4, 4.997]
    sheet = load_workbook(write_workbook([table], tmp_path / "t.xlsx", STAMP)).worksheets[3]
    header = _header_row(sheet)
    column = [c.value for c in sheet[header]].index("Underspend % of allocation") + 1
    cells = [sheet.cell(row=header + r, column=column) for r in (1, 2)]
    assert [c.value for c in cells] == [9.4, 4.997]
    assert {c.number_format for c in cells} == {'0.000"%"'}


def test_a_wrapped_bold_header_gets_the_lines_its_words_need():
    """LibreOffice cut "Underspend" off the top of the pooled fund's "Underspend % of
    allocation" header: the row was given two lines by counting characters, and the bold
    words wrap to three."""
    from pipeline.inputs.sheet_layout import lines_needed

    assert lines_needed("Underspend % of allocation", 13, bold=True) == 3
    assert lines_needed("Underspend % of allocation", 13) >= 2
    assert lines_needed("a\nb", 40) == 2
