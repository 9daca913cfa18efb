"""``laa`` forked by the fork servers' zygote (:mod:`pipeline.run.fork_zygote`): for the tests.

The tests start ``laa`` (``python -m pipeline.cli ARGS``) about a hundred times, each a fresh
process importing pandas, pydantic, papermill... again. Where the session's zygote can stand
in for such a process (the same interpreter, ``sys.path``, zygote code and environment: the
zygote's checks), it forks a child that becomes that ``laa`` (:func:`become_laa`) as Python's
start-up would have made it: its own standard input, output and error (passed by
descriptor), folder and environment, ``sys.argv`` as ``python -m`` gives it, every
``pipeline`` module the zygote imported forgotten (the command's are imported afresh, from
where a fresh process would find them), standard streams built on the new descriptors as
start-up builds them, Python's signal handling, no exit handler of the zygote's; then
``pipeline.cli`` run as ``__main__`` and Python's exit work (threads joined, the child's own
exit handlers, streams flushed) before it exits with the command's status.
"""

from __future__ import annotations

import atexit
import io
import os
import signal
import sys
import threading
from os import _exit as exit_now  # Python's, the forked child's way out (no clean-up)
from typing import NoReturn

from pipeline.run.fork_server import leave_parent

MODULE = "pipeline.cli"   # what ``laa`` runs: ``python -m pipeline.cli``
EXIT_FLUSH_FAILED = 120   # Python's status when flushing standard output fails at exit


def _stream(fd: int, like: io.TextIOWrapper, errors: str) -> io.TextIOWrapper:
    """A standard stream on ``fd`` as Python's start-up makes it (``create_stdio``): a
    binary file that never closes ``fd``, named ``<stdin>``..., buffered unless written to
    unbuffered (``-u``, ``PYTHONUNBUFFERED``: as ``like``, the zygote's standard output,
    started with the same configuration), wrapped in text of the interpreter's encoding
    (``like``'s), newlines written as ``\\n``, line-buffered when buffered and a terminal
    (standard error always)."""
    mode = "r" if fd == 0 else "w"
    unbuffered = like.write_through
    binary = open(fd, mode + "b", buffering=0 if unbuffered and fd else -1, closefd=False)
    getattr(binary, "raw", binary).name = ("<stdin>", "<stdout>", "<stderr>")[fd]
    stream = io.TextIOWrapper(binary, encoding=like.encoding, errors=errors, newline="\n",
                              line_buffering=not unbuffered and (fd == 2 or os.isatty(fd)),
                              write_through=unbuffered)
    stream.mode = mode
    return stream


def _standard_streams() -> None:
    """``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` (and their ``__x__`` copies) made
    anew on descriptors 0, 1 and 2, as a fresh interpreter with this configuration has
    them (the zygote's own were made for its pipes)."""
    like = sys.__stdout__
    sys.stdin = sys.__stdin__ = _stream(0, like, like.errors)
    sys.stdout = sys.__stdout__ = _stream(1, like, like.errors)
    sys.stderr = sys.__stderr__ = _stream(2, like, "backslashreplace")


def _exit_status(code: object) -> int:
    """The status Python exits with for ``SystemExit(code)`` (any other code printed on
    standard error, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _run() -> tuple[int, bool]:
    """``pipeline.cli`` run as ``__main__``: its exit status, and whether a
    KeyboardInterrupt ended it (Python then dies of SIGINT)."""
    import runpy

    try:
        runpy.run_module(MODULE, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return _exit_status(exc.code), False
    except BaseException as exc:  # noqa: BLE001 - as Python: printed, status 1
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1, isinstance(exc, KeyboardInterrupt)
    return 0, False


def _exit_work(code: int, interrupted: bool) -> NoReturn:
    """Python's work at exit (``Py_FinalizeEx``): threading's own exit work and the wait for
    the threads that are not daemons (``threading._shutdown``, which Python calls there),
    the exit handlers, the standard streams flushed (standard output failing to: status
    120); then exit with ``code`` (or die of SIGINT, as Python does after an uncaught
    KeyboardInterrupt)."""
    try:
        threading._shutdown()
        atexit._run_exitfuncs()
        try:
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - Python's status for it
            code = code or EXIT_FLUSH_FAILED
        sys.stderr.flush()
        if interrupted:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        exit_now(code & 0xFF)


def become_laa(request: dict, fds: list[int], closing: list) -> NoReturn:
    """In the child the zygote forked: become ``laa ARGS`` (``request``: ``args``, ``cwd``,
    ``env``; ``fds``: its standard input, output and error), never return. ``closing`` is
    what the zygote's loop holds (let go of, with its signal handling)."""
    try:
        leave_parent(closing)
        for fd, target in zip(fds, (0, 1, 2), strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = os.getcwd()          # as ``python -m`` from that folder has it
        for name in [m for m in sys.modules if m == "pipeline" or m.startswith("pipeline.")]:
            del sys.modules[name]
        import importlib

        importlib.invalidate_caches()
        atexit._clear()                    # the zygote's exit handlers are not the child's
        sys.argv = ["-m", *request["args"]]   # runpy puts the module's file first
        sys.orig_argv = [sys.executable, "-m", MODULE, *request["args"]]
        _standard_streams()
    except BaseException:  # noqa: BLE001 - said on the child's standard error, status 1
        import traceback

        traceback.print_exc()
        exit_now(1)
    _exit_work(*_run())
