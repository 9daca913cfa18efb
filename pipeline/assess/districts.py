"""District coverage: the indicators with district values for a period, each against the county."""

from __future__ import annotations

import pandas as pd

from pipeline.assess.assessment import latest_values, usable_rows
from pipeline.figures import format_pct
from pipeline.names import id_sort_key

ADDITIVE_UNITS = ("count", "gbp")
ANY, ALL = "Any district", "All districts"


def select_district_values(rows: pd.DataFrame, period: str,
                           districts: tuple[str, ...]) -> pd.DataFrame:
    """Each district's value in force for ``period``, one row per indicator and district.

    The same rule as the county value: the latest return of the financial year not after
    the period. Rows with no usable value (blank or ``not_available``) are left out.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id``, ``district``, ``value``, ``value_period``, ``data_status``; in
        indicator order, then district order as the register lists them.
    """
    parts = []
    usable = usable_rows(rows, period)   # found once, and only the columns used kept
    usable = usable.loc[usable["geography"].isin(districts),
                        ["indicator_id", "geography", "period", "value", "data_status"]]
    for order, district in enumerate(districts):
        chosen = latest_values(usable, geography=district)
        chosen = chosen[chosen["value"].notna() & (chosen["data_status"] != "not_available")]
        parts.append(pd.DataFrame({"indicator_id": chosen["indicator_id"], "district": district,
                                   "value": chosen["value"].astype("float64"),
                                   "value_period": chosen["period"],
                                   "data_status": chosen["data_status"], "_order": order}))
    columns = ["indicator_id", "district", "value", "value_period", "data_status"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else object)
                             for c in columns})
    found = pd.concat(parts, ignore_index=True)
    found["_key"] = found["indicator_id"].map(id_sort_key)
    found = found.sort_values(["_key", "_order"], kind="stable")
    return found[columns].reset_index(drop=True)


def summarise_district_coverage(values: pd.DataFrame, indicator_count: int,
                                districts: tuple[str, ...]) -> pd.DataFrame:
    """How many indicators have district values: per district, any district, all districts.

    Parameters
    ----------
    values
        From :func:`select_district_values`.
    indicator_count
        All indicators in the register (the base of the share).
    districts
        The register's districts, in order.
    """
    per = values.groupby("district")["indicator_id"].nunique()
    counts = [(d, int(per.get(d, 0))) for d in districts]
    per_indicator = values.groupby("indicator_id")["district"].nunique()
    counts.append((ANY, int(len(per_indicator))))
    counts.append((ALL, int((per_indicator == len(districts)).sum()) if districts else 0))
    return pd.DataFrame({
        "district": [d for d, _ in counts],
        "indicators_with_data": [n for _, n in counts],
        "indicators": indicator_count,
        "share": [format_pct(n, indicator_count) for _, n in counts],
    })


def compose_coverage_sentence(coverage: pd.DataFrame, period: str) -> str:
    """E.g. "At 2006-07 Q4 district level data were available for 20 of the 128
    indicators (all seven districts for 20)."; for a register with no districts, says so."""
    rows = coverage.set_index("district")
    anyone, everyone = rows.loc[ANY], rows.loc[ALL]
    districts = len(coverage) - 2
    if districts == 0:
        return (f"The register names no districts, so at {period} there is no district "
                "level data.")
    every = {1: "the one district", 2: "both districts"}.get(
        districts, f"all {_count_word(districts)} districts")
    return (f"At {period} district level data were available for "
            f"{anyone['indicators_with_data']} of the {anyone['indicators']} indicators "
            f"({every} for {everyone['indicators_with_data']}).")


def compare_districts(values: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    """Each district value beside the county's, for the indicators with district data.

    Counts and money are read as shares of the county total (``share_of_county_pct``:
    the districts' shares add up to the county's recorded total where every record has
    a place). Percentages, rates and scores are compared with the county value by
    polarity (``vs_county``: better, worse or same). ``data_status`` and
    ``county_data_status`` say how each value was returned (final, provisional, estimate).
    """
    county = assessed.reindex(columns=["indicator_id", "title", "unit", "polarity", "value",
                                       "data_status"]).rename(
        columns={"value": "county_value", "data_status": "county_data_status"})
    out = values.reindex(columns=[*values.columns.drop("data_status", errors="ignore"),
                                  "data_status"]).merge(county, on="indicator_id", how="left")
    additive = out["unit"].isin(ADDITIVE_UNITS)
    share = out["value"] / out["county_value"].where(out["county_value"] != 0) * 100.0
    out["share_of_county_pct"] = share.where(additive)
    out["vs_county"] = [
        "" if add else _versus(v, c, p) for v, c, p, add in
        zip(out["value"], out["county_value"], out["polarity"], additive, strict=True)]
    return out[["indicator_id", "title", "unit", "polarity", "district", "value",
                "value_period", "data_status", "county_value", "county_data_status",
                "share_of_county_pct", "vs_county"]]


def _versus(value: float, county: float, polarity: str) -> str:
    if pd.isna(value) or pd.isna(county):
        return ""
    if value == county:
        return "same"
    better = value > county if polarity == "higher" else value < county
    return "better" if better else "worse"


def _count_word(number: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten")
    return words[number] if 0 <= number < len(words) else str(number)
