"""The test session's fork-server zygote (pipeline/run/fork_zygote.py), one per worker
(tests/conftest.py's ``fork_zygote``), and what the tests ask of it."""

from __future__ import annotations

import io
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.run.fork_zygote import start_zygote
from pipeline.run.kernel_forks import ZYGOTE_VARIABLE

_ZYGOTE: list[subprocess.Popen] = []   # this worker's zygote, once started
_ZYGOTE_ENV: dict[str, str] = {}         # the environment it was started with, its socket


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
        _ZYGOTE_ENV.update(os.environ)
    try:
        yield zygote
    finally:
        os.environ.pop(ZYGOTE_VARIABLE, None)
        if zygote is not None:
            zygote.stdin.close()
            zygote.wait(timeout=60)
            _ZYGOTE.clear()
            _ZYGOTE_ENV.clear()
        shutil.rmtree(folder, ignore_errors=True)


def without_zygote(env: dict[str, str]) -> dict[str, str]:
    """``env`` without ``LAA_FORK_ZYGOTE``: a ``laa`` started with it starts its fork server
    as an officer's does."""
    return {name: value for name, value in env.items() if name != ZYGOTE_VARIABLE}


def zygote_env() -> dict[str, str]:
    """The environment this worker's zygote was started with, its socket in
    ``LAA_FORK_ZYGOTE``: a ``laa`` given it is one the zygote stands in for, whatever other
    tests left in this worker's environment since (their variables would make it refuse)."""
    assert _ZYGOTE_ENV, "this worker has no zygote"
    return dict(_ZYGOTE_ENV)


def use_zygote_env(monkeypatch: Any) -> None:
    """This process's environment made the one this worker's zygote was started with
    (:func:`zygote_env`; undone after the test by ``monkeypatch``): for the tests whose
    runs the zygote must serve, whatever other tests left in the worker's environment."""
    if not _ZYGOTE_ENV:
        return
    for name in set(os.environ) - set(_ZYGOTE_ENV):
        monkeypatch.delenv(name)
    for name, value in _ZYGOTE_ENV.items():
        if os.environ.get(name) != value:
            monkeypatch.setenv(name, value)


def zygote_cpu() -> float:
    """CPU-s of the fork servers this worker's zygote has reaped so far (with their
    kernels'): it grows when a run's server came from the zygote (0 without a zygote)."""
    if not _ZYGOTE:
        return 0.0
    fields = Path(f"/proc/{_ZYGOTE[0].pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def zygote_laa(argv: list[str], args: list[str], timeout: float | None, cwd: str,
               env: dict[str, str] | None, input: str | None = None
               ) -> subprocess.CompletedProcess | None:
    """``laa ARGS`` forked by this worker's zygote (:func:`pipeline.run.zygote_client.
    request_laa`), as ``subprocess.run(argv, capture_output=True, text=True, ...)`` runs
    it: standard input ``/dev/null`` or ``input``, output and error read together to their
    ends and decoded as ``text=True`` decodes them; past ``timeout`` it is killed and
    ``subprocess.TimeoutExpired`` raised. None where there is no zygote or it cannot stand
    in for the subprocess, or ``env`` has no ``LAA_FORK_ZYGOTE`` (the caller runs the
    subprocess)."""
    address = (os.environ if env is None else env).get(ZYGOTE_VARIABLE)
    if not address:   # a ``laa`` started as an officer's (:func:`without_zygote`)
        return None
    from pipeline.run.zygote_client import request_laa

    feed = None
    if input is None:
        stdin = os.open(os.devnull, os.O_RDONLY)
    else:
        stdin, feed = os.pipe()
    (out, out_end), (err, err_end) = os.pipe(), os.pipe()
    try:
        child, _why = request_laa(address, args, os.path.abspath(cwd),
                                  dict(os.environ if env is None else env),
                                  (stdin, out_end, err_end))
    finally:
        for fd in (stdin, out_end, err_end):
            os.close(fd)
    if child is None:
        for fd in (feed, out, err):
            if fd is not None:
                os.close(fd)
        return None
    try:
        said = _communicate(child, argv, {out: [], err: []}, feed,
                            None if input is None else input.encode(_ENCODING), timeout)
    except BaseException:
        child.kill()
        child.wait()
        raise
    return subprocess.CompletedProcess(argv, child.returncode, *map(_text, said))


_ENCODING = io.TextIOWrapper(io.BytesIO()).encoding   # what ``text=True`` decodes with


def _text(data: bytes) -> str:
    """Decoded as ``text=True`` does (newlines translated)."""
    return data.decode(_ENCODING).replace("\r\n", "\n").replace("\r", "\n")


def _communicate(child: Any, argv: list[str], outputs: dict[int, list[bytes]],
                 feed: int | None, data: bytes | None, timeout: float | None
                 ) -> list[bytes]:
    """Write ``data`` to ``feed`` and read ``outputs``' descriptors to their ends, all at
    once (none blocks the others), then wait for ``child`` (as ``Popen.communicate``);
    what each output said."""
    deadline = None if timeout is None else time.monotonic() + timeout
    reading = selectors.DefaultSelector()
    for fd in outputs:
        reading.register(fd, selectors.EVENT_READ)
    if feed is not None:
        os.set_blocking(feed, False)
        reading.register(feed, selectors.EVENT_WRITE)
    try:
        while reading.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            ready = reading.select(left) if left is None or left > 0 else []
            if not ready:
                _expired(child, argv, timeout, outputs)
            for key, _mask in ready:
                if key.fd == feed:
                    try:
                        data = data[os.write(feed, data[:1 << 16]):]
                    except BrokenPipeError:
                        data = b""
                    if not data:
                        reading.unregister(feed)
                        os.close(feed)
                        feed = None
                    continue
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    outputs[key.fd].append(chunk)
                else:
                    reading.unregister(key.fd)
        try:
            child.wait(None if deadline is None else max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            _expired(child, argv, timeout, outputs)
    finally:
        reading.close()
        for fd in [*outputs, *([feed] if feed is not None else [])]:
            os.close(fd)
    return [b"".join(chunks) for chunks in outputs.values()]


def _expired(child: Any, argv: list[str], timeout: float | None,
             outputs: dict[int, list[bytes]]) -> None:
    """As ``subprocess.run`` past its timeout: the child killed and waited for, then
    ``TimeoutExpired`` with what it had said (bytes, or None)."""
    child.kill()
    child.wait()
    said = [b"".join(chunks) or None for chunks in outputs.values()]
    raise subprocess.TimeoutExpired(argv, timeout, output=said[0], stderr=said[1])
