"""The run: the stages under a lock, built in staging, reused by content key, then published.

A run holds its meeting's lock, builds in a staging folder (see :mod:`pipeline.run.publish`),
reuses the stages whose content key is unchanged (see :mod:`pipeline.run.incremental`),
normalises what it wrote (see :mod:`pipeline.run.normalise`), writes ``manifest.json`` (see
:mod:`pipeline.run.manifest`) and publishes only when every stage has passed. What the run
will do is :mod:`pipeline.run.plan`; executing its steps is :mod:`pipeline.run.steps`.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pipeline import errors
from pipeline.config import PACKAGE_DIR, Settings
from pipeline.run.execute import StageKernels
from pipeline.run.locking import run_lock
from pipeline.run.manifest import (
    MANIFEST_NAME,
    build_manifest,
    fingerprint,
    git_state,
    kept_entries,
    reproducible,
    try_read_manifest,
    write_manifest,
)
from pipeline.run.plan import (
    STAGES,
    VALIDATION_FOLDER,
    Plan,
    earlier_manifests,
    published_folder,
    step_names,
)
from pipeline.run.publish import (
    DOCUMENT,
    discard,
    keep_unbuilt,
    prepare_staging,
    publish,
    recover,
    staging_root,
)
from pipeline.run.steps import RunResult, execute_steps, now_iso


def _staging(settings: Settings, command: str) -> Path:
    suffix = f"-{VALIDATION_FOLDER}" if command == "validate" else ""
    return staging_root(settings.reports_dir, settings.meeting, suffix)


def run_pipeline(settings: Settings, stages: tuple[tuple[str, str], ...] = STAGES,
                 progress: Callable[[str], None] = print, *, command: str = "run",
                 force: bool = False, wait: bool = False, stamp_given: bool = True,
                 expected: list[dict] | None = None, stamps: dict[str, str] | None = None,
                 check: Callable[[bytes | None], None] | None = None,
                 check_payload: dict | None = None) -> RunResult:
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
        that raises stops them and nothing is built. It is given the answer of the checks
        of ``check_payload`` made by the kernels' fork server, or None (none was made
        there: it makes them itself).
    check_payload
        Those checks as data (:meth:`pipeline.run.inputs_check.InputsCheck.payload`), sent
        to the fork server with the kernels' warm-ups (None: the checks are made here).
    """
    published = published_folder(settings, command)
    # Every stage runs (forced, or nothing published before to reuse): its kernels need no
    # plan, so they start first, and start up while the inputs are hashed and it is planned.
    earlier = earlier_manifests(settings, command)
    kernels = StageKernels(settings, stages, progress, check=check_payload,
                           steps=step_names(stages)) if force or not any(
        path.is_file() for path in earlier) else None
    try:
        # every notebook is code of the run, whichever stages it runs (as the whole package
        # is): a validate's stages are keyed as a run's are, so a run can reuse them
        facts = fingerprint(settings.data_dir, settings.expectations_dir, PACKAGE_DIR,
                            [settings.notebooks_dir / n for _, n in STAGES])

        def plan_now() -> Plan:
            previous, *validated = (try_read_manifest(path) for path in earlier)
            plan = Plan(settings, stages, facts, previous, published, force, stamp_given,
                        dict(stamps or {}), *validated)
            if not stamp_given and previous and not force:
                kept = Plan(replace(settings, generated_at=str(
                    previous.get("parameters", {}).get("generated_at", ""))), stages, facts,
                    previous, published, force, stamp_given)
                if kept.up_to_date(command):
                    plan = kept
            return plan

        # A first look, before the lock: if something must be built, its kernels start up
        # while the checks run and while the lock is taken (the plan is made again under it).
        if kernels is None:
            kernels = _start_kernels(plan_now(), command, progress, check_payload)
        if check is not None:
            check(kernels.check_answer() if kernels is not None else None)
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
                kernels = _start_kernels(plan, command, progress)
            return _build(plan, command, progress, expected, kernels)
    finally:
        if kernels is not None:
            kernels.stop()


def _start_kernels(plan: Plan, command: str, progress: Callable[[str], None],
                   check: dict | None = None) -> StageKernels | None:
    """Kernels for the stages ``plan`` must run (their fork server given the run's
    ``check`` to make); None when it has nothing to run."""
    stages = plan.to_run()
    return None if plan.up_to_date(command) else StageKernels(
        plan.settings, stages, progress, check=check, steps=step_names(stages))


def _build(plan: Plan, command: str, progress: Callable[[str], None],
           expected: list[dict] | None, kernels: StageKernels) -> RunResult:
    settings = plan.settings
    root = prepare_staging(_staging(settings, command), plan.published)
    staged = replace(settings, reports_dir=root)
    built = staged.report_dir
    built.mkdir(parents=True)
    keep_staging = False
    stopping = None
    # the checkout's commit and state, read (two git commands) while the stages run, as the
    # code they run was hashed at the start
    code_state: dict[str, object] = {}
    reading = threading.Thread(target=lambda: code_state.update(git_state(
        settings.project_root)), name="laa-git-state", daemon=True)
    reading.start()
    try:
        result, records, outputs, timings = execute_steps(plan, staged, progress, kernels)
        # every stage has ended: the kernels and the fork server go while the manifest is
        # written and the build published (the run waits for them below)
        stopping = threading.Thread(target=kernels.stop, name="laa-kernels-stop", daemon=True)
        stopping.start()
        run_facts = {"started_at": timings[0]["started_at"], "ended_at": now_iso(),
                     "stages": timings}
        stages = [{"stage": s, "notebook": f"notebooks/{n}",
                   "notebook_sha256": plan.facts["code"]["notebooks"][n],
                   "executed": f"notebooks/{n}", **records[s]} for s, n in plan.stages]
        reading.join()
        manifest = build_manifest(command, plan.parameters, plan.facts, code_state, stages,
                                  outputs, run_facts)
        manifest["validation_engine"] = settings.rules.validation_engine  # what ran the suites
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
        # every kernel gone first: a stage stopped mid-way (a signal, a failure beside it)
        # must not write into the staging folder again once it is discarded
        if stopping is not None:
            stopping.join()
        kernels.stop()
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
    ``<reports>/.failed/<meeting>/``, and name it there; None if it names none in staging.
    One it names in staging that was never written (its kernel died first) is not named."""
    named = Path(str(exc.context.get("notebook", "")))
    if root not in named.parents:
        return None
    if not named.is_file():
        return type(exc)(exc.message, **{key: value for key, value in exc.context.items()
                                          if key != "notebook"})
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
