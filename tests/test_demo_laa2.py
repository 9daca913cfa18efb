"""End-to-end: the second demo, LAA2 at 2008-09 Q3 for the Board of 9 March 2009.

Expected counts come from the seeds, not from the code: 35 designated, 16 statutory and 10
local targets, 23 placeholders (seed 000, paragraph 2); 16 of the 49 SCS outcomes and 153
outcomes and sub-outcomes (seed 000, paragraphs 5 and 9); the MAA's NI 152, 163, 165, 172
and the local employment land indicator (seed 001, paragraph 20); every delivery plan in
but the economic ones (seed 000, paragraph 6). Where the seeds give no number, the figure is
a hand count of the demo's files (data/raw/laa2/README.md lists them).
"""

from __future__ import annotations

import csv

import pytest
from bs4 import BeautifulSoup

from pipeline.config import find_project_root
from tests.conftest import hashes
from tests.csvw_checks import csvw_problems

ROOT = find_project_root()
DEMO = ROOT / "data" / "raw" / "laa2"
pytestmark = pytest.mark.slow

MAA = ["L 1", "NI 152", "NI 163", "NI 165", "NI 172"]
ECONOMIC = ["L 1", "NI 152", "NI 163", "NI 165", "NI 171", "NI 172"]
GAPS = ["1.6", "2.5.2", "3.4", "4.7", "4.7.1", "5.4", "5.6.2", "6.3.1", "7.6"]
OVERDUE = ["NI 8", "NI 30"]   # due 31 December 2008 and 31 January 2009


@pytest.fixture(scope="module")
def laa2(laa2_run):
    """The LAA2 demo run with the README's command (once per session, in conftest)."""
    report = laa2_run["report"]
    return {"stdout": laa2_run["stdout"], "report": report,
            "before": laa2_run["raw_before"], "raw": laa2_run["raw"],
            "html": BeautifulSoup((report / "appendix.html").read_text(encoding="utf-8"),
                                  "html.parser")}


def _table(laa2, name: str) -> list[dict[str, str]]:
    found = sorted((laa2["report"] / "tables").glob(f"*-{name}.csv"))
    assert len(found) == 1, name
    with found[0].open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _headings(laa2) -> list[str]:
    return [h.get_text(" ", strip=True) for h in laa2["html"].select("h2")]


def test_the_summary_by_kind_has_the_seeds_35_16_and_10(laa2):
    rows = {r["Kind"]: r for r in _table(laa2, "summary-by-kind")}
    assert {k: int(r["Targets"]) for k, r in rows.items()} == {
        "Designated": 35, "Statutory": 16, "Local": 10, "Totals": 61}
    shown = laa2["html"].select("table.risk-summary")[1]
    assert shown.caption.get_text() == "Indicator Risk Summary by kind of target"
    assert [tr.select("td")[0].get_text() for tr in shown.select("tbody tr")] == [
        "35", "16", "10", "61"]


def test_the_23_placeholders_are_listed_with_due_dates_and_counted_apart(laa2):
    rows = _table(laa2, "placeholder-targets")
    assert len(rows) == 23
    assert all(r["Due to be agreed"] for r in rows)
    assert [r["Indicator"] for r in rows if r["Overdue at the meeting"] == "yes"] == OVERDUE
    # counted apart from the rated ones: none of them is green, amber or red for the period
    assert {r["Final RAG now"] for r in rows} <= {"Target not agreed",
                                                  "Not available for reporting"}
    sentence = laa2["html"].select_one("p.placeholders").get_text()
    assert sentence.startswith("23 of the targets are placeholders")
    assert "23 of them are counted apart from the rated indicators" in sentence
    # the indicator risk summary: 23 not rated of 61, 38 rated at most
    totals = {r["Theme"]: r for r in _table(laa2, "indicator-risk-summary")}["Totals"]
    rated = int(totals["Rated (green, amber or red)"])
    assert rated + int(totals["Not available for reporting"]) + int(
        totals["Target not agreed"]) == 61 and rated <= 61 - 23


def test_the_maa_indicators_are_the_seeds_five_and_marked(laa2):
    rows = _table(laa2, "maa-indicators")
    assert [r["Indicator"] for r in rows] == MAA
    assert {r["MAA shared with"] for r in rows} == {"Leicester"}
    marked = laa2["html"].select("table.maa-indicators tbody th")
    assert all("(MAA)" in th.get_text() for th in marked) and len(marked) == 5


def test_16_of_the_49_outcomes_have_no_target(laa2):
    rows = _table(laa2, "outcomes-without-target")
    assert len(rows) == 16
    sentence = laa2["html"].select_one("p.outcomes-without-target").get_text()
    assert sentence.startswith("16 of the 49 outcomes have no LAA target")
    # outcome 1.7 has NI 135 against it (seed 000, paragraph 5)
    assert "1.7" not in {r["Outcome"] for r in rows}


def test_the_directorys_gaps_are_listed_for_the_board_to_fill(laa2):
    rows = _table(laa2, "directory-gaps")
    assert [r["Outcome"] for r in rows] == GAPS
    assert {r["Outcome"]: r["Missing"] for r in rows}["7.6"] == "board champion, outcome lead"
    sentence = laa2["html"].select_one("p.directory-gaps").get_text()
    assert sentence.startswith("9 of the directory's 153 outcomes and sub-outcomes")
    assert len(_table(laa2, "partnership-directory")) == 153


def test_delivery_plans_are_all_in_but_the_economic_ones(laa2):
    rows = _table(laa2, "delivery-plans")
    assert len(rows) == 61
    assert [r["Indicator"] for r in rows if r["Stage"] == "outstanding"] == ECONOMIC
    assert {r["Theme"] for r in rows if r["Stage"] == "outstanding"} == {
        "Economic Development"}
    received = [r for r in rows if r["Stage"] != "outstanding"]
    assert all(r["Reviewed by the challenge group"] for r in received)  # seed 000, para 7
    listed = laa2["html"].select("table.delivery-plans tbody th")
    assert [th.select_one(".ind-id").get_text() for th in listed] == ECONOMIC


def test_sections_that_do_not_apply_are_left_out_and_the_new_ones_sit_in_order(laa2):
    headings = _headings(laa2)
    # LAA2 has no reward targets of its own: only the first agreement's, carried forward
    assert [h.split(". ", 1)[-1] for h in headings if "Reward" in h] == [
        "Reward: the first agreement's targets and the performance grant"]
    assert not laa2["html"].select("table.reward-grant, table.grant-forecast:not("
                                   ".first-agreement)")
    summary = (laa2["report"] / "summary.html").read_text(encoding="utf-8")
    assert "Reward grant at risk" not in summary
    names = [h.split(". ", 1)[-1] for h in headings]
    order = ["Overall assessment of progress", "Multi-Area Agreement indicators",
             "Delivery plans", "Outcome risks"]
    assert [n for n in names if n in order] == order
    # placeholders: a sub-section of the overall assessment, whose summaries count them apart
    first = next(h for h in laa2["html"].select("h2") if "Overall assessment" in h.get_text())
    assert first.find_next(["h2", "h3"]).get_text(strip=True) == "Placeholder targets"
    assert names.index("Outcomes with no LAA target") < names.index("Partnership directory")
    assert not any(p.name.endswith(("reward-grant.csv", "reward-grant-forecast.csv"))
                   for p in (laa2["report"] / "tables").iterdir())
    # no district returned a value: no district coverage section, sheet or CSV (issue 22.2)
    assert "District coverage" not in names
    assert not any(p.name.endswith(("district-coverage.csv", "district-values.csv"))
                   for p in (laa2["report"] / "tables").iterdir())
    # the summary's pointer to the appendix names only what the appendix has
    pointer = BeautifulSoup(summary, "html.parser").select_one("p.full-appendix").get_text()
    assert "grant forecast" not in pointer and "district coverage" not in pointer
    assert "the block tables" in pointer and "data quality" in pointer


def test_ids_are_listed_in_natural_order(laa2):
    ids = [r["Indicator"] for r in _table(laa2, "block-cyp")]
    assert ids.index("NI 56") < ids.index("NI 72") < ids.index("NI 100") < ids.index("NI 117")
    local = [r["Indicator"] for r in _table(laa2, "delivery-plans")
             if r["Indicator"].startswith("L ")]
    assert local == [f"L {n}" for n in range(1, 11)]
    directory = [r["Outcome"] for r in _table(laa2, "partnership-directory")]
    assert directory.index("1.2.9") + 1 == directory.index("1.2.10")


def test_catalogue_titles_fill_the_rows_that_give_only_an_ni(laa2):
    with (DEMO / "register" / "indicators.csv").open(encoding="utf-8") as handle:
        blank = {r["indicator_id"] for r in csv.DictReader(handle) if not r["title"]}
    assert "NI 152" in blank and len(blank) == 51
    titles = {r["Indicator"]: r["Title"] for r in _table(laa2, "block-economy")}
    assert titles["NI 152"] == "Working age people on out of work benefits"


def test_the_demo_files_are_unchanged_and_the_first_demo_does_not_read_them(laa2):
    # the first agreement's register and returns are read, never written
    assert hashes(laa2["raw"]) == laa2["before"]   # the run's project's data/raw, as shipped
    from pipeline.run.manifest import hash_tree
    paths = [e["path"] for e in hash_tree(ROOT / "data" / "raw")]
    assert any(p.startswith("register/") for p in paths)
    assert any(p.startswith("returns/") for p in paths)
    assert not any(p.startswith("laa2/") for p in paths)


def test_the_first_agreements_reward_targets_in_their_final_year(laa2, pdf_text):
    # Seed 001 para 28: LAA1's 12 reward targets carry forward into LAA2, their reward known
    # at the end of 2008-09. LAA1's returns stop at 2006-07, so each sub-target's line from
    # its baseline through its 2006-07 value is carried on to 2008-09. By hand (lower is
    # better, grant £101,612 each but 7.16 and 7.17 £381,045; 2008-09 stretch / without):
    #   7.16 412 (2005-06) -> 288: 288 - 124 x 2 = 40 vs 270 / 339: beyond, £381,045
    #   7.17 no value: nothing forecast, £0
    #   7.18 1,680 (2004-05) -> 1,151: 1,151 - 264.5 x 2 = 622 vs 1,010 / 1,192: £101,612
    #   7.19 4,977 -> 3,897: 2,817 vs 3,100 / 3,534: £101,612
    #   7.20 3,291 -> 3,202: 3,113 vs 2,330 / 2,833: short of without-stretch, £0
    #   7.21 548 -> 690: 832: £0;  7.22 318 -> 291: 264 vs 220 / 273: 9/53 = 17% < 60%, £0
    # RT6 payable 381,045 + 2 x 101,612 = £584,269; at stake 1,270,150 - 584,269 = £685,881.
    # 2.1 (RT3, a level): 33.5 (2004-05) -> 39.36 at 2006-07 Q3 (2006.75): 5.86 / 1.75 a
    # year, 39.36 + 3.348571 x 2.25 = 46.8943 vs 48 / 44: 72.357% of £444,552.50 =
    # £321,665.49, £122,887.01 at stake; 2.2 and 2.3 pay in full.
    # RT9: 4.2.4's condition not met pays nothing (seed 002, 3.4), 4.2.1 and 4.2.2 fall short.
    section = laa2["html"].select_one("table.first-agreement")
    rows = {tr.th.get_text(" ", strip=True).split(" - ")[0]: [td.get_text(strip=True)
                                                             for td in tr.select("td")]
            for tr in section.select("tbody tr") if tr.select("td")}
    assert rows["RT6"] == ["7.16, 7.17, 7.18, 7.19, 7.20, 7.21, 7.22", "7", "4",
                           "£1,270,150.00", "£584,269.00", "£685,881.00"]
    assert rows["RT3"][3:] == ["£1,270,150.00", "£1,147,262.99", "£122,887.01"]
    assert rows["RT9"][3:] == ["£1,270,150.00", "£0.00", "£1,270,150.00"]
    assert len([k for k in rows if k.startswith("RT")]) == 12
    assert rows["Overall Total"][:1] == ["32"] and rows["Overall Total"][2] == "£15,241,800.00"
    text = laa2["html"].get_text(" ", strip=True)
    assert ("Forecast for 2008-09 from the 2006-07 outturn, each value carried on along its "
            "line from the baseline (2.1 from its 2006-07 Q3 value; no value for 7.17: "
            "nothing forecast).") in text
    assert "12 reward targets (32 sub-targets), a maximum grant of £15,241,800.00" in text
    # LAA2's own grant as its register describes it, marked illustrative (no seed figure)
    assert ("Illustrative: This agreement has no reward targets of its own; a performance "
            "grant of up to £5,000,000 is paid at the end of 2010-11, based on performance "
            "across all targets.") in text
    pdf = " ".join(pdf_text(laa2["report"] / "appendix.pdf"))
    assert "£685,881.00" in pdf and "Illustrative" in pdf
    sheet = {r["Reward target"].split(" - ")[0]: r for r in _table(laa2, "first-agreement-reward")}
    assert (float(sheet["RT6"]["Final-year forecast payable (£)"]),
            float(sheet["RT6"]["At stake (£)"])) == (584269.0, 685881.0)


def test_the_first_agreements_files_are_inputs_of_the_run(laa2):
    import json
    manifest = json.loads((laa2["report"] / "manifest.json").read_text(encoding="utf-8"))
    paths = {e["path"] for e in manifest["inputs"]}
    assert {"../register/targets.csv", "../register/indicators.csv",
            "../returns/2006-07_Q4_leicestershire_constabulary.xlsx",
            "register/performance_grant.toml"} <= paths
    assert "../register/covering_report.toml" not in paths
    assert not any(p.startswith(("../laa2/", "../national/", "../finance/")) for p in paths)


def test_every_csv_has_valid_csvw_metadata_and_parses_at_its_datatypes(laa2):
    assert len(sorted(laa2["report"].rglob("*.csv"))) >= 25
    assert csvw_problems(laa2["report"]) == {}


def test_the_summary_gives_the_first_agreements_reward_at_stake_in_the_appendixs_words(laa2):
    summary = BeautifulSoup((laa2["report"] / "summary.html").read_text(encoding="utf-8"),
                            "html.parser")
    messages = [p.get_text(" ", strip=True) for p in summary.select("p.key-message")]
    said = laa2["html"].select_one("p.reward-count").get_text(" ", strip=True)
    # 12 reward targets of £1,270,150 each: £15,241,800 (seed 001 para 28); no go_issues.csv
    # in LAA2's register, so nothing on Government Office's issues
    assert messages == ["Reward of the first agreement, " + said]
    assert "a maximum grant of £15,241,800.00;" in said and said.endswith(" at stake.")
