"""The PDF engine: the only module that imports Typst (the ``typst`` package from PyPI, which
embeds the compiler: no LaTeX, no browser, no system library).

The PDF is typeset from the HTML page itself (:mod:`pipeline.report.typeset` converts it),
so HTML and PDF tell the same story. It is tagged PDF/UA-1: Typst checks the standard while
it compiles and writes the structure tree (headings, tables with header cells, figures with
the alternative text of each chart's SVG ``<title>``), the document's language and title,
bookmarks, and marks page furniture as artefacts; the tables' row headers are tagged
after it (:mod:`pipeline.report.pdf_structure`). Whatever Typst reports as an error (an
image without alternative text, a link to nothing) stops the print with :class:`PdfError`,
so no untagged or broken PDF is published.

The PDF is set in the DejaVu faces shipped in :data:`FONT_DIR` (with their licence), and in
no other font: neither the machine's nor Typst's own, so the same source gives the same PDF
on any machine. A font Typst cannot find there (its warning ``unknown font family``) stops
the print too, rather than setting the PDF in whatever font is at hand.
"""

from __future__ import annotations

import bisect
import functools
import struct
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import StageFailed
from pipeline.report.pdf_structure import StructureError, mark_row_headers
from pipeline.report.typeset import FONTS, typeset_page
from pipeline.report.typeset_inline import TypesetError

PDF_STANDARD = "ua-1"
FONT_DIR = Path(__file__).resolve().parent / "fonts"   # the only fonts the PDFs are set in


class PdfError(StageFailed):
    """Typst reported errors while printing the PDF (accessibility or broken links)."""


def _cmap_ranges(path: str) -> list[tuple[int, int]]:
    """The character ranges a TrueType/OpenType font maps (its Unicode ``cmap``)."""
    data = Path(path).read_bytes()
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack(">I", data[20 + 16 * i:24 + 16 * i])[0]
              for i in range(struct.unpack(">H", data[4:6])[0])}
    if b"cmap" not in tables:
        return []
    cmap = tables[b"cmap"]
    records = {}
    for i in range(struct.unpack(">H", data[cmap + 2:cmap + 4])[0]):
        platform, encoding, offset = struct.unpack(">HHI", data[cmap + 4 + 8 * i:
                                                                cmap + 12 + 8 * i])
        records[(platform, encoding)] = cmap + offset
    if (3, 10) in records:                     # format 12: groups of 32-bit ranges
        at = records[(3, 10)]
        count = struct.unpack(">I", data[at + 12:at + 16])[0]
        return [struct.unpack(">II", data[at + 16 + 12 * i:at + 24 + 12 * i])
                for i in range(count)]
    at = records.get((3, 1)) or records.get((0, 3))
    if at is None:
        return []
    segments = struct.unpack(">H", data[at + 6:at + 8])[0] // 2   # format 4
    ends = struct.unpack(f">{segments}H", data[at + 14:at + 14 + 2 * segments])
    starts = struct.unpack(f">{segments}H", data[at + 16 + 2 * segments:
                                                 at + 16 + 4 * segments])
    return [(a, b) for a, b in zip(starts, ends, strict=True) if a != 0xFFFF]


@functools.cache
def shipped_fonts():
    """Typst's font set of :data:`FONT_DIR` alone (no system font, none embedded in Typst)."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                       font_paths=[str(FONT_DIR)])


@functools.cache
def printable() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The characters every font the page is set in can show (starts and ends of ranges)."""
    paths = [f.path for f in shipped_fonts().fonts()        # the regular and bold faces
             if f.family == FONTS[0] and f.weight in (400, 700)]
    if not paths:
        return (), ()
    covered = None
    for path in paths:                          # regular, bold...: what all of them hold
        chars = {c for a, b in _cmap_ranges(path) for c in range(a, b + 1)}
        covered = chars if covered is None else covered & chars
    ranges: list[list[int]] = []
    for c in sorted(covered or ()):
        if ranges and c == ranges[-1][1] + 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return tuple(r[0] for r in ranges), tuple(r[1] for r in ranges)


def can_print(char: str) -> bool:
    """True when the page's font shows ``char`` (always True if the font is not found)."""
    starts, ends = printable()
    if not starts:
        return True
    i = bisect.bisect_right(starts, ord(char)) - 1
    return i >= 0 and ord(char) <= ends[i]


def warm_up() -> None:
    """Load what the first PDF of a kernel would otherwise load on the run's critical path:
    Typst's compiler and the shipped font set, the characters the fonts show
    (:func:`printable`) and pikepdf (:mod:`pipeline.report.pdf_structure`). None of it
    starts a thread, so the fork server can do it before it forks the appendix's kernel
    (a compile would: Typst's threads)."""
    import pikepdf  # noqa: F401 - imported here, once, rather than by the first PDF

    printable()


def font_problems(warnings: list) -> list[str]:
    """Typst's warnings about fonts (``unknown font family: x``), as their messages (pure)."""
    return [w.message for w in warnings if "font" in str(w.message).lower()]


def typeset_pdf(source: str) -> bytes:
    """Compile Typst ``source`` to a tagged PDF/UA-1 in the shipped fonts.

    Raises
    ------
    PdfError
        On any error Typst reports, and on any font warning (a font not shipped in
        :data:`FONT_DIR`): the PDF would be set in another font.
    """
    import typst

    try:
        data, warnings = typst.compile_with_warnings(
            source.encode("utf-8"), font_paths=shipped_fonts(), ignore_system_fonts=True,
            pdf_standards=[PDF_STANDARD])
    except typst.TypstError as exc:
        raise PdfError(f"the PDF could not be printed as tagged PDF/{PDF_STANDARD.upper()}: "
                       f"{str(exc).strip()[:400]}") from None
    problems = font_problems(warnings)
    if problems:
        families = sorted({f.family for f in shipped_fonts().fonts()})
        raise PdfError(f"the PDF asks for a font the pipeline does not ship "
                       f"({'; '.join(sorted(set(problems)))}); it ships "
                       f"{', '.join(families)}, in pipeline/report/fonts/")
    return data


def write_pdf(html: str, target: Path) -> Path:
    """Print the HTML page ``html`` to a tagged PDF/UA-1 at ``target``.

    A link to another document of the run (relative, such as the data-quality report)
    prints as its words without a link: the PDF is often sent on its own, with no folder
    beside it. Web and mail addresses stay links. Nothing is fetched. Each body row's
    header cell is tagged a row header after Typst compiles
    (:func:`pipeline.report.pdf_structure.mark_row_headers`).

    Raises
    ------
    PdfError
        When Typst reports an error while printing (for PDF/UA: an image without
        alternative text; or an internal link to no anchor), or its structure tree does not
        hold the tables the page wrote. Nothing is left at ``target``.
    """
    return write_pdfs([(html, target)])[0]


def write_pdfs(pages: Iterable[tuple[str, Path]]) -> list[Path]:
    """Print each ``(html, target)`` as :func:`write_pdf` does, Typst compiling beside the
    caller's thread: Typst's compile lets go of Python's lock, so while it compiles one
    page the next is made (``pages`` may be a generator that renders it) and translated,
    and each compiled page's row headers are tagged as soon as it is done. Same bytes as
    one at a time.

    Returns
    -------
    list[pathlib.Path]
        The targets, in the order given.

    Raises
    ------
    PdfError
        As :func:`write_pdf`, for the first page (in the order given) that failed, once
        every page has been printed or failed; nothing is left at a failed page's target.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    targets: list[Path] = []
    failures: dict[int, PdfError] = {}
    compiling: dict = {}                     # Typst's compile -> (page number, cell kinds)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="laa-pdf") as pool:
        def finish(done) -> None:
            number, kinds = compiling.pop(done)
            try:
                targets[number].write_bytes(mark_row_headers(done.result(), kinds))
            except (TypesetError, StructureError, PdfError) as exc:
                failures[number] = _failure(targets[number], exc)

        for number, (html, target) in enumerate(pages):
            targets.append(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                page = typeset_page(html, can_print)
            except (TypesetError, StructureError, PdfError) as exc:
                failures[number] = _failure(target, exc)
                continue
            compiling[pool.submit(typeset_pdf, page.source)] = (number, page.cell_kinds)
            for done in [f for f in compiling if f.done()]:
                finish(done)
        while compiling:
            for done in wait(compiling, return_when=FIRST_COMPLETED).done:
                finish(done)
    if failures:
        raise failures[min(failures)]
    return targets


def _failure(target: Path, exc: Exception) -> PdfError:
    """The PdfError naming ``target`` for a failure printing it; nothing is left there."""
    target.unlink(missing_ok=True)
    if isinstance(exc, PdfError):
        return exc.with_context(file=target.name)
    return PdfError(f"the PDF could not be printed as tagged PDF/{PDF_STANDARD.upper()}: "
                    f"{exc}", file=target.name)
