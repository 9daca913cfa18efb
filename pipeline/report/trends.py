"""What a trend chart shows for each indicator: the values returned against the trajectory.

:func:`indicator_trends` works out, from the clean returns and the register's targets,
each indicator's :class:`Trend` (values in force, the expected path, the baseline and the
year's target), on an axis counted in quarters (:func:`position`); the chart itself is
drawn by :func:`pipeline.report.charts.trend_svg`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from pipeline.assess.trajectory import LINEAR_PROFILE, expected_value, parse_profile
from pipeline.periods import Period, try_parse_period


@dataclass(frozen=True)
class Trend:
    """What a trend chart draws for one indicator (see :func:`indicator_trends`).

    ``actual`` and ``expected`` hold ``(position, value, period)``; a position counts
    quarters (``year * 4 + quarter``), and a whole year sits at its Q4.
    """

    indicator_id: str
    unit: str
    cumulative: bool
    actual: tuple[tuple[int, float, str], ...]
    expected: tuple[tuple[int, float, str], ...] = ()
    target: tuple[int, float, str] | None = None
    baseline: tuple[int, float, str] | None = None
    rag: str = ""


def position(period: Period) -> int:
    """A period's place on a trend's axis, in quarters (a whole year at its Q4)."""
    return period.year * 4 + (4 if period.is_year else period.quarter)


def indicator_trends(assessed: pd.DataFrame, returns: pd.DataFrame, targets: pd.DataFrame,
                     period: str) -> dict[str, Trend]:
    """Each indicator's trend: county values in force up to ``period`` against its trajectory.

    Levels (``snapshot``) run from the baseline (at the end of its year) to the end of the
    year assessed, the trajectory drawn quarter by quarter from the baseline to the
    targets. Year-to-date counts (``cumulative``) show the year assessed only, from zero
    at its start to the year's target (the baseline is a whole-year figure and is left
    out). Values come from the clean returns (rows in force, county), never typed in.

    Parameters
    ----------
    assessed
        One row per indicator (:func:`pipeline.assess.assessment.assess_indicators`).
    returns
        The clean return rows (``in_force``, ``geography``, ``period``, ``value``).
    targets
        The register's targets (``indicator_id``, ``period``, ``target_value``).
    period
        The period assessed.
    """
    now = try_parse_period(period)
    if now is None:
        return {}
    year_end = position(now.financial_year)
    columns = returns[["indicator_id", "period", "value", "in_force", "geography"]]
    county = columns[columns["in_force"].astype(bool) & (columns["geography"] == "county")
                     & columns["value"].notna()]
    by_indicator: dict[str, list[tuple[Period, float]]] = {}
    for indicator, text, value in zip(county["indicator_id"].tolist(),
                                      county["period"].tolist(), county["value"].tolist(),
                                      strict=True):
        parsed = try_parse_period(text)
        if parsed is not None and parsed <= now:
            by_indicator.setdefault(indicator, []).append((parsed, value))
    target_map: dict[str, dict[str, float]] = {}
    for indicator, text, value in zip(targets["indicator_id"].tolist(),
                                      targets["period"].tolist(),
                                      targets["target_value"].tolist(), strict=True):
        target_map.setdefault(indicator, {})[text] = value
    has_profile = "profile" in assessed.columns
    out: dict[str, Trend] = {}
    for row in assessed.to_dict("records"):
        indicator = row["indicator_id"]
        cumulative = row["accumulation"] == "cumulative"
        points: dict[int, tuple[int, float, str]] = {}
        for p, value in sorted(by_indicator.get(indicator, ())):
            if cumulative and p.financial_year != now.financial_year:
                continue
            points[position(p)] = (position(p), float(value), str(p))
        baseline = None
        base_period = try_parse_period(row.get("baseline_period", ""))
        base_value = row.get("baseline_value", float("nan"))
        if (not cumulative and base_period is not None and not pd.isna(base_value)
                and base_period < now.financial_year):
            baseline = (position(base_period.financial_year), float(base_value),
                        f"baseline {base_period}")
        start = min([p for p in points] + ([baseline[0]] if baseline else [])
                    + [year_end - 4])
        if cumulative:
            start = year_end - 4
        profile = parse_profile(row["profile"], indicator) if has_profile else LINEAR_PROFILE
        goals = target_map.get(indicator, {})
        expected = []
        if cumulative and not pd.isna(row["target_value"]):
            expected.append((start, 0.0, "start of year"))
        for q in range(start + 1, year_end + 1):
            at = Period((q - 1) // 4, (q - 1) % 4 + 1)
            value = expected_value(at, row["accumulation"], goals, base_value,
                                   row.get("baseline_period", ""), profile)
            if not math.isnan(value):
                expected.append((q, value, str(at)))
        if baseline is not None and expected and expected[0][0] > baseline[0]:
            expected.insert(0, baseline)
        target_value = goals.get(str(now.financial_year), float("nan"))
        target = None if pd.isna(target_value) else (year_end, float(target_value),
                                                     f"target {now.financial_year}")
        out[indicator] = Trend(indicator, row["unit"], cumulative,
                               tuple(points[k] for k in sorted(points)), tuple(expected),
                               target, baseline, str(row.get("final_rag", "")))
    return out
