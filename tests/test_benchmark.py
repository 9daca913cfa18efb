"""Golden tests of benchmarking on a small national table computed by hand.

tests/data/benchmark/national/values.csv: eight areas A-H in two regions and two types.
Indicator ``up`` (higher is better): A 50, B 40, C 40, D 30, E 60, F 20, G 40, H 10.
Indicator ``down`` (lower is better): A 5, B 7, C 3, D 7, E 9, F 1, G 5, H 11.
Ranks give ties the best rank of the tie; quartile = floor(4 (rank - 1) / n) + 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.assess import benchmark, benchmark_ranks
from pipeline.inputs.national import read_national

DATA = Path(__file__).resolve().parent / "data" / "benchmark"
INDICATORS = pd.DataFrame({"indicator_id": ["up", "down"], "polarity": ["higher", "lower"],
                           "unit": ["percent", "rate"], "target_value": [55.0, 6.0]})


@pytest.fixture(scope="module")
def national():
    return read_national(DATA)


@pytest.fixture(scope="module")
def values(national):
    return benchmark.prepare_values(national.rows, INDICATORS)


def _table(values, national, group, indicator, period="2006-07 Q4"):
    result = benchmark_ranks.benchmark_group(values, group, national.groups, national.neighbours)
    both = pd.concat([values[["area_code", "indicator_id", "period"]], result], axis=1)
    rows = both[(both["indicator_id"] == indicator) & (both["period"] == period)]
    return rows.set_index("area_code")


def test_england_ranks_quartiles_and_median_higher_is_better(values, national):
    t = _table(values, national, "england", "up")
    assert t["rank"].to_dict() == {"A": 2, "B": 3, "C": 3, "D": 6, "E": 1, "F": 7, "G": 3,
                                   "H": 8}
    assert t["quartile"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 3, "E": 1, "F": 4,
                                       "G": 2, "H": 4}
    assert set(t["n"]) == {8}
    assert set(t["median"]) == {40.0}


def test_england_ranks_and_quartiles_lower_is_better_with_ties(values, national):
    t = _table(values, national, "england", "down")
    assert t["rank"].to_dict() == {"A": 3, "B": 5, "C": 2, "D": 5, "E": 7, "F": 1, "G": 3,
                                   "H": 8}
    assert t["quartile"].to_dict() == {"A": 2, "B": 3, "C": 1, "D": 3, "E": 4, "F": 1,
                                       "G": 2, "H": 4}
    assert set(t["median"]) == {6.0}


def test_region_type_named_and_neighbour_groups(values, national):
    region = _table(values, national, "region", "up")
    assert region.loc[["A", "B", "C", "D"], "rank"].tolist() == [1, 2, 2, 4]
    assert region.loc[["A", "B", "C", "D"], "quartile"].tolist() == [1, 2, 2, 4]
    assert region.loc["A", "median"] == 40.0 and region.loc["E", "median"] == 30.0
    kind = _table(values, national, "type", "down")       # counties A B D F H: 5 7 7 1 11
    assert kind.loc[["F", "A", "B", "D", "H"], "rank"].tolist() == [1, 2, 3, 3, 5]
    assert kind.loc["A", "median"] == 7.0
    shire = _table(values, national, "shire", "up")      # A D H: 50 30 10
    assert shire.loc[["A", "D", "H"], "rank"].tolist() == [1, 2, 3]
    assert shire.loc["B", "rank"] == 0                   # not a member: not ranked
    near = _table(values, national, "neighbours", "up")  # A with B and E: 50 40 60
    assert (near.loc["A", "rank"], near.loc["A", "n"], near.loc["A", "median"]) == (2, 3, 50)
    assert near.loc["A", "quartile"] == 2
    assert near.loc["B", "n"] == 0                       # B has no neighbours listed


def test_comparison_by_interval_against_the_median(values, national):
    england_up = _table(values, national, "england", "up")
    assert england_up.loc["A", "comparison"] == "better"     # Wilson 46.9-53.1 > 40
    assert england_up.loc["B", "comparison"] == "not compared"
    england_down = _table(values, national, "england", "down")
    assert england_down.loc["A", "comparison"] == "similar"  # Byar's 3.71-6.59 holds 6
    near_down = _table(values, national, "neighbours", "down")
    assert near_down.loc["A", "comparison"] == "better"      # 6.59 < median 7, lower better


def test_quartiles_of_small_groups_and_unranked_rows():
    assert benchmark_ranks.quartile_of(np.array([1, 2, 3, 4, 5]), np.array([5] * 5)).tolist() == \
        [1, 1, 2, 3, 4]
    assert benchmark_ranks.quartile_of(np.array([1, 1]), np.array([1, 0])).tolist() == [1, 0]


def test_travel_against_a_year_earlier_and_the_last_review(values, national):
    table = benchmark.benchmark_area(values, "A", national.groups, national.neighbours,
                                     ("england",))
    now = table[(table["indicator_id"] == "up") & (table["period"] == "2006-07 Q4")].iloc[0]
    # 50% of 1000 against 45% of 1000 a year earlier: 5 points, z test 1.96 x 2.23 = 4.4
    assert (now["year_ago_value"], now["travel_year_ago"], now["year_ago_significant"]) == \
        (45.0, "improving", "yes")
    # against 49% at the last review (Q2): improving but within chance
    assert (now["review_period"], now["review_value"], now["travel_review"],
            now["review_significant"]) == ("2006-07 Q2", 49.0, "improving", "no")
    down = table[table["indicator_id"] == "down"].iloc[0]
    assert down["travel_year_ago"] == "not comparable" and down["year_ago_significant"] == ""
    assert now["quartile_label"] == "top quartile"


def test_a_target_met_only_when_the_interval_clears_it(values, national):
    table = benchmark.benchmark_area(values, "A", national.groups, national.neighbours,
                                     ("england",))
    latest = benchmark.latest_rows(table, "2006-07 Q4")
    judged = benchmark.judge_targets(latest, INDICATORS).set_index("indicator_id")
    # up: 46.9-53.1 all below the target 55 -> not met; down: 3.71-6.59 straddles 6
    assert judged["target_by_interval"].to_dict() == {"up": "not met", "down": "cannot tell"}
    assessed = pd.DataFrame({"indicator_id": ["up", "down"], "computed_rag": ["G", "G"],
                             "lead_rag": ["", "G"], "final_rag": ["G", "G"]})
    ruled = benchmark.apply_interval_rule(assessed, judged.reset_index())
    assert ruled["computed_rag"].tolist() == ["A", "A"]
    assert ruled["final_rag"].tolist() == ["A", "G"]     # the lead's judgement still stands
    assert assessed["computed_rag"].tolist() == ["G", "G"]  # input not mutated


def test_group_members_for_the_strip_chart(values, national):
    members = benchmark.group_members(values, "A", "neighbours", national.groups,
                                      national.neighbours)
    now = members[(members["period"] == "2006-07 Q4") & (members["indicator_id"] == "up")]
    assert sorted(now["area_code"]) == ["A", "B", "E"]
    assert now.set_index("area_code")["ours"].to_dict() == {"A": True, "B": False, "E": False}


def test_all_areas_at_once_in_chunks_gives_the_same_ranks(national):
    groups = ("england", "region", "neighbours")
    whole = benchmark.benchmark_all_areas(national.rows, INDICATORS, national.groups,
                                          national.neighbours, groups)
    chunked = benchmark.benchmark_all_areas(national.rows, INDICATORS, national.groups,
                                            national.neighbours, groups, chunk_rows=1)
    key = ["area_code", "indicator_id", "period"]
    whole = whole.sort_values(key).reset_index(drop=True)
    chunked = chunked.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(whole, chunked, check_categorical=False)
    a_up = whole[(whole["area_code"] == "A") & (whole["indicator_id"] == "up")
                 & (whole["period"] == "2006-07 Q4")].iloc[0]
    assert (a_up["england_rank"], a_up["region_rank"], a_up["neighbours_rank"]) == (2, 1, 2)
    assert a_up["travel_year_ago"] == "improving"


def test_the_interval_rule_is_off_by_default_and_read_from_the_rules_file(tmp_path):
    from pipeline.errors import ConfigError
    from pipeline.rules import load_rules
    from pipeline.rules_schema import Rules

    assert Rules().target_needs_interval is False
    assert load_rules().target_needs_interval is False
    path = tmp_path / "rules.toml"
    path.write_text("[benchmark]\ntarget_needs_interval = true\n", encoding="utf-8")
    assert load_rules(path).target_needs_interval is True
    path.write_text("[benchmark]\ntarget_needs_interval = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"target_needs_interval = 1: should be true or false"):
        load_rules(path)


def test_row_medians_are_numpys_nanmedian_without_its_warnings():
    grid = np.array([[3.0, 1.0, 2.0], [4.0, np.nan, 1.0], [np.nan, np.nan, np.nan],
                     [7.5, np.nan, np.nan], [2.0, 2.0, 9.0]])
    assert np.array_equal(benchmark_ranks.row_medians(grid), [2.0, 2.5, np.nan, 7.5, 2.0],
                          equal_nan=True)
    rng = np.random.default_rng(15)
    many = rng.normal(50, 10, size=(2_000, 16))
    many[rng.random(many.shape) < 0.3] = np.nan
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(many, axis=1)
    assert np.array_equal(benchmark_ranks.row_medians(many), expected, equal_nan=True)
