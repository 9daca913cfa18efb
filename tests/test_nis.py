"""The National Indicator Set catalogue: its contents, look-up, and how the register uses it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RegisterError
from pipeline.inputs.nis import (
    POLARITIES,
    TIERS,
    fill_from_catalogue,
    lookup,
    ni_number,
    read_catalogue,
)
from pipeline.inputs.register import load_register
from pipeline.rules_schema import UNITS


def test_catalogue_holds_the_198_nis_once_each_in_the_registers_vocabulary():
    cat = read_catalogue()
    assert cat["ni_id"].tolist() == [f"NI {n}" for n in range(1, 200) if n != 31]
    assert set(cat["polarity"]) <= set(POLARITIES)
    assert set(cat["unit"]) <= set(UNITS)
    assert set(cat["tier"]) <= set(TIERS)
    assert (cat["title"] != "").all() and (cat["measure"] != "").all()


def test_catalogue_says_where_it_is_unsure():
    cat = read_catalogue()
    unsure = cat[cat["notes"].str.contains("unsure")]["ni_id"].tolist()
    # the facts the handbook leaves open are flagged, not guessed silently
    assert {"NI 12", "NI 44", "NI 65", "NI 68"} <= set(unsure)
    assert len(unsure) >= 20


def test_the_seeds_maa_indicators_look_up_as_the_handbook_gives_them():
    assert lookup("NI 152")[["title", "polarity", "unit"]].tolist() == [
        "Working age people on out of work benefits", "lower", "percent"]
    assert lookup("NI 163")["polarity"] == "higher"
    assert lookup("NI 165")["title"].endswith("qualified to at least Level 4 or higher")
    assert lookup("NI 172")["unit"] == "percent"
    assert lookup("NI 135")["title"].startswith("Carers receiving needs assessment")


@pytest.mark.parametrize(("text", "number"), [("NI 152", 152), ("ni152", 152), ("NI-008", 8),
                                               (" NI 1 ", 1), ("7.20", None), ("L 1", None),
                                               ("NIX 1", None)])
def test_ni_number_reads_the_ways_officers_write_an_ni(text, number):
    assert ni_number(text) == number


def test_an_ni_outside_the_set_is_a_key_error_and_a_local_id_is_none():
    with pytest.raises(KeyError, match="NI 200.*NI 1 to NI 30 and NI 32 to NI 199"):
        lookup("NI 200")
    with pytest.raises(KeyError):
        lookup("NI 0")
    assert lookup("L 1") is None


def test_fill_takes_blanks_from_the_catalogue_and_keeps_what_the_row_gives():
    rows = pd.DataFrame({"indicator_id": ["NI 152", "NI 8", "L 1"],
                         "title": ["", "Sport (our wording)", "Employment land"],
                         "polarity": ["", "", "higher"], "unit": ["", "count", "count"]})
    out = fill_from_catalogue(rows, "indicators.csv")
    assert out["title"].tolist() == ["Working age people on out of work benefits",
                                     "Sport (our wording)", "Employment land"]
    assert out["polarity"].tolist() == ["lower", "higher", "higher"]
    assert out["unit"].tolist() == ["percent", "count", "count"]
    assert out["ni_tier"].tolist() == ["both", "both", ""]
    assert rows["title"].iloc[0] == ""  # the input is not changed


def _register(tmp_path: Path, indicators: str) -> Path:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "indicators.csv").write_text(indicators, encoding="utf-8")
    (folder / "targets.csv").write_text("indicator_id,period,target_value\n", encoding="utf-8")
    return folder


def test_a_register_row_giving_only_the_ni_id_takes_title_polarity_and_unit(tmp_path):
    reg = load_register(_register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                            "NI 152,,Economy,,\n"
                                            "NI 163,Skills to Level 2,Economy,,\n"))
    row = reg.indicator("NI 152")
    assert (row["title"], row["polarity"], row["unit"]) == (
        "Working age people on out of work benefits", "lower", "percent")
    assert reg.indicator("NI 163")["title"] == "Skills to Level 2"


def test_an_ni_that_does_not_exist_names_file_row_and_column(tmp_path):
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                 "NI 152,,Economy,,\nNI 299,,Economy,,\n")
    with pytest.raises(RegisterError) as err:
        load_register(folder)
    assert "'NI 299' is not in the National Indicator Set" in str(err.value)
    assert "indicators.csv" in str(err.value) and "row 3" in str(err.value)
    assert "column indicator_id" in str(err.value)


def test_a_local_indicator_must_still_give_its_title(tmp_path):
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                 "L 1,,Economy,higher,count\n")
    with pytest.raises(RegisterError, match=r"title is blank.*row 2.*column title"):
        load_register(folder)
