"""The assessment's tables as data: the ratings, the risk lists, the changes, the blocks.

Builders of :class:`pipeline.report.table_spec.AppendixTable` from the frames of
:class:`pipeline.report.frames.Appendix`: the Indicator Risk Summary with its shares, each
risk list, the changes since the last review (the matrix and the ratings that moved, with
their like-for-like comparison), each theme's block table and the ratings apart; and the
columns they share (how far a value is off what it is rated against, a value's status).
:func:`pipeline.report.sheets.appendix_tables` puts them in the appendix's order.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess import changes
from pipeline.assess.tables import TOTALS
from pipeline.figures import off_points, status_word
from pipeline.names import slug
from pipeline.rag import RAG_LABELS, rag_label
from pipeline.report.audit import with_audit_columns
from pipeline.report.frames import RISK_TITLES, TRAVEL_COLUMNS, Appendix
from pipeline.report.table_spec import AppendixTable, pct_value


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


OFF_PCT, OFF_POINTS = "% off what it is rated against", "Points off (percentages)"
OFF_KINDS = {OFF_PCT: "pct", OFF_POINTS: "number"}
OFF_NOTE = ("The computed rating comes from how far the value is off what it is rated "
            "against (the trajectory for a value from before the year end, the target at the "
            "year end): as a % of that figure, and for an indicator that is itself a "
            "percentage also in percentage points (2.5% against 10% is 75% off, 7.5 points); "
            "0 or below is met or beaten.")


STATUS_NOTE = ("Value status: provisional or estimated where the partner's return marks the "
               "value so (it may change when the final figure comes in); final for a final "
               "value.")


def value_status(rows: pd.DataFrame, column: str = "data_status") -> pd.Series:
    """Each value's status in words: ``provisional``, ``estimated``
    (:func:`pipeline.figures.status_word`) or ``final``; blank where there is no value
    (a blank cell of the workbook reads "no value", so a final one says so)."""
    found = rows[column] if column in rows else pd.Series("", rows.index)
    return found.map(lambda s: "final" if str(s).strip().lower() == "final"
                     else status_word(s))


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
