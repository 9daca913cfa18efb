"""Unit tests of ingest: value parsing, file reading, lineage and supersession."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import Workbook

from pipeline.digest import sha256_file
from pipeline.errors import InputError
from pipeline.inputs import return_files, xlsx_reader
from pipeline.inputs.csv_reader import read_csv_rows
from pipeline.inputs.ingest import ingest_returns, resolve_supersession
from pipeline.inputs.return_values import parse_value, value_problem
from pipeline.inputs.sheets import cell_name, cell_text, column_label

HEADER = ("partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,actions,"
          "submitted_by,submitted_at")


@pytest.mark.parametrize(("text", "expected"), [
    ("45%", 45.0), ("1,234", 1234.0), (" 12 ", 12.0), ("£1,250.50", 1250.5), ("-3.5", -3.5),
    ("39.36%", 39.36), ("1,234,567", 1234567.0), (".5", 0.5),
])
def test_parse_value(text, expected):
    assert parse_value(text) == pytest.approx(expected)
    assert value_problem(text) == ""


@pytest.mark.parametrize("text", ["n/a", "N/A", "-", "", "  ", None])
def test_not_available_spellings(text):
    assert math.isnan(parse_value(text))
    assert value_problem(text) == ""


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "it is not a number"), ("12..3", "it is not a number"),
    ("12 apples", "it is not a number"),
    ("=SUM(E2:E3)", "it is a formula with no saved value"),
    ("12,5", "it has a decimal comma: write 12.5"),
])
def test_text_in_numeric_column_is_a_problem(text, message):
    assert math.isnan(parse_value(text))
    assert value_problem(text).startswith(message)


def test_decimal_comma_read_in_semicolon_files_only():
    assert parse_value("12,5", decimal_comma=True) == 12.5
    assert value_problem("12,5", decimal_comma=True) == ""
    assert parse_value("1,234", decimal_comma=False) == 1234


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_lineage_and_raw_text_kept(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\nPolice,7.20,2006-07 Q4,county,\"3,202\",final,R,"
           "Still off,Review,Jo,2007-05-10T09:00:00\n\nPolice,7.21,2006-07 q4,County,n/a,"
           "not available,,,,Jo,2007-05-10T09:00:00\n")
    got = ingest_returns(tmp_path)
    rows = got.rows
    assert got.file_problems.empty
    assert rows["value"].iloc[0] == 3202 and rows["value_text"].iloc[0] == "3,202"
    assert rows["source_row"].tolist() == [2, 4]           # blank line skipped, numbering kept
    assert rows["period"].iloc[1] == "2006-07 Q4"
    assert rows["geography"].iloc[1] == "county"
    assert rows["data_status"].iloc[1] == "not_available"
    assert rows["source_sha256"].iloc[0] == sha256_file(tmp_path / "a.csv")
    assert rows["record_id"].iloc[0] == "a.csv||2"


def test_bom_cp1252_and_semicolons(tmp_path):
    _write(tmp_path / "bom.csv",
           "\ufeff" + HEADER + "\nP,1,2006-07,county,5,final,,,,,2007-05-01\n")
    _write(tmp_path / "win.csv", HEADER + "\nP,2,2006-07,county,£7,final,,Cost £7,,,2007-05-01\n",
           encoding="cp1252")
    _write(tmp_path / "semi.csv", HEADER.replace(",", ";") + "\nP;3;2006-07;county;8;final;;;;;"
           "2007-05-01\n")
    rows = ingest_returns(tmp_path).rows.set_index("indicator_id")
    assert rows.loc["1", "value"] == 5
    assert rows.loc["2", "commentary"] == "Cost £7" and rows.loc["2", "value"] == 7
    assert rows.loc["3", "value"] == 8


def test_xlsx_with_title_row_and_percent_format(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Q4"
    sheet.append(["Quarterly return - Waste Partnership"])
    sheet.append(HEADER.split(","))
    sheet.append(["Waste", "2.1", "2006-07 Q3", "county", 0.3936, "provisional", "A", "", "",
                  "Sam", "2007-02-01T10:00:00"])
    sheet["E3"].number_format = "0.00%"
    book.create_sheet("Notes").append(["free text"])
    book.save(tmp_path / "w.xlsx")
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    row = got.rows.iloc[0]
    assert row["value"] == pytest.approx(39.36) and row["value_text"] == "39.36%"
    assert (row["source_sheet"], row["source_row"]) == ("Q4", 3)


def test_unreadable_files_are_reported_not_fatal(tmp_path):
    _write(tmp_path / "good.csv", HEADER + "\nP,1,2006-07,county,5,final,,,,,2007-05-01\n")
    _write(tmp_path / "empty.csv", "")
    _write(tmp_path / "broken.xlsx", "this is not a workbook")
    _write(tmp_path / "old.xls", "x")
    _write(tmp_path / "nohead.csv", "a,b\n1,2\n")
    got = ingest_returns(tmp_path)
    assert got.rows["indicator_id"].tolist() == ["1"]
    reasons = got.file_problems.set_index("source_file")["reason"]
    assert reasons["empty.csv"] == "file is empty"
    assert reasons["broken.xlsx"] == "file is not a valid .xlsx workbook (corrupt or renamed)"
    assert "an old Excel .xls file" in reasons["old.xls"]
    assert reasons["nohead.csv"].startswith("no header row found")


def test_missing_required_column_names_it(tmp_path):
    _write(tmp_path / "m.csv",
           HEADER.replace("data_status,", "") + "\nP,1,2006-07,county,5,,,,,x\n")
    got = ingest_returns(tmp_path)
    assert got.rows.empty
    assert got.file_problems["reason"].iloc[0] == "missing required column(s): data_status"


def test_later_submission_supersedes_and_both_are_kept():
    rows = pd.DataFrame({
        "indicator_id": ["7.20", "7.20", "7.20"], "period": ["2006-07 Q4"] * 3,
        "geography": ["county", "county", "Melton"],
        "submitted_at": pd.to_datetime(["2007-05-20", "2007-05-10", "2007-05-10"]),
        "source_file": ["b.csv", "a.csv", "a.csv"], "source_sheet": ["", "", ""],
        "source_row": [2, 2, 3], "record_id": ["b.csv||2", "a.csv||2", "a.csv||3"]})
    out = resolve_supersession(rows)
    assert out["in_force"].tolist() == [True, False, True]
    assert out["superseded_by"].tolist() == ["", "b.csv||2", ""]
    assert rows.columns.tolist()[-1] == "record_id"          # input not mutated


# --- Issue 10: hostile inputs -------------------------------------------------------------

ROW = "Police,{id},2006-07 Q4,county,{value},final,,{comment},,Jo,2007-05-10T09:00:00"


def _good(path, ids=("7.20",)):
    lines = [ROW.format(id=i, value="5", comment="") for i in ids]
    return _write(path, HEADER + "\n" + "\n".join(lines) + "\n")


def test_a_file_the_process_may_not_read_is_quarantined_alone(tmp_path, monkeypatch):
    _good(tmp_path / "good.csv")
    _good(tmp_path / "locked.csv", ids=("7.21",))
    real = return_files.read_file_bytes

    def refuse(path, max_bytes):
        if path.name == "locked.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, max_bytes)

    monkeypatch.setattr(return_files, "read_file_bytes", refuse)
    got = ingest_returns(tmp_path)
    assert got.rows["source_file"].tolist() == ["good.csv"]
    problem = got.file_problems.set_index("source_file").loc["locked.csv"]
    assert problem["reason"].startswith("the file cannot be read: permission denied")


@pytest.mark.parametrize(("error", "reason"), [
    (OSError(5, "Input/output error"), "the file cannot be read: the computer running the "
     "pipeline could not read it from its disk (a read error); copy it in again"),
    (FileNotFoundError(2, "No such file or directory"), "the file cannot be read: it was moved "
     "or deleted while the returns were being read; copy it in again"),
    (OSError("disk says no"), "the file cannot be read: the computer running the pipeline "
     "could not read it from its disk (a read error); copy it in again"),
])
def test_an_os_error_reads_in_plain_words_its_own_in_the_detail(tmp_path, monkeypatch, error,
                                                                 reason):
    _good(tmp_path / "bad.csv")

    def fail(path, max_bytes):
        raise error

    monkeypatch.setattr(return_files, "read_file_bytes", fail)
    problem = ingest_returns(tmp_path).file_problems.set_index("source_file").loc["bad.csv"]
    assert problem["reason"] == reason
    assert problem["detail"] == str(error)


def test_a_folder_the_process_may_not_list_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    _good(tmp_path / "good.csv")
    (tmp_path / "2006-07").mkdir()
    _good(tmp_path / "2006-07" / "hidden.csv", ids=("7.21",))
    real = return_files.list_folder

    def refuse(folder):
        if folder.name == "2006-07":
            raise PermissionError(13, "Permission denied", str(folder))
        return real(folder)

    monkeypatch.setattr(return_files, "list_folder", refuse)
    got = ingest_returns(tmp_path)
    assert got.rows["source_file"].tolist() == ["good.csv"]
    problem = got.file_problems.set_index("source_file").loc["2006-07/"]
    assert problem["reason"] == ("the folder cannot be read: permission denied (the account "
                                 "running the pipeline may not open it); ask for the folder to "
                                 "be shared, or copy it in again: the returns in it were not "
                                 "read")


def test_a_returns_folder_that_cannot_be_read_or_is_missing_is_a_clear_error(tmp_path,
                                                                             monkeypatch):
    with pytest.raises(InputError, match="the returns folder cannot be read"):
        ingest_returns(tmp_path / "nowhere")

    def refuse(folder):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(return_files, "list_folder", refuse)
    with pytest.raises(InputError, match="permission denied"):
        ingest_returns(tmp_path)


def test_links_and_special_files_are_refused_naming_where_they_point(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = _good(elsewhere / "someone_elses.csv", ids=("7.21",))
    returns = tmp_path / "returns"
    (returns / "sub").mkdir(parents=True)
    _good(returns / "good.csv")
    (returns / "link.csv").symlink_to(target)
    (returns / "linked_folder").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(returns / "sub" / "pipe.csv")
    got = ingest_returns(returns)
    assert got.rows["source_file"].tolist() == ["good.csv"]
    reasons = got.file_problems.set_index("source_file")["reason"]
    assert reasons["link.csv"].startswith(f"a symbolic link to {target}, not a file")
    assert reasons["linked_folder"].startswith(f"a symbolic link to {elsewhere}, not a file")
    assert reasons["sub/pipe.csv"].startswith("not a regular file")


def test_a_stray_cell_far_away_is_read_in_bounded_time_and_memory(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet.append(HEADER.split(","))
    sheet.append(ROW.format(id="7.20", value="5", comment="").split(","))
    sheet.append(ROW.format(id="7.21", value="6", comment="").split(","))
    sheet["XFD1048576"] = "stray"
    book.save(tmp_path / "far.xlsx")
    # Declared as 16,384 columns by 1,048,576 rows: padding every row would take
    # gigabytes and minutes; read sparsely, it is two rows and the stray cell.
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    rows = got.rows.set_index("source_row")
    assert rows.loc[[2, 3], "indicator_id"].tolist() == ["7.20", "7.21"]
    assert rows.loc[[2, 3], "read_problem"].tolist() == ["", ""]
    assert rows.loc[1048576, "read_problem"] == (
        "the return's columns filled in: this row has text only outside them "
        "(Returns!XFD1048576 'stray'), so it was not read")


def test_text_under_no_heading_is_a_warning(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.20", value="5", comment="")
           + ",checked by JB\n")
    row = ingest_returns(tmp_path).rows.iloc[0]
    assert row["read_problem"] == ""
    assert row["read_warning"] == ("every value under a heading: L2 'checked by JB' has no "
                                   "heading and was ignored")


def test_a_field_longer_than_the_csv_module_default_is_read(tmp_path):
    long = "word " * 40_000
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.20", value="5",
                                                          comment=long) + "\n")
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    assert got.rows["commentary"].iloc[0] == long.strip()


@pytest.mark.parametrize("closer", [
    "",                                                       # never closed: runs to the end
    '"Quoted, as it should be"',                              # closed by a later cell's quote
])
def test_a_quote_never_closed_loses_no_line(tmp_path, closer):
    lines = [ROW.format(id="7.20", value="5", comment='"Fewer, see report'),
             ROW.format(id="7.21", value="6", comment=closer),
             ROW.format(id="7.22", value="7", comment="")]
    _write(tmp_path / "a.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    rows = ingest_returns(tmp_path).rows.set_index("source_row")
    assert rows.index.tolist() == [2, 3, 4]
    assert rows.loc[2, "read_problem"].startswith("a closing quote (\"): the quote that opens "
                                                  "this cell on line 2 is never closed")
    assert rows.loc[2, "read_problem_column"] == "commentary"
    assert rows.loc[[3, 4], "value"].tolist() == [6, 7]
    assert rows.loc[[3, 4], "read_problem"].tolist() == ["", ""]


def test_a_quoted_cell_over_several_lines_is_one_row(tmp_path):
    text = ROW.format(id="7.20", value="5", comment='"First line,\nsecond line"')
    _write(tmp_path / "a.csv", HEADER + "\r\n" + text + "\r\n"
           + ROW.format(id="7.21", value="6", comment="") + "\r\n")
    rows = ingest_returns(tmp_path).rows
    assert rows["commentary"].tolist() == ["First line,\nsecond line", ""]
    assert rows["read_problem"].tolist() == ["", ""]
    assert rows["source_row"].tolist() == [2, 3]


def test_every_physical_line_is_in_exactly_one_row():
    text = "a,b,c\r\n1,\"x\ny\",3\r2,2,2\n\n4,4,4"
    sheets = read_csv_rows(text.encode())
    notes = sheets.notes[""]
    assert sheets.rows[""] == [["a", "b", "c"], ["1", "x\ny", "3"], ["2", "2", "2"], [],
                               ["4", "4", "4"]]
    assert notes.lines == (1, 2, 4, 5, 6) and notes.line_count == 6


def test_a_nul_byte_quarantines_its_row_not_the_file(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.20", value="5", comment="A\0B")
           + "\n" + ROW.format(id="7.21", value="6", comment="") + "\n")
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    assert got.rows["read_problem_column"].tolist() == ["commentary", ""]
    assert got.rows["commentary"].iloc[0] == "A\ufffdB"


def test_a_binary_file_named_csv_is_still_refused(tmp_path):
    (tmp_path / "photo.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    reasons = ingest_returns(tmp_path).file_problems.set_index("source_file")["reason"]
    assert reasons["photo.csv"] == "file is binary, not text: send CSV or XLSX"
    assert reasons["book.csv"].startswith("file is a zip archive (perhaps an .xlsx workbook")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_text_from_excel_is_read(tmp_path, codec):
    text = (HEADER + "\n" + ROW.format(id="7.20", value="5", comment="café") + "\n")
    _write(tmp_path / "u.csv", text.replace(",", "\t").replace("\n", "\r\n"), encoding=codec)
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    assert got.rows[["value", "commentary"]].iloc[0].tolist() == [5, "café"]


def test_a_stray_byte_in_utf8_is_read_on_its_line_only(tmp_path):
    text = (HEADER + "\n" + ROW.format(id="7.20", value="5", comment="naïve café") + "\n"
            + ROW.format(id="7.21", value="6", comment="£5 STRAY") + "\n")
    (tmp_path / "a.csv").write_bytes(text.encode("utf-8").replace(b"STRAY", b"\x93ok\x94"))
    rows = ingest_returns(tmp_path).rows
    assert rows["commentary"].tolist() == ["naïve café", "£5 \u201cok\u201d"]
    assert rows["read_warning"].tolist()[0] == ""
    assert rows["read_warning_column"].tolist()[1] == "commentary"
    assert "line 3 has byte(s) that are not UTF-8" in rows["read_warning"].iloc[1]
    assert "0x93 (read as '\u201c')" in rows["read_warning"].iloc[1]


@pytest.mark.parametrize(("title", "delimiter", "comment"), [
    ("LAA return, Q4, 2006-07", ";", "Up, as hoped, again, and again, and again"),
    ("LAA return; Q4; 2006-07", ",", "Up; as hoped"),
    ("LAA return, Q4", "\t", "Up, as hoped"), ("", "|", "Up, as; hoped")])
def test_the_delimiter_is_the_headers_not_the_title_lines(tmp_path, title, delimiter, comment):
    cells = ROW.format(id="7.20", value="5", comment="COMMENT").split(",")
    lines = [title] if title else []
    lines += [HEADER.replace(",", delimiter),
              delimiter.join(cells).replace("COMMENT", f'"{comment}"')]
    _write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    assert got.rows[["value", "commentary"]].iloc[0].tolist() == [5, comment]


def test_a_heading_given_twice_refuses_the_sheet(tmp_path):
    _write(tmp_path / "a.csv", HEADER + ",Value\n" + ROW.format(id="7.20", value="5",
                                                                comment="") + ",6\n")
    got = ingest_returns(tmp_path)
    assert got.rows.empty
    assert got.file_problems["reason"].iloc[0].startswith(
        "column heading(s) used more than once: value (columns E and L)")


def test_numbers_from_cells_never_in_scientific_notation(tmp_path):
    assert cell_text(0.000015) == "0.000015"
    assert cell_text(1.5e-10) == "0.00000000015"
    assert cell_text(2.5e16) == "25000000000000000"
    assert cell_text(0.00001, "0.00%") == "0.001%"
    assert parse_value("1.5e-05") == pytest.approx(0.000015)
    assert parse_value("2E3") == 2000
    assert math.isnan(parse_value("1e999"))


def test_number_cells_in_the_id_column_are_noted(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Police", 7.2, "2006-07 Q4", "county", 5, "final", "", "", "", "Jo",
                  "2007-05-10T09:00:00"])
    sheet.append(["Police", "7.20", "2006-07 Q4", "county", 5, "final", "", "", "", "Jo",
                  "2007-05-10T09:00:00"])
    book.save(tmp_path / "n.xlsx")
    rows = ingest_returns(tmp_path).rows
    assert rows["indicator_id"].tolist() == ["7.2", "7.20"]
    assert rows["indicator_id_numeric"].tolist() == [True, False]


@pytest.mark.parametrize(("text", "status", "problem"), [
    ("#N/A", "not_available", ""), ("#VALUE!", "not_available", ""),
    ("#N/A", "final", ""),                       # a final row without value: reported there
    ("#DIV/0!", "final", "it is an Excel error (#DIV/0!): correct the formula, or mark the "
                         "row not_available")])
def test_excel_error_values(tmp_path, text, status, problem):
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.20", value=text, comment="")
           .replace("final", status) + "\n")
    row = ingest_returns(tmp_path).rows.iloc[0]
    assert math.isnan(row["value"]) and row["value_problem"] == problem
    assert row["final_without_value"] == (status == "final" and text == "#N/A")


def test_a_quote_opened_on_the_last_line_is_a_problem_of_that_line(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.21", value="6", comment="")
           + "\n" + ROW.format(id="7.20", value="5", comment='"Up, see'))
    rows = ingest_returns(tmp_path).rows
    assert rows["read_problem"].tolist()[0] == ""
    assert rows["read_problem"].iloc[1].startswith("a closing quote (\"): the quote that opens "
                                                   "this cell on line 3 is never closed")


def test_many_nul_bytes_in_one_row_are_that_rows_problem(tmp_path):
    lines = [ROW.format(id=f"7.{i}", value="5", comment="") for i in range(10, 40)]
    lines[3] = ROW.format(id="7.13", value="5", comment="\0" * 500)
    _write(tmp_path / "a.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    got = ingest_returns(tmp_path)
    assert got.file_problems.empty
    assert (got.rows["read_problem"] != "").tolist() == [i == 3 for i in range(30)]


def test_a_stray_byte_above_the_header_is_reported_with_the_first_row(tmp_path):
    (tmp_path / "a.csv").write_bytes(
        "Return from the Police – café\n".encode("cp1252") + (
            HEADER + "\n" + ROW.format(id="7.20", value="5", comment="naïve") + "\n"
        ).encode("utf-8"))
    rows = ingest_returns(tmp_path).rows
    assert rows["commentary"].tolist() == ["naïve"]
    assert rows["read_warning"].iloc[0].startswith("text in UTF-8: line 1 has byte(s) that "
                                                   "are not UTF-8")


def test_a_decimal_comma_with_an_exponent_in_a_semicolon_file():
    assert parse_value("1,5E-05", decimal_comma=True) == pytest.approx(0.000015)


def test_a_stray_cell_far_right_of_the_header_is_an_extra_column(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(ROW.format(id="7.20", value="5", comment="").split(","))
    sheet["XFD1"] = "Stray"
    book.save(tmp_path / "wide.xlsx")
    rows = ingest_returns(tmp_path).rows
    assert rows["indicator_id"].tolist() == ["7.20"]
    assert rows["unexpected_columns"].tolist() == ["stray"]


def test_a_row_with_most_required_cells_blank_gets_one_problem(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\n" + ROW.format(id="7.20", value="5", comment="")
           + "\nChecked by JB on 10 May\n,,,,,,,,,,\n")
    rows = ingest_returns(tmp_path).rows
    assert rows["source_row"].tolist() == [2, 3]           # the line of commas is blank
    assert rows["read_problem"].tolist() == [
        "", "a complete row: only partner filled in; complete the row or delete it"]


def test_a_workbook_too_large_for_a_return_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_FILLED_CELLS", 30)
    book = Workbook()
    for n in range(4):
        book.active.append(ROW.format(id=f"7.{n}", value="5", comment="x").split(","))
    book.save(tmp_path / "big.xlsx")
    reason = ingest_returns(tmp_path).file_problems["reason"].iloc[0]
    assert reason.startswith("sheet 'Sheet' is too large for a return (over 30 filled cells")


def test_column_labels_as_a_spreadsheet_names_them():
    # bijective base 26: Z is the 26th, AA the 27th, ZZ the 702nd (26 + 26*26), AAA the 703rd,
    # XFD Excel's last (16,384 = 24*676 + 6*26 + 4); past it, R1C1 style
    assert [column_label(n) for n in (1, 5, 26, 27, 52, 53, 702, 703, 16_384)] == \
        ["A", "E", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert column_label(16_385) == "C16385"
    assert column_label(0) == "C0"
    assert cell_name(5, 14) == "E14"
    assert cell_name(16_385, 14) == "R14C16385"


def test_naming_a_cell_does_not_import_the_workbook_library():
    # the validate stage names the cell of each finding; openpyxl costs ~0.1 s to import
    code = ("import sys\nfrom pipeline.quality.quarantine import cell_reference\n"
            "assert cell_reference('Returns', 'a,b,c,d,e', 'e', 14) == 'Returns!E14'\n"
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
