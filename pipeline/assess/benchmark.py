"""How an area compares: rank, quartile and median in its comparator groups, by interval.

The ranking is :mod:`pipeline.assess.benchmark_ranks` (its conventions are stated there),
the direction of travel :mod:`pipeline.assess.benchmark_travel`; this module puts them
together for the partnership (:func:`benchmark_partnership`) and for every area
(:func:`benchmark_all_areas`), and judges targets by interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.assess.assessment import final_rag
from pipeline.assess.benchmark_ranks import RESULT_COLUMNS, benchmark_group
from pipeline.assess.benchmark_travel import add_travel, period_order, period_orders
from pipeline.assess.uncertainty import add_intervals
from pipeline.inputs.national import CHUNK_ROWS, indicator_chunks

GROUP_TITLES = {"england": "all England", "region": "its region", "type": "its area type",
                "neighbours": "its nearest neighbours"}
DEFAULT_GROUP = "england"
QUARTILE_LABELS = {1: "top quartile", 2: "upper middle quartile", 3: "lower middle quartile",
                   4: "bottom quartile"}


def prepare_values(clean: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The national rows of known indicators, with polarity, unit and 95% intervals.

    Rows of indicators the register does not list are left out (they cannot be ranked
    without a polarity). Adds ``polarity``, ``unit``, ``lower_ci``, ``upper_ci``,
    ``ci_method`` and ``period_order`` (an integer: quarters and years of a year
    differ by 5, so the same quarter a year earlier is ``period_order - 5``).
    """
    meta = indicators[["indicator_id", "polarity", "unit"]].drop_duplicates("indicator_id")
    out = clean.merge(meta, on="indicator_id", how="inner", sort=False)
    out = add_intervals(out, out["unit"])
    out["period_order"] = period_orders(out["period"])
    return out.reset_index(drop=True)


def benchmark_area(values: pd.DataFrame, area_code: str, groups: pd.DataFrame,
                   neighbours: pd.DataFrame, group_names: tuple[str, ...],
                   no_change_max_pct: float = 0.0) -> pd.DataFrame:
    """One area's standing in each group, every indicator and period: a long table.

    One row per group, indicator, geography and period where the area has a value:
    value, interval and method, rank, n, quartile (and its words), group median,
    comparison with the group, and the direction of travel against a year earlier and
    the last review with their significance.
    """
    travelled = add_travel(values, no_change_max_pct)
    mine = (values["area_code"] == area_code).to_numpy()
    parts = []
    for group in group_names:
        result = benchmark_group(values, group, groups, neighbours)[mine]
        part = travelled[mine].assign(group=group, **{c: result[c] for c in RESULT_COLUMNS})
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out["quartile_label"] = out["quartile"].map(QUARTILE_LABELS).fillna("")
    return out.sort_values(["group", "indicator_id", "geography", "period_order"],
                           kind="stable").reset_index(drop=True)


def group_members(values: pd.DataFrame, area_code: str, group: str, groups: pd.DataFrame,
                  neighbours: pd.DataFrame) -> pd.DataFrame:
    """Every area in ``area_code``'s ``group``, each row a value with its interval, and
    ``ours`` marking the area's own rows (for the strip charts)."""
    mine = values[values["area_code"] == area_code]
    if mine.empty:
        return values.iloc[0:0].assign(ours=pd.Series(dtype=bool), group=group)
    if group == "england":
        inside = np.ones(len(values), dtype=bool)
    elif group in ("region", "type"):
        column = "region" if group == "region" else "area_type"
        inside = (values[column] == mine[column].iloc[0]).to_numpy()
    elif group == "neighbours":
        listed = set(neighbours.loc[neighbours["area_code"] == area_code, "neighbour_code"])
        inside = values["area_code"].isin(listed | {area_code}).to_numpy()
    else:
        listed = set(groups.loc[groups["group"] == group, "area_code"])
        inside = values["area_code"].isin(listed | {area_code}).to_numpy()
    geographies = set(mine["geography"])
    out = values[inside & values["geography"].isin(geographies).to_numpy()].copy()
    out["ours"] = out["area_code"] == area_code
    out["group"] = group
    return out.reset_index(drop=True)


def latest_rows(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per group, indicator and geography, the row of the latest period up to ``period``."""
    limit = period_order(period)
    usable = table[table["period_order"] <= limit]
    return usable.sort_values("period_order", kind="stable").drop_duplicates(
        ["group", "indicator_id", "geography"], keep="last").reset_index(drop=True)


def judge_targets(latest: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    """Whether each indicator's interval lies on the right side of its target.

    ``target_by_interval``: ``met`` (the whole interval meets the target), ``not met``
    (the whole interval misses it), ``cannot tell`` (the interval straddles it), or blank
    (no interval or no target). One row per indicator (the county geography's first).
    """
    targets = assessed[["indicator_id", "target_value", "polarity"]]
    rows = latest.drop_duplicates("indicator_id")[["indicator_id", "lower_ci", "upper_ci"]]
    out = targets.merge(rows, on="indicator_id", how="left")
    low, high = out["lower_ci"].to_numpy(float), out["upper_ci"].to_numpy(float)
    target = out["target_value"].to_numpy(float)
    lower_better = out["polarity"].to_numpy() == "lower"
    met = np.where(lower_better, high <= target, low >= target)
    missed = np.where(lower_better, low > target, high < target)
    known = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(target)
    word = np.where(met, "met", np.where(missed, "not met", "cannot tell"))
    out["target_by_interval"] = np.where(known, word, "")
    return out[["indicator_id", "lower_ci", "upper_ci", "target_by_interval"]]


def apply_interval_rule(assessed: pd.DataFrame, judged: pd.DataFrame) -> pd.DataFrame:
    """The rule ``target_needs_interval``: a computed green whose interval does not lie
    wholly on the right side of the target becomes amber, and the final rating follows
    where the lead gave none. Indicators without an interval keep their rating."""
    out = assessed.merge(judged[["indicator_id", "target_by_interval"]], on="indicator_id",
                         how="left")
    word = out["target_by_interval"].fillna("")
    demote = (out["computed_rag"] == "G") & word.isin(["not met", "cannot tell"])
    out.loc[demote, "computed_rag"] = "A"
    out["final_rag"] = [final_rag(c, lead) for c, lead in
                        zip(out["computed_rag"], out["lead_rag"].fillna(""), strict=True)]
    out["rag_differs"] = out["final_rag"] != out["computed_rag"]
    return out.drop(columns="target_by_interval")


def describe_groups(values: pd.DataFrame, area_code: str, group_names: tuple[str, ...],
                    groups: pd.DataFrame, neighbours: pd.DataFrame) -> dict[str, str]:
    """Each group's name in words for the area, e.g. ``East Midlands (region)``."""
    mine = values[values["area_code"] == area_code]
    out = {}
    for group in group_names:
        if group == "england":
            out[group] = "All England"
        elif group in ("region", "type") and not mine.empty:
            column, word = (("region", "region") if group == "region"
                            else ("area_type", "area type"))
            out[group] = f"{mine[column].iloc[0]} ({word})"
        elif group == "neighbours":
            count = int((neighbours["area_code"] == area_code).sum())
            out[group] = f"{count} nearest neighbours"
        else:
            out[group] = f"{group} (listed group)"
    return out


def benchmark_partnership(clean: pd.DataFrame, indicators: pd.DataFrame, area_code: str,
                          groups: pd.DataFrame, neighbours: pd.DataFrame,
                          group_names: tuple[str, ...], period: str,
                          no_change_max_pct: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partnership's benchmarking table and the strip charts' values.

    Returns ``(table, members)``: :func:`benchmark_area` for every group, and for each
    group and indicator, every member's value at the latest period up to ``period`` for
    which the partnership has one. Both empty when the area is not in the table.
    """
    values = prepare_values(clean, indicators)
    if values.empty or not (values["area_code"] == area_code).any():
        return pd.DataFrame(), pd.DataFrame()
    table = benchmark_area(values, area_code, groups, neighbours, group_names,
                           no_change_max_pct)
    latest = latest_rows(table, period)[["group", "indicator_id", "geography", "period"]]
    parts = []
    for group in group_names:
        members = group_members(values, area_code, group, groups, neighbours)
        wanted = latest[latest["group"] == group].drop(columns="group")
        parts.append(members.merge(wanted, on=["indicator_id", "geography", "period"]))
    members = pd.concat(parts, ignore_index=True)
    keep = ["group", "indicator_id", "geography", "period", "area_code", "area_name",
            "value", "lower_ci", "upper_ci", "ci_method", "ours"]
    members = members[keep].sort_values(["group", "indicator_id", "geography", "value",
                                         "area_code"], kind="stable")
    return table, members.reset_index(drop=True)


def add_target_judgement(table: pd.DataFrame, judged: pd.DataFrame) -> pd.DataFrame:
    """``target_by_interval`` of each indicator beside every row of its benchmarking."""
    if table.empty:
        return table.assign(target_by_interval=pd.Series(dtype=object))
    return table.merge(judged[["indicator_id", "target_by_interval"]], on="indicator_id",
                       how="left").fillna({"target_by_interval": ""})


def benchmark_all_areas(clean: pd.DataFrame, indicators: pd.DataFrame, groups: pd.DataFrame,
                        neighbours: pd.DataFrame, group_names: tuple[str, ...],
                        chunk_rows: int = CHUNK_ROWS,
                        no_change_max_pct: float = 0.0) -> pd.DataFrame:
    """Every area's standing in every group, and its travel, for the whole table.

    Computed in chunks of whole indicators (about ``chunk_rows`` rows each: ranks, medians
    and travel never cross indicators), so time grows in proportion to the rows and
    memory stays bounded. One row per national row of a known indicator: its key, value
    and interval, ``<group>_rank``, ``<group>_quartile``, ``<group>_median`` and
    ``<group>_comparison`` per group, and the travel columns of :func:`add_travel`.
    """
    meta = indicators.drop_duplicates("indicator_id")
    known = clean[clean["indicator_id"].isin(set(meta["indicator_id"]))].reset_index(drop=True)
    chunks = indicator_chunks(known, chunk_rows)
    keep = ["area_code", "geography", "indicator_id", "period", "value", "lower_ci",
            "upper_ci", "ci_method", "year_ago_value", "travel_year_ago",
            "year_ago_significant", "review_value", "travel_review", "review_significant"]
    parts = []
    for where in chunks:
        values = add_travel(prepare_values(known.iloc[where], meta), no_change_max_pct)
        part = values[keep].copy()
        for group in group_names:
            result = benchmark_group(values, group, groups, neighbours)
            part[f"{group}_rank"] = result["rank"].to_numpy(dtype="int32")
            part[f"{group}_quartile"] = result["quartile"].to_numpy(dtype="int8")
            part[f"{group}_median"] = result["median"].to_numpy()
            part[f"{group}_comparison"] = result["comparison"].to_numpy()
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=keep)
    return pd.concat(parts, ignore_index=True)
