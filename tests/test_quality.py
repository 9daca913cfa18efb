"""The returns suite run by Great Expectations: row-level quarantine with file, sheet, cell."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import find_project_root
from pipeline.errors import ValidationFailed
from pipeline.ingest import FILE_PROBLEM_COLUMNS, ingest_returns
from pipeline.quality import cell_reference, check_returns
from pipeline.validation import load_suite, raise_for_critical, run_suite
from tests.conftest import make_register

HEADER = ("partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,actions,"
          "submitted_by,submitted_at")


@pytest.fixture(scope="module")
def suite():
    return load_suite(find_project_root() / "expectations", "returns")


@pytest.fixture
def register():
    return make_register(
        [{"indicator_id": i, "theme": "safer", "polarity": "lower"} for i in ("7.20", "7.21")],
        [{"indicator_id": "7.20", "period": "2006-07", "target_value": "2470"}])


def test_bad_rows_are_quarantined_good_rows_go_through(tmp_path, suite, register):
    (tmp_path / "police.csv").write_text(
        HEADER + "\n"
        "Police,7.20,2006-07 Q4,county,3202,final,R,,,Jo,2007-05-10T09:00:00\n"
        "Police,9.99,2006-07 Q4,county,5,final,,,,Jo,2007-05-10T09:00:00\n"
        "Police,7.21,2006-07 Q4,Leicester,5,final,,,,Jo,2007-05-10T09:00:00\n"
        "Police,7.21,2006-07 Q4,county,lots,final,,,,Jo,2007-05-10T09:00:00\n"
        "Police,7.21,2010-11 Q1,county,5,final,,,,Jo,2007-05-10T09:00:00\n"
        "Police,7.21,2006-07 Q4,Melton,,final,,,,Jo,2007-05-10T09:00:00\n"
        "Police,7.21,2006-07 Q4,Blaby,4,final,Greenish,,,Jo,2007-05-10T09:00:00\n",
        encoding="utf-8")
    (tmp_path / "broken.xlsx").write_text("nope")
    ingested = ingest_returns(tmp_path)
    checked = check_returns(ingested.rows, ingested.file_problems, register, suite)
    assert checked.clean["source_row"].tolist() == [2, 8]   # the warning row still goes through
    q = checked.quarantine.set_index("source_row")
    assert q.loc[0, "source_file"] == "broken.xlsx"
    assert q.loc[3, "reason"].startswith("indicator_id '9.99': expected an indicator id")
    assert q.loc[3, "cell"] == "B3"
    assert q.loc[4, "column"] == "geography"
    assert q.loc[5, "reason"].startswith("value 'lots': expected a number")
    assert q.loc[5, "cell"] == "E5"
    assert q.loc[6, "column"] == "period"
    assert q.loc[7, "reason"] == "value '': expected a value on every row marked final (or " \
        "data_status not_available)"
    warnings = checked.findings[checked.findings["severity"] == "warning"]
    assert warnings["found"].tolist() == ["Greenish"]
    assert set(checked.quarantine["severity"]) == {"critical"}


def test_table_level_failure_stops_the_run(suite):
    frame = pd.DataFrame({"indicator_id": ["7.20"], "value": [1.0]})
    results = run_suite(frame, {**suite, "expectations": suite["expectations"][:1]})
    with pytest.raises(ValidationFailed, match="expect_table_columns_to_match_set"):
        raise_for_critical(results, where="returns")


def test_cell_reference():
    assert cell_reference("Q4", "partner,indicator_id,value", "value", 14) == "Q4!C14"
    assert cell_reference("", "partner,indicator_id,value", "partner", 2) == "A2"


def test_file_problem_columns_stable():
    assert FILE_PROBLEM_COLUMNS[0] == "source_file"
