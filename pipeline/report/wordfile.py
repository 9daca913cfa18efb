"""Word documents (DOCX) as the reports need them, through python-docx.

Headings are Word's heading styles (a navigation pane and a screen reader find them),
tables use 'Table Grid' with their first row marked as a header repeated on each page,
pictures carry alternative text, the document's title, subject, author and language
(en-GB, also the default language of its text) are set, and the same content and stamp
give the same bytes: the core properties take the run's generated-at stamp, and every zip
entry its date.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

LANGUAGE = "en-GB"
# Characters XML 1.0 cannot hold (python-docx refuses them): dropped from any text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: object) -> str:
    """``text`` as a string Word can hold (control characters other than tab and line
    breaks dropped)."""
    return _NOT_XML.sub("", str(text))


def parse_stamp(generated_at: str) -> dt.datetime:
    """The generated-at stamp as a UTC time without a zone (as Word's properties hold it)."""
    stamp = dt.datetime.fromisoformat(generated_at)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


class WordFile:
    """A DOCX being written: headings, paragraphs, lists and header-row tables.

    Parameters
    ----------
    title, subject, author
        The document's properties (File > Info in Word).
    generated_at
        The run's stamp (ISO 8601): the created and modified dates, so a rerun of the same
        figures writes the same bytes.
    """

    def __init__(self, title: str, subject: str, author: str, generated_at: str) -> None:
        self.document = docx.Document()
        self.stamp = parse_stamp(generated_at)
        props = self.document.core_properties
        props.title, props.subject = xml_text(title), xml_text(subject)
        props.author = props.last_modified_by = xml_text(author)
        props.language = LANGUAGE
        props.created = props.modified = self.stamp
        props.revision = 1
        props.comments = props.keywords = ""
        self._set_text_language()

    def _set_text_language(self) -> None:
        """Make en-GB the default language of the text (spelling and screen readers)."""
        styles = self.document.styles.element
        rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is None:
            return
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)

    def heading(self, text: str, level: int) -> None:
        """A heading in Word's style ``Heading <level>`` (level 0: ``Title``)."""
        self.document.add_heading(xml_text(text), level)

    def paragraph(self, text: str, bold: bool = False) -> None:
        """A paragraph; a line break in ``text`` is a line break in the paragraph."""
        run = self.document.add_paragraph().add_run(xml_text(text))
        run.bold = bold or None

    def bullet(self, text: str) -> None:
        """One item of a bulleted list."""
        self.document.add_paragraph(xml_text(text), style="List Bullet")

    def numbered(self, text: str) -> None:
        """One item of a numbered list."""
        self.document.add_paragraph(xml_text(text), style="List Number")

    def table(self, rows: list[list[str]], caption: str) -> None:
        """A table (first row: the header, repeated on each page, bold) under a caption."""
        self.document.add_paragraph(xml_text(caption), style="Caption")
        table = self.document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = xml_text(text)
        mark_header_row(table.rows[0])

    def picture(self, png: bytes, alt_text: str, caption: str, width_cm: float = 16.0) -> None:
        """A picture (PNG) with its alternative text (``descr`` of its ``wp:docPr``: what
        Word shows under Alt Text and a screen reader reads) and a caption under it."""
        self.document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        inline = self.document.inline_shapes[-1]._inline
        inline.docPr.set("descr", xml_text(alt_text))
        self.document.add_paragraph(xml_text(caption), style="Caption")

    def to_bytes(self) -> bytes:
        """The DOCX's bytes: every zip entry dated with the stamp, in python-docx's order."""
        raw = io.BytesIO()
        self.document.save(raw)
        out = io.BytesIO()
        date = max(self.stamp, dt.datetime(1980, 1, 1)).timetuple()[:6]
        with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
            for entry in source.infolist():
                info = zipfile.ZipInfo(entry.filename, date_time=date)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, source.read(entry))
        return out.getvalue()

    def save(self, path: Path) -> Path:
        """Write the DOCX to ``path`` whole: a temporary file beside it, then replaced."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(self.to_bytes())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path


def mark_header_row(row: object) -> None:
    """Mark a table row as its header: repeated at the top of each page (``w:tblHeader``)
    and read as column headers by assistive technology; its text in bold."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True
