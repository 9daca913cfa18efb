"""95% confidence intervals by the methods England's public health profiles use.

- **Proportions** (unit ``percent``): the Wilson score interval, from statsmodels
  (``proportion_confint(method="wilson")``).
- **Counts and rates** (any other unit): Byar's approximation to the Poisson interval of
  the count, scaled by the rate's multiplier. Neither statsmodels nor scipy offers Byar's
  method (statsmodels' ``confint_poisson`` has exact, score, Wald, Jeffreys and square-root
  methods; the Department of Health's ``PHStatsMethods`` has it, but is GPL-3 and young),
  so it is written here from its formula (Breslow and Day 1987, as in PHE's *Technical
  Guide: Confidence Intervals*, 2018, Appendix 1). As Fingertips does, counts below 10
  use the exact Poisson interval instead (statsmodels ``confint_poisson(method="exact-c")``),
  where Byar's is off by more than 0.2%.

Where a table gives published limits, they are used as given. Every function is
vectorised over numpy arrays and pure.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

# statsmodels (and the scipy it loads: a second of imports) is imported by the two functions
# that call it: the stages that only read intervals (assess, the appendix, the tables) then
# start without it.

CONFIDENCE = 0.95
BYARS_MIN_COUNT = 10
WILSON, BYARS, EXACT, PUBLISHED = "Wilson score", "Byar's", "exact Poisson", "published"


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def wilson_interval(numerator: np.ndarray, denominator: np.ndarray,
                    confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of the proportion ``numerator / denominator`` (0 to 1).

    NaN where either input is missing or the denominator is not above zero.
    """
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    usable = ~np.isnan(num) & ~np.isnan(den) & (np.nan_to_num(den) > 0)
    low = np.full(num.shape, np.nan)
    high = np.full(num.shape, np.nan)
    if usable.any():
        from statsmodels.stats.proportion import proportion_confint

        a, b = proportion_confint(num[usable], den[usable], alpha=1.0 - confidence,
                                  method="wilson")
        low[usable], high[usable] = a, b
    return low, high


def byars_interval(count: np.ndarray,
                   confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits of a Poisson count (Breslow and Day 1987).

    lower = O (1 - 1/(9 O) - z / (3 sqrt O))^3, upper = (O+1) (1 - 1/(9 (O+1)) + z / (3
    sqrt(O+1)))^3; the lower limit of 0 is 0.
    """
    o = np.asarray(count, dtype="float64")
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        up = o + 1.0
        high = up * (1.0 - 1.0 / (9.0 * up) + z / (3.0 * np.sqrt(up))) ** 3
    low = np.where(o == 0, 0.0, low)
    return low, high


def count_interval(count: np.ndarray,
                   confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """The Poisson limits of a count as Fingertips gives them: Byar's from
    :data:`BYARS_MIN_COUNT` up, the exact interval below it."""
    o = np.asarray(count, dtype="float64")
    low, high = byars_interval(o, confidence)
    small = ~np.isnan(o) & (o < BYARS_MIN_COUNT)
    if small.any():
        from statsmodels.stats.rates import confint_poisson

        a, b = confint_poisson(o[small], 1.0, method="exact-c", alpha=1.0 - confidence)
        low[small], high[small] = np.nan_to_num(a, nan=0.0), b
    return low, high


def add_intervals(values: pd.DataFrame, units: pd.Series,
                  confidence: float = CONFIDENCE) -> pd.DataFrame:
    """``lower_ci``, ``upper_ci`` and ``ci_method`` for every row that allows one.

    Parameters
    ----------
    values
        Rows with ``value``, ``numerator``, ``denominator``, ``lower_ci``, ``upper_ci``.
    units
        Each row's unit (``percent`` gets Wilson; anything else Byar's on the numerator,
        or on the value itself for a ``count`` without numerator).

    Published limits are kept. Else, with a numerator (and, for a proportion, a
    denominator), the interval is computed and put on the value's scale by the rate's
    multiplier (see :func:`rate_multipliers`: 1,000 for a rate per 1,000, taken from the
    numerator and denominator, not from the rounded published value). 0 events give the
    exact Poisson interval (0 to 3.689 events) on the indicator's multiplier.
    """
    out = values.copy()
    value = out["value"].to_numpy(dtype="float64")
    num = out["numerator"].to_numpy(dtype="float64")
    den = out["denominator"].to_numpy(dtype="float64")
    unit = np.asarray(units, dtype=object)
    published = ~np.isnan(out["lower_ci"].to_numpy()) & ~np.isnan(out["upper_ci"].to_numpy())
    percent = (unit == "percent") & ~published & ~np.isnan(num) & ~np.isnan(den)
    low, high = wilson_interval(num, den, confidence)
    lower = np.where(published, out["lower_ci"].to_numpy(), np.nan)
    upper = np.where(published, out["upper_ci"].to_numpy(), np.nan)
    lower = np.where(percent, low * 100.0, lower)
    upper = np.where(percent, high * 100.0, upper)
    is_count = (unit == "count") & np.isnan(num)
    events = np.where(is_count, value, num)
    rate = (unit != "percent") & ~published & ~np.isnan(events) & (events >= 0)
    groups = out["indicator_id"] if "indicator_id" in out else None
    with np.errstate(divide="ignore", invalid="ignore"):  # events to the value's scale
        scale = np.where(is_count | (unit == "percent"), 1.0,
                         np.where(np.isnan(den), np.where(events > 0, value / events, 1.0),
                                  rate_multipliers(value, num, den, groups) / den))
    clow, chigh = count_interval(np.where(rate, events, np.nan), confidence)
    lower = np.where(rate, clow * scale, lower)
    upper = np.where(rate, chigh * scale, upper)
    small = rate & (events < BYARS_MIN_COUNT)
    code = np.select([published, percent, small, rate], [1, 2, 4, 3], 0).astype("int8")
    method = pd.Categorical.from_codes(code, categories=["", PUBLISHED, WILSON, BYARS, EXACT])
    out["lower_ci"], out["upper_ci"], out["ci_method"] = lower, upper, method
    return out


def rate_multipliers(value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray,
                     groups: pd.Series | None = None) -> np.ndarray:
    """Each rate's multiplier (per 100, per 1,000, per 100,000...), from its figures.

    A published value is rounded (222 in 3,215 per 100 is published as 6.9), so
    ``value / (numerator / denominator)`` is near, not at, the multiplier (99.93): the
    nearest power of ten is taken when it lies within 10% of that ratio, else the ratio
    itself. A row with 0 events (whose value says nothing of its multiplier) takes the
    multiplier most rows of its group (indicator) have; NaN where none is known.

    >>> rate_multipliers(np.array([6.9]), np.array([222.0]), np.array([3215.0])).tolist()
    [100.0]
    """
    value = np.asarray(value, dtype="float64")
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((num > 0) & (den > 0), value * den / num, np.nan)
        power = 10.0 ** np.round(np.log10(ratio))
    near = np.abs(ratio / power - 1.0) <= 0.10
    multiplier = np.where(near, power, ratio)
    zero = (num == 0) & (den > 0)
    if zero.any() and groups is not None:
        known = pd.Series(multiplier).groupby(np.asarray(groups, dtype=object)).agg(
            lambda m: m.dropna().mode().iloc[0] if m.notna().any() else np.nan)
        fill = pd.Series(np.asarray(groups, dtype=object)).map(known).to_numpy(dtype="float64")
        multiplier = np.where(zero, fill, multiplier)
    return multiplier


def standard_error(lower: np.ndarray, upper: np.ndarray,
                   confidence: float = CONFIDENCE) -> np.ndarray:
    """The standard error an interval implies: its width over 2 z (NaN without one)."""
    return (np.asarray(upper, dtype="float64") - np.asarray(lower, dtype="float64")) \
        / (2.0 * _z(confidence))


def change_significant(value: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                       earlier: np.ndarray, earlier_lower: np.ndarray,
                       earlier_upper: np.ndarray,
                       confidence: float = CONFIDENCE) -> pd.Categorical:
    """Whether a change between two periods is beyond chance: ``yes``, ``no`` or ``""``.

    The difference is significant when it exceeds z times the root of the sum of the two
    squared standard errors implied by the intervals (a two-sample z test; the intervals'
    overlap would be too strict). ``""`` when either value or interval is missing.
    """
    se = np.hypot(standard_error(lower, upper, confidence),
                  standard_error(earlier_lower, earlier_upper, confidence))
    diff = np.abs(np.asarray(value, dtype="float64") - np.asarray(earlier, dtype="float64"))
    known = ~np.isnan(se) & ~np.isnan(diff)
    with np.errstate(invalid="ignore"):
        beyond = diff > _z(confidence) * se
    code = np.where(known, np.where(beyond, 1, 2), 0).astype("int8")
    return pd.Categorical.from_codes(code, categories=["", "yes", "no"])
