"""Unit tests of stage execution helpers: the warm-up each stage's kernel runs in advance."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pipeline.run.execute import KernelPool, execute_stage, warm_code


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
    assert code.splitlines()[1:5] == ["    import pandas", "    import json",
                                      "    from os import path as p", "    import string"]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the code under test is generated here
    assert set(namespace) == {"__builtins__"}


def test_warm_code_of_an_unreadable_notebook_still_runs(tmp_path):
    namespace: dict = {}
    exec(warm_code(tmp_path / "missing.ipynb"), namespace)  # noqa: S102
    assert set(namespace) == {"__builtins__"}


@pytest.mark.slow
def test_stages_sharing_a_kernel_find_it_as_a_fresh_kernel_would_give_it(tmp_path,
                                                                         monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from pipeline.config import find_project_root, load_settings

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    first = new_notebook(cells=[new_code_cell("import json\nleft_behind = 1")])
    second = new_notebook(cells=[new_code_cell("assert 'left_behind' not in dir()"),
                                 new_code_cell("import json\nprint(json.dumps([1]))")])
    for notebook in (first, second):
        notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                           "display_name": "Python 3"}
    nbformat.write(first, notebooks / "a.ipynb")
    nbformat.write(second, notebooks / "b.ipynb")
    settings = replace(load_settings(reports_dir=tmp_path / "reports"),
                       project_root=tmp_path)
    # execute_stage sets LAA_PROJECT_ROOT to this test's folder when it is unset: set it
    # here (monkeypatch undoes it), or every later run in the session looks there
    monkeypatch.setenv("LAA_PROJECT_ROOT", str(find_project_root()))
    stages = (("one", "a.ipynb"), ("two", "x.ipynb"), ("three", "b.ipynb"))
    pool = KernelPool(settings, stages)
    try:
        kernel = pool.take("one")
        assert kernel is not None and pool.take("two") is not kernel
        execute_stage(settings, "one", "a.ipynb", kernel)
        pool.release("one")
        assert kernel.has_kernel                     # stage three still needs it
        assert pool.take("three") is kernel
        executed = execute_stage(settings, "three", "b.ipynb", kernel)
        pool.release("three")                        # its last stage is done: it is
        assert pool._stopping                        # being shut down in the background
        process = kernel.provisioner.process
    finally:
        pool.stop()
    assert not kernel.has_kernel and process.poll() is not None   # stop() waited for it
    cells = nbformat.read(executed, as_version=4).cells
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1))  # as in a fresh kernel
    assert cells[-1].outputs[0]["text"] == "[1]\n"   # nothing else printed


def test_the_ready_wait_passes_over_stale_replies_and_waits_for_iopub():
    """The pool's kernel client waits for a kernel_info reply to its latest request and
    that request's idle status on IOPub; replies to earlier requests are read past."""
    from queue import Empty

    from pipeline.run.execute import ready_client_class

    class Channel:
        def __init__(self, messages):
            self.messages = messages

        def get_msg(self, timeout=None):
            if not self.messages:
                raise Empty
            return self.messages.pop(0)

    def reply(to):
        return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": to},
                "content": {}}

    def idle(to):
        return {"msg_type": "status", "parent_header": {"msg_id": to},
                "content": {"execution_state": "idle"}}

    class Fake(ready_client_class()):
        sent: list

        def kernel_info(self):
            self.sent.append(f"r{len(self.sent) + 1}")
            return self.sent[-1]

        async def _async_is_alive(self):
            return True

        def _handle_kernel_info_reply(self, msg):
            self.handled = msg

    client = Fake()
    client.sent = []
    # r1 is answered but its status never reaches IOPub (not subscribed yet): ask again;
    # a late copy of r1's reply comes first and is passed over, then r2's with its idle
    shell = Channel([reply("r1"), reply("r1"), reply("r2")])
    iopub = Channel([])
    Fake.shell_channel = property(lambda self: shell)
    Fake.iopub_channel = property(lambda self: iopub)
    read_iopub = iopub.get_msg

    def subscribed_after_r2(timeout=None):  # IOPub delivers from the second request on
        if client.sent == ["r1", "r2"] and not getattr(client, "subscribed", False):
            client.subscribed = True
            iopub.messages += [idle("r1"), idle("r2")]
        return read_iopub(timeout)

    iopub.get_msg = subscribed_after_r2
    client.wait_for_ready(timeout=5)
    assert client.sent == ["r1", "r2"] and client.handled == reply("r2")


def test_a_stopped_pool_hands_out_no_kernel_and_warms_none(tmp_path, monkeypatch):
    """A run stopped by a signal stops its pool while a stage's thread may still use it:
    that thread then gets an error, never a fresh kernel, and its release does nothing."""
    from dataclasses import replace

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from pipeline.config import find_project_root, load_settings
    from pipeline.errors import StageFailed

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("import json")]), notebooks / "a.ipynb")
    settings = replace(load_settings(reports_dir=tmp_path / "reports"),
                       project_root=tmp_path)
    monkeypatch.setenv("LAA_PROJECT_ROOT", str(find_project_root()))
    pool = KernelPool(settings, (("one", "a.ipynb"), ("two", "a.ipynb")))
    kernels = list(pool._managers.values())
    pool.stop()
    assert kernels and not any(k.has_kernel for k in kernels)
    with pytest.raises(StageFailed, match="the run is stopping"):
        pool.take("one")
    pool.release("one")                      # nothing to warm, nothing started
    assert not pool._clients and not pool._managers
