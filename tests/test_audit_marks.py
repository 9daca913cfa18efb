"""The auditor's findings beside the figures (issue 24.2), fragment by fragment: which figure
a finding is about, the count of what the auditor checked, the mark and note in a block
table, a risk line, a table, the district pack and the source annex. Expected words and
counts are written out by hand."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from pipeline.report.audit import (
    audit_table,
    describe_checked,
    mark_figures,
    render_audit_findings,
    with_audit_columns,
)
from pipeline.report.blocks import render_block_table, render_district_pack
from pipeline.report.covering import risk_lines
from pipeline.report.glossary import html_text
from pipeline.report.lineage import render_lineage
from pipeline.report.sheets import district_frame
from pipeline.report.summary import render_risk_lines
from tests.test_board_language import technical_terms
from tests.test_lineage import _assessment as lineage_assessment
from tests.test_lineage import _returns as lineage_returns

PERIOD = "2006-07 Q4"
FINDINGS = pd.DataFrame({
    "indicator_id": ["7.20", "2.1", "7.21", "7.22", "7.19"],
    "period": [PERIOD, "2006-07 Q3", PERIOD, PERIOD, "2005-06"],
    "finding": ["qualified", "reserved", "accepted", "not checked", "accepted"],
    "note": ["Two returns count one burglary twice.", "Survey not kept", "", "", ""],
    "auditor": ["A Auditor"] * 5, "date": ["2007-08-14"] * 5, "source_row": [4, 5, 6, 7, 9]})


def _row(indicator: str, value_period: str = PERIOD, **more) -> dict:
    return {"indicator_id": indicator, "title": f"Indicator {indicator}", "theme": "safer",
            "unit": "count", "polarity": "lower", "lead_org": "Police", "lead_officer": "",
            "baseline_value": 10.0, "baseline_period": "2004-05", "target_value": 2470.0,
            "target_status": "agreed", "value": 3202.0, "value_period": value_period,
            "period": PERIOD, "off_target_pct": 29.6, "off_trajectory_pct": 29.6,
            "computed_rag": "R", "final_rag": "R", "reward": False, **more}


def _assessed() -> pd.DataFrame:
    return pd.DataFrame([_row("7.19"), _row("7.20"), _row("2.1", "2006-07 Q3"), _row("7.21"),
                         _row("7.22"), _row("7.23")])


def test_a_finding_is_about_its_indicators_figure_of_its_period():
    marked = mark_figures(_assessed(), FINDINGS, PERIOD).set_index("indicator_id")
    # 7.19's finding is for 2005-06, not the figure shown; 2.1's value is of Q3, as found
    assert marked["audit_finding"].to_dict() == {
        "7.19": "", "7.20": "qualified", "2.1": "reserved", "7.21": "accepted",
        "7.22": "not checked", "7.23": ""}
    assert marked.loc["7.20", "audit_note"] == "Two returns count one burglary twice."


def test_no_findings_leave_the_frame_as_it_was():
    assessed = _assessed()
    assert mark_figures(assessed, None, PERIOD) is assessed
    assert "audit_finding" not in mark_figures(assessed, FINDINGS[:0], PERIOD)
    assert render_audit_findings(mark_figures(assessed, FINDINGS[:0], PERIOD)) == ""


def test_the_count_of_figures_checked_is_computed():
    marked = mark_figures(_assessed(), FINDINGS, PERIOD)
    assert describe_checked(marked["audit_finding"]) == (
        "3 figures checked by the auditor: 1 accepted, 1 qualified, 1 reserved. "
        "1 sampled but not checked.")
    assert describe_checked(pd.Series(["accepted", ""])) == (
        "1 figure checked by the auditor: 1 accepted.")
    assert describe_checked(pd.Series(["", "not checked"])) == ""


def test_the_block_table_marks_the_figure_and_gives_the_note_under_it():
    rows = mark_figures(_assessed(), FINDINGS, PERIOD)
    html = render_block_table(pd.Series({"theme": "safer", "block": 7,
                                         "appendix_name": "Safer"}), rows)
    soup = BeautifulSoup(html, "html.parser")
    row = next(tr for tr in soup.select("tbody tr") if "7.20" in tr.th.get_text())
    value = row.select("td.num")[2].get_text(" ", strip=True)
    assert value == "3,202 Qualified by the auditor (note 1)"
    notes = [p.get_text(" ", strip=True) for p in soup.select("p.audit-note")]
    assert notes == ["Note 1: 7.20 Indicator 7.20. Qualified by the auditor: Two returns "
                     "count one burglary twice.",
                     "Note 2: 2.1 Indicator 2.1. Reserved by the auditor: Survey not kept."]
    accepted = next(tr for tr in soup.select("tbody tr") if "7.21" in tr.th.get_text())
    assert "auditor" not in accepted.get_text()


def test_the_summary_line_and_the_docx_line_carry_the_mark_and_note():
    risks = mark_figures(pd.DataFrame([_row("7.20"), _row("7.21")]), FINDINGS, PERIOD)
    html = BeautifulSoup(render_risk_lines({"Red outcome risks": risks}), "html.parser")
    lines = [li.get_text(" ", strip=True) for li in html.select("li")]
    assert "(Qualified by the auditor: Two returns count one burglary twice)" in lines[0]
    assert "auditor" not in lines[1]
    assert "3,202 against target 2,470, 29.6% off trajectory (Qualified by the auditor: Two " \
           "returns count one burglary twice)" in risk_lines(risks)[0]


def test_the_appendix_section_lists_the_marked_figures_with_notes():
    html = render_audit_findings(mark_figures(_assessed(), FINDINGS, PERIOD))
    assert technical_terms(html_text(html)) == []     # the board's language
    soup = BeautifulSoup(html, "html.parser")
    assert "3 figures checked by the auditor: 1 accepted, 1 qualified, 1 reserved." in \
        soup.get_text(" ", strip=True)
    cells = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
             for tr in soup.select("tbody tr")]
    assert cells == [
        ["7.20 Indicator 7.20", "3,202 2006-07 Q4", "Qualified by the auditor",
         "Two returns count one burglary twice"],
        ["2.1 Indicator 2.1", "3,202 2006-07 Q3", "Reserved by the auditor", "Survey not kept"]]


def test_tables_get_the_finding_and_note_columns_only_with_findings():
    rows = mark_figures(_assessed(), FINDINGS, PERIOD)
    frame = pd.DataFrame({"Indicator": rows["indicator_id"]})
    out, kinds = with_audit_columns(frame, rows, {"Indicator": "text"})
    assert list(out["Auditor's finding"]) == [
        "", "Qualified by the auditor", "Reserved by the auditor", "Accepted by the auditor",
        "Not checked by the auditor", ""]
    assert kinds["Auditor's note"] == "partner"       # never read as a formula
    assert "Auditor's finding" not in frame           # the input is left as it was
    plain = _assessed()
    assert with_audit_columns(frame, plain, {})[0] is frame
    table = audit_table(rows)
    assert list(table.frame["Indicator"]) == ["7.20", "2.1", "7.21", "7.22"]
    assert audit_table(plain) is None


def _district_rows() -> pd.DataFrame:
    """District pack rows (:func:`pipeline.report.frames.district_rows`): Melton's value
    beside the county's, with the county figure's finding as the appendix marks it."""
    county = mark_figures(_assessed(), FINDINGS, PERIOD).set_index("indicator_id")
    rows = pd.DataFrame([
        {"indicator_id": i, "title": f"Indicator {i}", "theme_name": "Safer",
         "lead_org": "Police", "unit": "count", "value": 237.0, "value_period": PERIOD,
         "county_value": 3202.0, "share_of_county_pct": 7.4016, "vs_county": "",
         "target_value": 2470.0, "final_rag": "R"} for i in ("7.19", "7.20", "7.21", "2.1")])
    return rows.assign(audit_finding=list(county.loc[rows["indicator_id"], "audit_finding"]),
                       audit_note=list(county.loc[rows["indicator_id"], "audit_note"]))


def test_the_district_pack_marks_the_county_figure_as_the_appendix_does():
    html = render_district_pack("Melton", _district_rows(), PERIOD, 128)
    assert technical_terms(html_text(html)) == []     # the board's language
    soup = BeautifulSoup(html, "html.parser")
    cells = {tr.th.get_text(" ", strip=True).split()[0]: [td.get_text(" ", strip=True)
                                                          for td in tr.find_all("td")]
             for tr in soup.select("tbody tr") if tr.td}
    # the finding is about the county's figure (the one the appendix prints), not Melton's
    assert cells["7.20"][1:3] == ["237", "3,202 Qualified by the auditor (note 1)"]
    assert cells["2.1"][2] == "3,202 Reserved by the auditor (note 2)"
    assert "auditor" not in " ".join(cells["7.19"] + cells["7.21"])
    notes = [p.get_text(" ", strip=True) for p in soup.select("p.audit-note")]
    assert notes == ["Note 1: 7.20 Indicator 7.20. Qualified by the auditor: Two returns "
                     "count one burglary twice.",
                     "Note 2: 2.1 Indicator 2.1. Reserved by the auditor: Survey not kept."]
    plain = render_district_pack("Melton", _district_rows().drop(
        columns=["audit_finding", "audit_note"]), PERIOD, 128)
    assert "auditor" not in plain


def test_the_source_annex_marks_the_figure_as_the_appendix_does():
    assessed = mark_figures(lineage_assessment(), FINDINGS, PERIOD)
    soup = BeautifulSoup(render_lineage(assessed, lineage_returns(), PERIOD), "html.parser")
    header = soup.find(id="lineage-7-20").th.get_text(" ", strip=True)
    assert header == "7.20 Qualified by the auditor (note 1)"
    assert "auditor" not in soup.find(id="lineage-7-21").get_text(" ", strip=True)
    notes = [p.get_text(" ", strip=True) for p in soup.select("p.audit-note")]
    assert notes == ["Note 1: 7.20 Burglary. Qualified by the auditor: Two returns count one "
                     "burglary twice."]
    unmarked = render_lineage(lineage_assessment(), lineage_returns(), PERIOD)
    assert "auditor" not in unmarked


def test_the_district_tables_get_the_finding_and_note_of_the_county_figure():
    rows = _district_rows().assign(theme="safer", polarity="lower", computed_rag="R")
    frame = district_frame(rows, "Melton")
    assert list(frame.frame["Auditor's finding"]) == [
        "", "Qualified by the auditor", "Accepted by the auditor", "Reserved by the auditor"]
    assert "Auditor's note" in frame.kinds
    plain = district_frame(rows.drop(columns=["audit_finding", "audit_note"]), "Melton")
    assert "Auditor's finding" not in plain.frame
