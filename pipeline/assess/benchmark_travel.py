"""Direction of travel of every national row: against a year earlier and the last review.

Periods become integers (:func:`period_orders`: quarters and years of a year differ by 5),
so the same quarter a year earlier and the last review are found by binary search on
integer keys (:func:`add_travel`); :func:`classify_changes` is the direction of travel,
vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.assess.benchmark_ranks import combination_codes, lower_is_better, words_of
from pipeline.assess.direction import IMPROVING, NO_CHANGE, NOT_COMPARABLE, WORSENING
from pipeline.assess.uncertainty import change_significant
from pipeline.periods import Period, parse_period, previous_review_period


def period_orders(periods: pd.Series) -> np.ndarray:
    """``year * 5 + quarter - 1`` per period (a whole year is quarter 5), parsed once per
    distinct period."""
    codes, uniques = pd.factorize(periods)
    orders = np.array([period_order(p) for p in uniques], dtype="int64")
    return orders[codes]


def period_order(text: str) -> int:
    """``year * 5 + quarter - 1`` of one period's text (a whole year is quarter 5)."""
    period = parse_period(text)
    return period.year * 5 + period.quarter - 1


def add_travel(values: pd.DataFrame, no_change_max_pct: float = 0.0) -> pd.DataFrame:
    """Direction of travel of every row against the same period a year earlier and
    against the last review (:func:`pipeline.periods.previous_review_period`), and
    whether each change is significant (``yes``/``no``/blank without intervals).

    Adds ``year_ago_period``, ``year_ago_value``, ``travel_year_ago``,
    ``year_ago_significant``,
    ``review_period``, ``review_value``, ``travel_review``, ``review_significant``.
    """
    out = values.copy()
    series = combination_codes(out, ["area_code", "geography", "indicator_id"])
    order = out["period_order"].to_numpy(dtype="int64")
    span = int(order.max(initial=0)) + 10
    key = series.astype("int64") * span + order
    sort = np.argsort(key, kind="stable")
    sorted_key = key[sort]
    codes, uniques = pd.factorize(out["period"])
    review_text = np.array([str(previous_review_period(parse_period(p))) for p in uniques],
                           dtype=object)
    review_order = np.array([period_order(p) for p in review_text], dtype="int64")
    targets = {"year_ago": order - 5, "review": review_order[codes] if len(codes) else order}
    year_ago_text = np.array([_text_of(period_order(p) - 5) for p in uniques], dtype=object)
    out["year_ago_period"] = year_ago_text[codes] if len(codes) else pd.Series(dtype=object)
    if len(codes):
        out["review_period"] = review_text[codes]
    else:
        out["review_period"] = pd.Series(dtype=object)
    for name, target in targets.items():
        wanted = series.astype("int64") * span + target
        at = np.clip(np.searchsorted(sorted_key, wanted), 0, max(len(sorted_key) - 1, 0))
        found = (sorted_key[at] == wanted) if len(sorted_key) else np.zeros(0, dtype=bool)
        source = np.where(found, sort[at] if len(sort) else 0, -1)
        earlier, low, high = (_pick(out[c].to_numpy(dtype="float64"), source)
                              for c in ("value", "lower_ci", "upper_ci"))
        out[f"{name}_value"] = earlier
        out[f"travel_{name}"] = classify_changes(out["value"].to_numpy(dtype="float64"),
                                                 earlier, lower_is_better(out),
                                                 no_change_max_pct)
        out[f"{name}_significant"] = change_significant(
            out["value"].to_numpy(), out["lower_ci"].to_numpy(), out["upper_ci"].to_numpy(),
            earlier, low, high)
    return out


def _text_of(order: int) -> str:
    year, quarter = divmod(order, 5)
    return str(Period(year, quarter + 1))


def _pick(column: np.ndarray, source: np.ndarray) -> np.ndarray:
    return np.where(source >= 0, column[np.maximum(source, 0)] if len(column) else np.nan,
                    np.nan)


def classify_changes(current: np.ndarray, earlier: np.ndarray, lower_better: np.ndarray,
                     no_change_max_pct: float = 0.0) -> np.ndarray:
    """:func:`pipeline.assess.direction.classify_change`, vectorised (pure);
    ``lower_better`` is True where the indicator's polarity is ``lower``."""
    diff = current - earlier
    with np.errstate(invalid="ignore", divide="ignore"):
        small = (diff == 0) | ((earlier != 0)
                               & (np.abs(diff) / np.abs(earlier) * 100.0 <= no_change_max_pct))
        better = np.where(lower_better, diff < 0, diff > 0)
    missing = np.isnan(current) | np.isnan(earlier)
    return words_of([(missing, NOT_COMPARABLE), (small, NO_CHANGE), (better, IMPROVING)],
                    WORSENING)
