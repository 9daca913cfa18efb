"""The appendix's section on the issues Government Office raised at a review (seed 002,
section 3.1), from the register's ``go_issues.csv`` (:mod:`pipeline.inputs.go_issues`)."""

from __future__ import annotations

import pandas as pd

from pipeline.inputs.go_issues import count_go_issues, describe_go_issues
from pipeline.report.pages import render

STATUS_WORDS = {"remaining": "Remaining", "resolved": "Resolved"}


def render_go_issues(issues: pd.DataFrame, titles: dict[str, str]) -> str:
    """The counts ("11 issues raised, 8 resolved, 3 remaining.") and one row per issue,
    those remaining first, each in the register's order.

    Parameters
    ----------
    issues
        The checked issues (:func:`pipeline.inputs.go_issues.parse_go_issues`).
    titles
        Each indicator's title by id; an issue with no indicator reads "Not named".

    Returns
    -------
    str
        The section's HTML; partners' words are escaped by the template.
    """
    ordered = issues.assign(_open=issues["status"] != "remaining").sort_values(
        ["_open", "source_row"], kind="stable")
    rows = [{"indicator_id": r["indicator_id"], "title": titles.get(r["indicator_id"], ""),
             "issue": r["issue"], "raised": r["raised"],
             "status": STATUS_WORDS[r["status"]], "note": r["note"]}
            for _, r in ordered.iterrows()]
    return render("go_issues.html.j2", rows=rows,
                  sentence=describe_go_issues(count_go_issues(issues)))
