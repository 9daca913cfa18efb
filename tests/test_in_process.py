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
