"""Advisory checks: certification, commentary for red and amber, soft ranges with their
confirmation; each graded, each leaving the value in the figures."""

from __future__ import annotations

import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.quality.cross_checks import soft_range
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.quality.scorecard import certification_by_partner, commentary_missing
from pipeline.rules_schema import Rules
from tests.quality_build import hostile_register

HEADER = "partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,submitted_at"
WHEN = "2007-05-10T09:00:00"


@pytest.fixture(scope="module")
def suites():
    return load_suites(find_project_root() / "expectations")


def _run(tmp_path, files: dict[str, str], suites):
    folder = tmp_path / "returns"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    read = ingest_returns(folder)
    checked = check_returns(read.rows, read.file_problems, hostile_register(), suites,
                            "2006-07 Q4", Rules(), run_time="2007-09-01",
                            assess=assess_indicators)
    return read, checked


def _rows(*rows: str, header: str = HEADER, above: str = "") -> str:
    return above + header + "\n" + "\n".join(rows) + "\n"


def test_every_grade_fail_advisory_and_pass_in_one_return(tmp_path, suites):
    _, checked = _run(tmp_path, {"police.csv": _rows(
        f"Police,7.20,2006-07 Q4,county,lots,final,,,{WHEN}",
        f"Police,7.21,2006-07 Q4,county,90,final,Greenish,,{WHEN}")}, suites)
    fail = checked.quarantine[checked.quarantine["check_id"] == "value-number"]
    assert fail[["grade", "cell", "source_row"]].values.tolist() == [["FAIL", "E2", 2]]
    advisory = checked.findings[checked.findings["check_id"] == "lead-rag-known"]
    assert advisory[["grade", "cell"]].values.tolist() == [["ADVISORY", "G3"]]
    assert checked.clean["indicator_id"].tolist() == ["7.21"]   # the advisory row counts
    passed = checked.results[checked.results["success"]]
    assert "count-whole" in set(passed["check_id"])
    assert set(checked.findings["grade"]) == {"FAIL", "ADVISORY"}


def test_a_return_without_a_certifying_officer_is_advisory_and_counts(tmp_path, suites):
    row = f"Police,7.20,2006-07 Q4,county,90,final,,,{WHEN}"
    read, checked = _run(tmp_path, {
        "signed.csv": _rows(row, above="Certified by,Jo Bloggs\nDate certified,2007-05-10\n"),
        "unsigned.csv": _rows(row.replace("90", "91"))}, suites)
    advisory = checked.findings[checked.findings["check_id"] == "return-certified"]
    assert advisory[["source_file", "grade", "partner"]].values.tolist() == [
        ["unsigned.csv", "ADVISORY", "Police"]]
    assert "certifying the return" in advisory["reason"].iloc[0]
    assert len(checked.clean) == 2 and checked.quarantine.empty
    signed = read.rows[read.rows["source_file"] == "signed.csv"].iloc[0]
    assert (signed["certified_by"], signed["certified_by_cell"]) == ("Jo Bloggs", "B1")
    table = certification_by_partner(read.rows, hostile_register().indicators, "2006-07 Q4")
    assert table.set_index("partner").loc["Police"].tolist() == [2, 1, "partly certified",
                                                                  "Jo Bloggs"]


def test_red_or_amber_without_commentary_is_advisory_to_its_lead(tmp_path, suites):
    _, checked = _run(tmp_path, {"police.csv": _rows(
        f"Police,7.20,2006-07 Q4,county,150,final,A,Winter peak,{WHEN}",
        f"Police,7.21,2006-07 Q4,county,150,final,R,,{WHEN}")}, suites)
    advisory = checked.findings[checked.findings["check_id"] == "commentary-red-amber"]
    assert advisory[["indicator_id", "partner", "cell", "grade"]].values.tolist() == [
        ["7.21", "Police", "H3", "ADVISORY"]]
    assert "7.21 is rated red for 2006-07 Q4" in advisory["reason"].iloc[0]
    assert set(checked.clean["indicator_id"]) == {"7.20", "7.21"}
    listed = commentary_missing(checked.findings, checked.assessed)
    assert listed[["indicator_id", "final_rag", "partner"]].values.tolist() == [
        ["7.21", "R", "Police"]]


def test_a_value_outside_its_history_asks_for_confirmation_once(tmp_path, suites):
    history = [f"Police,7.21,2006-07 Q2,county,100,final,,,{WHEN.replace('05', '01')}",
               f"Police,7.21,2006-07 Q3,county,110,final,,,{WHEN.replace('05', '02')}"]
    header = HEADER + ",confirmation"
    odd = f"Police,7.21,2006-07 Q4,county,400,final,,,{WHEN}"
    _, checked = _run(tmp_path / "a", {"p.csv": _rows(*[h + "," for h in history], odd + ",",
                                                     header=header)}, suites)
    flagged = checked.findings[checked.findings["check_id"] == "value-in-history-range"]
    assert flagged[["indicator_id", "cell", "grade"]].values.tolist() == [
        ["7.21", "E4", "ADVISORY"]]
    assert "72.5 to 137.5 (2006-07 Q2 100; 2006-07 Q3 110)" in flagged["reason"].iloc[0]
    assert "change-plausible" in set(checked.findings["check_id"])
    assert 400 in set(checked.clean["value"])                  # advisory: the value counts
    _, confirmed = _run(tmp_path / "b", {"p.csv": _rows(
        *[h + "," for h in history], odd + ",checked: a new recording system",
        header=header)}, suites)
    assert not confirmed.findings["check_id"].isin(["value-in-history-range",
                                                    "change-plausible"]).any()


def test_the_soft_range_widens_the_history_by_the_margin_and_stays_possible():
    rules = Rules()
    assert soft_range([100.0, 110.0], "count", rules) == (72.5, 137.5)
    assert soft_range([2.0, 4.0], "count", rules) == (1.0, 5.0)
    assert soft_range([5.0, 95.0], "percent", rules) == (0.0, 100.0)
    assert soft_range([40.0, 45.0], "percent", rules) == (30.0, 55.0)
    assert soft_range([-10.0, -4.0], "score", rules) == (-12.5, -1.5)
