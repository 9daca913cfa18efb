"""What a table of the appendix is as data (:class:`AppendixTable`) and how a percentage is
rounded for a spreadsheet cell: shared by the table builders (:mod:`pipeline.report.sheets`,
:mod:`pipeline.report.reward_sheets`, :mod:`pipeline.report.benchmark_sheets`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.figures import round_half_up


def pct_value(value: float, places: int = 1) -> float:
    """A percentage rounded half up as a number for a spreadsheet cell (NaN stays NaN)."""
    return float("nan") if pd.isna(value) else float(round_half_up(value, places))


@dataclass(frozen=True)
class AppendixTable:
    """One table of the appendix as data, for a spreadsheet.

    ``kinds`` says how each column is written: ``text``; ``partner`` (text partners wrote:
    always a string, never a formula); ``count``; ``number``; ``value`` (formatted by the
    row's unit, in the column named by ``unit_column``); ``gbp``; ``pct`` (a figure that is
    already a percentage, e.g. 63.6); ``rag`` (a RAG label, filled with its colour).
    Rows whose ``emphasis_column`` value is in ``emphasis`` are printed bold (totals).
    ``sheet`` is the workbook sheet's name (the title when blank; 31 characters at most).
    ``workbook`` False keeps a table out of the workbook, in its CSV only: the data behind
    a chart, thousands of rows no reader pages through (and slow to format).
    """

    name: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]
    unit_column: str | None = None
    emphasis_column: str | None = None
    emphasis: tuple[str, ...] = ()
    note: str = ""
    sheet: str = ""
    workbook: bool = True
