"""A value as a partner typed it: numbers, "not available" spellings, Excel errors, dates.

:func:`parse_value` reads a value (``45%``, ``1,234``, ``£1,250``; a decimal comma only in
a semicolon file), :func:`value_problem` says in plain words why one cannot be read, and
:func:`parse_timestamps` reads submission times (ISO, then UK day-first forms).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

NOT_AVAILABLE_TEXT = {"", "n/a", "na", "-", "--", "n.a.", "not available", "nil return", "#n/a"}
EXCEL_ERRORS = {"#n/a", "#value!", "#div/0!", "#ref!", "#name?", "#num!", "#null!", "#spill!",
                "#calc!", "#field!", "#blocked!", "#connect!", "#busy!", "#unknown!",
                "#getting_data"}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")


def _clean_number_text(text: object, decimal_comma: bool) -> str:
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removeprefix("£").removesuffix("%")
    if decimal_comma and _DECIMAL_COMMA.match(cleaned):
        return cleaned.replace(",", ".")
    return cleaned.replace(",", "") if _THOUSANDS.match(cleaned) else cleaned


def parse_value(text: object, decimal_comma: bool = False) -> float:
    """Parse a value as a partner typed it; NaN when not available or not a number.

    ``45%`` -> 45.0, ``1,234`` -> 1234.0, `` 12 `` -> 12.0, ``£1,250`` -> 1250.0,
    ``1.5e-05`` -> 0.000015; ``n/a``, ``#N/A``, ``-`` and blank -> NaN. ``12,5`` is 12.5
    only in a file whose delimiter is a semicolon (``decimal_comma``); elsewhere it is not
    a number. Use :func:`value_problem` to tell "not available" from "not a number".
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan")
    cleaned = _clean_number_text(text, decimal_comma)
    number = float(cleaned) if _NUMBER.match(cleaned) else float("nan")
    return number if math.isfinite(number) else float("nan")


def is_not_available(text: object) -> bool:
    """True for the spellings partners use for "no value": blank, ``n/a``, ``-``, ``#N/A``..."""
    return text is None or str(text).strip().casefold() in NOT_AVAILABLE_TEXT


def is_excel_error(text: object) -> bool:
    """True for an Excel error value (``#N/A``, ``#VALUE!``, ``#DIV/0!``...)."""
    return str(text).strip().casefold() in EXCEL_ERRORS


def value_problem(text: object, decimal_comma: bool = False) -> str:
    """Why a value cannot be read (a short hint), or ``""`` if it parses or is declared n/a."""
    if is_not_available(text) or not np.isnan(parse_value(text, decimal_comma)):
        return ""
    shown = str(text).strip()
    if shown.startswith("="):
        return ("it is a formula with no saved value: open the workbook in Excel, save it, "
                "and send it again")
    if is_excel_error(shown):
        return (f"it is an Excel error ({shown}): correct the formula, or mark the row "
                "not_available")
    if _DECIMAL_COMMA.match(shown.replace(" ", "")):
        return f"it has a decimal comma: write {shown.replace(',', '.')}"
    return "it is not a number"


def parse_timestamps(texts: pd.Series) -> pd.Series:
    """Submission times as typed: ISO first, then UK day-first forms (``10/05/2007 09:30``)."""
    stamps = pd.to_datetime(texts, format="ISO8601", errors="coerce", utc=True)
    rest = stamps.isna() & (texts.str.strip() != "")
    if rest.any():
        stamps[rest] = pd.to_datetime(texts[rest], dayfirst=True, format="mixed",
                                      errors="coerce", utc=True)
    return stamps.dt.tz_localize(None).dt.floor("s").astype("datetime64[s]")

