"""Finance returns: the pooled fund's outturn per LAA block, read and checked row by row.

A finance return is one file per financial year in ``<data-dir>/finance/``, named
``<year>_pooled_fund.csv`` (or ``.xlsx``, first sheet), with a header row and one row per
block: ``block`` (a theme's key or name from the register), ``allocation_gbp``,
``spend_gbp``, ``carry_forward_gbp``, ``virement_gbp`` and ``commentary``. Like a
partner's return, one bad row never stops the run: it is set aside with one message
naming the file, row, column and what was expected, and every other row goes through;
every line of the file is either used, blank or set aside.

One return per year: when two files give the same year (``2006-07_pooled_fund.csv`` and
``.xlsx``), the first usable one in name order is used and each other is set aside whole,
naming both (check ``finance-one-return-per-year``), so no block is counted twice. An
amount must lie within :data:`MAX_AMOUNT_GBP` either side of zero (check
``finance-amount-in-range``): a figure beyond it (``1e308``, pence typed as pounds) is a
typing slip, set aside with its file, row and column, and the money arithmetic (exact to
the penny) stays within what it can hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.inputs.filenames import shown_name
from pipeline.inputs.readers import read_sheets
from pipeline.inputs.register_parsers import theme_key
from pipeline.inputs.return_files import DEFAULT_MAX_BYTES, os_reason
from pipeline.inputs.return_values import parse_value
from pipeline.inputs.sheets import Unreadable, header_score, normalise_header

FINANCE_FOLDER = "finance"
AMOUNTS = ("allocation_gbp", "spend_gbp", "carry_forward_gbp", "virement_gbp")
REQUIRED = ("block", "allocation_gbp", "spend_gbp")
FINANCE_COLUMNS = ("block", *AMOUNTS, "commentary")
NEGATIVE_ALLOWED = ("virement_gbp",)  # money moved out of a block
FILE_NAME = re.compile(r"^(\d{4}-\d{2})_pooled_fund\.(csv|xlsx)$", re.IGNORECASE)
ROW_COLUMNS = ["year", "theme", "block", *AMOUNTS, "commentary", "source_file", "source_row"]
PROBLEM_COLUMNS = ["year", "source_file", "source_row", "column", "found", "message",
                   "check_id", "grade"]
MAX_AMOUNT_GBP = 10_000_000_000  # £10bn: the most one line of a block may hold
ONE_RETURN_CHECK = "finance-one-return-per-year"
AMOUNT_CHECK = "finance-amount-in-range"
CHECKS = (ONE_RETURN_CHECK, AMOUNT_CHECK)  # in the check catalogue, made while reading
SKIPPED_NAMES = ("README.md",)


@dataclass(frozen=True)
class FinanceReturns:
    """What the finance returns gave: ``rows`` used (one per block and year, amounts in
    pounds, ``theme`` the register's key), ``problems`` (rows set aside, blocks with no
    row, files that could not be read: one message each) and ``lines``, per file, how
    many data rows were read, used and set aside."""

    rows: pd.DataFrame
    problems: pd.DataFrame
    lines: pd.DataFrame


def _problem(year: str, file: str, row: int, column: str, found: str, what: str,
             expected: str, check_id: str = "") -> dict[str, object]:
    where = f"file {file}" + (f", row {row}" if row else "") + (
        f", column {column}" if column else "")
    shown = f"{column} {found!r} " if column and found else ""
    return {"year": year, "source_file": file, "source_row": row, "column": column,
            "found": found, "message": f"{shown}{what}: expected {expected} ({where})",
            "check_id": check_id, "grade": "FAIL" if check_id else ""}


def _amount(text: str, column: str) -> tuple[float, str, str, str]:
    """An amount as typed, or why it cannot be used (what, expected, and the catalogue's
    check id where it has one: :data:`AMOUNT_CHECK` beyond :data:`MAX_AMOUNT_GBP`)."""
    if not text.strip():
        if column in REQUIRED:
            return float("nan"), "is blank", "an amount in pounds, e.g. 1250000", ""
        return 0.0, "", "", ""
    value = parse_value(text)
    if pd.isna(value):
        return (value, "is not an amount", "an amount in pounds, e.g. 1250000 or £1,250,000",
                "")
    if abs(value) > MAX_AMOUNT_GBP:
        return value, f"is beyond £{MAX_AMOUNT_GBP:,}", (
            f"an amount in pounds of at most £{MAX_AMOUNT_GBP:,} a line (check the figure "
            "and its units: pounds, not pence)"), AMOUNT_CHECK
    if value < 0 and column not in NEGATIVE_ALLOWED:
        return value, "is negative", "an amount of £0 or more", ""
    return value, "", "", ""


def check_finance_rows(records: list[dict[str, str]], year: str, file: str,
                       themes: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """Type one file's rows: the rows used and one problem per row set aside.

    ``records`` hold each data row's cells as text with its ``source_row``. A row is set
    aside for a blank or unknown block, a block given twice (the later row), a required
    amount blank, any amount that is not a number, or a negative amount other than a
    virement. A block of ``themes`` with no row in the file is reported too.
    """
    names = dict(zip(themes["theme"], themes["appendix_name"], strict=True))
    used, problems, seen, named, unnamed = [], [], {}, set(), []
    for record in records:
        row = int(record["source_row"])
        block = record.get("block", "").strip()
        problem, key = None, theme_key(themes, block) if block else None
        if not block:
            problem = _problem(year, file, row, "block", "", "block is blank",
                               "a block (theme) of the register, e.g. "
                               f"{themes['appendix_name'].iloc[0]}")
        else:
            if key is None:
                problem = _problem(year, file, row, "block", block, "is not a block of the "
                                   "register", "one of " + ", ".join(themes["appendix_name"]))
            elif key in seen:
                problem = _problem(year, file, row, "block", block,
                                   f"is given twice (first on row {seen[key]})",
                                   "one row per block")
        amounts = {}
        for column in AMOUNTS:
            if problem:
                break
            amounts[column], what, expected, check = _amount(record.get(column, ""), column)
            if what:
                problem = _problem(year, file, row, column, record.get(column, ""), what,
                                   expected, check)
        if problem:
            problems.append(problem)
            if key is None:
                unnamed.append(len(problems) - 1)
            else:
                named.add(key)
            continue
        seen[key] = row
        used.append({"year": year, "theme": key, "block": names[key],
                     **amounts, "commentary": record.get("commentary", ""),
                     "source_file": file, "source_row": row})
    absent = [t["appendix_name"] for _, t in themes.sort_values("block", kind="stable").iterrows()
              if t["theme"] not in seen and t["theme"] not in named]
    if absent and unnamed:   # a row without a known block may be the absent one: say so there
        for index in unnamed:
            text, at, where = problems[index]["message"].rpartition(" (file ")
            problems[index]["message"] = (f"{text}; no other row names "
                                          f"{', '.join(absent)}{at}{where}")
    else:
        problems += [_problem(year, file, 0, "block", "", f"no row for block {name}",
                              "one row per block of the register (its allocation and spend "
                              "are missing from the totals)") for name in absent]
    return used, problems


def _records(rows: list[list[str]], year: str,
             file: str) -> tuple[list[dict[str, str]], list[dict], int]:
    """The data rows of a sheet as dicts by column, the header's problems, rows read."""
    header_at = max(range(min(len(rows), 20)),
                    key=lambda i: header_score(rows[i], FINANCE_COLUMNS), default=None)
    if header_at is None or header_score(rows[header_at], FINANCE_COLUMNS) < 2:
        return [], [_problem(year, file, 0, "", "", "no header row found",
                             "a header row naming " + ", ".join(FINANCE_COLUMNS))], 0
    header = [normalise_header(c) for c in rows[header_at]]
    missing = [c for c in REQUIRED if c not in header]
    data = [(n, r) for n, r in enumerate(rows[header_at + 1:], start=header_at + 2)
            if any(str(c).strip() for c in r)]
    if missing:
        return [], [_problem(year, file, header_at + 1, ", ".join(missing), "",
                             "required column missing", "a header row naming "
                             + ", ".join(FINANCE_COLUMNS))], len(data)
    records = [{**{h: (str(r[i]) if i < len(r) else "") for i, h in enumerate(header) if h},
                "source_row": str(n)} for n, r in data]
    return records, [], len(data)


def read_finance_returns(data_dir: Path, themes: pd.DataFrame,
                         max_bytes: int = DEFAULT_MAX_BYTES) -> FinanceReturns:
    """Read every finance return in ``<data_dir>/finance/`` (none: empty frames).

    A file whose name is not ``<year>_pooled_fund.csv|xlsx`` or that cannot be read is one
    problem; a file set aside whole (no header, a required column missing) counts its data
    rows as set aside. A later file for a year already read is set aside whole, naming
    the file used (:data:`ONE_RETURN_CHECK`).
    """
    folder = data_dir / FINANCE_FOLDER
    used, problems, lines, first = [], [], [], {}
    paths = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    for path in paths:
        if path.name in SKIPPED_NAMES:
            continue
        name = shown_name(path.name)  # any bytes the file system allows, recordable
        match = FILE_NAME.match(name)
        if not match:
            problems.append(_problem("", name, 0, "", "", "file name not understood",
                                     "<year>_pooled_fund.csv, e.g. 2006-07_pooled_fund.csv"))
            continue
        year = match.group(1)
        try:
            sheets = read_sheets(path, max_bytes, FINANCE_COLUMNS)
        except (Unreadable, OSError) as exc:
            why = os_reason(exc) if isinstance(exc, OSError) else f"file cannot be read ({exc})"
            problems.append(_problem(year, name, 0, "", "", why,
                                     "a CSV or XLSX finance return"))
            continue
        rows = next(iter(sheets.rows.values()), [])
        records, header_problems, read = _records(rows, year, name)
        if not header_problems and year in first:
            header_problems = [_problem(
                year, name, 0, "", "", f"a second finance return for {year}: "
                f"{first[year]} is used and this file's {read} row(s) are set aside",
                f"one finance return per year (keep the current one of {first[year]} and "
                f"{name} in the folder)", ONE_RETURN_CHECK)]
        if not header_problems:
            first.setdefault(year, name)
        mine_used, mine_problems = check_finance_rows(records, year, name, themes) \
            if not header_problems else ([], header_problems)
        used += mine_used
        problems += mine_problems
        lines.append({"year": year, "source_file": name, "rows_read": read,
                      "rows_used": len(mine_used), "rows_set_aside": read - len(mine_used)})
    return FinanceReturns(
        pd.DataFrame(used, columns=ROW_COLUMNS),
        pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
        pd.DataFrame(lines, columns=["year", "source_file", "rows_read", "rows_used",
                                     "rows_set_aside"]))

