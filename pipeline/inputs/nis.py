"""The National Indicator Set (2008): NI 1 to NI 198, as reference data of the package.

``reference/nis_2008.csv`` holds one row per national indicator: id, title, polarity, unit
(in the register's vocabulary), tier (``upper tier``, ``district`` or ``both``), the
measure in words, and notes saying where a fact is not certain. Its provenance is in
``reference/README.md``. A register row that names an NI and leaves title, polarity or
unit blank takes them from here (:func:`fill_from_catalogue`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.errors import RegisterError

CATALOGUE_PATH = Path(__file__).resolve().parent / "reference" / "nis_2008.csv"
CATALOGUE_COLUMNS = ("ni_id", "title", "polarity", "unit", "tier", "measure", "notes")
FILLED_COLUMNS = ("title", "polarity", "unit")
TIERS = ("upper tier", "district", "both")
_NI = re.compile(r"NI[\s_-]*0*(\d+)", re.IGNORECASE)


@cache
def _catalogue() -> pd.DataFrame:
    frame = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame[list(CATALOGUE_COLUMNS)]


def read_catalogue() -> pd.DataFrame:
    """The catalogue, one row per national indicator in NI order (a copy: callers may
    change it)."""
    return _catalogue().copy()


def ni_number(indicator_id: object) -> int | None:
    """The number of an NI id (``NI 152``, ``ni152``, ``NI-008`` -> 152, 152, 8), or None
    for an id that is not written as an NI."""
    match = _NI.fullmatch(str(indicator_id).strip())
    return int(match.group(1)) if match else None


def lookup(indicator_id: object) -> pd.Series | None:
    """The catalogue row of an NI id; None for an id not written as an NI.

    Raises
    ------
    KeyError
        For an NI number the set does not have (it runs from NI 1 to NI 198).
    """
    number = ni_number(indicator_id)
    if number is None:
        return None
    found = _catalogue()[_catalogue()["ni_id"] == f"NI {number}"]
    if found.empty:
        raise KeyError(f"{str(indicator_id).strip()!r} is not in the National Indicator Set "
                       "(NI 1 to NI 198)")
    return found.iloc[0]


def fill_from_catalogue(indicators: pd.DataFrame, file: str) -> pd.DataFrame:
    """A copy of ``indicators`` whose NI rows have blank title, polarity and unit filled in
    from the catalogue; a value the register gives wins. Adds ``ni_tier`` (the catalogue's
    tier; blank for a local id).

    ``indicators`` has the register's text columns and a fresh index (row ``i`` is line
    ``i + 2`` of ``file``).

    Raises
    ------
    RegisterError
        Naming the file, row and column of an NI id the set does not have.
    """
    out = indicators.copy()
    tiers = []
    for position, indicator_id in enumerate(out["indicator_id"]):
        try:
            found = lookup(indicator_id)
        except KeyError as exc:
            raise RegisterError(exc.args[0], file=file, row=position + 2,
                                column="indicator_id") from None
        tiers.append("" if found is None else found["tier"])
        if found is None:
            continue
        for column in FILLED_COLUMNS:
            if out[column].iloc[position] == "":
                out.iloc[position, out.columns.get_loc(column)] = found[column]
    out["ni_tier"] = tiers
    return out
