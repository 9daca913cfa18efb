"""Issue 21.3: reward targets and their sub-targets. The register says which reward target
each reward indicator belongs to (``indicators.csv``'s ``reward_target``, names in
``reward_targets.csv``); the pipeline counts and words them as the seeds do ("each of the
12 reward targets", seed 001 para 28; "Reward Target 6 for Safer Communities covers
indicators 7.18 to 7.22", seed 002) and totals the grant per reward target."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.assess.forecast import tabulate_grant_forecast
from pipeline.assess.reward_targets import (
    describe_at_risk,
    describe_not_on_track,
    describe_reward_targets,
    tabulate_reward_targets,
)
from pipeline.config import find_project_root
from pipeline.errors import RegisterError
from pipeline.inputs.register import load_register
from pipeline.rules_schema import Rules

ROOT = find_project_root()
DEMO = ROOT / "data" / "raw" / "register"
THEMES = pd.DataFrame({"theme": ["health", "safer"],
                       "appendix_name": ["Healthier Communities", "Safer Communities"],
                       "block": [4, 7]})


def _write(folder, indicators: str, reward_targets: str | None = None):
    register = folder / "register"
    register.mkdir(parents=True, exist_ok=True)
    (register / "indicators.csv").write_text(indicators, encoding="utf-8")
    (register / "targets.csv").write_text("indicator_id,period,target_value\n"
                                          "7.18,2006-07,1\n", encoding="utf-8")
    if reward_targets is not None:
        (register / "reward_targets.csv").write_text(reward_targets, encoding="utf-8")
    return register


HEADER = "indicator_id,title,theme,polarity,unit,reward,reward_grant_gbp,reward_target\n"
ROWS = ("7.16,Cohort 1,Safer,lower,count,yes,381045,RT6\n"
        "7.18,Theft of Motor Vehicles,Safer,lower,count,yes,101612,RT6\n"
        "7.12,Domestic violence,Safer,higher,count,yes,508060,\n"
        "7.1,Comparator crime,Safer,lower,count,no,,\n")


# --- the register ---

def test_demo_register_groups_the_32_sub_targets_into_12_reward_targets():
    ind = load_register(DEMO).indicators
    reward = ind[ind["reward"]]
    assert len(reward) == 32
    assert reward["reward_target"].nunique() == 12
    # Seed 002: "Reward Target 6 for Safer Communities covers indicators 7.18 to 7.22"; its
    # "first part ... involves targeted work with two specific PPO cohorts" (7.16, 7.17).
    rt6 = reward[reward["reward_target"] == "RT6"]
    assert rt6["indicator_id"].tolist() == ["7.16", "7.17", "7.18", "7.19", "7.20", "7.21",
                                            "7.22"]
    # Hand-computed from the register's grants (Appendix 2): 2 x 381,045 + 5 x 101,612.
    assert rt6["reward_grant_gbp"].sum() == 381045 * 2 + 101612 * 5 == 1270150
    # Appendix 2's overall £15,241,800 is 12 reward targets of £1,270,150 each: every
    # grouping of the demo adds up to that.
    per_target = reward.groupby("reward_target")["reward_grant_gbp"].sum()
    assert per_target.round(2).eq(1270150).all()
    assert (ind.loc[~ind["reward"], "reward_target"] == "").all()


def test_without_the_column_each_reward_indicator_is_a_reward_target_of_its_own(tmp_path):
    register = _write(tmp_path, HEADER.replace(",reward_target", "")
                      + "".join(line.rsplit(",", 1)[0] + "\n" for line in ROWS.splitlines()))
    ind = load_register(register).indicators.set_index("indicator_id")
    assert ind.loc["7.18", "reward_target"] == "7.18"
    assert ind.loc["7.1", "reward_target"] == ""
    assert (ind["condition_status"] == "").all()


def test_reward_targets_file_names_them(tmp_path):
    register = _write(tmp_path, HEADER + ROWS,
                      "reward_target,name\nRT6,Prolific and priority offenders\n")
    ind = load_register(register).indicators.set_index("indicator_id")
    assert ind.loc["7.16", "reward_target_name"] == "Prolific and priority offenders"
    assert ind.loc["7.12", "reward_target"] == "7.12"     # blank: a reward target alone
    assert ind.loc["7.12", "reward_target_name"] == ""


def test_a_sub_target_condition_in_any_case_replaces_its_reward_targets(tmp_path):
    register = _write(tmp_path, HEADER + ROWS,
                      "reward_target,name,condition,condition_status,condition_note\n"
                      "RT6,PPO crime,Home Office confirms the cohorts,Not  Yet Known,\n"
                      "7.18,,Police database restored,NOT MET,Crashed in 2006\n")
    ind = load_register(register).indicators.set_index("indicator_id")
    assert ind.loc["7.16", ["condition_status", "condition"]].tolist() == [
        "not yet known", "Home Office confirms the cohorts"]
    assert ind.loc["7.18", ["condition_status", "condition_note"]].tolist() == [
        "not met", "Crashed in 2006"]
    assert ind.loc["7.18", "reward_target_name"] == "PPO crime"
    assert ind.loc["7.12", "condition_status"] == ""


@pytest.mark.parametrize(("rows", "reward_targets", "message"), [
    (ROWS.replace("7.1,Comparator crime,Safer,lower,count,no,,",
                  "7.1,Comparator crime,Safer,lower,count,no,,RT6"), None,
     r"reward_target 'RT6' given but reward is not yes.*indicators.csv, row 5, "
     r"column reward_target"),
    (ROWS.replace("7.18,Theft of Motor Vehicles,Safer", "7.18,Theft of Motor Vehicles,Health"),
     None, r"reward target 'RT6' spans two themes.*indicators.csv, row 3, column "
     r"reward_target"),
    (ROWS, "reward_target,name\nRT7,Nothing\n",
     r"reward_target 'RT7' is neither a reward target.*reward_targets.csv, row 2, "
     r"column reward_target"),
    (ROWS, "reward_target,name\nRT6,A\nRT6,B\n",
     r"reward_target 'RT6' given twice.*reward_targets.csv, row 3, column reward_target"),
    (ROWS, "reward_target,condition,condition_status\nRT6,PCT target,failed\n",
     r"condition_status 'failed' is not one of met, not met, not yet known.*"
     r"reward_targets.csv, row 2, column condition_status"),
    (ROWS, "reward_target,condition,condition_status\nRT6,PCT target,\n",
     r"condition_status is blank.*expected met, not met or not yet known.*row 2"),
    (ROWS, "reward_target,condition,condition_status\nRT6,,met\n",
     r"condition is blank but condition_status is 'met'.*row 2, column condition"),
    (ROWS, "reward_target,name\n7.18,Theft\n",
     r"name is for a reward target: 7.18 is a sub-target of RT6.*row 2, column name"),
])
def test_bad_reward_targets_name_file_row_and_column(tmp_path, rows, reward_targets, message):
    register = _write(tmp_path, HEADER + rows, reward_targets)
    with pytest.raises(RegisterError, match=message) as caught:
        load_register(register)
    assert caught.value.exit_code == 3


# --- counting, wording and the per-reward-target totals ---

def _assessed() -> pd.DataFrame:
    base = {"reward": True, "title": "T", "unit": "count", "polarity": "lower",
            "value_period": "2006-07 Q4", "theme": "safer", "condition": "",
            "condition_status": "", "condition_note": "", "reward_target_name": ""}
    rows = [
        {"indicator_id": "7.18", "final_rag": "A", "value": 1151.0, "reward_target": "RT6",
         "reward_target_name": "Prolific and priority offenders",
         "expected_without_stretch": 1250.0, "expected_value": 1090.0,
         "reward_grant_gbp": 101612.0},
        {"indicator_id": "7.19", "final_rag": "G", "value": 1000.0, "reward_target": "RT6",
         "reward_target_name": "Prolific and priority offenders",
         "expected_without_stretch": 1250.0, "expected_value": 1090.0,
         "reward_grant_gbp": 101612.0},
        {"indicator_id": "7.12", "final_rag": "G", "value": 30.0, "reward_target": "7.12",
         "polarity": "higher", "expected_without_stretch": 10.0, "expected_value": 20.0,
         "reward_grant_gbp": 1000.0},
        {"indicator_id": "4.1", "final_rag": "G", "value": 30.0, "reward_target": "4.1",
         "theme": "health", "polarity": "higher", "expected_without_stretch": 10.0,
         "expected_value": 20.0, "reward_grant_gbp": 500.0},
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def test_grant_totalled_per_reward_target_beside_the_theme():
    forecast = tabulate_grant_forecast(_assessed(), THEMES, Rules())
    table = tabulate_reward_targets(forecast)
    assert table["row_type"].tolist() == ["target", "target", "target", "overall total"]
    rows = table.set_index("reward_target")
    rt6 = rows.loc["RT6"]
    assert rt6["theme"] == "Safer Communities"
    assert rt6["label"] == "RT6 - Prolific and priority offenders"
    assert rt6["sub_targets"] == "7.18, 7.19" and rt6["sub_target_count"] == 2
    # 101,612 x 2 = 203,224; 7.18 pays 61.875% (£62,872.43), 7.19 beyond its stretch pays
    # all: 164,484.43; at risk by the seed's rule 7.18's whole grant (amber).
    assert (rt6["grant_gbp"], rt6["forecast_gbp"], rt6["at_risk_seed_gbp"],
            rt6["at_risk_forecast_gbp"]) == (203224.0, 164484.43, 101612.0, 38739.57)
    assert rt6["at_risk_sub_targets"] == 1
    assert rows.loc["7.12", "label"] == "7.12 - T"        # a reward target of one indicator
    assert rows.index.tolist()[:3] == ["4.1", "RT6", "7.12"]   # block order, then register
    overall = table.iloc[-1]
    assert (overall["grant_gbp"], overall["sub_target_count"]) == (204724.0, 4)


def test_counted_and_worded_as_the_seeds_do():
    forecast = tabulate_grant_forecast(_assessed(), THEMES, Rules())
    assert describe_reward_targets(forecast) == "3 reward targets (4 sub-targets)"
    assert describe_at_risk(forecast) == "1 of the 3 reward targets has a sub-target at risk"
    alone = _assessed().assign(reward_target=lambda f: f["indicator_id"])
    forecast = tabulate_grant_forecast(alone, THEMES, Rules())
    assert describe_reward_targets(forecast) == "4 reward targets"
    assert describe_at_risk(forecast) == "1 of the 4 reward targets is at risk"


def test_not_on_track_counts_sub_targets_within_reward_targets():
    rows = pd.DataFrame({"row_type": ["target"] * 3 + ["theme total"],
                         "indicator_id": ["7.18", "7.19", "4.1", ""],
                         "reward_target": ["RT6", "RT6", "4.1", ""]})
    assert describe_not_on_track(rows) == ("3 reward sub-targets not on track (in 2 reward "
                                           "targets)")
    assert describe_not_on_track(rows.drop(columns="reward_target")) == (
        "3 reward targets not on track")
    assert describe_not_on_track(rows[rows["indicator_id"] == "4.1"]) == (
        "1 reward target not on track")


def test_demo_counts_12_reward_targets_and_32_sub_targets():
    from pipeline.assess.reward_targets import with_reward_targets

    ind = load_register(DEMO).indicators
    reward = with_reward_targets(ind[ind["reward"]]).assign(row_type="target")
    assert describe_reward_targets(reward) == "12 reward targets (32 sub-targets)"


# --- the appendix, its tables and the board summary ---

def test_appendix_table_per_reward_target_escapes_the_names():
    from pipeline.report.reward_sections import render_reward_targets

    assessed = _assessed()
    assessed.loc[assessed["reward_target"] == "RT6", "reward_target_name"] = "PPO <b>crime</b>"
    forecast = tabulate_grant_forecast(assessed, THEMES, Rules())
    html = render_reward_targets(tabulate_reward_targets(forecast), forecast)
    assert ("3 reward targets (4 sub-targets): 1 of the 3 reward targets has a sub-target "
            "at risk.") in html
    assert "RT6 - PPO &lt;b&gt;crime&lt;/b&gt;" in html and "<b>crime" not in html
    rt6 = re.search(r"RT6 - .*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', rt6) == [
        "2", "1", "£203,224.00", "£164,484.43", "£101,612.00", "£38,739.57"]
    assert '<tr class="overall-total"><th scope="row" colspan="2">Overall Total' in html


def test_exported_sheet_per_reward_target():
    from pipeline.report.reward_sheets import reward_targets_table

    forecast = tabulate_grant_forecast(_assessed(), THEMES, Rules())
    sheet = reward_targets_table(tabulate_reward_targets(forecast))
    assert sheet.kinds["Reward target"] == "partner"          # the register's words
    assert sheet.frame["Sub-targets"].tolist() == ["4.1", "7.18, 7.19", "7.12", ""]
    assert sheet.frame["Maximum grant (£)"].tolist() == [500.0, 203224.0, 1000.0, 204724.0]


@pytest.mark.slow
def test_demo_appendix_counts_and_totals_per_reward_target(appendix_demo):
    built = appendix_demo
    html = (built["report"] / "appendix.html").read_text(encoding="utf-8")
    assert ("12 reward targets (32 sub-targets): 7 of the 12 reward targets have a "
            "sub-target at risk.") in html
    assert "17 reward sub-targets not on track (in 7 reward targets)" in html
    tables = built["report"] / "tables"
    # Seed 002, 3.4: 4.2.4's grant "will not now be paid" (its condition was not met). The
    # gap analysis forecast it payable in full with "no gap"; now nothing is payable.
    gaps = pd.read_csv(next(tables.glob("*-reward-gap-analysis.csv")), encoding="utf-8-sig",
                       keep_default_na=False)
    row = gaps[gaps["Reward target"] == "4.2.4 - Smoke Free Adults"].iloc[0]
    assert row["Closes the gap"] == "condition not met"
    assert (row["Payable at forecast (£)"], row["At stake (£)"]) == (0.0, 635075.0)
    name = next(p for p in tables.glob("*-reward-targets.csv"))
    csv = pd.read_csv(name, encoding="utf-8-sig", keep_default_na=False)
    rt6 = csv[csv["Reward target"].str.startswith("RT6 - ")].iloc[0]
    # Reward Target 6: 7.16 to 7.22, 2 x 381,045 + 5 x 101,612 = 1,270,150 (seed 002,
    # Appendix 2); at risk under the seed's rule: 7.18 to 7.22, 5 x 101,612 = 508,060.
    assert rt6["Sub-targets"] == "7.16, 7.17, 7.18, 7.19, 7.20, 7.21, 7.22"
    seed_rule = "At risk, whole grant of amber or red (£)"
    assert (rt6["Maximum grant (£)"], rt6[seed_rule]) == (1270150.0, 508060.0)
    overall = csv[csv["Row"] == "overall total"].iloc[0]
    assert (overall["Maximum grant (£)"], overall[seed_rule]) == (15241800.0, 6223735.0)
    assert (csv["Row"] == "target").sum() == 12
