"""The appendix's tables as data for officers: one spreadsheet sheet and one CSV each.

Each builder turns a frame of :class:`pipeline.report.frames.Appendix` into an
:class:`AppendixTable` that says how each column is written;
:mod:`pipeline.report.export` writes them (partner text as text, never as a formula).
The reward tables are built in :mod:`pipeline.report.reward_sheets` and the benchmarking
tables in :mod:`pipeline.report.benchmark_sheets`; :func:`appendix_tables` puts them all in
the appendix's order (their names are re-exported here).
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess import changes
from pipeline.assess.pooled_fund import share_text
from pipeline.assess.reward_targets import tabulate_reward_targets
from pipeline.assess.tables import TOTALS
from pipeline.figures import off_points, status_word
from pipeline.names import slug
from pipeline.rag import RAG_LABELS, rag_label
from pipeline.report.audit import audit_table, with_audit_columns
from pipeline.report.benchmark_sheets import benchmarking_tables
from pipeline.report.frames import RISK_TITLES, TRAVEL_COLUMNS, Appendix, district_rows
from pipeline.report.reward_sheets import (  # noqa: F401  (re-exported)
    first_agreement_table,
    grant_forecast_table,
    options_table,
    reward_gap_table,
    reward_grant_table,
    reward_targets_table,
)
from pipeline.report.table_spec import AppendixTable, pct_value  # noqa: F401  (re-exported)


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


OFF_PCT, OFF_POINTS = "% off what it is rated against", "Points off (percentages)"
OFF_KINDS = {OFF_PCT: "pct", OFF_POINTS: "number"}
OFF_NOTE = ("The computed rating comes from how far the value is off what it is rated "
            "against (the trajectory for a value from before the year end, the target at the "
            "year end): as a % of that figure, and for an indicator that is itself a "
            "percentage also in percentage points (2.5% against 10% is 75% off, 7.5 points); "
            "0 or below is met or beaten.")


STATUS_NOTE = ("Value status: provisional or estimated where the partner's return marks the "
               "value so (it may change when the final figure comes in); blank for a final "
               "value.")


def value_status(rows: pd.DataFrame, column: str = "data_status") -> pd.Series:
    """Each value's status in words where it is not final (``provisional``,
    ``estimated``), else blank (:func:`pipeline.figures.status_word`)."""
    found = rows[column] if column in rows else pd.Series("", rows.index)
    return found.map(status_word)


def off_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """How far each value is off what its computed rating measured it against: as a % of
    it, and in percentage points for a percentage indicator (blank for other units)."""
    points = [off_points(p, m) if u == "percent" else float("nan") for p, m, u in
              zip(rows["off_trajectory_pct"], rows["expected_value"],
                  rows["unit"], strict=True)]
    return {OFF_PCT: rows["off_trajectory_pct"].map(pct_value),
            OFF_POINTS: pd.Series(points, index=rows.index).map(pct_value)}


RISK_SHEETS = {"red_non_reward": "Red non-reward risks", "red_reward": "Red reward risks",
               "amber_reward": "Amber reward risks"}


def risk_list_table(name: str, items: pd.DataFrame) -> AppendixTable:
    """One risk list with the computed position, the lead's commentary and actions."""
    frame = pd.DataFrame({
        "Indicator": items["indicator_id"], "Title": items["title"],
        "Theme": items["theme_name"], "Lead organisation": items["lead_org"],
        "Unit": items["unit"], "Value": items["value"], "Value period": items["value_period"],
        "Value status": value_status(items),
        "Target": items["target_value"],
        **off_columns(items),
        "Computed RAG": items["computed_rag"].map(rag_label),
        "Final RAG": items["final_rag"].map(rag_label),
        "Position (computed)": items["statement"], "Lead's commentary": items["commentary"],
        "Actions": items["actions"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Value": "value", "Target": "value", **OFF_KINDS,
                  "Computed RAG": "rag", "Final RAG": "rag", "Lead's commentary": "partner",
                  "Actions": "partner", "Title": "partner", "Lead organisation": "partner"})
    frame, kinds = with_audit_columns(frame, items, kinds)
    return AppendixTable(name.replace("_", "-"), RISK_TITLES.get(name, name), frame, kinds,
                         unit_column="Unit", sheet=RISK_SHEETS.get(name, ""),
                         note=f"{OFF_NOTE} {STATUS_NOTE}")


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


# the like-for-like comparison of each movement (pipeline.assess.changes.compare_like_for_like)
COMPARED_COLUMNS = {"Compared value then": "compared_was_value",
                    "Compared as then": "compared_was_period",
                    "Compared value now": "compared_value", "Compared as now": "compared_period",
                    "Basis of the comparison": "basis"}


def movements_table(movements: pd.DataFrame, review: str | None) -> AppendixTable:
    """Every indicator whose final rating moved since the previous review."""
    frame = pd.DataFrame({
        "Indicator": movements["indicator_id"], "Title": movements["title"],
        "Theme": movements["theme_name"], "Unit": movements["unit"],
        "Was": movements["was"], "Now": movements["now"], "Movement": movements["movement"],
        "Value then": movements["was_value"], "Period then": movements["was_value_period"],
        "Value now": movements["value"], "Period now": movements["value_period"],
        "Status then": value_status(movements, "was_data_status"),
        "Status now": value_status(movements),
        **{label: movements.get(column, pd.Series("", movements.index))
           for label, column in COMPARED_COLUMNS.items()},
        "Commentary then": movements["was_commentary"],
        "Commentary now": movements["commentary"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Was": "rag", "Now": "rag", "Value then": "value", "Value now": "value",
                  "Compared value then": "value", "Compared value now": "value",
                  "Title": "partner", "Commentary then": "partner",
                  "Commentary now": "partner"})
    return AppendixTable("changes-list", f"Ratings changed since {review}", frame, kinds,
                         unit_column="Unit", sheet="Ratings changed",
                         note="Year-to-date counts are compared like with like, on the basis "
                              f"given in words. {STATUS_NOTE}")


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
        "Value period": rows["value_period"], "Value status": value_status(rows),
        "% off annual target": rows["off_target_pct"].map(pct_value),
        "Expected (trajectory)": rows["expected_value"],
        **off_columns(rows),
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
                  "Expected (trajectory)": "value", "% off annual target": "pct",
                  **OFF_KINDS, "Computed RAG": "rag", "Lead RAG": "rag",
                  "Final RAG": "rag", "Title": "partner", "Lead organisation": "partner",
                  "Lead officer": "partner"})
    frame, kinds = with_audit_columns(frame, rows, kinds)
    return AppendixTable(f"block-{slug(theme['theme'])}", f"Block {theme['block']}: "
                         f"{theme['appendix_name']}", frame, kinds, unit_column="Unit",
                         sheet=f"Block {theme['block']} {theme['appendix_name']}",
                         note=OFF_NOTE + " The % off annual target compares the latest value "
                         f"with the whole year's target, whatever the point of the year. "
                         f"{STATUS_NOTE}")


def disagreements_table(disagreements: pd.DataFrame) -> AppendixTable:
    """Lead and computed ratings further apart than the rule allows."""
    frame = pd.DataFrame({
        "Indicator": disagreements["indicator_id"], "Title": disagreements["title"],
        "Theme": disagreements["theme_name"],
        "Lead RAG": disagreements["lead_rag"].map(rag_label),
        "Computed RAG": disagreements["computed_rag"].map(rag_label),
        **off_columns(disagreements),
        "Why listed": disagreements["reason"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Lead RAG": "rag", "Computed RAG": "rag", **OFF_KINDS, "Title": "partner"})
    return AppendixTable("rating-disagreements", "Lead and computed ratings apart", frame,
                         kinds, sheet="Lead and computed apart", note=OFF_NOTE)


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
    """The partnership directory: who leads each outcome."""
    frame = directory.rename(columns={
        "outcome_id": "Outcome", "outcome": "Title", "lead_partnership": "Lead partnership",
        "board_champion": "Board champion", "executive_officer": "Executive officer",
        "outcome_lead": "Outcome lead"})
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
        out.append(first_agreement_table(app.first_agreement.per_target))
    if app.go_issues is not None:
        rows = app.go_issues
        frame = pd.DataFrame({"Indicator": rows["indicator_id"], "Raised at": rows["raised"],
                              "Issue": rows["issue"], "Status": rows["status"],
                              "Note": rows["note"]})
        out.append(_listing("go-issues", "Issues raised by Government Office", frame,
                            ("Issue", "Note")))
    audited = audit_table(app.assessed)
    return out + ([audited] if audited is not None else [])


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
    return AppendixTable(name, title, frame, types, unit_column=unit_column, sheet=title)


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
