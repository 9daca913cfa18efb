"""The benchmarking section's tables as data (see :mod:`pipeline.report.sheets`)."""

from __future__ import annotations

import pandas as pd

from pipeline.report.frames import Appendix
from pipeline.report.table_spec import AppendixTable


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
