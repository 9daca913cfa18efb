"""Unit and property tests of the Performance Reward Grant forecast."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.assess.forecast import (
    achieved_share,
    enhancement_achieved_pct,
    forecast_grant,
    payable_pct,
    tabulate_grant_forecast,
)
from pipeline.assess.reward_gap import grant_payable
from pipeline.rules_schema import Rules
from tests.conftest import make_register

THEMES = make_register([{"indicator_id": "1", "theme": "safer", "polarity": "lower"}], []).themes


@pytest.mark.parametrize(("value", "without", "stretch", "polarity", "expected"), [
    (1151, 1250, 1090, "lower", 61.875),   # 7.18: 99 of the 160 enhancement
    (690, 510, 472, "lower", -473.684),    # 7.21: worse than without stretch
    (13, 10, 20, "higher", 30.0),
    (20, 10, 20, "higher", 100.0),
    (25, 10, 20, "higher", 150.0),
])
def test_share_of_enhancement_is_signed_by_polarity(value, without, stretch, polarity, expected):
    assert enhancement_achieved_pct(value, without, stretch, polarity) == pytest.approx(
        expected, abs=1e-3)


def test_no_enhancement_no_share():
    assert math.isnan(enhancement_achieved_pct(15, 20, 10, "higher"))   # stretch below
    assert math.isnan(enhancement_achieved_pct(15, 20, 20, "higher"))   # nothing to gain
    assert math.isnan(enhancement_achieved_pct(float("nan"), 10, 20, "higher"))
    assert math.isnan(enhancement_achieved_pct(15, float("nan"), 20, "higher"))


@pytest.mark.parametrize(("achieved", "expected"), [
    (59.999, 0.0), (60.0, 60.0), (61.875, 61.875), (99.5, 99.5), (100.0, 100.0),
    (681.3, 100.0), (-20.0, 0.0), (float("nan"), 0.0)])
def test_payable_share_floor_linear_cap(achieved, expected):
    assert payable_pct(achieved) == expected


def test_floor_and_cap_come_from_the_rules():
    rules = Rules(grant_floor_pct=50.0, grant_cap_pct=90.0)
    assert forecast_grant(1000.0, 55.0, rules) == 550.0
    assert forecast_grant(1000.0, 95.0, rules) == 900.0
    assert forecast_grant(1000.0, 49.0, rules) == 0.0


grants = st.floats(min_value=0, max_value=1e8, allow_nan=False)
shares = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


@given(grants, shares)
def test_forecast_is_zero_below_the_floor_linear_above_and_capped(grant, achieved):
    rules = Rules()
    paid = forecast_grant(grant, achieved, rules)
    half_penny = 0.005 + grant * 1e-15  # paid to the penny, rounded half up once
    if achieved < 60:
        assert paid == 0
    elif achieved <= 100:
        assert abs(paid - grant * achieved / 100) <= half_penny
    else:
        assert abs(paid - grant) <= half_penny
    assert 0 <= paid <= grant + half_penny


@given(grants, shares, shares)
def test_more_of_the_enhancement_never_forecasts_less(grant, a, b):
    low, high = sorted((a, b))
    assert forecast_grant(grant, low, Rules()) <= forecast_grant(grant, high, Rules())


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))
def test_swapping_polarity_and_mirroring_values_mirrors_the_share(value, without, stretch):
    higher = enhancement_achieved_pct(value, without, stretch, "higher")
    lower = enhancement_achieved_pct(-value, -without, -stretch, "lower")
    assert higher == pytest.approx(lower, nan_ok=True)


def _assessed(rows):
    base = {"reward": True, "title": "T", "unit": "count", "polarity": "lower",
            "value_period": "2006-07 Q4", "theme": "safer"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_forecast_table_per_target_theme_and_overall():
    assessed = _assessed([
        {"indicator_id": "7.18", "final_rag": "A", "value": 1151.0,
         "expected_without_stretch": 1250.0, "expected_value": 1090.0,
         "reward_grant_gbp": 101612.0},
        {"indicator_id": "7.21", "final_rag": "R", "value": 690.0,
         "expected_without_stretch": 510.0, "expected_value": 472.0,
         "reward_grant_gbp": 101612.0},
        {"indicator_id": "7.17", "final_rag": "N", "value": float("nan"),
         "expected_without_stretch": 350.0, "expected_value": 320.0,
         "reward_grant_gbp": 381045.0},
        {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "final_rag": "G",
         "value": 30.0, "expected_without_stretch": 10.0, "expected_value": 20.0,
         "reward_grant_gbp": 1000.0},
        {"indicator_id": "4.9", "theme": "health", "reward": False, "final_rag": "R",
         "value": 1.0, "expected_without_stretch": 0.0, "expected_value": 2.0,
         "reward_grant_gbp": float("nan")},
    ])
    table = tabulate_grant_forecast(assessed, THEMES, Rules())
    assert table["row_type"].tolist() == ["target", "theme total", "target", "target", "target",
                                          "theme total", "overall total"]
    rows = table.set_index("indicator")
    # 7.18: 61.875% of the enhancement achieved, so 61.875% of £101,612 is forecast.
    assert rows.loc["7.18 - T", "forecast_gbp"] == 62872.43
    assert rows.loc["7.18 - T", "at_risk_forecast_gbp"] == 38739.57
    assert rows.loc["7.18 - T", "at_risk_seed_gbp"] == 101612.0
    assert rows.loc["7.21 - T", "forecast_gbp"] == 0.0
    assert rows.loc["7.17 - T", "basis"] == "no value: nothing forecast"
    assert rows.loc["7.17 - T", "at_risk_seed_gbp"] == 0.0            # not available
    assert rows.loc["7.17 - T", "at_risk_forecast_gbp"] == 381045.0
    assert rows.loc["4.1 - T", "forecast_gbp"] == 1000.0              # capped at the grant
    totals = table[table["row_type"] != "target"].set_index("indicator")
    assert totals["grant_gbp"].tolist() == [1000.0, 584269.0, 585269.0]
    assert totals["forecast_gbp"].tolist() == [1000.0, 62872.43, 63872.43]
    assert totals["at_risk_seed_gbp"].tolist() == [0.0, 203224.0, 203224.0]
    assert totals["at_risk_forecast_gbp"].tolist() == [0.0, 521396.57, 521396.57]


# Issue 21.1: at the floor and the cap the share is exact, whatever the binary floats say.
# Hand-computed: 46.4 against 44 without stretch and 48 stretched is 2.4 of 4 = 60%
# exactly (a float division gives 59.999999999999964 and paid nothing).
@pytest.mark.parametrize(("value", "without", "stretch", "polarity", "paid"), [
    (46.4, 44, 48, "higher", 600.00),     # exactly the floor: 60% of £1,000
    (41.6, 44, 40, "lower", 600.00),      # the same, lower is better
    (46.3, 44, 48, "higher", 0.00),       # 57.5%: below the floor
    (48, 44, 48, "higher", 1000.00),      # exactly the stretch: the cap
    (40, 44, 40, "lower", 1000.00),
    (49.9, 44, 48, "higher", 1000.00),    # beyond the stretch: capped
    (0.7, 0.1, 1.1, "higher", 600.00),    # 0.6 of 1.0: 60%, not 59.99...
])
def test_grant_at_the_floor_and_cap_is_exact(value, without, stretch, polarity, paid):
    share = achieved_share(value, without, stretch, polarity)
    assert forecast_grant(1000.0, share, Rules()) == paid
    assert grant_payable(value, without, stretch, polarity, 1000.0, Rules()) == paid


tenths = st.integers(min_value=-100_000, max_value=100_000)
enhancements = st.integers(min_value=1, max_value=20_000).map(lambda n: 5 * n)


@given(tenths, enhancements, st.sampled_from(["higher", "lower"]),
       st.sampled_from([(60, 0.6), (100, 1.0)]), st.integers(1, 10**9))
def test_exactly_at_the_floor_or_cap_pays_that_share(without, enhancement, polarity, edge,
                                                     grant_pence):
    """One-decimal targets whose value is exactly 60% (or 100%) of the way: pays exactly."""
    pct, fraction = edge
    sign = 1 if polarity == "higher" else -1
    stretch = without + sign * enhancement
    value = without + sign * round(enhancement * fraction)  # a whole number of tenths
    grant = grant_pence / 100
    share = achieved_share(value / 10, without / 10, stretch / 10, polarity)
    assert share == pct
    expected = (Decimal(grant_pence) * pct / 100 / 100).quantize(Decimal("0.01"),
                                                                 ROUND_HALF_UP)
    assert forecast_grant(grant, share, Rules()) == float(expected)
    below = value - sign  # a tenth short: nothing at the floor, pro rata at the cap
    paid_below = grant_payable(below / 10, without / 10, stretch / 10, polarity, grant,
                               Rules())
    short = Decimal(grant_pence) / 100 * (enhancement - 1) / enhancement
    assert paid_below == (0 if pct == 60 else float(short.quantize(Decimal("0.01"),
                                                                   ROUND_HALF_UP)))
