"""Unit tests of lineage: from a figure to the return rows it came from, and its HTML section."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import UnknownKeyError
from pipeline.report.lineage import figure_of, lineage_table, render_lineage, trace_indicator
from pipeline.report.pages import lineage_anchor, lineage_href
from pipeline.run.trace import finding_lines, format_trace, raw_row


def _returns() -> pd.DataFrame:
    base = {"indicator_id": "7.20", "period": "2006-07 Q4", "geography": "county",
            "data_status": "final", "partner": "Police", "submitted_by": "G W",
            "source_sheet": "", "superseded_by": "", "in_force": False}
    rows = [
        {**base, "record_id": "q4.csv||3", "value_text": "3100", "value": 3100.0,
         "source_file": "q4.csv",
         "source_row": 3, "source_sha256": "a" * 64, "superseded_by": "fix.csv||2",
         "submitted_at": pd.Timestamp("2007-05-01")},
        {**base, "record_id": "q4b.xlsx|Returns|9", "value_text": "3220", "value": 3220.0,
         "source_file": "q4b.xlsx", "source_sheet": "Returns", "source_row": 9,
         "source_sha256": "b" * 64, "superseded_by": "fix.csv||2",
         "submitted_at": pd.Timestamp("2007-05-08")},
        {**base, "record_id": "fix.csv||2", "value_text": "3202", "value": 3202.0,
         "source_file": "fix.csv",
         "source_row": 2, "source_sha256": "c" * 64, "in_force": True,
         "submitted_at": pd.Timestamp("2007-05-14")},
        {**base, "indicator_id": "7.21", "record_id": "fix.csv||3", "value_text": "690",
         "value": 690.0,
         "source_file": "fix.csv", "source_row": 3, "source_sha256": "c" * 64,
         "in_force": True, "partner": "<script>alert(1)</script>",
         "submitted_at": pd.Timestamp("2007-05-14")},
    ]
    return pd.DataFrame(rows)


def _assessment() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": ["7.20", "7.21", "2.1"], "title": ["Burglary", "Robbery", "Waste"],
        "theme_name": ["Safer", "Safer", "Greener"], "unit": "count",
        "value_period": ["2006-07 Q4", "2006-07 Q4", ""], "value": [3202.0, 690.0, None],
        "value_text": ["3202", "690", ""], "target_period": "2006-07",
        "target_value": [2470.0, 472.0, 5.0], "off_target_pct": [29.6356, 46.19, None],
        "computed_rag": ["R", "R", "N"], "lead_rag": ["R", "", ""],
        "final_rag": ["R", "R", "N"], "rag_reason": ["", "", "no return for the period"],
        "record_id": ["fix.csv||2", "fix.csv||3", ""], "period": "2006-07 Q4"})


def test_trace_gives_the_row_in_force_then_the_ones_it_superseded_latest_first():
    table = trace_indicator(_assessment(), _returns(), "7.20")
    assert table["role"].tolist() == ["in force", "superseded", "superseded"]
    assert table["record_id"].tolist() == ["fix.csv||2", "q4b.xlsx|Returns|9", "q4.csv||3"]
    assert table.loc[0, ["source_file", "source_row", "submitted_by"]].tolist() == [
        "fix.csv", 2, "G W"]
    assert (table.loc[1:, "superseded_by"] == "fix.csv||2").all()


def test_unknown_indicator_is_a_clear_error():
    with pytest.raises(UnknownKeyError, match="no indicator '9.99'"):
        trace_indicator(_assessment(), _returns(), "9.99")


def test_lineage_table_follows_the_assessment_order_and_skips_indicators_without_returns():
    table = lineage_table(_assessment(), _returns())
    assert table["indicator_id"].tolist() == ["7.20", "7.20", "7.20", "7.21"]


def test_format_trace_says_figure_then_each_row_and_checks_file_hashes():
    table = trace_indicator(_assessment(), _returns(), "7.20")
    raw = {"fix.csv||2": ("c" * 64, {"indicator_id": "7.20", "value": "3202"}),
           "q4b.xlsx|Returns|9": ("d" * 64, {}), "q4.csv||3": ("", {})}
    lines = format_trace(figure_of(_assessment(), "7.20"), table, raw)
    assert lines[0] == "7.20 Burglary (Safer)"
    assert lines[1] == ("  appendix figure: 3,202 at 2006-07 Q4 against a target of 2,470 for "
                        "2006-07: 29.6% off; computed Red, lead Red, final Red")
    text = "\n".join(lines)
    assert "<- in force: value 3,202 for 2006-07 Q4, county, final" in text
    assert "||" not in text  # record ids are shown as file, sheet and row
    assert "superseded by returns/fix.csv, row 2" in text
    assert "row: indicator_id=7.20; value=3202" in text
    assert "raw: returns/fix.csv, row 2, sha256 " + "c" * 64 + " (file unchanged)" in text
    assert "raw: returns/q4b.xlsx, sheet Returns, row 9" in text
    assert "FILE CHANGED: now " + "d" * 64 in text and "FILE MISSING" in text


def test_format_trace_of_an_indicator_without_return():
    lines = format_trace(figure_of(_assessment(), "2.1"),
                         trace_indicator(_assessment(), _returns(), "2.1"), {})
    assert lines[-1] == "  <- no return in force for the period: no return for the period"


def test_raw_row_rereads_the_file_and_names_cells_by_the_recorded_header(tmp_path):
    (tmp_path / "r.csv").write_text("indicator_id,value\n7.20,3202\n", encoding="utf-8")
    digest, cells = raw_row(tmp_path, "r.csv", "", 2, "indicator_id,value")
    assert len(digest) == 64 and cells == {"indicator_id": "7.20", "value": "3202"}
    assert raw_row(tmp_path, "gone.csv", "", 2, "") == ("", {})
    assert raw_row(tmp_path, "r.csv", "", 9, "indicator_id,value")[1] == {}


def test_lineage_section_anchors_each_indicator_and_escapes_partner_text():
    html = render_lineage(_assessment(), _returns(), "2006-07 Q4")
    assert lineage_anchor("7.20") == "lineage-7-20" and lineage_href("NI 152") == \
        "#lineage-ni-152"
    for indicator in ("7.20", "7.21", "2.1"):
        assert f'id="{lineage_anchor(indicator)}"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert html.count('class="superseded"') == 2
    assert "No return in force for the period." in html


def test_finding_lines_give_the_figure_s_finding_as_the_appendix_marks_it():
    figure = figure_of(_assessment(), "7.20")           # its value is of 2006-07 Q4
    findings = pd.DataFrame({"indicator_id": ["7.20", "7.20", "2.1"],
                             "period": ["2006-07 Q4", "2005-06", "2006-07 Q4"],
                             "finding": ["qualified", "reserved", "reserved"],
                             "note": ["Counted twice.", "Old", "Other"]})
    assert finding_lines(figure, findings, "2006-07 Q4") == [
        "  auditor's finding: Qualified by the auditor: Counted twice"]
    assert finding_lines(figure, findings.iloc[1:], "2006-07 Q4") == []   # another period's
    assert finding_lines(figure, None, "2006-07 Q4") == []
    accepted = findings.iloc[:1].assign(finding="accepted", note="")
    assert finding_lines(figure, accepted, "2006-07 Q4") == [
        "  auditor's finding: Accepted by the auditor"]


def test_the_published_runs_of_the_clean_folder_are_found_whether_it_is_named_relative_or_not(
        tmp_path):
    """``laa trace`` finds the meetings published from its clean folder whether their
    manifests name it relative to the project root (as runs do now) or absolute (as older
    ones did), never from the current directory; another clean folder's or period's are
    left out."""
    from dataclasses import replace

    from pipeline.config import find_project_root, load_settings
    from pipeline.run.manifest import MANIFEST_VERSION, write_manifest
    from pipeline.run.trace import published_runs

    settings = replace(load_settings(), reports_dir=tmp_path / "reports")
    clean = find_project_root() / "data" / "clean"
    for meeting, period, folder in (
            ("2007-07-01", "2006-07 Q4", "data/clean"), ("2007-08-01", "2006-07 Q4", str(clean)),
            ("2007-09-01", "2006-07 Q4", "data/clean/laa2"),
            ("2007-10-01", "2006-07 Q3", "data/clean")):
        write_manifest(settings.reports_dir / meeting / "manifest.json", {
            "manifest_version": MANIFEST_VERSION,
            "parameters": {"period": period, "clean_dir": folder}})
    assert [path.parent.name for path, _ in published_runs(settings)] == [
        "2007-07-01", "2007-08-01"]
