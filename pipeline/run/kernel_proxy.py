"""The process jupyter_client launches for a forked kernel: a tiny stand-in, no heavy imports.

It connects to the run's fork server (:mod:`pipeline.run.kernel_forks`; the socket's path in
``LAA_FORK_SERVER``), hands it its standard streams, environment, folder and arguments, and
the server forks a kernel from its warmed-up process. Then it stands for that kernel: the
signals jupyter_client sends it (SIGINT to interrupt, SIGTERM to stop) are passed on, and it
exits with the kernel's exit status when the server says the kernel ended. Killed itself
(jupyter_client's ``shutdown_kernel(now=True)``), its connection closes and the server kills
the kernel. A refusal or a server gone before the kernel was forked: it exits with 1 (the
run then starts a plain kernel instead).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

SERVER_VARIABLE = "LAA_FORK_SERVER"
STAGE_VARIABLE = "LAA_KERNEL_STAGE"
# The fork server's environment (each forked kernel keeps the BLAS and allocator it loaded,
# with the proxy's environment): no BLAS thread pool, no background thread of Arrow's
# jemalloc, so it can fork. Plain kernels are started with the same (pipeline.run.execute):
# the same arithmetic forked or not; and so is a zygote (pipeline.run.fork_zygote).
SERVER_ENV = {"OPENBLAS_NUM_THREADS": "1", "JE_ARROW_MALLOC_CONF": "background_thread:false"}


def request(argv: list[str]) -> bytes:
    """The fork request: the kernel's arguments, environment (without the server's own
    variables) and folder, as length-prefixed JSON."""
    env = {k: v for k, v in os.environ.items() if k not in (SERVER_VARIABLE, STAGE_VARIABLE)}
    payload = json.dumps({"argv": argv, "env": env, "cwd": os.getcwd(),
                          "stage": os.environ.get(STAGE_VARIABLE, "")}).encode()
    return len(payload).to_bytes(8, "big") + payload


def _exit_as(status: int) -> None:
    """Exit as the kernel did: with its code, or killed by the same signal."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # theirs cannot be set (nor caught)
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 1
    sys.exit(code)


def main(argv: list[str]) -> None:
    """Stand for a kernel forked by the server at ``$LAA_FORK_SERVER``."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(os.environ[SERVER_VARIABLE])
    socket.send_fds(connection, [request(argv)], [0, 1, 2])
    replies = connection.makefile("rb")
    first = replies.readline().split()
    if len(first) != 2 or first[0] != b"pid":
        sys.exit(1)  # refused (the server said why in the run's log) or gone
    pid = int(first[1])

    def forward(signum: int, frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    ended = replies.readline().split()
    if len(ended) == 2 and ended[0] == b"exit":
        _exit_as(int(ended[1]))
    sys.exit(1)  # the server went first (and killed the kernel)


def readable(source: object, timeout: float | None) -> bool:
    """True when ``source`` (a descriptor, or an object with ``fileno()``: a pipe, a socket,
    a pidfd, which is readable once its process has ended) can be read, or has hung up,
    within ``timeout`` seconds (None: as long as it takes), as ``select.select`` says it.
    Any descriptor number: ``select.poll``, for ``select.select`` refuses descriptors of
    1024 and above, which a long-lived process (a test worker) may hold."""
    import math
    import select

    poller = select.poll()
    poller.register(source, select.POLLIN)
    return bool(poller.poll(None if timeout is None else math.ceil(max(timeout, 0) * 1000)))


if __name__ == "__main__":
    main(sys.argv[1:])
