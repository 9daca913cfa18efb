"""The data-quality pages of a run: the partner scorecard and one feedback file per partner.

The quality stage computes the frames (:mod:`pipeline.quality.scorecard`); this module
writes them as CSV (partner text defused) and as escaped HTML.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.names import unique_slugs
from pipeline.report.export import write_csv
from pipeline.report.pages import render

UNKNOWN_PARTNER = "unknown-partner"


def feedback_files(partners: list[str]) -> dict[str, str]:
    """The file name (no suffix) of each partner's feedback, distinct even for partner names
    that differ only in case or punctuation: ``Leicester City`` -> ``leicester-city``."""
    return unique_slugs(partners, fallback=UNKNOWN_PARTNER)


def write_quality_reports(folder: Path, feedback_folder: Path, scorecard: pd.DataFrame,
                          feedback: dict[str, pd.DataFrame], meeting: str,
                          period: str, tables: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write the scorecard (CSV, HTML), one feedback file per partner (CSV, HTML) and any
    further ``tables`` as ``<name>.csv``."""
    files = feedback_files(list(feedback))
    written = [write_csv(scorecard, folder / "scorecard.csv")]
    written += [write_csv(table, folder / f"{name}.csv") for name, table in (tables or {}).items()]
    page = render("scorecard.html.j2", scorecard=scorecard, feedback=feedback, meeting=meeting,
                  period=period, files=files)
    (folder / "scorecard.html").write_text(page, encoding="utf-8")
    written.append(folder / "scorecard.html")
    for partner, table in feedback.items():
        written.append(write_csv(table, feedback_folder / f"{files[partner]}.csv"))
        html = render("feedback.html.j2", partner=partner, table=table, meeting=meeting,
                      period=period)
        path = feedback_folder / f"{files[partner]}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written
