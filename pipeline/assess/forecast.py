"""Reward grant forecast: the Performance Reward Grant payable per target and theme, and at risk."""

from __future__ import annotations

import pandas as pd

from pipeline.assess.tables import tabulate_by_theme
from pipeline.config import Rules
from pipeline.figures import round_half_up
from pipeline.rag import RAG_LABELS

MONEY = ("grant_gbp", "forecast_gbp", "at_risk_seed_gbp", "at_risk_forecast_gbp")


def enhancement_achieved_pct(value: float, without_stretch: float, stretch: float,
                             polarity: str) -> float:
    """The share of the enhancement achieved, in %, signed by polarity.

    The enhancement is the stretch target minus the performance expected without
    stretch (the other way round when lower is better); the achievement is the value
    minus the without-stretch figure, signed the same way. NaN when a figure is missing
    or the enhancement is not in the polarity's direction (nothing to share).

    Examples
    --------
    >>> round(enhancement_achieved_pct(1151, 1250, 1090, "lower"), 2)
    61.88
    """
    if pd.isna(value) or pd.isna(without_stretch) or pd.isna(stretch):
        return float("nan")
    sign = 1.0 if polarity == "higher" else -1.0
    enhancement = sign * (stretch - without_stretch)
    if enhancement <= 0:
        return float("nan")
    return sign * (value - without_stretch) / enhancement * 100.0


def payable_pct(achieved_pct: float, floor_pct: float = 60.0, cap_pct: float = 100.0) -> float:
    """The % of a target's grant payable: nothing below the floor, the share achieved
    from it up, capped; 0 when the share is unknown."""
    if pd.isna(achieved_pct) or achieved_pct < floor_pct:
        return 0.0
    return min(float(achieved_pct), cap_pct)


def forecast_grant(grant_gbp: float, achieved_pct: float, rules: Rules) -> float:
    """The grant forecast payable for one target (0 below the floor, at most the grant
    when ``grant_cap_pct`` is 100)."""
    return grant_gbp * payable_pct(achieved_pct, rules.grant_floor_pct, rules.grant_cap_pct) / 100


def tabulate_grant_forecast(assessed: pd.DataFrame, themes: pd.DataFrame,
                            rules: Rules) -> pd.DataFrame:
    """Per reward target and theme: maximum grant, forecast payable and grant at risk.

    The forecast takes the latest value against its trajectory points (stretch target and
    the performance expected without stretch, both profiled to the value's period, so the
    annual figures at the year end). A target with no value, or no enhancement to share,
    is forecast to pay nothing. Two "at risk" columns: the seed's rule (the whole grant
    of every target whose final RAG is in ``rules.at_risk_ratings``) and the forecast
    rule (grant minus forecast payable).

    Returns
    -------
    pandas.DataFrame
        Rows per target, a ``theme total`` per theme in block order and an
        ``overall total``; money rounded half up to pence.
    """
    reward = assessed[assessed["reward"].astype(bool)].copy()
    reward["achieved_pct"] = [
        enhancement_achieved_pct(v, w, s, p) for v, w, s, p in
        zip(reward["value"], reward["expected_without_stretch"], reward["expected_value"],
            reward["polarity"], strict=True)]
    reward["payable_pct"] = [payable_pct(a, rules.grant_floor_pct, rules.grant_cap_pct)
                             for a in reward["achieved_pct"]]
    reward["forecast_gbp"] = [float(round_half_up(g * pct / 100.0, 2)) for g, pct in
                              zip(reward["reward_grant_gbp"], reward["payable_pct"],
                                  strict=True)]
    reward["at_risk_seed_gbp"] = reward["reward_grant_gbp"].where(
        reward["final_rag"].isin(rules.at_risk_ratings), 0.0)
    reward["at_risk_forecast_gbp"] = reward["reward_grant_gbp"] - reward["forecast_gbp"]
    reward["basis"] = [_basis(v, vp, w, s, a) for v, vp, w, s, a in
                       zip(reward["value"], reward["value_period"],
                           reward["expected_without_stretch"], reward["expected_value"],
                           reward["achieved_pct"], strict=True)]
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
        "at_risk_forecast_gbp": rows["at_risk_forecast_gbp"]}, money=MONEY)


def _basis(value: float, value_period: str, without: float, stretch: float,
           achieved: float) -> str:
    if pd.isna(value):
        return "no value: nothing forecast"
    if pd.isna(without) or pd.isna(stretch):
        return "no stretch or without-stretch figure: nothing forecast"
    if pd.isna(achieved):
        return "stretch not beyond the without-stretch figure: nothing forecast"
    return f"value at {value_period}"
