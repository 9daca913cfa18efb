"""Trajectory: the value each indicator is expected at, any quarter or year, baseline to targets."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipeline.errors import RegisterError
from pipeline.periods import Period, parse_period, try_parse_period

LINEAR_PROFILE = (25.0, 50.0, 75.0, 100.0)
Profile = tuple[float, float, float, float]


def parse_profile(text: object, indicator_id: str = "") -> Profile:
    """A quarterly profile from the register's optional ``profile`` column.

    Four percentages separated by ``;`` (or ``/``, spaces): the share of the year's
    movement expected by the end of Q1, Q2, Q3 and Q4, e.g. ``10;35;60;100`` for a
    slow start. Blank means linear (``25;50;75;100``).

    Raises
    ------
    RegisterError
        If the text is not four numbers from 0 to 100 ending in 100.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return LINEAR_PROFILE
    parts = [p for p in re.split(r"[;/\s]+", str(text).strip().rstrip("%")) if p]
    try:
        shares = tuple(float(p.rstrip("%")) for p in parts)
    except ValueError:
        shares = ()
    if len(shares) != 4 or shares[3] != 100.0 or any(not 0.0 <= s <= 100.0 for s in shares):
        raise RegisterError(f"profile {text!r} is not four percentages (Q1;Q2;Q3;Q4) ending in "
                            "100", file="indicators.csv", indicator=indicator_id,
                            column="profile")
    return shares  # type: ignore[return-value]


def year_share(period: Period, profile: Profile = LINEAR_PROFILE) -> float:
    """The share of the year's movement expected by the end of ``period`` (1.0 for a year)."""
    return 1.0 if period.is_year else profile[period.quarter - 1] / 100.0


def expected_value(period: str | Period, accumulation: str, targets: Mapping[str, float],
                   baseline_value: float = float("nan"), baseline_period: str = "",
                   profile: Profile = LINEAR_PROFILE) -> float:
    """The value expected at ``period`` on the way to the annual targets.

    Parameters
    ----------
    period
        A quarter (``2006-07 Q2``) or a financial year (``2006-07``).
    accumulation
        ``cumulative`` (a year-to-date count): the year's target times the profile's share
        of the year, so 236 of 472 by Q2 on a linear profile. ``snapshot`` (a level): a
        straight line from the previous anchor (the previous year's target, else the
        baseline, at the end of its year) to the year's target, with the profile shaping
        the current year's part of it.
    targets
        Target values keyed by period text; a quarter's own target wins over the profile.
    baseline_value, baseline_period
        The baseline and the financial year it belongs to (a snapshot's first anchor).
    profile
        Share of the year's movement by the end of each quarter, in %.

    Returns
    -------
    float
        NaN when the year has no target. A snapshot with no earlier anchor (no baseline,
        no earlier target) is expected at its target all year.

    Examples
    --------
    >>> expected_value("2006-07 Q2", "cumulative", {"2006-07": 472.0})
    236.0
    >>> expected_value("2006-07 Q2", "snapshot", {"2006-07": 40.0}, 32.0, "2005-06")
    36.0
    """
    wanted = parse_period(period) if isinstance(period, str) else period
    by_period = {p: float(v) for k, v in targets.items()
                 if (p := try_parse_period(k)) is not None and not _missing(v)}
    if wanted in by_period:
        return by_period[wanted]
    target = by_period.get(wanted.financial_year, float("nan"))
    if _missing(target):
        return float("nan")
    share = year_share(wanted, profile)
    if share == 1.0:
        return target  # the year end is the target itself, exactly
    if accumulation == "cumulative":
        return target * share
    anchors = {p.year: v for p, v in by_period.items() if p.is_year and p.year < wanted.year}
    base = try_parse_period(baseline_period)
    if base is not None and not _missing(baseline_value) and base.year < wanted.year:
        anchors.setdefault(base.year, float(baseline_value))
    if not anchors:
        return target
    anchor_year = max(anchors)
    anchor = anchors[anchor_year]
    span = wanted.year - anchor_year
    start = anchor + (target - anchor) * (span - 1) / span
    return start + (target - start) * share


def profile_trajectory(indicators: pd.DataFrame, targets: pd.DataFrame,
                       at: Mapping[str, str], column: str = "target_value") -> pd.Series:
    """Each indicator's expected value at its own period, from one target column.

    Parameters
    ----------
    indicators
        Register indicators (``accumulation``, ``baseline_*`` and optional ``profile``).
    targets
        Register targets; ``column`` names the values profiled (``target_value``, or
        ``target_without_stretch`` for the performance expected without the stretch).
    at
        The period to profile each indicator at, keyed by indicator id.

    Returns
    -------
    pandas.Series
        Expected values indexed like ``indicators`` (NaN where not computable).
    """
    if column not in targets:
        return pd.Series(np.nan, index=indicators.index, dtype="float64")
    by_indicator: dict[object, dict[object, object]] = {}   # each indicator's targets
    for indicator_id, period, value in zip(targets["indicator_id"], targets["period"],
                                           targets[column], strict=True):
        if not pd.isna(indicator_id):
            by_indicator.setdefault(indicator_id, {})[period] = value
    profiles = (indicators["profile"] if "profile" in indicators
                else pd.Series("", index=indicators.index))
    values = []
    for indicator_id, accumulation, baseline_value, baseline_period, profile in zip(
            indicators["indicator_id"], indicators["accumulation"],
            indicators["baseline_value"], indicators["baseline_period"], profiles,
            strict=True):
        period = at.get(indicator_id, "")
        if try_parse_period(period) is None:
            values.append(float("nan"))
            continue
        values.append(expected_value(
            period, accumulation, by_indicator.get(indicator_id, {}), baseline_value,
            baseline_period, parse_profile(profile, indicator_id)))
    return pd.Series(values, index=indicators.index, dtype="float64")


def _missing(number: object) -> bool:
    return number is None or pd.isna(number)
