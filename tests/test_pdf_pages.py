"""Every page of every PDF both demos write is clean (issue 22 item 4): no cells whose text
runs together, no text cut by its badge or past the page's edge, no heading or theme row
alone at a page's foot, no table row split over two pages, no page left mostly blank.

The PDFs are found by globbing each demo's reports folder (appendix, summary, district
pack, and whatever else a run prints), not from a list. The checks
(:mod:`tests.pdf_page_checks`) are first shown to fail on small Typst documents made with
each defect, and to pass on a clean one.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from pipeline.config import find_project_root
from pipeline.report.charts import RAG_STYLE
from pipeline.report.pdf import typeset_pdf
from tests.pdf_page_checks import (
    BLANK_SHARE,
    clipped_text,
    headings_alone_at_the_foot,
    mostly_blank_pages,
    rows_split_across_pages,
    run_together_cells,
)

ROOT = find_project_root()
PAGE_CHECKS = {"run-together cells": run_together_cells, "clipped text": clipped_text,
               "a heading alone at the foot": headings_alone_at_the_foot,
               "a mostly blank page": mostly_blank_pages}
PREAMBLE = """#set document(title: "Layout check")
#set text(lang: "en", font: ("DejaVu Sans",), size: 9pt)
#set page(paper: "a4", margin: (top: 19mm, bottom: 17mm, x: 14mm))
= Layout check
"""


def _problems(path: Path) -> dict[str, list[str]]:
    """What each check finds in the PDF at ``path`` (only the checks that find something)."""
    found = {"a row split across pages": rows_split_across_pages(path)}
    with pdfplumber.open(path) as pdf:
        found.update({name: check(pdf) for name, check in PAGE_CHECKS.items()})
    return {name: problems for name, problems in found.items() if problems}


def _typeset(tmp_path: Path, body: str) -> Path:
    target = tmp_path / "check.pdf"
    target.write_bytes(typeset_pdf(PREAMBLE + body))
    return target


# The checks fail on a bad page and pass on a clean one ----------------------------------

def test_a_clean_document_passes_every_check(tmp_path):
    body = ("#table(columns: (1fr, 60pt, 60pt), table.header([Indicator], [Melton], "
            "[County]), ..range(30).map(i => ([Indicator #i], [8,563], [112,930])).flatten())")
    assert _problems(_typeset(tmp_path, body)) == {}


def test_figures_overflowing_a_narrow_column_run_together(tmp_path):
    body = ("#table(columns: (18pt, 40pt), table.header([A], [B]), "
            "[8,563], [112,930])")
    found = _problems(_typeset(tmp_path, body))
    assert list(found) == ["run-together cells"]
    assert "'8,563' runs into '112,930'" in found["run-together cells"][0]


def test_text_past_the_margin_and_a_word_cut_by_its_badge_are_clipped(tmp_path):
    fill = RAG_STYLE["G"][0]
    body = (f'#pad(right: -30mm)[{"word " * 200}]\n'
            f'#box(fill: rgb("{fill}"), width: 14pt, inset: 1pt)[#text(fill: white)[Green]]')
    found = clipped_text(pdfplumber.open(_typeset(tmp_path, body)))
    assert len(found) == 2
    assert "outside the text area" in found[0] and "a badge's edge cuts" in found[1]


def test_a_heading_and_a_theme_row_alone_at_a_page_foot_are_found(tmp_path):
    heading = ("#show heading: set block(sticky: false)\n#block(height: 238mm, width: 100%)\n"
               "== Alone\n#block(breakable: false, height: 60mm)[#lorem(20)]\n")
    found = _problems(_typeset(tmp_path, heading))
    assert list(found) == ["a heading alone at the foot"]
    assert "'Alone'" in found["a heading alone at the foot"][0]
    group = ("#block(height: 225mm, width: 100%)\n#table(columns: (1fr, 1fr), "
             "table.header([Indicator], [Value]), table.cell(colspan: 2)[Safer], "
             "table.cell(breakable: false)[#lorem(60)], [1])")
    found = _problems(_typeset(tmp_path, group))
    assert list(found) == ["a heading alone at the foot"]
    assert "group row" in found["a heading alone at the foot"][0]


def test_a_row_split_over_two_pages_is_found(tmp_path):
    body = ("#block(height: 230mm, width: 100%)\n#table(columns: (1fr, 1fr), "
            "table.header([Indicator], [Commentary]), [7.21], [#lorem(300)])")
    assert rows_split_across_pages(_typeset(tmp_path, body)) == [
        "a table row runs from page 1 to page 2"]


def test_a_page_ending_in_its_top_30_percent_is_mostly_blank(tmp_path):
    assert BLANK_SHARE == 0.30
    body = f"#lorem(40)\n#pagebreak()\n#block(height: 90mm, width: 100%)\n{'word ' * 30}" \
           f"\n#pagebreak()\n#lorem(40)"                # page 1: ~5% full; page 2: ~37%
    found = _problems(_typeset(tmp_path, body))
    assert list(found) == ["a mostly blank page"]
    assert [m.split(" is ")[0] for m in found["a mostly blank page"]] == ["page 1"]


# Both demos: every PDF they print --------------------------------------------------------

@pytest.fixture(scope="module")
def printed(laa1_run, laa2_run) -> dict[str, list[Path]]:
    """Both demos run with the README's commands (once per session, in conftest), and the
    PDFs each wrote, globbed."""
    return {name: sorted(run["report"].rglob("*.pdf"))
            for name, run in (("laa1", laa1_run), ("laa2", laa2_run))}


@pytest.mark.slow
def test_both_demos_print_their_board_documents(printed):
    names = {demo: {p.name for p in pdfs} for demo, pdfs in printed.items()}
    assert {"appendix.pdf", "summary.pdf", "district-pack.pdf"} <= names["laa1"]
    assert {"appendix.pdf", "summary.pdf"} <= names["laa2"]


@pytest.mark.slow
def test_every_page_of_every_pdf_is_clean(printed):
    found = {f"{demo}/{path.name}": _problems(path) for demo, pdfs in printed.items()
             for path in pdfs}
    assert {name: problems for name, problems in found.items() if problems} == {}
