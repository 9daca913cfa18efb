"""The run: the stages under a lock, built in staging, reused by content key, then published.

A run holds its meeting's lock, builds in a staging folder (see :mod:`pipeline.run.publish`),
reuses the stages whose content key is unchanged (see :mod:`pipeline.run.incremental`),
normalises what it wrote (see :mod:`pipeline.run.normalise`), writes ``manifest.json`` (see
:mod:`pipeline.run.manifest`) and publishes only when every stage has passed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import errors
from pipeline.config import FORMATS, PACKAGE_DIR, Settings
from pipeline.run.execute import (  # noqa: F401  (re-exported: the run's public names)
    KERNEL,
    KernelPool,
    execute_stage,
    notebook_parameters,
)
from pipeline.run.incremental import Reuse, reusable, snapshot, stage_key, written_since
from pipeline.run.locking import run_lock
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
    ("assess", "03_assess.ipynb"),
    ("appendix", "04_appendix.ipynb"),
)
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

    @property
    def parameters(self) -> dict[str, str]:
        return notebook_parameters(self.settings)

    @property
    def roots(self) -> dict[str, Path]:
        return {"clean": self.settings.clean_dir, "report": self.published}

    def key(self, stage: str, notebook: str, upstream: list[dict]) -> str:
        return stage_key(stage, self.facts["code"]["notebooks"][notebook],
                         notebook_parameters(self.settings, stage), self.facts["digest"],
                         upstream)

    def predict(self) -> list[Reuse | None]:
        """Reuse of each stage in order, up to the first that must run."""
        upstream: list[dict] = []
        plan: list[Reuse | None] = []
        for stage, notebook in self.stages:
            reuse = None if self.force else reusable(
                self.previous, stage, self.key(stage, notebook, upstream), self.roots)
            plan.append(reuse)
            if reuse is None:
                break
            upstream += reuse.outputs
        return plan

    def to_run(self) -> tuple[tuple[str, str], ...]:
        """The stages from the first that cannot be reused (the ones the kernels are for)."""
        return self.stages[len([r for r in self.predict() if r is not None]):]

    def up_to_date(self, command: str) -> bool:
        """True when every stage is reused and the published manifest is for this command."""
        plan = self.predict()
        return (len(plan) == len(self.stages) and all(plan)
                and self.previous.get("command") == command
                and self.previous.get("parameters") == self.parameters)


def run_pipeline(settings: Settings, stages: tuple[tuple[str, str], ...] = STAGES,
                 progress: Callable[[str], None] = print, *, command: str = "run",
                 force: bool = False, wait: bool = False, stamp_given: bool = True,
                 expected: list[dict] | None = None,
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
        the published run, its stamp is kept and nothing is recomputed.
    expected
        For a rerun: the outputs the manifest recorded. The build is published only if
        every one matches; otherwise it stays in staging and OutputsDiffer is raised.
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
        plan = _Plan(settings, stages, facts, previous, published, force)
        if not stamp_given and previous and not force:
            kept = _Plan(replace(settings, generated_at=str(
                previous.get("parameters", {}).get("generated_at", ""))), stages, facts,
                previous, published, force)
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


def _start_kernels(plan: _Plan, command: str) -> KernelPool | None:
    """Kernels for the stages ``plan`` must run; None when it has nothing to run."""
    return None if plan.up_to_date(command) else KernelPool(plan.settings, plan.to_run())


def _build(plan: _Plan, command: str, progress: Callable[[str], None],
           expected: list[dict] | None, kernels: KernelPool) -> RunResult:
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
                   "executed": f"notebooks/{n}", "key": records[s]} for s, n in plan.stages]
        manifest = build_manifest(command, plan.parameters, plan.facts,
                                  git_state(settings.project_root), stages, outputs, run_facts)
        if command == "run":  # district packs and checks published before stay
            kept = keep_unbuilt(plan.published, built)
            files = sorted(f for folder in kept.values() for f in folder)
            manifest["kept"] = kept_entries(files, built, plan.previous)
            for folder in kept:
                progress(f"kept {folder}/ as published before (not rebuilt by this run)")
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
    if "appendix" in result.executed:
        for name in ("appendix", "summary"):
            written = [p for p in (plan.published / f"{name}.{fmt}" for fmt in FORMATS)
                       if p.is_file()]
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
             kernels: KernelPool):
    built = staged.report_dir
    result = RunResult()
    records: dict[str, str] = {}
    outputs: list[dict] = []
    timings: list[dict] = []
    total = len(plan.stages)
    try:
        for number, (stage, notebook) in enumerate(plan.stages, start=1):
            key = plan.key(stage, notebook, outputs)
            records[stage] = key
            started_at, started = _now(), time.perf_counter()
            reuse = None if plan.force else reusable(plan.previous, stage, key, plan.roots)
            if reuse is not None:
                for entry in reuse.outputs:
                    if entry["root"] == "report":
                        copy_into(plan.published, built, entry["path"])
                made = reuse.outputs
                result.reused.append(stage)
                kernels.release(stage)
                progress(f"[{number}/{total}] {stage} unchanged: reused")
            else:
                progress(f"[{number}/{total}] {stage} ...")
                made = _run_stage(plan, staged, stage, notebook, kernels)
            result.seconds[stage] = time.perf_counter() - started
            if reuse is None:
                progress(f"[{number}/{total}] {stage} done in {result.seconds[stage]:.1f} s")
            rewritten = {(o["root"], o["path"]) for o in made}
            outputs = [o for o in outputs if (o["root"], o["path"]) not in rewritten] + made
            timings.append({"stage": stage, "started_at": started_at, "ended_at": _now(),
                            "seconds": round(result.seconds[stage], 3),
                            "recomputed": reuse is None})
    finally:
        kernels.stop()
    return result, records, outputs, timings


def _run_stage(plan: _Plan, staged: Settings, stage: str, notebook: str,
               kernels: KernelPool) -> list[dict]:
    """Execute one stage into staging, normalise what it wrote, and list its outputs."""
    clean, built = plan.settings.clean_dir, staged.report_dir
    clean_before, built_before = snapshot(clean), snapshot(built)
    try:
        execute_stage(staged, stage, notebook, kernels.take(stage))
    finally:  # failed, interrupted or done: no kernel outlives the last stage that needs it
        kernels.release(stage)
    staging_text = {str(staged.reports_dir): str(plan.settings.reports_dir)}
    for relative in written_since(built_before, snapshot(built)):
        path = built / relative
        if path.suffix == ".ipynb":
            normalise_notebook(path, staging_text)
        elif path.suffix == ".xlsx":
            normalise_xlsx(path, plan.settings.generated_at)
    made = [output_entry("clean", clean, clean / p, stage)
            for p in written_since(clean_before, snapshot(clean))]
    made += [output_entry("report", built, built / p, stage)
             for p in written_since(built_before, snapshot(built))]
    return made
