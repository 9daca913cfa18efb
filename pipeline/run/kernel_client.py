"""jupyter_client for a stage's kernel: the manager that starts it, the client nbclient drives
it with (jupyter_client's asynchronous one, readied without a fixed wait), the read of its
warm-up's reply and its shutdown (:func:`warmed_up`, :func:`shut_down`).

jupyter_client's ``wait_for_ready`` sends ``kernel_info`` until the reply comes and the
kernel's IOPub channel is seen to carry messages, then reads that channel until it has been
silent for 0.2 s: 0.2 s of every stage spent waiting for nothing (a stage's kernel is
started and warmed up already). This one stops reading as soon as the channel has carried
the ``idle`` status of its own last ``kernel_info`` request: the channel keeps its order,
so every message sent before it has been read by then, and nothing is left to flush.

nbclient closes neither the client it makes of a kernel manager it was handed (papermill's
``km``) nor that client's ZeroMQ context: a run in a long-lived process (a notebook, the
tests) would keep about ten descriptors a stage open. :class:`StageKernelManager` keeps the
clients made in :meth:`StageKernelManager.clients_closed` (the stage's execution), and
closes them and their contexts after it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty

from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager

_SOCKETS = itertools.count(1)   # each kernel's sockets named apart in their folder
SOCKET_PATH_MAX = 103   # bytes a Unix socket's path may hold (macOS's 104 less its NUL)
IOPUB_PROBE_S = 0.05  # waited for the status on IOPub before asking again (a SUB socket
# just connected drops what was published before its subscription reached the kernel)


async def _reply_seen(client: AsyncKernelClient, msg_id: str, timeout: float) -> dict | None:
    """The shell reply to request ``msg_id`` (replies to earlier requests are skipped), or
    None after ``timeout`` s of silence."""
    while True:
        try:
            msg = await client.shell_channel.get_msg(timeout=timeout)
        except Empty:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


async def _idle_seen(client: AsyncKernelClient, msg_id: str, timeout: float) -> bool:
    """True once IOPub carried the ``idle`` status of request ``msg_id`` (within
    ``timeout`` s of silence)."""
    while True:
        try:
            msg = await client.iopub_channel.get_msg(timeout=timeout)
        except Empty:
            return False
        if (msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") == msg_id
                and msg["content"].get("execution_state") == "idle"):
            return True


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client whose ``wait_for_ready`` returns as soon
    as the kernel answered on its shell channel and its IOPub channel is connected."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Wait until the kernel answers ``kernel_info`` and its IOPub messages reach this
        client; raise RuntimeError if it dies first or ``timeout`` s pass."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            reply = await _reply_seen(self, msg_id, 1)
            if (reply is not None and reply["msg_type"] == "kernel_info_reply"
                    and await _idle_seen(self, msg_id, IOPUB_PROBE_S)):
                version = int(reply["content"].get("protocol_version", "5").split(".")[0])
                if version != protocol_version_info[0]:  # as jupyter_client's own does
                    self.session.adapt_version = version
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def over_sockets_in(folder: Path) -> dict[str, str]:
    """A kernel manager's settings for a kernel that talks over Unix sockets in ``folder``
    (ZeroMQ's ``ipc`` transport), named apart from every other kernel's there; ``{}``
    (TCP on localhost) where the system has none. jupyter_client chooses TCP ports that are
    free, then the kernel binds them: another process can take one in between, and the
    kernel dies starting ("Address already in use", seen on a busy machine). A socket file
    in the run's own folder cannot be taken. TCP too where the folder's path is too long
    for a socket's (:data:`SOCKET_PATH_MAX`, with jupyter_client's ``-<n>`` added)."""
    ip = str(folder / f"kernel-{next(_SOCKETS)}")
    if os.name != "posix" or len(os.fsencode(ip)) + len("-99999") > SOCKET_PATH_MAX:
        return {}
    return {"transport": "ipc", "ip": ip}


class StageKernelManager(KernelManager):
    """jupyter_client's kernel manager whose clients made inside :meth:`clients_closed` are
    closed after it (nbclient leaves open the client it makes of a manager it was handed)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._made: list | None = None   # kept only inside clients_closed: no lasting cycle
        self._made_lock = threading.Lock()

    def client(self, **kwargs):
        """A client of this manager's kernel (jupyter_client's ``client``)."""
        made = super().client(**kwargs)
        with self._made_lock:
            if self._made is not None:
                self._made.append(made)
        return made

    @contextlib.contextmanager
    def clients_closed(self) -> Iterator[None]:
        """Close every client made of this manager in the block, however it ends:
        jupyter_client's ``stop_channels`` stops its channels and closes the ZeroMQ
        context it made (each of them, even if one fails)."""
        with self._made_lock:
            self._made = []
        try:
            yield
        finally:
            with self._made_lock:
                made, self._made = self._made, None
            with contextlib.ExitStack() as closing:
                for client in made:
                    closing.callback(client.stop_channels)


def close_event_loop() -> None:
    """Close the event loop jupyter_client and nbclient made for this thread (jupyter_core's
    ``ensure_event_loop``), unless it is running: a thread that ends leaves it open (a
    selector and a socket pair), and the next call in the thread makes a fresh one."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()


def warmed_up(manager, client, sent: str, timeout: float) -> bool:
    """Read the warm-up's reply (True), or find the kernel dead or silent (False); the
    client is closed either way."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                reply = client.get_shell_msg(timeout=1)
            except Empty:
                if not manager.is_alive():
                    return False
                continue
            if reply["parent_header"].get("msg_id") == sent:
                return True
        return False
    finally:
        client.stop_channels()


def _process(manager) -> subprocess.Popen | None:
    """The kernel's process: the provisioner's ``process``, public for the local
    provisioner (a forked kernel's is its proxy, which ends as the kernel does)."""
    return getattr(getattr(manager, "provisioner", None), "process", None)


def shut_down(manager) -> None:
    """Kill a kernel and reap it, in a thread of its own: its process directly (the
    provisioner's ``process``, public for the local provisioner), then through
    jupyter_client, which cleans up after it; if jupyter_client fails at that (a kernel
    another thread was talking to), the process is killed all the same: no kernel
    outlives the run. The event loop jupyter_client made for this thread is closed here, not
    left for the interpreter's exit to close noisily."""
    process = _process(manager)
    try:
        if process is not None and process.poll() is None:  # killed and reaped here first:
            # jupyter_client's own kill then looks every 0.1 s until the process is gone
            # (0.1 s at least, the last stage's on the run's critical path)
            process.kill()
            process.wait()
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    except Exception:  # the kernel is going anyway: make sure of it, keep the run's error
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    finally:
        close_event_loop()


def how_it_ended(manager, wait_s: float = 2.0) -> str:
    """How a stage's kernel that died ended, in words ("killed by SIGKILL", "exited with
    status 1"), from its process (:func:`_process`); "" where that is not known."""
    process = _process(manager)
    if process is None:
        return ""
    try:
        code = process.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        return ""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exited with status {code}"
