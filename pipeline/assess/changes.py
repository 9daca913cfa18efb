"""Changes since the last review: RAG transition matrix per theme and the indicators that moved."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from pipeline.assess.assessment import assess_indicators
from pipeline.assess.direction import annualise
from pipeline.assess.trajectory import parse_profile, year_share
from pipeline.errors import ConfigError
from pipeline.figures import format_number, round_half_up, status_word
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import sort_indicators
from pipeline.periods import Period, parse_period, try_parse_period
from pipeline.rag import RAG_LABELS, RAG_STEPS
from pipeline.rules_schema import Rules

OVERALL = "All themes"
STATES = ("G", "A", "R", "N", "T")
REVIEW_COLUMNS = ["indicator_id", "final_rag", "value", "value_period", "commentary",
                  "data_status"]
NOT_COMPARED = "not compared"
MOVEMENT_KINDS = ("improved", "worsened", "now rated", "no longer rated", "changed",
                  NOT_COMPARED)
COMPARISON_COLUMNS = ("compared_was_value", "compared_was_period", "compared_value",
                      "compared_period", "basis")


def resolve_previous_period(period: str, previous_period: str | None) -> str | None:
    """The canonical previous review period, or None when there is none to compare with.

    Blank means no previous review; the period itself also means none (nothing changed
    since). A malformed period, or one after ``period``, is an error.

    Raises
    ------
    ConfigError
        If ``previous_period`` is not a period or comes after ``period``.
    """
    if previous_period is None or not str(previous_period).strip():
        return None
    previous, current = parse_period(previous_period), parse_period(period)
    if previous > current:
        raise ConfigError(f"previous period {previous} comes after the period assessed "
                          f"{current}")
    return None if previous == current else str(previous)


def assess_review(register: Register, rows: pd.DataFrame, previous_period: str | None,
                  rules: Rules) -> pd.DataFrame:
    """The assessment at the previous review, as it is computed now from the same returns.

    Empty (no rows; the columns the comparison reads) when there is no previous review
    period, or no indicator had a return for it (no review took place).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else object)
                          for c in REVIEW_COLUMNS})
    if previous_period is None:
        return empty
    assessed = assess_indicators(register, rows, previous_period, rules)
    return empty if (assessed["record_id"] == "").all() else assessed


def classify_movement(was: str, now: str) -> str:
    """How a final RAG moved: ``improved``, ``worsened``, ``now rated``, ``no longer rated``,
    ``unchanged`` or ``changed`` (between not available and target not agreed)."""
    if was == now:
        return "unchanged"
    if was in RAG_STEPS and now in RAG_STEPS:
        return "improved" if RAG_STEPS[now] < RAG_STEPS[was] else "worsened"
    if now in RAG_STEPS:
        return "now rated"
    if was in RAG_STEPS:
        return "no longer rated"
    return "changed"


def pair_ratings(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """The two assessments side by side, one row per indicator of the current one."""
    keep = REVIEW_COLUMNS
    earlier = previous.reindex(columns=keep).rename(columns={c: f"was_{c}" for c in keep[1:]})
    both = current.merge(earlier, on="indicator_id", how="left")
    both["was_final_rag"] = both["was_final_rag"].fillna("N")
    for column in ("was_commentary", "was_value_period", "was_data_status"):
        both[column] = both[column].astype(object).fillna("")
    both["movement"] = [classify_movement(w, n) for w, n in
                        zip(both["was_final_rag"], both["final_rag"], strict=True)]
    return both


def tabulate_transitions(previous: pd.DataFrame, current: pd.DataFrame,
                         themes: pd.DataFrame) -> pd.DataFrame:
    """The RAG transition matrix per theme, then for all themes.

    Rows: one per theme (summary order, then ``All themes``) and earlier rating that
    any indicator of the theme had; columns: ``theme``, ``was`` (label), one count column
    per current rating label and ``Total``. Target not agreed appears only when used.
    """
    if previous.empty:
        return pd.DataFrame(columns=["theme", "was", "Total"])
    both = pair_ratings(previous, current)
    used = set(both["was_final_rag"]) | set(both["final_rag"])
    states = [s for s in STATES if s in ("G", "A", "R", "N") or s in used]
    names = dict(zip(themes["theme"], themes["name"], strict=True))
    pairs = list(zip(both["theme"].tolist(), both["was_final_rag"].tolist(),
                     both["final_rag"].tolist(), strict=True))
    parts = []
    groups = [(names[t], Counter((was, now) for theme, was, now in pairs if theme == t))
              for t in themes["theme"]]
    for name, counts in [*groups, (OVERALL, Counter((was, now) for _, was, now in pairs))]:
        if not counts:
            continue
        # the crosstab of earlier by current rating, over the states shown: rows with none
        # left out
        matrix = {was: [counts[(was, now)] for now in states] for was in states}
        shown = [was for was in states if sum(matrix[was]) > 0]
        parts.append(pd.DataFrame({
            "theme": name, "was": [RAG_LABELS[s] for s in shown],
            **{RAG_LABELS[now]: np.array([matrix[was][i] for was in shown], dtype="int64")
               for i, now in enumerate(states)},
            "Total": np.array([sum(matrix[was]) for was in shown], dtype="int64")}))
    return pd.concat(parts, ignore_index=True)


def list_movements(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Every indicator whose final RAG changed, with both values and both commentaries.

    In indicator order, ratings as labels; ``movement`` as in :func:`classify_movement`,
    or ``not compared`` where the two values cannot be compared like with like. The
    figures compared like with like and the basis in words are in ``compared_was_value``,
    ``compared_was_period``, ``compared_value``, ``compared_period`` and ``basis``
    (:func:`compare_like_for_like`).
    """
    both = pair_ratings(previous, current)
    moved = both[(both["movement"] != "unchanged") & (not previous.empty)]
    like = pd.DataFrame([compare_like_for_like(r) for _, r in moved.iterrows()],
                        columns=list(COMPARISON_COLUMNS), index=moved.index)
    movement = moved["movement"].where(~like["basis"].str.startswith(UNLIKE), NOT_COMPARED)
    out = pd.DataFrame({
        "indicator_id": moved["indicator_id"], "title": moved["title"],
        "theme_name": moved["theme_name"], "unit": moved["unit"],
        "was": moved["was_final_rag"].map(RAG_LABELS), "now": moved["final_rag"].map(RAG_LABELS),
        "was_code": moved["was_final_rag"], "now_code": moved["final_rag"],
        "movement": movement,
        "was_value": moved["was_value"], "was_value_period": moved["was_value_period"],
        "value": moved["value"], "value_period": moved["value_period"],
        "was_data_status": moved["was_data_status"],
        "data_status": moved.get("data_status", pd.Series("", moved.index)).fillna(""),
        **{c: like[c] for c in COMPARISON_COLUMNS},
        "was_commentary": moved["was_commentary"], "commentary": moved["commentary"]})
    return sort_indicators(out)


def count_movements(movements: pd.DataFrame) -> dict[str, int]:
    """How many indicators moved each way (keys in a fixed order, zero counts kept)."""
    return {k: int((movements["movement"] == k).sum()) for k in MOVEMENT_KINDS}


UNLIKE = "not compared:"
YEAR_PACE = "a year"           # a year-to-date count put on a whole-year basis


def _field(row: pd.Series, name: str, default: object = "") -> object:
    """``row[name]``, or ``default`` where the row lacks it or holds a missing value."""
    value = row.get(name, default)
    return default if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _when(period: Period, now: Period) -> str:
    """``Q2`` for a quarter of the year compared with, else the period in full."""
    return f"Q{period.quarter}" if period.year == now.year and not period.is_year \
        else str(period)


def compare_like_for_like(row: pd.Series) -> dict[str, object]:
    """The two values of a moved indicator as they can fairly be compared, and the basis.

    A level (``snapshot``) is compared as returned. A year-to-date count
    (``cumulative``) is compared as returned when both values are for the same point
    of the year; else with the same point a year before when the data has it
    (``year_ago_value`` and ``year_ago_period``, :func:`pipeline.assess.direction.add_direction`);
    else both on a whole-year basis, each divided by the share of the year the
    indicator's profile expects by then; else not at all, and the basis says why
    (it then starts ``not compared:``).

    Parameters
    ----------
    row
        A row of :func:`pair_ratings`: ``was_value``, ``was_value_period``, ``value``,
        ``value_period``, ``unit``, and where known ``accumulation``, ``profile``,
        ``year_ago_value`` and ``year_ago_period``.

    Returns
    -------
    dict
        ``compared_was_value``, ``compared_was_period``, ``compared_value``,
        ``compared_period`` (a period, or ``a year`` for a count put on a whole-year
        basis) and
        ``basis``; blank figures (NaN) and basis when either value is missing.

    Examples
    --------
    >>> out = compare_like_for_like(pd.Series({
    ...     "was_value": 604.0, "was_value_period": "2006-07 Q2", "value": 1151.0,
    ...     "value_period": "2006-07 Q4", "unit": "count", "accumulation": "cumulative"}))
    >>> out["compared_was_value"], out["compared_value"]
    (1208.0, 1151.0)
    """
    unit = str(_field(row, "unit", "count"))
    was, now = _field(row, "was_value", float("nan")), _field(row, "value", float("nan"))
    was_at, now_at = str(_field(row, "was_value_period")), str(_field(row, "value_period"))
    blank = dict.fromkeys(COMPARISON_COLUMNS, "") | {
        "compared_was_value": float("nan"), "compared_value": float("nan")}
    if pd.isna(was) or pd.isna(now):
        return blank
    same = {"compared_was_value": float(was), "compared_was_period": was_at,
            "compared_value": float(now), "compared_period": now_at}
    if str(_field(row, "accumulation", "snapshot")) != "cumulative":
        return same | {"basis": "levels, compared as returned"}
    then_p, now_p = try_parse_period(was_at), try_parse_period(now_at)
    if then_p is not None and then_p == now_p:
        return same | {"basis": "year-to-date counts at the same point of the year"}
    ago_value = _field(row, "year_ago_value", float("nan"))
    ago_p = try_parse_period(_field(row, "year_ago_period"))
    if ago_p is not None and now_p is not None and not pd.isna(ago_value):
        return same | {
            "compared_was_value": float(ago_value), "compared_was_period": str(ago_p),
            "basis": f"year-to-date counts: {now_p} against the same point a year "
                     f"before ({ago_p})"}
    written = _field(row, "profile")
    profile = parse_profile(written)
    shares = [year_share(p, profile) if p is not None else 0.0 for p in (then_p, now_p)]
    if then_p is None or now_p is None or 0.0 in shares:
        return blank | {"basis": f"{UNLIKE} year-to-date counts at different points of the "
                                 "year, with no share of the year to put them on one basis"}
    words = [f"{format_number(value, unit)} by {_when(period, now_p)}, when "
             f"{round_half_up(share * 100.0, 0)}% of the year's movement is expected"
             for value, period, share in ((was, then_p, shares[0]), (now, now_p, shares[1]))
             if share < 1.0]
    return {
        "compared_was_value": annualise(was, was_at, "cumulative", written),
        "compared_was_period": YEAR_PACE,
        "compared_value": annualise(now, now_at, "cumulative", written),
        "compared_period": YEAR_PACE,
        "basis": "year-to-date counts put on a whole-year basis: " + "; ".join(words)}


def describe_comparison(row: pd.Series) -> str:
    """A moved indicator's values in one phrase, like with like, with the basis.

    ``1,208 then, 1,151 now (year-to-date counts on a whole-year basis: ...)``; values
    that are not compared are given as returned, with the reason; ``n/a`` for a value
    missing. A row without :func:`compare_like_for_like`'s columns gives the values as
    returned.
    """
    unit = str(_field(row, "unit", "count"))
    basis = str(_field(row, "basis"))
    compared = basis and not basis.startswith(UNLIKE)
    was = _field(row, "compared_was_value" if compared else "was_value", float("nan"))
    now = _field(row, "compared_value" if compared else "value", float("nan"))
    was_text, now_text = format_number(was, unit) or "n/a", format_number(now, unit) or "n/a"
    year_before = False
    if compared and _field(row, "compared_was_period") == YEAR_PACE:
        text = f"{was_text} a year then, {now_text} a year now ({basis})"
    elif year_before := (compared and _field(row, "compared_was_period")
                         != _field(row, "was_value_period")):
        text = (f"{now_text} now against {was_text} at the same point a year before "
                f"({_field(row, 'compared_was_period')}; year-to-date counts)")
    else:
        text = f"{was_text} then, {now_text} now"
        text = f"{text} ({basis})" if basis else text
    marks = [f"the value {when} {status_word(_field(row, column))}" for when, column in
             (("then was", "was_data_status"), ("now is", "data_status"))
             if status_word(_field(row, column)) and not (year_before and when == "then was")]
    return f"{text}; {' and '.join(marks)}" if marks else text
