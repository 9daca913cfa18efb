"""Build the data-quality pages from a tiny register and hostile returns, as the validate
notebook does (ingest, the Great Expectations suites, scorecard, feedback, report).

The returns hold values a partner (or an attacker) could type: markup in a geography cell,
an ``<img onerror>`` indicator id, an attribute-breaking value, a formula, and a partner
name that is markup; a workbook adds a negative count on sheet ``Returns``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.quality.scorecard import feedback_by_partner, score_partners
from pipeline.report.quality_pages import Validation, write_quality_reports
from pipeline.rules_schema import Rules
from tests.conftest import make_register

PERIOD, MEETING, STAMP = "2006-07 Q4", "2007-09-03", "2007-06-30T12:00:00"
SCRIPT = "<script>alert(14)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(2)>'
FORMULA = "=HYPERLINK(\"http://example.invalid/\",\"x\")"
PARTNER = "Police <b onmouseover=alert(3)>"
HEADER = ["partner", "indicator_id", "period", "geography", "value", "data_status",
          "lead_rag", "commentary", "actions", "submitted_by", "submitted_at"]
WHEN = "2007-05-10T09:00:00"
CSV_ROWS = [
    ["Police", "7.20", PERIOD, "county", "90", "final", "", "", "", "Jo", WHEN],
    ["Police", "7.20", PERIOD, SCRIPT, "90", "final", "", "", "", "Jo", WHEN],
    ["Police", IMG, PERIOD, "county", "5", "final", "", "", "", "Jo", WHEN],
    ["Police", "7.21", PERIOD, "Melton", SVG, "final", "", "", "", "Jo", WHEN],
    ["Police", "7.21", PERIOD, "Blaby", FORMULA, "final", "", "", "", "Jo", WHEN],
    [PARTNER, "7.21", "2099-00", "county", "7", "final", "", "", "", "Jo", WHEN],
]
XLSX_ROW = ["Police", "7.21", PERIOD, "county", -5, "final", "", "", "", "Jo", WHEN]


def hostile_register():
    """Three indicators (no baselines: the register suite warns on each), 4.1 due but
    never returned (the coverage suite warns)."""
    reg = make_register(
        [{"indicator_id": "7.20", "theme": "safer", "polarity": "lower"},
         {"indicator_id": "7.21", "theme": "safer", "polarity": "lower"},
         {"indicator_id": "4.1", "theme": "health", "polarity": "higher", "unit": "percent"}],
        [{"indicator_id": i, "period": "2006-07", "target_value": "100"}
         for i in ("7.20", "7.21", "4.1")])
    calendar = pd.DataFrame({"period": [PERIOD], "deadline": ["2007-05-15"]})
    return reg.__class__(reg.themes, reg.indicators, reg.targets, reg.districts, calendar)


def write_hostile_returns(folder: Path) -> Path:
    """``police.csv`` and ``police.xlsx`` (sheet ``Returns``) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "police.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *CSV_ROWS])
    book = Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet.append(HEADER)
    sheet.append(XLSX_ROW)
    book.save(folder / "police.xlsx")
    return folder


def build_hostile_quality(root: Path, generated_at: str = STAMP) -> dict[str, object]:
    """Validate the hostile returns and write the data-quality pages to
    ``<root>/published/data-quality`` (feedback in its ``feedback/``), as the notebook does."""
    register = hostile_register()
    suites = load_suites(find_project_root() / "expectations")
    ingested = ingest_returns(write_hostile_returns(root / "returns"))
    checked = check_returns(ingested.rows, ingested.file_problems, register, suites, PERIOD,
                            Rules(), assess=assess_indicators)
    folder = root / "published" / "data-quality"
    feedback = feedback_by_partner(checked.findings, checked.quarantine)
    cards = score_partners(ingested.rows, checked.findings, checked.quarantine,
                           register.indicators, PERIOD)
    validation = Validation(checked.results, checked.findings, checked.quarantine, suites,
                            generated_at)
    written = write_quality_reports(folder, folder / "feedback", cards, feedback, MEETING,
                                    PERIOD, validation=validation)
    return {"checked": checked, "validation": validation, "folder": folder,
            "published": root / "published", "written": written, "feedback": feedback}
