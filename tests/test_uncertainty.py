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
