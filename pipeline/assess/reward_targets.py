"""Reward targets, their sub-targets and the conditions on their grant.

An agreement's reward targets may each be weighted into sub-targets, one per reward
indicator (Leicestershire's LAA1: 12 reward targets, 32 sub-targets; seed 002: "Reward
Target 6 for Safer Communities covers indicators 7.18 to 7.22"). The register records
which reward target each reward indicator belongs to and any condition on the grant
(:mod:`pipeline.inputs.reward_register`); without them each reward indicator is a reward
target of its own and no grant has a condition. Here: counting and wording them, the
grant per reward target, and how a condition changes what is forecast payable.
"""

from __future__ import annotations

import pandas as pd

from pipeline.figures import round_half_up
from pipeline.inputs.reward_register import RESOLVED

NOT_MET = "not met"
PENDING = "not yet known"
MONEY = ("grant_gbp", "forecast_gbp", "at_risk_seed_gbp", "at_risk_forecast_gbp")


def with_reward_targets(reward: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``reward`` (reward indicators) with the register's reward target columns
    (:data:`pipeline.inputs.reward_register.RESOLVED`), filled in where a frame lacks them:
    each indicator its own reward target, no name, no condition. A table with only the
    printed ``indicator`` ("7.18 - Theft of Motor Vehicles") takes its id from it."""
    out = reward.copy()
    if "indicator_id" not in out:
        out["indicator_id"] = out["indicator"].astype(str).str.split(" - ").str[0]
    for column in RESOLVED:
        if column not in out:
            out[column] = out["indicator_id"] if column == "reward_target" else ""
        out[column] = out[column].fillna("").astype(str)
    blank = out["reward_target"] == ""
    out.loc[blank, "reward_target"] = out.loc[blank, "indicator_id"]
    return out


def condition_not_met(reward: pd.DataFrame) -> pd.Series:
    """True for each reward indicator whose grant's condition is not met: it pays nothing
    and its whole grant counts at risk, whatever its rating."""
    if "condition_status" not in reward:
        return pd.Series(False, index=reward.index)
    return reward["condition_status"].fillna("") == NOT_MET


def condition_basis(status: str, note: str, condition: str, basis: str) -> str:
    """A forecast's basis in words with the condition's standing: ``condition not met:
    <note>`` (nothing forecast), ``condition pending: <note>; <basis>``, else ``basis``.
    The note is the condition itself when there is none.

    >>> condition_basis("not met", "", "PCT target met", "value at 2006-07 Q4")
    'condition not met: PCT target met'
    """
    said = note or condition
    if status == NOT_MET:
        return f"condition not met: {said}"
    if status == PENDING:
        return f"condition pending: {said}; {basis}"
    return basis


def _targets(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[frame["row_type"] == "target"] if "row_type" in frame else frame
    return with_reward_targets(rows)


def _grouped(targets: pd.DataFrame) -> bool:
    return bool((targets["reward_target"] != targets["indicator_id"]).any())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def count_reward_targets(frame: pd.DataFrame) -> tuple[int, int]:
    """How many reward targets and sub-targets (reward indicators) the target rows of
    ``frame`` hold."""
    targets = _targets(frame)
    return targets["reward_target"].nunique(), len(targets)


def describe_reward_targets(frame: pd.DataFrame) -> str:
    """"12 reward targets (32 sub-targets)", or "32 reward targets" when each reward
    indicator is a reward target of its own."""
    targets, subs = count_reward_targets(frame)
    if not _grouped(_targets(frame)):
        return _plural(subs, "reward target")
    return f"{_plural(targets, 'reward target')} ({_plural(subs, 'sub-target')})"


def _at_risk(targets: pd.DataFrame) -> pd.Series:
    column = "at_risk_seed_gbp" if "at_risk_seed_gbp" in targets else "at_risk_gbp"
    return targets[column].fillna(0) > 0


def describe_at_risk(frame: pd.DataFrame) -> str:
    """How many reward targets have grant at risk under the seed's rule (a sub-target rated
    amber or red, or a condition not met): "7 of the 12 reward targets have a sub-target
    at risk"; "17 of the 32 reward targets are at risk" without sub-targets."""
    targets = _targets(frame)
    total = targets["reward_target"].nunique()
    risky = targets.loc[_at_risk(targets), "reward_target"].nunique()
    if not _grouped(targets):
        return f"{risky} of the {total} reward targets {'is' if risky == 1 else 'are'} at risk"
    return (f"{risky} of the {total} reward targets {'has' if risky == 1 else 'have'} a "
            "sub-target at risk")


def describe_not_on_track(rows: pd.DataFrame) -> str:
    """The gap analysis's count: "17 reward sub-targets not on track (in 7 reward
    targets)", or "17 reward targets not on track" without sub-targets."""
    targets = _targets(rows)
    if not _grouped(targets):
        return f"{_plural(len(targets), 'reward target')} not on track"
    return (f"{_plural(len(targets), 'reward sub-target')} not on track (in "
            f"{_plural(targets['reward_target'].nunique(), 'reward target')})")


def target_label(key: str, name: str, indicator: str, indicator_id: str) -> str:
    """How a reward target is printed: ``RT6 - Prolific and priority offenders``; a reward
    target of one indicator that has no name of its own as the indicator (``7.12 -
    Domestic violence``); else its id."""
    if name:
        return f"{key} - {name}"
    return indicator if key == indicator_id else key


def tabulate_reward_targets(forecast: pd.DataFrame) -> pd.DataFrame:
    """The grant per reward target, beside the per theme totals of the grant forecast.

    Parameters
    ----------
    forecast
        :func:`pipeline.assess.forecast.tabulate_grant_forecast` (its target rows are used).

    Returns
    -------
    pandas.DataFrame
        One row per reward target, in the forecast's order (block, then register), and an
        ``overall total``: ``theme``, ``row_type``, ``reward_target``, ``label``,
        ``sub_targets`` (their ids), ``sub_target_count``, ``at_risk_sub_targets`` (at risk
        under the seed's rule), ``conditions`` (each sub-target's condition not met or
        pending, in words), and the money of the forecast summed: ``grant_gbp``,
        ``forecast_gbp``, ``at_risk_seed_gbp``, ``at_risk_forecast_gbp``.
    """
    targets = _targets(forecast)
    targets = targets.assign(_risky=_at_risk(targets))
    rows = []
    for key, group in targets.groupby("reward_target", sort=False):
        first = group.iloc[0]
        conditions = [f"{i}: condition {s}" for i, s in
                      zip(group["indicator_id"], group["condition_status"], strict=True)
                      if s in (NOT_MET, PENDING)]
        rows.append({"theme": first["theme"], "row_type": "target", "reward_target": key,
                     "label": target_label(key, first["reward_target_name"],
                                           first["indicator"], first["indicator_id"]),
                     "sub_targets": ", ".join(group["indicator_id"]),
                     "sub_target_count": len(group),
                     "at_risk_sub_targets": int(group["_risky"].sum()),
                     "conditions": "; ".join(conditions),
                     **{m: group[m].sum() for m in MONEY}})
    rows.append({"theme": "", "row_type": "overall total", "reward_target": "",
                 "label": "Overall Total", "sub_targets": "",
                 "sub_target_count": len(targets),
                 "at_risk_sub_targets": int(targets["_risky"].sum()), "conditions": "",
                 **{m: targets[m].sum() for m in MONEY}})
    table = pd.DataFrame(rows)
    for column in MONEY:
        table[column] = table[column].map(lambda x: float(round_half_up(x, 2)))
    return table


def list_conditions(reward: pd.DataFrame) -> pd.DataFrame:
    """The sub-targets whose grant has a condition not met or not yet known, from the
    target rows of :func:`pipeline.assess.tables.tabulate_reward_grant`: ``indicator``,
    ``theme``, ``condition_status``, ``said`` (the note, or the condition) and
    ``grant_gbp``."""
    targets = _targets(reward)
    picked = targets[targets["condition_status"].isin((NOT_MET, PENDING))]
    said = picked["condition_note"].where(picked["condition_note"] != "", picked["condition"])
    return pd.DataFrame({"indicator": picked["indicator"], "theme": picked["theme"],
                         "condition_status": picked["condition_status"], "said": said,
                         "grant_gbp": picked["grant_gbp"]}).reset_index(drop=True)
