"""Issue 23: the same bytes wherever the checkout is. The notebooks' folders are named from
the project root, so a checkout moved or copied elsewhere reuses every stage it ran and
rebuilds the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.run.manifest import deterministic_part, read_manifest
from tests.conftest import hashes

MEETING = "2007-09-03"


def _stable(found: dict[str, dict[str, str]]) -> dict[str, str]:
    """sha256 of every file under reports/ and data/clean (``found``: each folder's
    :func:`tests.conftest.hashes`), but the run locks (which say who held them) and the
    manifest (its run-time facts; compared apart)."""
    return {f"{name}/{path}": sha for name, files in found.items()
            for path, sha in files.items()
            if not Path(path).name.startswith(".laa-") and not path.endswith("manifest.json")}


def _outputs(project: Path) -> dict[str, str]:
    return _stable({name: hashes(project / name) for name in ("reports", "data/clean")})


@pytest.mark.slow
def test_a_moved_checkout_reuses_every_stage_and_rebuilds_the_same_bytes(laa1_project,
                                                                         laa1_moved):
    # the first checkout: a copy of the project run there (``laa run --generated-at``), and
    # the same copied elsewhere, run again, then forced: once per session in conftest
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

    moved = laa1_moved["project"]
    assert laa1_moved["first"] == first and len(str(moved)) != len(str(first))
    again = laa1_moved["again_stdout"]   # `laa run --generated-at` in the moved copy
    assert "up to date" in again and " ..." not in again, again
    assert _stable(laa1_moved["again_hashes"]) == before
    assert laa1_moved["again_manifest"] == manifest_bytes

    forced = laa1_moved["forced_stdout"]   # then with --force
    assert "unchanged: reused" not in forced
    assert _outputs(moved) == before
    rebuilt = read_manifest(moved / "reports" / MEETING / "manifest.json")
    assert deterministic_part(rebuilt) == deterministic_part(manifest)
