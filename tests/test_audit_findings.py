"""The auditor's findings file (issue 24.2): read from CSV or from the audit workbook as the
auditor fills it in, each bad cell refused by name, and the register carrying it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from pipeline.errors import RegisterError
from pipeline.inputs.audit_findings import read_audit_findings
from pipeline.inputs.register import load_register
from tests.in_process import laa_here

DEMO_REGISTER = Path(__file__).resolve().parents[1] / "data" / "raw" / "register"
IDS = ["7.19", "7.20", "1.1"]
HEADER = "indicator,period,finding,note,auditor,date\n"


def _csv(tmp_path: Path, body: str) -> Path:
    (tmp_path / "audit_findings.csv").write_text(HEADER + body, encoding="utf-8")
    return tmp_path


def test_no_file_means_no_findings(tmp_path):
    assert read_audit_findings(tmp_path, IDS) is None


def test_csv_read_and_typed(tmp_path):
    found = read_audit_findings(_csv(tmp_path, (
        "7.20,2006-07 q4,Qualified,Double count in one district,A Auditor,2007-08-14\n"
        "7.19,2006-07 Q4,not  checked,,,\n"
        "1.1,2006-07 Q4,,,,\n")), IDS)
    assert found.to_dict("records") == [
        {"indicator_id": "7.20", "period": "2006-07 Q4", "finding": "qualified",
         "note": "Double count in one district", "auditor": "A Auditor",
         "date": "2007-08-14", "source_row": 2},
        {"indicator_id": "7.19", "period": "2006-07 Q4", "finding": "not checked",
         "note": "", "auditor": "", "date": "", "source_row": 3}]


def test_audit_workbook_read_back_as_filled_in(tmp_path):
    """The contract of ``laa audit``'s workbook: a Findings sheet among others, the header on
    row 3 under a title, context columns to the right, a row not filled in."""
    book = Workbook()
    book.active.title = "About"
    book.active["A1"] = "How to fill in this workbook"
    sheet = book.create_sheet("Findings")
    sheet["A1"] = "Spot checks: 2006-07 Q4"
    sheet.append([])
    sheet.append(["indicator", "period", "finding", "note", "auditor", "date",
                  "figure", "theme", "value"])
    sheet.append(["7.20", "2006-07 Q4", "reserved", "Source file not kept", "A Auditor",
                  dt.datetime(2007, 8, 14), "Theft from a vehicle", "Safer", 3202])
    sheet.append(["7.19", "2006-07 Q4", None, None, None, None, "Burglary", "Safer", 12])
    sheet.append([1.1, "2006-07 Q4", "accepted", None, "A Auditor", dt.date(2007, 8, 15)])
    book.save(tmp_path / "audit_findings.xlsx")
    found = read_audit_findings(tmp_path, IDS)
    assert list(found["indicator_id"]) == ["7.20", "1.1"]
    assert list(found["finding"]) == ["reserved", "accepted"]
    assert list(found["date"]) == ["2007-08-14", "2007-08-15"]
    assert list(found["source_row"]) == [4, 6]
    assert found["note"].iloc[0] == "Source file not kept"


def test_number_cells_for_id_and_date_are_read_as_meant(tmp_path):
    book = Workbook()
    book.active.title = "Findings"
    book.active.append(["indicator", "period", "finding", "note", "auditor", "date"])
    book.active.append([7.2, "2006-07 Q4", "accepted", None, None, 39308])   # Excel's day
    book.save(tmp_path / "audit_findings.xlsx")
    found = read_audit_findings(tmp_path, IDS)
    assert found[["indicator_id", "date"]].values.tolist() == [["7.20", "2007-08-14"]]


@pytest.mark.parametrize(("row", "message"), [
    ("7.20,2006-07 Q4,approved,,,", r"finding 'approved' is not one of accepted, qualified, "
     r"reserved, not checked \(file audit_findings.csv, row 3, column finding, cell C3\)"),
    ("7.20,2006-07 Q4,accepted,,,14/08/2007", r"date '14/08/2007' is not a date \(YYYY-MM-DD\) "
     r"\(file audit_findings.csv, row 3, column date, cell F3\)"),
    ("9.99,2006-07 Q4,accepted,,,", r"unknown indicator '9.99'.*\(file audit_findings.csv, "
     r"row 3, column indicator, cell A3\)"),
    ("7.19,2006-07 Q4,accepted,,,", r"a second finding for 7.19 in 2006-07 Q4 \(the first is "
     r"on row 2\) \(file audit_findings.csv, row 3, column indicator, cell A3\)"),
    ("7.20,Q4 last year,accepted,,,", r"period 'Q4 last year' is not a financial year or "
     r"quarter.*row 3, column period, cell B3"),
])
def test_bad_cell_refused_by_name(tmp_path, row, message):
    _csv(tmp_path, "7.19,2006-07 Q4,accepted,,,\n" + row + "\n")
    with pytest.raises(RegisterError, match=message) as caught:
        read_audit_findings(tmp_path, IDS)
    assert caught.value.exit_code == 3


def test_bad_workbook_cell_names_the_sheet(tmp_path):
    book = Workbook()
    book.active.title = "Findings"
    book.active.append(["Title"])
    book.active.append(["indicator", "period", "finding", "note", "auditor", "date"])
    book.active.append(["7.20", "2006-07 Q4", "fine", None, None, None])
    book.save(tmp_path / "audit_findings.xlsx")
    with pytest.raises(RegisterError, match=r"file audit_findings.xlsx, sheet Findings, row 3, "
                       r"column finding, cell C3"):
        read_audit_findings(tmp_path, IDS)


def test_no_header_refused(tmp_path):
    (tmp_path / "audit_findings.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="no header row naming indicator, period, finding"):
        read_audit_findings(tmp_path, IDS)


def test_register_carries_and_refuses_findings(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(DEMO_REGISTER, register)
    assert load_register(register).audit_findings is None
    (register / "audit_findings.csv").write_text(
        HEADER + "7.20,2006-07 Q4,qualified,A note,,2007-08-14\n", encoding="utf-8")
    assert load_register(register).audit_findings["finding"].tolist() == ["qualified"]
    (register / "audit_findings.csv").write_text(
        HEADER + "7.20,2006-07 Q4,maybe,,,\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="cell C2"):
        load_register(register)


def test_a_bad_finding_stops_the_run_before_anything_is_published(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO_REGISTER.parent, data)
    (data / "register" / "audit_findings.csv").write_text(
        HEADER + "7.20,2006-07 Q4,qualified,,,31/08/2007\n", encoding="utf-8")
    proc = laa_here("run", "--data-dir", str(data), "--clean-dir", str(tmp_path / "clean"),
                    "--reports-dir", str(tmp_path / "reports"), "--period", "2006-07 Q4",
                    "--meeting", "2007-09-03")
    assert proc.returncode == 3, proc.stderr
    assert "date '31/08/2007' is not a date (YYYY-MM-DD) (file audit_findings.csv, row 2, " \
           "column date, cell F2)" in proc.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.html"))


def test_a_csv_and_a_workbook_together_are_refused(tmp_path):
    _csv(tmp_path, "7.20,2006-07 Q4,accepted,,,\n")
    Workbook().save(tmp_path / "audit_findings.xlsx")
    with pytest.raises(RegisterError, match="two findings files"):
        read_audit_findings(tmp_path, IDS)
