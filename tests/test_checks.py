"""Unit tests of the frames the quality suites run on (derived columns, cross-row views)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.periods import Period
from pipeline.quality.checks import annotate_returns, period_start, resolve_numeric_ids, run_stamp
from pipeline.quality.cross_checks import (
    frame_consistency,
    frame_coverage,
    frame_plausibility,
    frame_register,
)
from pipeline.rules_schema import Rules
from tests.conftest import make_register

BASE = {"partner": "P", "geography": "county", "data_status": "final", "value_text": "",
        "source_file": "a.csv", "source_sheet": "", "source_row": 2, "source_header": "",
        "source_sha256": "", "in_force": True, "record_id": "r",
        "submitted_at": pd.Timestamp("2007-05-10 09:00")}


def _register():
    reg = make_register(
        [{"indicator_id": "7.20", "theme": "safer", "polarity": "lower"},
         {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "unit": "percent"},
         {"indicator_id": "7.5", "theme": "safer", "polarity": "lower", "reward": "yes",
          "reward_grant_gbp": "100"}],
        [{"indicator_id": i, "period": "2006-07", "target_value": "100"}
         for i in ("7.20", "4.1")])
    calendar = pd.DataFrame({"period": ["2006-07 Q4"], "deadline": ["2007-05-15"]})
    return reg.__class__(reg.themes, reg.indicators, reg.targets, reg.districts, calendar)


def _rows(rows):
    frame = pd.DataFrame([{**BASE, **r} for r in rows])
    frame["value"] = frame["value"].astype("float64")
    return frame


def test_annotate_flags_units_lateness_conflicts_and_duplicates():
    rows = _rows([
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 12.5, "value_text": "12.5"},
        {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 104.0, "value_text": "104",
         "submitted_at": pd.Timestamp("2007-05-16 08:00")},
        {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 105.0, "value_text": "105",
         "submitted_at": pd.Timestamp("2007-05-16 08:00")},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 12.5, "value_text": "12.5"},
    ])
    out = annotate_returns(rows, _register())
    assert out["count_not_whole"].tolist() == [True, False, False, True]
    assert out["value_percent"].tolist()[1:3] == [104.0, 105.0]
    assert out["days_late"].tolist() == [-5.0, 1.0, 1.0, -5.0]
    assert out["conflicting"].tolist() == [False, True, True, False]
    assert out["duplicate_row"].tolist() == [False, False, False, True]
    assert "value" in rows and "unit" not in rows      # input not mutated


def test_register_frame_flags_reward_without_baseline_and_target():
    out = frame_register(_register(), "2006-07 Q4").set_index("indicator_id")
    assert bool(out.loc["7.5", "reward_without_baseline"])
    assert bool(out.loc["7.5", "reward_without_target"])
    assert not out.loc["7.20", "reward_without_target"]
    assert out.loc["7.20", "source_file"] == "register/indicators.csv"


def test_coverage_counts_declared_not_available_as_returned():
    rows = _rows([{"indicator_id": "7.20", "period": "2006-07 Q4", "value": float("nan"),
                   "data_status": "not_available"},
                  {"indicator_id": "4.1", "period": "2006-07 Q3", "value": 30.0}])
    out = frame_coverage(rows, _register(), "2006-07 Q4").set_index("indicator_id")
    assert out["has_return"].to_dict() == {"4.1": False, "7.20": True, "7.5": False}
    assert out.loc["4.1", "latest"] == "latest in the year: 2006-07 Q3"
    assert out.loc["7.5", "partner"] == "Police"


def test_consistency_needs_every_district():
    rows = _rows([
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 100.0},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 60.0, "geography": "Blaby"},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 30.0, "geography": "Melton"},
    ])
    out = frame_consistency(rows, _register(), "2006-07 Q4")
    assert out["district_share_pct"].tolist() == [90.0]
    partial = frame_consistency(rows.iloc[:2], _register(), "2006-07 Q4")
    assert partial.empty


@pytest.mark.parametrize(("unit_id", "before", "after", "size", "measure"), [
    ("7.20", 100.0, 160.0, 60.0, "%"), ("4.1", 30.0, 55.0, 25.0, " points")])
def test_plausibility_change_by_unit(unit_id, before, after, size, measure):
    rows = _rows([{"indicator_id": unit_id, "period": "2006-07 Q2", "value": before,
                   "value_text": str(before)},
                  {"indicator_id": unit_id, "period": "2006-07 Q4", "value": after}])
    out = frame_plausibility(rows, _register(), "2006-07 Q4", Rules())
    assert out["change_size"].tolist() == [pytest.approx(size)]
    assert out["change_measure"].tolist() == [measure]
    assert out["previous_period"].tolist() == ["2006-07 Q2"]


def test_declared_extra_columns_are_not_unexpected():
    rows = _rows([{"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0,
                   "unexpected_columns": "checked_by, notes"}])
    assert annotate_returns(rows, _register())["unexpected_columns"].tolist() == [
        "checked_by, notes"]
    declared = annotate_returns(rows, _register(), ("notes",))
    assert declared["unexpected_columns"].tolist() == ["checked_by"]


def test_an_id_from_a_number_cell_is_matched_only_when_unambiguous():
    ids = pd.Series(["7.2", "7.2", "4.1", "7.3", "7.2"])
    numeric = pd.Series([True, False, True, True, True])
    resolved, ambiguous = resolve_numeric_ids(ids, numeric, pd.Series(["7.20", "4.1", "7.3"]))
    assert resolved.tolist() == ["7.20", "7.2", "4.1", "7.3", "7.20"]   # 7.20 was meant
    assert ambiguous.tolist() == [""] * 5
    resolved, ambiguous = resolve_numeric_ids(ids, numeric, pd.Series(["7.2", "7.20", "4.1"]))
    assert resolved.tolist() == ids.tolist()
    assert ambiguous[0] == ("an indicator id typed as text: the cell holds the number 7.2, which "
                            "could be indicator 7.2 or 7.20 (a number loses its trailing "
                            "zeros); format the column as Text and type the id as the register "
                            "has it")
    assert ambiguous.tolist()[1:4] == ["", "", ""]        # typed as text, or one match


def test_annotate_matches_number_ids_and_keeps_the_id_as_read():
    rows = _rows([{"indicator_id": "7.2", "period": "2006-07 Q4", "value": 1.0,
                   "indicator_id_numeric": True}])
    out = annotate_returns(rows, _register())
    assert out[["indicator_id", "indicator_id_text", "unit"]].iloc[0].tolist() == [
        "7.20", "7.2", "count"]
    assert rows["indicator_id"].tolist() == ["7.2"]            # input not mutated


def test_submission_times_after_the_run_or_before_the_period_are_implausible():
    rows = _rows([
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0,
         "submitted_at": pd.Timestamp("2030-01-01")},
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0,
         "submitted_at": pd.Timestamp("2007-06-30 23:00")},   # later that day: a time zone
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0,
         "submitted_at": pd.Timestamp("2006-05-10")},         # a year out
        {"indicator_id": "7.20", "period": "2001-02", "value": 1.0,
         "submitted_at": pd.Timestamp("1900-01-01")},         # Excel's day zero
        {"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0,
         "submitted_at": pd.NaT}])
    out = annotate_returns(rows, _register(), run_time="2007-06-30T12:00:00+00:00")
    problems = out["submitted_at_problem"].tolist()
    assert problems[0] == problems[2] == problems[5] == ""
    assert problems[1] == ("a submission time no later than this run (2007-06-30): a date in "
                           "the future would outrank every correction sent after it")
    assert problems[3] == ("a submission time after 2006-07 Q4 began (2007-01-01): is the year "
                           "right?")
    assert problems[4] == ("a submission time after the agreement began (2006-04-01): is the "
                           "year right?")
    assert out["days_late"].isna().tolist() == [False, True, False, True, True, True]


def test_run_stamp_and_period_start():
    assert run_stamp("2007-06-30T13:00:00+01:00") == pd.Timestamp("2007-06-30 12:00")
    assert run_stamp("2007-06-30T12:00:00") == pd.Timestamp("2007-06-30 12:00")
    assert run_stamp(None) > pd.Timestamp("2020-01-01")
    assert period_start(Period(2006, 4)) == pd.Timestamp("2007-01-01")
    assert period_start(Period(2006, 2)) == pd.Timestamp("2006-07-01")
    assert period_start(Period(2006)) == pd.Timestamp("2006-04-01")


def test_a_blank_partner_is_filled_in_from_the_file_for_feedback():
    rows = _rows([{"indicator_id": "7.20", "period": "2006-07 Q4", "value": 1.0},
                  {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 1.0, "partner": ""},
                  {"indicator_id": "4.1", "period": "2006-07 Q4", "value": 1.0, "partner": "",
                   "source_file": "b.csv"}])
    out = annotate_returns(rows, _register())
    assert out["file_partner"].tolist() == ["P", "P", ""]
    assert out["partner"].tolist() == ["P", "", ""]
