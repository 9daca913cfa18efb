"""Unit tests of ingest: value parsing, file reading, lineage and supersession."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from openpyxl import Workbook

from pipeline.inputs.ingest import (
    ingest_returns,
    parse_value,
    resolve_supersession,
    sha256_file,
    value_problem,
)

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
