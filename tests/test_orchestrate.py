"""The run's steps: which stages run together, and who wrote what."""

from __future__ import annotations

import threading
import time

import pytest

from pipeline.run import steps
from pipeline.run.plan import STAGES, VALIDATE_STAGES, steps_of


def test_the_run_is_four_steps_two_of_them_two_stages_at_once():
    assert [[stage for stage, _ in step] for step in steps_of(STAGES)] == [
        ["ingest"], ["validate", "benchmark"], ["assess"], ["appendix", "tables"]]
    validate = tuple(s for s in STAGES if s[0] in VALIDATE_STAGES)
    assert [[stage for stage, _ in step] for step in steps_of(validate)] == [
        ["ingest"], ["validate", "benchmark"]]
    # a stage that runs beside another never joins a step that already has two
    pairs = (("a", "a.ipynb"), ("benchmark", "b.ipynb"), ("tables", "c.ipynb"))
    assert [len(step) for step in steps_of(pairs)] == [2, 1]


def test_what_a_step_wrote_goes_to_the_stage_that_wrote_it():
    step = [("validate", "02_validate.ipynb"), ("benchmark", "02_benchmark.ipynb")]
    writer = steps._writer
    assert writer(step, "clean", "national.parquet") == "benchmark"
    assert writer(step, "clean", "benchmark_ranks.parquet") == "benchmark"
    assert writer(step, "report", "notebooks/02_benchmark.ipynb") == "benchmark"
    assert writer(step, "clean", "returns.parquet") == "validate"
    assert writer(step, "report", "data-quality/report.html") == "validate"
    assert writer(step, "report", "notebooks/02_validate.ipynb") == "validate"
    step = [("appendix", "04_appendix.ipynb"), ("tables", "04_tables.ipynb")]
    assert writer(step, "report", "tables/appendix-tables.xlsx") == "tables"
    assert writer(step, "report", "districts/melton/tables/01-x.csv") == "tables"
    assert writer(step, "report", "districts/melton/district-pack.pdf") == "appendix"


def test_a_failing_stage_lets_the_other_finish_then_its_error_is_raised(monkeypatch):
    finished = []

    def run_one(staged, stage, notebook, kernels):
        if stage == "benchmark":
            raise RuntimeError("benchmark broke")
        time.sleep(0.2)                     # still running when the other has failed
        finished.append(stage)
        return "2007-06-30T12:00:00", "2007-06-30T12:00:01", 0.2

    monkeypatch.setattr(steps, "_run_one", run_one)
    with pytest.raises(RuntimeError, match="benchmark broke"):
        steps._run_together(dict.fromkeys(("validate", "benchmark")),
                                  [("validate", "v"), ("benchmark", "b")], None)
    assert finished == ["validate"]


def test_two_stages_run_at_the_same_time(monkeypatch):
    inside, most = [], []
    lock = threading.Lock()

    def run_one(staged, stage, notebook, kernels):
        with lock:
            inside.append(stage)
            most.append(len(inside))
        time.sleep(0.2)
        with lock:
            inside.remove(stage)
        return "2007-06-30T12:00:00", "2007-06-30T12:00:01", 0.2

    monkeypatch.setattr(steps, "_run_one", run_one)
    ran = steps._run_together(dict.fromkeys(("appendix", "tables")),
                                    [("appendix", "a"), ("tables", "t")], None)
    assert set(ran) == {"appendix", "tables"} and max(most) == 2
