"""Performance statements: the sentence an officer writes for each red and amber indicator."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.assess.assessment import change_from_baseline_pct, off_target_pct
from pipeline.figures import format_number, round_half_up
from pipeline.periods import try_parse_period
from pipeline.rules_schema import Rules

STATEMENT_RAGS = ("A", "R")


def compose_statement(target: float, value: float, baseline: float, polarity: str,
                      rules: Rules, unit: str = "count", accumulation: str = "snapshot",
                      expected: float | None = None, trajectory_period: str = "") -> str:
    """The seed's sentence for one indicator, computed from its figures.

    "Target 472, actual 690, which represents an increase on the baseline of 25.9% and
    remains 46.2% off target." The change from baseline rounds (half up) to
    ``rules.statement_change_places`` decimals and the % off to
    ``rules.statement_off_places``, both one by default, printed with every decimal kept
    ("92.0%"). One decimal is the seed's own rule for the change: it reproduces its 7.1
    ("a reduction of 4.5%": 27,884 to 26,629), 7.18 ("31.5%"), 7.19 ("21.7%") and 7.20
    ("2.7%"). Its 7.21 "26%" is 142/548 = 25.91%, which no one-decimal rule (with or
    without a trailing ".0" dropped) prints as 26: the seed rounded that one to a whole
    percent, as it did 7.20's "30% off target" (29.6%); we print 25.9%.

    Parameters
    ----------
    target, value, baseline
        The period's target, the value assessed and the baseline (NaN when unknown: the
        baseline clause is then left out, as it is for a zero baseline).
    polarity
        ``higher`` or ``lower``; a beaten target reads "above" or "below" target.
    rules
        Rounding of the two percentages.
    unit
        How the numbers print (``percent`` adds ``%``, ``gbp`` a pound sign).
    accumulation, expected, trajectory_period
        Before the year end the value is measured against ``expected``, its trajectory
        point at ``trajectory_period``; a year-to-date (cumulative) value is then not
        compared with the whole-year baseline.

    Returns
    -------
    str
        The sentence; blank when there is no value or nothing to measure it against.

    Examples
    --------
    >>> print(compose_statement(472, 690, 548, "lower", Rules()))  # doctest: +NORMALIZE_WHITESPACE
    Target 472, actual 690, which represents an increase on the baseline of 25.9% and
    remains 46.2% off target.
    """
    if pd.isna(value) or pd.isna(target):
        return ""
    parsed = try_parse_period(trajectory_period)
    part_year = (parsed is not None and parsed.quarter < 4 and expected is not None
                 and not pd.isna(expected))
    point = float(expected) if part_year else float(target)
    # in-year against the annual target itself (snapshot_in_year_basis = "annual_target"):
    # the gap is to the target, and the sentence says so
    word = "trajectory" if part_year and point != float(target) else "target"
    if part_year and point != float(target):
        head = (f"Target {format_number(target, unit)} for the year, "
                f"{format_number(point, unit)} expected by {trajectory_period}, "
                f"actual {format_number(value, unit)}")
    else:
        head = f"Target {format_number(target, unit)}, actual {format_number(value, unit)}"
    clauses = []
    if not (part_year and accumulation == "cumulative"):
        clauses.append(_baseline_clause(value, baseline, rules.statement_change_places))
    clauses.append(_gap_clause(value, point, polarity, word, rules.statement_off_places))
    said = [c for c in clauses if c]
    if not said:
        return f"{head}."
    return f"{head}, which {' and '.join(said)}."


# the columns a statement is composed from (each row read as a dict of these: a wide row
# as a Series costs ~0.2 ms)
STATEMENT_READS = ("target_value", "value", "baseline_value", "polarity", "unit",
                   "accumulation", "expected_value", "trajectory_period", "final_rag")


def add_statements(assessed: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The assessment with a ``statement`` for every indicator rated amber or red (final).

    Other indicators get a blank statement. The sentence measures the value against its
    trajectory point (the annual target at the year end), as the computed RAG does.
    """
    statements = [
        compose_statement(r["target_value"], r["value"], r["baseline_value"], r["polarity"],
                          rules, r["unit"], r["accumulation"], r["expected_value"],
                          r["trajectory_period"])
        if r["final_rag"] in STATEMENT_RAGS else ""
        for r in assessed[[c for c in STATEMENT_READS if c in assessed]].to_dict("records")]
    return assessed.assign(statement=statements)


def _figure(number: Decimal) -> str:
    return f"{abs(number)}"


def _baseline_clause(value: float, baseline: float, places: int) -> str:
    change = change_from_baseline_pct(value, baseline)
    if pd.isna(change):
        return ""
    if value == baseline:
        return "represents no change on the baseline"
    kind = "an increase" if value > baseline else "a reduction"
    rounded = round_half_up(abs(change), places)
    amount = (f"less than {Decimal(1).scaleb(-places)}%" if rounded == 0
              else f"{_figure(rounded)}%")
    return f"represents {kind} on the baseline of {amount}"


def _gap_clause(value: float, point: float, polarity: str, word: str, places: int) -> str:
    if pd.isna(point):
        return ""
    if point == 0:
        met = value <= 0 if polarity == "lower" else value >= 0
        return f"{'meets' if met else 'misses'} the zero {word}"
    off = off_target_pct(value, point, polarity)
    if off == 0:
        return "meets the target" if word == "target" else "is on trajectory"
    rounded = round_half_up(abs(off), places)
    amount = (f"less than {Decimal(1).scaleb(-places)}%" if rounded == 0
              else f"{_figure(rounded)}%")
    if off > 0:
        return f"remains {amount} off {word}"
    side = "above" if polarity == "higher" else "below"
    return f"is {amount} {side} {word}"
