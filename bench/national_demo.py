"""Write the demo's ILLUSTRATIVE national table: data/raw/national/ (fixed seed, same bytes).

The demo partnership (Leicestershire, ONS code E10000018, a shire county of the East
Midlands) takes its values from its own returns: the county value in force for each
percentage and rate indicator at 2006-07 Q2 and Q4, and its baseline (a 2005-06 figure)
as 2005-06 Q4. Every other area, its name, code, type and region, every other value,
numerator and denominator, the nearest-neighbour list and the named group are MADE UP:
150 upper-tier areas (34 counties, 47 unitaries, 36 metropolitan districts, 33 London
boroughs, as in 2007), with values spread around the partnership's. Counts, scores and
money are left out: raw counts of areas of different sizes do not compare.

Usage: ``.venv/bin/python bench/national_demo.py [--data-dir data/raw]`` (rewrites
``<data-dir>/national/``; the demo's copy is checked in).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.register import load_register

SEED = 2007
OUR_CODE, OUR_NAME = "E10000018", "Leicestershire"
PERIODS = ("2005-06 Q4", "2006-07 Q2", "2006-07 Q4")
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands",
           "West Midlands", "East of England", "London", "South East", "South West")
TYPES = (("county", 34), ("unitary", 47), ("metropolitan district", 36),
         ("london borough", 33))
SOURCE = ("ILLUSTRATIVE figures made up by bench/national_demo.py (seed 2007), except "
          "Leicestershire's, which are its own returns; not real national statistics.")


def make_areas(rng: np.random.Generator) -> pd.DataFrame:
    """150 made-up upper-tier areas (ours first), with a region, a type and a size."""
    rows = [{"area_code": OUR_CODE, "area_name": OUR_NAME, "area_type": "county",
             "region": "East Midlands", "size": 1.0}]
    number = 0
    for kind, count in TYPES:
        for i in range(count - (1 if kind == "county" else 0)):
            number += 1
            region = "London" if kind == "london borough" else \
                REGIONS[int(rng.integers(0, len(REGIONS)))]
            if region == "London" and kind != "london borough":
                region = "South East"
            rows.append({"area_code": f"E9{number:07d}",
                         "area_name": f"Illustrative {kind.title()} {i + 1:02d}",
                         "area_type": kind, "region": region,
                         "size": float(np.exp(rng.normal(-0.5, 0.5)))})
    return pd.DataFrame(rows)


def our_values(data_dir: Path) -> pd.DataFrame:
    """The partnership's county values of percentage and rate indicators, per period."""
    reg = load_register(data_dir / "register")
    rows = ingest_returns(data_dir / "returns").rows
    rows = rows[(rows["geography"] == "county") & rows["value"].notna()
                & (rows["read_problem"] == "") & (rows["value_problem"] == "")]
    rows = rows.sort_values("submitted_at", kind="stable").drop_duplicates(
        ["indicator_id", "period"], keep="last")
    meta = reg.indicators[reg.indicators["unit"].isin(["percent", "rate"])]
    now = rows[rows["period"].isin(PERIODS[1:])][["indicator_id", "period", "value"]]
    base = meta[meta["baseline_period"] == "2005-06"][["indicator_id", "baseline_value"]]
    base = base.rename(columns={"baseline_value": "value"}).assign(period=PERIODS[0])
    out = pd.concat([now, base], ignore_index=True).merge(
        meta[["indicator_id", "unit", "polarity"]], on="indicator_id")
    shown = set(out.loc[out["period"] == PERIODS[-1], "indicator_id"])
    out = out[out["indicator_id"].isin(shown) & out["value"].notna()]
    return out.sort_values(["indicator_id", "period"], kind="stable").reset_index(drop=True)


def make_values(ours: pd.DataFrame, areas: pd.DataFrame,
                rng: np.random.Generator) -> pd.DataFrame:
    """Every area's value, numerator and denominator around the partnership's."""
    out = []
    # each indicator's national centre is shifted from ours, so that ours lands in any
    # quartile (the same shift for every period of the indicator)
    shift = {i: float(rng.normal(0, 0.12)) for i in sorted(set(ours["indicator_id"]))}
    for (indicator, period), row in ours.set_index(["indicator_id", "period"]).iterrows():
        unit, value = row["unit"], float(row["value"])
        centre = value * (1 + shift[indicator])
        for _, area in areas.iterrows():
            population = round(12_000 * area["size"] * (1 if unit == "percent" else 40))
            if area["area_code"] == OUR_CODE:
                den = 12_000 if unit == "percent" else 480_000
                v = value
                num = round(v / 100 * den) if unit == "percent" else round(v * den / 1000)
            else:
                den = max(population, 500)
                if unit == "percent":
                    p = float(np.clip(centre + rng.normal(0, max(2.5, value * 0.12)), 0.5,
                                      99.5))
                    num = round(p / 100 * den)
                    v = round(100 * num / den, 1)
                else:
                    r = max(centre * float(np.exp(rng.normal(0, 0.2))), 0.05)
                    num = round(r * den / 1000)
                    v = round(1000 * num / den, 2)
            out.append({"area_code": area["area_code"], "area_name": area["area_name"],
                        "area_type": area["area_type"], "region": area["region"],
                        "indicator_id": indicator, "period": period, "value": v,
                        "numerator": int(num), "denominator": int(den)})
    return pd.DataFrame(out)


def make_neighbours(areas: pd.DataFrame) -> pd.DataFrame:
    """Each area's 15 nearest of the same type by size: an illustrative stand-in for a
    CIPFA nearest-neighbour list (a licensed product the user brings)."""
    rows = []
    for _, area in areas.iterrows():
        same = areas[(areas["area_type"] == area["area_type"])
                     & (areas["area_code"] != area["area_code"])]
        near = same.assign(d=(same["size"] - area["size"]).abs()).sort_values(
            ["d", "area_code"], kind="stable").head(15)
        rows += [{"area_code": area["area_code"], "neighbour_code": code, "rank": i + 1}
                 for i, code in enumerate(near["area_code"])]
    return pd.DataFrame(rows)


def write_demo(data_dir: Path) -> Path:
    """Write ``values.csv``, ``neighbours.csv``, ``groups.csv`` and ``area.toml``."""
    rng = np.random.default_rng(SEED)
    areas = make_areas(rng)
    values = make_values(our_values(data_dir), areas, rng)
    folder = data_dir / "national"
    folder.mkdir(parents=True, exist_ok=True)
    values.to_csv(folder / "values.csv", index=False, lineterminator="\n",
                  quoting=csv.QUOTE_MINIMAL)
    make_neighbours(areas).to_csv(folder / "neighbours.csv", index=False, lineterminator="\n")
    counties = areas[(areas["area_type"] == "county")
                     & (areas["region"].isin(["East Midlands", "West Midlands"]))]
    pd.DataFrame({"group": "midlands_counties", "area_code": counties["area_code"]}).to_csv(
        folder / "groups.csv", index=False, lineterminator="\n")
    (folder / "area.toml").write_text(
        "# The partnership's area in the national table, and where its figures come from.\n"
        f'area_code = "{OUR_CODE}"\nsource = "{SOURCE}"\n', encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/raw")
    args = parser.parse_args()
    folder = Path(args.data_dir)
    folder = folder if folder.is_absolute() else find_project_root() / folder
    print(f"wrote {write_demo(folder)}")


if __name__ == "__main__":
    main()
