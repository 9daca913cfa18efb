"""The run: stage notebooks executed by papermill (its only user), then the rendered appendix."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import errors
from pipeline.config import Settings
from pipeline.rendering import render_appendix_html

STAGES: tuple[tuple[str, str], ...] = (
    ("ingest", "01_ingest.ipynb"),
    ("validate", "02_validate.ipynb"),
    ("assess", "03_assess.ipynb"),
    ("appendix", "04_appendix.ipynb"),
)
KERNEL = "python3"
CELL_TIMEOUT_S = 600
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# Imported silently in each stage's kernel while earlier stages run: the notebook's own
# imports then cost nothing. Silent execution leaves no trace in the executed notebook.
WARM_IMPORTS = {
    "ingest": "import pandas, pipeline.ingest, pipeline.register, pipeline.store",
    "validate": "import pandas, pipeline.quality, pipeline.validation; pipeline.validation._gx()",
    "assess": "import pandas, pipeline.assessment, pipeline.tables, pipeline.store",
    "appendix": "import pandas, IPython.display, pipeline.present, pipeline.tables",
}


@dataclass
class RunResult:
    """What a run produced: the executed notebooks, the appendix and each stage's seconds."""

    executed: dict[str, Path] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def notebook_parameters(settings: Settings) -> dict[str, str]:
    """The values injected into each notebook's ``parameters`` cell."""
    return {
        "period": settings.period,
        "meeting": settings.meeting,
        "data_dir": str(settings.data_dir),
        "clean_dir": str(settings.clean_dir),
        "reports_dir": str(settings.reports_dir),
        "generated_at": settings.generated_at,
    }


def _error_from(exc: Exception, stage: str, executed: Path) -> errors.LaaError:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    kind = getattr(errors, ename, None)
    if isinstance(kind, type) and issubclass(kind, errors.LaaError):
        error = kind(f"{evalue}", stage=stage)
    else:
        error = errors.StageFailed(f"{ename}: {evalue}", stage=stage,
                                   notebook=str(executed))
    return error


def start_kernels(settings: Settings, stages: tuple[tuple[str, str], ...]) -> dict:
    """Start one warm kernel per stage, all at once, so start-up overlaps earlier stages."""
    from jupyter_client.manager import KernelManager

    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    kernels = {}
    for stage, _ in stages:
        manager = KernelManager(kernel_name=KERNEL)
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(settings.project_root))
        if stage in WARM_IMPORTS:
            client = manager.client()
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False)
            client.execute(WARM_IMPORTS[stage], silent=True, store_history=False)
            client.stop_channels()
        kernels[stage] = manager
    return kernels


def stop_kernels(kernels: dict) -> None:
    """Shut every kernel down, whatever state it is in."""
    for manager in kernels.values():
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)


def execute_stage(settings: Settings, stage: str, notebook: str, kernel=None) -> Path:
    """Execute one stage notebook into ``<report>/notebooks/``; raise a LaaError on failure.

    ``kernel`` is a started kernel manager (see :func:`start_kernels`); without one,
    papermill starts a fresh kernel.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = settings.notebooks_dir / notebook
    executed = settings.report_dir / "notebooks" / notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    extra = {"km": kernel} if kernel is not None else {"extra_arguments": KERNEL_ARGS}
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=notebook_parameters(settings),
            kernel_name=KERNEL, progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_S, cwd=str(settings.project_root), **extra)
    except PapermillExecutionError as exc:
        raise _error_from(exc, stage, executed) from None
    return executed


def run_pipeline(settings: Settings, stages: tuple[tuple[str, str], ...] = STAGES,
                 progress: Callable[[str], None] = print) -> RunResult:
    """Run the stages in order, then render the appendix if the appendix stage ran."""
    result = RunResult()
    total = len(stages)
    kernels = start_kernels(settings, stages)
    try:
        for number, (stage, notebook) in enumerate(stages, start=1):
            progress(f"[{number}/{total}] {stage} ...")
            started = time.perf_counter()
            result.executed[stage] = execute_stage(settings, stage, notebook, kernels[stage])
            result.seconds[stage] = time.perf_counter() - started
            kernels.pop(stage).shutdown_kernel(now=True)
            progress(f"[{number}/{total}] {stage} done in {result.seconds[stage]:.1f} s")
    finally:
        stop_kernels(kernels)
    if "appendix" in result.executed:
        started = time.perf_counter()
        html = render_appendix_html(
            result.executed["appendix"], settings.report_dir / "appendix.html",
            title=f"Self-assessment appendix, {settings.period}, meeting {settings.meeting}",
            running_header=f"Self-assessment {settings.period} - Board {settings.meeting}")
        result.seconds["render"] = time.perf_counter() - started
        result.outputs.append(html)
        progress(f"appendix written to {html}")
    return result
