"""The PDF engine: the only module that imports WeasyPrint (from PyPI; it needs Pango).

The PDF is tagged (PDF/UA-1): WeasyPrint writes a structure tree (headings, tables with
header cells, figures with the alternative text of each chart's SVG ``<title>``), the
document's language from ``<html lang>``, its title in the document information and the
XMP metadata, bookmarks, and marks page furniture as artefacts. Whatever WeasyPrint
reports as an error while printing (a missing language or alternative text, a link to
nothing) stops the print with :class:`PdfError`, so no untagged or broken PDF is published.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.errors import StageFailed

PDF_VARIANT = "pdf/ua-1"


class PdfError(StageFailed):
    """WeasyPrint reported errors while printing the PDF (accessibility or broken links)."""


class _Collect(logging.Handler):
    """Keeps the messages of the records it is given (ERROR and above)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def write_pdf(html: str, target: Path) -> Path:
    """Print ``html`` to a tagged PDF/UA-1 at ``target`` with WeasyPrint (no LaTeX, no browser).

    No base URL is given: nothing is fetched, and relative links (to the data-quality
    report) stay relative in the PDF instead of naming the folder it was built in.

    Raises
    ------
    PdfError
        When WeasyPrint logs any error while printing (for PDF/UA: a missing ``lang``,
        an image without alternative text; or an internal link to no anchor). Nothing is
        left at ``target`` then.
    """
    from weasyprint import HTML

    target.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        HTML(string=html, base_url=None).write_pdf(target, pdf_variant=PDF_VARIANT)
    finally:
        logger.removeHandler(collect)
    if collect.messages:
        target.unlink(missing_ok=True)
        shown = "; ".join(sorted(set(collect.messages))[:5])
        raise PdfError(f"the PDF could not be printed as tagged {PDF_VARIANT.upper()}: "
                       f"{len(collect.messages)} error(s) from WeasyPrint: {shown}",
                       file=target.name)
    return target
