"""End-to-end (issue 14): the demo appendix's gap analysis and pooled fund outturn, in the
HTML, the PDF and the exported tables."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(appendix_demo):
    return appendix_demo


def test_html_shows_the_gap_analysis_and_the_seed_outturn(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    gap = html[html.index('id="Reward-targets:-gap-analysis"'):
               html.index("Changes since the previous review", html.index(
                   'id="Reward-targets:-gap-analysis"'))]
    assert html.count('class="chart gap-chart"') == 1
    assert "2.1 - Diversion from landfill" in gap and "£122,887.01" in gap
    assert 'Consider expansion of &#34;free&#34; garden waste collection services</td>' in gap
    fund = html[html.index('id="Pooled-fund-outturn"'):]
    assert ("The overall financial outturn for 2006-07 shows an underspend of £470,759, which "
            "is 4.997% of the total allocation of £9,420,376: under the 5% the rules allow."
            ) in fund


def test_pdf_text_carries_both_sections(demo, pdf_text):
    text = "\n".join(pdf_text(demo["report"] / "appendix.pdf"))   # extracted once a session
    assert "Reward targets: gap analysis" in text and "Pooled fund outturn" in text
    assert "4.997%" in text and "£470,759" in text


def test_exports_hold_the_gap_analysis_and_the_outturn(demo):
    from openpyxl import load_workbook

    tables = demo["report"] / "tables"
    names = load_workbook(tables / "appendix-tables.xlsx").sheetnames
    assert names[:3] == ["Cover", "Contents", "Notes"]   # the Analysis Function's form
    at = names.index("Reward grant forecast")
    assert names[at:at + 3] == ["Reward grant forecast", "Reward gap analysis",
                                "Improvement options"]
    assert "Pooled fund outturn" in names
    fund = pd.read_csv(next(tables.glob("*-pooled-fund-outturn.csv")), encoding="utf-8-sig")
    total = fund[fund["Block"] == "Total"].iloc[0]
    assert (total["Allocation (£)"], total["Underspend (£)"]) == (9420376.0, 470759.0)
    gap = pd.read_csv(next(tables.glob("*-reward-gap-analysis.csv")), encoding="utf-8-sig",
                      keep_default_na=False)
    row = gap[gap["Reward target"].str.startswith("2.1 ")].iloc[0]
    assert row["At stake (£)"] == 122887.01 and row["Closes the gap"] == "no"
