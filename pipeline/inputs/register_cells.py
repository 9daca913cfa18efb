"""Reading one register CSV against its definition, and typing and checking its cells
(numbers, periods, dates, vocabularies, filled and unique columns); every refusal is a
:class:`~pipeline.errors.RegisterError` naming the file, row and column.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from pipeline.errors import RegisterError
from pipeline.inputs.nis import read_text_csv
from pipeline.inputs.register_files import RegisterFile
from pipeline.periods import normalise_period

_NO_HEADER = re.compile(r"unnamed: \d+")


def check_columns(frame: pd.DataFrame, spec: RegisterFile) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with exactly ``spec``'s columns, in its order, and the warnings it raised.

    An optional column the file lacks is added, filled with its default, as is any blank
    cell of an optional column that has a default. A column ``spec`` does not know is
    dropped with a warning naming the file and the column.

    Raises
    ------
    RegisterError
        Naming the file and the required column(s) missing.
    """
    missing = [c for c in spec.required_names if c not in frame.columns]
    if missing:
        raise RegisterError(f"required column{'s' if len(missing) > 1 else ''} missing",
                            file=spec.name, column=", ".join(missing))
    known = spec.names
    warnings = []
    for position, column in enumerate(frame.columns, start=1):
        if _NO_HEADER.fullmatch(column):   # a trailing comma, or a heading left out
            if (frame[column] != "").any():
                warnings.append(f"a column with no header ignored (file {spec.name}, "
                                f"column {position})")
        elif column not in known:
            close = difflib.get_close_matches(column, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"unknown column {column!r} ignored{hint} "
                            f"(file {spec.name}, column {column})")
    out = frame.reindex(columns=known, fill_value="")
    for column in spec.columns:
        if not column.required and column.default:
            out[column.name] = out[column.name].replace("", column.default)
    return out, warnings


def read_register_csv(path: Path, spec: RegisterFile) -> tuple[pd.DataFrame, list[str]]:
    """A register CSV checked against ``spec`` (:func:`check_columns`), and its warnings."""
    if not path.is_file():
        raise RegisterError("register file is missing", file=str(path))
    return check_columns(read_text_csv(path, "register file"), spec)


def read_optional(register_dir: Path, spec: RegisterFile) -> tuple[pd.DataFrame | None,
                                                                       list[str]]:
    """An optional register CSV, or None when it is absent or has no data rows."""
    path = register_dir / spec.name
    if not path.is_file():
        return None, []
    frame, warnings = read_register_csv(path, spec)
    return (None if frame.empty else frame), warnings


def check_vocab(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], file: str) -> None:
    """Refuse a value of ``column`` that is not one of ``allowed``, naming its row."""
    bad = frame[~frame[column].isin(allowed)]
    if not bad.empty:
        row = bad.index[0] + 2
        named = ", ".join(a for a in allowed if a)
        raise RegisterError(f"{column} {bad[column].iloc[0]!r} is not one of {named}"
                            + (" (or blank)" if "" in allowed else ""),
                            file=file, row=row, column=column)


def check_unique(frame: pd.DataFrame, column: str, file: str, message: str) -> None:
    """Refuse a value given twice in ``column``, naming the second row (``message`` is
    formatted with the value)."""
    dupes = frame[column][frame[column].duplicated()]
    if not dupes.empty:
        raise RegisterError(message.format(dupes.iloc[0]), file=file,
                            row=int(dupes.index[0]) + 2, column=column)


def check_filled(frame: pd.DataFrame, column: str, file: str) -> None:
    """Refuse a blank cell of ``column``, naming its row."""
    blank = frame[frame[column] == ""]
    if not blank.empty:
        raise RegisterError(f"{column} is blank", file=file, row=int(blank.index[0]) + 2,
                            column=column)


def to_number(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    """The column's numbers (``£`` and thousands separators allowed); a blank is NaN
    unless ``required``."""
    text = frame[column].str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    numbers = pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")
    bad = numbers.isna() & (text != "") if not required else numbers.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise RegisterError(f"{column} {frame[column].iloc[row - 2]!r} is not a number",
                            file=file, row=row, column=column)
    return numbers


def to_period(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    """The column's periods in their canonical spelling (blank stays blank unless
    required)."""
    periods = frame[column].map(normalise_period)
    bad = periods.isna() & ((frame[column] != "") | required)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{column} {frame[column].iloc[row]!r} is not a financial year or "
                            "quarter", file=file, row=row + 2, column=column)
    return periods.fillna("")


def complete_columns(raw: pd.DataFrame, spec: RegisterFile) -> pd.DataFrame:
    """``raw`` with ``spec``'s columns and defaults (:func:`check_columns`), warnings
    dropped, indexed from 0."""
    return check_columns(raw.reset_index(drop=True), spec)[0]


def to_date(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    """The column's dates as ``YYYY-MM-DD`` text (blank stays blank unless required)."""
    text = frame[column]
    dates = pd.to_datetime(text, errors="coerce", format="%Y-%m-%d")
    bad = dates.isna() & ((text != "") | required)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{column} {text.iloc[row]!r} is not a date (YYYY-MM-DD)",
                            file=file, row=row + 2, column=column)
    return dates.dt.strftime("%Y-%m-%d").fillna("")
