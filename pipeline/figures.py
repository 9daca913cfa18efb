"""The one way figures are printed: rounding half up, numbers by unit, money, shares, dates.

The appendix, the performance statements, the spreadsheets and ``laa trace`` all print a
figure through these functions, so a figure reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def exact_decimal(number: float | Decimal) -> Decimal:
    """A figure as the decimal it was written as (``46.4`` is 46.4, not its binary float's
    46.39999999999999857891452847979962825775146484375); a Decimal as it is."""
    return number if isinstance(number, Decimal) else Decimal(repr(float(number)))


def round_half_up(number: float | Decimal, places: int = 1) -> Decimal:
    """Round as a person does (63.65 -> 63.7, -0.005 -> -0.01 at 2 places), not to even;
    exact for printed figures. Zero has no sign: -0.0, and -0.04 at 1 place, give 0.0."""
    rounded = exact_decimal(number).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_pct(part: int, whole: int, places: int = 1) -> str:
    """``part`` as a % of ``whole``, e.g. ``63.6%``; ``-`` when ``whole`` is 0."""
    return "-" if whole == 0 else f"{round_half_up(100.0 * part / whole, places)}%"


def format_pct_value(value: float, places: int = 1) -> str:
    """A figure that is already a percentage: ``46.2%``; blank when missing."""
    if _missing(value):
        return ""
    return f"{round_half_up(value, places)}%"


def format_off_target(pct: float) -> str:
    """``46.2% off`` / ``on target``; blank when not computable."""
    if _missing(pct):
        return ""
    return "on target" if pct <= 0 else f"{round_half_up(pct, 1)}% off"


def off_points(pct: float, mark: float) -> float:
    """A gap given as a % of ``mark`` back in the mark's own units: for an indicator that is
    itself a percentage, percentage points (2.5% against 10% is 75% off, 7.5 points)."""
    return float("nan") if _missing(pct) or _missing(mark) else pct * abs(mark) / 100.0


def format_off_trajectory(pct: float, short: bool = False, *, mark: float = float("nan"),
                          unit: str = "", measure: str = "trajectory") -> str:
    """How far a value falls short of what it is rated against (polarity-aware).

    ``46.2% off trajectory`` / ``on trajectory`` (``46.2% off`` / ``on track`` if short);
    for a ``percent`` indicator with its ``mark`` (the trajectory point or target the
    rating measured against) the gap in percentage points: ``7.5 points off target``.
    ``measure`` names the mark (``trajectory``, ``target``, ``annual target``). Blank
    when not computable.
    """
    if _missing(pct):
        return ""
    if pct <= 0:
        return "on track" if short else f"on {measure}"
    points = off_points(pct, mark) if unit == "percent" else float("nan")
    figure = (f"{round_half_up(pct, 1)}%" if _missing(points)
              else f"{round_half_up(points, 1)} points")
    return f"{figure} off" + ("" if short else f" {measure}")


def format_share_achieved(pct: float, places: int = 1) -> str:
    """A share of an enhancement achieved, bounded for reading: ``61.9%`` from 0% to 100%;
    ``above the stretch target`` past 100%, ``below performance without stretch`` under 0%
    (the exact figure stays in the spreadsheets); blank when missing."""
    if _missing(pct):
        return ""
    if pct > 100.0:
        return "above the stretch target"
    if pct < 0.0:
        return "below performance without stretch"
    return format_pct_value(pct, places)


# how a return marks a value that is not final (data_status), as the documents say it
STATUS_WORDS = {"provisional": "provisional", "estimate": "estimated"}


def status_word(data_status: object) -> str:
    """``provisional`` or ``estimated`` for a value its return marks so; blank for a final
    value (or none)."""
    return STATUS_WORDS.get(str(data_status).strip().lower(), "") \
        if isinstance(data_status, str) else ""


def mark_status(figure: str, data_status: object) -> str:
    """A printed figure with its status when not final: ``1,151 (provisional)``; the
    figure as it is when final, blank or missing."""
    word = status_word(data_status)
    return f"{figure} ({word})" if figure and word else figure


def format_gbp(amount: float, places: int = 2) -> str:
    """``£15,241,800.00``; blank for a missing amount."""
    if pd.isna(amount):
        return ""
    return f"£{round_half_up(amount, places):,.{places}f}"


def format_number(value: float, unit: str = "count") -> str:
    """A value as the Board reads it: ``3,202``, ``39.36%``, ``£1,250``; blank if missing."""
    if _missing(value):
        return ""
    if unit == "gbp":
        return format_gbp(value, 0 if float(value).is_integer() else 2)
    places = 0 if float(value).is_integer() else 2
    text = f"{round_half_up(value, places):,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if unit == "percent" else "")


def format_date(iso: str) -> str:
    """``2007-09-03`` -> ``3 September 2007`` (any locale); the text itself if not a date."""
    try:
        day = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_date_time(stamp: str, *, utc: bool = False) -> str:
    """``2007-05-14 17:05`` or ``2007-06-30T12:00:00`` -> ``14 May 2007 at 17:05``; the
    date alone (:func:`format_date`) when there is no time; the text itself if not a date.

    With ``utc`` the time is given in UTC and says so (``30 June 2007 at 12:00 UTC``): a
    stamp with a zone is converted, one without is taken as UTC (as the generated-at stamp
    is, :func:`pipeline.report.document.w3c_date`).
    """
    text = str(stamp).strip()
    if len(text) <= 10:
        return format_date(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if utc and when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{format_date(when.date().isoformat())} at {when:%H:%M}" + (" UTC" if utc else "")
