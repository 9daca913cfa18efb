"""A run with Great Expectations as the validation engine gives the default run's outputs.

The LAA1 demo run twice on one copy of its data, in the same folders: with the default
engine (``columnar``), then with ``[quality] validation_engine = "great_expectations"`` in the
data folder's ``register/rules.toml``. Every output is byte-identical but the data-quality
report, which names the engine, and differs in that sentence only. (LAA2's frames are
compared engine by engine in tests/test_columnar_engine.py.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from pipeline.config import find_project_root
from pipeline.report.quality_pages import ENGINE_NOTE
from tests.conftest import LAA1_STAMP, laa

ROOT = find_project_root()
MEETING = "2007-09-03"
PAGE = "report/data-quality/report.html"


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file the run wrote (not the manifest: it holds the run's times and the engine)."""
    found = {}
    for root in ("report", "clean"):
        folder = out / "reports" / MEETING if root == "report" else out / "clean"
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") \
                    and path.name != "manifest.json":
                found[f"{root}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return found


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}


@pytest.mark.slow
def test_a_run_with_great_expectations_gives_the_default_runs_outputs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    args = ["run", "--force", "--data-dir", str(data), "--period", "2006-07 Q4",
            "--meeting", MEETING, "--clean-dir", str(tmp_path / "clean"),
            "--reports-dir", str(tmp_path / "reports"), "--generated-at", LAA1_STAMP]
    runs = {}
    for engine in ("columnar", "great_expectations"):
        if engine != "columnar":
            (data / "register" / "rules.toml").write_text(
                f'[quality]\nvalidation_engine = "{engine}"\n', encoding="utf-8")
        proc = laa(*args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs[engine] = _outputs(tmp_path)
        manifest = json.loads((tmp_path / "reports" / MEETING / "manifest.json").read_text(
            encoding="utf-8"))
        assert manifest["validation_engine"] == engine  # the auditor sees what ran the suites
    fast, gx = runs["columnar"], runs["great_expectations"]
    assert len(fast) > 100 and set(fast) == set(gx)
    differ = sorted(k for k in fast if fast[k] != gx[k])
    assert differ == [PAGE], differ
    said = {name: str(escape(note)).encode("utf-8") for name, note in ENGINE_NOTE.items()}
    assert said["columnar"] in fast[PAGE] and said["great_expectations"] in gx[PAGE]
    assert fast[PAGE].replace(said["columnar"], said["great_expectations"]) == gx[PAGE]
    assert _digests({k: v for k, v in fast.items() if k != PAGE}) == \
        _digests({k: v for k, v in gx.items() if k != PAGE})
