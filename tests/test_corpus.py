"""The corpus of malformed returns: each gets one clear message, good rows still go through.

All corpus files and one good demo return are validated together, as a quarter's returns
would be; each case then checks its own message and place. tests/corpus/build_corpus.py
shows how the files were made.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.register import load_register
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.quality.scorecard import feedback_by_partner
from pipeline.report.export import write_csv, write_workbook
from pipeline.report.quality_pages import write_quality_reports
from pipeline.report.table_spec import AppendixTable
from pipeline.rules_schema import Rules

ROOT = find_project_root()
CORPUS = Path(__file__).parent / "corpus"
GOOD = ROOT / "data" / "raw" / "returns" / "2006-07_Q4_leicestershire_county_council.csv"
HUGE = "39_far_too_large.csv"
RUN_TIME = "2007-06-30T12:00:00"   # the demo's generated-at stamp
DAMAGED = ("the workbook could not be read: it may be damaged or not really an Excel file; "
           "save it again from Excel and send it again")
BLANK_PARTNER = ("partner '': expected the partner's name: the cell is blank (cells merged "
                 "down several rows leave all but the first blank: unmerge them and fill in "
                 "every row)")

# file -> (where, cell, message): where is "file" (quarantined whole), "row" (quarantined
# row), "warning" (reported, row counts) or "ok" (read as intended).
CASES = {
    "01_missing_header.csv": ("file", "", "missing required column(s): data_status"),
    "02_misspelt_header.csv": ("file", "", "missing required column(s): indicator_id "
                                             "(found 'indicater_id': misspelt?)"),
    "03_extra_columns.csv": ("warning", "L2", "unexpected_columns 'notes': expected only the "
                             "return's columns: these extra columns were ignored (notes)"),
    "04_title_row.xlsx": ("ok", "Q4!E3", ""),
    "05_merged_header.xlsx": ("ok", "Return!E3", ""),
    "06_text_in_numeric.csv": ("row", "E2", "value 'about 3,000': expected a number such as "
                               "1234, 1,234 or 45%, or n/a; it is not a number"),
    "07_percent_sign.csv": ("ok", "E2", ""),
    "08_thousands.csv": ("ok", "E2", ""),
    "09_decimal_comma.csv": ("row", "E2", "value '21,5': expected a number such as 1234, "
                             "1,234 or 45%, or n/a; it has a decimal comma: write 21.5"),
    "10_semicolon_decimal_comma.csv": ("ok", "E2", ""),
    "11_date_formats.csv": ("ok", "K2", ""),
    "12_bad_date.csv": ("row", "K2", "submitted_at 'next Tuesday': expected the date and time "
                        "of submission, e.g. 2007-05-14T09:30:00"),
    "13_windows_1252.csv": ("ok", "H2", ""),
    "14_utf8_bom.csv": ("ok", "E2", ""),
    "15_semicolon.csv": ("ok", "E2", ""),
    "16_empty.csv": ("file", "", "file is empty"),
    "17_header_only.csv": ("file", "", "header found but no data rows"),
    "18_duplicate_rows.csv": ("warning", "E3", "value '3202': expected each value sent once: "
                              "this row repeats an earlier row"),
    "19_conflicting_resubmission.csv": ("row", "E2", "value '3202': expected one value per "
                                        "indicator, period and geography in a submission: "
                                        "this row and another sent at the same time disagree"),
    "20_unknown_indicator.csv": ("row", "B2", "indicator_id '7.99': expected an indicator id "
                                 "from the register (indicators.csv)"),
    "21_unknown_district.csv": ("row", "D2", "geography 'Leicester City': expected county or "
                                "a district name from districts.csv"),
    "22_period_outside.csv": ("row", "C2", "period '2011-12 Q1': expected a period of the "
                              "agreement, like 2006-07 or 2006-07 Q4 (2006-07, 2007-08, 2008-09)"),
    "23_negative_count.csv": ("row", "E2", "value '-15': expected a count of zero or more "
                              "(indicator 7.20 is a count)"),
    "24_percent_over_100.csv": ("row", "E2", "value '104%': expected a percentage between 0 "
                                "and 100 (indicator 7.13 is measured in %)"),
    "25_formulas_no_cache.xlsx": ("row", "Returns!E2", "value '=3000+202': expected a number "
                                  "such as 1234, 1,234 or 45%, or n/a; it is a formula with no "
                                  "saved value: open the workbook in Excel, save it, and send "
                                  "it again"),
    "26_several_sheets.xlsx": ("ok", "Q4!E2", ""),
    "27_password.xlsx": ("file", "", "workbook is password-protected (or an old .xls renamed "
                         ".xlsx): remove the password and save as .xlsx"),
    "28_corrupt.xlsx": ("file", "", DAMAGED),
    "29_legacy.xls": ("file", "", "unsupported file type: an old Excel .xls file: save it as "
                      ".xlsx (Excel Workbook) or .csv"),
    "30_calc.ods": ("file", "", "unsupported file type: an OpenDocument spreadsheet: save it "
                    "as .xlsx or .csv"),
    "31_q4 $(rm -rf ~); `id` ..csv": ("ok", "E2", ""),
    "32_html_commentary.csv": ("ok", "H2", ""),
    "33_formula_like_cells.csv": ("ok", "H2", ""),
    "34_final_without_value.csv": ("row", "E2", "value '': expected a value on every row "
                                   "marked final (or data_status not_available)"),
    "35_bad_status.csv": ("row", "F2", "data_status 'done': expected one of final, "
                          "provisional, estimate, not_available"),
    "36_late_return.csv": ("warning", "K2", "submitted_at '2007-06-20T16:45:00': expected "
                           "submission by the deadline for 2006-07 Q4: 2007-05-15"),
    "37_count_not_whole.csv": ("row", "E2", "value '3202.5': expected a whole number "
                               "(indicator 7.20 is a count)"),
    "38_not_available_spellings.csv": ("ok", "E2", ""),
    HUGE: ("file", "", "larger than the 25 MB limit for a return: is it the right file?"),
    # Issue 10: inputs that stopped the run, lost rows, or were read wrongly or refused.
    "40_long_commentary.csv": ("ok", "H2", ""),
    "41_control_characters.csv": ("ok", "H2", ""),
    "42_nul_byte.csv": ("row", "H2", "commentary 'Good\ufffdprogress': expected text without "
                        "NUL (binary zero) characters: this cell holds one; retype it, or save "
                        "the file again as CSV"),
    "43_unclosed_quote.csv": ("row", "H2", "commentary 'Fewer burglaries, see the report,,Jo "
                              "Bloggs,2007-05-10T09:00:00': expected a closing quote (\"): the "
                              "quote that opens this cell on line 2 is never closed, so the "
                              "cells after it, and the lines below, would run into this one; "
                              "this line was not read (the lines below were read as rows of "
                              "their own). Close the quote or remove it"),
    "44_numeric_indicator_id.xlsx": ("row", "Returns!B2", "indicator_id '7.2': expected an "
                                     "indicator id typed as text: the cell holds the number "
                                     "7.2, which could be indicator 7.2 or 7.20 (a number "
                                     "loses its trailing zeros); format the column as Text "
                                     "and type the id as the register has it"),
    "45_future_submission.csv": ("row", "K2", "submitted_at '2030-01-01T09:00:00': expected a "
                                 "submission time no later than this run (2007-06-30): a date "
                                 "in the future would outrank every correction sent after it"),
    "46_merged_partner.xlsx": ("row", "Returns!A3", BLANK_PARTNER),
    "47_stray_cp1252_byte.csv": ("warning", "H3", "commentary 'Budget – agreed': expected "
                                 "text in UTF-8: line 3 has byte(s) that are not UTF-8, read "
                                 "as Windows-1252: 0x96 (read as '–'); save the file as CSV "
                                 "UTF-8 and check the text"),
    "48_duplicate_value_header.csv": ("file", "", "column heading(s) used more than once: "
                                      "value (columns E and L): keep one column of each, so "
                                      "that no value has to be picked by guess"),
    "49_utf16_tab.csv": ("ok", "E2", ""),
    "50_semicolon_title_line.csv": ("ok", "E3", ""),
    "51_scientific_number.xlsx": ("ok", "Returns!E2", ""),
    "52_excel_na.csv": ("ok", "E2", ""),
    "53_excel_error_value.csv": ("row", "E2", "value '#DIV/0!': expected a number such as "
                                 "1234, 1,234 or 45%, or n/a; it is an Excel error (#DIV/0!): "
                                 "correct the formula, or mark the row not_available"),
    "54_partner_name_variant.csv": ("row", "E2", "value 'about 3,000': expected a number such "
                                    "as 1234, 1,234 or 45%, or n/a; it is not a number"),
    # Issue 20: library text in reasons, hidden sheets, look-alike and non-lead partners.
    "55_damaged_sheet_part.xlsx": ("file", "", DAMAGED),
    "56_missing_workbook_part.xlsx": ("file", "", DAMAGED),
    "57_hidden_sheet_only.xlsx": ("file", "", "the sheet 'Returns' is hidden in the workbook: "
                                  "unhide it and send the file again, or move the data to a "
                                  "visible sheet"),
    "58_hidden_sheet_beside_visible.xlsx": ("ok", "Q4!E2", ""),
    "59_very_hidden_sheet.xlsx": ("file", "", "the sheet 'Data' is hidden in the workbook (very "
                                  "hidden: Excel's Unhide does not list it): move the data to "
                                  "a visible sheet and send the file again"),
    "60_lookalike_partner.csv": ("row", "A2", "partner 'Leicestershire C\u043enstabulary': "
                                 "expected a partner named as the register names it: this "
                                 "name looks like 'Leicestershire Constabulary' but is written "
                                 "with look-alike character(s) (U+043E CYRILLIC SMALL LETTER O "
                                 "for 'o'); type the name again in plain letters"),
    "61_partner_not_lead.csv": ("warning", "A2", "partner 'Leicestershire County Council': "
                                "expected the partner that leads indicator 7.21 (Leicestershire "
                                "Constabulary): a row from another partner never replaces the "
                                "lead's value; it counts only where the lead sent none"),
    "62_cell_past_the_last_column.csv": ("warning", "", "expected every value under a "
                                         "heading: R2C20012 'see note' has no heading and "
                                         "was ignored"),
}
# Files with bad rows among good ones: file -> (rows quarantined, rows that go through).
ONLY_THE_BAD_ROWS = {"42_nul_byte.csv": ([2], [3]), "43_unclosed_quote.csv": ([2], [3, 4]),
                     "46_merged_partner.xlsx": ([3, 4], [2])}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Validate the whole corpus plus a good return, once."""
    returns = tmp_path_factory.mktemp("returns")
    for path in CORPUS.iterdir():
        if path.name in CASES:
            shutil.copy2(path, returns / path.name)
    shutil.copy2(GOOD, returns / GOOD.name)
    with (returns / HUGE).open("w", encoding="utf-8") as handle:
        handle.write("partner,indicator_id,period,geography,value,data_status,submitted_at\n")
        line = "Police,7.20,2006-07 Q4,county,1,final,2007-05-10\n" * 10_000
        while handle.tell() < 26_000_000:
            handle.write(line)
    before = {p.name: _sha(p) for p in returns.iterdir()}
    register = load_register(ROOT / "data" / "raw" / "register")
    ingested = ingest_returns(returns)
    checked = check_returns(ingested.rows, ingested.file_problems, register,
                            load_suites(ROOT / "expectations"), "2006-07 Q4", Rules(),
                            run_time=RUN_TIME, assess=assess_indicators)
    after = {p.name: _sha(p) for p in returns.iterdir()}
    return {"ingested": ingested, "checked": checked, "before": before, "after": after}


def test_corpus_is_at_least_thirty_files():
    assert len(CASES) >= 30
    assert {p.name for p in CORPUS.iterdir() if p.suffix != ".py"} == set(CASES) - {HUGE}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_gets_its_message_and_good_rows_survive(run, name):
    where, cell, message = CASES[name]
    checked = run["checked"]
    quarantine = checked.quarantine[checked.quarantine["source_file"] == name]
    findings = checked.findings[checked.findings["source_file"] == name]
    clean = checked.clean[checked.clean["source_file"] == name]
    if where == "file":
        assert len(quarantine) == 1 and quarantine["source_row"].iloc[0] == 0
        assert quarantine["reason"].iloc[0].startswith(message) or message in quarantine[
            "reason"].iloc[0]
        assert run["ingested"].rows[run["ingested"].rows["source_file"] == name].empty
    elif where == "row":
        assert message in set(quarantine["reason"])
        assert cell in set(quarantine.loc[quarantine["reason"] == message, "cell"])
    elif where == "warning":
        assert message in set(findings.loc[findings["severity"] == "warning", "reason"])
        assert cell in set(findings.loc[findings["reason"] == message, "cell"])
        assert quarantine.empty and not clean.empty
    else:
        assert quarantine.empty and not clean.empty
        sheet, _, ref = cell.rpartition("!")
        assert (sheet, int(ref[1:])) in set(zip(clean["source_sheet"], clean["source_row"],
                                                strict=True))
    good = checked.clean[checked.clean["source_file"] == GOOD.name]
    assert len(good) == (pd.read_csv(GOOD, dtype=str).shape[0])


def test_values_read_as_intended(run):
    clean = run["checked"].clean.set_index("source_file")
    assert clean.loc["07_percent_sign.csv", "value"] == 21
    assert clean.loc["08_thousands.csv", "value"] == 3202
    assert clean.loc["10_semicolon_decimal_comma.csv", "value"] == 21.5
    assert clean.loc["04_title_row.xlsx", "value"] == 690
    assert clean.loc["26_several_sheets.xlsx", "source_sheet"] == "Q4"
    stamps = clean.loc["11_date_formats.csv", "submitted_at"].dt.strftime("%Y-%m-%d %H:%M")
    assert sorted(stamps) == ["2007-05-10 00:00", "2007-05-10 00:00", "2007-05-10 09:30"]
    assert "£5,000" in clean.loc["13_windows_1252.csv", "commentary"]
    assert "café" in clean.loc["13_windows_1252.csv", "commentary"]
    assert clean.loc["38_not_available_spellings.csv", "value"].isna().all()
    assert len(clean.loc["40_long_commentary.csv", "commentary"]) > 131_072
    assert clean.loc["41_control_characters.csv", "commentary"].startswith("Burglary down.\v")
    assert clean.loc["49_utf16_tab.csv", "value"] == 690
    assert clean.loc["49_utf16_tab.csv", "commentary"] == "café"
    assert clean.loc["50_semicolon_title_line.csv", "value"] == 21.5
    assert clean.loc["51_scientific_number.xlsx", "value"].tolist() == [0.000015, 0.000015]
    assert clean.loc["52_excel_na.csv", "value"].isna().all()
    utf8 = clean.loc["47_stray_cp1252_byte.csv"].set_index("source_row")["commentary"]
    assert utf8.to_dict() == {2: "Café opened – on time", 3: "Budget – agreed"}


@pytest.mark.parametrize("name", sorted(ONLY_THE_BAD_ROWS))
def test_a_bad_row_is_quarantined_alone_with_one_message(run, name):
    bad, good = ONLY_THE_BAD_ROWS[name]
    checked = run["checked"]
    quarantine = checked.quarantine[checked.quarantine["source_file"] == name]
    assert quarantine["source_row"].tolist() == bad
    assert sorted(checked.clean.loc[checked.clean["source_file"] == name, "source_row"]) == good


def test_library_text_is_kept_out_of_the_reason_but_kept_as_detail(run):
    problems = run["ingested"].file_problems.set_index("source_file")
    for name, library in (("28_corrupt.xlsx", "BadZipFile"),
                          ("55_damaged_sheet_part.xlsx", "could not convert string"),
                          ("56_missing_workbook_part.xlsx", "KeyError")):
        assert problems.loc[name, "reason"] == DAMAGED
        assert library in problems.loc[name, "detail"]
    reasons = " ".join(run["checked"].quarantine["reason"])
    for library in ("Error:", "Error(", "literal for", "from None", "BadZip", "KeyError"):
        assert library not in reasons


def test_a_hidden_sheet_beside_the_visible_one_is_ignored(run):
    rows = run["ingested"].rows
    mine = rows[rows["source_file"] == "58_hidden_sheet_beside_visible.xlsx"]
    assert mine[["source_sheet", "value"]].values.tolist() == [["Q4", 291.0]]
    hidden = run["checked"].quarantine["source_file"].isin(
        ["57_hidden_sheet_only.xlsx", "59_very_hidden_sheet.xlsx"])
    assert run["checked"].quarantine.loc[hidden, "check_id"].tolist() == ["file-hidden-sheet"] * 2


def test_neither_a_look_alike_nor_a_non_lead_partner_replaces_the_lead(run):
    clean = run["checked"].clean
    robbery = clean[(clean["indicator_id"] == "7.21") & clean["in_force"]
                    & (clean["period"] == "2006-07 Q4") & (clean["geography"] == "county")]
    assert len(robbery) == 1
    assert robbery["partner"].iloc[0] == "Leicestershire Constabulary"
    assert robbery["value"].iloc[0] != 100   # the value both later rows sent
    assert "60_lookalike_partner.csv" not in set(clean["source_file"])
    other = clean[clean["source_file"] == "61_partner_not_lead.csv"]
    assert len(other) == 1 and not other["in_force"].iloc[0]


def test_a_future_submission_does_not_supersede(run):
    clean = run["checked"].clean
    burglary = clean[(clean["indicator_id"] == "7.20") & clean["in_force"]
                     & (clean["period"] == "2006-07 Q4") & (clean["geography"] == "county")]
    assert "45_future_submission.csv" not in set(burglary["source_file"])
    assert (burglary["submitted_at"] < pd.Timestamp(RUN_TIME)).all()


def _physical_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    text = (data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff")
            else data.decode("utf-8", errors="replace"))
    return re.split(r"\r\n|\r|\n", text.removesuffix("\n").removesuffix("\r"))


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith(".csv") and n != HUGE))
def test_every_line_of_a_csv_read_is_a_row_or_is_quarantined(run, name):
    rows = run["ingested"].rows
    numbers = set(rows.loc[rows["source_file"] == name, "source_row"])
    if CASES[name][0] == "file":
        assert not numbers
        return
    lines = _physical_lines(CORPUS / name)
    first = min(numbers)                     # lines above the first row: title and header
    below = {n for n in range(first, len(lines) + 1) if lines[n - 1].strip()}
    assert numbers == below


def test_partner_text_with_control_characters_exports_to_xlsx(run, tmp_path):
    clean = run["checked"].clean
    text = clean[clean["source_file"].isin(["40_long_commentary.csv",
                                            "41_control_characters.csv"])]
    table = AppendixTable("commentary", "Commentary", text[["source_file", "commentary"]],
                          {"source_file": "text", "commentary": "partner"})
    path = write_workbook([table], tmp_path / "out.xlsx", RUN_TIME)
    cells = {row[0]: row[1] for row in load_workbook(path).worksheets[3].iter_rows(
        min_row=5, values_only=True)}
    assert cells["41_control_characters.csv"] == "Burglary down.\nSee the note below[0m\nend"
    assert len(cells["40_long_commentary.csv"]) == 32_767


def test_partner_text_is_kept_verbatim_as_data(run):
    clean = run["checked"].clean.set_index("source_file")
    assert clean.loc["32_html_commentary.csv", "commentary"] == (
        "<script>alert('pwned')</script><b>Burglary</b> up & rising")
    assert clean.loc["31_q4 $(rm -rf ~); `id` ..csv", "value"] == 690


def test_formula_like_cells_are_neutralised_in_exports(run, tmp_path):
    rows = run["checked"].clean
    rows = rows[rows["source_file"] == "33_formula_like_cells.csv"][
        ["commentary", "actions", "value"]]
    text = write_csv(rows, tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and "'@SUM(A1:A9)" in text
    assert "'+44 116 305 0000" in text and "'-5 officers" in text
    assert ",3202.0" in text            # numbers are numbers, not defused


def test_feedback_files_escape_html_and_name_each_problem(run, tmp_path):
    checked = run["checked"]
    feedback = feedback_by_partner(checked.findings, checked.quarantine)
    constabulary = feedback["Leicestershire Constabulary"]
    assert {"file", "sheet", "cell", "value found", "problem"} <= set(constabulary.columns)
    assert "Returns!E2" in set(constabulary["cell"])
    write_quality_reports(tmp_path, tmp_path / "feedback", pd.DataFrame({"partner": ["x"]}),
                          feedback, "2007-09-03", "2006-07 Q4")
    # Two spellings of one partner: two feedback files, neither overwriting the other.
    pages = {p.name: p.read_text() for p in (tmp_path / "feedback").glob(
        "leicestershire-constabulary*.html")}
    assert len(pages) == 2
    variant = next(t for t in pages.values() if "54_partner_name_variant.csv" in t)
    html = next(t for t in pages.values() if "12_bad_date.csv" in t)
    assert "12_bad_date.csv" not in variant and "54_partner_name_variant.csv" not in html
    assert "next Tuesday" in html and "<script>" not in html
    unreadable = (tmp_path / "feedback" / "files-that-could-not-be-read.csv").read_text(
        encoding="utf-8-sig")
    assert "27_password.xlsx" in unreadable
    # Rows left without a partner (merged cells) go to the partner the file names.
    assert {3, 4} <= set(constabulary.loc[constabulary["file"] == "46_merged_partner.xlsx",
                                          "row"])


def test_raw_files_are_never_modified(run):
    assert run["before"] == run["after"]
