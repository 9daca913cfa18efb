"""Storage at the edges: where each clean artefact lives and how it is written and read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.config import Settings

ARTEFACTS = {
    "ingested": "returns_ingested.parquet",
    "file_problems": "file_problems.parquet",
    "returns": "returns.parquet",
    "quarantine": "quarantine.parquet",
    "validation_results": "validation_results.parquet",
    "findings": "validation_findings.parquet",
    "scorecard": "scorecard.parquet",
    "assessment": "assessment.parquet",
    "risk_summary": "risk_summary.parquet",
    "reward_grant": "reward_grant.parquet",
    "red_non_reward": "risk_red_non_reward.parquet",
    "red_reward": "risk_red_reward.parquet",
    "amber_reward": "risk_amber_reward.parquet",
    "headline": "headline.json",
    "previous_assessment": "assessment_previous.parquet",
    "ratings": "ratings.parquet",
    "rag_disagreements": "rag_disagreements.parquet",
    "rag_transitions": "rag_transitions.parquet",
    "rag_movements": "rag_movements.parquet",
    "grant_forecast": "grant_forecast.parquet",
    "district_values": "district_values.parquet",
    "district_coverage": "district_coverage.parquet",
    "district_view": "district_view.parquet",
    "national_ingested": "national_ingested.parquet",
    "national_file_problems": "national_file_problems.parquet",
    "national": "national.parquet",
    "national_quarantine": "national_quarantine.parquet",
    "national_results": "national_validation_results.parquet",
    "benchmark_ranks": "benchmark_ranks.parquet",
    "benchmark": "benchmark.parquet",
    "benchmark_members": "benchmark_members.parquet",
    "benchmark_groups": "benchmark_groups.json",
    "reward_gap": "reward_gap.parquet",
    "improvement_options": "improvement_options.parquet",
    "pooled_fund": "pooled_fund.parquet",
    "finance_problems": "finance_problems.parquet",
    "finance_lines": "finance_lines.parquet",
    "pooled_fund_check": "pooled_fund_check.json",
    "first_agreement_forecast": "first_agreement_forecast.parquet",
    "first_agreement_targets": "first_agreement_targets.parquet",
    "first_agreement": "first_agreement.json",
}


def clean_path(settings: Settings, name: str) -> Path:
    """The path of a named clean artefact; KeyError lists the known names."""
    if name not in ARTEFACTS:
        raise KeyError(f"unknown artefact {name!r}; known: {', '.join(ARTEFACTS)}")
    return settings.clean_dir / ARTEFACTS[name]


def write_frame(settings: Settings, name: str, frame: pd.DataFrame) -> Path:
    """Write a frame as parquet (index kept when it carries names, e.g. themes)."""
    path = clean_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    keep_index = frame.index.name is not None
    frame.to_parquet(path, index=keep_index, engine="pyarrow", compression="zstd")
    return path


def read_frame(settings: Settings, name: str) -> pd.DataFrame:
    """Read a frame written by :func:`write_frame`."""
    return pd.read_parquet(clean_path(settings, name), engine="pyarrow")


def write_json(settings: Settings, name: str, payload: object) -> Path:
    """Write JSON with sorted keys, so equal content gives equal bytes."""
    path = clean_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def read_json(settings: Settings, name: str) -> object:
    """Read JSON written by :func:`write_json`."""
    return json.loads(clean_path(settings, name).read_text(encoding="utf-8"))


REPORT_PATHS = {
    "data_quality": "data-quality",
    "feedback": "data-quality/feedback",
}


def report_path(settings: Settings, name: str) -> Path:
    """A named folder of this meeting's reports (created); KeyError lists the known names."""
    if name not in REPORT_PATHS:
        raise KeyError(f"unknown report path {name!r}; known: {', '.join(REPORT_PATHS)}")
    path = settings.report_dir / REPORT_PATHS[name]
    path.mkdir(parents=True, exist_ok=True)
    return path
