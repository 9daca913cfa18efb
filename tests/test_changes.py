"""Changes since the last review: the previous period, transitions and movements."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.changes import (
    OVERALL,
    assess_review,
    classify_movement,
    compare_like_for_like,
    count_movements,
    describe_comparison,
    list_movements,
    resolve_previous_period,
    tabulate_transitions,
)
from pipeline.errors import ConfigError
from pipeline.rules_schema import Rules
from tests.conftest import make_register, make_rows

THEMES = make_register([{"indicator_id": "1", "theme": "safer", "polarity": "lower"}], []).themes


def test_previous_period_is_checked_and_canonical():
    assert resolve_previous_period("2006-07 Q4", "2006-07 q2") == "2006-07 Q2"
    assert resolve_previous_period("2006-07 Q4", "") is None
    assert resolve_previous_period("2006-07 Q4", None) is None
    assert resolve_previous_period("2006-07 Q2", "2006-07 Q2") is None
    with pytest.raises(ConfigError, match="comes after"):
        resolve_previous_period("2006-07 Q2", "2006-07 Q4")
    with pytest.raises(ConfigError, match="not a financial year"):
        resolve_previous_period("2006-07 Q4", "Q2")


@pytest.mark.parametrize(("was", "now", "expected"), [
    ("G", "A", "worsened"), ("A", "R", "worsened"), ("R", "A", "improved"),
    ("R", "G", "improved"), ("G", "G", "unchanged"), ("N", "G", "now rated"),
    ("G", "N", "no longer rated"), ("T", "R", "now rated"), ("N", "T", "changed")])
def test_movements_are_classified(was, now, expected):
    assert classify_movement(was, now) == expected


def _frame(rows):
    base = {"title": "T", "theme_name": "", "unit": "count", "value": 1.0,
            "value_period": "2006-07 Q4", "commentary": ""}
    return pd.DataFrame([{**base, **r} for r in rows])


PREVIOUS = _frame([
    {"indicator_id": "7.1", "theme": "safer", "final_rag": "A", "commentary": "At six months."},
    {"indicator_id": "7.18", "theme": "safer", "final_rag": "R"},
    {"indicator_id": "7.2", "theme": "safer", "final_rag": "G"},
    {"indicator_id": "4.1", "theme": "health", "final_rag": "N", "value": float("nan")},
    {"indicator_id": "4.2", "theme": "health", "final_rag": "G"},
])
CURRENT = _frame([
    {"indicator_id": "7.1", "theme": "safer", "final_rag": "R", "commentary": "At year end."},
    {"indicator_id": "7.18", "theme": "safer", "final_rag": "A"},
    {"indicator_id": "7.2", "theme": "safer", "final_rag": "G"},
    {"indicator_id": "4.1", "theme": "health", "final_rag": "G"},
    {"indicator_id": "4.2", "theme": "health", "final_rag": "G"},
])


def test_transition_matrix_per_theme_and_overall():
    table = tabulate_transitions(PREVIOUS, CURRENT, THEMES)
    assert table["theme"].unique().tolist() == ["Health", "Safer", OVERALL]
    assert "Target not agreed" not in table.columns
    overall = table[table["theme"] == OVERALL].set_index("was")
    assert overall.loc["Amber", ["Green", "Amber", "Red"]].tolist() == [0, 0, 1]
    assert overall.loc["Red", ["Amber", "Total"]].tolist() == [1, 1]
    assert overall.loc["Green", "Green"] == 2
    assert overall.loc["Not available for reporting", "Green"] == 1
    safer = table[table["theme"] == "Safer"].set_index("was")
    assert list(safer.index) == ["Green", "Amber", "Red"]     # rows that had indicators
    assert int(table[table["theme"] == OVERALL]["Total"].sum()) == len(CURRENT)


def test_movements_list_both_commentaries_in_indicator_order():
    moved = list_movements(PREVIOUS, CURRENT)
    assert moved["indicator_id"].tolist() == ["4.1", "7.1", "7.18"]
    row = moved.set_index("indicator_id").loc["7.1"]
    assert (row["was"], row["now"], row["movement"]) == ("Amber", "Red", "worsened")
    assert (row["was_commentary"], row["commentary"]) == ("At six months.", "At year end.")
    assert count_movements(moved) == {"improved": 1, "worsened": 1, "now rated": 1,
                                      "no longer rated": 0, "changed": 0, "not compared": 0}


def test_no_previous_review_means_nothing_to_compare():
    register = make_register([{"indicator_id": "7.1", "theme": "safer", "polarity": "lower"}],
                             [{"indicator_id": "7.1", "period": "2006-07", "target_value": "5"}])
    rows = make_rows([{"indicator_id": "7.1", "period": "2006-07 Q4", "value": 4.0}])
    none = assess_review(register, rows, None, Rules())
    assert none.empty
    assert tabulate_transitions(none, CURRENT, THEMES).empty
    assert list_movements(none, CURRENT).empty
    # A review period with no returns at all is no review: nothing to compare with.
    assert assess_review(register, rows, "2006-07 Q2", Rules()).empty
    rows = make_rows([{"indicator_id": "7.1", "period": "2006-07 Q2", "value": 4.0}])
    at_q2 = assess_review(register, rows, "2006-07 Q2", Rules())
    assert at_q2.set_index("indicator_id").loc["7.1", "final_rag"] == "G"


def _ytd(was: float, was_at: str, now: float, now_at: str, **extra: object) -> pd.Series:
    return pd.Series({"was_value": was, "was_value_period": was_at, "value": now,
                      "value_period": now_at, "unit": "count", "accumulation": "cumulative",
                      **extra})


def test_year_to_date_counts_are_put_on_a_whole_year_basis():
    # 7.18 in the demo: 604 by Q2 (half the year on a straight line) is 1,208 a year,
    # against 1,151 for the whole year: like with like, 1,208 then and 1,151 now.
    out = compare_like_for_like(_ytd(604.0, "2006-07 Q2", 1151.0, "2006-07 Q4"))
    assert (out["compared_was_value"], out["compared_value"]) == (1208.0, 1151.0)
    assert (out["compared_was_period"], out["compared_period"]) == ("a year", "a year")
    assert out["basis"] == ("year-to-date counts put on a whole-year basis: 604 by Q2, when "
                            "50% of the year's movement is expected")
    row = _ytd(604.0, "2006-07 Q2", 1151.0, "2006-07 Q4")
    assert describe_comparison(pd.concat([row, pd.Series(out)])) == (
        "1,208 a year then, 1,151 a year now (year-to-date counts put on a whole-year basis: "
        "604 by Q2, when 50% of the year's movement is expected)")


def test_a_profile_sets_the_share_of_the_year_for_both_values():
    # NI 154 shape: 1,285 by Q2 and 1,778 by Q3 on a 10;35;60;100 profile:
    # 1,285 / 0.35 = 3,671.43 and 1,778 / 0.60 = 2,963.33 a year.
    out = compare_like_for_like(_ytd(1285.0, "2008-09 Q2", 1778.0, "2008-09 Q3",
                                     profile="10;35;60;100"))
    assert round(out["compared_was_value"], 2) == 3671.43
    assert round(out["compared_value"], 2) == 2963.33
    assert "1,285 by Q2, when 35% of the year's movement is expected; " in out["basis"]
    assert "1,778 by Q3, when 60% of the year's movement is expected" in out["basis"]


def test_the_same_point_a_year_before_comes_first_when_the_data_has_it():
    out = compare_like_for_like(_ytd(604.0, "2006-07 Q2", 1151.0, "2006-07 Q4",
                                     year_ago_value=1300.0, year_ago_period="2005-06"))
    assert (out["compared_was_value"], out["compared_was_period"]) == (1300.0, "2005-06")
    assert out["compared_value"] == 1151.0
    assert out["basis"] == ("year-to-date counts: 2006-07 Q4 against the same point a year "
                            "before (2005-06)")
    row = _ytd(604.0, "2006-07 Q2", 1151.0, "2006-07 Q4")
    assert describe_comparison(pd.concat([row, pd.Series(out)])) == (
        "1,151 now against 1,300 at the same point a year before (2005-06; year-to-date "
        "counts)")


def test_levels_and_same_point_counts_are_compared_as_returned():
    level = compare_like_for_like(_ytd(40.0, "2006-07 Q2", 38.0, "2006-07 Q4",
                                       accumulation="snapshot"))
    assert (level["compared_was_value"], level["compared_value"]) == (40.0, 38.0)
    assert level["basis"] == "levels, compared as returned"
    row = pd.concat([_ytd(40.0, "2006-07 Q2", 38.0, "2006-07 Q4"), pd.Series(level)])
    assert describe_comparison(row) == "40 then, 38 now (levels, compared as returned)"
    same = compare_like_for_like(_ytd(604.0, "2006-07 Q2", 640.0, "2006-07 Q2"))
    assert same["basis"] == "year-to-date counts at the same point of the year"


def test_counts_with_no_basis_are_not_called_improved_or_worsened():
    # a Q1 share of 0 (nothing expected by then) leaves no whole-year basis
    previous = _frame([{"indicator_id": "7.18", "theme": "safer", "final_rag": "R",
                        "value": 50.0, "value_period": "2006-07 Q1"}])
    current = _frame([{"indicator_id": "7.18", "theme": "safer", "final_rag": "G",
                       "value": 900.0, "value_period": "2006-07 Q4",
                       "accumulation": "cumulative", "profile": "0;35;60;100"}])
    moved = list_movements(previous, current)
    assert moved["movement"].tolist() == ["not compared"]
    assert moved["basis"].iloc[0].startswith("not compared: year-to-date counts at different")
    assert count_movements(moved)["improved"] == 0
    assert count_movements(moved)["not compared"] == 1
    # the same change on a straight-line profile is a rating that improved
    current.loc[0, "profile"] = ""
    assert list_movements(previous, current)["movement"].tolist() == ["improved"]


def test_a_provisional_value_is_said_beside_the_comparison():
    previous = _frame([{"indicator_id": "7.2", "theme": "safer", "final_rag": "A",
                        "value": 40.0, "value_period": "2006-07 Q2", "data_status": "final"}])
    current = _frame([{"indicator_id": "7.2", "theme": "safer", "final_rag": "R",
                       "value": 38.0, "value_period": "2006-07 Q4",
                       "data_status": "provisional"}])
    moved = list_movements(previous, current)
    assert (moved["was_data_status"].iloc[0], moved["data_status"].iloc[0]) == (
        "final", "provisional")
    assert describe_comparison(moved.iloc[0]) == (
        "40 then, 38 now (levels, compared as returned); the value now is provisional")
