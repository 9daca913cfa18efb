"""What each stage's kernel runs before its turn (its warm-up): the notebook's imports, the
lazy imports of the modules it calls and the run's register, read once where the kernels are
forked (:mod:`pipeline.run.kernel_forks`), so a stage's cells find them done; and when each
stage's kernel is started, so its warm-up runs while an earlier step runs
(:func:`kernels_due`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

# Each stage's kernel silently runs its notebook's own import lines (read from the notebook,
# so they follow its changes) while earlier stages run: the notebook's imports then cost
# nothing. They run inside a function, so no name is left behind, and silent execution
# leaves no trace in the executed notebook. Extra warm-ups for what a module imports lazily
# (Great Expectations) and for the templates compiled on first use (the appendix's kernel
# has time for them while the assess stage runs; validation's has none: it is the one the
# run waits for):
_WARM_GX = "import pipeline.quality.engines as v\nif hasattr(v, 'warm_up'):\n    v.warm_up()"
_WARM_DOCUMENTS = "import pipeline.report.rendering as r\nif hasattr(r, 'warm_up'):\n" \
                  "    r.warm_up()"
# statsmodels, imported where the benchmark's intervals are computed (pipeline.assess.uncertainty)
_WARM_INTERVALS = "import statsmodels.stats.proportion\nimport statsmodels.stats.rates"
# the rest of what pandas' parquet reader imports on its first read (every stage's warm-up
# imports pyarrow.dataset, :func:`warm_code`; pipeline.report.frames.load_appendix reads some
# twenty frames in both the appendix's and the tables' kernels), and the workbook writer's
# lazy imports (openpyxl: pipeline.report.export.warm_up)
_WARM_PARQUET = "import pyarrow.parquet"
_WARM_WORKBOOK = "import pipeline.report.export as x\nif hasattr(x, 'warm_up'):\n    x.warm_up()"
WARM_EXTRA = {"validate": _WARM_GX, "benchmark": _WARM_INTERVALS,
              "appendix": f"{_WARM_DOCUMENTS}\n{_WARM_PARQUET}",
              "tables": f"{_WARM_PARQUET}\n{_WARM_WORKBOOK}"}


def warm_register(register_dir: Path) -> str:
    """Warm-up code reading the run's register, which every stage reads: where the kernels
    are forked, the server reads it once and each kernel forked after finds it read
    (:func:`pipeline.inputs.register.load_register` keeps the last read of a folder while
    its files are unchanged). A register that cannot be read is left to the stage to
    report."""
    return ("from pipeline.inputs import register as _register\n"
            "try:\n"
            f"    _register.load_register(__import__('pathlib').Path({str(register_dir)!r}))\n"
            "except Exception:\n"
            "    pass")


def warm_code(notebook: Path, extra: str = "") -> str:
    """The code a stage's kernel runs before its turn: the notebook's imports, in a function.

    Import statements are read from the notebook's code cells (top level only); cells that
    do not parse are skipped. Returns code that defines, calls and deletes the function.
    """
    import ast
    import json

    lines = ["import pandas", "import pyarrow.dataset"]  # what the first read_parquet imports
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


AHEAD = 2  # plain kernels started and warming up ahead of the stages that will take them


def kernels_due(steps: Sequence[tuple[str, ...]], waiting: Sequence[str],
                started: Collection[str], forked: bool) -> list[str]:
    """The stages whose kernels are to start now, in stage order (pure).

    Parameters
    ----------
    steps
        The run's stages in steps (stages run at once share one), in order.
    waiting
        The stages that have neither taken their kernel nor been reused, in order.
    started
        The stages whose kernels are started.
    forked
        True when the kernels are forked by the run's fork server, which imports a
        stage's modules when its first kernel is asked for: then the kernels of the step
        after the last one begun (a stage of it taken or reused) are due, and at first
        those of the first two steps (the second's imports run while the first stage
        runs), so the server imports a step's modules beside the step before it, never
        beside two stages that keep both cores busy. Plain kernels, each
        importing its own modules, are started earlier: up to :data:`AHEAD` at a time.
    """
    if forked:
        begun = [n for n, step in enumerate(steps) if any(s not in waiting for s in step)]
        ahead = {s for step in steps[:begun[-1] + 2 if begun else 2] for s in step}
        return [s for s in waiting if s in ahead and s not in started]
    pending = sum(s in started for s in waiting)
    return [s for s in waiting if s not in started][:max(0, AHEAD - pending)]
