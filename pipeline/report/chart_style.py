"""The charts' palette and the SVG primitives they share.

:data:`RAG_STYLE` is the one palette of the appendix (HTML badges, charts and spreadsheet
fills), each fill with the text drawn on it; :func:`contrast_ratio` checks a pair by
WCAG 2. :func:`svg_number` writes a coordinate as stable text and :func:`chart_figure` a
figure in a chart's words; :func:`svg_rule_path` and :func:`svg_ring_path` draw many
marks of one style as one ``<path>`` (a page of strip charts holds thousands). Used by
the charts (:mod:`pipeline.report.charts`), the strip charts of benchmarking, the PDF and
the spreadsheets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pipeline.figures import round_half_up

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#1a1a1a"
MUTED = "#5f6368"

# code: (fill, text on the fill). Every pair has a WCAG AA contrast ratio of 4.5 or more
# (tests/test_render_charts.py checks it).
RAG_STYLE: dict[str, tuple[str, str]] = {
    "G": ("#1b7a3a", "#ffffff"),
    "A": ("#f2b233", "#1a1a1a"),
    "R": ("#b3121b", "#ffffff"),
    "N": ("#5f6368", "#ffffff"),
    "T": ("#dde1e6", "#1a1a1a"),
}


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    channels = [int(colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21; AA text needs 4.5)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def svg_number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (stable text)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def svg_rule_path(spans: Iterable[tuple[float, float]], y: float) -> str:
    """The ``d`` of horizontal rules at height ``y``, one ``M x1 yH x2`` per span.

    Parameters
    ----------
    spans
        Each rule's left and right x.
    y
        The height they share.

    Returns
    -------
    str
        Path data; empty when there are no spans. Coordinates as :func:`svg_number`.
    """
    at = svg_number(y)
    return "".join(f"M{svg_number(x1)} {at}H{svg_number(x2)}" for x1, x2 in spans)


def svg_ring_path(xs: Iterable[float], y: float, r: float) -> str:
    """The ``d`` of circles of radius ``r`` centred at each x on height ``y``.

    Each circle is two half arcs from its leftmost point, so a stroked path draws what
    ``<circle cx="x" cy="y" r="r">`` draws; the centre is :func:`svg_number` of x exactly
    (the start is computed from the written centre, not from x).

    Parameters
    ----------
    xs
        The centres' x.
    y
        The height they share.
    r
        The radius (at most two decimals, so that start plus ``r`` is the centre).

    Returns
    -------
    str
        Path data; empty when there are no centres.
    """
    at, radius, across = svg_number(y), svg_number(r), svg_number(2 * r)
    arcs = f"a{radius} {radius} 0 1 0 {across} 0a{radius} {radius} 0 1 0-{across} 0"
    return "".join(f"M{svg_number(float(svg_number(x)) - r)} {at}{arcs}" for x in xs)


def chart_figure(value: float) -> str:
    """A figure for a chart's words: thousands separators, at most two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    rounded = float(round_half_up(value, 2))  # half up, and a zero has no sign
    if rounded.is_integer():
        return f"{rounded:,.0f}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")
