"""What goes into a board appendix or a district pack: the frames, filtered.

The appendix notebook calls :func:`load_appendix` once; everything it shows, and every
table it exports to XLSX and CSV (:mod:`pipeline.report.sheets`), comes from the frames
collected here. With no theme filter they are the assess stage's own
tables, read back; with one they are recomputed from the same assessment, restricted to
the themes asked for, by the same functions. The optional sections' frames (benchmarking,
gap analysis, pooled fund, first agreement, Government Office issues, LAA2's additions) are
loaded by :mod:`pipeline.report.section_frames`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import store
from pipeline.assess import changes, districts, forecast, tables
from pipeline.config import Settings
from pipeline.inputs import nis, register
from pipeline.names import id_sort_key, slug
from pipeline.report.audit import mark_figures
from pipeline.report.section_frames import (
    Benchmarking,
    FirstAgreementReward,
    GapAnalysis,
    PooledFund,
    agreement_frames,
    load_benchmarking,
    load_first_agreement,
    load_gap_analysis,
    load_pooled_fund,
    quartiles_by_indicator,
    shown_go_issues,
)
from pipeline.report.trends import Trend, indicator_trends

TRAVEL_COLUMNS = ("travel_vs_earlier", "travel_vs_year_ago")
RISK_TITLES = {"red_non_reward": "Red outcome risks: non-reward targets",
               "red_reward": "Red reward target risks",
               "amber_reward": "Amber reward target risks"}
NO_REWARD_RISK_TITLE = "Red outcome risks"


def tables_folder(settings: Settings, district: str = "") -> Path:
    """Where the appendix's tables go (``tables/``), or a district pack's
    (``districts/<district>/tables/``)."""
    base = settings.report_dir / "districts" / slug(district) if district else settings.report_dir
    return base / "tables"


def scorecard_link(settings: Settings, district: str = "") -> str:
    """The relative link from a document to the data-quality scorecard, or ``""`` if the
    validate stage did not write one."""
    if not (settings.report_dir / "data-quality" / "scorecard.html").is_file():
        return ""
    return ("../../" if district else "") + "data-quality/scorecard.html"


@dataclass
class Appendix:
    """Everything one appendix (and its district pack) shows, as frames and text."""

    settings: Settings
    partnership: dict[str, str]
    themes: pd.DataFrame
    theme_filter: tuple[str, ...]
    review: str | None
    data_as_of: str
    assessed: pd.DataFrame
    summary: pd.DataFrame
    headline: str
    risks: dict[str, pd.DataFrame]
    reward: pd.DataFrame
    grant_forecast: pd.DataFrame
    transitions: pd.DataFrame
    movements: pd.DataFrame
    ratings: pd.DataFrame
    disagreements: pd.DataFrame
    trends: dict[str, Trend]
    coverage: pd.DataFrame
    coverage_sentence: str
    district_view: pd.DataFrame
    quality: pd.DataFrame
    directory: pd.DataFrame | None
    districts: tuple[str, ...]
    district: str = ""
    benchmarking: Benchmarking | None = None
    quartiles: dict[str, str] = field(default_factory=dict)
    gaps: GapAnalysis | None = None
    pooled_fund: PooledFund | None = None
    # What a second-generation agreement (LAA2) adds (pipeline.assess.agreement); None
    # when the register does not have it, and the appendix leaves the section out.
    by_kind: pd.DataFrame | None = None
    maa: pd.DataFrame | None = None
    placeholders: pd.DataFrame | None = None
    directory_gaps: pd.DataFrame | None = None
    outcomes_without_target: pd.DataFrame | None = None
    outcome_counts: dict[str, int] | None = None
    delivery_plans: pd.DataFrame | None = None
    # The issues Government Office raised (register go_issues.csv); None: no section.
    go_issues: pd.DataFrame | None = None
    # The first agreement's reward in a second's appendix (issue 21.4): None when the
    # register names no first agreement; and the second's own grant in words.
    first_agreement: FirstAgreementReward | None = None
    performance_grant: str = ""

    @property
    def filtered(self) -> bool:
        """True when only some themes are shown."""
        return bool(self.theme_filter)

    @property
    def has_reward(self) -> bool:
        """True when some indicator shown is a reward (stretch) target: only then does the
        appendix have its reward grant sections and reward risk lists."""
        return bool(self.assessed["reward"].astype(bool).any())

    @property
    def has_district_data(self) -> bool:
        """True when some district returned a value for the period: only then does the
        appendix have its district coverage section and sheets (LAA2 has none)."""
        return not self.district_view.empty

    def appendix_adds(self) -> tuple[str, ...]:
        """What the full appendix has beyond the board summary, in its order, for the
        summary's pointer to it: only the parts this appendix has."""
        parts = ["each indicator's commentary and actions", "the block tables"]
        if self.has_reward:
            parts.append("the reward grant forecast")
        if self.gaps is not None:
            parts.append("the reward targets' gap analysis")
        if self.benchmarking is not None:
            parts.append("how we compare with other areas")
        if self.has_district_data:
            parts.append("district coverage")
        if self.pooled_fund is not None:
            parts.append("the pooled fund outturn")
        parts.append("data quality")
        return tuple(parts)

    @property
    def plans_outstanding(self) -> pd.DataFrame | None:
        """The delivery plans still outstanding (None when plans are not tracked)."""
        if self.delivery_plans is None:
            return None
        plans = self.delivery_plans
        return plans[plans["stage"] == "outstanding"].reset_index(drop=True)

    def risk_lists(self) -> dict[str, pd.DataFrame]:
        """The risk lists to show, by title: without reward targets, only the red one,
        titled for all targets."""
        if self.has_reward:
            return {title: self.risks[name] for name, title in RISK_TITLES.items()}
        return {NO_REWARD_RISK_TITLE: self.risks["red_non_reward"]}

    def block(self, theme: str) -> pd.DataFrame:
        """The block table rows of one theme (by key): every indicator, in register order."""
        return self.assessed[self.assessed["theme"] == theme].reset_index(drop=True)


def load_appendix(settings: Settings, theme: str = "", district: str = "",
                  compare_with: str = "") -> Appendix:
    """Read the assess stage's outputs and the register; apply the theme filter.

    Parameters
    ----------
    settings
        The run's settings (folders, period, previous review period, rules).
    theme
        Blank for all themes, else theme keys or names separated by commas.
    district
        Blank, or the district whose pack is produced beside the appendix.
    compare_with
        The comparator group of the benchmarking section (blank: all England).
    """
    reg = register.load_register(settings.register_dir)
    themes = register.select_themes(reg, theme)
    chosen = register.resolve_district(reg, district)
    keys = set(themes["theme"])
    filtered = len(themes) != len(reg.themes)
    assessed = store.read_frame(settings, "assessment")
    returns = store.read_frame(settings, "returns")
    review = changes.resolve_previous_period(settings.period, settings.previous_period)
    headline = store.read_json(settings, "headline")
    rules = settings.rules
    if not filtered:
        summary = store.read_frame(settings, "risk_summary")
        sentence = headline["sentence"]
        risks = {name: store.read_frame(settings, name)
                 for name in ("red_non_reward", "red_reward", "amber_reward")}
        reward = store.read_frame(settings, "reward_grant")
        grant = store.read_frame(settings, "grant_forecast")
        transitions = store.read_frame(settings, "rag_transitions")
        movements = store.read_frame(settings, "rag_movements")
        ratings = store.read_frame(settings, "ratings")
        disagreements = store.read_frame(settings, "rag_disagreements")
        coverage = store.read_frame(settings, "district_coverage")
        coverage_sentence = headline["district_coverage"]
        view = store.read_frame(settings, "district_view")
    else:
        assessed = assessed[assessed["theme"].isin(keys)].reset_index(drop=True)
        previous = store.read_frame(settings, "previous_assessment")
        if "theme" in previous:
            previous = previous[previous["theme"].isin(keys)]
        summary = tables.summarise_risk(assessed, themes)
        sentence = tables.compose_headline(assessed, rules)
        risks = tables.list_risks(assessed)
        reward = tables.tabulate_reward_grant(assessed, themes, rules)
        grant = forecast.tabulate_grant_forecast(assessed, themes, rules)
        transitions = changes.tabulate_transitions(previous, assessed, themes)
        movements = changes.list_movements(previous, assessed)
        ratings = tables.tabulate_ratings(assessed)
        disagreements = tables.list_rag_disagreements(ratings, rules)
        ids = set(assessed["indicator_id"])
        values = store.read_frame(settings, "district_values")
        values = values[values["indicator_id"].isin(ids)]
        coverage = districts.summarise_district_coverage(values, len(assessed), reg.districts)
        coverage_sentence = districts.compose_coverage_sentence(coverage, settings.period)
        view = districts.compare_districts(values, assessed)
    # the auditor's finding beside each figure it is about (none: no columns added)
    assessed = mark_figures(assessed, reg.audit_findings, settings.period)
    risks = {name: mark_figures(items, reg.audit_findings, settings.period)
             for name, items in risks.items()}
    if "profile" in reg.indicators and "profile" not in assessed:
        assessed = assessed.merge(reg.indicators[["indicator_id", "profile"]],
                                  on="indicator_id", how="left")
    quality = tables.summarise_quality(store.read_frame(settings, "ingested"), returns,
                                       store.read_frame(settings, "quarantine"),
                                       store.read_frame(settings, "validation_results"))
    quality = note_unverified_catalogue(quality, assessed)
    bench = load_benchmarking(settings, assessed, str(compare_with or "").strip().casefold())
    return Appendix(
        settings=settings, partnership=register.read_partnership(settings.register_dir),
        themes=themes.sort_values("block", kind="stable").reset_index(drop=True),
        theme_filter=tuple(themes["name"]) if filtered else (), review=review,
        data_as_of=tables.data_as_of(returns, settings.period), assessed=assessed, summary=summary,
        headline=sentence, risks=risks, reward=reward, grant_forecast=grant,
        transitions=transitions, movements=movements, ratings=ratings,
        disagreements=disagreements,
        trends=indicator_trends(assessed, returns, reg.targets, settings.period),
        coverage=coverage, coverage_sentence=coverage_sentence, district_view=view,
        quality=quality, directory=register.read_directory(settings.register_dir),
        districts=reg.districts, district=chosen, benchmarking=bench,
        quartiles=quartiles_by_indicator(bench),
        gaps=load_gap_analysis(settings, reg, assessed, themes, filtered),
        pooled_fund=load_pooled_fund(settings),
        go_issues=shown_go_issues(settings, reg, assessed, filtered),
        **dict(zip(("first_agreement", "performance_grant"), load_first_agreement(settings),
                   strict=True)),
        **agreement_frames(reg, assessed, settings))


def note_unverified_catalogue(quality: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    """The data-quality summary with one more measure when some indicator shown took a
    title, polarity or unit nobody has checked from the National Indicator Set catalogue:
    how many, naming each (:func:`pipeline.inputs.nis.describe_unverified`). A copy;
    ``quality`` as it is when there are none."""
    ids = nis.list_unverified(assessed)
    if not ids:
        return quality
    row = pd.DataFrame({"Measure": [nis.describe_unverified(assessed)], "Count": [len(ids)]})
    return pd.concat([quality, row], ignore_index=True)


def district_rows(app: Appendix, district: str) -> pd.DataFrame:
    """The indicators with a value for ``district``: its value beside the county's.

    One row per indicator in register order, with the theme, the county's target and
    final RAG, the district's value, and for counts and money its share of the county
    total, for percentages, rates and scores whether it is better or worse than the
    county by polarity; and the auditor's finding on the county figure when there are
    findings (:func:`pipeline.report.audit.mark_figures`).
    """
    view = app.district_view
    mine = view[(view["district"] == district) & view["value"].notna()]
    columns = ["indicator_id", "theme", "theme_name", "lead_org", "target_value",
               "final_rag", "computed_rag", "value_period", "polarity",
               *[c for c in ("audit_finding", "audit_note") if c in app.assessed]]
    county = app.assessed[columns].rename(columns={"value_period": "county_value_period",
                                                  "polarity": "_polarity"})
    out = mine.merge(county, on="indicator_id", how="inner").drop(columns="_polarity")
    order = {t: i for i, t in enumerate(app.themes["theme"])}
    out["_theme_order"] = out["theme"].map(order)
    out["_key"] = out["indicator_id"].map(id_sort_key)
    out = out.sort_values(["_theme_order", "_key"], kind="stable")
    return out.drop(columns=["_theme_order", "_key"]).reset_index(drop=True)


# Tables for officers: one sheet (XLSX) and one CSV each.

