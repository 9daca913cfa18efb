"""Open exports: each CSV the run writes is described by a CSV on the Web metadata file
(W3C CSVW, ``<name>.csv-metadata.json`` beside it, where CSVW tools look for it first), and
its floats are written at a stated precision.

Both come from one column specification, :func:`pipeline.report.table_spec.csv_columns`:
the metadata gives each column's header (``titles``), a machine name, its datatype (a
float column's as a decimal whose format pattern allows at most
:data:`~pipeline.report.table_spec.CSV_DECIMALS` decimals) and a note on its unit or
meaning; the CSV's float columns are written as :func:`decimal_text` makes them.
:func:`write_csv` writes both, text that partners wrote made safe (:func:`neutralise_frame`).
"""

from __future__ import annotations

import csv
import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs.cells import FORMULA_STARTS, neutralise_cell
from pipeline.report.table_spec import CsvColumn, csv_columns

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
METADATA_SUFFIX = "-metadata.json"


def decimal_text(value: float, decimals: int) -> str:
    """A float as text at most ``decimals`` places (pure): correctly rounded from the stored
    value, trailing zeros dropped but one (``52.6``, ``38.0``, ``51.705924``), never ``-0.0``;
    NaN is blank, infinities ``INF`` and ``-INF`` (as CSVW's double reads them)."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = f"{value:.{decimals}f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text == "-0.0" else text


def with_decimals(frame: pd.DataFrame, columns: list[CsvColumn]) -> pd.DataFrame:
    """A copy of ``frame`` with each float column of ``columns`` (in the frame's order) as
    text at its stated decimals (:func:`decimal_text`); other columns as they are."""
    out = frame.copy(deep=False)
    for position, column in enumerate(columns):
        if column.decimals is not None:
            values = out.iloc[:, position].to_numpy(dtype=float, na_value=math.nan)
            out.isetitem(position, [decimal_text(v, column.decimals) for v in values])
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell passed through :func:`neutralise_cell` (a text column
    with no formula-like cell is kept as it is: the check is one vectorised pass)."""
    out = frame.copy(deep=False)
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        if isinstance(values.dtype, pd.StringDtype):
            risky = values.str.startswith(FORMULA_STARTS, na=False)
            if risky.any():
                out.isetitem(position, values.where(~risky, "'" + values))
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            if any(neutralise_cell(v) is not v for v in values):
                out.isetitem(position, values.map(neutralise_cell))
    return out


@functools.cache
def _plain(kind: object) -> bool:
    """True for a column ``dtype`` whose cells the csv module writes as pandas would from
    the cells themselves: text, numbers, booleans and plain objects (not dates,
    categories...)."""
    return not isinstance(kind, pd.CategoricalDtype) and any(test(kind) for test in (
        pd.api.types.is_object_dtype, pd.api.types.is_string_dtype,
        pd.api.types.is_bool_dtype, pd.api.types.is_integer_dtype,
        pd.api.types.is_float_dtype))


def csv_cells(frame: pd.DataFrame, columns: list[CsvColumn]) -> list[list[object]] | None:
    """Each column of ``frame`` as the cells its CSV holds (pure): blank for a missing value,
    a float at its stated decimals (:func:`decimal_text`), text made formula-safe
    (:func:`neutralise_cell`), any other value as it is (the csv module writes it as
    pandas does). None when some column is of a kind pandas writes its own way (dates,
    categories...): :func:`write_csv` then leaves the whole table to pandas."""
    cells: list[list[object]] = []
    for (_, values), column in zip(frame.items(), columns, strict=True):
        kind = values.dtype
        if not _plain(kind):
            return None
        if column.decimals is not None:
            numbers = values.to_numpy(dtype=float, na_value=math.nan)
            cells.append([decimal_text(v, column.decimals) for v in numbers])
        elif isinstance(kind, pd.StringDtype):      # text, and a missing value is no text
            cells.append([neutralise_cell(v) if isinstance(v, str) else ""
                          for v in values.tolist()])
        elif isinstance(kind, np.dtype) and kind.kind in "biu":   # never missing
            cells.append(values.tolist())
        else:
            cells.append(["" if gone else neutralise_cell(v)
                          for v, gone in zip(values.tolist(), values.isna().tolist(),
                                             strict=True)])
    return cells


def write_csv(frame: pd.DataFrame, path: Path, kinds: dict[str, str] | None = None,
              title: str = "", note: str = "", unit_column: str | None = None) -> Path:
    """Write a table as UTF-8 CSV (with BOM, so Excel shows £ correctly), formulas defused,
    floats at their stated decimals (never ``-0.0``), and its CSV on the Web metadata
    beside it (:func:`write_metadata`), both from one column specification
    (:func:`pipeline.report.table_spec.csv_columns`, given the table's ``kinds`` and
    ``unit_column``); ``title`` and ``note`` describe the table in the metadata.

    The cells (:func:`csv_cells`) go to the csv module's writer, as pandas' ``to_csv``
    would write them (the same bytes, for a fraction of the CPU)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = csv_columns(frame, kinds, unit_column)
    cells = csv_cells(frame, columns)
    if cells is None:
        with_decimals(neutralise_frame(frame), columns).to_csv(
            path, index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(frame.columns.tolist())
            writer.writerows(zip(*cells, strict=True) if cells else [[]] * len(frame))
    write_metadata(path, columns, title, note)
    return path


def metadata_path(csv_path: Path) -> Path:
    """Where a CSV's metadata goes: ``x.csv`` -> ``x.csv-metadata.json`` (CSVW's default)."""
    return csv_path.with_name(csv_path.name + METADATA_SUFFIX)


def csv_metadata(csv_name: str, columns: list[CsvColumn], title: str = "",
                 note: str = "") -> dict[str, object]:
    """The CSVW metadata of one CSV (pure): its ``url`` (the file's name: the metadata sits
    beside it), title and note as ``dc:title`` and ``dc:description``, and a column each."""
    described: list[dict[str, object]] = []
    for column in columns:
        entry: dict[str, object] = {"name": column.name, "titles": column.title,
                                    "datatype": column.datatype}
        if column.note:
            entry["dc:description"] = column.note
        described.append(entry)
    meta: dict[str, object] = {"@context": [CSVW_CONTEXT, {"@language": "en"}],
                               "url": csv_name}
    if title:
        meta["dc:title"] = title
    if note:
        meta["dc:description"] = note
    meta["tableSchema"] = {"columns": described}
    return meta


def write_metadata(csv_path: Path, columns: list[CsvColumn], title: str = "",
                   note: str = "") -> Path:
    """Write a CSV's metadata beside it (:func:`metadata_path`), as stable JSON."""
    target = metadata_path(csv_path)
    text = json.dumps(csv_metadata(csv_path.name, columns, title, note), indent=2,
                      ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")
    return target
