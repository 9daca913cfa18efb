"""The national bench's DuckDB peer does the pipeline's work: on a small synthetic table
with hostile rows, the same rows quarantined and the same intervals, ranks, quartiles,
medians, comparisons and travel for every row (bench/bench_national_duckdb.py)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from pipeline.assess import benchmark
from pipeline.config import find_project_root
from pipeline.inputs.national import read_national
from pipeline.quality.gx import load_suite
from pipeline.quality.national import check_national

ROOT = find_project_root()
sys.path.insert(0, str(ROOT / "bench"))
import bench_national  # noqa: E402
import bench_national_duckdb  # noqa: E402

KEY = ["area_code", "geography", "indicator_id", "period"]
GROUPS = ("england", "region", "type", "neighbours")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("peer")
    bench_national.write_table(folder, 20, 4, 8, 2)
    values = folder / "national" / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    good = lines[5].split(",")
    hostile = [
        ['""', *good[1:]],                                     # blank area code
        [*good[:5], '"2006-7 Q4"', *good[6:]],                 # a period not like 2006-07
        [*good[:7], "inf", *good[8:]],                         # not a finite number
        [*good[:8], "-3", *good[9:]],                          # a negative numerator
        good,                                                  # a repeated key
    ]
    values.write_text("\n".join(lines + [",".join(h) for h in hostile]) + "\n",
                      encoding="utf-8")
    meta = bench_national.indicator_meta(4)
    percent = list(meta.loc[meta["unit"] == "percent", "indicator_id"])
    national = read_national(folder)
    checked = check_national(national.rows, national.file_problems,
                             load_suite(ROOT / "expectations", "national"),
                             list(meta["indicator_id"]), percent_ids=percent)
    neighbours = bench_national.read_national_groups(folder)
    ours = benchmark.benchmark_all_areas(checked.clean, meta, neighbours.iloc[0:0],
                                         neighbours, GROUPS)
    kept: list = []
    figures = bench_national_duckdb.measure(folder, 4, keep=kept)
    return {"lines": len(lines), "checked": checked, "ours": ours, "figures": figures,
            "sql": kept[0]}


def test_the_peer_quarantines_the_rows_the_suite_does(both):
    rows = both["lines"] + np.arange(1, 6)          # the hostile rows' lines in the file
    ours = set(both["checked"].quarantine["source_row"])
    theirs = {r for (r,) in both["sql"].execute(
        "SELECT DISTINCT source_row FROM quarantine"
    ).fetchall()}
    assert ours == theirs == set(rows.tolist())
    assert both["figures"]["rows"] == both["lines"] - 1 + 5


def test_the_peer_benchmarks_every_row_as_the_pipeline_does(both):
    ours = both["ours"]
    theirs = both["sql"].execute("SELECT * FROM result").df()
    merged = ours.merge(theirs, on=KEY, suffixes=("", "_sql"), validate="one_to_one")
    assert len(merged) == len(ours) == len(theirs) > 1000
    differ = {}
    for column in [c for c in ours.columns if c not in KEY]:
        mine, peer = merged[column], merged[f"{column}_sql"]
        if pd.api.types.is_numeric_dtype(mine):
            a, b = mine.to_numpy(float), peer.to_numpy(float)
            bad = ~(np.isclose(a, b, rtol=1e-9, atol=1e-9) | (np.isnan(a) & np.isnan(b)))
        else:
            bad = mine.astype(str).to_numpy() != peer.astype(str).to_numpy()
        if bad.any():
            differ[column] = int(bad.sum())
    assert differ == {}
