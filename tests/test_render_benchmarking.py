"""The benchmarking section: strip charts described in words, tables per theme, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess import benchmark
from pipeline.inputs.national import read_national
from pipeline.report.benchmarking import (
    Strip,
    describe_strip,
    ordinal,
    quartile_code,
    quartile_short,
    rank_words,
    render_benchmarking,
    strip_svg,
)

DATA = Path(__file__).resolve().parent / "data" / "benchmark"
INDICATORS = pd.DataFrame({"indicator_id": ["up", "down"], "polarity": ["higher", "lower"],
                           "unit": ["percent", "rate"], "target_value": [55.0, 6.0]})
THEMES = pd.DataFrame({"theme": ["t1"], "appendix_name": ["Healthier <b>Communities</b>"],
                       "block": [4]})


@pytest.fixture(scope="module")
def shown():
    national = read_national(DATA)
    table, members = benchmark.benchmark_partnership(
        national.rows, INDICATORS, "A", national.groups, national.neighbours,
        ("england", "neighbours"), "2006-07 Q4")
    chosen = benchmark.latest_rows(table[table["group"] == "england"], "2006-07 Q4")
    chosen = chosen.assign(theme="t1", title=["Fewer <script>x</script>", "More"],
                           target_by_interval=["cannot tell", "not met"])
    return chosen, members[members["group"] == "england"]


def test_words_for_ranks_and_quartiles():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    assert rank_words(3, 8, tied=True) == "=3rd of 8" and rank_words(0, 0) == ""
    assert quartile_short(1) == "Q1 (top)" and quartile_short(4) == "Q4 (bottom)"
    assert quartile_short(0) == "" and quartile_code(3) == "Q3" and quartile_code(0) == ""


def test_strip_chart_marks_ours_draws_the_median_and_says_it_in_words(shown):
    table, members = shown
    row = table[table["indicator_id"] == "up"].iloc[0]
    mine = members[members["indicator_id"] == "up"]
    svg = strip_svg(row, mine, "strip-up", "words <&>")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="strip-up-title">words &lt;&amp;&gt;</title>' in svg
    assert svg.count("<circle") == 7            # every other area of the eight
    assert svg.count("<path") == 1              # ours, the diamond
    assert "median" in svg and "better →" in svg
    down = table[table["indicator_id"] == "down"].iloc[0]
    assert "← better" in strip_svg(down, members[members["indicator_id"] == "down"], "d", "")
    assert strip_svg(row, mine.iloc[0:0], "x", "") == ""


def test_a_strip_reads_the_members_with_unknown_values_and_limits_skipped():
    members = pd.DataFrame({"value": [4.0, None, 10.0, 7.0], "lower_ci": [3.0, None, None, 1.0],
                            "upper_ci": [5.0, None, None, 9.0],
                            "ours": [False, False, True, False]})
    strip = Strip.of(members)
    # the range the words give skips the unknown value, as pandas' min and max did
    row = pd.Series({"value": 10.0, "lower_ci": None, "upper_ci": None, "rank": 1, "n": 4,
                     "quartile": 1, "median": 7.0, "polarity": "higher"})
    words = describe_strip("X", row, strip, "count", "England", "Ours")
    assert "the 4 areas range from 4 to 10" in words
    assert describe_strip("X", row, members, "count", "England", "Ours") == words
    # ours drawn apart from the others; axis from the lowest limit (1) to the highest (10)
    assert [p[0] for p in strip.points(ours=True)] == [10.0]
    svg = strip_svg(row, strip, "s", "w")
    assert svg == strip_svg(row, members, "s", "w")
    assert '<line x1="10" y1="17" x2="' in svg          # a whisker from 1, the axis's start
    assert svg.count("<path") == 1                       # ours, the diamond


def test_section_has_a_table_per_theme_with_figures_and_escaped_text(shown):
    table, members = shown
    html = render_benchmarking(table, members, THEMES, "All England", "Area A", "2006-07 Q2",
                               source="made up <i>here</i>", quarantined=2)
    assert html.count('<table class="benchmark-table">') == 1
    assert "Healthier &lt;b&gt;Communities&lt;/b&gt;" in html
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "made up &lt;i&gt;here&lt;/i&gt;" in html
    assert "2 rows of the national table failed a critical check" in html
    up = html[html.index("</span> More"):]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", up, re.S)
    assert "50%" in cells[0] and "46.91% to 53.09%" in cells[0]
    assert cells[1:5] == ["40%", "2nd of 8", "Q1 (top)", "better"]
    assert cells[5].startswith("improving, significant (vs 2005-06 Q4)")
    assert "within chance (vs 2006-07 Q2)" in cells[6]
    assert ("Of 2 indicators ranked, 1 are in the top quartile and 0 in the bottom "
            "quartile.") in html
    assert "ranked 2nd of 8 in All England, top quartile; group median 40%" in html
