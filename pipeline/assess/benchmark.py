"""How an area compares: rank, quartile and median in its comparator groups, by interval.

Every function works on all areas at once (three million rows in seconds): ranks within a
group are one ``groupby`` over integer codes; nearest-neighbour groups, which differ from
area to area, are computed on a matrix of values per indicator and period; the same
quarter a year earlier and the last review are found by binary search on integer keys.

Conventions (see README, "Benchmarking"):

- **Rank** 1 is the best value by the indicator's polarity; tied values share the best
  rank of their tie (``=3rd``), as in a league table.
- **Quartile** ``floor(4 (rank - 1) / n) + 1``: 1 is the top (best) quartile, 4 the bottom;
  tied areas share a quartile.
- **Median**: of the values of the group's areas (ours included).
- **Compared with the group**: better or worse when the value's 95% confidence interval
  lies wholly on one side of the group median, similar when it contains it, ``not
  compared`` when the value has no interval. The median is used for every group, England
  included (the national table need not carry an England figure, and a median is not
  moved by a few outlying areas).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.assess.assessment import final_rag
from pipeline.assess.direction import IMPROVING, NO_CHANGE, NOT_COMPARABLE, WORSENING
from pipeline.assess.uncertainty import add_intervals, change_significant
from pipeline.inputs.national import CHUNK_ROWS, indicator_chunks
from pipeline.periods import Period, parse_period, previous_review_period

GROUP_TITLES = {"england": "all England", "region": "its region", "type": "its area type",
                "neighbours": "its nearest neighbours"}
DEFAULT_GROUP = "england"
QUARTILE_LABELS = {1: "top quartile", 2: "upper middle quartile", 3: "lower middle quartile",
                   4: "bottom quartile"}
BETTER, SIMILAR, WORSE, NOT_COMPARED = "better", "similar", "worse", "not compared"
CELL = ["geography", "indicator_id", "period"]
RESULT_COLUMNS = ["rank", "n", "quartile", "median", "comparison"]


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


def period_orders(periods: pd.Series) -> np.ndarray:
    """``year * 5 + quarter - 1`` per period (a whole year is quarter 5), parsed once per
    distinct period."""
    codes, uniques = pd.factorize(periods)
    orders = np.array([_order(p) for p in uniques], dtype="int64")
    return orders[codes]


def _order(text: str) -> int:
    period = parse_period(text)
    return period.year * 5 + period.quarter - 1


def _codes(frame: pd.DataFrame, columns: list[str], extra: np.ndarray | None = None):
    """One integer per distinct combination of ``columns`` (and ``extra`` codes)."""
    code = np.zeros(len(frame), dtype="int64")
    for column in columns:
        part, uniques = pd.factorize(frame[column])
        code = code * (len(uniques) + 1) + part
    if extra is not None:
        code = code * (int(extra.max(initial=0)) + 2) + extra
    return pd.factorize(code)[0]


def _score(values: pd.DataFrame) -> np.ndarray:
    value = values["value"].to_numpy(dtype="float64")
    return np.where(_lower_better(values), -value, value)


def _lower_better(values: pd.DataFrame) -> np.ndarray:
    return (values["polarity"] == "lower").to_numpy(dtype=bool)


def quartile_of(rank: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Quartile 1 (top, best) to 4 (bottom) from a rank of n (pure; 0 where unranked)."""
    rank = np.asarray(rank, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.floor(4.0 * (rank - 1.0) / n) + 1.0
    return np.where(np.isnan(q) | (n <= 0), 0, np.clip(q, 1, 4)).astype("int64")


def words_of(choices: list[tuple[np.ndarray, str]], default: str) -> pd.Categorical:
    """A categorical of words: the first choice whose mask holds, else ``default`` (pure).

    Categorical, not an array of strings: three million words cost three million bytes.
    """
    labels = [default] + [w for _, w in choices if w != default]
    code = np.zeros(len(choices[0][0]) if choices else 0, dtype="int8")
    for mask, word in reversed(choices):
        code = np.where(mask, labels.index(word), code).astype("int8")
    return pd.Categorical.from_codes(code, categories=labels)


def compare_with(values: pd.DataFrame, median: np.ndarray) -> pd.Categorical:
    """Better, similar or worse than ``median`` by the 95% interval; ``not compared``
    without one (pure)."""
    low = values["lower_ci"].to_numpy(dtype="float64")
    high = values["upper_ci"].to_numpy(dtype="float64")
    higher = ~_lower_better(values)
    known = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(median)
    above, below = low > median, high < median
    better = np.where(higher, above, below)
    worse = np.where(higher, below, above)
    return words_of([(~known, NOT_COMPARED), (better, BETTER), (worse, WORSE),
                     (known, SIMILAR)], NOT_COMPARED)


def rank_within(values: pd.DataFrame, labels: np.ndarray | pd.Series) -> pd.DataFrame:
    """Rank, n, quartile, median and comparison of every row within its group.

    A group is the rows with the same geography, indicator, period and ``labels`` value
    (e.g. every area's region); rows whose label is missing or blank are not ranked.
    Returns a frame aligned with ``values`` (same index).
    """
    labels = pd.Series(np.asarray(labels, dtype=object), index=values.index)
    member = labels.notna().to_numpy() & (labels.fillna("").to_numpy() != "")
    label_codes = pd.factorize(labels.where(member, ""))[0]
    group = _codes(values, CELL, label_codes)
    frame = pd.DataFrame({"g": group, "s": np.where(member, _score(values), np.nan),
                          "v": np.where(member, values["value"].to_numpy(), np.nan)})
    grouped = frame.groupby("g", sort=False)
    rank = grouped["s"].rank(method="min", ascending=False).to_numpy()
    n = grouped["s"].transform("count").to_numpy()
    median = grouped["v"].transform("median").to_numpy()
    median = np.where(member, median, np.nan)
    return _result(values, rank, n, median)


def _result(values: pd.DataFrame, rank: np.ndarray, n: np.ndarray,
            median: np.ndarray) -> pd.DataFrame:
    ranked = ~np.isnan(rank)
    return pd.DataFrame({
        "rank": np.where(ranked, np.nan_to_num(rank), 0).astype("int64"),
        "n": np.where(ranked, n, 0).astype("int64"),
        "quartile": quartile_of(rank, np.where(ranked, n, 0)),
        "median": median,
        "comparison": compare_with(values, np.where(ranked, median, np.nan)),
    }, index=values.index)


def row_medians(matrix: np.ndarray) -> np.ndarray:
    """The median of each row's non-NaN values, NaN for a row with none (pure): what
    ``np.nanmedian(matrix, axis=1)`` gives, without its masked-array path (slow on the
    short rows of a neighbour group). Each row is sorted (NaN last); the median is the
    middle value, or half the sum of the two middle values."""
    ordered = np.sort(matrix, axis=1)
    count = (~np.isnan(matrix)).sum(axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[:, None], axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, (low[:, 0] + high[:, 0]) / 2.0, np.nan)


def rank_among_neighbours(values: pd.DataFrame, neighbours: pd.DataFrame) -> pd.DataFrame:
    """Rank, n, quartile, median and comparison of every row among its area's nearest
    neighbours (the area and those ``neighbours.csv`` lists for it); rows of an area with
    no neighbours listed are not ranked. Aligned with ``values``."""
    rank = np.full(len(values), np.nan)
    n = np.zeros(len(values))
    median = np.full(len(values), np.nan)
    lists = neighbours.groupby("area_code", sort=False)["neighbour_code"].agg(list)
    score, raw = _score(values), values["value"].to_numpy(dtype="float64")
    for rows in values.groupby("geography", sort=False).indices.values():
        part = values.iloc[rows]
        area_idx, areas = pd.factorize(part["area_code"])
        cells = _codes(part, ["indicator_id", "period"])
        matrix = np.full((cells.max(initial=-1) + 1, len(areas)), np.nan)
        values_m = matrix.copy()
        matrix[cells, area_idx] = score[rows]
        values_m[cells, area_idx] = raw[rows]
        position = {a: i for i, a in enumerate(areas)}
        by_area = pd.Series(np.arange(len(rows))).groupby(area_idx).indices
        for i, area in enumerate(areas):
            members = [position[c] for c in lists.get(area, []) if c in position and c != area]
            if not members:
                continue
            mine = by_area[i]
            own, others = matrix[:, i], matrix[:, members]
            with np.errstate(invalid="ignore"):
                better = (others > own[:, None]).sum(axis=1)
            count = (~np.isnan(others)).sum(axis=1) + 1
            middle = row_medians(np.column_stack([values_m[:, i], values_m[:, members]]))
            at = rows[mine]
            rank[at] = 1 + better[cells[mine]]
            n[at] = count[cells[mine]]
            median[at] = middle[cells[mine]]
    return _result(values, rank, n, median)


def group_labels(values: pd.DataFrame, group: str, groups: pd.DataFrame) -> np.ndarray:
    """The label that puts each row in its group: ``England`` for all, the region, the
    area type, or for a named group of ``groups.csv`` its name (non-members: none)."""
    if group == "england":
        return np.full(len(values), "England", dtype=object)
    if group == "region":
        return values["region"].to_numpy(dtype=object)
    if group == "type":
        return values["area_type"].to_numpy(dtype=object)
    members = set(groups.loc[groups["group"] == group, "area_code"])
    inside = values["area_code"].isin(members).to_numpy()
    return np.where(inside, group, None)


def benchmark_group(values: pd.DataFrame, group: str, groups: pd.DataFrame,
                    neighbours: pd.DataFrame) -> pd.DataFrame:
    """:func:`rank_within` or :func:`rank_among_neighbours` for one named group."""
    if group == "neighbours":
        return rank_among_neighbours(values, neighbours)
    return rank_within(values, group_labels(values, group, groups))


def add_travel(values: pd.DataFrame, no_change_max_pct: float = 0.0) -> pd.DataFrame:
    """Direction of travel of every row against the same period a year earlier and
    against the last review (:func:`pipeline.periods.previous_review_period`), and
    whether each change is significant (``yes``/``no``/blank without intervals).

    Adds ``year_ago_period``, ``year_ago_value``, ``travel_year_ago``,
    ``year_ago_significant``,
    ``review_period``, ``review_value``, ``travel_review``, ``review_significant``.
    """
    out = values.copy()
    series = _codes(out, ["area_code", "geography", "indicator_id"])
    order = out["period_order"].to_numpy(dtype="int64")
    span = int(order.max(initial=0)) + 10
    key = series.astype("int64") * span + order
    sort = np.argsort(key, kind="stable")
    sorted_key = key[sort]
    codes, uniques = pd.factorize(out["period"])
    review_text = np.array([str(previous_review_period(parse_period(p))) for p in uniques],
                           dtype=object)
    review_order = np.array([_order(p) for p in review_text], dtype="int64")
    targets = {"year_ago": order - 5, "review": review_order[codes] if len(codes) else order}
    year_ago_text = np.array([_text_of(_order(p) - 5) for p in uniques], dtype=object)
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
                                                 earlier, _lower_better(out),
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
    limit = _order(period)
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
