"""Reporting periods: financial years ("2006-07") and quarters ("2006-07 Q4")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import ConfigError

_PERIOD = re.compile(r"^\s*(\d{4})[-/](\d{2})(?:\s*Q([1-4]))?\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A financial year starting 1 April, optionally narrowed to one quarter.

    Ordering puts each quarter before the whole year (a year's value is the
    year-end value, at least as late as its Q4).
    """

    year: int
    quarter: int = 5  # 5 stands for the whole financial year

    @property
    def is_year(self) -> bool:
        """True for a whole financial year."""
        return self.quarter == 5

    @property
    def financial_year(self) -> Period:
        """The whole financial year this period falls in."""
        return Period(self.year)

    def __str__(self) -> str:
        fy = f"{self.year}-{(self.year + 1) % 100:02d}"
        return fy if self.is_year else f"{fy} Q{self.quarter}"


def parse_period(text: object) -> Period:
    """Parse ``2006-07`` or ``2006-07 Q4`` into a :class:`Period`.

    Parameters
    ----------
    text
        The period as written; surrounding spaces and lower-case ``q`` are accepted.

    Raises
    ------
    ConfigError
        If the text is not a financial year or quarter, or its two years do not follow.
    """
    match = _PERIOD.match(str(text)) if text is not None else None
    if not match:
        raise ConfigError(f"period {text!r} is not a financial year like '2006-07' "
                          "or a quarter like '2006-07 Q4'")
    year, tail, quarter = int(match.group(1)), int(match.group(2)), match.group(3)
    if (year + 1) % 100 != tail:
        raise ConfigError(f"period {text!r}: the second year should be {(year + 1) % 100:02d}")
    return Period(year, int(quarter) if quarter else 5)


def try_parse_period(text: object) -> Period | None:
    """Like :func:`parse_period` but returns None for text that is not a period."""
    try:
        return parse_period(text)
    except ConfigError:
        return None


def normalise_period(text: object) -> str | None:
    """The canonical spelling of a period (``2006-07 Q4``), or None if not a period."""
    period = try_parse_period(text)
    return None if period is None else str(period)


def previous_review_period(period: Period) -> Period:
    """The period a review compares against ("changes since the last review").

    For a Q4 (year-end) assessment: Q2 of the same year, the six-monthly review. For
    Q1 to Q3: the quarter before (Q1 goes back to the previous year's Q4). For a whole
    financial year: the year before.

    Examples
    --------
    >>> str(previous_review_period(parse_period("2006-07 Q4")))
    '2006-07 Q2'
    >>> str(previous_review_period(parse_period("2007-08 Q1")))
    '2006-07 Q4'
    >>> str(previous_review_period(parse_period("2007-08")))
    '2006-07'
    """
    if period.is_year:
        return Period(period.year - 1)
    if period.quarter == 4:
        return Period(period.year, 2)
    if period.quarter == 1:
        return Period(period.year - 1, 4)
    return Period(period.year, period.quarter - 1)
