"""The national table read and checked like a return: every row in the clean rows or the
quarantine, each failure named by file, row and column; GX and the columnar engine agree."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.inputs.national import check_group, known_groups, read_national
from pipeline.quality import columnar
from pipeline.quality.national import annotate_national, check_national

ROOT = Path(__file__).resolve().parents[1]
GX = "great_expectations"  # the reference engine (pipeline.quality.engines)
SUITE = json.loads((ROOT / "expectations" / "national.json").read_text(encoding="utf-8"))
HOSTILE = """area_code,area_name,area_type,region,indicator_id,period,value,\
numerator,denominator,lower_ci,upper_ci
E1,A,county,EM,2.1,2006-07 Q4,41.2,412,1000,,
E2,B,county,EM,2.1,2006-07 Q4,x,,,,
E3,C,county,EM,2.1,2006-07 Q4,3,4
E4,D,county,EM,2.1,2006-07 Q4,5,,,4,
E5,E,unitary,EM,2.1,2006-7 Q4,5,,,,
E1,A,county,EM,2.1,2006-07 Q4,41.2,412,1000,,
E6,F,county,EM,9.9,2006-07 Q4,1,-1,0,2,3
E1,A,unitary,EM,2.1,2006-07 Q2,40,,,,
E7,=cmd(),county,,2.1,2006-07 Q4,,,,,
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data") / "national"
    folder.mkdir()
    (folder / "values.csv").write_text(HOSTILE, encoding="utf-8")
    (folder / "broken.csv").write_text("area_code,value\nE1,3\n", encoding="utf-8")
    return read_national(folder.parent)


def test_every_row_is_clean_or_quarantined_with_file_row_and_column(hostile):
    checked = check_national(hostile.rows, hostile.file_problems, SUITE, ["2.1"], engine=GX)
    assert checked.engine == GX
    # the run's engine (column by column) sets aside the same rows for the same reasons
    fast = check_national(hostile.rows, hostile.file_problems, SUITE, ["2.1"])
    assert fast.engine == "columnar"
    assert fast.quarantine.to_dict("records") == checked.quarantine.to_dict("records")
    pd.testing.assert_frame_equal(fast.clean, checked.clean)
    rows = set(zip(hostile.rows["source_file"], hostile.rows["source_row"], strict=True))
    kept = set(zip(checked.clean["source_file"], checked.clean["source_row"], strict=True))
    lost = set(zip(checked.quarantine["source_file"], checked.quarantine["source_row"],
                   strict=True))
    assert kept | (lost - {("broken.csv", 0)}) == rows and not kept & lost
    assert sorted(r for _, r in kept) == [2, 9]
    reasons = checked.quarantine.set_index("source_row")["reason"]
    assert reasons[0] == ("broken.csv: the file lacks the column(s) area_name, area_type, "
                          "region, indicator_id, period (required: area_code, area_name, "
                          "area_type, region, indicator_id, period, value)")
    assert reasons[3] == ("values.csv row 3, column value: 'x' expected a number such as 41.2 "
                          "or 1234 (no thousands separators, no % sign)")
    assert reasons[4].startswith("values.csv row 4: expected a row with one cell per column")
    assert "repeats row 2 of values.csv" in reasons[7]
    assert set(checked.quarantine.loc[checked.quarantine["source_row"] == 10, "column"]) == \
        {"region", "value"}
    # the unitary E1 row is kept, as the county it is on its other rows
    assert checked.clean.set_index("source_row").loc[9, "area_type"] == "county"
    warned = checked.findings[checked.findings["severity"] == "warning"]
    assert set(warned["source_row"]) >= {8, 9}


def test_the_columnar_engine_gives_what_gx_gives(hostile):
    annotated = annotate_national(hostile.rows)
    gx = check_national(hostile.rows, hostile.file_problems, SUITE, ["2.1"], engine=GX).results
    fast = columnar.evaluate_suite(annotated, SUITE, {"indicator_ids": ["2.1"]})
    columns = ["expectation", "column", "severity", "success", "unexpected_count",
               "failed_row_keys"]
    assert gx[columns].to_dict("records") == fast[columns].to_dict("records")
    assert not fast["success"].all()


def test_an_expectation_the_columnar_engine_does_not_know_is_refused(hostile):
    suite = {"name": "x", "expectations": [
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "value"}}]}
    with pytest.raises(ConfigError, match="cannot be evaluated column by column"):
        columnar.evaluate_suite(annotate_national(hostile.rows), suite)


def test_groups_known_and_an_unknown_one_refused():
    data = ROOT / "tests" / "data" / "benchmark"
    assert known_groups(data) == ("england", "region", "type", "neighbours", "shire")
    assert check_group(data, "Shire") == "shire"
    with pytest.raises(ConfigError, match="unknown comparator group 'cipfa'; known: england, "
                                          "region, type, neighbours, shire"):
        check_group(data, "cipfa")


def test_a_large_table_is_checked_in_chunks_with_the_same_outcome(hostile, monkeypatch):
    whole = check_national(hostile.rows, hostile.file_problems, SUITE, ["2.1"], engine=GX)
    monkeypatch.setattr("pipeline.quality.national.GX_MAX_ROWS", 0)
    chunked = check_national(hostile.rows, hostile.file_problems, SUITE, ["2.1"],
                             chunk_rows=2)
    assert chunked.engine == "columnar"
    assert chunked.quarantine.to_dict("records") == whole.quarantine.to_dict("records")
    pd.testing.assert_frame_equal(chunked.clean, whole.clean)
    columns = ["expectation", "success", "unexpected_count", "failed_row_keys"]
    assert chunked.results[columns].to_dict("records") == \
        whole.results[columns].to_dict("records")


def test_on_the_demo_table_the_columnar_engine_gives_what_gx_gives():
    from pipeline.inputs.register import load_register

    demo = read_national(ROOT / "data" / "raw")
    ids = list(load_register(ROOT / "data" / "raw" / "register").indicators["indicator_id"])
    gx = check_national(demo.rows, demo.file_problems, SUITE, ids, engine=GX)
    fast = check_national(demo.rows, demo.file_problems, SUITE, ids)
    assert (gx.engine, fast.engine) == (GX, "columnar") and len(demo.rows) > 10_000
    columns = ["expectation", "column", "severity", "success", "unexpected_count",
               "failed_row_keys"]
    assert gx.results[columns].to_dict("records") == fast.results[columns].to_dict("records")
    pd.testing.assert_frame_equal(fast.clean, gx.clean)
    assert fast.findings.to_dict("records") == gx.findings.to_dict("records")
