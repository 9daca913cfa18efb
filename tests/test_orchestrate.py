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


def _record_start_and_hashing(monkeypatch) -> list[str]:
    from pipeline.run import orchestrate

    events: list[str] = []

    class Kernels:
        def __init__(self, settings, stages, progress=None, check=None, steps=None):
            events.append("kernels started")
            self.stages = tuple(stages)

        def stop(self):
            events.append("kernels stopped")

    def fingerprint(*args):
        events.append("inputs hashed")
        raise RuntimeError("stop here")

    monkeypatch.setattr(orchestrate, "StageKernels", Kernels)
    monkeypatch.setattr(orchestrate, "fingerprint", fingerprint)
    return events


def test_a_run_that_runs_every_stage_starts_its_kernels_before_hashing(tmp_path, monkeypatch):
    """Forced, or with nothing published before, every stage runs: the kernels start
    first and start up while the inputs are hashed; stopped if anything fails after."""
    from pipeline.config import load_settings
    from pipeline.run.orchestrate import run_pipeline

    settings = load_settings(period="2006-07 Q4", meeting="2007-09-03",
                             clean_dir=str(tmp_path / "clean"),
                             reports_dir=str(tmp_path / "reports"))
    for force in (True, False):                     # nothing published yet
        events = _record_start_and_hashing(monkeypatch)
        with pytest.raises(RuntimeError, match="stop here"):
            run_pipeline(settings, force=force, progress=lambda line: None)
        assert events == ["kernels started", "inputs hashed", "kernels stopped"]
    published = settings.report_dir / "manifest.json"   # a run published: maybe up to date
    published.parent.mkdir(parents=True)
    published.write_text("{}", encoding="utf-8")
    events = _record_start_and_hashing(monkeypatch)
    with pytest.raises(RuntimeError, match="stop here"):
        run_pipeline(settings, progress=lambda line: None)
    assert events == ["inputs hashed"]


def test_a_run_after_validate_plans_before_starting_kernels(tmp_path, monkeypatch):
    """With only the meeting's ``laa validate`` published, a run may reuse its stages: it
    plans first (its kernels are for the stages it must run); a forced run need not."""
    from pipeline.config import load_settings
    from pipeline.run.orchestrate import run_pipeline

    settings = load_settings(period="2006-07 Q4", meeting="2007-09-03",
                             clean_dir=str(tmp_path / "clean"),
                             reports_dir=str(tmp_path / "reports"))
    validated = settings.report_dir / "validation" / "manifest.json"
    validated.parent.mkdir(parents=True)
    validated.write_text("{}", encoding="utf-8")
    for force, events_seen in ((False, ["inputs hashed"]),
                               (True, ["kernels started", "inputs hashed", "kernels stopped"])):
        events = _record_start_and_hashing(monkeypatch)
        with pytest.raises(RuntimeError, match="stop here"):
            run_pipeline(settings, force=force, progress=lambda line: None)
        assert events == events_seen


def test_validate_hashes_every_notebook_as_a_run_does(tmp_path, monkeypatch):
    """``laa validate`` runs three stages but fingerprints the code of all six notebooks,
    as ``laa run`` does: otherwise its stages' keys never equal a run's, and a run could
    never reuse them (pipeline/run/orchestrate.py)."""
    from pipeline.config import load_settings
    from pipeline.run import orchestrate
    from pipeline.run.plan import STAGES, VALIDATE_STAGES

    settings = load_settings(period="2006-07 Q4", meeting="2007-09-03",
                             clean_dir=str(tmp_path / "clean"),
                             reports_dir=str(tmp_path / "reports"))
    _record_start_and_hashing(monkeypatch)
    hashed = {}

    def fingerprint(data, suites, package, notebooks):
        hashed.setdefault("notebooks", []).append([n.name for n in notebooks])
        raise RuntimeError("stop here")

    monkeypatch.setattr(orchestrate, "fingerprint", fingerprint)
    validate = tuple(s for s in STAGES if s[0] in VALIDATE_STAGES)
    for command, stages in (("validate", validate), ("run", STAGES)):
        with pytest.raises(RuntimeError, match="stop here"):
            orchestrate.run_pipeline(settings, stages, command=command, force=True,
                                     progress=lambda line: None)
    assert hashed["notebooks"] == [[n for _, n in STAGES]] * 2


def _forced_plan(tmp_path):
    """A forced run's plan of the demo's stages, its folders under ``tmp_path``."""
    from pipeline.config import load_settings
    from pipeline.run.plan import Plan

    settings = load_settings(period="2006-07 Q4", meeting="2007-09-03",
                             clean_dir=str(tmp_path / "clean"),
                             reports_dir=str(tmp_path / "reports"))
    return Plan(settings, STAGES, {"code": {"notebooks": {n: "" for _, n in STAGES}}}, None,
                settings.report_dir, True)


def test_the_kernels_stop_while_the_build_is_published(tmp_path, monkeypatch):
    """Once every stage has ended, the kernels and the fork server are stopped in the
    background while the manifest is written and the build published; the run waits for
    them before it returns."""
    from pipeline.run import orchestrate

    plan = _forced_plan(tmp_path)
    stopping, stopped, seen = threading.Event(), threading.Event(), []

    class Kernels:
        def stop(self):
            if threading.current_thread() is not threading.main_thread():
                stopping.set()
                time.sleep(0.2)
                stopped.set()

    def execute_steps(plan, staged, progress, kernels):
        timings = [{"stage": stage, "started_at": "2007-06-30T12:00:00+00:00"}
                   for stage, _ in plan.stages]
        return steps.RunResult(), {s: {} for s, _ in plan.stages}, [], timings

    def publish(built, published):
        seen.append(stopping.wait(timeout=10))       # the kernels are stopping meanwhile

    monkeypatch.setattr(orchestrate, "execute_steps", execute_steps)
    monkeypatch.setattr(orchestrate, "build_manifest", lambda *args: {})
    monkeypatch.setattr(orchestrate, "git_state", lambda root: {})
    monkeypatch.setattr(orchestrate, "publish", publish)
    orchestrate._build(plan, "run", lambda line: None, None, Kernels())
    assert seen == [True] and stopped.is_set()    # stopped beside publishing, waited for


def test_the_checkouts_state_is_read_while_the_stages_run(tmp_path, monkeypatch):
    """git's two commands run beside the stages, not after the last one; the manifest
    records what they said."""
    from pipeline.run import orchestrate

    plan = _forced_plan(tmp_path)
    read, seen, recorded = threading.Event(), [], []

    class Kernels:
        def stop(self):
            pass

    def git_state(root):
        read.set()
        return {"git_commit": "abc", "git_dirty": False}

    def execute_steps(plan, staged, progress, kernels):
        seen.append(read.wait(timeout=10))          # read while the stages run
        timings = [{"stage": stage, "started_at": "2007-06-30T12:00:00+00:00"}
                   for stage, _ in plan.stages]
        return steps.RunResult(), {s: {} for s, _ in plan.stages}, [], timings

    def build_manifest(command, parameters, facts, code_state, *rest):
        recorded.append(dict(code_state))
        return {}

    monkeypatch.setattr(orchestrate, "execute_steps", execute_steps)
    monkeypatch.setattr(orchestrate, "build_manifest", build_manifest)
    monkeypatch.setattr(orchestrate, "git_state", git_state)
    monkeypatch.setattr(orchestrate, "publish", lambda built, published: None)
    orchestrate._build(plan, "run", lambda line: None, None, Kernels())
    assert seen == [True] and recorded == [{"git_commit": "abc", "git_dirty": False}]


def test_a_stage_that_ends_first_is_handed_on_while_the_other_still_runs(monkeypatch):
    """``ended`` is called in the thread of a stage that has run through (its outputs are
    normalised then), while the other stage of the step still runs; not for one that
    failed."""
    running, seen = {"appendix", "tables"}, []

    def run_one(staged, stage, notebook, kernels):
        time.sleep(0.05 if stage == "tables" else 0.5)
        if stage == "benchmark":
            raise RuntimeError("benchmark broke")
        running.discard(stage)
        return "2007-06-30T12:00:00", "2007-06-30T12:00:01", 0.2

    monkeypatch.setattr(steps, "_run_one", run_one)
    steps._run_together(dict.fromkeys(("appendix", "tables")),
                        [("appendix", "a"), ("tables", "t")], None,
                        lambda stage: seen.append((stage, sorted(running))))
    assert seen == [("tables", ["appendix"]), ("appendix", [])]
    seen.clear()
    with pytest.raises(RuntimeError, match="benchmark broke"):
        steps._run_together(dict.fromkeys(("validate", "benchmark")),
                            [("validate", "v"), ("benchmark", "b")], None,
                            lambda stage: seen.append((stage, [])))
    assert seen == [("validate", [])]
