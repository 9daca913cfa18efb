"""The chase list (issue 20 item 8): every row sent appears, a partner leading no indicator
included, with its rows and their failures; nothing reads "0 of 0 ... (complete)"."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.rules_schema import Rules
from pipeline.run.status import Now, chase_list, format_chase_list
from tests.quality_build import hostile_register

HEADER = "partner,indicator_id,period,geography,value,data_status,submitted_at"
PERIOD = "2006-07 Q4"
SENT = "2007-05-14T10:00:00"


@pytest.fixture(scope="module")
def now(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    (folder / "fire.csv").write_text(
        "Certified by,Sam Fire\n" + HEADER + "\n"
        f"Fire,7.20,{PERIOD},county,about 5,final,{SENT}\n"
        f"Fire,4.1,{PERIOD},county,12,final,{SENT}\n", encoding="utf-8")
    (folder / "police.csv").write_text(
        "Certified by,Jo Bloggs\n" + HEADER + "\n"
        f"Police,7.21,{PERIOD},county,90,final,{SENT}\n", encoding="utf-8")
    read = ingest_returns(folder)
    checked = check_returns(read.rows, read.file_problems, hostile_register(),
                            load_suites(find_project_root() / "expectations"), PERIOD, Rules(),
                            run_time="2007-05-20", assess=assess_indicators)
    return Now(read.rows, checked)


def test_a_partner_leading_no_indicator_is_listed_with_its_rows_and_failures(now):
    chase = chase_list(hostile_register(), now, PERIOD)
    fire = chase[chase["partner"] == "Fire"]
    assert "file" in set(fire["status"])
    failed = fire[fire["status"] == "failed row"]
    assert failed[["indicator_id", "cell", "check_id"]].values.tolist() == [
        ["7.20", "E3", "value-number"]]
    # its row that passed every check counts (4.1 is Police's): listed, not lost
    sent = fire[fire["status"] == "not due"]
    assert sent["indicator_id"].tolist() == ["4.1"]
    assert sent["source_file"].tolist() == ["fire.csv"]


def test_every_row_of_every_file_is_in_the_chase_list(now):
    chase = chase_list(hostile_register(), now, PERIOD)
    rows = now.ingested[now.ingested["period"] == PERIOD]
    for row in rows.itertuples(index=False):
        mine = chase[(chase["partner"] == row.partner) & (chase["source_file"] == row.source_file)
                     & (chase["indicator_id"] == row.indicator_id)]
        assert len(mine), f"{row.source_file} row {row.source_row} is not in the chase list"


def test_the_text_says_no_indicator_is_due_and_shows_the_rows(now):
    chase = chase_list(hostile_register(), now, PERIOD)
    text = format_chase_list(chase, PERIOD, "2007-05-15", pd.Timestamp("2007-05-16 09:00"))
    assert "0 of 0" not in text
    assert "Fire: no indicators due (it leads none in the register); 2 rows sent." in text
    assert ("  Failed (kept out of the figures): 7.20: fire.csv, E3: value 'about 5'"
            in text)
    assert "  Sent, though another partner leads it (the value counts): 4.1 (fire.csv)" in text
    assert "Police: 1 of 3 indicators received." in text


def test_a_row_failing_two_checks_is_counted_once(tmp_path):
    (tmp_path / "fire.csv").write_text(
        HEADER + "\n" + f"Fire,7.20,{PERIOD},county,about 5,final,{SENT}\n"
        f"Fire,7.20,{PERIOD},county,6,final,{SENT}\n", encoding="utf-8")
    read = ingest_returns(tmp_path)
    checked = check_returns(read.rows, read.file_problems, hostile_register(),
                            load_suites(find_project_root() / "expectations"), PERIOD, Rules(),
                            run_time="2007-05-20", assess=assess_indicators)
    chase = chase_list(hostile_register(), Now(read.rows, checked), PERIOD)
    text = format_chase_list(chase, PERIOD, "", pd.Timestamp("2007-05-16 09:00"))
    assert "Fire: no indicators due (it leads none in the register); 2 rows sent." in text


def test_a_row_with_a_mistyped_period_in_the_periods_file_is_listed(tmp_path):
    (tmp_path / "fire.csv").write_text(
        HEADER + "\n" + f"Fire,7.20,{PERIOD},county,5,final,{SENT}\n"
        f"Fire,7.21,2006-07 Q5,county,6,final,{SENT}\n", encoding="utf-8")
    read = ingest_returns(tmp_path)
    checked = check_returns(read.rows, read.file_problems, hostile_register(),
                            load_suites(find_project_root() / "expectations"), PERIOD, Rules(),
                            run_time="2007-05-20", assess=assess_indicators)
    chase = chase_list(hostile_register(), Now(read.rows, checked), PERIOD)
    failed = chase[chase["status"] == "failed row"]
    assert failed[["indicator_id", "cell", "check_id"]].values.tolist() == [
        ["7.21", "C3", "period-known"]]
    text = format_chase_list(chase, PERIOD, "", pd.Timestamp("2007-05-16 09:00"))
    assert "7.21: fire.csv, C3" in text
