"""Assessment: per indicator and period, the value in force, % off target and trajectory, RAGs."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from pipeline.assess.trajectory import profile_trajectory
from pipeline.errors import ConfigError, NoReturns
from pipeline.figures import format_number
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import sort_indicators
from pipeline.periods import Period, try_parse_period
from pipeline.rag import RAG_STEPS, RATED
from pipeline.rules_schema import Rules

UNAGREED_TARGET = ("placeholder", "provisional")
TOLERANCE_KEYS = ("green_max_off_pct", "amber_max_off_pct")


class Tolerance(NamedTuple):
    """The two RAG thresholds applied to one indicator, in % off trajectory."""

    green_max_off_pct: float
    amber_max_off_pct: float


def check_tolerances(rules: Rules) -> None:
    """Check the per-unit and per-indicator tolerances of ``rules``.

    Raises
    ------
    ConfigError
        For an unknown key, a value that is not a number, or amber below green.
    """
    for kind, table in (("by_unit", rules.by_unit), ("by_indicator", rules.by_indicator)):
        for key in sorted(table):
            entry = table[key]
            if not isinstance(entry, dict):
                raise ConfigError(f"rules: rag.{kind}.{key} should be a table of "
                                  f"{' and '.join(TOLERANCE_KEYS)}")
            unknown = sorted(set(entry) - set(TOLERANCE_KEYS))
            if unknown:
                raise ConfigError(f"rules: rag.{kind}.{key}: unknown key(s) "
                                  f"{', '.join(unknown)}; known: {', '.join(TOLERANCE_KEYS)}")
            if any(isinstance(v, bool) or not isinstance(v, int | float) for v in entry.values()):
                raise ConfigError(f"rules: rag.{kind}.{key}: tolerances must be numbers")
            green, amber = tolerance_for(rules, key if kind == "by_indicator" else "",
                                         key if kind == "by_unit" else "")
            if amber < green:
                raise ConfigError(f"rules: rag.{kind}.{key}: amber_max_off_pct must not be "
                                  "below green_max_off_pct")


def tolerance_for(rules: Rules, indicator_id: str, unit: str) -> Tolerance:
    """The RAG thresholds for one indicator: its own, else its unit's, else the defaults.

    Each threshold is looked up on its own, so an indicator entry giving only
    ``amber_max_off_pct`` keeps the unit's (or default) ``green_max_off_pct``.
    """
    found = {"green_max_off_pct": rules.green_max_off_pct,
             "amber_max_off_pct": rules.amber_max_off_pct}
    for table, key in ((rules.by_unit, unit), (rules.by_indicator, indicator_id)):
        found.update({k: float(v) for k, v in table.get(key, {}).items()
                      if k in TOLERANCE_KEYS})
    return Tolerance(found["green_max_off_pct"], found["amber_max_off_pct"])


def rag_gap(computed: str, lead: str) -> int:
    """Signed steps from the computed to the lead's rating (``G`` 0, ``A`` 1, ``R`` 2).

    Positive when the lead is kinder than the numbers (computed ``R``, lead ``G`` is +2);
    0 when either is not a rating (not available, target not agreed, no lead rating).
    """
    if computed not in RAG_STEPS or lead not in RAG_STEPS:
        return 0
    return RAG_STEPS[computed] - RAG_STEPS[lead]


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
               rules: Rules, tolerance: Tolerance | None = None,
               measure: str = "target") -> tuple[str, str]:
    """The computed RAG of one value against its target (or trajectory point), with a reason.

    Parameters
    ----------
    value, target
        The value and what it is measured against (the trajectory point in
        :func:`assess_indicators`, which is the annual target at the year end).
    polarity
        ``higher`` or ``lower``: which way is better.
    target_status
        ``agreed``; ``placeholder`` or ``provisional`` give ``T`` (target not agreed).
    rules
        The default thresholds, used unless ``tolerance`` is given.
    tolerance
        The indicator's own thresholds (see :func:`tolerance_for`).
    measure
        The word used in the reason (``target`` or ``trajectory``).

    Returns
    -------
    tuple of str
        One of ``G``, ``A``, ``R``, ``N`` (not available for reporting) or ``T`` (target
        not agreed), and a short reason.
    """
    green, amber = tolerance or Tolerance(rules.green_max_off_pct, rules.amber_max_off_pct)
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
    if off <= green:
        met = "target met" if measure == "target" else f"on {measure}"
        return "G", met if off <= 0 else f"within {green:g}% of {measure}"
    if off <= amber:
        return "A", f"{off:.1f}% off {measure} (amber up to {amber:g}%)"
    return "R", f"{off:.1f}% off {measure} (red beyond {amber:g}%)"


def final_rag(computed: str, lead: str) -> str:
    """The rating reported: the lead's judgement where given, else the computed one.

    No usable value (``N``) and an unagreed target (``T``) are never overridden: a lead
    cannot rate green what cannot be measured.
    """
    if computed in ("N", "T"):
        return computed
    return lead if lead in RATED else computed


def usable_rows(rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows in force that an assessment of ``period`` can use, in any geography.

    Rows whose period falls in the same financial year and not after ``period`` (a
    quarter, or the year itself once the year is over); index kept.
    """
    wanted = try_parse_period(period)
    periods = rows["period"].map(try_parse_period)
    in_year = periods.map(lambda p: p is not None and p.year == wanted.year and p <= _cap(wanted))
    return rows[rows["in_force"].astype(bool) & in_year.astype(bool)]


def require_returns(rows: pd.DataFrame, period: str, returns_dir: object) -> None:
    """Refuse to assess a period for which no return is usable.

    Raises
    ------
    NoReturns
        When no row in force falls in ``period``'s year up to ``period`` (a new
        partnership's empty ``returns/``, or a period nobody has sent data for yet).
    """
    if rows.empty or usable_rows(rows, period).empty:
        raise NoReturns.for_period(period, returns_dir)


def select_values(rows: pd.DataFrame, period: str, geography: str = "county") -> pd.DataFrame:
    """The submission each indicator is assessed on for ``period`` in ``geography``.

    Takes the :func:`usable_rows` of the geography and keeps the latest per indicator: a
    year-end assessment uses Q3 data where Q4 is not in.
    """
    return latest_values(usable_rows(rows, period), geography)


def latest_values(usable: pd.DataFrame, geography: str = "county") -> pd.DataFrame:
    """The latest of the :func:`usable_rows` per indicator in ``geography`` (see
    :func:`select_values`; the usable rows found once serve every district)."""
    chosen = usable[usable["geography"] == geography]
    periods = chosen["period"].map(try_parse_period)
    chosen = chosen.assign(_order=periods.map(lambda p: (p.year, p.quarter)))
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
        Validated returns with ``in_force`` resolved (see :mod:`pipeline.inputs.ingest`).
    period
        The period assessed, e.g. ``2006-07 Q4``.
    rules
        RAG tolerances (see :func:`tolerance_for`).

    Notes
    -----
    The computed RAG measures the value against its trajectory point: the value expected
    at the period of the value (:mod:`pipeline.assess.trajectory`), which at the year end is the
    annual target; a level's in-year value against the annual target instead when the rule
    ``snapshot_in_year_basis`` says so (:func:`rating_measure`). ``rating_basis`` says what
    each computed G, A or R was measured against. ``off_target_pct`` keeps the comparison
    with the period's target.
    """
    check_tolerances(rules)
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
    out = _add_trajectory(out, register, period, rules.snapshot_in_year_basis)
    tolerances = [tolerance_for(rules, i, u) for i, u in
                  zip(out["indicator_id"], out["unit"], strict=True)]
    bad = [i for i, t in zip(out["indicator_id"], tolerances, strict=True)
           if t.amber_max_off_pct < t.green_max_off_pct]
    if bad:
        raise ConfigError(f"rules: indicator {bad[0]}: amber_max_off_pct is below "
                          "green_max_off_pct once unit and indicator tolerances are combined")
    out["green_max_off_pct"] = [t.green_max_off_pct for t in tolerances]
    out["amber_max_off_pct"] = [t.amber_max_off_pct for t in tolerances]
    measures = [rating_measure(tp, a, rules.snapshot_in_year_basis) for tp, a in
                zip(out["trajectory_period"], out["accumulation"], strict=True)]
    rated = [rate_value(v, e, p, s, rules, tol, m) for v, e, p, s, tol, m in
             zip(out["value"], out["expected_value"], out["polarity"], out["target_status"],
                 tolerances, measures, strict=True)]
    out["computed_rag"] = [r for r, _ in rated]
    out["rag_reason"] = [why for _, why in rated]
    out["rating_basis"] = [describe_basis(m, e, u, tp) if r in RAG_STEPS else ""
                           for r, m, e, u, tp in zip(out["computed_rag"], measures,
                                                     out["expected_value"], out["unit"],
                                                     out["trajectory_period"], strict=True)]
    out.loc[out["record_id"] == "", "rag_reason"] = "no return for the period"
    out["final_rag"] = [final_rag(c, lead) for c, lead in
                        zip(out["computed_rag"], out["lead_rag"], strict=True)]
    out["rag_differs"] = out["final_rag"] != out["computed_rag"]
    out["period"] = period
    return sort_indicators(out)


def _add_trajectory(out: pd.DataFrame, register: Register, period: str,
                    in_year_basis: str = "trajectory") -> pd.DataFrame:
    """Expected value (with and without stretch) at each value's period, and % off it.

    A level's in-year value under ``in_year_basis = "annual_target"`` is expected at the
    year's figures themselves (:func:`rating_measure`)."""
    at = {i: (vp or period) for i, vp in zip(out["indicator_id"], out["value_period"],
                                             strict=True)}
    out = out.assign(trajectory_period=out["indicator_id"].map(at))
    point_at = {i: (str(try_parse_period(at[i]).financial_year)
                    if rating_measure(at[i], a, in_year_basis) == "annual target" else at[i])
                for i, a in zip(out["indicator_id"], out["accumulation"], strict=True)}
    out["expected_value"] = profile_trajectory(out, register.targets, point_at).to_numpy()
    out["expected_without_stretch"] = profile_trajectory(
        out, register.targets, point_at, "target_without_stretch").to_numpy()
    out["off_trajectory_pct"] = [off_target_pct(v, e, p) for v, e, p in
                                 zip(out["value"], out["expected_value"], out["polarity"],
                                     strict=True)]
    return out


def rating_measure(value_period: str, accumulation: str,
                   in_year_basis: str = "trajectory") -> str:
    """What a value of ``value_period`` is rated against: ``target`` at the year end (Q4 or
    a whole year); before it ``trajectory``, or ``annual target`` for a level (snapshot)
    under the rule ``snapshot_in_year_basis = "annual_target"``."""
    period = try_parse_period(value_period)
    if period is None or period.quarter >= 4:
        return "target"
    if in_year_basis == "annual_target" and accumulation == "snapshot":
        return "annual target"
    return "trajectory"


def printed_basis(rating_basis: object) -> str:
    """The basis worth printing beside a rating: that of an in-year value (``trajectory
    at ...``, ``annual target ...``); blank at the year end, where it is the target."""
    text = rating_basis if isinstance(rating_basis, str) else ""
    return "" if text.startswith("target ") else text


def basis_measure(rating_basis: object) -> str:
    """What a computed rating was measured against, read from its ``rating_basis``:
    ``target`` (at the year end), ``annual target`` or ``trajectory`` (also when blank)."""
    text = rating_basis if isinstance(rating_basis, str) else ""
    for measure in ("annual target", "target"):
        if text.startswith(measure + " "):
            return measure
    return "trajectory"


def describe_basis(measure: str, point: float, unit: str, value_period: str) -> str:
    """The basis printed beside a computed rating: ``target 472``, ``annual target 40%``,
    ``trajectory at 2006-07 Q3: 39.19%``; blank when the figure is missing."""
    if _missing(point):
        return ""
    figure = format_number(point, unit)
    return (f"trajectory at {value_period}: {figure}" if measure == "trajectory"
            else f"{measure} {figure}")


def _missing(number: object) -> bool:
    return number is None or (isinstance(number, float) and math.isnan(number)) or pd.isna(number)
