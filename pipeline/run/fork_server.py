"""The fork server's loop and the kernels it forks (started by :mod:`pipeline.run.kernel_forks`).

One thread, one ``selectors`` loop: fork requests on the listening socket, the proxies'
connections (one per kernel: closed means kill the kernel), the connection to ``laa``
(closed means kill every kernel and exit), and SIGCHLD through a wake-up pipe (a kernel
ended: its proxy is told its status). A stage's imports run when its first kernel is asked
for, never sooner: ``laa`` asks a step ahead (:class:`pipeline.run.execute.StageKernels`),
so they run beside the step before, not beside two stages that have both cores busy.
The run's checks of its parameters (:mod:`pipeline.run.inputs_check`), when ``laa`` sends
them with the warm-ups, are made in a child forked before the first kernel, once the first
stage's imports are in: the child writes its answer to ``laa`` on a connection of their own.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import selectors
import signal
import socket
import sys
import traceback
import warnings
from collections.abc import Callable
from os import _exit as exit_now  # Python's, the forked child's way out (no clean-up)
from pathlib import Path
from typing import NoReturn

REQUEST_TIMEOUT_S = 10
# What ipykernel's kernel application imports when each kernel initialises (its kernel, shell
# and debugger modules: debugpy, pdb, xml...; its shell's debugger, completer, inspector and
# store extension, psutil, faulthandler, tornado's asyncio loop: nothing is left for a
# kernel's initialisation to import): imported here once, before the stages' imports (while
# ``laa``, which starts the server first thing, has yet to send them), so every kernel forked
# has them
KERNEL_MODULES = "\n".join(f"import {name}" for name in (
    "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.debugger",
    "IPython.core.completerlib", "IPython.core.oinspect", "IPython.extensions.storemagic",
    "psutil", "faulthandler", "tornado.platform.asyncio"))


def preload(code: str) -> None:
    """Run a stage's warm-up code (its imports, inside a function), quietly: what it would
    have printed or warned in a kernel's silent execution is thrown away there too."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            exec(compile(code, "<laa warm-up>", "exec"), {"__name__": "__laa_warm__"})  # noqa: S102
        except Exception:  # noqa: BLE001 - the kernel's own warm-up then meets it, as before
            pass


def import_kernel() -> None:
    """Import ipykernel's kernel application and :data:`KERNEL_MODULES`: what every kernel
    needs, imported once where kernels are forked (or fork servers: a zygote)."""
    import ipykernel.kernelapp  # noqa: F401 - what every kernel needs, imported once

    preload(KERNEL_MODULES)


def thread_count() -> int:
    """How many threads this process runs (a fork copies only the calling one)."""
    return len(os.listdir("/proc/self/task"))


def read_request(connection: socket.socket, most: int = 3) -> tuple[dict, list[int]]:
    """A request (length-prefixed JSON) and the descriptors passed with it (``most`` at
    most): a proxy's, or a ``laa``'s to a zygote."""
    connection.settimeout(REQUEST_TIMEOUT_S)
    data, fds, _flags, _address = socket.recv_fds(connection, 1 << 16, most)
    while len(data) < 8 or len(data) < 8 + int.from_bytes(data[:8], "big"):
        more = connection.recv(1 << 16)
        if not more:
            raise ConnectionError("the request's sender went before it was whole")
        data += more
    connection.setblocking(True)
    return json.loads(data[8:8 + int.from_bytes(data[:8], "big")]), list(fds)


# The stopping signals this process started with ignored (``nohup``'s SIGHUP): a program
# started from it keeps them ignored (``exec`` keeps an ignored signal ignored), so a child
# forked to be one keeps them ignored too, and a loop here never catches them.
IGNORED_AT_START = frozenset(name for name in ("SIGINT", "SIGTERM", "SIGHUP")
                             if signal.getsignal(getattr(signal, name)) == signal.SIG_IGN)


def fresh_handler(name: str) -> Callable | int:
    """The handler a fresh Python process started from this one has for the stopping signal
    ``name``: ignored if this process started with it ignored (:data:`IGNORED_AT_START`),
    otherwise the default (Python's KeyboardInterrupt for SIGINT)."""
    if name in IGNORED_AT_START:
        return signal.SIG_IGN
    return signal.default_int_handler if name == "SIGINT" else signal.SIG_DFL


def leave_parent(closing: list) -> None:
    """In a forked child: let go of what the parent's loop holds (``closing``: sockets, a
    selector, descriptors) and of its signal handling (a fresh process's:
    :func:`fresh_handler`)."""
    signal.set_wakeup_fd(-1)
    for thing in closing:
        thing.close() if hasattr(thing, "close") else os.close(thing)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), fresh_handler(name))


def run_child(become: Callable[[], object]) -> NoReturn:
    """In a forked child: ``become()``, then exit without Python's clean-up: with 0, a
    SystemExit's code, or 1 after printing any other exception on stderr."""
    code = 1
    try:
        become()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:  # noqa: BLE001 - said on the child's stderr, then exit 1
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        exit_now(code)


def _become_kernel(request: dict, fds: list[int], closing: list) -> None:
    """In the forked child: become the kernel the proxy asked for, then exit (never
    returns)."""

    def kernel() -> None:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        leave_parent(closing)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if sys.path and Path(sys.path[0]) == Path.cwd():  # as ipykernel_launcher does
            del sys.path[0]
        if "pandas" in sys.modules:  # imported here outside a kernel, pandas took the
            # server for a terminal: the value it gives this option inside a kernel
            sys.modules["pandas"].set_option("display.max_columns", 20)
        import ipykernel_launcher
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        IPKernelApp.launch_instance(
            argv=[*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"])

    run_child(kernel)


def _receive_warm(control: socket.socket) -> tuple[list[tuple[str, str]], dict | None] | None:
    """The warm-ups ``laa`` sends first on ``control`` (length-prefixed JSON), and the
    run's checks to make (None: none); None if it closed the connection instead (the run
    took no kernel from this server)."""
    data = b""
    while len(data) < 8 or len(data) < 8 + int.from_bytes(data[:8], "big"):
        more = control.recv(1 << 16)
        if not more:
            return None
        data += more
    said = json.loads(data[8:8 + int.from_bytes(data[:8], "big")])
    return [tuple(pair) for pair in said["warm"]], said.get("check")


def _answer_check(payload: dict, answers: socket.socket, closing: list) -> None:
    """In the forked child: make the run's checks, send their answer on ``answers`` and
    exit (never returns); a failure sends nothing (``laa`` then makes them itself)."""
    code = 1
    try:
        for thing in closing:
            thing.close()
        for name in ("SIGTERM", "SIGHUP"):
            signal.signal(getattr(signal, name), fresh_handler(name))
        from pipeline.run.inputs_check import answer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said, if at all, where the run checks itself
            answers.sendall(answer(payload))
        code = 0
    except BaseException:  # noqa: BLE001, S110 - laa makes the checks itself then
        pass
    finally:
        exit_now(code)


def _fork_check(payload: dict | None, answers: socket.socket | None,
                closing: list) -> int | None:
    """Fork the child that makes the run's checks (:func:`_answer_check`), if ``laa`` sent
    any and the server is single-threaded; its pid (None if none). The server's end of
    ``answers`` is closed either way: ``laa`` reads the answer up to the child's exit."""
    if answers is None:
        return None
    pid = None
    if payload is not None and thread_count() == 1:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _answer_check(payload, answers, closing)
    answers.close()
    return pid


def serve(listener: socket.socket, control: socket.socket,
          answers: socket.socket | None = None) -> None:
    """Serve fork requests until ``control`` closes (or SIGTERM); kill every kernel then.

    The server imports ipykernel's kernel application and :data:`KERNEL_MODULES` first,
    then reads from ``control`` each stage's warm-up code in stage order, and the run's
    checks (:func:`_receive_warm`): the first warm-up runs before any fork, then the checks
    are forked off (their answer goes on ``answers``); each other warm-up runs before the
    fork of the first kernel asked for its stage.
    """
    import_kernel()
    received = _receive_warm(control)
    if received is None:
        return
    warm, check = received
    for _stage, code in warm[:1]:
        preload(code)
    checking = _fork_check(check, answers, [listener, control])
    # stage -> its warm-up, not yet run here (in stage order)
    waiting = dict(warm[1:])
    children: dict[int, socket.socket | None] = {}  # kernel pid -> its proxy's connection
    if checking is not None:
        children[checking] = None  # reaped and, if need be, killed as the kernels are
    wake_read, wake_write = wake_on_signals()

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(0)

    for name in ("SIGTERM", "SIGHUP"):  # killed politely: its kernels go first
        if name not in IGNORED_AT_START:   # under ``nohup``, a hang-up stops no run
            signal.signal(getattr(signal, name), terminate)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "fork")
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    refused = ""
    try:
        while True:
            events = selector.select()
            for key, _mask in events:
                if key.data == "control":
                    if not control.recv(64):
                        return
                elif key.data == "child":
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
                elif key.data == "fork":
                    connection, _ = listener.accept()
                    try:
                        request, fds = read_request(connection)
                    except (OSError, ValueError):
                        connection.close()
                        continue
                    threads = thread_count()
                    if threads != 1 and not refused:
                        refused = f"the fork server has {threads} threads, refuses to fork"
                        control.sendall(refused.encode() + b"\n")
                    if refused:
                        for fd in fds:
                            os.close(fd)
                        with contextlib.suppress(OSError):
                            connection.sendall(b"refused\n")
                        connection.close()
                        continue
                    if request.get("stage", "") in waiting:  # its imports here first: the
                        # kernel needs them before its turn anyway, and the later kernels
                        # then have them too (not imported again in each)
                        preload(waiting.pop(request["stage"]))
                    sys.stdout.flush()
                    sys.stderr.flush()
                    gc.freeze()
                    pid = os.fork()
                    if pid == 0:
                        _become_kernel(request, fds, [
                            selector, listener, control, wake_read, wake_write,
                            connection, *filter(None, children.values())])
                    for fd in fds:
                        os.close(fd)
                    children[pid] = connection
                    selector.register(connection, selectors.EVENT_READ, pid)
                    try:
                        connection.sendall(b"pid %d\n" % pid)
                    except OSError:  # the proxy is gone already (killed while it waited)
                        os.kill(pid, signal.SIGKILL)
                else:  # a proxy's connection: closed (or spoke out of turn): kill its kernel
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(key.data, signal.SIGKILL)
                    selector.unregister(key.fileobj)
            reap(children, selector)
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def wake_on_signals() -> tuple[int, int]:
    """A pipe to which each signal writes a byte (a loop's ``select`` wakes on its reading
    end), SIGCHLD among them: its two ends."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    return wake_read, wake_write


def reap(children: dict[int, socket.socket | None], selector: selectors.BaseSelector) -> None:
    """Reap the children that ended and tell each one's connection (a kernel's proxy, a
    server's ``laa``) its status."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is None:
            continue
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        with contextlib.suppress(OSError):
            connection.sendall(b"exit %d\n" % status)
        connection.close()
