"""Issue 24, items 1 and 2 together, as an auditor does them: ``laa run``, ``laa audit``,
the Findings sheet of the pack's workbook filled in (as the auditor would, in the cells left
open), saved into the register as ``audit_findings.xlsx``, then ``laa run`` again: the
qualified figure is marked beside itself in the appendix, with the auditor's note, and the
data-quality report lists every finding written. The workbook is the one ``laa audit``
wrote, not one made by the test, so the writer and the reader keep to one contract.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from bs4 import BeautifulSoup

from pipeline.config import find_project_root
from tests.in_process import laa_here

ROOT = find_project_root()
MEETING = "2007-09-03"
NOTE = "Two district returns count one burglary twice"
pytestmark = pytest.mark.slow


def test_the_filled_in_audit_workbook_is_read_back_and_marks_its_figure(laa1_audit,
                                                                        tmp_path):
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data",
                    ignore=shutil.ignore_patterns("laa2"))
    args = ["--data-dir", str(tmp_path / "data"), "--clean-dir", str(tmp_path / "clean"),
            "--reports-dir", str(tmp_path / "reports"), "--period", "2006-07 Q4",
            "--meeting", MEETING]
    # `laa run` on the demo's data, then `laa audit`: the session's (conftest: the demo run
    # copied, then audited), copied here, where the second run replaces them
    for name in ("clean", "reports"):
        shutil.copytree(laa1_audit[name], tmp_path / name)
    assert laa1_audit["audit"].parent.name == MEETING
    pack = tmp_path / "reports" / MEETING / "audit" / "spot-check.xlsx"
    book = openpyxl.load_workbook(pack)
    sheet = book["Findings"]
    header = [c.value for c in sheet[1]]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert "7.20" in rows, "every red reward target is sampled; 7.20 is red"
    open_cells = ("finding", "note", "auditor", "date")
    for indicator, finding in (("7.20", "qualified"), (next(i for i in rows if i != "7.20"),
                                                        "accepted")):
        r = rows[indicator]
        values = (finding, NOTE + "." if finding == "qualified" else None, "A Auditor",
                  dt.datetime(2007, 8, 14))
        for name, value in zip(open_cells, values, strict=True):
            cell = sheet.cell(row=r, column=header.index(name) + 1)
            assert not cell.protection.locked, f"{name} is left open to the auditor"
            cell.value = value
    book.save(tmp_path / "data" / "register" / "audit_findings.xlsx")

    rerun = laa_here("run", *args, "--formats", "html")
    assert rerun.returncode == 0, rerun.stderr
    folder = tmp_path / "reports" / MEETING
    soup = BeautifulSoup((folder / "appendix.html").read_text(encoding="utf-8"),
                         "html.parser")
    row = next(tr for tr in soup.select("table.block-table tbody tr")
               if tr.th.get_text(" ", strip=True).startswith("7.20 "))
    assert "Qualified by the auditor" in row.get_text(" ", strip=True)
    notes = " ".join(p.get_text(" ", strip=True) for p in soup.select("p.audit-note"))
    assert f"Qualified by the auditor: {NOTE}." in notes
    text = soup.get_text(" ", strip=True)
    assert "2 figures checked by the auditor: 1 accepted, 1 qualified" in text
    report = BeautifulSoup((folder / "data-quality" / "report.html").read_text(
        encoding="utf-8"), "html.parser")
    assert report.find("h2", id="audit").get_text(strip=True) == \
        "The auditor's findings (2)"
