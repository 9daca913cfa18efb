"""End-to-end: the comparisons in both demos' documents are honest (issue 22, item 1).

Every expected figure is computed by hand from the demo's files, not read from the code:
- 7.18 (LAA1, cumulative, straight-line profile): 604 by 2006-07 Q2 is 604 / 0.5 = 1,208 a
  year, against 1,151 for the whole year (returns, Q2 and Q4).
- NI 154 (LAA2, cumulative): 1,285 by 2008-09 Q2 is 1,285 / 0.5 = 2,570 a year; 1,778 by
  Q3 is 1,778 / 0.75 = 2,370.67 a year.
- 3.3 (LAA1, percent, higher is better): 2.5% against a target of 10% is 7.5 percentage
  points off (not "75.0% off"); the value is returned provisional.
- 2.1 (LAA1, percent): 39.36% at Q3 against the trajectory's 39.19% is on track (not the
  "1.6% off" of the annual target 40%).
- 7.21 (LAA1): 690 against 510 without stretch and 472 stretch achieves
  (510 - 690) / (510 - 472) = -473.7% of the enhancement: "below performance without
  stretch"; 1.2.3: 112 against 330 and 298, (330 - 112) / (330 - 298) = 681.3%: "above the
  stretch target".
- The grant's totals: £15,241,800.00 maximum less £9,144,444.93 forecast payable is
  £6,097,355.07 not paid on the forecast; £6,223,735.00 is the whole grant of the amber or
  red targets (seed 002, Appendix 2).
"""

from __future__ import annotations

import csv
import re
from html import unescape
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.slow


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _pdf(pdf_text, path: Path) -> str:
    """The PDF's text (``pdf_text``: extracted once per session, tests/conftest.py)."""
    return re.sub(r"\s+", " ", " ".join(page or "" for page in pdf_text(path)))


@pytest.fixture(scope="module")
def laa1(laa1_run) -> Path:
    """The LAA1 demo run and its covering report (once per session, in conftest)."""
    return laa1_run["report"]


@pytest.fixture(scope="module")
def laa2(laa2_run) -> Path:
    """The LAA2 demo run (once per session, in conftest)."""
    return laa2_run["report"]


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    found = sorted((folder / "tables").glob(f"*-{name}.csv"))
    assert len(found) == 1, name
    with found[0].open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_laa1_changes_compare_year_to_date_counts_like_with_like(laa1, pdf_text):
    summary = _plain((laa1 / "summary.html").read_text(encoding="utf-8"))
    assert "604 then, 1,151 now" not in summary
    line = ("1,208 a year then, 1,151 a year now (year-to-date counts put on a whole-year "
            "basis: 604 by Q2, when 50% of the year's movement is expected)")
    assert line in summary
    assert line in _plain((laa1 / "appendix.html").read_text(encoding="utf-8"))
    assert "1,208 a year then, 1,151 a year now" in _pdf(pdf_text, laa1 / "summary.pdf")
    covering = "\n".join(p.text for p in docx.Document(laa1 / "covering-report.docx")
                         .paragraphs)
    assert "Theft of Motor Vehicles (Safer): Red to Amber, 1,208 a year then, 1,151 a year " \
           "now" in covering
    row = next(r for r in _csv(laa1, "changes-list") if r["Indicator"] == "7.18")
    assert (float(row["Compared value then"]), float(row["Compared value now"])) == (
        1208.0, 1151.0)
    assert row["Basis of the comparison"].startswith("year-to-date counts put on a whole-year")


def test_laa2_ni_154_is_compared_on_a_whole_year_basis(laa2):
    summary = _plain((laa2 / "summary.html").read_text(encoding="utf-8"))
    assert "1,285 then, 1,778 now" not in summary
    assert "2,570 a year then, 2,370.67 a year now" in summary


def test_the_gap_printed_is_the_one_the_rating_comes_from_in_points_for_percentages(laa1,
                                                                                   pdf_text):
    raw = (laa1 / "appendix.html").read_text(encoding="utf-8")
    assert ">% off target<" not in raw and ">Off track<" in raw
    appendix = _plain(raw)
    three_three = appendix[appendix.index("3.3 % reduction in parish"):][:200]
    assert "7.5 points off" in three_three and "75.0% off" not in three_three
    block = appendix[appendix.index("Block 2"):]          # the block table, not the lists
    two_one = block[block.index("2.1 Diversion from landfill"):][:250]
    assert "on track" in two_one and "1.6% off" not in two_one
    pdf = _pdf(pdf_text, laa1 / "appendix.pdf")
    assert "against target 10% (7.5 points off target)" in pdf   # the risk list
    block = pdf[pdf.index("unopposed Leices"):][:300]                   # the block table
    assert "7.5 points off" in block and "75.0% off" not in block
    row = next(r for r in _csv(laa1, "block-stronger") if r["Indicator"] == "3.3")
    assert (float(row["% off what it is rated against"]), float(row["Points off (percentages)"]),
            float(row["% off annual target"])) == (75.0, 7.5, 75.0)


def test_enhancement_is_bounded_and_the_totals_at_risk_say_what_they_count(laa1):
    appendix = _plain((laa1 / "appendix.html").read_text(encoding="utf-8"))
    for wrong in ("681.3%", "-473.7%", "500.0%"):
        assert wrong not in appendix
    grant = appendix[appendix.index("7.21 - Theft From Person 690"):][:120]
    assert "below performance without stretch" in grant
    assert "1.2.3 - Homelessness decisions for 16-17 year olds 112 330 298 above the " \
           "stretch target" in appendix
    assert ("£6,223,735.00 is the whole grant of every reward target rated amber or red"
            in appendix)
    assert ("£6,097,355.07 is the grant the forecast would not pay: the maximum grant "
            "£15,241,800.00 less the £9,144,444.93 forecast payable") in appendix
    assert "At stake: the grant not paid on the final year's forecast" in appendix
    assert "protects no grant" in appendix and "</td><td class=\"num\">none</td></tr>" not in \
        (laa1 / "appendix.html").read_text(encoding="utf-8")
    forecast = next(r for r in _csv(laa1, "reward-grant-forecast")
                    if r["Reward target"].startswith("7.21 "))
    assert float(forecast["Enhancement achieved %"]) == -473.7   # exact in the tables


def test_provisional_values_are_marked_in_html_pdf_and_workbook(laa1, pdf_text):
    appendix = _plain((laa1 / "appendix.html").read_text(encoding="utf-8"))
    three_three = appendix[appendix.index("3.3 % reduction in parish"):][:200]
    assert "2.5% (p)" in three_three and "(p) marks a value" not in three_three
    assert "is marked (p), an estimated one (e)" in appendix              # the key
    assert "2.5% (p)" in _pdf(pdf_text, laa1 / "appendix.pdf")
    summary = _plain((laa1 / "summary.html").read_text(encoding="utf-8"))
    assert "2.5% (provisional) against target 10%" in summary
    statuses = {r["Indicator"]: r["Value status"] for r in _csv(laa1, "block-stronger")}
    assert statuses["3.3"] == "provisional"
    book = load_workbook(laa1 / "tables" / "appendix-tables.xlsx", read_only=True)
    sheet = next(book[n] for n in book.sheetnames if n.startswith("Block 3"))
    rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and "Value status" in r)
    status = header.index("Value status")
    assert any(r[0] == "3.3" and r[status] == "provisional" for r in rows)
