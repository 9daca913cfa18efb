"""Machine checks of a printed PDF: its PDF/UA-1 tagging (pypdf) and its layout (pdfplumber).

:func:`pdf_ua_problems` lists what keeps a PDF from being a tagged, accessible document (an
empty list: nothing). The layout helpers read each page's structure tree, so that every
character is known by the element it belongs to (a heading, a table's body cell, a figure)
and page furniture (running header, footer) is told apart by having no element.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HEADING = re.compile(r"^/?H([1-6])$")


_READERS: OrderedDict[str, object] = OrderedDict()
KEPT_READERS = 8


def pdf_reader(path: Path):
    """pypdf's reader of the PDF at ``path``: one per content (its sha256) in this process,
    the last :data:`KEPT_READERS` kept, so the checks that walk one document's structure
    tree (:func:`pdf_ua_problems`, :func:`table_cells`,
    :func:`tests.pdf_page_checks.rows_split_across_pages`) parse its objects once (the LAA1
    appendix: about 0.6 s a walk, 0.03 s a walk again). READ ONLY: a test that changes a
    PDF makes its own reader."""
    from pypdf import PdfReader

    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in _READERS:
        _READERS.move_to_end(digest)
    else:
        _READERS[digest] = PdfReader(io.BytesIO(data))
        while len(_READERS) > KEPT_READERS:
            _READERS.popitem(last=False)
    return _READERS[digest]


def _resolve(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _struct_nodes(root) -> Iterator[tuple[object, str, tuple[str, ...]]]:
    """The structure elements under ``root`` in document order: ``(node, type, path)``,
    ``path`` the types of the elements it sits in."""
    def walk(node, path: tuple[str, ...]):
        node = _resolve(node)
        if isinstance(node, list):
            for kid in node:
                yield from walk(kid, path)
            return
        if not hasattr(node, "get") or "/S" not in node:
            return                                   # a marked-content id or reference
        kind = str(node["/S"]).lstrip("/")
        yield node, kind, path
        if "/K" in node:
            yield from walk(node["/K"], (*path, kind))

    yield from walk(_resolve(root).get("/K", []), ())


def _struct_elements(root) -> list[dict]:
    """The structure elements in document order: ``{"type", "alt", "path"}``."""
    return [{"type": kind, "alt": str(node.get("/Alt", "") or ""), "path": path}
            for node, kind, path in _struct_nodes(root)]


def pdf_ua_problems(path: Path, lang: str = "en-GB") -> list[str]:
    """What keeps the PDF at ``path`` from being tagged PDF/UA-1 as the appendix must be.

    Checked: a structure tree; ``/MarkInfo /Marked true``; ``/Lang``; the title in the
    document information and in the XMP (``dc:title``) with ``pdfuaid:part`` 1;
    ``DisplayDocTitle``; bookmarks; headings starting at H1 and never skipping a level
    downwards; at least one Table with TH cells; alternative text on every Figure.
    """
    reader = pdf_reader(path)
    catalog = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in catalog:
        problems.append("no structure tree (StructTreeRoot)")
    mark = _resolve(catalog.get("/MarkInfo", {})) or {}
    if not bool(mark.get("/Marked", False)):
        problems.append("MarkInfo Marked is not true")
    if str(catalog.get("/Lang", "")) != lang:
        problems.append(f"Lang is {catalog.get('/Lang')!r}, not {lang!r}")
    title = str((reader.metadata or {}).get("/Title", "") or "")
    if not title:
        problems.append("no title in the document information")
    xmp = _resolve(catalog.get("/Metadata"))
    xml = xmp.get_data().decode("utf-8", "replace") if xmp is not None else ""
    if not title or "dc:title" not in xml or title not in xml.replace("&amp;", "&"):
        problems.append("the title is not in the XMP metadata (dc:title)")
    if not re.search(r"pdfuaid:part(?:>|=\")1", xml):
        problems.append("the XMP does not say pdfuaid:part 1")
    viewer = _resolve(catalog.get("/ViewerPreferences", {})) or {}
    if not bool(viewer.get("/DisplayDocTitle", False)):
        problems.append("ViewerPreferences DisplayDocTitle is not true")
    outlines = _resolve(catalog.get("/Outlines"))
    if outlines is None or "/First" not in outlines:
        problems.append("no bookmarks (Outlines)")
    elements = (_struct_elements(catalog["/StructTreeRoot"])
                if "/StructTreeRoot" in catalog else [])
    levels = [int(m.group(1)) for e in elements if (m := HEADING.match(e["type"]))]
    if not levels or levels[0] != 1:
        problems.append(f"headings do not start at H1: {levels[:3]}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading H{before} is followed by H{after}")
            break
    if not any(e["type"] == "TH" and "Table" in e["path"] for e in elements):
        problems.append("no Table with TH cells")
    figures = [e for e in elements if e["type"] == "Figure"]
    bare = [e for e in figures if not e["alt"].strip()]
    if bare:
        problems.append(f"{len(bare)} of {len(figures)} Figure(s) without Alt")
    return problems


@dataclass
class Element:
    """A structure element of one page with the characters it holds (its own and its
    descendants'), ``path`` its ancestors' types, ``row`` the id of its table row."""

    type: str
    path: tuple[str, ...]
    chars: list[dict] = field(default_factory=list)
    row: int = -1
    text: str = ""


def page_elements(page) -> list[Element]:
    """Every structure element of a pdfplumber page, in document order, with its chars
    (a :class:`PageFacts` holds them already: worked out once, when it was read)."""
    if isinstance(page, PageFacts):
        return page.elements
    return elements_of(page.chars, page.structure_tree)


def elements_of(chars: list[dict], tree: list[dict]) -> list[Element]:
    """The structure elements of a page's ``tree`` (pdfplumber's ``structure_tree``), in
    document order, each with its characters, from ``chars`` (pure)."""
    by_mcid: dict[int, list[dict]] = {}
    for char in chars:
        if char.get("mcid") is not None:
            by_mcid.setdefault(char["mcid"], []).append(char)
    out: list[Element] = []
    rows = iter(range(1_000_000))

    def walk(nodes, path: tuple[str, ...], row: int) -> list[dict]:
        held: list[dict] = []
        for node in nodes:
            kind = node["type"]
            here = next(rows) if kind == "TR" else row
            element = Element(kind, path, row=here)
            out.append(element)
            chars = [c for m in node.get("mcids") or [] for c in by_mcid.get(m, [])]
            chars += walk(node.get("children", []), (*path, kind), here)
            element.chars = chars
            element.text = "".join(c["text"] for c in chars)
            held += chars
        return held

    walk(tree, (), -1)
    return out



UNPICKLED = ("stream", "stroking_pattern", "non_stroking_pattern", "colorspace")


@dataclass
class PageFacts:
    """What the layout checks read of one page, read once by pdfplumber (pdfminer) and kept:
    plain data, so a test session reads each PDF once and every check and worker shares it
    (``pdf_facts`` in tests/conftest.py). It answers as a pdfplumber page does."""

    page_number: int
    width: float
    height: float
    chars: list[dict]
    rects: list[dict]
    curves: list[dict]
    images: list[dict]
    text: str
    words: list[dict]
    elements: list[Element] = field(default_factory=list)

    def extract_text(self) -> str:
        return self.text

    def extract_words(self) -> list[dict]:
        return self.words


@dataclass
class PdfFacts:
    """Every page's :class:`PageFacts`, as ``pdfplumber.open(path).pages``."""

    pages: list[PageFacts]


def _plain(objects: list[dict]) -> list[dict]:
    """pdfplumber's objects without their pdfminer references (which do not pickle)."""
    return [{k: v for k, v in o.items() if k not in UNPICKLED} for o in objects]


def read_pdf(path: Path) -> PdfFacts:
    """Each page of the PDF at ``path`` read by pdfplumber once: characters (with their
    marked-content ids), shapes, images, text, words and structure elements."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            facts = PageFacts(page.page_number, float(page.width), float(page.height),
                              _plain(page.chars), _plain(page.rects), _plain(page.curves),
                              _plain(page.images), page.extract_text(), page.extract_words())
            facts.elements = elements_of(facts.chars, page.structure_tree)
            pages.append(facts)
    return PdfFacts(pages)



def content_chars(page, elements: list[Element]) -> list[dict]:
    """The page's characters that belong to an element (not running header or footer)."""
    tagged = {id(c) for e in elements for c in e.chars}
    return [c for c in page.chars if id(c) in tagged]


MARGIN_PT = 15 / 25.4 * 72      # the narrowest page margin (15 mm): furniture sits inside it


def furniture_text(page, elements: list[Element], top: bool = True, right: bool = True) -> str:
    """The text of the page furniture in one corner (the running header at top right): the
    untagged characters inside the top (or bottom) margin. Untagged text in the body, such as
    a table's header repeated on a new page (an artefact), is not furniture."""
    tagged = {id(c) for e in elements for c in e.chars}
    inside = ((lambda c: c["bottom"] <= MARGIN_PT) if top
              else (lambda c: c["top"] >= page.height - MARGIN_PT))
    chars = sorted((c for c in page.chars if id(c) not in tagged and inside(c)),
                   key=lambda c: c["x0"])
    if not chars:
        return ""
    gaps = [(after["x0"] - before["x1"], i + 1)
            for i, (before, after) in enumerate(zip(chars, chars[1:], strict=False))]
    split = max(gaps)[1] if gaps else len(chars)   # left and right stand apart
    side = chars[split:] if right else chars[:split]
    return "".join(c["text"] for c in side).strip()


SCOPES = ("Row", "Column", "Both")      # ISO 32000-1, table 337


def _table_owner(cell) -> dict | None:
    """The cell's table attributes (its ``/A`` dictionary with ``/O /Table``), if any."""
    held = _resolve(cell.get("/A"))
    owners = held if isinstance(held, list) else [held]
    for owner in (_resolve(o) for o in owners):
        if hasattr(owner, "get") and owner.get("/O") == "/Table":
            return owner
    return None


def table_cells(path: Path) -> list[dict[str, int]]:
    """For each Table of the PDF's structure tree, in document order, how many of its cells
    are TD, and TH of each scope (``TH Row``, ``TH Column``, ``TH Both``; ``TH unscoped``:
    no table attributes ``/O /Table`` or a ``/Scope`` that is none of :data:`SCOPES`)."""
    catalog = pdf_reader(path).trailer["/Root"]
    tables: list[dict[str, int]] = []
    for node, kind, path in _struct_nodes(catalog["/StructTreeRoot"]):
        if kind == "Table":
            tables.append({})
        elif kind in ("TH", "TD") and "Table" in path:
            if kind == "TH":
                owner = _table_owner(node)
                scope = str(owner.get("/Scope", "")).lstrip("/") if owner else ""
                kind = f"TH {scope if scope in SCOPES else 'unscoped'}"
            tables[-1][kind] = tables[-1].get(kind, 0) + 1
    return tables


def html_table_headers(page: str) -> list[dict[str, int]]:
    """For each table the HTML ``page`` prints (not hidden from print), in document order,
    its row headers (``th`` of a body row, but a theme's ``scope="rowgroup"``) and its column
    headers (the head's ``th`` and the themes' rows, which head the rows under them)."""
    from bs4 import BeautifulSoup

    from pipeline.report.html_tree import HIDDEN

    out = []
    for table in BeautifulSoup(page, "html.parser").select("table"):
        if any(HIDDEN & set(p.get("class") or []) for p in [table, *table.parents]):
            continue
        heads = table.select("th")
        body = [th for th in heads if th.find_parent(["thead", "tbody", "tfoot", "table"])
                .name != "thead"]
        groups = [th for th in body if th.get("scope") == "rowgroup"]
        out.append({"row": len(body) - len(groups),
                    "column": len(heads) - len(body) + len(groups)})
    return out


def row_header_problems(pdf: Path, page: str) -> list[str]:
    """How the tables of the PDF at ``pdf`` differ from the HTML ``page`` it was printed
    from in their header cells (an empty list: none): a table's TH of ``/Scope /Row`` are as
    many as its row headers in the HTML, its TH of ``/Scope /Column`` as its column headers,
    and no TH lacks a valid ``/Scope``."""
    return header_problems(table_cells(pdf), html_table_headers(page))


def header_problems(printed: list[dict[str, int]], written: list[dict[str, int]]) -> list[str]:
    """:func:`row_header_problems` from what was read of each side: the PDF's
    :func:`table_cells` and the HTML's :func:`html_table_headers` (pure)."""
    if len(printed) != len(written):
        return [f"the PDF has {len(printed)} tables, the HTML prints {len(written)}"]
    problems = []
    for number, (cells, html) in enumerate(zip(printed, written, strict=True), 1):
        found = {"row": cells.get("TH Row", 0), "column": cells.get("TH Column", 0)}
        if found != html or cells.get("TH unscoped", 0):
            problems.append(f"table {number}: {found['row']} row and {found['column']} column "
                            f"header(s), {cells.get('TH unscoped', 0)} unscoped, "
                            f"{cells.get('TD', 0)} TD; the HTML has {html['row']} and "
                            f"{html['column']}")
    return problems
