"""Frames the quality suites run on: returns annotated with derived checks, and cross-row views."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.config import Rules
from pipeline.inputs.register import Register
from pipeline.periods import Period, try_parse_period

LINEAGE = ["partner", "source_file", "source_sha256", "source_sheet", "source_row",
           "source_header"]
INDICATOR_HEADER = ("indicator_id,title,theme,outcome_id,lead_org,lead_officer,polarity,unit,"
                    "accumulation,baseline_value,baseline_period,reward,reward_grant_gbp,"
                    "mandatory")
TARGET_HEADER = "indicator_id,period,target_value,target_status,target_without_stretch"


def agreement_periods(register: Register) -> list[str]:
    """Every financial year with a target, and its four quarters: the periods returns may use."""
    years = sorted({Period(int(p[:4])) for p in register.targets["period"]})
    return [str(Period(y.year, q)) for y in years for q in (1, 2, 3, 4, 5)]


def suite_parameters(register: Register, rules: Rules) -> dict[str, object]:
    """Values the suites take from the register and the rules."""
    return {
        "indicator_ids": sorted(register.indicators["indicator_id"]),
        "periods": agreement_periods(register),
        "geographies": ["county", *register.districts],
        "district_min_pct": 100.0 - rules.district_sum_tolerance_pct,
        "district_max_pct": 100.0 + rules.district_sum_tolerance_pct,
    }


def annotate_returns(rows: pd.DataFrame, register: Register,
                     declared: tuple[str, ...] = ()) -> pd.DataFrame:
    """Returns with the derived columns the returns suite checks (unit, lateness, conflicts).

    ``declared`` extra columns are expected, so not reported as unexpected.
    """
    out = rows.copy()
    if declared:
        out["unexpected_columns"] = out["unexpected_columns"].map(
            lambda text: ", ".join(c for c in text.split(", ") if c and c not in declared))
    units = register.indicators.set_index("indicator_id")["unit"]
    out["unit"] = out["indicator_id"].map(units).fillna("")
    out["value_percent"] = out["value"].where(out["unit"] == "percent")
    out["value_count"] = out["value"].where(out["unit"] == "count")
    out["count_not_whole"] = (out["value_count"].notna()
                              & (out["value_count"] % 1 != 0)).astype(bool)
    deadlines = dict(zip(register.calendar["period"], register.calendar["deadline"],
                         strict=True))
    out["deadline"] = pd.to_datetime(out["period"].map(lambda p: deadlines.get(p, "")),
                                     errors="coerce", format="ISO8601")
    late = (out["submitted_at"].dt.normalize() - out["deadline"]).dt.days
    out["days_late"] = late.astype("float64")
    out["deadline"] = out["deadline"].dt.strftime("%Y-%m-%d").fillna("")
    # A submission is one file: within it, one value per key; across files the later wins.
    key = ["source_file", "indicator_id", "period", "geography", "submitted_at"]
    values = out.groupby(key, dropna=False)["value_text"].transform("nunique")
    out["conflicting"] = (values > 1).astype(bool)
    same = key + ["value_text", "data_status"]
    out["duplicate_row"] = (out.duplicated(same, keep="first") & ~out["conflicting"]).astype(bool)
    out["agreement"] = ", ".join(str(Period(y)) for y in
                                 sorted({int(p[:4]) for p in register.targets["period"]}))
    return out


def _register_lineage(frame: pd.DataFrame, file: str, header: str) -> pd.DataFrame:
    out = frame.copy()
    out["partner"] = "(register)"
    out["source_file"] = file
    out["source_sha256"] = ""
    out["source_sheet"] = ""
    out["source_row"] = np.arange(len(out)) + 2
    out["source_header"] = header
    return out


def frame_register(register: Register, period: str) -> pd.DataFrame:
    """Indicators with the year's target, flagged where a reward target lacks what it needs."""
    year = str(try_parse_period(period).financial_year)
    targets = register.targets[register.targets["period"] == year]
    cols = [c for c in ("indicator_id", "target_value", "target_status",
                        "target_without_stretch") if c in targets]
    out = register.indicators.merge(targets[cols], on="indicator_id", how="left")
    reward = out["reward"].astype(bool)
    out["reward_without_baseline"] = (reward & out["baseline_value"].isna()).astype(bool)
    agreed = out["target_status"].fillna("") == "agreed"
    out["reward_without_target"] = (reward & (out["target_value"].isna() | ~agreed)).astype(bool)
    no_base = (out["target_without_stretch"].isna() if "target_without_stretch" in out
               else pd.Series(True, index=out.index))
    out["reward_without_stretch_base"] = (reward & no_base).astype(bool)
    out["title"] = out["title"].replace("", None)
    out["lead_org"] = out["lead_org"].replace("", None)
    out["reward_grant_gbp"] = out["reward_grant_gbp"].where(reward)
    out["period"] = year
    return _register_lineage(out, "register/indicators.csv", INDICATOR_HEADER)


def frame_targets(register: Register) -> pd.DataFrame:
    """Targets, flagged where an agreed target has no value."""
    out = register.targets.copy()
    out["agreed_without_value"] = ((out["target_status"] == "agreed")
                                   & out["target_value"].isna()).astype(bool)
    return _register_lineage(out, "register/targets.csv", TARGET_HEADER)


def _in_force(clean: pd.DataFrame, period: str, geography: str | None = "county"):
    rows = clean[clean["in_force"].astype(bool) & (clean["period"] == period)]
    return rows if geography is None else rows[rows["geography"] == geography]


def frame_coverage(clean: pd.DataFrame, register: Register, period: str) -> pd.DataFrame:
    """One row per indicator: did a county value (or a not-available declaration) come in?"""
    got = _in_force(clean, period).drop_duplicates("indicator_id").set_index("indicator_id")
    wanted = try_parse_period(period)
    county = clean[clean["in_force"].astype(bool) & (clean["geography"] == "county")]
    parsed = county["period"].map(try_parse_period)
    in_year = county[parsed.map(lambda p: p is not None and p.year == wanted.year)]
    latest = in_year.groupby("indicator_id")["period"].max()
    ind = register.indicators
    out = pd.DataFrame({
        "indicator_id": ind["indicator_id"], "theme": ind["theme"], "partner": ind["lead_org"],
        "period": period, "has_return": ind["indicator_id"].isin(got.index).astype(bool),
        "latest": ind["indicator_id"].map(latest).map(
            lambda p: f"latest in the year: {p}" if isinstance(p, str) else "nothing this year"),
        "value": "", "source_file": "(no return)", "source_sha256": "", "source_sheet": "",
        "source_row": 0, "source_header": ""})
    return out.reset_index(drop=True)


def frame_consistency(clean: pd.DataFrame, register: Register, period: str) -> pd.DataFrame:
    """Count indicators with all districts in: the districts' sum against the county value."""
    rows = _in_force(clean, period, geography=None)
    units = register.indicators.set_index("indicator_id")["unit"]
    rows = rows[rows["indicator_id"].map(units) == "count"]
    county = rows[rows["geography"] == "county"].set_index("indicator_id")
    districts = rows[rows["geography"] != "county"]
    sums = districts.groupby("indicator_id").agg(district_sum=("value", "sum"),
                                                  n_districts=("geography", "nunique"))
    full = sums[sums["n_districts"] == len(register.districts)].join(county, how="inner")
    full = full[full["value"].notna() & (full["value"] != 0)]
    out = full.reset_index()[["indicator_id", "district_sum", "n_districts", "value",
                              "value_text", *LINEAGE]]
    out["county_value"] = out["value"]
    out["district_share_pct"] = out["district_sum"] / out["county_value"] * 100.0
    out["period"] = period
    return out.reset_index(drop=True)


def frame_lead_rating(assessed: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """Assessed indicators with a lead RAG, flagged where the lead and the numbers disagree."""
    lineage = clean.set_index("record_id")[LINEAGE]
    rated = assessed[assessed["lead_rag"].isin(["G", "A", "R"])
                     & assessed["record_id"].isin(lineage.index)]
    out = rated[["indicator_id", "period", "lead_rag", "computed_rag", "off_target_pct",
                 "record_id"]].join(lineage, on="record_id")
    out["lead_rag_text"] = out["lead_rag"]
    out["lead_green_numbers_red"] = ((out["lead_rag"] == "G")
                                     & (out["computed_rag"] == "R")).astype(bool)
    out["lead_red_numbers_green"] = ((out["lead_rag"] == "R")
                                     & (out["computed_rag"] == "G")).astype(bool)
    return out.reset_index(drop=True)


def frame_plausibility(clean: pd.DataFrame, register: Register, period: str,
                       rules: Rules) -> pd.DataFrame:
    """County values of the period against the indicator's previous value.

    Snapshot indicators compare with the latest earlier period; cumulative (year-to-date)
    ones with the same quarter a year earlier. Percentages change in points, other units
    in % of the earlier value.
    """
    county = clean[clean["in_force"].astype(bool) & (clean["geography"] == "county")
                   & clean["value"].notna()].copy()
    county["_p"] = county["period"].map(try_parse_period)
    county = county[county["_p"].notna()]
    info = register.indicators.set_index("indicator_id")[["unit", "accumulation"]]
    current = county[county["period"] == period].drop(columns=["unit", "accumulation"],
                                                       errors="ignore").join(info,
                                                                             on="indicator_id")
    wanted = try_parse_period(period)
    records = []
    for _, row in current.iterrows():
        earlier = county[(county["indicator_id"] == row["indicator_id"])
                         & county["_p"].map(lambda p: p < wanted)]
        if row["accumulation"] == "cumulative":
            earlier = earlier[earlier["_p"] == Period(wanted.year - 1, wanted.quarter)]
        if earlier.empty:
            continue
        prev = earlier.loc[earlier["_p"].idxmax()]
        points = row["unit"] == "percent"
        if points:
            size = abs(row["value"] - prev["value"])
        elif prev["value"] != 0:
            size = abs(row["value"] - prev["value"]) / abs(prev["value"]) * 100.0
        else:
            continue
        records.append({**row[["indicator_id", "period", "value_text", *LINEAGE]].to_dict(),
                        "previous_period": prev["period"], "previous_value": prev["value_text"],
                        "change_size": float(size),
                        "change_threshold": float(rules.plausible_change_points if points
                                                  else rules.plausible_change_pct),
                        "change_measure": " points" if points else "%"})
    columns = ["indicator_id", "period", "value_text", *LINEAGE, "previous_period",
               "previous_value", "change_size", "change_threshold", "change_measure"]
    out = pd.DataFrame(records, columns=columns)
    # One boolean to check: GX renders column-pair failures in an unstable order.
    out["implausible_change"] = (out["change_size"] > out["change_threshold"]).astype(bool)
    return out
