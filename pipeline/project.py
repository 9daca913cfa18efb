"""Where the project is: the package's folder and the project root (a base module that
imports nothing heavy, so ``laa`` can find the root before it loads its configuration)."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


def find_project_root() -> Path:
    """The project root: ``$LAA_PROJECT_ROOT``, else the folder holding the package.

    Never the current directory, so a run behaves the same wherever it starts.
    """
    env = os.environ.get("LAA_PROJECT_ROOT")
    root = Path(env).resolve() if env else PACKAGE_DIR.parent
    if not (root / "pyproject.toml").is_file():
        raise ConfigError(f"no project found at {root}: set LAA_PROJECT_ROOT to the checkout")
    return root
