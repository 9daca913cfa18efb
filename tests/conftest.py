"""Shared fixtures: a tiny in-memory register and return rows."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import Rules
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
