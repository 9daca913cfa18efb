"""Layout checks of a printed page, as a board member would see it (issue 22 item 4).

Each check takes an open pdfplumber PDF (or, for rows, the PDF's path) and returns what it
found as messages naming the page; an empty list means a clean document. They read the
PDF's structure tree (:func:`tests.pdf_checks.page_elements`), so every character is known
by the table cell, row or heading it belongs to, and page furniture by having none.

- :func:`run_together_cells`: two cells of a table row whose text, on one line, touches or
  overlaps ("8,563112,930"): less than :data:`MIN_GAP_PT` between them.
- :func:`clipped_text`: text outside the page's text area (past a margin, off the paper),
  or a word cut by the edge of the badge drawn behind it ("G Gree").
- :func:`headings_alone_at_the_foot`: a page whose last line is a heading, a table's
  caption or header, or a group row of a table (a row of one cell, such as a theme's name)
  whose rows go on over the page.
- :func:`rows_split_across_pages`: a table row whose text is on two pages.
- :func:`mostly_blank_pages`: a page, other than the last, whose content ends in the top
  :data:`BLANK_SHARE` of its text area while the next page has the same orientation (so
  what follows could have filled it).
- :func:`underfilled_pages`: a page filled less than :data:`MIN_FILL` of its text area,
  other than the last and other than a portrait page before a landscape page that starts
  with a table (the wide table could not be set on the portrait page).
- :func:`running_headers_on_two_lines`: a page whose running header (the untagged text
  above its top margin) takes more than one line.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.report.charts import RAG_STYLE
from tests.pdf_checks import Element, content_chars, page_elements, pdf_reader

MIN_GAP_PT = 2.0          # cells' text closer than this (the inset gives 7pt) run together
MARGIN_X_PT = 14 / 25.4 * 72          # the pages' left and right margins (typeset.PREAMBLE)
MARGIN_BOTTOM_PT = 15 / 25.4 * 72     # the narrowest bottom margin (landscape pages)
DESCENT = 0.24                        # DejaVu's descender, as a share of the font size
TOLERANCE_PT = 0.5
BLANK_SHARE = 0.30        # a page whose content ends in its top 30% is mostly blank
MIN_FILL = 0.25           # whatever follows, a page (but the exceptions) is filled this far
MARGINS_MM = {False: (19, 17), True: (17, 15)}   # top and bottom: portrait, landscape
BLOCKING = {"H1", "H2", "H3", "H4", "H5", "H6", "Caption", "THead"}
CELLS = ("TD", "TH")


def innermost(elements: list[Element]) -> dict[int, Element]:
    """Each character (by id) to the deepest element holding it."""
    out: dict[int, Element] = {}
    for element in elements:
        for char in element.chars:
            known = out.get(id(char))
            if known is None or len(element.path) >= len(known.path):
                out[id(char)] = element
    return out


def cell_of(elements: list[Element]) -> dict[int, int]:
    """Each character (by id) in a table cell to the index of that cell's element."""
    out: dict[int, int] = {}
    for number, element in enumerate(elements):
        if element.type in CELLS and "TR" in element.path[-1:]:
            for char in element.chars:
                out[id(char)] = number
    return out


def _lines(chars: list[dict]) -> list[tuple[float, float, float, float, str]]:
    """A cell's characters as lines: ``(top, bottom, x0, x1, text)``."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if not char["text"].strip():
            continue
        if lines and abs(lines[-1][0]["top"] - char["top"]) < 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [(min(c["top"] for c in line), max(c["bottom"] for c in line),
             min(c["x0"] for c in line), max(c["x1"] for c in line),
             "".join(c["text"] for c in line)) for line in lines]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def run_together_cells(pdf) -> list[str]:
    """Pairs of cells in one table row whose text on the same line is less than
    :data:`MIN_GAP_PT` apart, or overlaps."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        elements = page_elements(page)
        rows: dict[int, list[Element]] = {}
        for element in elements:
            if element.type in CELLS and element.row >= 0 and element.chars:
                rows.setdefault(element.row, []).append(element)
        for cells in rows.values():
            lines = [_lines(cell.chars) for cell in cells]
            for i, first in enumerate(lines):
                for second in lines[i + 1:]:
                    for a in first:
                        for b in second:
                            height = min(a[1] - a[0], b[1] - b[0])
                            if _overlap(a[:2], b[:2]) < height / 2:
                                continue              # not on the same line
                            left, right = (a, b) if a[2] <= b[2] else (b, a)
                            if right[2] - left[3] < MIN_GAP_PT:
                                found.append(f"page {number}: {left[4][-30:]!r} runs into "
                                             f"{right[4][:30]!r}")
    return found


def _rgb(colour: str) -> tuple[float, ...]:
    return tuple(int(colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5))


def is_badge_fill(colour) -> bool:
    """True for the fill of a RAG badge (the colours of :data:`RAG_STYLE`)."""
    if not isinstance(colour, tuple) or len(colour) != 3:
        return False
    return any(all(abs(a - b) < 0.01 for a, b in zip(colour, _rgb(fill), strict=True))
               for fill, _ in RAG_STYLE.values())


def badges(page) -> list[dict]:
    """The page's RAG badges: small shapes filled in a RAG colour (not a chart's bar, nor
    the coloured edge of a key figure)."""
    return [s for s in page.rects + page.curves if s.get("fill")
            and is_badge_fill(s.get("non_stroking_color"))
            and s["bottom"] - s["top"] < 48 and 6 < s["x1"] - s["x0"] < page.width / 4]


def clipped_text(pdf) -> list[str]:
    """Text outside the page's text area, and words cut by the edge of their badge."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        elements = page_elements(page)
        chars = [c for c in content_chars(page, elements) if c["text"].strip()]
        outside = [c for c in chars if c["x0"] < MARGIN_X_PT - TOLERANCE_PT
                   or c["x1"] > page.width - MARGIN_X_PT + TOLERANCE_PT
                   or c["top"] < 0
                   # Typst's lines end at the baseline: a descender may hang below the margin
                   or c["bottom"] - DESCENT * c["size"] > page.height - MARGIN_BOTTOM_PT]
        if outside:
            text = "".join(c["text"] for c in outside[:30])
            found.append(f"page {number}: {len(outside)} character(s) outside the text "
                         f"area: {text!r}")
        for shape in badges(page):
            cut = [c for c in chars
                   if _overlap((c["top"], c["bottom"]), (shape["top"], shape["bottom"]))
                   > (c["bottom"] - c["top"]) / 2
                   and (c["x0"] < shape["x1"] - TOLERANCE_PT < c["x1"] - 1
                        or c["x0"] + 1 < shape["x0"] + TOLERANCE_PT < c["x1"])]
            if cut:
                found.append(f"page {number}: a badge's edge cuts "
                             f"{''.join(c['text'] for c in cut)!r}")
    return found


def _group_rows(elements: list[Element]) -> set[int]:
    """The rows of the page's table bodies that hold one cell while the table's other rows
    (its header's included) hold more: a group's heading (a theme's name across the table)."""
    cells: dict[int, int] = {}
    body: set[int] = set()
    for element in elements:
        if element.type in CELLS and element.row >= 0:
            cells[element.row] = cells.get(element.row, 0) + 1
            if "TBody" in element.path:
                body.add(element.row)
    widest = max(cells.values(), default=0)
    return {row for row in body if cells[row] == 1 < widest}


def _blocking(element: Element, groups: set[int]) -> set[str]:
    """What makes text a heading: a heading, a table's caption or header, a group row."""
    chain = (*element.path, element.type)
    kinds = BLOCKING & set(chain)
    if "Caption" in kinds and chain[chain.index("Caption") - 1] != "Table":
        kinds.discard("Caption")       # a figure's caption, below its figure, may end a page
    if element.row in groups:
        kinds.add("group row")
    return kinds


def headings_alone_at_the_foot(pdf) -> list[str]:
    """Pages whose last line of text is a heading, a caption, a table header or a group row
    of a table (what it heads is on the next page)."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        elements = page_elements(page)
        chars = [c for c in content_chars(page, elements) if c["text"].strip()]
        if not chars or number == len(pdf.pages):
            continue
        owner, groups = innermost(elements), _group_rows(elements)
        last = max(c["bottom"] for c in chars)
        line = [c for c in chars if c["bottom"] > last - 2]
        kinds = [_blocking(owner[id(c)], groups) for c in line]
        if all(kinds):
            text = "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"]))
            found.append(f"page {number} ends with {sorted(set().union(*kinds))}: "
                         f"{text[:60]!r}")
    return found


def rows_split_across_pages(path: Path) -> list[str]:
    """Table rows whose marked content lies on more than one page (read from the document's
    structure tree, where each row is one element whatever pages it spans)."""
    reader = pdf_reader(path)
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages, start=1)}

    def resolve(obj):
        return obj.get_object() if hasattr(obj, "get_object") else obj

    def walk(node, page: int | None, held: set[int] | None, rows: list[set[int]]) -> None:
        node = resolve(node)
        if isinstance(node, list):
            for kid in node:
                walk(kid, page, held, rows)
            return
        if isinstance(node, int):                      # a marked-content id on ``page``
            if held is not None and page:
                held.add(page)
            return
        if not hasattr(node, "get"):
            return
        if "/Pg" in node:
            page = pages.get(node.raw_get("/Pg").idnum, page)
        if node.get("/Type") == "/MCR":
            if held is not None and page:
                held.add(page)
            return
        if str(node.get("/S", "")) == "/TR":
            held = set()
            rows.append(held)
        if "/K" in node:
            walk(node["/K"], page, held, rows)

    rows: list[set[int]] = []
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" in root:
        walk(resolve(root["/StructTreeRoot"]).get("/K", []), None, None, rows)
    return [f"a table row runs from page {min(r)} to page {max(r)}" for r in rows
            if len(r) > 1]


def _content_bottom(page, elements: list[Element]) -> float | None:
    """How far down the page its content goes (text, and shapes inside the text area)."""
    chars = [c["bottom"] for c in content_chars(page, elements) if c["text"].strip()]
    shapes = [s["bottom"] for s in page.rects + page.curves + page.images
              if page.height * 0.06 < s["top"] and s["bottom"] < page.height * 0.95]
    return max(chars + shapes, default=None)


def mostly_blank_pages(pdf) -> list[str]:
    """Pages (not the last) whose content ends in the top :data:`BLANK_SHARE` of their text
    area (between the top and bottom margins, :data:`MARGINS_MM`) while the next page has
    the same orientation."""
    found = []
    pages = list(pdf.pages)
    for number, (page, after) in enumerate(zip(pages, pages[1:], strict=False), start=1):
        if (page.width > page.height) != (after.width > after.height):
            continue                       # the next page turns: nothing could move up
        elements = page_elements(page)
        chars = [c for c in content_chars(page, elements) if c["text"].strip()]
        bottom = _content_bottom(page, elements)
        if bottom is None or not chars:
            found.append(f"page {number} is empty")
            continue
        top, foot = (mm / 25.4 * 72 for mm in MARGINS_MM[page.width > page.height])
        share = (bottom - top) / (page.height - foot - top)
        if share < BLANK_SHARE:
            found.append(f"page {number} is {1 - share:.0%} blank")
    return found


def running_headers_on_two_lines(pdf) -> list[str]:
    """Pages whose running header (untagged characters above the top margin,
    :data:`MARGINS_MM`) is set on more than one line."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        tagged = {id(c) for e in page_elements(page) for c in e.chars}
        top = MARGINS_MM[page.width > page.height][0] / 25.4 * 72
        header = [c for c in page.chars if id(c) not in tagged and c["bottom"] <= top]
        lines = _lines(header)
        if len(lines) > 1:
            found.append(f"page {number}: the running header takes {len(lines)} lines: "
                         f"{' / '.join(line[4][:40] for line in lines)!r}")
    return found


def _fill(page, elements: list[Element]) -> float:
    """How far down its text area (between the margins, :data:`MARGINS_MM`) the page's
    content goes: 0 for an empty page, 1 for a full one."""
    bottom = _content_bottom(page, elements)
    if bottom is None:
        return 0.0
    top, foot = (mm / 25.4 * 72 for mm in MARGINS_MM[page.width > page.height])
    return (bottom - top) / (page.height - foot - top)


def _starts_with_a_table(page, elements: list[Element]) -> bool:
    """True when the page's first line of content belongs to a table (a row, its header or
    its caption)."""
    chars = [c for c in content_chars(page, elements) if c["text"].strip()]
    if not chars:
        return False
    owner = innermost(elements)
    first = min(chars, key=lambda c: (round(c["top"]), c["x0"]))
    return "Table" in (*owner[id(first)].path, owner[id(first)].type)


def underfilled_pages(pdf) -> list[str]:
    """Pages whose content ends above :data:`MIN_FILL` of their text area. The rule: every
    page is filled at least that far, except (a) the document's last page, and (b) a portrait
    page followed by a landscape page whose first line is a table's (a caption, header or
    row): that table needs the landscape page's width, so nothing of it could be set on the
    portrait page, and a wide section's preface is moved before the turn when it fits
    (:mod:`pipeline.report.typeset_turns`). A landscape page before a portrait one has no
    exception: portrait content can always be set on a landscape page."""
    found = []
    pages = list(pdf.pages)
    for number, (page, after) in enumerate(zip(pages, pages[1:], strict=False), start=1):
        share = _fill(page, page_elements(page))
        if share >= MIN_FILL:
            continue
        turns = page.width < page.height and after.width > after.height
        if turns and _starts_with_a_table(after, page_elements(after)):
            continue
        found.append(f"page {number} is filled to {share:.0%}, under {MIN_FILL:.0%}")
    return found
