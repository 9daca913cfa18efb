"""The performance statements, word for word against the seed's own sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.statements import add_statements, compose_statement
from pipeline.rules_schema import Rules


def test_seed_7_21_word_for_word():
    # Seed, section 3.3: "Target 472, actual 690 which represents an increase on the
    # baseline of 26% and remains 46.2% off target." (the comma after 690 is ours). The
    # change is 142/548 = 25.912%: one decimal, 25.9 (the seed rounded this one to whole).
    assert compose_statement(472, 690, 548, "lower", Rules()) == (
        "Target 472, actual 690, which represents an increase on the baseline of 25.9% and "
        "remains 46.2% off target.")


@pytest.mark.parametrize(("args", "change"), [
    # Seed 3.2, 7.1: "a reduction of 4.5% from baseline"; 27,884 to 26,629: 1,255/27,884
    # = 4.5008%.
    ((24538, 26629, 27884, "lower"), "a reduction on the baseline of 4.5%"),
    # Seed 3.4, 7.19: "a 21.7% reduction from the baseline"; 4,977 to 3,897: 1,080/4,977
    # = 21.6998%.
    ((3316, 3897, 4977, "lower"), "a reduction on the baseline of 21.7%"),
    # Seed 3.3, 7.18: "A reduction of 31.5%"; 1,680 to 1,151: 529/1,680 = 31.488%.
    ((1090, 1151, 1680, "lower"), "a reduction on the baseline of 31.5%"),
    # Seed 3.3, 7.20: "a reduction of 2.7%"; 3,291 to 3,202: 89/3,291 = 2.704%.
    ((2470, 3202, 3291, "lower"), "a reduction on the baseline of 2.7%"),
    # A whole-number change keeps its decimal: 100 to 110 is 10.0%.
    ((120, 110, 100, "higher"), "an increase on the baseline of 10.0%"),
])
def test_seed_changes_from_baseline_print_one_decimal(args, change):
    assert f"which represents {change} and" in compose_statement(*args, Rules())


@pytest.mark.parametrize(("args", "expected"), [
    # 7.20, lower is better: a reduction on the baseline (89/3,291 = 2.7%), 29.6% off.
    ((2470, 3202, 3291, "lower"),
     "Target 2,470, actual 3,202, which represents a reduction on the baseline of 2.7% and "
     "remains 29.6% off target."),
    # 5.6, higher is better and short of target.
    ((179, 139, 112, "higher"),
     "Target 179, actual 139, which represents an increase on the baseline of 24.1% and "
     "remains 22.3% off target."),
    # Beaten targets read above (higher is better) or below (lower is better) target.
    ((45, 47, 40, "higher"),
     "Target 45, actual 47, which represents an increase on the baseline of 17.5% and is "
     "4.4% above target."),
    ((298, 112, 356, "lower"),
     "Target 298, actual 112, which represents a reduction on the baseline of 68.5% and is "
     "62.4% below target."),
    ((100, 100, 90, "higher"),
     "Target 100, actual 100, which represents an increase on the baseline of 11.1% and "
     "meets the target."),
    # No baseline (7.4) or a zero baseline: the baseline clause is left out.
    ((10, 0.8, float("nan"), "higher"), "Target 10, actual 0.8, which remains 92.0% off target."),
    ((10, 0.8, 0.0, "higher"), "Target 10, actual 0.8, which remains 92.0% off target."),
    ((11.2, 11.2, 11.2, "lower"),
     "Target 11.2, actual 11.2, which represents no change on the baseline and meets the "
     "target."),
    ((100, 100.04, 100, "higher"),
     "Target 100, actual 100.04, which represents an increase on the baseline of less than "
     "0.1% and is less than 0.1% above target."),
    ((0, 3, 5, "lower"),
     "Target 0, actual 3, which represents a reduction on the baseline of 40.0% and misses "
     "the zero target."),
])
def test_statement_wording_is_polarity_aware(args, expected):
    assert compose_statement(*args, Rules()) == expected


def test_units_print_as_the_board_reads_them():
    assert compose_statement(10, 0.8, 0, "higher", Rules(), unit="percent") == (
        "Target 10%, actual 0.8%, which remains 92.0% off target.")


def test_rounding_comes_from_the_rules():
    # whole percents for the change give the seed's own 7.21 "26%"
    rules = Rules(statement_change_places=0, statement_off_places=0)
    assert compose_statement(472, 690, 548, "lower", rules) == (
        "Target 472, actual 690, which represents an increase on the baseline of 26% and "
        "remains 46% off target.")


def test_part_year_values_are_measured_against_their_trajectory():
    # A year-to-date count at Q2: no comparison with the whole-year baseline.
    assert compose_statement(472, 338, 548, "lower", Rules(), "count", "cumulative", 236.0,
                             "2006-07 Q2") == (
        "Target 472 for the year, 236 expected by 2006-07 Q2, actual 338, which remains 43.2% "
        "off trajectory.")
    # 2.1 at the year end with only a Q3 value (a snapshot level).
    assert compose_statement(40, 39.36, 33.5, "higher", Rules(), "percent", "snapshot",
                             39.1875, "2006-07 Q3") == (
        "Target 40% for the year, 39.19% expected by 2006-07 Q3, actual 39.36%, which "
        "represents an increase on the baseline of 17.5% and is 0.4% above trajectory.")
    # At Q4 the trajectory point is the target: the seed's own form.
    assert compose_statement(472, 690, 548, "lower", Rules(), "count", "cumulative", 472.0,
                             "2006-07 Q4").startswith("Target 472, actual 690, which")


def test_no_value_no_statement():
    assert compose_statement(472, float("nan"), 548, "lower", Rules()) == ""


def test_statements_only_for_amber_and_red():
    assessed = pd.DataFrame({
        "indicator_id": ["7.21", "7.18", "1.1", "7.17"],
        "final_rag": ["R", "A", "G", "N"],
        "target_value": [472.0, 1090.0, 50.0, 320.0], "value": [690.0, 1151.0, 52.6, None],
        "baseline_value": [548.0, 1680.0, 38.0, 385.0], "polarity": ["lower", "lower",
                                                                      "higher", "lower"],
        "unit": ["count", "count", "percent", "count"],
        "accumulation": ["cumulative"] * 4, "expected_value": [472.0, 1090.0, 50.0, 320.0],
        "trajectory_period": ["2006-07 Q4"] * 4})
    out = add_statements(assessed, Rules())
    assert out["statement"].tolist() == [
        "Target 472, actual 690, which represents an increase on the baseline of 25.9% and "
        "remains 46.2% off target.",
        "Target 1,090, actual 1,151, which represents a reduction on the baseline of 31.5% and "
        "remains 5.6% off target.",
        "", ""]
    assert "statement" not in assessed
