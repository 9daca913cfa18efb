"""The national table's values files: found, read column by column, parsed with their text.

Every ``.csv`` or ``.parquet`` file of ``<data-dir>/national/`` except the two group files
holds values in the long form national collections use. Columns are read as text (CSV)
and parsed column by column with pyarrow, so three million rows read in seconds; each row
keeps its file and row for the quarantine, and the text of each number beside it.
Gathered, with the groups, by :func:`pipeline.inputs.national.read_national`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.inputs.filenames import arrow_source, shown_name
from pipeline.inputs.sheets import normalise_header

FOLDER = "national"
GROUPS_FILE = "groups.csv"
NEIGHBOURS_FILE = "neighbours.csv"
SUFFIXES = (".csv", ".parquet")
KEY_COLUMNS = ("area_code", "area_name", "area_type", "region", "indicator_id", "period")
REQUIRED_COLUMNS = (*KEY_COLUMNS, "value")
NUMBER_COLUMNS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")
TEXT_COLUMNS = (*KEY_COLUMNS, "geography")
DEFAULT_GEOGRAPHY = "upper tier"
LINEAGE_COLUMNS = ("source_file", "source_row")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def national_dir(data_dir: Path) -> Path:
    """Where the national table lives: ``<data-dir>/national``."""
    return Path(data_dir) / FOLDER


def has_national(data_dir: Path) -> bool:
    """True when ``<data-dir>/national`` holds at least one values file."""
    return bool(find_value_files(national_dir(data_dir)))


def find_value_files(folder: Path) -> list[Path]:
    """The values files of ``folder``, sorted: ``.csv`` and ``.parquet`` but the group files."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in SUFFIXES
                  and p.name not in (GROUPS_FILE, NEIGHBOURS_FILE))


def as_text(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as Arrow strings (a parquet file's numbers or codes, as text)."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array
    return pc.cast(array, pa.string())


def parse_text_numbers(text: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Numbers from text (``1234``, ``-1.5e3``); blank, or anything that is not a plain
    number, gives NaN (the ``<column>_text`` kept beside tells the two apart)."""
    stripped = pc.utf8_trim_whitespace(text)
    fine = pc.fill_null(pc.match_substring_regex(stripped, _NUMBER.pattern), False)
    kept = pc.if_else(fine, stripped, pa.scalar(None, pa.string()))
    return pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False)


def csv_options(path: Path, names: list[str], bad: list[dict], threads: bool) -> dict:
    """pyarrow's options to read a values CSV: every column ``names`` as text, a BOM
    honoured, each line with a wrong number of cells skipped and noted in ``bad``."""
    def handler(row) -> str:
        bad.append({"line": row.number, "found": row.text[:200],
                    "reason": f"{row.actual_columns} cells where the header has "
                              f"{row.expected_columns}"})
        return "skip"

    return dict(
        read_options=pacsv.ReadOptions(encoding="utf-8-sig" if _has_bom(path) else "utf8",
                                       use_threads=threads),
        parse_options=pacsv.ParseOptions(invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False))


def _read_table(path: Path) -> tuple[pa.Table, list[dict]]:
    """The file as a table, and the CSV lines skipped for a wrong number of cells (their
    line numbers known: a file with such lines is read again on one thread)."""
    if path.suffix.lower() == ".parquet":
        with arrow_source(path) as source:
            return pq.read_table(source), []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = next(csv.reader(handle), [])
    bad: list[dict] = []
    with arrow_source(path) as source:
        table = pacsv.read_csv(source, **csv_options(path, names, bad, threads=True))
    if bad:
        bad = []
        with arrow_source(path) as source:
            table = pacsv.read_csv(source, **csv_options(path, names, bad, threads=False))
    return table, bad


def _has_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(3) == b"\xef\xbb\xbf"


def read_values_file(path: Path) -> pd.DataFrame:
    """One values file as rows: text columns stripped, numbers parsed beside their text.

    Raises
    ------
    ConfigError
        Never for content: a file that cannot be read raises ``OSError`` or
        ``pyarrow.ArrowInvalid``, turned into a file problem by :func:`read_national`.
    """
    table, bad = _read_table(path)
    names = [normalise_header(n) for n in table.column_names]
    table = table.rename_columns(names)
    data: dict[str, object] = {}   # text stays in Arrow memory (pandas' str dtype)
    for column in TEXT_COLUMNS:
        if column in names:
            data[column] = pc.utf8_trim_whitespace(as_text(table[column])).to_pandas()
    for column in NUMBER_COLUMNS:
        if column not in names:
            continue
        array = table[column]
        if pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
            data[column] = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
            data[f"{column}_text"] = pd.Series("", index=range(len(array)), dtype="str")
        else:
            text = pc.utf8_trim_whitespace(array)
            data[column] = parse_text_numbers(text)
            data[f"{column}_text"] = text.to_pandas()
    frame = pd.DataFrame(data)
    start = 1 if path.suffix.lower() == ".parquet" else 2
    skipped = sorted(int(b["line"]) for b in bad)
    rows = np.arange(start, start + len(frame) + len(skipped), dtype="int64")
    frame["source_file"] = shown_name(path.name)
    frame["source_row"] = rows[~np.isin(rows, skipped)] if skipped else rows
    frame["read_problem"] = ""
    if bad:  # every line accounted for: a line that could not be split is kept, flagged
        unread = pd.DataFrame({"source_file": shown_name(path.name), "source_row": skipped,
                               "read_problem": [b["reason"] for b in
                                                sorted(bad, key=lambda b: b["line"])]})
        frame = pd.concat([frame, unread], ignore_index=True).sort_values(
            "source_row", kind="stable").reset_index(drop=True)
    frame.attrs["columns"] = names
    return frame


def missing_columns(names: list[str]) -> list[str]:
    """The required columns a values file's header lacks (pure)."""
    return [c for c in REQUIRED_COLUMNS if c not in names]


def tidy_national(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The files' rows as one frame, every optional column present (blank when absent)."""
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in TEXT_COLUMNS:
        if column not in out:
            out[column] = DEFAULT_GEOGRAPHY if column == "geography" else ""
        out[column] = out[column].fillna("").astype(str)
    out.loc[out["geography"] == "", "geography"] = DEFAULT_GEOGRAPHY
    for column in NUMBER_COLUMNS:
        if column not in out:
            out[column] = np.nan
        out[column] = out[column].astype("float64")
        text = f"{column}_text"
        out[text] = out[text].fillna("").astype(str) if text in out else ""
    if "source_file" not in out:
        out["source_file"] = pd.Series(dtype=str)
        out["source_row"] = pd.Series(dtype="int64")
    out["read_problem"] = out["read_problem"].fillna("") if "read_problem" in out else ""
    order = [*TEXT_COLUMNS, *NUMBER_COLUMNS, *(f"{c}_text" for c in NUMBER_COLUMNS),
             *LINEAGE_COLUMNS, "read_problem"]
    return out[order].reset_index(drop=True)
