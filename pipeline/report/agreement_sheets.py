"""What a second-generation agreement (LAA2) adds to the appendix's tables, as data.

The tables of :mod:`pipeline.assess.agreement` that apply to an appendix: the summary by
kind of target, the Multi-Area Agreement indicators, the placeholder targets, the delivery
plans (:func:`progress_tables`); the outcomes with no target and the directory's gaps
(:func:`outcome_tables`). :func:`pipeline.report.sheets.appendix_tables` adds them after
the first agreement's tables, so that an LAA1 appendix's files keep their numbers.
"""

from __future__ import annotations

import pandas as pd

from pipeline.rag import rag_label
from pipeline.report.frames import Appendix
from pipeline.report.rating_sheets import risk_summary_table
from pipeline.report.table_spec import AppendixTable, listing_table


def _indicator_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """The columns naming an LAA2 indicator: id, title, theme, kind, MAA."""
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
        out.append(listing_table("maa-indicators", "Multi-Area Agreement indicators", frame,
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
        out.append(listing_table("placeholder-targets", "Placeholder targets", frame,
                            ("Title", "Lead organisation"), {"Final RAG now": "rag",
                                                             "Due to be agreed": "date"}))
    if app.delivery_plans is not None:
        rows = app.delivery_plans
        frame = pd.DataFrame({**_indicator_columns(rows), "Stage": rows["stage"],
                              "Received": rows["received"],
                              "Reviewed by the challenge group": rows["challenge_reviewed"],
                              "Revised": rows["revised"], "Due": rows["due"],
                              "Note": rows["note"]})
        out.append(listing_table("delivery-plans", "Delivery plans", frame, ("Title", "Note"),
                                 dict.fromkeys(("Received", "Reviewed by the challenge group",
                                                "Revised", "Due"), "date")))
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
        out.append(listing_table("outcomes-without-target", "Outcomes with no LAA target", frame,
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
        out.append(listing_table("directory-gaps", "Partnership directory gaps", frame,
                            ("Title", "Lead partnership", "Board champion",
                             "Executive officer", "Outcome lead")))
    return out
