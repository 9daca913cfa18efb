"""The first agreement's reward inside the second (seed 001, para 28).

2008-09 is LAA1's final year: its reward targets carry forward into LAA2, and their
Performance Reward Grant is known at that year's end. An LAA2 run whose register names
the LAA1 data folder (:mod:`pipeline.inputs.performance_grant`) assesses LAA1's returns
as they stand and forecasts each reward sub-target's final year with the gap analysis's
own rule (:func:`pipeline.assess.reward_gap.analyse_reward_gaps`: the line from the
baseline through the latest value carried on to the final year, the grant payable there
and the grant at stake), for every reward target whatever its rating, then totals it per
reward target (:func:`pipeline.assess.reward_targets.tabulate_reward_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.assess.assessment import assess_indicators
from pipeline.assess.reward_gap import analyse_reward_gaps
from pipeline.assess.reward_targets import tabulate_reward_targets
from pipeline.figures import format_gbp
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.performance_grant import PerformanceGrant
from pipeline.inputs.register import load_register, read_partnership
from pipeline.periods import try_parse_period
from pipeline.quality.quarantine import check_returns
from pipeline.rag import RAG_LABELS
from pipeline.rules import load_rules
from pipeline.rules_schema import Rules


@dataclass(frozen=True)
class FirstAgreement:
    """The first agreement's reward as a second agreement's run sees it: its title, the
    period its returns reach, the final-year forecast per sub-target and per reward
    target, what the forecast is from, and how many of its rows were quarantined."""

    agreement: str
    period: str
    forecast: pd.DataFrame
    per_target: pd.DataFrame
    basis: str
    quarantined: int


def assess_first_agreement(folder: Path, up_to: str, suites: dict[str, dict],
                           run_time: str) -> FirstAgreement | None:
    """Read the first agreement's register and returns in ``folder`` (never writing
    there), check them as its own run would (rows failing a critical check quarantined),
    assess them at their latest period up to ``up_to`` and forecast its reward targets'
    final year. None when it has no return up to ``up_to``. ``run_time`` is what a
    submission time must not be after: the assess stage gives the meeting's date, not the
    run's stamp, so that the figures never depend on when the run was made.

    Raises
    ------
    RegisterError
        For its register, as for any register (naming the file, row and column).
    ValidationFailed
        When a critical table-level check of its returns fails.
    """
    register_dir = folder / "register"
    reg = load_register(register_dir)
    rules = load_rules(register_dir / "rules.toml")
    read = ingest_returns(folder / "returns", max_bytes=int(rules.max_file_mb * 1e6))
    period = latest_period(read.rows["period"] if "period" in read.rows else pd.Series(),
                           up_to)
    if period is None:
        return None
    checked = check_returns(read.rows, read.file_problems, reg, suites, period, rules,
                            run_time=run_time, assess=assess_indicators)
    assessed = assess_indicators(reg, checked.clean, period, rules)
    forecast = forecast_first_agreement(assessed, reg.targets, reg.themes, rules)
    return FirstAgreement(read_partnership(register_dir)["agreement"], period, forecast,
                          tabulate_first_agreement(forecast), describe_forecast_basis(forecast),
                          len(checked.quarantine))


def latest_period(periods: pd.Series, up_to: str) -> str | None:
    """The latest period of ``periods`` no later than ``up_to`` (the first agreement's
    returns as they stand at the second's period); None when there is none."""
    limit = try_parse_period(up_to)
    parsed = [p for p in map(try_parse_period, periods.dropna().astype(str))
              if p is not None and (limit is None or p <= limit)]
    return str(max(parsed)) if parsed else None


def forecast_first_agreement(assessed: pd.DataFrame, targets: pd.DataFrame,
                             themes: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every reward sub-target of the first agreement forecast to its final year.

    Parameters
    ----------
    assessed
        The first agreement's assessment at its latest period.
    targets, themes
        Its register's targets (stretch and without-stretch per year) and themes.
    rules
        Its rules (the grant's floor and cap).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`pipeline.assess.reward_gap.analyse_reward_gaps` for every reward
        target (not only those off track), without improvement options: per sub-target
        ``final_year``, ``forecast`` and its ``basis``, ``grant_gbp``, ``payable_gbp``,
        ``at_stake_gbp``, with theme and overall totals.
    """
    every = rules.model_copy(update={"at_risk_ratings": tuple(RAG_LABELS)})
    return analyse_reward_gaps(assessed, targets, None, themes, every)


def tabulate_first_agreement(forecast: pd.DataFrame) -> pd.DataFrame:
    """The final-year forecast per reward target, with an overall total: the table of
    :func:`pipeline.assess.reward_targets.tabulate_reward_targets`, its ``forecast_gbp``
    the grant payable at the final-year forecast and both "at risk" columns the grant at
    stake there (``at_risk_sub_targets``: the sub-targets with grant at stake)."""
    subs = forecast[forecast["row_type"] == "target"]
    return tabulate_reward_targets(subs.assign(
        forecast_gbp=subs["payable_gbp"], at_risk_seed_gbp=subs["at_stake_gbp"],
        at_risk_forecast_gbp=subs["at_stake_gbp"]))


def describe_forecast_basis(forecast: pd.DataFrame) -> str:
    """What the forecast is from, computed from the values used: "forecast from the
    2006-07 outturn" when the latest value is a year end, "forecast from the 2007-08 Q2
    values" otherwise, then the sub-targets with an earlier value or none."""
    subs = forecast[forecast["row_type"] == "target"]
    periods = {i: None if pd.isna(v) else try_parse_period(str(p)) for i, v, p in
               zip(subs["indicator_id"], subs["value"], subs["value_period"].fillna(""),
                   strict=True)}
    known = [p for p in periods.values() if p is not None]
    if not known:
        return "No value of the first agreement's reward targets is available to forecast from."
    latest = max(known)
    source = (f"the {latest.financial_year} outturn" if latest.is_year or latest.quarter == 4
              else f"the {latest} values")
    earlier = [f"{i} from its {p} value" for i, p in periods.items()
               if p is not None and p != latest]
    missing = [i for i, p in periods.items() if p is None]
    notes = earlier + ([f"no value for {', '.join(missing)}: nothing forecast"]
                       if missing else [])
    finals = sorted(set(subs["final_year"].dropna().astype(str)))
    years = " and ".join(finals) or "the final year"
    return (f"Forecast for {years} from {source}, each value carried on along its line "
            f"from the baseline" + (f" ({'; '.join(notes)})" if notes else "") + ".")


def describe_performance_grant(setting: PerformanceGrant | None, assessed: pd.DataFrame,
                               period: str) -> str:
    """This agreement's own performance grant as its register describes it, with where the
    targets stand now ("18 of the 35 targets rated are green at 2008-09 Q3"); marked
    "Illustrative" when the register says its figures are; blank with no setting."""
    if setting is None or (setting.grant_gbp is None and not setting.basis):
        return ""
    rated = assessed["final_rag"].isin(("G", "A", "R"))
    green = int((assessed["final_rag"] == "G").sum())
    amount = (f"of up to {format_gbp(setting.grant_gbp, 0)} " if setting.grant_gbp is not None
              else "")
    when = f" at the end of {setting.paid_after}" if setting.paid_after else ""
    basis = f", based on {setting.basis}" if setting.basis else ""
    head = "Illustrative: " if setting.illustrative else ""
    return (f"{head}This agreement has no reward targets of its own; a performance grant "
            f"{amount}is paid{when}{basis}. Now, {green} of the {int(rated.sum())} targets "
            f"rated are green at {period}.")
