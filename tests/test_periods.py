"""Unit tests of period parsing and ordering."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.periods import Period, normalise_period, parse_period, previous_review_period


def test_parse_year_and_quarter():
    assert parse_period("2006-07") == Period(2006)
    assert parse_period(" 2006-07 q4 ") == Period(2006, 4)
    assert str(parse_period("2099-00 Q1")) == "2099-00 Q1"


@pytest.mark.parametrize("bad", ["2006-08", "2006", "Q4 2006-07", "2006-07 Q5", "", None])
def test_bad_periods_are_clear_errors(bad):
    with pytest.raises(ConfigError, match="period"):
        parse_period(bad)
    assert normalise_period(bad) is None


def test_quarters_sort_before_their_year():
    assert Period(2006, 3) < Period(2006, 4) < Period(2006) < Period(2007, 1)


@pytest.mark.parametrize(("period", "previous"), [
    ("2006-07 Q4", "2006-07 Q2"),   # year end: against the six-monthly review
    ("2006-07 Q3", "2006-07 Q2"),
    ("2006-07 Q2", "2006-07 Q1"),
    ("2007-08 Q1", "2006-07 Q4"),   # Q1 goes back to the previous year's Q4
    ("2007-08", "2006-07"),         # a whole year: the year before
])
def test_previous_review_period(period, previous):
    assert str(previous_review_period(parse_period(period))) == previous
