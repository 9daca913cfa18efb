"""The appendix's gap analysis and pooled fund sections (issue 14): HTML, chart, exports,
notebook cells and the scenario parameter."""

from __future__ import annotations

import json
import re

import pandas as pd

from pipeline.assess.pooled_fund import check_underspend_rule, summarise_outturn
from pipeline.assess.reward_gap import analyse_reward_gaps, list_options
from pipeline.cli import main
from pipeline.config import find_project_root
from pipeline.report import charts, reward_sheets, sections, sheets
from pipeline.rules_schema import Rules
from pipeline.run.execute import APPENDIX_ONLY, notebook_parameters
from tests.test_reward_gap import ASSESSED, OPTIONS, TARGETS, THEMES

ROOT = find_project_root()
HOSTILE = '<script>alert(1)</script>=HYPERLINK("x")'


def _gaps(options: pd.DataFrame = OPTIONS) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = analyse_reward_gaps(ASSESSED, TARGETS, options, THEMES, Rules())
    return table, list_options(options, table, ASSESSED)


def test_gap_section_has_a_table_per_theme_header_cells_and_a_titled_chart():
    table, listed = _gaps(OPTIONS.assign(option=[HOSTILE] + list(OPTIONS["option"][1:])))
    html = sections.render_reward_gaps(table, listed, "", 60.0, 100.0)
    captions = re.findall(r"<caption>([^<]*)</caption>", html)
    assert captions[:2] == ["Cleaner and Greener: gap analysis against the 2008-09 stretch "
                            "targets", "Safer Communities: gap analysis against the 2008-09 "
                            "stretch targets"]
    assert html.count('<th scope="col"') >= 12 * 2
    assert "£321,665.49" in html and "£122,887.01" in html and "1.11 points" in html
    assert "yes: approved options" in html and "£0.30" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<title" in svg and "2.1 (A)" in svg and "7.22 (R)" in svg   # RAG as a letter
    assert "£224,499.01 in all" in svg
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert "Payable if" not in html                   # no scenario: as forecast only


def test_scenario_adds_the_grant_payable_if_the_options_deliver():
    table, listed = _gaps()
    html = sections.render_reward_gaps(table, listed, "approved", 60.0, 100.0)
    assert "Payable if approved options deliver" in html and "£101,612.00" in html
    assert "with approved options delivered" in html
    html = sections.render_reward_gaps(table, listed, "all", 60.0, 100.0)
    assert "Payable if all options deliver" in html and "£356,295.05" in html


def test_chart_is_empty_without_grant_at_stake():
    table, _ = _gaps()
    assert charts.reward_gap_svg(table.assign(at_stake_gbp=0.0)) == ""


def _outturn() -> tuple[pd.DataFrame, dict]:
    rows = pd.DataFrame({
        "year": "2006-07", "theme": ["cleaner_greener", "safer"],
        "block": ["Cleaner and Greener", "Safer Communities"],
        "allocation_gbp": [1000.0, 2000.0], "spend_gbp": [990.0, 2060.0],
        "carry_forward_gbp": [0.0, 0.0], "virement_gbp": [-50.0, 50.0],
        "commentary": [HOSTILE, ""], "source_file": "f.csv", "source_row": [2, 3]})
    outturn = summarise_outturn(rows, THEMES, "2006-07")
    return outturn, check_underspend_rule(outturn, Rules())


def test_pooled_fund_section_escapes_commentary_and_lists_what_was_set_aside():
    outturn, check = _outturn()
    problems = pd.DataFrame({"year": ["2006-07"], "source_file": ["f.csv"], "source_row": [4],
                             "column": ["spend_gbp"], "found": ["-1"],
                             "message": ["spend_gbp '-1' is negative"]})
    lines = pd.DataFrame({"year": ["2006-07"], "source_file": ["f.csv"], "rows_read": [3],
                          "rows_used": [2], "rows_set_aside": [1]})
    html = sections.render_pooled_fund("2006-07", outturn, {**check, "sentence": "S."},
                                       problems, lines, 5.0)
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "-£50" in html and "-£40" in html          # virement out; an overspend
    assert "Read from the finance return, 3 rows: 2 used, 1 set aside." in html
    assert "f.csv" not in html.split("<table")[0]   # the board's words: no file name
    assert "spend_gbp &#39;-1&#39; is negative" in html
    assert '<th scope="row">Total</th>' in html


def test_exports_hold_both_tables_with_money_and_partner_text():
    table, listed = _gaps()
    gap = reward_sheets.reward_gap_table(table)
    assert gap.kinds["At stake (£)"] == "gbp" and gap.kinds["Gap"] == "value"
    assert set(gap.kinds) == set(gap.frame.columns)
    assert "Payable if approved options deliver (£)" in gap.frame
    options = reward_sheets.options_table(listed)
    assert options.kinds["Option"] == "partner" and options.kinds["Owner"] == "partner"
    outturn, _ = _outturn()
    fund = sheets.pooled_fund_table(outturn, 5.0)
    assert fund.kinds["Commentary"] == "partner"
    assert list(fund.frame["Block"]) == ["Cleaner and Greener", "Safer Communities", "Total"]
    # budgets 950 and 2,050, spend 990 and 2,060: -40 - 10 = -50 of 3,000 = -1.67%
    assert fund.frame["Underspend % of allocation"].iloc[-1] == -1.7      # a number


def test_appendix_cells_sit_where_the_issue_puts_them():
    cells = json.loads((ROOT / "notebooks" / "04_appendix.ipynb").read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    forecast = next(i for i, s in enumerate(sources)   # shown only with reward targets
                    if "display(HTML(sections.render_grant_forecast(" in s)
    assert "render_reward_gaps" in sources[forecast + 1]
    assert sources[forecast + 1].startswith("if app.gaps is not None:")
    quality = next(i for i, s in enumerate(sources) if s.startswith("## Data quality"))
    assert sources[quality - 1].startswith("if app.pooled_fund is not None:")
    assert 'scenario = ""' in sources[0]


def test_scenario_is_a_parameter_of_the_appendix_only():
    from pipeline.config import load_settings

    settings = load_settings(scenario="options=all")
    assert settings.scenario == "all" and "scenario" in APPENDIX_ONLY
    assert notebook_parameters(settings, "appendix")["scenario"] == "all"
    assert "scenario" not in notebook_parameters(settings, "assess")


def test_wrong_scenario_exits_2_with_one_line_before_anything_runs(capsys):
    assert main(["run", "--scenario", "options=maybe"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["laa run failed: scenario 'options=maybe' not known; use options=approved "
                   "or options=all (or leave it out for the grant as forecast)"]
