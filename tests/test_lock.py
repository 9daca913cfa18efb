"""The lock file (requirements.lock) pins every dependency within pyproject.toml's ranges, and
the README's commands and CI install from it."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.config import find_project_root
from pipeline.run.lock import LOCK_NAME, read_lock

ROOT = find_project_root()


def _ranges() -> dict[str, Requirement]:
    """pyproject.toml's dependencies and test extras, by canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    return {canonicalize_name(r.name): r for r in map(Requirement, wanted)}


def test_every_pyproject_dependency_is_pinned_within_its_range():
    pins = read_lock((ROOT / LOCK_NAME).read_text(encoding="utf-8"))
    ranges = _ranges()
    assert sorted(set(ranges) - set(pins)) == []
    outside = {name: pins[name] for name, req in ranges.items()
               if not req.specifier.contains(pins[name], prereleases=True)}
    assert outside == {}


def test_the_lock_pins_every_line_exactly_with_hashes():
    text = (ROOT / LOCK_NAME).read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9][^\s;\\]*)", text, flags=re.M)
    assert len(entries) > 50                              # the transitive ones too
    assert [e for e in entries if "==" not in e] == []
    assert len(read_lock(text)) == len(entries)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert [b.split()[0] for b in blocks if "--hash=sha256:" not in b] == []


def test_read_lock_takes_names_and_versions_and_leaves_out_comments_and_markers():
    text = ("# a comment\nJinja2==3.1.6 \\\n    --hash=sha256:ab\n    # via x\n"
            "ruamel.yaml==0.19.1\naiohttp==3.14.5 ; python_full_version == '3.12.*' \\\n"
            "    --hash=sha256:cd\n")
    assert read_lock(text) == {"jinja2": "3.1.6", "ruamel-yaml": "0.19.1",
                               "aiohttp": "3.14.5"}


def test_readme_and_ci_install_from_the_lock():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)[:2]
    for command in commands:
        assert f"pip install -q -r {LOCK_NAME}" in command
        assert "--no-deps -e '.[test]'" in command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()
