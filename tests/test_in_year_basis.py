"""Issue 21 item 7: what a snapshot indicator's in-year value is rated against (a setting),
and the basis printed beside each computed rating.

Golden figures, by hand. 2.1 (a level, higher is better): baseline 33.5 in 2004-05, target
40 for 2006-07, value 39.36 at 2006-07 Q3.
- trajectory basis: 39.19 expected by Q3 (33.5 + 6.5 x 7/8 = 39.1875); 39.36 is ahead:
  green.
- annual target basis: (40 - 39.36) / 40 = 1.6% off, within amber_max_off_pct 10: amber.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.errors import ConfigError
from pipeline.report.blocks import render_block_table
from pipeline.rules import load_rules
from pipeline.rules_schema import Rules
from pipeline.rules_text import rules_table_markdown
from tests.conftest import make_register, make_rows

ROOT = Path(__file__).resolve().parents[1]


def _register():
    return make_register(
        [{"indicator_id": "2.1", "theme": "health", "polarity": "higher", "unit": "percent",
          "baseline_value": "33.5", "baseline_period": "2004-05"},
         {"indicator_id": "7.21", "theme": "safer", "polarity": "lower",
          "accumulation": "cumulative"}],
        [{"indicator_id": "2.1", "period": "2006-07", "target_value": "40"},
         {"indicator_id": "7.21", "period": "2006-07", "target_value": "472"}])


def _rows(value_period: str = "2006-07 Q3"):
    return make_rows([
        {"indicator_id": "2.1", "period": value_period, "value": 39.36},
        {"indicator_id": "7.21", "period": "2006-07 Q2", "value": 250.0}])


def _assess(period: str, basis: str | None = None, value_period: str = "2006-07 Q3"):
    rules = Rules() if basis is None else Rules(snapshot_in_year_basis=basis)
    out = assess_indicators(_register(), _rows(value_period), period, rules)
    return out.set_index("indicator_id")


def test_the_default_is_the_profiled_trajectory_so_the_seeds_tables_stay():
    assert Rules().snapshot_in_year_basis == "trajectory"
    row = _assess("2006-07 Q3").loc["2.1"]
    assert row["expected_value"] == pytest.approx(39.1875)
    assert row["computed_rag"] == "G"
    assert row["rating_basis"] == "trajectory at 2006-07 Q3: 39.19%"


def test_against_the_annual_target_2_1_at_q3_is_amber_as_seed_002_has_it():
    row = _assess("2006-07 Q3", "annual_target").loc["2.1"]
    assert row["computed_rag"] == "A"
    assert row["rating_basis"] == "annual target 40%"
    assert row["rag_reason"] == "1.6% off annual target (amber up to 10%)"


def test_the_setting_applies_to_an_in_year_value_at_the_year_end_too():
    # the year-end assessment uses 2.1's Q3 value: the basis follows the value's period
    assert _assess("2006-07 Q4").loc["2.1", "computed_rag"] == "G"
    row = _assess("2006-07 Q4", "annual_target").loc["2.1"]
    assert (row["computed_rag"], row["rating_basis"]) == ("A", "annual target 40%")


def test_a_year_end_value_is_measured_against_the_target_whatever_the_setting():
    for basis in ("trajectory", "annual_target"):
        row = _assess("2006-07 Q4", basis, value_period="2006-07 Q4").loc["2.1"]
        assert (row["computed_rag"], row["rating_basis"]) == ("A", "target 40%")


def test_a_year_to_date_count_keeps_its_trajectory():
    # 7.21: 472 a year, 236 expected by Q2; a year-to-date count is never held to the
    # whole year's target before the year end
    row = _assess("2006-07 Q2", "annual_target").loc["7.21"]
    assert row["rating_basis"] == "trajectory at 2006-07 Q2: 236"
    assert row["computed_rag"] == "A"  # (250 - 236) / 236 = 5.9% off


def test_no_value_no_basis():
    out = assess_indicators(_register(), _rows().iloc[[1]], "2006-07 Q3", Rules())
    assert out.set_index("indicator_id").loc["2.1", "rating_basis"] == ""


def test_the_setting_is_read_from_a_rules_file_and_a_wrong_value_refused(tmp_path):
    good = tmp_path / "register" / "rules.toml"
    good.parent.mkdir()
    good.write_text('[rag]\nsnapshot_in_year_basis = "annual_target"\n', encoding="utf-8")
    assert load_rules(good).snapshot_in_year_basis == "annual_target"
    good.write_text('[rag]\nsnapshot_in_year_basis = "target"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(good)
    assert err.value.exit_code == 2
    assert ('register/rules.toml [rag] snapshot_in_year_basis = "target": should be one of '
            '"trajectory", "annual_target"') in str(err.value)


def test_the_rules_table_documents_the_setting():
    line = next(x for x in rules_table_markdown().splitlines() if "snapshot_in_year_basis" in x)
    assert '| choice | one of "trajectory", "annual_target" | `"trajectory"` |' in line


def test_the_block_table_prints_an_in_year_basis_beside_the_computed_rating():
    rows = _assess("2006-07 Q4", "annual_target").reset_index()
    rows = rows.assign(period="2006-07 Q4")
    theme = pd.Series({"theme": "health", "block": 4, "appendix_name": "Health"})
    html = render_block_table(theme, rows[rows["indicator_id"] == "2.1"])
    assert "annual target 40%" in html
    year_end = _assess("2006-07 Q4", value_period="2006-07 Q4").reset_index()
    html = render_block_table(theme, year_end[year_end["indicator_id"] == "2.1"])
    assert "target 40%" not in html  # at the year end the column heading says it


def test_the_figures_beside_the_rating_follow_the_basis():
    # the risk lists, the headline's "far off" count and the performance statement read
    # expected_value and off_trajectory_pct: they must measure what the rating measured
    row = _assess("2006-07 Q3", "annual_target").loc["2.1"]
    assert row["expected_value"] == 40.0
    assert row["off_trajectory_pct"] == pytest.approx(1.6)
    assert row["trajectory_period"] == "2006-07 Q3"
    default = _assess("2006-07 Q3").loc["2.1"]
    assert default["off_trajectory_pct"] == pytest.approx((39.1875 - 39.36) / 39.1875 * 100)


def test_the_risk_list_prints_an_in_year_basis_beside_the_computed_rating():
    from pipeline.assess.statements import add_statements
    from pipeline.assess.tables import list_risks
    from pipeline.report.sections import render_assessed_risk_list

    rows = _assess("2006-07 Q4", "annual_target").reset_index()
    rows = add_statements(rows.assign(final_rag=rows["computed_rag"], reward=False), Rules())
    items = list_risks(rows.assign(final_rag="R"))["red_non_reward"]
    html = render_assessed_risk_list("Red", items)
    assert "computed rating: Amber (vs annual target 40%)" in html
    assert "(vs trajectory at 2006-07 Q2: 236)" in html


def test_a_statement_measured_against_the_annual_target_says_target():
    """In-year, with the annual target as the basis (the trajectory point is the target):
    2.1's 39.36% against 40% is 1.6% off target, not "off trajectory"."""
    from pipeline.assess.statements import compose_statement
    from pipeline.rules_schema import Rules

    said = compose_statement(40, 39.36, 33.5, "higher", Rules(), "percent", "snapshot",
                             expected=40, trajectory_period="2006-07 Q3")
    assert said.endswith("remains 1.6% off target.") and "trajectory" not in said
    profiled = compose_statement(40, 39.0, 33.5, "higher", Rules(), "percent", "snapshot",
                                 expected=39.19, trajectory_period="2006-07 Q3")
    assert "off trajectory" in profiled
