"""Benchmark: the national table at national scale, read, checked and benchmarked at once.

Generates a synthetic national table (fixed seed) of about 150 areas x 200 indicators x
12 quarters x 8 geographies (2,880,000 rows, as a CSV of ~230 MB) and times, at 10%, 30%
and 100% of it, in a fresh process each (so the peak memory is that step's own):

1. reading it (:func:`pipeline.inputs.national.read_national`),
2. the ``national`` suite and the quarantine (:func:`pipeline.quality.national.check_national`;
   above 50,000 rows the columnar engine evaluates the same suite),
3. 95% intervals, then rank, quartile, median and comparison of every area in every
   built-in group (England, region, area type, nearest neighbours) and the direction of
   travel against a year earlier and the last review, for all areas at once
   (:func:`pipeline.assess.benchmark.benchmark_all_areas`).

Checks and benchmarking run in chunks of whole indicators (300,000 rows), so time grows
with the rows and memory stays bounded; the engine is pandas on pyarrow (see README).

Goal: 100% in at most 60 s and 4 GiB on 2 cores, time growing linearly (100% at most 11x
10%). The 100% table is then read, checked and benchmarked by the same work written as
plain DuckDB SQL (``bench_national_duckdb.py``, in a fresh process). The last lines are
``national_rows=``, ``national_s=``, ``national_peak_mib=``, ``national_growth=``,
``duckdb_s=``, ``duckdb_peak_mib=`` and ``ratio_national_vs_duckdb=`` (the pipeline's
time over DuckDB's; goal at most 1.0).

Usage: ``.venv/bin/python bench/bench_national.py [--areas 150 --indicators 200
--quarters 12 --geographies 8] [--folder DIR]``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))
from bench_national_duckdb import figures_line, run_child, table_parser  # noqa: E402  (the peer, beside this file)

SEED = 15
SCALES = (0.1, 0.3, 1.0)
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands",
           "West Midlands", "East of England", "London", "South East", "South West")
TYPES = ("county", "unitary", "metropolitan district", "london borough")
UNITS = ("percent", "rate", "count", "score")


def quarters(count: int, first_year: int = 2005) -> list[str]:
    """``count`` quarters from Q1 of ``first_year``-``first_year+1``."""
    out = []
    for i in range(count):
        year, q = first_year + i // 4, i % 4 + 1
        out.append(f"{year}-{(year + 1) % 100:02d} Q{q}")
    return out


def indicator_meta(indicators: int):
    """Synthetic indicators: id, polarity (alternating), unit (cycling)."""
    import pandas as pd

    ids = [f"N{i:03d}" for i in range(indicators)]
    return pd.DataFrame({"indicator_id": ids,
                         "polarity": ["higher" if i % 2 == 0 else "lower"
                                      for i in range(indicators)],
                         "unit": [UNITS[i % len(UNITS)] for i in range(indicators)]})


def write_table(folder: Path, areas: int, indicators: int, periods: int,
                geographies: int) -> int:
    """Write ``values.csv``, ``neighbours.csv`` and ``area.toml`` into ``folder/national``."""
    rng = np.random.default_rng(SEED)
    national = folder / "national"
    national.mkdir(parents=True, exist_ok=True)
    codes = np.array([f"E{10000000 + i:08d}" for i in range(areas)], dtype=object)
    names = np.array([f"Area {i}" for i in range(areas)], dtype=object)
    region = np.array([REGIONS[i % len(REGIONS)] for i in range(areas)], dtype=object)
    kind = np.array([TYPES[i % len(TYPES)] for i in range(areas)], dtype=object)
    ids = np.array([f"N{i:03d}" for i in range(indicators)], dtype=object)
    units = np.array([UNITS[i % len(UNITS)] for i in range(indicators)], dtype=object)
    period_names = np.array(quarters(periods), dtype=object)
    geo = np.array(["upper tier"] + [f"breakdown {g}" for g in range(1, geographies)],
                   dtype=object)
    shape = (geographies, indicators, periods, areas)
    g, i, p, a = (x.ravel() for x in np.indices(shape))
    n = g.size
    denominator = rng.integers(2_000, 200_000, size=n).astype("float64")
    share = np.clip(rng.normal(0.3 + 0.4 * (i % 7) / 7, 0.05, size=n), 0.01, 0.99)
    numerator = np.round(denominator * share)
    unit = units[i]
    value = np.where(unit == "percent", np.round(100 * numerator / denominator, 1),
                     np.where(unit == "rate", np.round(1000 * numerator / denominator, 2),
                              np.where(unit == "count", numerator,
                                       np.round(rng.normal(50, 10, size=n), 1))))
    keep_fraction = np.isin(unit, ["percent", "rate"])
    table = pa.table({
        "area_code": codes[a], "area_name": names[a], "area_type": kind[a],
        "region": region[a], "indicator_id": ids[i], "period": period_names[p],
        "geography": geo[g], "value": value,
        "numerator": pa.array(np.where(keep_fraction | (unit == "count"), numerator, np.nan),
                              from_pandas=True),
        "denominator": pa.array(np.where(keep_fraction, denominator, np.nan),
                                from_pandas=True)})
    pacsv.write_csv(table, national / "values.csv")
    neighbours = ["area_code,neighbour_code,rank"]
    for x in range(areas):
        near = rng.choice(np.delete(np.arange(areas), x), size=min(15, areas - 1),
                          replace=False)
        neighbours += [f"{codes[x]},{codes[y]},{r + 1}" for r, y in enumerate(near)]
    (national / "neighbours.csv").write_text("\n".join(neighbours) + "\n", encoding="utf-8")
    (national / "area.toml").write_text(f'area_code = "{codes[0]}"\n', encoding="utf-8")
    return n


def measure(folder: Path, indicators: int) -> dict[str, float]:
    """Ingest, check and benchmark every area of ``folder``'s table (in this process)."""
    from pipeline.assess import benchmark
    from pipeline.config import find_project_root
    from pipeline.inputs.national import read_national
    from pipeline.quality.gx import load_suite
    from pipeline.quality.national import check_national

    meta = indicator_meta(indicators)
    suite = load_suite(find_project_root() / "expectations", "national")
    started = time.perf_counter()
    national = read_national(folder)
    read_s = time.perf_counter() - started
    checked = check_national(national.rows, national.file_problems, suite,
                             list(meta["indicator_id"]))
    del national
    check_s = time.perf_counter() - started - read_s
    neighbours = read_national_groups(folder)
    result = benchmark.benchmark_all_areas(checked.clean, meta, neighbours.iloc[0:0],
                                           neighbours, ("england", "region", "type",
                                                        "neighbours"))
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"rows": len(checked.clean) + len(checked.quarantine), "read_s": read_s,
            "check_s": check_s, "benchmark_s": total - read_s - check_s, "total_s": total,
            "peak_mib": peak, "engine": checked.engine,
            "ranked": int(sum((result[f"{g}_rank"] > 0).sum()
                              for g in ("england", "region", "type", "neighbours"))),
            "benchmarked_rows": len(result)}


def read_national_groups(folder: Path):
    from pipeline.inputs.national import read_groups
    from pipeline.inputs.national_files import national_dir

    return read_groups(national_dir(folder))[1]


def main() -> None:
    parser = table_parser(__doc__.splitlines()[0])
    parser.add_argument("--no-duckdb", action="store_true",
                        help="leave out the DuckDB peer (bench_national_duckdb.py)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.indicators)))
        return
    with tempfile.TemporaryDirectory(dir=args.folder or None) as tmp:
        figures = {}
        for scale in SCALES:
            folder = Path(tmp) / f"scale-{scale}"
            indicators = max(1, round(args.indicators * scale))
            started = time.perf_counter()
            rows = write_table(folder, args.areas, indicators, args.quarters,
                               args.geographies)
            print(f"scale {scale:.0%}: {rows:,} rows written in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            done = subprocess.run([sys.executable, __file__, "--child", str(folder),
                                   "--indicators", str(indicators)],
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            figures[scale] = result
            print(f"scale {scale:.0%}: " + figures_line(result), flush=True)
            if scale == SCALES[-1] and not args.no_duckdb:
                peer = run_child(folder, indicators)
                figures["duckdb"] = peer
                print("duckdb: " + figures_line(peer), flush=True)
    full, tenth = figures[1.0], figures[0.1]
    print(f"national_rows={full['rows']}")
    print(f"national_s={full['total_s']:.2f}")
    print(f"national_peak_mib={full['peak_mib']:.0f}")
    print(f"national_growth={full['total_s'] / tenth['total_s']:.2f}")
    if "duckdb" in figures:
        peer = figures["duckdb"]
        print(f"duckdb_s={peer['total_s']:.2f}")
        print(f"duckdb_peak_mib={peer['peak_mib']:.0f}")
        print(f"ratio_national_vs_duckdb={full['total_s'] / peer['total_s']:.2f}")


if __name__ == "__main__":
    main()
