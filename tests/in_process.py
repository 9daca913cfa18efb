"""``laa ARGS`` called in the test's own process: the command's entry point
(:func:`pipeline.cli.main`, its arguments parsed as the command's), with the environment and
folder a subprocess would have been given, its output captured.

For the tests whose subject is what a command does, not how the ``laa`` program starts or
stops: a new interpreter imports the package and its libraries again for each command (about
0.6-1 CPU-s a command, more than a trace or a reused run does itself). The README's and the
docs' commands (tests/test_readme_commands*.py), and the tests of a run killed, interrupted
or run beside another, keep ``laa`` a subprocess (tests/conftest.py's :func:`laa`).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def environment(env: dict[str, str] | None, cwd: Path | str | None) -> Iterator[None]:
    """This process's environment made ``env`` (unchanged if None) and its folder ``cwd``
    (unchanged if None) for the block; both put back as they were after it."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def laa_here(*args: str, env: dict[str, str] | None = None,
             cwd: Path | str = "/") -> subprocess.CompletedProcess:
    """``laa ARGS`` run in this process as :func:`tests.conftest.laa` runs it in a new one
    (``env``: the whole environment it would have had, else this process's; ``cwd``: its
    folder, ``/`` as there): its exit code, and what it printed on standard output and
    error."""
    from pipeline.cli import main

    # encoded as a process's pipes are (UTF-8; stdout strict, stderr backslashreplace): a
    # character a real stdout cannot take fails here too
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors)
                for errors in ("strict", "backslashreplace"))
    opened_once_per_process()
    before = open_descriptors()
    with environment(env, cwd), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's refusals: the code the process exits with
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            if exit_.code is not None and not isinstance(exit_.code, int):
                print(exit_.code, file=err)
    # a command leaves nothing open in the process that called it (a run once left about
    # 64 descriptors: nbclient's clients and their ZeroMQ contexts, its threads' event loops)
    left = descriptors_left(before)
    assert not left, f"laa {' '.join(args)} left descriptors open: {left}"
    return subprocess.CompletedProcess(["laa", *args], code, _written(out), _written(err))


def opened_once_per_process() -> None:
    """Open what a library opens once in a process and keeps for its life (not a command's
    leak): pyarrow's self-pipe for its signal handling, made at its first CSV read in the
    main thread while SIGINT has a Python handler. With SIGINT ignored (a background job's,
    as under ``nohup ... &``) a read makes none, and the first read after a test sets a
    handler would make it, blamed on that command (seen once): so it is read here with
    Python's handler set for the while."""
    import signal
    import threading

    import pyarrow as pa
    import pyarrow.csv

    if threading.current_thread() is not threading.main_thread():
        pyarrow.csv.read_csv(pa.BufferReader(b"a\n1\n"))
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        pyarrow.csv.read_csv(pa.BufferReader(b"a\n1\n"))
    finally:
        signal.signal(signal.SIGINT, previous)


def descriptors_left(before: dict[int, str], settle: float = 5.0) -> list[tuple[int, str]]:
    """The descriptors open now that were not ``before`` (:func:`open_descriptors`), once
    they have stayed open ``settle`` seconds (one a thread of the process holds for an
    instant, as a subprocess starts, is not left open)."""
    deadline = time.monotonic() + settle
    while True:
        left = sorted(set(open_descriptors().items()) - set(before.items()))
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def open_descriptors() -> dict[int, str]:
    """This process's open descriptors and what each is (/proc's names)."""
    named = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            named[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return named


def _written(stream: io.TextIOWrapper) -> str:
    """What was written to ``stream``, decoded as ``subprocess.run(text=True)`` does."""
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")
