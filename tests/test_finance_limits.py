"""Finance returns (issue 20 items 6, 7a): two returns for one year are not both counted, and
an amount beyond what a block's line can hold is set aside with file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from pipeline.assess.pooled_fund import (
    check_underspend_rule,
    compose_outturn_sentence,
    describe_shortfalls,
    select_outturn_year,
    summarise_outturn,
)
from pipeline.config import find_project_root
from pipeline.inputs.finance import (
    AMOUNT_CHECK,
    MAX_AMOUNT_GBP,
    ONE_RETURN_CHECK,
    read_finance_returns,
)
from pipeline.inputs.register import load_register
from pipeline.quality.catalogue import load_catalogue
from pipeline.rules_schema import Rules

ROOT = find_project_root()
THEMES = load_register(ROOT / "data" / "raw" / "register").themes
DEMO = ROOT / "data" / "raw" / "finance" / "2006-07_pooled_fund.csv"
HEADER = "block,allocation_gbp,spend_gbp,carry_forward_gbp,virement_gbp,commentary"


def _outturn(data: Path):
    returns = read_finance_returns(data, THEMES)
    year = select_outturn_year(returns.lines["year"], "2006-07 Q4")
    outturn = summarise_outturn(returns.rows, THEMES, year)
    return outturn, check_underspend_rule(outturn, Rules()), returns


def _demo_rows() -> list[list[str]]:
    import csv
    with DEMO.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "finance"
    folder.mkdir()
    return folder


def test_a_csv_and_an_xlsx_for_one_year_are_not_summed(tmp_path):
    folder = _folder(tmp_path)
    (folder / DEMO.name).write_bytes(DEMO.read_bytes())
    book = Workbook()
    for row in _demo_rows():
        book.active.append(row)
    book.save(folder / "2006-07_pooled_fund.xlsx")
    outturn, check, returns = _outturn(tmp_path)
    total = outturn[outturn["row_type"] == "total"].iloc[0]
    assert total["allocation_gbp"] == 9420376.0        # not doubled
    assert total["underspend_gbp"] == 470759.0
    assert check["within"] is True                     # the 5% rule holds, as in the seed
    assert len(returns.rows) == 7
    assert set(returns.rows["source_file"]) == {"2006-07_pooled_fund.csv"}
    problem = returns.problems.iloc[0]
    assert len(returns.problems) == 1
    assert problem["source_file"] == "2006-07_pooled_fund.xlsx"
    assert problem["check_id"] == ONE_RETURN_CHECK and problem["grade"] == "FAIL"
    assert "2006-07_pooled_fund.csv" in problem["message"]
    assert "2006-07_pooled_fund.xlsx" in problem["message"]
    assert "one finance return per year" in problem["message"]
    lines = returns.lines.set_index("source_file")
    assert lines.loc["2006-07_pooled_fund.xlsx"].tolist()[1:] == [7, 0, 7]
    assert lines.loc["2006-07_pooled_fund.csv"].tolist()[1:] == [7, 7, 0]
    # the return used is complete: the sentence does not call it incomplete
    sentence = compose_outturn_sentence(check, describe_shortfalls(returns.problems, "2006-07"))
    assert "incomplete" not in sentence


def test_a_second_return_is_used_when_the_first_cannot_be(tmp_path):
    folder = _folder(tmp_path)
    (folder / "2006-07_pooled_fund.csv").write_text("nothing,here\n1,2\n", encoding="utf-8")
    book = Workbook()
    for row in _demo_rows():
        book.active.append(row)
    book.save(folder / "2006-07_pooled_fund.xlsx")
    outturn, _, returns = _outturn(tmp_path)
    assert outturn.iloc[-1]["allocation_gbp"] == 9420376.0
    assert ONE_RETURN_CHECK not in set(returns.problems["check_id"])


@pytest.mark.parametrize("amount", ["1e308", "1e11", "10000000000.01", "-2e10"])
@pytest.mark.parametrize("column", ["allocation_gbp", "spend_gbp", "virement_gbp"])
def test_an_amount_beyond_the_maximum_is_set_aside_and_the_rest_goes_through(tmp_path, amount,
                                                                          column):
    rows = _demo_rows()
    at = rows[0].index(column)
    rows[2][at] = amount                                # Cleaner and Greener, file row 3
    folder = _folder(tmp_path)
    (folder / DEMO.name).write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows),
                                    encoding="utf-8")
    outturn, check, returns = _outturn(tmp_path)
    assert len(returns.rows) == 6
    assert len(returns.problems) == 1
    problem = returns.problems.iloc[0]
    assert (problem["source_file"], problem["source_row"], problem["column"]) == (
        DEMO.name, 3, column)
    assert problem["check_id"] == AMOUNT_CHECK and problem["grade"] == "FAIL"
    assert "£10,000,000,000" in problem["message"]
    assert f"(file {DEMO.name}, row 3, column {column})" in problem["message"]
    assert outturn.iloc[-1]["allocation_gbp"] == 9420376.0 - 1105900.0
    sentence = compose_outturn_sentence(check, describe_shortfalls(returns.problems, "2006-07"))
    assert "1 row set aside" in sentence


def test_the_maximum_itself_is_accepted():
    assert MAX_AMOUNT_GBP == 10_000_000_000


def test_the_finance_checks_are_in_the_catalogue_with_guidance():
    catalogue = load_catalogue(ROOT / "expectations").set_index("id")
    for check in (ONE_RETURN_CHECK, AMOUNT_CHECK):
        entry = catalogue.loc[check]
        assert entry["grade"] == "FAIL" and entry["suite"] == ""
        assert entry["guidance"]
    assert "10,000,000,000" in catalogue.loc[AMOUNT_CHECK, "checks"]
