"""The sections issue 5 adds to the appendix, as HTML: block tables, directory, district pack."""

from __future__ import annotations

import pandas as pd

from pipeline.report import blocks, section_words, sections, trends

HOSTILE = "<script>alert('x')</script> & co"


def _rows() -> pd.DataFrame:
    return pd.DataFrame([
        {"indicator_id": "7.20", "title": "Domestic Burglary " + HOSTILE, "reward": True,
         "lead_org": "Leicestershire Constabulary", "lead_officer": "Derek Dawson",
         "unit": "count", "baseline_value": 3291.0, "baseline_period": "2004-05",
         "target_value": 2470.0, "target_status": "agreed", "target_period": "2006-07",
         "value": 3202.0, "value_period": "2006-07 Q4", "period": "2006-07 Q4",
         "off_target_pct": 29.6356, "expected_value": 2470.0, "off_trajectory_pct": 29.6356,
         "rating_basis": "target 2,470", "computed_rag": "R", "final_rag": "R",
         "travel_vs_earlier": "worsening", "earlier_period": "2006-07 Q2",
         "travel_vs_year_ago": "improving", "year_ago_period": "2005-06"},
        {"indicator_id": "2.1", "title": "Diversion from landfill", "reward": True,
         "lead_org": "Waste Partnership", "lead_officer": "", "unit": "percent",
         "baseline_value": 33.5, "baseline_period": "2004-05", "target_value": 40.0,
         "target_status": "provisional", "target_period": "2006-07", "value": 39.36,
         "value_period": "2006-07 Q3", "period": "2006-07 Q4", "off_target_pct": 1.6,
         # rated against the trajectory at Q3, 39.19%: (39.19 - 39.36) / 39.19 is below 0
         "expected_value": 39.19, "off_trajectory_pct": -0.4338,
         "rating_basis": "trajectory at 2006-07 Q3: 39.19%",
         "computed_rag": "G", "final_rag": "A", "travel_vs_earlier": "not comparable",
         "earlier_period": "", "travel_vs_year_ago": "", "year_ago_period": ""}])


def test_block_table_prints_the_gap_the_rating_comes_from_in_points_for_percentages():
    theme = pd.Series({"theme": "safer", "appendix_name": "Safer Communities", "block": "7"})
    rows = _rows()
    html = blocks.render_block_table(theme, rows)
    # 2.1: 1.6% off the annual target, but on its Q3 trajectory, which the green comes from
    assert "1.6% off" not in html
    cells = [c.strip() for c in __import__("re").findall(r'<td class="num">([^<]*)</td>', html)]
    assert "on track" in cells and "29.6% off" in cells
    assert "Off track" in html and "% off target" not in html
    # 3.3: 2.5% against 10% is 75% of the target, 7.5 percentage points
    third = rows.iloc[[1]].assign(indicator_id="3.3", value=2.5, target_value=10.0,
                                  expected_value=10.0, off_trajectory_pct=75.0,
                                  value_period="2006-07 Q4", rating_basis="target 10%")
    html = blocks.render_block_table(theme, third)
    assert "7.5 points off" in html and "75.0% off" not in html


def test_block_table_columns_formats_badges_and_escaping():
    theme = pd.Series({"theme": "safer", "appendix_name": "Safer Communities", "block": "7"})
    trend = trends.Trend("7.20", "count", True, ((8026, 1540.0, "2006-07 Q2"),
                                                (8028, 3202.0, "2006-07 Q4")),
                         ((8024, 0.0, "start"), (8028, 2470.0, "2006-07 Q4")),
                         (8028, 2470.0, "target 2006-07"), None, "R")
    html = blocks.render_block_table(theme, _rows(), {"7.20": trend})
    assert '<section class="block" id="block-safer">' in html
    assert "Block 7: Safer Communities" in html and "Target 2006-07" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert ">3,291<" in html and ">2,470<" in html and ">3,202<" in html
    assert ">39.36%<" in html and "2006-07 Q3" in html       # a value from an earlier quarter
    assert "29.6% off" in html and "provisional" in html
    assert '<span class="rag-letter">R</span>' in html and 'title="Red"' in html
    assert html.count('class="differs"') == 1                 # 2.1: lead amber, computed green
    assert "worsening" in html and "vs 2006-07 Q2" in html and "vs 2005-06" in html
    assert "vs Q2" not in html           # a bare Q2 beside the quartile (Q1 top) misleads
    assert html.count("<svg") == 1 and "no value returned" in html
    assert "2 indicators:" in html and "1 final rating differs from the computed one" in html


def test_directory_and_heading_escape_partner_text():
    directory = pd.DataFrame([{"outcome_id": "7.1", "outcome": "Less crime",
                               "lead_partnership": "=cmd|' /C calc'!A0",
                               "board_champion": HOSTILE, "executive_officer": "",
                               "outcome_lead": "Derek Dawson"}])
    html = sections.render_directory(directory)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "=cmd|" in html and "Less crime" in html
    assert sections.render_heading("Partnership directory") == \
        '<h2 id="Partnership-directory">Partnership directory</h2>'


def test_district_pack_body():
    rows = pd.DataFrame([
        {"indicator_id": "7.20", "title": "Domestic Burglary", "theme_name": "Safer",
         "lead_org": "Police", "unit": "count", "value": 237.0, "value_period": "2006-07 Q4",
         "county_value": 3202.0, "share_of_county_pct": 7.4016, "vs_county": "",
         "target_value": 2470.0, "final_rag": "R"},
        {"indicator_id": "2.2", "title": "Recycling " + HOSTILE, "theme_name": "Cleaner",
         "lead_org": "Waste", "unit": "percent", "value": 39.3, "value_period": "2006-07 Q3",
         "county_value": 34.0, "share_of_county_pct": float("nan"), "vs_county": "better",
         "target_value": 30.0, "final_rag": "G"}])
    html = blocks.render_district_pack("Melton", rows, "2006-07 Q4", 128)
    assert "Melton has district-level values for 2 of the 128 indicators at 2006-07 Q4." in html
    assert "Melton does better than the county on 1 and worse on 0." in html
    assert "7.4% of the county total" in html and "better than the county" in html
    assert ">237<" in html and ">3,202<" in html and "2006-07 Q3" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    empty = blocks.render_district_pack("Melton", rows.iloc[0:0], "2006-07 Q4", 128)
    assert "No indicator has a value for Melton at 2006-07 Q4." in empty
    marked = rows.assign(data_status=["provisional", "final"],
                         county_data_status=["final", "estimate"])
    html = blocks.render_district_pack("Melton", marked, "2006-07 Q4", 128)
    assert ">237 (provisional)<" in html and ">3,202<" in html
    assert ">39.3%<" in html and ">34% (estimated)<" in html


def test_cover_dates_and_headline_shares():
    cover = sections.render_cover("Leicestershire Together", "LAA 2006-09", "2007-09-03",
                                 "2006-07 Q4", "2007-05-14 17:05", "2007-06-30T12:00:00",
                                 previous_period="2006-07 Q2")
    assert "3 September 2007" in cover and "2006-07 Q2" in cover
    assert '<dd class="generated-at">30 June 2007 at 12:00 UTC</dd>' in cover
    assert "<!-- laa:contents -->" in cover
    summary = pd.DataFrame({"Green": [63], "Amber": [23], "Red": [13],
                            "Not available for reporting": [29]}, index=["Totals"])
    html = sections.render_headline("63.6% ...", summary)
    assert "63.6% of rated" in html and "23.2% of rated" in html and "13.1% of rated" in html


def test_a_provisional_or_estimated_value_is_marked_where_it_is_printed():
    theme = pd.Series({"theme": "safer", "appendix_name": "Safer Communities", "block": "7"})
    rows = _rows().assign(data_status=["provisional", "estimate"])
    html = blocks.render_block_table(theme, rows)
    assert '>3,202&nbsp;<abbr class="status" title="provisional">(p)</abbr>' in html
    assert '>39.36%&nbsp;<abbr class="status" title="estimated">(e)</abbr>' in html
    assert "status" not in blocks.render_block_table(theme, _rows().assign(data_status="final"))
    assert section_words.risk_entry(rows.iloc[0])["value"] == "3,202 (provisional)"
    assert section_words.risk_entry(rows.iloc[1])["value"] == "39.36% (estimated)"


def test_a_placeholder_column_no_row_fills_is_left_out():
    """The first agreement's placeholders have no kind and no due date: its printed table
    had two empty columns ("Kind", "Due to be agreed"); LAA2's keeps both."""
    from pipeline.report.pages import render

    row = {"indicator_id": "2.10", "title": "CO2 emissions", "theme": "Cleaner and Greener",
           "periods": "2006-07", "status": "placeholder", "kind": "", "due": "",
           "overdue": False}
    first = render("placeholders.html.j2", rows=[row, {**row, "indicator_id": "2.11"}],
                   sentence="9 of the targets are placeholders.")
    assert "Kind" not in first and "Due to be agreed" not in first
    assert first.count("<td>") == 6                    # theme, periods, status per row
    second = render("placeholders.html.j2", rows=[row, {**row, "kind": "local",
                                                        "due": "30 April 2009"}],
                    sentence="23 of the targets are placeholders.")
    assert '<th scope="col">Kind</th>' in second and "Due to be agreed" in second
    assert second.count("<td>") == 10
