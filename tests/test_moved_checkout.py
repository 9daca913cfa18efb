"""Issue 23: the same bytes wherever the checkout is. The notebooks' folders are named from
the project root, so a checkout moved or copied elsewhere reuses every stage it ran and
rebuilds the same bytes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.run.manifest import deterministic_part, read_manifest
from tests.conftest import hashes, laa

MEETING = "2007-09-03"
STAMP = "2007-06-30T12:00:00"


def _laa(project: Path, *args: str):
    """``laa ARGS`` on ``project`` (from ``/``): it must succeed."""
    proc = laa(*args, env={**os.environ, "LAA_PROJECT_ROOT": str(project)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _outputs(project: Path) -> dict[str, str]:
    """sha256 of every file under reports/ and data/clean, but the run locks (which say who
    held them) and the manifest (its run-time facts; compared apart)."""
    return {f"{name}/{path}": sha for name in ("reports", "data/clean")
            for path, sha in hashes(project / name).items()
            if not Path(path).name.startswith(".laa-") and not path.endswith("manifest.json")}


@pytest.mark.slow
def test_a_moved_checkout_reuses_every_stage_and_rebuilds_the_same_bytes(laa1_project,
                                                                         tmp_path):
    # the first checkout: a copy of the project run there (``laa run --generated-at``, once
    # per session in conftest, read only here)
    first = laa1_project["project"]
    report = first / "reports" / MEETING
    manifest = read_manifest(report / "manifest.json")
    assert {k: manifest["parameters"][k] for k in ("data_dir", "clean_dir", "reports_dir")} \
        == {"data_dir": "data/raw", "clean_dir": "data/clean", "reports_dir": "reports"}
    executed = json.loads((report / "notebooks" / "02_validate.ipynb").read_text("utf-8"))
    assert executed["metadata"]["papermill"]["output_path"] == \
        f"reports/{MEETING}/notebooks/02_validate.ipynb"
    for folder in ("reports", "data/clean"):  # no output names the checkout's folder
        for path in (first / folder).rglob("*"):
            if path.is_file() and not path.name.startswith(".laa-"):
                assert str(first).encode() not in path.read_bytes(), path
    before, manifest_bytes = _outputs(first), (report / "manifest.json").read_bytes()

    moved = tmp_path / "somewhere-else" / "the-checkout"
    assert len(str(moved)) != len(str(first))
    shutil.copytree(first, moved)
    again = _laa(moved, "run", "--generated-at", STAMP)
    assert "up to date" in again.stdout and " ..." not in again.stdout, again.stdout
    assert _outputs(moved) == before
    assert (moved / "reports" / MEETING / "manifest.json").read_bytes() == manifest_bytes

    forced = _laa(moved, "run", "--generated-at", STAMP, "--force")
    assert "unchanged: reused" not in forced.stdout
    assert _outputs(moved) == before
    rebuilt = read_manifest(moved / "reports" / MEETING / "manifest.json")
    assert deterministic_part(rebuilt) == deterministic_part(manifest)
