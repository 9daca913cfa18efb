"""The run's checks of its parameters made by its fork server, in a child forked once the
first stage's modules are in: ``laa`` imports neither pandas nor the register for them, and
says the same warnings and errors as when it makes them itself
(pipeline/run/inputs_check.py, pipeline/run/fork_server.py, pipeline/cli)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import errors
from pipeline.run import kernel_forks
from pipeline.run.inputs_check import InputsCheck, answer, check_inputs, findings_from
from tests.test_kernel_forks import _all_gone

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "data" / "mini"
REGISTER = str(ROOT / "data" / "raw" / "register")


@pytest.fixture(autouse=True)
def _forking(monkeypatch):
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)


def _warned_copy(tmp_path: Path) -> Path:
    """The mini register with an unknown column in targets.csv (one warning)."""
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    targets = data / "register" / "targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines()
    targets.write_text("\n".join([lines[0] + ",note"] + [line + ",x" for line in lines[1:]])
                       + "\n", encoding="utf-8")
    return data


def test_an_answer_carries_the_warnings_and_the_error_as_raised_here(tmp_path):
    data = _warned_copy(tmp_path)
    for check in (InputsCheck(str(data / "register"), "1999-00"),           # period refused
                  InputsCheck(REGISTER, "2006-07 Q4", district="Nowhere"),  # unknown key
                  InputsCheck(REGISTER, "2006-07 Q4", theme="Older People", district="Melton"),
                  InputsCheck(str(tmp_path / "none"), "2006-07 Q4")):       # no register
        here, there = check_inputs(check), findings_from(answer(check.payload()))
        assert there is not None and there.warnings == here.warnings
        assert type(there.error) is type(here.error)
        assert str(there.error) == str(here.error)
        if here.error is not None:
            assert there.error.exit_code == here.error.exit_code
    assert check_inputs(InputsCheck(str(data / "register"), "1999-00")).warnings == [
        "unknown column 'note' ignored (file targets.csv, column note)"]


def test_no_answer_or_a_failed_one_leaves_the_checks_to_the_run():
    assert findings_from(None) is None and findings_from(b"") is None
    assert findings_from(answer({"register_dir": REGISTER})) is None   # no period: failed
    assert json.loads(answer({"register_dir": REGISTER}))["failed"].startswith("TypeError")
    foreign = {"warnings": [], "error": {"kind": "ValueError", "message": "x", "context": {}}}
    assert findings_from(json.dumps(foreign).encode()) is None


def test_the_fork_server_answers_the_checks_sent_with_its_warm_ups():
    check = InputsCheck(REGISTER, "2099-00 Q1")
    server, why = kernel_forks.start(str(ROOT), [("one", "import pandas\n")], check.payload())
    assert server is not None, why
    try:
        found = findings_from(server.check_answer())
        assert found is not None and isinstance(found.error, errors.ConfigError)
        assert str(found.error) == str(check_inputs(check).error)
        assert server.check_answer() is None                    # read once
        checker = [int(p) for p in Path(f"/proc/{server.process.pid}/task/"
                                        f"{server.process.pid}/children").read_text().split()]
        assert _all_gone(checker, seconds=5)                    # the child is reaped
    finally:
        server.stop()
    plain, _ = kernel_forks.start(str(ROOT), [("one", "")])     # none sent: none waited for
    try:
        assert plain.check_answer(timeout=1) is None
    finally:
        plain.stop()


def test_a_server_that_cannot_fork_sends_no_answer():
    threaded = ("import threading, time\n"
                "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    server, why = kernel_forks.start(str(ROOT), [("one", threaded)],
                                     InputsCheck(REGISTER, "2006-07 Q4").payload())
    assert server is not None, why
    try:
        assert server.check_answer() is None
    finally:
        server.stop()


_RUN = """
import sys
from pipeline.cli import main
code = main(sys.argv[1:])
print(code, sorted(m for m in ("pandas", "pipeline.inputs.register") if m in sys.modules))
"""


def test_a_run_with_kernels_to_start_has_its_checks_made_by_the_server(tmp_path):
    """The refused period is said as before (the warning first), without pandas or the
    register's reader imported in the run's own process; with plain kernels it makes the
    checks itself and says the same."""
    data = _warned_copy(tmp_path)
    args = ["run", "--force", "--data-dir", str(data), "--period", "1999-00", "--meeting",
            "2007-07-01", "--clean-dir", str(tmp_path / "clean"), "--reports-dir",
            str(tmp_path / "reports")]
    said = []
    for plain in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k != kernel_forks.PLAIN_VARIABLE}
        env.update({kernel_forks.PLAIN_VARIABLE: plain} if plain else {})
        proc = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True,
                              text=True, timeout=300, cwd="/", env=env)
        said.append((proc.stdout.strip().splitlines()[-1], proc.stderr))
    assert said[0][0] == "2 []"                                   # made by the server
    assert said[1][0] == "2 ['pandas', 'pipeline.inputs.register']"  # made here
    assert said[0][1] == said[1][1] == (
        "laa run: warning: unknown column 'note' ignored (file targets.csv, column note)\n"
        "laa run failed: period 1999-00 is outside the agreement: targets and baselines "
        "cover 2005-06 to 2006-07\n")
    assert not (tmp_path / "clean").exists()


_READIED = """
import sys
from pathlib import Path
import nbformat.validator
from pipeline.run.execute import StageKernels
kernels = StageKernels.__new__(StageKernels)   # no kernel started: only its readying
kernels._readied, kernels._notebooks = False, {"ingest": Path("notebooks/01_ingest.ipynb")}
before = len(nbformat.validator.validators)
kernels._ready_papermill("ingest")
print("papermill" in sys.modules, before, len(nbformat.validator.validators))
"""


def test_papermill_is_readied_while_the_run_waits_for_a_kernel():
    """papermill imported and the first notebook's validator compiled while ``laa`` waits
    (for the checks' answer or the kernel's warm-up), not when the first stage starts."""
    proc = subprocess.run([sys.executable, "-c", _READIED], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=True)
    assert proc.stdout.split() == ["True", "0", "1"]
