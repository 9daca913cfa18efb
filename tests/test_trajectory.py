"""Unit and property tests of the trajectory: expected values from baseline to targets."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.assess.trajectory import (
    LINEAR_PROFILE,
    expected_value,
    parse_profile,
    profile_trajectory,
    year_share,
)
from pipeline.errors import RegisterError
from pipeline.periods import parse_period
from tests.conftest import make_register

TARGETS_721 = {"2006-07": 472.0, "2007-08": 455.0, "2008-09": 440.0}


@pytest.mark.parametrize(("period", "expected"), [
    ("2006-07 Q1", 118.0), ("2006-07 Q2", 236.0), ("2006-07 Q3", 354.0),
    ("2006-07 Q4", 472.0), ("2006-07", 472.0), ("2007-08 Q2", 227.5),
])
def test_cumulative_is_the_year_target_pro_rata(period, expected):
    assert expected_value(period, "cumulative", TARGETS_721, 548.0, "2004-05") == expected


def test_snapshot_runs_from_the_baseline_a_year_before():
    targets = {"2006-07": 40.0}
    assert expected_value("2006-07 Q2", "snapshot", targets, 32.0, "2005-06") == 36.0
    assert expected_value("2006-07 Q4", "snapshot", targets, 32.0, "2005-06") == 40.0


def test_snapshot_baseline_two_years_back_is_a_straight_line_over_eight_quarters():
    # 2.1: baseline 33.5 in 2004-05, target 40 in 2006-07; Q3 2006-07 is 7 of 8 quarters.
    got = expected_value("2006-07 Q3", "snapshot", {"2006-07": 40.0}, 33.5, "2004-05")
    assert got == pytest.approx(33.5 + 6.5 * 7 / 8)


def test_snapshot_later_years_start_from_the_previous_target():
    targets = {"2006-07": 40.0, "2007-08": 44.0, "2008-09": 48.0}
    assert expected_value("2007-08 Q1", "snapshot", targets, 33.5, "2004-05") == 41.0
    assert expected_value("2008-09 Q2", "snapshot", targets, 33.5, "2004-05") == 46.0


def test_a_quarter_target_in_the_register_wins():
    targets = {"2006-07": 472.0, "2006-07 Q2": 250.0}
    assert expected_value("2006-07 Q2", "cumulative", targets) == 250.0
    assert expected_value("2006-07 Q3", "cumulative", targets) == 354.0


def test_register_profile_shapes_the_year():
    profile = parse_profile("10;35;60;100")
    assert expected_value("2006-07 Q2", "cumulative", {"2006-07": 1000.0},
                          profile=profile) == 350.0
    # Snapshot: the profile shapes the movement from the baseline (30) to the target (40).
    assert expected_value("2006-07 Q1", "snapshot", {"2006-07": 40.0}, 30.0, "2005-06",
                          profile) == 31.0


def test_no_target_no_trajectory_and_no_anchor_means_flat():
    assert math.isnan(expected_value("2006-07 Q2", "snapshot", {"2007-08": 5.0}, 1.0, "2005-06"))
    assert math.isnan(expected_value("2006-07 Q2", "cumulative", {"2006-07": float("nan")}))
    # 7.4 has no baseline: a snapshot with nothing before its first target is flat.
    assert expected_value("2006-07 Q2", "snapshot", {"2006-07": 180.0}, float("nan"),
                          "2005-06") == 180.0


@pytest.mark.parametrize("text", ["10;20;30", "10;20;30;90", "a;b;c;100", "-5;20;50;100",
                                  "10;20;30;100;100"])
def test_bad_profiles_are_register_errors(text):
    with pytest.raises(RegisterError, match="profile"):
        parse_profile(text, "7.21")


def test_profile_parsing_accepts_blank_and_other_separators():
    assert parse_profile("") == LINEAR_PROFILE
    assert parse_profile(float("nan")) == LINEAR_PROFILE
    assert parse_profile("20 / 40 / 70 / 100%") == (20.0, 40.0, 70.0, 100.0)
    assert year_share(parse_period("2006-07"), (20.0, 40.0, 70.0, 100.0)) == 1.0


def test_profile_trajectory_reads_the_register():
    register = make_register(
        [{"indicator_id": "7.21", "theme": "safer", "polarity": "lower",
          "accumulation": "cumulative", "baseline_value": "548", "baseline_period": "2004-05"},
         {"indicator_id": "2.1", "theme": "health", "polarity": "higher", "unit": "percent",
          "baseline_value": "32", "baseline_period": "2005-06"}],
        [{"indicator_id": "7.21", "period": "2006-07", "target_value": "472"},
         {"indicator_id": "2.1", "period": "2006-07", "target_value": "40"}])
    at = {"7.21": "2006-07 Q2", "2.1": "2006-07 Q2"}
    got = profile_trajectory(register.indicators, register.targets, at)
    assert dict(zip(register.indicators["indicator_id"], got, strict=True)) == {
        "2.1": 36.0, "7.21": 236.0}
    # No without-stretch column in these targets: NaN, not an error.
    assert profile_trajectory(register.indicators, register.targets, at,
                              "target_without_stretch").isna().all()


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
quarters = st.sampled_from(["2006-07 Q1", "2006-07 Q2", "2006-07 Q3", "2006-07 Q4",
                            "2007-08 Q1", "2007-08 Q3", "2007-08"])
profiles = st.lists(st.floats(min_value=0, max_value=100), min_size=3, max_size=3).map(
    lambda xs: (*sorted(xs), 100.0))


@given(finite, finite, finite, quarters, st.sampled_from(["snapshot", "cumulative"]), profiles)
def test_mirrored_baseline_and_targets_mirror_the_trajectory(base, t1, t2, period, kind,
                                                             profile):
    targets = {"2006-07": t1, "2007-08": t2}
    mirrored = {k: -v for k, v in targets.items()}
    assert expected_value(period, kind, mirrored, -base, "2005-06", profile) == \
        -expected_value(period, kind, targets, base, "2005-06", profile)


@given(finite, finite, st.sampled_from(["snapshot", "cumulative"]), profiles)
def test_year_end_is_always_the_annual_target(base, target, kind, profile):
    assert expected_value("2006-07 Q4", kind, {"2006-07": target}, base, "2004-05",
                          profile) == target


@given(st.floats(min_value=0, max_value=1e6), profiles)
def test_cumulative_trajectory_never_falls_within_a_year(target, profile):
    points = [expected_value(f"2006-07 Q{q}", "cumulative", {"2006-07": target},
                             profile=profile) for q in (1, 2, 3, 4)]
    assert points == sorted(points)
