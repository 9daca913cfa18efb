"""Ranking an area in its comparator groups: rank, n, quartile, median and comparison.

Every function works on all areas at once (three million rows in seconds): ranks within a
group are one ``groupby`` over integer codes; nearest-neighbour groups, which differ from
area to area, are computed on a matrix of values per indicator and period.

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

BETTER, SIMILAR, WORSE, NOT_COMPARED = "better", "similar", "worse", "not compared"
CELL = ["geography", "indicator_id", "period"]
RESULT_COLUMNS = ["rank", "n", "quartile", "median", "comparison"]


def combination_codes(frame: pd.DataFrame, columns: list[str],
                      extra: np.ndarray | None = None) -> np.ndarray:
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
    return np.where(lower_is_better(values), -value, value)


def lower_is_better(values: pd.DataFrame) -> np.ndarray:
    """True for each row whose indicator's polarity is ``lower`` (pure)."""
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
    higher = ~lower_is_better(values)
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
    group = combination_codes(values, CELL, label_codes)
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
        cells = combination_codes(part, ["indicator_id", "period"])
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
