"""The run: the stages under a lock, built in staging, reused by content key, then published.

A run holds its meeting's lock, builds in a staging folder (see :mod:`pipeline.run.publish`),
reuses the stages whose content key is unchanged (see :mod:`pipeline.run.incremental`),
normalises what it wrote (see :mod:`pipeline.run.normalise`), writes ``manifest.json`` (see
:mod:`pipeline.run.manifest`) and publishes only when every stage has passed.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import errors
from pipeline.config import PACKAGE_DIR, Settings
from pipeline.run.execute import (  # noqa: F401  (re-exported: the run's public names)
    KERNEL,
    STAMPED,
    StageKernels,
    execute_stage,
    notebook_parameters,
)
from pipeline.run.incremental import Reuse, reusable, snapshot, stage_key, written_since
from pipeline.run.locking import lock_paths, run_lock
from pipeline.run.manifest import (
    MANIFEST_NAME,
    build_manifest,
    fingerprint,
    git_state,
    kept_entries,
    output_entry,
    reproducible,
    try_read_manifest,
    write_manifest,
)
from pipeline.run.normalise import normalise_notebook, normalise_xlsx
from pipeline.run.publish import (
    DOCUMENT,
    copy_into,
    discard,
    keep_unbuilt,
    prepare_staging,
    publish,
    recover,
    staging_root,
)

STAGES: tuple[tuple[str, str], ...] = (
    ("ingest", "01_ingest.ipynb"),
    ("validate", "02_validate.ipynb"),
    ("benchmark", "02_benchmark.ipynb"),
    ("assess", "03_assess.ipynb"),
    ("appendix", "04_appendix.ipynb"),
    ("tables", "04_tables.ipynb"),
)
# A stage named here runs beside the stage before it (one step), at the same time, each in
# a kernel of its own; neither reads what the other writes. What it writes is told apart
# from the other's by these ``root:path`` globs (and its executed notebook); everything
# else written meanwhile is the other's.
CLAIMS: dict[str, tuple[str, ...]] = {
    "benchmark": ("clean:national.parquet", "clean:national_quarantine.parquet",
                  "clean:national_validation_results.parquet", "clean:benchmark_ranks.parquet",
                  "clean:benchmark_members.parquet", "clean:benchmark_groups.json"),
    "tables": ("report:tables/*", "report:districts/*/tables/*", "report:tables-*/*",
               "report:districts/*/tables-*/*"),
}
VALIDATE_STAGES = ("ingest", "validate", "benchmark")  # what ``laa validate`` runs


def steps_of(stages: tuple[tuple[str, str], ...]) -> list[tuple[tuple[str, str], ...]]:
    """The stages in steps: a stage of :data:`CLAIMS` joins the step of the one before it."""
    steps: list[tuple[tuple[str, str], ...]] = []
    for stage in stages:
        if stage[0] in CLAIMS and steps and len(steps[-1]) == 1:
            steps[-1] += (stage,)
        else:
            steps.append((stage,))
    return steps


VALIDATION_FOLDER = "validation"  # ``laa validate`` publishes into <report>/validation/


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


def published_folder(settings: Settings, command: str) -> Path:
    """Where a command publishes: ``<reports>/<meeting>``, or its ``validation/`` for validate."""
    return settings.report_dir / VALIDATION_FOLDER if command == "validate" \
        else settings.report_dir


def _staging(settings: Settings, command: str) -> Path:
    suffix = f"-{VALIDATION_FOLDER}" if command == "validate" else ""
    return staging_root(settings.reports_dir, settings.meeting, suffix)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class _Plan:
    """The run's fixed facts: settings, fingerprint, previous manifest, folders."""

    settings: Settings
    stages: tuple[tuple[str, str], ...]
    facts: dict
    previous: dict | None
    published: Path
    force: bool
    stamp_given: bool = True
    stamps: dict[str, str] = field(default_factory=dict)  # a rerun's stamp of each stage

    @property
    def parameters(self) -> dict[str, str]:
        return notebook_parameters(self.settings)

    @property
    def roots(self) -> dict[str, Path]:
        return {"clean": self.settings.clean_dir, "report": self.published}

    def stamp(self, stage: str) -> str:
        """The generated-at stamp ``stage`` runs with: the run's, or for a rerun the one
        the manifest recorded for the stage."""
        return self.stamps.get(stage, self.settings.generated_at)

    def key(self, stage: str, notebook: str, upstream: list[dict], stamp: str) -> str:
        return stage_key(stage, self.facts["code"]["notebooks"][notebook],
                         notebook_parameters(replace(self.settings, generated_at=stamp), stage),
                         self.facts["digest"], upstream)

    def decide(self, stage: str, notebook: str,
               upstream: list[dict]) -> tuple[str, str, Reuse | None]:
        """The stage's key, its stamp and its reuse (None: it must run).

        When the run's stamp was not given, a stage of :data:`STAMPED` whose inputs are
        unchanged is reused with the stamp it was made with (the stamp is the documents'
        date, not a reason to remake them): changing an option reruns only the stages it
        touches, and the manifest records each stage's stamp for ``laa rerun``.
        """
        stamp = self.stamp(stage)
        key = self.key(stage, notebook, upstream, stamp)
        if self.force:
            return key, stamp, None
        reuse = reusable(self.previous, stage, key, self.roots)
        if reuse is None and not self.stamp_given and stage in STAMPED and self.previous:
            recorded = {s.get("stage"): s for s in self.previous.get("stages", [])}
            made = str(recorded.get(stage, {}).get("generated_at") or self.previous.get(
                "parameters", {}).get("generated_at", ""))
            if made and made != stamp:
                made_key = self.key(stage, notebook, upstream, made)
                made_reuse = reusable(self.previous, stage, made_key, self.roots)
                if made_reuse is not None:
                    return made_key, made, made_reuse
        return key, stamp, reuse

    @property
    def steps(self) -> list[tuple[tuple[str, str], ...]]:
        return steps_of(self.stages)

    @functools.cached_property
    def _prediction(self) -> list[Reuse | None]:
        return self._predict()

    def predict(self) -> list[Reuse | None]:
        """Reuse of each stage in order, up to the end of the first step with a stage that
        must run (a stage's key depends on the outputs of the steps before its own).
        Worked out once per plan: it hashes every output it would reuse, and the run asks
        for it several times (kernels to start, up to date, what to run)."""
        return self._prediction

    def _predict(self) -> list[Reuse | None]:
        upstream: list[dict] = []
        plan: list[Reuse | None] = []
        for step in self.steps:
            reuses = [self.decide(stage, notebook, upstream)[2] for stage, notebook in step]
            plan += reuses
            if not all(reuses):
                break
            upstream += [o for reuse in reuses for o in reuse.outputs]
        return plan

    def to_run(self) -> tuple[tuple[str, str], ...]:
        """The stages from the first step with one that must run (the kernels are for them)."""
        plan, done = self.predict(), 0
        for step in self.steps:
            if len(plan) < done + len(step) or not all(plan[done:done + len(step)]):
                break
            done += len(step)
        return self.stages[done:]

    def up_to_date(self, command: str) -> bool:
        """True when every stage is reused and the published manifest is for this command."""
        plan = self.predict()
        return (len(plan) == len(self.stages) and all(plan)
                and self.previous.get("command") == command
                and self.previous.get("parameters") == self.parameters)


def run_pipeline(settings: Settings, stages: tuple[tuple[str, str], ...] = STAGES,
                 progress: Callable[[str], None] = print, *, command: str = "run",
                 force: bool = False, wait: bool = False, stamp_given: bool = True,
                 expected: list[dict] | None = None, stamps: dict[str, str] | None = None,
                 check: Callable[[], None] | None = None) -> RunResult:
    """Run the stages under the meeting's lock, build in staging, then publish.

    Parameters
    ----------
    settings
        The run's settings (published folders).
    stages
        The stages to run, in order (``laa validate`` runs the first two).
    command
        ``run`` or ``validate`` (``validate`` publishes into ``<report>/validation/``).
    force
        Recompute every stage even where its key is unchanged.
    wait
        Queue behind another run of the same meeting or clean folder instead of refusing.
    stamp_given
        False when the generated-at stamp was not given: if nothing else changed since
        the published run, its stamp is kept and nothing is recomputed; otherwise the
        stages of :data:`STAMPED` with nothing else changed are reused with theirs.
    expected
        For a rerun: the outputs the manifest recorded. The build is published only if
        every one matches; otherwise it stays in staging and OutputsDiffer is raised.
    stamps
        For a rerun: the generated-at stamp each stage of :data:`STAMPED` ran with, as
        the manifest recorded it (when it differs from the run's).
    check
        The checks of the run's parameters against its inputs (the register: the period,
        district, themes), run before anything is built. When something must be built, the
        stages' kernels are started first, so they start up while the checks run; a check
        that raises stops them and nothing is built.
    """
    published = published_folder(settings, command)
    facts = fingerprint(settings.data_dir, settings.expectations_dir, PACKAGE_DIR,
                        [settings.notebooks_dir / n for _, n in stages])

    def plan_now() -> _Plan:
        previous = try_read_manifest(published / MANIFEST_NAME)
        plan = _Plan(settings, stages, facts, previous, published, force, stamp_given,
                     dict(stamps or {}))
        if not stamp_given and previous and not force:
            kept = _Plan(replace(settings, generated_at=str(
                previous.get("parameters", {}).get("generated_at", ""))), stages, facts,
                previous, published, force, stamp_given)
            if kept.up_to_date(command):
                plan = kept
        return plan

    # A first look, before the lock: if something must be built, its kernels start up
    # while the checks run and while the lock is taken (the plan is made again under it).
    kernels = _start_kernels(plan_now(), command)
    try:
        if check is not None:
            check()
        with run_lock(settings.reports_dir, settings.clean_dir, settings.meeting, wait,
                      progress):
            recover(_staging(settings, command), published)  # a killed run's leftovers
            plan = plan_now()
            if plan.up_to_date(command):
                progress(f"up to date: inputs, parameters and code unchanged since the run "
                         f"that ended {plan.previous['run'].get('ended_at', '?')}; nothing "
                         "recomputed (--force recomputes)")
                return RunResult(up_to_date=True, reused=[s for s, _ in stages],
                                 manifest=published / MANIFEST_NAME, published=published)
            if kernels is None or kernels.stages != plan.to_run():
                if kernels is not None:
                    kernels.stop()
                kernels = _start_kernels(plan, command)
            return _build(plan, command, progress, expected, kernels)
    finally:
        if kernels is not None:
            kernels.stop()


def _start_kernels(plan: _Plan, command: str) -> StageKernels | None:
    """Kernels for the stages ``plan`` must run; None when it has nothing to run."""
    stages = plan.to_run()
    return None if plan.up_to_date(command) else StageKernels(plan.settings, stages)


def _build(plan: _Plan, command: str, progress: Callable[[str], None],
           expected: list[dict] | None, kernels: StageKernels) -> RunResult:
    settings = plan.settings
    root = prepare_staging(_staging(settings, command), plan.published)
    staged = replace(settings, reports_dir=root)
    built = staged.report_dir
    built.mkdir(parents=True)
    keep_staging = False
    try:
        result, records, outputs, timings = _execute(plan, staged, progress, kernels)
        run_facts = {"started_at": timings[0]["started_at"], "ended_at": _now(),
                     "stages": timings}
        stages = [{"stage": s, "notebook": f"notebooks/{n}",
                   "notebook_sha256": plan.facts["code"]["notebooks"][n],
                   "executed": f"notebooks/{n}", **records[s]} for s, n in plan.stages]
        manifest = build_manifest(command, plan.parameters, plan.facts,
                                  git_state(settings.project_root), stages, outputs, run_facts)
        if command == "run":  # district packs and checks published before stay
            kept = keep_unbuilt(plan.published, built)
            files = sorted(f for folder in kept.values() for f in folder)
            manifest["kept"] = kept_entries(files, built, plan.previous)
            for part in kept:
                shown = part if DOCUMENT.fullmatch(part) else f"{part}/"
                progress(f"kept {shown} as published before (not rebuilt by this run)")
        write_manifest(built / MANIFEST_NAME, manifest)
        if expected is not None:
            _compare(reproducible(expected), outputs, root)
        publish(built, plan.published)
    except errors.OutputsDiffer:
        keep_staging = True
        raise
    except errors.LaaError as exc:
        kept = _keep_failed_notebook(exc, root, settings)
        if kept is None:
            raise
        raise kept from exc
    finally:
        if not keep_staging:
            discard(root)
    result.published = plan.published
    result.manifest = plan.published / MANIFEST_NAME
    result.executed = {s: plan.published / "notebooks" / n for s, n in plan.stages}
    for name in ("appendix", "summary"):  # as made by this run: themed names too
        written = [plan.published / o["path"] for o in outputs if o["root"] == "report"
                   and o["stage"] == "appendix" and o["path"].startswith(name)
                   and "/" not in o["path"] and DOCUMENT.fullmatch(o["path"])]
        result.outputs += written
        if written:
            progress(f"{name} written to {', '.join(str(p) for p in written)}")
    return result


FAILED_FOLDER = ".failed"  # <reports>/.failed/<meeting>/: the notebook of a failed stage


def _keep_failed_notebook(exc: errors.LaaError, root: Path,
                          settings: Settings) -> errors.LaaError | None:
    """Move the executed notebook a failure names out of staging (which is discarded) into
    ``<reports>/.failed/<meeting>/``, and name it there; None if it names none in staging."""
    named = Path(str(exc.context.get("notebook", "")))
    if not named.is_file() or root not in named.parents:
        return None
    target = settings.reports_dir / FAILED_FOLDER / settings.meeting / named.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(named, target)
    return exc.with_context(notebook=str(target))


def _compare(expected: list[dict], outputs: list[dict], root: Path) -> None:
    """Raise OutputsDiffer naming the expected outputs the build did not reproduce."""
    got = {(o["root"], o["path"]): o["sha256"] for o in outputs}
    differ = sorted(f"{e['root']}/{e['path']}" for e in expected
                    if got.get((e["root"], e["path"])) != e["sha256"])
    if differ:
        shown = ", ".join(differ[:5]) + (" ..." if len(differ) > 5 else "")
        raise errors.OutputsDiffer(f"{len(differ)} output(s) differ from the manifest: {shown}",
                                   staged=str(root))


def _execute(plan: _Plan, staged: Settings, progress: Callable[[str], None],
             kernels: StageKernels):
    """Run the plan's stages step by step: a step's stages at the same time, each in its own
    kernel; a stage whose key is unchanged is reused (its outputs copied from the published
    folder)."""
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
            started_at, started = _now(), time.perf_counter()
            key, stamp, reuse = plan.decide(stage, notebook, upstream)
            records[stage] = {"key": key, **({"generated_at": stamp} if stage in STAMPED
                                             else {})}
            if reuse is None:
                to_run.append((stage, notebook))
                progress(f"[{number[stage]}/{total}] {stage} ...")
                continue
            for entry in reuse.outputs:
                if entry["root"] == "report":
                    copy_into(plan.published, built, entry["path"])
            outputs = _replace_outputs(outputs, reuse.outputs)
            result.reused.append(stage)
            kernels.release(stage)
            progress(f"[{number[stage]}/{total}] {stage} unchanged: reused")
            result.seconds[stage] = time.perf_counter() - started
            timings[stage] = _timing(stage, started_at, result.seconds[stage], False)
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
    return {"stage": stage, "started_at": started_at, "ended_at": ended_at or _now(),
            "seconds": round(seconds, 3), "recomputed": recomputed}


def _run_one(staged: Settings, stage: str, notebook: str,
             kernels: StageKernels) -> tuple[str, str, float]:
    """Execute one stage in its kernel (``staged`` carries the stamp it runs with): its
    start, end and seconds."""
    started_at, started = _now(), time.perf_counter()
    try:
        execute_stage(staged, stage, notebook, kernels.take(stage))
    finally:  # failed, interrupted or done: no kernel outlives the last stage that needs it
        kernels.release(stage)
    return started_at, _now(), time.perf_counter() - started


def _run_step(plan: _Plan, staged: Settings, stages: list[tuple[str, str]], kernels: StageKernels
              ) -> tuple[dict[str, list[dict]], dict[str, tuple[str, str, float]]]:
    """Execute one step's stages into staging (two at once in two threads, each driving its
    own kernel), normalise what they wrote, and list each stage's outputs.

    When a stage fails, the other is let finish, then the first failure (in stage order)
    is raised.
    """
    clean, built = plan.settings.clean_dir, staged.report_dir
    clean_before, built_before = snapshot(clean), snapshot(built)
    stamped = {stage: replace(staged, generated_at=plan.stamp(stage)) for stage, _ in stages}
    if len(stages) == 1:
        ran = {stages[0][0]: _run_one(stamped[stages[0][0]], *stages[0], kernels)}
    else:
        ran = _run_together(stamped, stages, kernels)
    staging_text = {str(staged.reports_dir): str(plan.settings.reports_dir)}
    written = {"clean": own_outputs(clean, written_since(clean_before, snapshot(clean))),
               "report": written_since(built_before, snapshot(built))}
    for relative in written["report"]:
        path = built / relative
        if path.suffix == ".ipynb":
            normalise_notebook(path, staging_text)
        elif path.suffix == ".xlsx":
            normalise_xlsx(path, plan.stamp(_writer(stages, "report", relative)))
    made: dict[str, list[dict]] = {stage: [] for stage, _ in stages}
    roots = {"clean": clean, "report": built}
    for root_name, paths in written.items():
        for relative in paths:
            stage = _writer(stages, root_name, relative)
            made[stage].append(output_entry(root_name, roots[root_name],
                                            roots[root_name] / relative, stage))
    return made, ran


def own_outputs(root: Path, written: list[str]) -> list[str]:
    """The files of ``written`` (relative to the run's clean folder ``root``) that are this
    run's: those under a sub-folder holding a clean folder's lock file are another run's
    (``data/clean/laa2/``, LAA2's, inside ``data/clean/``, the demo's) and are left out."""
    lock = lock_paths(root, root, "")[1][1].name
    nested = {p.parent.relative_to(root) for p in root.rglob(lock) if p.parent != root}
    return [w for w in written if not any(n in Path(w).parents for n in nested)]


def _run_together(staged: dict[str, Settings], stages: list[tuple[str, str]],
                  kernels: StageKernels) -> dict[str, tuple[str, str, float]]:
    """Run the stages at once (each with its ``staged`` settings), one thread each driving
    its own kernel; raise the first failure (in stage order) once all have ended.

    The threads are daemons and the main thread only waits for them, so a signal (SIGTERM,
    Ctrl-C) stops the run at once: the run's clean-up stops the kernels, and a thread left
    waiting on a dead kernel does not keep the process alive.
    """
    ended: dict[str, tuple[str, str, float] | BaseException] = {}

    def work(stage: str, notebook: str) -> None:
        try:
            ended[stage] = _run_one(staged[stage], stage, notebook, kernels)
        except BaseException as exc:  # handed to the main thread, raised there
            ended[stage] = exc

    threads = [threading.Thread(target=work, args=stage, name=f"laa-{stage[0]}", daemon=True)
               for stage in stages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for stage, _ in stages:
        if isinstance(ended[stage], BaseException):
            raise ended[stage]
    return ended


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


