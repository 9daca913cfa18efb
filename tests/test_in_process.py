"""tests/in_process.py: a command called in the test's process answers as the ``laa``
program does (exit code, standard output and error), and leaves the process's environment
and folder as they were."""

from __future__ import annotations

import os

import pytest

from tests.conftest import laa
from tests.in_process import laa_here


@pytest.mark.parametrize("args", [
    ["run", "--help"],                                  # printed, exit 0
    ["run", "--period", "2006-07 Q9"],                  # refused by the command: exit 2
    ["run", "--no-such-option"],                        # refused by argparse: exit 2
    ["trace", "7.20", "--period", "2006-07 Q4", "--clean-dir", "/nonexistent/clean"],
])
def test_a_command_here_answers_as_the_program(args, tmp_path):
    env = {**os.environ, "LAA_PROJECT_ROOT": str(tmp_path / "nowhere")}   # no project there
    for environment in (None, env):
        here = laa_here(*args, env=environment)
        program = laa(*args, env=environment)
        assert (here.returncode, here.stdout, here.stderr) == (
            program.returncode, program.stdout, program.stderr), args


def test_the_environment_and_folder_are_put_back(tmp_path):
    before = dict(os.environ), os.getcwd()
    env = {**os.environ, "LAA_PROJECT_ROOT": str(tmp_path), "LAA_SOMETHING": "x"}
    proc = laa_here("run", "--period", "2006-07 Q9", env=env, cwd=tmp_path)
    assert proc.returncode == 2 and f"no project found at {tmp_path}" in proc.stderr
    assert (dict(os.environ), os.getcwd()) == before


_SELF_PIPE = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)   # a background job's, as under nohup ... &
sys.path.insert(0, sys.argv[1])
from tests.in_process import open_descriptors, opened_once_per_process
import pyarrow as pa, pyarrow.csv
opened_once_per_process()
before = open_descriptors()
signal.signal(signal.SIGINT, lambda *args: None)   # a test sets a handler, then a command reads
pyarrow.csv.read_csv(pa.BufferReader(b"a\\n1\\n"))
print(sorted(set(open_descriptors().items()) - set(before.items())))
"""


def test_what_a_library_opens_once_is_opened_first_whatever_sigint_is():
    """pyarrow's signal self-pipe is opened by ``opened_once_per_process`` even in a process
    that started with SIGINT ignored: a later command reading a CSV opens nothing more."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _SELF_PIPE, str(root)], capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
