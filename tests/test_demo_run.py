"""End-to-end: ``laa run`` on the shipped demo reproduces the seed's tables (golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import find_project_root
from tests.conftest import hashes
from tests.csvw_checks import csvw_problems

ROOT = find_project_root()
GOLDEN = Path(__file__).parent / "golden"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(laa1_run, laa1_project):
    """The demo run as the README does (with the Melton pack), once per session (conftest):
    in a copy of ``laa1_project``, the demo run plainly from nothing (``plain_stdout``)."""
    return {"clean": laa1_run["clean"], "stdout": laa1_run["stdout"], "raw": laa1_run["raw"],
            "raw_before": laa1_run["raw_before"], "report": laa1_run["report"],
            "plain_stdout": laa1_project["stdout"]}


def _frame(demo, name: str) -> pd.DataFrame:
    return pd.read_parquet(demo["clean"] / f"{name}.parquet")


def test_progress_is_shown_per_stage(demo):
    for stage in ("ingest", "validate", "assess", "appendix"):
        assert f"{stage} done in" in demo["plain_stdout"]   # a run from nothing
    # the pack added to that run: the stages it does not touch said reused, the others made
    for number, stage in enumerate(("ingest", "validate", "benchmark", "assess"), 1):
        assert f"[{number}/6] {stage} unchanged: reused" in demo["stdout"], demo["stdout"]
    for number, stage in ((5, "appendix"), (6, "tables")):
        assert f"[{number}/6] {stage} done in" in demo["stdout"], demo["stdout"]


def test_risk_summary_equals_the_seed_cell_for_cell(demo):
    from pipeline.assess.tables import format_risk_summary

    expected = pd.read_csv(GOLDEN / "risk_summary_2006-07_Q4.csv", dtype=str).set_index("Theme")
    shown = format_risk_summary(_frame(demo, "risk_summary"))
    pd.testing.assert_frame_equal(shown, expected, check_names=False)


def test_reward_grant_totals_equal_the_seed(demo):
    expected = pd.read_csv(GOLDEN / "reward_grant_totals_2006-07_Q4.csv",
                           keep_default_na=False, dtype={"grant_gbp": float,
                                                         "at_risk_gbp": float})
    table = _frame(demo, "reward_grant")
    totals = table[table["row_type"] != "target"][expected.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(totals, expected)


@pytest.mark.parametrize(("indicator", "target", "actual", "quoted"), [
    ("7.20", 2470, 3202, 29.6),   # the seed says "30% off target"
    ("7.21", 472, 690, 46.2),
    ("7.22", 236, 291, 23.3),
])
def test_seed_off_target_figures_come_from_stored_values(demo, indicator, target, actual, quoted):
    row = _frame(demo, "assessment").set_index("indicator_id").loc[indicator]
    assert (row["target_value"], row["value"]) == (target, actual)
    assert round(row["off_target_pct"], 1) == quoted
    assert row["final_rag"] == "R"


def test_latest_in_year_value_is_used_where_q4_is_missing(demo):
    row = _frame(demo, "assessment").set_index("indicator_id").loc["2.1"]
    assert row["value_period"] == "2006-07 Q3"
    assert row["value"] == pytest.approx(39.36)


def test_resubmission_supersedes_but_both_are_kept(demo):
    returns = _frame(demo, "returns")
    superseded = returns[~returns["in_force"]]
    assert len(superseded) >= 1
    winners = returns.set_index("record_id").loc[superseded["superseded_by"]]
    assert winners["in_force"].all()
    assert (winners["submitted_at"].to_numpy() > superseded["submitted_at"].to_numpy()).all()


def test_headline_sentence_is_computed(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    assert ("63.6% of the indicators are on track to meet target figures, 23.2% amber and "
            "13.1% red.") in html
    assert "X%" not in html


def test_appendix_shows_no_code_and_keeps_executed_notebooks(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    assert "63 (63.6%)" in html and "£6,223,735.00" in html and "£15,241,800.00" in html
    assert "import " not in html and "store.read_frame" not in html
    assert "<script" not in html.lower()
    executed = sorted(p.name for p in (demo["report"] / "notebooks").glob("*.ipynb"))
    assert executed == ["01_ingest.ipynb", "02_benchmark.ipynb", "02_validate.ipynb",
                        "03_assess.ipynb", "04_appendix.ipynb", "04_tables.ipynb"]


def test_demo_quality_stage_passes_and_raw_files_are_unchanged(demo):
    assert _frame(demo, "quarantine").empty
    # the project's data/raw the run read (a copy of the shipped one) is as shipped
    assert hashes(demo["raw"]) == demo["raw_before"]


def test_demo_produces_the_melton_district_pack(demo):
    pack = demo["report"] / "districts" / "melton"
    html = (pack / "district-pack.html").read_text(encoding="utf-8")
    assert "Melton" in html and (pack / "district-pack.pdf").stat().st_size > 0
    values = _frame(demo, "district_values")
    melton = values[values["district"] == "Melton"]
    assert melton["indicator_id"].nunique() == 20          # the demo's district indicators
    first = melton.sort_values("indicator_id").iloc[0]
    assert f">{first['value']:,.0f}<" in html.replace(" ", "")  # its value, beside the county
    assert (demo["report"] / "appendix.pdf").read_bytes().startswith(b"%PDF")
    assert any((demo["report"] / "tables").glob("*.xlsx"))


def test_notebooks_run_standalone_publish_the_same_appendix_as_the_cli(demo, tmp_path):
    """An analyst running the six notebooks with papermill (or in JupyterLab), one after
    another, gets the very files `laa run` publishes: the appendix notebook renders what it
    displayed itself, and its tables notebook writes the same workbook."""
    import papermill

    reports = tmp_path / "reports"
    parameters = {"period": "2006-07 Q4", "meeting": "2007-09-03", "previous_period": "",
                  "data_dir": "", "clean_dir": str(tmp_path / "clean"),
                  "reports_dir": str(reports), "generated_at": "2007-06-30T12:00:00"}
    for notebook in ("01_ingest", "02_validate", "02_benchmark", "03_assess", "04_appendix",
                     "04_tables"):
        extra = {"theme": "", "district": "Melton"} if notebook.startswith("04") else {}
        if notebook == "04_appendix":
            extra["formats"] = "html,pdf"
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{notebook}.ipynb"), str(tmp_path / f"{notebook}.ipynb"),
            parameters={**parameters, **extra}, kernel_name="python3", progress_bar=False,
            log_output=False, execution_timeout=600, cwd=str(tmp_path))
    documents = ["appendix.html", "appendix.pdf", "summary.html", "summary.pdf",
                 "districts/melton/district-pack.html", "districts/melton/district-pack.pdf",
                 "tables/01-indicator-risk-summary.csv"]
    standalone = hashes(reports / "2007-09-03")
    published = hashes(demo["report"])
    assert {d: standalone.get(d) for d in documents} == {d: published[d] for d in documents}


def test_every_csv_has_valid_csvw_metadata_and_parses_at_its_datatypes(demo):
    csvs = sorted(demo["report"].rglob("*.csv"))
    assert len(csvs) >= 40    # tables, benchmarking, data quality, the district pack
    assert {"tables/19-benchmarking.csv", "districts/melton/tables/01-melton-values.csv",
            "data-quality/validation-results.csv"} <= {
        p.relative_to(demo["report"]).as_posix() for p in csvs}
    assert csvw_problems(demo["report"]) == {}


def test_confidence_limits_are_written_at_the_stated_six_decimals(demo):
    table = demo["report"] / "tables" / "19-benchmarking.csv"
    meta = json.loads((table.parent / (table.name + "-metadata.json")).read_text())
    limit = next(c for c in meta["tableSchema"]["columns"] if c["titles"] == "Lower 95% limit")
    assert limit["datatype"] == {"base": "decimal", "format": "#0.0#####"}
    assert "6 decimal places" in limit["dc:description"]
    limits = pd.read_csv(table, dtype=str)["Lower 95% limit"].dropna()
    assert len(limits) > 0
    assert max(len(v.partition(".")[2]) for v in limits) == 6
