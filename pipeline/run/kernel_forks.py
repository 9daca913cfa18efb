"""Stage kernels forked from one warmed-up process: the run's fork server.

Python's own multiprocessing "forkserver" shows the technique. A run starts one server, a
fresh ``python -m pipeline.run.kernel_forks`` process (never a fork of the ``laa``
process). It imports ipykernel's kernel application, pandas and the first stage's imports,
then serves fork requests on a UNIX socket in a private temporary folder; before it forks
a stage's first kernel it imports what that stage imports (its warm-up code,
:func:`pipeline.run.warm.warm_code`: imports only, never a stage's code), asked a step
ahead (:func:`pipeline.run.warm.kernels_due`), so later kernels have it too. Each
kernel is a fresh copy of a process that never ran a stage: nothing a stage imports,
computes or caches reaches another, and the imports cost it nothing.

jupyter_client launches each kernel through a kernel spec of ours (named ``python3``, so the
executed notebooks' metadata stay as they were): the launched process is a small proxy
(:mod:`pipeline.run.kernel_proxy`) that hands the server its standard streams, environment
and folder, and stands for the forked kernel. The server forks only while it is
single-threaded (it starts BLAS and Arrow's allocator without their thread pools); otherwise
it refuses, says so on its connection to ``laa``, and the run starts plain kernels. It exits,
killing its kernels, when that connection closes (``laa`` done, failed or killed); a kernel
whose proxy is killed is killed with it, and each kernel goes when the server goes
(ipykernel's parent poller).

Where fork is missing (not Linux), or ``LAA_PLAIN_KERNELS`` is set, :func:`start` returns
None and the run uses plain ``python3`` kernels, as :mod:`pipeline.run.portable` does for
locks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from os import _exit as exit_now  # Python's own quick exit (no clean-up), as in fork_server
from pathlib import Path

from pipeline.run.kernel_proxy import SERVER_ENV, SERVER_VARIABLE, STAGE_VARIABLE, readable

PLAIN_VARIABLE = "LAA_PLAIN_KERNELS"  # set (to anything): plain kernels, no fork server
ZYGOTE_VARIABLE = "LAA_FORK_ZYGOTE"  # a zygote's socket (pipeline.run.fork_zygote): the tests
KERNEL_NAME = "python3"
KERNEL_SPEC = {"argv": ["python", "-m", "pipeline.run.kernel_proxy", "-f", "{connection_file}"],
               "display_name": "Python 3 (ipykernel)", "language": "python",
               "interrupt_mode": "signal", "metadata": {"debugger": True}}
READY_TIMEOUT_S = 10
CHECK_TIMEOUT_S = 120  # the server imports the first stage's modules before it checks


def unavailable() -> str | None:
    """Why this system or run cannot fork kernels (None when it can)."""
    if os.environ.get(PLAIN_VARIABLE):
        return f"{PLAIN_VARIABLE} is set"
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")
            and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")):
        return "this system cannot fork kernels"
    return None


def _start_server(folder: str, fds: tuple[int, int, int], root: str):
    """The server process: ``python -m pipeline.run.kernel_forks FOLDER FDS...`` in ``root``,
    or, where ``LAA_FORK_ZYGOTE`` names a zygote that can stand in for this process, the
    same forked by it (:mod:`pipeline.run.fork_zygote`: a handle with what is used here of
    a :class:`subprocess.Popen`)."""
    env = {**os.environ, "LAA_PROJECT_ROOT": root, **SERVER_ENV}
    if os.environ.get(ZYGOTE_VARIABLE):   # (imported only then: not on the run's way)
        from pipeline.run.zygote_client import request_server

        forked, _why = request_server(os.environ[ZYGOTE_VARIABLE], folder, root, env, fds)
        if forked is not None:
            return forked
    return subprocess.Popen([sys.executable, "-m", __name__, folder, *map(str, fds)],
                            pass_fds=fds, cwd=root, stdin=subprocess.DEVNULL, env=env)


class ForkServer:
    """The ``laa`` side of a run's fork server: starts it, hands out kernel managers that
    launch through it, and stops it.

    Parameters
    ----------
    root
        The project root: the server's folder (as a kernel's).
    warm
        ``(stage, warm-up code)`` for each stage, in order: what the server imports. None
        to send it later (:meth:`warm_up`): the server starts importing what every kernel
        needs meanwhile (:func:`start_early`).
    """

    def __init__(self, root: str, warm: list[tuple[str, str]] | None = None) -> None:
        self.root = root
        self.folder = Path(tempfile.mkdtemp(prefix="laa-kernels-"))
        self.address = str(self.folder / "forks")
        spec = self.folder / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps(KERNEL_SPEC), encoding="utf-8")
        self.refused: str | None = None
        # bound and listening before the server starts: a kernel may ask at once
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(self.address)
            listener.listen(16)
            ours, theirs = socket.socketpair()
            answers, answering = socket.socketpair()  # the run's checks' answer comes here
            with theirs, answering:
                self.process = _start_server(
                    str(self.folder), (listener.fileno(), theirs.fileno(), answering.fileno()),
                    root)
        self._control = ours
        self._answers = answers
        self._checking = False
        if warm is not None:
            self.warm_up(warm)

    def warm_up(self, warm: list[tuple[str, str]], check: dict | None = None) -> None:
        """Send the server ``(stage, warm-up code)`` for each stage, in order (once): it
        imports the first stage's before its first fork, the others' between forks; and the
        run's checks to make (:meth:`pipeline.run.inputs_check.InputsCheck.payload`), if
        any: made once the first stage's imports are in (:meth:`check_answer`)."""
        data = json.dumps({"warm": warm, "check": check}).encode("utf-8")
        self._control.sendall(len(data).to_bytes(8, "big") + data)
        self._control.setblocking(False)
        self._checking = check is not None

    def check_answer(self, timeout: float = CHECK_TIMEOUT_S) -> bytes | None:
        """The answer of the run's checks sent with the warm-ups (read to the end: the
        child that made them has exited); None if none were sent, or none came (the
        server refused to fork, ended, or took longer than ``timeout`` s)."""
        if not self._checking:
            return None
        self._checking = False
        deadline, data = time.monotonic() + timeout, b""
        while (left := deadline - time.monotonic()) > 0:
            if not readable(self._answers, min(left, 0.5)):
                if self.process.poll() is not None:
                    return None
                continue
            more = self._answers.recv(1 << 16)
            if not more:
                return data or None
            data += more
        return None

    def usable(self) -> bool:
        """True while the server runs and has refused nothing (once False, stays False)."""
        if self.refused is None:
            try:
                said = self._control.recv(4096)
            except BlockingIOError:
                said = None
            if said is not None:
                self.refused = said.decode(errors="replace").strip() or "it ended"
            elif self.process.poll() is not None:
                self.refused = "it ended"
        return self.refused is None

    def manager(self, stage: str):
        """A kernel manager (not started) whose kernel is forked by the server for
        ``stage``, and the environment to start it with."""
        from jupyter_client.kernelspec import KernelSpecManager

        from pipeline.run.kernel_client import StageKernelManager, over_sockets_in

        specs = KernelSpecManager(kernel_dirs=[str(self.folder / "kernels")])
        env = {**os.environ, SERVER_VARIABLE: self.address, STAGE_VARIABLE: stage}
        return StageKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs,
                                  **over_sockets_in(self.folder)), env

    def stop(self) -> None:
        """Close the connection (the server kills its kernels and exits), wait for it and
        remove the private folder."""
        self._control.close()
        self._answers.close()
        try:
            self.process.wait(timeout=READY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_early: list[ForkServer] = []   # a server started before its run's stages were known


def start_early(root: str) -> None:
    """Start a fork server now, for a run known to run stages (``laa run --force``) whose
    stages are not known yet: it imports what every kernel needs while ``laa`` loads its
    configuration and checks the register. The run's :func:`start` takes it; a command
    that ends without taking it discards it (:func:`discard_early`). Nothing where the
    system cannot fork kernels."""
    if unavailable() is None and not _early:
        try:
            _early.append(ForkServer(root))
        except OSError:
            pass


def discard_early() -> None:
    """Stop the server :func:`start_early` started, if no run took it (it has no kernel:
    killed, not waited for)."""
    while _early:
        early = _early.pop()
        early.process.kill()
        early.stop()


def start(root: str, warm: list[tuple[str, str]],
          check: dict | None = None) -> tuple[ForkServer | None, str]:
    """Start a fork server for a run (or take the one :func:`start_early` started for
    ``root``), sending it the warm-ups and the run's checks (see
    :meth:`ForkServer.warm_up`); ``(None, why)`` where there cannot be one."""
    why = unavailable()
    if why is not None:
        return None, why
    while _early:
        early = _early.pop()
        if early.root == root and early.process.poll() is None:
            try:
                early.warm_up(warm, check)
                return early, ""
            except OSError:
                pass
        early.stop()
    try:
        server = ForkServer(root)
        server.warm_up(warm, check)
        return server, ""
    except OSError as exc:
        return None, f"the fork server could not start ({exc})"


def main(argv: list[str]) -> None:
    """The server: ``python -m pipeline.run.kernel_forks FOLDER LISTENER_FD CONTROL_FD
    ANSWERS_FD``."""
    from pipeline.run.fork_server import serve

    folder = Path(argv[0])
    listener = socket.socket(fileno=int(argv[1]))
    control = socket.socket(fileno=int(argv[2]))
    answers = socket.socket(fileno=int(argv[3])) if len(argv) > 3 else None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run stops it by closing `control`
    code = 0
    try:
        serve(listener, control, answers)
    except SystemExit as exc:  # SIGTERM or SIGHUP: its kernels killed and reaped already
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # Every kernel is gone and the folder removed: nothing is left to clean up, so the server
    # skips Python's own exit (about 0.1 s, with all the stages' modules loaded), which the
    # run waits for at its end
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(code)


if __name__ == "__main__":
    main(sys.argv[1:])
