"""The package has the shape of the pipeline: stages import only earlier stages, no circles,
no module over 400 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture import (
    MAX_LINES,
    STAGES,
    backward_imports,
    import_cycles,
    import_graph,
    long_modules,
    stage_of,
)
from tests.engine_apis import engine_files, engine_private_uses, private_names

ROOT = Path(__file__).resolve().parents[1]


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_pipeline_has_no_import_circle():
    assert import_cycles(import_graph(ROOT)) == []


def test_pipeline_data_flows_one_way():
    assert backward_imports(import_graph(ROOT)) == []


def test_every_module_is_in_a_stage_and_every_stage_says_what_it_owns():
    graph = import_graph(ROOT)
    assert {stage_of(m) for m in graph} == set(STAGES)
    for stage in STAGES[1:-1]:
        doc = (ROOT / "pipeline" / stage / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""') and "May import" in doc, stage


def test_every_module_is_at_most_400_lines():
    assert MAX_LINES == 400
    assert len(import_graph(ROOT)) > 100           # the scan sees the package
    assert long_modules(ROOT) == []


def test_a_planted_long_module_is_found(tmp_path):
    root = _package(tmp_path, {
        "pipeline/__init__.py": "",
        "pipeline/report/__init__.py": "",
        "pipeline/report/short.py": "x = 1\n" * MAX_LINES,
        "pipeline/report/long.py": "x = 1\n" * (MAX_LINES + 1),
    })
    assert long_modules(root) == ["pipeline/report/long.py: 401 lines"]


def test_a_planted_circle_is_found(tmp_path):
    root = _package(tmp_path, {
        "pipeline/__init__.py": "",
        "pipeline/assess/__init__.py": "",
        "pipeline/assess/a.py": "from pipeline.assess import b\n",
        "pipeline/assess/b.py": "def f():\n    from pipeline.assess.c import x\n",
        "pipeline/assess/c.py": "import pipeline.assess.a\nx = 1\n",
        "pipeline/assess/d.py": "from pipeline.assess import a\n",
    })
    assert import_cycles(import_graph(root)) == [
        ["pipeline.assess.a", "pipeline.assess.b", "pipeline.assess.c"]]


def test_a_planted_backward_import_is_found(tmp_path):
    root = _package(tmp_path, {
        "pipeline/__init__.py": "",
        "pipeline/config.py": "from pipeline.report.frames import FORMATS\n",
        "pipeline/report/__init__.py": "",
        "pipeline/report/frames.py": "from pipeline import config\nFORMATS = ()\n",
        "pipeline/quality/__init__.py": "",
        "pipeline/quality/checks.py": "from ..assess import tables\n",
        "pipeline/assess/__init__.py": "",
        "pipeline/assess/tables.py": "from pipeline.inputs.register import x\n",
        "pipeline/inputs/__init__.py": "",
        "pipeline/inputs/register.py": "x = 1\n",
    })
    graph = import_graph(root)
    assert backward_imports(graph) == [
        "pipeline.config (base) -> pipeline.report.frames (report)",
        "pipeline.quality.checks (quality) -> pipeline.assess.tables (assess)"]
    assert import_cycles(graph) == [["pipeline.config", "pipeline.report.frames"]]


def test_a_module_outside_the_stages_is_refused():
    with pytest.raises(ValueError, match="in no stage"):
        stage_of("pipeline.helpers")


def test_the_engines_are_used_through_their_public_apis_only():
    """No private name of papermill, nbclient, jupyter_client or nbconvert is read or
    overridden by the package (their private names change without notice)."""
    names = private_names(engine_files())
    assert {"_init_resources", "_async_wait_for_ready"} <= names  # the scan sees them
    assert engine_private_uses(ROOT, names) == []


def test_a_planted_private_use_of_an_engine_is_found(tmp_path):
    root = _package(tmp_path, {
        "pipeline/__init__.py": "",
        "pipeline/report/a.py": (
            "from nbconvert import HTMLExporter\n"
            "class Mine(HTMLExporter):\n"
            "    def _init_resources(self, r):\n        return r\n"
            "    def _own(self):\n        return self._lock\n"
            "    def go(self, nb):\n        self._lock = 1\n"
            "        return self._nb_metadata, self.from_notebook_node(nb)\n"),
        "pipeline/run/b.py": ("def f(km):\n    return km._async_is_alive(), km.has_kernel\n"),
    })
    names = {"_init_resources", "_nb_metadata", "_async_is_alive", "_lock"}  # not _own
    assert engine_private_uses(root, names) == [
        "pipeline/report/a.py:3: overrides _init_resources",
        "pipeline/report/a.py:9: ._nb_metadata",
        "pipeline/run/b.py:2: ._async_is_alive"]
