"""Changes since the last review: RAG transition matrix per theme and the indicators that moved."""

from __future__ import annotations

import pandas as pd

from pipeline.assess.assessment import assess_indicators
from pipeline.config import Rules
from pipeline.errors import ConfigError
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import sort_indicators
from pipeline.periods import parse_period
from pipeline.rag import RAG_LABELS, RAG_STEPS

OVERALL = "All themes"
STATES = ("G", "A", "R", "N", "T")
REVIEW_COLUMNS = ["indicator_id", "final_rag", "value", "value_period", "commentary"]


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
    earlier = previous[keep].rename(columns={c: f"was_{c}" for c in keep[1:]})
    both = current.merge(earlier, on="indicator_id", how="left")
    both["was_final_rag"] = both["was_final_rag"].fillna("N")
    both["was_commentary"] = both["was_commentary"].fillna("")
    both["was_value_period"] = both["was_value_period"].fillna("")
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
    parts = []
    groups = [(names[t], both[both["theme"] == t]) for t in themes["theme"]]
    for name, rows in [*groups, (OVERALL, both)]:
        if rows.empty:
            continue
        matrix = pd.crosstab(rows["was_final_rag"], rows["final_rag"]).reindex(
            index=states, columns=states, fill_value=0)
        matrix = matrix[matrix.sum(axis=1) > 0]
        parts.append(pd.DataFrame({
            "theme": name, "was": [RAG_LABELS[s] for s in matrix.index],
            **{RAG_LABELS[s]: matrix[s].astype("int64").to_numpy() for s in states},
            "Total": matrix.sum(axis=1).astype("int64").to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def list_movements(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Every indicator whose final RAG changed, with both values and both commentaries.

    In indicator order, ratings as labels; ``movement`` as in :func:`classify_movement`.
    """
    both = pair_ratings(previous, current)
    moved = both[(both["movement"] != "unchanged") & (not previous.empty)]
    out = pd.DataFrame({
        "indicator_id": moved["indicator_id"], "title": moved["title"],
        "theme_name": moved["theme_name"], "unit": moved["unit"],
        "was": moved["was_final_rag"].map(RAG_LABELS), "now": moved["final_rag"].map(RAG_LABELS),
        "was_code": moved["was_final_rag"], "now_code": moved["final_rag"],
        "movement": moved["movement"],
        "was_value": moved["was_value"], "was_value_period": moved["was_value_period"],
        "value": moved["value"], "value_period": moved["value_period"],
        "was_commentary": moved["was_commentary"], "commentary": moved["commentary"]})
    return sort_indicators(out)


def count_movements(movements: pd.DataFrame) -> dict[str, int]:
    """How many indicators moved each way (keys in a fixed order, zero counts kept)."""
    kinds = ("improved", "worsened", "now rated", "no longer rated", "changed")
    return {k: int((movements["movement"] == k).sum()) for k in kinds}
