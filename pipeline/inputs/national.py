"""The national table: every area's value of each indicator, read with file and row.

Read from ``<data-dir>/national/``: every ``.csv`` or ``.parquet`` file there except the
two group files holds values in the long form national collections use (see README,
"Benchmarking"); ``groups.csv`` lists named comparator groups, ``neighbours.csv`` each
area's nearest neighbours, and ``area.toml`` says which area is this partnership's.
The values files are read by :mod:`pipeline.inputs.national_files`; this module reads the
groups and the area, checks a comparator group asked for, and gathers it all
(:func:`read_national`). Nothing here decides what is valid: the ``national`` suite does
(:mod:`pipeline.quality.national`).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.digest import sha256_file
from pipeline.errors import ConfigError
from pipeline.inputs.filenames import arrow_source, shown_name
from pipeline.inputs.national_files import (
    GROUPS_FILE,
    NEIGHBOURS_FILE,
    REQUIRED_COLUMNS,
    as_text,
    csv_options,
    find_value_files,
    missing_columns,
    national_dir,
    read_values_file,
    tidy_national,
)
from pipeline.inputs.return_files import os_reason
from pipeline.inputs.sheets import normalise_header

AREA_FILE = "area.toml"
FILE_PROBLEM_COLUMNS = ["source_file", "source_sha256", "check", "reason"]
BUILT_IN_GROUPS = ("england", "region", "type", "neighbours")
MIN_GROUP_AREAS = 2    # a comparator group of fewer areas compares with nothing
CHUNK_ROWS = 300_000   # a large table is checked and benchmarked in chunks of indicators


@dataclass(frozen=True)
class National:
    """What ``national/`` holds: the rows read, files that could not be read, the groups.

    ``rows``: one row per data row of every file, text columns as read (stripped), each
    number parsed with its text beside it (``value_text``...), ``source_file`` and
    ``source_row`` (the CSV line, header = 1; a parquet file's row, first = 1).
    ``groups``: ``group``, ``area_code``, ``source_row`` (named groups). ``neighbours``:
    ``area_code``, ``neighbour_code``, ``rank``. ``area_code``: the partnership's area
    ("" if not given).
    """

    rows: pd.DataFrame
    file_problems: pd.DataFrame
    groups: pd.DataFrame
    neighbours: pd.DataFrame
    area_code: str


def read_groups(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The named groups (``groups.csv``: group, area_code) and nearest neighbours
    (``neighbours.csv``: area_code, neighbour_code, rank), empty when absent; each row
    with its ``source_row`` in the file (header = 1).

    Raises
    ------
    ConfigError
        For a group file without its columns, or a group named like a built-in one.
    """
    specs = ((GROUPS_FILE, ("group", "area_code")),
             (NEIGHBOURS_FILE, ("area_code", "neighbour_code", "rank")))
    out = []
    for name, columns in specs:
        path = folder / name
        if not path.is_file():
            out.append(pd.DataFrame({c: pd.Series(dtype=str) for c in columns}).assign(
                source_row=pd.Series(dtype="int64")))
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.columns = [normalise_header(c) for c in frame.columns]
        lacking = [c for c in columns if c not in frame]
        if lacking:
            raise ConfigError(f"{name} lacks column(s) {', '.join(lacking)}; expected "
                              f"{', '.join(columns)}", file=str(path))
        frame = frame[list(columns)].apply(lambda s: s.str.strip())
        frame["source_row"] = np.arange(2, len(frame) + 2, dtype="int64")  # header = 1
        out.append(frame[frame["area_code"] != ""].reset_index(drop=True))
    groups, neighbours = out
    groups["group"] = groups["group"].str.casefold()
    clash = sorted(set(groups["group"]) & set(BUILT_IN_GROUPS))
    if clash:
        raise ConfigError(f"{GROUPS_FILE} names a group {clash[0]!r} like a built-in one; "
                          f"rename it (built-in: {', '.join(BUILT_IN_GROUPS)})",
                          file=str(folder / GROUPS_FILE))
    neighbours["rank"] = pd.to_numeric(neighbours["rank"], errors="coerce")
    return groups, neighbours


def read_area(folder: Path) -> dict[str, str]:
    """``area.toml``: ``area_code`` (the partnership's area in the national table) and
    ``source`` (where the national figures come from, printed in the appendix); blank
    when absent.

    Raises
    ------
    ConfigError
        For a file that is not TOML.
    """
    path = folder / AREA_FILE
    out = {"area_code": "", "source": ""}
    if not path.is_file():
        return out
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
    return {k: str(given.get(k, "")).strip() for k in out}


def read_area_code(folder: Path) -> str:
    """The partnership's area code from ``area.toml`` (``area_code = "E10000018"``), or ""."""
    return read_area(folder)["area_code"]


def known_groups(data_dir: Path) -> tuple[str, ...]:
    """The comparator groups a run may choose: the built-in ones and those of
    ``groups.csv`` (``neighbours`` only when ``neighbours.csv`` exists)."""
    folder = national_dir(data_dir)
    groups, neighbours = read_groups(folder)
    built_in = [g for g in BUILT_IN_GROUPS if g != "neighbours" or not neighbours.empty]
    return (*built_in, *sorted(set(groups["group"])))


def check_group(data_dir: Path, group: str) -> str:
    """The group asked for, in canonical spelling (lower case), or "" for the default.

    Raises
    ------
    ConfigError
        Naming the known groups, for a group that is not one of them; for a group of
        ``groups.csv`` with fewer than :data:`MIN_GROUP_AREAS` areas of the national table
        (the partnership's own included: it is always in its group), naming the file and
        each code the table lacks with its row.
    """
    wanted = str(group or "").strip().casefold()
    if not wanted:
        return ""
    known = known_groups(data_dir)
    if wanted not in known:
        raise ConfigError(f"unknown comparator group {group!r}; known: {', '.join(known)}")
    if wanted in BUILT_IN_GROUPS:
        return wanted
    folder = national_dir(data_dir)
    groups, _ = read_groups(folder)
    codes = read_area_codes(folder)
    mine = groups[groups["group"] == wanted]
    members = (set(mine["area_code"]) | {read_area_code(folder)}) & codes
    if len(members) < MIN_GROUP_AREAS:
        unknown = unknown_group_codes(mine, codes)
        lacking = ", ".join(f"{r.area_code} (row {r.source_row})"
                            for r in unknown.itertuples(index=False))
        raise ConfigError(
            f"--compare-with {wanted!r}: the group has {len(members)} area"
            f"{'s' * (len(members) != 1)} of the national table, expected at least "
            f"{MIN_GROUP_AREAS} to compare with"
            + (f"; codes not in the table: {lacking}" if lacking else ""),
            file=str(folder / GROUPS_FILE))
    return wanted


def read_area_codes(folder: Path) -> set[str]:
    """The area codes of every values file of ``folder`` (only that column is read; a
    file that cannot be read, or has no ``area_code``, gives none)."""
    codes: set[str] = set()
    for path in find_value_files(folder):
        try:
            if path.suffix.lower() == ".parquet":
                with arrow_source(path) as source:
                    names = pq.read_schema(source).names
            else:
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    names = next(csv.reader(handle), [])
            name = next(n for n in names if normalise_header(n) == "area_code")
            with arrow_source(path) as source:
                if path.suffix.lower() == ".parquet":
                    column = pq.read_table(source, columns=[name])[name]
                else:
                    column = pacsv.read_csv(source, **csv_options(path, names, [], False)
                                            | {"convert_options": pacsv.ConvertOptions(
                                                include_columns=[name],
                                                column_types={name: pa.string()})})[name]
        except (OSError, StopIteration, KeyError, pa.ArrowInvalid, UnicodeDecodeError):
            continue
        codes |= set(pc.utf8_trim_whitespace(as_text(column)).to_pylist()) - {None, ""}
    return codes


def unknown_group_codes(groups: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """The rows of ``groups`` (from :func:`read_groups`) whose area code is not in
    ``codes`` (pure): ``group``, ``area_code``, ``source_row``, in file order."""
    lacking = groups[~groups["area_code"].isin(codes)]
    return lacking[["group", "area_code", "source_row"]].reset_index(drop=True)


def _digest(path: Path) -> str:
    """The file's sha256, or "" where the file system refuses it."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


def read_national(data_dir: Path) -> National:
    """Read every values file of ``<data-dir>/national`` (none: an empty table).

    A file that cannot be read, or lacks a required column, is a file problem (it is
    quarantined whole, naming the file); the other files' rows go on.
    """
    folder = national_dir(data_dir)
    frames, problems = [], []
    for path in find_value_files(folder):
        name = shown_name(path.name)  # any bytes the file system allows, recordable
        try:
            frame = read_values_file(path)
        except (OSError, pa.ArrowInvalid, UnicodeDecodeError) as exc:
            problems.append({"source_file": name, "source_sha256": _digest(path),
                             "check": "file_readable",
                             "reason": os_reason(exc) if isinstance(exc, OSError) else
                             "the file cannot be read as a table: it may be damaged, or not "
                             "a CSV or parquet file; download or export it again"})
            continue
        lacking = missing_columns(frame.attrs["columns"])
        if lacking:
            problems.append({"source_file": name, "source_sha256": sha256_file(path),
                             "check": "required_columns",
                             "reason": "the file lacks the column(s) " + ", ".join(lacking)
                             + " (required: " + ", ".join(REQUIRED_COLUMNS) + ")"})
            continue
        frames.append(frame)
    groups, neighbours = read_groups(folder)
    return National(rows=tidy_national(frames),
                    file_problems=pd.DataFrame(problems, columns=FILE_PROBLEM_COLUMNS),
                    groups=groups, neighbours=neighbours, area_code=read_area_code(folder))


def indicator_chunks(rows: pd.DataFrame, size: int = CHUNK_ROWS) -> list[np.ndarray]:
    """Row positions in chunks of about ``size`` rows, each holding whole indicators (so a
    repeated key is always within one chunk), in table order within a chunk."""
    by_indicator = rows.groupby("indicator_id", sort=True).indices
    chunks, current, count = [], [], 0
    for positions in by_indicator.values():
        current.append(positions)
        count += len(positions)
        if count >= size:
            chunks.append(np.sort(np.concatenate(current)))
            current, count = [], 0
    if current:
        chunks.append(np.sort(np.concatenate(current)))
    return chunks
