"""When each stage's kernel is started (:func:`pipeline.run.warm.kernels_due`): forked
kernels a step ahead of the step begun, plain ones up to two ahead."""

from __future__ import annotations

import pytest

from pipeline.run.warm import AHEAD, kernels_due

# the demo's steps: validate and benchmark run at once, then appendix and tables
STEPS = [("ingest",), ("validate", "benchmark"), ("assess",), ("appendix", "tables")]
STAGES = [s for step in STEPS for s in step]


def test_forked_kernels_are_started_a_step_ahead_of_the_step_begun():
    """The demo's run, stage by stage: the first two steps' kernels are asked for at
    first, each later step's as the step before it begins, so the fork server imports the
    appendix's modules while assess runs alone, not while validate and benchmark keep both
    cores busy."""
    waiting, started, said = list(STAGES), set(), []
    for taking in [None, *STAGES]:
        if taking is not None:
            waiting.remove(taking)
        due = kernels_due(STEPS, waiting, started, forked=True)
        started |= set(due)
        said.append((taking, due))
    assert said == [(None, ["ingest", "validate", "benchmark"]),   # the first two steps
                    ("ingest", []),
                    ("validate", ["assess"]),            # a stage of step 2 begun
                    ("benchmark", []),
                    ("assess", ["appendix", "tables"]),
                    ("appendix", []), ("tables", [])]    # nothing after the last step


def test_a_stage_reused_begins_its_step_as_one_taken_does():
    """A reused stage leaves the waiting list without taking a kernel: its step has begun."""
    waiting = ["benchmark", "assess", "appendix", "tables"]   # ingest and validate reused
    assert kernels_due(STEPS, waiting, set(), forked=True) == ["benchmark", "assess"]


def test_a_kernel_started_already_is_not_started_again():
    assert kernels_due(STEPS, STAGES[1:], {"validate"}, forked=True) == ["benchmark"]
    assert kernels_due(STEPS, STAGES, {"ingest", "validate"}, forked=True) == ["benchmark"]


def test_a_run_of_one_step_starts_its_kernels_at_once():
    """An option that reruns the appendix and tables only (the others reused)."""
    steps = [("appendix", "tables")]
    assert kernels_due(steps, ["appendix", "tables"], set(), forked=True) == [
        "appendix", "tables"]


@pytest.mark.parametrize(("waiting", "started", "due"), [
    (STAGES, set(), ["ingest", "validate"]),                  # AHEAD of them at first
    (STAGES[1:], {"validate"}, ["benchmark"]),                # one taken: one more
    (STAGES[3:], set(), ["assess", "appendix"]),
    (STAGES[3:], {"assess", "appendix"}, []),                 # two waiting already
    (["tables"], set(), ["tables"]),
    ([], set(), []),
])
def test_plain_kernels_are_started_up_to_two_ahead(waiting, started, due):
    assert AHEAD == 2
    assert kernels_due(STEPS, waiting, started, forked=False) == due


def test_the_steps_above_are_a_runs_steps():
    from pipeline.run.plan import STAGES as RUN_STAGES
    from pipeline.run.plan import step_names

    assert step_names(RUN_STAGES) == STEPS
