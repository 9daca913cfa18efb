"""Run locks: one run at a time per meeting and per clean folder, refused or waited for.

Locks are held on small files (``<reports>/.laa-<meeting>.lock`` and
``<clean>/.laa-clean.lock``) through :func:`pipeline.run.portable.lock_file` (``flock`` on
Linux, ``filelock`` elsewhere). The system releases them when the process ends, however it
ends, so a killed run never leaves a stale lock. The file holds who has the lock, to name
it in the message the second run prints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipeline.errors import RunLocked
from pipeline.run.portable import HeldLock, lock_file


def lock_paths(reports_dir: Path, clean_dir: Path, meeting: str) -> list[tuple[str, Path]]:
    """The locks a run takes, in the order it takes them: meeting, then clean folder."""
    return [(f"meeting {meeting}", reports_dir / f".laa-{meeting}.lock"),
            (f"clean folder {clean_dir}", clean_dir / ".laa-clean.lock")]


def holder_text(path: Path) -> str:
    """Who holds the lock at ``path``, as its holder wrote it (empty if unknown)."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _acquire(what: str, path: Path, wait: bool, notify: Callable[[str], None]) -> HeldLock:
    held = lock_file(path, wait=False)
    if held is None:
        holder = holder_text(path) or "another process"
        if not wait:
            raise RunLocked(f"another laa run is using the {what} ({holder}); wait for it "
                            "to finish, or pass --wait to queue behind it",
                            lock=str(path)) from None
        notify(f"waiting for the {what} ({holder}) ...")
        held = lock_file(path, wait=True)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    path.write_text(f"pid {os.getpid()}, started {stamp}\n", encoding="utf-8")
    return held


@contextmanager
def run_lock(reports_dir: Path, clean_dir: Path, meeting: str, wait: bool = False,
             notify: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the meeting's and the clean folder's locks for the duration of a run.

    Parameters
    ----------
    wait
        Queue behind a run holding a lock instead of refusing.
    notify
        Told once when this run has to wait.

    Raises
    ------
    RunLocked
        When another run holds a lock and ``wait`` is False.
    """
    with ExitStack() as stack:
        for what, path in lock_paths(reports_dir, clean_dir, meeting):
            stack.enter_context(_acquire(what, path, wait, notify))
        yield
