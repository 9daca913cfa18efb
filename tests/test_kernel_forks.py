"""Stage kernels forked from the run's fork server (pipeline/run/kernel_forks.py), and the
plain kernels a run falls back to."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.run import kernel_forks
from pipeline.run.execute import KERNEL_ARGS, StageKernels, execute_stage
from tests.conftest import stage_notebooks

ROOT = Path(__file__).resolve().parents[1]
# the subject is the fork server: it starts as an officer's runs start it (conftest: no_zygote)
pytestmark = pytest.mark.usefixtures("no_zygote")


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False


def _all_gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _printed(executed: Path) -> list[str]:
    import nbformat

    return [output.get("text", "") for cell in nbformat.read(executed, as_version=4).cells
            for output in cell.outputs]


@pytest.mark.slow
def test_stages_run_in_kernels_forked_from_the_server_and_share_no_state(tmp_path,
                                                                         monkeypatch):
    """Each stage's kernel is a child of the fork server, never of the run; a module the
    server imported ahead (pipeline.config) and changed by one stage is fresh in the next;
    the executed notebook's metadata are a python3 kernel's."""
    import nbformat

    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    said: list[str] = []
    settings = stage_notebooks(
        tmp_path, monkeypatch,
        ["import os\nimport pipeline.config as c\nc.LAA_LEFT_BEHIND = 1\nprint(os.getppid())"],
        ["import os\nimport pipeline.config as c\n"
         "print(os.getppid(), hasattr(c, 'LAA_LEFT_BEHIND'))"])
    kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "1.ipynb")), said.append)
    try:
        assert kernels.forks is not None and kernels.forks.usable()
        server = kernels.forks.process.pid
        executed = []
        for stage, notebook in (("one", "0.ipynb"), ("two", "1.ipynb")):
            executed.append(execute_stage(settings, stage, notebook, kernels.take(stage)))
            kernels.release(stage)
    finally:
        kernels.stop()
    assert _printed(executed[0]) == [f"{server}\n"]
    assert _printed(executed[1]) == [f"{server} False\n"]
    metadata = nbformat.read(executed[1], as_version=4).metadata
    assert metadata["kernelspec"]["name"] == "python3"
    assert metadata["language_info"]["name"] == "python"
    assert said == []                       # nothing to say: forked
    assert not _alive(server) and not kernels.forks.folder.exists()


@pytest.mark.slow
@pytest.mark.parametrize("plain", [False, True])
def test_a_stage_runs_the_same_forked_or_in_a_plain_kernel(tmp_path, monkeypatch, plain):
    """LAA_PLAIN_KERNELS forces the fallback (said once in the run's log): the stage runs in
    a kernel the run started itself, with the same result."""
    if plain:
        monkeypatch.setenv(kernel_forks.PLAIN_VARIABLE, "1")
    else:
        monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    said: list[str] = []
    settings = stage_notebooks(tmp_path, monkeypatch, ["import pandas as pd\nimport os\n"
                                                  "print(pd.DataFrame({'a': [1, 2]}).a.sum())",
                                                  "print(os.getppid())"])
    kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "0.ipynb")), said.append)
    try:
        executed = execute_stage(settings, "one", "0.ipynb", kernels.take("one"))
        kernels.release("one")
        forks = kernels.forks
    finally:
        kernels.stop()
    total, parent = _printed(executed)
    assert total == "3\n"
    if plain:
        assert forks is None and int(parent) == os.getpid()
        assert said == ["stage kernels: plain python3 kernels, not forked "
                        "(LAA_PLAIN_KERNELS is set)"]  # once, for two kernels
    else:
        assert int(parent) == forks.process.pid and said == []


@pytest.mark.slow
def test_an_interrupt_reaches_the_forked_kernel_and_a_cell_timeout_is_reported(
        tmp_path, monkeypatch):
    """jupyter_client interrupts with SIGINT to the proxy: the forked kernel gets it (a
    KeyboardInterrupt in the cell); a cell over the time limit fails the stage."""
    from pipeline.errors import StageFailed
    from pipeline.run import execute

    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    settings = stage_notebooks(tmp_path, monkeypatch, ["import time\ntime.sleep(60)"])
    server, why = kernel_forks.start(str(ROOT), [("one", "import time\n")])
    assert server is not None, why
    manager, env = server.manager("one")
    try:
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        printed: list[str] = []
        sent = client.execute("import time\ntry:\n    print('sleeping', flush=True)\n"
                              "    time.sleep(60)\n"
                              "except KeyboardInterrupt:\n    print('interrupted')")
        while True:    # interrupted once the cell says it sleeps inside its try, no sooner
            message = client.get_iopub_msg(timeout=20)
            if message["parent_header"].get("msg_id") != sent:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
                if "sleeping\n" in printed:
                    break
            assert not (message["msg_type"] == "status"
                        and message["content"]["execution_state"] == "idle"), printed
        manager.interrupt_kernel()
        while client.get_shell_msg(timeout=20)["parent_header"].get("msg_id") != sent:
            pass
        while True:
            message = client.get_iopub_msg(timeout=5)
            if message["parent_header"].get("msg_id") != sent:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            if message["msg_type"] == "status" and \
                    message["content"]["execution_state"] == "idle":
                break
        client.stop_channels()
        assert printed == ["sleeping\n", "interrupted\n"]
        manager.shutdown_kernel(now=True)
    finally:
        server.stop()
    kernels = StageKernels(settings, (("one", "0.ipynb"),))
    try:
        kernel = kernels.take("one")
        monkeypatch.setattr(execute, "CELL_TIMEOUT_S", 1)
        started = time.monotonic()
        with pytest.raises(StageFailed, match="a cell ran longer than 1 s"):
            execute_stage(settings, "one", "0.ipynb", kernel)
        assert time.monotonic() - started < 30      # not the cell's 60 seconds
    finally:
        kernels.release("one")
        kernels.stop()


@pytest.mark.slow
def test_a_kernel_shut_down_now_leaves_no_forked_child(monkeypatch):
    """shutdown_kernel(now=True) kills the proxy: the server sees its connection close
    and kills the kernel it forked for it."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    server, why = kernel_forks.start(str(ROOT), [("one", "import json\n")])
    assert server is not None, why
    try:
        manager, env = server.manager("one")
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        manager.client().wait_for_ready(timeout=60)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        forked = [int(pid) for pid in children.read_text().split()]
        assert len(forked) == 1 and _alive(forked[0])
        manager.shutdown_kernel(now=True)
        assert _all_gone(forked, seconds=5)
        assert server.usable()                # the server goes on serving
    finally:
        server.stop()


@pytest.mark.slow
def test_the_server_runs_a_stages_warm_up_only_once_its_kernel_is_asked_for(tmp_path,
                                                                           monkeypatch):
    """The server runs a stage's warm-up (its imports) before it forks the stage's first
    kernel, not as soon as it is idle: ``laa`` asks for a step's kernels as the step before
    it begins (pipeline.run.warm.kernels_due), so the appendix's imports run beside assess
    alone, not beside validate and benchmark. Before, the server ran every warm-up in turn
    whenever it had nothing to fork."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    marker = tmp_path / "two-warmed"
    server, why = kernel_forks.start(str(ROOT), [
        ("one", "import json\n"), ("two", f"open({str(marker)!r}, 'w').close()\n")])
    assert server is not None, why
    managers = []
    try:
        for stage in ("one", "two"):
            manager, env = server.manager(stage)
            manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
            managers.append(manager)
            manager.client().wait_for_ready(timeout=60)
            assert marker.exists() == (stage == "two")   # one's kernel ready: two's not run
    finally:
        for manager in managers:
            manager.shutdown_kernel(now=True)
        server.stop()


@pytest.mark.parametrize(("status", "returncode"), [
    (signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, -signal.SIGTERM),
    (signal.SIGSEGV, -signal.SIGSEGV), (3 << 8, 3), (0, 0)])
def test_a_kernels_proxy_ends_as_its_kernel_did(status, returncode):
    """The proxy jupyter_client started for a forked kernel ends as the kernel did (the
    wait status the server sent): killed by the same signal, SIGKILL among them (whose
    handler cannot be set: the proxy ended with status 1 then), or with its exit code."""
    code = f"from pipeline.run.kernel_proxy import _exit_as\n_exit_as({int(status)})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          timeout=60)
    assert done.returncode == returncode, done.stderr


def _signal_mask(pid: int, field: str) -> int:
    """A process's ``SigIgn`` (ignored) or ``SigCgt`` (caught) signals, as a bit mask."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith(field + ":"))
    return int(line.split()[1], 16)


@pytest.mark.slow
@pytest.mark.parametrize("nohup", [True, False], ids=["under-nohup", "plain"])
def test_a_server_started_with_hang_ups_ignored_keeps_them_ignored_as_its_kernels_do(
        monkeypatch, nohup):
    """Started under ``nohup`` (SIGHUP ignored), the server and the kernels it forks keep
    hang-ups ignored, as the programs ``exec`` would start there do: a terminal that closes
    stops no run (it did: the server caught SIGHUP and killed its kernels). Started plainly,
    the server stops politely on one and its kernels have the default."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    hang_up = 1 << (signal.SIGHUP - 1)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN if nohup else signal.SIG_DFL)
    try:
        server, why = kernel_forks.start(str(ROOT), [("one", "import json\n")])
    finally:
        signal.signal(signal.SIGHUP, before)
    assert server is not None, why
    try:
        manager, env = server.manager("one")
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        manager.client().wait_for_ready(timeout=60)
        pid = server.process.pid
        [kernel] = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        assert bool(_signal_mask(kernel, "SigIgn") & hang_up) is nohup
        assert bool(_signal_mask(pid, "SigIgn") & hang_up) is nohup
        assert bool(_signal_mask(pid, "SigCgt") & hang_up) is not nohup
        os.kill(pid, signal.SIGHUP)
        if nohup:
            time.sleep(1)
            assert _alive(pid) and _alive(kernel) and server.usable()
        else:
            assert _all_gone([pid, kernel], seconds=10)
        manager.shutdown_kernel(now=True)
    finally:
        server.stop()


def test_a_server_that_is_not_single_threaded_refuses_to_fork(monkeypatch):
    """A warm-up that left a thread running: the server refuses (a fork would copy a
    process whose other threads may hold locks), says why, and the kernel is not started."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    threaded = ("import threading, time\n"
                "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    server, why = kernel_forks.start(str(ROOT), [("one", threaded)])
    assert server is not None, why
    try:
        manager, env = server.manager("one")
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        assert manager.provisioner.process.wait(timeout=60) == 1   # the proxy: refused
        deadline = time.monotonic() + 10
        while server.usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server.usable()
        assert re.fullmatch(r"the fork server has \d+ threads, refuses to fork", server.refused)
        manager.cleanup_resources()
    finally:
        server.stop()


_KILLED_RUN = """
import os, sys, time
from pathlib import Path
from pipeline.run import kernel_forks
from pipeline.run.execute import KERNEL_ARGS
server, why = kernel_forks.start(os.getcwd(), [("one", "import json\\n")])
manager, env = server.manager("one")
manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=os.getcwd(), env=env)
manager.client().wait_for_ready(timeout=60)
pid = server.process.pid
forked = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
print(pid, manager.provisioner.process.pid, *forked)
print(server.folder, flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_killing_the_run_leaves_no_server_and_no_kernel(monkeypatch):
    """SIGKILL to the process that started the server: its connection closes, the server
    kills its kernels and exits, the proxies go with it."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    run = subprocess.Popen([sys.executable, "-c", _KILLED_RUN], cwd=ROOT, text=True,
                           stdout=subprocess.PIPE)
    try:
        pids = [int(pid) for pid in run.stdout.readline().split()]
        assert len(pids) == 3 and all(_alive(pid) for pid in pids)
        folder = Path(run.stdout.readline().strip())
        assert Path(Path(f"/proc/{pids[0]}/cmdline").read_text().split("\0")[3]) == folder
        assert folder.name.startswith("laa-kernels-") and folder.exists()
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert _all_gone(pids, seconds=10), "the server or a kernel outlived the run"
    assert not folder.exists()


@pytest.mark.slow
def test_a_run_whose_server_refuses_falls_back_to_plain_kernels(tmp_path, monkeypatch):
    """The server refuses (a warm-up left a thread running in it): the kernel it was asked
    for is replaced by a plain one, so are the later ones, and the run says so once."""
    from pipeline.run import execute

    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    monkeypatch.setitem(execute.WARM_EXTRA, "one", "import threading, time\nthreading.Thread("
                        "target=time.sleep, args=(60,), daemon=True).start()")
    said: list[str] = []
    settings = stage_notebooks(tmp_path, monkeypatch, ["import os\nprint(os.getppid())"])
    kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "0.ipynb")), said.append)
    try:
        printed = []
        for stage in ("one", "two"):
            printed += _printed(execute_stage(settings, stage, "0.ipynb", kernels.take(stage)))
            kernels.release(stage)
    finally:
        kernels.stop()
    assert printed == [f"{os.getpid()}\n"] * 2
    assert len(said) == 1 and said[0].startswith("stage kernels: plain python3 kernels, not "
                                                 "forked (the fork server has ")


@pytest.mark.slow
def test_the_server_goes_once_the_last_stage_has_released_its_kernel(tmp_path, monkeypatch):
    """Nothing is left to fork once every stage is done with its kernel: the server is
    stopped then, in the background (the run normalises and records its outputs
    meanwhile), not when the run stops its kernels."""
    monkeypatch.delenv(kernel_forks.PLAIN_VARIABLE, raising=False)
    settings = stage_notebooks(tmp_path, monkeypatch, ["print(1)"])
    kernels = StageKernels(settings, (("one", "0.ipynb"), ("two", "0.ipynb")))
    try:
        server = kernels.forks
        assert server is not None and server.usable()
        execute_stage(settings, "one", "0.ipynb", kernels.take("one"))
        kernels.release("one")
        assert server.process.poll() is None            # "two" may still need a kernel
        kernels.release("two")                          # reused: its kernel never taken
        assert _all_gone([server.process.pid], seconds=10)
        assert not server.folder.exists()
    finally:
        kernels.stop()


_INITIALISED = """
import json, os, sys
from ipykernel.kernelapp import IPKernelApp       # as the server imports them
from pipeline.run.fork_server import KERNEL_MODULES

exec(KERNEL_MODULES)
before = set(sys.modules)
IPKernelApp.instance().initialize(["--IPKernelApp.log_level=ERROR",
                                   "--HistoryManager.enabled=False"])
with open(sys.argv[1], "w") as out:
    json.dump(sorted(set(sys.modules) - before), out)
os._exit(0)
"""


def test_a_kernels_initialisation_imports_nothing_the_server_has_not(tmp_path):
    """What ipykernel imports as a kernel initialises is in the server before it forks
    (:data:`pipeline.run.fork_server.KERNEL_MODULES`): no kernel imports it again."""
    said = tmp_path / "new.json"
    subprocess.run([sys.executable, "-c", _INITIALISED, str(said)], cwd=tmp_path, timeout=120,
                   env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
                   capture_output=True, check=True)
    assert json.loads(said.read_text(encoding="utf-8")) == []
