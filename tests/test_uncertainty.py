"""Confidence intervals against published reference values.

Reference values:

- Byar's and Wilson: the test data of Public Health England's R package
  PHEindicatormethods (ukhsa-collaboration/PHEindicatormethods,
  tests/testthat/testdata_Byars_Wilson.xlsx, commit 093fd288), taken from the APHO
  "Tool for common PH Stats and CIs" spreadsheet that Fingertips' methods follow.
- Wilson: Newcombe RG (1998), "Two-sided confidence intervals for the single proportion:
  comparison of seven methods", Statistics in Medicine 17:857-872, Table II, method 3
  (score interval without continuity correction).
- Exact Poisson limits for small counts: Daly L (1992), "Simple SAS macros for the
  calculation of exact binomial and Poisson confidence limits", Comput Biol Med 22:351,
  Table 2 (0 -> 0 to 3.689; 1 -> 0.0253 to 5.572).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.assess.uncertainty import (
    add_intervals,
    byars_interval,
    change_significant,
    count_interval,
    wilson_interval,
)


@pytest.mark.parametrize(("count", "confidence", "lower", "upper"), [
    (65, 0.95, 50.163188, 82.849139),
    (1045, 0.95, 982.593202, 1110.331213),
    (1, 0.95, 0.013072, 5.563756),
    (65, 0.998, 42.880261, 94.000291),
    (1045, 0.998, 947.940704, 1148.806161),
    (10, 0.998, 2.916318, 24.193725),
])
def test_byars_limits_match_phe_reference_values(count, confidence, lower, upper):
    low, high = byars_interval(np.array([count], dtype=float), confidence)
    assert low[0] == pytest.approx(lower, abs=1e-6)
    assert high[0] == pytest.approx(upper, abs=1e-6)


@pytest.mark.parametrize(("x", "n", "confidence", "lower", "upper"), [
    (65, 100, 0.95, 0.552544, 0.736358),
    (1045, 5000, 0.95, 0.197955, 0.220491),
    (0.445, 1, 0.95, 0.043817, 0.933462),
    (65, 100, 0.998, 0.495495, 0.778354),
    (1045, 5000, 0.998, 0.191794, 0.227316),
])
def test_wilson_limits_match_phe_reference_values(x, n, confidence, lower, upper):
    low, high = wilson_interval(np.array([x]), np.array([n]), confidence)
    assert (low[0], high[0]) == (pytest.approx(lower, abs=1e-6), pytest.approx(upper, abs=1e-6))


@pytest.mark.parametrize(("x", "n", "lower", "upper"), [
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718)])
def test_wilson_limits_match_newcombe_1998(x, n, lower, upper):
    low, high = wilson_interval(np.array([x]), np.array([n]))
    assert (round(low[0], 4), round(high[0], 4)) == (lower, upper)


def test_small_counts_use_the_exact_poisson_interval():
    low, high = count_interval(np.array([0.0, 1.0, 10.0]))
    assert (round(low[0], 3), round(high[0], 3)) == (0.0, 3.689)
    assert (round(low[1], 4), round(high[1], 3)) == (0.0253, 5.572)
    byar_low, byar_high = byars_interval(np.array([10.0]))
    assert (low[2], high[2]) == (byar_low[0], byar_high[0])   # 10 and above: Byar's


def test_intervals_on_the_value_scale_published_limits_kept():
    rows = pd.DataFrame({"value": [50.0, 5.0, 7.0, 65.0, 3.0],
                         "numerator": [500, 50, np.nan, np.nan, np.nan],
                         "denominator": [1000, 10000, np.nan, np.nan, np.nan],
                         "lower_ci": [np.nan, np.nan, 6.0, np.nan, np.nan],
                         "upper_ci": [np.nan, np.nan, 8.0, np.nan, np.nan]})
    out = add_intervals(rows, pd.Series(["percent", "rate", "rate", "count", "score"]))
    assert out["ci_method"].tolist() == ["Wilson score", "Byar's", "published", "Byar's", ""]
    assert out.loc[0, "lower_ci"] == pytest.approx(46.906960, abs=1e-6)
    assert out.loc[1, "lower_ci"] == pytest.approx(3.710810, abs=1e-6)   # 50 events per 1000
    assert (out.loc[2, "lower_ci"], out.loc[2, "upper_ci"]) == (6.0, 8.0)
    assert out.loc[3, "upper_ci"] == pytest.approx(82.849139, abs=1e-6)  # the count itself
    assert np.isnan(out.loc[4, "lower_ci"])
    assert "ci_method" not in rows


def test_change_significance_by_z_test_of_the_two_intervals():
    verdict = change_significant(np.array([50.0, 50.0, 50.0]), np.array([46.9, 46.9, np.nan]),
                                 np.array([53.1, 53.1, np.nan]), np.array([45.0, 49.0, 45.0]),
                                 np.array([41.9, 45.9, 41.9]), np.array([48.1, 52.1, 48.1]))
    assert verdict.tolist() == ["yes", "no", ""]


# Issue 21.6: intervals at their edges. Exact Poisson limits for 0 to 9 events (Daly 1992,
# Table 2; Garwood's chi-squared limits, as PHE's "Tool for common PH Stats and CIs").
@pytest.mark.parametrize(("count", "lower", "upper"), [
    (0, 0.0, 3.6889), (1, 0.0253, 5.5716), (2, 0.2422, 7.2247), (3, 0.6187, 8.7673),
    (4, 1.0899, 10.2416), (5, 1.6235, 11.6683), (6, 2.2019, 13.0595),
    (7, 2.8144, 14.4227), (8, 3.4538, 15.7632), (9, 4.1154, 17.0848)])
def test_small_counts_match_the_exact_poisson_reference(count, lower, upper):
    low, high = count_interval(np.array([float(count)]))
    assert (round(low[0], 4), round(high[0], 4)) == (lower, upper)


def test_a_rate_with_no_events_gets_the_exact_upper_limit_on_its_multiplier():
    """0 events in 5,000 per 1,000: 0 to 3.6889 x 1,000 / 5,000 = 0.7378 (not 0 to 0); the
    multiplier (per 1,000) from the indicator's other areas."""
    rows = pd.DataFrame({"indicator_id": ["r", "r", "r"], "value": [0.0, 2.0, 1.5],
                         "numerator": [0, 10, 6], "denominator": [5000, 5000, 4000],
                         "lower_ci": np.nan, "upper_ci": np.nan})
    out = add_intervals(rows, pd.Series(["rate"] * 3))
    assert (out.loc[0, "lower_ci"], round(out.loc[0, "upper_ci"], 4)) == (0.0, 0.7378)
    assert out.loc[0, "ci_method"] == "exact Poisson"


def test_a_rates_multiplier_comes_from_its_numerator_and_denominator_not_the_rounding():
    """222 in 3,215 per 100, published as 6.9: Byar's limits of 222 (193.7544 to 253.2047)
    times 100 / 3,215 = 6.0266 to 7.8757; the rounded 6.9 would have scaled them by
    6.9 / 222 (6.0221 to 7.8699)."""
    rows = pd.DataFrame({"indicator_id": ["r"], "value": [6.9], "numerator": [222],
                         "denominator": [3215], "lower_ci": np.nan, "upper_ci": np.nan})
    out = add_intervals(rows, pd.Series(["rate"]))
    low, high = byars_interval(np.array([222.0]))
    assert out.loc[0, "lower_ci"] == pytest.approx(low[0] * 100 / 3215, rel=1e-12)
    assert out.loc[0, "upper_ci"] == pytest.approx(high[0] * 100 / 3215, rel=1e-12)
    assert (round(out.loc[0, "lower_ci"], 4), round(out.loc[0, "upper_ci"], 4)) == (6.0266,
                                                                                   7.8757)
