"""The rules' schema: every setting is checked (type, range, relations) before a stage runs.

Issue 20 item 5: a partnership's ``register/rules.toml`` was taken whatever it said (NaN or
negative thresholds, no at-risk rating, the grant floor above the cap, 400 decimal places,
a negative file size). Each bad value is now refused (exit 2) naming the file, the section,
the key and what is allowed.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import find_project_root
from pipeline.errors import ConfigError
from pipeline.rules import load_rules
from pipeline.rules_schema import Rules

ROOT = find_project_root()


def _rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register" / "rules.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BAD = [
    # thresholds NaN, infinite or negative
    ("[rag]\ngreen_max_off_pct = nan\n", "[rag] green_max_off_pct = nan: should be a number, "
     "0 or more"),
    ("[rag]\ngreen_max_off_pct = -5\n", "[rag] green_max_off_pct = -5: should be a number"),
    ("[rag]\namber_max_off_pct = inf\n", "[rag] amber_max_off_pct = inf: should be"),
    ("[rag]\namber_max_off_pct = -1.5\n", "[rag] amber_max_off_pct = -1.5: should be"),
    ("[headline]\nred_far_off_pct = -inf\n", "[headline] red_far_off_pct = -inf: should be"),
    ("[rag]\nno_change_max_pct = nan\n", "[rag] no_change_max_pct = nan: should be"),
    # relations: green <= amber <= red_far, floor <= cap; the later file's key is named
    ("[rag]\ngreen_max_off_pct = 12\n", "[rag] green_max_off_pct = 12: must be at most "
     "amber_max_off_pct (10)"),
    ("[rag]\namber_max_off_pct = 25\n", "[rag] amber_max_off_pct = 25: must be at most "
     "red_far_off_pct (20)"),
    ("[headline]\nred_far_off_pct = 5\n", "[headline] red_far_off_pct = 5: must be at least "
     "amber_max_off_pct (10)"),
    ("[reward]\ngrant_cap_pct = 50\n", "[reward] grant_cap_pct = 50: must be at least "
     "grant_floor_pct (60)"),
    ("[reward]\ngrant_floor_pct = 90\ngrant_cap_pct = 80\n",
     "[reward] grant_cap_pct = 80: must be at least grant_floor_pct (90)"),
    # the grant's floor and cap are shares of 100
    ("[reward]\ngrant_floor_pct = 120\n", "[reward] grant_floor_pct = 120: should be a "
     "number from 0 to 100; at most grant_cap_pct"),
    ("[reward]\ngrant_cap_pct = 0\n", "[reward] grant_cap_pct = 0: should be a number above "
     "0, up to 100"),
    ("[reward]\ngrant_floor_pct = -10\n", "[reward] grant_floor_pct = -10: should be"),
    # at-risk ratings naming no rating, or not a rating code
    ("[reward]\nat_risk_ratings = []\n", "[reward] at_risk_ratings = []: should be a list of "
     "one or more of \"G\" (Green), \"A\" (Amber), \"R\" (Red)"),
    ("[reward]\nat_risk_ratings = [\"Amber\", \"R\"]\n", "[reward] at_risk_ratings = "
     "[\"Amber\", \"R\"]: should be a list of one or more of"),
    ("[reward]\nat_risk_ratings = \"A\"\n", "[reward] at_risk_ratings = \"A\": should be"),
    # decimal places, counts
    ("[headline]\nstatement_off_places = 400\n", "[headline] statement_off_places = 400: "
     "should be a whole number from 0 to 6"),
    ("[headline]\nstatement_change_places = -1\n", "statement_change_places = -1: should be"),
    ("[headline]\nstatement_change_places = 1.5\n", "statement_change_places = 1.5: should "
     "be a whole number"),
    ("[rag]\nlead_gap_max_steps = -1\n", "[rag] lead_gap_max_steps = -1: should be a whole "
     "number, 0 or more"),
    ("[quality]\nsoft_range_min_history = 0\n", "[quality] soft_range_min_history = 0: "
     "should be a whole number, 1 or more"),
    # file size
    ("[quality]\nmax_file_mb = -1\n", "[quality] max_file_mb = -1: should be a number above"),
    ("[quality]\nmax_file_mb = 0\n", "[quality] max_file_mb = 0: should be a number above 0"),
    ("[quality]\nmax_file_mb = inf\n", "[quality] max_file_mb = inf: should be"),
    ("[quality]\nmax_file_mb = 1e303\n", "[quality] max_file_mb = 1e+303: should be a number "
     "above 0, up to 1000000"),  # in bytes, infinite: int() overflowed at ingest
    # other ranges and types
    ("[finance]\nunderspend_max_pct = 101\n", "[finance] underspend_max_pct = 101: should be "
     "a number from 0 to 100"),
    ("[quality]\ndistrict_sum_tolerance_pct = -5\n", "district_sum_tolerance_pct = -5"),
    ("[quality]\nplausible_change_points = true\n", "plausible_change_points = true: should "
     "be a number"),
    ("[benchmark]\ntarget_needs_interval = 1\n", "[benchmark] target_needs_interval = 1: "
     "should be true or false"),
    ("[benchmark]\ntarget_needs_interval = \"yes\"\n", "target_needs_interval = \"yes\""),
    ("[quality]\ndeclared_extra_columns = \"notes\"\n", "[quality] declared_extra_columns = "
     "\"notes\": should be a list of column names"),
    ("[quality]\ndeclared_extra_columns = [\"notes\", 3]\n", "declared_extra_columns = "
     "[\"notes\", 3]"),
    # unknown sections and keys, keys in the wrong section
    ("[ragg]\ngreen_max_off_pct = 1\n", "[ragg]: unknown section; known: rag, headline, "
     "reward, quality, finance, benchmark"),
    ("[rag]\nbogus = 1\n", "[rag] bogus: unknown rule; [rag] takes green_max_off_pct, "
     "amber_max_off_pct"),
    ("[rag]\ngrant_floor_pct = 50\n", "[rag] grant_floor_pct: belongs in [reward], not [rag]"),
    ("[quality]\nby_unit = {}\n", "[quality] by_unit: belongs in [rag], not [quality]"),
    ("grant_floor_pct = 50\n", "grant_floor_pct: belongs in [reward]"),
    ("rag = 5\n", "rag = 5: [rag] should be a table of rules"),
    # the tolerance tables: known units and thresholds, each checked, green <= amber applied
    ("[rag.by_unit]\npercentage = { amber_max_off_pct = 5 }\n", "[rag.by_unit] percentage: "
     "not a unit; units are count, percent, rate, score, gbp"),
    ("[rag.by_unit]\ncount = 5\n", "[rag.by_unit] count = 5: should be a table"),
    ("[rag.by_unit]\ncount = { amber_max = 5 }\n", "[rag.by_unit] count: unknown threshold "
     "amber_max; known: green_max_off_pct, amber_max_off_pct"),
    ("[rag.by_unit]\ncount = { amber_max_off_pct = nan }\n", "[rag.by_unit] "
     "count.amber_max_off_pct = nan: should be a number, 0 or more"),
    ("[rag.by_indicator]\n\"7.21\" = { green_max_off_pct = -2 }\n", "[rag.by_indicator] "
     "\"7.21\".green_max_off_pct = -2: should be a number, 0 or more"),
    ("[rag.by_indicator]\n\"7.21\" = { amber_max_off_pct = \"ten\" }\n",
     "\"7.21\".amber_max_off_pct = \"ten\": should be a number"),
    ("[rag.by_indicator]\n\"7.21\" = { green_max_off_pct = 15 }\n", "[rag.by_indicator] "
     "\"7.21\": amber_max_off_pct 10 would be below green_max_off_pct 15 over the defaults"),
    ("[rag.by_unit]\npercent = { green_max_off_pct = 20, amber_max_off_pct = 5 }\n",
     "[rag.by_unit] percent: amber_max_off_pct 5 would be below green_max_off_pct 20"),
    ("[rag.by_unit]\ncount = { green_max_off_pct = 8 }\n"
     "[rag.by_indicator]\n\"7.21\" = { amber_max_off_pct = 5 }\n",
     "[rag.by_indicator] \"7.21\": amber_max_off_pct 5 would be below green_max_off_pct 8 "
     "over [rag.by_unit] count's"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_setting_is_refused_naming_file_section_and_key(tmp_path, text, message):
    path = _rules_file(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    said = str(info.value)
    assert said.startswith("register/rules.toml ")
    assert message in said
    assert str(path) in said and info.value.exit_code == 2


GOOD = [
    ("[reward]\ngrant_floor_pct = 80\ngrant_cap_pct = 80\n",
     {"grant_floor_pct": 80, "grant_cap_pct": 80}),
    ("[reward]\ngrant_floor_pct = 0\ngrant_cap_pct = 100\n", {"grant_floor_pct": 0}),
    ("[reward]\ngrant_floor_pct = 100\n", {"grant_floor_pct": 100}),
    ("[rag]\ngreen_max_off_pct = 10\namber_max_off_pct = 10\n",
     {"green_max_off_pct": 10, "amber_max_off_pct": 10}),
    ("[rag]\ngreen_max_off_pct = 0\namber_max_off_pct = 0\nno_change_max_pct = 0\n"
     "lead_gap_max_steps = 0\n[headline]\nred_far_off_pct = 0\n",
     {"amber_max_off_pct": 0, "red_far_off_pct": 0, "lead_gap_max_steps": 0}),
    ("[rag]\namber_max_off_pct = 20\n", {"amber_max_off_pct": 20, "red_far_off_pct": 20}),
    ("[headline]\nstatement_change_places = 0\nstatement_off_places = 0\n",
     {"statement_change_places": 0, "statement_off_places": 0}),
    ("[headline]\nstatement_off_places = 6\n", {"statement_off_places": 6}),
    ("[headline]\nstatement_off_places = 2.0\n", {"statement_off_places": 2}),
    ("[reward]\nat_risk_ratings = [\"R\"]\n", {"at_risk_ratings": ("R",)}),
    ("[reward]\nat_risk_ratings = [\"A\", \"R\", \"N\"]\n",
     {"at_risk_ratings": ("A", "R", "N")}),
    ("[quality]\nmax_file_mb = 1000000\n", {"max_file_mb": 1000000}),
    ("[quality]\nmax_file_mb = 0.001\nsoft_range_min_history = 1\n"
     "declared_extra_columns = [\"notes\"]\n",
     {"max_file_mb": 0.001, "soft_range_min_history": 1, "declared_extra_columns": ("notes",)}),
    ("[finance]\nunderspend_max_pct = 0\n", {"underspend_max_pct": 0}),
    ("[finance]\nunderspend_max_pct = 100\n", {"underspend_max_pct": 100}),
    ("[benchmark]\ntarget_needs_interval = true\n", {"target_needs_interval": True}),
    ("[rag.by_unit]\npercent = { green_max_off_pct = 0, amber_max_off_pct = 5 }\n"
     "gbp = { green_max_off_pct = 0, amber_max_off_pct = 0 }\n"
     "[rag.by_indicator]\n\"7.21\" = { green_max_off_pct = 0 }\n"
     "\"2.1\" = { green_max_off_pct = 5, amber_max_off_pct = 5 }\n",
     {"by_unit": {"percent": {"green_max_off_pct": 0, "amber_max_off_pct": 5},
                  "gbp": {"green_max_off_pct": 0, "amber_max_off_pct": 0}}}),
    ("[rag.by_unit]\ncount = { green_max_off_pct = 8 }\n"
     "[rag.by_indicator]\n\"7.21\" = { green_max_off_pct = 1, amber_max_off_pct = 5 }\n",
     {"by_indicator": {"7.21": {"green_max_off_pct": 1, "amber_max_off_pct": 5}}}),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good_settings_at_their_boundaries_are_taken(tmp_path, text, expected):
    rules = load_rules(_rules_file(tmp_path, text))
    assert {key: getattr(rules, key) for key in expected} == expected


def test_the_default_rules_file_is_the_schemas_defaults():
    assert load_rules() == Rules()


def test_rules_stay_a_frozen_hashable_picklable_value():
    rules = load_rules()
    with pytest.raises(ValueError, match="frozen"):
        rules.green_max_off_pct = 5.0  # type: ignore[misc]
    assert hash(rules) == hash(Rules()) and len({rules, Rules()}) == 1
    assert pickle.loads(pickle.dumps(rules)) == rules
    assert Rules(grant_floor_pct=50.0) != rules
    one = Rules(by_unit={"count": {"amber_max_off_pct": 5.0}, "gbp": {}})
    other = Rules(by_unit={"gbp": {}, "count": {"amber_max_off_pct": 5.0}})
    assert one == other and hash(one) == hash(other)  # equal values hash alike


def test_rules_built_in_code_are_checked_too():
    with pytest.raises(ValueError, match="statement_off_places"):
        Rules(statement_off_places=400)
    with pytest.raises(ValueError, match="grant_floor_pct must not be above grant_cap_pct"):
        Rules(grant_floor_pct=90.0, grant_cap_pct=80.0)


def _readme_table() -> str:
    text = (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    start, end = "<!-- rules-table:start -->\n", "<!-- rules-table:end -->"
    assert text.count(start) == 1 and text.count(end) == 1
    return text.split(start, 1)[1].split(end, 1)[0]


def test_the_docs_rules_table_is_the_generated_one():
    from pipeline.rules_text import rules_table_markdown

    table = rules_table_markdown()
    assert _readme_table() == table
    assert len(table.splitlines()) == 2 + len(Rules.model_fields)
    assert "| `[reward]` | `grant_floor_pct` | number | a number from 0 to 100; at most " \
        "grant_cap_pct | `60` |" in table


def test_python_m_pipeline_rules_prints_the_table():
    from pipeline.rules_text import rules_table_markdown

    done = subprocess.run([sys.executable, "-m", "pipeline.rules"], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    assert done.stdout == rules_table_markdown()


@pytest.mark.parametrize("command", ["run", "validate", "status", "templates"])
def test_a_run_with_a_bad_rules_file_exits_2_and_writes_nothing(tmp_path, capsys, command):
    data, clean, reports = tmp_path / "data", tmp_path / "clean", tmp_path / "reports"
    shutil.copytree(ROOT / "data" / "raw", data)
    (data / "register" / "rules.toml").write_text(
        "[reward]\ngrant_floor_pct = 120\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main([command, "--data-dir", str(data), "--clean-dir", str(clean),
                 "--reports-dir", str(reports)]) == 2
    err = capsys.readouterr().err
    assert "register/rules.toml [reward] grant_floor_pct = 120: should be a number from 0 " \
        "to 100" in err
    assert "Traceback" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
