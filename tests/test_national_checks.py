"""The national table (issue 20 items 6, 7a): a percentage whose numerator exceeds its
denominator is a graded check of the national suite (GX and the columnar engine agree); a
group of groups.csv naming codes the table lacks is reported code by code and refused for
--compare-with below two known areas; the partnership's own area missing is said."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.inputs.national import check_group, read_national
from pipeline.quality import columnar
from pipeline.quality.catalogue import GRADES, load_catalogue
from pipeline.quality.national import (
    GROUP_AREA_CHECK,
    NATIONAL_CHECKS,
    NUMERATOR_CHECK,
    OWN_AREA_CHECK,
    annotate_national,
    check_national,
    check_national_areas,
)

ROOT = Path(__file__).resolve().parents[1]
GX = "great_expectations"  # the reference engine (pipeline.quality.engines)
SUITE = json.loads((ROOT / "expectations" / "national.json").read_text(encoding="utf-8"))
HEADER = ("area_code,area_name,area_type,region,indicator_id,period,value,numerator,"
          "denominator\n")
VALUES = HEADER + """E1,A,county,EM,2.1,2006-07 Q4,41.2,412,1000
E2,B,county,EM,2.1,2006-07 Q4,120,1200,1000
E3,C,county,EM,5.5,2006-07 Q4,1200,1200,1000
E2,B,county,EM,5.5,2006-07 Q4,900,900,1000
"""


def _national(tmp_path: Path, values: str = VALUES, groups: str = "",
              area: str = 'area_code = "E1"\n'):
    folder = tmp_path / "national"
    folder.mkdir()
    (folder / "values.csv").write_text(values, encoding="utf-8")
    if groups:
        (folder / "groups.csv").write_text(groups, encoding="utf-8")
    if area:
        (folder / "area.toml").write_text(area, encoding="utf-8")
    return tmp_path


def test_a_percentage_whose_numerator_exceeds_its_denominator_is_quarantined(tmp_path):
    national = read_national(_national(tmp_path))
    checked = check_national(national.rows, national.file_problems, SUITE, ["2.1", "5.5"],
                             percent_ids=["2.1"])
    quarantined = checked.quarantine
    assert quarantined["source_row"].tolist() == [3]     # the rate per 1,000 (5.5) is fine
    row = quarantined.iloc[0]
    assert (row["source_file"], row["column"], row["found"]) == ("values.csv", "numerator",
                                                                 "1200")
    assert row["reason"] == ("values.csv row 3, column numerator: '1200' expected a numerator "
                             "no larger than its denominator (1000) for a percentage")
    assert sorted(checked.clean["source_row"]) == [2, 4, 5]


def test_both_engines_agree_on_the_numerator_check(tmp_path):
    national = read_national(_national(tmp_path))
    gx = check_national(national.rows, national.file_problems, SUITE, ["2.1", "5.5"],
                        engine=GX, percent_ids=["2.1"])
    fast = check_national(national.rows, national.file_problems, SUITE, ["2.1", "5.5"],
                          percent_ids=["2.1"])
    assert (gx.engine, fast.engine) == (GX, "columnar")
    columns = ["expectation", "column", "severity", "success", "unexpected_count",
               "failed_row_keys"]
    assert gx.results[columns].to_dict("records") == fast.results[columns].to_dict("records")
    assert fast.quarantine.to_dict("records") == gx.quarantine.to_dict("records")
    annotated = annotate_national(national.rows, percent_ids=["2.1"])
    direct = columnar.evaluate_suite(annotated, SUITE, {"indicator_ids": ["2.1", "5.5"]})
    assert direct[columns].to_dict("records") == fast.results[columns].to_dict("records")


def test_a_chunked_table_checks_the_numerator_too(tmp_path, monkeypatch):
    national = read_national(_national(tmp_path))
    monkeypatch.setattr("pipeline.quality.national.GX_MAX_ROWS", 0)
    chunked = check_national(national.rows, national.file_problems, SUITE, ["2.1", "5.5"],
                             chunk_rows=1, percent_ids=["2.1"])
    assert chunked.quarantine["source_row"].tolist() == [3]


def test_the_national_checks_are_in_the_catalogue_graded_as_the_suite_runs_them():
    catalogue = load_catalogue(ROOT / "expectations").set_index("id")
    assert set(NATIONAL_CHECKS) <= set(catalogue.index)
    numerator = next(e for e in SUITE["expectations"]
                     if e["kwargs"].get("column") == "numerator_over_denominator")
    assert numerator["meta"]["check_id"] == NUMERATOR_CHECK
    assert GRADES[catalogue.loc[NUMERATOR_CHECK, "grade"]] == numerator["severity"]
    assert catalogue.loc[GROUP_AREA_CHECK, "grade"] == "ADVISORY"
    assert catalogue.loc[OWN_AREA_CHECK, "grade"] == "ADVISORY"


GROUPS = """group,area_code
shire,E1
shire,E99
tiny,E98
tiny,E97
big,E1
big,E2
big,E3
"""


def test_each_group_code_the_table_lacks_is_reported_by_file_row_and_column(tmp_path):
    national = read_national(_national(tmp_path, groups=GROUPS))
    found = check_national_areas(national.rows, national.groups, national.area_code)
    unknown = found[found["check"] == GROUP_AREA_CHECK]
    assert unknown[["source_file", "source_row", "column", "found"]].values.tolist() == [
        ["groups.csv", 3, "area_code", "E99"], ["groups.csv", 4, "area_code", "E98"],
        ["groups.csv", 5, "area_code", "E97"]]
    assert set(unknown["severity"]) == {"warning"}
    assert unknown.iloc[0]["reason"] == (
        "groups.csv row 3, column area_code: 'E99' expected an area code of the national "
        "table (values.csv); group shire has 1 known area")


def test_compare_with_a_group_of_fewer_than_two_known_areas_is_refused(tmp_path):
    data = _national(tmp_path, groups=GROUPS)
    assert check_group(data, "big") == "big"
    with pytest.raises(ConfigError) as raised:
        check_group(data, "Shire")
    message = str(raised.value)
    assert raised.value.exit_code == 2
    assert "--compare-with" in message and "'shire'" in message
    assert "1 area of the national table" in message and "at least 2" in message
    assert "E99 (row 3)" in message and "groups.csv" in message
    with pytest.raises(ConfigError, match="E98 \\(row 4\\), E97 \\(row 5\\)"):
        check_group(data, "tiny")


def test_the_partnerships_area_missing_from_the_table_is_said(tmp_path):
    national = read_national(_national(tmp_path, area='area_code = "E10000018"\n'))
    found = check_national_areas(national.rows, national.groups, national.area_code)
    assert found["check"].tolist() == [OWN_AREA_CHECK]
    row = found.iloc[0]
    assert (row["source_file"], row["column"], row["found"], row["severity"]) == (
        "area.toml", "area_code", "E10000018", "warning")
    assert row["reason"] == (
        "area.toml, area_code: 'E10000018' expected an area of the national table "
        "(values.csv): no row has it, so the appendix has no comparison with other areas")


def test_no_area_code_given_is_said_too(tmp_path):
    national = read_national(_national(tmp_path, area=""))
    found = check_national_areas(national.rows, national.groups, national.area_code)
    assert found["check"].tolist() == [OWN_AREA_CHECK]
    assert "area.toml gives no area_code" in found.iloc[0]["reason"]


def test_nothing_is_said_when_all_is_well_and_on_the_demo(tmp_path):
    national = read_national(_national(tmp_path, groups=GROUPS.replace("E99", "E3")
                                       .replace("tiny,E98\ntiny,E97\n", "tiny,E2\n")))
    assert check_national_areas(national.rows, national.groups, national.area_code).empty
    demo = read_national(ROOT / "data" / "raw")
    assert check_national_areas(demo.rows, demo.groups, demo.area_code).empty
    none = read_national(tmp_path / "nothing")
    assert check_national_areas(none.rows, none.groups, "E1").empty


def test_the_findings_have_the_quarantine_columns(tmp_path):
    from pipeline.quality.national import QUARANTINE_COLUMNS

    national = read_national(_national(tmp_path, groups=GROUPS))
    found = check_national_areas(national.rows, national.groups, national.area_code)
    assert list(found.columns) == QUARANTINE_COLUMNS
    assert isinstance(found, pd.DataFrame)
