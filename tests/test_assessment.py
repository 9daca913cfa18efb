"""Unit tests of the RAG and off-target rules, both polarities and the edge cases."""

from __future__ import annotations

import math

import pytest

from pipeline.assessment import (
    assess_indicators,
    change_from_baseline_pct,
    final_rag,
    off_target_pct,
    rate_value,
    select_values,
)
from pipeline.config import Rules
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
    lenient = Rules(green_max_off_pct=5, amber_max_off_pct=30)
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
