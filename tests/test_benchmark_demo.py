"""End-to-end: the demo appendix's benchmarking section, quartiles and tables.

The demo (built once per session by :mod:`tests.appendix_build`) ships an ILLUSTRATIVE
national table (data/raw/national/, made by bench/national_demo.py) in which
Leicestershire's values are its own returns.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(appendix_demo):
    return appendix_demo


def test_the_appendix_has_the_section_after_the_block_tables(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    body = html.index("</nav>")                       # after the contents
    section = html.index("7. How we compare with other areas", body)
    assert html.index("Block 7: Safer Communities", body) < section \
        < html.index("8. District coverage", body)
    assert "Leicestershire against All England (150 areas)" in html
    assert html.count('class="chart strip"') == 45        # one per percentage and rate
    titles = re.findall(r'<title id="strip-[^"]+">([^<]+)</title>', html)
    assert all("ranked" in t and "group median" in t for t in titles)
    assert "ILLUSTRATIVE figures made up by bench/national_demo.py" in html
    assert html.count('class="sub quartile"') == 45       # beside the final RAG


def test_the_figures_are_the_returns_and_the_tables_carry_them(demo):
    tables = demo["report"] / "tables"
    frame = pd.read_csv(next(tables.glob("*-benchmarking.csv")))
    assert len(frame) == 45 and set(frame["Group"]) == {"All England"}
    row = frame[frame["Indicator"] == "1.1.2"].iloc[0]
    assert (row["Value"], row["Period"], row["Areas ranked"]) == (28.9, "2006-07 Q4", 150)
    assert 1 <= row["Quartile (1 = top)"] <= 4
    areas = pd.read_csv(next(tables.glob("*-benchmarking-areas.csv")))
    assert (areas["Ours"] == "yes").sum() == 45
    block = pd.read_csv(next(tables.glob("*-block-cyp.csv")))
    assert set(block["Quartile in All England (Q1 top)"].dropna()) <= {"Q1", "Q2", "Q3", "Q4"}


def test_the_summary_points_to_what_the_full_appendix_adds(demo):
    """The LAA1 appendix has every part, so the summary names each (issue 22.2)."""
    from bs4 import BeautifulSoup

    summary = (demo["report"] / "summary.html").read_text(encoding="utf-8")
    pointer = BeautifulSoup(summary, "html.parser").select_one("p.full-appendix").get_text()
    assert pointer.startswith(
        "A summary for Board members, from the same figures as the full appendix, which adds "
        "each indicator's commentary and actions, the block tables, the reward grant "
        "forecast, the reward targets' gap analysis, how we compare with other areas, "
        "district coverage, the pooled fund outturn and data quality")
