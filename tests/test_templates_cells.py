"""Templates: no cell prints ``None`` or ``nan`` where there is no earlier value, target or
baseline, and a generated-at stamp that is not a date is refused before anything is written."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.config import find_project_root
from pipeline.errors import ConfigError
from pipeline.inputs.register import load_register
from pipeline.inputs.templates import (
    FIGURE_COLUMNS,
    check_generated_at,
    plan_templates,
    template_bytes,
    write_templates,
)

ROOT = find_project_root()
PERIOD = "2007-08 Q1"
STAMP = "2007-04-01T00:00:00"
EMPTY_WORDS = {"none", "nan", "<na>", "nat", "null"}


@pytest.fixture(scope="module")
def register():
    return load_register(ROOT / "data" / "raw" / "register")


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell


@pytest.mark.parametrize("figures", ["none", "some"])
def test_no_cell_of_any_template_reads_none_or_nan(register, figures):
    ids = register.indicators["indicator_id"]
    frame = pd.DataFrame(columns=FIGURE_COLUMNS) if figures == "none" else pd.DataFrame({
        "indicator_id": ids, "target": [float("nan"), 50.0] * (len(ids) // 2) + [1.0] * (
            len(ids) % 2), "trajectory_point": float("nan"), "last_value": None,
        "last_value_period": ""})
    templates = plan_templates(register, PERIOD, frame)
    assert templates
    bad = [(t.partner, title, cell.coordinate, cell.value)
           for t in templates
           for title, cell in _cells(template_bytes(t, PERIOD, "", "heading", STAMP))
           if cell.value is not None and str(cell.value).strip().casefold() in EMPTY_WORDS]
    assert bad == []


def test_a_missing_figure_is_an_empty_cell_and_a_given_one_a_number(register):
    ids = register.indicators["indicator_id"]
    frame = pd.DataFrame({"indicator_id": ids, "target": 50.0, "trajectory_point": None,
                          "last_value": float("nan"), "last_value_period": ""})
    template = plan_templates(register, PERIOD, frame)[0]
    sheet = load_workbook(io.BytesIO(template_bytes(template, PERIOD, "", "", STAMP)))["Return"]
    heads = {str(c.value): c.column for c in sheet[10] if c.value}
    assert sheet.cell(row=11, column=heads["Target"]).value == 50.0
    assert sheet.cell(row=11, column=heads["Trajectory point"]).value is None
    assert sheet.cell(row=11, column=heads["Last value"]).value is None


@pytest.mark.parametrize("stamp", ["not a date", "2007-13-01", "yesterday", "  "])
def test_a_generated_at_that_is_not_a_date_is_refused_naming_the_option(stamp):
    with pytest.raises(ConfigError) as raised:
        check_generated_at(stamp)
    assert raised.value.exit_code == 2
    message = str(raised.value)
    assert "--generated-at" in message and "2007-04-01T00:00:00" in message
    assert repr(stamp) in message


@pytest.mark.parametrize("stamp", ["2007-04-01", "2007-04-01T09:30:00",
                                   "2007-04-01T09:30:00+01:00", "2007-04-01T09:30:00Z"])
def test_an_iso_date_or_time_is_accepted(stamp):
    assert check_generated_at(stamp) == stamp


def test_write_templates_refuses_a_bad_stamp_before_writing_anything(register, tmp_path):
    folder = tmp_path / "templates"
    with pytest.raises(ConfigError, match="--generated-at"):
        write_templates(register, PERIOD, pd.DataFrame(columns=FIGURE_COLUMNS), folder,
                        "not a date")
    assert not folder.exists()


def test_laa_templates_with_a_bad_stamp_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "templates"
    code = main(["templates", "--period", PERIOD, "--generated-at", "not a date",
                 "--output", str(out), "--reports-dir", str(tmp_path / "reports"),
                 "--clean-dir", str(tmp_path / "clean")])
    assert code == 2
    assert not out.exists()
    assert "--generated-at" in capsys.readouterr().err
