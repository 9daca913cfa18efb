"""What differs between operating systems, in one place: file locks, swapping two folders in
one step, and the signals a swap holds back.

On Linux the native calls are used: ``fcntl.flock`` on the lock file itself and
``renameat2(RENAME_EXCHANGE)`` (through ``ctypes``). Elsewhere (macOS, Windows, or a Linux
file system that refuses the exchange) the portable fallbacks are: a ``filelock`` lock on a
sibling file (``<lock>.filelock``), and publishing by two renames that keep the previous
folder until the new one is in place (:func:`pipeline.run.publish.recover` repairs a run
killed between them). Either way the system releases a lock when its process ends.

:data:`NATIVE_LOCKS` and :data:`NATIVE_EXCHANGE` say which is used; the tests set them to
False to run the fallbacks on Linux.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

NATIVE_LOCKS = fcntl is not None
NATIVE_EXCHANGE = sys.platform.startswith("linux")
FALLBACK_SUFFIX = ".filelock"
AT_FDCWD = -100
RENAME_EXCHANGE = 2
# The signals a swap holds back: those the system has of interrupt, terminate and hang-up.
DEFERRABLE_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                               if hasattr(signal, name))


class HeldLock:
    """An exclusive lock this process holds on a file; :meth:`release` (or leaving the
    ``with`` block) gives it up."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release = release

    def release(self) -> None:
        """Give the lock up (once; later calls do nothing)."""
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


def _native_lock(path: Path, wait: bool) -> HeldLock | None:
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    except BaseException:
        handle.close()
        raise
    return HeldLock(handle.close)


def _fallback_lock(path: Path, wait: bool) -> HeldLock | None:
    import filelock

    lock = filelock.FileLock(str(path) + FALLBACK_SUFFIX)
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except filelock.Timeout:
        return None
    return HeldLock(lock.release)


def lock_file(path: Path, wait: bool) -> HeldLock | None:
    """Take an exclusive lock on ``path`` (created, with its folder, if missing).

    Parameters
    ----------
    path
        The lock file; its contents are the caller's (who holds it), never touched here.
    wait
        Block until the lock is free instead of giving up at once.

    Returns
    -------
    HeldLock or None
        The held lock, or None when another process holds it and ``wait`` is False.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return (_native_lock if NATIVE_LOCKS else _fallback_lock)(path, wait)


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's ``renameat2``); False where the system cannot,
    and then nothing happened (the caller falls back to two renames)."""
    if not NATIVE_EXCHANGE:
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second),
                 RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first))
