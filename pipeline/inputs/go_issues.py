"""Issues raised by Government Office: the register's ``go_issues.csv``.

Seed 002, section 3.1: "GOEM's note on the six monthly self assessment highlighted risks
with regard to eleven indicators ... The issues identified have been resolved in eight
cases. Residual risk/concern remains with three". One row per indicator raised, with its
status; the column definitions are :data:`pipeline.inputs.register.GO_ISSUES`, this module
checks them and counts them.
"""

from __future__ import annotations

from collections.abc import Set

import pandas as pd

from pipeline.errors import RegisterError

FILE = "go_issues.csv"
GO_ISSUE_STATUSES = ("resolved", "remaining")


def parse_go_issues(raw: pd.DataFrame | None, known: Set[str]) -> pd.DataFrame | None:
    """Check the issues raised by Government Office; None when there are none.

    Parameters
    ----------
    raw
        ``go_issues.csv`` with every column of its definition (text), or None.
    known
        The register's indicator ids: a named indicator must be one of them.

    Returns
    -------
    pandas.DataFrame or None
        A copy in the file's order, ``status`` in lower case, with ``source_row`` (the row
        in the file, the header being row 1).

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first bad value: a blank ``raised`` or
        ``issue``, a ``status`` not resolved or remaining, an unknown indicator, or one
        indicator raised twice at the same review.
    """
    if raw is None or raw.empty:
        return None
    issues = raw.reset_index(drop=True).copy()
    for column in issues.columns:
        issues[column] = issues[column].fillna("").astype(str).str.strip()
    issues["status"] = issues["status"].str.lower().str.split().str.join(" ")
    seen: set[tuple[str, str]] = set()
    for position, row in enumerate(issues.to_dict("records")):
        at = position + 2
        for column in ("raised", "issue"):
            if not row[column]:
                raise RegisterError(f"{column} is blank", file=FILE, row=at, column=column)
        if row["status"] not in GO_ISSUE_STATUSES:
            raise RegisterError(f"status {raw['status'].iloc[position]!r} is not one of "
                                + ", ".join(GO_ISSUE_STATUSES), file=FILE, row=at,
                                column="status")
        indicator = row["indicator_id"]
        if indicator and indicator not in known:
            raise RegisterError(f"indicator {indicator!r} is not in indicators.csv",
                                file=FILE, row=at, column="indicator_id")
        key = (indicator, row["raised"].casefold())
        if indicator and key in seen:
            raise RegisterError(f"indicator {indicator!r} raised twice at {row['raised']!r}: "
                                "one row per indicator and review", file=FILE, row=at,
                                column="indicator_id")
        seen.add(key)
    issues.insert(0, "source_row", range(2, len(issues) + 2))
    return issues


def count_go_issues(issues: pd.DataFrame) -> dict[str, int]:
    """How many issues were raised, resolved and remain (``raised``, ``resolved``,
    ``remaining``)."""
    status = issues["status"]
    return {"raised": len(issues), "resolved": int((status == "resolved").sum()),
            "remaining": int((status == "remaining").sum())}


def describe_go_issues(counts: dict[str, int]) -> str:
    """The section's sentence: "11 issues raised, 8 resolved, 3 remaining."."""
    raised = counts["raised"]
    return (f"{raised} issue{'' if raised == 1 else 's'} raised, {counts['resolved']} "
            f"resolved, {counts['remaining']} remaining.")
