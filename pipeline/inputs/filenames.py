"""File names as they can be recorded and shown, whatever bytes the file system allows.

A name on Linux may hold bytes that are not UTF-8 (``b"caf\\xe9.csv"``); Python gives them
as lone surrogates (``"caf\\udce9.csv"``), which UTF-8 writers (JSON, parquet, HTML)
refuse. Every name the pipeline records or shows goes through :func:`shown_name`: such a
byte is written as an escape (``caf\\xe9.csv``), so the name stays distinct from every
other and each byte can still be told.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import BinaryIO


def shown_name(name: str) -> str:
    """``name`` with every byte that is not UTF-8 escaped: ``caf\\udce9.csv`` ->
    ``caf\\xe9.csv`` (a backslash, x and two hex digits); a valid name is unchanged.

    A lone surrogate of other origin (not a byte decoded by the file system) is written as
    ``\\udXXX``.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def shown_path(path: PurePath, root: PurePath) -> str:
    """``path`` relative to ``root``, with ``/`` between its parts, as :func:`shown_name`."""
    return shown_name(path.relative_to(root).as_posix())


def find_shown(root: Path, shown: str) -> Path | None:
    """The file under ``root`` whose :func:`shown_path` is ``shown`` (None if there is none):
    a name recorded with an escaped byte leads back to its file."""
    direct = root / shown
    if direct.is_file():
        return direct
    if shown_name(shown) != shown or "\\" not in shown:
        return None
    return next((p for p in sorted(root.rglob("*"))
                 if p.is_file() and shown_path(p, root) == shown), None)


@contextmanager
def arrow_source(path: Path) -> Iterator[str | BinaryIO]:
    """``path`` as Arrow can open it: its name, or an open file where the name holds bytes
    that are not UTF-8 (Arrow encodes names as UTF-8 and refuses such a name)."""
    text = str(path)
    if shown_name(text) == text:
        yield text
        return
    with path.open("rb") as handle:
        yield handle
