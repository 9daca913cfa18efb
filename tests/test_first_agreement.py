"""The first agreement's reward inside the second (issue 21.4): the register setting that
names the first agreement's data folder, its files as the run's inputs, and the words."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from pipeline.assess.first_agreement import (
    describe_forecast_basis,
    describe_performance_grant,
    latest_period,
)
from pipeline.config import find_project_root
from pipeline.errors import RegisterError
from pipeline.inputs.performance_grant import (
    PerformanceGrant,
    first_agreement_files,
    first_agreement_folder,
    read_performance_grant,
)
from pipeline.run.manifest import changed_files, hash_inputs, hash_tree
from tests.conftest import LAA1_STAMP, LAA2_STAMP, laa2_args, project_env
from tests.in_process import laa_here

ROOT = find_project_root()


def _folders(tmp_path, setting: str = 'first_agreement = "../first"\n'):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first / "register", first / "returns", first / "national",
                   second / "register", second / "returns"):
        folder.mkdir(parents=True)
    (first / "register" / "indicators.csv").write_text("indicator_id\n1\n", encoding="utf-8")
    (first / "register" / "covering_report.toml").write_text("", encoding="utf-8")
    (first / "returns" / "a.csv").write_text("x\n", encoding="utf-8")
    (first / "national" / "n.csv").write_text("x\n", encoding="utf-8")
    (second / "register" / "indicators.csv").write_text("indicator_id\n2\n", encoding="utf-8")
    (second / "register" / "performance_grant.toml").write_text(setting, encoding="utf-8")
    return first, second


def test_the_demo_setting_names_the_first_demo_read_only():
    setting = read_performance_grant(ROOT / "data" / "raw" / "laa2" / "register")
    assert setting == PerformanceGrant("../", 5_000_000.0, "2010-11",
                                       "performance across all targets", True)
    assert first_agreement_folder(ROOT / "data" / "raw" / "laa2") == (ROOT / "data" / "raw")
    assert read_performance_grant(ROOT / "data" / "raw" / "register") is None
    assert first_agreement_folder(ROOT / "data" / "raw") is None


@pytest.mark.parametrize(("setting", "message"), [
    ('first_agreement = "../nowhere"\n', r"first_agreement '\.\./nowhere': no such folder"),
    ('first_agreement = "../first/national"\n', r"is not a data folder: it has no "
                                               r"register/indicators.csv"),
    ('first_agreement = "."\n', r"is this data folder itself"),
])
def test_a_named_folder_that_is_not_a_first_agreement_is_refused(tmp_path, setting, message):
    _, second = _folders(tmp_path, setting)
    with pytest.raises(RegisterError, match=message):
        first_agreement_folder(second)


@pytest.mark.parametrize(("setting", "message"), [
    ('first = "../first"\n', r"unknown key 'first'"),
    ('grant_gbp = "lots"\n', r"grant_gbp 'lots' is not an amount"),
    ('grant_gbp = -5\n', r"grant_gbp '-5' is not an amount"),
    ('illustrative = "perhaps"\n', r"illustrative 'perhaps' is not yes or no"),
    ('grant_gbp = \n', r"not valid TOML"),
])
def test_a_bad_setting_is_refused_naming_file_and_key(tmp_path, setting, message):
    _, second = _folders(tmp_path, setting)
    with pytest.raises(RegisterError, match=message + r".*file performance_grant.toml"):
        read_performance_grant(second / "register")


def test_the_first_agreements_register_and_returns_are_the_runs_inputs(tmp_path):
    first, second = _folders(tmp_path)
    assert [p.relative_to(first).as_posix() for p in first_agreement_files(second)] == [
        "register/covering_report.toml", "register/indicators.csv", "returns/a.csv"]
    recorded = hash_inputs(second)
    # its own files, then the first's register and returns (not its national data, nor
    # the officer's words for the covering report, which no run reads)
    assert [e["path"] for e in recorded] == [
        "register/indicators.csv", "register/performance_grant.toml",
        "../first/register/indicators.csv", "../first/returns/a.csv"]
    assert [e["path"] for e in hash_tree(second)] == [
        "register/indicators.csv", "register/performance_grant.toml"]
    (first / "returns" / "a.csv").write_text("y\n", encoding="utf-8")
    (first / "returns" / "b.csv").write_text("z\n", encoding="utf-8")
    assert changed_files(recorded, second, hash_inputs) == [
        "../first/returns/a.csv", "../first/returns/b.csv (new)"]


def test_latest_period_of_the_first_agreements_returns_up_to_the_seconds():
    periods = pd.Series(["2006-07 Q2", "2006-07 Q4", "2009-10 Q1", None, "rubbish"])
    assert latest_period(periods, "2008-09 Q3") == "2006-07 Q4"
    assert latest_period(periods, "2006-07 Q3") == "2006-07 Q2"
    assert latest_period(periods, "2005-06 Q4") is None


def _forecast(periods: list[str], finals: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"row_type": ["target"] * len(periods) + ["overall total"],
                         "indicator_id": [f"9.{n}" for n in range(len(periods))] + [""],
                         "value": [float("nan") if p.endswith("-") else 1.0 for p in periods]
                         + [float("nan")],
                         "value_period": [p.rstrip("-") for p in periods] + [""],
                         "final_year": finals + [None]})


def test_the_forecast_says_what_it_is_from():
    assert describe_forecast_basis(_forecast(["2007-08 Q4", "2007-08 Q4"],
                                             ["2008-09", "2008-09"])) == (
        "Forecast for 2008-09 from the 2007-08 outturn, each value carried on along its line "
        "from the baseline.")
    # a period with no value ("2007-08 Q2-": the assessed period of an indicator that had
    # none) counts as no value
    assert describe_forecast_basis(_forecast(["2007-08 Q2", "2006-07 Q4", "", "2007-08 Q2-"],
                                             ["2008-09"] * 4)) == (
        "Forecast for 2008-09 from the 2007-08 Q2 values, each value carried on along its "
        "line from the baseline (9.1 from its 2006-07 Q4 value; no value for 9.2, 9.3: "
        "nothing forecast).")


def test_the_second_agreements_own_grant_in_words():
    assessed = pd.DataFrame({"final_rag": ["G", "G", "A", "N", "T"]})
    setting = PerformanceGrant("", 1_250_000.0, "2010-11", "performance across all targets",
                               True)
    assert describe_performance_grant(setting, assessed, "2008-09 Q3") == (
        "Illustrative: This agreement has no reward targets of its own; a performance grant "
        "of up to £1,250,000 is paid at the end of 2010-11, based on performance across all "
        "targets. Now, 2 of the 3 targets rated are green at 2008-09 Q3.")
    plain = PerformanceGrant("", None, "", "performance across all targets", False)
    assert describe_performance_grant(plain, assessed, "2008-09 Q3").startswith(
        "This agreement has no reward targets of its own; a performance grant is paid, based")
    assert describe_performance_grant(None, assessed, "2008-09 Q3") == ""


def test_a_run_naming_a_missing_first_agreement_is_refused_before_anything_is_built(
        tmp_path):
    data = tmp_path / "laa2"
    shutil.copytree(ROOT / "data" / "raw" / "laa2", data)
    (data / "register" / "performance_grant.toml").write_text(
        'first_agreement = "../laa1"\n', encoding="utf-8")
    proc = laa_here("run", "--data-dir", str(data), "--period", "2008-09 Q3", "--meeting",
                    "2009-03-09", "--clean-dir", str(tmp_path / "clean"), "--reports-dir",
                    str(tmp_path / "reports"), cwd=ROOT)
    assert proc.returncode == 3, proc.stderr
    assert "first_agreement '../laa1': no such folder" in proc.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.html"))


def test_the_documented_keys_are_the_keys_read():
    from pipeline.inputs.performance_grant import KEYS
    from pipeline.inputs.register_files import PERFORMANCE_GRANT
    assert PERFORMANCE_GRANT.names == list(KEYS)


# --- themed runs of both demos (slow): the first agreement's reward is all of it, and says so

ALL_THEMES = ("It covers every reward target of the first agreement, whatever the themes "
              "shown: the first agreement's themes are not this agreement's.")


def _themed_laa2(laa2_run, out: Path) -> Path:
    """LAA2 for its Health and Wellbeing theme, on a copy of the project the session ran the
    demo in (conftest): the stages a theme does not touch are reused."""
    project, env = project_env(laa2_run, out / "project")
    proc = laa_here("run", *laa2_args(project), "--theme", "health", "--generated-at",
                    LAA2_STAMP, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "[5/6] appendix done in" in proc.stdout, proc.stdout
    return project / "reports" / "laa2" / "2009-03-09"


def _themed_laa1(laa1_project, out: Path) -> Path:
    """LAA1 for its Safer theme, HTML only (its pages are read), on a copy of the project the
    session ran the demo in (conftest): the stages a theme does not touch are reused."""
    project, env = project_env(laa1_project, out / "project")
    proc = laa_here("run", "--theme", "safer", "--formats", "html", "--generated-at",
                    LAA1_STAMP, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "[5/6] appendix done in" in proc.stdout, proc.stdout
    return project / "reports" / "2007-09-03"


@pytest.fixture(scope="module")
def themed(tmp_path_factory, laa1_project, laa2_run):
    """LAA2 for its Health and Wellbeing theme, LAA1 for its Safer theme."""
    return {"laa2": _themed_laa2(laa2_run, tmp_path_factory.mktemp("laa2-health")),
            "laa1": _themed_laa1(laa1_project, tmp_path_factory.mktemp("laa1-safer"))}


def _page(folder: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((folder / name).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.slow
def test_a_themed_second_agreement_shows_the_whole_first_agreements_reward_and_says_so(
        themed):
    folder = themed["laa2"]
    appendix = _page(folder, "appendix-health.html")
    table = appendix.select_one("table.first-agreement")
    labels = [th.get_text(" ", strip=True).split(" - ")[0] for th in table.select("tbody th")
              if th.get("scope") == "row"]
    # all 12 of LAA1's reward targets (seed 001 para 28), not only those about health:
    # RT6 is LAA1's Safer Communities target
    assert len([label for label in labels if label.startswith("RT")]) == 12 and "RT6" in labels
    assert table.caption.get_text(strip=True).endswith("final-year forecast, every theme")
    said = table.find_previous("p", class_="reward-count").get_text(" ", strip=True)
    assert said.startswith("Local Area Agreement 2006-09: 12 reward targets (32 sub-targets), "
                           "a maximum grant of £15,241,800.00;") and said.endswith(ALL_THEMES)
    messages = [p.get_text(" ", strip=True)
                for p in _page(folder, "summary-health.html").select("p.key-message")]
    assert messages == ["Reward of the first agreement, " + said]   # the appendix's words
    pdf = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(folder / "summary-health.pdf").pages))
    assert ALL_THEMES in pdf
    with (folder / "tables-health" / "14-first-agreement-reward.csv").open(
            encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Row"] == "target"]
    assert len(rows) == 12
    metadata = (folder / "tables-health" / "14-first-agreement-reward.csv-metadata.json")
    assert ALL_THEMES in json.loads(metadata.read_text(encoding="utf-8"))["dc:description"]


@pytest.mark.slow
def test_a_themed_first_agreement_has_no_first_agreements_reward_to_show(themed):
    folder = themed["laa1"]
    assert _page(folder, "appendix-safer.html").select_one("table.first-agreement") is None
    messages = [p.get_text(" ", strip=True)
                for p in _page(folder, "summary-safer.html").select("p.key-message")]
    # go_issues.csv by hand: of the 11 issues, 7.1 and 7.4 are Safer's, both remaining;
    # the 8 resolved ones name no indicator
    assert messages == ["Government Office, on the indicators shown: 2 issues raised, "
                        "0 resolved, 2 remaining."]
