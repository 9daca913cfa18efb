"""The check catalogue: one entry per check, applied to the suites, graded and guided."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.config import find_project_root
from pipeline.errors import ConfigError
from pipeline.inputs.finance import CHECKS as FINANCE_CHECKS
from pipeline.quality.catalogue import (
    FILE_CHECKS,
    apply_catalogue,
    check_ids,
    expectation_column,
    format_catalogue,
    load_catalogue,
)
from pipeline.quality.national import NATIONAL_CHECKS
from pipeline.quality.quarantine import SUITES, load_suites
from pipeline.quality.scorecard import DIMENSIONS
from pipeline.report.quality_pages import list_catalogue

EXPECTATIONS = find_project_root() / "expectations"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(EXPECTATIONS)


def test_every_expectation_of_every_suite_has_one_entry_and_every_entry_an_expectation(
        catalogue):
    suites = load_suites(EXPECTATIONS)
    keys = {(name, e["type"], expectation_column(e)) for name, suite in suites.items()
            for e in suite["expectations"]}
    listed = {(r.suite, r.expectation, r.column) for r in catalogue.itertuples() if r.suite}
    assert keys == listed
    assert catalogue["id"].is_unique
    assert set(catalogue["grade"]) == {"FAIL", "ADVISORY"}
    assert set(catalogue["dimension"]) == set(DIMENSIONS)
    outside = set(FILE_CHECKS.values()) | set(FINANCE_CHECKS) | set(NATIONAL_CHECKS)
    assert outside == set(catalogue.loc[catalogue["suite"] == "", "id"])
    ids = check_ids(suites)
    assert sorted(ids.values()) == sorted(catalogue.loc[catalogue["suite"] != "", "id"])


def test_grades_and_dimensions_are_stated_once_in_the_catalogue(catalogue):
    for name in SUITES:
        raw = json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))
        for expectation in raw["expectations"]:
            assert "severity" not in expectation
            assert "dimension" not in expectation.get("meta", {})
    applied = load_suites(EXPECTATIONS)
    value = next(e for e in applied["returns"]["expectations"]
                 if e["kwargs"].get("column") == "value_problem")
    assert value["severity"] == "critical" and value["meta"]["check_id"] == "value-number"
    certified = applied["certification"]["expectations"][0]
    assert certified["severity"] == "warning"
    assert certified["meta"]["dimension"] == "reliability"


def test_an_expectation_missing_from_the_catalogue_is_refused(catalogue):
    suites = {"returns": {"name": "returns", "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "new_thing"}}]}}
    with pytest.raises(ConfigError, match="new_thing has no entry in the check catalogue"):
        apply_catalogue(suites, catalogue)


def test_a_catalogue_with_a_bad_grade_or_a_repeated_id_is_refused(tmp_path):
    (tmp_path / "catalogue.toml").write_text(
        '[[check]]\nid = "a"\ngrade = "WARN"\ndimension = "validity"\nchecks = "x"\n'
        'guidance = "y"\n[[check]]\nid = "a"\ngrade = "FAIL"\ndimension = "tidiness"\n'
        'checks = "x"\nguidance = "y"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_catalogue(tmp_path)
    message = str(raised.value)
    assert "id 'a' is used twice" in message and "grade 'WARN'" in message
    assert "dimension 'tidiness'" in message


def test_laa_checks_prints_every_check_with_grade_dimension_and_guidance(catalogue, capsys):
    assert main(["checks"]) == 0
    out = capsys.readouterr().out
    for row in catalogue.itertuples():
        assert f"{row.id}  {row.grade}  {row.dimension}" in out
    assert "guidance: Type the figure alone" in out
    assert out == format_catalogue(catalogue)


def test_each_check_gets_its_outcome_pass_fail_or_advisory(catalogue):
    results = pd.DataFrame({
        "check_id": ["value-number", "on-time", "count-whole"],
        "success": [False, False, True], "unexpected_count": [2, 1, 0]})
    quarantine = pd.DataFrame({"source_row": [0], "check_id": ["file-readable"]})
    table = list_catalogue(catalogue, results, quarantine).set_index("id")
    assert table.loc["value-number", "outcome"] == "FAIL: 2 row(s)"
    assert table.loc["on-time", "outcome"] == "ADVISORY: 1 row(s)"
    assert table.loc["count-whole", "outcome"] == "PASS"
    assert table.loc["file-readable", "outcome"] == "FAIL: 1 file(s) or sheet(s)"
    assert table.loc["file-structure", "outcome"] == "PASS"
    assert table.loc["return-certified", "outcome"] == "not run"
    assert table.loc["value-number", "anchor"] == "check-value-number"


def test_the_report_has_a_page_of_checks_and_the_feedback_links_to_it(tmp_path, catalogue):
    from dataclasses import replace

    from pipeline.report.quality_pages import write_quality_reports
    from tests.quality_build import MEETING, PERIOD, build_hostile_quality

    built = build_hostile_quality(tmp_path)
    validation = replace(built["validation"], catalogue=catalogue)
    folder = tmp_path / "dq"
    write_quality_reports(folder, folder / "feedback", pd.DataFrame({"partner": ["Police"]}),
                          built["feedback"], MEETING, PERIOD, validation=validation)
    page = (folder / "checks.html").read_text(encoding="utf-8")
    assert all(f'<tr id="check-{i}">' in page for i in catalogue["id"])
    assert "Type the figure alone" in page
    assert 'href="checks.html"' in (folder / "report.html").read_text(encoding="utf-8")
    feedback = (folder / "feedback" / "police.html").read_text(encoding="utf-8")
    ids = set(built["feedback"]["Police"]["check"]) - {""}
    assert ids and all(f'href="../checks.html#check-{i}">{i}</a>' in feedback for i in ids)
    table = pd.read_csv(folder / "checks.csv", dtype=str, keep_default_na=False)
    assert table["id"].tolist() == catalogue["id"].tolist()
