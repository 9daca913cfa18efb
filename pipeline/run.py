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


def execute_stage(settings: Settings, stage: str, notebook: str) -> Path:
    """Execute one stage notebook into ``<report>/notebooks/``; raise a LaaError on failure."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = settings.notebooks_dir / notebook
    executed = settings.report_dir / "notebooks" / notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=notebook_parameters(settings),
            kernel_name=KERNEL, progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_S, cwd=str(settings.project_root),
            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except PapermillExecutionError as exc:
        raise _error_from(exc, stage, executed) from None
    return executed


def run_pipeline(settings: Settings, stages: tuple[tuple[str, str], ...] = STAGES,
                 progress: Callable[[str], None] = print) -> RunResult:
    """Run the stages in order, then render the appendix if the appendix stage ran."""
    result = RunResult()
    total = len(stages)
    for number, (stage, notebook) in enumerate(stages, start=1):
        progress(f"[{number}/{total}] {stage} ...")
        started = time.perf_counter()
        result.executed[stage] = execute_stage(settings, stage, notebook)
        result.seconds[stage] = time.perf_counter() - started
        progress(f"[{number}/{total}] {stage} done in {result.seconds[stage]:.1f} s")
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
