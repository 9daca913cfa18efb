"""The quality stage run by Great Expectations: quarantine with file, sheet, cell; warnings."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.errors import ValidationFailed
from pipeline.inputs.ingest import ingest_returns
from pipeline.quality.gx import raise_for_critical, run_suite
from pipeline.quality.quarantine import cell_reference, check_returns, load_suites
from pipeline.rules_schema import Rules
from tests.quality_build import hostile_register

HEADER = ("partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,actions,"
          "submitted_by,submitted_at")
ROW = "Police,{id},{period},{geo},{value},final,{rag},,,Jo,2007-05-10T09:00:00"


@pytest.fixture(scope="module")
def suites():
    return load_suites(find_project_root() / "expectations")


@pytest.fixture
def register():
    return hostile_register()


def _check(tmp_path, lines, register, suites):
    (tmp_path / "police.csv").write_text(HEADER + "\n" + "\n".join(lines) + "\n",
                                         encoding="utf-8")
    ingested = ingest_returns(tmp_path)
    return check_returns(ingested.rows, ingested.file_problems, register, suites,
                         "2006-07 Q4", Rules(), assess=assess_indicators)


def _row(id="7.20", period="2006-07 Q4", geo="county", value="90", rag=""):
    return ROW.format(id=id, period=period, geo=geo, value=value, rag=rag)


def test_bad_rows_are_quarantined_good_rows_go_through(tmp_path, suites, register):
    (tmp_path / "broken.xlsx").write_text("nope")
    checked = _check(tmp_path, [
        _row(rag="R"), _row(id="9.99"), _row(id="7.21", geo="Leicester"),
        _row(id="7.21", value="lots"), _row(id="7.21", period="2010-11 Q1"),
        _row(id="7.21", geo="Melton", value=""), _row(id="7.21", geo="Blaby", rag="Greenish"),
        _row(id="7.21", period="2006-07 Q3", value="-4"), _row(id="4.1", value="104%")],
        register, suites)
    assert checked.clean["source_row"].tolist() == [2, 8]   # the warning row still goes through
    q = checked.quarantine.set_index("source_row")
    assert q.loc[0, "source_file"] == "broken.xlsx"
    assert q.loc[3, "reason"].startswith("indicator_id '9.99': expected an indicator id")
    assert q.loc[3, "cell"] == "B3"
    assert q.loc[4, "column"] == "geography"
    assert q.loc[5, "reason"] == ("value 'lots': expected a number such as 1234, 1,234 or 45%, "
                                  "or n/a; it is not a number")
    assert q.loc[5, "cell"] == "E5"
    assert q.loc[6, "column"] == "period"
    assert q.loc[7, "reason"] == ("value '': expected a value on every row marked final (or "
                                  "data_status not_available)")
    assert q.loc[9, "reason"] == ("value '-4': expected a count of zero or more (indicator "
                                  "7.21 is a count)")
    assert q.loc[10, "reason"].startswith("value '104%': expected a percentage between 0 and 100")
    warnings = checked.findings[checked.findings["severity"] == "warning"]
    assert "lead_rag 'Greenish': expected G, A, R or blank (the lead's RAG)" in set(
        warnings["reason"])
    assert set(checked.quarantine["severity"]) == {"critical"}


def test_lead_green_where_numbers_red_and_missing_return_are_warnings(tmp_path, suites,
                                                                      register):
    checked = _check(tmp_path, [_row(value="150", rag="G")], register, suites)
    assert checked.quarantine.empty
    reasons = set(checked.findings["reason"])
    assert ("lead_rag 'G': expected a lead RAG in line with the numbers: G given, but the value "
            "is 50.0% off target (red)") in reasons
    assert ("expected a value for 7.21 in 2006-07 Q4, or the row declared not_available "
            "(nothing this year)") in reasons


def test_table_level_failure_stops_the_run(suites):
    frame = pd.DataFrame({"indicator_id": ["7.20"], "value": [1.0]})
    results = run_suite(frame, {**suites["returns"],
                                "expectations": suites["returns"]["expectations"][:1]})
    with pytest.raises(ValidationFailed, match="expect_table_columns_to_match_set"):
        raise_for_critical(results, where="returns")


def test_cell_reference():
    assert cell_reference("Q4", "partner,indicator_id,value", "value", 14) == "Q4!C14"
    assert cell_reference("", "partner,indicator_id,value", "partner", 2) == "A2"
    assert cell_reference("", "partner", "partner", 0) == ""


def test_a_row_that_cannot_be_read_gets_one_message_only(tmp_path, suites, register):
    # The quote opened in the value cell swallows nothing (the next line is a row), but
    # the row's later cells are missing: one message says why, not one per empty cell.
    checked = _check(tmp_path, ['Police,7.20,2006-07 Q4,county,"90', _row(id="7.21")],
                     register, suites)
    q = checked.quarantine
    assert q["source_row"].tolist() == [2]
    assert q["cell"].tolist() == ["E2"]
    assert q["reason"].iloc[0].startswith("value '90': expected a closing quote (\")")
    assert checked.clean["source_row"].tolist() == [3]


def test_a_blank_partner_and_a_future_stamp_are_quarantined(tmp_path, suites,
                                                            register):
    (tmp_path / "police.csv").write_text(
        HEADER + "\n" + _row(id="7.21") + "\n" + _row().replace("Police", "") + "\n"
        + _row(id="4.1", value="50").replace("2007-05-10", "2030-01-01") + "\n",
        encoding="utf-8")
    ingested = ingest_returns(tmp_path)
    checked = check_returns(ingested.rows, ingested.file_problems, register, suites,
                            "2006-07 Q4", Rules(), run_time="2007-06-30T12:00:00",
                            assess=assess_indicators)
    q = checked.quarantine.set_index("source_row")
    assert q.loc[3, "reason"].startswith("partner '': expected the partner's name: the cell is "
                                         "blank")
    assert q.loc[3, "partner"] == "Police"        # feedback goes to the file's partner
    assert q.loc[4, "reason"].startswith("submitted_at '2030-01-01T09:00:00': expected a "
                                         "submission time no later than this run (2007-06-30)")
    assert set(q["severity"]) == {"critical"} and len(q) == 2
    assert checked.clean["source_row"].tolist() == [2]


def test_a_note_typed_below_the_table_is_one_message(tmp_path, suites, register):
    checked = _check(tmp_path, [_row(), "Checked by JB on 10 May"], register, suites)
    assert checked.quarantine["reason"].tolist() == [
        "expected a complete row: only partner filled in; complete the row or delete it"]
    assert checked.quarantine["cell"].tolist() == [""]


def test_no_readable_return_at_all_is_reported_not_a_crash(tmp_path, suites, register):
    (tmp_path / "empty.csv").write_text("")
    ingested = ingest_returns(tmp_path)
    checked = check_returns(ingested.rows, ingested.file_problems, register, suites,
                            "2006-07 Q4", Rules(), assess=assess_indicators)
    assert checked.clean.empty
    assert checked.quarantine[["source_file", "reason"]].values.tolist() == [
        ["empty.csv", "file is empty"]]
    assert "expected a value for 7.20 in 2006-07 Q4, or the row declared not_available " \
        "(nothing this year)" in set(checked.findings["reason"])
