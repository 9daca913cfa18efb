"""Pooled fund outturn: each block's allocation, spend and underspend, and the 5% rule.

The underspend of a block is its allocation plus any virement into it (less any out of it)
less what it spent; the carry forward is the part of it the block carries into the next
year. The Government's rule (the threshold is ``underspend_max_pct`` in the rules) is that
the underspend of all blocks together stays under that share of the total allocation.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.figures import format_gbp, round_half_up
from pipeline.inputs.finance import ONE_RETURN_CHECK
from pipeline.periods import try_parse_period
from pipeline.rules_schema import Rules

OUTTURN_COLUMNS = ["year", "row_type", "block", "allocation_gbp", "virement_gbp", "budget_gbp",
                   "spend_gbp", "underspend_gbp", "underspend_pct", "carry_forward_gbp",
                   "commentary", "source_file", "source_row"]
MONEY = ("allocation_gbp", "virement_gbp", "budget_gbp", "spend_gbp", "underspend_gbp",
         "carry_forward_gbp")
TOTAL = "Total"


def select_outturn_year(years: Iterable[str], period: str) -> str:
    """The year whose outturn the appendix reports: the latest of ``years`` (those of the
    finance returns read) that is the period's financial year or earlier ("" for none)."""
    wanted = try_parse_period(period)
    years = [p for p in map(try_parse_period, set(years)) if p is not None
             and (wanted is None or p.year <= wanted.year)]
    return str(max(years)) if years else ""


def summarise_outturn(rows: pd.DataFrame, themes: pd.DataFrame, year: str) -> pd.DataFrame:
    """One row per block of ``year`` in block order and a ``total`` row.

    ``budget_gbp`` is allocation plus virement, ``underspend_gbp`` budget less spend
    (negative: an overspend) and ``underspend_pct`` the underspend as a % of the
    allocation. Money is rounded half up to pence. Empty for a year with no rows.
    """
    mine = rows[rows["year"] == year].copy()
    if mine.empty:
        return pd.DataFrame(columns=OUTTURN_COLUMNS)
    order = dict(zip(themes["theme"], themes["block"], strict=True))
    mine = mine.assign(_order=mine["theme"].map(order)).sort_values("_order", kind="stable")
    mine["budget_gbp"] = mine["allocation_gbp"] + mine["virement_gbp"]
    mine["underspend_gbp"] = mine["budget_gbp"] - mine["spend_gbp"]
    mine["row_type"] = "block"
    total = {c: mine[c].sum() for c in MONEY}
    total.update({"year": year, "row_type": "total", "block": TOTAL, "commentary": "",
                  "source_file": "", "source_row": 0})
    out = pd.concat([mine, pd.DataFrame([total])], ignore_index=True)
    for column in MONEY:
        out[column] = out[column].map(lambda x: float(round_half_up(x, 2)))
    out["underspend_pct"] = [u / a * 100.0 if a else float("nan")
                             for u, a in zip(out["underspend_gbp"], out["allocation_gbp"],
                                             strict=True)]
    out["source_row"] = out["source_row"].astype("int64")
    return out[OUTTURN_COLUMNS].reset_index(drop=True)


def check_underspend_rule(outturn: pd.DataFrame, rules: Rules) -> dict[str, object]:
    """The 5% rule on the total: the underspend, its share of the allocation, the
    threshold and ``within`` (True when the share is under it; an overspend is within)."""
    total = outturn[outturn["row_type"] == "total"].iloc[0]
    pct = float(total["underspend_pct"])
    return {"year": str(total["year"]), "allocation_gbp": float(total["allocation_gbp"]),
            "underspend_gbp": float(total["underspend_gbp"]), "underspend_pct": pct,
            "threshold_pct": rules.underspend_max_pct,
            "within": bool(pct < rules.underspend_max_pct)}


def share_text(pct: float, threshold: float) -> str:
    """A share as printed beside its threshold: one decimal, more where one decimal would
    read as the threshold itself (4.997% is not printed as 5.0%)."""
    places = 1
    while places < 4 and float(round_half_up(pct, places)) == threshold and pct != threshold:
        places += 1
    return f"{round_half_up(pct, places)}%"


def compose_outturn_sentence(check: dict[str, object], incomplete: list[str]) -> str:
    """The outturn in words, as the self-assessment's section 4.3 puts it, e.g. "The
    overall financial outturn for 2006-07 shows an underspend of £470,759, which is
    4.997% of the total allocation of £9,420,376: under the 5% the rules allow."
    ``incomplete`` names what the finance return lacks (blocks missing or set aside)."""
    under = float(check["underspend_gbp"])
    threshold = float(check["threshold_pct"])
    word = "an underspend" if under >= 0 else "an overspend"
    pct = share_text(abs(float(check["underspend_pct"])), threshold)
    money = format_gbp(abs(under), 0 if float(abs(under)).is_integer() else 2)
    allocation = format_gbp(check["allocation_gbp"],
                            0 if float(check["allocation_gbp"]).is_integer() else 2)
    if under < 0:
        verdict = "no underspend to hold against the rule"
    elif check["within"]:
        verdict = f"under the {threshold:g}% the rules allow"
    else:
        verdict = f"not under the {threshold:g}% the rules allow"
    sentence = (f"The overall financial outturn for {check['year']} shows {word} of {money}, "
                f"which is {pct} of the total allocation of {allocation}: {verdict}.")
    if incomplete:
        sentence += (" The finance return is incomplete (" + "; ".join(incomplete)
                     + "): the totals cover the other blocks only.")
    return sentence


def describe_shortfalls(problems: pd.DataFrame, year: str) -> list[str]:
    """What a year's finance return lacks, in a few words each: the rows set aside and the
    blocks with no row (from :func:`pipeline.inputs.finance.read_finance_returns`). A
    second return for the year, set aside whole, is no shortfall of the one used."""
    mine = problems[problems["year"] == year]
    if "check_id" in mine:
        mine = mine[mine["check_id"] != ONE_RETURN_CHECK]
    rows = int((mine["source_row"] > 0).sum())
    out = [f"{rows} row{'s' if rows != 1 else ''} set aside"] if rows else []
    missing = mine[(mine["source_row"] == 0) & mine["message"].str.startswith("no row for")]
    if not missing.empty:
        blocks = [m.split(":")[0].removeprefix("no row for block ") for m in missing["message"]]
        out.append("no row for " + ", ".join(blocks))
    whole = mine[(mine["source_row"] == 0) & ~mine["message"].str.startswith("no row for")]
    if not whole.empty:
        out.append("the file could not be used")
    return out
