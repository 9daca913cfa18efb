"""What a table of the appendix is as data (:class:`AppendixTable`), how a percentage is
rounded for a spreadsheet cell (shared by the table builders: :mod:`pipeline.report.sheets`,
:mod:`pipeline.report.rating_sheets`, :mod:`pipeline.report.reward_sheets`,
:mod:`pipeline.report.benchmark_sheets`, :mod:`pipeline.report.agreement_sheets`), a plain
listing (:func:`listing_table`), and what each
column of an exported CSV is (:func:`csv_columns`: datatype, decimals, unit), the one
specification its CSV and its CSV on the Web metadata are written from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.figures import round_half_up


def pct_value(value: float, places: int = 1) -> float:
    """A percentage rounded half up as a number for a spreadsheet cell (NaN stays NaN)."""
    return float("nan") if pd.isna(value) else float(round_half_up(value, places))


@dataclass(frozen=True)
class AppendixTable:
    """One table of the appendix as data, for a spreadsheet.

    ``kinds`` says how each column is written: ``text``; ``partner`` (text partners wrote:
    always a string, never a formula); ``count``; ``number``; ``value`` (formatted by the
    row's unit, in the column named by ``unit_column``); ``gbp``; ``pct`` (a figure that is
    already a percentage, e.g. 63.6); ``rag`` (a RAG label, filled with its colour);
    ``date`` (a ``YYYY-MM-DD`` date: a date cell in the workbook, the text in the CSV).
    Rows whose ``emphasis_column`` value is in ``emphasis`` are printed bold (totals).
    ``sheet`` is the workbook sheet's name (the title when blank; 31 characters at most).
    ``workbook`` False keeps a table out of the workbook, in its CSV only: the data behind
    a chart, thousands of rows no reader pages through (and slow to format).
    """

    name: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]
    unit_column: str | None = None
    emphasis_column: str | None = None
    emphasis: tuple[str, ...] = ()
    note: str = ""
    sheet: str = ""
    workbook: bool = True


# The column specification of an exported CSV (its CSV on the Web metadata is made from it:
# :mod:`pipeline.report.csv_metadata`). Floats are written at most ``CSV_DECIMALS`` places
# (round half to even of the stored value; trailing zeros dropped, one kept), so that a
# confidence limit does not change in its 17th digit between numpy versions.
CSV_DECIMALS = 6
DECIMAL_PATTERN = "#0.0" + "#" * (CSV_DECIMALS - 1)   # UAX #35: 1 to CSV_DECIMALS decimals
KIND_NOTES = {
    "partner": "text as the partner wrote it; a leading apostrophe was added to text that "
               "began with =, +, - or @, so that no spreadsheet reads it as a formula",
    "count": "a count",
    "gbp": "pounds sterling (£)",
    "pct": "a percentage (63.6 is 63.6%)",
    "rag": "a RAG rating: Green, Amber, Red, Not available for reporting or Target not agreed",
    "date": "a date, YYYY-MM-DD",
}


@dataclass(frozen=True)
class CsvColumn:
    """One column of an exported CSV: its header (``title``), a name for machines
    (``name``: letters, digits and ``_``), a CSVW datatype, its decimals (floats only) and a
    note on its unit or meaning ("" if none)."""

    name: str
    title: str
    datatype: str | dict[str, str]
    decimals: int | None = None
    note: str = ""


def _machine_name(title: str, taken: set[str]) -> str:
    base = "_".join("".join(c if c.isascii() and c.isalnum() else " "
                            for c in str(title).lower()).split()) or "column"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def _datatype(column: pd.Series) -> tuple[str | dict[str, str], int | None]:
    if pd.api.types.is_bool_dtype(column):
        return {"base": "boolean", "format": "True|False"}, None
    if pd.api.types.is_integer_dtype(column):
        return "integer", None
    if pd.api.types.is_float_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():                # INF is a double's, not a decimal's
            return "double", CSV_DECIMALS
        return {"base": "decimal", "format": DECIMAL_PATTERN}, CSV_DECIMALS
    return "string", None


def csv_columns(frame: pd.DataFrame, kinds: dict[str, str] | None = None,
                unit_column: str | None = None) -> list[CsvColumn]:
    """The specification of each column of ``frame`` as :func:`export.write_csv` writes it
    (pure): the datatype from the column's dtype (text for anything not a number or a
    boolean), the note from its kind in ``kinds`` (see :class:`AppendixTable`) and, for a
    ``value`` column, the unit named by ``unit_column``; a float column's note says its
    decimals."""
    taken: set[str] = set()
    out = []
    for title in frame.columns:
        datatype, decimals = _datatype(frame[title])
        kind = (kinds or {}).get(title, "")
        notes = [KIND_NOTES.get(kind, "")]
        if kind == "value" and unit_column in frame.columns:
            notes.append(f"in the unit that column '{unit_column}' gives for the row")
        if decimals is not None:
            notes.append(f"written to at most {decimals} decimal places")
        out.append(CsvColumn(_machine_name(title, taken), str(title), datatype, decimals,
                             "; ".join(n for n in notes if n)))
    return out


def listing_table(name: str, title: str, frame: pd.DataFrame, partner: tuple[str, ...],
                  kinds: dict[str, str] | None = None, unit_column: str | None = None
                  ) -> AppendixTable:
    """A plain listing: every column text except those named in ``kinds``; ``partner``
    columns are text partners wrote."""
    types = {c: "text" for c in frame.columns}
    types.update({c: "partner" for c in partner})
    types.update(kinds or {})
    return AppendixTable(name, title, frame, types, unit_column=unit_column, sheet=title)
