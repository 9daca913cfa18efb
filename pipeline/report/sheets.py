"""The appendix's tables as data for officers: one spreadsheet sheet and one CSV each.

Each builder turns a frame of :class:`pipeline.report.frames.Appendix` into an
:class:`AppendixTable` that says how each column is written;
:mod:`pipeline.report.export` writes them (partner text as text, never as a formula).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.assess import changes
from pipeline.assess.pooled_fund import share_text
from pipeline.assess.reward_targets import tabulate_reward_targets
from pipeline.assess.tables import TOTALS
from pipeline.figures import round_half_up
from pipeline.names import slug
from pipeline.rag import RAG_LABELS, rag_label
from pipeline.report.frames import RISK_TITLES, TRAVEL_COLUMNS, Appendix, district_rows


def pct_value(value: float, places: int = 1) -> float:
    """A percentage rounded half up as a number for a spreadsheet cell (NaN stays NaN)."""
    return float("nan") if pd.isna(value) else float(round_half_up(value, places))


@dataclass(frozen=True)
class AppendixTable:
    """One table of the appendix as data, for a spreadsheet.

    ``kinds`` says how each column is written: ``text``; ``partner`` (text partners wrote:
    always a string, never a formula); ``count``; ``number``; ``value`` (formatted by the
    row's unit, in the column named by ``unit_column``); ``gbp``; ``pct`` (a figure that is
    already a percentage, e.g. 63.6); ``rag`` (a RAG label, filled with its colour).
    Rows whose ``emphasis_column`` value is in ``emphasis`` are printed bold (totals).
    ``sheet`` is the workbook sheet's name (the title when blank; 31 characters at most).
    ``workbook`` False keeps a table out of the workbook, in its CSV only: the data behind
    a chart, thousands of rows no reader pages through (and slow to format).
    """

    name: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]
    unit_column: str | None = None
    emphasis_column: str | None = None
    emphasis: tuple[str, ...] = ()
    note: str = ""
    sheet: str = ""
    workbook: bool = True


def risk_summary_table(summary: pd.DataFrame) -> AppendixTable:
    """The Indicator Risk Summary with each row's shares of its rated indicators."""
    frame = summary.reset_index()
    frame = frame.rename(columns={frame.columns[0]: "Theme"})
    rated = frame[["Green", "Amber", "Red"]].sum(axis=1)
    frame["Rated (green, amber or red)"] = rated
    for column in ("Green", "Amber", "Red"):
        frame[f"{column} % of rated"] = [
            float("nan") if r == 0 else pct_value(100.0 * n / r)
            for n, r in zip(frame[column], rated, strict=True)]
    kinds = {c: "count" for c in frame.columns}
    kinds["Theme"] = "text"
    for column in ("Green", "Amber", "Red"):
        kinds[f"{column} % of rated"] = "pct"
    return AppendixTable("indicator-risk-summary", "Indicator Risk Summary", frame, kinds,
                         emphasis_column="Theme", emphasis=(TOTALS,),
                         sheet="Indicator Risk Summary",
                         note="Final RAG counted per theme; shares are of the rated "
                              "indicators (green, amber or red), rounded half up.")


def reward_grant_table(reward: pd.DataFrame, title: str = "Appendix 2: reward target list "
                       "and performance reward grant at risk") -> AppendixTable:
    """The seed's Appendix 2: each reward target's grant and grant at risk, with totals."""
    frame = pd.DataFrame({
        "Theme": reward["theme"], "Row": reward["row_type"], "RAG": reward["rag"],
        "Reward target": reward["indicator"], "All indicators (£)": reward["grant_gbp"],
        "At risk (£)": reward["at_risk_gbp"]})
    kinds = {"Theme": "text", "Row": "text", "RAG": "rag", "Reward target": "text",
             "All indicators (£)": "gbp", "At risk (£)": "gbp"}
    return AppendixTable("appendix-2-reward-grant", title, frame, kinds,
                         emphasis_column="Row", emphasis=("theme total", "overall total"),
                         sheet="Appendix 2 reward grant",
                         note="The whole grant of every reward target rated amber or red, "
                              "or whose grant's condition is not met, counts as at risk.")


def grant_forecast_table(grant: pd.DataFrame) -> AppendixTable:
    """The reward grant forecast under the Performance Reward Grant rule."""
    frame = pd.DataFrame({
        "Theme": grant["theme"], "Row": grant["row_type"], "Reward target": grant["indicator"],
        "RAG": grant["rag"], "Unit": grant["unit"], "Value": grant["value"],
        "Value period": grant["value_period"], "Expected without stretch":
        grant["without_stretch"], "Stretch target": grant["stretch"],
        "Enhancement achieved %": grant["achieved_pct"].map(pct_value),
        "Payable %": grant["payable_pct"].map(pct_value), "Basis": grant["basis"],
        "Maximum grant (£)": grant["grant_gbp"], "Forecast payable (£)": grant["forecast_gbp"],
        "At risk, seed rule (£)": grant["at_risk_seed_gbp"],
        "At risk, forecast (£)": grant["at_risk_forecast_gbp"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"RAG": "rag", "Value": "value", "Expected without stretch": "value",
                  "Stretch target": "value", "Enhancement achieved %": "pct",
                  "Payable %": "pct", "Maximum grant (£)": "gbp", "Forecast payable (£)": "gbp",
                  "At risk, seed rule (£)": "gbp", "At risk, forecast (£)": "gbp"})
    return AppendixTable("reward-grant-forecast", "Reward grant forecast", frame, kinds,
                         unit_column="Unit", emphasis_column="Row",
                         emphasis=("theme total", "overall total"), sheet="Reward grant forecast")


def reward_gap_table(table: pd.DataFrame) -> AppendixTable:
    """The reward target gap analysis, both scenarios (approved options, all options)."""
    frame = pd.DataFrame({
        "Theme": table["theme"], "Row": table["row_type"], "Reward target": table["indicator"],
        "RAG": table["rag"], "Unit": table["unit"], "Polarity": table["polarity"],
        "Value": table["value"], "Value period": table["value_period"],
        "Final year": table["final_year"], "Stretch target": table["final_stretch"],
        "Expected without stretch": table["final_without_stretch"],
        "Forecast": table["forecast"], "Forecast basis": table["basis"], "Gap": table["gap"],
        "Enhancement achieved %": table["achieved_pct"].map(pct_value),
        "Maximum grant (£)": table["grant_gbp"], "Payable at forecast (£)": table["payable_gbp"],
        "At stake (£)": table["at_stake_gbp"],
        "Approved options contribution": table["approved_contribution"],
        "Proposed options contribution": table["proposed_contribution"],
        "Options": table["options"], "Closes the gap": table["closes_gap"]})
    for name, words in (("approved", "approved options"), ("all", "all options")):
        frame[f"Value if {words} deliver"] = table[f"value_{name}"]
        frame[f"Payable if {words} deliver (£)"] = table[f"payable_{name}_gbp"]
        frame[f"Protected by {words} (£)"] = table[f"protected_{name}_gbp"]
        frame[f"Cost of {words} (£)"] = table[f"cost_{name}_gbp"]
        frame[f"Uncosted {words}"] = table[f"uncosted_{name}"]
        frame[f"Cost per £ protected, {words}"] = table[f"cost_per_gbp_{name}"].map(
            lambda x: pct_value(x, 2))
    kinds = {c: "text" for c in frame.columns}
    kinds.update({c: "gbp" for c in frame.columns if c.endswith("(£)")})
    kinds.update({c: "value" for c in ("Value", "Stretch target", "Expected without stretch",
                                       "Forecast", "Gap", "Approved options contribution",
                                       "Proposed options contribution",
                                       "Value if approved options deliver",
                                       "Value if all options deliver")})
    kinds.update({"RAG": "rag", "Enhancement achieved %": "pct", "Options": "number",
                  "Uncosted approved options": "number", "Uncosted all options": "number",
                  "Cost per £ protected, approved options": "number",
                  "Cost per £ protected, all options": "number"})
    return AppendixTable("reward-gap-analysis", "Reward targets: gap analysis", frame, kinds,
                         unit_column="Unit", emphasis_column="Row",
                         emphasis=("theme total", "overall total"), sheet="Reward gap analysis",
                         note="Final year forecast on the current trajectory, the gap to the "
                              "stretch target in the indicator's unit, and the grant payable "
                              "if the improvement options deliver in full.")


def options_table(options: pd.DataFrame) -> AppendixTable:
    """Every improvement option with its contribution and whether the analysis counts it."""
    frame = pd.DataFrame({
        "Theme": options["theme"], "Reward target": options["indicator"],
        "Option": options["option"], "Status": options["status"],
        "Contribution as given": options["contribution"],
        "Contribution basis": options["contribution_basis"], "Unit": options["unit"],
        "Contribution in the unit": options["contribution_in_unit"],
        "Cost (£)": options["cost_gbp"], "Owner": options["owner"],
        "Counted": options["counted"], "Register row": options["source_row"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Option": "partner", "Owner": "partner", "Contribution as given": "number",
                  "Contribution in the unit": "value", "Cost (£)": "gbp",
                  "Register row": "count"})
    return AppendixTable("improvement-options", "Improvement options for the reward targets",
                         frame, kinds, unit_column="Unit", sheet="Improvement options")


def pooled_fund_table(outturn: pd.DataFrame, threshold_pct: float) -> AppendixTable:
    """The pooled fund outturn per block, with the total; the share of the allocation as
    printed (4.997%, never rounded up to the threshold)."""
    frame = pd.DataFrame({
        "Year": outturn["year"], "Block": outturn["block"],
        "Allocation (£)": outturn["allocation_gbp"], "Virement (£)": outturn["virement_gbp"],
        "Budget (£)": outturn["budget_gbp"], "Spend (£)": outturn["spend_gbp"],
        "Underspend (£)": outturn["underspend_gbp"],
        "Underspend % of allocation": outturn["underspend_pct"].map(
            lambda x: "" if pd.isna(x) else share_text(x, threshold_pct)),
        "Carried forward (£)": outturn["carry_forward_gbp"],
        "Commentary": outturn["commentary"], "Source file": outturn["source_file"],
        "Source row": outturn["source_row"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({c: "gbp" for c in frame.columns if c.endswith("(£)")})
    kinds.update({"Commentary": "partner",
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


RISK_SHEETS = {"red_non_reward": "Red non-reward risks", "red_reward": "Red reward risks",
               "amber_reward": "Amber reward risks"}


def risk_list_table(name: str, items: pd.DataFrame) -> AppendixTable:
    """One risk list with the computed position, the lead's commentary and actions."""
    frame = pd.DataFrame({
        "Indicator": items["indicator_id"], "Title": items["title"],
        "Theme": items["theme_name"], "Lead organisation": items["lead_org"],
        "Unit": items["unit"], "Value": items["value"], "Value period": items["value_period"],
        "Target": items["target_value"],
        "% off trajectory": items["off_trajectory_pct"].map(pct_value),
        "Computed RAG": items["computed_rag"].map(rag_label),
        "Final RAG": items["final_rag"].map(rag_label),
        "Position (computed)": items["statement"], "Lead's commentary": items["commentary"],
        "Actions": items["actions"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Value": "value", "Target": "value", "% off trajectory": "pct",
                  "Computed RAG": "rag", "Final RAG": "rag", "Lead's commentary": "partner",
                  "Actions": "partner", "Title": "partner", "Lead organisation": "partner"})
    return AppendixTable(name.replace("_", "-"), RISK_TITLES.get(name, name), frame, kinds,
                         unit_column="Unit", sheet=RISK_SHEETS.get(name, ""))


def transitions_table(transitions: pd.DataFrame, review: str | None,
                      period: str) -> AppendixTable:
    """The RAG transition matrix per theme (rows then, columns now)."""
    frame = transitions.rename(columns={"theme": "Theme", "was": f"Rating at {review}"})
    frame = frame.rename(columns={c: f"Now {c}" for c in frame.columns
                                  if c in RAG_LABELS.values()})
    kinds = {c: "count" for c in frame.columns}
    kinds.update({"Theme": "text", f"Rating at {review}": "text"})
    return AppendixTable("changes-matrix", f"RAG ratings at {review} and at {period}", frame,
                         kinds, emphasis_column="Theme", emphasis=(changes.OVERALL,),
                         sheet="Changes since last review")


def movements_table(movements: pd.DataFrame, review: str | None) -> AppendixTable:
    """Every indicator whose final rating moved since the previous review."""
    frame = pd.DataFrame({
        "Indicator": movements["indicator_id"], "Title": movements["title"],
        "Theme": movements["theme_name"], "Unit": movements["unit"],
        "Was": movements["was"], "Now": movements["now"], "Movement": movements["movement"],
        "Value then": movements["was_value"], "Period then": movements["was_value_period"],
        "Value now": movements["value"], "Period now": movements["value_period"],
        "Commentary then": movements["was_commentary"],
        "Commentary now": movements["commentary"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Was": "rag", "Now": "rag", "Value then": "value", "Value now": "value",
                  "Title": "partner", "Commentary then": "partner",
                  "Commentary now": "partner"})
    return AppendixTable("changes-list", f"Ratings changed since {review}", frame, kinds,
                         unit_column="Unit", sheet="Ratings changed")


def block_table(app: Appendix, theme: pd.Series) -> AppendixTable:
    """One theme's block table: every indicator with its figures and ratings."""
    rows = app.block(theme["theme"])
    frame = pd.DataFrame({
        "Indicator": rows["indicator_id"], "Title": rows["title"],
        "Lead organisation": rows["lead_org"], "Lead officer": rows["lead_officer"],
        "Unit": rows["unit"], "Polarity": rows["polarity"] + " is better",
        "Baseline": rows["baseline_value"], "Baseline period": rows["baseline_period"],
        "Target": rows["target_value"], "Target period": rows["target_period"],
        "Target status": rows["target_status"], "Latest value": rows["value"],
        "Value period": rows["value_period"],
        "% off target": rows["off_target_pct"].map(pct_value),
        "Expected (trajectory)": rows["expected_value"],
        "% off trajectory": rows["off_trajectory_pct"].map(pct_value),
        "Computed RAG": rows["computed_rag"].map(rag_label),
        "Lead RAG": rows["lead_rag"].map(lambda c: rag_label(c) if c else ""),
        "Final RAG": rows["final_rag"].map(rag_label)})
    for column, label in zip(TRAVEL_COLUMNS, ("Since last return", "On a year before"),
                             strict=True):
        if column in rows:
            frame[label] = rows[column]
    if app.quartiles and app.benchmarking is not None:
        frame[f"Quartile in {app.benchmarking.title} (Q1 top)"] = rows["indicator_id"].map(
            app.quartiles).fillna("")
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Baseline": "value", "Target": "value", "Latest value": "value",
                  "Expected (trajectory)": "value", "% off target": "pct",
                  "% off trajectory": "pct", "Computed RAG": "rag", "Lead RAG": "rag",
                  "Final RAG": "rag", "Title": "partner", "Lead organisation": "partner",
                  "Lead officer": "partner"})
    return AppendixTable(f"block-{slug(theme['theme'])}", f"Block {theme['block']}: "
                         f"{theme['appendix_name']}", frame, kinds, unit_column="Unit",
                         sheet=f"Block {theme['block']} {theme['appendix_name']}")


def disagreements_table(disagreements: pd.DataFrame) -> AppendixTable:
    """Lead and computed ratings further apart than the rule allows."""
    frame = pd.DataFrame({
        "Indicator": disagreements["indicator_id"], "Title": disagreements["title"],
        "Theme": disagreements["theme_name"],
        "Lead RAG": disagreements["lead_rag"].map(rag_label),
        "Computed RAG": disagreements["computed_rag"].map(rag_label),
        "% off trajectory": disagreements["off_trajectory_pct"].map(pct_value),
        "Why listed": disagreements["reason"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Lead RAG": "rag", "Computed RAG": "rag", "% off trajectory": "pct",
                  "Title": "partner"})
    return AppendixTable("rating-disagreements", "Lead and computed ratings apart", frame,
                         kinds, sheet="Lead and computed apart")


def coverage_table(coverage: pd.DataFrame) -> AppendixTable:
    """Indicators with district-level values, per district."""
    frame = pd.DataFrame({"District": coverage["district"],
                          "Indicators with data": coverage["indicators_with_data"],
                          "Indicators": coverage["indicators"],
                          "Share of all indicators": coverage["share"]})
    return AppendixTable("district-coverage", "District coverage", frame,
                         {"District": "text", "Indicators with data": "count",
                          "Indicators": "count", "Share of all indicators": "text"})


def district_view_table(view: pd.DataFrame) -> AppendixTable:
    """Every district value beside the county's (one row per indicator and district)."""
    frame = pd.DataFrame({
        "Indicator": view["indicator_id"], "Title": view["title"], "Unit": view["unit"],
        "Polarity": view["polarity"] + " is better", "District": view["district"],
        "District value": view["value"], "Value period": view["value_period"],
        "County value": view["county_value"],
        "Share of county total %": view["share_of_county_pct"].map(pct_value),
        "Against the county": view["vs_county"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"District value": "value", "County value": "value",
                  "Share of county total %": "pct", "Title": "partner"})
    return AppendixTable("district-values", "District values against the county", frame,
                         kinds, unit_column="Unit")


def quality_table(quality: pd.DataFrame) -> AppendixTable:
    """The data-quality summary: what was read, kept, superseded and quarantined."""
    return AppendixTable("data-quality-summary", "Data quality of the returns",
                         quality.rename(columns={"Count": "Count"}),
                         {"Measure": "text", "Count": "count"})


def directory_table(directory: pd.DataFrame) -> AppendixTable:
    """The partnership directory: who leads each outcome."""
    frame = directory.rename(columns={
        "outcome_id": "Outcome", "outcome": "Title", "lead_partnership": "Lead partnership",
        "board_champion": "Board champion", "executive_officer": "Executive officer",
        "outcome_lead": "Outcome lead"})
    return AppendixTable("partnership-directory", "Partnership directory", frame,
                         {c: "partner" for c in frame.columns})


def appendix_tables(app: Appendix) -> list[AppendixTable]:
    """Every table of the board appendix, in the appendix's order, then the tables of what a
    second-generation agreement adds (:func:`progress_tables`, :func:`outcome_tables`)."""
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
        if app.has_reward else [])


def reward_targets_table(table: pd.DataFrame) -> AppendixTable:
    """The grant per reward target (issue 21.3), last so that the other tables' files keep
    their numbers."""
    frame = pd.DataFrame({
        "Theme": table["theme"], "Row": table["row_type"], "Reward target": table["label"],
        "Sub-targets": table["sub_targets"], "Number of sub-targets": table["sub_target_count"],
        "Sub-targets at risk": table["at_risk_sub_targets"], "Conditions": table["conditions"],
        "Maximum grant (£)": table["grant_gbp"], "Forecast payable (£)": table["forecast_gbp"],
        "At risk, seed rule (£)": table["at_risk_seed_gbp"],
        "At risk, forecast (£)": table["at_risk_forecast_gbp"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Reward target": "partner", "Number of sub-targets": "count",
                  "Sub-targets at risk": "count",
                  **{c: "gbp" for c in frame.columns if c.endswith("(£)")}})
    return AppendixTable("reward-targets", "Reward grant per reward target", frame, kinds,
                         emphasis_column="Row", emphasis=("overall total",),
                         sheet="Reward targets",
                         note="The reward grant forecast added up per reward target.")


def benchmarking_tables(app: Appendix) -> list[AppendixTable]:
    """The benchmarking section as data: every indicator's standing in the chosen group,
    every area's value behind the strip charts, and the national rows quarantined."""
    bench = app.benchmarking
    t = bench.table
    frame = pd.DataFrame({
        "Indicator": t["indicator_id"], "Title": t["title"], "Unit": t["unit"],
        "Polarity": t["polarity"] + " is better", "Geography": t["geography"],
        "Period": t["period"], "Value": t["value"], "Lower 95% limit": t["lower_ci"],
        "Upper 95% limit": t["upper_ci"], "Interval method": t["ci_method"].astype(str),
        "Group": bench.title, "Rank": t["rank"], "Areas ranked": t["n"],
        "Quartile (1 = top)": t["quartile"], "Group median": t["median"],
        "Against the group": t["comparison"].astype(str),
        "Value a year earlier": t["year_ago_value"],
        "Travel on a year earlier": t["travel_year_ago"].astype(str),
        "Significant (year)": t["year_ago_significant"].astype(str),
        "Review period": t["review_period"], "Value at review": t["review_value"],
        "Travel since review": t["travel_review"].astype(str),
        "Significant (review)": t["review_significant"].astype(str),
        "Target by interval": t["target_by_interval"].fillna("")})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({c: "value" for c in ("Value", "Lower 95% limit", "Upper 95% limit",
                                        "Group median", "Value a year earlier",
                                        "Value at review")})
    kinds.update({"Rank": "count", "Areas ranked": "count", "Quartile (1 = top)": "count"})
    m = bench.members.merge(t[["indicator_id", "unit"]].drop_duplicates("indicator_id"),
                            on="indicator_id", how="left")
    areas = pd.DataFrame({
        "Indicator": m["indicator_id"], "Unit": m["unit"], "Geography": m["geography"],
        "Period": m["period"], "Area code": m["area_code"], "Area": m["area_name"],
        "Value": m["value"], "Lower 95% limit": m["lower_ci"],
        "Upper 95% limit": m["upper_ci"], "Ours": m["ours"].map({True: "yes", False: ""})})
    area_kinds = {c: "text" for c in areas.columns}
    area_kinds.update({"Value": "value", "Lower 95% limit": "value",
                       "Upper 95% limit": "value", "Area": "partner"})
    q = bench.quarantine
    quarantine = pd.DataFrame({
        "File": q["source_file"], "Row": q["source_row"], "Column": q["column"],
        "Found": q["found"], "Check": q["check"], "Reason": q["reason"]})
    return [AppendixTable("benchmarking", f"Benchmarking against {bench.title}", frame, kinds,
                          unit_column="Unit", sheet="Benchmarking",
                          note="Rank 1 is the best value by polarity; quartile 1 the top. "
                               "95% intervals: Wilson score (percentages), Byar's (counts "
                               "and rates; exact Poisson below 10 events) or as published."),
            AppendixTable("benchmarking-areas", f"Every area of {bench.title}", areas,
                          area_kinds, unit_column="Unit", sheet="Benchmarking areas",
                          workbook=False),
            AppendixTable("national-quarantine", "National quarantine", quarantine,
                          {c: ("count" if c == "Row" else "partner")
                           for c in quarantine.columns}, sheet="National quarantine",
                          note="National rows that failed a critical check of the "
                               "national suite, by file and row.")]


def district_tables(app: Appendix, district: str) -> list[AppendixTable]:
    """The district pack's table: the district's values beside the county's."""
    rows = district_rows(app, district)
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
    return [AppendixTable(f"{slug(district)}-values", f"{district} against the county",
                          frame, kinds, unit_column="Unit")]


# LAA2 (issue 12): the tables of pipeline.assess.agreement, each only when it applies.

def _listing(name: str, title: str, frame: pd.DataFrame, partner: tuple[str, ...],
             kinds: dict[str, str] | None = None, unit_column: str | None = None
             ) -> AppendixTable:
    """A plain listing: every column text except those named in ``kinds``; ``partner``
    columns are text partners wrote."""
    types = {c: "text" for c in frame.columns}
    types.update({c: "partner" for c in partner})
    types.update(kinds or {})
    return AppendixTable(name, title, frame, types, unit_column=unit_column, sheet=title[:31])


def _indicator_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    return {"Indicator": rows["indicator_id"], "Title": rows["title"],
            "Theme": rows["theme_name"], "Kind": rows["kind"],
            "MAA shared with": rows["maa"]}


def progress_tables(app: Appendix) -> list[AppendixTable]:
    """The LAA2 tables of the overall assessment that apply to this appendix: summary by
    kind, MAA indicators, placeholder targets, delivery plans."""
    out = []
    if app.by_kind is not None:
        table = risk_summary_table(app.by_kind)
        frame = table.frame.rename(columns={"Theme": "Kind"})
        frame.insert(1, "Targets", app.by_kind.sum(axis=1).to_numpy())
        kinds = {("Kind" if c == "Theme" else c): k for c, k in table.kinds.items()}
        out.append(AppendixTable("summary-by-kind", "Indicator Risk Summary by kind of target",
                                 frame, {**kinds, "Targets": "count"}, emphasis_column="Kind",
                                 emphasis=table.emphasis, sheet="Summary by kind",
                                 note=table.note.replace("per theme", "per kind of target")))
    if app.maa is not None:
        rows = app.maa
        frame = pd.DataFrame({**_indicator_columns(rows), "Unit": rows["unit"],
                              "Value": rows["value"], "Value period": rows["value_period"],
                              "Target": rows["target_value"],
                              "Target status": rows["target_status"],
                              "Final RAG": rows["final_rag"].map(rag_label)})
        out.append(_listing("maa-indicators", "Multi-Area Agreement indicators", frame,
                            ("Title",), {"Value": "value", "Target": "value",
                                         "Final RAG": "rag"}, unit_column="Unit"))
    if app.placeholders is not None:
        rows = app.placeholders
        frame = pd.DataFrame({**_indicator_columns(rows), "Lead organisation": rows["lead_org"],
                              "Periods not agreed": rows["periods"],
                              "Status": rows["target_status"],
                              "Due to be agreed": rows["due_to_be_agreed"],
                              "Overdue at the meeting": rows["overdue"].map(
                                  {True: "yes", False: "no"}),
                              "Final RAG now": rows["final_rag"].map(rag_label)})
        out.append(_listing("placeholder-targets", "Placeholder targets", frame,
                            ("Title", "Lead organisation"), {"Final RAG now": "rag"}))
    if app.delivery_plans is not None:
        rows = app.delivery_plans
        frame = pd.DataFrame({**_indicator_columns(rows), "Stage": rows["stage"],
                              "Received": rows["received"],
                              "Reviewed by the challenge group": rows["challenge_reviewed"],
                              "Revised": rows["revised"], "Due": rows["due"],
                              "Note": rows["note"]})
        out.append(_listing("delivery-plans", "Delivery plans", frame, ("Title", "Note")))
    return out


def outcome_tables(app: Appendix) -> list[AppendixTable]:
    """The tables about the outcome framework that apply: the outcomes with no target and
    the directory's gaps (printed before the directory)."""
    out = []
    if app.outcomes_without_target is not None:
        rows = app.outcomes_without_target
        frame = pd.DataFrame({"Outcome": rows["outcome_id"], "Title": rows["outcome"],
                              "Lead partnership": rows["lead_partnership"],
                              "Outcome lead": rows["outcome_lead"],
                              "Sub-outcomes": rows["sub_outcomes"]})
        out.append(_listing("outcomes-without-target", "Outcomes with no LAA target", frame,
                            ("Title", "Lead partnership", "Outcome lead"),
                            {"Sub-outcomes": "count"}))
    if app.directory_gaps is not None:
        rows = app.directory_gaps
        frame = pd.DataFrame({"Outcome": rows["outcome_id"], "Title": rows["outcome"],
                              "Level": rows["level"],
                              "Lead partnership": rows["lead_partnership"],
                              "Board champion": rows["board_champion"],
                              "Executive officer": rows["executive_officer"],
                              "Outcome lead": rows["outcome_lead"],
                              "Missing": rows["missing"]})
        out.append(_listing("directory-gaps", "Partnership directory gaps", frame,
                            ("Title", "Lead partnership", "Board champion",
                             "Executive officer", "Outcome lead")))
    return out
