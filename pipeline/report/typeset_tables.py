"""Typst markup for a page's tables: header rows, cells and the columns' widths.

:class:`TableWriter` writes an HTML table as a Typst ``table`` (its header repeated on
every page, totals ruled, a theme's row a second-level header, the caption the table's);
the block and benchmarking tables take their columns' shares from their ``col`` classes,
the others share the page in proportion to the text their columns hold, and no column is
narrower than its longest word, figure or badge
(:func:`pipeline.report.print_widths.column_widths`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.report.html_tree import HIDDEN, SPACE, Node, badge_parts, elements, find
from pipeline.report.print_widths import (
    CELL_INSET_PT,
    NO_BREAK,
    PAGE_WIDTH_PT,
    auto_widths,
    badge_width,
    column_widths,
    text_width,
    two_line_width,
)
from pipeline.report.typeset_inline import INK, RULE, InlineWriter

# the block tables: as page.html.j2 sizes them on screen, but in print the trend chart (which
# scales) gives the direction of travel room for "not comparable" on one line
BLOCK_COLUMNS = {"c-indicator": 22, "c-lead": 13, "c-num": 7, "c-off": 6.5, "c-rag": 7,
                 "c-travel": 13, "c-trend": 9,
                 # the benchmarking tables (issue 15), as page.html.j2 sizes them
                 "b-indicator": 19, "b-value": 10, "b-num": 6.5, "b-word": 7.5,
                 "b-travel": 9.5, "b-strip": 16}
COLUMN_TABLES = {"block-table", "benchmark-table"}   # widths from their col classes
# what each printed cell is, in the order Typst tags them (pipeline.report.pdf_structure):
HEADER_CELL = "TH"    # a header Typst tags itself: the thead's, a theme's row
DATA_CELL = "TD"      # a body cell
ROW_HEADER = "Row"    # a body row's th: Typst tags it TD; the PDF makes it TH /Scope /Row


class TableWriter(InlineWriter):
    """Writes a page's tables as Typst markup (see :class:`InlineWriter`).

    ``cell_kinds`` holds, for each table written, what each of its cells is
    (:data:`HEADER_CELL`, :data:`DATA_CELL` or :data:`ROW_HEADER`) in the order written:
    Typst 0.14 cannot tag a row header, so the PDF's structure tree is marked after it
    compiles (:func:`pipeline.report.pdf_structure.mark_row_headers`).
    """

    def __init__(self, svgs: list[str], labels: set[str],
                 can_print: Callable[[str], bool] | None = None) -> None:
        super().__init__(svgs, labels, can_print)
        self.cell_kinds: list[tuple[str, ...]] = []

    def table(self, node: Node) -> str:
        classes = node.classes
        head, body = [], []
        for section in elements(node):
            rows = [r for r in elements(section) if r.tag == "tr"] if section.tag in (
                "thead", "tbody", "tfoot") else ([section] if section.tag == "tr" else [])
            (head if section.tag == "thead" else body).extend(rows)
        width = max((sum(int(c.attrs.get("colspan", "1") or 1) for c in elements(r)
                         if c.tag in ("td", "th")) for r in head + body), default=1)
        columns = self.columns(node, classes, width, head, body)
        cells: list[str] = []
        kinds: list[str] = []
        if head:
            header = [self.cell(c, header=True) for r in head for c in elements(r)
                      if c.tag in ("td", "th")]
            kinds += [HEADER_CELL] * len(header)
            cells.append(f"table.header(repeat: true, {', '.join(header)})")
            cells.append(f"table.hline(stroke: 1.2pt + {INK})")
        for row in body:
            row_classes = row.classes
            if row_classes & {"totals", "overall-total"}:
                cells.append(f"table.hline(stroke: 1.2pt + {INK})")
            row_nodes = [c for c in elements(row) if c.tag in ("td", "th")]
            row_cells = [self.cell(c, row=row_classes) for c in row_nodes]
            if "theme-row" in row_classes and row_cells:
                # a theme's row names the rows under it (scope="rowgroup" in the HTML):
                # in the PDF's structure a second-level header of the table
                cells.append(f"table.header(level: 2, repeat: false, {', '.join(row_cells)})")
                kinds += [HEADER_CELL] * len(row_cells)
            else:
                cells += row_cells
                kinds += [ROW_HEADER if c.tag == "th" else DATA_CELL for c in row_nodes]
            if row_classes & {"totals", "overall-total"}:
                cells.append(f"table.hline(stroke: 1.2pt + {INK})")
        self.cell_kinds.append(tuple(kinds))
        caption = find(node, "caption")
        table = (f"table(columns: {columns}, "
                 f"stroke: (x: none, top: none, bottom: 0.5pt + {RULE}), "
                 f"inset: (x: 3.5pt, y: 2.5pt), {', '.join(cells)})")
        if caption is not None and not caption.classes & HIDDEN:
            # the caption is the table's in the PDF's structure too (a figure of kind table);
            # it starts a new page unless its caption, header and first rows fit (an empty
            # unbreakable block of that height first, then the space taken back)
            return (f"#block(breakable: false, height: {CAPTIONED_START})[]\n"
                    f"#v(-{CAPTIONED_START})\n"
                    f"#figure(kind: table, numbering: none, supplement: none, gap: 4pt, "
                    f"caption: figure.caption(position: top)"
                    f"[#strong[{self.inline(caption.children)}]], {table})\n")
        return f"#{table}\n"

    def columns(self, node: Node, classes: set[str], width: int, head: list[Node],
                rows: list[Node]) -> str:
        """The table's column widths: the block tables' shares from their ``col`` classes;
        the other tables' as a browser lays out an automatic table
        (:func:`pipeline.report.print_widths.auto_widths`): each column at least as wide as
        its longest word, figure or badge, and the page's width left over shared in
        proportion to how much wider each column's longest line would like to be. (Typst's
        own automatic widths starve a long first column beside many short ones.) A block
        table's column too is never narrower than its longest word
        (:func:`pipeline.report.print_widths.column_widths`)."""
        group = find(node, "colgroup")
        cols = [c for c in elements(group) if c.tag == "col"] if group is not None else []
        minimums = [0.0] * width
        naturals = [0.0] * width
        for row in head + rows:
            cells = [c for c in elements(row) if c.tag in ("td", "th")]
            at = 0
            for cell in cells:                    # a total's figures under a spanned label
                span = _span(cell, "colspan")
                if span == 1 and at < width and _span(cell, "rowspan") == 1:
                    whole = "num" in cell.classes and row not in head
                    bold = row in head or bool(row.classes & BOLD_ROWS)
                    least, most = _cell_widths(cell, whole, bold)
                    minimums[at] = max(minimums[at], least)
                    if row not in head or not rows:
                        naturals[at] = max(naturals[at], most)
                at += span
        inset = 2 * CELL_INSET_PT
        available = PAGE_WIDTH_PT[self.landscape]
        if classes & COLUMN_TABLES and len(cols) == width:
            weights = [BLOCK_COLUMNS.get(next(iter(c.classes), ""), 7) for c in cols]
            return column_widths(weights, [m + inset for m in minimums], available)
        return auto_widths([m + inset for m in minimums], [n + inset for n in naturals],
                           available)

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
        bold = header or row & BOLD_ROWS or (
            node.tag == "th" and "risk-summary" in row)
        if bold:
            content = f"#strong[{content}]"
        return f"table.cell({', '.join(options)})[{content}]"


def _span(cell: Node, attribute: str) -> int:
    """A cell's ``colspan`` or ``rowspan`` (1 when not given or not a number)."""
    value = cell.attrs.get(attribute, "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


CAPTIONED_START = "10em"   # room a captioned table needs to start on a page
BASIS_WORDS = 6           # a short line beside a badge is kept to two lines, not wrapped per word
_BREAK_AFTER = re.compile(r"(?<=/)(?=[^\W\d_])")   # a line may break after a slash before a letter
BOLD_ROWS = {"totals", "overall-total", "theme-total", "theme-row"}   # rows printed bold
_WORDS = re.compile(r"[^\W\d_]{3,}")      # a word of three letters or more: text, not a figure


def _cell_widths(cell: Node, whole_lines: bool, bold: bool = True) -> tuple[float, float]:
    """The narrowest a printed cell can be (points) and the width of its longest line
    unwrapped. What cannot wrap: its words, a badge, or with ``whole_lines`` (a figure's
    cell) each line between ``<br>``s that is a figure; a line in words ("below performance
    without stretch") wraps between them. Beside a RAG badge (its letter and the first
    half of its word, :func:`badge_width`) a short line in words, what the rating was
    measured against, is kept to two lines (:func:`two_line_width`)."""
    lines: list[str] = [""]
    extra: list[float] = [0.0]                 # a badge's width on each line
    widths: list[float] = [0.0]
    badged = [False]                         # the cell holds a RAG badge

    def walk(node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                lines[-1] += child
            elif child.classes & HIDDEN:
                continue
            elif child.tag == "br":
                lines.append("")
                extra.append(0.0)
            elif child.tag == "laa-svg":
                continue
            elif child.tag == "span" and "rag" in child.classes:
                # the letter's box and the first half of its word on one line
                # (:meth:`InlineWriter.badge`), the second half below
                letter, word = badge_parts(child)
                widths.append(badge_width(f"{letter} {word}"))
                extra[-1] += badge_width(f"{letter}{NO_BREAK}{word.replace(' ', NO_BREAK)}")
                lines[-1] += " "
                badged[0] = True
            else:
                walk(child)

    walk(cell)
    for line in lines:
        if badged[0] and _WORDS.search(line) and len(line.split()) <= BASIS_WORDS:
            # what a rating was measured against, under its badge ("vs trajectory at
            # 2008-09 Q3: 72.5%"), on two lines at most: not a word to a line
            widths.append(two_line_width(line.strip(), bold=bold))
            continue
        parts = ([line.strip()] if whole_lines and not _WORDS.search(line)
                 else [w for word in line.split() for w in _BREAK_AFTER.split(word)])
        widths += [text_width(part, bold=bold) for part in parts if part]
    natural = max(text_width(SPACE.sub(" ", line).strip(), bold=bold) + more
                  for line, more in zip(lines, extra, strict=True))
    return max(widths), max(natural, max(widths))
