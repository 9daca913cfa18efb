"""The fork server started before a run's stages are known (``laa run --force``): the run
takes it, or it is discarded (pipeline/run/kernel_forks.py, pipeline/cli)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeline.run import kernel_forks
from pipeline.run.execute import KERNEL_ARGS
from tests.test_kernel_forks import _alive, _all_gone

# the subject is how a run starts its fork server: as an officer's do (conftest: no_zygote)
pytestmark = pytest.mark.usefixtures("no_zygote")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _forking(monkeypatch):
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    yield
    kernel_forks.discard_early()


def _our_children() -> set[int]:
    pid = os.getpid()
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def test_the_run_takes_the_server_started_early_and_its_kernels_are_forked_from_it():
    kernel_forks.start_early(str(ROOT))
    server, why = kernel_forks.start(str(ROOT), [("one", "import json\n")])
    assert server is not None, why
    assert kernel_forks.start(str(ROOT), [("one", "")])[0] is not server  # taken once
    try:
        manager, env = server.manager("one")
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        manager.client().wait_for_ready(timeout=60)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        assert len(children.read_text().split()) == 1      # forked by the early server
        assert server.usable()
        manager.shutdown_kernel(now=True)
    finally:
        server.stop()
    assert not _alive(server.process.pid) and not server.folder.exists()


def test_an_early_server_no_run_takes_is_discarded():
    kernel_forks.start_early(str(ROOT))
    (early,) = kernel_forks._early
    kernel_forks.discard_early()
    assert kernel_forks._early == [] and not early.folder.exists()
    assert _all_gone([early.process.pid], seconds=5)


def test_an_early_server_for_another_root_is_stopped_and_a_new_one_started(tmp_path):
    kernel_forks.start_early(str(tmp_path))
    (early,) = kernel_forks._early
    server, why = kernel_forks.start(str(ROOT), [("one", "import json\n")])
    try:
        assert server is not None and server is not early, why
        assert _all_gone([early.process.pid], seconds=5)
    finally:
        server.stop()


def test_a_forced_run_that_fails_its_checks_leaves_no_server(tmp_path, capsys):
    from pipeline.cli import main

    before = _our_children()
    code = main(["run", "--force", "--period", "1999-00 Q1", "--clean-dir",
                 str(tmp_path / "clean"), "--reports-dir", str(tmp_path / "reports")])
    assert code != 0 and "failed" in capsys.readouterr().err
    time.sleep(0.2)
    assert kernel_forks._early == [] and _our_children() - before == set()
