"""Executing a run's steps into staging: a step's stages at once, reuse, who wrote what.

A step's stages run at the same time, each in a kernel of its own (see
:mod:`pipeline.run.execute`); a stage whose key is unchanged is reused, its outputs copied
from the published folder. What a step wrote is normalised (see
:mod:`pipeline.run.normalise`) and each file is given to the stage that wrote it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import Settings, folder_parameter
from pipeline.run.execute import STAMPED, StageKernels, execute_stage
from pipeline.run.incremental import Snapshot, snapshot, written_since
from pipeline.run.locking import lock_paths
from pipeline.run.manifest import output_entry
from pipeline.run.normalise import normalise_notebook, normalise_xlsx
from pipeline.run.plan import CLAIMS, Plan
from pipeline.run.publish import copy_into


@dataclass
class RunResult:
    """What a run produced: published paths, each stage's seconds, and what was reused."""

    executed: dict[str, Path] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    up_to_date: bool = False
    manifest: Path | None = None
    published: Path | None = None



def now_iso() -> str:
    """The time now, in UTC, to the millisecond (a stage's start and end)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")



def execute_steps(plan: Plan, staged: Settings, progress: Callable[[str], None],
             kernels: StageKernels):
    """Run the plan's stages step by step: a step's stages at the same time, each in its own
    kernel; a stage whose key is unchanged is reused (its outputs copied from the published
    folder, or from the ``laa validate`` that made them: the run-time facts of the stage
    then say which, under ``reused_from``)."""
    built = staged.report_dir
    result = RunResult()
    records: dict[str, dict[str, str]] = {}
    outputs: list[dict] = []
    timings: dict[str, dict] = {}
    number = {stage: n for n, (stage, _) in enumerate(plan.stages, start=1)}
    total = len(plan.stages)
    for step in plan.steps:
        upstream = list(outputs)
        to_run = []
        for stage, notebook in step:
            started_at, started = now_iso(), time.perf_counter()
            key, stamp, reuse = plan.decide(stage, notebook, upstream)
            records[stage] = {"key": key, **({"generated_at": stamp} if stage in STAMPED
                                             else {})}
            if reuse is None:
                to_run.append((stage, notebook))
                progress(f"[{number[stage]}/{total}] {stage} ...")
                continue
            for entry in reuse.outputs:
                if entry["root"] == "report":
                    copy_into(reuse.folder or plan.published, built, entry["path"])
            outputs = _replace_outputs(outputs, reuse.outputs)
            result.reused.append(stage)
            kernels.release(stage)
            origin = f" from laa {reuse.source['command']} ({reuse.source['manifest']})" \
                if reuse.source else ""
            progress(f"[{number[stage]}/{total}] {stage} unchanged: reused{origin}")
            result.seconds[stage] = time.perf_counter() - started
            timings[stage] = _timing(stage, started_at, result.seconds[stage], False)
            if reuse.source:  # made by another command's run (the manifest it recorded)
                timings[stage]["reused_from"] = reuse.source
        if not to_run:
            continue
        made, ran = _run_step(plan, staged, to_run, kernels)
        for stage, _ in to_run:
            started_at, ended_at, seconds = ran[stage]
            result.seconds[stage] = seconds
            timings[stage] = _timing(stage, started_at, seconds, True, ended_at)
            progress(f"[{number[stage]}/{total}] {stage} done in {seconds:.1f} s")
            outputs = _replace_outputs(outputs, made[stage])
    return result, records, outputs, [timings[stage] for stage, _ in plan.stages]


def _replace_outputs(outputs: list[dict], made: list[dict]) -> list[dict]:
    rewritten = {(o["root"], o["path"]) for o in made}
    return [o for o in outputs if (o["root"], o["path"]) not in rewritten] + made


def _timing(stage: str, started_at: str, seconds: float, recomputed: bool,
            ended_at: str | None = None) -> dict:
    return {"stage": stage, "started_at": started_at, "ended_at": ended_at or now_iso(),
            "seconds": round(seconds, 3), "recomputed": recomputed}


def _run_one(staged: Settings, stage: str, notebook: str,
             kernels: StageKernels) -> tuple[str, str, float]:
    """Execute one stage in its kernel (``staged`` carries the stamp it runs with): its
    start, end and seconds."""
    started_at, started = now_iso(), time.perf_counter()
    try:
        execute_stage(staged, stage, notebook, kernels.take(stage))
    finally:  # failed, interrupted or done: no kernel outlives the last stage that needs it
        kernels.release(stage)
    return started_at, now_iso(), time.perf_counter() - started


def _run_step(plan: Plan, staged: Settings, stages: list[tuple[str, str]], kernels: StageKernels
              ) -> tuple[dict[str, list[dict]], dict[str, tuple[str, str, float]]]:
    """Execute one step's stages into staging (two at once in two threads, each driving its
    own kernel), normalise what they wrote, and list each stage's outputs.

    When a stage fails, the other is let finish, then the first failure (in stage order)
    is raised.
    """
    clean, built = plan.settings.clean_dir, staged.report_dir
    clean_before, built_before = snapshot(clean), snapshot(built)
    stamped = {stage: replace(staged, generated_at=plan.stamp(stage)) for stage, _ in stages}
    normalised: Snapshot = {}  # what was normalised as its stage ended, as it was then

    def normalise(ended: str | None = None) -> None:
        """Normalise what the step wrote into the build (only ``ended``'s, when given:
        that stage has ended, the other may still run), but for what is normalised already
        and unchanged since."""
        now = snapshot(built)
        for relative in written_since(built_before, now):
            writer = _writer(stages, "report", relative)
            if (ended is not None and writer != ended) or normalised.get(
                    relative) == now[relative]:
                continue
            path = built / relative
            if path.suffix == ".ipynb":
                normalise_notebook(path, staging_text, plan.settings.project_root)
            elif path.suffix == ".xlsx":
                normalise_xlsx(path, plan.stamp(writer))
            else:
                continue
            info = path.stat()
            normalised[relative] = (info.st_size, info.st_mtime_ns)

    staging_text = staging_replacements(plan.settings, staged)
    if len(stages) == 1:
        ran = {stages[0][0]: _run_one(stamped[stages[0][0]], *stages[0], kernels)}
    else:  # a stage's outputs are normalised as it ends, while the other runs on
        ran = _run_together(stamped, stages, kernels, normalise)
    normalise()
    written = {"clean": own_outputs(clean, written_since(clean_before, snapshot(clean))),
               "report": written_since(built_before, snapshot(built))}
    made: dict[str, list[dict]] = {stage: [] for stage, _ in stages}
    roots = {"clean": clean, "report": built}
    for root_name, paths in written.items():
        for relative in paths:
            stage = _writer(stages, root_name, relative)
            made[stage].append(output_entry(root_name, roots[root_name],
                                            roots[root_name] / relative, stage))
    return made, ran


def staging_replacements(settings: Settings, staged: Settings) -> dict[str, str]:
    """The staging reports folder and the published one, as the executed notebooks may
    name them: absolute, and as their parameters do
    (:func:`pipeline.config.folder_parameter`: relative to the project root inside it)."""
    root = settings.project_root
    return {str(staged.reports_dir): str(settings.reports_dir),
            folder_parameter(root, staged.reports_dir): folder_parameter(
                root, settings.reports_dir)}


def own_outputs(root: Path, written: list[str]) -> list[str]:
    """The files of ``written`` (relative to the run's clean folder ``root``) that are this
    run's: those under a sub-folder holding a clean folder's lock file are another run's
    (``data/clean/laa2/``, LAA2's, inside ``data/clean/``, the demo's) and are left out."""
    lock = lock_paths(root, root, "")[1][1].name
    nested = {p.parent.relative_to(root) for p in root.rglob(lock) if p.parent != root}
    return [w for w in written if not any(n in Path(w).parents for n in nested)]


def _run_together(staged: dict[str, Settings], stages: list[tuple[str, str]],
                  kernels: StageKernels, ended: Callable[[str], None] | None = None
                  ) -> dict[str, tuple[str, str, float]]:
    """Run the stages at once (each with its ``staged`` settings), one thread each driving
    its own kernel (``ended(stage)`` called in it once its stage has run through); raise
    the first failure (in stage order) once all have ended.

    The threads are daemons and the main thread only waits for them, so a signal (SIGTERM,
    Ctrl-C) stops the run at once: the run's clean-up stops the kernels, and a thread left
    waiting on a dead kernel does not keep the process alive.
    """
    done: dict[str, tuple[str, str, float] | BaseException] = {}

    def work(stage: str, notebook: str) -> None:
        try:
            done[stage] = _run_one(staged[stage], stage, notebook, kernels)
            if ended is not None:
                ended(stage)
        except BaseException as exc:  # handed to the main thread, raised there
            done[stage] = exc

    threads = [threading.Thread(target=work, args=stage, name=f"laa-{stage[0]}", daemon=True)
               for stage in stages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for stage, _ in stages:
        if isinstance(done[stage], BaseException):
            raise done[stage]
    return done


def _writer(stages: list[tuple[str, str]], root_name: str, relative: str) -> str:
    """The stage of a step that wrote ``root_name:relative``: the one whose executed
    notebook it is, or whose :data:`CLAIMS` match it, else the step's first stage."""
    for stage, notebook in stages:
        if root_name == "report" and relative == f"notebooks/{notebook}":
            return stage
    for stage, _ in stages:
        if any(fnmatch.fnmatchcase(f"{root_name}:{relative}", glob)
               for glob in CLAIMS.get(stage, ())):
            return stage
    return stages[0][0]


