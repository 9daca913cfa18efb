"""Unit and property tests of the RAG, off-target and off-trajectory rules and tolerances."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.assess.assessment import (
    Tolerance,
    assess_indicators,
    change_from_baseline_pct,
    check_tolerances,
    final_rag,
    off_target_pct,
    rag_gap,
    rate_value,
    select_values,
    tolerance_for,
)
from pipeline.errors import ConfigError
from pipeline.rules import load_rules
from pipeline.rules_schema import Rules
from tests.conftest import make_register, make_rows


@pytest.mark.parametrize(("value", "target", "polarity", "expected"), [
    (3202, 2470, "lower", 29.6356),   # seed 7.20: "30% off target"
    (690, 472, "lower", 46.1864),     # seed 7.21: "46.2% off target"
    (291, 236, "lower", 23.3051),     # seed 7.22: "23.3% off target"
    (139, 179, "higher", 22.3464),    # seed 5.6: higher is better, below target
    (200, 179, "higher", -11.7318),   # beaten: negative
    (100, 120, "lower", -16.6667),    # lower is better, below target: beaten
])
def test_off_target_is_polarity_aware(value, target, polarity, expected):
    assert off_target_pct(value, target, polarity) == pytest.approx(expected, abs=1e-4)


def test_off_target_undefined_for_zero_or_missing_target():
    assert math.isnan(off_target_pct(5, 0, "lower"))
    assert math.isnan(off_target_pct(5, float("nan"), "lower"))
    assert math.isnan(off_target_pct(float("nan"), 10, "higher"))


def test_change_from_baseline_signed():
    assert change_from_baseline_pct(690, 548) == pytest.approx(25.91, abs=0.01)
    assert change_from_baseline_pct(3202, 3291) == pytest.approx(-2.70, abs=0.01)
    assert math.isnan(change_from_baseline_pct(5, 0))


@pytest.mark.parametrize(("value", "polarity", "expected"), [
    (100, "higher", "G"), (95, "higher", "A"), (90, "higher", "A"), (89.9, "higher", "R"),
    (100, "lower", "G"), (105, "lower", "A"), (110, "lower", "A"), (110.1, "lower", "R"),
    (80, "lower", "G"), (120, "higher", "G"),
])
def test_rate_value_bands_both_polarities(value, polarity, expected):
    rag, _ = rate_value(value, 100, polarity, "agreed", Rules())
    assert rag == expected


def test_tolerances_come_from_the_rules():
    strict = Rules(green_max_off_pct=0, amber_max_off_pct=2)
    assert rate_value(95, 100, "higher", "agreed", strict)[0] == "R"
    lenient = Rules(green_max_off_pct=5, amber_max_off_pct=30, red_far_off_pct=30)
    assert rate_value(95, 100, "higher", "agreed", lenient)[0] == "G"


def test_zero_target():
    assert rate_value(0, 0, "lower", "agreed", Rules())[0] == "G"
    assert rate_value(3, 0, "lower", "agreed", Rules()) == ("R", "zero target missed")


def test_missing_target_is_not_available():
    assert rate_value(10, float("nan"), "higher", "agreed", Rules()) == (
        "N", "no target for the period")


@pytest.mark.parametrize("status", ["placeholder", "provisional"])
def test_unagreed_target_is_never_green(status):
    rag, reason = rate_value(500, 100, "higher", status, Rules())
    assert rag == "T"
    assert status in reason
    assert final_rag(rag, "G") == "T"


def test_not_available_value():
    assert rate_value(float("nan"), 100, "higher", "agreed", Rules())[0] == "N"
    assert final_rag("N", "G") == "N"


def test_final_rag_prefers_lead():
    assert final_rag("A", "R") == "R"
    assert final_rag("R", "G") == "G"
    assert final_rag("A", "") == "A"


def _register():
    return make_register(
        [{"indicator_id": "7.20", "theme": "safer", "polarity": "lower", "baseline_value": "3291"},
         {"indicator_id": "7.21", "theme": "safer", "polarity": "lower"},
         {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "unit": "percent"},
         {"indicator_id": "4.2", "theme": "health", "polarity": "higher"}],
        [{"indicator_id": "7.20", "period": "2006-07", "target_value": "2470"},
         {"indicator_id": "7.21", "period": "2006-07", "target_value": "472"},
         {"indicator_id": "4.1", "period": "2006-07", "target_value": "40"},
         {"indicator_id": "4.2", "period": "2006-07", "target_value": "40"}])


def test_select_values_uses_latest_in_year_and_county_only():
    rows = make_rows([
        {"indicator_id": "4.1", "period": "2006-07 Q2", "value": 30.0},
        {"indicator_id": "4.1", "period": "2006-07 Q3", "value": 39.36},
        {"indicator_id": "4.1", "period": "2007-08 Q1", "value": 50.0},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 3202.0},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 400.0, "geography": "Melton"},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 1.0, "in_force": False},
    ])
    chosen = select_values(rows, "2006-07 Q4").set_index("indicator_id")
    assert chosen.loc["4.1", "period"] == "2006-07 Q3"
    assert chosen.loc["4.1", "value"] == pytest.approx(39.36)
    assert chosen.loc["7.20", "value"] == 3202
    assert "7.21" not in chosen.index
    assert select_values(rows, "2006-07 Q2").set_index("indicator_id").loc["4.1", "value"] == 30


def test_assess_indicators_end_to_end_small():
    rows = make_rows([
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 3202.0, "lead_rag": "R"},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 690.0},
        {"indicator_id": "4.1", "period": "2006-07 Q4", "value": float("nan"),
         "data_status": "not_available", "lead_rag": "G"},
    ])
    out = assess_indicators(_register(), rows, "2006-07 Q4", Rules()).set_index("indicator_id")
    assert out.loc["7.20", "final_rag"] == "R"
    assert out.loc["7.20", "change_from_baseline_pct"] == pytest.approx(-2.70, abs=0.01)
    assert out.loc["7.21", "computed_rag"] == "R"
    assert out.loc["7.21", "final_rag"] == "R"
    assert out.loc["4.1", "final_rag"] == "N"      # declared not available beats a lead's G
    assert out.loc["4.2", "final_rag"] == "N"      # no return at all
    assert out.loc["4.2", "rag_reason"] == "no return for the period"
    assert list(out.index) == ["4.1", "4.2", "7.20", "7.21"]  # natural order
    assert not out["rag_differs"].loc["7.20"]


# --- Issue 4: trajectory, tolerances, computed vs lead -------------------------------------

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
nonzero_targets = values.filter(lambda t: abs(t) > 1e-3)
tolerance_pairs = st.tuples(st.floats(0, 50), st.floats(0, 50)).map(
    lambda p: Tolerance(min(p), max(p)))
BETTER_FIRST = {"G": 0, "A": 1, "R": 2}


@given(values, values, values, st.sampled_from(["higher", "lower"]), tolerance_pairs)
def test_a_better_value_never_gets_a_worse_computed_rag(a, b, target, polarity, tolerance):
    better, worse = (max(a, b), min(a, b)) if polarity == "higher" else (min(a, b), max(a, b))
    rag_better, _ = rate_value(better, target, polarity, "agreed", Rules(), tolerance)
    rag_worse, _ = rate_value(worse, target, polarity, "agreed", Rules(), tolerance)
    assert BETTER_FIRST[rag_better] <= BETTER_FIRST[rag_worse]


@given(values, values, tolerance_pairs)
def test_swapping_polarity_and_mirroring_values_mirrors_the_rag(value, target, tolerance):
    higher = rate_value(value, target, "higher", "agreed", Rules(), tolerance)
    lower = rate_value(-value, -target, "lower", "agreed", Rules(), tolerance)
    assert higher == lower
    assert off_target_pct(value, target, "higher") == pytest.approx(
        off_target_pct(-value, -target, "lower"), nan_ok=True)


@given(values, nonzero_targets, st.sampled_from(["placeholder", "provisional"]),
       st.sampled_from(["G", "A", "R", ""]))
def test_an_unagreed_target_is_never_rated_whatever_the_value_or_lead(value, target, status,
                                                                       lead):
    rag, _ = rate_value(value, target, "higher", status, Rules())
    assert rag == "T"
    assert final_rag(rag, lead) == "T"


def test_tolerances_per_indicator_win_over_unit_over_default():
    rules = Rules(by_unit={"percent": {"amber_max_off_pct": 5.0}},
                  by_indicator={"7.21": {"amber_max_off_pct": 50.0, "green_max_off_pct": 1.0},
                                "2.1": {"green_max_off_pct": 2.0}})
    assert tolerance_for(rules, "7.21", "count") == Tolerance(1.0, 50.0)
    assert tolerance_for(rules, "1.1", "percent") == Tolerance(0.0, 5.0)
    assert tolerance_for(rules, "2.1", "percent") == Tolerance(2.0, 5.0)  # green own, amber unit
    assert tolerance_for(rules, "1.1", "count") == Tolerance(0.0, 10.0)
    assert rate_value(690, 472, "lower", "agreed", rules,
                      tolerance_for(rules, "7.21", "count"))[0] == "A"


@pytest.mark.parametrize(("rules", "message"), [
    (Rules(by_unit={"percent": {"amber_max": 5.0}}), "unknown key"),
    (Rules(by_indicator={"7.21": {"green_max_off_pct": 20.0, "amber_max_off_pct": 5.0}}),
     "must not be below"),
    (Rules(by_unit={"count": {"amber_max_off_pct": "ten"}}), "must be numbers"),
    (Rules(by_unit={"count": 5}), "should be a table"),
])
def test_bad_tolerances_are_config_errors(rules, message):
    with pytest.raises(ConfigError, match=message):
        check_tolerances(rules)


def test_unit_and_indicator_tolerances_that_cross_are_caught_when_assessing():
    rules = Rules(by_unit={"count": {"green_max_off_pct": 8.0}},
                  by_indicator={"7.21": {"amber_max_off_pct": 5.0}})
    with pytest.raises(ConfigError, match="7.21"):
        assess_indicators(_register(), make_rows(
            [{"indicator_id": "7.21", "period": "2006-07 Q4", "value": 1.0}]), "2006-07 Q4",
            rules)


def test_tolerances_load_from_a_rules_file(tmp_path):
    override = tmp_path / "rules.toml"
    override.write_text('[rag.by_unit]\npercent = { amber_max_off_pct = 4.0 }\n'
                        '[rag.by_indicator]\n"7.21" = { amber_max_off_pct = 60.0 }\n',
                        encoding="utf-8")
    rules = load_rules(override)
    assert tolerance_for(rules, "7.21", "count") == Tolerance(0.0, 60.0)
    assert tolerance_for(rules, "4.1", "percent") == Tolerance(0.0, 4.0)
    assert load_rules().by_unit == {} and load_rules().grant_floor_pct == 60.0


def test_rag_gap_counts_steps_from_computed_to_lead():
    assert rag_gap("R", "G") == 2
    assert rag_gap("G", "R") == -2
    assert rag_gap("A", "G") == 1
    assert rag_gap("N", "G") == 0 and rag_gap("A", "") == 0


def _cumulative_register():
    return make_register(
        [{"indicator_id": "7.21", "theme": "safer", "polarity": "lower",
          "accumulation": "cumulative", "baseline_value": "548", "baseline_period": "2004-05"},
         {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "unit": "percent",
          "baseline_value": "32", "baseline_period": "2005-06"},
         {"indicator_id": "4.2", "theme": "health", "polarity": "higher"}],
        [{"indicator_id": "7.21", "period": "2006-07", "target_value": "472"},
         {"indicator_id": "4.1", "period": "2006-07", "target_value": "40"},
         {"indicator_id": "4.2", "period": "2006-07", "target_value": "40",
          "target_status": "provisional"}])


def test_six_monthly_values_are_rated_against_their_trajectory():
    rows = make_rows([
        {"indicator_id": "7.21", "period": "2006-07 Q2", "value": 240.0, "lead_rag": "A"},
        {"indicator_id": "4.1", "period": "2006-07 Q2", "value": 36.0},
        {"indicator_id": "4.2", "period": "2006-07 Q2", "value": 90.0, "lead_rag": "G"},
    ])
    out = assess_indicators(_cumulative_register(), rows, "2006-07 Q2", Rules())
    out = out.set_index("indicator_id")
    # 240 year-to-date against 236 expected by Q2 (half of 472): 1.7% off trajectory.
    assert out.loc["7.21", "expected_value"] == 236.0
    assert out.loc["7.21", "off_trajectory_pct"] == pytest.approx(1.6949, abs=1e-4)
    assert out.loc["7.21", "off_target_pct"] < 0          # under the whole-year target
    assert out.loc["7.21", "computed_rag"] == "A"
    assert out.loc["7.21", "rag_reason"] == "1.7% off trajectory (amber up to 10%)"
    # A snapshot half way from its baseline (32) to its target (40) is on trajectory.
    assert out.loc["4.1", "expected_value"] == 36.0
    assert out.loc["4.1", "computed_rag"] == "G"
    # A provisional target: "target not agreed", whatever the value and the lead say.
    assert out.loc["4.2", "final_rag"] == "T"


def test_at_the_year_end_trajectory_and_target_coincide():
    rows = make_rows([{"indicator_id": "7.21", "period": "2006-07 Q4", "value": 690.0}])
    out = assess_indicators(_cumulative_register(), rows, "2006-07 Q4", Rules())
    row = out.set_index("indicator_id").loc["7.21"]
    assert row["off_trajectory_pct"] == row["off_target_pct"]
    assert round(row["off_trajectory_pct"], 1) == 46.2
    assert row["rag_reason"] == "46.2% off target (red beyond 10%)"


def test_target_not_agreed_is_counted_apart_in_the_risk_summary():
    from pipeline.assess.tables import compose_headline, summarise_risk

    rows = make_rows([
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 400.0, "lead_rag": "G"},
        {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 41.0},
        {"indicator_id": "4.2", "period": "2006-07 Q4", "value": 90.0, "lead_rag": "G"},
    ])
    register = _cumulative_register()
    out = assess_indicators(register, rows, "2006-07 Q4", Rules())
    summary = summarise_risk(out, register.themes)
    assert summary.loc["Totals"].to_dict() == {
        "Green": 2, "Amber": 0, "Red": 0, "Not available for reporting": 0,
        "Target not agreed": 1}
    assert compose_headline(out, Rules()).startswith("100.0% of the indicators are on track")
