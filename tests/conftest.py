"""Shared fixtures: a tiny in-memory register and return rows; both demos' PDFs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import Rules, find_project_root
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import parse_indicators, parse_targets, parse_themes


def make_register(indicators: list[dict], targets: list[dict]) -> Register:
    """A Register from plain dicts (text values, as the CSVs hold them)."""
    themes = parse_themes(pd.DataFrame({
        "theme": ["safer", "health"], "name": ["Safer", "Health"],
        "appendix_name": ["Safer Communities", "Healthier Communities"],
        "block": ["7", "4"], "summary_order": ["2", "1"]}))
    defaults = {"title": "An indicator", "outcome_id": "7.1", "lead_org": "Police",
                "lead_officer": "A N Other", "unit": "count", "baseline_value": "",
                "baseline_period": "", "reward": "no", "reward_grant_gbp": "",
                "mandatory": "no", "accumulation": "snapshot"}
    ind = parse_indicators(pd.DataFrame([{**defaults, **i} for i in indicators]).astype(str),
                           themes)
    columns = ["indicator_id", "period", "target_value", "target_status"]
    tgt = parse_targets(pd.DataFrame([{"target_status": "agreed", **t} for t in targets],
                                     columns=columns).astype(str), ind)
    return Register(themes, ind, tgt, ("Blaby", "Melton"), pd.DataFrame())


def make_rows(rows: list[dict]) -> pd.DataFrame:
    """Clean return rows as the quality stage leaves them (in force, county)."""
    defaults = {"geography": "county", "data_status": "final", "lead_rag": "", "commentary": "",
                "actions": "", "partner": "Police", "submitted_by": "x", "value_text": "",
                "source_file": "f.csv", "source_row": 2, "in_force": True,
                "submitted_at": pd.Timestamp("2007-05-01")}
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame["record_id"] = [f"f.csv||{i + 2}" for i in range(len(frame))]
    frame["value"] = frame["value"].astype("float64")
    return frame


@pytest.fixture
def rules() -> Rules:
    return Rules()


PDF_DEMOS = {"laa1": (["--district", "Melton"], "2007-09-03", "2007-06-30T12:00:00"),
             "laa2": (["--data-dir", "data/raw/laa2", "--period", "2008-09 Q3", "--meeting",
                       "2009-03-09"], "2009-03-09", "2009-03-02T12:00:00")}


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> dict[str, list[Path]]:
    """Run both demos with the README's commands (once a session) and glob the PDFs each
    writes (tests/test_pdf_pages.py, tests/test_pdf_tags.py)."""
    out = {}
    for name, (arguments, meeting, stamp) in PDF_DEMOS.items():
        folder = tmp_path_factory.mktemp(f"pages-{name}")
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "run", *arguments,
             "--clean-dir", str(folder / "clean"), "--reports-dir", str(folder / "reports"),
             "--generated-at", stamp], capture_output=True, text=True, timeout=900,
            cwd=find_project_root())
        assert proc.returncode == 0, proc.stderr[-2000:]
        report = folder / "reports" / meeting
        out[name] = sorted(report.rglob("*.pdf"))
    return out
