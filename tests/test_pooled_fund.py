"""Pooled fund outturn (issue 14): the seed's 2006-07 figures computed from the demo's finance
return, the 5% rule, and a finance return's bad rows set aside with one message each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess.pooled_fund import (
    check_underspend_rule,
    compose_outturn_sentence,
    describe_shortfalls,
    select_outturn_year,
    share_text,
    summarise_outturn,
)
from pipeline.config import find_project_root
from pipeline.inputs.finance import read_finance_returns
from pipeline.inputs.register import load_register
from pipeline.rules_schema import Rules

ROOT = find_project_root()
THEMES = load_register(ROOT / "data" / "raw" / "register").themes
FILE = "2006-07_pooled_fund.csv"


def _outturn(data: Path) -> tuple[pd.DataFrame, dict, object]:
    returns = read_finance_returns(data, THEMES)
    year = select_outturn_year(returns.lines["year"], "2006-07 Q4")
    outturn = summarise_outturn(returns.rows, THEMES, year)
    return outturn, check_underspend_rule(outturn, Rules()), returns


def test_demo_finance_return_gives_the_seed_outturn():
    outturn, check, returns = _outturn(ROOT / "data" / "raw")
    total = outturn[outturn["row_type"] == "total"].iloc[0]
    # Seed 002 section 4.3: an underspend of £470,759, "just under 5%" of the total
    # allocation of £9,420,376 (470,759 / 9,420,376 = 4.9972%).
    assert total["allocation_gbp"] == 9420376.0
    assert total["underspend_gbp"] == 470759.0
    assert total["virement_gbp"] == 0.0            # virements move money between blocks
    assert check["underspend_pct"] == pytest.approx(4.99724, abs=1e-5)
    assert check["within"] is True and check["threshold_pct"] == 5.0
    # "The largest part of the underspend is within the Children and Young People's theme."
    blocks = outturn[outturn["row_type"] == "block"]
    assert blocks.loc[blocks["underspend_gbp"].idxmax(), "block"] == "Children and Young People"
    assert list(blocks["block"])[0] == "Children and Young People" and len(blocks) == 7
    sentence = compose_outturn_sentence(check, describe_shortfalls(returns.problems, "2006-07"))
    assert sentence == ("The overall financial outturn for 2006-07 shows an underspend of "
                        "£470,759, which is 4.997% of the total allocation of £9,420,376: "
                        "under the 5% the rules allow.")
    assert returns.problems.empty
    assert returns.lines[["rows_read", "rows_used", "rows_set_aside"]].values.tolist() == [
        [7, 7, 0]]


def test_the_rule_is_strictly_under_the_threshold():
    outturn = pd.DataFrame({"row_type": ["total"], "year": ["2006-07"],
                            "allocation_gbp": [1000.0], "underspend_gbp": [50.0],
                            "underspend_pct": [5.0]})
    assert check_underspend_rule(outturn, Rules())["within"] is False
    assert check_underspend_rule(outturn, Rules(underspend_max_pct=6.0))["within"] is True


@pytest.mark.parametrize(("pct", "shown"), [(4.997242, "4.997%"), (4.94, "4.9%"),
                                            (5.0, "5.0%"), (12.34, "12.3%")])
def test_a_share_is_never_rounded_onto_the_threshold(pct, shown):
    assert share_text(pct, 5.0) == shown


def _write(tmp_path: Path, body: str, name: str = FILE) -> Path:
    folder = tmp_path / "finance"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(
        "block,allocation_gbp,spend_gbp,carry_forward_gbp,virement_gbp,commentary\n" + body,
        encoding="utf-8")
    return tmp_path


BLOCKS = [("Children and Young People", 3612480, 3229156, 250000, -45000),
          ("Cleaner and Greener", 1105900, 1081437, 0, 0),
          ("Stronger Communities", 874300, 856102, 0, 0),
          ("Healthier Communities", 1210650, 1189875, 0, 0),
          ("Older People", 702446, 690113, 0, 0),
          ("Economic Development and Enterprise", 640000, 614238, 0, 0),
          ("Safer Communities", 1274600, 1288696, 0, 45000)]


def _lines(replace: dict[int, str] | None = None, drop: int | None = None) -> str:
    out = []
    for i, (block, *amounts) in enumerate(BLOCKS):
        if i == drop:
            continue
        out.append((replace or {}).get(i, ",".join([block, *map(str, amounts), "note"])))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize(("body", "message", "used"), [
    # a block left out of the return: one message, the other six go through
    (_lines(drop=1), "no row for block Cleaner and Greener: expected one row per block of the "
     f"register (its allocation and spend are missing from the totals) (file {FILE}, "
     "column block)", 6),
    # a row whose block is blank: one message, naming the block no other row names
    (_lines({1: ",1105900,1081437,0,0,note"}), "block is blank: expected a block (theme) of "
     "the register, e.g. Children and Young People; no other row names Cleaner and Greener "
     f"(file {FILE}, row 3, column block)", 6),
    # a negative spend
    (_lines({2: "Stronger Communities,874300,-856102,0,0,note"}), "spend_gbp '-856102' is "
     f"negative: expected an amount of £0 or more (file {FILE}, row 4, column spend_gbp)", 6),
    # an amount in words
    (_lines({3: "Healthier Communities,1210650,twelve thousand,0,0,note"}), "spend_gbp "
     "'twelve thousand' is not an amount: expected an amount in pounds, e.g. 1250000 or "
     f"£1,250,000 (file {FILE}, row 5, column spend_gbp)", 6),
])
def test_a_bad_finance_return_gets_one_message_and_loses_nothing_else(tmp_path, body, message,
                                                                       used):
    outturn, check, returns = _outturn(_write(tmp_path, body))
    assert list(returns.problems["message"]) == [message]
    assert len(returns.rows) == used
    lines = returns.lines.iloc[0]
    assert lines["rows_read"] == lines["rows_used"] + lines["rows_set_aside"]
    assert lines["rows_read"] == len(body.splitlines())
    # the totals are those of the rows used, and the sentence says the return is incomplete
    kept = outturn[outturn["row_type"] == "block"]
    assert outturn.iloc[-1]["allocation_gbp"] == kept["allocation_gbp"].sum()
    sentence = compose_outturn_sentence(check, describe_shortfalls(returns.problems, "2006-07"))
    assert "The finance return is incomplete" in sentence


def test_amounts_as_typed_and_optional_columns(tmp_path):
    body = _lines({5: 'Economic Development and Enterprise,"£640,000", 614238 ,,,'})
    outturn, check, returns = _outturn(_write(tmp_path, body))
    assert returns.problems.empty
    row = returns.rows[returns.rows["theme"] == "economic"].iloc[0]
    assert (row["allocation_gbp"], row["spend_gbp"], row["carry_forward_gbp"],
            row["virement_gbp"]) == (640000.0, 614238.0, 0.0, 0.0)
    assert check["underspend_gbp"] == 470759.0


def test_a_block_twice_and_an_unknown_block_are_set_aside(tmp_path):
    body = _lines() + "Safer,1,1,0,0,again\nTransport,5,5,0,0,x\n"
    _, check, returns = _outturn(_write(tmp_path, body))
    assert list(returns.problems["message"]) == [
        f"block 'Safer' is given twice (first on row 8): expected one row per block (file "
        f"{FILE}, row 9, column block)",
        "block 'Transport' is not a block of the register: expected one of Children and Young "
        "People, Cleaner and Greener, Economic Development and Enterprise, Healthier "
        "Communities, Older People, Safer Communities, Stronger Communities (file "
        f"{FILE}, row 10, column block)"]
    assert check["underspend_gbp"] == 470759.0


def test_files_not_understood_are_named_and_no_return_means_no_outturn(tmp_path):
    _write(tmp_path, _lines(), name="pooled fund 2006.csv")
    returns = read_finance_returns(tmp_path, THEMES)
    assert list(returns.problems["message"]) == [
        "file name not understood: expected <year>_pooled_fund.csv, e.g. "
        "2006-07_pooled_fund.csv (file pooled fund 2006.csv)"]
    assert select_outturn_year(returns.lines["year"], "2006-07 Q4") == ""
    assert read_finance_returns(tmp_path / "none", THEMES).rows.empty


def test_the_outturn_year_is_the_latest_up_to_the_period():
    assert select_outturn_year(["2006-07", "2007-08"], "2007-08 Q2") == "2007-08"
    assert select_outturn_year(["2006-07", "2007-08"], "2006-07 Q4") == "2006-07"
    assert select_outturn_year(["2007-08"], "2006-07 Q4") == ""
