"""A run with Great Expectations as the validation engine gives the default run's outputs.

The LAA1 demo as the README runs it with the default engine (``columnar``) is the session's
shared run (``laa1_run`` in tests/conftest.py); the same run is made once more on a copy of
the demo data with ``[quality] validation_engine = "great_expectations"`` in the copy's
``register/rules.toml``. Every output is byte-identical but the data-quality report, which
names the engine, and differs in that sentence only; the executed notebooks differ only in
the folders the two runs were given. (LAA2's frames are compared engine by engine in
tests/test_columnar_engine.py.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from pipeline.config import find_project_root, folder_parameter
from pipeline.report.quality_pages import ENGINE_NOTE
from tests.conftest import folders, laa

ROOT = find_project_root()
PAGE = "report/data-quality/report.html"
# what ``laa report`` adds to the shared run after it (the covering report's two documents)
REPORT_ONLY = {"report/covering-report.docx", "report/summary.docx"}


def _outputs(out: Path, meeting: str) -> dict[str, bytes]:
    """Every file the run wrote (not the manifest: it holds the run's times and the engine)."""
    found = {}
    for root in ("report", "clean"):
        folder = out / "reports" / meeting if root == "report" else out / "clean"
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") \
                    and path.name != "manifest.json":
                found[f"{root}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return found


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}


def _engine(report: Path) -> str:
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    return manifest["validation_engine"]


@pytest.mark.slow
def test_a_run_with_great_expectations_gives_the_default_runs_outputs(laa1_run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    (data / "register" / "rules.toml").write_text(
        '[quality]\nvalidation_engine = "great_expectations"\n', encoding="utf-8")
    meeting = laa1_run["report"].name
    proc = laa("run", *laa1_run["run_args"], "--data-dir", str(data), "--period", "2006-07 Q4",
               "--meeting", meeting, *folders(tmp_path), "--generated-at", laa1_run["stamp"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the auditor sees what ran the suites
    assert _engine(laa1_run["report"]) == "columnar"
    assert _engine(tmp_path / "reports" / meeting) == "great_expectations"
    fast = {k: v for k, v in _outputs(laa1_run["out"], meeting).items() if k not in REPORT_ONLY}
    gx = _outputs(tmp_path, meeting)
    assert len(fast) > 100 and set(fast) == set(gx)
    # the notebooks' parameters and outputs name the run's folders: the shared run's data
    # folder is the project's (named from the project root), its other folders its own
    shared_data = folder_parameter(ROOT, ROOT / "data" / "raw").encode()
    for name in [k for k in gx if k.endswith(".ipynb")]:
        assert str(data).encode() in gx[name]
        gx[name] = gx[name].replace(str(data).encode(), shared_data) \
            .replace(str(tmp_path).encode(), str(laa1_run["out"]).encode())
    differ = sorted(k for k in fast if fast[k] != gx[k])
    assert differ == [PAGE], differ
    said = {name: str(escape(note)).encode("utf-8") for name, note in ENGINE_NOTE.items()}
    assert said["columnar"] in fast[PAGE] and said["great_expectations"] in gx[PAGE]
    assert fast[PAGE].replace(said["columnar"], said["great_expectations"]) == gx[PAGE]
    assert _digests({k: v for k, v in fast.items() if k != PAGE}) == \
        _digests({k: v for k, v in gx.items() if k != PAGE})
