"""The PDF is tagged PDF/UA-1 (structure tree, language, title, bookmarks, alt text) and a
page the PDF cannot print faithfully is refused (:mod:`pipeline.report.pdf`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.report.pdf import PdfError, write_pdf
from tests.appendix_build import build_demo
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
def test_the_demo_appendix_summary_and_district_pack_are_tagged_pdf_ua(tmp_path_factory):
    demo = build_demo(tmp_path_factory.getbasetemp() / "appendix-demo")
    assert pdf_ua_problems(demo["report"] / "appendix.pdf") == []
    assert pdf_ua_problems(demo["report"] / "summary.pdf") == []
    assert pdf_ua_problems(demo["pack"] / "district-pack.pdf") == []


@pytest.mark.slow
def test_the_demo_untagged_or_with_a_figure_stripped_of_its_alt_fails_the_check(
        tmp_path_factory, tmp_path):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    demo = build_demo(tmp_path_factory.getbasetemp() / "appendix-demo")
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
