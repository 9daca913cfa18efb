"""Lineage: from an appendix figure back to the partner return rows it came from.

The assessment names the submission each figure is computed from (``record_id``); the
clean returns keep, for every row, its file, the file's sha256, sheet, row, partner, who
submitted it and when, and which later submission superseded it. The functions here join
the two (pure) and render the appendix's section linking each figure to its return rows;
``laa trace`` (:mod:`pipeline.run.trace`) prints the same chain for one figure.
"""

from __future__ import annotations

import pandas as pd

from pipeline.errors import UnknownKeyError
from pipeline.report.audit import audit_mark, number_marks
from pipeline.report.pages import lineage_anchor, render

LINEAGE_COLUMNS = ["indicator_id", "role", "partner", "period", "geography", "value", "value_text",
                   "data_status", "source_file", "source_sha256", "source_sheet",
                   "source_row", "record_id", "submitted_by", "submitted_at", "superseded_by"]
FIGURE_COLUMNS = ["indicator_id", "title", "theme_name", "unit", "value_period", "value",
                  "value_text", "target_period", "target_value", "off_target_pct",
                  "computed_rag", "lead_rag", "final_rag", "rag_reason", "record_id"]
IN_FORCE, SUPERSEDED = "in force", "superseded"
SHA_SHOWN = 12


def figure_of(assessment: pd.DataFrame, indicator_id: str) -> dict[str, object]:
    """The appendix figure of one indicator: value, target, % off and ratings.

    Raises
    ------
    UnknownKeyError
        If the assessment has no such indicator.
    """
    rows = assessment[assessment["indicator_id"].astype(str) == str(indicator_id)]
    if rows.empty:
        raise UnknownKeyError(f"no indicator {indicator_id!r} in the assessment",
                              period=first_value(assessment, "period"))
    row = rows.iloc[0]
    return {c: row[c] for c in FIGURE_COLUMNS if c in row.index}


def lineage_table(assessment: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """For every assessed indicator, the submission in force and the ones it superseded.

    One row per submission, ``role`` ``in force`` first, then ``superseded`` (latest
    first). Indicators with no return for the period have no rows.
    """
    used = assessment.loc[assessment["record_id"].astype(str) != "",
                          ["indicator_id", "record_id"]]
    rows = returns
    in_force = used.merge(rows.drop(columns="indicator_id"), on="record_id", how="inner")
    in_force["role"] = IN_FORCE
    superseded = used.rename(columns={"record_id": "_winner"}).merge(
        rows.drop(columns="indicator_id"), left_on="_winner", right_on="superseded_by",
        how="inner")
    superseded["role"] = SUPERSEDED
    both = pd.concat([in_force, superseded], ignore_index=True)
    both["_order"] = (both["role"] == SUPERSEDED).astype(int)
    both = both.sort_values(["indicator_id", "_order", "submitted_at"],
                            ascending=[True, True, False], kind="stable")
    order = {i: n for n, i in enumerate(assessment["indicator_id"])}
    both = both.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable")
    for column in LINEAGE_COLUMNS:
        if column not in both:
            both[column] = ""
    return both[LINEAGE_COLUMNS].reset_index(drop=True)


def trace_indicator(assessment: pd.DataFrame, returns: pd.DataFrame,
                    indicator_id: str) -> pd.DataFrame:
    """The lineage of one indicator's figure (see :func:`lineage_table`).

    Raises
    ------
    UnknownKeyError
        If the assessment has no such indicator.
    """
    figure_of(assessment, indicator_id)
    one = assessment[assessment["indicator_id"].astype(str) == str(indicator_id)]
    return lineage_table(one, returns)


def first_value(frame: pd.DataFrame, column: str) -> str:
    """The first row's ``column`` as text (blank for an empty frame or a missing column)."""
    return str(frame[column].iloc[0]) if column in frame and len(frame) else ""


def lineage_items(assessment: pd.DataFrame, returns: pd.DataFrame) -> list[dict[str, object]]:
    """Per assessed indicator (in the assessment's order): its anchor, lineage rows and the
    auditor's mark with its note's number (:func:`pipeline.report.audit.number_marks`;
    "" and 0 unless it was qualified or reserved) (pure)."""
    table = lineage_table(assessment, returns)
    grouped: dict[str, list[dict]] = {}
    for record in table.to_dict("records"):
        grouped.setdefault(record["indicator_id"], []).append(record)
    numbers, _ = number_marks(assessment)
    items = []
    read = [c for c in ("indicator_id", "audit_finding", "audit_note") if c in assessment]
    for number, figure in zip(numbers, assessment[read].to_dict("records"), strict=True):
        indicator_id = str(figure["indicator_id"])
        rows = grouped.get(indicator_id, [])
        items.append({
            "indicator_id": indicator_id,
            "anchor": lineage_anchor(indicator_id),
            "audit": audit_mark(figure)["mark"], "audit_number": number,
            "rows": [{
                "role": r["role"], "css": "superseded" if r["role"] == SUPERSEDED else "",
                "value_text": r["value_text"], "period": r["period"], "partner": r["partner"],
                "source_file": r["source_file"], "source_sheet": r["source_sheet"],
                "source_row": r["source_row"], "source_sha256": r["source_sha256"],
                "sha_short": str(r["source_sha256"])[:SHA_SHOWN],
                "submitted_by": r["submitted_by"] or "(not given)",
                "submitted_at": "" if pd.isna(r["submitted_at"])
                else pd.Timestamp(r["submitted_at"]).isoformat(),
            } for r in rows],
        })
    return items


def render_lineage(assessment: pd.DataFrame, returns: pd.DataFrame, period: str,
                   title: str = "Lineage: where each figure comes from") -> str:
    """The lineage section as escaped HTML: one anchored group of rows per indicator, a
    figure the auditor qualified or reserved marked, and noted, as the block tables do."""
    return render("lineage.html.j2", title=title, period=period,
                  items=lineage_items(assessment, returns), notes=number_marks(assessment)[1])
