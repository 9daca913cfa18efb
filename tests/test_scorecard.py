"""Unit tests of the partner scorecard, the feedback files and the not-available counts."""

from __future__ import annotations

import pandas as pd

from pipeline.quality.scorecard import (
    UNREADABLE,
    count_not_available,
    feedback_by_partner,
    score_partners,
)
from pipeline.report.quality_pages import feedback_files
from tests.conftest import make_register

Q_COLUMNS = ["partner", "source_file", "source_sha256", "source_sheet", "source_row", "cell",
             "column", "found", "check", "suite", "severity", "dimension", "indicator_id",
             "period", "reason"]


def _finding(**kw):
    base = {c: "" for c in Q_COLUMNS}
    base.update({"source_row": 0, "suite": "returns", "severity": "warning"})
    base.update(kw)
    return base


def test_scorecard_counts_due_received_on_time_and_quarantined():
    indicators = pd.DataFrame({"indicator_id": ["1", "2", "3"], "lead_org": ["P", "P", "Q"]})
    ingested = pd.DataFrame({
        "partner": ["P", "P", "P"], "indicator_id": ["1", "2", "9"],
        "period": ["2006-07 Q4"] * 3, "source_file": ["p.csv"] * 3, "source_row": [2, 3, 4],
        "submitted_at": pd.to_datetime(["2007-05-01", "2007-06-01", "2007-05-01"])})
    findings = pd.DataFrame([
        _finding(partner="P", source_file="p.csv", source_row=3, check=(
            "expect_column_values_to_be_between"), column="submitted_at",
            dimension="timeliness"),
        _finding(partner="P", source_file="p.csv", source_row=4, severity="critical",
                 dimension="relevance")])
    quarantine = pd.DataFrame([
        _finding(partner="P", source_file="p.csv", source_row=4, severity="critical"),
        _finding(source_file="bad.xls", severity="critical", dimension="validity")])
    cards = score_partners(ingested, findings, quarantine, indicators, "2006-07 Q4")
    cards = cards.set_index("partner")
    p = cards.loc["P"]
    assert (p["returns_due"], p["returns_received"], p["received_on_time"]) == (2, 2, 1)
    assert (p["rows_read"], p["rows_passed"], p["rows_quarantined"]) == (3, 2, 1)
    assert (p["warnings"], p["timeliness"], p["relevance"]) == (1, 1, 1)
    assert cards.loc["Q", "returns_received"] == 0
    assert cards.loc[UNREADABLE, "files"] == 1


def test_feedback_groups_by_partner_and_skips_the_register():
    findings = pd.DataFrame([
        _finding(partner="P", source_file="p.csv", source_row=3, cell="E3", reason="bad"),
        _finding(partner="(register)", source_file="register/indicators.csv", reason="x")])
    quarantine = pd.DataFrame([_finding(source_file="bad.xls", reason="old Excel")])
    feedback = feedback_by_partner(findings, quarantine)
    assert sorted(feedback) == [UNREADABLE, "P"]
    assert feedback["P"][["file", "cell", "problem"]].values.tolist() == [["p.csv", "E3", "bad"]]
    assert feedback[UNREADABLE]["problem"].tolist() == ["old Excel"]


def test_not_available_per_theme():
    reg = make_register([{"indicator_id": "1", "theme": "safer", "polarity": "lower"}], [])
    assessed = pd.DataFrame({"theme": ["safer", "safer", "health"],
                             "final_rag": ["N", "G", "N"],
                             "rag_reason": ["no usable value", "", "no return for the period"]})
    out = count_not_available(assessed, reg.themes).set_index("theme")
    assert out.loc["Safer", "not_available"] == 1 and out.loc["Safer", "indicators"] == 2
    assert out.loc["Health", "reasons"] == "no return for the period (1)"


def test_feedback_file_names_are_safe_and_distinct():
    assert feedback_files(["Leicestershire Fire & Rescue", "../../etc/passwd", "",
                           "LEICESTERSHIRE FIRE-RESCUE"]) == {
        "Leicestershire Fire & Rescue": "leicestershire-fire-rescue",
        "../../etc/passwd": "etc-passwd", "": "unknown-partner",
        "LEICESTERSHIRE FIRE-RESCUE": "leicestershire-fire-rescue-2"}
