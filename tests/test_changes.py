"""Changes since the last review: the previous period, transitions and movements."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.changes import (
    OVERALL,
    assess_review,
    classify_movement,
    count_movements,
    list_movements,
    resolve_previous_period,
    tabulate_transitions,
)
from pipeline.config import Rules
from pipeline.errors import ConfigError
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
                                      "no longer rated": 0, "changed": 0}


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
