"""Unit tests of the self-assessment tables on tiny frames."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.tables import (
    compose_headline,
    format_risk_summary,
    list_rag_disagreements,
    list_risks,
    summarise_risk,
    tabulate_ratings,
    tabulate_reward_grant,
)
from pipeline.figures import format_gbp, format_pct
from pipeline.rules_schema import Rules
from tests.conftest import make_register

THEMES = make_register([{"indicator_id": "1", "theme": "safer", "polarity": "lower"}], []).themes


def _assessed(rows):
    base = {"reward": False, "reward_grant_gbp": float("nan"), "off_target_pct": float("nan"),
            "off_trajectory_pct": float("nan"), "title": "T", "theme_name": "", "lead_org": "",
            "unit": "count", "value": 1.0, "value_period": "2006-07 Q4", "target_value": 1.0,
            "expected_value": 1.0, "trajectory_period": "2006-07 Q4", "computed_rag": "G",
            "lead_rag": "", "statement": "", "commentary": "", "actions": "", "rating_basis": ""}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_percent_rounds_half_up():
    assert format_pct(63, 99) == "63.6%"
    assert format_pct(1, 8) == "12.5%"
    assert format_pct(1, 16, 2) == "6.25%"
    assert format_pct(0, 0) == "-"
    assert format_gbp(6223735) == "£6,223,735.00"
    assert format_gbp(190522.5) == "£190,522.50"


def test_risk_summary_counts_and_totals():
    assessed = _assessed(
        [{"theme": "safer", "final_rag": r} for r in "GGGARRN"]
        + [{"theme": "health", "final_rag": r} for r in "GAN"])
    summary = summarise_risk(assessed, THEMES)
    assert list(summary.index) == ["Health", "Safer", "Totals"]   # summary_order
    assert summary.loc["Safer"].tolist() == [3, 1, 2, 1]
    assert summary.loc["Totals"].tolist() == [4, 2, 2, 2]
    shown = format_risk_summary(summary)
    assert shown.loc["Totals"].tolist() == ["4 (50.0%)", "2 (25.0%)", "2 (25.0%)", "2"]
    assert "Target not agreed" not in summary.columns


def test_target_not_agreed_gets_its_own_column():
    assessed = _assessed([{"theme": "safer", "final_rag": "T"},
                          {"theme": "safer", "final_rag": "G"}])
    summary = summarise_risk(assessed, THEMES)
    assert summary.loc["Totals", "Target not agreed"] == 1
    assert format_risk_summary(summary).loc["Totals", "Green"] == "1 (100.0%)"


def test_reward_grant_at_risk_counts_amber_and_red_only():
    assessed = _assessed([
        {"indicator_id": "7.18", "theme": "safer", "final_rag": "A", "reward": True,
         "reward_grant_gbp": 101612.0},
        {"indicator_id": "7.12", "theme": "safer", "final_rag": "G", "reward": True,
         "reward_grant_gbp": 508060.0},
        {"indicator_id": "7.17", "theme": "safer", "final_rag": "N", "reward": True,
         "reward_grant_gbp": 381045.0},
        {"indicator_id": "4.2.1", "theme": "health", "final_rag": "R", "reward": True,
         "reward_grant_gbp": 127015.0},
        {"indicator_id": "4.9", "theme": "health", "final_rag": "R"},
    ])
    table = tabulate_reward_grant(assessed, THEMES, Rules())
    assert table["row_type"].tolist() == ["target", "theme total", "target", "target", "target",
                                          "theme total", "overall total"]
    assert table["theme"].iloc[0] == "Healthier Communities"      # block order: 4 before 7
    totals = table[table["row_type"] != "target"].set_index("indicator")
    assert totals["grant_gbp"].tolist() == [127015.0, 990717.0, 1117732.0]
    assert totals["at_risk_gbp"].tolist() == [127015.0, 101612.0, 228627.0]


def test_risk_lists_split_by_rag_and_reward():
    assessed = _assessed([
        {"indicator_id": "a", "final_rag": "R", "reward": False, "theme": "safer"},
        {"indicator_id": "b", "final_rag": "R", "reward": True, "theme": "safer"},
        {"indicator_id": "c", "final_rag": "A", "reward": True, "theme": "safer"},
        {"indicator_id": "d", "final_rag": "A", "reward": False, "theme": "safer"},
    ])
    lists = list_risks(assessed)
    assert lists["red_non_reward"]["indicator_id"].tolist() == ["a"]
    assert lists["red_reward"]["indicator_id"].tolist() == ["b"]
    assert lists["amber_reward"]["indicator_id"].tolist() == ["c"]


def test_headline_is_computed():
    assessed = _assessed(
        [{"final_rag": "G"}] * 6 + [{"final_rag": "A"}] * 2
        + [{"final_rag": "R", "off_trajectory_pct": 25.0},
           {"final_rag": "R", "off_trajectory_pct": 5.0}, {"final_rag": "N"}])
    assert compose_headline(assessed, Rules()) == (
        "60.0% of the indicators are on track to meet target figures, 20.0% amber and 20.0% "
        "red. Of those that are red only 50.0% are more than 20% off trajectory.")
    assert "more than 30% off" in compose_headline(assessed, Rules(red_far_off_pct=30))


@pytest.mark.parametrize("ratings", [["N"], ["N", "T"]])
def test_headline_with_nothing_rated(ratings):
    assessed = _assessed([{"final_rag": r} for r in ratings])
    assert compose_headline(assessed, Rules()) == (
        "No indicator can be rated yet: none has a value for the period against an agreed "
        "target.")


def test_headline_when_nothing_is_red_or_no_red_is_far_off():
    """Not "only 0.0% are more than 20% off" (issue 22.1): say it in words."""
    calm = _assessed([{"final_rag": "G"}] * 3 + [{"final_rag": "A"}])
    assert compose_headline(calm, Rules()) == (
        "75.0% of the indicators are on track to meet target figures, 25.0% amber and 0.0% "
        "red. None is red.")
    near = _assessed([{"final_rag": "G"}, {"final_rag": "R", "off_trajectory_pct": 20.0}])
    assert compose_headline(near, Rules()).endswith(
        "Of those that are red none is more than 20% off trajectory.")


def test_headline_counts_red_off_trajectory_not_off_target():
    # A Q2 year-to-date value: 60% short of the whole-year target, but only 5% off its
    # trajectory point; another 25% off trajectory. Only the second is "far" off.
    assessed = _assessed([
        {"final_rag": "R", "off_target_pct": 60.0, "off_trajectory_pct": 5.0},
        {"final_rag": "R", "off_target_pct": 10.0, "off_trajectory_pct": 25.0},
        {"final_rag": "R", "off_target_pct": 30.0, "off_trajectory_pct": 20.0},  # not "more"
        {"final_rag": "G"}])
    assert compose_headline(assessed, Rules()).endswith(
        "Of those that are red only 33.3% are more than 20% off trajectory.")


def test_target_not_agreed_stays_out_of_the_headline_base():
    assessed = _assessed([{"final_rag": "G"}, {"final_rag": "T"}, {"final_rag": "R",
                                                                    "off_trajectory_pct": 50}])
    assert compose_headline(assessed, Rules()).startswith(
        "50.0% of the indicators are on track to meet target figures, 0.0% amber and 50.0% red")


def test_risk_lists_carry_the_statement_beside_the_commentary():
    assessed = _assessed([{"indicator_id": "a", "final_rag": "R", "theme": "safer",
                           "statement": "Target 1, actual 2.", "commentary": "Lead says."}])
    row = list_risks(assessed)["red_non_reward"].iloc[0]
    assert (row["statement"], row["commentary"]) == ("Target 1, actual 2.", "Lead says.")


def _ratings(pairs):
    return tabulate_ratings(_assessed([
        {"indicator_id": str(i), "theme": "safer", "computed_rag": c, "lead_rag": lead,
         "final_rag": lead or c} for i, (c, lead) in enumerate(pairs)]))


def test_ratings_show_final_beside_computed_with_the_gap():
    ratings = _ratings([("R", "G"), ("G", "R"), ("A", "G"), ("A", "A"), ("N", ""), ("R", "")])
    assert ratings["rag_gap"].tolist() == [2, -2, 1, 0, 0, 0]
    assert ratings[["computed_rag", "final_rag"]].values.tolist()[0] == ["R", "G"]


def test_disagreements_list_more_than_one_step_and_lead_green_numbers_red():
    ratings = _ratings([("R", "G"), ("G", "R"), ("A", "G"), ("R", "A"), ("A", "A")])
    listed = list_rag_disagreements(ratings, Rules())
    assert listed["indicator_id"].tolist() == ["0", "1"]
    assert listed["reason"].tolist() == ["lead Green, computed Red (2 steps kinder)",
                                         "lead Red, computed Green (2 steps harsher)"]
    every_difference = list_rag_disagreements(ratings, Rules(lead_gap_max_steps=0))
    assert every_difference["indicator_id"].tolist() == ["0", "1", "2", "3"]
    # Lead green where the numbers say red is listed even if the step rule is loosened.
    loose = list_rag_disagreements(ratings, Rules(lead_gap_max_steps=5))
    assert loose["indicator_id"].tolist() == ["0"]
