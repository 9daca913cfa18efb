"""The benchmarking section: strip charts described in words, tables per theme, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess import benchmark
from pipeline.inputs.national import read_national
from pipeline.report.benchmarking import (
    DOT,
    OURS,
    WHISKER,
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
    assert "<circle" not in svg                 # every other area of the eight: one path
    assert len(_ring_centres(_path_d(svg, DOT))) == 7
    assert svg.count("<path") == 2              # their dots and our diamond (the others'
    assert f'stroke="{WHISKER}"' not in svg     # intervals are unknown: no whisker path)
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
    assert "M10 17H" in _path_d(svg, WHISKER)            # a whisker from 1, the axis's start
    assert _path_d(svg, OURS, "fill").startswith("M")     # ours, the diamond
    assert len(_ring_centres(_path_d(svg, DOT))) == 2     # the others with a known value


RING = re.compile(r"M(-?[\d.]+) (-?[\d.]+)a2\.2 2\.2 0 1 0 4\.4 0a2\.2 2\.2 0 1 0-4\.4 0")


def _path_d(svg: str, colour: str, paint: str = "stroke") -> str:
    """The ``d`` of the one path painted ``colour`` (its stroke, or its fill)."""
    found = re.findall(rf'<path d="([^"]*)"[^>]*\s{paint}="{colour}"', svg)
    assert len(found) == 1, found
    return found[0]


def _ring_centres(d: str) -> list[tuple[float, float]]:
    """Each circle's centre in a path of circles of radius 2.2 (two half arcs from the
    leftmost point); the path holds nothing else."""
    assert RING.sub("", d) == "", d
    return [(round(float(x) + 2.2, 2), float(y)) for x, y in RING.findall(d)]


def test_a_strip_draws_the_group_as_one_path_of_whiskers_and_one_of_dots():
    """Axis 0 to 20 over x 10 to 180 (190 wide, 10 padding): x = 10 + 8.5 * value."""
    members = pd.DataFrame({"value": [0.0, 5.0, 10.0, None, 20.0],
                            "lower_ci": [None, 2.0, None, 1.0, 19.0],
                            "upper_ci": [None, 8.0, None, 3.0, 20.0],
                            "ours": [False, False, False, False, True]})
    row = pd.Series({"value": 20.0, "lower_ci": 19.0, "upper_ci": 20.0, "rank": 1, "n": 5,
                     "quartile": 1, "median": 5.0, "polarity": "higher"})
    svg = strip_svg(row, members, "s", "w")
    # one dot per other area with a value, at 10 + 8.5 * (0, 5, 10); none for the unknown
    assert _ring_centres(_path_d(svg, DOT)) == [(10.0, 17.0), (52.5, 17.0), (95.0, 17.0)]
    # the whiskers of the areas with both limits (2 to 8, 1 to 3), in the members' order
    assert _path_d(svg, WHISKER) == "M27 17H78M18.5 17H35.5"
    assert svg.index(f'stroke="{WHISKER}"') < svg.index(f'stroke="{DOT}"')  # dots on top
    # ours as before: a whisker line (19 to 20) and a diamond at 180, then nothing else
    assert f'<line x1="171.5" y1="17" x2="180" y2="17" stroke="{OURS}"' in svg
    assert '<path d="M180 12 L185 17 L180 22 L175 17 Z"' in svg
    assert "<circle" not in svg and svg.count("<path") == 3 and svg.count("<line") == 3
    # the words are the same as they were: five areas, from 0 to 20
    assert "the 5 areas range from 0 to 20" in describe_strip("X", row, members, "count",
                                                              "England", "Ours")
    # no whisker known: no empty path
    bare = members.assign(lower_ci=None, upper_ci=None)
    assert svg.count("<path") == 3 and strip_svg(row, bare, "s", "w").count("<path") == 2


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
