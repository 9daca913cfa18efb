"""Charts as SVG (RAG by theme, trends) and the print CSS of the page: small, fast checks."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.report import chart_style, charts
from pipeline.report.pages import css_string, render_page
from pipeline.report.trends import indicator_trends


def _summary() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"Green": [27, 9, 36], "Amber": [7, 2, 9], "Red": [1, 5, 6],
         "Not available for reporting": [1, 8, 9]},
        index=pd.Index(["Children & Young People", "Safer", "Totals"], name="Theme"))
    return frame


@pytest.mark.parametrize("code", sorted(chart_style.RAG_STYLE))
def test_every_rag_colour_pair_meets_wcag_aa(code):
    fill, text = chart_style.RAG_STYLE[code]
    assert chart_style.contrast_ratio(fill, text) >= 4.5


def test_contrast_ratio_matches_wcag_reference_values():
    assert chart_style.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert chart_style.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_many_marks_of_one_style_are_one_path_at_the_written_precision():
    """A ring starts at its written centre less the radius (53.466 is written 53.47, so the
    ring of radius 2.2 starts at 51.27 and ends back there); rules run from x1 to x2."""
    ring = "a2.2 2.2 0 1 0 4.4 0a2.2 2.2 0 1 0-4.4 0"
    assert chart_style.svg_ring_path([53.466, 10.0, 1.0], 17.0, 2.2) == \
        f"M51.27 17{ring}M7.8 17{ring}M-1.2 17{ring}"
    assert chart_style.svg_rule_path([(1.0, 2.004), (3.5, 40.0)], 17.5) == \
        "M1 17.5H2M3.5 17.5H40"
    assert chart_style.svg_ring_path([], 17.0, 2.2) == chart_style.svg_rule_path([], 1) == ""


def test_rag_chart_draws_each_theme_with_counts_words_and_hatched_red():
    svg = charts.rag_by_theme_svg(_summary(), "c1")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and '<title id="c1-title">' in svg
    assert ("Children &amp; Young People: 27 green, 7 amber, 1 red, "
            "1 not available for reporting; Safer: 9 green") in svg
    assert "Totals" not in svg                        # the totals row is not a theme
    assert svg.count('fill="url(#c1-hatch)"') == 2 + 1  # two red segments and the legend
    labels = re.findall(r'font-weight="bold">(\d+)</text>', svg)
    assert labels == ["27", "7", "1", "1", "9", "2", "5", "8"]  # every segment, the 1s too
    assert ('<title id="c1-title">Final RAG ratings by theme, number of indicators: Children '
            "&amp; Young People 27 green, 7 amber, 1 red, 1 not available for reporting; "
            "Safer 9 green") in svg                   # the title (the PDF's alt) in words
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert charts.rag_by_theme_svg(_summary(), "c1") == svg   # deterministic


def test_rag_chart_of_nothing_is_empty():
    assert charts.rag_by_theme_svg(_summary().loc[["Totals"]]) == ""


def _trend_inputs():
    assessed = pd.DataFrame([
        {"indicator_id": "2.1", "unit": "percent", "accumulation": "snapshot",
         "baseline_value": 33.5, "baseline_period": "2004-05", "target_value": 40.0,
         "final_rag": "A"},
        {"indicator_id": "7.21", "unit": "count", "accumulation": "cumulative",
         "baseline_value": 548.0, "baseline_period": "2005-06", "target_value": 472.0,
         "final_rag": "R"},
        {"indicator_id": "9.9", "unit": "count", "accumulation": "snapshot",
         "baseline_value": float("nan"), "baseline_period": "", "target_value": 5.0,
         "final_rag": "N"}])
    returns = pd.DataFrame([
        {"indicator_id": "2.1", "period": "2006-07 Q2", "geography": "county", "value": 41.2,
         "in_force": True},
        {"indicator_id": "2.1", "period": "2006-07 Q3", "geography": "county", "value": 39.36,
         "in_force": True},
        {"indicator_id": "2.1", "period": "2006-07 Q3", "geography": "Melton", "value": 50.0,
         "in_force": True},
        {"indicator_id": "2.1", "period": "2006-07 Q3", "geography": "county", "value": 1.0,
         "in_force": False},
        {"indicator_id": "7.21", "period": "2005-06 Q4", "geography": "county", "value": 548.0,
         "in_force": True},
        {"indicator_id": "7.21", "period": "2006-07 Q2", "geography": "county", "value": 338.0,
         "in_force": True},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "geography": "county", "value": 690.0,
         "in_force": True},
        {"indicator_id": "7.21", "period": "2007-08 Q1", "geography": "county", "value": 1.0,
         "in_force": True}])
    targets = pd.DataFrame([
        {"indicator_id": "2.1", "period": "2006-07", "target_value": 40.0},
        {"indicator_id": "7.21", "period": "2006-07", "target_value": 472.0},
        {"indicator_id": "9.9", "period": "2006-07", "target_value": 5.0}])
    return assessed, returns, targets


def test_trends_take_county_values_in_force_up_to_the_period():
    trends = indicator_trends(*_trend_inputs(), "2006-07 Q4")
    level = trends["2.1"]
    assert [(p, v) for _, v, p in level.actual] == [("2006-07 Q2", 41.2), ("2006-07 Q3", 39.36)]
    assert level.baseline[1:] == (33.5, "baseline 2004-05")
    # the trajectory runs from the baseline to the target; 39.1875 expected by Q3 (README)
    assert level.expected[0] == level.baseline
    assert dict((p, v) for _, v, p in level.expected)["2006-07 Q3"] == pytest.approx(39.1875)
    assert level.target[1] == 40.0
    count = trends["7.21"]
    # a year-to-date count: this year only, from zero to the target; no baseline drawn
    assert [p for _, _, p in count.actual] == ["2006-07 Q2", "2006-07 Q4"]
    assert count.baseline is None and count.expected[0][1] == 0.0
    assert [v for _, v, _ in count.expected][1:] == [118.0, 236.0, 354.0, 472.0]
    assert trends["9.9"].actual == ()


def test_trend_svg_words_marks_and_determinism():
    trends = indicator_trends(*_trend_inputs(), "2006-07 Q4")
    svg = charts.trend_svg(trends["2.1"], "trend-2-1")
    assert ('<title id="trend-2-1-title">2.1: baseline 2004-05: 33.5; 2006-07 Q2: 41.2; '
            "2006-07 Q3: 39.36; target 2006-07: 40</title>") in svg
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="3 2"' in svg
    assert f'fill="{chart_style.RAG_STYLE["A"][0]}"' in svg and ">A</text>" in svg
    assert charts.trend_svg(trends["2.1"], "trend-2-1") == svg
    assert charts.trend_svg(trends["9.9"], "trend-9-9") == ""
    assert "year to date, 2006-07 Q2: 338" in charts.trend_svg(trends["7.21"], "t")


def test_print_css_pages_headers_rows_and_landscape():
    page = render_page("<p>x</p>", "Title", "Leicestershire Together · Board",
                       footer="LAA · data", created="2007-06-30T12:00:00Z", author="LT")
    assert "@page { size: A4" in page and "@page wide { size: A4 landscape" in page
    assert 'content: "Page " counter(page) " of " counter(pages)' in page
    assert "thead { display: table-header-group; }" in page
    assert "tr, th, td { break-inside: avoid;" in page
    assert ".celltag_landscape { page: wide; }" in page
    assert '<meta name="dcterms.created" content="2007-06-30T12:00:00Z">' in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    for code, (fill, text) in chart_style.RAG_STYLE.items():
        assert f".rag-{code} {{ background: {fill}; color: {text}; }}" in page


def test_running_header_cannot_break_out_of_the_style_sheet():
    hostile = 'Hinckley & Bosworth"; } </style><script>alert(1)</script>'
    quoted = css_string(hostile)
    assert quoted.startswith('"Hinckley \\000026  Bosworth\\000022 ')
    assert "<" not in quoted and '"' not in quoted[1:-1] and "}" not in quoted
    page = render_page("", "t", hostile)
    assert "<script>" not in page and "</style><script>" not in page


def _every_chart() -> dict[str, str]:
    trends = indicator_trends(*_trend_inputs(), "2006-07 Q4")
    return {"rag by theme": charts.rag_by_theme_svg(_summary(), "c1"),
            "trend 2.1": charts.trend_svg(trends["2.1"], "trend-2-1"),
            "trend 7.21": charts.trend_svg(trends["7.21"], "trend-7-21"),
            "trend key": charts.legend_trend_svg()}


def _svg_tree(svg: str):
    from xml.etree import ElementTree

    return ElementTree.fromstring(svg)


@pytest.mark.parametrize("name", ["rag by theme", "trend 2.1", "trend 7.21", "trend key"])
def test_every_chart_is_an_image_named_in_words(name):
    """role="img" and aria-labelledby pointing at the chart's own <title> (and <desc>),
    which say what it shows in words: what a screen reader reads instead of the drawing."""
    svg = _svg_tree(_every_chart()[name])
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    named = {e.get("id"): e for e in svg.iter() if e.get("id")}
    assert ids and all(i in named for i in ids), ids
    assert named[ids[0]].tag == f"{ns}title"
    words = " ".join(named[i].text for i in ids)
    assert len(re.findall(r"[A-Za-z]{3,}", words)) >= 2, words


@pytest.mark.parametrize("name", ["rag by theme", "trend 2.1", "trend key"])
def test_every_chart_label_meets_wcag_aa_contrast_on_what_it_sits_on(name):
    """Ink and muted labels sit on white; a label on a bar or swatch sits on the solid
    shape drawn just before it, never on the red hatch (its pale stripes are 3:1)."""
    svg = _svg_tree(_every_chart()[name])
    background = "#ffffff"
    texts = 0
    for element in svg:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("rect", "circle"):
            background = element.get("fill")
        elif tag == "text":
            texts += 1
            fill = element.get("fill")
            behind = "#ffffff" if fill in (chart_style.INK, chart_style.MUTED) else background
            assert behind.startswith("#"), (element.text, behind)
            assert chart_style.contrast_ratio(fill, behind) >= 4.5, (element.text, fill, behind)
    assert texts >= 1


def test_rag_chart_rows_line_up_with_labelled_red_segments():
    """Every theme's name ends, and its bar starts, at the same x: a label drawn on a red
    segment (with its solid patch) moves nothing after it."""
    svg = _svg_tree(charts.rag_by_theme_svg(_summary(), "c1"))
    names = [e for e in svg if e.get("text-anchor") == "end"]
    assert [e.text for e in names] == ["Children & Young People", "Safer"]
    assert len({e.get("x") for e in names}) == 1
    starts = {e.get("y"): e.get("x") for e in reversed(list(svg))
              if e.tag.endswith("rect") and e.get("stroke") == "#ffffff"}
    assert len(starts) == 2 and set(starts.values()) == {"190"}


def test_rag_chart_labels_a_segment_only_when_its_count_fits_and_the_caption_says_so():
    wide = pd.DataFrame({"Green": [400], "Red": [1]}, index=pd.Index(["Safer"]))
    svg = charts.rag_by_theme_svg(wide, "c2")
    assert re.findall(r'font-weight="bold">(\d+)</text>', svg) == ["400"]   # 1 is too narrow
    assert charts.segment_label_width(1) < charts.segment_label_width(400)
    from pipeline.report.pages import render

    page = render("risk_summary.html.j2", columns=[], rows=[], chart=svg)
    assert "every segment carries its count" not in page
    assert "when it is wide enough to hold it" in page
