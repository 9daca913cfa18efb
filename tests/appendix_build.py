"""Build the demo appendix (once per test session: the ``appendix_demo`` fixture of
conftest), with a district pack and hostile text.

The six stage notebooks are executed here with papermill, one after another (the appendix
with ``formats``, ``district`` and ``theme``, its tables with ``district`` and ``theme``)
and then :func:`pipeline.report.rendering.render_outputs` is called, which is what the
appendix notebook's last cell does with what it displayed. The data are
a copy of the shipped demo plus one later return that replaces indicator 7.21's commentary
and actions with text a partner could have typed (markup, script, a formula), leaving
every figure as it is.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from pipeline.config import find_project_root

ROOT = find_project_root()
STAMP = "2007-06-30T12:00:00"
PERIOD, MEETING, PREVIOUS = "2006-07 Q4", "2007-09-03", "2006-07 Q2"
DISTRICT = "Melton"
HOSTILE_COMMENTARY = ("<script>window.__pwned = 1; console.error('pwned')</script>"
                      "<img src=x onerror=\"window.__pwned = 2\">Theft <b>up</b> & rising")
HOSTILE_ACTIONS = '=HYPERLINK("http://example.invalid/","click me")'
NOTEBOOKS = ("01_ingest.ipynb", "02_validate.ipynb", "02_benchmark.ipynb", "03_assess.ipynb",
             "04_appendix.ipynb", "04_tables.ipynb")


def _hostile_return(folder: Path) -> None:
    import csv

    with (folder / "2006-07_Q4_leicestershire_constabulary_commentary.csv").open(
            "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["partner", "indicator_id", "period", "geography", "value",
                         "data_status", "lead_rag", "commentary", "actions", "submitted_by",
                         "submitted_at"])
        writer.writerow(["Leicestershire Constabulary", "7.21", PERIOD, "county", "690",
                         "final", "R", HOSTILE_COMMENTARY, HOSTILE_ACTIONS, "Gary Whitworth",
                         "2007-05-14T16:00:00"])


def build_demo(root: Path) -> dict[str, object]:
    """Run the demo into ``root`` and return where everything is."""
    import papermill

    from pipeline.report.rendering import render_outputs

    data = root / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    _hostile_return(data / "returns")
    reports = root / "reports"
    report = reports / MEETING
    (report / "notebooks").mkdir(parents=True)
    parameters = {"period": PERIOD, "meeting": MEETING, "previous_period": PREVIOUS,
                  "data_dir": str(data), "clean_dir": str(root / "clean"),
                  "reports_dir": str(reports), "generated_at": STAMP}
    seconds = {}
    for notebook in NOTEBOOKS:
        extra = ({"theme": "", "district": DISTRICT} if notebook.startswith("04") else {})
        if notebook == "04_appendix.ipynb":
            extra["formats"] = "html,pdf"
        started = time.perf_counter()
        papermill.execute_notebook(
            str(ROOT / "notebooks" / notebook), str(report / "notebooks" / notebook),
            parameters={**parameters, **extra}, kernel_name="python3", progress_bar=False,
            log_output=False, execution_timeout=600, cwd=str(ROOT))
        seconds[notebook] = time.perf_counter() - started
    started = time.perf_counter()
    written = render_outputs(report / "notebooks" / "04_appendix.ipynb", report)
    seconds["render"] = time.perf_counter() - started
    built = {"root": root, "data": data, "report": report, "written": written,
             "seconds": seconds, "executed": report / "notebooks" / "04_appendix.ipynb",
             "pack": report / "districts" / "melton"}
    return built
