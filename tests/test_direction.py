"""Unit and property tests of the direction of travel (polarity-aware)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.assess.assessment import assess_indicators
from pipeline.assess.direction import (
    IMPROVING,
    NO_CHANGE,
    NOT_COMPARABLE,
    WORSENING,
    add_direction,
    annualise,
    classify_change,
)
from pipeline.rules_schema import Rules
from tests.conftest import make_register, make_rows


@pytest.mark.parametrize(("current", "earlier", "polarity", "expected"), [
    (3202, 3291, "lower", IMPROVING),     # 7.20: fewer burglaries
    (690, 548, "lower", WORSENING),       # 7.21: more thefts
    (47, 40, "higher", IMPROVING),        # 2.3: more recycled
    (39.36, 41.2, "higher", WORSENING),
    (361, 361, "higher", NO_CHANGE),
    (5, 0, "higher", IMPROVING),          # from zero, any rise is a change
    (float("nan"), 3, "higher", NOT_COMPARABLE),
    (3, float("nan"), "lower", NOT_COMPARABLE),
])
def test_direction_is_polarity_aware(current, earlier, polarity, expected):
    assert classify_change(current, earlier, polarity) == expected


def test_no_change_band_comes_from_the_rules():
    assert classify_change(101, 100, "higher", no_change_max_pct=1.0) == NO_CHANGE
    assert classify_change(101.5, 100, "higher", no_change_max_pct=1.0) == IMPROVING
    assert classify_change(0.5, 0, "higher", no_change_max_pct=50.0) == IMPROVING


def test_year_to_date_figures_are_annualised_before_comparing():
    assert annualise(1540, "2006-07 Q2", "cumulative") == 3080
    assert annualise(1540, "2006-07 Q2", "snapshot") == 1540
    assert annualise(300, "2006-07 Q3", "cumulative", "10;40;75;100") == 400
    assert annualise(3202, "2006-07 Q4", "cumulative") == 3202
    assert math.isnan(annualise(5, "2006-07 Q1", "cumulative", "0;40;75;100"))
    assert math.isnan(annualise(5, "not a period", "cumulative"))


def _register():
    return make_register(
        [{"indicator_id": "7.20", "theme": "safer", "polarity": "lower",
          "accumulation": "cumulative", "baseline_value": "3291", "baseline_period": "2004-05"},
         {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "unit": "percent",
          "baseline_value": "38", "baseline_period": "2005-06"},
         {"indicator_id": "4.2", "theme": "health", "polarity": "higher"}],
        [{"indicator_id": i, "period": "2006-07", "target_value": "100"}
         for i in ("7.20", "4.1", "4.2")])


def test_add_direction_compares_with_the_last_return_and_a_year_before():
    rows = make_rows([
        {"indicator_id": "7.20", "period": "2006-07 Q2", "value": 1540.0},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 3202.0},
        {"indicator_id": "7.20", "period": "2005-06 Q4", "value": 3300.0},
        {"indicator_id": "4.1", "period": "2006-07 Q2", "value": 44.0},
        {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 52.6},
        {"indicator_id": "4.1", "period": "2006-07 Q3", "value": 60.0, "in_force": False},
        {"indicator_id": "4.2", "period": "2006-07 Q4", "value": 5.0},
    ])
    assessed = assess_indicators(_register(), rows, "2006-07 Q4", Rules())
    out = add_direction(assessed, rows, Rules()).set_index("indicator_id")
    # 7.20: 3202 for the year against 1540 for half a year (3080 a year): worse.
    assert out.loc["7.20", ["earlier_period", "earlier_value", "travel_vs_earlier"]].tolist() \
        == ["2006-07 Q2", 1540.0, WORSENING]
    # ... and better than the 3300 returned for Q4 a year before.
    assert out.loc["7.20", ["year_ago_period", "year_ago_source", "travel_vs_year_ago"]].tolist() \
        == ["2005-06 Q4", "return", IMPROVING]
    # 4.1: a superseded Q3 row is ignored; the year before is the 2005-06 baseline.
    assert out.loc["4.1", "earlier_period"] == "2006-07 Q2"
    assert out.loc["4.1", ["year_ago_period", "year_ago_value", "year_ago_source"]].tolist() \
        == ["2005-06", 38.0, "baseline"]
    assert out.loc["4.1", "travel_vs_year_ago"] == IMPROVING
    assert out.loc["4.2", ["travel_vs_earlier", "travel_vs_year_ago"]].tolist() == [
        NOT_COMPARABLE, NOT_COMPARABLE]
    assert "travel_vs_earlier" not in assessed     # the input is not changed


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(finite, finite, st.floats(0, 20))
def test_swapping_polarity_and_mirroring_values_keeps_the_direction(now, then, band):
    assert classify_change(now, then, "higher", band) == classify_change(-now, -then, "lower",
                                                                         band)


@given(finite, finite, finite, st.sampled_from(["higher", "lower"]))
def test_a_better_value_never_reads_as_a_worse_direction(a, b, earlier, polarity):
    order = {IMPROVING: 0, NO_CHANGE: 1, WORSENING: 2}
    better, worse = (max(a, b), min(a, b)) if polarity == "higher" else (min(a, b), max(a, b))
    assert order[classify_change(better, earlier, polarity)] <= order[
        classify_change(worse, earlier, polarity)]
