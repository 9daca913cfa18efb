"""The printed appendix as a board member reads it: badges inside their cells, no page ending
on a heading, each section starting its own page under the right running header, table
text at 9pt or more, every chart segment labelled, and the contents list complete.

The checks read each page's structure tree (the PDF is tagged, :mod:`tests.test_pdf_tags`),
so every character is known by the element it belongs to. The demo is the README's, run once
per session (``laa1_run``, tests/conftest.py: its PDF's facts are read once, and shared with
tests/test_pdf_pages.py); the fast tests at the end need no demo.
"""

from __future__ import annotations

import re

import pytest

from pipeline.report.pages import add_contents, number_sections
from tests.pdf_checks import HEADING, content_chars, furniture_text, page_elements
from tests.pdf_page_checks import badges as badges_on
from tests.pdf_page_checks import cell_of, headings_alone_at_the_foot, innermost, is_badge_fill

PORTRAIT = ("1. ", "2. ", "5. ", "10. ")       # sections printed wholly on portrait pages
LANDSCAPE = ("4. ", "6. ", "7. ", "8. ", "9. ", "11. ")  # and wholly on landscape pages
MIN_TABLE_PT = 9.0


def badge_overlaps(pdf) -> list[str]:
    """Badges (RAG-coloured boxes) drawn over the text of a cell to the right of their own.

    A badge's own cell is the one whose text starts first at or after the badge's left
    edge. Text of a cell to the left may pass under a badge: a compact badge's label for
    screen readers is drawn clipped to nothing beside its letter (characters are in the
    PDF, not on the paper), so only cells to the right count.
    """
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        elements = page_elements(page)
        cell = cell_of(elements)
        starts: dict[int, float] = {}
        for char in page.chars:
            if id(char) in cell:
                starts[cell[id(char)]] = min(starts.get(cell[id(char)], 1e9), char["x0"])
        for shape in page.rects + page.curves:
            if not shape.get("fill") or not is_badge_fill(shape.get("non_stroking_color")):
                continue
            inside = {cell[id(c)] for c in page.chars if id(c) in cell
                      and shape["x0"] <= (c["x0"] + c["x1"]) / 2 <= shape["x1"]
                      and shape["top"] <= (c["top"] + c["bottom"]) / 2 <= shape["bottom"]}
            own = min((starts[i] for i in inside if starts[i] >= shape["x0"] - .5),
                      default=None)
            later = [i for i in inside if own is not None and starts[i] > own]
            if later:
                texts = " / ".join(elements[i].text[:40] for i in sorted(inside))
                found.append(f"page {number}: a badge covers the next cell's text: {texts}")
    return found


def near_orphans(pdf) -> list[str]:
    """Pages whose last heading is followed by a table that goes on over the page after
    fewer than two of its body rows."""
    found = []
    pages = [(page, page_elements(page)) for page in pdf.pages]
    for number, (_, elements) in enumerate(pages[:-1], start=1):
        heads = [i for i, e in enumerate(elements) if HEADING.match(e.type) and e.text.strip()]
        if not heads:
            continue
        after = elements[heads[-1] + 1:]
        tables = [i for i, e in enumerate(after) if e.type == "Table"]
        if not tables:
            continue
        rows = [e for e in after[tables[0]:] if e.type == "TR" and "TBody" in e.path
                and e.text.strip()]
        next_page, next_elements = pages[number]
        chars = content_chars(next_page, next_elements)
        owner = innermost(next_elements)
        first = min(chars, key=lambda c: (c["top"], c["x0"]), default=None)
        goes_on = first is not None and "Table" in owner[id(first)].path
        if goes_on and len(rows) < 2:
            found.append(f"page {number}: {elements[heads[-1]].text[:50]!r} then "
                         f"{len(rows)} row(s)")
    return found


def sections_by_page(pdf) -> list[tuple[str, str, bool]]:
    """Per page: its section, its running header (top right) and whether the page is
    landscape. A page on which a section heading (H2) is printed is that section's (the
    first begun on it: a section runs on below a short end of the one before, rather than
    leave a page mostly blank); any other page belongs to the last section begun before it."""
    out = []
    current = ""
    for page in pdf.pages:
        elements = page_elements(page)
        heads = [e for e in elements if e.type == "H2" and e.text.strip()]
        if heads:
            current = heads[0].text.strip()
        out.append((current, furniture_text(page, elements), page.width > page.height))
        if heads:
            current = heads[-1].text.strip()
    return out


def table_body_sizes(pdf) -> list[float]:
    """The font size of every character of text in a table body cell (a chart's own
    lettering, inside a figure, left out)."""
    sizes = []
    for page in pdf.pages:
        owner = innermost(page_elements(page))
        for char in page.chars:
            kinds = ({owner[id(char)].type, *owner[id(char)].path} if id(char) in owner
                     else set())
            if "TBody" in kinds and "Figure" not in kinds and char["text"].strip():
                sizes.append(char["size"])
    return sizes


@pytest.fixture(scope="module")
def demo(laa1_run):
    return laa1_run


@pytest.fixture(scope="module")
def pdf(demo, pdf_facts):
    return pdf_facts(demo["report"] / "appendix.pdf")


@pytest.mark.slow
def test_no_badge_overlaps_the_text_of_another_cell(pdf):
    assert badge_overlaps(pdf) == []


@pytest.mark.slow
def test_the_reward_grant_badge_not_available_keeps_to_its_column(pdf):
    page = next(p for p in pdf.pages if "Appendix 2: reward target list" in (p.extract_text()
                                                                             or ""))
    words = page.extract_words()
    badges = [s for s in page.rects + page.curves if s.get("fill")
              and is_badge_fill(s.get("non_stroking_color"))]
    header = next(w for w in words if w["text"] == "RAG")            # the table's header row
    column = min(w["x0"] for w in words if w["text"] == "Reward"     # "Reward target"
                 and abs(w["top"] - header["top"]) < 2)
    assert badges and max(s["x1"] for s in badges) < column
    # the box holds the letter alone, on one line; its words ("Not available for
    # reporting") follow as text, wrapping within the RAG column (tests/test_pdf_pages.py
    # fails on text run together with the next cell's, on every page)
    tallest = max(s["bottom"] - s["top"] for p in pdf.pages for s in badges_on(p))
    assert 9 < tallest < 2 * 9


@pytest.mark.slow
def test_no_page_ends_with_a_heading_caption_or_table_header(pdf):
    assert headings_alone_at_the_foot(pdf) == []


@pytest.mark.slow
def test_no_heading_is_left_with_under_two_rows_of_its_table(pdf):
    assert near_orphans(pdf) == []


@pytest.mark.slow
def test_each_page_runs_under_the_header_of_its_section(pdf):
    pages = sections_by_page(pdf)
    # a long title is cut at a word with an ellipsis, so the header stays on one line
    wrong = [(n, section, header) for n, (section, header, _) in enumerate(pages, start=1)
             if n > 1 and section and header != section and not (
                 header.endswith("…") and section.startswith(header[:-1] + " "))]
    assert wrong == []
    starts = {}
    for n, page in enumerate(pdf.pages, start=1):
        for element in page_elements(page):
            if element.type == "H2" and re.match(r"\d+\.", element.text.strip()):
                starts[element.text.strip()] = n
    assert [s.split()[0] for s in starts] == [f"{n}." for n in range(1, 13)]  # 12: glossary
    for section, _, landscape in pages:
        if section.startswith(PORTRAIT):
            assert not landscape, section
        if section.startswith(LANDSCAPE):
            assert landscape, section


@pytest.mark.slow
def test_table_body_text_is_at_least_9pt(pdf):
    assert table_body_sizes(pdf) and min(table_body_sizes(pdf)) >= MIN_TABLE_PT - 0.05


@pytest.mark.slow
def test_every_segment_of_the_risk_chart_carries_its_count(demo):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*class="chart rag-chart".*?</svg>', html, re.S).group(0)
    segments = [t for t in re.findall(r"<rect [^>]*>", svg) if 'height="18"' in t]
    labels = [t for t, n in re.findall(r"(<text [^>]*>)(\d+)</text>", svg)
              if 'font-weight="bold"' in t and 'text-anchor="middle"' in t]
    assert len(segments) == len(labels) == 24     # the 7 themes' non-empty segments
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html[html.index(svg):], re.S)
    assert "every segment carries its count," not in caption.group(1)
    assert ("Children and Young People 27 green, 7 amber, 1 red, 1 not available for "
            "reporting; Cleaner and Greener") in svg      # the title: the PDF's alt text


@pytest.mark.slow
def test_contents_list_the_lineage_in_the_html_but_not_in_the_pdf(demo, pdf):
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    contents = html[re.search(r'<nav[^>]*class="contents"', html).start():
                    html.index("</nav>")]
    listed = re.findall(r'<li[^>]*><a href="#([^"]+)">(\d+)\.', contents)
    assert [n for _, n in listed] == [str(n) for n in range(1, 13)]
    lineage = re.search(r'<li class="screen-only"><a href="#([^"]+)">Annex: where each figure '
                        r"comes from</a></li></ol>", contents)   # the last entry, unnumbered
    assert lineage and f'id="{lineage.group(1)}"' in html
    printed = pdf.pages[0].extract_text()
    assert "11. Partnership directory" in printed
    assert "12. Glossary" in printed
    assert "where each figure comes from" not in printed


def test_add_contents_gives_an_unnamed_heading_an_id_and_marks_screen_only_sections():
    body = ('<nav class="contents"><h2 class="contents-title">Contents</h2>'
            "<!-- laa:contents --></nav>"
            '<div class="cell border-box-sizing text_cell rendered">'
            '<h2 id="One">One</h2></div>'
            '<div class="cell border-box-sizing text_cell rendered celltag_screen-only">'
            '<h2 class="lineage-heading">Where &amp; why</h2></div>'
            '<div class="cell border-box-sizing text_cell rendered"><h2>Three</h2></div>')
    out = add_contents(number_sections(body))
    assert ('<ol><li><a href="#One">1. One</a></li><li class="screen-only">'
            '<a href="#where-why">Where &amp; why</a></li>'
            '<li><a href="#2-three">2. Three</a></li></ol>') in out
    assert '<h2 id="where-why" class="lineage-heading">Where &amp; why</h2>' in out
    assert ">Contents</a>" not in out
