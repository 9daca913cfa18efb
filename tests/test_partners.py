"""Partners' names: matched to the register after normalisation; look-alikes caught."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.inputs.ingest import resolve_supersession
from pipeline.inputs.partners import (
    match_partner,
    match_partners,
    partner_key,
    registered_partners,
)

PARTNERS = registered_partners(["Leicestershire Constabulary", "Leicestershire County Council",
                                "", None, "Leicestershire Constabulary"])


def test_registered_partners_are_the_lead_organisations_once_each():
    assert PARTNERS == ("Leicestershire Constabulary", "Leicestershire County Council")


@pytest.mark.parametrize("written", [
    "Leicestershire Constabulary", "LEICESTERSHIRE CONSTABULARY.", " leicestershire  constabulary ",
    "Ｌｅｉｃｅｓｔｅｒｓｈｉｒｅ Constabulary",   # full-width letters: NFKC makes them plain
])
def test_a_name_equal_after_normalisation_is_the_registered_partner(written):
    assert match_partner(written, PARTNERS).registered == "Leicestershire Constabulary"
    assert partner_key(written) == "leicestershire constabulary"


@pytest.mark.parametrize(("written", "described"), [
    ("Leicestershire C\u043enstabulary", "U+043E CYRILLIC SMALL LETTER O for 'o'"),
    ("L\u0435icestershire Constabulary", "U+0435 CYRILLIC SMALL LETTER IE for 'e'"),
    ("LEICESTERSHIRE \u0421ONSTABULARY", "U+0421 CYRILLIC CAPITAL LETTER ES for 'c'"),
    ("Leicestershire Con\u200bstabulary", "U+200B ZERO WIDTH SPACE (invisible)"),
])
def test_a_look_alike_name_imitates_the_partner_and_says_with_what(written, described):
    match = match_partner(written, PARTNERS)
    assert match.registered == "" and match.imitates == "Leicestershire Constabulary"
    frame = match_partners(pd.Series([written], index=[7]), PARTNERS)
    assert frame.loc[7, "partner_imitated"] == "Leicestershire Constabulary"
    assert frame.loc[7, "partner_lookalikes"] == described


@pytest.mark.parametrize("written", ["Leicestershire Police", "Leicester City Council", ""])
def test_another_name_is_neither_a_partner_nor_an_imitation(written):
    assert match_partner(written, PARTNERS) == match_partner("", ())


def _row(partner: str, stamp: str, leads: bool, row: int) -> dict:
    return {"indicator_id": "7.21", "period": "2006-07 Q4", "geography": "county",
            "partner": partner, "submitted_at": pd.Timestamp(stamp), "source_file": f"{row}.csv",
            "source_sheet": "", "source_row": 2, "record_id": f"{row}.csv||2",
            "partner_leads": leads}


def test_a_later_row_from_a_partner_not_leading_never_replaces_the_lead():
    rows = pd.DataFrame([_row("Leicestershire Constabulary", "2007-05-10", True, 1),
                         _row("Leicestershire County Council", "2007-05-12", False, 2)])
    out = resolve_supersession(rows)
    assert out["in_force"].tolist() == [True, False]
    assert out["superseded_by"].tolist() == ["", "1.csv||2"]
    alone = resolve_supersession(rows.iloc[[1]])   # where the lead sent nothing, it counts
    assert alone["in_force"].tolist() == [True]


def test_a_variant_spelling_counts_as_the_leads_return_in_the_scorecard():
    """Receipts, files and certification are counted under the register's spelling, so
    'LEICESTERSHIRE CONSTABULARY.' is the Constabulary's return, not a partner of its own."""
    import pandas as pd

    from pipeline.inputs.partners import as_registered
    from pipeline.quality.scorecard import certification_by_partner, score_partners

    indicators = pd.DataFrame({"indicator_id": ["7.20", "7.21"],
                               "lead_org": ["Leicestershire Constabulary"] * 2})
    ingested = pd.DataFrame({
        "partner": ["LEICESTERSHIRE CONSTABULARY.", "Leicestershire  Constabulary"],
        "indicator_id": ["7.20", "7.21"], "period": ["2006-07 Q4"] * 2,
        "source_file": ["a.csv", "b.csv"], "source_sheet": ["", ""], "source_row": [2, 2],
        "submitted_at": pd.to_datetime(["2007-05-10", "2007-05-11"]),
        "certified_by": ["Jo Bloggs", ""]})
    empty = pd.DataFrame(columns=["partner", "suite", "check", "column", "source_file",
                                  "source_row", "severity", "dimension"])
    scores = score_partners(ingested, empty, empty, indicators, "2006-07 Q4")
    assert scores["partner"].tolist() == ["Leicestershire Constabulary"]
    assert scores.loc[0, ["returns_due", "returns_received", "files"]].tolist() == [2, 2, 2]
    cert = certification_by_partner(ingested, indicators, "2006-07 Q4")
    assert cert[["partner", "files", "state"]].values.tolist() == [
        ["Leicestershire Constabulary", 2, "partly certified"]]
    assert as_registered(ingested, ["Leicestershire Constabulary"]) is not ingested
    assert ingested["partner"].iloc[0] == "LEICESTERSHIRE CONSTABULARY."   # input unchanged
