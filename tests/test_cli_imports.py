"""What ``laa`` loads for a command that runs no stage (issue 23, item 6; pipeline/cli,
pipeline/run/audit.py, covering_run.py, trace.py): its help and a refused parameter load
none of the data or document libraries (a refused ``laa report`` not its Word engine), and
``laa trace`` and ``audit`` none of the engines only a run needs (papermill, nbconvert and
the kernels' stack), nor a document engine another command uses. Each command runs in a
fresh Python (its ``main``, as the ``laa`` program calls it), which then prints the
top-level packages it had imported.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, folders

DATA = ("pandas", "numpy", "pyarrow", "openpyxl", "docx", "typst", "pikepdf")
RUN_ONLY = ("papermill", "nbconvert", "nbformat", "nbclient", "jupyter_client", "ipykernel",
            "great_expectations")
WATCHED = (*DATA, *RUN_ONLY, "pydantic")
PROBE = ("import sys\nfrom pipeline.cli import main\n"
         "try:\n    code = main(sys.argv[1:])\nfinally:  # --help exits in argparse\n"
         f"    watched = set({WATCHED!r})\n"
         "    print('loaded:', *sorted({n.split('.')[0] for n in sys.modules} & watched))\n"
         "sys.exit(code)\n")


def _loaded(*args: str) -> tuple[int, set[str], str]:
    """The exit code of ``laa ARGS``, the packages of :data:`WATCHED` it imported, and
    what it printed to stderr."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    last = proc.stdout.strip().splitlines()[-1].split()
    assert last[:1] == ["loaded:"], proc.stdout[-500:] + proc.stderr[-2000:]
    return proc.returncode, set(last[1:]), proc.stderr


@pytest.mark.parametrize("args, code, allowed", [
    (["--help"], 0, set()),
    (["run", "--period", "2099 Q9"], 2, set()),
    (["audit", "--sample", "0"], 2, set()),
    (["audit", "--seed", "-1"], 2, set()),
    (["report", "--meeting", "2001-01-01"], 2, {"pydantic"}),
], ids=["help", "run-bad-period", "audit-sample-0", "audit-bad-seed", "report-unrun"])
def test_help_and_refusals_load_no_data_or_document_library(args, code, allowed, tmp_path):
    """Refused before any data is read: the help, a malformed period, a sample of none or a
    negative seed load nothing heavy; a meeting with no run published is refused once the
    settings (and their rules) are read, with no pandas, docx or papermill."""
    given = [*args, *folders(tmp_path)] if args[0] == "report" else args
    exit_code, loaded, err = _loaded(*given)
    assert exit_code == code, err
    assert loaded <= allowed, f"laa {' '.join(args)} imported {sorted(loaded - allowed)}"


@pytest.fixture(scope="module")
def published(laa1_run, tmp_path_factory):
    """The session's LAA1 run copied (``laa audit`` writes beside it)."""
    out = tmp_path_factory.mktemp("imports-laa1")
    for name in ("clean", "reports"):
        shutil.copytree(laa1_run[name], out / name)
    return out


@pytest.mark.parametrize("command, uses", [
    (["trace", "7.20"], {"openpyxl"}),
    (["audit", "--sample", "1"], {"openpyxl", "typst", "pikepdf"}),
], ids=["trace", "audit"])
def test_trace_and_audit_load_none_of_a_runs_engines(published, command, uses):
    """``laa trace`` reads the raw returns (openpyxl), ``audit`` writes a PDF and a
    workbook: each loads what it uses and no engine of a run (papermill, nbconvert,
    nbformat, the kernels' clients) or of another command's documents (python-docx)."""
    uses |= {"pandas", "numpy", "pyarrow", "pydantic"}   # the frames, the rules
    exit_code, loaded, err = _loaded(*command, *folders(published))
    assert exit_code == 0, err
    assert loaded <= uses, f"laa {command[0]} imported {sorted(loaded - uses)}"
