"""The fork servers' zygote (pipeline/run/fork_zygote.py): each run's server forked from a
process that has only imported modules, as a fresh server would be; the run starts its
server the usual way when the zygote is gone, refuses or differs; nothing is left behind."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pipeline.run import fork_zygote as zygotes
from pipeline.run import kernel_forks, zygote_client
from pipeline.run.execute import KERNEL_ARGS
from pipeline.run.fork_zygote import refusal
from pipeline.run.kernel_forks import ZYGOTE_VARIABLE
from pipeline.run.kernel_proxy import SERVER_ENV, readable
from pipeline.run.zygote_client import ForkedServer, request_server
from tests.test_kernel_forks import _KILLED_RUN, _alive, _all_gone
from tests.test_moved_checkout import _outputs
from tests.zygote import use_zygote_env

ROOT = Path(__file__).resolve().parents[1]

# What a fork server is, said by its first warm-up (run in the server, before any fork)
_FACTS = """
import json, os, signal, sys
json.dump({{
    "cwd": os.getcwd(), "path0": sys.path[0], "path": sys.path[1:], "env": dict(os.environ),
    "argv0": sys.argv[0], "argc": len(sys.argv), "main": sys.modules["__main__"].__file__,
    "pipeline": sorted((name, getattr(module, "__file__", None))
                       for name, module in sys.modules.items()
                       if name == "pipeline" or name.startswith("pipeline.")),
    "fds": [os.readlink(f"/proc/self/fd/{{fd}}") for fd in (0, 1, 2)],
    "signals": [str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM,
                                                    signal.SIGCHLD, signal.SIGHUP,
                                                    signal.SIGPIPE)],
    "threads": len(os.listdir("/proc/self/task")), "executable": sys.executable,
    "parent": os.getppid(), "own_session": os.getsid(0) == os.getpid()}},
    open({path!r} + ".part", "w"))
os.replace({path!r} + ".part", {path!r})
"""


@pytest.fixture(autouse=True)
def _zygote_environment(monkeypatch) -> None:
    """The worker's environment as its zygote has it: the runs it must serve here are not
    refused for a variable another test left behind."""
    use_zygote_env(monkeypatch)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _facts(root: Path, said: Path) -> tuple[kernel_forks.ForkServer, dict]:
    server, why = kernel_forks.start(str(root), [("one", _FACTS.format(path=str(said)))])
    assert server is not None, why
    deadline = time.monotonic() + 120
    while not said.exists() and time.monotonic() < deadline and server.process.poll() is None:
        time.sleep(0.05)
    try:
        return server, json.loads(said.read_text(encoding="utf-8"))
    finally:
        server.stop()


def test_a_server_forked_by_the_zygote_is_what_a_fresh_server_would_be(fork_zygote, tmp_path,
                                                                       monkeypatch):
    """In a root that holds a package of its own (as a moved checkout does), the server the
    zygote forks has the fresh process's folder, environment, sys.path, arguments, standard
    streams and signals, and runs that root's package, imported afresh (none of the
    zygote's): only its parent (the zygote) and its session differ."""
    assert fork_zygote is not None and os.environ[ZYGOTE_VARIABLE]
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "pipeline", root / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    forked, facts = _facts(root, tmp_path / "forked.json")
    assert isinstance(forked.process, ForkedServer) and forked.process.returncode == 0
    monkeypatch.delenv(ZYGOTE_VARIABLE)
    fresh, expected = _facts(root, tmp_path / "fresh.json")
    assert isinstance(fresh.process, subprocess.Popen)
    assert facts.pop("parent") == fork_zygote.pid and expected.pop("parent") == os.getpid()
    assert facts.pop("own_session") and not expected.pop("own_session")
    assert facts["env"].pop(ZYGOTE_VARIABLE) == fork_zygote.args[-1]
    assert facts == expected
    assert facts["cwd"] == facts["path0"] == str(root) and facts["threads"] == 1
    assert facts["main"] == str(root / "pipeline" / "run" / "kernel_forks.py")
    assert all(file.startswith(str(root)) for _name, file in facts["pipeline"])
    assert facts["env"]["LAA_PROJECT_ROOT"] == str(root)
    assert not _alive(forked.process.pid) and not forked.folder.exists()


def test_the_zygote_forks_the_runs_server_which_forks_its_kernels(fork_zygote):
    """A run's server is the zygote's child, the stage's kernel the server's; shut down,
    the kernel goes and the server goes on; stopped, the server goes (reaped by the
    zygote, which says its exit status)."""
    server, why = kernel_forks.start(str(ROOT), [("one", "import json\n")])
    assert server is not None, why
    try:
        assert _parent(server.process.pid) == fork_zygote.pid
        manager, env = server.manager("one")
        manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(ROOT), env=env)
        manager.client().wait_for_ready(timeout=60)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        forked = [int(pid) for pid in children.read_text().split()]
        assert len(forked) == 1 and _parent(forked[0]) == server.process.pid
        manager.shutdown_kernel(now=True)
        assert _all_gone(forked, seconds=5) and server.usable()
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.poll() == 0 and not _alive(server.process.pid)


def test_a_forked_servers_handle_is_waited_for_polled_and_killed_from_several_threads(
        fork_zygote):
    """As a run's stages and its background stop use it: one thread waits, others poll,
    one kills; each sees the same end (killed, as the zygote reaped it), none an error."""
    import threading

    server, why = kernel_forks.start(str(ROOT), [("one", "")])
    assert server is not None and isinstance(server.process, ForkedServer), why
    seen, errors = [], []

    def polling() -> None:
        try:
            while (code := server.process.poll()) is None:
                time.sleep(0.001)
            seen.append(code)
        except Exception as error:  # noqa: BLE001 - collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=polling) for _ in range(3)]
    threads.append(threading.Thread(target=lambda: seen.append(server.process.wait())))
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    server.process.kill()
    for thread in threads:
        thread.join(timeout=30)
    server.process.kill()                             # ended: nothing to do
    server.stop()
    assert errors == [] and seen == [-signal.SIGKILL] * 4


def _ask(address: str, tmp_path: Path) -> tuple[ForkedServer | None, str]:
    """Ask for a server whose kernels' folder is a new one in ``tmp_path``: a server removes
    its folder when it ends, which it may do after the test has written there (it did:
    a file the test wrote next in ``tmp_path`` itself went with it)."""
    pairs = [socket.socketpair() for _ in range(3)]
    folder = tempfile.mkdtemp(prefix="laa-kernels-", dir=tmp_path)
    try:
        return request_server(address, folder, str(ROOT),
                              {**os.environ, "LAA_PROJECT_ROOT": str(ROOT), **SERVER_ENV},
                              tuple(ours.fileno() for ours, _theirs in pairs))
    finally:
        for pair in pairs:
            for end in pair:
                end.close()


def _falls_back() -> None:
    """A run started now starts its fork server itself (a child of this process)."""
    server, said = kernel_forks.start(str(ROOT), [("one", "")])
    assert server is not None, said
    try:
        assert isinstance(server.process, subprocess.Popen)
        assert server.process.args[:3] == [sys.executable, "-m", "pipeline.run.kernel_forks"]
        assert _parent(server.process.pid) == os.getpid()
    finally:
        server.process.kill()
        server.stop()


def test_what_a_zygote_and_its_laa_must_share():
    """The same interpreter, sys.path (but its first entry), version of the zygote's code,
    and environment, but for the variables read at run time only."""
    own = zygote_client.identity()
    env = {"HOME": "/root", "LAA_PROJECT_ROOT": "/a", "PYTEST_CURRENT_TEST": "t", "_": "x"}
    assert refusal(own, own, env, {**env, "LAA_PROJECT_ROOT": "/b", "LAA_PLAIN_KERNELS": "1",
                                   "PYTEST_CURRENT_TEST": "u", "_": "y"}) == ""
    runner = {**own, "path": ["/tests", *own["path"], "/added"]}   # e.g. pytest's worker
    assert refusal(runner, own, env, env) == ""
    assert refusal({**own, "path": own["path"][1:]}, own, env, env) == "another sys.path"
    assert refusal({**own, "path": ["/x", *own["path"][1:]]}, own, env, env) == \
        "another sys.path"
    assert refusal(own, own, env, {**env, "HOME": "/home"}) == "another environment (HOME)"
    assert refusal(own, own, {**env, "TZ": "UTC"}, {**env, "LANG": "C"}) == \
        "another environment (LANG, TZ)"
    # Great Expectations' own variable, which pipeline.quality.gx sets in any process that
    # imports it (a test's worker): the zygote never imports Great Expectations, so a run
    # that does imports it afresh with the variable as the run has it
    assert refusal(own, own, {**env, "GX_ANALYTICS_ENABLED": "false"}, env) == ""
    assert refusal(own, own, {**env, "GXX": "1"}, env) == "another environment (GXX)"


@pytest.mark.parametrize("differs", ["executable", "path", "source", "environment", "gone"])
def test_a_zygote_gone_or_that_differs_leaves_the_run_to_start_its_server_itself(
        fork_zygote, tmp_path, monkeypatch, differs):
    """Asked by a ``laa`` it cannot stand for (another interpreter, sys.path, version of
    the zygote's code or environment), the zygote refuses and says why; gone, it cannot
    answer: either way the run starts its fork server as usual."""
    address = os.environ[ZYGOTE_VARIABLE]
    assert _ask(address, tmp_path)[1] == ""   # the same: served
    other = tmp_path / "fork_server.py"
    other.write_bytes(Path(zygotes.__file__).with_name("fork_server.py").read_bytes()
                      + b"# another version\n")
    twin = Path(sys.executable).with_name(   # the same interpreter by another name
        "python" if Path(sys.executable).name == "python3" else "python3")
    change = {"executable": lambda: monkeypatch.setattr(sys, "executable", str(twin)),
              "path": lambda: monkeypatch.setattr(
                  sys, "path", [p for p in sys.path if not p.endswith("site-packages")]),
              "source": lambda: monkeypatch.setattr(zygote_client, "_CODE",
                                                    (Path(zygotes.__file__), other)),
              "environment": lambda: monkeypatch.setenv("ZYGOTE_TEST_VARIABLE", "1"),
              "gone": lambda: monkeypatch.setenv(ZYGOTE_VARIABLE, str(tmp_path / "gone"))}
    change[differs]()
    forked, why = _ask(os.environ[ZYGOTE_VARIABLE], tmp_path)
    assert forked is None
    assert why.startswith({"executable": "refused another sys.executable",
                           "path": "refused another sys.path",
                           "source": "refused another version of the zygote's code",
                           "environment": "refused another environment (ZYGOTE_TEST_VARIABLE)",
                           "gone": "no zygote ([Errno 2] No such file"}[differs]), why
    _falls_back()


_THREADED = """
import os, socket, sys, threading, time
from pipeline.run.fork_zygote import serve_zygote
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen()
print("listening", flush=True)
serve_zygote(listener, dict(os.environ))
"""


def test_a_zygote_that_is_not_single_threaded_refuses_to_fork(tmp_path):
    """A zygote running a second thread refuses (a fork would copy a process whose other
    thread may hold a lock), says why, and goes when its standard input closes."""
    address = str(tmp_path / "zygote")
    zygote = subprocess.Popen([sys.executable, "-c", _THREADED, address], cwd=tmp_path,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env={**os.environ, **SERVER_ENV})
    try:
        assert zygote.stdout.readline() == b"listening\n"
        forked, why = _ask(address, tmp_path)
        assert forked is None and why == "refused the zygote has 2 threads, refuses to fork"
    finally:
        zygote.stdin.close()
        assert zygote.wait(timeout=30) == 0


@pytest.mark.slow
def test_killing_the_run_leaves_no_server_the_zygote_forked_and_no_kernel(fork_zygote):
    """SIGKILL to the process whose server the zygote forked: the server's connection to it
    closes, the server kills its kernel and exits, the zygote reaps it."""
    run = subprocess.Popen([sys.executable, "-c", _KILLED_RUN], cwd=ROOT, text=True,
                           stdout=subprocess.PIPE)
    try:
        pids = [int(pid) for pid in run.stdout.readline().split()]
        folder = Path(run.stdout.readline().strip())
        assert len(pids) == 3 and all(_alive(pid) for pid in pids)
        assert _parent(pids[0]) == fork_zygote.pid and folder.exists()
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert _all_gone(pids, seconds=10), "the server or a kernel outlived the run"
    assert not folder.exists()
    children = Path(f"/proc/{fork_zygote.pid}/task/{fork_zygote.pid}/children")
    deadline = time.monotonic() + 10
    while children.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children.read_text() == ""                    # reaped


_WORKER = """
import sys, time
from pipeline.run.fork_zygote import start_zygote
zygote = start_zygote(sys.argv[1])
print(zygote.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_the_zygote_goes_with_the_process_that_started_it(tmp_path):
    """A pytest worker killed (SIGKILL: no clean-up of its own) leaves no zygote: its
    standard input closes, it exits and removes its socket."""
    address = tmp_path / "zygote"
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(address)], cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True)
    try:
        zygote = int(worker.stdout.readline())
        assert _alive(zygote) and address.is_socket()
    finally:
        worker.kill()
        worker.wait()
    assert _all_gone([zygote], seconds=10), "the zygote outlived its worker"
    assert not address.exists()


@pytest.mark.slow
def test_a_run_whose_server_the_zygote_forked_makes_the_same_bytes_as_one_without(
        laa1_project, laa1_moved):
    """The session's plain demo run (``laa1_project``) had its server, and ``laa`` itself
    (tests/conftest.py's ``laa()``), forked by the zygote (whose reaped children's CPU
    grew), the same run forced in a moved copy (``laa1_moved``, ``laa`` a subprocess
    started as an officer's) had not: every output is the same bytes."""
    assert laa1_project["zygote_cpu"] > 0.5
    assert laa1_moved["forced_zygote_cpu"] == 0
    assert "unchanged: reused" not in laa1_moved["forced_stdout"]
    assert _outputs(laa1_moved["project"]) == _outputs(laa1_project["project"])


HIGH_FD = 1500   # beyond select.select's limit (descriptors below 1024)


def test_readable_waits_on_any_descriptor_number():
    """The wait on a server's pidfd, the checks' answer and the zygote's first line takes
    descriptors of 1024 and above, which a long-lived process may hold (a test worker that
    ran commands in its own process did: select.select refused them, ValueError, 20 tests
    failed): nothing to read, then something, then the writer gone (as select.select says)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= HIGH_FD:
        resource.setrlimit(resource.RLIMIT_NOFILE, (HIGH_FD + 1, hard))
    read, write = os.pipe()
    high = os.dup2(read, HIGH_FD)
    try:
        assert high == HIGH_FD
        assert readable(high, 0) is False
        started = time.monotonic()
        assert readable(high, 0.2) is False and time.monotonic() - started >= 0.19
        os.write(write, b"x")
        assert readable(high, None) is True
        assert os.read(high, 1) == b"x" and readable(high, 0) is False
        os.close(write)
        write = None
        assert readable(high, 0) is True           # hung up: read gives b""
    finally:
        for fd in (read, high, write):
            if fd is not None:
                os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
