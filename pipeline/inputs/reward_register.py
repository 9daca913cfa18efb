"""Reward targets in the register: which reward target each reward indicator is a
sub-target of, the reward targets' names, and the conditions their grant depends on.

``indicators.csv``'s optional ``reward_target`` column groups reward indicators (the
sub-targets) into reward targets (seed 002: "Reward Target 6 for Safer Communities covers
indicators 7.18 to 7.22"); a reward indicator left blank is a reward target of its own.
The optional ``reward_targets.csv`` names them and records a condition on a reward target,
or on one sub-target (seed 002: 4.2.4's grant "will not now be paid" because an associated
condition was not met). The column definitions are :data:`pipeline.inputs.register.
REWARD_TARGETS`; this module checks and resolves them into columns of the indicators.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.errors import RegisterError

CONDITION_STATUSES = ("met", "not met", "not yet known")
FILE = "reward_targets.csv"
INDICATORS_FILE = "indicators.csv"
# The columns :func:`attach_reward_targets` adds to the indicators.
RESOLVED = ("reward_target", "reward_target_name", "condition", "condition_status",
            "condition_note")


def _fail(message: str, file: str, row: int, column: str) -> RegisterError:
    return RegisterError(message, file=file, row=row, column=column)


def group_reward_targets(indicators: pd.DataFrame,
                         file_rows: Mapping[str, int]) -> pd.Series:
    """Each indicator's reward target: ``reward_target`` as written, the indicator's own id
    for a reward indicator left blank, blank for an indicator that is not a reward target.

    ``file_rows`` gives each indicator's row in ``indicators.csv`` for the messages.

    Raises
    ------
    RegisterError
        For a reward target given on an indicator that is not a reward target, or one
        whose sub-targets are in two themes (naming the file, row and column).
    """
    given = (indicators["reward_target"].fillna("").astype(str).str.strip()
             if "reward_target" in indicators else pd.Series("", index=indicators.index))
    stray = indicators[(given != "") & ~indicators["reward"].astype(bool)]
    if not stray.empty:
        first = stray.iloc[0]
        raise _fail(f"reward_target {given[stray.index[0]]!r} given but reward is not yes "
                    f"for {first['indicator_id']}: only a reward indicator is a sub-target",
                    INDICATORS_FILE, file_rows.get(first["indicator_id"], 0), "reward_target")
    keys = given.where(given != "", indicators["indicator_id"]).where(
        indicators["reward"].astype(bool), "")
    themes: dict[str, str] = {}
    ordered = sorted(indicators.index, key=lambda i: file_rows.get(
        indicators.at[i, "indicator_id"], 0))
    for i in ordered:
        key, theme = keys[i], indicators.at[i, "theme"]
        if key and themes.setdefault(key, theme) != theme:
            raise _fail(f"reward target {key!r} spans two themes ({themes[key]} and "
                        f"{theme}): all its sub-targets must be in one theme",
                        INDICATORS_FILE, file_rows.get(indicators.at[i, "indicator_id"], 0),
                        "reward_target")
    return keys


def attach_reward_targets(indicators: pd.DataFrame, table: pd.DataFrame | None,
                          file_rows: Mapping[str, int]) -> pd.DataFrame:
    """The indicators with their reward target, its name and their condition.

    Parameters
    ----------
    indicators
        The typed indicators (``reward`` boolean), with ``reward_target`` as written.
    table
        ``reward_targets.csv`` with every column of its definition (text), or None.
    file_rows
        Each indicator's row in ``indicators.csv``, for the messages.

    Returns
    -------
    pandas.DataFrame
        A copy with :data:`RESOLVED` columns. A row of ``reward_targets.csv`` naming a
        reward target gives its name and a condition on all its sub-targets; one naming a
        reward indicator's id that is not a reward target's gives a condition on that
        sub-target alone, which replaces its reward target's.

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first bad value.
    """
    out = indicators.copy()
    out["reward_target"] = group_reward_targets(indicators, file_rows)
    for column in RESOLVED[1:]:
        out[column] = ""
    if table is None or table.empty:
        return out
    rows = _check_table(table.reset_index(drop=True), set(out["reward_target"]) - {""},
                        dict(zip(out.loc[out["reward"].astype(bool), "indicator_id"],
                                 out.loc[out["reward"].astype(bool), "reward_target"],
                                 strict=True)))
    targets = {r["reward_target"]: r for r in rows if r["level"] == "target"}
    subs = {r["reward_target"]: r for r in rows if r["level"] == "sub-target"}
    for i in out.index[out["reward_target"] != ""]:
        chosen = targets.get(out.at[i, "reward_target"])
        if chosen is not None:
            out.at[i, "reward_target_name"] = chosen["name"]
        chosen = subs.get(out.at[i, "indicator_id"], chosen)
        if chosen is not None and chosen["condition"]:
            for column in ("condition", "condition_status", "condition_note"):
                out.at[i, column] = chosen[column]
    return out


def _check_table(table: pd.DataFrame, keys: set[str],
                 owner: Mapping[str, str]) -> list[dict[str, str]]:
    """The rows of ``reward_targets.csv`` checked, each with its ``level``."""
    out = []
    seen: set[str] = set()
    for position, row in enumerate(table.to_dict("records")):
        at = position + 2
        key = str(row["reward_target"]).strip()
        if not key:
            raise _fail("reward_target is blank", FILE, at, "reward_target")
        if key in seen:
            raise _fail(f"reward_target {key!r} given twice", FILE, at, "reward_target")
        seen.add(key)
        if key in keys:
            level = "target"
        elif key in owner:
            level = "sub-target"
        else:
            raise _fail(f"reward_target {key!r} is neither a reward target of "
                        f"{INDICATORS_FILE} (column reward_target) nor a reward indicator's id",
                        FILE, at, "reward_target")
        name = str(row.get("name", "")).strip()
        if level == "sub-target" and name:
            raise _fail(f"name is for a reward target: {key} is a sub-target of "
                        f"{owner[key]}; name {owner[key]} on its own row", FILE, at, "name")
        condition = str(row.get("condition", "")).strip()
        status = " ".join(str(row.get("condition_status", "")).lower().split())
        if status and status not in CONDITION_STATUSES:
            raise _fail(f"condition_status {row['condition_status']!r} is not one of "
                        + ", ".join(CONDITION_STATUSES), FILE, at, "condition_status")
        if condition and not status:
            raise _fail("condition_status is blank: expected met, not met or not yet known "
                        "for the condition given", FILE, at, "condition_status")
        if status and not condition:
            raise _fail(f"condition is blank but condition_status is {status!r}: say what "
                        "the condition is", FILE, at, "condition")
        out.append({"reward_target": key, "level": level, "name": name,
                    "condition": condition, "condition_status": status,
                    "condition_note": str(row.get("condition_note", "")).strip()})
    return out
