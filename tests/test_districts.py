"""District coverage and the district view against the county."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.assess.districts import (
    compare_districts,
    compose_coverage_sentence,
    select_district_values,
    summarise_district_coverage,
)
from tests.conftest import make_rows

DISTRICTS = ("Blaby", "Melton")


def _rows():
    return make_rows([
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 690.0},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 89.0, "geography": "Blaby"},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 48.0, "geography": "Melton"},
        {"indicator_id": "7.21", "period": "2006-07 Q4", "value": 1.0, "geography": "Melton",
         "in_force": False},
        {"indicator_id": "2.2", "period": "2006-07 Q2", "value": 40.0, "geography": "Blaby"},
        {"indicator_id": "2.2", "period": "2006-07 Q4", "value": 41.2, "geography": "Blaby"},
        {"indicator_id": "2.2", "period": "2006-07 Q4", "value": float("nan"),
         "geography": "Melton", "data_status": "not_available"},
        {"indicator_id": "2.10", "period": "2006-07 Q2", "value": 5.0, "geography": "Melton"},
        {"indicator_id": "7.22", "period": "2007-08 Q1", "value": 5.0, "geography": "Melton"},
    ])


def test_district_values_for_the_period_latest_in_year_in_order():
    values = select_district_values(_rows(), "2006-07 Q4", DISTRICTS)
    assert values[["indicator_id", "district", "value", "value_period"]].values.tolist() == [
        ["2.2", "Blaby", 41.2, "2006-07 Q4"],
        ["2.10", "Melton", 5.0, "2006-07 Q2"],
        ["7.21", "Blaby", 89.0, "2006-07 Q4"],
        ["7.21", "Melton", 48.0, "2006-07 Q4"],
    ]


def test_coverage_per_district_any_and_all():
    values = select_district_values(_rows(), "2006-07 Q4", DISTRICTS)
    coverage = summarise_district_coverage(values, 8, DISTRICTS)
    assert coverage.values.tolist() == [
        ["Blaby", 2, 8, "25.0%"], ["Melton", 2, 8, "25.0%"],
        ["Any district", 3, 8, "37.5%"], ["All districts", 1, 8, "12.5%"]]
    assert compose_coverage_sentence(coverage, "2006-07 Q4") == (
        "At 2006-07 Q4 district level data were available for 3 of the 8 indicators "
        "(both districts for 1).")


def test_coverage_sentence_with_one_district_reads_as_english():
    values = select_district_values(_rows(), "2006-07 Q4", ("Melton",))
    coverage = summarise_district_coverage(values, 8, ("Melton",))
    assert compose_coverage_sentence(coverage, "2006-07 Q4") == (
        "At 2006-07 Q4 district level data were available for 2 of the 8 indicators "
        "(the one district for 2).")


def test_no_district_data_at_all():
    values = select_district_values(make_rows([
        {"indicator_id": "1", "period": "2006-07 Q4", "value": 1.0}]), "2006-07 Q4", DISTRICTS)
    assert values.empty
    coverage = summarise_district_coverage(values, 4, DISTRICTS)
    assert coverage["indicators_with_data"].tolist() == [0, 0, 0, 0]


def test_district_view_shares_for_counts_and_better_or_worse_for_rates():
    values = select_district_values(_rows(), "2006-07 Q4", DISTRICTS)
    assessed = pd.DataFrame({
        "indicator_id": ["2.2", "2.10", "7.21"], "title": ["Recycling", "CO2", "Theft"],
        "unit": ["percent", "count", "count"], "polarity": ["higher", "lower", "lower"],
        "value": [34.0, float("nan"), 690.0]})
    view = compare_districts(values, assessed).set_index(["indicator_id", "district"])
    assert view.loc[("7.21", "Blaby"), "share_of_county_pct"] == pytest.approx(12.898, abs=1e-3)
    assert view.loc[("7.21", "Blaby"), "vs_county"] == ""
    assert view.loc[("2.2", "Blaby"), "vs_county"] == "better"
    assert pd.isna(view.loc[("2.2", "Blaby"), "share_of_county_pct"])
    assert pd.isna(view.loc[("2.10", "Melton"), "share_of_county_pct"])   # no county value


def test_district_and_county_values_keep_how_they_were_returned():
    rows = _rows()
    rows.loc[1, "data_status"] = "provisional"          # Blaby's 7.21
    values = select_district_values(rows, "2006-07 Q4", DISTRICTS)
    assert values.set_index(["indicator_id", "district"])["data_status"].to_dict() == {
        ("2.2", "Blaby"): "final", ("2.10", "Melton"): "final",
        ("7.21", "Blaby"): "provisional", ("7.21", "Melton"): "final"}
    assessed = pd.DataFrame([{"indicator_id": "7.21", "title": "Theft", "unit": "count",
                              "polarity": "lower", "value": 690.0, "data_status": "estimate"}])
    view = compare_districts(values[values["indicator_id"] == "7.21"], assessed)
    assert view[["district", "data_status", "county_data_status"]].values.tolist() == [
        ["Blaby", "provisional", "estimate"], ["Melton", "final", "estimate"]]
