"""The appendix sections of issue 4 as HTML: partner text escaped, figures formatted."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.figures import format_off_trajectory, format_share_achieved
from pipeline.report.section_words import cost_per_text
from pipeline.report.sections import (
    render_assessed_risk_list,
    render_district_view,
    render_grant_forecast,
    render_movements,
    render_rag_disagreements,
    render_transitions,
)

HOSTILE = "<script>alert('x')</script> & co"


def test_off_trajectory_wording():
    assert format_off_trajectory(46.1864) == "46.2% off trajectory"
    assert format_off_trajectory(-3.0) == "on trajectory"
    assert format_off_trajectory(0.0, short=True) == "on track"
    # a percentage in points: 2.5% against 10% is 75% of the target, 7.5 points
    assert format_off_trajectory(75.0, mark=10.0, unit="percent",
                                 measure="target") == "7.5 points off target"
    assert format_off_trajectory(75.0, short=True, mark=10.0, unit="count") == "75.0% off"
    assert format_off_trajectory(float("nan")) == ""


def test_risk_list_shows_statement_beside_escaped_commentary():
    items = pd.DataFrame([{
        "indicator_id": "7.21", "title": "Theft From Person", "theme_name": "Safer",
        "lead_org": "Police", "unit": "count", "value": 690.0, "value_period": "2006-07 Q4",
        "target_value": 472.0, "off_trajectory_pct": 46.1864, "computed_rag": "R",
        "final_rag": "R", "statement": "Target 472, actual 690, which remains 46.2% off target.",
        "commentary": HOSTILE, "actions": HOSTILE}])
    html = render_assessed_risk_list("Red reward target risks", items)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "Position (computed).</strong> Target 472, actual 690" in html
    assert "value 690 at 2006-07 Q4 against target 472 (46.2% off trajectory)" in html


def test_movements_escape_both_commentaries():
    movements = pd.DataFrame([{
        "indicator_id": "7.1", "title": "Crime", "theme_name": "Safer", "unit": "count",
        "was": "Amber", "now": "Red", "was_code": "A", "now_code": "R", "movement": "worsened",
        "was_value": 13580.0, "was_value_period": "2006-07 Q2", "value": 26629.0,
        "value_period": "2006-07 Q4", "was_commentary": HOSTILE, "commentary": "Now <b>"}])
    counts = {"improved": 0, "worsened": 1, "now rated": 0, "no longer rated": 0, "changed": 0}
    html = render_movements(movements, counts, "2006-07 Q2")
    assert "<script>" not in html and "<b>" not in html and "Now &lt;b&gt;" in html
    assert "2006-07 Q2: 13,580" in html and "2006-07 Q4: 26,629" in html
    assert "Since 2006-07 Q2: 0 improved, 1 worsened" in html
    assert render_movements(movements.iloc[0:0], counts, None).strip() == ""


def test_transitions_say_so_when_there_is_no_previous_review():
    assert "No earlier review period" in render_transitions(pd.DataFrame(), None, "2006-07 Q2")


def test_disagreements_none_is_said_in_words():
    ratings = pd.DataFrame({"lead_rag": ["G", "A", ""], "computed_rag": ["A", "A", "R"],
                            "rag_gap": [1, 0, 0]})
    html = render_rag_disagreements(ratings.iloc[0:0].assign(reason=[]), ratings, 1)
    assert "Of the 2 indicators with both a lead rating and a computed one, the lead is " \
           "kinder than the numbers for 1 and harsher for 0." in html
    assert "No lead rating differs from the computed one by more than 1 step," in html


def test_grant_forecast_rows_and_rule_text():
    table = pd.DataFrame([
        {"theme": "Safer Communities", "row_type": "target", "indicator": "7.18 - Theft",
         "rag": "Amber", "unit": "count", "value": 1151.0, "without_stretch": 1250.0,
         "stretch": 1090.0, "achieved_pct": 61.875, "basis": "value at 2006-07 Q4",
         "grant_gbp": 101612.0, "forecast_gbp": 62872.43, "at_risk_seed_gbp": 101612.0,
         "at_risk_forecast_gbp": 38739.57},
        {"theme": "", "row_type": "overall total", "indicator": "Overall Total", "rag": "",
         "unit": "", "value": float("nan"), "without_stretch": float("nan"),
         "stretch": float("nan"), "achieved_pct": float("nan"), "basis": "",
         "grant_gbp": 101612.0, "forecast_gbp": 62872.43, "at_risk_seed_gbp": 101612.0,
         "at_risk_forecast_gbp": 38739.57}])
    html = render_grant_forecast(table, 60.0, 100.0)
    assert "61.9%" in html and "£62,872.43" in html and "£38,739.57" in html
    assert "Nothing is paid below 60% of the enhancement" in html
    # each total says what it counts: 101,612 - 62,872.43 = 38,739.57 not paid
    assert ("£101,612.00 is the whole grant of every reward target rated amber or red" in html)
    assert ("£38,739.57 is the grant the forecast would not pay: the maximum grant £101,612.00 "
            "less the £62,872.43 forecast payable") in html


@pytest.mark.parametrize(("achieved", "shown"), [
    (681.25, "above the stretch target"), (500.0, "above the stretch target"),
    (100.0, "100.0%"), (0.0, "0.0%"), (-473.684, "below performance without stretch")])
def test_enhancement_achieved_is_bounded_for_reading(achieved, shown):
    assert format_share_achieved(achieved) == shown
    row = {"theme": "Safer", "row_type": "target", "indicator": "7.21 - Theft", "rag": "Red",
           "unit": "count", "value": 690.0, "without_stretch": 510.0, "stretch": 472.0,
           "achieved_pct": achieved, "basis": "value at 2006-07 Q4", "grant_gbp": 1.0,
           "forecast_gbp": 0.0, "at_risk_seed_gbp": 1.0, "at_risk_forecast_gbp": 1.0}
    html = render_grant_forecast(pd.DataFrame([row]), 60.0, 100.0)
    assert f'<td class="num">{shown}</td>' in html
    assert "681.3%" not in html and "-473.7%" not in html


def test_options_that_protect_nothing_say_so_not_none():
    # options costing £60,000 that protect nothing: no cost per pound, and not "none"
    assert cost_per_text(float("nan"), 0.0, 0.0) == "protects no grant"
    assert cost_per_text(0.3, 0.0, 200000.0) == "£0.30"
    assert cost_per_text(float("nan"), 1.0, 0.0) == "not costed"


def test_district_view_cells():
    view = pd.DataFrame([
        {"indicator_id": "7.21", "title": "Theft", "unit": "count", "polarity": "lower",
         "district": "Blaby", "value": 89.0, "value_period": "2006-07 Q4",
         "county_value": 690.0, "share_of_county_pct": 12.898, "vs_county": ""},
        {"indicator_id": "2.2", "title": "Recycling", "unit": "percent", "polarity": "higher",
         "district": "Melton", "value": 39.3, "value_period": "2006-07 Q4",
         "county_value": 34.0, "share_of_county_pct": float("nan"), "vs_county": "better"}])
    html = render_district_view(view, ("Blaby", "Melton"))
    assert "89 (12.9%)" in html and "39.3% better" in html
    assert "Hinckley" not in html
    assert "provisional" not in html and "estimated" not in html
    marked = view.assign(data_status=["provisional", "estimate"],
                         county_data_status=["estimate", "final"])
    html = render_district_view(marked, ("Blaby", "Melton"))
    assert "89 (provisional) (12.9%)" in html and "39.3% (estimated) better" in html
    assert "690 (estimated)" in html


def test_transitions_matrix_counts_the_moves():
    table = pd.DataFrame([
        {"theme": "Safer", "was": "Green", "Green": 2, "Amber": 1, "Total": 3},
        {"theme": "All themes", "was": "Green", "Green": 2, "Amber": 1, "Total": 3},
        {"theme": "All themes", "was": "Amber", "Green": 0, "Amber": 4, "Total": 4}])
    html = render_transitions(table, "2006-07 Q2", "2006-07 Q4")
    assert "RAG ratings at 2006-07 Q2 (rows) and at 2006-07 Q4 (columns)" in html
    assert "1 indicator changed rating." in html
    still = table.assign(Amber=[0, 0, 4], Total=[2, 2, 4])
    assert "No indicator's rating changed since 2006-07 Q2." in render_transitions(
        still, "2006-07 Q2", "2006-07 Q4")
    assert "No returns are in force for 2006-07 Q1" in render_transitions(
        pd.DataFrame(), "2006-07 Q1", "2006-07 Q2")
