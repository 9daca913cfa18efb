"""Build the demo appendix (once per test session: the ``appendix_demo`` fixture of
conftest), with a district pack and hostile text.

The demo's run as the README gives it (``laa run --district Melton``) on a copy of the
shipped demo's data plus one later return that replaces indicator 7.21's commentary and
actions with text a partner could have typed (markup, script, a formula), leaving every
figure as it is. ``written`` lists the documents the appendix notebook's last cell renders
(:func:`pipeline.report.rendering.render_outputs`, tests/test_render_demo.py renders them
again from ``executed``); the six notebooks run one after another with papermill, without
``laa``, are tests/test_demo_run.py's.
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
    from tests.conftest import folders, laa

    data = root / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    _hostile_return(data / "returns")
    report = root / "reports" / MEETING
    started = time.perf_counter()
    run = laa("run", "--data-dir", str(data), "--period", PERIOD, "--meeting", MEETING,
              "--previous-period", PREVIOUS, "--district", DISTRICT, *folders(root),
              "--generated-at", STAMP)
    assert run.returncode == 0, run.stderr[-3000:]
    pack = report / "districts" / DISTRICT.lower()
    written = [report / "appendix.html", report / "appendix.pdf", report / "summary.html",
               report / "summary.pdf", pack / "district-pack.html", pack / "district-pack.pdf"]
    return {"root": root, "data": data, "report": report, "written": written,
            "seconds": {"run": time.perf_counter() - started}, "stdout": run.stdout,
            "executed": report / "notebooks" / "04_appendix.ipynb", "pack": pack}
