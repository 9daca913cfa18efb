"""Open exports: each CSV the run writes is described by a CSV on the Web metadata file
(W3C CSVW, ``<name>.csv-metadata.json`` beside it, where CSVW tools look for it first), and
its floats are written at a stated precision.

Both come from one column specification, :func:`pipeline.report.table_spec.csv_columns`:
the metadata gives each column's header (``titles``), a machine name, its datatype (a
float column's as a decimal whose format pattern allows at most
:data:`~pipeline.report.table_spec.CSV_DECIMALS` decimals) and a note on its unit or
meaning; the CSV's float columns are written as :func:`decimal_text` makes them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from pipeline.report.table_spec import CsvColumn

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
