"""What a ``laa`` (or a test) uses of the fork servers' zygote (:mod:`pipeline.run.fork_zygote`).

Its :func:`identity` (what a zygote and the process asking it must share), the requests
(:func:`request_server` for a run's fork server, :func:`request_laa` for a whole ``laa``, the
tests' way) and :class:`ForkedServer`, the handle on the child the zygote forked. Kept apart
from the zygote's loop: a run imports only this, and only where ``LAA_FORK_ZYGOTE`` is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from pipeline.run.kernel_proxy import readable

ANSWER_TIMEOUT_S = 10
# the zygote's code: its loop, the fork server's it uses, the laa it forks, and this
_CODE = tuple(Path(__file__).with_name(name) for name in (
    "fork_zygote.py", "fork_server.py", "zygote_laa.py", "zygote_client.py"))


def identity() -> dict:
    """What a zygote and the ``laa`` it serves must share: ``sys.executable``, ``sys.path``
    apart from its first entry, and the zygote's own code (:data:`_CODE`, byte for byte).
    Not the package's folder: the child a zygote forks imports the package afresh from
    where a fresh process would (the run's root first, as ``python -m`` has it), whichever
    ``laa``'s and the zygote's own are."""
    digest = hashlib.sha256()
    for path in _CODE:
        digest.update(path.read_bytes())
    return {"executable": sys.executable, "path": sys.path[1:], "source": digest.hexdigest()}


class ForkedServer:
    """A process forked by a zygote (not a child of its ``laa``): what ``laa`` uses of a
    :class:`subprocess.Popen` (``pid``, ``poll``, ``wait``, ``kill``), through a pidfd; safe
    from several threads, as Popen is (a run's stages and its background stop use it)."""

    def __init__(self, pid: int, pidfd: int, connection: socket.socket) -> None:
        import threading

        self.pid = pid
        self.returncode: int | None = None
        self._pidfd: int | None = pidfd
        self._connection = connection
        self._waiting = threading.Lock()   # held while waiting, as Popen's waitpid lock
        self._closing = threading.Lock()   # the pidfd's, against a kill as it closes

    def poll(self) -> int | None:
        """The process's exit code once it has ended (None while it runs, or while another
        thread waits for it)."""
        if self.returncode is None and self._waiting.acquire(blocking=False):
            try:
                if self.returncode is None and self._ended(0):
                    self._finish()
            finally:
                self._waiting.release()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end; its exit code, as the zygote saw it (1 where the
        zygote could not say)."""
        with self._waiting:
            if self.returncode is None:
                if not self._ended(timeout):
                    raise subprocess.TimeoutExpired(f"fork server {self.pid}", timeout or 0)
                self._finish()
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the process (nothing if it has ended)."""
        with self._closing:
            if self._pidfd is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _ended(self, timeout: float | None) -> bool:
        return readable(self._pidfd, timeout)

    def _finish(self) -> None:
        """The process has ended: read its status (the zygote says it once it has reaped
        it) and let go of the pidfd and the connection."""
        self._connection.settimeout(ANSWER_TIMEOUT_S)
        try:
            said = self._connection.makefile("rb").readline().split()
        except OSError:
            said = []
        status = int(said[1]) if len(said) == 2 and said[0] == b"exit" else None
        self._connection.close()
        with self._closing:
            os.close(self._pidfd)
            self._pidfd = None
        self.returncode = 1 if status is None else os.waitstatus_to_exitcode(status)


def request_server(address: str, folder: str, root: str, env: dict[str, str],
                   fds: tuple[int, int, int]) -> tuple[ForkedServer | None, str]:
    """Ask the zygote at ``address`` for a fork server (``python -m pipeline.run.kernel_forks
    FOLDER FDS...`` run in ``root`` with ``env``, standard input ``/dev/null``, this
    process's standard output and error); ``(None, why)`` if it is gone or refuses."""
    return _ask(address, {"folder": folder, "cwd": root, "env": env}, [*fds, 1, 2])


def request_laa(address: str, args: list[str], cwd: str, env: dict[str, str],
                fds: tuple[int, int, int]) -> tuple[ForkedServer | None, str]:
    """Ask the zygote at ``address`` for ``laa ARGS`` (``python -m pipeline.cli ARGS``, run
    in ``cwd`` with ``env``, its standard input, output and error ``fds``:
    :mod:`pipeline.run.zygote_laa`); ``(None, why)`` if it is gone or refuses."""
    return _ask(address, {"kind": "laa", "args": list(args), "cwd": cwd, "env": env},
                list(fds))


def _ask(address: str, request: dict, fds: list[int]) -> tuple[ForkedServer | None, str]:
    """Send ``request`` (with this process's :func:`identity`) and ``fds`` to the zygote at
    ``address``: a handle on the child it forked, or ``(None, why)``."""
    payload = json.dumps({"identity": identity(), **request}).encode("utf-8")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(ANSWER_TIMEOUT_S)
        connection.connect(address)
        socket.send_fds(connection, [len(payload).to_bytes(8, "big") + payload], fds)
        data, pidfds, _flags, _address = socket.recv_fds(connection, 4096, 1)
        said = data.decode(errors="replace").strip()
        if not said.startswith("pid ") or len(pidfds) != 1:
            for fd in pidfds:
                os.close(fd)
            connection.close()
            return None, said or "the zygote ended"
        return ForkedServer(int(said.split()[1]), pidfds[0], connection), ""
    except (OSError, ValueError) as exc:
        connection.close()
        return None, f"no zygote ({exc})"
