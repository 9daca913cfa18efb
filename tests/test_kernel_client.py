"""The kernel client nbclient drives a stage's kernel with (pipeline/run/kernel_client.py):
ready once the kernel answered and its IOPub channel is connected, nothing left behind."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from queue import Empty

import pytest
from jupyter_client.manager import KernelManager

from pipeline.run.execute import KERNEL_ARGS
from pipeline.run.kernel_client import ReadyKernelClient


def _run(coroutine):
    """``asyncio.run`` in a thread of its own: a browser test earlier in the same worker
    (Playwright's sync API, kept open for the session) leaves this thread's loop running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def kernel():
    manager = KernelManager(kernel_name="python3")
    manager.client_class = "pipeline.run.kernel_client.ReadyKernelClient"
    manager.start_kernel(extra_arguments=KERNEL_ARGS, env=dict(os.environ))
    yield manager
    manager.shutdown_kernel(now=True)


async def _nothing_left(channel) -> bool:
    try:
        await channel.get_msg(timeout=0.3)
    except Empty:
        return True
    return False


async def _ready_then_run(manager: KernelManager, stale: bool) -> tuple[bool, bool, str]:
    client = manager.client()
    assert isinstance(client, ReadyKernelClient)
    client.start_channels()
    try:
        if stale:  # a request whose reply and statuses are waiting before wait_for_ready
            client.kernel_info()
            await asyncio.sleep(0.3)
        await client.wait_for_ready(timeout=30)
        quiet = await _nothing_left(client.iopub_channel)
        shell_quiet = await _nothing_left(client.shell_channel)
        msg_id = client.execute("print(6 * 7)")
        printed = ""
        while True:
            msg = await client.iopub_channel.get_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        return quiet, shell_quiet, printed
    finally:
        client.stop_channels()


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale-reply-waiting"])
def test_ready_leaves_nothing_behind_and_the_kernel_answers(kernel, stale):
    quiet, shell_quiet, printed = _run(_ready_then_run(kernel, stale))
    assert quiet, "an IOPub message was left behind by wait_for_ready"
    assert shell_quiet, "a shell reply was left behind by wait_for_ready"
    assert printed == "42\n"


def test_a_dead_kernel_is_said_so():
    manager = KernelManager(kernel_name="python3")
    manager.client_class = "pipeline.run.kernel_client.ReadyKernelClient"
    manager.start_kernel(extra_arguments=KERNEL_ARGS, env=dict(os.environ))
    manager.shutdown_kernel(now=True)

    async def wait() -> None:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=5)
        finally:
            client.stop_channels()

    with pytest.raises(RuntimeError, match="died|respond"):
        _run(wait())


async def _ready_seconds(manager: KernelManager, client_class: str) -> float:
    manager.client_class = client_class
    client = manager.client()
    client.start_channels()
    try:
        started = asyncio.get_running_loop().time()
        await client.wait_for_ready(timeout=30)
        return asyncio.get_running_loop().time() - started
    finally:
        client.stop_channels()
        manager.client_class = "pipeline.run.kernel_client.ReadyKernelClient"


def test_ready_sooner_than_jupyter_clients_own(kernel):
    """jupyter_client's own reads IOPub until 0.2 s of silence; this one does not wait so."""
    theirs = _run(_ready_seconds(kernel, "jupyter_client.asynchronous.AsyncKernelClient"))
    ours = _run(_ready_seconds(kernel, "pipeline.run.kernel_client.ReadyKernelClient"))
    assert theirs >= 0.2
    assert ours < theirs


def test_kernels_talk_over_unix_sockets_unless_the_folders_path_is_too_long(monkeypatch):
    """A socket's path holds at most SOCKET_PATH_MAX bytes: in a folder whose path is too
    long for one (with jupyter_client's ``-<n>`` after it), the kernel talks over TCP
    (jupyter_client's default) rather than failing to bind."""
    import itertools
    from pathlib import Path

    from pipeline.run import kernel_client
    from pipeline.run.kernel_client import SOCKET_PATH_MAX, over_sockets_in

    folder = Path("/tmp/laa-kernels-abcdefgh")
    short = over_sockets_in(folder)
    assert short["transport"] == "ipc" and Path(short["ip"]).parent == folder
    assert over_sockets_in(folder)["ip"] != short["ip"]          # named apart
    room = SOCKET_PATH_MAX - len("/kernel-7") - len("-99999")   # for the folder's path
    for length, fits in ((room, True), (room + 1, False)):
        monkeypatch.setattr(kernel_client, "_SOCKETS", itertools.count(7))
        at = Path("/" + "x" * (length - 1))
        assert bool(over_sockets_in(at)) is fits, length
