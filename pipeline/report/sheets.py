"""The appendix's tables as data for officers: one spreadsheet sheet and one CSV each.

Each builder turns a frame of :class:`pipeline.report.frames.Appendix` into an
:class:`AppendixTable` that says how each column is written;
:mod:`pipeline.report.export` writes them (partner text as text, never as a formula).
The tables of the ratings (risk summary, risk lists, changes, blocks) are built in
:mod:`pipeline.report.rating_sheets`, the reward tables in
:mod:`pipeline.report.reward_sheets`, the benchmarking tables in
:mod:`pipeline.report.benchmark_sheets` and what LAA2 adds in
:mod:`pipeline.report.agreement_sheets`; here the pooled fund's, the districts', data
quality's and the directory's, and :func:`appendix_tables` puts them all in the
appendix's order.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess.pooled_fund import share_text
from pipeline.assess.reward_targets import tabulate_reward_targets
from pipeline.names import slug
from pipeline.rag import rag_label
from pipeline.report.agreement_sheets import outcome_tables, progress_tables
from pipeline.report.audit import audit_table, with_audit_columns
from pipeline.report.benchmark_sheets import benchmarking_tables
from pipeline.report.frames import RISK_TITLES, Appendix, district_rows
from pipeline.report.rating_sheets import (
    STATUS_NOTE,
    block_table,
    disagreements_table,
    movements_table,
    risk_list_table,
    risk_summary_table,
    transitions_table,
    value_status,
)
from pipeline.report.reward_sheets import (
    first_agreement_table,
    grant_forecast_table,
    options_table,
    reward_gap_table,
    reward_grant_table,
    reward_targets_table,
)
from pipeline.report.table_spec import AppendixTable, listing_table, pct_value


def pooled_fund_table(outturn: pd.DataFrame, threshold_pct: float) -> AppendixTable:
    """The pooled fund outturn per block, with the total; the share of the allocation as
    printed (4.997, never rounded up to the threshold), a number."""
    frame = pd.DataFrame({
        "Year": outturn["year"], "Block": outturn["block"],
        "Allocation (£)": outturn["allocation_gbp"], "Virement (£)": outturn["virement_gbp"],
        "Budget (£)": outturn["budget_gbp"], "Spend (£)": outturn["spend_gbp"],
        "Underspend (£)": outturn["underspend_gbp"],
        "Underspend % of allocation": outturn["underspend_pct"].map(
            lambda x: x if pd.isna(x) else float(share_text(x, threshold_pct).rstrip("%"))),
        "Carried forward (£)": outturn["carry_forward_gbp"],
        "Commentary": outturn["commentary"], "Source file": outturn["source_file"],
        "Source row": outturn["source_row"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({c: "gbp" for c in frame.columns if c.endswith("(£)")})
    kinds.update({"Commentary": "partner", "Underspend % of allocation": "pct",
                  "Source row": "count"})
    return AppendixTable("pooled-fund-outturn", "Pooled fund outturn", frame, kinds,
                         emphasis_column="Block", emphasis=("Total",),
                         sheet="Pooled fund outturn")


def finance_problems_table(problems: pd.DataFrame) -> AppendixTable:
    """The finance return's rows set aside and blocks missing, one message each."""
    frame = pd.DataFrame({"File": problems["source_file"], "Row": problems["source_row"],
                          "Column": problems["column"], "Found": problems["found"],
                          "Message": problems["message"]})
    return AppendixTable("pooled-fund-set-aside", "Finance return: what could not be used",
                         frame, {"File": "text", "Row": "count", "Column": "text",
                                 "Found": "partner", "Message": "partner"},
                         sheet="Finance return set aside")


def coverage_table(coverage: pd.DataFrame) -> AppendixTable:
    """Indicators with district-level values, per district (the share a number, not the
    text "15.6%": blank when there are no indicators)."""
    shares = [float("nan") if whole == 0 else pct_value(100.0 * part / whole)
              for part, whole in zip(coverage["indicators_with_data"], coverage["indicators"],
                                     strict=True)]
    frame = pd.DataFrame({"District": coverage["district"],
                          "Indicators with data": coverage["indicators_with_data"],
                          "Indicators": coverage["indicators"],
                          "Share of all indicators %": shares})
    return AppendixTable("district-coverage", "District coverage", frame,
                         {"District": "text", "Indicators with data": "count",
                          "Indicators": "count", "Share of all indicators %": "pct"})


def district_view_table(view: pd.DataFrame) -> AppendixTable:
    """Every district value beside the county's (one row per indicator and district)."""
    frame = pd.DataFrame({
        "Indicator": view["indicator_id"], "Title": view["title"], "Unit": view["unit"],
        "Polarity": view["polarity"] + " is better", "District": view["district"],
        "District value": view["value"], "Value period": view["value_period"],
        "Value status": value_status(view), "County value": view["county_value"],
        "County value status": value_status(view, "county_data_status"),
        "Share of county total %": view["share_of_county_pct"].map(pct_value),
        "Against the county": view["vs_county"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"District value": "value", "County value": "value",
                  "Share of county total %": "pct", "Title": "partner"})
    return AppendixTable("district-values", "District values against the county", frame,
                         kinds, unit_column="Unit", sheet="District values", note=STATUS_NOTE)


def quality_table(quality: pd.DataFrame) -> AppendixTable:
    """The data-quality summary: what was read, kept, superseded and quarantined."""
    return AppendixTable("data-quality-summary", "Data quality of the returns",
                         quality.rename(columns={"Count": "Count"}),
                         {"Measure": "text", "Count": "count"})


def directory_table(directory: pd.DataFrame) -> AppendixTable:
    """The partnership directory: who leads each outcome (and the outcome a sub-outcome
    belongs to, when the directory has sub-outcomes)."""
    if "parent_outcome" in directory and not directory["parent_outcome"].fillna("").any():
        directory = directory.drop(columns="parent_outcome")     # no sub-outcomes
    frame = directory.rename(columns={
        "outcome_id": "Outcome", "outcome": "Title", "lead_partnership": "Lead partnership",
        "board_champion": "Board champion", "executive_officer": "Executive officer",
        "outcome_lead": "Outcome lead", "parent_outcome": "Part of outcome"})
    return AppendixTable("partnership-directory", "Partnership directory", frame,
                         {c: "partner" for c in frame.columns})


def appendix_tables(app: Appendix) -> list[AppendixTable]:
    """Every table of the board appendix, in the appendix's order, then the tables of what a
    second-generation agreement adds (:func:`progress_tables`, :func:`outcome_tables`), and
    last the auditor's findings when there are any (:func:`pipeline.report.audit.
    audit_table`)."""
    out = [risk_summary_table(app.summary)]
    out += [risk_list_table(name, app.risks[name]) for name in RISK_TITLES
            if app.has_reward or name == "red_non_reward"]
    if app.has_reward:
        out += [reward_grant_table(app.reward), grant_forecast_table(app.grant_forecast)]
    if app.gaps is not None:
        out += [reward_gap_table(app.gaps.table), options_table(app.gaps.options)]
    if app.review:
        out += [transitions_table(app.transitions, app.review, app.settings.period),
                movements_table(app.movements, app.review)]
    out.append(disagreements_table(app.disagreements))
    out += [block_table(app, theme) for _, theme in app.themes.iterrows()]
    if app.benchmarking is not None:
        out += benchmarking_tables(app)
    if app.has_district_data:
        out += [coverage_table(app.coverage), district_view_table(app.district_view)]
    if app.pooled_fund is not None:
        out.append(pooled_fund_table(app.pooled_fund.outturn,
                                     app.settings.rules.underspend_max_pct))
        if not app.pooled_fund.problems.empty:
            out.append(finance_problems_table(app.pooled_fund.problems))
    out.append(quality_table(app.quality))
    if app.directory is not None:
        out.append(directory_table(app.directory))
    # What LAA2 adds comes last, so that an LAA1 appendix's files keep their numbers.
    return out + progress_tables(app) + outcome_tables(app) + (
        [reward_targets_table(tabulate_reward_targets(app.grant_forecast))]
        if app.has_reward else []) + later_tables(app)


def later_tables(app: Appendix) -> list[AppendixTable]:
    """Tables added since (issue 21), last so that earlier files keep their numbers: the
    first agreement's reward targets, the issues raised by Government Office and the
    auditor's findings."""
    out = []
    if app.first_agreement is not None:
        out.append(first_agreement_table(app.first_agreement.per_target, app.filtered))
    if app.go_issues is not None:
        rows = app.go_issues
        frame = pd.DataFrame({"Indicator": rows["indicator_id"], "Raised at": rows["raised"],
                              "Issue": rows["issue"], "Status": rows["status"],
                              "Note": rows["note"]})
        out.append(listing_table("go-issues", "Issues raised by Government Office", frame,
                            ("Issue", "Note")))
    audited = audit_table(app.assessed)
    return out + ([audited] if audited is not None else [])


def district_tables(app: Appendix, district: str) -> list[AppendixTable]:
    """The district pack's table: the district's values beside the county's."""
    return [district_frame(district_rows(app, district), district)]


def district_frame(rows: pd.DataFrame, district: str) -> AppendixTable:
    """The district's values beside the county's (``rows``: :func:`pipeline.report.frames.
    district_rows`), as a table."""
    frame = pd.DataFrame({
        "Indicator": rows["indicator_id"], "Title": rows["title"], "Theme": rows["theme_name"],
        "Lead organisation": rows["lead_org"], "Unit": rows["unit"],
        "Polarity": rows["polarity"] + " is better",
        f"{district} value": rows["value"], "Value period": rows["value_period"],
        "County value": rows["county_value"], "County target": rows["target_value"],
        "County final RAG": rows["final_rag"].map(rag_label),
        f"{district} share of county total %": rows["share_of_county_pct"].map(pct_value),
        f"{district} against the county": rows["vs_county"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({f"{district} value": "value", "County value": "value",
                  "County target": "value", "County final RAG": "rag",
                  f"{district} share of county total %": "pct", "Title": "partner",
                  "Lead organisation": "partner"})
    frame, kinds = with_audit_columns(frame, rows, kinds)   # the county figure's finding
    return AppendixTable(f"{slug(district)}-values", f"{district} against the county",
                         frame, kinds, unit_column="Unit")


