"""Benchmark ``laa run`` on the demo against a floor measured in the same run.

The floor is the least any papermill pipeline pays: a fresh Python process that executes a
one-cell notebook with papermill, then converts it to HTML with nbconvert. ``laa run`` is
timed with ``--force`` (every stage recomputed), then once more without it: nothing has
changed, so nothing is recomputed (``ratio_noop_rerun_vs_floor``, goal: at most 1.5). Where
the time goes is printed too: each stage's seconds (from the run's manifest) and the PDF
printing's share, timed by printing the published documents' HTML again. The last line
printed is ``ratio_vs_floor=<x>`` (goal: at most 3, every stage in a fresh kernel of its own:
forked from the run's fork server where the system allows, see pipeline/run/kernel_forks.py).

The package's bytecode is compiled first (``compileall``, into its ``__pycache__`` folders,
which git ignores), as an installed package has it: with ``PYTHONDONTWRITEBYTECODE`` set
(as in the project's shared sessions) every process of a run, the command and its six
kernels, would otherwise compile the package from source, about 2 s of CPU a run that
the floor, whose packages were compiled when installed, does not pay.

Usage: ``.venv/bin/python bench/bench_run.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_SCRIPT = """
import sys
import nbformat, papermill
from nbconvert import HTMLExporter
src, out, html = sys.argv[1:4]
nb = nbformat.v4.new_notebook()
nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
               "language": "python"}, "language_info": {"name": "python"}}
nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
nbformat.write(nb, src)
papermill.execute_notebook(src, out, kernel_name="python3", progress_bar=False)
body, _ = HTMLExporter().from_filename(out)
open(html, "w", encoding="utf-8").write(body)
"""


def time_command(command: list[str]) -> float:
    """Wall-clock seconds of one command; fails loudly if the command fails."""
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


def stage_seconds(manifest: Path) -> dict[str, tuple[float, float]]:
    """Each stage's start and end, in seconds from the first stage's start, as the run's
    manifest recorded them (a stage's time includes waiting for its kernel to warm up)."""
    import datetime as dt

    run = json.loads(manifest.read_text(encoding="utf-8"))["run"]
    zero = dt.datetime.fromisoformat(run["stages"][0]["started_at"])
    return {s["stage"]: ((dt.datetime.fromisoformat(s["started_at"]) - zero).total_seconds(),
                         (dt.datetime.fromisoformat(s["ended_at"]) - zero).total_seconds())
            for s in run["stages"]}


def pdf_seconds(report: Path) -> dict[str, float]:
    """Seconds to print each published document's HTML to PDF again, as the run does."""
    from pipeline.report.pdf import write_pdf

    out = {}
    for html in sorted(report.rglob("*.html")):
        if not html.with_suffix(".pdf").is_file():
            continue
        started = time.perf_counter()
        write_pdf(html.read_text(encoding="utf-8"), report.parent / "bench.pdf")
        out[html.relative_to(report).as_posix()] = time.perf_counter() - started
    return out


def main() -> None:
    """Measure the floor and ``laa run`` alternately, print medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    laa = Path(sys.executable).with_name("laa")
    package = Path(__file__).resolve().parent.parent / "pipeline"
    compileall.compile_dir(package, quiet=1)
    floors, runs, noops, stages, pdfs = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        command = [str(laa), "run", "--clean-dir", str(out / "clean"), "--reports-dir",
                   str(out / "reports"), "--generated-at", "2007-06-30T12:00:00"]
        for _ in range(args.repeat):
            floors.append(time_command([sys.executable, "-c", FLOOR_SCRIPT, str(out / "f.ipynb"),
                                        str(out / "f_out.ipynb"), str(out / "f.html")]))
            runs.append(time_command([*command, "--force"]))
            report = out / "reports" / "2007-09-03"
            stages.append(stage_seconds(report / "manifest.json"))
            noops.append(time_command(command))
        pdfs = [pdf_seconds(report) for _ in range(args.repeat)]
    floor, run, noop = (statistics.median(x) for x in (floors, runs, noops))
    print(f"floor_s={floor:.2f} (papermill one-cell notebook + nbconvert HTML, fresh process)")
    print(f"laa_run_s={run:.2f} (demo, --force: 6 notebooks in 4 steps, two of them two at "
          "once; the suites checked by the rules' engine, appendix and summary in HTML and "
          "tagged PDF)")
    print(f"laa_noop_rerun_s={noop:.2f} (the same run again: inputs unchanged, nothing recomputed)")
    print(f"runs={args.repeat} floor_all={[round(x, 2) for x in floors]} "
          f"run_all={[round(x, 2) for x in runs]} noop_all={[round(x, 2) for x in noops]}")
    for stage in stages[0]:  # validate and benchmark run at once, as do appendix and tables
        start = statistics.median(s[stage][0] for s in stages)
        end = statistics.median(s[stage][1] for s in stages)
        print(f"stage_{stage}_s={end - start:.2f} (from {start:.2f} to {end:.2f} s after "
              "the first stage started)")
    for document in pdfs[0]:
        print(f"pdf_{document.removesuffix('.html')}_s="
              f"{statistics.median(p[document] for p in pdfs):.2f}")
    pdf = statistics.median(sum(p.values()) for p in pdfs)
    print(f"pdf_s={pdf:.2f} (every PDF of the run, printed in one process: {100 * pdf / run:.0f}% "
          "of the run)")
    print(f"ratio_noop_rerun_vs_floor={noop / floor:.2f}")
    print(f"ratio_vs_floor={run / floor:.2f}")


if __name__ == "__main__":
    main()
