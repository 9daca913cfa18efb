"""A run with Great Expectations as the validation engine gives the default run's outputs.

The LAA1 demo as the README runs it with the default engine (``columnar``) is the session's
shared run (``laa1_run`` in tests/conftest.py, in a copy of the project); the same run is
made once more in another copy of the project with ``[quality] validation_engine =
"great_expectations"`` in its ``register/rules.toml`` (an input: every stage is recomputed).
Both name their folders from their project's root, so every output is byte-identical but
the data-quality report, which names the engine, and differs in that sentence only. (LAA2's
frames are compared engine by engine in tests/test_columnar_engine.py.)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from markupsafe import escape

from pipeline.report.quality_pages import ENGINE_NOTE
from pipeline.run.plan import STAGES
from tests.conftest import laa

PAGE = "report/data-quality/report.html"
# what ``laa report`` adds to the shared run after it (the covering report's two documents)
REPORT_ONLY = {"report/covering-report.docx", "report/summary.docx"}


def _outputs(clean: Path, report: Path) -> dict[str, bytes]:
    """Every file the run wrote (not the manifest: it holds the run's times and the engine)."""
    found = {}
    for root, folder in (("report", report), ("clean", clean)):
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
    from tests.documented import project_copy

    project = project_copy(tmp_path / "project")
    (project / "data" / "raw" / "register" / "rules.toml").write_text(
        '[quality]\nvalidation_engine = "great_expectations"\n', encoding="utf-8")
    env = {**os.environ, "LAA_PROJECT_ROOT": str(project)}
    proc = laa("run", *laa1_run["run_args"], "--generated-at", laa1_run["stamp"], env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for number, (stage, _notebook) in enumerate(STAGES, 1):   # every stage made anew
        assert f"[{number}/6] {stage} done in" in proc.stdout, proc.stdout
    report = project / "reports" / laa1_run["report"].name
    # the auditor sees what ran the suites
    assert _engine(laa1_run["report"]) == "columnar"
    assert _engine(report) == "great_expectations"
    fast = {k: v for k, v in _outputs(laa1_run["clean"], laa1_run["report"]).items()
            if k not in REPORT_ONLY}
    gx = _outputs(project / "data" / "clean", report)
    assert len(fast) > 100 and set(fast) == set(gx)
    differ = sorted(k for k in fast if fast[k] != gx[k])
    assert differ == [PAGE], differ
    said = {name: str(escape(note)).encode("utf-8") for name, note in ENGINE_NOTE.items()}
    assert said["columnar"] in fast[PAGE] and said["great_expectations"] in gx[PAGE]
    assert fast[PAGE].replace(said["columnar"], said["great_expectations"]) == gx[PAGE]
    assert _digests({k: v for k, v in fast.items() if k != PAGE}) == \
        _digests({k: v for k, v in gx.items() if k != PAGE})
