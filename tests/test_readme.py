"""The README's two commands stay true: CI runs the README's test command verbatim."""

from __future__ import annotations

import re

from pipeline.config import find_project_root

ROOT = find_project_root()


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_demo_and_test_commands():
    demo, tests = _commands()
    assert demo.startswith("python3 -m venv .venv")
    assert demo.endswith(".venv/bin/laa run --district Melton")
    assert tests.startswith("python3 -m venv .venv")
    # the suite on every core, each test file in one worker (its module fixtures built once)
    assert tests.endswith(".venv/bin/pytest -n auto --dist loadfile")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci
