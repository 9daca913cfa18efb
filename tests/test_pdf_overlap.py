"""Several PDFs printed at once (:func:`pipeline.report.pdf.write_pdfs`): Typst compiles one
page while the next is made, each gives the bytes it gives alone, and a page that fails
is named, in order, once the others are printed."""

from __future__ import annotations

import threading

import pytest

from pipeline.report import pdf
from pipeline.report.pdf import PdfError, write_pdf, write_pdfs
from tests.test_pdf_tags import _page

BAD = _page(extra='<a href="#nowhere">a link to nothing</a>')  # Typst: no anchor


def test_the_next_page_is_made_while_typst_compiles_the_one_before(tmp_path, monkeypatch):
    compiled = pdf.typeset_pdf
    second_made = threading.Event()
    seen: list[bool] = []
    calls: list[str] = []
    lock = threading.Lock()

    def compile_first_slowly(source: str) -> bytes:
        with lock:  # the second compile may start while the first still waits
            first = not calls
            calls.append(source)
        if first:  # the first page's compile waits (up to 30 s) for the next page
            seen.append(second_made.wait(timeout=30))
        return compiled(source)

    def pages():
        yield _page(), tmp_path / "one.pdf"
        second_made.set()  # only reached while the first page is compiling, or after it
        yield _page(extra=""), tmp_path / "two.pdf"

    monkeypatch.setattr(pdf, "typeset_pdf", compile_first_slowly)
    assert write_pdfs(pages()) == [tmp_path / "one.pdf", tmp_path / "two.pdf"]
    assert seen == [True]  # one at a time, the first compile would have waited in vain


def test_pages_printed_together_are_the_bytes_each_gives_alone(tmp_path):
    pages = [_page(), _page(extra=""), _page(lang=' lang="fr"')]
    together = write_pdfs((page, tmp_path / f"{n}.pdf") for n, page in enumerate(pages))
    for n, page in enumerate(pages):
        alone = write_pdf(page, tmp_path / f"alone-{n}.pdf")
        assert together[n].read_bytes() == alone.read_bytes()


def test_the_first_failing_page_is_named_and_leaves_no_pdf_the_others_are_printed(tmp_path):
    targets = [tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "worse.pdf",
               tmp_path / "last.pdf"]
    with pytest.raises(PdfError, match="No anchor #nowhere") as raised:
        write_pdfs(zip([_page(), BAD, _page(lang=""), _page()], targets, strict=True))
    assert raised.value.context["file"] == "bad.pdf"
    assert [t.exists() for t in targets] == [True, False, False, True]
