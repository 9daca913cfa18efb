"""How wide a printed table's columns are: wide enough for the longest word each holds.

A column's share of the page follows the text it holds (:mod:`pipeline.report.typeset`
weighs it), but never falls below what its longest unbreakable word needs: a figure
("£1,270,150.00", "8,563"), a header's longest word ("Enhancement") or a RAG badge, whose
words never wrap (:func:`badge_lines`). A column the shares would starve is given that
width in points and the others share what is left, so no text runs into the next cell or
past the page's edge.

Widths are estimated from the characters (DejaVu Sans Bold's advances, rounded up: a bold
header or total is the widest a cell's text gets), so the estimate errs on the wide side.
"""

from __future__ import annotations

import math

TABLE_PT = 9.0                       # tables are set at 9pt (typeset.PREAMBLE)
CELL_INSET_PT = 3.5                  # each side of a cell (typeset_tables.TableWriter.table)
BADGE_INSET_PT = 2.5                 # each side of a badge's box (InlineWriter.badge)
NO_BREAK = "\u00a0"
PAGE_WIDTH_PT = {False: 595.28 - 2 * 14 / 25.4 * 72,     # A4 portrait less 14mm margins
                 True: 841.89 - 2 * 14 / 25.4 * 72}      # and landscape
REGULAR = 0.92    # DejaVu Sans's regular face against its bold: 0.91 for figures, 0.89 words
_NARROW = set(",.:;'!|il()[]/-")
_WIDE = set("mwMW%@")


def text_width(text: str, size: float = TABLE_PT, *, bold: bool = True) -> float:
    """The width of ``text`` in points, set bold at ``size`` (an estimate that errs wide),
    or with ``bold`` False in the regular face (:data:`REGULAR` of the bold estimate)."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.40
        elif char in _WIDE:
            em += 1.02
        elif char.isupper():
            em += 0.78
        elif char.isspace():
            em += 0.35
        else:
            em += 0.70
    return em * size * (1.0 if bold else REGULAR)


def badge_lines(text: str) -> list[str]:
    """A badge's words ("N Not available for reporting") as the lines it is printed on: one
    line, its words joined by no-break spaces, or two halves for a label of more than two
    words ("N Not available" / "for reporting"); never more."""
    words = text.split()
    if len(words) <= 3:
        return [NO_BREAK.join(words)] if words else []
    half = math.ceil(len(words) / 2)
    return [NO_BREAK.join(words[:half]), NO_BREAK.join(words[half:])]


def two_line_width(text: str, *, bold: bool = True) -> float:
    """The width (points) ``text`` needs to print on two lines at most, broken at the word
    boundary that balances them ("vs trajectory at" / "2008-09 Q3: 72.5%"); one word's
    width for a single word."""
    words = text.split()
    if len(words) < 2:
        return text_width(text, bold=bold)
    return min(max(text_width(" ".join(words[:i]), bold=bold),
                   text_width(" ".join(words[i:]), bold=bold)) for i in range(1, len(words)))


def badge_width(text: str) -> float:
    """The width a badge's box takes in points: its longest line and its inset."""
    return max((text_width(line) for line in badge_lines(text)), default=0.0) + (
        2 * BADGE_INSET_PT + 1)


def column_widths(weights: list[float], minimums: list[float], available: float) -> str:
    """Typst column widths: shares (``fr``) in proportion to ``weights``, except a column
    whose share would be narrower than its minimum (points, inset included), which is set
    at that minimum; the others share the rest of ``available``. When even the minimums do
    not fit, every column is sized in proportion to its minimum."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = available - sum(fixed.values())
        total = sum(weights[i] for i in free)
        if not free or room <= 0 or total <= 0:
            break
        short = [i for i in free if room * weights[i] / total < minimums[i]]
        if not short:
            break
        fixed.update({i: minimums[i] for i in short})
    if sum(fixed.values()) > available:
        return "(" + ", ".join(f"{max(m, 1):.1f}fr" for m in minimums) + ")"
    return "(" + ", ".join(f"{fixed[i]:.1f}pt" if i in fixed else f"{weights[i]:.1f}fr"
                           for i in range(len(weights))) + ")"


def auto_widths(minimums: list[float], naturals: list[float], available: float) -> str:
    """Typst column widths as a browser lays out an automatic table across ``available``
    points: every column gets its minimum (its longest word, inset included) and what is
    left is shared in proportion to how much wider each column's longest line (its
    ``naturals``) is than that, so a column of long text takes the room and a column of
    short figures keeps to them. When every line fits, each column gets its longest line and
    the rest in proportion to it. Written as shares (``fr``) of the width."""
    naturals = [max(n, m) for n, m in zip(naturals, minimums, strict=True)]
    if sum(naturals) <= available:
        widths = naturals
    elif sum(minimums) >= available:
        widths = minimums
    else:
        slack = [n - m for n, m in zip(naturals, minimums, strict=True)]
        share = (available - sum(minimums)) / sum(slack)
        widths = [m + s * share for m, s in zip(minimums, slack, strict=True)]
    return "(" + ", ".join(f"{max(w, 1):.1f}fr" for w in widths) + ")"
