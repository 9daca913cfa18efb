"""The check catalogue: every check's stable id, grade, dimension, what it checks and guidance.

``expectations/catalogue.toml`` states each check once. A check run by Great Expectations
names its suite, expectation and column there; :func:`apply_catalogue` gives the suites
their GX ``severity`` (FAIL: ``critical``, ADVISORY: ``warning``), dimension and check id
from it, and refuses a suite expectation the catalogue does not list (or the reverse), so
the two cannot drift apart. The checks made while reading files (``file-readable``,
``file-structure``, ``file-hidden-sheet``) have no suite. ``laa checks`` prints the
catalogue; the data-quality report lists it as a page and every finding links to its check
by id.
"""

from __future__ import annotations

import copy
import textwrap
import tomllib
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError
from pipeline.quality.scorecard import DIMENSIONS

CATALOGUE_FILE = "catalogue.toml"
GRADES = {"FAIL": "critical", "ADVISORY": "warning"}
SEVERITY_GRADES = {severity: grade for grade, severity in GRADES.items()}
COLUMNS = ["id", "grade", "dimension", "suite", "expectation", "column", "checks", "guidance"]
FILE_CHECKS = {"readable": "file-readable", "structure": "file-structure",
               "hidden": "file-hidden-sheet"}


def load_catalogue(expectations_dir: Path) -> pd.DataFrame:
    """The catalogue as a frame (one row per check, in the file's order).

    Raises
    ------
    ConfigError
        Naming the file for a catalogue that cannot be read, a repeated id, a grade other
        than FAIL or ADVISORY, an unknown dimension, or a check without words or guidance.
    """
    path = expectations_dir / CATALOGUE_FILE
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle).get("check", [])
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"check catalogue cannot be read: {exc}", file=str(path)) from exc
    frame = pd.DataFrame([{c: str(entry.get(c, "")).strip() for c in COLUMNS} for entry in raw],
                         columns=COLUMNS)
    problems = [f"id {i!r} is used twice" for i in frame["id"][frame["id"].duplicated()]]
    for row in frame.itertuples(index=False):
        if row.grade not in GRADES:
            problems.append(f"{row.id}: grade {row.grade!r} (expected FAIL or ADVISORY)")
        if row.dimension not in DIMENSIONS:
            problems.append(f"{row.id}: dimension {row.dimension!r} (expected one of "
                            f"{', '.join(DIMENSIONS)})")
        if not (row.id and row.checks and row.guidance):
            problems.append(f"{row.id or '(no id)'}: id, checks and guidance are required")
    if problems:
        raise ConfigError("check catalogue: " + "; ".join(problems), file=str(path))
    return frame


def expectation_column(expectation: dict) -> str:
    """The column an expectation checks, as its results name it (the first of a compound)."""
    kwargs = expectation.get("kwargs", {})
    columns = kwargs.get("column_list") or [""]
    return str(kwargs.get("column") or kwargs.get("column_B") or columns[0])


def apply_catalogue(suites: dict[str, dict], catalogue: pd.DataFrame) -> dict[str, dict]:
    """Copies of the suites with each expectation's severity, dimension and check id set
    from its catalogue entry.

    Raises
    ------
    ConfigError
        For an expectation of a suite the catalogue does not list, or a catalogue entry
        naming an expectation no suite has.
    """
    entries = {(r.suite, r.expectation, r.column): r
               for r in catalogue[catalogue["suite"] != ""].itertuples(index=False)}
    out, used, problems = {}, set(), []
    for name, suite in suites.items():
        out[name] = copy.deepcopy(suite)
        for expectation in out[name].get("expectations", []):
            key = (name, expectation.get("type", ""), expectation_column(expectation))
            entry = entries.get(key)
            if entry is None:
                problems.append(f"suite {name}: {key[1]} on {key[2] or 'the table'} has no "
                                "entry in the check catalogue")
                continue
            used.add(key)
            expectation["severity"] = GRADES[entry.grade]
            expectation.setdefault("meta", {}).update(dimension=entry.dimension,
                                                      check_id=entry.id)
    problems += [f"catalogue check {entries[k].id} names {k[1]} on {k[2]} in suite {k[0]}, "
                 "which has no such expectation" for k in entries
                 if k not in used and k[0] in suites]
    if problems:
        raise ConfigError("; ".join(problems), file=CATALOGUE_FILE)
    return out


def check_ids(suites: dict[str, dict]) -> dict[tuple[str, str, str], str]:
    """``(suite, expectation, column)`` -> check id, from suites the catalogue was applied to."""
    return {(name, e.get("type", ""), expectation_column(e)): e.get("meta", {}).get("check_id", "")
            for name, suite in suites.items() for e in suite.get("expectations", [])}


def grade_of(severity: str) -> str:
    """The grade a GX severity stands for: ``critical`` FAIL, else ADVISORY."""
    return SEVERITY_GRADES.get(str(severity), "ADVISORY")


def format_catalogue(catalogue: pd.DataFrame, width: int = 100) -> str:
    """The catalogue as plain text, a paragraph per check: id, grade, dimension, what it
    checks and the guidance (what ``laa checks`` prints)."""
    lines = textwrap.wrap(f"{len(catalogue)} checks. FAIL: the row is quarantined (kept out "
                          "of the figures; the file's other rows go through). ADVISORY: "
                          "reported, the value counts. PASS when the check holds.", width)
    lines.append("")
    for row in catalogue.itertuples(index=False):
        where = f" [{row.suite}: {row.column or 'table'}]" if row.suite else " [reading files]"
        lines.append(f"{row.id}  {row.grade}  {row.dimension}{where}")
        lines += textwrap.wrap(row.checks, width, initial_indent="  checks:   ",
                               subsequent_indent="            ")
        lines += textwrap.wrap(row.guidance, width, initial_indent="  guidance: ",
                               subsequent_indent="            ")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
