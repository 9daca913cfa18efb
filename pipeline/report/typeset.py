"""The printed page as Typst markup: the HTML document, converted element by element.

The HTML page (:func:`pipeline.report.rendering.render_page`) stays the one source of truth:
the PDF is typeset from it, so both tell the same story. This module reads the small, known
vocabulary of that page (headings, paragraphs, lists, definition lists, tables, RAG badges,
inline SVG charts, the cover and its contents list, the cells' ``landscape``, ``new-page``
and ``screen-only`` tags) and writes Typst source that prints it as the print stylesheet
did: A4, landscape pages for wide sections, every numbered section on a new page under
its own running header, repeated table headers, page numbers in the contents.

Every text of the page (partners' commentary included) is written as a Typst string
literal, never as markup, so no text can be read as Typst code. Elements it does not know
are printed as their text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from pipeline.report.chart_style import RAG_STYLE
from pipeline.report.print_widths import (
    CELL_INSET_PT,
    PAGE_WIDTH_PT,
    badge_width,
    column_widths,
    text_width,
)

PX = 0.75                               # a CSS pixel in points
BLOCK_START = "24em"                    # room a block table needs to start on a page
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_SPACE = re.compile(r"\s+")
_SVG_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)
# HTML parsers lower-case attribute names; SVG's are case-sensitive
_SVG_CASE = {name.lower(): name for name in (
    "viewBox", "patternUnits", "patternTransform", "patternContentUnits",
    "preserveAspectRatio", "gradientUnits", "gradientTransform", "textLength",
    "lengthAdjust", "clipPathUnits", "markerWidth", "markerHeight", "refX", "refY")}
_SVG_ATTR = re.compile(r"\s(" + "|".join(_SVG_CASE) + r")=")
VOID = {"br", "col", "img", "hr", "meta", "link", "input", "wbr"}
HIDDEN = {"sr-only", "screen-only", "anchor-link", "celltag_screen-only"}
BLOCK_COLUMNS = {"c-indicator": 22, "c-lead": 13, "c-num": 7, "c-off": 6.5, "c-rag": 7,
                 "c-travel": 11.5, "c-trend": 12,
                 # the benchmarking tables (issue 15), as page.html.j2 sizes them
                 "b-indicator": 19, "b-value": 10, "b-num": 6.5, "b-word": 7.5,
                 "b-travel": 9.5, "b-strip": 16}
COLUMN_TABLES = {"block-table", "benchmark-table"}   # widths from their col classes
BREAK = "#pagebreak(weak: true)\n"
# a section starts a new page unless the page before would be left mostly blank: it runs
# on below content ending in the top RUN_ON_SHARE of the page (an empty block as tall as
# the rest of the page moves to the next page when it does not fit, and is taken back)
SECTION_BREAK = "#section-break()\n"
# a subheading starts a new page when less than NEED_SHARE of the page is left, so it is
# never left with the header and a row or two of its table
NEED_SPACE = "#need-space()\n"
NEED_SHARE = 0.35
RUN_ON_SHARE = 0.35      # above the 30% the layout tests call mostly blank
FONTS = ("DejaVu Sans",)   # the page's font (shipped in pipeline/report/fonts/)
MISSING = "\ufffd"                             # shown for a character no font holds
GREY = 'rgb("#444444")'
RULE = 'rgb("#c8c8c8")'
INK = 'rgb("#1a1a1a")'


class TypesetError(ValueError):
    """The page holds something the PDF cannot print faithfully (no language, an image
    without alternative text, a link to nothing)."""


@dataclass
class Node:
    """An element of the page: its tag, attributes and children (nodes or text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """All the text below this node, whitespace collapsed."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return _SPACE.sub(" ", "".join(parts))


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_page(page: str) -> tuple[Node, list[str]]:
    """The page's ``<main>`` (or body) as a tree, and its SVG charts (kept verbatim, each
    replaced in the tree by a ``laa-svg`` node holding its index)."""
    svgs: list[str] = []

    def keep(match: re.Match) -> str:
        svgs.append(match.group(0))
        return f'<laa-svg data-i="{len(svgs) - 1}"></laa-svg>'

    builder = _TreeBuilder()
    builder.feed(_SVG.sub(keep, page))
    builder.close()
    return builder.root, svgs


def string(text: str) -> str:
    """A Typst string literal holding ``text`` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _find(node: Node, tag: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                return child
            found = _find(child, tag)
            if found is not None:
                return found
    return None


def _elements(node: Node) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node)]


def _has_badge(node: Node) -> bool:
    """True when ``node`` holds a RAG badge (``span.rag``)."""
    return any(("rag" in c.classes and c.tag == "span") or _has_badge(c)
               for c in _elements(node))


def svg_source(svg: str) -> str:
    """An inline SVG as a standalone SVG file: attribute names in their SVG case."""
    return _SVG_ATTR.sub(lambda m: f" {_SVG_CASE[m.group(1)]}=", svg)


class Typesetter:
    """Writes one page's tree as Typst markup (see :func:`html_to_typst`)."""

    def __init__(self, svgs: list[str], labels: set[str],
                 can_print: Callable[[str], bool] | None = None) -> None:
        self.svgs = svgs
        self.labels = labels
        self.can_print = can_print or (lambda char: True)
        self.in_table = False       # in a table, small print stays at 9pt (as on paper)
        self.landscape = False      # the cell being written is printed on a landscape page
        self.within: list[set[str]] = []      # the classes of the elements being written

    def inside(self, name: str) -> bool:
        """True when an element being written (this one or an ancestor) has class ``name``."""
        return any(name in classes for classes in self.within)

    # inline content -------------------------------------------------------------------
    def inline(self, nodes: list[Node | str], *, strip: bool = True,
               block: bool = False) -> str:
        """Nodes as markup; ``block``: between blocks, where white space is not text."""
        parts: list[str] = []
        for child in nodes:
            if isinstance(child, str):
                text = self.printable(_SPACE.sub(" ", child))
                if text and not (block and text == " "):
                    parts.append(f"#{string(text)}")
            else:
                parts.append(self.element(child))
        out = "".join(parts)
        if strip:
            out = re.sub(r'^#" "|#" "$', "", out)
        return out

    def printable(self, text: str) -> str:
        """``text`` as print can hold it: control and format characters (a byte-order
        mark, a zero-width joiner) dropped, a character the font cannot show replaced by
        U+FFFD (the HTML keeps the original)."""
        if text.isascii() and text.isprintable():      # nearly all of a page: nothing to do
            return text
        kept = (c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
        shown = MISSING if self.can_print(MISSING) else "?"
        return "".join(c if c == " " or self.can_print(c) else shown for c in kept)

    def element(self, node: Node) -> str:
        """One element (and what it holds) as markup."""
        self.within.append(node.classes)
        try:
            return self._element(node)
        finally:
            self.within.pop()

    def _element(self, node: Node) -> str:  # noqa: C901 - one branch per element of the page
        tag, classes = node.tag, node.classes
        if classes & HIDDEN or tag in ("style", "script", "title", "caption", "colgroup"):
            return ""
        if tag == "laa-svg":
            return self.svg(node)
        if tag == "img":
            raise TypesetError("an <img> the PDF does not print (no required alt handled): "
                               "charts are inline SVG with a <title>")
        if tag == "br":
            return "#linebreak()"
        if tag in ("strong", "b"):
            return f"#strong[{self.inline(node.children, strip=False)}]"
        if tag in ("em", "i"):
            return f"#emph[{self.inline(node.children, strip=False)}]"
        if tag == "code":
            return f"#raw({string(node.text())})"
        if tag == "a":
            return self.link(node)
        if tag == "span":
            return self.span(node)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return self.heading(node)
        if tag == "p":
            return self.paragraph(node)
        if tag in ("ul", "ol"):
            return self.listing(node)
        if tag == "dl":
            return self.definitions(node)
        if tag == "table":
            return self.table(node)
        if tag == "figure":
            return f"#block(breakable: false, below: 12pt)[{self.blocks(node)}]\n"
        if tag == "figcaption":
            caption = self.inline(node.children)
            return f"#block(above: 3pt)[#text(size: 0.85em, fill: {GREY})[{caption}]]\n"
        if tag in ("section", "article", "div", "nav", "main", "header", "footer", "root",
                   "body", "html", "dd", "dt", "li", "td", "th"):
            return self.container(node)
        return self.inline(node.children, strip=False)

    def span(self, node: Node) -> str:
        classes = node.classes
        rag = next((c[4:] for c in classes if c.startswith("rag-") and c[4:] in RAG_STYLE),
                   None)
        if "rag" in classes and rag:
            return self.badge(node, rag)
        inner = self.inline(node.children, strip=False)
        small = "9pt" if self.in_table else "0.88em"
        if classes & {"sub", "iso", "note"}:
            return f"#text(size: {small}, fill: {GREY})[{inner}]"
        if "tag" in classes:
            return (f"#box(stroke: 0.5pt + luma(47%), radius: 1.5pt, inset: (x: 2pt, y: 1pt))"
                    f"[#text(size: {'9pt' if self.in_table else '0.8em'})[{inner}]]")
        if classes & {"ind-id", "differs", "travel-worsening", "rag-letter", "rag-label", "n"}:
            size = ", size: 1.5em" if "n" in classes else ""
            return f'#text(weight: "bold"{size})[{inner}]'
        if classes & {"what", "share"}:
            return f"#linebreak(){inner}"
        if "path" in classes:
            return f"#text(font: \"DejaVu Sans Mono\", size: 0.85em)[{inner}]"
        return inner

    def badge(self, node: Node, code: str) -> str:
        """A RAG badge: its letter on the rating's colour, then its word as text, the word
        of a compact badge too (on screen only for screen readers). The PDF's text, read
        aloud or copied, says "Green", not a bare "G"; and a long word ("Not available for
        reporting") wraps in a narrow column instead of running out of its badge."""
        fill, ink = RAG_STYLE[code]
        size = "9pt" if self.in_table else "0.9em"
        letter, word = _badge_parts(node)
        letter = letter or code
        out = (f'#box(fill: rgb("{fill}"), stroke: 0.5pt + luma(60%), radius: 2pt, '
               f'inset: (x: 2.5pt, y: 1pt), outset: (y: 0.5pt))'
               f'[#text(fill: rgb("{ink}"), weight: "bold", size: {size})'
               f'[#{string(self.printable(letter))}]]')
        if word:
            # a plain space: in a narrow column the word goes under its letter
            out += (f'#" "#text(weight: "bold", size: {size})'
                    f'[#{string(self.printable(word))}]')
        return out

    def link(self, node: Node) -> str:
        href = node.attrs.get("href", "")
        inner = self.inline(node.children, strip=False)
        if href.startswith("#"):
            target = href[1:]
            if target not in self.labels:
                raise TypesetError(f"No anchor #{target} in the printed document for the "
                                   f"link {node.text().strip()!r}")
            return f"#link(label({string(target)}))[{inner}]"
        if re.match(r"(https?|mailto):", href, re.I):
            return f"#link({string(href)})[{inner}]"  # the words, not the address
        # a link to another document of the run (relative: "appendix.html") prints as its
        # words alone: a PDF sent on its own has no folder beside it to open
        return inner

    def svg(self, node: Node) -> str:
        source = self.svgs[int(node.attrs.get("data-i", "0"))]
        found = _SVG_TITLE.search(source)
        alt = html.unescape(_SPACE.sub(" ", found.group(1))).strip() if found else ""
        if not alt:
            raise TypesetError("a chart (SVG) with no required alt text (its <title>)")
        width = re.search(r'\swidth="([\d.]+)"', source.split(">", 1)[0])
        size = f"{float(width.group(1)) * PX:.2f}pt" if width else "100%"
        if {"trend", "strip"} & set((re.search(r'\sclass="([^"]*)"', source.split(">", 1)[0])
                                     or [None, ""])[1].split()):
            size = "100%"
        return (f"#box(image(bytes({string(svg_source(source))}), format: \"svg\", "
                f"alt: {string(alt)}, width: {size}))")

    # block content --------------------------------------------------------------------
    def blocks(self, node: Node) -> str:
        return self.inline(node.children, block=True)

    def container(self, node: Node) -> str:
        classes = node.classes
        if node.tag == "nav" and "contents" in classes:
            return self.contents(node)
        body = self.blocks(node)
        if "cover" in classes:
            return f"#block(above: 0pt, inset: (top: 18mm))[{body}]\n#pagebreak(weak: true)\n"
        if "risk" in classes:
            return (f"#block(breakable: false, width: 100%, stroke: (left: 2.25pt + {RULE}), "
                    f"inset: (left: 7pt, y: 1pt), below: 10pt)[{body}]\n")
        if "block-key" in classes:
            return (f"#block(breakable: false, width: 100%, stroke: 0.5pt + {RULE}, "
                    f"inset: (x: 7pt, y: 4pt))[#set text(size: 0.9em)\n{body}]\n")
        if "scope" in classes:
            return (f'#block(fill: rgb("#eef3fa"), stroke: (left: 3.5pt + rgb("#0b4f9c")), '
                    f"inset: (x: 7pt, y: 3pt))[{body}]\n")
        if node.tag == "section" and "block" in classes and body:
            # a theme's block table starts on a new page unless its heading, counts, header
            # and first rows fit: an empty unbreakable block of that height goes over
            # first, then the space is taken back (Typst has no orphan control for tables)
            room = BLOCK_START
            return f"#block(breakable: false, height: {room})[]\n#v(-{room})\n{body}\n"
        if node.tag in ("section", "article", "div", "main", "nav", "root", "body", "html"):
            return f"{body}\n" if body else ""
        return body

    def heading(self, node: Node) -> str:
        level = int(node.tag[1])
        classes = node.classes
        anchor = node.attrs.get("id", "")
        listed = "false" if "contents-title" in classes else "true"
        out = ""
        # every numbered section of the appendix starts a page; a summary's sections run on
        if level == 2 and "contents-title" not in classes and not self.inside(
                "celltag_summary"):
            out += SECTION_BREAK
        elif level >= 3 and not self.inside("risk"):    # not inside an unbreakable block
            out += NEED_SPACE
        out += f"#heading(level: {level}, outlined: {listed})[{self.inline(node.children)}]"
        if anchor and anchor in self.labels:
            out += f" #label({string(anchor)})"
        return out + "\n"

    def paragraph(self, node: Node) -> str:
        inner = self.inline(node.children)
        if not inner:
            return ""
        classes = node.classes
        if "kicker" in classes:
            return f'#par[#text(weight: "bold", tracking: 0.09em, fill: {GREY})[#upper[{inner}]]]\n'
        if "subtitle" in classes:
            return f"#par[#text(size: 1.25em)[{inner}]]\n"
        if "sentence" in classes:
            return f"#par[#text(size: 1.15em)[{inner}]]\n"
        if classes & {"note", "figures"}:
            return f"#par[#text(size: 0.92em, fill: {GREY})[{inner}]]\n"
        if "block-counts" in classes:
            return f"#block(sticky: true)[{inner}]\n"
        return f"#par[{inner}]\n"

    def listing(self, node: Node) -> str:
        items = [c for c in _elements(node) if c.tag == "li" and not c.classes & HIDDEN]
        if "key-figures" in node.classes:
            cells = ", ".join(f"[{self.key_figure(item)}]" for item in items)
            return (f"#grid(columns: ({', '.join(['1fr'] * max(len(items), 1))}), "
                    f"column-gutter: 6pt, {cells})\n")
        kind = "enum" if node.tag == "ol" else "list"
        cells = ", ".join(f"[{self.inline(item.children)}]" for item in items)
        return f"#{kind}({cells})\n" if cells else ""

    def key_figure(self, item: Node) -> str:
        code = next((c[4:] for c in item.classes if c.startswith("key-")), "")
        colour = RAG_STYLE.get(code, ("#c8c8c8",))[0]
        return (f'#block(width: 100%, stroke: (rest: 0.5pt + {RULE}, '
                f'left: 4.5pt + rgb("{colour}")), '
                f"inset: (x: 6pt, y: 4pt))[{self.inline(item.children)}]")

    def definitions(self, node: Node) -> str:
        cells = []
        for child in _elements(node):
            if child.tag == "dt":
                cells.append(f"[#strong[{self.inline(child.children)}]]")
            elif child.tag == "dd":
                cells.append(f"[{self.inline(child.children)}]")
        return (f"#block(width: 100%, stroke: (top: 1.5pt + {INK}, bottom: 0.5pt + {RULE}), "
                f"inset: (y: 6pt), below: 14pt)[#grid(columns: (auto, 1fr), "
                f"column-gutter: 12pt, row-gutter: 5pt, {', '.join(cells)})]\n")

    def contents(self, node: Node) -> str:
        title = _find(node, "h2")
        out = self.heading(title) if title is not None else ""
        rows = []
        listing = _find(node, "ol")
        for item in _elements(listing) if listing is not None else []:
            if item.classes & HIDDEN:
                continue
            link = _find(item, "a")
            target = (link.attrs.get("href", "")[1:] if link is not None else "")
            text = string(self.printable(item.text().strip()))
            if target in self.labels:
                label = f"label({string(target)})"
                rows.append(f"#link({label})[#{text}#box(width: 1fr, repeat[.])"
                            f"#context counter(page).at({label}).first()]")
            else:
                rows.append(f"#{text}")
        return out + "".join(f"#block(above: 3pt, below: 3pt)[{row}]\n" for row in rows)

    # tables ---------------------------------------------------------------------------
    def table(self, node: Node) -> str:
        classes = node.classes
        head, body = [], []
        for section in _elements(node):
            rows = [r for r in _elements(section) if r.tag == "tr"] if section.tag in (
                "thead", "tbody", "tfoot") else ([section] if section.tag == "tr" else [])
            (head if section.tag == "thead" else body).extend(rows)
        width = max((sum(int(c.attrs.get("colspan", "1") or 1) for c in _elements(r)
                         if c.tag in ("td", "th")) for r in head + body), default=1)
        columns = self.columns(node, classes, width, head, body)
        cells: list[str] = []
        if head:
            header = [self.cell(c, header=True) for r in head for c in _elements(r)
                      if c.tag in ("td", "th")]
            cells.append(f"table.header(repeat: true, {', '.join(header)})")
            cells.append(f"table.hline(stroke: 1.2pt + {INK})")
        for row in body:
            row_classes = row.classes
            if row_classes & {"totals", "overall-total"}:
                cells.append(f"table.hline(stroke: 1.2pt + {INK})")
            row_cells = [self.cell(c, row=row_classes) for c in _elements(row)
                         if c.tag in ("td", "th")]
            if "theme-row" in row_classes and row_cells:
                # a theme's row names the rows under it (scope="rowgroup" in the HTML):
                # in the PDF's structure a second-level header of the table
                cells.append(f"table.header(level: 2, repeat: false, {', '.join(row_cells)})")
            else:
                cells += row_cells
            if row_classes & {"totals", "overall-total"}:
                cells.append(f"table.hline(stroke: 1.2pt + {INK})")
        caption = _find(node, "caption")
        table = (f"table(columns: {columns}, "
                 f"stroke: (x: none, top: none, bottom: 0.5pt + {RULE}), "
                 f"inset: (x: 3.5pt, y: 2.5pt), {', '.join(cells)})")
        if caption is not None and not caption.classes & HIDDEN:
            # the caption is the table's in the PDF's structure too (a figure of kind table)
            return (f"#figure(kind: table, numbering: none, supplement: none, gap: 4pt, "
                    f"caption: figure.caption(position: top)"
                    f"[#strong[{self.inline(caption.children)}]], {table})\n")
        return f"#{table}\n"

    def columns(self, node: Node, classes: set[str], width: int, head: list[Node],
                rows: list[Node]) -> str:
        """The table's column widths: the block tables' shares from their ``col`` classes;
        the other tables' in proportion to the text their columns hold: the average cell's
        length, but never less than the longest word (a figure is one word, a bold total a
        little wider) or a header's longest word, between 4 and 36 characters. (Typst's own
        automatic widths starve a long first column beside many short ones.) Either way no
        column is narrower than its longest word, figure or badge needs
        (:func:`pipeline.report.print_widths.column_widths`)."""
        group = _find(node, "colgroup")
        cols = [c for c in _elements(group) if c.tag == "col"] if group is not None else []
        lengths: list[list[int]] = [[] for _ in range(width)]
        words = [0] * width
        minimums = [0.0] * width
        for row in head + rows:
            cells = [c for c in _elements(row) if c.tag in ("td", "th")]
            at = 0
            for cell in cells:                    # a total's figures under a spanned label
                span = _span(cell, "colspan")
                if span == 1 and at < width and _span(cell, "rowspan") == 1:
                    whole = "num" in cell.classes and row not in head
                    minimums[at] = max(minimums[at], *_word_widths(cell, whole))
                at += span
            if len(cells) != width:
                continue
            for index, cell in enumerate(cells):
                text = cell.text().strip()
                tokens = [text] if "num" in cell.classes and row not in head else text.split()
                # a RAG badge's word sits beside its letter's box: about 3 characters more
                badge = 3 if _has_badge(cell) else 0
                words[index] = max([words[index], *(len(t) + badge for t in tokens)])
                if row not in head:
                    lengths[index].append(len(text))
        if classes & COLUMN_TABLES and len(cols) == width:
            weights = [BLOCK_COLUMNS.get(next(iter(c.classes), ""), 7) for c in cols]
        else:
            weights = [min(max(sum(v) / len(v) if v else 8, words[i] * 1.25, 4), 36)
                       for i, v in enumerate(lengths)]
        return column_widths(weights, [m + 2 * CELL_INSET_PT for m in minimums],
                             PAGE_WIDTH_PT[self.landscape])

    def cell(self, node: Node, *, header: bool = False, row: set[str] | None = None) -> str:
        row = row or set()
        classes = node.classes
        options = []
        for span in ("colspan", "rowspan"):
            value = node.attrs.get(span, "")
            if value.isdigit() and int(value) > 1:
                options.append(f"{span}: {int(value)}")
        if "num" in classes:
            options.append("align: right")
        if header:
            options.append('fill: rgb("#f4f5f7")')
        elif "theme-row" in row and node.tag == "th":
            options.append('fill: rgb("#e9edf2")')
        self.in_table = True
        try:
            content = self.inline(node.children)
        finally:
            self.in_table = False
        bold = header or row & {"totals", "overall-total", "theme-total", "theme-row"} or (
            node.tag == "th" and "risk-summary" in row)
        if bold:
            content = f"#strong[{content}]"
        return f"table.cell({', '.join(options)})[{content}]"


def _span(cell: Node, attribute: str) -> int:
    """A cell's ``colspan`` or ``rowspan`` (1 when not given or not a number)."""
    value = cell.attrs.get(attribute, "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _word_widths(cell: Node, whole_lines: bool) -> list[float]:
    """The widths (points) of what in a printed cell cannot wrap: its words, a badge, or
    with ``whole_lines`` (a figure's cell) each line between ``<br>``s."""
    lines: list[str] = [""]
    widths: list[float] = [0.0]

    def walk(node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                lines[-1] += child
            elif child.classes & HIDDEN:
                continue
            elif child.tag == "br":
                lines.append("")
            elif child.tag == "laa-svg":
                continue
            elif child.tag == "span" and "rag" in child.classes:
                # the letter's box cannot wrap; the word printed after it wraps between words
                letter, word = _badge_parts(child)
                widths.append(badge_width(letter))
                widths.extend(text_width(w) for w in word.split())
                lines[-1] += " "
            else:
                walk(child)

    walk(cell)
    for line in lines:
        parts = [line.strip()] if whole_lines else line.split()
        widths += [text_width(part) for part in parts if part]
    return widths


def _badge_parts(node: Node) -> tuple[str, str]:
    """A RAG badge's letter and its word (the word of a compact badge is there for screen
    readers only on screen; the PDF prints it)."""
    letter = next((c.text().strip() for c in _elements(node) if "rag-letter" in c.classes), "")
    word = next((c.text().strip() for c in _elements(node)
                 if c.classes & {"sr-only", "rag-label"}), "")
    return letter, word


def _visible_text(node: Node) -> str:
    """The text below ``node`` that is printed (hidden parts, as ``sr-only``, left out)."""
    def walk(node: Node) -> str:
        return "".join(c if isinstance(c, str) else "" if c.classes & HIDDEN else walk(c)
                       for c in node.children)

    return _SPACE.sub(" ", walk(node)).strip()


def collect_labels(root: Node) -> set[str]:
    """The ids of the headings that are printed (a link to anything else is printed as
    plain text)."""
    found: set[str] = set()

    def walk(node: Node, hidden: bool) -> None:
        hidden = hidden or bool(node.classes & HIDDEN)
        if not hidden and re.fullmatch(r"h[1-6]", node.tag) and node.attrs.get("id"):
            found.add(node.attrs["id"])
        for child in _elements(node):
            walk(child, hidden)

    walk(root, False)
    return found


def _top_cells(root: Node) -> list[Node]:
    main = _find(root, "main") or _find(root, "body") or root
    return _elements(main)


PREAMBLE = """#set document(title: {title}, author: ({author}), date: {date})
#set text(font: ({fonts}), size: 9.5pt, lang: {language},
  region: {region},
  fill: {ink})
#set par(leading: 0.55em, spacing: 0.75em, justify: false)
#let furniture(body) = text(size: 7.5pt, fill: {grey}, body)
#let section-title() = {{
  let page = here().page()
  let all = query(heading.where(level: 2, outlined: true))
  let on = all.filter(h => h.location().page() == page)
  let before = all.filter(h => h.location().page() < page)
  if on.len() > 0 {{ on.first().body }} else if before.len() > 0 {{ before.last().body }}
}}
#set page(paper: "a4", margin: (top: 19mm, bottom: 17mm, x: 14mm),
  header: context if here().page() > 1 {{
    furniture(grid(columns: (1fr, auto), column-gutter: 12pt, {running}, section-title()))
  }},
  header-ascent: 35%,
  footer: context furniture(grid(columns: (1fr, auto), column-gutter: 12pt, {footer},
    [Page #counter(page).display() of #counter(page).final().first()])))
#set heading(numbering: none)
#set table.cell(breakable: false)
#let need-space() = {{
  block(breakable: false, height: {need}%, width: 100%, above: 0pt, below: 0pt)
  v(-{need}%)
}}
#let section-break() = {{
  block(breakable: false, height: {room}%, width: 100%, above: 0pt, below: 0pt)
  v(-{room}%)
}}
#show heading: set block(sticky: true)
#show heading.where(level: 1): set text(size: 26pt)
#show heading.where(level: 2): set text(size: 12.5pt)
#show heading.where(level: 2): it => block(width: 100%, stroke: (bottom: 1.5pt + {ink}),
  inset: (bottom: 3pt), above: 16pt, below: 8pt, it)
#show heading.where(level: 3): set text(size: 10.5pt)
#show heading.where(level: 4): set text(size: 9.5pt)
#show table: set text(size: 9pt)
#show table: set block(above: 5pt, below: 10pt)
#show link: set text(fill: {ink})
#show figure.where(kind: table): set block(breakable: true, above: 5pt, below: 10pt)
#show figure.where(kind: table): set align(start)
#show figure.caption.where(kind: table): set align(start)
#show figure.caption.where(kind: table): it => block(sticky: true, it)
"""


def page_facts(root: Node) -> dict[str, str]:
    """What the page's head says of the document: ``title``, ``author``, ``created`` (the
    generated-at stamp), ``running-header`` and ``footer`` (empty when not given)."""
    head = _find(root, "head") or root
    title = _find(head, "title")
    facts = {"title": title.text().strip() if title is not None else ""}
    for meta in (n for n in _elements(head) if n.tag == "meta"):
        name = meta.attrs.get("name", "")
        key = {"author": "author", "dcterms.created": "created",
               "laa:running-header": "running-header", "laa:footer": "footer"}.get(name)
        if key:
            facts[key] = meta.attrs.get("content", "")
    return {k: facts.get(k, "") for k in ("title", "author", "created", "running-header",
                                          "footer")}


def html_to_typst(page: str, can_print: Callable[[str], bool] | None = None) -> str:
    """The Typst source that prints ``page`` (a page of
    :func:`pipeline.report.rendering.render_page`).

    ``can_print`` says whether the page's font can show a character (see
    :func:`pipeline.report.pdf.can_print`); one it cannot is printed as U+FFFD, so a
    partner's emoji or a character of a script the font lacks never stops the print.

    The page's head gives the document's title and author, its creation date (the
    generated-at stamp, so the same inputs give the same bytes), the running header (left,
    from page 2; the section's title on the right) and the footer (see :func:`page_facts`).
    """
    root, svgs = parse_page(page)
    facts = page_facts(root)
    html_node = _find(root, "html")
    lang = (html_node.attrs.get("lang", "") if html_node is not None else "").strip()
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z]{2})?", lang):
        raise TypesetError(f'the page has no required "lang" (a language such as en-GB): '
                           f"{lang!r}")
    language, _, region = lang.partition("-")
    title, author, created = facts["title"], facts["author"], facts["created"]
    running_header, footer = facts["running-header"], facts["footer"]
    setter = Typesetter(svgs, collect_labels(root), can_print)
    date = "none"
    found = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}))?", created or "")
    if found:
        y, mo, d, h, mi, s = (int(x) if x else 0 for x in found.groups())
        date = (f"datetime(year: {y}, month: {mo}, day: {d}, hour: {h}, minute: {mi}, "
                f"second: {s})")
    title, author, running_header, footer = (
        setter.printable(t) for t in (title, author, running_header, footer))
    out = [PREAMBLE.format(fonts=", ".join(string(f) for f in FONTS),
                           language=string(language.lower()),
                           region=string(region.upper()) if region else "none",
                           title=string(title), author=string(author) + "," if author else "",
                           date=date, ink=INK, grey=GREY, running=f"[#{string(running_header)}]",
                           footer=f"[#{string(footer)}]", room=round(100 * (1 - RUN_ON_SHARE)),
                           need=round(100 * NEED_SHARE))]
    wide: list[str] = []

    def flush() -> None:
        if wide:   # page() starts its own page: a page break first would leave one empty
            body = "".join(wide).strip().removeprefix(BREAK).removeprefix(
                SECTION_BREAK).lstrip()
            out.append("#page(flipped: true, margin: (top: 17mm, bottom: 15mm, x: 14mm))["
                       + body + "]\n")
            wide.clear()

    for cell in _top_cells(root):
        classes = cell.classes
        if classes & HIDDEN:
            continue
        setter.landscape = "celltag_landscape" in classes
        text = setter.element(cell)
        if "celltag_landscape" in classes:
            if "celltag_new-page" in classes and wide:
                wide.append(SECTION_BREAK)
            wide.append(text)
            continue
        flush()
        if "celltag_new-page" in classes:
            out.append(SECTION_BREAK)
        out.append(text)
    flush()
    return "".join(out)
