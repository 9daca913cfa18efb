"""Issue 21.2: conditions on a reward grant. Seed 002 (section 3.4): 4.2.4's grant of
£635,075 "will not now be paid" because an associated condition (the PCT's annual LDP
target for four-week quitters) was not met. A condition recorded in the register's
``reward_targets.csv`` is honoured by the forecast, the grant at risk, the gap analysis and
the board summary."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.assess.forecast import tabulate_grant_forecast
from pipeline.assess.reward_gap import analyse_reward_gaps
from pipeline.assess.tables import tabulate_reward_grant
from pipeline.config import find_project_root
from pipeline.inputs.register import load_register
from pipeline.report import summary
from pipeline.rules_schema import Rules

ROOT = find_project_root()
THEMES = pd.DataFrame({"theme": ["health"], "appendix_name": ["Healthier Communities"],
                       "block": [4]})
NOTE = "the PCT did not meet its 2006-07 LDP target for four-week quitters"


def _assessed(status: str, rag: str = "G") -> pd.DataFrame:
    """4.2.4 beyond its stretch (it would pay in full) and 4.2.2 of the same reward target
    with no condition of its own."""
    base = {"reward": True, "unit": "count", "polarity": "higher", "theme": "health",
            "appendix_name": "Healthier Communities", "accumulation": "cumulative",
            "value_period": "2006-07 Q4", "reward_target": "RT9",
            "reward_target_name": "Smoking cessation", "baseline_period": "2005-06",
            "profile": ""}
    return pd.DataFrame([
        {**base, "indicator_id": "4.2.4", "title": "Smoke Free Adults", "final_rag": rag,
         "value": 500.0, "baseline_value": 380.0, "expected_without_stretch": 400.0,
         "expected_value": 450.0, "reward_grant_gbp": 635075.0,
         "condition": "PCT meets its annual LDP target for four-week quitters",
         "condition_status": status, "condition_note": NOTE if status else ""},
        {**base, "indicator_id": "4.2.2", "title": "Stop Smoking Service", "final_rag": "G",
         "value": 500.0, "baseline_value": 380.0, "expected_without_stretch": 400.0,
         "expected_value": 450.0, "reward_grant_gbp": 508060.0, "condition": "",
         "condition_status": "", "condition_note": ""},
    ])


TARGETS = pd.DataFrame([
    {"indicator_id": i, "period": "2008-09", "target_value": 600.0,
     "target_without_stretch": 450.0} for i in ("4.2.4", "4.2.2")])


def test_condition_not_met_forecasts_nothing_and_puts_the_whole_grant_at_risk():
    table = tabulate_grant_forecast(_assessed("not met"), THEMES, Rules()).set_index(
        "indicator_id")
    row = table.loc["4.2.4"]
    assert row["forecast_gbp"] == 0.0 and row["payable_pct"] == 0.0
    assert row["basis"] == f"condition not met: {NOTE}"
    # Rated green, yet the whole grant counts at risk under both rules.
    assert row["at_risk_seed_gbp"] == 635075.0 and row["at_risk_forecast_gbp"] == 635075.0
    other = table.loc["4.2.2"]        # same reward target, no condition of its own
    assert other["forecast_gbp"] == 508060.0 and other["at_risk_seed_gbp"] == 0.0


def test_condition_pending_forecasts_as_usual_and_says_so():
    row = tabulate_grant_forecast(_assessed("not yet known"), THEMES, Rules()).set_index(
        "indicator_id").loc["4.2.4"]
    assert row["forecast_gbp"] == 635075.0
    assert row["basis"] == f"condition pending: {NOTE}; value at 2006-07 Q4"
    met = tabulate_grant_forecast(_assessed("met"), THEMES, Rules()).set_index(
        "indicator_id").loc["4.2.4"]
    assert (met["forecast_gbp"], met["basis"]) == (635075.0, "value at 2006-07 Q4")


@pytest.mark.parametrize(("status", "at_risk"), [("not met", 635075.0), ("", 0.0),
                                                  ("not yet known", 0.0), ("met", 0.0)])
def test_grant_at_risk_counts_a_condition_not_met(status, at_risk):
    table = tabulate_reward_grant(_assessed(status), THEMES, Rules()).set_index(
        "indicator_id")
    assert table.loc["4.2.4", "at_risk_gbp"] == at_risk
    assert table.loc["4.2.4", "condition_status"] == status


def test_gap_analysis_shows_a_condition_not_met_as_not_closable():
    table = analyse_reward_gaps(_assessed("not met"), TARGETS, None, THEMES, Rules())
    targets = table[table["row_type"] == "target"].set_index("indicator_id")
    # Green and forecast beyond its stretch, yet listed: nothing payable, all at stake,
    # and no option can protect it.
    assert targets.index.tolist() == ["4.2.4"]
    row = targets.loc["4.2.4"]
    assert row["closes_gap"] == "condition not met"
    assert (row["payable_gbp"], row["at_stake_gbp"]) == (0.0, 635075.0)
    assert row["payable_all_gbp"] == 0.0 and row["protected_all_gbp"] == 0.0
    clear = analyse_reward_gaps(_assessed(""), TARGETS, None, THEMES, Rules())
    assert not (clear["row_type"] == "target").any()


def test_board_summary_grant_lines_say_the_condition_is_not_met():
    reward = tabulate_reward_grant(_assessed("not met"), THEMES, Rules())
    html = summary.render_grant_totals(reward)
    assert re.search(r"4\.2\.4 - Smoke Free Adults.*condition not met.*"
                     + re.escape(NOTE) + r".*£635,075\.00", html, re.S)
    pending = summary.render_grant_totals(tabulate_reward_grant(_assessed("not yet known"),
                                                                THEMES, Rules()))
    assert "condition not yet known" in pending
    plain = summary.render_grant_totals(tabulate_reward_grant(_assessed(""), THEMES, Rules()))
    assert "condition" not in plain


def test_demo_records_4_2_4_condition_not_met_with_the_seed_note():
    ind = load_register(ROOT / "data" / "raw" / "register").indicators.set_index(
        "indicator_id")
    row = ind.loc["4.2.4"]
    assert row["condition_status"] == "not met"
    assert "four week quitters" in row["condition_note"]
    # The condition is 4.2.4's alone: its reward target's other sub-targets have none.
    others = ind[(ind["reward_target"] == row["reward_target"]) & (ind.index != "4.2.4")]
    assert len(others) == 2 and (others["condition_status"] == "").all()


def test_appendix_says_the_condition_beside_the_target_and_in_the_gap_analysis():
    from pipeline.report import sections

    html = sections.render_reward_grant(tabulate_reward_grant(_assessed("not met"), THEMES,
                                                              Rules()))
    assert f"4.2.4 - Smoke Free Adults <span class=\"note\">(condition not met: {NOTE})" in html
    gaps = analyse_reward_gaps(_assessed("not met"), TARGETS, None, THEMES, Rules())
    gap_html = sections.render_reward_gaps(gaps, pd.DataFrame(columns=["theme"]), "", 60, 100)
    assert "1 reward sub-target not on track (in 1 reward target)" in gap_html
    assert "<td>condition not met</td>" in gap_html
