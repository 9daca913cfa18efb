"""The cross-row views the quality suites run on, one frame per suite: the register's
indicators and targets, and over the rows in force of a period the certification of each
file, coverage, district consistency, the lead's rating, commentary, and plausibility
(the change from the previous value, and the range a history makes plausible).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.inputs.register import Register
from pipeline.inputs.sheets import number_text
from pipeline.periods import Period, try_parse_period
from pipeline.rules_schema import Rules

LINEAGE = ["partner", "source_file", "source_sha256", "source_sheet", "source_row",
           "source_header"]
INDICATOR_HEADER = ("indicator_id,title,theme,outcome_id,lead_org,lead_officer,polarity,unit,"
                    "accumulation,baseline_value,baseline_period,reward,reward_grant_gbp,"
                    "mandatory")
TARGET_HEADER = "indicator_id,period,target_value,target_status,target_without_stretch"


def frame_certification(rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per file and sheet with rows for ``period``: the certifying officer and the
    date certified as given (blank when not), with the cells they were read from."""
    mine = rows[rows["period"] == period]
    columns = ["partner", "source_file", "source_sha256", "source_sheet", "certified_by",
               "certified_by_cell", "certified_on", "certified_on_cell", "template"]
    if mine.empty:
        return pd.DataFrame(columns=columns + ["source_row", "source_header", "period"])
    named = mine.assign(partner=mine["partner"].where(mine["partner"] != "",
                                                      mine.get("file_partner", "")))
    taken = [c for c in columns if c not in ("source_file", "source_sheet")]
    out = (named.sort_values("partner", ascending=False, kind="stable")
           .groupby(["source_file", "source_sheet"], sort=True)[taken].first().reset_index())
    out["source_row"] = 0
    out["source_header"] = ""
    out["period"] = period
    return out[columns + ["source_row", "source_header", "period"]].reset_index(drop=True)


def frame_commentary(assessed: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """Indicators rated red or amber (final rating) with a return: is its commentary blank?"""
    lineage = clean.set_index("record_id")[LINEAGE]
    rated = assessed[assessed["final_rag"].isin(["A", "R"])
                     & assessed["record_id"].isin(lineage.index)]
    out = rated[["indicator_id", "period", "final_rag", "commentary", "record_id"]].join(
        lineage, on="record_id")
    out["rating"] = out["final_rag"].map({"A": "amber", "R": "red"})
    out["commentary_missing"] = (out["commentary"].fillna("").str.strip() == "").astype(bool)
    return out.reset_index(drop=True)


def _county_values(clean: pd.DataFrame, period: str
                   ) -> tuple[list[dict], dict[str, list[dict]]]:
    """The county values in force of ``period``, as records (``_p``: the parsed period),
    and each indicator's of the periods before it, by indicator id (in file order).
    Records, not frames: the checks look at a few rows per indicator; of the columns they
    read (value, lineage, confirmation), not every column of the returns."""
    wanted = try_parse_period(period)
    read = [c for c in ("indicator_id", "period", "value", "value_text", *LINEAGE,
                        "confirmation") if c in clean]           # what the checks read
    county = clean.loc[clean["in_force"].astype(bool) & (clean["geography"] == "county")
                       & clean["value"].notna(), read]
    county = county.assign(_p=county["period"].map(try_parse_period))
    county = county[county["_p"].notna()]
    current, earlier_by_id = [], {}
    for row in county.to_dict("records"):
        if row["period"] == period:
            current.append(row)
        elif row["_p"] < wanted:
            earlier_by_id.setdefault(row["indicator_id"], []).append(row)
    return current, earlier_by_id


def _history(earlier: list[dict], indicator: dict, wanted: Period
             ) -> list[tuple[str, float]]:
    """Earlier values of one indicator like the one at ``wanted``, with the baseline
    (``earlier``: the indicator's county values of periods before ``wanted``)."""
    cumulative = indicator["accumulation"] == "cumulative"
    year_end = wanted.quarter >= 4
    if cumulative:   # year-to-date counts: the same point of earlier years only
        earlier = [r for r in earlier if r["_p"].quarter == wanted.quarter
                   or (year_end and r["_p"].quarter >= 4)]
    values = [(r["period"], r["value"]) for r in earlier]
    baseline = indicator["baseline_value"]
    if pd.notna(baseline) and (year_end or not cumulative):
        values.append((f"{indicator['baseline_period']} baseline", float(baseline)))
    return values


def describe_history(history: list[tuple[str, float]], shown: int = 4) -> str:
    """``2004-05 baseline 8; 2006-07 Q2 11`` (the latest ``shown`` values, in order)."""
    ordered = sorted(history, key=lambda h: try_parse_period(h[0].removesuffix(" baseline"))
                     or Period(0))
    words = [f"{label} {number_text(value)}" for label, value in ordered[-shown:]]
    more = len(ordered) - len(words)
    return (f"{more} earlier value(s), then " if more else "") + "; ".join(words)


def soft_range(values: list[float], unit: str, rules: Rules) -> tuple[float, float]:
    """The range a history makes plausible: its lowest and highest values widened by
    ``soft_range_margin_points`` (percentages) or by ``soft_range_margin_pct`` % of the
    larger of the two magnitudes (other units); a percentage stays within 0-100 and a
    count, rate or sum of money does not go below 0 unless the history does."""
    low, high = min(values), max(values)
    if unit == "percent":
        margin = rules.soft_range_margin_points
        return max(0.0, low - margin), min(100.0, high + margin)
    margin = rules.soft_range_margin_pct / 100.0 * (max(abs(low), abs(high)) or 1.0)
    floor = 0.0 if low >= 0 else -np.inf
    return max(floor, low - margin), high + margin


def frame_soft_range(clean: pd.DataFrame, register: Register, period: str,
                     rules: Rules) -> pd.DataFrame:
    """County values of ``period`` against the range their history makes plausible.

    History: the indicator's earlier county values in force (for a year-to-date count, the
    same quarter of earlier years, and at the year end the whole years) and its baseline
    (for a year-to-date count, at the year end only). With fewer than
    ``soft_range_min_history`` values there is no range. See :func:`soft_range`. A row with
    a note in its ``confirmation`` column is confirmed and not flagged.
    """
    wanted = try_parse_period(period)
    current, earlier_by_id = _county_values(clean, period)
    info = register.indicators.set_index("indicator_id").to_dict("index")
    shown = ["indicator_id", "period", "value", "value_text", *LINEAGE]
    records = []
    for row in current:
        indicator = info.get(row["indicator_id"])
        if indicator is None:
            continue
        history = _history(earlier_by_id.get(row["indicator_id"], []), indicator, wanted)
        if len(history) < rules.soft_range_min_history:
            continue
        low, high = soft_range([v for _, v in history], indicator["unit"], rules)
        confirmed = str(row.get("confirmation", "") or "").strip()
        records.append({
            **{column: row[column] for column in shown},
            "range_low": number_text(round(low, 6)), "range_high": number_text(round(high, 6)),
            "history": describe_history(history),
            "confirmation": confirmed,
            "outside_range": bool((row["value"] < low or row["value"] > high) and not confirmed)})
    columns = ["indicator_id", "period", "value", "value_text", *LINEAGE, "range_low",
               "range_high", "history", "confirmation", "outside_range"]
    out = pd.DataFrame(records, columns=columns)
    out["outside_range"] = out["outside_range"].astype(bool)
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
    in_year = county[parsed.map(lambda p: p is not None and p.year == wanted.year).astype(bool)]
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
    wanted = try_parse_period(period)
    current, earlier_by_id = _county_values(clean, period)
    info = register.indicators.set_index("indicator_id")[["unit", "accumulation"]] \
        .to_dict("index")
    shown = ["indicator_id", "period", "value_text", *LINEAGE]
    records = []
    for row in current:
        indicator = info.get(row["indicator_id"], {"unit": np.nan, "accumulation": np.nan})
        earlier = earlier_by_id.get(row["indicator_id"], [])
        if indicator["accumulation"] == "cumulative":
            earlier = [r for r in earlier if r["_p"] == Period(wanted.year - 1, wanted.quarter)]
        if not earlier:
            continue
        prev = max(earlier, key=lambda r: r["_p"])   # the first of the latest, as idxmax
        points = indicator["unit"] == "percent"
        if points:
            size = abs(row["value"] - prev["value"])
        elif prev["value"] != 0:
            size = abs(row["value"] - prev["value"]) / abs(prev["value"]) * 100.0
        else:
            continue
        records.append({**{column: row[column] for column in shown},
                        "confirmed": str(row.get("confirmation", "") or "").strip() != "",
                        "previous_period": prev["period"], "previous_value": prev["value_text"],
                        "change_size": float(size),
                        "change_threshold": float(rules.plausible_change_points if points
                                                  else rules.plausible_change_pct),
                        "change_measure": " points" if points else "%"})
    columns = ["indicator_id", "period", "value_text", *LINEAGE, "confirmed", "previous_period",
               "previous_value", "change_size", "change_threshold", "change_measure"]
    out = pd.DataFrame(records, columns=columns)
    # One boolean to check: GX renders column-pair failures in an unstable order. A value
    # the partner confirmed (the confirmation column) is not flagged again.
    out["implausible_change"] = ((out["change_size"] > out["change_threshold"])
                                 & ~out["confirmed"].astype(bool)).astype(bool)
    return out
