"""The chase list: per partner, what is due, what came in, what is missing, what failed."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.cli import main
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.rules_schema import Rules
from pipeline.run.status import UNREAD, Now, chase_list, format_chase_list, template_figures
from tests.quality_build import hostile_register

HEADER = "partner,indicator_id,period,geography,value,data_status,submitted_at"
PERIOD = "2006-07 Q4"


@pytest.fixture(scope="module")
def now(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    (folder / "police.csv").write_text(
        "Certified by,Jo Bloggs\n" + HEADER + "\n"
        f"Police,7.20,{PERIOD},county,90,final,2007-05-14T10:00:00\n"
        f"Police,7.21,{PERIOD},county,about 40,final,2007-05-14T10:00:00\n", encoding="utf-8")
    (folder / "old.xls").write_bytes(b"not a workbook")
    read = ingest_returns(folder)
    checked = check_returns(read.rows, read.file_problems, hostile_register(),
                            load_suites(find_project_root() / "expectations"), PERIOD, Rules(),
                            run_time="2007-05-20", assess=assess_indicators)
    return Now(read.rows, checked)


def test_the_chase_list_says_received_failed_and_missing_per_indicator(now):
    chase = chase_list(hostile_register(), now, PERIOD)
    due = chase[chase["status"].isin(["received", "failed", "missing"])]
    assert due[["indicator_id", "status"]].values.tolist() == [
        ["4.1", "missing"], ["7.20", "received"], ["7.21", "failed"]]
    received = due.set_index("indicator_id").loc["7.20"]
    assert (received["source_file"], received["submitted_at"], received["certified_by"]) == (
        "police.csv", "2007-05-14 10:00", "Jo Bloggs")
    failed = chase[chase["status"] == "failed row"].iloc[0]
    assert (failed["cell"], failed["check_id"], failed["grade"]) == ("E4", "value-number", "FAIL")
    unread = chase[chase["partner"] == UNREAD].iloc[0]
    assert (unread["source_file"], unread["check_id"]) == ("old.xls", "file-readable")
    assert set(chase["deadline"]) == {"2007-05-15"}


def test_the_chase_list_reads_as_an_email_before_and_after_the_deadline(now):
    chase = chase_list(hostile_register(), now, PERIOD)
    before = format_chase_list(chase, PERIOD, "2007-05-15", pd.Timestamp("2007-05-13 09:00"))
    assert before.startswith("Returns for 2006-07 Q4: due 2007-05-15 (2 days to go)")
    after = format_chase_list(chase, PERIOD, "2007-05-15", pd.Timestamp("2007-05-16 09:00"))
    assert "was due 2007-05-15 (1 day ago)" in after
    assert "Police: 1 of 3 indicators received." in after
    assert "  Came in: police.csv, sent 2007-05-14 10:00, certified by Jo Bloggs" in after
    assert "  Missing (1): 4.1" in after
    assert ("  Failed (kept out of the figures): 7.21: police.csv, E4: value 'about 40': "
            "expected a number") in after
    assert "[value-number]" in after and "old.xls" in after


def test_template_figures_give_target_trajectory_and_last_value(now):
    figures = template_figures(hostile_register(), now.checked.clean, "2007-08 Q1")
    row = figures.set_index("indicator_id").loc["7.20"]
    assert (row["target"], row["last_value"], row["last_value_period"]) == (
        pytest.approx(float("nan"), nan_ok=True), 90.0, PERIOD)
    figures = template_figures(hostile_register(), now.checked.clean, PERIOD)
    row = figures.set_index("indicator_id").loc["7.20"]
    assert (row["target"], row["trajectory_point"], row["last_value_period"]) == (100.0, 100.0,
                                                                                  "")


def test_laa_status_prints_the_list_and_writes_the_csv(tmp_path, capsys):
    assert main(["status", "--period", PERIOD, "--reports-dir", str(tmp_path),
                 "--as-of", "2007-05-20T09:00:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Returns for 2006-07 Q4: was due 2007-05-15 (5 days ago)")
    csv = tmp_path / "2007-09-03" / "status" / "chase-list-2006-07-q4.csv"
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert list(table.columns[:4]) == ["partner", "indicator_id", "title", "status"]
    assert table.loc[table["indicator_id"] == "2.1", "status"].tolist() == ["missing"]
    assert (csv.with_suffix(".txt")).read_text(encoding="utf-8") in out


def test_template_figures_before_any_value_are_blank_without_a_warning(now):
    """A first quarter (no county value before it, as for a new partnership): every last
    value and its period blank, and no pandas warning (an all-missing column filled with
    text, which a later pandas refuses)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for clean in (now.checked.clean, now.checked.clean.astype({"period": object})):
            figures = template_figures(hostile_register(), clean, "2000-01 Q1")
            assert figures["last_value"].isna().all()
            assert figures["last_value_period"].tolist() == [""] * len(figures)
