"""End-to-end: the demo with three planted faults (unknown indicator, negative count, late
return). Only the two bad rows are quarantined, the late return counts and is flagged, all
three reach the scorecard and the feedback files, and the appendix is still produced."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline.config import find_project_root
from tests.conftest import hashes
from tests.in_process import laa_here

ROOT = find_project_root()
HEADER = ("partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,actions,"
          "submitted_by,submitted_at\n")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    data = base / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    returns = data / "returns"
    (returns / "2006-07_Q4_constabulary_extra.csv").write_text(
        HEADER
        + "Leicestershire Constabulary,7.99,2006-07 Q4,county,12,final,G,,,Jo Bloggs,"
          "2007-05-11T10:00:00\n"
        + "Leicestershire Constabulary,7.20,2006-07 Q4,Melton,-12,final,,,,Jo Bloggs,"
          "2007-05-11T10:00:00\n", encoding="utf-8")
    (returns / "2006-07_Q4_fire_late.csv").write_text(
        HEADER + "Leicestershire Fire and Rescue Service,7.10,2006-07 Q4,county,560,final,G,"
                 "Corrected figure,,Sam Price,2007-06-20T10:00:00\n", encoding="utf-8")
    before = hashes(data)
    proc = laa_here(
        "run", "--data-dir", str(data), "--clean-dir", str(base / "clean"), "--reports-dir",
        str(base / "reports"), "--generated-at", "2007-06-30T12:00:00", "--period",
        "2006-07 Q4", "--meeting", "2007-09-03",
        "--formats", "html")   # the appendix's HTML is what is read here
    return {"proc": proc, "clean": base / "clean", "report": base / "reports" / "2007-09-03",
            "before": before, "after": hashes(data)}


def test_run_completes_and_appendix_is_produced(planted):
    assert planted["proc"].returncode == 0, planted["proc"].stderr
    html = (planted["report"] / "appendix.html").read_text(encoding="utf-8")
    assert "63 (63.6%)" in html


def test_only_the_two_bad_rows_are_quarantined(planted):
    quarantine = pd.read_parquet(planted["clean"] / "quarantine.parquet")
    rows = quarantine[quarantine["source_row"] > 0]
    assert sorted(zip(rows["source_file"], rows["source_row"], rows["column"], strict=True)) == [
        ("2006-07_Q4_constabulary_extra.csv", 2, "indicator_id"),
        ("2006-07_Q4_constabulary_extra.csv", 3, "value")]
    assert (quarantine["source_row"] == 0).sum() == 0


def test_late_return_is_flagged_but_counts(planted):
    assessment = pd.read_parquet(planted["clean"] / "assessment.parquet")
    assert assessment.set_index("indicator_id").loc["7.10", "value"] == 560
    cards = pd.read_csv(planted["report"] / "data-quality" / "scorecard.csv").set_index("partner")
    fire = cards.loc["Leicestershire Fire and Rescue Service"]
    assert (fire["returns_received"], fire["received_on_time"], fire["timeliness"]) == (2, 1, 1)
    police = cards.loc["Leicestershire Constabulary"]
    assert police["rows_quarantined"] == 2


def test_all_three_faults_reach_the_feedback_files(planted):
    feedback = planted["report"] / "data-quality" / "feedback"
    police = pd.read_csv(feedback / "leicestershire-constabulary.csv", dtype=str)
    problems = set(police["problem"])
    assert ("indicator_id '7.99': expected an indicator id from the register (indicators.csv)"
            in problems)
    assert "value '-12': expected a count of zero or more (indicator 7.20 is a count)" in problems
    fire = pd.read_csv(feedback / "leicestershire-fire-and-rescue-service.csv", dtype=str)
    assert ("submitted_at '2007-06-20T10:00:00': expected submission by the deadline for "
            "2006-07 Q4: 2007-05-15") in set(fire["problem"])
    assert set(fire["cell"]) >= {"K2"}
    assert (planted["report"] / "data-quality" / "scorecard.html").is_file()


def test_the_data_quality_report_lists_each_fault_where_it_is(planted):
    quality = planted["report"] / "data-quality"
    failures = pd.read_csv(quality / "validation-failures.csv", dtype=str,
                           keep_default_na=False, encoding="utf-8-sig")
    # Text cells that a spreadsheet would read as a formula (``-12``) are defused with ``'``.
    where = set(zip(failures["suite"], failures["partner"], failures["file"], failures["row"],
                    failures["cell"], failures["value found"], strict=True))
    police, fire = "Leicestershire Constabulary", "Leicestershire Fire and Rescue Service"
    assert {("returns", police, "2006-07_Q4_constabulary_extra.csv", "2", "B2", "7.99"),
            ("returns", police, "2006-07_Q4_constabulary_extra.csv", "3", "E3", "'-12"),
            ("returns", fire, "2006-07_Q4_fire_late.csv", "2", "K2",
             "2007-06-20T10:00:00")} <= where
    html = (quality / "report.html").read_text(encoding="utf-8")
    assert '<td class="path">2006-07_Q4_constabulary_extra.csv</td>' in html
    assert "expected <span class=\"expected\">an indicator id from the register" in html
    assert "row_key" not in html and "<script" not in html
    assert not (quality / "data-docs").exists()


def test_raw_files_unchanged(planted):
    assert planted["before"] == planted["after"]


def test_laa_validate_fails_on_critical_checks_and_names_where(planted, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "tests" / "data" / "mini", data)
    out = ["validate", "--data-dir", str(data), "--clean-dir", str(tmp_path / "clean"),
           "--reports-dir", str(tmp_path / "reports"), "--period", "2006-07 Q4",
           "--meeting", "2007-09-03"]
    ok = laa_here(*out)
    assert ok.returncode == 0, ok.stderr
    (data / "returns" / "bad.csv").write_text(
        HEADER + "Mini Police,2.9,2006-07 Q4,county,5,final,,,,Bob Hart,2007-05-10T09:00:00\n",
        encoding="utf-8")
    bad = laa_here(*out)
    assert bad.returncode == 5
    line = bad.stderr.strip().splitlines()[-1]
    assert line.startswith("laa validate failed: critical checks failed: 1 row(s) and 0 "
                           "file(s) quarantined; see ")
    assert line.endswith("validation/data-quality/report.html")
