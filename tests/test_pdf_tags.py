"""The PDF is tagged PDF/UA-1 (structure tree, language, title, bookmarks, alt text) and a
page the PDF cannot print faithfully is refused (:mod:`pipeline.report.pdf`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.report.pdf import PdfError, write_pdf
from tests.pdf_checks import pdf_ua_problems

SQUARE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" role="img">'
          '<title>A black square</title><rect width="10" height="10"/></svg>')
PAGE = ('<!DOCTYPE html><html{lang}><head><title>A small report</title></head><body>'
        "<h1>Report</h1><h2>1. Figures</h2><table><thead><tr><th scope=\"col\">Theme</th>"
        "<th scope=\"col\">Count</th></tr></thead><tbody><tr><th scope=\"row\">Safer</th>"
        "<td>3</td></tr></tbody></table>{extra}</body></html>")


def _page(lang: str = ' lang="en-GB"', extra: str = SQUARE) -> str:
    return PAGE.format(lang=lang, extra=extra)


def test_a_small_page_prints_as_tagged_pdf_ua(tmp_path):
    target = write_pdf(_page(), tmp_path / "small.pdf")
    assert pdf_ua_problems(target) == []


def untagged(source: Path, target: Path) -> Path:
    """A copy of the PDF at ``source`` with its tagging and accessibility metadata removed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(source))
    for key in ("/StructTreeRoot", "/MarkInfo", "/Metadata", "/ViewerPreferences"):
        writer._root_object.pop(NameObject(key), None)
    writer.write(target)
    return target


def test_the_same_page_untagged_fails_the_check(tmp_path):
    target = untagged(write_pdf(_page(), tmp_path / "small.pdf"), tmp_path / "plain.pdf")
    problems = pdf_ua_problems(target)
    assert "no structure tree (StructTreeRoot)" in problems
    assert "MarkInfo Marked is not true" in problems
    assert "the XMP does not say pdfuaid:part 1" in problems
    assert "ViewerPreferences DisplayDocTitle is not true" in problems
    assert "no Table with TH cells" in problems


@pytest.mark.parametrize(("page", "said"), [
    (_page(lang=""), 'required "lang"'),
    (_page(extra='<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5v'
                 'cmcvMjAwMC9zdmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4=">'), "no required alt"),
    (_page(extra='<a href="#nowhere">a link to nothing</a>'), "No anchor #nowhere"),
])
def test_pages_the_pdf_cannot_print_faithfully_are_refused_and_leave_no_pdf(tmp_path, page, said):
    target = tmp_path / "bad.pdf"
    with pytest.raises(PdfError, match="tagged PDF/UA-1") as raised:
        write_pdf(page, target)
    assert said in str(raised.value)
    assert not target.exists()


@pytest.mark.slow
def test_the_demo_appendix_summary_and_district_pack_are_tagged_pdf_ua(appendix_demo):
    demo = appendix_demo
    assert pdf_ua_problems(demo["report"] / "appendix.pdf") == []
    assert pdf_ua_problems(demo["report"] / "summary.pdf") == []
    assert pdf_ua_problems(demo["pack"] / "district-pack.pdf") == []


@pytest.mark.slow
def test_the_demo_untagged_or_with_a_figure_stripped_of_its_alt_fails_the_check(
        appendix_demo, tmp_path):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    demo = appendix_demo
    problems = pdf_ua_problems(untagged(demo["report"] / "appendix.pdf", tmp_path / "a.pdf"))
    assert "no structure tree (StructTreeRoot)" in problems
    assert "MarkInfo Marked is not true" in problems
    assert "the title is not in the XMP metadata (dc:title)" in problems
    writer = PdfWriter(clone_from=PdfReader(demo["report"] / "summary.pdf"))
    stack = [writer._root_object["/StructTreeRoot"]]
    while stack:                                 # the first Figure loses its Alt
        node = stack.pop().get_object()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif hasattr(node, "get") and node.get("/S") == "/Figure":
            del node[NameObject("/Alt")]
            break
        elif hasattr(node, "get") and "/K" in node:
            stack.append(node["/K"])
    writer.write(tmp_path / "s.pdf")
    assert "1 of 1 Figure(s) without Alt" in pdf_ua_problems(tmp_path / "s.pdf")


BADGES = ('<span class="rag rag-G" title="Green"><span class="rag-letter">G</span>'
          '<span class="sr-only"> Green</span></span>')
THEMED = ("<table class=\"block-table\"><caption>Block 1: Safer</caption><thead><tr>"
          "<th scope=\"col\">Indicator</th><th scope=\"col\">Final RAG</th></tr></thead>"
          "<tbody><tr class=\"theme-row\"><th colspan=\"2\" scope=\"rowgroup\">Crime</th></tr>"
          "<tr><th scope=\"row\">7.1</th><td>{badge}</td></tr></tbody>"
          "<tbody><tr class=\"theme-row\"><th colspan=\"2\" scope=\"rowgroup\">Fires</th></tr>"
          "<tr><th scope=\"row\">7.10</th><td>{badge}</td></tr></tbody></table>"
          "<p>See <a href=\"data-quality/scorecard.html\">the data-quality report</a> or "
          "<a href=\"https://example.org/guide\">the guidance</a>.</p>")


def _cells(path: Path) -> list:
    import pdfplumber

    from tests.pdf_checks import page_elements

    with pdfplumber.open(path) as pdf:
        return [e for page in pdf.pages for e in page_elements(page)]


def _holds_a_figure(elements: list, index: int) -> bool:
    """True when the element at ``index`` holds a Figure (a trend chart in a cell: its
    letter is part of a drawing described by its alternative text)."""
    depth = len(elements[index].path)
    for element in elements[index + 1:]:
        if len(element.path) <= depth:
            return False
        if element.type == "Figure":
            return True
    return False


def test_a_compact_badge_prints_its_word_and_theme_rows_and_captions_are_tagged(tmp_path):
    """The badge's word is the PDF's text (not a bare "G"); the caption is the table's
    Caption; each theme row is a header cell (TH) of its own row group."""
    from pypdf import PdfReader

    from tests.pdf_checks import _struct_elements

    target = write_pdf(_page(extra=THEMED.format(badge=BADGES)), tmp_path / "badges.pdf")
    assert pdf_ua_problems(target) == []
    elements = _cells(target)
    badges = [e.text.replace(" ", "") for e in elements if e.type == "TD"]
    assert [b for b in badges if b.startswith("G")] == ["GGreen", "GGreen"], badges
    themes = [e.text for e in elements if e.type == "TH" and e.text in ("Crime", "Fires")]
    assert themes == ["Crime", "Fires"]
    tree = _struct_elements(PdfReader(target).trailer["/Root"]["/StructTreeRoot"])
    captions = [e for e in tree if e["type"] == "Caption"]
    assert len(captions) == 1 and captions[0]["path"][-1] == "Table"


def test_a_link_to_another_document_prints_as_words_and_a_web_link_stays(tmp_path):
    """A PDF sent on its own has no folder beside it: a relative link is no link, its words
    stay; a web address is still a link."""
    from pypdf import PdfReader

    target = write_pdf(_page(extra=THEMED.format(badge=BADGES)), tmp_path / "links.pdf")
    reader = PdfReader(target)
    uris = [a.get_object()["/A"].get("/URI") for page in reader.pages
            for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert uris == ["https://example.org/guide"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "See the data-quality report or the guidance." in text


@pytest.mark.slow
def test_no_table_cell_of_the_demo_appendix_is_a_bare_rag_letter(appendix_demo):
    """Before: 409 cells of the LAA1 appendix read "G" (or "A", "R", "N") alone. Every
    cell with a badge now holds its word; each HTML caption is a Caption of its Table."""
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    from pipeline.rag import RAG_LABELS
    from tests.pdf_checks import _struct_elements

    demo = appendix_demo
    elements = _cells(demo["report"] / "appendix.pdf")
    cells = [e.text.replace(" ", "") for i, e in enumerate(elements)
             if e.type in ("TD", "TH") and not _holds_a_figure(elements, i)]
    assert [c for c in cells if c in RAG_LABELS] == []
    worded = [c for c in cells if any(c.startswith(code + label.replace(" ", ""))
                                      for code, label in RAG_LABELS.items())]
    assert len(worded) > 100
    soup = BeautifulSoup((demo["report"] / "appendix.html").read_text(encoding="utf-8"),
                         "html.parser")
    printed = [c for c in soup.select("main caption") if not any(
        {"screen-only", "celltag_screen-only", "sr-only"} & set(p.get("class") or [])
        for p in [c, *c.parents])]
    tree = _struct_elements(PdfReader(demo["report"] / "appendix.pdf")
                            .trailer["/Root"]["/StructTreeRoot"])
    # a Caption of its Table, or (where Typst groups a figure, 2 of 25 in the demo) of the
    # Div that holds the caption beside its table
    captions = [e for e in tree if e["type"] == "Caption" and e["path"][-1] in ("Table", "Div")]
    assert len(captions) == len(printed) > 5
    assert sum(e["path"][-1] == "Table" for e in captions) > len(printed) / 2
