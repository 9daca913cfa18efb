"""Negative zero, and negative values that round to zero, print without a sign; rounding
stays half up (away from zero on a tie), so -0.005 at 2 places is -0.01."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest

from pipeline.figures import (
    format_gbp,
    format_number,
    format_pct,
    format_pct_value,
    round_half_up,
)
from pipeline.report.table_spec import pct_value


@pytest.mark.parametrize(("value", "places", "text"), [
    (-0.0, 1, "0.0"), (-0.0, 0, "0"), (-0.04, 1, "0.0"), (-0.004, 2, "0.00"),
    (-0.0049, 2, "0.00"), (-0.005, 2, "-0.01"), (0.005, 2, "0.01"), (-0.05, 1, "-0.1"),
    (-0.4, 0, "0"), (-0.5, 0, "-1"), (63.65, 1, "63.7"), (-63.65, 1, "-63.7")])
def test_round_half_up_has_no_negative_zero(value, places, text):
    rounded = round_half_up(value, places)
    assert str(rounded) == text
    assert not (rounded.is_zero() and rounded.is_signed())


def test_the_printed_figures_of_negative_zero_have_no_sign():
    assert format_pct_value(-0.0) == "0.0%"
    assert format_pct_value(-0.04) == "0.0%"
    assert format_pct_value(-0.05) == "-0.1%"
    assert format_pct(-1, 100_000) == "0.0%"
    assert format_gbp(-0.0) == "£0.00"
    assert format_gbp(-0.004) == "£0.00"
    assert format_gbp(-0.005) == "£-0.01"
    assert format_gbp(-0.4, 0) == "£0"
    assert format_number(-0.0) == "0"
    assert format_number(-0.0, "percent") == "0%"
    assert format_number(-0.001) == "0"
    assert format_number(-0.001, "gbp") == "£0.00"
    assert format_number(-0.005) == "-0.01"


def test_a_spreadsheet_percentage_that_rounds_to_zero_is_plain_zero():
    value = pct_value(-0.04)
    assert value == 0.0 and str(value) == "0.0"
    assert round_half_up(-0.0) == Decimal("0.0")


def test_exported_tables_write_negative_zero_as_zero(tmp_path):
    from openpyxl import load_workbook

    from pipeline.report.export import write_csv, write_workbook
    from pipeline.report.table_spec import AppendixTable

    frame = pd.DataFrame({"Gap": [-0.0, -1.5], "Count": [-0.0, 2.0]})
    lines = write_csv(frame, tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == ["0.0,0.0", "-1.5,2.0"]
    table = AppendixTable("t", "T", frame, {"Gap": "number", "Count": "count"})
    path = write_workbook([table], tmp_path / "t.xlsx", "2007-06-30T12:00:00")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet4.xml").decode("utf-8")
    assert "<v>-0</v>" not in xml and re.search(r'<c r="A5"[^>]*><v>0</v>', xml)
    assert load_workbook(path).worksheets[3]["A6"].value == -1.5


def test_chart_labels_never_print_a_signed_zero():
    from pipeline.report.chart_style import chart_figure

    assert [chart_figure(v) for v in (-0.0, -0.001, -0.004, 1234.5, -0.3)] == [
        "0", "0", "0", "1,234.5", "-0.3"]
