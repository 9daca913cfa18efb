"""Issue 20, item 4: every ``laa`` command line the README and the docs show runs, in the
README's order and then the docs' pages in the order of mkdocs.yml's nav (so the README's demo
runs before the guides trace, rerun or report on it), on a copy of the project (so the
checkout's data/clean and reports are untouched), and exits 0, or the code its comment gives
(``# ... exit 5 ...``). A line added to the README or a page of docs/ is tested with no
change here."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.config import find_project_root

ROOT = find_project_root()
LAA = ".venv/bin/laa "
PLACEHOLDER = "/path/to/partnership"


def readme_commands(text: str) -> list[tuple[list[str], int]]:
    """Each ``laa`` command of the README's ``sh`` blocks (pure): its arguments, comments
    left out, and the exit code its comment gives (0 when it gives none)."""
    out = []
    for block in re.findall(r"```sh\n(.+?)\n```", text, re.S):
        for line in block.splitlines():
            if LAA not in line:
                continue
            command = line[line.index(LAA) + len(LAA):]
            comment = command.split("#", 1)[1] if "#" in command else ""
            code = re.search(r"\bexit (\d+)", comment)
            out.append((shlex.split(command, comments=True), int(code[1]) if code else 0))
    return out


def documented_pages() -> list[Path]:
    """README.md, then every page of mkdocs.yml's nav in its order."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(items) -> list[str]:
        out = []
        for item in items:
            value = item if isinstance(item, str) else next(iter(item.values()))
            out += walk(value) if isinstance(value, list) else [value]
        return out

    return [ROOT / "README.md"] + [ROOT / config["docs_dir"] / page
                                   for page in walk(config["nav"])]


def documented_commands() -> list[tuple[list[str], int]]:
    """Every ``laa`` command of the README and the docs, in running order."""
    return [command for page in documented_pages()
            for command in readme_commands(page.read_text(encoding="utf-8"))]


def test_the_nav_lists_every_page_of_the_docs():
    pages = documented_pages()
    assert pages[1] == ROOT / "docs" / "index.md"
    assert sorted(pages[1:]) == sorted((ROOT / "docs").rglob("*.md"))


def test_the_readme_commands_are_found():
    commands = documented_commands()
    assert (["run", "--district", "Melton"], 0) == commands[0]     # the demo, after set-up
    assert (["run", "--scenario", "options=approved"], 0) in commands
    assert (["checks"], 0) in commands and len(commands) >= 15
    assert readme_commands("```sh\n.venv/bin/laa run --x 'a b'  # exit 5 if bad\n```") == [
        (["run", "--x", "a b"], 5)]


def _project_copy(target: Path) -> Path:
    """The files a run reads, copied; empty data/clean and reports."""
    target.mkdir(parents=True)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    for folder in ("notebooks", "expectations", "data/raw"):
        shutil.copytree(ROOT / folder, target / folder)
    for folder in ("data/clean", "reports"):
        (target / folder).mkdir(parents=True)
    return target


@pytest.mark.slow
def test_every_laa_command_in_the_readme_and_docs_runs(tmp_path):
    project = _project_copy(tmp_path / "project")
    partnership = tmp_path / "partnership"
    env = {**os.environ, "LAA_PROJECT_ROOT": str(project)}
    ran = []
    for args, expected in documented_commands():
        args = [a.replace(PLACEHOLDER, str(partnership)) for a in args]
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env,
                              cwd=project, capture_output=True, text=True, timeout=600)
        assert proc.returncode == expected, (args, proc.stdout[-2000:], proc.stderr[-2000:])
        ran.append(args[0])
        if args[0] == "init":  # the officer fills the new folder in: here with the demo's
            for folder in ("register", "returns"):
                shutil.copytree(project / "data" / "raw" / folder, partnership / folder,
                                dirs_exist_ok=True)
    assert {"run", "validate", "init", "trace", "rerun", "templates", "status",
            "checks"} <= set(ran)
    # the outputs land where the README says
    assert (project / "reports" / "2007-09-03" / "appendix.html").is_file()
    assert (project / "reports" / "laa2" / "2009-03-09" / "appendix.html").is_file()
    assert (project / "data" / "clean" / "laa2" / "assessment.parquet").is_file()
