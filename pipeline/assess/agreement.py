"""What a second-generation agreement (LAA2) adds to the self-assessment: the summary by kind
of target, the Multi-Area Agreement indicators, placeholder targets with their due dates,
the Partnership Directory's gaps, the outcomes with no target against them, and where the
delivery plans stand.

Every function is pure, takes the register's or the assessment's frames and returns a
frame, or None when the register does not have what the table is about (no kinds, no MAA
indicator, no placeholder, no directory, no delivery plans): the appendix then leaves the
section out.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess.assessment import UNAGREED_TARGET
from pipeline.assess.tables import summarise_risk
from pipeline.names import id_sort_key
from pipeline.periods import try_parse_period

KIND_NAMES = {"designated": "Designated", "statutory": "Statutory", "local": "Local"}
UNCLASSIFIED = "Not classified"
DIRECTORY_ROLES = {"lead_partnership": "lead partnership", "board_champion": "board champion",
                   "executive_officer": "executive officer", "outcome_lead": "outcome lead"}
PLAN_STAGES = ("received", "challenge_reviewed", "revised")
INDICATOR_COLUMNS = ["indicator_id", "title", "theme_name", "kind", "maa", "lead_org"]


def _natural(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.sort_values(column, key=lambda s: s.map(id_sort_key),
                             kind="stable").reset_index(drop=True)


def summarise_by_kind(assessed: pd.DataFrame) -> pd.DataFrame | None:
    """The Indicator Risk Summary by kind of target instead of theme: final RAG counted for
    designated, statutory and local targets (and those not classified, if any), with a
    Totals row. None when no indicator has a kind (an LAA1 register)."""
    kinds = assessed["kind"].fillna("") if "kind" in assessed else pd.Series(dtype=str)
    if not (kinds != "").any():
        return None
    keys = [k for k in KIND_NAMES if (kinds == k).any()]
    names = [KIND_NAMES[k] for k in keys]
    if (kinds == "").any():
        keys.append("")
        names.append(UNCLASSIFIED)
    rows = pd.DataFrame({"theme": keys, "name": names})
    summary = summarise_risk(assessed.assign(theme=kinds), rows)
    summary.index.name = "Kind"
    return summary


def list_maa_indicators(assessed: pd.DataFrame) -> pd.DataFrame | None:
    """The indicators a Multi-Area Agreement shares with a neighbouring area, with their
    figures and ratings, in natural id order; None when there are none."""
    if "maa" not in assessed:
        return None
    shared = assessed[assessed["maa"].fillna("") != ""]
    if shared.empty:
        return None
    columns = [*INDICATOR_COLUMNS, "unit", "value", "value_period", "target_value",
               "target_status", "computed_rag", "final_rag"]
    return _natural(shared[columns], "indicator_id")


def _period_order(period: str) -> tuple[int, int]:
    parsed = try_parse_period(period)
    return (parsed.year, parsed.quarter) if parsed else (0, 0)


def list_placeholders(assessed: pd.DataFrame, targets: pd.DataFrame,
                      as_of: str) -> pd.DataFrame | None:
    """The indicators with a target still to be agreed (placeholder or provisional) in any
    year of the agreement: one row each, with the periods not agreed, the status(es), the
    earliest date due to be agreed, whether that date is before ``as_of`` (the meeting),
    and the indicator's ``final_rag`` for the period assessed: ``T`` (target not agreed) or
    ``N`` (no value yet) when it is counted apart from the rated indicators, a rating when
    only a later year's target is still to be agreed. None when there are none.

    Only the indicators of ``assessed`` are listed (a theme filter applies).
    """
    unagreed = targets[targets["target_status"].isin(UNAGREED_TARGET)
                       & targets["indicator_id"].isin(assessed["indicator_id"])]
    if unagreed.empty:
        return None
    due = unagreed.get("due_to_be_agreed", pd.Series("", index=unagreed.index)).fillna("")
    unagreed = unagreed.assign(_due=due, _order=unagreed["period"].map(_period_order))
    rows = []
    for indicator_id, group in unagreed.sort_values("_order", kind="stable").groupby(
            "indicator_id", sort=False):
        dates = sorted(d for d in group["_due"] if d)
        rows.append({"indicator_id": indicator_id,
                     "periods": ", ".join(group["period"]),
                     "target_status": ", ".join(dict.fromkeys(group["target_status"])),
                     "due_to_be_agreed": dates[0] if dates else "",
                     "overdue": bool(dates) and dates[0] < as_of})
    columns = [c for c in INDICATOR_COLUMNS if c in assessed] + ["final_rag"]
    out = assessed[columns].merge(pd.DataFrame(rows), on="indicator_id", how="inner")
    return _natural(out, "indicator_id")


def list_directory_gaps(directory: pd.DataFrame | None) -> pd.DataFrame | None:
    """The outcomes and sub-outcomes of the Partnership Directory with a role left blank
    (lead partnership, board champion, executive officer or outcome lead), in natural id
    order, with ``missing`` naming the blank roles. None when there is no directory or no
    gap."""
    if directory is None:
        return None
    blank = directory[list(DIRECTORY_ROLES)].fillna("").eq("")
    gaps = directory[blank.any(axis=1)].copy()
    if gaps.empty:
        return None
    gaps["missing"] = [", ".join(DIRECTORY_ROLES[c] for c in DIRECTORY_ROLES if row[c])
                       for _, row in blank[blank.any(axis=1)].iterrows()]
    gaps["level"] = _levels(gaps)
    return _natural(gaps[["outcome_id", "outcome", "level", *DIRECTORY_ROLES, "missing"]],
                    "outcome_id")


def _levels(directory: pd.DataFrame) -> list[str]:
    parents = directory.get("parent_outcome", pd.Series("", index=directory.index))
    return ["sub-outcome" if p else "outcome" for p in parents.fillna("")]


def count_outcomes(directory: pd.DataFrame | None) -> dict[str, int]:
    """How many outcomes, sub-outcomes and both the directory holds (all 0 without one)."""
    if directory is None:
        return {"outcomes": 0, "sub_outcomes": 0, "all": 0}
    levels = _levels(directory)
    outcomes = sum(level == "outcome" for level in levels)
    return {"outcomes": outcomes, "sub_outcomes": len(levels) - outcomes, "all": len(levels)}


def list_outcomes_without_target(directory: pd.DataFrame | None,
                                 indicators: pd.DataFrame) -> pd.DataFrame | None:
    """The outcomes (not sub-outcomes) with no indicator of the agreement against them or
    any of their sub-outcomes, in natural id order, with their lead partnership and how
    many sub-outcomes they have. None when there is no directory or every outcome has a
    target."""
    if directory is None:
        return None
    parents = directory.get("parent_outcome", pd.Series("", index=directory.index)).fillna("")
    top = directory[parents == ""]
    owner = dict(zip(directory["outcome_id"], parents.where(parents != "",
                                                            directory["outcome_id"]),
                     strict=True))
    covered = {owner[o] for o in indicators["outcome_id"].fillna("") if o in owner}
    missing = top[~top["outcome_id"].isin(covered)].copy()
    if missing.empty:
        return None
    subs = parents[parents != ""].value_counts()
    missing["sub_outcomes"] = missing["outcome_id"].map(subs).fillna(0).astype("int64")
    return _natural(missing[["outcome_id", "outcome", "lead_partnership", "outcome_lead",
                             "sub_outcomes"]], "outcome_id")


def tabulate_delivery_plans(plans: pd.DataFrame | None,
                            assessed: pd.DataFrame) -> pd.DataFrame | None:
    """Where each target's delivery plan stands: one row per indicator of ``assessed``, with
    the dates received, reviewed by the challenge group and revised, the due date and note,
    and ``stage``: *outstanding* (not received, or no row at all), *received*, *reviewed*
    (by the challenge group) or *revised* (after the challenge). Natural id order; None
    when the register tracks no delivery plans."""
    if plans is None:
        return None
    columns = ["indicator_id", *PLAN_STAGES, "due", "note"]
    out = assessed[[c for c in INDICATOR_COLUMNS if c in assessed]].merge(
        plans[columns], on="indicator_id", how="left")
    recorded = out["indicator_id"].isin(plans["indicator_id"])
    for column in columns[1:]:
        out[column] = out[column].fillna("")
    out.loc[~recorded, "note"] = "no row in delivery_plans.csv"
    out["stage"] = ["revised" if rv else "reviewed" if cr else "received" if rc
                    else "outstanding" for rc, cr, rv in
                    zip(out["received"], out["challenge_reviewed"], out["revised"],
                        strict=True)]
    return _natural(out, "indicator_id")


def count_plan_stages(plans: pd.DataFrame) -> dict[str, int]:
    """How many plans are received (at any stage), reviewed by the challenge group
    (reviewed or revised since), revised, and outstanding, out of all targets."""
    stage = plans["stage"]
    return {"targets": len(plans), "received": int((stage != "outstanding").sum()),
            "reviewed": int(stage.isin(("reviewed", "revised")).sum()),
            "revised": int((stage == "revised").sum()),
            "outstanding": int((stage == "outstanding").sum())}
