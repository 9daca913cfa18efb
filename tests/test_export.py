"""Tables for officers: XLSX (a formatted sheet per table) and CSV, partner text never a formula."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.report.export import (
    CELL_TEXT_MAX,
    neutralise_cell,
    neutralise_frame,
    number_format,
    sheet_title,
    workbook_text,
    write_csv,
    write_tables,
    write_workbook,
)
from pipeline.report.rating_sheets import risk_summary_table
from pipeline.report.reward_sheets import reward_grant_table
from pipeline.report.table_spec import AppendixTable

HOSTILE = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+44 116 305 6977", "-1+2",
           "@SUM(A1:A9)", "plain text"]


def _tables() -> list[AppendixTable]:
    summary = pd.DataFrame({"Green": [27, 36], "Amber": [7, 9], "Red": [1, 6],
                            "Not available for reporting": [1, 9]},
                           index=pd.Index(["Children and Young People", "Totals"]))
    reward = pd.DataFrame([
        {"theme": "Safer Communities", "row_type": "target", "rag": "Amber",
         "indicator": "7.18 - Theft of Motor Vehicles", "grant_gbp": 101612.0,
         "at_risk_gbp": 101612.0},
        {"theme": "", "row_type": "overall total", "rag": "", "indicator": "Overall Total",
         "grant_gbp": 15241800.0, "at_risk_gbp": 6223735.0}])
    partner = AppendixTable(
        "risks", "Risks: partner text", pd.DataFrame({
            "Indicator": ["7.1", "7.2", "7.3", "7.4", "7.5"], "Unit": ["count", "percent",
                                                                    "gbp", "count", "rate"],
            "Value": [26629.0, 39.36, 1250.0, float("nan"), 12.5],
            "Final RAG": ["Red", "Green", "Amber", "Not available for reporting", ""],
            "Lead's commentary": HOSTILE}),
        {"Indicator": "text", "Unit": "text", "Value": "value", "Final RAG": "rag",
         "Lead's commentary": "partner"}, unit_column="Unit")
    return [risk_summary_table(summary), reward_grant_table(reward), partner]


def test_neutralise_cell_and_frame_keep_numbers():
    assert [neutralise_cell(v) for v in HOSTILE] == [
        "'" + v for v in HOSTILE[:4]] + ["plain text"]
    frame = neutralise_frame(pd.DataFrame({"a": HOSTILE[:2], "n": [1, -2]}))
    assert frame["a"].tolist() == ["'" + v for v in HOSTILE[:2]] and frame["n"].tolist() == [1, -2]


def test_number_formats_by_kind_unit_and_decimals():
    assert number_format("count") == "#,##0"
    assert number_format("gbp", 0) == '"£"#,##0.00'
    assert number_format("value", 0, "gbp") == '"£"#,##0'
    assert number_format("value", 2, "percent") == '0.00"%"'
    assert number_format("pct", 1) == '0.0"%"'
    assert number_format("value", 1, "rate") == "#,##0.0"


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    first = sheet_title("Block 1: Children and Young People's Service [CYP]", taken)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first)
    assert sheet_title("Block 1: Children and Young People's Service [CYP]", taken) \
        .endswith("(2)")


def test_workbook_sheets_numbers_rag_fills_and_partner_text(tmp_path):
    path = write_workbook(_tables(), tmp_path / "t.xlsx", "2007-06-30T12:00:00",
                          "Leicestershire Together · 2006-07 Q4", "Leicestershire Together")
    book = load_workbook(path)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Indicator Risk Summary",
                               "Appendix 2 reward grant", "Risks partner text"]
    summary = book["Indicator Risk Summary"]
    assert summary["A1"].value == "Indicator Risk Summary" and summary["A1"].font.b
    assert summary["A2"].value.startswith("Leicestershire Together · 2006-07 Q4 · Final RAG")
    header = [c.value for c in summary[4]]
    assert header[:5] == ["Theme", "Green", "Amber", "Red", "Not available for reporting"]
    totals = [c.value for c in summary[6]]
    assert totals[:6] == ["Totals", 36, 9, 6, 9, 51]
    assert totals[6:] == [70.6, 17.6, 11.8]
    assert summary["A6"].font.b and summary.freeze_panes == "A5"
    assert summary.tables["Table_01_indicator_risk_summary"].ref == "A4:I6"
    assert summary["G6"].number_format == '0.0"%"'
    grant = book["Appendix 2 reward grant"]
    assert grant["E6"].value == 15241800.0 and grant["E6"].number_format == '"£"#,##0.00'
    assert grant["C5"].value == "Amber"
    assert grant["C5"].fill.fgColor.rgb.endswith("F2B233")
    risks = book["Risks partner text"]
    values = [risks.cell(row=r, column=3) for r in range(5, 10)]
    assert [c.number_format for c in values[:3]] == ["#,##0", '0.00"%"', '"£"#,##0']
    assert values[3].value == "[x]"                       # no value, marked
    comments = [risks.cell(row=r, column=5) for r in range(5, 10)]
    assert [c.value for c in comments] == HOSTILE          # exact text, no apostrophe added
    assert all(c.data_type == "s" and c.quotePrefix for c in comments)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml                                 # no formula anywhere


def test_workbook_is_byte_identical_for_the_same_stamp(tmp_path):
    first = write_workbook(_tables(), tmp_path / "a.xlsx", "2007-06-30T12:00:00")
    second = write_workbook(_tables(), tmp_path / "b.xlsx", "2007-06-30T12:00:00")
    other = write_workbook(_tables(), tmp_path / "c.xlsx", "2007-07-01T09:30:00")
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    with zipfile.ZipFile(first) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in archive.infolist()} == {(2007, 6, 30, 12, 0, 0)}
    assert core.count("2007-06-30T12:00:00Z") == 2


def test_write_tables_gives_a_workbook_and_numbered_csvs(tmp_path):
    written = write_tables(_tables(), tmp_path / "tables", "appendix-tables",
                           "2007-06-30T12:00:00")
    assert [p.name for p in written] == ["appendix-tables.xlsx",
                                         "01-indicator-risk-summary.csv",
                                         "02-appendix-2-reward-grant.csv", "03-risks.csv"]
    csv = (tmp_path / "tables" / "03-risks.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv and "'@SUM(A1:A9)" in csv and "'-1+2" in csv
    assert "26629.0" in csv


@pytest.mark.parametrize("value", ["=1+1", "@x", "+1", "-1"])
def test_write_csv_defuses_formulas(tmp_path, value):
    path = write_csv(pd.DataFrame({"c": [value]}), tmp_path / "x.csv")
    assert path.read_text(encoding="utf-8-sig").splitlines()[1] == "'" + value


@pytest.mark.parametrize(("text", "kept"), [
    ("line one\vline two", "line one\nline two"),         # Word's manual line break
    ("page\fbreak", "page\nbreak"),
    ("bell\x07, escape\x1b[0m, nul\x00, unit\x1f end", "bell, escape[0m, nul, unit end"),
    ("tab\tnewline\ncarriage\r", "tab\tnewline\ncarriage\r"),   # XML can hold these
])
def test_workbook_text_drops_what_xlsx_cannot_hold(text, kept):
    assert workbook_text(text) == kept


def test_workbook_text_cuts_text_longer_than_a_cell_can_hold():
    cut = workbook_text("x" * 200_000)
    assert len(cut) == CELL_TEXT_MAX and cut.endswith("[... cut: the full text is in the CSV]")
    assert workbook_text("x" * CELL_TEXT_MAX) == "x" * CELL_TEXT_MAX


def test_partner_text_with_control_characters_is_written_not_refused(tmp_path):
    frame = pd.DataFrame({"Indicator": ["7.20\x1f"], "Commentary": ["=Up\vagain\x07"]})
    table = AppendixTable("risks", "Risks\x1b", frame, {"Commentary": "partner"})
    path = write_workbook([table], tmp_path / "t.xlsx", "2007-06-30T12:00:00",
                          subtitle="Board\x02", author="LSP\x01")
    sheet = load_workbook(path).worksheets[3]
    assert sheet["A1"].value == "Risks" and sheet["A2"].value == "Board"
    assert [sheet["A5"].value, sheet["B5"].value] == ["7.20", "=Up\nagain"]
    assert sheet["B5"].data_type == "s" and sheet["B5"].quotePrefix


def test_a_table_kept_out_of_the_workbook_is_written_as_csv_only(tmp_path):
    bulk = AppendixTable("every-area", "Every area", pd.DataFrame({"Area": ["A", "B"],
                                                                   "Value": [1.5, 2.5]}),
                         {"Area": "partner", "Value": "number"}, workbook=False)
    written = write_tables([*_tables(), bulk], tmp_path / "t", "book", "2007-06-30T12:00:00")
    assert load_workbook(written[0]).sheetnames[3:] == [
        "Indicator Risk Summary", "Appendix 2 reward grant", "Risks partner text"]
    assert written[-1].name == "04-every-area.csv"
    assert pd.read_csv(written[-1])["Value"].tolist() == [1.5, 2.5]
