"""The ``laa`` command lines the README and the docs show, and the chains they run in.

The commands are read from README.md and then the docs' pages in the order of mkdocs.yml's
nav. They are run (tests/test_readme_commands*.py) in independent chains, each on its own
copy of the project, so the chains can run on different pytest-xdist workers; within a
chain the pages' order is kept (the demo runs before the guides trace, rerun or report on
it). :func:`chain_of` puts each command in a chain by what it needs, so a line added to a
page is tested with no change to the tests (a command needing a new chain fails
``test_every_documented_command_runs_in_one_chain``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from pipeline.config import find_project_root

ROOT = find_project_root()
LAA = ".venv/bin/laa "
PLACEHOLDER = "/path/to/partnership"
# run options that change what the demo's run publishes, not which run it is
VARIANTS = ("--force", "--theme", "--scenario", "--compare-with", "--previous-period", "--help")
CHAINS = {
    "demo": "the README's demo run, then what traces, reruns, prints, reports or audits it",
    "variants": "the demo's run forced and with each option (one run after another)",
    "partnership": "a new partnership: laa init, filled from the demo, validated and run",
    "partners": "the partners' guide: templates, the chase list, the checks",
    "data/raw/laa2": "the LAA2 demo's run and what audits it",
}


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


def chain_of(args: list[str]) -> str:
    """The chain a command runs in (pure): by its ``--data-dir`` (a partnership of its
    own), ``init`` with the partnership it sets up, the partners' commands (they read the
    demo's register and returns only), a ``run`` of the demo with an option of
    :data:`VARIANTS` (it needs no run before it), else the demo's chain."""
    data_dir = args[args.index("--data-dir") + 1] if "--data-dir" in args else None
    if args[0] == "init" or data_dir == PLACEHOLDER:
        return "partnership"
    if data_dir:
        return data_dir
    if args[0] in ("templates", "status", "checks"):
        return "partners"
    options = {a.split("=", 1)[0] for a in args[1:] if a.startswith("--")}
    if args[0] == "run" and options and options <= set(VARIANTS):
        return "variants"
    return "demo"


def chain(name: str) -> list[tuple[list[str], int]]:
    """The documented commands of chain ``name``, in running order."""
    return [(args, code) for args, code in documented_commands() if chain_of(args) == name]


def project_copy(target: Path) -> Path:
    """The files a run reads, copied; empty data/clean and reports."""
    target.mkdir(parents=True)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    for folder in ("notebooks", "expectations", "data/raw"):
        shutil.copytree(ROOT / folder, target / folder)
    for folder in ("data/clean", "reports"):
        (target / folder).mkdir(parents=True)
    return target


def run_chain(name: str, tmp_path: Path) -> tuple[Path, list[str]]:
    """Run chain ``name``'s commands in order on a fresh copy of the project, each
    asserted to exit with the code its page gives; the project and the commands run."""
    project = project_copy(tmp_path / "project")
    partnership = tmp_path / "partnership"
    env = {**os.environ, "LAA_PROJECT_ROOT": str(project)}
    ran = []
    commands = chain(name)
    assert commands, f"no documented command in the chain {name!r}"
    for args, expected in commands:
        args = [a.replace(PLACEHOLDER, str(partnership)) for a in args]
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env,
                              cwd=project, capture_output=True, text=True, timeout=600)
        assert proc.returncode == expected, (args, proc.stdout[-2000:], proc.stderr[-2000:])
        ran.append(args[0])
        if args[0] == "init":  # the officer fills the new folder in: here with the demo's
            for folder in ("register", "returns"):
                shutil.copytree(project / "data" / "raw" / folder, partnership / folder,
                                dirs_exist_ok=True)
    return project, ran
