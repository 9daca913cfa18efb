"""The PDF engine: the only module that imports Typst (the ``typst`` package from PyPI, which
embeds the compiler: no LaTeX, no browser, no system library).

The PDF is typeset from the HTML page itself (:mod:`pipeline.report.typeset` converts it),
so HTML and PDF tell the same story. It is tagged PDF/UA-1: Typst checks the standard while
it compiles and writes the structure tree (headings, tables with header cells, figures with
the alternative text of each chart's SVG ``<title>``), the document's language and title,
bookmarks, and marks page furniture as artefacts. Whatever Typst reports as an error (an
image without alternative text, a link to nothing) stops the print with :class:`PdfError`,
so no untagged or broken PDF is published.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import StageFailed
from pipeline.report.typeset import TypesetError, html_to_typst

PDF_STANDARD = "ua-1"


class PdfError(StageFailed):
    """Typst reported errors while printing the PDF (accessibility or broken links)."""


def typeset_pdf(source: str) -> bytes:
    """Compile Typst ``source`` to a tagged PDF/UA-1; :class:`PdfError` on any error."""
    import typst

    try:
        return typst.compile(source.encode("utf-8"), pdf_standards=[PDF_STANDARD])
    except typst.TypstError as exc:
        raise PdfError(f"the PDF could not be printed as tagged PDF/{PDF_STANDARD.upper()}: "
                       f"{str(exc).strip()[:400]}") from None


def write_pdf(html: str, target: Path) -> Path:
    """Print the HTML page ``html`` to a tagged PDF/UA-1 at ``target``.

    Relative links (to the data-quality report) stay relative in the PDF; nothing is
    fetched.

    Raises
    ------
    PdfError
        When Typst reports an error while printing (for PDF/UA: an image without
        alternative text; or an internal link to no anchor). Nothing is left at ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = typeset_pdf(html_to_typst(html))
    except TypesetError as exc:
        target.unlink(missing_ok=True)
        raise PdfError(f"the PDF could not be printed as tagged PDF/{PDF_STANDARD.upper()}: "
                       f"{exc}", file=target.name) from None
    except PdfError as exc:
        target.unlink(missing_ok=True)
        raise exc.with_context(file=target.name) from None
    target.write_bytes(data)
    return target
