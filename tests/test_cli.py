"""The ``laa`` CLI: distinct exit codes and one clear line per failure, on any data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import laa

MINI = Path(__file__).parent / "data" / "mini"


def test_bad_period_exits_2_with_one_line(capsys):
    assert main(["run", "--period", "2006-08"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["laa run failed: period '2006-08': the second year should be 07"]


def test_bad_meeting_and_missing_register(capsys, tmp_path):
    assert main(["run", "--meeting", "3 Sept"]) == 2
    assert main(["run", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "meeting '3 Sept' is not a date" in err
    assert f"data folder has no register/ subfolder (folder {tmp_path})" in err


@pytest.mark.slow
def test_other_partnership_runs_through_the_same_command(tmp_path):
    proc = laa("run", "--data-dir", str(MINI), "--clean-dir", str(tmp_path / "clean"),
               "--reports-dir", str(tmp_path / "reports"), "--meeting", "2007-07-01",
               "--period", "2006-07 Q4")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "reports" / "2007-07-01" / "appendix.html").read_text(encoding="utf-8")
    assert "Mini Partnership" in html
    # partner text is escaped, never run
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Burglary up" in html
    assert "<script>alert" not in html
    summary = pd.read_parquet(tmp_path / "clean" / "risk_summary.parquet")
    assert summary.loc["Totals"].tolist() == [1, 1, 1, 1]


@pytest.mark.slow
def test_failing_stage_exits_non_zero_naming_what_and_where(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    indicators = data / "register" / "indicators.csv"
    indicators.write_text(indicators.read_text().replace("Vehicle crime,safer",
                                                         "Vehicle crime,greener"))
    proc = laa("run", "--data-dir", str(data), "--clean-dir", str(tmp_path / "clean"),
               "--reports-dir", str(tmp_path / "reports"), "--period", "2006-07 Q4",
               "--meeting", "2007-07-01")
    assert proc.returncode == 3
    # the register is checked before any stage runs, so no stage is named and none ran
    assert proc.stderr.strip().splitlines()[-1] == (
        "laa run failed: unknown theme 'greener'; known: health, safer "
        "(file indicators.csv, row 5, column theme)")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "clean").exists() and not (tmp_path / "reports").exists()


def test_previous_period_defaults_to_the_last_review_and_can_be_given(capsys):
    from pipeline.config import load_settings

    assert load_settings().previous_period == "2006-07 Q2"  # year end: six-monthly review
    assert load_settings(period="2007-08 Q1").previous_period == "2006-07 Q4"
    assert load_settings(period="2007-08").previous_period == "2006-07"
    assert load_settings(previous_period="2006-07 q3").previous_period == "2006-07 Q3"
    assert main(["run", "--previous-period", "last time"]) == 2
    assert "period 'last time' is not a financial year" in capsys.readouterr().err


def test_every_notebook_declares_every_parameter_the_run_injects():
    import ast

    import nbformat

    from pipeline.config import find_project_root, load_settings
    from pipeline.run.execute import notebook_parameters
    from pipeline.run.plan import STAGES

    settings = load_settings()
    assert "previous_period" in notebook_parameters(settings, "ingest")
    assert "district" not in notebook_parameters(settings, "assess")
    assert {"formats", "theme", "district"} <= set(notebook_parameters(settings, "appendix"))
    for stage, name in STAGES:
        injected = set(notebook_parameters(settings, stage))
        notebook = nbformat.read(find_project_root() / "notebooks" / name, as_version=4)
        cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
        declared = {t.id for node in ast.parse(cell.source).body
                    if isinstance(node, ast.Assign) for t in node.targets}
        assert injected <= declared, (name, injected - declared)


def test_rerun_without_a_manifest_and_trace_without_clean_data_say_so(capsys, tmp_path):
    assert main(["rerun", str(tmp_path / "manifest.json")]) == 2
    assert main(["trace", "7.20", "--clean-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"laa rerun failed: no manifest here (file {tmp_path / 'manifest.json'})",
                   "laa trace failed: no assessment in the clean folder: run `laa run` first "
                   f"(folder {tmp_path})"]


def test_unknown_format_is_a_configuration_error(capsys):
    assert main(["run", "--formats", "docx"]) == 2
    assert "output format(s) docx not known" in capsys.readouterr().err


def test_bad_options_fail_before_any_stage(capsys):
    assert main(["run", "--generated-at", "yesterday"]) == 2
    assert main(["run", "--district", "Nowhere"]) == 2
    assert main(["run", "--theme", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "generated-at 'yesterday' is not a date and time" in err
    assert "Nowhere" in err and "nonsense" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("text", "message"), [
    ("rag = 5\n", "[rag] should be a table of rules"),
    ("[rag]\namber_max_off_pct = \"ten\"\n", "amber_max_off_pct = \"ten\": should be a number"),
    ("[rag]\nlead_gap_max_steps = \"x\"\n", "[rag] lead_gap_max_steps = \"x\": should be a whole"),
    ("[rag]\nbogus = 1\n", "[rag] bogus: unknown rule"),
    ("[rag\n", "rules file is not valid TOML"),
])
def test_bad_rules_file_is_one_clear_error(tmp_path, capsys, text, message):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "register" / "rules.toml").write_text(text, encoding="utf-8")
    assert main(["validate", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert message in err and "rules.toml" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_period_outside_the_agreement_exits_2_and_nothing_runs(tmp_path, capsys, command):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    published = reports / "2007-07-01" / "appendix.html"
    published.parent.mkdir(parents=True)
    published.write_text("the last meeting's appendix", encoding="utf-8")
    assert main([command, "--data-dir", str(MINI), "--clean-dir", str(clean),
                 "--reports-dir", str(reports), "--meeting", "2007-07-01",
                 "--period", "2099-00 Q1"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"laa {command} failed: period 2099-00 Q1 is outside the agreement: targets and "
        "baselines cover 2005-06 to 2006-07"]
    assert captured.out == ""   # not even the run's first line: nothing started
    assert [p.name for p in reports.rglob("*")] == ["2007-07-01", "appendix.html"]
    assert published.read_text(encoding="utf-8") == "the last meeting's appendix"
    assert not clean.exists()


def test_register_warnings_are_printed_before_the_run(tmp_path, capsys):
    from tests.test_inputs_check import _warned_copy

    data = _warned_copy(tmp_path)
    assert main(["run", "--data-dir", str(data), "--period", "1999-00", "--meeting",
                 "2007-07-01"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "laa run: warning: unknown column 'note' ignored (file targets.csv, column note)",
        "laa run failed: period 1999-00 is outside the agreement: targets and baselines "
        "cover 2005-06 to 2006-07"]


def test_an_unknown_comparator_group_exits_2_naming_the_known_ones(capsys):
    assert main(["run", "--compare-with", "cipfa"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["laa run failed: unknown comparator group 'cipfa'; known: england, "
                   "region, type, neighbours, midlands_counties"]


def test_the_program_hides_what_it_loaded_from_the_collector_as_it_ends_a_call_does_not():
    """``laa`` as the program (no arguments given to main) freezes the garbage collector's
    objects as it ends, so Python's exit does not go through them all again; main called
    with arguments (as here, in the test's process) leaves the collector as it was."""
    import gc
    import subprocess
    import sys

    code = ("import gc, sys\nsys.argv = ['laa']\nfrom pipeline.cli import main\n"
            "main()\nprint(gc.get_freeze_count())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd="/", check=True)
    assert int(proc.stdout.strip().splitlines()[-1]) > 0
    before = gc.get_freeze_count()
    assert main([]) == 0
    assert gc.get_freeze_count() == before
