"""Executing stage notebooks: papermill (its only user) in warm kernels started up front."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipeline import errors
from pipeline.config import Settings

KERNEL = "python3"
CELL_TIMEOUT_S = 600
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# Each stage's kernel silently runs its notebook's own import lines (read from the notebook,
# so they follow its changes) while earlier stages run: the notebook's imports then cost
# nothing. They run inside a function, so no name is left behind, and silent execution
# leaves no trace in the executed notebook. Extra warm-ups for what a module imports lazily:
WARM_EXTRA = {
    "validate": "import pipeline.quality.gx as v\n"
                "if hasattr(v, '_gx'):\n    v._gx()",
}


APPENDIX_ONLY = ("formats", "theme", "district", "compare_with")


def notebook_parameters(settings: Settings, stage: str | None = None) -> dict[str, str]:
    """The values injected into a stage notebook's ``parameters`` cell.

    The appendix's own options (formats, theme filter, district, comparator group) go to
    the appendix stage only (and to ``stage=None``, the run's full parameter set), so that
    changing them reuses ingest, validation and assessment.
    """
    given = {
        "period": settings.period,
        "meeting": settings.meeting,
        "previous_period": settings.previous_period,
        "data_dir": str(settings.data_dir),
        "clean_dir": str(settings.clean_dir),
        "reports_dir": str(settings.reports_dir),
        "generated_at": settings.generated_at,
    }
    if stage in (None, "appendix"):
        given.update({name: getattr(settings, name) for name in APPENDIX_ONLY})
    return given


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


def warm_code(notebook: Path, extra: str = "") -> str:
    """The code a stage's kernel runs before its turn: the notebook's imports, in a function.

    Import statements are read from the notebook's code cells (top level only); cells that
    do not parse are skipped. Returns code that defines, calls and deletes the function.
    """
    import ast
    import json

    lines = ["import pandas"]
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        cells = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, ast.Import | ast.ImportFrom)
                  and not any(alias.name == "*" for alias in node.names)
                  and getattr(node, "module", "") != "__future__"]
    lines += extra.splitlines()
    body = "\n".join("    " + line for line in lines)
    return f"def _laa_warm():\n{body}\n\n_laa_warm()\ndel _laa_warm\n"


def start_kernels(settings: Settings, stages: tuple[tuple[str, str], ...]) -> dict:
    """Start one warm kernel per stage, all at once, so start-up overlaps earlier stages."""
    from jupyter_client.manager import KernelManager

    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    kernels = {}
    try:
        for stage, notebook in stages:
            manager = KernelManager(kernel_name=KERNEL)
            manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(settings.project_root))
            kernels[stage] = manager
            client = manager.client()
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False)
            client.execute(warm_code(settings.notebooks_dir / notebook,
                                     WARM_EXTRA.get(stage, "")),
                           silent=True, store_history=False)
            client.stop_channels()
    except BaseException:  # interrupted or failed while starting: stop what did start
        stop_kernels(kernels)
        raise
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
            str(source), str(executed), parameters=notebook_parameters(settings, stage),
            kernel_name=KERNEL, progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_S, cwd=str(settings.project_root), **extra)
    except PapermillExecutionError as exc:
        raise _error_from(exc, stage, executed) from None
    return executed
