"""Atomic publishing: a run builds in a staging folder and swaps it into place in one step.

The staging root for a meeting is ``<reports>/.staging-<meeting>/`` (beside the published
folder, so on the same file system). The notebooks write into ``<staging root>/<meeting>``;
when every stage has passed, that folder and ``<reports>/<meeting>`` are exchanged in one
step (:func:`pipeline.run.portable.exchange_paths`: ``renameat2`` on Linux), so a reader
sees the old appendix or the new one, never a mix, and a run killed at any moment leaves the
published folder as it was. Where the exchange is not supported, two renames are used, the
previous folder kept until the new one is in place, and the next run repairs the short gap
between them. Callers hold the meeting's lock (see :mod:`pipeline.run.locking`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.run import portable
from pipeline.run.manifest import MANIFEST_NAME

PREVIOUS = "previous"  # inside the staging root: the old folder during a two-rename swap
DEFERRED_SIGNALS = portable.DEFERRABLE_SIGNALS


def staging_root(reports_dir: Path, meeting: str, suffix: str = "") -> Path:
    """Where a run for ``meeting`` builds: ``<reports>/.staging-<meeting><suffix>``."""
    return reports_dir / f".staging-{meeting}{suffix}"


def recover(root: Path, published: Path) -> None:
    """Clear what a killed run left in the staging root, repairing an interrupted swap.

    If a run died between the two renames of a fallback swap, the previous published
    folder is still in ``<root>/previous``: it is put back first.
    """
    previous = root / PREVIOUS
    if previous.is_dir() and not published.exists():
        published.parent.mkdir(parents=True, exist_ok=True)
        os.rename(previous, published)
    discard(root)


def prepare_staging(root: Path, published: Path) -> Path:
    """An empty staging root for a new build (see :func:`recover`)."""
    recover(root, published)
    root.mkdir(parents=True)
    return root


def discard(root: Path) -> None:
    """Remove a staging root and everything in it (nothing if it does not exist)."""
    if root.exists():
        shutil.rmtree(root)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the swap runs; deliver them after.

    (:data:`pipeline.run.portable.DEFERRABLE_SIGNALS`: SIGHUP only where the system has it.)

    Python runs signal handlers in the main thread only, so swapping the handlers defers
    a signal whichever thread the system delivers it to. Elsewhere than the main thread
    (where handlers cannot be set) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: pending.append(signum))
                for s in DEFERRED_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if pending:
            signal.raise_signal(pending[0])


def publish(built: Path, published: Path) -> Path:
    """Put ``built`` in place of ``published`` in one step, then delete the old folder.

    ``built`` must be on the same file system (see :func:`staging_root`). Signals are
    deferred during the swap so that an interrupt cannot land between its steps.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    with signals_deferred():
        if not published.exists():
            os.rename(built, published)
            return published
        if not portable.exchange_paths(built, published):
            previous = built.parent / PREVIOUS
            os.rename(published, previous)
            os.rename(built, published)
            built = previous
    shutil.rmtree(built)
    return published


def copy_into(source_root: Path, target_root: Path, relative: str) -> Path:
    """Copy one file from a published folder into the staging folder (same relative path)."""
    target = target_root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_root / relative, target)
    return target


# A document of the meeting folder: the appendix, the summary or a district pack, in either
# format, themed (``appendix-health-safer.pdf``) or not.
DOCUMENT = re.compile(r"(?:.*/)?(?:appendix|summary|district-pack)(?:-[a-z0-9-]+)?"
                      r"\.(?:html|pdf)")


def output_part(relative: str) -> str:
    """The part of a meeting folder a file belongs to (pure): its top folder (``tables``,
    ``districts/melton/tables``: a district's folder counts as a meeting folder of its
    own), else the file itself (``appendix.html``, ``districts/melton/district-pack.pdf``)."""
    parts = relative.split("/")
    skip = 2 if parts[0] == "districts" and len(parts) > 2 else 0
    return "/".join(parts[:skip + 1])


def _district(relative: str) -> str:
    parts = relative.split("/")
    return "/".join(parts[:2]) if parts[0] == "districts" and len(parts) > 2 else ""


def keep_unbuilt(published: Path, built: Path) -> dict[str, list[str]]:
    """Copy into ``built`` what ``published`` holds and the new build did not make, so that
    publishing never deletes or replaces what the run did not rebuild: every part of the
    meeting folder (see :func:`output_part`) the build has nothing of (a district pack,
    ``validation/``, ``templates/``, ``status/``, a themed appendix's tables, the full
    tables after a themed run), and every document (see :data:`DOCUMENT`) the build did not
    write (the HTML after a PDF-only run, the full appendix after a themed one). Other files
    of a part the build made (``notebooks/``, ``data-quality/``, ``tables/``) are its own:
    one it left out is not carried. The manifest never is (the run writes its own).

    Returns each part kept (a district's whole folder, another folder, or a document's
    path) with the files copied, relative to the meeting folder, sorted.
    """
    if not published.is_dir():
        return {}
    files = [p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()]
    made = {output_part(f) for f in files}
    districts = {_district(f) for f in files} - {""}
    kept: dict[str, list[str]] = {}
    for path in sorted(published.rglob("*")):
        relative = path.relative_to(published).as_posix()
        if not path.is_file() or relative == MANIFEST_NAME or (built / relative).exists():
            continue
        part, district = output_part(relative), _district(relative)
        if part in made and not DOCUMENT.fullmatch(relative):
            continue
        key = (district if district and district not in districts
               else relative if part in made or part == relative else part)
        kept.setdefault(key, []).append(copy_into(published, built, relative)
                                        .relative_to(built).as_posix())
    return kept
