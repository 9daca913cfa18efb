"""How the appendix's sections word their rows: figures as the Board reads them.

The pure functions here turn an assessed row into the words and figures its section
prints: the headline's counts, a risk's figures and how far it is off
(:func:`risk_entry`, :func:`off_mark`, shared by the risk lists, the block tables, the
board summary and the covering report), the grant forecast's totals, the gap analysis's
gaps, contributions and costs, an LAA2 indicator's names. :mod:`pipeline.report.sections`
renders them into escaped HTML fragments.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess.assessment import basis_measure
from pipeline.figures import (
    format_gbp,
    format_number,
    format_off_trajectory,
    format_pct,
    mark_status,
    round_half_up,
)
from pipeline.rag import RAG_CODES, rag_code, rag_label
from pipeline.report.audit import mark_text


def headline_counts(totals: pd.Series, with_share: bool = True) -> list[dict[str, object]]:
    """The headline's key counts: each rating's count and, for green, amber and red, its
    share of the rated."""
    rated = int(sum(int(totals.get(c, 0)) for c in ("Green", "Amber", "Red")))
    figures = []
    for label in totals.index:
        code = RAG_CODES.get(label)
        if code is None:
            continue
        count = int(totals[label])
        share = format_pct(count, rated) if with_share and code in ("G", "A", "R") else ""
        figures.append({"code": code, "label": label, "count": f"{count:,}",
                        "words": label.lower(), "share": share})
    return figures


def risk_entry(row: pd.Series) -> dict[str, str]:
    """One risk's figures as printed (id, title, lead, final rating, value, target, how far
    off trajectory) and the auditor's mark and note if the figure was qualified or reserved
    (:func:`pipeline.report.audit.mark_text`), shared by the appendix's risk lists and the
    board summary's lines."""
    return {"indicator_id": row["indicator_id"], "title": row["title"],
            "lead_org": row["lead_org"], "rag": rag_label(row["final_rag"]),
            "code": row["final_rag"],
            "value": mark_status(format_number(row["value"], row["unit"]),
                                 row.get("data_status", "")),
            "target": format_number(row["target_value"], row["unit"]),
            "off": off_mark(row),
            "audit": mark_text(row)}


def off_mark(row: pd.Series, short: bool = False) -> str:
    """How far an assessed indicator is off what its computed rating measured it against
    (trajectory, or the target at the year end): as a % of it, in percentage points for a
    percentage (:func:`pipeline.figures.format_off_trajectory`)."""
    return format_off_trajectory(row["off_trajectory_pct"], short,
                                 mark=row.get("expected_value", float("nan")),
                                 unit=str(row.get("unit", "")),
                                 measure=basis_measure(row.get("rating_basis", "")))


def describe_grant_totals(table: pd.DataFrame) -> str:
    """Why the grant forecast's two totals at risk differ, each named by what it counts
    (from its overall total row); blank without one."""
    total = table[table["row_type"] == "overall total"]
    if total.empty:
        return ""
    t = total.iloc[0]
    return (f"The two totals at risk count different things. {format_gbp(t['at_risk_seed_gbp'])}"
            " is the whole grant of every reward target rated amber or red, or whose grant's "
            "condition is not met, as the self-assessment counts it. "
            f"{format_gbp(t['at_risk_forecast_gbp'])} is the grant the forecast would not pay: "
            f"the maximum grant {format_gbp(t['grant_gbp'])} less the "
            f"{format_gbp(t['forecast_gbp'])} forecast payable, target by target at its latest "
            "value; it counts the part of a green target's grant it falls short of, and leaves "
            "out what an amber or red target would still earn.")


def indicator_row(r: pd.Series) -> dict[str, object]:
    """An LAA2 indicator as its sections name it: id, title, kind, MAA and theme."""
    return {"indicator_id": r["indicator_id"], "title": r["title"], "kind": r["kind"],
            "maa": r["maa"], "theme": r["theme_name"]}


def gap_text(gap: float, unit: str) -> str:
    """A gap as printed: ``783``, ``1.11 points`` for a percentage, ``none`` when the
    forecast reaches the stretch target; blank when there is no forecast."""
    if pd.isna(gap):
        return ""
    if gap <= 0:
        return "none"
    return format_number(gap, "count") + (" points" if unit == "percent" else "")


NO_GRANT_PROTECTED = "protects no grant"


def cost_per_text(cost_per: float, uncosted: float, protected: float) -> str:
    """Cost per pound of grant protected: ``£0.30``, ``not costed`` or ``protects no
    grant`` (the options, whatever they cost, would protect nothing)."""
    if not pd.isna(cost_per):
        return f"£{round_half_up(cost_per, 2)}"
    if not pd.isna(uncosted) and uncosted > 0:
        return "not costed"
    return NO_GRANT_PROTECTED if not pd.isna(protected) else ""


def gap_row(r: dict, basis: str) -> dict[str, object]:
    """A row of the reward target gap analysis as printed, its cost per pound protected
    for the options of ``basis`` (``approved`` or ``all``)."""
    target = r["row_type"] == "target"
    unit = r["unit"] if target else "count"
    return {
        "row_type": r["row_type"], "indicator": r["indicator"], "rag": r["rag"],
        "code": rag_code(r["rag"]), "final_year": r["final_year"], "basis": r["basis"],
        "stretch": format_number(r["final_stretch"], unit),
        "forecast": format_number(r["forecast"], unit), "gap": gap_text(r["gap"], unit),
        "grant": format_gbp(r["grant_gbp"]), "payable": format_gbp(r["payable_gbp"]),
        "at_stake": format_gbp(r["at_stake_gbp"]),
        "approved": gap_text(r["approved_contribution"], unit) if target else "",
        "proposed": gap_text(r["proposed_contribution"], unit) if target else "",
        "closes": r["closes_gap"],
        "cost_per": cost_per_text(r[f"cost_per_gbp_{basis}"], r[f"uncosted_{basis}"],
                                  r[f"protected_{basis}_gbp"]),
        "if_delivered": format_gbp(r[f"payable_{basis}_gbp"]),
    }


def contribution_text(o: dict) -> str:
    """An improvement option's contribution as printed: in the unit, or a share of the gap."""
    unit = "count" if o["unit"] != "percent" else "percent"
    if o["contribution_basis"] == "percent_of_gap":
        shown = f"{format_number(o['contribution'], 'count')}% of the gap"
        if not pd.isna(o["contribution_in_unit"]):
            shown += f" ({gap_text(o['contribution_in_unit'], unit)})"
        return shown
    return gap_text(o["contribution"], unit) if o["contribution"] > 0 else "0"
