"""Unit tests of stage execution helpers: the warm-up each stage's kernel runs in advance."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.run.execute import StageKernels, execute_stage
from pipeline.run.warm import warm_code
from tests.conftest import stage_notebooks
from tests.in_process import descriptors_left, open_descriptors


def test_warm_code_runs_the_notebooks_imports_and_leaves_no_name_behind(tmp_path):
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["import nothing"]},
        {"cell_type": "code", "source": ["import json\n", "x = 1\n",
                                         "from os import path as p\n"]},
        {"cell_type": "code", "source": "from os.path import *\nif x:\n    import math"},
        {"cell_type": "code", "source": "%%time\nimport broken("},
    ]}))
    code = warm_code(notebook, "import string")
    assert code.splitlines()[1:6] == ["    import pandas", "    import pyarrow.dataset",
                                      "    import json", "    from os import path as p",
                                      "    import string"]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the code under test is generated here
    assert set(namespace) == {"__builtins__"}


def test_warm_code_of_an_unreadable_notebook_still_runs(tmp_path):
    namespace: dict = {}
    exec(warm_code(tmp_path / "missing.ipynb"), namespace)  # noqa: S102
    assert set(namespace) == {"__builtins__"}


def test_papermill_is_imported_without_pyarrow_which_stays_importable():
    """The run's process imports papermill without its optional HDFS handler's pyarrow (and
    numpy): papermill's local notebooks work, and pyarrow.fs imports as usual afterwards."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pipeline.run.execute import import_papermill\n"
            "papermill = import_papermill()\n"
            "assert callable(papermill.execute_notebook)\n"
            "assert import_papermill() is papermill\n"
            "print(sorted(m for m in ('pyarrow', 'numpy', 'pyarrow.fs') if m in sys.modules))\n"
            "import pyarrow.fs\n"
            "print(pyarrow.fs.LocalFileSystem.__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines() == ["[]", "LocalFileSystem"]


@pytest.mark.slow
def test_each_stage_runs_in_a_fresh_kernel_started_ahead(tmp_path, monkeypatch):
    """No state passes from one stage to the next: not a name, not a module's state (an
    imported module's attribute survived IPython's reset in the kernels shared before)."""
    import nbformat

    settings = stage_notebooks(
        tmp_path, monkeypatch, ["import json\nleft_behind = 1\njson.laa_left_behind = 1"],
        ["assert 'left_behind' not in dir()",
         "import json\nassert not hasattr(json, 'laa_left_behind')\nprint(json.dumps([1]))"])
    stages = (("one", "0.ipynb"), ("two", "x.ipynb"), ("three", "1.ipynb"))
    kernels = StageKernels(settings, stages)
    try:
        assert set(kernels._managers) == {"one", "two"}      # forked: the first two steps'
        kernel = kernels.take("one")
        assert set(kernels._managers) == {"one", "two"}      # a step ahead of the one begun
        execute_stage(settings, "one", "0.ipynb", kernel)
        kernels.release("one")
        kernels.release("two")                               # reused: never taken
        assert set(kernels._managers) == {"three"}           # started as two's step began
        third = kernels.take("three")
        assert third is not kernel and third.has_kernel
        executed = execute_stage(settings, "three", "1.ipynb", third)
        process = third.provisioner.process
        kernels.release("three")                             # shut down in the background
        assert kernels.take("three") is None                 # a stage takes one kernel once
    finally:
        kernels.stop()
    assert not kernel.has_kernel and not third.has_kernel    # stop() waited for them
    assert process.poll() is not None
    cells = nbformat.read(executed, as_version=4).cells
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1))  # as in a fresh kernel: the warm-up
    assert cells[-1].outputs[0]["text"] == "[1]\n"   # left no count and printed nothing


@pytest.mark.slow
def test_stages_run_in_this_process_leave_no_descriptor_open(tmp_path, monkeypatch):
    """Stages run in a long-lived process (a notebook, the tests) leave nothing open: not
    the client nbclient makes of the kernel it is handed, nor that client's ZeroMQ context,
    nor the event loop of the thread each stage ran in (about ten descriptors a stage
    were left open: a worker running runs in its process came to hold over 1,024)."""
    import nbformat

    from pipeline.run.steps import _run_together

    settings = stage_notebooks(tmp_path, monkeypatch, ["print(6 * 7)"], ["print(6 * 7)"])
    stages = [("one", "0.ipynb"), ("two", "1.ipynb")]

    def run() -> None:
        kernels = StageKernels(settings, tuple(stages))
        try:
            _run_together(dict.fromkeys(("one", "two"), settings), stages, kernels)
        finally:
            kernels.stop()

    run()  # the first: whatever the libraries open once for the process
    before = open_descriptors()
    run()
    run()
    assert descriptors_left(before) == []
    for name in ("0.ipynb", "1.ipynb"):  # and the stages ran
        executed = nbformat.read(settings.report_dir / "notebooks" / name, as_version=4)
        assert executed.cells[-1].outputs[0]["text"] == "42\n"


def test_stopped_kernels_hand_out_no_kernel_and_start_none(tmp_path, monkeypatch):
    """A run stopped by a signal stops its kernels while a stage's thread may still use
    them: that thread then gets an error, never a fresh kernel, and its release does
    nothing."""
    from pipeline.errors import StageFailed

    settings = stage_notebooks(tmp_path, monkeypatch, ["import json"])
    stage_kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "0.ipynb"),
                                            ("three", "0.ipynb")))
    kernels = list(stage_kernels._managers.values())   # started ahead (kernels_due)
    stage_kernels.stop()
    assert kernels and not any(k.has_kernel for k in kernels)
    with pytest.raises(StageFailed, match="the run is stopping"):
        stage_kernels.take("one")
    stage_kernels.release("one")             # nothing to warm, nothing started
    assert not stage_kernels._clients and not stage_kernels._managers


def test_the_stamp_goes_only_to_the_stages_that_read_it():
    """A stage outside STAMPED is not given the generated-at stamp (so a new stamp leaves
    its key as it was) and its notebook does not read it."""
    from pipeline.config import find_project_root, load_settings
    from pipeline.run.execute import STAMPED, notebook_parameters
    from pipeline.run.plan import STAGES

    settings = load_settings(generated_at="2007-06-30T12:00:00")
    assert notebook_parameters(settings)["generated_at"] == "2007-06-30T12:00:00"
    for stage, name in STAGES:
        given = notebook_parameters(settings, stage)
        assert ("generated_at" in given) == (stage in STAMPED), stage
        if stage not in STAMPED:
            text = (find_project_root() / "notebooks" / name).read_text(encoding="utf-8")
            assert "settings.generated_at" not in text, name


@pytest.mark.slow
@pytest.mark.parametrize("handed", [True, False], ids=["run-kernel", "papermill-kernel"])
def test_a_stage_whose_kernel_is_killed_fails_with_one_line_saying_so(tmp_path, monkeypatch,
                                                                       caplog, handed):
    """A kernel killed while a cell runs (out of memory, a signal from outside the run)
    fails its stage with one line saying so and how it ended (exit code 6, the executed
    notebook named), not with nbclient's DeadKernelError, its traceback and its log line."""
    from pipeline.errors import StageFailed

    settings = stage_notebooks(tmp_path, monkeypatch,
                               ["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
    kernels = StageKernels(settings, (("one", "0.ipynb"),))
    try:
        with pytest.raises(StageFailed) as raised:
            execute_stage(settings, "one", "0.ipynb", kernels.take("one") if handed else None)
        kernels.release("one")
    finally:
        kernels.stop()
    error = raised.value
    how = " (killed by SIGKILL)" if handed else ""   # papermill's own kernel: not known
    assert error.message == (f"the stage's kernel died while a cell ran{how}: stopped from "
                             "outside the run, or out of memory; nothing was published, run "
                             "it again")
    assert error.exit_code == 6 and error.context["stage"] == "one"
    assert Path(error.context["notebook"]) == settings.report_dir / "notebooks" / "0.ipynb"
    # nbclient's own "Kernel died while waiting for execute reply." is not said as well
    assert [r.getMessage() for r in caplog.records
            if r.name == "papermill" and r.levelname == "ERROR"] == []


def test_a_stage_whose_notebook_cannot_be_written_says_where(tmp_path, monkeypatch):
    """papermill failing to write the executed notebook (a disk full: it writes it last,
    after a cell failed, so the cell's own error is lost with it) fails the stage in one
    line naming the file, not a bare "[Errno 28] No space left on device"."""
    import errno
    from types import SimpleNamespace

    from pipeline.errors import StageFailed
    from pipeline.run import execute

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(execute, "import_papermill", lambda: SimpleNamespace(
        execute_notebook=full))
    settings = stage_notebooks(tmp_path, monkeypatch, ["print(1)"])
    with pytest.raises(StageFailed) as raised:
        execute_stage(settings, "one", "0.ipynb")
    executed = settings.report_dir / "notebooks" / "0.ipynb"
    assert str(raised.value) == (f"No space left on device ({executed}); nothing was "
                                 "published (stage one)")
    assert raised.value.exit_code == 6


@pytest.mark.slow
@pytest.mark.parametrize("forked", [True, False], ids=["forked", "plain"])
def test_stage_kernels_talk_over_sockets_in_the_runs_own_folder(tmp_path, monkeypatch,
                                                                forked):
    """Each stage's kernel, forked or plain, talks over Unix sockets in a folder of the
    run's (ZeroMQ's ipc), named apart: no TCP port for another process to take between
    jupyter_client's choice and the kernel's bind (a kernel then died starting, "Address
    already in use", seen in a suite). The folder goes when the kernels stop."""
    from pipeline.run import kernel_forks

    if forked:
        monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(kernel_forks.PLAIN_VARIABLE, "1")
    settings = stage_notebooks(tmp_path, monkeypatch, ["print(6 * 7)"])
    kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "0.ipynb")))
    try:
        first = kernels.take("one")              # two's started by now (kernels_due)
        managers = [first, kernels._managers["two"]]
        assert (kernels._forks is not None) is forked
        folder = kernels._forks.folder if forked else kernels._sockets
        for manager in managers:
            info = json.loads(Path(manager.connection_file).read_text(encoding="utf-8"))
            assert info["transport"] == "ipc" and Path(info["ip"]).parent == folder
        assert managers[0].ip != managers[1].ip
        executed = execute_stage(settings, "one", "0.ipynb", first)
        kernels.release("one")
    finally:
        kernels.stop()
    assert not folder.exists()
    import nbformat

    assert nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"] == "42\n"


@pytest.mark.slow
def test_a_stage_whose_kernel_died_starting_gets_a_fresh_one(tmp_path, monkeypatch):
    """A kernel started ahead that died before answering its warm-up (on a busy machine,
    its port taken meanwhile) is replaced when its stage takes it, not waited on."""
    import nbformat

    settings = stage_notebooks(tmp_path, monkeypatch, ["print(6 * 7)"])
    kernels = StageKernels(settings, (("one", "0.ipynb"),))
    try:
        dead = kernels._managers["one"]
        dead.provisioner.process.kill()
        dead.provisioner.process.wait()
        kernel = kernels.take("one")
        assert kernel is not dead and kernel.is_alive()
        executed = execute_stage(settings, "one", "0.ipynb", kernel)
        kernels.release("one")
    finally:
        kernels.stop()
    assert nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"] == "42\n"


def test_only_the_benchmark_stage_imports_statsmodels_ahead():
    """assess, the appendix and the tables compute no interval: their kernels start without
    statsmodels and the scipy it loads (a second of imports each); the benchmark's kernel,
    whose stage computes them, imports it while it waits for its turn."""
    import subprocess
    import sys

    from pipeline.config import PACKAGE_DIR
    from pipeline.run.warm import WARM_EXTRA

    notebooks = PACKAGE_DIR.parent / "notebooks"
    script = "\n".join([
        "import sys",
        "from pathlib import Path",
        "from pipeline.run.warm import warm_code",
        *[f"exec(warm_code(Path({str(notebooks / name)!r})))"
          for name in ("03_assess.ipynb", "04_appendix.ipynb", "04_tables.ipynb")],
        "print(sorted(m for m in ('statsmodels', 'scipy') if m in sys.modules))"])
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=300).stdout.strip().splitlines()[-1]
    assert loaded == "[]"
    assert "import statsmodels.stats.proportion" in WARM_EXTRA["benchmark"]


def test_the_folders_are_named_from_the_project_root_inside_it_and_absolute_outside(
        tmp_path, monkeypatch):
    """The notebooks' folder parameters (so the executed notebooks, the stage keys and the
    manifest) name a folder inside the project relative to its root, in posix form, so a
    checkout gives the same ones wherever it is; an officer's folder elsewhere stays
    absolute. Given back to ``load_settings`` as a notebook gives them, from another current
    directory, they are the same folders."""
    from pathlib import Path

    from pipeline.config import find_project_root, folder_parameter, load_settings
    from pipeline.run.execute import notebook_parameters

    root = find_project_root()
    demo = load_settings(generated_at="2007-06-30T12:00:00")
    laa2 = load_settings("2008-09 Q3", "2009-03-09", data_dir=root / "data" / "raw" / "laa2",
                         generated_at="2009-03-01T12:00:00")
    elsewhere = replace(demo, clean_dir=Path("/srv/laa/clean"),
                        reports_dir=Path("/srv/laa/reports"))
    folders = ("data_dir", "clean_dir", "reports_dir")
    for stage in (None, "ingest", "validate", "appendix", "tables"):
        assert [notebook_parameters(demo, stage)[f] for f in folders] == [
            "data/raw", "data/clean", "reports"]
        assert [notebook_parameters(laa2, stage)[f] for f in folders] == [
            "data/raw/laa2", "data/clean/laa2", "reports/laa2"]
        assert [notebook_parameters(elsewhere, stage)[f] for f in folders] == [
            "data/raw", "/srv/laa/clean", "/srv/laa/reports"]
    # a folder whose name merely starts like the root's is outside it
    assert folder_parameter(Path("/x/proj"), Path("/x/proj2/clean")) == "/x/proj2/clean"
    monkeypatch.chdir(tmp_path)  # relative folders are the project root's, never the cwd's
    for settings in (demo, laa2, elsewhere):
        given = notebook_parameters(settings, "appendix")
        again = load_settings(given["period"], given["meeting"], given["data_dir"],
                              given["clean_dir"], given["reports_dir"],
                              given["generated_at"], given["previous_period"])
        assert (again.data_dir, again.clean_dir, again.reports_dir) == (
            settings.data_dir, settings.clean_dir, settings.reports_dir)


def test_every_stages_warm_up_reads_the_runs_register_and_a_broken_one_is_left_to_the_stage(
        tmp_path):
    """The fork server runs each stage's warm-up before it forks the stage's kernel: the
    register read there (every stage reads it) is found read in the kernels
    (:func:`pipeline.inputs.register.load_register`)."""
    from pathlib import Path

    from pipeline.config import PACKAGE_DIR
    from pipeline.inputs import register
    from pipeline.run.warm import warm_register

    demo = (PACKAGE_DIR.parent / "data" / "raw" / "register").absolute()
    register._READ.pop(demo, None)
    exec(warm_code(tmp_path / "n.ipynb", warm_register(demo)), {})  # noqa: S102
    assert register._READ[demo][0] == register.register_digest(demo)
    broken = tmp_path / "register"
    broken.mkdir()
    exec(warm_code(tmp_path / "n.ipynb", warm_register(Path(broken))), {})  # noqa: S102
    assert broken not in register._READ


@pytest.mark.slow
def test_the_appendix_warm_up_loads_the_pdf_engines_and_fonts_and_starts_no_thread():
    """What the first PDF would load on the run's critical path (pikepdf, Typst, the
    characters the shipped fonts show) is loaded by the appendix's warm-up, in the fork
    server, which forks only while it has one thread."""
    import subprocess
    import sys

    from pipeline.run.warm import WARM_EXTRA

    script = "\n".join([
        "import os, sys",
        "from pipeline.report import pdf",
        WARM_EXTRA["appendix"],
        "print(len(os.listdir('/proc/self/task')), 'pikepdf' in sys.modules,",
        "      'typst' in sys.modules, pdf.printable.cache_info().currsize)"])
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1",
           "JE_ARROW_MALLOC_CONF": "background_thread:false"}
    said = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=300, env=env).stdout.split()
    assert said == ["1", "True", "True", "1"]
