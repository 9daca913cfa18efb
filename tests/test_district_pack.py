"""A district LSP pack (Melton) from the demo: only its indicators, its values beside the county's.

Built by :mod:`tests.appendix_build` with the appendix notebook's ``district`` parameter,
as ``laa run --district Melton`` does once the run passes it on.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.appendix_build import DISTRICT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(appendix_demo):
    return appendix_demo


@pytest.fixture(scope="module")
def expected(demo):
    """Melton's values in force, straight from the clean returns (not from the pack)."""
    returns = pd.read_parquet(demo["root"] / "clean" / "returns.parquet")
    mine = returns[returns["in_force"] & (returns["geography"] == DISTRICT)
                   & (returns["period"] == "2006-07 Q4") & returns["value"].notna()]
    county = returns[returns["in_force"] & (returns["geography"] == "county")
                     & (returns["period"] == "2006-07 Q4")]
    return mine.set_index("indicator_id")["value"], county.set_index("indicator_id")["value"]


def test_pack_lists_only_the_indicators_with_district_data(demo, expected):
    html = (demo["pack"] / "district-pack.html").read_text(encoding="utf-8")
    shown = re.findall(r'<th scope="row"><span class="ind-id">([^<]+)</span>', html)
    values, _ = expected
    assert sorted(shown) == sorted(values.index) and len(shown) == 20
    assert "1.1.1" not in shown and "Melton district LSP pack" in html
    assert "Melton has district-level values for 20 of the 128 indicators at 2006-07 Q4." in html
    assert "<script" not in html.lower()


def test_district_value_beside_county_value(demo, expected):
    html = (demo["pack"] / "district-pack.html").read_text(encoding="utf-8")
    values, county = expected
    row = re.search(r'<span class="ind-id">7\.20</span>.*?</tr>', html, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)', row)
    assert cells[:2] == [f"{values['7.20']:,.0f}", f"{county['7.20']:,.0f}"] == ["237", "3,202"]
    share = round(100 * values["7.20"] / county["7.20"], 1)
    assert f"{share}% of the county total" in row
    row = re.search(r'<span class="ind-id">2\.2</span>.*?</tr>', html, re.S).group(0)
    assert "better than the county" in row


def test_pack_pdf_and_tables(demo, expected, pdf_text):
    from openpyxl import load_workbook
    pages = pdf_text(demo["pack"] / "district-pack.pdf")
    text = "\n".join(pages)
    assert 2 <= len(pages) <= 8
    assert "Melton district pack" in text and "7.20" in text and "3,202" in text
    book = load_workbook(demo["pack"] / "tables" / "district-pack-tables.xlsx")
    sheet = book[book.sheetnames[3]]            # after Cover, Contents, Notes
    header = [c.value for c in sheet[4]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=5,
                                                                       values_only=True)]
    values, county = expected
    assert {r["Indicator"]: r["Melton value"] for r in rows} == values.to_dict()
    assert {r["Indicator"]: r["County value"] for r in rows} == county[values.index].to_dict()
    assert (demo["pack"] / "tables" / "01-melton-values.csv").is_file()


def test_pack_links_to_the_data_quality_report_that_exists(demo):
    html = (demo["pack"] / "district-pack.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+scorecard\.html)"', html).group(1)
    assert link == "../../data-quality/scorecard.html"
    assert (demo["pack"] / link).resolve().is_file()


def test_unknown_district_or_theme_is_a_parameter_error(demo):
    from pipeline.errors import ConfigError
    from pipeline.inputs import register

    reg = register.load_register(demo["data"] / "register")
    with pytest.raises(ConfigError, match="unknown district 'Narnia'; known: Blaby"):
        register.resolve_district(reg, "Narnia")
    assert register.resolve_district(reg, "melton") == "Melton"
    with pytest.raises(ConfigError, match="unknown theme 'Parks'"):
        register.select_themes(reg, "safer, Parks")
    assert list(register.select_themes(reg, "Safer,older_people")["theme"]) == \
        ["older_people", "safer"]
