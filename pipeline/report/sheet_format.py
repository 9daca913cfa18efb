"""How a table's cells look in the tables workbook, column by column: one number format per
column (and unit), so that a column's figures line up with the same decimals; column widths
from the longest value each holds, so that no number shows as ``####`` and no column runs
wider than its text; and the note above a table cut into lines that print within the page.

:func:`pipeline.report.export.write_workbook` writes the cells; these only decide how.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Iterable

import pandas as pd

DECIMALS_MAX = 2                 # a figure is shown to 2 decimal places at most
PCT_DECIMALS_MAX = 3             # a percentage to 3 (a share printed beside its threshold)
NOTE_LINE_MAX = 180              # characters a line of the note above a table holds
# a text column whose longest value is longer than this wraps at this width (partners'
# sentences wider than labels, names and ratings); a column holding a paragraph (longer
# than PARAGRAPH) wraps at PARAGRAPH_WIDTH, so that it does not run down a page
WRAP_OVER = {"partner": 36, "text": 24}
PARAGRAPH, PARAGRAPH_WIDTH = 80, 44
WIDTH_MIN = 6
HEADER_LINES = 3                 # a header wraps to this many lines at most
NUMERIC_KINDS = ("count", "number", "value", "gbp", "pct")    # see AppendixTable.kinds
DATE_FORMAT = "d mmmm yyyy"      # 3 September 2007: the documents' one date style


def decimals_needed(value: float, most: int = DECIMALS_MAX) -> int:
    """The fewest decimal places (up to ``most``) that show ``value`` as it is rounded to
    ``most`` places: 2 for 39.36, 1 for 39.3 and 39.30, 0 for 5.0."""
    target = round(float(value), most)
    for places in range(most):
        if math.isclose(round(target, places), target, rel_tol=0, abs_tol=1e-9):
            return places
    return most


def column_decimals(values: Iterable[float], units: Iterable[str],
                    most: int = DECIMALS_MAX) -> dict[str, int]:
    """The decimals each unit's figures of one column are shown with: the most any of them
    needs (up to ``most``), so that all of that unit line up (``{"count": 0,
    "percent": 1}``)."""
    out: dict[str, int] = {}
    for value, unit in zip(values, units, strict=True):
        out[unit] = max(out.get(unit, 0), decimals_needed(value, most))
    return out


def number_format(kind: str, decimals: int = 0, unit: str = "count") -> str:
    """The Excel number format for a figure of the given kind (and unit), to ``decimals``
    places: thousands separators, £ for money (pounds and pence for a ``gbp`` column), % for
    percentages (at least one decimal for a ``pct`` column, more where its figures have
    them: 4.997% is not shown as the 5.0% it falls short of)."""
    places = "." + "0" * decimals if decimals else ""
    if kind == "gbp":
        return '"£"#,##0.00'
    if kind == "value" and unit == "gbp":
        return f'"£"#,##0{places}'
    if kind == "pct":
        return "0." + "0" * max(decimals, 1) + '"%"'
    if kind == "value" and unit == "percent":
        return f'0{places}"%"'
    return f"#,##0{places}"


def shown_text(value: float, number_format_: str) -> str:
    """How a figure reads in a cell of ``number_format_`` (as :func:`number_format` makes
    them): for the width its column needs."""
    decimals = len(number_format_.split(".")[1].split('"')[0]) if "." in number_format_ \
        else 0
    grouped = "," in number_format_
    text = f"{abs(value):{',' if grouped else ''}.{decimals}f}"
    sign = "-" if value < 0 else ""
    if "£" in number_format_:
        return f"{sign}£{text}"
    return f"{sign}{text}{'%' if '%' in number_format_ else ''}"


def header_width(header: str) -> int:
    """The width a header needs when it may wrap to :data:`HEADER_LINES` lines: its longest
    word, or its length shared over the lines (a header printed bold, hence the one more)."""
    words = header.split()
    longest = max((len(w) for w in words), default=0)
    return max(longest, math.ceil(len(header) / HEADER_LINES)) + 1


def wrap_width(kind: str) -> int:
    """The width past which a column of ``kind`` wraps its text (:data:`WRAP_OVER`)."""
    return WRAP_OVER.get(kind, WRAP_OVER["text"])


def column_width(header: str, longest: int, wraps: bool, kind: str = "text",
                 word: int = 0) -> int:
    """A column's width in characters: the longest value it holds (at most
    :func:`wrap_width` for a column that wraps, :data:`PARAGRAPH_WIDTH` for one holding a
    paragraph, but never narrower than its longest ``word``), never narrower than its
    header needs, and two characters to spare."""
    room = PARAGRAPH_WIDTH if longest > PARAGRAPH else wrap_width(kind)
    value = max(min(longest, room), word) if wraps else longest
    return max(value, header_width(header), WIDTH_MIN) + 2


def note_lines(text: str, limit: int = NOTE_LINE_MAX) -> list[str]:
    """The note above a table as lines of at most ``limit`` characters, cut between words:
    a line longer than the table would widen what prints, and shrink the page to fit it."""
    return textwrap.wrap(text, limit, break_long_words=True, break_on_hyphens=False) or [""]


def iso_date(value: object) -> dt.date | None:
    """A ``YYYY-MM-DD`` text as a date (written as a date, not as text), else None."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 \
            else None
    except ValueError:
        return None


def column_formats(frame: pd.DataFrame, kinds: dict[str, str],
                   units: pd.Series | None) -> dict[str, dict[str, int]]:
    """Per numeric column of ``frame`` (by ``kinds``), the decimals of each unit's figures
    (one format a column and unit: :func:`column_decimals`; ``units`` gives each row's
    unit, all ``count`` when None); text and missing cells aside."""
    out = {}
    for column in frame.columns:
        kind = kinds.get(column, "text")
        if kind not in NUMERIC_KINDS:
            continue
        unit_of = ["count"] * len(frame) if units is None else [str(u) for u in units.tolist()]
        values = frame[column]
        cells = [(float(v), unit) for v, unit, gone in zip(
                     values.tolist(), unit_of, values.isna().tolist(), strict=True)
                 if not isinstance(v, str) and not gone]
        most = PCT_DECIMALS_MAX if kind == "pct" else DECIMALS_MAX
        out[column] = column_decimals([v for v, _ in cells], [u for _, u in cells], most)
    return out
