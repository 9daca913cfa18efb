"""Reward target gap analysis: the final year forecast, the gap, the grant at stake, the options.

For every reward target not on track, against the final year's stretch target (the last
year of the agreement with a target): where the value is heading on its current trajectory,
how far that falls short, what the Performance Reward Grant would pay there (the rule of
:mod:`pipeline.assess.forecast`: nothing below the floor, pro rata up to the cap) and what
is at stake; then what the improvement options of the register would contribute, approved
ones apart from the rest, whether they close the gap and what each pound of grant they
protect would cost.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipeline.assess.forecast import achieved_share, enhancement_achieved_pct, forecast_grant
from pipeline.assess.reward_targets import NOT_MET, condition_not_met, with_reward_targets
from pipeline.assess.tables import reward_target_columns, tabulate_by_theme
from pipeline.assess.trajectory import expected_value, parse_profile, year_share
from pipeline.config import SCENARIOS
from pipeline.periods import Period, try_parse_period
from pipeline.rag import RAG_LABELS
from pipeline.rules_schema import Rules

# Which option statuses each scenario counts (rejected options never count).
COUNTED = {"approved": ("approved",), "all": ("approved", "subject to approval", "proposed")}
PROPOSED = ("proposed", "subject to approval")
MONEY = ("grant_gbp", "payable_gbp", "at_stake_gbp",
         *(f"{kind}_{s}_gbp" for s in SCENARIOS for kind in ("payable", "protected", "cost")))
SUMMED = (*MONEY, *(f"uncosted_{s}" for s in SCENARIOS))  # added up in the total rows
OPTION_COLUMNS = ["indicator_id", "indicator", "theme", "option", "status", "contribution",
                  "contribution_basis", "contribution_in_unit", "unit", "cost_gbp", "owner",
                  "counted", "source_row"]


def grant_payable(value: float, without_stretch: float, stretch: float, polarity: str,
                  grant_gbp: float, rules: Rules) -> float:
    """The grant payable (to the penny, rounded half up) if the final year ends at ``value``:
    the scheme's rule of :mod:`pipeline.assess.forecast` (nothing below
    ``rules.grant_floor_pct`` of the enhancement, pro rata up to ``rules.grant_cap_pct``).

    >>> round(grant_payable(46.5, 44, 48, "higher", 1000.0, Rules()), 2)
    625.0
    """
    return forecast_grant(grant_gbp, achieved_share(value, without_stretch, stretch, polarity),
                          rules)


def timeline_position(period: Period, profile: tuple[float, ...] | None = None) -> float:
    """Where a period ends on a timeline in years: a financial year ``Y`` runs from ``Y``
    to ``Y + 1``, and a quarter ends at the share of the year's movement its profile
    expects by then (``2006-07 Q3`` on a straight line: 2006.75).

    >>> timeline_position(Period(2006, 3))
    2006.75
    """
    share = year_share(period, tuple(profile) if profile else (25.0, 50.0, 75.0, 100.0))
    return period.year + share


def forecast_final_value(value: float, value_period: str, baseline_value: float,
                         baseline_period: str, final_year: str, accumulation: str = "snapshot",
                         profile: tuple[float, ...] | None = None) -> tuple[float, str]:
    """The value forecast for the end of ``final_year`` on the current trajectory.

    The line from the baseline (at the end of its financial year) through the latest value
    (at the end of its period, by the profile), carried on to the end of the final year.
    A cumulative indicator's quarter value is a year to date: it is first scaled up to the
    year by the profile (a Q2 count of 236 on a straight line counts as 472 for the year).
    Without a usable baseline, or with the value no later than it, the latest value is
    held.

    Returns
    -------
    tuple[float, str]
        The forecast (NaN without a value) and its basis in words.

    Examples
    --------
    >>> forecast_final_value(3202, "2006-07 Q4", 3291, "2004-05", "2008-09")
    (3113.0, 'baseline 2004-05 to 2006-07 Q4, carried on to 2008-09')
    """
    at = try_parse_period(value_period)
    final = try_parse_period(final_year)
    if pd.isna(value) or at is None or final is None:
        return float("nan"), "no value: nothing forecast"
    shares = tuple(profile) if profile else (25.0, 50.0, 75.0, 100.0)
    if accumulation == "cumulative" and not at.is_year:
        value = value / (year_share(at, shares) or 1.0)
        position = at.year + 1.0
    else:
        position = timeline_position(at, shares)
    end = final.year + 1.0
    base = try_parse_period(baseline_period)
    if base is None or pd.isna(baseline_value) or base.year + 1.0 >= position:
        return float(value), f"no earlier baseline: the {value_period} value held"
    rate = (value - baseline_value) / (position - (base.year + 1.0))
    return (float(value + rate * (end - position)),
            f"baseline {baseline_period} to {value_period}, carried on to {final_year}")


def final_year_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's final year (the last financial year it has a stretch target for)
    with that year's stretch target and performance expected without stretch."""
    groups: dict[object, list[tuple[Period | None, dict]]] = {}  # in order of appearance
    for period, record in zip(map(try_parse_period, targets["period"]),
                              targets.to_dict("records"), strict=True):
        if not pd.isna(record["indicator_id"]):     # as groupby leaves a missing id out
            groups.setdefault(record["indicator_id"], []).append((period, record))
    rows = []
    for indicator_id, group in groups.items():
        years = {p: r for p, r in group
                 if p is not None and p.is_year and not pd.isna(r["target_value"])}
        if not years:
            continue
        final = max(years)
        stretch = {str(p): r["target_value"] for p, r in years.items()}
        without = {str(p): r.get("target_without_stretch", np.nan) for p, r in years.items()}
        rows.append({"indicator_id": indicator_id, "final_year": str(final),
                     "final_stretch": expected_value(final, "snapshot", stretch),
                     "final_without_stretch": expected_value(final, "snapshot", without)})
    return pd.DataFrame(rows, columns=["indicator_id", "final_year", "final_stretch",
                                       "final_without_stretch"])


def shortfall(forecast: float, stretch: float, polarity: str) -> float:
    """How far the forecast falls short of the stretch target, in the indicator's unit, in
    the polarity's direction (negative: beyond it; NaN when either is missing)."""
    if pd.isna(forecast) or pd.isna(stretch):
        return float("nan")
    return (stretch - forecast) if polarity == "higher" else (forecast - stretch)


def option_contributions(options: pd.DataFrame | None,
                         gaps: Mapping[str, float]) -> pd.DataFrame:
    """Each option's contribution in its indicator's unit: as given, or for
    ``percent_of_gap`` that % of the indicator's gap (nothing when there is no gap)."""
    if options is None or options.empty:
        return pd.DataFrame(columns=["indicator_id", "status", "contribution_in_unit",
                                     "cost_gbp"])
    out = options.copy()
    gap = out["indicator_id"].map(lambda i: gaps.get(i, np.nan)).astype("float64")
    by_gap = out["contribution_basis"] == "percent_of_gap"
    out["contribution_in_unit"] = np.where(
        by_gap, out["contribution"] / 100.0 * gap.clip(lower=0), out["contribution"])
    return out


def _scenario(row: dict, chosen: pd.DataFrame, rules: Rules) -> dict[str, float]:
    """Value, grant payable and grant protected if ``chosen`` options deliver in full
    (nothing payable, so nothing protected, when the grant's condition is not met)."""
    sign = 1.0 if row["polarity"] == "higher" else -1.0
    delivered = float(chosen["contribution_in_unit"].sum())
    value = row["forecast"] + sign * delivered
    payable = 0.0 if row["condition_status"] == NOT_MET else grant_payable(
        value, row["final_without_stretch"], row["final_stretch"], row["polarity"],
        row["reward_grant_gbp"], rules)
    cost = float(chosen["cost_gbp"].sum())
    uncosted = int(chosen["cost_gbp"].isna().sum())
    protected = payable - row["payable_gbp"]
    return {"value": value, "payable": payable, "protected": protected, "cost": cost,
            "uncosted": uncosted, "cost_per_gbp": cost_per_pound(cost, protected, uncosted),
            "contribution": delivered}


def cost_per_pound(cost: float, protected: float, uncosted: int = 0) -> float:
    """What each pound of grant protected costs; NaN when nothing is protected or some
    option counted has no cost yet (the figure would understate it)."""
    if uncosted or pd.isna(protected) or protected <= 0:
        return float("nan")
    return float(cost) / float(protected)


def _closes(gap: float, approved: float, everything: float, count: int,
            status: str = "") -> str:
    if status == NOT_MET:
        return "condition not met"
    if pd.isna(gap):
        return "no forecast"
    if gap <= 0:
        return "no gap"
    if count == 0:
        return "no options"
    if approved >= gap:
        return "yes: approved options"
    if everything >= gap:
        return "only with proposed options"
    return "no"


def select_off_track(assessed: pd.DataFrame, finals: pd.DataFrame,
                     rules: Rules) -> pd.DataFrame:
    """The reward targets not on track, with their final year forecast and gap: those rated
    amber or red (``rules.at_risk_ratings``), those whose grant's condition is not met and
    any other forecast to fall short of its final year's stretch target."""
    reward = with_reward_targets(assessed[assessed["reward"].astype(bool)]).merge(
        finals, on="indicator_id", how="left")
    profiles = reward["profile"] if "profile" in reward else pd.Series("", index=reward.index)
    forecasts = [forecast_final_value(
        r["value"], r["value_period"], r["baseline_value"], r["baseline_period"],
        r["final_year"], r["accumulation"], parse_profile(p, r["indicator_id"]))
        for r, p in zip(reward.to_dict("records"), profiles, strict=True)]
    reward["forecast"] = [f for f, _ in forecasts]
    reward["basis"] = [b for _, b in forecasts]
    reward["gap"] = [shortfall(f, s, p) for f, s, p in
                     zip(reward["forecast"], reward["final_stretch"], reward["polarity"],
                         strict=True)]
    off = (reward["final_rag"].isin(rules.at_risk_ratings) | (reward["gap"] > 0)
           | condition_not_met(reward))
    return reward[off & reward["final_year"].notna()].reset_index(drop=True)


def analyse_reward_gaps(assessed: pd.DataFrame, targets: pd.DataFrame,
                        options: pd.DataFrame | None, themes: pd.DataFrame,
                        rules: Rules) -> pd.DataFrame:
    """The gap analysis of every reward target not on track, per theme with totals.

    Parameters
    ----------
    assessed
        The assessment (:func:`pipeline.assess.assessment.assess_indicators`).
    targets
        The register's targets (stretch and without-stretch per year).
    options
        The register's improvement options (:func:`pipeline.inputs.register.
        parse_improvement_options`), or None.
    themes, rules
        The register's themes; the rules (grant floor and cap, ratings at risk).

    Returns
    -------
    pandas.DataFrame
        One row per target, a ``theme total`` per theme and an ``overall total``:
        ``final_year``, ``final_stretch``, ``final_without_stretch``, ``forecast`` and its
        ``basis``, ``gap`` (in the unit; 0 or less: none), ``achieved_pct``, ``grant_gbp``,
        ``payable_gbp`` (at the forecast), ``at_stake_gbp``, ``approved_contribution`` and
        ``proposed_contribution`` (proposed or subject to approval, in the unit),
        ``options`` (how many, rejected ones included), ``closes_gap``, and per scenario
        (``approved``, ``all``) ``value_<s>``, ``payable_<s>_gbp``, ``protected_<s>_gbp``,
        ``cost_<s>_gbp``, ``uncosted_<s>`` and ``cost_per_gbp_<s>`` (cost per pound of
        grant protected). Money rounded half up to pence. A target whose grant's condition
        is not met pays nothing at any value: ``closes_gap`` is ``condition not met`` and
        no option protects any of it. Target rows carry their reward target and condition.
    """
    rows = select_off_track(assessed, final_year_targets(targets), rules)
    contributions = option_contributions(options, dict(zip(rows["indicator_id"], rows["gap"],
                                                           strict=True)))
    achieved = [enhancement_achieved_pct(v, w, s, p) for v, w, s, p in zip(
        rows["forecast"], rows["final_without_stretch"], rows["final_stretch"],
        rows["polarity"], strict=True)]
    rows["achieved_pct"] = achieved
    rows["payable_gbp"] = [grant_payable(f, w, s, p, g, rules) for f, w, s, p, g in zip(
        rows["forecast"], rows["final_without_stretch"], rows["final_stretch"],
        rows["polarity"], rows["reward_grant_gbp"], strict=True)]
    rows.loc[condition_not_met(rows), "payable_gbp"] = 0.0
    rows["at_stake_gbp"] = rows["reward_grant_gbp"] - rows["payable_gbp"]
    extra: dict[str, list] = {}
    # each target's options, found once (the frame grouped, not filtered per target)
    by_indicator = dict(iter(contributions.groupby("indicator_id", sort=False)))
    none = contributions.iloc[0:0]
    for row in rows.to_dict("records"):
        mine = by_indicator.get(row["indicator_id"], none)
        approved = float(mine.loc[mine["status"] == "approved", "contribution_in_unit"].sum())
        proposed = float(mine.loc[mine["status"].isin(PROPOSED), "contribution_in_unit"].sum())
        values = {"approved_contribution": approved, "proposed_contribution": proposed,
                  "options": len(mine),
                  "closes_gap": _closes(row["gap"], approved, approved + proposed,
                                        int((mine["status"] != "rejected").sum()),
                                        row["condition_status"])}
        for name, statuses in COUNTED.items():
            outcome = _scenario(row, mine[mine["status"].isin(statuses)], rules)
            for key in ("value", "uncosted", "cost_per_gbp"):
                values[f"{key}_{name}"] = outcome[key]
            for key in ("payable", "protected", "cost"):
                values[f"{key}_{name}_gbp"] = outcome[key]
        for key, value in values.items():
            extra.setdefault(key, []).append(value)
    for key, value in extra.items():
        rows[key] = value
    columns = ["approved_contribution", "proposed_contribution", "options", "closes_gap",
               *(f"{k}_{s}" for s in SCENARIOS for k in ("value", "uncosted", "cost_per_gbp")),
               *(f"{k}_{s}_gbp" for s in SCENARIOS for k in ("payable", "protected", "cost"))]
    for key in columns:
        if key not in rows:
            rows[key] = pd.Series(dtype="object" if key == "closes_gap" else "float64")
    table = tabulate_by_theme(rows, themes, lambda r: {
        "indicator_id": r["indicator_id"],
        "indicator": r["indicator_id"] + " - " + r["title"],
        "rag": r["final_rag"].map(RAG_LABELS), "unit": r["unit"], "polarity": r["polarity"],
        "value": r["value"], "value_period": r["value_period"],
        "final_year": r["final_year"], "final_stretch": r["final_stretch"],
        "final_without_stretch": r["final_without_stretch"], "forecast": r["forecast"],
        "basis": r["basis"], "gap": r["gap"], "achieved_pct": r["achieved_pct"],
        "grant_gbp": r["reward_grant_gbp"], "payable_gbp": r["payable_gbp"],
        "at_stake_gbp": r["at_stake_gbp"], **{c: r[c] for c in columns},
        **reward_target_columns(r)}, money=SUMMED)
    totals = table["row_type"] != "target"
    for name in SCENARIOS:
        table.loc[totals, f"cost_per_gbp_{name}"] = [
            cost_per_pound(c, p, u) for c, p, u in zip(
                table.loc[totals, f"cost_{name}_gbp"], table.loc[totals, f"protected_{name}_gbp"],
                table.loc[totals, f"uncosted_{name}"], strict=True)]
    return table


def list_options(options: pd.DataFrame | None, analysis: pd.DataFrame,
                 assessed: pd.DataFrame) -> pd.DataFrame:
    """Every improvement option with its target, its contribution in the unit and whether
    the gap analysis counts it (``approved``, ``proposed``, ``not counted: rejected`` or
    ``not counted: target on track``), in the register's order."""
    if options is None or options.empty:
        return pd.DataFrame(columns=OPTION_COLUMNS)
    targets = analysis[analysis["row_type"] == "target"]
    gaps = dict(zip(targets["indicator_id"], targets["gap"], strict=True))
    out = option_contributions(options, gaps)
    about = assessed.set_index("indicator_id")
    out["indicator"] = out["indicator_id"] + " - " + out["indicator_id"].map(about["title"])
    out["theme"] = out["indicator_id"].map(about["appendix_name"])
    out["unit"] = out["indicator_id"].map(about["unit"])
    analysed = out["indicator_id"].isin(gaps)
    out["counted"] = np.select(
        [out["status"] == "rejected", ~analysed, out["status"] == "approved"],
        ["not counted: rejected", "not counted: target on track", "approved"], "proposed")
    out.loc[~analysed, "contribution_in_unit"] = np.nan
    return out[OPTION_COLUMNS].reset_index(drop=True)
