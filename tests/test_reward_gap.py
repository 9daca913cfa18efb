"""Reward target gap analysis (issue 14): golden figures worked by hand, properties of the
grant rule, the forecast, the improvement options in the register and the scenario."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipeline.assess.reward_gap import (
    analyse_reward_gaps,
    forecast_final_value,
    grant_payable,
    list_options,
)
from pipeline.config import find_project_root, parse_scenario
from pipeline.errors import ConfigError, RegisterError
from pipeline.inputs.register import load_register, read_improvement_options
from pipeline.inputs.register_files import IMPROVEMENT_OPTIONS
from pipeline.inputs.register_parsers import parse_improvement_options
from pipeline.rules_schema import Rules

ROOT = find_project_root()
THEMES = pd.DataFrame({"theme": ["cleaner_greener", "safer"],
                       "appendix_name": ["Cleaner and Greener", "Safer Communities"],
                       "block": [2, 7]})
# Two of the demo's reward targets, with the demo's figures (data/raw/register).
ASSESSED = pd.DataFrame([
    {"indicator_id": "2.1", "title": "Diversion from landfill", "theme": "cleaner_greener",
     "appendix_name": "Cleaner and Greener", "reward": True, "final_rag": "A",
     "polarity": "higher", "unit": "percent", "accumulation": "snapshot",
     "baseline_value": 33.5, "baseline_period": "2004-05", "value": 39.36,
     "value_period": "2006-07 Q3", "reward_grant_gbp": 444552.50, "profile": ""},
    {"indicator_id": "7.22", "title": "Personal Robbery", "theme": "safer",
     "appendix_name": "Safer Communities", "reward": True, "final_rag": "R",
     "polarity": "lower", "unit": "count", "accumulation": "cumulative",
     "baseline_value": 318.0, "baseline_period": "2004-05", "value": 291.0,
     "value_period": "2006-07 Q4", "reward_grant_gbp": 101612.0, "profile": ""},
    {"indicator_id": "7.16", "title": "On track", "theme": "safer",
     "appendix_name": "Safer Communities", "reward": True, "final_rag": "G",
     "polarity": "lower", "unit": "count", "accumulation": "cumulative",
     "baseline_value": 412.0, "baseline_period": "2005-06", "value": 288.0,
     "value_period": "2006-07 Q4", "reward_grant_gbp": 381045.0, "profile": ""},
])
TARGETS = pd.DataFrame([
    {"indicator_id": "2.1", "period": "2006-07", "target_value": 40.0,
     "target_without_stretch": 38.0},
    {"indicator_id": "2.1", "period": "2008-09", "target_value": 48.0,
     "target_without_stretch": 44.0},
    {"indicator_id": "7.22", "period": "2006-07", "target_value": 236.0,
     "target_without_stretch": 280.0},
    {"indicator_id": "7.22", "period": "2008-09", "target_value": 220.0,
     "target_without_stretch": 273.0},
    {"indicator_id": "7.16", "period": "2008-09", "target_value": 270.0,
     "target_without_stretch": 339.0},
])
OPTIONS = pd.DataFrame([   # 2.1's three as seed 002 section 3.4 gives them; one for 7.22
    {"source_row": 2, "indicator_id": "2.1", "option": "Glass", "contribution": 1.64,
     "contribution_basis": "percent_of_gap", "cost_gbp": float("nan"), "status": "proposed",
     "owner": "LWP"},
    {"source_row": 3, "indicator_id": "2.1", "option": "Garden waste", "contribution": 17.86,
     "contribution_basis": "percent_of_gap", "cost_gbp": float("nan"),
     "status": "subject to approval", "owner": "LWP"},
    {"source_row": 4, "indicator_id": "2.1", "option": "Kitchen waste", "contribution": 8.68,
     "contribution_basis": "percent_of_gap", "cost_gbp": float("nan"),
     "status": "subject to approval", "owner": "LWP"},
    {"source_row": 5, "indicator_id": "7.22", "option": "Hot-spot policing",
     "contribution": 50.0, "contribution_basis": "unit", "cost_gbp": 30000.0,
     "status": "approved", "owner": "CSM"},
    {"source_row": 6, "indicator_id": "7.22", "option": "Turned down", "contribution": 500.0,
     "contribution_basis": "unit", "cost_gbp": 1.0, "status": "rejected", "owner": "CSM"},
])


@pytest.fixture(scope="module")
def gaps() -> pd.DataFrame:
    table = analyse_reward_gaps(ASSESSED, TARGETS, OPTIONS, THEMES, Rules())
    return table.set_index("indicator")


def test_higher_is_better_2_1_worked_by_hand(gaps):
    row = gaps.loc["2.1 - Diversion from landfill"]
    # Baseline 33.5 at the end of 2004-05 (2005.00); 39.36 at the end of 2006-07 Q3
    # (2006.75): 5.86 points in 1.75 years = 3.348571 a year. Carried on 2.25 years to the
    # end of 2008-09 (2009.00): 39.36 + 7.534286 = 46.894286.
    assert row["final_year"] == "2008-09"
    assert row["forecast"] == pytest.approx(46.894286, abs=1e-6)
    # Gap to the 2008-09 stretch target of 48: 48 - 46.894286 = 1.105714 points.
    assert row["gap"] == pytest.approx(1.105714, abs=1e-6)
    # Enhancement 48 - 44 = 4; achieved 2.894286 / 4 = 72.357143%, over the 60% floor:
    # payable 444,552.50 x 0.72357143 = 321,665.4886 -> £321,665.49; at stake £122,887.01.
    assert row["achieved_pct"] == pytest.approx(72.357143, abs=1e-6)
    assert row["payable_gbp"] == 321665.49
    assert row["at_stake_gbp"] == 122887.01
    # No option approved; proposed (1.64 + 17.86 + 8.68 = 28.18% of the gap):
    # 0.2818 x 1.105714 = 0.311590 points. The gap stays open.
    assert row["approved_contribution"] == 0
    assert row["proposed_contribution"] == pytest.approx(0.311590, abs=1e-6)
    assert row["closes_gap"] == "no"
    # All options delivered: 46.894286 + 0.311590 = 47.205876; achieved 3.205876 / 4 =
    # 80.1469%: 444,552.50 x 0.801469 = 356,295.0476 -> £356,295.05, protecting
    # 356,295.05 - 321,665.49 = £34,629.56. None of the three is costed: no cost per £.
    assert row["value_all"] == pytest.approx(47.205876, abs=1e-6)
    assert row["payable_all_gbp"] == 356295.05
    assert row["protected_all_gbp"] == 34629.56
    assert row["uncosted_all"] == 3 and math.isnan(row["cost_per_gbp_all"])
    # Approved options only: nothing delivered, nothing protected.
    assert row["payable_approved_gbp"] == 321665.49 and row["protected_approved_gbp"] == 0


def test_lower_is_better_7_22_worked_by_hand(gaps):
    row = gaps.loc["7.22 - Personal Robbery"]
    # 318 in 2004-05 (2005.00) to 291 in 2006-07 (Q4 of a cumulative count: the year,
    # 2007.00): -13.5 a year; two more years to 2009.00: 291 - 27 = 264.
    assert row["forecast"] == 264.0
    # Lower is better: the gap is 264 - 220 = 44 robberies.
    assert row["gap"] == 44.0
    # Enhancement 273 - 220 = 53; achieved (273 - 264) / 53 = 16.98%: below the 60% floor,
    # nothing paid; the whole £101,612 is at stake.
    assert row["achieved_pct"] == pytest.approx(900 / 53, abs=1e-9)
    assert row["payable_gbp"] == 0.0 and row["at_stake_gbp"] == 101612.0
    # The approved option (50 fewer robberies) closes the 44 gap; the rejected one counts
    # for nothing.
    assert row["approved_contribution"] == 50.0 and row["proposed_contribution"] == 0.0
    assert row["closes_gap"] == "yes: approved options"
    # Delivered: 264 - 50 = 214; achieved (273 - 214) / 53 = 111%, capped at 100%: the
    # whole £101,612 payable and protected, for £30,000: 30,000 / 101,612 = £0.2952 per £.
    assert row["value_approved"] == 214.0
    assert row["payable_approved_gbp"] == 101612.0
    assert row["protected_approved_gbp"] == 101612.0
    assert row["cost_per_gbp_approved"] == pytest.approx(30000 / 101612)


def test_only_targets_off_track_with_theme_and_overall_totals(gaps):
    assert "7.16 - On track" not in gaps.index      # green, forecast beyond its stretch
    assert list(gaps["row_type"]) == ["target", "theme total", "target", "theme total",
                                      "overall total"]
    overall = gaps[gaps["row_type"] == "overall total"].iloc[0]
    # 444,552.50 + 101,612 = 546,164.50 of grant; 321,665.49 payable; 224,499.01 at stake.
    assert (overall["grant_gbp"], overall["payable_gbp"], overall["at_stake_gbp"]) == (
        546164.50, 321665.49, 224499.01)
    # protected by approved options: 0 + 101,612 for 30,000 (2.1's are uncosted but not
    # approved): £0.2952 per £.
    assert overall["cost_per_gbp_approved"] == pytest.approx(30000 / 101612)
    assert math.isnan(overall["cost_per_gbp_all"])   # three options counted have no cost


def test_options_listed_with_what_counts():
    table = analyse_reward_gaps(ASSESSED, TARGETS, OPTIONS, THEMES, Rules())
    listed = list_options(OPTIONS, table, ASSESSED)
    assert list(listed["counted"]) == ["proposed", "proposed", "proposed", "approved",
                                       "not counted: rejected"]
    assert listed["contribution_in_unit"].iloc[1] == pytest.approx(0.1786 * 1.105714, 1e-6)


def test_no_options_no_gap_closed_and_nothing_protected():
    table = analyse_reward_gaps(ASSESSED, TARGETS, None, THEMES, Rules())
    targets = table[table["row_type"] == "target"]
    assert list(targets["closes_gap"]) == ["no options", "no options"]
    assert (targets["protected_all_gbp"] == 0).all()


@pytest.mark.parametrize(("args", "expected"), [
    # a cumulative Q2 count of 236 on a straight line is 472 for the year; from 548 in
    # 2004-05 (2005.0) to 472 at 2007.0: -38 a year, to 2009.0: 396.
    ((236, "2006-07 Q2", 548, "2004-05", "2008-09", "cumulative"), 396.0),
    # no baseline: the value is held
    ((39.36, "2006-07 Q3", float("nan"), "", "2008-09"), 39.36),
    # a snapshot at Q2 (2006.5) from 30 at 2006.0 (2005-06): +8 a year, to 2009.0: 54
    ((34, "2006-07 Q2", 30, "2005-06", "2008-09"), 54.0),
])
def test_forecast_final_value(args, expected):
    assert forecast_final_value(*args)[0] == pytest.approx(expected)


def test_forecast_without_value_is_nothing():
    value, basis = forecast_final_value(float("nan"), "2006-07 Q4", 1, "2004-05", "2008-09")
    assert math.isnan(value) and basis.startswith("no value")


values = st.floats(-1e6, 1e6, allow_nan=False)
grants = st.floats(0, 5e6, allow_nan=False)


@given(values, values, values, st.sampled_from(["higher", "lower"]), grants)
def test_grant_payable_never_exceeds_the_grant(value, without, stretch, polarity, grant):
    payable = grant_payable(value, without, stretch, polarity, grant, Rules())
    # to the penny, rounded half up: at most half a penny over a grant given in fractions
    # of a penny (1.125 pays 1.13), never over a grant in pence
    assert 0 <= payable <= grant + 0.005 + 1e-9
    if grant == round(grant, 2):
        assert payable <= grant


@given(values, st.floats(0, 1e5, allow_nan=False), values, values,
       st.sampled_from(["higher", "lower"]), grants)
def test_grant_payable_never_falls_when_the_value_improves(value, step, without, stretch,
                                                          polarity, grant):
    better = value + step if polarity == "higher" else value - step
    rules = Rules()
    assert grant_payable(better, without, stretch, polarity, grant, rules) >= \
        grant_payable(value, without, stretch, polarity, grant, rules)


@given(st.floats(-500, 59.99), st.floats(1, 1e4), st.floats(-1e4, 1e4),
       st.sampled_from(["higher", "lower"]), grants)
def test_grant_payable_is_zero_below_the_floor(achieved, enhancement, without, polarity,
                                               grant):
    sign = 1 if polarity == "higher" else -1
    stretch = without + sign * enhancement
    value = without + sign * enhancement * achieved / 100
    assume(abs(achieved - 60) > 1e-6)
    assert grant_payable(value, without, stretch, polarity, grant, Rules()) == 0.0


def test_demo_register_holds_the_seed_options_for_2_1():
    register = ROOT / "data" / "raw" / "register"
    options = read_improvement_options(register, load_register(register).indicators)
    seed = options[options["indicator_id"] == "2.1"]
    assert list(seed["contribution"]) == [1.64, 17.86, 8.68]
    assert set(seed["contribution_basis"]) == {"percent_of_gap"}
    illustrative = options[options["indicator_id"] != "2.1"]
    assert illustrative["option"].str.contains("illustrative").all()


def _options(text: str) -> pd.DataFrame:
    import io

    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    indicators = pd.DataFrame({"indicator_id": ["7.19", "7.1"], "reward": [True, False]})
    return parse_improvement_options(raw, indicators)


HEADER = ",".join(IMPROVEMENT_OPTIONS.names) + "\n"


@pytest.mark.parametrize(("row", "message"), [
    ("7.19,Patrols,12,unit,100,maybe,X", "status 'maybe' is not one of proposed, subject to "
     "approval, approved, rejected (file improvement_options.csv, row 2, column status)"),
    ("7.19,Patrols,twelve,unit,100,approved,X", "contribution 'twelve' is not a number "
     "(file improvement_options.csv, row 2, column contribution)"),
    ("7.19,Patrols,12,unit,-5,approved,X", "cost_gbp '-5' is negative: expected 0 or more "
     "(file improvement_options.csv, row 2, column cost_gbp)"),
    ("7.1,Patrols,12,unit,5,approved,X", "indicator '7.1' is not a reward target (reward is "
     "not yes in indicators.csv) (file improvement_options.csv, row 2, column indicator_id)"),
    ("9.9,Patrols,12,unit,5,approved,X", "option for unknown indicator '9.9' (file "
     "improvement_options.csv, row 2, column indicator_id)"),
    ("7.19,Patrols,12,points,5,approved,X", "contribution_basis 'points' is not one of unit, "
     "percent_of_gap (file improvement_options.csv, row 2, column contribution_basis)"),
])
def test_bad_option_values_name_file_row_and_column(row, message):
    with pytest.raises(RegisterError) as caught:
        _options(HEADER + row + "\n")
    assert str(caught.value) == message


def test_option_defaults_and_case():
    options = _options("indicator_id,option,contribution,status\n"
                       "7.19,Patrols,\"1,200\",Subject  To Approval\n")
    assert options.iloc[0]["status"] == "subject to approval"
    assert options.iloc[0]["contribution_basis"] == "unit"
    assert options.iloc[0]["contribution"] == 1200.0 and math.isnan(options.iloc[0]["cost_gbp"])


@pytest.mark.parametrize(("given", "expected"), [
    ("", ""), (None, ""), ("none", ""), ("options=approved", "approved"),
    ("OPTIONS = all", "all")])
def test_scenario_parameter(given, expected):
    assert parse_scenario(given) == expected


@pytest.mark.parametrize("given", ["options=maybe", "approved", "all=options"])
def test_unknown_scenario_is_one_line(given):
    with pytest.raises(ConfigError) as caught:
        parse_scenario(given)
    assert "\n" not in str(caught.value) and "options=approved or options=all" in str(
        caught.value)
