"""Every page of every PDF both demos write is clean (issue 22 item 4): no cells whose text
runs together, no text cut by its badge or past the page's edge, no heading or theme row
alone at a page's foot, no table row split over two pages, no page left mostly blank.

The PDFs are found by globbing each demo's reports folder (appendix, summary, district
pack, and whatever else a run prints), not from a list. The checks
(:mod:`tests.pdf_page_checks`) are first shown to fail on small Typst documents made with
each defect, and to pass on a clean one.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pipeline.report.charts import RAG_STYLE
from pipeline.report.pdf import typeset_pdf
from tests.pdf_checks import UNPICKLED, PdfFacts, page_elements, read_pdf
from tests.pdf_page_checks import (
    BLANK_SHARE,
    MIN_FILL,
    clipped_text,
    headings_alone_at_the_foot,
    mostly_blank_pages,
    rows_split_across_pages,
    run_together_cells,
    running_headers_on_two_lines,
    underfilled_pages,
)

PAGE_CHECKS = {"run-together cells": run_together_cells, "clipped text": clipped_text,
               "a heading alone at the foot": headings_alone_at_the_foot,
               "a mostly blank page": mostly_blank_pages,
               "a running header on two lines": running_headers_on_two_lines,
               "a page under a quarter full": underfilled_pages}
PREAMBLE = """#set document(title: "Layout check")
#set text(lang: "en", font: ("DejaVu Sans",), size: 9pt)
#set page(paper: "a4", margin: (top: 19mm, bottom: 17mm, x: 14mm))
= Layout check
"""


def _problems(path: Path, pdf: PdfFacts | None = None) -> dict[str, list[str]]:
    """What each check finds in the PDF at ``path`` (only the checks that find something),
    from what was read of it (``pdf``, else read here)."""
    pdf = pdf or read_pdf(path)
    found = {"a row split across pages": rows_split_across_pages(path)}
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
    import pdfplumber

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
    assert sorted(found) == ["a mostly blank page", "a page under a quarter full"]
    assert [m.split(" is ")[0] for m in found["a mostly blank page"]] == ["page 1"]
    assert [m.split(" is ")[0] for m in found["a page under a quarter full"]] == ["page 1"]


TURN = ("#v(38mm)\n#lorem(20)\n#page(flipped: true)[{start}#table(columns: 8, "
        "table.header(..range(8).map(i => [Column #i])), ..range(80).map(i => [#i]))]\n"
        "#lorem(300)")


def test_a_short_page_before_a_turn_passes_only_when_the_wide_page_starts_with_its_table(
        tmp_path):
    """A portrait page filled a fifth of the way, then a landscape page: when that page
    starts with its table (nothing of it could be set on the portrait page) the short page
    is allowed; when it starts with a heading and a paragraph that would have fitted under
    the short page's text, the page is under a quarter full."""
    assert MIN_FILL == 0.25
    allowed = _problems(_typeset(tmp_path, TURN.format(start="")))
    assert allowed == {}
    preface = "== A wide section\n#lorem(40)\n"
    found = _problems(_typeset(tmp_path, TURN.format(start=preface)))
    assert list(found) == ["a page under a quarter full"]
    assert found["a page under a quarter full"] == ["page 1 is filled to 20%, under 25%"]
    # the same short page followed by a portrait page: the mostly-blank check's too
    short = "#v(38mm)\n#lorem(20)\n#pagebreak()\n#lorem(300)\n#pagebreak()\nend"
    found = _problems(_typeset(tmp_path, short))
    assert sorted(found) == ["a mostly blank page", "a page under a quarter full"]


def test_a_running_header_wrapped_onto_two_lines_is_found(tmp_path):
    header = ("#set page(header: text(size: 7.5pt, grid(columns: (1fr, auto), "
              "column-gutter: 12pt, [Leicestershire Together · Self-assessment 2006-07 Q4 · "
              "Board 3 September 2007], [3. Reward targets and performance reward grant at "
              "risk])))\n")

    def typeset(header: str) -> Path:
        target = tmp_path / "header.pdf"
        source = PREAMBLE.replace("= Layout check", header + "= Layout check")
        target.write_bytes(typeset_pdf(source + "#lorem(600)"))
        return target

    found = _problems(typeset(header))
    assert list(found) == ["a running header on two lines"]
    assert found["a running header on two lines"][0].startswith(
        "page 1: the running header takes 2 lines")
    assert _problems(typeset(header.replace("grant at risk", "grant…"))) == {}


def test_what_is_read_once_and_kept_is_what_pdfplumber_reads(tmp_path):
    """The facts the checks share (read once, pickled between workers) are pdfplumber's:
    the same characters, shapes, text, words and structure elements, and every check finds
    the same in both."""
    import pdfplumber

    fill = RAG_STYLE["G"][0]
    path = _typeset(tmp_path, "#table(columns: (18pt, 40pt), table.header([A], [B]), "
                    f"[8,563], [112,930])\n#box(fill: rgb(\"{fill}\"), width: 14pt)[Green]"
                    "\n#pagebreak()\n#lorem(40)")
    kept = pickle.loads(pickle.dumps(read_pdf(path)))
    with pdfplumber.open(path) as pdf:
        assert len(kept.pages) == len(pdf.pages) == 2
        for facts, page in zip(kept.pages, pdf.pages, strict=True):
            assert facts.extract_text() == page.extract_text()
            assert facts.extract_words() == page.extract_words()
            for kind in ("chars", "rects", "curves", "images"):
                assert getattr(facts, kind) == [
                    {k: v for k, v in o.items() if k not in UNPICKLED}
                    for o in getattr(page, kind)], kind
            assert [(e.type, e.path, e.row, e.text) for e in facts.elements] == [
                (e.type, e.path, e.row, e.text) for e in page_elements(page)]
        assert len(kept.pages[0].chars) > 10 and kept.pages[0].elements
        found = {name: check(kept) for name, check in PAGE_CHECKS.items()}
        assert found == {name: check(pdf) for name, check in PAGE_CHECKS.items()}
        assert found["run-together cells"] and found["clipped text"]


# Both demos: every PDF they print --------------------------------------------------------

# (the fixture `printed`, both demos' PDFs, is the session's: tests/conftest.py)


@pytest.mark.slow
def test_both_demos_print_their_board_documents(printed):
    names = {demo: {p.name for p in pdfs} for demo, pdfs in printed.items()}
    assert {"appendix.pdf", "summary.pdf", "district-pack.pdf"} <= names["laa1"]
    assert {"appendix.pdf", "summary.pdf"} <= names["laa2"]


@pytest.mark.slow
def test_every_page_of_every_pdf_is_clean(printed, pdf_facts):
    # the smallest PDFs' facts read first and the LAA1 appendix's (10 s) last: the files
    # next to this one (tests/test_pdf_layout.py, tests/test_pdf_tags.py) read only that
    # one, and a worker that reads it for them meanwhile is then not waited for while the
    # other four could be read here
    pdfs = sorted(((demo, path) for demo, paths in printed.items() for path in paths),
                  key=lambda pdf: pdf[1].stat().st_size)
    found = {f"{demo}/{path.name}": _problems(path, pdf_facts(path)) for demo, path in pdfs}
    assert len(found) == sum(len(paths) for paths in printed.values())
    assert {name: problems for name, problems in found.items() if problems} == {}
