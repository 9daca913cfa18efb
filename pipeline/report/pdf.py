"""The PDF engine: the only module that imports WeasyPrint (from PyPI; it needs Pango)."""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, target: Path) -> Path:
    """Print ``html`` to a PDF at ``target`` with WeasyPrint (no LaTeX, no browser).

    No base URL is given: nothing is fetched, and relative links (to the data-quality
    report) stay relative in the PDF instead of naming the folder it was built in.
    """
    from weasyprint import HTML

    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=None).write_pdf(target)
    return target
