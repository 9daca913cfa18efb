"""End-to-end (issue 24.2): the LAA1 demo, copied, with the auditor's findings as a filled-in
audit workbook; each finding appears beside its figure in the appendix, the board summary
(HTML, PDF, DOCX) and the tables, the data-quality report lists them all, and a rerun after
the auditor edits the file recomputes.

The figures are the seed's (7.20 Domestic Burglary: 3,202 against 2,470, red; 2.1's latest
value is of 2006-07 Q3); the count is a hand count of the findings written below: of the
figures shown, 7.21 accepted, 7.20 qualified, 2.1 reserved, 7.22 not checked, and 7.19's
finding is for 2005-06, a figure the appendix does not show.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook, load_workbook

from pipeline.config import find_project_root
from tests.in_process import laa_here

ROOT = find_project_root()
MEETING, STAMP = "2007-09-03", "2007-06-30T12:00:00"
pytestmark = pytest.mark.slow
QUALIFIED = "Two district returns count one burglary twice"
RESERVED = "The survey behind the figure was not kept"
WHEN = dt.datetime(2007, 8, 14)


def write_workbook(path: Path, finding_720: str) -> None:
    """The audit workbook as ``laa audit`` writes it and the auditor fills it in: a Findings
    sheet under a title, its header on row 3, context columns right, one row left blank."""
    book = Workbook()
    book.active.title = "About"
    sheet = book.create_sheet("Findings")
    sheet["A1"] = "Spot checks, 2006-07 Q4"
    sheet.append([])
    sheet.append(["indicator", "period", "finding", "note", "auditor", "date", "figure",
                  "theme", "value"])
    sheet.append(["7.20", "2006-07 Q4", finding_720, QUALIFIED + ".", "A Auditor", WHEN,
                  "Domestic Burglary", "Safer", 3202])
    sheet.append(["2.1", "2006-07 Q3", "reserved", RESERVED, "A Auditor", WHEN])
    sheet.append(["7.21", "2006-07 Q4", "accepted", None, "A Auditor", WHEN])
    sheet.append(["7.22", "2006-07 Q4", "not checked", None, None, None])
    sheet.append(["7.23", "2006-07 Q4", None, None, None, None, "not filled in", "Safer", 1])
    sheet.append(["7.19", "2005-06", "accepted", None, "A Auditor", WHEN])
    book.save(path)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    out = tmp_path_factory.mktemp("audited")
    shutil.copytree(ROOT / "data" / "raw", out / "data")
    write_workbook(out / "data" / "register" / "audit_findings.xlsx", "qualified")
    args = ["--data-dir", str(out / "data"), "--clean-dir", str(out / "clean"),
            "--reports-dir", str(out / "reports"), "--period", "2006-07 Q4",
            "--meeting", MEETING]
    run = laa_here("run", *args, "--generated-at", STAMP, "--district", "Melton")
    assert run.returncode == 0, run.stderr
    report = laa_here("report", *args)
    assert report.returncode == 0, report.stderr
    folder = out / "reports" / MEETING
    return {"out": out, "args": args, "folder": folder}


def _soup(folder: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((folder / name).read_text(encoding="utf-8"), "html.parser")


def _block_row(soup: BeautifulSoup, indicator: str):
    return next(tr for tr in soup.select("table.block-table tbody tr")
                if tr.th.get_text(" ", strip=True).startswith(indicator + " "))


def _pdf_text(path: Path) -> str:
    """The PDF's text, whitespace made single spaces, as pypdf extracts it (a line broken
    at a hyphen ends in "-"), by pdfium (pdfplumber's renderer), at a twentieth of the time:
    the LAA1 appendix's 55 pages take pypdf about 4 s."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return re.sub(r"\s+", " ", text.replace("\ufffe", "-\n"))


def test_the_appendix_marks_the_figure_in_its_block_table_and_risk_list(audited):
    soup = _soup(audited["folder"], "appendix.html")
    value = _block_row(soup, "7.20").select("td.num")[2].get_text(" ", strip=True)
    assert value.startswith("3,202") and "Qualified by the auditor (note 1)" in value
    assert "Reserved by the auditor" in _block_row(soup, "2.1").get_text(" ", strip=True)
    assert "auditor" not in _block_row(soup, "7.21").get_text(" ", strip=True)
    notes = " ".join(p.get_text(" ", strip=True) for p in soup.select("p.audit-note"))
    assert f"7.20 Domestic Burglary. Qualified by the auditor: {QUALIFIED}." in notes
    risk = next(a for a in soup.select("article.risk") if "7.20" in a.h4.get_text())
    assert f"Qualified by the auditor: {QUALIFIED}." in risk.get_text(" ", strip=True)


def test_the_appendix_data_quality_section_counts_the_checked_figures(audited):
    text = _soup(audited["folder"], "appendix.html").get_text(" ", strip=True)
    assert ("3 figures checked by the auditor: 1 accepted, 1 qualified, 1 reserved. "
            "1 sampled but not checked.") in text


def test_the_summary_marks_the_figure_in_html_pdf_and_docx(audited):
    folder = audited["folder"]
    lines = [li.get_text(" ", strip=True) for li in _soup(folder, "summary.html").select("li")]
    line = next(t for t in lines if "7.20 Domestic Burglary" in t)
    assert f"3,202 against target 2,470, 29.6% off target (Qualified by the auditor: " \
           f"{QUALIFIED})" in line
    for name in ("summary.pdf", "appendix.pdf"):
        text = _pdf_text(folder / name)
        assert f"Qualified by the auditor: {QUALIFIED}" in text, name
        assert "3 figures checked by the auditor: 1 accepted, 1 qualified, 1 reserved." in text
    paragraphs = [p.text for p in docx.Document(folder / "summary.docx").paragraphs]
    assert any("3,202 against target 2,470" in p and f"(Qualified by the auditor: {QUALIFIED})"
               in p for p in paragraphs)
    assert any(p.startswith("3 figures checked by the auditor") for p in paragraphs)


def test_the_workbook_and_csv_give_the_finding_beside_the_figure(audited):
    book = load_workbook(audited["folder"] / "tables" / "appendix-tables.xlsx")
    sheet = book["Block 7 Safer Communities"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Indicator")
    columns = list(rows[header])
    row = next(r for r in rows[header + 1:] if r[0] == "7.20")
    assert row[columns.index("Latest value")] == 3202
    assert row[columns.index("Auditor's finding")] == "Qualified by the auditor"
    assert row[columns.index("Auditor's note")] == QUALIFIED + "."
    listing = (audited["folder"] / "tables").glob("*-audit-findings.csv")
    text = next(listing).read_text(encoding="utf-8-sig")
    assert f"7.20,Domestic Burglary,count,3202.0,2006-07 Q4,Qualified by the auditor," \
           f"{QUALIFIED}." in text


def test_the_data_quality_report_lists_every_finding(audited):
    soup = _soup(audited["folder"], "data-quality/report.html")
    heading = soup.find("h2", id="audit")
    assert heading.get_text(strip=True) == "The auditor's findings (5)"
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in heading.find_next("table").select("tbody tr")]
    assert [r[:3] for r in rows] == [["7.20", "2006-07 Q4", "qualified"],
                                     ["2.1", "2006-07 Q3", "reserved"],
                                     ["7.21", "2006-07 Q4", "accepted"],
                                     ["7.22", "2006-07 Q4", "not checked"],
                                     ["7.19", "2005-06", "accepted"]]
    assert rows[0][5] == "2007-08-14" and rows[0][6] == "4"
    assert "4 figures checked by the auditor: 2 accepted, 1 qualified, 1 reserved." in \
        heading.find_next("p").get_text(" ", strip=True)


def test_the_district_pack_marks_the_county_figure_as_the_appendix_does(audited):
    pack = audited["folder"] / "districts" / "melton"
    soup = _soup(pack, "district-pack.html")
    row = next(tr for tr in soup.select("table.district-table tbody tr")
               if tr.th.get_text(" ", strip=True).startswith("7.20 "))
    county = row.select("td.num")[1].get_text(" ", strip=True)
    assert county == "3,202 Qualified by the auditor (note 1)"
    notes = [p.get_text(" ", strip=True) for p in soup.select("p.audit-note")]
    assert notes == [f"Note 1: 7.20 Domestic Burglary. Qualified by the auditor: {QUALIFIED}."]
    assert f"Qualified by the auditor: {QUALIFIED}." in _pdf_text(pack / "district-pack.pdf")
    sheet = load_workbook(pack / "tables" / "district-pack-tables.xlsx")["Melton against " +
                                                                        "the county"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Indicator")
    columns = list(rows[header])
    found = next(r for r in rows[header + 1:] if r[0] == "7.20")
    assert found[columns.index("Auditor's finding")] == "Qualified by the auditor"


def test_the_source_annex_marks_the_figure_as_the_appendix_does(audited):
    soup = _soup(audited["folder"], "appendix.html")
    annex = soup.find("section", class_="lineage")
    assert re.fullmatch(r"7\.20 Qualified by the auditor \(note \d\)",
                        annex.find(id="lineage-7-20").th.get_text(" ", strip=True))
    assert "Reserved by the auditor" in annex.find(id="lineage-2-1").th.get_text(" ")
    assert "auditor" not in annex.find(id="lineage-7-21").get_text(" ")
    notes = " ".join(p.get_text(" ", strip=True) for p in annex.select("p.audit-note"))
    assert f"7.20 Domestic Burglary. Qualified by the auditor: {QUALIFIED}." in notes
    assert f"Reserved by the auditor: {RESERVED}." in notes


@pytest.mark.slow
def test_laa_trace_prints_the_finding_and_says_when_the_file_changed_since_the_run(audited):
    """`laa trace` reads the findings file: the figure's finding as the appendix marks it,
    and, once the file differs from the one the run read, a note saying so."""
    args = [a for a in audited["args"] if a not in ("--meeting", MEETING)]
    traced = laa_here("trace", "7.20", *args)
    assert traced.returncode == 0, traced.stderr
    lines = traced.stdout.splitlines()
    assert lines[2] == f"  auditor's finding: Qualified by the auditor: {QUALIFIED}"
    assert "have changed" not in traced.stdout
    assert "auditor's finding" not in laa_here("trace", "7.19", *args).stdout  # 2005-06's only
    path = audited["out"] / "data" / "register" / "audit_findings.xlsx"
    kept = path.read_bytes()
    try:
        write_workbook(path, "reserved")
        traced = laa_here("trace", "7.20", *args)
        assert traced.returncode == 0, traced.stderr
        assert "  auditor's finding: Reserved by the auditor: " in traced.stdout
        assert ("  note: the auditor's findings have changed since "
                f"{audited['folder'] / 'appendix.html'} was built "
                "(register/audit_findings.xlsx); `laa run --period '2006-07 Q4' --meeting "
                f"{MEETING}` marks them there") in traced.stdout
    finally:
        path.write_bytes(kept)


def test_a_rerun_after_the_auditor_edits_the_file_recomputes(audited):
    path = audited["out"] / "data" / "register" / "audit_findings.xlsx"
    manifest = audited["folder"] / "manifest.json"
    before = {i["path"]: i["sha256"] for i in json.loads(manifest.read_text())["inputs"]}
    write_workbook(path, "reserved")
    # the covering report would say "reserved" while the appendix it covers says "qualified"
    stale = laa_here("report", *audited["args"])
    assert stale.returncode == 2 and "the auditor's findings have changed" in stale.stderr
    run = laa_here("run", *audited["args"])
    assert run.returncode == 0, run.stderr
    report = laa_here("report", *audited["args"])
    assert report.returncode == 0, report.stderr
    paragraphs = [p.text for p in docx.Document(audited["folder"] / "summary.docx").paragraphs]
    assert any("(Reserved by the auditor: " in p for p in paragraphs)
    assert "unchanged: reused" not in run.stdout
    after = {i["path"]: i["sha256"] for i in json.loads(manifest.read_text())["inputs"]}
    key = "register/audit_findings.xlsx"
    assert key in before and after[key] != before[key]
    soup = _soup(audited["folder"], "appendix.html")
    value = _block_row(soup, "7.20").select("td.num")[2].get_text(" ", strip=True)
    assert "Reserved by the auditor" in value and "Qualified" not in value
