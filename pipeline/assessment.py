"""Assessment: per indicator and period, the value in force, % off target and the RAG ratings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.config import Rules
from pipeline.periods import Period, try_parse_period
from pipeline.register import Register, sort_indicators

RAG_LABELS = {
    "G": "Green",
    "A": "Amber",
    "R": "Red",
    "N": "Not available for reporting",
    "T": "Target not agreed",
}
RATED = ("G", "A", "R")
UNAGREED_TARGET = ("placeholder", "provisional")


def off_target_pct(value: float, target: float, polarity: str) -> float:
    """How far ``value`` falls short of ``target``, as a % of the target (polarity-aware).

    Positive means off target (below it when higher is better, above it when lower is
    better); zero or negative means met or beaten. NaN when the value or target is
    missing, or the target is zero (no percentage of zero exists).

    Examples
    --------
    >>> round(off_target_pct(690, 472, "lower"), 1)
    46.2
    """
    if _missing(value) or _missing(target) or target == 0:
        return float("nan")
    gap = (target - value) if polarity == "higher" else (value - target)
    return gap / abs(target) * 100.0


def change_from_baseline_pct(value: float, baseline: float) -> float:
    """Signed % change from the baseline (``+26`` is an increase), NaN if not computable."""
    if _missing(value) or _missing(baseline) or baseline == 0:
        return float("nan")
    return (value - baseline) / abs(baseline) * 100.0


def rate_value(value: float, target: float, polarity: str, target_status: str,
               rules: Rules) -> tuple[str, str]:
    """The computed RAG of one value against its target, and the reason in words.

    Returns one of ``G``, ``A``, ``R``, ``N`` (not available for reporting) or ``T``
    (target not agreed), with a short reason.
    """
    if _missing(value):
        return "N", "no usable value"
    if target_status in UNAGREED_TARGET:
        return "T", f"target is {target_status}"
    if _missing(target):
        return "N", "no target for the period"
    if target == 0:
        met = value <= 0 if polarity == "lower" else value >= 0
        return ("G", "zero target met") if met else ("R", "zero target missed")
    off = off_target_pct(value, target, polarity)
    if off <= rules.green_max_off_pct:
        return "G", "target met" if off <= 0 else f"within {rules.green_max_off_pct:g}% of target"
    if off <= rules.amber_max_off_pct:
        return "A", f"{off:.1f}% off target (amber up to {rules.amber_max_off_pct:g}%)"
    return "R", f"{off:.1f}% off target (red beyond {rules.amber_max_off_pct:g}%)"


def final_rag(computed: str, lead: str) -> str:
    """The rating reported: the lead's judgement where given, else the computed one.

    No usable value (``N``) and an unagreed target (``T``) are never overridden: a lead
    cannot rate green what cannot be measured.
    """
    if computed in ("N", "T"):
        return computed
    return lead if lead in RATED else computed


def select_values(rows: pd.DataFrame, period: str, geography: str = "county") -> pd.DataFrame:
    """The submission each indicator is assessed on for ``period`` in ``geography``.

    Takes rows in force for the geography whose period falls in the same financial year
    and not after ``period`` (a quarter, or the year itself once the year is over), and
    keeps the latest per indicator: a year-end assessment uses Q3 data where Q4 is not in.
    """
    wanted = try_parse_period(period)
    periods = rows["period"].map(try_parse_period)
    in_year = periods.map(lambda p: p is not None and p.year == wanted.year and p <= _cap(wanted))
    chosen = rows[rows["in_force"].astype(bool) & (rows["geography"] == geography) & in_year]
    chosen = chosen.assign(_order=periods[chosen.index].map(lambda p: (p.year, p.quarter)))
    chosen = chosen.sort_values(["indicator_id", "_order"], kind="stable")
    latest = chosen.groupby("indicator_id", sort=False).tail(1)
    return latest.drop(columns="_order").reset_index(drop=True)


def _cap(period: Period) -> Period:
    # At Q4 the year is complete: an annual (whole-year) value counts as the latest.
    return Period(period.year) if period.quarter == 4 else period


def target_for(targets: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each indicator's target for ``period``: a quarter's own target, else its year's."""
    wanted = try_parse_period(period)
    year = targets[targets["period"] == str(wanted.financial_year)]
    exact = targets[targets["period"] == str(wanted)]
    both = pd.concat([exact, year]).drop_duplicates("indicator_id", keep="first")
    return both.rename(columns={"period": "target_period"})


def assess_indicators(register: Register, rows: pd.DataFrame, period: str,
                      rules: Rules) -> pd.DataFrame:
    """One row per register indicator: value in force, target, % off target and RAGs.

    Parameters
    ----------
    register
        The loaded indicator register.
    rows
        Validated returns with ``in_force`` resolved (see :mod:`pipeline.ingest`).
    period
        The period assessed, e.g. ``2006-07 Q4``.
    rules
        RAG tolerances.
    """
    values = select_values(rows, period)[[
        "indicator_id", "period", "value", "value_text", "data_status", "lead_rag", "commentary",
        "actions", "partner", "submitted_by", "record_id", "source_file", "source_row"]]
    values = values.rename(columns={"period": "value_period"})
    targets = target_for(register.targets, period)
    cols = [c for c in ("indicator_id", "target_period", "target_value", "target_status",
                        "target_without_stretch") if c in targets]
    themes = register.themes[["theme", "name", "appendix_name", "block"]].rename(
        columns={"name": "theme_name"})
    out = (register.indicators.merge(themes, on="theme", how="left")
           .merge(targets[cols], on="indicator_id", how="left")
           .merge(values, on="indicator_id", how="left"))
    for column in ("value_text", "data_status", "lead_rag", "commentary", "actions", "partner",
                   "submitted_by", "record_id", "source_file", "value_period", "target_status",
                   "target_period"):
        out[column] = out[column].fillna("").astype(str)
    out.loc[out["data_status"] == "not_available", "value"] = np.nan
    out["change_from_baseline_pct"] = [change_from_baseline_pct(v, b) for v, b in
                                       zip(out["value"], out["baseline_value"], strict=True)]
    out["off_target_pct"] = [off_target_pct(v, t, p) for v, t, p in
                             zip(out["value"], out["target_value"], out["polarity"], strict=True)]
    rated = [rate_value(v, t, p, s, rules) for v, t, p, s in
             zip(out["value"], out["target_value"], out["polarity"], out["target_status"],
                 strict=True)]
    out["computed_rag"] = [r for r, _ in rated]
    out["rag_reason"] = [why for _, why in rated]
    out.loc[out["record_id"] == "", "rag_reason"] = "no return for the period"
    out["final_rag"] = [final_rag(c, lead) for c, lead in
                        zip(out["computed_rag"], out["lead_rag"], strict=True)]
    out["rag_differs"] = out["final_rag"] != out["computed_rag"]
    out["period"] = period
    return sort_indicators(out)


def _missing(number: object) -> bool:
    return number is None or (isinstance(number, float) and math.isnan(number)) or pd.isna(number)
