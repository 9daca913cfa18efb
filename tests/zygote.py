"""The test session's fork-server zygote (pipeline/run/fork_zygote.py), one per worker
(tests/conftest.py's ``fork_zygote``), and what the tests ask of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.run.fork_zygote import start_zygote
from pipeline.run.kernel_forks import ZYGOTE_VARIABLE

_ZYGOTE: list[subprocess.Popen] = []   # this worker's zygote, once started


def session_zygote() -> Iterator[subprocess.Popen | None]:
    """Start this worker's zygote (:func:`pipeline.run.fork_zygote.start_zygote`), export its
    socket in ``LAA_FORK_ZYGOTE`` (inherited by every ``laa`` started after) and yield it
    (None where it could not start: tests/test_fork_zygote.py then fails); then close its
    standard input, which ends it (so does this worker's end, however it ends)."""
    folder = tempfile.mkdtemp(prefix="laa-zygote-")   # short: a socket's path is limited
    address = os.path.join(folder, "zygote")
    zygote = start_zygote(address)
    if zygote is not None:
        _ZYGOTE.append(zygote)
        os.environ[ZYGOTE_VARIABLE] = address
    try:
        yield zygote
    finally:
        os.environ.pop(ZYGOTE_VARIABLE, None)
        if zygote is not None:
            zygote.stdin.close()
            zygote.wait(timeout=60)
            _ZYGOTE.clear()
        shutil.rmtree(folder, ignore_errors=True)


def without_zygote(env: dict[str, str]) -> dict[str, str]:
    """``env`` without ``LAA_FORK_ZYGOTE``: a ``laa`` started with it starts its fork server
    as an officer's does."""
    return {name: value for name, value in env.items() if name != ZYGOTE_VARIABLE}


def zygote_cpu() -> float:
    """CPU-s of the fork servers this worker's zygote has reaped so far (with their
    kernels'): it grows when a run's server came from the zygote (0 without a zygote)."""
    if not _ZYGOTE:
        return 0.0
    fields = Path(f"/proc/{_ZYGOTE[0].pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
