"""Open exports: a CSV's floats at a stated precision and its CSV on the Web metadata, both
from one column specification, validated with the csvw package."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from pipeline.report.export import write_csv
from pipeline.report.open_data import decimal_text, metadata_path
from pipeline.report.table_spec import CSV_DECIMALS, csv_columns
from tests.csvw_checks import csvw_problems

LIMIT = 51.705923766726116       # a Wilson limit as numpy computes it: 17 significant digits


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Indicator": ["1.1.1", "=HYPERLINK(\"x\")"], "Unit": ["percent", "rate"],
        "Value": [52.6, float("nan")], "Lower 95% limit": [LIMIT, -1e-9],
        "Rank": [43, 1], "Passed": [True, False], "Grant (£)": [190522.5, 0.1 + 0.2]})


def test_a_float_is_written_at_six_places_at_most_as_hand_rounded():
    assert CSV_DECIMALS == 6
    assert decimal_text(LIMIT, 6) == "51.705924"
    assert decimal_text(53.49241213383238, 6) == "53.492412"
    assert decimal_text(52.6, 6) == "52.6" and decimal_text(38.0, 6) == "38.0"
    assert decimal_text(0.1 + 0.2, 6) == "0.3"          # not 0.30000000000000004
    assert decimal_text(-1e-9, 6) == "0.0"               # never -0.0
    assert decimal_text(1e16, 6) == "10000000000000000.0"  # never 1e+16
    assert decimal_text(float("nan"), 6) == ""
    assert (decimal_text(math.inf, 6), decimal_text(-math.inf, 6)) == ("INF", "-INF")


def test_a_limit_that_differs_in_its_last_digit_is_written_the_same(tmp_path):
    neighbour = float(np.nextafter(LIMIT, 100.0))
    assert neighbour != LIMIT
    first = write_csv(pd.DataFrame({"Lower 95% limit": [LIMIT]}), tmp_path / "a.csv")
    second = write_csv(pd.DataFrame({"Lower 95% limit": [neighbour]}), tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8-sig") == "Lower 95% limit\n51.705924\n"


def test_the_column_specification_gives_datatypes_decimals_and_notes():
    columns = csv_columns(_frame(), {"Value": "value", "Rank": "count", "Grant (£)": "gbp",
                                     "Indicator": "partner"}, unit_column="Unit")
    assert [c.name for c in columns] == ["indicator", "unit", "value", "lower_95_limit",
                                         "rank", "passed", "grant"]
    assert [c.datatype for c in columns] == [
        "string", "string", {"base": "decimal", "format": "#0.0#####"},
        {"base": "decimal", "format": "#0.0#####"}, "integer",
        {"base": "boolean", "format": "True|False"}, {"base": "decimal", "format": "#0.0#####"}]
    assert [c.decimals for c in columns] == [None, None, 6, 6, None, None, 6]
    notes = {c.title: c.note for c in columns}
    assert notes["Value"] == ("in the unit that column 'Unit' gives for the row; written to "
                              "at most 6 decimal places")
    assert notes["Rank"] == "a count" and notes["Unit"] == ""
    assert notes["Grant (£)"].startswith("pounds sterling (£)")
    assert "apostrophe" in notes["Indicator"]


def test_machine_names_are_unique():
    columns = csv_columns(pd.DataFrame([[1, 2, 3]], columns=["A b", "a-b", "£"]))
    assert [c.name for c in columns] == ["a_b", "a_b_2", "column"]


def test_write_csv_writes_valid_metadata_beside_the_csv(tmp_path):
    path = write_csv(_frame(), tmp_path / "01-x.csv", {"Value": "value"}, "A title",
                     "A note", "Unit")
    meta = json.loads(metadata_path(path).read_text(encoding="utf-8"))
    assert metadata_path(path).name == "01-x.csv-metadata.json"
    assert meta["url"] == "01-x.csv" and meta["dc:title"] == "A title"
    assert meta["dc:description"] == "A note"
    assert [c["titles"] for c in meta["tableSchema"]["columns"]] == list(_frame().columns)
    assert csvw_problems(tmp_path) == {}
    import csvw

    rows = list(csvw.Table.from_file(metadata_path(path)).iterdicts(strict=True))
    assert [str(r["lower_95_limit"]) for r in rows] == ["51.705924", "0.0"]
    assert [r["rank"] for r in rows] == [43, 1] and [r["passed"] for r in rows] == [True, False]
    assert [r["indicator"] for r in rows] == ["1.1.1", "'=HYPERLINK(\"x\")"]
    assert rows[1]["value"] is None


def test_csvw_finds_a_value_beyond_the_stated_precision_or_not_a_number(tmp_path):
    path = write_csv(pd.DataFrame({"Value": [1.5], "Rank": [2]}), tmp_path / "x.csv")
    path.write_text("Value,Rank\n1.1234567,2\n", encoding="utf-8")
    assert list(csvw_problems(tmp_path)) == ["x.csv"]
    path.write_text("Value,Rank\n1.5,two\n", encoding="utf-8")
    assert list(csvw_problems(tmp_path)) == ["x.csv"]
    metadata_path(path).unlink()
    path.write_text("Value,Rank\n1.5,2\n", encoding="utf-8")
    assert csvw_problems(tmp_path) == {"x.csv": ["no metadata"]}


def test_an_infinite_value_is_declared_a_double(tmp_path):
    path = write_csv(pd.DataFrame({"Ratio": [math.inf, 2.5]}), tmp_path / "x.csv")
    assert path.read_text(encoding="utf-8-sig") == "Ratio\nINF\n2.5\n"
    meta = json.loads(metadata_path(path).read_text(encoding="utf-8"))
    assert meta["tableSchema"]["columns"][0]["datatype"] == "double"
    assert csvw_problems(tmp_path) == {}


def test_the_metadata_is_the_same_bytes_on_a_second_write(tmp_path):
    first = metadata_path(write_csv(_frame(), tmp_path / "a" / "t.csv")).read_bytes()
    second = metadata_path(write_csv(_frame(), tmp_path / "b" / "t.csv")).read_bytes()
    assert first == second


def test_the_csv_cells_are_written_as_pandas_would_write_them(tmp_path):
    # text quoted where it holds a comma or a quote, formula-like text defused, floats at
    # their decimals (no -0.0), integers, booleans and objects as they are, blanks blank
    frame = pd.DataFrame({
        "t": ["=1+2", "a,b", 'say "hi"', None], "f": [1.5, -0.0, float("nan"), 1 / 3],
        "i": [1, -4, 0, 10**12], "b": [True, False, True, False],
        "o": pd.Series([2.5, None, "@x", True], dtype=object),
        "n": pd.array([1, None, 3, 4], dtype="Int64")})
    kept = frame.copy()
    path = write_csv(frame, tmp_path / "t.csv")
    assert path.read_bytes().decode("utf-8") == (
        "\ufefft,f,i,b,o,n\n'=1+2,1.5,1,True,2.5,1\n\"a,b\",0.0,-4,False,,\n"
        "\"say \"\"hi\"\"\",,0,True,'@x,3\n,0.333333,1000000000000,False,True,4\n")
    assert frame.equals(kept)


def test_a_table_with_two_columns_of_one_name_and_one_of_dates_is_written(tmp_path):
    twins = pd.DataFrame([[1, "=a"], [2, "b"]], columns=["x", "x"])
    assert write_csv(twins, tmp_path / "twins.csv").read_text(encoding="utf-8-sig") == \
        "x,x\n1,'=a\n2,b\n"
    dated = pd.DataFrame({"d": pd.to_datetime(["2007-01-01", None]),
                          "c": pd.Categorical(["=b", "c"]), "f": [0.25, -0.0]})
    assert write_csv(dated, tmp_path / "dated.csv").read_text(encoding="utf-8-sig") == \
        "d,c,f\n2007-01-01,'=b,0.25\n,c,0.0\n"
    lone = pd.DataFrame({"a": [""]})          # a row of one blank cell is quoted, as csv does
    assert write_csv(lone, tmp_path / "lone.csv").read_text(encoding="utf-8-sig") == 'a\n""\n'
