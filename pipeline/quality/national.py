"""Checking the national table like a return: the ``national`` suite, quarantine by file and row.

The rules are the suite ``expectations/national.json``. The flags it reads (a value that is
not a number, limits out of order, a repeated key...) are computed here, vectorised; the
suite is then evaluated column by column (:mod:`pipeline.quality.columnar`), in chunks of
whole indicators past :data:`GX_MAX_ROWS` rows. That is the run's engine: the benchmark
stage runs beside the returns' validation and starts at once, where Great Expectations
takes 1.7 s to import (and its pandas engine is slow on a large table). Great Expectations
evaluates the same suite when asked (``engine="great_expectations"``, the rules'
``[quality] validation_engine``, up to :data:`GX_MAX_ROWS` rows), and
the tests check that both give the same results. A row failing a critical check is
quarantined with its file, row, column, the value found and what was expected; every
other row goes on, and every row read is in one or the other.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.inputs.national import (
    AREA_FILE,
    CHUNK_ROWS,
    indicator_chunks,
    unknown_group_codes,
)
from pipeline.inputs.national_files import GROUPS_FILE, NUMBER_COLUMNS
from pipeline.quality import columnar
from pipeline.quality.engines import known_engine, open_session
from pipeline.quality.gx import Dataset, explode_findings

SUITE = "national"
NUMERATOR_CHECK = "national-numerator-within-denominator"   # ids of the check catalogue
GROUP_AREA_CHECK = "national-group-area-known"
OWN_AREA_CHECK = "national-own-area-present"
NATIONAL_CHECKS = (NUMERATOR_CHECK, GROUP_AREA_CHECK, OWN_AREA_CHECK)
GX_MAX_ROWS = 50_000  # the most rows Great Expectations is asked to check, and a chunk's
KEY = ["area_code", "indicator_id", "period", "geography"]
AREA_COLUMNS = ["area_name", "area_type", "region"]
QUARANTINE_COLUMNS = ["source_file", "source_row", "column", "found", "check", "severity",
                      "dimension", "area_code", "indicator_id", "period", "reason"]
FLAG_COLUMNS = ["value_missing", *(f"{c}_not_number" for c in NUMBER_COLUMNS),
                "one_limit_only", "limits_out_of_order", "numerator_over_denominator",
                "denominator_shown",
                "duplicate_key", "area_inconsistent", "first_row", "first_file", "row_key"]


@dataclass(frozen=True)
class CheckedNational:
    """``clean``: rows that passed every critical check (area names, types and regions made
    consistent); ``quarantine``: one row per failed critical check, and per unreadable
    file; ``findings``: every failed check, warnings included; ``results``: one row per
    expectation; ``engine``: ``great_expectations`` or ``columnar``."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    findings: pd.DataFrame
    results: pd.DataFrame
    engine: str


def _area_modes(rows: pd.DataFrame) -> pd.DataFrame:
    """Each area's most common name, type and region (ties: the first in file order)."""
    usable = rows[rows["area_code"] != ""]
    combos = usable.groupby(["area_code", *AREA_COLUMNS], sort=False, observed=True).size()
    combos = combos.reset_index(name="n").sort_values("n", ascending=False, kind="stable")
    return combos.drop_duplicates("area_code").drop(columns="n").set_index("area_code")


def annotate_national(rows: pd.DataFrame, modes: pd.DataFrame | None = None,
                      percent_ids: Iterable[str] = ()) -> pd.DataFrame:
    """The rows with the flags the ``national`` suite checks (pure, vectorised).

    ``value_missing``, ``<number>_not_number`` (text that is not a number),
    ``one_limit_only``, ``limits_out_of_order``, ``numerator_over_denominator`` (a
    percentage, an indicator of ``percent_ids``, whose numerator exceeds its denominator:
    no interval can be computed; ``denominator_shown`` is that denominator as written),
    ``duplicate_key`` (a later row with the same area, indicator, period and geography;
    ``first_row`` and ``first_file`` name the first), ``area_inconsistent`` (name, type or
    region differs from the area's most common one, over ``modes`` when given: the
    whole table's, for a chunk of it) and ``row_key`` (position).
    """
    out = rows.reset_index(drop=True).copy()
    read = (out["read_problem"] == "").to_numpy(dtype=bool)
    for column in NUMBER_COLUMNS:
        written = (out[f"{column}_text"] != "").to_numpy(dtype=bool)
        missing = out[column].isna().to_numpy()
        out[f"{column}_not_number"] = missing & written
        if column == "value":
            out["value_missing"] = missing & ~written & read
    lower, upper = out["lower_ci"].to_numpy(), out["upper_ci"].to_numpy()
    value = out["value"].to_numpy()
    out["one_limit_only"] = np.isnan(lower) != np.isnan(upper)
    with np.errstate(invalid="ignore"):
        out["limits_out_of_order"] = (lower > value) | (upper < value) | (lower > upper)
        over = out["numerator"].to_numpy() > out["denominator"].to_numpy()
    over &= out["indicator_id"].isin(set(percent_ids)).to_numpy(dtype=bool)
    out["numerator_over_denominator"] = over
    out["denominator_shown"] = ""
    if over.any():
        text = out.loc[over, "denominator_text"].astype(str)
        number = out.loc[over, "denominator"].map(lambda x: f"{x:g}")
        out.loc[over, "denominator_shown"] = text.where(text != "", number)
    positions = np.flatnonzero(read)
    group = out.iloc[positions].groupby(KEY, sort=False).ngroup().to_numpy()
    first = np.arange(len(out))
    first[positions] = positions[pd.Series(np.arange(len(positions))).groupby(group)
                                 .transform("first").to_numpy()]
    repeated = first != np.arange(len(out))
    out["duplicate_key"] = repeated
    out["first_row"] = np.where(repeated, out["source_row"].to_numpy()[first], 0)
    out["first_file"] = pd.Series(out["source_file"].array.take(first)).where(repeated, "")
    modes = _area_modes(out[read]) if modes is None else modes
    expected = modes.reindex(out["area_code"])
    differs = np.zeros(len(out), dtype=bool)
    for column in AREA_COLUMNS:
        differs |= (expected[column].fillna("").to_numpy(dtype=object)
                    != out[column].to_numpy(dtype=object))
    out["area_inconsistent"] = differs & read & (out["area_code"] != "").to_numpy(dtype=bool)
    out["row_key"] = np.arange(len(out))
    return out


def run_national_suite(annotated: pd.DataFrame, suite: dict, parameters: dict[str, object],
                       engine: str = "columnar") -> tuple[pd.DataFrame, str]:
    """The suite's results, and the engine that ran it: ``columnar``, or
    ``great_expectations`` when asked for a table of one row up to :data:`GX_MAX_ROWS` (an
    empty table costs no GX start-up). An unknown engine is refused (:class:`ConfigError`,
    :func:`pipeline.quality.engines.known_engine`).
    """
    known_engine(engine)
    if engine == "great_expectations" and 0 < len(annotated) <= GX_MAX_ROWS:
        return open_session(engine).run([Dataset(annotated, suite, parameters)]), engine
    return columnar.evaluate_suite(annotated, suite, parameters), "columnar"


def _fill(template: str, rows: pd.DataFrame) -> pd.Series:
    """``template`` with each ``{column}`` filled from ``rows``, vectorised."""
    out = pd.Series("", index=rows.index, dtype=object)
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field:
            out = out + (rows[field].astype(str) if field in rows else "")
    return out


def describe_national(findings: pd.DataFrame, annotated: pd.DataFrame) -> pd.DataFrame:
    """Each failed row and check in words: file, row, column, the value found, what was
    expected (vectorised, per expectation). A row that could not be split into cells gets
    that message only."""
    unread = (annotated["read_problem"] != "").to_numpy(dtype=bool)
    keep = ~(unread[findings["row_key"].to_numpy(dtype="int64")]
             & (findings["column"] != "read_problem").to_numpy())
    findings = findings[keep]
    parts = []
    for (check, column, expected, report, severity, dimension), group in findings.groupby(
            ["expectation", "column", "expected", "report_column", "severity", "dimension"],
            sort=False):
        rows = annotated.iloc[group["row_key"].to_numpy(dtype="int64")].reset_index(drop=True)
        shown = report or column
        if shown == "row":
            found = pd.Series("", index=rows.index, dtype=object)
        else:
            text = rows[f"{shown}_text"] if f"{shown}_text" in rows else None
            raw = rows[shown].astype(str).where(rows[shown].notna(), "")
            found = raw if text is None else text.where(text != "", raw)
            found = found.astype(object)
        where = rows["source_file"].astype(str) + " row " + rows["source_row"].astype(str)
        if shown != "row":
            where = where + f", column {shown}"
        quoted = found.map(lambda t: f" {t!r}" if t else "")
        parts.append(pd.DataFrame({
            "source_file": rows["source_file"], "source_row": rows["source_row"],
            "column": shown, "found": found, "check": check, "severity": severity,
            "dimension": dimension, "area_code": rows["area_code"],
            "indicator_id": rows["indicator_id"], "period": rows["period"],
            "reason": where + ":" + quoted + " expected " + _fill(expected, rows)}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=QUARANTINE_COLUMNS)
    frame = frame[QUARANTINE_COLUMNS]
    return frame.sort_values(["source_file", "source_row", "check"],
                             kind="stable").reset_index(drop=True)


def quarantine_national_files(file_problems: pd.DataFrame) -> pd.DataFrame:
    """Files that could not be read, or lack a required column, as quarantine rows."""
    return pd.DataFrame({
        "source_file": file_problems["source_file"], "source_row": 0, "column": "",
        "found": "", "check": file_problems["check"], "severity": "critical",
        "dimension": "validity", "area_code": "", "indicator_id": "", "period": "",
        "reason": file_problems["source_file"] + ": " + file_problems["reason"]},
        columns=QUARANTINE_COLUMNS)


def combine_results(parts: list[pd.DataFrame], offsets: list[np.ndarray]) -> pd.DataFrame:
    """Per-chunk results of one suite as one: counts added, row keys made global."""
    first = parts[0].copy()
    first["success"] = np.logical_and.reduce([p["success"].to_numpy() for p in parts])
    first["unexpected_count"] = sum(p["unexpected_count"].to_numpy() for p in parts)
    first["element_count"] = sum(p["element_count"].to_numpy() for p in parts)
    first["failed_row_keys"] = [
        sorted(int(k) for part, where in zip(parts, offsets, strict=True)
               for k in where[np.asarray(part["failed_row_keys"].iloc[i], dtype="int64")])
        for i in range(len(first))]
    return first


def check_national(rows: pd.DataFrame, file_problems: pd.DataFrame, suite: dict,
                   indicator_ids: list[str], chunk_rows: int = CHUNK_ROWS,
                   engine: str = "columnar",
                   percent_ids: Iterable[str] = ()) -> CheckedNational:
    """Check the national rows against ``suite``; quarantine rows failing a critical check.

    A table of more than :data:`GX_MAX_ROWS` rows is checked by the columnar engine in
    chunks of whole indicators (``chunk_rows``), so time grows in proportion to the
    rows and memory does not; the areas' names, types and regions are compared with the
    whole table's. ``engine="great_expectations"`` has Great Expectations check a smaller
    table (see
    :func:`run_national_suite`).

    Parameters
    ----------
    rows, file_problems
        From :func:`pipeline.inputs.national.read_national`.
    suite
        The ``national`` suite (parsed JSON).
    indicator_ids
        The register's indicators (others are kept, with a warning, but not benchmarked).
    percent_ids
        The register's percentages (unit ``percent``): their numerator may not exceed
        their denominator (:data:`NUMERATOR_CHECK`).
    """
    percent_ids = list(percent_ids)
    parameters = {"indicator_ids": indicator_ids}
    rows = rows.reset_index(drop=True)
    if len(rows) <= GX_MAX_ROWS:
        annotated = annotate_national(rows, percent_ids=percent_ids)
        results, engine = run_national_suite(annotated, suite, parameters, engine)
        findings = describe_national(explode_findings(results), annotated)
    else:
        engine = "columnar"
        modes = _area_modes(rows[(rows["read_problem"] == "").to_numpy(dtype=bool)])
        parts, offsets, described = [], [], []
        for where in indicator_chunks(rows, chunk_rows):
            annotated = annotate_national(rows.iloc[where], modes, percent_ids)
            result = columnar.evaluate_suite(annotated, suite, parameters)
            found = describe_national(explode_findings(result), annotated)
            parts.append(result)
            offsets.append(where)
            described.append(found)
        results = combine_results(parts, offsets)
        findings = pd.concat(described, ignore_index=True).sort_values(
            ["source_file", "source_row", "check"], kind="stable").reset_index(drop=True)
    critical = explode_findings(results)
    critical = critical[critical["severity"] == "critical"]
    bad = np.zeros(len(rows), dtype=bool)
    bad[critical["row_key"].to_numpy(dtype="int64")] = True
    keep = [c for c in rows.columns
            if c != "read_problem" and not c.endswith("_text")]
    clean = rows.loc[~bad, keep].reset_index(drop=True)
    modes = _area_modes(clean)
    if len(clean):
        aligned = modes.reindex(clean["area_code"])
        for column in AREA_COLUMNS:
            clean[column] = aligned[column].to_numpy()
    quarantine = pd.concat([quarantine_national_files(file_problems),
                            findings[findings["severity"] == "critical"]], ignore_index=True)
    quarantine["source_row"] = quarantine["source_row"].astype("int64")
    return CheckedNational(clean, quarantine, findings, results, engine)


def check_national_areas(rows: pd.DataFrame, groups: pd.DataFrame,
                         area_code: str) -> pd.DataFrame:
    """What the national folder says about areas the table lacks, as warnings (ADVISORY)
    with the quarantine's columns (pure): one per code of ``groups.csv`` not in the table
    (:data:`GROUP_AREA_CHECK`: the group is compared without it), and one when the
    partnership's own area (``area.toml``) has no row (:data:`OWN_AREA_CHECK`: the
    appendix then has no comparison with other areas). Empty without a national table.

    Parameters
    ----------
    rows, groups, area_code
        As :class:`pipeline.inputs.national.National` holds them (the rows as read or
        checked: any frame with ``area_code`` and ``source_file``).
    """
    if rows.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    codes = set(rows["area_code"]) - {""}
    files = ", ".join(sorted(set(rows["source_file"])))
    found = []
    for row in unknown_group_codes(groups, codes).itertuples(index=False):
        known = (set(groups.loc[groups["group"] == row.group, "area_code"])
                 | {area_code}) & codes
        found.append({"source_file": GROUPS_FILE, "source_row": int(row.source_row),
                      "column": "area_code", "found": row.area_code,
                      "check": GROUP_AREA_CHECK,
                      "reason": f"{GROUPS_FILE} row {row.source_row}, column area_code: "
                                f"{row.area_code!r} expected an area code of the national "
                                f"table ({files}); group {row.group} has {len(known)} known "
                                f"area{'s' * (len(known) != 1)}"})
    if area_code not in codes:
        given = area_code
        found.append({"source_file": AREA_FILE, "source_row": 0, "column": "area_code",
                      "found": given, "check": OWN_AREA_CHECK,
                      "reason": (f"{AREA_FILE}, area_code: {given!r} expected an area of "
                                 f"the national table ({files}): no row has it"
                                 if given else f"{AREA_FILE} gives no area_code: expected "
                                 "the partnership's area code in the national table, e.g. "
                                 'area_code = "E10000018"')
                                + ", so the appendix has no comparison with other areas"})
    out = pd.DataFrame(found, columns=QUARANTINE_COLUMNS)
    return out.assign(severity="warning", dimension="completeness", area_code="",
                      indicator_id="", period="").astype({"source_row": "int64"})
