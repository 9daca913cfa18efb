"""The frames of an appendix's optional sections, each read back from the assess stage.

Benchmarking (the chosen comparator group), the reward targets' gap analysis, the pooled
fund outturn, the first agreement's reward, the issues Government Office raised and what a
second-generation agreement (LAA2) adds. Each loader returns None (or an empty part) when
the section has nothing to show, and the appendix then leaves it out. Collected by
:func:`pipeline.report.frames.load_appendix`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import store
from pipeline.assess import agreement, benchmark, reward_gap
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.inputs import register
from pipeline.names import id_sort_key
from pipeline.report.benchmarking import quartile_code


@dataclass(frozen=True)
class Benchmarking:
    """The benchmarking section's frames for the chosen comparator group.

    ``table``: one row per indicator shown (latest period up to the one assessed) with
    its rank, quartile, median, comparison, travel and register title and theme;
    ``members``: every area of the group for the strip charts; ``quarantine``: the
    national rows left out by a critical check.
    """

    group: str
    title: str
    area_name: str
    source: str
    table: pd.DataFrame
    members: pd.DataFrame
    quarantine: pd.DataFrame


def load_benchmarking(settings: Settings, assessed: pd.DataFrame,
                      compare_with: str = "") -> Benchmarking | None:
    """The chosen group's benchmarking (default all England), or None without national
    data for the partnership's area (the section is then left out)."""
    if not store.clean_path(settings, "benchmark").is_file():
        return None
    table = store.read_frame(settings, "benchmark")
    if table.empty:
        return None
    meta = store.read_json(settings, "benchmark_groups")
    group = compare_with or benchmark.DEFAULT_GROUP
    if group not in meta["titles"]:
        raise ConfigError(f"unknown comparator group {group!r}; known: "
                          + ", ".join(meta["titles"]))
    chosen = benchmark.latest_rows(table[table["group"] == group], settings.period)
    shown = assessed[["indicator_id", "title", "theme"]]
    chosen = chosen.merge(shown, on="indicator_id", how="inner")
    chosen["_key"] = chosen["indicator_id"].map(id_sort_key)
    chosen = chosen.sort_values(["_key", "geography"], kind="stable").drop(columns="_key")
    members = store.read_frame(settings, "benchmark_members")
    members = members[(members["group"] == group)
                      & members["indicator_id"].isin(set(chosen["indicator_id"]))]
    return Benchmarking(group=group, title=meta["titles"][group],
                        area_name=meta.get("area_name", ""), source=meta.get("source", ""),
                        table=chosen.reset_index(drop=True),
                        members=members.reset_index(drop=True),
                        quarantine=store.read_frame(settings, "national_quarantine"))


def quartiles_by_indicator(bench: Benchmarking | None) -> dict[str, str]:
    """Each indicator's quartile in the chosen group (``Q1``, top, to ``Q4``), short enough
    to sit beside the final RAG in a block table."""
    if bench is None:
        return {}
    first = bench.table.drop_duplicates("indicator_id")
    return {i: quartile_code(q) for i, q in zip(first["indicator_id"], first["quartile"],
                                                  strict=True) if q}


@dataclass(frozen=True)
class GapAnalysis:
    """The reward target gap analysis (issue 14): the table (targets and totals, both
    scenarios) and every improvement option."""

    table: pd.DataFrame
    options: pd.DataFrame


@dataclass(frozen=True)
class PooledFund:
    """The pooled fund outturn of one year: per block and total, the 5% rule's check (with
    its ``sentence``), the finance returns' problems of that year and their line counts."""

    year: str
    outturn: pd.DataFrame
    check: dict
    problems: pd.DataFrame
    lines: pd.DataFrame


def load_gap_analysis(settings: Settings, reg: register.Register, assessed: pd.DataFrame,
                      themes: pd.DataFrame, filtered: bool) -> GapAnalysis | None:
    """The gap analysis the assess stage wrote (recomputed for a theme filter); None when
    no reward target is off track."""
    if filtered:
        options = register.read_improvement_options(settings.register_dir, reg.indicators)
        table = reward_gap.analyse_reward_gaps(assessed, reg.targets, options, themes,
                                               settings.rules)
        listed = reward_gap.list_options(options, table, assessed)
        listed = listed[listed["indicator_id"].isin(assessed["indicator_id"])]
    else:
        table = store.read_frame(settings, "reward_gap")
        listed = store.read_frame(settings, "improvement_options")
    if not (table["row_type"] == "target").any():
        return None
    return GapAnalysis(table, listed.reset_index(drop=True))


def load_pooled_fund(settings: Settings) -> PooledFund | None:
    """The pooled fund outturn the assess stage wrote; None when there is no finance
    return for the period's year or before (the whole partnership's, whatever the theme
    filter: the rule is on the total)."""
    check = store.read_json(settings, "pooled_fund_check")
    year = check.pop("year", "")
    if not year:
        return None
    problems = store.read_frame(settings, "finance_problems")
    lines = store.read_frame(settings, "finance_lines")
    return PooledFund(year, store.read_frame(settings, "pooled_fund"), check,
                      problems[problems["year"] == year].reset_index(drop=True),
                      lines[lines["year"] == year].reset_index(drop=True))


@dataclass(frozen=True)
class FirstAgreementReward:
    """The first agreement's reward targets forecast to their final year (the assess
    stage's :mod:`pipeline.assess.first_agreement`): per sub-target, per reward target,
    and its facts (``agreement``, ``period``, ``basis``)."""

    forecast: pd.DataFrame
    per_target: pd.DataFrame
    facts: dict[str, object]


def load_first_agreement(settings: Settings) -> tuple[FirstAgreementReward | None, str]:
    """The first agreement's reward as the assess stage wrote it (None when the register
    names none, or its returns reach no period), and the performance grant sentence."""
    if not store.clean_path(settings, "first_agreement").is_file():
        return None, ""
    facts = store.read_json(settings, "first_agreement")
    grant = str(facts.get("grant", ""))
    if not facts.get("period"):
        return None, grant
    return FirstAgreementReward(store.read_frame(settings, "first_agreement_forecast"),
                                store.read_frame(settings, "first_agreement_targets"),
                                facts), grant


def shown_go_issues(settings: Settings, reg: register.Register, assessed: pd.DataFrame,
                    filtered: bool) -> pd.DataFrame | None:
    """The issues Government Office raised, or None for none: with a theme filter, only
    those about an indicator shown."""
    issues = register.read_go_issues(settings.register_dir, reg.indicators)
    if issues is None or not filtered:
        return issues
    issues = issues[issues["indicator_id"].isin(set(assessed["indicator_id"]))]
    return None if issues.empty else issues.reset_index(drop=True)


def agreement_frames(reg: register.Register, assessed: pd.DataFrame,
                     settings: Settings) -> dict[str, object]:
    """The LAA2 additions of an appendix (see :mod:`pipeline.assess.agreement`): from the
    indicators shown, except the directory's gaps and the outcomes without a target,
    which are about the whole register."""
    return {
        "by_kind": agreement.summarise_by_kind(assessed),
        "maa": agreement.list_maa_indicators(assessed),
        "placeholders": agreement.list_placeholders(assessed, reg.targets, settings.meeting),
        "directory_gaps": agreement.list_directory_gaps(reg.directory),
        "outcomes_without_target": agreement.list_outcomes_without_target(reg.directory,
                                                                          reg.indicators),
        "outcome_counts": agreement.count_outcomes(reg.directory),
        "delivery_plans": agreement.tabulate_delivery_plans(reg.delivery_plans, assessed),
    }
