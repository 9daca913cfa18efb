"""``laa`` forked by the fork servers' zygote (:mod:`pipeline.run.fork_zygote`): for the tests.

The tests start ``laa`` (``python -m pipeline.cli ARGS``) about a hundred times, each a fresh
process importing pandas, pydantic, papermill... again. Where the session's zygote can stand
in for such a process (the same interpreter, ``sys.path``, zygote code and environment: the
zygote's checks), it forks a child that :func:`become_laa` sets up as Python's start-up would
have: its own standard input, output and error (passed by descriptor), folder and
environment, ``sys.argv`` as ``python -m`` gives it, every ``pipeline`` module the zygote
imported forgotten (the command's are imported afresh, from where a fresh process would find
them), standard streams built on the new descriptors as start-up builds them, Python's
signal handling. The child then *returns* out of the zygote's loop up to its entry point
(``python -m pipeline.run.fork_zygote``'s ``__main__``), which calls :func:`run_laa`:
``pipeline.cli`` run as ``__main__`` by :func:`runpy.run_module`, and the interpreter ends
as a fresh ``python -m pipeline.cli`` ends, all of it Python's own work: a SystemExit's
status (its message printed), an uncaught exception's traceback and status 1, death by
SIGINT after an uncaught KeyboardInterrupt, the threads joined (an executor never shut down
has its work done and its workers stopped), the exit handlers run, the standard streams
flushed (status 120 where standard output cannot be).

The zygote holds nothing that would do harm on that way out: it registers no exit handler
of its own, and its clean-up on the way up (stopping the servers it forked, unlinking its
socket) runs only in the zygote's own process (checked by pid). The exit handlers the child
does carry are those the zygote's imports registered (:data:`pipeline.run.fork_zygote.
ZYGOTE_MODULES` and ipykernel's), the ones a fresh ``laa`` importing the same modules
registers: pyzmq's and jupyter_client's (a flag noting the exit), ``logging.shutdown``,
debugpy's (closes its log files: none open), tornado's (a flag), pyarrow's S3 finalizer
(nothing when S3 was never used), openpyxl's (removes the temporary files this process
made), Pillow's (clears its cache), pikepdf's two (nanobind's binding clean-up), certifi's
(closes its certificate file's context) and concurrent.futures' (joins this process's
executors' workers). Each acts only on state its module made in this process; the zygote
only imported, so each finds nothing of the zygote's to act on.
"""

from __future__ import annotations

import io
import os
import sys
from os import _exit as exit_now  # Python's, the forked child's way out (no clean-up)

from pipeline.run.fork_server import leave_parent

MODULE = "pipeline.cli"   # what ``laa`` runs: ``python -m pipeline.cli``


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
    them (the zygote's own were made for its pipes, never closing their descriptors)."""
    like = sys.__stdout__
    sys.stdin = sys.__stdin__ = _stream(0, like, like.errors)
    sys.stdout = sys.__stdout__ = _stream(1, like, like.errors)
    sys.stderr = sys.__stderr__ = _stream(2, like, "backslashreplace")


def become_laa(request: dict, fds: list[int], closing: list) -> None:
    """In the child the zygote forked: set it up as ``laa ARGS`` (``request``: ``args``,
    ``cwd``, ``env``; ``fds``: its standard input, output and error) before it returns up
    to the zygote's entry point, which calls :func:`run_laa`. ``closing`` is what the
    zygote's loop holds (let go of, with its signal handling). Where the set-up itself
    fails, the child says why on its standard error and exits with status 1."""
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
        sys.argv = ["-m", *request["args"]]   # runpy puts the module's file first
        sys.orig_argv = [sys.executable, "-m", MODULE, *request["args"]]
        _standard_streams()
    except BaseException:  # noqa: BLE001 - said on the child's standard error, status 1
        import traceback

        traceback.print_exc()
        exit_now(1)


def run_laa() -> None:
    """``pipeline.cli`` run as ``__main__``, as ``python -m`` runs it: what it raises
    (SystemExit among it) goes on up to the interpreter, which ends as a fresh one does."""
    import runpy

    runpy.run_module(MODULE, run_name="__main__", alter_sys=True)
