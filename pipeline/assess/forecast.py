"""Reward grant forecast: the Performance Reward Grant payable per target and theme, and at risk."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.assess.reward_targets import (
    condition_basis,
    condition_not_met,
    with_reward_targets,
)
from pipeline.assess.tables import reward_target_columns, tabulate_by_theme
from pipeline.figures import exact_decimal, round_half_up
from pipeline.rag import RAG_LABELS
from pipeline.rules_schema import Rules

MONEY = ("grant_gbp", "forecast_gbp", "at_risk_seed_gbp", "at_risk_forecast_gbp")


def achieved_share(value: float, without_stretch: float, stretch: float,
                   polarity: str) -> Decimal | None:
    """The share of the enhancement achieved, in %, in exact decimal arithmetic.

    The enhancement is the stretch target minus the performance expected without
    stretch (the other way round when lower is better); the achievement is the value
    minus the without-stretch figure, signed the same way. Each figure is taken as the
    decimal it is written as, so a target achieving exactly 60% of its enhancement is at
    60%, not a float's 59.999999999999964%. None when a figure is missing or the
    enhancement is not in the polarity's direction (nothing to share).

    Examples
    --------
    >>> achieved_share(46.4, 44, 48, "higher") == 60
    True
    """
    if pd.isna(value) or pd.isna(without_stretch) or pd.isna(stretch):
        return None
    sign = 1 if polarity == "higher" else -1
    enhancement = sign * (exact_decimal(stretch) - exact_decimal(without_stretch))
    if enhancement <= 0:
        return None
    return sign * (exact_decimal(value) - exact_decimal(without_stretch)) * 100 / enhancement


def enhancement_achieved_pct(value: float, without_stretch: float, stretch: float,
                             polarity: str) -> float:
    """:func:`achieved_share` as a float for tables and charts; NaN when there is none.

    Examples
    --------
    >>> round(enhancement_achieved_pct(1151, 1250, 1090, "lower"), 2)
    61.88
    """
    share = achieved_share(value, without_stretch, stretch, polarity)
    return float("nan") if share is None else float(share)


def _share(achieved: float | Decimal | None) -> Decimal | None:
    if achieved is None or (not isinstance(achieved, Decimal) and pd.isna(achieved)):
        return None
    return exact_decimal(achieved)


def payable_share(achieved: float | Decimal | None, floor_pct: float = 60.0,
                  cap_pct: float = 100.0) -> Decimal:
    """The % of a target's grant payable, exactly: nothing below the floor, the share
    achieved from it up, capped; 0 when the share is unknown."""
    share = _share(achieved)
    if share is None or share < exact_decimal(floor_pct):
        return Decimal(0)
    return min(share, exact_decimal(cap_pct))


def payable_pct(achieved_pct: float | Decimal, floor_pct: float = 60.0,
                cap_pct: float = 100.0) -> float:
    """:func:`payable_share` as a float."""
    return float(payable_share(achieved_pct, floor_pct, cap_pct))


def forecast_grant(grant_gbp: float, achieved_pct: float | Decimal, rules: Rules) -> float:
    """The grant forecast payable for one target, rounded half up to the penny once, as
    the scheme pays (0 below the floor, at most the grant when ``grant_cap_pct`` is 100).

    >>> forecast_grant(1000.0, achieved_share(46.4, 44, 48, "higher"), Rules())
    600.0
    """
    if pd.isna(grant_gbp):
        return float("nan")
    share = payable_share(achieved_pct, rules.grant_floor_pct, rules.grant_cap_pct)
    return float(round_half_up(exact_decimal(grant_gbp) * share / 100, 2))


def tabulate_grant_forecast(assessed: pd.DataFrame, themes: pd.DataFrame,
                            rules: Rules) -> pd.DataFrame:
    """Per reward target and theme: maximum grant, forecast payable and grant at risk.

    The forecast takes the latest value against its trajectory points (stretch target and
    the performance expected without stretch, both profiled to the value's period, so the
    annual figures at the year end). A target with no value, or no enhancement to share,
    is forecast to pay nothing, as is one whose grant's condition is not met (its basis
    says so; a condition not yet known is forecast as usual, its basis says pending). Two
    "at risk" columns: the seed's rule (the whole grant of every target whose final RAG is
    in ``rules.at_risk_ratings``, or whose condition is not met) and the forecast rule
    (grant minus forecast payable).

    Returns
    -------
    pandas.DataFrame
        Rows per target, a ``theme total`` per theme in block order and an
        ``overall total``; money rounded half up to pence. Target rows carry their reward
        target and condition (:func:`pipeline.assess.tables.reward_target_columns`).
    """
    reward = with_reward_targets(assessed[assessed["reward"].astype(bool)])
    blocked = condition_not_met(reward)
    shares = [achieved_share(v, w, s, p) for v, w, s, p in
              zip(reward["value"], reward["expected_without_stretch"], reward["expected_value"],
                  reward["polarity"], strict=True)]
    reward["achieved_pct"] = [float("nan") if a is None else float(a) for a in shares]
    reward["payable_pct"] = [payable_pct(a, rules.grant_floor_pct, rules.grant_cap_pct)
                             for a in shares]
    reward["forecast_gbp"] = [forecast_grant(g, a, rules) for g, a in
                              zip(reward["reward_grant_gbp"], shares, strict=True)]
    reward.loc[blocked, ["payable_pct", "forecast_gbp"]] = 0.0
    reward["at_risk_seed_gbp"] = reward["reward_grant_gbp"].where(
        reward["final_rag"].isin(rules.at_risk_ratings) | blocked, 0.0)
    reward["at_risk_forecast_gbp"] = reward["reward_grant_gbp"] - reward["forecast_gbp"]
    reward["basis"] = [condition_basis(st, note, cond, _basis(v, vp, w, s, a))
                       for v, vp, w, s, a, st, note, cond in
                       zip(reward["value"], reward["value_period"],
                           reward["expected_without_stretch"], reward["expected_value"],
                           reward["achieved_pct"], reward["condition_status"],
                           reward["condition_note"], reward["condition"], strict=True)]
    return tabulate_by_theme(reward, themes, lambda rows: {
        "indicator_id": rows["indicator_id"],
        "indicator": rows["indicator_id"] + " - " + rows["title"],
        "rag": rows["final_rag"].map(RAG_LABELS), "unit": rows["unit"],
        "value": rows["value"], "value_period": rows["value_period"],
        "without_stretch": rows["expected_without_stretch"],
        "stretch": rows["expected_value"], "achieved_pct": rows["achieved_pct"],
        "payable_pct": rows["payable_pct"], "basis": rows["basis"],
        "grant_gbp": rows["reward_grant_gbp"], "forecast_gbp": rows["forecast_gbp"],
        "at_risk_seed_gbp": rows["at_risk_seed_gbp"],
        "at_risk_forecast_gbp": rows["at_risk_forecast_gbp"],
        **reward_target_columns(rows)}, money=MONEY)


def _basis(value: float, value_period: str, without: float, stretch: float,
           achieved: float) -> str:
    if pd.isna(value):
        return "no value: nothing forecast"
    if pd.isna(without) or pd.isna(stretch):
        return "no stretch or without-stretch figure: nothing forecast"
    if pd.isna(achieved):
        return "stretch not beyond the without-stretch figure: nothing forecast"
    return f"value at {value_period}"
