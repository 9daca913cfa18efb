"""A zygote for the runs' fork servers: opt-in, for a harness that starts many runs (the tests).

Each run starts its own fork server (:mod:`pipeline.run.kernel_forks`), a fresh ``python -m
pipeline.run.kernel_forks`` process that first imports the same third-party modules as every
other run's server (ipykernel, pandas, pyarrow, statsmodels, nbconvert...: about 1.5 CPU-s).
Where ``LAA_FORK_ZYGOTE`` names the socket of a zygote (``python -m pipeline.run.fork_zygote
SOCKET``, started by :func:`start_zygote`), ``laa`` asks it for its server instead
(:func:`pipeline.run.zygote_client.request_server`). The zygote has imported those modules
(:data:`ZYGOTE_MODULES`) and nothing of a run (no stage, no register, no data), and forks a
child that becomes the server as the fresh process would: in a session of its own, in the
run's folder with the run's environment, standard input, output and error, ``sys.path[0]``
the run's root, every ``pipeline`` module the zygote imported forgotten (the run's are
imported afresh, from where the fresh process would find them), then
:mod:`pipeline.run.kernel_forks` run as ``__main__``, as ``python -m`` runs it. Each run
still has a server of its own, a copy of a process that has only imported modules: nothing
passes from one run to another. The tests ask it for whole ``laa`` commands too
(:mod:`pipeline.run.zygote_laa`).

A zygote serves only a ``laa`` it can stand in for: the same ``sys.executable``, ``sys.path``
apart from its first entry, code of its own (:func:`pipeline.run.zygote_client.identity`)
and environment (apart from the pipeline's ``LAA_*`` variables, :data:`RUN_TIME_VARIABLES`,
read at run time only, and those of libraries it never imports,
:data:`NOT_PRELOADED_PREFIXES`). Otherwise it refuses, and ``laa`` starts its server the
usual way, without a word, as it does when the zygote is gone. It forks only while
single-threaded, reaps its children and tells each ``laa`` its server's exit status; it
exits (asking its servers to stop first) when its standard input closes (the harness that
started it gone, however it went), when its parent dies, or on SIGTERM.
"""

from __future__ import annotations

import contextlib
import gc
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pipeline.run.fork_server import (
    import_kernel,
    leave_parent,
    preload,
    read_request,
    reap,
    run_child,
    thread_count,
    wake_on_signals,
)
from pipeline.run.kernel_proxy import SERVER_ENV, readable
from pipeline.run.zygote_client import identity
from pipeline.run.zygote_laa import become_laa, run_laa

# What the stages' servers import from outside the package (besides ipykernel's kernel
# modules, :func:`pipeline.run.fork_server.import_kernel`), then what a ``laa`` forked here
# imports besides (pipeline/run/zygote_laa.py): third-party modules only, never the package's
ZYGOTE_MODULES = "\n".join(f"import {name}" for name in (
    "pandas", "pyarrow.dataset", "pyarrow.parquet", "pyarrow.compute", "pyarrow.csv",
    "pydantic", "pydantic.main", "pydantic.fields", "pydantic.type_adapter",
    "pydantic.functional_validators", "statsmodels.stats.proportion",
    "statsmodels.stats.rates", "jinja2", "jinja2.ext", "nbformat", "nbconvert", "openpyxl",
    "pikepdf", "typst", "tomllib", "papermill", "ipykernel.kernelspec", "docx",
    "statistics"))
# besides LAA_*, variables read at run time only, never on import: pytest's, the terminal's
# size (which GNU readline puts in its process's environment) and those shells keep
RUN_TIME_VARIABLES = ("PYTEST_CURRENT_TEST", "COLUMNS", "LINES", "_", "PWD", "OLDPWD", "SHLVL")
# and those of a library the zygote never imports, read when a run imports it afresh with the
# run's environment: Great Expectations' (pipeline.quality.gx sets one in any process that
# imports it, a test's worker included: every later run of that worker was refused)
NOT_PRELOADED_PREFIXES = ("GX_",)
STOP_TIMEOUT_S = 10
_STOPPING: list[int] = []   # the signals asking the zygote to stop (SIGTERM), as they came


def _stop(signum: int, frame: object) -> None:
    """SIGTERM: noted, and the zygote's loop ends (woken by the signal's wake-up byte), never
    an exception raised wherever it is (its clean-up is never cut short)."""
    _STOPPING.append(signum)


def _within(entries: list[str], run: list[str]) -> bool:
    """True if ``run`` is a contiguous part of ``entries``."""
    return any(entries[at:at + len(run)] == run for at in range(len(entries) - len(run) + 1))


def _runs_own(name: str) -> bool:
    return name.startswith(("LAA_", *NOT_PRELOADED_PREFIXES)) or name in RUN_TIME_VARIABLES


def refusal(asked: dict, own: dict, env: dict[str, str], own_env: dict[str, str]) -> str:
    """Why a zygote of identity ``own`` (:func:`identity`), started with the environment
    ``own_env``, cannot stand in for the ``laa`` of identity ``asked`` whose server's
    environment is ``env`` ("" if it can): ``asked``'s sys.path must hold ``own``'s, in
    order, the rest must be equal."""
    if asked.get("executable") != own["executable"]:
        return "another sys.executable"
    # a fresh server's sys.path is its root and the interpreter's own entries: those the
    # ``laa`` asking has before or after them (its script's folder, a test runner's
    # additions) never reach it
    if not _within(asked.get("path", []), own["path"]):
        return "another sys.path"
    if asked.get("source") != own["source"]:
        return "another version of the zygote's code"
    differ = sorted(name for name in set(env) ^ set(own_env) | {
        name for name in set(env) & set(own_env) if env[name] != own_env[name]}
        if not _runs_own(name))
    return f"another environment ({', '.join(differ[:5])})" if differ else ""


def _become_server(request: dict, fds: list[int], closing: list,
                   imports: tuple[dict[str, str], set[str]]) -> None:
    """In the forked child: become the fork server ``laa`` asked for (never returns). Its
    environment is the one asked for, changed as the zygote's imports changed the zygote's
    (``imports``: the variables they set, and those they removed), as the same imports
    change a fresh server's (debugpy sets one)."""

    def server() -> None:
        os.setsid()
        leave_parent(closing)
        *passed, out, err = fds
        null = os.open(os.devnull, os.O_RDONLY)
        for fd, target in ((null, 0), (out, 1), (err, 2)):
            os.dup2(fd, target)
            os.close(fd)
        for fd in passed:
            os.set_inheritable(fd, True)   # as subprocess's pass_fds leaves them
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({name: value for name, value in request["env"].items()
                           if name not in imports[1]})
        os.environ.update(imports[0])
        sys.path[0] = os.getcwd()          # as ``python -m`` from the run's root has it
        for name in [m for m in sys.modules if m == "pipeline" or m.startswith("pipeline.")]:
            del sys.modules[name]
        import importlib
        import runpy

        importlib.invalidate_caches()
        sys.argv = ["-m", request["folder"], *map(str, passed)]
        runpy.run_module("pipeline.run.kernel_forks", run_name="__main__", alter_sys=True)

    run_child(server)


def _stop_children(children: dict[int, socket.socket | None]) -> None:
    """Ask the servers still running to stop (SIGTERM: they kill their kernels first),
    then kill what is left, and reap them all."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sent)
        for _ in range(int(STOP_TIMEOUT_S * 20)):
            try:
                while children and (pid := os.waitpid(-1, os.WNOHANG)[0]):
                    children.pop(pid, None)
            except ChildProcessError:
                children.clear()
            if not children:
                return
            time.sleep(0.05)


def serve_zygote(listener: socket.socket, own_env: dict[str, str]) -> bool:
    """Fork a server (or a ``laa``) for each request on ``listener`` until standard input
    closes (or SIGTERM): False then. The requests come from :mod:`pipeline.run.
    zygote_client`. ``own_env`` is the environment the zygote started with (before its
    imports). True in a child forked to be a ``laa`` (:func:`pipeline.run.zygote_laa.
    become_laa`), which returns, set up, for its entry point to run it; the zygote's
    clean-up here is never run there."""
    zygote = os.getpid()
    own = identity()
    imports = ({name: value for name, value in os.environ.items()
                if own_env.get(name) != value}, set(own_env) - set(os.environ))
    # a ``laa``'s environment: the zygote's without the servers' own variables
    laa_env = {name: value for name, value in own_env.items() if name not in SERVER_ENV}
    wake_read, wake_write = wake_on_signals()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "request")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    children: dict[int, socket.socket | None] = {}   # server pid -> its laa's connection
    try:
        while not _STOPPING:
            for key, _mask in selector.select():
                if key.data == "stdin":
                    if not os.read(key.fd, 4096):
                        return False
                elif key.data == "child":
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
                elif key.data == "request":
                    connection, _ = listener.accept()
                    try:
                        request, fds = read_request(connection, 5)
                    except (OSError, ValueError):
                        connection.close()
                        continue
                    laa = request.get("kind") == "laa"   # else a run's fork server
                    why = refusal(request["identity"], own, request["env"],
                                  laa_env if laa else own_env)
                    if not why and thread_count() != 1:
                        why = f"the zygote has {thread_count()} threads, refuses to fork"
                    if why or len(fds) != (3 if laa else 5):
                        for fd in fds:
                            os.close(fd)
                        with contextlib.suppress(OSError):
                            connection.sendall(f"refused {why}\n".encode())
                        connection.close()
                        continue
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        closing = [selector, listener, wake_read, wake_write, connection,
                                   *filter(None, children.values())]
                        if laa:
                            become_laa(request, fds, closing)
                            return True   # up to the entry point, which runs it
                        _become_server(request, fds, closing, imports)
                    for fd in fds:
                        os.close(fd)
                    children[pid] = connection
                    selector.register(connection, selectors.EVENT_READ, pid)
                    pidfd = os.pidfd_open(pid)
                    try:
                        socket.send_fds(connection, [b"pid %d\n" % pid], [pidfd])
                    except OSError:   # laa went meanwhile: its server's control is closed
                        pass
                    os.close(pidfd)
                else:   # laa closed its connection (done with it, or gone): nothing to tell
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    children[key.data] = None
            reap(children, selector)
    finally:
        if os.getpid() == zygote:   # not in a ``laa`` forked here, on its way up
            _stop_children(children)
    return False


def start_zygote(address: str, timeout: float = 120) -> subprocess.Popen | None:
    """Start a zygote listening at ``address`` (a path) and wait until it does; None if it
    did not (it is killed then), or where fork servers cannot be (not Linux). It goes when
    the returned process's standard input is closed, or when the process that started it
    ends."""
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")):
        return None
    zygote = subprocess.Popen(
        [sys.executable, "-m", __name__, address], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, start_new_session=True, env={**os.environ, **SERVER_ENV})
    if readable(zygote.stdout, timeout) and \
            zygote.stdout.readline() == b"listening\n":
        return zygote
    zygote.kill()
    zygote.wait()
    return None


def main(argv: list[str]) -> bool:
    """The zygote: ``python -m pipeline.run.fork_zygote SOCKET``; says ``listening`` on its
    standard output once it does (its imports done). False once it is done; True in a
    child it forked to be a ``laa``, set up (:func:`serve_zygote`)."""
    import ctypes

    signal.signal(signal.SIGTERM, _stop)
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):   # PR_SET_PDEATHSIG: go with it
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:   # gone already
        return False
    own_env = dict(os.environ)
    import_kernel()
    preload(ZYGOTE_MODULES)
    gc.collect()
    gc.freeze()   # what the imports made, out of the collector's sight in every server
    address = Path(argv[0])
    staged = address.with_name(address.name + ".binding")
    zygote = os.getpid()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(staged))
        listener.listen(64)
        staged.rename(address)   # connected to only once ready
        try:
            if not _STOPPING:
                print("listening", flush=True)
                return serve_zygote(listener, own_env)
        finally:
            if os.getpid() == zygote:   # its socket, never unlinked by a ``laa`` forked here
                address.unlink(missing_ok=True)
    return False


if __name__ == "__main__":
    if main(sys.argv[1:]):   # a ``laa`` forked by the zygote: it ends as a fresh one does
        run_laa()
