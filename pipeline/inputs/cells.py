"""Spreadsheet cells written safely and workbooks written the same way twice.

Text that partners or the register wrote can start with ``=``, ``+``, ``-`` or ``@``. In
CSV it gets a leading apostrophe (:func:`neutralise_cell`); in XLSX it is written as a
string cell with Excel's quote prefix, never as a formula, and keeps its exact text, less
what a workbook cannot hold (:func:`workbook_text`). :func:`fix_zip_dates` dates every zip
entry, and the workbook's created and modified, from one stamp, so equal content gives
equal bytes. A cell's style objects are made once for equal ones (:func:`alignment_style`,
:func:`font_style`, :func:`fill_style`, :func:`border_style`, :func:`box_style`,
:func:`protection_style`). Used by the return templates
(this stage), the auditor's workbook and the appendix's exports.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CELL_TEXT_MAX = 32_767           # Excel's limit for the text of one cell
TRUNCATED = " [... cut: the full text is in the CSV]"
_LINE_BREAKS = re.compile(r"[\x0b\x0c]")  # Word's manual line break (vertical tab), page break
_CORE_DATES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def neutralise_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    ``=HYPERLINK(...)``, ``+44...``, ``-1+2``, ``@SUM(...)`` become ``'=HYPERLINK(...)``
    etc.; numbers and other text are unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook_text(value: object) -> str:
    """Text as a workbook can hold it: Word's line and page breaks become line breaks,
    other control characters (which XML 1.0 cannot carry) are dropped, and text longer
    than a cell's 32,767 characters is cut with a note saying so.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = str(value)
    if not text.isprintable():   # only such text can hold a control character
        text = ILLEGAL_CHARACTERS_RE.sub("", _LINE_BREAKS.sub("\n", text))
    if len(text) > CELL_TEXT_MAX:
        text = text[:CELL_TEXT_MAX - len(TRUNCATED)] + TRUNCATED
    return text


def write_text_cell(cell, value: object) -> str:
    """Put ``value`` in an openpyxl ``cell`` as text, never a formula; returns the text.

    Formula-like text keeps its exact characters and gets Excel's quote prefix.
    """
    text = workbook_text(value)
    cell.value = text
    cell.data_type = "s"      # text, whatever it starts with
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return text


def zip_stamp(generated_at: str) -> tuple[int, int, int, int, int, int]:
    """The generated-at stamp as a zip date (1980 at the earliest); the epoch if unreadable."""
    try:
        when = dt.datetime.fromisoformat(str(generated_at))
    except ValueError:
        return ZIP_EPOCH
    return max(ZIP_EPOCH, (when.year, when.month, when.day, when.hour, when.minute,
                           when.second - when.second % 2))


def fix_zip_dates(data: bytes, generated_at: str) -> bytes:
    """A workbook's bytes with every zip entry dated, and created/modified set to, the stamp."""
    stamp = zip_stamp(generated_at)
    iso = dt.datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3),
                                          content.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def zip_dated(data: bytes, generated_at: str) -> bool:
    """Whether a workbook's bytes are dated from ``generated_at`` throughout already, as
    :func:`fix_zip_dates` dates them (every entry deflated and dated, created and modified
    set): that function then gives the same bytes back. Reads the zip's directory and
    ``docProps/core.xml`` only, so it holds for the workbooks :func:`save_workbook` wrote
    (the pipeline's only writer), not for any zip: another writer's compression level or
    entry flags are not compared."""
    stamp = zip_stamp(generated_at)
    iso = dt.datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            if not all(info.date_time == stamp and info.compress_type == zipfile.ZIP_DEFLATED
                       for info in book.infolist()):
                return False
            core = book.read("docProps/core.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        return False
    return _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), core) == core


def save_workbook(book, generated_at: str, author: str = "") -> bytes:
    """An openpyxl workbook's bytes, dated from ``generated_at`` throughout (see
    :func:`fix_zip_dates`), created and last modified by ``author``."""
    when = dt.datetime(*zip_stamp(generated_at))
    book.properties.created = when
    book.properties.modified = when
    book.properties.creator = author or "laa-pipeline"
    book.properties.lastModifiedBy = author or "laa-pipeline"
    buffer = io.BytesIO()
    book.save(buffer)
    return fix_zip_dates(buffer.getvalue(), generated_at)


# A sheet's cells share their style objects: openpyxl keeps one copy of each distinct style
# per workbook, so building a new Font or Alignment for every cell only to find it there
# costs CPU for nothing (a third of writing the tables workbook).
@functools.cache
def alignment_style(**attributes: object):
    """The openpyxl ``Alignment`` with ``attributes``, one object for equal ones."""
    from openpyxl.styles import Alignment

    return Alignment(**attributes)


@functools.cache
def font_style(**attributes: object):
    """The openpyxl ``Font`` with ``attributes``, one object for equal ones."""
    from openpyxl.styles import Font

    return Font(**attributes)


@functools.cache
def fill_style(colour: str):
    """A solid openpyxl ``PatternFill`` of ``colour`` (``RRGGBB``), one object per colour."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour)


@functools.cache
def border_style(edge: str, style: str, colour: str):
    """An openpyxl ``Border`` with one ``edge`` (``top``, ``bottom``...) drawn in ``style``
    (``thin``, ``medium``) and ``colour`` (``RRGGBB``), one object for equal ones."""
    from openpyxl.styles import Border, Side

    return Border(**{edge: Side(style=style, color=colour)})


@functools.cache
def box_style(style: str, colour: str):
    """An openpyxl ``Border`` with all four edges drawn in ``style`` and ``colour``
    (``RRGGBB``), one object for equal ones."""
    from openpyxl.styles import Border, Side

    side = Side(style=style, color=colour)
    return Border(left=side, right=side, top=side, bottom=side)


@functools.cache
def protection_style(locked: bool):
    """The openpyxl ``Protection`` of a cell, locked or open, one object each."""
    from openpyxl.styles import Protection

    return Protection(locked=locked)
