"""Issue 21 item 5: the catalogue's membership (NI 31 dropped, NI 199 added), each row's
provenance, a partnership's own catalogue in ``register/nis.csv``, and the appendix's note
on catalogue facts nobody has checked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import RegisterError
from pipeline.inputs.nis import (
    checked_facts,
    describe_unverified,
    fill_from_catalogue,
    list_unverified,
    lookup,
    read_catalogue,
)
from pipeline.inputs.register import load_register

LAA2_REGISTER = Path(__file__).resolve().parents[1] / "data" / "raw" / "laa2" / "register"
HEADER = "ni_id,title,polarity,unit,tier,measure,notes,provenance\n"


def test_the_set_is_ni_1_to_30_and_32_to_199():
    ids = read_catalogue()["ni_id"].tolist()
    assert ids == [f"NI {n}" for n in [*range(1, 31), *range(32, 200)]]
    assert len(ids) == 198


def test_ni_199_is_the_play_indicator_added_to_the_final_set():
    row = lookup("NI 199")
    assert row["title"] == "Children and young people's satisfaction with parks and play areas"
    assert checked_facts(row["provenance"]) == {"id", "title"}


def test_an_ni_31_is_refused_as_dropped_and_other_numbers_name_the_sets_ranges():
    with pytest.raises(KeyError, match="NI 31 was dropped from the National Indicator Set "
                                       "before it was final"):
        lookup("ni 31")
    with pytest.raises(KeyError, match=r"'NI 200' is not in the National Indicator Set "
                                       r"\(NI 1 to NI 30 and NI 32 to NI 199\)"):
        lookup("NI 200")


def _register(tmp_path: Path, indicators: str, nis: str | None = None) -> Path:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "indicators.csv").write_text(indicators, encoding="utf-8")
    (folder / "targets.csv").write_text("indicator_id,period,target_value\n", encoding="utf-8")
    if nis is not None:
        (folder / "nis.csv").write_text(nis, encoding="utf-8")
    return folder


def test_a_register_naming_ni_31_is_refused_naming_file_row_and_column(tmp_path):
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                 "NI 152,,Economy,,\nNI 31,,Safer,,\n")
    with pytest.raises(RegisterError) as err:
        load_register(folder)
    text = str(err.value)
    assert "NI 31 was dropped from the National Indicator Set before it was final" in text
    assert "indicators.csv" in text and "row 3" in text and "column indicator_id" in text


def test_every_row_says_what_it_was_checked_against_or_unverified():
    cat = read_catalogue()
    assert (cat["provenance"] != "").all()
    facts = cat["provenance"].map(checked_facts)
    unverified = cat[cat["provenance"] == "unverified"]
    assert all(f == set() for f in facts[cat["provenance"] == "unverified"])
    assert all(f and f <= {"id", "title", "polarity", "unit"}
               for f in facts[cat["provenance"] != "unverified"])
    # the seeds name six NIs; only NI 152's title is the catalogue's word for word
    by_id = dict(zip(cat["ni_id"], facts, strict=True))
    assert by_id["NI 152"] == {"id", "title"}
    assert (by_id["NI 135"] == by_id["NI 163"] == by_id["NI 165"] == by_id["NI 172"]
            == by_id["NI 179"] == {"id"})
    assert "seed 001" in cat.set_index("ni_id").loc["NI 152", "provenance"]
    assert len(unverified) == 198 - 7


@pytest.mark.parametrize(("provenance", "facts"), [
    ("unverified", set()), ("seed 001 (LAA2 indicator list); checked: id, title", {"id", "title"}),
    ("", set())])
def test_checked_facts_reads_the_provenance(provenance, facts):
    assert checked_facts(provenance) == facts


def test_fill_says_which_facts_it_took_unchecked():
    rows = pd.DataFrame({"indicator_id": ["NI 152", "NI 1", "NI 8", "L 1"],
                         "title": ["", "", "Sport", "Land"],
                         "polarity": ["", "higher", "higher", "higher"],
                         "unit": ["", "", "percent", "count"]})
    out = fill_from_catalogue(rows, "indicators.csv")
    # NI 152's title was checked against seed 001; its polarity and unit were not
    assert out["catalogue_unverified"].tolist() == ["polarity; unit", "title; unit", "", ""]
    assert "catalogue_unverified" not in rows


def test_the_note_names_each_indicator_with_an_unchecked_fact():
    frame = pd.DataFrame({"indicator_id": ["NI 4", "NI 1", "L 1"],
                          "catalogue_unverified": ["title", "polarity; unit", ""]})
    assert list_unverified(frame) == ["NI 1", "NI 4"]
    assert describe_unverified(frame) == (
        "Indicators taking a title, polarity or unit from the National Indicator Set "
        "catalogue that has not been checked against the official list: NI 1, NI 4")
    assert describe_unverified(frame.iloc[[2]]) == ""
    assert list_unverified(frame.drop(columns="catalogue_unverified")) == []


def test_the_laa2_demo_names_no_dropped_indicator():
    ids = pd.read_csv(LAA2_REGISTER / "indicators.csv", dtype=str)["indicator_id"]
    assert "NI 31" not in set(ids.str.upper().str.replace(r"\s+", " ", regex=True))
    assert load_register(LAA2_REGISTER).indicators["catalogue_unverified"].ne("").any()


# A partnership's own catalogue: register/nis.csv replaces the package's.

def test_a_partnerships_catalogue_replaces_the_packages(tmp_path):
    nis = HEADER + ("NI 152,Out-of-work benefit claimants (our list),lower,percent,both,%,,\n"
                    "NI 31,Re-offending rate of registered sex offenders,lower,percent,both,"
                    "%,,unverified\n")
    reg = load_register(_register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                            "NI 152,,Economy,,\nNI 31,,Safer,,\n", nis))
    row = reg.indicator("NI 152")
    assert row["title"] == "Out-of-work benefit claimants (our list)"
    # a blank provenance in the partnership's own list counts as checked by it
    assert row["catalogue_unverified"] == ""
    assert reg.indicator("NI 31")["catalogue_unverified"] == "title; polarity; unit"


def test_with_a_partnerships_catalogue_an_ni_it_lacks_is_refused(tmp_path):
    nis = HEADER + "NI 152,Out-of-work benefits,lower,percent,both,%,,\n"
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                 "NI 152,,Economy,,\nNI 8,,Health,,\n", nis)
    with pytest.raises(RegisterError, match=r"'NI 8' is not in the National Indicator Set "
                                            r"\(NI 152\).*indicators.csv.*row 3"):
        load_register(folder)


@pytest.mark.parametrize(("body", "row", "column", "words"), [
    ("NI 152,Benefits,sideways,percent,both,%,,\n", 2, "polarity", "'sideways'"),
    ("NI 152,Benefits,lower,percent,both,%,,\nNI 152,Again,lower,percent,both,%,,\n", 3,
     "ni_id", "duplicate"),
    ("7.1,Benefits,lower,percent,both,%,,\n", 2, "ni_id", "not written as an NI"),
    ("NI 152,,lower,percent,both,%,,\n", 2, "title", "blank"),
    ("NI 152,Benefits,lower,litres,both,%,,\n", 2, "unit", "'litres'"),
    ("NI 152,Benefits,lower,percent,county,%,,\n", 2, "tier", "'county'"),
    ("NI 152,Benefits,lower,percent,both,%,,from memory\n", 2, "provenance", "checked:"),
])
def test_a_bad_partnership_catalogue_names_file_row_and_column(tmp_path, body, row, column,
                                                                words):
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\nNI 152,,Economy,,\n",
                       HEADER + body)
    with pytest.raises(RegisterError) as err:
        load_register(folder)
    text = str(err.value)
    assert "nis.csv" in text and f"row {row}" in text and f"column {column}" in text
    assert words in text


def test_a_partnership_catalogue_missing_a_column_is_refused(tmp_path):
    folder = _register(tmp_path, "indicator_id,title,theme,polarity,unit\nNI 152,,Economy,,\n",
                       "ni_id,title,polarity\nNI 152,Benefits,lower\n")
    with pytest.raises(RegisterError, match=r"nis.csv.*unit"):
        load_register(folder)


def test_the_appendix_quality_table_counts_and_names_them():
    from pipeline.report.frames import note_unverified_catalogue

    quality = pd.DataFrame({"Measure": ["Rows read"], "Count": [10]})
    assessed = pd.DataFrame({"indicator_id": ["NI 4", "NI 1", "L 1"],
                             "catalogue_unverified": ["title", "polarity; unit", ""]})
    out = note_unverified_catalogue(quality, assessed)
    assert out["Count"].tolist() == [10, 2]
    assert out["Measure"].iloc[1].endswith("the official list: NI 1, NI 4")
    assert len(quality) == 1
    assert note_unverified_catalogue(quality, assessed.iloc[[2]]).equals(quality)


def test_a_partnership_catalogue_with_only_its_header_counts_as_absent(tmp_path):
    reg = load_register(_register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                            "NI 8,,Health,,\n", HEADER))
    assert reg.indicator("NI 8")["title"] == lookup("NI 8")["title"]


def test_a_column_the_catalogue_does_not_know_is_ignored_with_a_warning(tmp_path):
    nis = "ni_id,title,polarity,unit,tier,checked_by\nNI 8,Sport,higher,percent,both,AB\n"
    reg = load_register(_register(tmp_path, "indicator_id,title,theme,polarity,unit\n"
                                            "NI 8,,Health,,\n", nis))
    assert reg.indicator("NI 8")["title"] == "Sport"
    assert "unknown column 'checked_by' ignored (file nis.csv, column checked_by)" in reg.warnings
