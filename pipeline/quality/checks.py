"""Frames the quality suites run on: returns annotated with derived checks, and cross-row views."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipeline.config import Rules
from pipeline.inputs.ingest import BLOCK_COLUMNS, READ_DEFAULTS
from pipeline.inputs.readers import number_text
from pipeline.inputs.register import Register
from pipeline.names import id_sort_key
from pipeline.periods import Period, normalise_period, try_parse_period
from pipeline.quality.partner_checks import annotate_partners

LINEAGE = ["partner", "source_file", "source_sha256", "source_sheet", "source_row",
           "source_header"]
INDICATOR_HEADER = ("indicator_id,title,theme,outcome_id,lead_org,lead_officer,polarity,unit,"
                    "accumulation,baseline_value,baseline_period,reward,reward_grant_gbp,"
                    "mandatory")
TARGET_HEADER = "indicator_id,period,target_value,target_status,target_without_stretch"
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def agreement_periods(register: Register) -> list[str]:
    """Every financial year with a target, and its four quarters: the periods returns may use."""
    years = sorted({Period(int(p[:4])) for p in register.targets["period"]})
    return [str(Period(y.year, q)) for y in years for q in (1, 2, 3, 4, 5)]


def suite_parameters(register: Register, rules: Rules) -> dict[str, object]:
    """Values the suites take from the register and the rules."""
    return {
        "indicator_ids": sorted(register.indicators["indicator_id"], key=id_sort_key),
        "periods": agreement_periods(register),
        "geographies": ["county", *register.districts],
        "district_min_pct": 100.0 - rules.district_sum_tolerance_pct,
        "district_max_pct": 100.0 + rules.district_sum_tolerance_pct,
    }


def run_stamp(run_time: str | None) -> pd.Timestamp:
    """The run's generated-at stamp as a naive UTC time (now, if none or unreadable)."""
    try:
        stamp = pd.Timestamp(run_time) if run_time else None
    except ValueError:
        stamp = None
    if stamp is None:
        stamp = pd.Timestamp.now(tz="UTC")
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def period_start(period: Period) -> pd.Timestamp:
    """The first day of a financial year (1 April) or of one of its quarters."""
    month = 4 if period.is_year else 4 + 3 * (period.quarter - 1)
    return pd.Timestamp(period.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def resolve_numeric_ids(ids: pd.Series, numeric: pd.Series,
                        register_ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids read from number cells, where Excel dropped trailing zeros (``7.20`` -> ``7.2``).

    A number matching one register id only is that id; matching several (``7.2`` and
    ``7.20``) it is ambiguous. Returns the ids and, per row, why the id is ambiguous (or "").
    """
    by_number: dict[float, list[str]] = {}
    for known in register_ids:
        if _PLAIN_NUMBER.match(str(known)):
            by_number.setdefault(float(known), []).append(str(known))
    resolved, ambiguous = ids.copy(), pd.Series("", index=ids.index, dtype=object)
    for at in ids.index[numeric.astype(bool)]:
        text = str(ids[at])
        if not _PLAIN_NUMBER.match(text):
            continue
        candidates = sorted(by_number.get(float(text), []), key=len)
        if len(candidates) == 1:
            resolved[at] = candidates[0]
        elif len(candidates) > 1:
            ambiguous[at] = (f"an indicator id typed as text: the cell holds the number {text}, "
                             f"which could be indicator {' or '.join(candidates)} (a number "
                             "loses its trailing zeros); format the column as Text and type "
                             "the id as the register has it")
    return resolved, ambiguous


def implausible_submissions(rows: pd.DataFrame, stamp: pd.Timestamp,
                            periods: list[str]) -> pd.Series:
    """Why each submission time cannot be right ("" when it can).

    After the run (by date: the time of day may be local) it would outrank every
    correction; before the period it reports on began (for a period outside ``periods``,
    the agreement's: that period is reported already) it is mistyped.
    """
    submitted = rows["submitted_at"]
    known = set(periods)
    first = period_start(Period(min(try_parse_period(p).year for p in periods))) \
        if periods else pd.NaT
    starts = rows["period"].map(lambda p: period_start(try_parse_period(p))
                                if p in known else first)
    future = submitted.dt.normalize() > stamp.normalize()
    early = (submitted < pd.to_datetime(starts)).fillna(False).astype(bool) & ~future
    out = pd.Series("", index=rows.index, dtype=object)
    out[early] = [f"a submission time after {p if p in known else 'the agreement'} "
                  f"began ({s:%Y-%m-%d}): is the year right?"
                  for p, s in zip(rows.loc[early, "period"], starts[early], strict=True)]
    out[future] = (f"a submission time no later than this run ({stamp:%Y-%m-%d}): a date in "
                   "the future would outrank every correction sent after it")
    return out


def annotate_returns(rows: pd.DataFrame, register: Register,
                     declared: tuple[str, ...] = (), run_time: str | None = None) -> pd.DataFrame:
    """Returns with the derived columns the returns suite checks (unit, lateness, conflicts).

    ``declared`` extra columns are expected, so not reported as unexpected. ``run_time``
    (the run's generated-at stamp; now if not given) bounds the submission times. An id
    read from a number cell is matched to the register here (see
    :func:`resolve_numeric_ids`); the id as read stays in ``indicator_id_text``.
    """
    out = rows.copy()
    for column, default in {**READ_DEFAULTS, **dict.fromkeys(BLOCK_COLUMNS, ""),
                            "confirmation": ""}.items():
        if column not in out:
            out[column] = default
    if declared:
        out["unexpected_columns"] = out["unexpected_columns"].map(
            lambda text: ", ".join(c for c in text.split(", ") if c and c not in declared))
    out["indicator_id_text"] = out["indicator_id"]
    out["indicator_id"], out["indicator_id_ambiguous"] = resolve_numeric_ids(
        out["indicator_id"], out["indicator_id_numeric"], register.indicators["indicator_id"])
    # Whose file it is: where a row leaves the partner blank, the file's other rows say.
    named = out[out["partner"].fillna("") != ""].groupby("source_file")["partner"].agg(
        lambda s: ", ".join(sorted(set(s))))
    out["file_partner"] = out["source_file"].map(named).fillna("")
    units = register.indicators.set_index("indicator_id")["unit"]
    out["unit"] = out["indicator_id"].map(units).fillna("")
    out["value_percent"] = out["value"].where(out["unit"] == "percent")
    out["value_count"] = out["value"].where(out["unit"] == "count")
    out["count_not_whole"] = (out["value_count"].notna()
                              & (out["value_count"] % 1 != 0)).astype(bool)
    out["submitted_at_problem"] = implausible_submissions(out, run_stamp(run_time),
                                                          agreement_periods(register))
    deadlines = dict(zip(register.calendar["period"], register.calendar["deadline"],
                         strict=True))
    out["deadline"] = pd.to_datetime(out["period"].map(lambda p: deadlines.get(p, "")),
                                     errors="coerce", format="ISO8601")
    late = (out["submitted_at"].dt.normalize() - out["deadline"]).dt.days
    out["days_late"] = late.astype("float64").where(out["submitted_at_problem"] == "")
    out["deadline"] = out["deadline"].dt.strftime("%Y-%m-%d").fillna("")
    out["template_locked"], out["template_locked_column"] = locked_cells_changed(out, register)
    out["template_lead"] = rows_not_led(out, register)
    out = annotate_partners(out, register)
    # A submission is one file: within it, one value per key; across files the later wins.
    # A template row whose locked cells were changed is not the indicator's: it conflicts
    # with nothing (it fails on its own).
    key = ["source_file", "indicator_id", "period", "geography", "submitted_at"]
    own = out[(out["template_locked"] == "") & (out["template_lead"] == "")]
    values = own.groupby(key, dropna=False)["value_text"].transform("nunique").reindex(
        out.index, fill_value=1)
    out["conflicting"] = (values > 1).astype(bool)
    same = key + ["value_text", "data_status"]
    out["duplicate_row"] = (out.duplicated(same, keep="first") & ~out["conflicting"]).astype(bool)
    out["agreement"] = ", ".join(str(Period(y)) for y in
                                 sorted({int(p[:4]) for p in register.targets["period"]}))
    return out


def locked_cells_changed(rows: pd.DataFrame, register: Register) -> tuple[pd.Series, pd.Series]:
    """Why a template row's locked cells are not as the template wrote them ("" when they
    are), and the column concerned: the partner or period changed, or the indicator id
    changed (the row's locked title is another indicator's). Rows of other files: ""."""
    titles = register.indicators.set_index("indicator_id")["title"]
    why = pd.Series("", index=rows.index, dtype=object)
    column = pd.Series("", index=rows.index, dtype=object)
    template = rows[rows["template"] == "yes"]
    for at, row in template.iterrows():
        wanted_period = normalise_period(row["template_period"]) or row["template_period"]
        title = titles.get(row["indicator_id"])
        if row["partner"] != row["template_partner"]:
            why[at], column[at] = (f"the partner as the template wrote it "
                                   f"({row['template_partner']}): the locked cell was "
                                   "changed; put it back"), "partner"
        elif row["period"] != wanted_period:
            why[at], column[at] = (f"the period as the template wrote it ({wanted_period}): "
                                   "the locked cell was changed; a return for another period "
                                   "goes on that period's template"), "period"
        elif title is not None and row["locked_title"] and row["locked_title"] != title:
            why[at], column[at] = (
                f"the indicator this row was made for: its locked title reads "
                f"{row['locked_title']!r}, but {row['indicator_id']} is {title!r}, so the locked "
                "id was changed; put the id back, and give a value for "
                f"{row['indicator_id']} on its own row"), "indicator_id"
    return why, column


def rows_not_led(rows: pd.DataFrame, register: Register) -> pd.Series:
    """Why a template row is for an indicator its partner does not lead ("" when it is not)."""
    leads = register.indicators.set_index("indicator_id")["lead_org"]
    why = pd.Series("", index=rows.index, dtype=object)
    template = rows[(rows["template"] == "yes") & rows["indicator_id"].isin(leads.index)]
    for at, row in template.iterrows():
        lead = leads[row["indicator_id"]]
        if lead != row["template_partner"]:
            why[at] = (f"an indicator {row['template_partner']} leads: {row['indicator_id']} is "
                       f"led by {lead or 'no partner in the register'}, who returns it; this "
                       "template was made for "
                       f"{row['template_partner']}, so the added row was not used")
    return why


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
    Records, not frames: the checks look at a few rows per indicator."""
    wanted = try_parse_period(period)
    county = clean[clean["in_force"].astype(bool) & (clean["geography"] == "county")
                   & clean["value"].notna()].copy()
    county["_p"] = county["period"].map(try_parse_period)
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
