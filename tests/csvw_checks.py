"""Checks of a run's open exports with the ``csvw`` package (its public API): every CSV has
its CSV on the Web metadata beside it, the metadata is valid, and every value of the CSV
parses at the datatype the metadata declares for its column."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path


def csvw_problems(folder: Path) -> dict[str, list[str]]:
    """Each CSV under ``folder`` (relative path) with what is wrong with it and its metadata;
    an empty dict when nothing is. ``csvw.CSVW`` finds the metadata from the CSV's name (as
    any CSVW tool does) and validates; the rows are then read strictly (a value that does
    not parse at its column's datatype raises) and counted against the CSV's own rows."""
    import csvw  # here, not at the top: every worker collects the files that import this

    problems: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.csv")):
        found: list[str] = []
        metadata = path.with_name(path.name + "-metadata.json")
        if not metadata.is_file():
            found.append("no metadata")
        else:
            described = csvw.CSVW(str(path), validate=True)
            if described.no_metadata or not described.is_valid:
                found += ["metadata not found or not valid"] + [
                    str(w.message) for w in described.warnings]
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    rows = list(csvw.Table.from_file(metadata).iterdicts(strict=True))
                except (ValueError, UserWarning) as exc:
                    rows = []
                    found.append(f"a value does not parse: {exc}")
            with path.open(encoding="utf-8-sig", newline="") as handle:
                expected = sum(1 for _ in csv.reader(handle)) - 1
            if not found and len(rows) != expected:
                found.append(f"{len(rows)} rows read, {expected} in the file")
        if found:
            problems[path.relative_to(folder).as_posix()] = found
    return problems
