"""Direction of travel: each value against the previous period and the same period a year before."""

from __future__ import annotations

import pandas as pd

from pipeline.assess.trajectory import parse_profile, year_share
from pipeline.periods import Period, try_parse_period
from pipeline.rules_schema import Rules

IMPROVING, WORSENING, NO_CHANGE, NOT_COMPARABLE = (
    "improving", "worsening", "no change", "not comparable")
DIRECTIONS = (IMPROVING, WORSENING, NO_CHANGE, NOT_COMPARABLE)


def classify_change(current: float, earlier: float, polarity: str,
                    no_change_max_pct: float = 0.0) -> str:
    """Whether moving from ``earlier`` to ``current`` is an improvement, polarity-aware.

    A change of no more than ``no_change_max_pct`` % of the earlier value is ``no change``
    (from an earlier value of 0, only an equal value is). ``not comparable`` when either
    value is missing.

    Examples
    --------
    >>> classify_change(3202, 3291, "lower")
    'improving'
    """
    if pd.isna(current) or pd.isna(earlier):
        return NOT_COMPARABLE
    if current == earlier:
        return NO_CHANGE
    if earlier != 0 and abs(current - earlier) / abs(earlier) * 100.0 <= no_change_max_pct:
        return NO_CHANGE
    better = current > earlier if polarity == "higher" else current < earlier
    return IMPROVING if better else WORSENING


def annualise(value: float, period: str, accumulation: str, profile: object = "") -> float:
    """A year-to-date value scaled to a whole year (``Q2`` x 2 on a linear profile).

    Snapshot values, and any value for a whole year or Q4, are returned unchanged. NaN
    when the period is not a period or the profile expects nothing by then.
    """
    parsed = try_parse_period(period)
    if parsed is None or pd.isna(value):
        return float("nan")
    if accumulation != "cumulative":
        return float(value)
    share = year_share(parsed, parse_profile(profile))
    return float("nan") if share == 0 else float(value) / share


def add_direction(assessed: pd.DataFrame, rows: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The assessment with the direction of travel of each value, two ways.

    Parameters
    ----------
    assessed
        One row per indicator (:func:`pipeline.assess.assessment.assess_indicators`).
    rows
        Validated returns with ``in_force`` resolved.
    rules
        ``no_change_max_pct``: the band counted as no change.

    Returns
    -------
    pandas.DataFrame
        A copy of ``assessed`` with ``earlier_period``, ``earlier_value`` and
        ``travel_vs_earlier`` (the latest earlier county return, year-to-date figures
        annualised first), and ``year_ago_period``, ``year_ago_value``, ``year_ago_source``
        and ``travel_vs_year_ago`` (the same period a year before; at the year end, the
        baseline when it belongs to the year before).
    """
    history = _county_history(rows)
    profiles = assessed["profile"] if "profile" in assessed else pd.Series("", assessed.index)
    found = []
    # each row as a dict of the columns read (a wide row as a Series costs ~0.2 ms)
    read = ["value_period", "indicator_id", "baseline_value", "baseline_period", "value",
            "accumulation", "polarity"]
    rows_read = assessed[[c for c in read if c in assessed]].to_dict("records")
    for idx, row in zip(assessed.index, rows_read, strict=True):
        now = try_parse_period(row["value_period"])
        series = history.get(row["indicator_id"], {})
        earlier = _latest_before(series, now)
        year_ago = _year_ago(series, now, row["baseline_value"], row["baseline_period"])
        profile = profiles[idx]
        found.append({
            "earlier_period": str(earlier[0]) if earlier else "",
            "earlier_value": earlier[1] if earlier else float("nan"),
            "travel_vs_earlier": classify_change(
                annualise(row["value"], row["value_period"], row["accumulation"], profile),
                annualise(earlier[1], str(earlier[0]), row["accumulation"], profile)
                if earlier else float("nan"), row["polarity"], rules.no_change_max_pct),
            "year_ago_period": str(year_ago[0]) if year_ago else "",
            "year_ago_value": year_ago[1] if year_ago else float("nan"),
            "year_ago_source": year_ago[2] if year_ago else "",
            "travel_vs_year_ago": classify_change(
                row["value"], year_ago[1] if year_ago else float("nan"), row["polarity"],
                rules.no_change_max_pct),
        })
    extra = pd.DataFrame(found, index=assessed.index)
    return pd.concat([assessed.drop(columns=[c for c in extra if c in assessed]), extra], axis=1)


def _county_history(rows: pd.DataFrame) -> dict[str, dict[Period, float]]:
    usable = rows[rows["in_force"].astype(bool) & (rows["geography"] == "county")
                  & rows["value"].notna() & (rows["data_status"] != "not_available")]
    history: dict[str, dict[Period, float]] = {}
    for indicator, period, value in zip(usable["indicator_id"], usable["period"],
                                        usable["value"], strict=True):
        parsed = try_parse_period(period)
        if parsed is not None:
            history.setdefault(indicator, {})[parsed] = float(value)
    return history


def _latest_before(series: dict[Period, float], now: Period | None
                   ) -> tuple[Period, float] | None:
    if now is None:
        return None
    earlier = sorted(p for p in series if p < now)
    return (earlier[-1], series[earlier[-1]]) if earlier else None


def _year_ago(series: dict[Period, float], now: Period | None, baseline: float,
              baseline_period: str) -> tuple[Period, float, str] | None:
    if now is None:
        return None
    same = Period(now.year - 1, now.quarter)
    if same in series:
        return same, series[same], "return"
    year_end = now.quarter >= 4
    if year_end and Period(now.year - 1) in series:
        return Period(now.year - 1), series[Period(now.year - 1)], "return"
    if year_end and Period(now.year - 1, 4) in series:
        return Period(now.year - 1, 4), series[Period(now.year - 1, 4)], "return"
    base = try_parse_period(baseline_period)
    if year_end and base == Period(now.year - 1) and not pd.isna(baseline):
        return base, float(baseline), "baseline"
    return None
