"""Benchmark: measured timings of the demo run per stage, and of ingest and validation at scale.

Prints ``name=value`` lines (seconds, rows per second and ratios). Goals live here, not in
tests: validation at most 1.5x the same suite run directly by GX on the same data (the
pipeline's validation uses the rules' engine: the columnar evaluator by default; the
suites and the data are the same, so the ratio says what a run pays against bare GX).

Usage: ``.venv/bin/python bench/bench.py [--rows 50000]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root, load_settings
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.register import load_register
from pipeline.quality import checks, cross_checks
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.rules_schema import Rules
from pipeline.run.orchestrate import run_pipeline

HEADER = ["partner", "indicator_id", "period", "geography", "value", "data_status", "lead_rag",
          "commentary", "actions", "submitted_by", "submitted_at"]


def bench_demo_run(out: Path) -> dict[str, float]:
    """Time each stage of ``laa run`` on the demo."""
    settings = load_settings(clean_dir=out / "clean", reports_dir=out / "reports",
                             generated_at="2007-06-30T12:00:00")
    started = time.perf_counter()
    result = run_pipeline(settings, progress=lambda _line: None)
    total = time.perf_counter() - started
    figures = {f"demo_{k}_s": v for k, v in result.seconds.items()}
    figures["demo_total_s"] = total
    # The appendix stage's seconds include rendering its HTML and PDF (demo_render_s), which
    # the run times inside the stage: the stage is the render stage's share, counted once.
    figures["render_share_of_run"] = result.seconds["appendix"] / total
    return figures


def write_synthetic_returns(folder: Path, rows: int, ids: list[str], periods: list[str]) -> None:
    """Write ``rows`` plausible return rows across 20 CSV files."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    per_file = rows // 20
    for number in range(20):
        with (folder / f"partner_{number:02d}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            for _ in range(per_file):
                writer.writerow([f"Partner {number}", rng.choice(ids), rng.choice(periods),
                                 "county", f"{rng.uniform(0, 5000):,.1f}", "final",
                                 rng.choice("GAR"), "Commentary text", "", "Officer",
                                 "2007-05-10T09:00:00"])


def _bare_gx(datasets: list[tuple[pd.DataFrame, dict, dict]]) -> float:
    """The same suites on the same frames, run directly with GX (checkpoints)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    started = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("bare")
    for frame, suite_json, params in datasets:
        suite = context.suites.add(gx.ExpectationSuite(**json.loads(json.dumps(suite_json))))
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=suite.name, validation_definitions=[definition],
            actions=[],
            result_format={"result_format": "COMPLETE",
                           "unexpected_index_column_names": ["row_key"]}))
        data = frame.reset_index(drop=True).assign(row_key=range(len(frame)))
        checkpoint.run(batch_parameters={"dataframe": data}, expectation_parameters=params)
    return time.perf_counter() - started


def bench_scale(rows: int) -> dict[str, float]:
    """Ingest and validate ``rows`` synthetic rows; compare validation with GX run directly."""
    root = find_project_root()
    rules = Rules()
    register = load_register(root / "data" / "raw" / "register")
    params = checks.suite_parameters(register, rules)
    suites = load_suites(root / "expectations")
    period = "2006-07 Q4"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "returns"
        write_synthetic_returns(folder, rows, params["indicator_ids"], params["periods"][:5])
        started = time.perf_counter()
        ingested = ingest_returns(folder)
        ingest_s = time.perf_counter() - started
        _bare_gx([(pd.DataFrame({"a": [1]}), {"name": "warm", "expectations": []}, {})])
        # (import and first-context costs, paid once for both)
        started = time.perf_counter()
        checked = check_returns(ingested.rows, ingested.file_problems, register, suites, period,
                                rules, assess=assess_indicators)
        ours_s = time.perf_counter() - started
        annotated = checks.annotate_returns(ingested.rows, register)
        assessed = assess_indicators(register, checked.clean, period, rules)
        frames = {
            "register": cross_checks.frame_register(register, period),
            "targets": cross_checks.frame_targets(register), "returns": annotated,
            "coverage": cross_checks.frame_coverage(checked.clean, register, period),
            "consistency": cross_checks.frame_consistency(checked.clean, register, period),
            "lead_rating": cross_checks.frame_lead_rating(assessed, checked.clean),
            "plausibility": cross_checks.frame_plausibility(checked.clean, register, period, rules)}
        bare_s = _bare_gx([(frames[n], suites[n], params) for n in frames])
    return {"scale_rows": rows, "ingest_s": ingest_s, "ingest_rows_per_s": rows / ingest_s,
            "validation_s": ours_s, "bare_gx_s": bare_s, "ratio_vs_bare_gx": ours_s / bare_s}


def main() -> None:
    """Run the benchmarks and print one ``name=value`` per line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = bench_demo_run(Path(tmp))
    figures.update(bench_scale(args.rows))
    for name, value in figures.items():
        print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")


if __name__ == "__main__":
    main()
