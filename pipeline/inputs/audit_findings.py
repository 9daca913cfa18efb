"""The auditor's findings: what an auditor concluded about each figure spot-checked.

``register/audit_findings.csv``, or ``register/audit_findings.xlsx`` (the audit workbook of
``laa audit`` filled in and saved as it is: its ``Findings`` sheet, header row within the
first rows, the context columns to the right of the six ignored). Optional: absent, there
are no findings. One row per indicator and period; a row whose finding is blank is one the
auditor has not filled in, and is skipped. A bad row stops the run as a bad register file
does (exit 3), naming the file, sheet, row, column and cell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.errors import RegisterError
from pipeline.inputs.readers import read_sheets
from pipeline.inputs.sheets import HEADER_ROWS, Unreadable, cell_name, normalise_header
from pipeline.periods import normalise_period

FINDINGS = ("accepted", "qualified", "reserved", "not checked")
CHECKED = ("accepted", "qualified", "reserved")      # the auditor traced the figure
MARKED = ("qualified", "reserved")                  # printed beside the figure itself
SHEET = "Findings"                                  # the audit workbook's sheet
NAMES = ("audit_findings.csv", "audit_findings.xlsx")
MAX_BYTES = 25_000_000
COLUMNS = ("indicator_id", "period", "finding", "note", "auditor", "date", "source_row")

HEADER = ("indicator", "period", "finding", "note", "auditor", "date")   # the contract
REQUIRED = HEADER[:3]


def find_findings_file(register_dir: Path) -> Path | None:
    """The findings file of ``register_dir`` (CSV or XLSX), or None when there is none.

    Raises
    ------
    RegisterError
        When both are there: which one holds the findings would be a guess.
    """
    found = [register_dir / name for name in NAMES if (register_dir / name).is_file()]
    if len(found) > 1:
        raise RegisterError("two findings files: keep audit_findings.csv or "
                            "audit_findings.xlsx, not both", file=NAMES[1])
    return found[0] if found else None


def _choose_sheet(rows: dict[str, list[list[str]]], file: str) -> str:
    if SHEET in rows:
        return SHEET
    if len(rows) == 1:
        return next(iter(rows))
    raise RegisterError(f"no sheet named {SHEET!r}: expected the audit workbook's "
                        f"{SHEET} sheet; found " + ", ".join(map(repr, rows)), file=file)


def _header(rows: list[list[str]], file: str, sheet: str) -> tuple[int, dict[str, int]]:
    """The header's row number and each known column's index in it."""
    required = set(REQUIRED)
    for number, cells in enumerate(rows[:HEADER_ROWS], start=1):
        names = [normalise_header(c) for c in cells]
        at = {n: i for i, n in reversed(list(enumerate(names))) if n in HEADER}
        if required <= set(at):
            return number, at
    raise RegisterError(f"no header row naming {', '.join(REQUIRED)} "
                        f"in the first {HEADER_ROWS} rows", file=file, sheet=sheet)


def _date_text(text: str, numeric: bool = False) -> str | None:
    """``YYYY-MM-DD`` for a date as written or as an Excel date cell reads (a date-formatted
    cell, or a number cell holding Excel's serial day); None if not."""
    if numeric and _as_number(text) is not None and 0 < float(text) < 2_958_466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(float(text)).date().isoformat()
    for form in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def _resolve_id(text: str, numeric: bool, known: list[str]) -> str | None:
    """The register's id for ``text``; a number cell (``7.2`` for ``7.20``) matches the one
    id equal to it as a number."""
    if text in known:
        return text
    if numeric:
        matches = [k for k in known if _as_number(k) == _as_number(text)]
        if len(matches) == 1:
            return matches[0]
    return None


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_findings(rows: list[list[str]], numeric: frozenset[tuple[int, int]],
                   indicator_ids: list[str], file: str, sheet: str = "") -> pd.DataFrame:
    """Check and type the findings of one sheet of text rows (pure).

    Returns one row per finding (``indicator_id``, ``period``, ``finding``, ``note``,
    ``auditor``, ``date`` as ``YYYY-MM-DD`` or blank, ``source_row``), in the file's order.

    Raises
    ------
    RegisterError
        Naming file, sheet, row, column and cell of the first bad value: an unknown
        indicator, a period or date that is not one, a finding not in :data:`FINDINGS`, a
        second finding for the same indicator and period.
    """
    header, at = _header(rows, file, sheet)
    out: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(rows[header:], start=header + 1):
        def cell(name: str, cells: list[str] = cells) -> str:
            i = at.get(name)
            return str(cells[i]).strip() if i is not None and i < len(cells) else ""

        def refuse(message: str, name: str, number: int = number) -> RegisterError:
            return RegisterError(message, file=file, sheet=sheet, row=number, column=name,
                                 cell=cell_name(at[name] + 1, number))

        finding = " ".join(cell("finding").lower().split())
        if not finding:
            continue
        if finding not in FINDINGS:
            raise refuse(f"finding {cell('finding')!r} is not one of " + ", ".join(FINDINGS),
                         "finding")
        indicator = _resolve_id(cell("indicator"), (number, at["indicator"]) in numeric,
                                indicator_ids)
        if indicator is None:
            raise refuse(f"unknown indicator {cell('indicator')!r}: expected an indicator "
                         "of indicators.csv", "indicator")
        period = normalise_period(cell("period"))
        if period is None:
            raise refuse(f"period {cell('period')!r} is not a financial year or quarter "
                         "(e.g. 2006-07 or 2006-07 Q4)", "period")
        date = (_date_text(cell("date"), (number, at["date"]) in numeric) if cell("date")
                else "") if "date" in at else ""
        if date is None:
            raise refuse(f"date {cell('date')!r} is not a date (YYYY-MM-DD)", "date")
        if (indicator, period) in seen:
            raise refuse(f"a second finding for {indicator} in {period} (the first is on row "
                         f"{seen[indicator, period]})", "indicator")
        seen[indicator, period] = number
        out.append({"indicator_id": indicator, "period": period, "finding": finding,
                    "note": cell("note"), "auditor": cell("auditor"), "date": date,
                    "source_row": number})
    return pd.DataFrame(out, columns=list(COLUMNS))


def read_audit_findings(register_dir: Path, indicator_ids: list[str]) -> pd.DataFrame | None:
    """The auditor's findings of ``register_dir`` (see :func:`parse_findings`); None when
    there is no findings file or it has no finding filled in.

    Raises
    ------
    RegisterError
        For a file that cannot be read or a bad row, naming where.
    """
    path = find_findings_file(register_dir)
    if path is None:
        return None
    try:
        sheets = read_sheets(path, MAX_BYTES, HEADER)
    except (Unreadable, OSError) as exc:
        raise RegisterError(f"register file cannot be read: {exc}", file=path.name) from exc
    sheet = _choose_sheet(sheets.rows, path.name)
    notes = sheets.notes.get(sheet)
    findings = parse_findings(sheets.rows[sheet], notes.numeric if notes else frozenset(),
                              list(indicator_ids), path.name,
                              sheet if path.suffix == ".xlsx" else "")
    return None if findings.empty else findings
