"""The lock file and the installed versions: what a run records, what a rerun compares.

``requirements.lock`` (at the project root, made by ``uv pip compile``; the README's
"Supported systems, installing" gives the command) pins every package the pipeline and its
tests install, with hashes. A run's manifest records the lock's sha256 and which installed
versions differ from its pins; ``laa rerun`` compares the versions installed now with the
manifest's and says how to install the run's (:func:`version_differences`,
:func:`install_command`).

Nothing here imports pandas: checking a manifest stays cheap.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.digest import sha256_file

LOCK_NAME = "requirements.lock"
# Installers' own packages: their versions do not change a run's outputs.
TOOLING = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools"})
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def canonical_name(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503): ``ruamel.yaml`` -> ``ruamel-yaml``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(text: str) -> dict[str, str]:
    """The pins of a lock file's text, ``{canonical name: version}`` (markers left out).

    Parameters
    ----------
    text
        A requirements file of ``name==version`` lines (continuation lines of hashes and
        ``#`` comments are skipped).
    """
    return {canonical_name(name): version for name, version in _PIN.findall(text)}


def lock_facts(root: Path, installed: dict[str, str]) -> dict[str, object] | None:
    """What a manifest records of the lock at ``root``: its sha256 and the packages installed
    at a version other than its pin (``name==pin (installed x)``); None when there is no lock
    (the package installed into another environment). A pin not installed is not listed:
    the lock's markers leave some out on some Pythons and systems.
    """
    path = root / LOCK_NAME
    if not path.is_file():
        return None
    pins = read_lock(path.read_text(encoding="utf-8"))
    have = {canonical_name(k): v for k, v in installed.items()}
    return {"file": LOCK_NAME, "sha256": sha256_file(path),
            "differs_from_installed": [
                f"{name}=={pin} (installed {have[name]})"
                for name, pin in sorted(pins.items()) if have.get(name, pin) != pin]}


def version_differences(recorded: dict[str, str],
                        installed: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """The run's packages installed now at another version, or not at all (pure).

    Returns ``(name, version recorded, version installed or None)``, by name; installers'
    own packages (pip, setuptools...) are left out, as are packages installed since the run.
    """
    have = {canonical_name(k): v for k, v in installed.items()}
    out = []
    for name, version in sorted(recorded.items()):
        key = canonical_name(name)
        if key not in TOOLING and have.get(key) != version:
            out.append((name, version, have.get(key)))
    return out


def install_command(differences: list[tuple[str, str, str | None]], python: str,
                    own: str = "laa-pipeline") -> str:
    """The ``pip install name==version ...`` that puts back the run's versions (pure).

    The pipeline itself (``own``) is left out: check out the run's commit for it.
    """
    pins = " ".join(f"{name}=={version}" for name, version, _ in differences
                    if canonical_name(name) != own)
    return f"{python} -m pip install {pins}" if pins else ""
