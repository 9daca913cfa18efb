"""The one helper for names made from data: file-name slugs and HTML anchors.

Partner names, district names, theme keys and indicator ids become file names and page
anchors only through these functions, so a name means the same file or anchor everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: object, fallback: str = "x") -> str:
    """A file-name-safe form: ``Hinckley & Bosworth`` -> ``hinckley-bosworth``.

    Runs of anything but ASCII letters and digits become one ``-``; ``fallback`` when
    nothing is left.
    """
    return _NOT_SLUG.sub("-", str(text).casefold()).strip("-") or fallback


def themed_name(name: str, theme_keys: Iterable[object]) -> str:
    """A document's or folder's name for an appendix of some themes only, so that it never
    takes the full appendix's place: ``themed_name("appendix", ("health", "safer"))`` ->
    ``appendix-health-safer``; ``name`` itself for all themes (no keys). Give the keys in
    the register's order, so the same themes always make the same name."""
    keys = [str(k) for k in theme_keys]
    return f"{name}-{slug('-'.join(keys))}" if keys else name


def anchor(prefix: str, key: object, fallback: str = "x") -> str:
    """An HTML id: ``anchor("lineage", "7.20")`` -> ``lineage-7-20``."""
    return f"{prefix}-{slug(key, fallback)}"


def anchors(prefix: str, keys: Iterable[object], fallback: str = "x") -> dict[object, str]:
    """One distinct HTML id per key, in order (``7.20`` -> ``trend-7-20``); keys whose slugs
    collide get ``-2``, ``-3`` after the first (see :func:`unique_slugs`)."""
    return {key: f"{prefix}-{name}" for key, name in unique_slugs(keys, fallback).items()}


def unique_slugs(names: Iterable[object], fallback: str = "x") -> dict[object, str]:
    """One distinct slug per name, in order: names whose slugs collide (``Leicestershire
    Constabulary``, ``LEICESTERSHIRE-CONSTABULARY``) get ``-2``, ``-3`` after the first."""
    out: dict[object, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in out:
            continue
        base = slug(name, fallback)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        out[name] = candidate
    return out


_ID_PARTS = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)


def id_sort_key(identifier: object) -> tuple:
    """The natural order of ids, the one sort key of every listing of indicators and
    outcomes: ``NI 2`` before ``NI 10``, ``7.2`` before ``7.10``, ``1.2.10`` after
    ``1.2.9``, ``L 2`` before ``L 10``.

    The id is split into runs of digits (compared as numbers) and runs of letters
    (compared without case); dots, spaces and other punctuation only separate them. Ids
    equal under that order (``NI152`` and ``NI 152``) keep their text as the tie-break.
    """
    text = str(identifier).strip()
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
                  for p in _ID_PARTS.findall(text))
    return parts, text
