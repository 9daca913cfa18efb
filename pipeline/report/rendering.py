"""Rendering: the executed appendix notebook to self-contained HTML, and that HTML to PDF.

The only module that imports nbconvert; the PDF is printed from the same HTML by
:mod:`pipeline.report.pdf` (Typst, via :mod:`pipeline.report.typeset`; no LaTeX, no
browser). One executed notebook holds up to three documents, told apart by cell tags
(:data:`DOCUMENT_TAGS`): the board summary (the cells tagged ``summary``), the district
LSP pack when a district was asked for (the cells tagged ``district-pack``) and the board
appendix (every other cell). Each document's cover output carries its name, file path,
title, running header and formats in its output metadata (``{"laa": {...}}``, see
:func:`pipeline.report.document.document_spec`), so the notebook alone decides what is
published; :func:`render_outputs` writes each document as HTML and/or PDF.

The HTML loads nothing from anywhere: its CSS is inline, its charts are inline SVG, it
has no script. The PDF is typeset from the same HTML (A4, landscape pages for wide tables,
running header, page numbers, repeated table headers) and carries the generated-at stamp
as its creation date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from pipeline.config import FORMATS, parse_formats
from pipeline.report.glossary import add_glossary
from pipeline.report.pages import SCREEN_ONLY_TAG, render_page
from pipeline.report.pdf import write_pdfs

HIDE_TAGS = {"remove-cell", "parameters", "injected-parameters"}
SUMMARY_TAG = "summary"
DISTRICT_TAG = "district-pack"
DOCUMENT_TAGS = (SUMMARY_TAG, DISTRICT_TAG)  # a cell with one belongs to that document
APPENDIX = "appendix"
_BLANK = re.compile(r">([ \t\r\n\f]+)<")
_EMPTY_LINK = re.compile(r"<a\b([^>]*?)\s*/>")  # nbconvert's heading anchors: <a .../>
# nbconvert's basic template less the wrappers around a code cell's outputs (see it)
TEMPLATES = Path(__file__).resolve().parent / "templates"
BODY_TEMPLATE = "notebook_body.html.j2"


def strip_noise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams (warnings, progress bars): they are for logs, not boards.

    A code cell left with no output (a section shown only when its data exist, and they do
    not) is dropped too, so its layout tags (``new-page``, ``landscape``) print no empty page.
    """
    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream"
                                       and o.get("name") == "stderr")]
    clean.cells = [c for c in clean.cells if c.get("cell_type") != "code" or c["outputs"]]
    return clean


def cell_document(cell: nbformat.NotebookNode) -> str:
    """The document tag a cell belongs to: the first of :data:`DOCUMENT_TAGS` it carries,
    or ``""`` for the appendix (a cell with none)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return next((tag for tag in DOCUMENT_TAGS if tag in tags), "")


def select_cells(notebook: nbformat.NotebookNode, tag: str = "") -> nbformat.NotebookNode:
    """A copy holding one document's cells: those tagged ``tag`` (one of
    :data:`DOCUMENT_TAGS`), or for ``""`` the appendix's (the cells with none of them)."""
    cells = copy.deepcopy([c for c in notebook.cells if cell_document(c) == tag])
    return nbformat.NotebookNode({key: cells if key == "cells" else copy.deepcopy(value)
                                  for key, value in notebook.items()})


class BodyExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass, through public APIs only.

    :meth:`HTMLExporter.from_notebook_node` registers two filters, renders the template
    (:meth:`TemplateExporter.from_notebook_node`), then parses the page with BeautifulSoup
    to add alternative text to ``<img>`` elements and ``tabindex`` to the ``.jp-Notebook``
    cells of the lab template, and writes it out again: 1.4 s for the appendix, 90% of
    converting it. Our pages have neither (the ``basic`` template; an ``<img>`` is refused,
    every chart is an SVG with a title), so this registers the same two filters with their
    public constructors and renders the template, taking the page as it wrote it, with the
    whitespace between tags collapsed as that pass did and the headings' empty anchor links
    (``<a .../>``, which an HTML parser leaves open) closed.
    """

    def from_notebook_node(self, nb, resources=None, **kw):  # noqa: D102
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        language = nb.metadata.get("language_info", {})
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(
                pygments_lexer=language.get("pygments_lexer", language.get("name")),
                parent=self)))
        # the filter finds the notebook's metadata under its path ("" with no resources'
        # metadata): widget views are shown only with their state, as nbconvert does
        where = (resources or {}).get("metadata", {})
        path = os.path.join(where.get("path", ""), where.get("name", ""))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata={path: nb.metadata}, parent=self, resources=resources))
        body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        body = _EMPTY_LINK.sub(r"<a\1></a>", body)  # an HTML parser would leave it open
        return _BLANK.sub(lambda m: ">\n<" if "\n" in m.group(1) else "> <", body), resources


@functools.cache
def _exporter() -> BodyExporter:
    """The one exporter (nbconvert's ``basic`` template as :data:`BODY_TEMPLATE` extends it):
    its Jinja environment compiles nbconvert's templates once (0.1 s a
    document when each had its own exporter). It validates the notebook once, after its
    preprocessors (``optimistic_validation``), not after each of them (a dozen schema
    validations of the whole notebook a document)."""
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = HIDE_TAGS
    config.TagRemovePreprocessor.enabled = True
    exporter = BodyExporter(config=config, template_name="basic", template_file=BODY_TEMPLATE,
                            extra_template_paths=[str(TEMPLATES)], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="", optimistic_validation=True)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The notebook's outputs and prose as HTML, with no code shown."""
    body, _ = _exporter().from_notebook_node(strip_noise(notebook))
    return body


def warm_up() -> None:
    """Compile the page templates, ours and nbconvert's, and load the PDF engines and
    fonts (:func:`pipeline.report.pdf.warm_up`), so that the first document costs what the
    next would (a stage's kernel does this while it waits for its turn)."""
    from pipeline.report import pdf
    from pipeline.report.pages import compile_templates

    compile_templates()
    # a cell of each kind the appendix has: markdown's parser is set up on its first use
    v4 = nbformat.v4
    notebook_body(v4.new_notebook(cells=[
        v4.new_markdown_cell("## A *section*\n\nA [link](#a) and `code`."),
        v4.new_code_cell(outputs=[v4.new_output("display_data",
                                                data={"text/html": "<p>A</p>"})])]))
    pdf.warm_up()


@dataclass(frozen=True)
class Document:
    """One document of an executed appendix notebook (see :func:`documents`)."""

    name: str
    path: str
    title: str
    running_header: str
    footer: str
    created: str
    author: str
    formats: tuple[str, ...]
    tag: str = ""

    @property
    def district_pack(self) -> bool:
        """True for a district pack (its cells tagged ``district-pack``)."""
        return self.tag == DISTRICT_TAG


def _spec(cells: list[nbformat.NotebookNode]) -> dict | None:
    for cell in cells:
        for output in cell.get("outputs", []):
            laa = output.get("metadata", {}).get("laa")
            if isinstance(laa, dict):
                return dict(laa)
    return None


def _safe_path(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise ValueError(f"document path {path!r} is not a relative path inside the report")
    return pure.as_posix()


def documents(notebook: nbformat.NotebookNode) -> list[Document]:
    """The documents an executed appendix notebook holds: the appendix, then the summary,
    then the district pack (the order of :data:`DOCUMENT_TAGS`).

    A document is there when its cells carry a cover output with ``laa`` metadata (a
    district pack only when a district was asked for).
    """
    found = []
    for tag in ("", *DOCUMENT_TAGS):
        spec = _spec([c for c in notebook.cells if cell_document(c) == tag])
        if spec is None:
            continue
        found.append(Document(
            name=str(spec.get("document", APPENDIX)), path=_safe_path(str(spec["path"])),
            title=str(spec.get("title", "")), running_header=str(spec.get("running_header", "")),
            footer=str(spec.get("footer", "")), created=str(spec.get("created", "")),
            author=str(spec.get("author", "")),
            formats=parse_formats(spec.get("formats") or list(FORMATS)), tag=tag))
    return found


def render_document(notebook: nbformat.NotebookNode, document: Document) -> str:
    """One document of the executed notebook as a complete HTML page, ending with the
    glossary of the abbreviations it uses (:mod:`pipeline.report.glossary`)."""
    body = notebook_body(add_glossary(select_cells(notebook, document.tag), document.tag,
                                      HIDE_TAGS | {SCREEN_ONLY_TAG}))
    return render_page(body, document.title, document.running_header, footer=document.footer,
                       created=document.created, author=document.author)


def render_outputs(executed: Path, report_dir: Path,
                   formats: str | Iterable[str] | None = None) -> list[Path]:
    """Write every document of the executed appendix notebook, as HTML and/or PDF.

    Parameters
    ----------
    executed
        The executed ``04_appendix.ipynb``.
    report_dir
        The meeting's report folder (``<reports>/<meeting>``, or its staging twin):
        the appendix goes to ``appendix.html``/``.pdf``, the summary to
        ``summary.html``/``.pdf``, a district pack to
        ``districts/<district>/district-pack.html``/``.pdf``.
    formats
        Override of the formats the notebook was run with (``html``, ``pdf`` or both).

    Returns
    -------
    list[pathlib.Path]
        The files written, appendix first.
    """
    return render_notebook(nbformat.read(executed, as_version=4), report_dir, formats)


def render_notebook(notebook: nbformat.NotebookNode, report_dir: Path,
                    formats: str | Iterable[str] | None = None) -> list[Path]:
    """Write every document an executed appendix notebook holds (see :func:`render_outputs`;
    the notebook itself calls this on what it recorded, :mod:`pipeline.report.capture`).

    The documents are made one after the other; a document's PDF is printed while the next
    one is made (:func:`pipeline.report.pdf.write_pdfs`)."""
    wanted = parse_formats(formats) if formats is not None else None
    written: list[Path] = []

    def pages() -> Iterable[tuple[str, Path]]:   # HTML written here, PDFs handed on
        for document in documents(notebook):
            page = render_document(notebook, document)
            base = report_dir / document.path
            base.parent.mkdir(parents=True, exist_ok=True)
            for fmt in wanted or document.formats:
                target = base.with_name(base.name + f".{fmt}")
                written.append(target)
                if fmt == "html":
                    target.write_text(page, encoding="utf-8")
                else:
                    yield page, target

    write_pdfs(pages())
    return written
