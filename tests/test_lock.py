"""The lock file (requirements.lock) pins every dependency within pyproject.toml's ranges, and
the README's commands and CI install from it."""

from __future__ import annotations

import re
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.config import find_project_root
from pipeline.digest import sha256_file
from pipeline.run.lock import (
    LOCK_NAME,
    install_command,
    lock_facts,
    read_lock,
    version_differences,
)
from pipeline.run.manifest import environment
from pipeline.run.rerun import version_notes

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


def test_lock_facts_record_the_locks_sha256_and_versions_other_than_its_pins(tmp_path):
    assert lock_facts(tmp_path, {"pandas": "3.1.1"}) is None          # no lock: nothing
    (tmp_path / LOCK_NAME).write_text("pandas==3.1.1 \\\n    --hash=sha256:ab\nnumpy==2.4.6\n"
                                      "aiohttp==3.14.5 ; python_full_version == '3.12.*'\n")
    facts = lock_facts(tmp_path, {"pandas": "3.1.1", "numpy": "2.3.0", "uv": "0.13.9"})
    assert facts == {"file": LOCK_NAME, "sha256": sha256_file(tmp_path / LOCK_NAME),
                     "differs_from_installed": ["numpy==2.4.6 (installed 2.3.0)"]}


def test_the_manifest_environment_records_the_lock_and_the_versions():
    env = environment()
    assert env["lock"]["sha256"] == sha256_file(ROOT / LOCK_NAME)
    assert env["packages"]["pandas"] == read_lock(
        (ROOT / LOCK_NAME).read_text(encoding="utf-8"))["pandas"]


def test_version_differences_name_changed_and_missing_packages_but_not_installers():
    recorded = {"pandas": "2.2.3", "numpy": "2.4.6", "ruamel.yaml": "0.19.1", "pip": "24.0",
                "laa-pipeline": "0.1.0", "gone": "1.0"}
    installed = {"pandas": "3.1.1", "numpy": "2.4.6", "ruamel-yaml": "0.19.1", "pip": "25.1",
                 "laa-pipeline": "0.1.0", "new": "2.0"}
    differences = version_differences(recorded, installed)
    assert differences == [("gone", "1.0", None), ("pandas", "2.2.3", "3.1.1")]
    assert install_command(differences, "/x/.venv/bin/python") == (
        "/x/.venv/bin/python -m pip install gone==1.0 pandas==2.2.3")
    assert version_differences(recorded, recorded) == []
    assert install_command([], "python") == ""


def test_rerun_warns_naming_the_versions_that_differ_and_how_to_install_the_runs():
    now = environment()
    run_env = {**now, "packages": {**now["packages"], "pandas": "2.2.3"}}
    notes = version_notes(run_env, now)
    assert notes == [
        f"warning: 1 package differs from the run's (pandas 2.2.3 at the run, "
        f"{now['packages']['pandas']} installed): outputs may differ (the outputs check "
        f"decides); to install the run's: {sys.executable} -m pip install pandas==2.2.3"]
    gone = version_notes({**now, "packages": {**now["packages"], "gone": "1.0"}}, now)
    assert "(gone 1.0 at the run, not installed)" in gone[0]
    assert version_notes(now, now) == []
    older = version_notes({**now, "python": "3.11.0"}, now)
    assert older == [f"warning: this is Python {now['python']}, the run's was 3.11.0; "
                     f"outputs may differ (the outputs check decides)"]
