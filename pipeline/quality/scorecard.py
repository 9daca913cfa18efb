"""Data-quality reports for auditors and partners: per-partner scorecards and feedback files."""

from __future__ import annotations

import pandas as pd

from pipeline.inputs.partners import as_registered

DIMENSIONS = ("accuracy", "validity", "reliability", "timeliness", "relevance", "completeness")
FEEDBACK_COLUMNS = {"source_file": "file", "source_sheet": "sheet", "cell": "cell",
                    "source_row": "row", "column": "column", "found": "value found",
                    "reason": "problem", "severity": "severity", "dimension": "dimension",
                    "indicator_id": "indicator", "period": "period", "grade": "grade",
                    "check_id": "check"}
UNREADABLE = "(files that could not be read)"


SCORED_ROWS = ("partner", "period", "indicator_id", "source_file", "source_row", "submitted_at")
SCORED_FINDINGS = ("partner", "suite", "check", "column", "source_file", "source_row",
                   "severity", "dimension")


def score_partners(ingested: pd.DataFrame, findings: pd.DataFrame, quarantine: pd.DataFrame,
                   indicators: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per partner: returns due, received, on time, rows passed and quarantined,
    warnings, and problems by Audit Commission dimension.

    Due: indicators the partner leads. Received: of those, how many have a row for the
    period. On time: of those, how many had their latest submission by the deadline.
    """
    due = indicators.groupby("lead_org")["indicator_id"].apply(set)
    # the columns counted, not every column, are filtered partner by partner below
    ingested = as_registered(ingested[[c for c in SCORED_ROWS if c in ingested]],
                             due.index)   # a variant spelling is the lead's
    findings = as_registered(findings[[c for c in SCORED_FINDINGS if c in findings]],
                             due.index)
    rows = ingested[ingested["period"] == period]
    late = findings[(findings["suite"] == "returns") & (findings["check"] ==
                    "expect_column_values_to_be_between") & (findings["column"] == "submitted_at")]
    late_keys = set(zip(late["source_file"], late["source_row"], strict=True))
    bad = quarantine[quarantine["source_row"] > 0]
    bad_keys = set(zip(bad["source_file"], bad["source_row"], strict=True))
    partners = sorted((set(due.index) | set(ingested["partner"])) - {""})  # "": no lead
    records = []
    for partner in partners:
        mine = ingested[ingested["partner"] == partner]
        keys = list(zip(mine["source_file"], mine["source_row"], strict=True))
        received = rows[(rows["partner"] == partner)
                        & rows["indicator_id"].isin(due.get(partner, set()))]
        latest = received.sort_values("submitted_at", kind="stable").drop_duplicates(
            "indicator_id", keep="last")   # a late correction makes the return late
        on_time = {i for i, f, r in zip(latest["indicator_id"], latest["source_file"],
                                         latest["source_row"], strict=True)
                   if (f, r) not in late_keys}
        own = findings[findings["partner"] == partner]
        record = {
            "partner": partner, "returns_due": len(due.get(partner, set())),
            "returns_received": received["indicator_id"].nunique(),
            "received_on_time": len(on_time),
            "files": mine["source_file"].nunique(), "rows_read": len(mine),
            "rows_passed": sum(1 for k in keys if k not in bad_keys),
            "rows_quarantined": sum(1 for k in keys if k in bad_keys),
            "warnings": int((own["severity"] == "warning").sum()),
        }
        record.update({d: int((own["dimension"] == d).sum()) for d in DIMENSIONS})
        records.append(record)
    whole = quarantine[quarantine["source_row"] == 0]
    if not whole.empty:
        records.append({"partner": UNREADABLE, "returns_due": 0, "returns_received": 0,
                        "received_on_time": 0, "files": whole["source_file"].nunique(),
                        "rows_read": 0, "rows_passed": 0, "rows_quarantined": 0,
                        "warnings": 0, **{d: int((whole["dimension"] == d).sum())
                                          for d in DIMENSIONS}})
    return pd.DataFrame(records)


def count_not_available(assessed: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Completeness per theme: indicators, how many are not available for reporting, and why."""
    missing = assessed[assessed["final_rag"] == "N"]
    out = pd.DataFrame({
        "theme": themes["name"].to_numpy(),
        "indicators": [int((assessed["theme"] == t).sum()) for t in themes["theme"]],
        "not_available": [int((missing["theme"] == t).sum()) for t in themes["theme"]],
        "reasons": [", ".join(f"{r} ({n})" for r, n in missing.loc[missing["theme"] == t,
                                                                   "rag_reason"]
                              .value_counts().sort_index().items())
                    for t in themes["theme"]],
    })
    return out


def feedback_by_partner(findings: pd.DataFrame,
                        quarantine: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each partner's problems in their own terms: file, sheet, cell, value found, problem."""
    whole = quarantine[quarantine["source_row"] == 0].assign(partner=UNREADABLE)
    every = pd.concat([findings, whole], ignore_index=True)
    every = every[every["partner"] != "(register)"]
    out = {}
    for partner, rows in every.groupby("partner", sort=True):
        graded = rows.assign(**{c: rows[c] if c in rows else "" for c in ("check_id", "grade")})
        table = graded[list(FEEDBACK_COLUMNS)].rename(columns=FEEDBACK_COLUMNS)
        out[str(partner) or "(partner not given)"] = table.reset_index(drop=True)
    return out


def certification_by_partner(ingested: pd.DataFrame, indicators: pd.DataFrame,
                             period: str) -> pd.DataFrame:
    """Per partner leading an indicator (and any other that sent a return for ``period``):
    the return files for the period, how many were certified, and by whom ("" when none)."""
    rows = as_registered(ingested[ingested["period"] == period],
                         indicators["lead_org"].fillna(""))
    if "certified_by" not in rows:
        rows = rows.assign(certified_by="")
    files = rows.drop_duplicates(["source_file", "source_sheet"])
    partners = sorted((set(indicators["lead_org"].fillna("")) | set(files["partner"])) - {""})
    records = []
    for partner in partners:
        mine = files[files["partner"] == partner]
        signed = mine[mine["certified_by"].fillna("") != ""]
        state = ("no return" if mine.empty else "certified" if len(signed) == len(mine)
                 else "not certified" if signed.empty else "partly certified")
        records.append({"partner": partner, "files": len(mine), "certified_files": len(signed),
                        "state": state,
                        "certified_by": ", ".join(sorted(set(signed["certified_by"])))})
    return pd.DataFrame(records, columns=["partner", "files", "certified_files", "state",
                                          "certified_by"])


def commentary_missing(findings: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    """The red and amber indicators whose lead gave no commentary (the
    ``commentary-red-amber`` advisories), with title, final rating, lead partner and the
    return row (file and cell) where the commentary belongs."""
    check = findings["check_id"] if "check_id" in findings else pd.Series("", findings.index)
    mine = findings[check == "commentary-red-amber"][["indicator_id", "partner", "source_file",
                                                      "cell"]]
    rated = assessed[["indicator_id", "title", "final_rag"]]
    return mine.merge(rated, on="indicator_id", how="left").sort_values(
        ["final_rag", "indicator_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True)[["indicator_id", "title", "final_rag", "partner", "source_file", "cell"]]
