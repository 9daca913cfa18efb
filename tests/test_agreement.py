"""LAA2 additions (issue 12): summary by kind, MAA indicators, placeholder counting, the
directory's gaps, outcomes without a target, delivery plans; and the register's new files
and columns with their clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess import agreement
from pipeline.errors import RegisterError
from pipeline.inputs.register import load_register


def _assessed(rows: list[dict]) -> pd.DataFrame:
    defaults = {"title": "x", "theme": "t", "theme_name": "Theme", "kind": "", "maa": "",
                "lead_org": "Council", "unit": "count", "value": 1.0, "value_period": "",
                "target_value": 2.0, "target_status": "agreed", "computed_rag": "G",
                "final_rag": "G"}
    return pd.DataFrame([{**defaults, **r} for r in rows])


def test_summary_by_kind_counts_final_rag_per_kind_with_totals():
    assessed = _assessed([
        {"indicator_id": "NI 1", "kind": "designated", "final_rag": "G"},
        {"indicator_id": "NI 2", "kind": "designated", "final_rag": "T"},
        {"indicator_id": "NI 73", "kind": "statutory", "final_rag": "R"},
        {"indicator_id": "L 1", "kind": "local", "final_rag": "N"}])
    summary = agreement.summarise_by_kind(assessed)
    assert summary.index.tolist() == ["Designated", "Statutory", "Local", "Totals"]
    assert summary.sum(axis=1).tolist() == [2, 1, 1, 4]
    assert summary.loc["Totals", "Target not agreed"] == 1
    assert summary.loc["Statutory", "Red"] == 1


def test_summary_by_kind_is_none_without_kinds_and_names_the_unclassified():
    assert agreement.summarise_by_kind(_assessed([{"indicator_id": "7.20"}])) is None
    both = agreement.summarise_by_kind(_assessed([{"indicator_id": "NI 1", "kind": "local"},
                                                  {"indicator_id": "7.2"}]))
    assert both.index.tolist() == ["Local", agreement.UNCLASSIFIED, "Totals"]


def test_maa_indicators_are_those_shared_in_natural_order():
    assessed = _assessed([{"indicator_id": "NI 172", "maa": "Leicester"},
                          {"indicator_id": "NI 16"},
                          {"indicator_id": "NI 152", "maa": "Leicester"}])
    assert agreement.list_maa_indicators(assessed)["indicator_id"].tolist() == ["NI 152",
                                                                                "NI 172"]
    assert agreement.list_maa_indicators(_assessed([{"indicator_id": "1"}])) is None


def _targets(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "period", "target_value",
                                       "target_status", "due_to_be_agreed"])


def test_placeholders_are_counted_per_indicator_with_the_earliest_due_date():
    assessed = _assessed([{"indicator_id": "NI 10", "final_rag": "T"},
                          {"indicator_id": "NI 2", "final_rag": "N"},
                          {"indicator_id": "NI 3", "final_rag": "G"},
                          {"indicator_id": "NI 4", "final_rag": "A"}])
    targets = _targets([
        ("NI 10", "2009-10", None, "placeholder", "2009-06-30"),
        ("NI 10", "2008-09", None, "placeholder", "2009-03-31"),
        ("NI 2", "2008-09", None, "provisional", "2009-01-31"),
        ("NI 3", "2008-09", 5.0, "agreed", ""),
        ("NI 3", "2009-10", None, "placeholder", ""),
        ("NI 4", "2008-09", 5.0, "agreed", ""),
        ("NI 99", "2008-09", None, "placeholder", "2009-01-01")])   # not shown (filtered out)
    found = agreement.list_placeholders(assessed, targets, "2009-03-09")
    assert found["indicator_id"].tolist() == ["NI 2", "NI 3", "NI 10"]
    ten = found.set_index("indicator_id").loc["NI 10"]
    assert (ten["periods"], ten["due_to_be_agreed"], ten["overdue"]) == (
        "2008-09, 2009-10", "2009-03-31", False)
    assert found.set_index("indicator_id").loc["NI 2", "overdue"]
    assert found.set_index("indicator_id").loc["NI 3", "due_to_be_agreed"] == ""
    # counted apart from the rated: T or N now; NI 3 is rated (only a later year unagreed)
    assert found["final_rag"].tolist() == ["N", "G", "T"]


def test_no_placeholder_no_section():
    assessed = _assessed([{"indicator_id": "1"}])
    assert agreement.list_placeholders(assessed, _targets([("1", "2008-09", 1.0, "agreed",
                                                            "")]), "2009-03-09") is None


DIRECTORY = pd.DataFrame({
    "outcome_id": ["1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "1.10"],
    "outcome": ["A", "A one", "A two", "B", "B one", "C"],
    "lead_partnership": ["P", "P", "P", "P", "", "P"],
    "board_champion": ["Ch", "", "Ch", "Ch", "Ch", "Ch"],
    "executive_officer": ["E", "E", "E", "E", "E", ""],
    "outcome_lead": ["L", "", "L", "L", "L", "L"],
    "parent_outcome": ["", "1.1", "1.1", "", "1.2", ""]})


def test_directory_gaps_name_the_blank_roles_in_natural_order():
    gaps = agreement.list_directory_gaps(DIRECTORY)
    assert gaps["outcome_id"].tolist() == ["1.1.1", "1.2.1", "1.10"]
    assert gaps["missing"].tolist() == ["board champion, outcome lead", "lead partnership",
                                        "executive officer"]
    assert gaps["level"].tolist() == ["sub-outcome", "sub-outcome", "outcome"]
    assert agreement.list_directory_gaps(None) is None
    full = DIRECTORY.assign(lead_partnership="P", board_champion="C", executive_officer="E",
                            outcome_lead="L")
    assert agreement.list_directory_gaps(full) is None


def test_outcomes_without_target_count_a_sub_outcomes_target_for_its_outcome():
    indicators = pd.DataFrame({"indicator_id": ["NI 1", "NI 2"],
                               "outcome_id": ["1.2.1", "9.9"]})
    missing = agreement.list_outcomes_without_target(DIRECTORY, indicators)
    assert missing["outcome_id"].tolist() == ["1.1", "1.10"]
    assert missing["sub_outcomes"].tolist() == [2, 0]
    assert agreement.count_outcomes(DIRECTORY) == {"outcomes": 3, "sub_outcomes": 3, "all": 6}
    every = pd.DataFrame({"indicator_id": ["a", "b", "c"], "outcome_id": ["1.1", "1.2", "1.10"]})
    assert agreement.list_outcomes_without_target(DIRECTORY, every) is None


def test_delivery_plans_stage_and_counts_a_target_with_no_row_as_outstanding():
    assessed = _assessed([{"indicator_id": i} for i in ("NI 1", "NI 2", "NI 3", "NI 4", "NI 5")])
    plans = pd.DataFrame({
        "indicator_id": ["NI 1", "NI 2", "NI 3", "NI 4"],
        "received": ["2008-09-01", "2008-09-01", "2008-09-01", ""],
        "challenge_reviewed": ["", "2008-11-12", "2008-11-12", ""],
        "revised": ["", "", "2009-01-10", ""], "due": ["", "", "", "2009-04-30"],
        "note": ["", "", "", "MAA timescale"]})
    table = agreement.tabulate_delivery_plans(plans, assessed)
    assert table["stage"].tolist() == ["received", "reviewed", "revised", "outstanding",
                                       "outstanding"]
    assert table["note"].iloc[4] == "no row in delivery_plans.csv"
    assert agreement.count_plan_stages(table) == {"targets": 5, "received": 3, "reviewed": 2,
                                                  "revised": 1, "outstanding": 2}
    assert agreement.tabulate_delivery_plans(None, assessed) is None


# --- the register's LAA2 columns and files: clear errors for bad values ---

INDICATORS = ("indicator_id,title,theme,polarity,unit,outcome_id,kind,maa\n"
              "NI 152,,Economy,,,5.1,designated,Leicester\n"
              "L 1,Employment land,Economy,higher,count,5.4,local,Leicester\n")
TARGETS = ("indicator_id,period,target_value,target_status,due_to_be_agreed\n"
           "NI 152,2008-09,,placeholder,2009-04-30\nL 1,2008-09,100,agreed,\n")
OUTCOMES = ("outcome_id,outcome,lead_partnership,board_champion,executive_officer,"
            "outcome_lead,parent_outcome\n5.1,Work,P,C,E,L,\n5.4,Land,P,C,E,,\n"
            "5.4.1,Land strand,P,C,E,L,5.4\n")
PLANS = ("indicator_id,received,challenge_reviewed,revised,due,note\n"
         "NI 152,,,,2009-04-30,MAA timescale\nL 1,2008-09-01,2008-11-12,,,\n")


def _write(tmp_path: Path, **changes: str) -> Path:
    folder = tmp_path / "register"
    folder.mkdir(exist_ok=True)
    files = {"indicators.csv": INDICATORS, "targets.csv": TARGETS, "directory.csv": OUTCOMES,
             "delivery_plans.csv": PLANS}
    files.update({k.replace("_csv", ".csv"): v for k, v in changes.items()})
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_laa2_register_reads_kinds_maa_due_dates_outcomes_and_plans(tmp_path):
    reg = load_register(_write(tmp_path))
    assert reg.indicators["indicator_id"].tolist() == ["L 1", "NI 152"]  # natural order
    assert reg.indicators["kind"].tolist() == ["local", "designated"]
    assert reg.indicators["maa"].tolist() == ["Leicester", "Leicester"]
    assert reg.targets["due_to_be_agreed"].tolist() == ["2009-04-30", ""]
    assert reg.directory["parent_outcome"].tolist() == ["", "", "5.4"]
    assert reg.delivery_plans["received"].tolist() == ["", "2008-09-01"]
    assert reg.warnings == ()


@pytest.mark.parametrize(("changes", "message"), [
    ({"indicators_csv": INDICATORS.replace("designated", "national")},
     r"kind 'national' is not one of designated, statutory, local \(or blank\).*"
     r"indicators.csv, row 2, column kind"),
    ({"targets_csv": TARGETS.replace("2009-04-30", "30/04/2009")},
     r"due_to_be_agreed '30/04/2009' is not a date \(YYYY-MM-DD\).*targets.csv, row 2"),
    ({"directory_csv": OUTCOMES.replace("5.4.1,Land strand,P,C,E,L,5.4",
                                        "5.4.1,Land strand,P,C,E,L,5.9")},
     r"parent_outcome '5.9' is not an outcome_id of the file.*directory.csv, row 4"),
    ({"directory_csv": OUTCOMES + "5.4.1.1,Deeper,P,C,E,L,5.4.1\n"},
     r"parent_outcome '5.4.1' is itself a sub-outcome.*row 5"),
    ({"directory_csv": OUTCOMES + "5.1,Again,P,C,E,L,\n"}, r"duplicate outcome id '5.1'"),
    ({"delivery_plans_csv": PLANS + "NI 8,2008-09-01,,,,\n"},
     r"delivery plan for unknown indicator 'NI 8'.*delivery_plans.csv, row 4"),
    ({"delivery_plans_csv": PLANS + "L 1,2008-09-01,,,,\n"}, r"two delivery plans for L 1"),
    ({"delivery_plans_csv": PLANS.replace("NI 152,,,,", "NI 152,,2008-11-12,,")},
     r"challenge_reviewed 2008-11-12 but the plan was not received.*row 2"),
    ({"delivery_plans_csv": PLANS.replace("2008-09-01,2008-11-12", "2008-12-01,2008-11-12")},
     r"challenge_reviewed 2008-11-12 but the plan was received only on 2008-12-01"),
    ({"delivery_plans_csv": PLANS.replace("2008-09-01", "1 Sept 2008")},
     r"received '1 Sept 2008' is not a date"),
])
def test_bad_laa2_values_stop_with_file_row_and_column(tmp_path, changes, message):
    with pytest.raises(RegisterError, match=message):
        load_register(_write(tmp_path, **changes))


def test_an_indicator_naming_an_outcome_the_directory_lacks_is_a_warning(tmp_path):
    reg = load_register(_write(tmp_path, indicators_csv=INDICATORS.replace(",5.4,", ",6.1,")))
    assert reg.warnings == ("indicator L 1 names outcome '6.1', which directory.csv does not "
                            "list (file indicators.csv, column outcome_id)",)


def test_the_first_demos_register_has_none_of_the_laa2_parts_but_its_placeholders():
    from pipeline.config import find_project_root
    reg = load_register(find_project_root() / "data" / "raw" / "register")
    assert agreement.summarise_by_kind(reg.indicators) is None
    assert agreement.list_maa_indicators(reg.indicators) is None
    assert agreement.list_directory_gaps(reg.directory) is None
    assert agreement.list_outcomes_without_target(reg.directory, reg.indicators) is None
    assert reg.delivery_plans is None
    assert agreement.count_outcomes(reg.directory) == {"outcomes": 37, "sub_outcomes": 0,
                                                       "all": 37}
