"""End-to-end: the demo appendix as HTML, PDF and tables (XLSX, CSV), with the seed's figures.

The demo is built once per session by :mod:`tests.appendix_build` (the four notebooks with
papermill, then :func:`pipeline.report.rendering.render_outputs`).
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from tests.appendix_build import HOSTILE_ACTIONS, STAMP

pytestmark = pytest.mark.slow

# The seed's Indicator Risk Summary totals and its Appendix 2 totals.
RISK_TOTALS = ["63 (63.6%)", "23 (23.2%)", "13 (13.1%)", "29"]
APPENDIX_2_TOTALS = ["£15,241,800.00", "£6,223,735.00"]


@pytest.fixture(scope="module")
def demo(appendix_demo):
    return appendix_demo


@pytest.fixture(scope="module")
def appendix_pdf(demo, pdf_text):
    """The appendix PDF opened (its metadata and page boxes) and its pages' text (the
    session's ``pdf_text``: extracted once, tests/conftest.py)."""
    from pypdf import PdfReader

    path = demo["report"] / "appendix.pdf"
    return PdfReader(path), pdf_text(path)


def test_render_writes_html_and_pdf_for_appendix_and_district_pack(demo):
    # the documents the notebook's last cell renders, in its order: rendered again from the
    # executed notebook below (test_pdf_and_html_are_the_same_bytes_when_rendered_again)
    assert all(p.stat().st_size > 1000 for p in demo["written"]) and len(demo["written"]) == 6
    print(f"the run took {demo['seconds']['run']:.1f} s")


def test_html_is_self_contained_and_shows_no_code(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    assert "import pandas" not in html and "store.read_frame" not in html
    # the partner's markup arrives as text
    assert "&lt;script&gt;window.__pwned = 1;" in html
    assert "&lt;img src=x onerror=" in html


def test_html_holds_the_seed_tables_chart_and_sections_in_order(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    totals = re.search(r'<tr class="totals">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', totals) == RISK_TOTALS
    for figure in APPENDIX_2_TOTALS:
        assert figure in html
    assert html.count('class="chart rag-chart"') == 1
    assert html.count('class="chart trend"') >= 90        # one per indicator with a value
    order = ["1. Overall assessment of progress", "Indicator Risk Summary",
             "2. Outcome risks", "Appendix 2: reward target list",
             "4. Reward targets: gap analysis",
             "5. Changes since the previous review", "6. Indicators by theme",
             "Block 1: Children and Young People", "Block 7: Safer Communities",
             "7. How we compare with other areas", "9. Pooled fund outturn",
             "10. Data quality", "11. Partnership directory"]
    assert html.index("<dt>Prepared</dt>") < html.index("</nav>")       # the cover, with contents
    contents = html[re.search(r'<nav[^>]*class="contents"', html).start():html.index("</nav>")]
    assert all(f">{t}</a>" in contents for t in order if t[0].isdigit())
    start = html.index("</nav>")
    places = [html.index(text, start) for text in order]
    assert places == sorted(places)
    assert 'href="data-quality/scorecard.html"' in html
    assert (demo["report"] / "data-quality" / "scorecard.html").is_file()
    assert STAMP in html


def test_pdf_pages_and_seed_totals_in_its_text(demo, appendix_pdf):
    reader, pages = appendix_pdf
    # up to 45 pages before issue 14 added the gap analysis (a table per theme, the options
    # and a chart: about 6 pages) and the pooled fund outturn (2 pages), and issue 15 the
    # benchmarking section (a table per theme with strip charts: about 7 pages)
    assert 25 <= len(pages) <= 64, len(pages)
    print(f"appendix.pdf: {len(pages)} pages")
    text = "\n".join(pages)
    summary_page = next(p for p in pages if "Indicator Risk Summary" in p and "Totals" in p)
    assert re.search(r"Totals\s+63 \(63\.6%\)\s+23 \(23\.2%\)\s+13 \(13\.1%\)\s+29",
                     summary_page), summary_page
    overall = re.search(r"Overall Total\s+(£[\d,.]+)\s+(£[\d,.]+)", text)
    assert overall and list(overall.groups()) == APPENDIX_2_TOTALS
    assert "Page 1 of" in pages[0] or f"Page 2 of {len(pages)}" in pages[1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert reader.metadata["/CreationDate"].startswith("D:20070630120000")
    assert reader.metadata["/Title"].startswith("Self-assessment appendix")
    # block tables are on landscape pages, the cover is portrait
    first = reader.pages[0].mediabox
    assert first.width < first.height
    block = next(i for i, p in enumerate(pages) if "Block 1: Children and Young People" in p)
    box = reader.pages[block].mediabox
    assert box.width > box.height


def test_pdf_and_html_are_the_same_bytes_when_rendered_again(demo, tmp_path):
    from pipeline.report.rendering import render_outputs

    again = render_outputs(demo["executed"], tmp_path, formats="html,pdf")
    names = [p.relative_to(tmp_path) for p in again]
    assert [n.as_posix() for n in names] == [
        "appendix.html", "appendix.pdf", "summary.html", "summary.pdf",
        "districts/melton/district-pack.html", "districts/melton/district-pack.pdf"]
    for relative in names:
        first = (demo["report"] / relative).read_bytes()
        assert hashlib.sha256(first).digest() == hashlib.sha256(
            (tmp_path / relative).read_bytes()).digest(), relative


def test_formats_can_be_html_only(demo, tmp_path):
    from pipeline.report.rendering import render_outputs

    written = render_outputs(demo["executed"], tmp_path, formats="html")
    assert [p.suffix for p in written] == [".html", ".html", ".html"]
    assert not list(tmp_path.rglob("*.pdf"))


def test_xlsx_has_a_formatted_sheet_per_table_with_the_seed_totals(demo):
    from openpyxl import load_workbook

    book = load_workbook(demo["report"] / "tables" / "appendix-tables.xlsx")
    names = book.sheetnames
    assert names[:4] == ["Cover", "Contents", "Notes", "Indicator Risk Summary"]
    assert names[4:9] == ["Red non-reward risks", "Red reward risks", "Amber reward risks",
                          "Appendix 2 reward grant", "Reward grant forecast"]
    assert sum(n.startswith("Block ") for n in names) == 7
    assert len(names) == len(set(names)) >= 15
    sheet = book["Indicator Risk Summary"]
    header = [c.value for c in sheet[4]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    totals = dict(zip(header, rows["Totals"], strict=True))
    assert [totals[c] for c in ("Green", "Amber", "Red", "Not available for reporting")] == \
        [63, 23, 13, 29]
    assert [totals[f"{c} % of rated"] for c in ("Green", "Amber", "Red")] == [63.6, 23.2, 13.1]
    assert sheet["A5"].font.b is False and sheet.cell(row=5 + 7, column=1).font.b is True
    assert sheet.freeze_panes == "A5"
    grant = book["Appendix 2 reward grant"]
    first = int(next(iter(grant.tables.values())).ref.split(":")[0][1:])   # under the note
    header = [c.value for c in grant[first]]
    overall = next(r for r in grant.iter_rows(min_row=first + 1)
                   if r[header.index("Reward target")]
                   .value == "Overall Total")
    money = [overall[header.index(c)] for c in ("All indicators (£)", "At risk (£)")]
    assert [c.value for c in money] == [15241800.0, 6223735.0]
    assert all(c.number_format == '"£"#,##0.00' for c in money)


def test_partner_text_is_text_in_the_workbook_and_neutralised_in_csv(demo):
    from openpyxl import load_workbook

    tables = demo["report"] / "tables"
    book = load_workbook(tables / "appendix-tables.xlsx")
    sheet = book["Red reward risks"]
    cells = [c for row in sheet.iter_rows(min_row=5) for c in row
             if c.value == HOSTILE_ACTIONS]
    assert cells, "the hostile actions text is in the sheet verbatim"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    raw = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert raw == []
    csv = pd.read_csv(tables / "03-red-reward.csv", dtype=str, keep_default_na=False,
                      encoding="utf-8-sig")
    assert "'" + HOSTILE_ACTIONS in set(csv["Actions"])
    assert not any(v.startswith(("=", "+", "@")) for v in csv.stack())


def test_every_table_has_a_csv_in_appendix_order(demo):
    tables = sorted(p.name for p in (demo["report"] / "tables").glob("*.csv"))
    assert tables[0] == "01-indicator-risk-summary.csv"
    assert "05-appendix-2-reward-grant.csv" in tables
    assert any(name.endswith("-partnership-directory.csv") for name in tables)
    csv = pd.read_csv(demo["report"] / "tables" / "05-appendix-2-reward-grant.csv",
                      encoding="utf-8-sig", keep_default_na=False)
    overall = csv[csv["Reward target"] == "Overall Total"].iloc[0]
    assert (overall["All indicators (£)"], overall["At risk (£)"]) == (15241800.0, 6223735.0)


def test_workbook_dates_are_the_generated_at_stamp(demo):
    import zipfile

    with zipfile.ZipFile(demo["report"] / "tables" / "appendix-tables.xlsx") as book:
        core = book.read("docProps/core.xml").decode("utf-8")
        dates = {info.date_time for info in book.infolist()}
    assert "2007-06-30T12:00:00Z" in core and dates == {(2007, 6, 30, 12, 0, 0)}


def test_theme_filter_recomputes_every_table_for_that_theme(demo, tmp_path):
    import papermill

    from pipeline.report.rendering import render_outputs
    from tests.appendix_build import MEETING, PERIOD, PREVIOUS, ROOT

    executed = tmp_path / "04_appendix.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "04_appendix.ipynb"), str(executed), parameters={
            "period": PERIOD, "meeting": MEETING, "previous_period": PREVIOUS,
            "data_dir": str(demo["data"]), "clean_dir": str(demo["root"] / "clean"),
            "reports_dir": str(tmp_path / "reports"), "generated_at": STAMP,
            "formats": "html", "theme": "safer", "district": ""},
        kernel_name="python3", progress_bar=False, log_output=False, cwd=str(ROOT))
    written = render_outputs(executed, tmp_path / "reports" / MEETING)
    assert [p.name for p in written] == ["appendix-safer.html", "summary-safer.html"]
    board = written[1].read_text(encoding="utf-8")
    assert "Themes shown: Safer." in board and "Board summary (Safer)" in board
    assert "£508,060.00" in board and "£15,241,800.00" not in board
    assert 'href="appendix-safer.html"' in board and 'href="appendix-safer.pdf"' not in board
    html = written[0].read_text(encoding="utf-8")
    assert "Themes shown: Safer." in html
    totals = re.search(r'<tr class="totals">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', totals) == [
        "9 (56.3%)", "2 (12.5%)", "5 (31.3%)", "8"]          # the seed's Safer row
    assert "56.3% of the indicators are on track" in html
    assert "Block 7: Safer Communities" in html and "Block 1:" not in html
    assert "£2,540,300.00" in html and "£508,060.00" in html and "£15,241,800.00" not in html
    assert 'href="data-quality/scorecard.html"' not in html    # no report beside this one
