"""Return templates: written from the register, byte-identical, read back as returns, and a
template tampered with gets one graded message per problem while its good rows go through."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.assess.assessment import assess_indicators
from pipeline.config import find_project_root
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.register import load_register
from pipeline.inputs.templates import (
    FIGURE_COLUMNS,
    HEADER_ROW,
    SHEET,
    plan_templates,
    template_bytes,
    write_templates,
)
from pipeline.quality.quarantine import check_returns, load_suites
from pipeline.rules_schema import Rules

ROOT = find_project_root()
PERIOD = "2007-08 Q1"
STAMP = "2007-04-01T00:00:00"
RUN = "2007-09-01T00:00:00"
POLICE = "Leicestershire Constabulary"
CERTIFIED = dt.datetime(2007, 8, 10)


@pytest.fixture(scope="module")
def register():
    return load_register(ROOT / "data" / "raw" / "register")


@pytest.fixture(scope="module")
def suites():
    return load_suites(ROOT / "expectations")


@pytest.fixture(scope="module")
def written(register, tmp_path_factory) -> list[Path]:
    """The templates of every lead partner written once for the module (about half a second
    a write): READ ONLY; a test that fills or changes one copies it first (:func:`_returns`)."""
    return write_templates(register, PERIOD, _figures(register),
                           tmp_path_factory.mktemp("templates"), STAMP)


def _returns(written: list[Path], folder: Path, keep) -> list[Path]:
    """The written templates that ``keep`` picks, copied into the returns ``folder``."""
    folder.mkdir()
    return [Path(shutil.copy2(path, folder / path.name)) for path in keep(written)]


def _police(written: list[Path], folder: Path) -> Path:
    """The police's template alone, copied into the returns ``folder``."""
    return _returns(written, folder,
                    lambda paths: [p for p in paths if "constabulary" in p.name])[0]


def _figures(register) -> pd.DataFrame:
    ids = register.indicators["indicator_id"]
    return pd.DataFrame({"indicator_id": ids, "target": 100.0, "trajectory_point": 25.0,
                         "last_value": 20.0, "last_value_period": "2006-07 Q4"},
                        columns=FIGURE_COLUMNS)


def _columns(sheet) -> dict[str, int]:
    return {str(c.value): c.column for c in sheet[HEADER_ROW] if c.value}


def _fill(path: Path, name: str = "Jane Smith", values=None) -> dict[str, float]:
    """Fill every row of a template as a partner would (openpyxl), return id -> value."""
    book = load_workbook(path)
    sheet = book[SHEET]
    at = _columns(sheet)
    filled = {}
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        indicator = sheet.cell(row=row, column=at["Indicator ID"]).value
        unit = sheet.cell(row=row, column=at["Unit"]).value
        value = (values or {}).get(indicator, {"percent": 45.5, "count": 120}.get(unit, 3.25))
        sheet.cell(row=row, column=at["Value"]).value = value
        sheet.cell(row=row, column=at["Data status"]).value = "final"
        sheet.cell(row=row, column=at["Commentary"]).value = "On track"
        filled[indicator] = value
    sheet["B6"] = name
    sheet["B7"] = CERTIFIED
    book.save(path)
    return filled


def _check(returns: Path, register, suites):
    read = ingest_returns(returns)
    return read, check_returns(read.rows, read.file_problems, register, suites, PERIOD, Rules(),
                               run_time=RUN, assess=assess_indicators)


def test_one_template_per_lead_partner_with_its_indicators_locked(register, tmp_path):
    written = write_templates(register, PERIOD, _figures(register), tmp_path, STAMP,
                              {"name": "Leicestershire Together"})
    leads = set(register.indicators["lead_org"]) - {""}
    assert len(written) == len(leads)
    police = next(p for p in written if "constabulary" in p.name)
    book = load_workbook(police)
    assert book.sheetnames == ["Instructions", "Return"]
    sheet = book["Return"]
    assert sheet.protection.sheet and book["Instructions"].protection.sheet
    assert [sheet[f"A{r}"].value for r in range(2, 8)] == [
        "Return template", "Partner", "Period", "Deadline", "Certified by", "Date certified"]
    assert sheet["B5"].value == dt.datetime(2007, 8, 14)  # from the reporting calendar,
    assert sheet["B5"].number_format == "d mmmm yyyy"      # a date, not text
    at = _columns(sheet)
    ids = [sheet.cell(row=r, column=at["Indicator ID"]).value
           for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    mine = register.indicators.loc[register.indicators["lead_org"] == POLICE, "indicator_id"]
    assert sorted(ids) == sorted(mine)
    first = HEADER_ROW + 1
    assert sheet.cell(row=first, column=at["Indicator ID"]).protection.locked
    assert sheet.cell(row=first, column=at["Indicator ID"]).data_type == "s"
    assert not sheet.cell(row=first, column=at["Value"]).protection.locked
    assert not sheet["B6"].protection.locked and not sheet["B7"].protection.locked
    assert sheet.cell(row=first, column=at["Target"]).value == 100.0
    rules = {dv.formula1: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert '"final,provisional,estimate,not_available"' in rules and '"G,A,R"' in rules
    percent = [dv for dv in sheet.data_validations.dataValidation if dv.formula2 == "100"]
    assert percent and percent[0].formula1 == "0" and percent[0].type == "decimal"


def test_templates_are_byte_identical_for_the_same_inputs(register, written, tmp_path):
    first = written                           # written once for the module, the same way
    second = write_templates(register, PERIOD, _figures(register), tmp_path / "b", STAMP)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    with zipfile.ZipFile(io.BytesIO(first[0].read_bytes())) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2007, 4, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2007-04-01T00:00:00Z" in core


def test_formula_like_register_text_is_written_as_text(register, tmp_path):
    indicators = register.indicators.copy()
    indicators.loc[indicators["lead_org"] == POLICE, "title"] = '=HYPERLINK("http://x","y")'
    hostile = type(register)(register.themes, indicators, register.targets, register.districts,
                             register.calendar)
    template = next(t for t in plan_templates(hostile, PERIOD, _figures(hostile))
                    if t.partner == POLICE)
    book = load_workbook(io.BytesIO(template_bytes(template, PERIOD, "", "", STAMP)))
    cell = book[SHEET].cell(row=HEADER_ROW + 1, column=_columns(book[SHEET])["Title"])
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert cell.quotePrefix


def test_a_filled_template_is_a_valid_return_read_back_exactly(register, suites, written,
                                                               tmp_path):
    returns = tmp_path / "returns"
    smallest = _returns(written, returns,           # the three smallest
                        lambda paths: sorted(paths, key=lambda p: p.stat().st_size)[:3])
    filled = {}
    for path in smallest:
        filled.update(_fill(path))
    read, checked = _check(returns, register, suites)
    assert checked.quarantine.empty
    assert read.file_problems.empty                     # the instructions sheet is skipped
    got = checked.clean.set_index("indicator_id")
    assert set(got.index) == set(filled)
    assert all(got.loc[i, "value"] == pytest.approx(v) for i, v in filled.items())
    assert set(got["source_sheet"]) == {"Return"}
    assert set(got["submitted_at"]) == {pd.Timestamp(CERTIFIED)}
    assert set(got["certified_by"]) == {"Jane Smith"}
    found = checked.findings
    assert not (found["check_id"].isin(["extra-columns", "return-certified"])).any()


def test_a_template_without_a_certifying_officer_is_advisory(register, suites, written,
                                                             tmp_path):
    returns = tmp_path / "returns"
    police = _police(written, returns)
    filled = _fill(police, name="")
    _, checked = _check(returns, register, suites)
    advisory = checked.findings[checked.findings["check_id"] == "return-certified"]
    assert advisory[["grade", "cell", "partner"]].values.tolist() == [
        ["ADVISORY", "Return!B6", POLICE]]
    assert "certifying the return" in advisory["reason"].iloc[0]
    assert len(checked.clean) == len(filled) and checked.quarantine.empty


def test_a_tampered_template_gets_graded_messages_and_its_good_rows_go_through(
        register, suites, written, tmp_path):
    returns = tmp_path / "returns"
    police = _police(written, returns)
    filled = _fill(police)
    book = load_workbook(police)
    sheet = book[SHEET]
    at = _columns(sheet)
    rows = list(range(HEADER_ROW + 1, sheet.max_row + 1))
    ids = {r: sheet.cell(row=r, column=at["Indicator ID"]).value for r in rows}
    changed, pasted = rows[0], rows[1]
    sheet.cell(row=changed, column=at["Indicator ID"]).value = ids[rows[2]]  # a locked id
    sheet.cell(row=pasted, column=at["Value"]).value = "about 40"           # pasted text
    other = register.indicators[register.indicators["lead_org"] != POLICE].iloc[0]
    added = sheet.max_row + 1
    for heading, value in (("Partner", POLICE), ("Indicator ID", other["indicator_id"]),
                           ("Period", PERIOD), ("Geography", "county"), ("Value", 5),
                           ("Data status", "final")):
        sheet.cell(row=added, column=at[heading]).value = value
    book.save(police)
    _, checked = _check(returns, register, suites)
    q = checked.quarantine.set_index("source_row")
    assert sorted(q.index) == [changed, pasted, added]
    letters = {h: chr(ord("A") + c - 1) for h, c in at.items()}
    assert q.loc[changed, ["check_id", "grade", "source_sheet", "cell"]].tolist() == [
        "template-locked", "FAIL", "Return", f"Return!{letters['Indicator ID']}{changed}"]
    assert "the locked id was changed" in q.loc[changed, "reason"]
    assert q.loc[pasted, ["check_id", "cell"]].tolist() == [
        "value-number", f"Return!{letters['Value']}{pasted}"]
    assert q.loc[pasted, "reason"].startswith("value 'about 40': expected a number")
    assert q.loc[added, ["check_id", "grade", "cell"]].tolist() == [
        "template-lead", "FAIL", f"Return!{letters['Indicator ID']}{added}"]
    assert f"led by {other['lead_org']}" in q.loc[added, "reason"]
    good = set(filled) - {ids[changed], ids[pasted]}
    assert set(checked.clean["indicator_id"]) == good
    assert len(checked.clean) == len(rows) - 2       # every other row went through


def test_a_row_left_blank_in_a_template_is_not_a_return(register, suites, written, tmp_path):
    returns = tmp_path / "returns"
    police = _police(written, returns)
    _fill(police)
    book = load_workbook(police)
    sheet = book[SHEET]
    at = _columns(sheet)
    blank = HEADER_ROW + 1
    for heading in ("Value", "Data status", "Commentary"):
        sheet.cell(row=blank, column=at[heading]).value = None
    book.save(police)
    _, checked = _check(returns, register, suites)
    q = checked.quarantine
    assert q[["source_row", "check_id", "grade"]].values.tolist() == [
        [blank, "row-readable", "FAIL"]]
    assert "left blank" in q["reason"].iloc[0]
