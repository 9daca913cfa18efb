"""Typst markup for a page's inline content: text, emphasis, links, RAG badges, charts.

:class:`InlineWriter` holds what every part of the typesetter shares (the charts, the
printed headings' ids, which characters the font can show, where the writer is) and
writes the inline elements; :mod:`pipeline.report.typeset_tables` adds the tables and
:class:`pipeline.report.typeset.Typesetter` the blocks and the dispatch of each element.
Every text is written as a Typst string literal (:func:`string`), never as markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from pipeline.report.chart_style import RAG_STYLE
from pipeline.report.html_tree import SPACE, Node, badge_parts, svg_source
from pipeline.report.print_widths import NO_BREAK, badge_lines

PX = 0.75                               # a CSS pixel in points
_SVG_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)
MISSING = "\ufffd"                             # shown for a character no font holds
GREY = 'rgb("#444444")'
RULE = 'rgb("#c8c8c8")'
INK = 'rgb("#1a1a1a")'
SPACE_TEXT = '#" "'                            # a space written as text


def strip_space_ends(markup: str) -> str:
    """``markup`` without a space written as text at its start and at its end (or before
    a final newline), as ``re.sub(r'^#" "|#" "$', "", markup)`` gives, without scanning
    the whole text (a table's markup is written once per element that holds it)."""
    if markup.startswith(SPACE_TEXT):
        markup = markup[len(SPACE_TEXT):]
    if markup.endswith(SPACE_TEXT):
        return markup[:-len(SPACE_TEXT)]
    if markup.endswith(SPACE_TEXT + "\n"):
        return markup[:-len(SPACE_TEXT) - 1] + "\n"
    return markup


class TypesetError(ValueError):
    """The page holds something the PDF cannot print faithfully (no language, an image
    without alternative text, a link to nothing)."""



def string(text: str) -> str:
    """A Typst string literal holding ``text`` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class InlineWriter:
    """Writes a page's inline elements as Typst markup (the state the typesetter shares)."""

    def __init__(self, svgs: list[str], labels: set[str],
                 can_print: Callable[[str], bool] | None = None) -> None:
        self.svgs = svgs
        self.labels = labels
        self.can_print = can_print or (lambda char: True)
        self.in_table = False       # in a table, small print stays at 9pt (as on paper)
        self.landscape = False      # the cell being written is printed on a landscape page
        self.within: list[set[str]] = []      # the classes of the elements being written
        self.skip: set[int] = set()            # elements (by id) written elsewhere
        self.worded = False         # the badge being written is followed by its word

    def inside(self, name: str) -> bool:
        """True when an element being written (this one or an ancestor) has class ``name``."""
        return any(name in classes for classes in self.within)

    # inline content -------------------------------------------------------------------
    def inline(self, nodes: list[Node | str], *, strip: bool = True,
               block: bool = False) -> str:
        """Nodes as markup; ``block``: between blocks, where white space is not text."""
        parts: list[str] = []
        for at, child in enumerate(nodes):
            if isinstance(child, str):
                text = self.printable(SPACE.sub(" ", child))
                if text and not (block and text == " "):
                    parts.append(f"#{string(text)}")
            else:
                following = nodes[at + 1] if at + 1 < len(nodes) else ""
                # a compact badge followed by its word as text ("G Green" in a header):
                # the word is printed once, by the text
                word = badge_parts(child)[1] if "rag" in child.classes else ""
                self.worded = bool(word) and isinstance(following, str) and SPACE.sub(
                    " ", following).strip().startswith(word)
                parts.append(self.element(child))
                self.worded = False
        out = "".join(parts)
        return strip_space_ends(out) if strip else out

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
        if id(node) in self.skip:
            return ""
        self.within.append(node.classes)
        try:
            return self._element(node)
        finally:
            self.within.pop()


    def _element(self, node: Node) -> str:
        """One element as markup: :class:`pipeline.report.typeset.Typesetter` knows them."""
        raise NotImplementedError

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
        letter, word = badge_parts(node)
        letter = letter or code
        out = (f'#box(fill: rgb("{fill}"), stroke: 0.5pt + luma(60%), radius: 2pt, '
               f'inset: (x: 2.5pt, y: 1pt), outset: (y: 0.5pt))'
               f'[#text(fill: rgb("{ink}"), weight: "bold", size: {size})'
               f'[#{string(self.printable(letter))}]]')
        if word and not self.worded:
            # a plain space after the letter; a long word ("Not available for reporting")
            # on two lines at most, each an unbreakable half as :func:`badge_lines` breaks it
            # (its table column is made wide enough for the first half beside the letter)
            halves = [" ".join(line.split(NO_BREAK)) for line in badge_lines(f"{letter} {word}")]
            halves[0] = halves[0].removeprefix(letter).strip()
            text = '#" "'.join(f"#box[#{string(self.printable(half))}]" if " " in half
                               else f"#{string(self.printable(half))}" for half in halves if half)
            out += f'#" "#text(weight: "bold", size: {size})[{text}]'
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
        alt = html.unescape(SPACE.sub(" ", found.group(1))).strip() if found else ""
        if not alt:
            raise TypesetError("a chart (SVG) with no required alt text (its <title>)")
        width = re.search(r'\swidth="([\d.]+)"', source.split(">", 1)[0])
        size = f"{float(width.group(1)) * PX:.2f}pt" if width else "100%"
        if {"trend", "strip"} & set((re.search(r'\sclass="([^"]*)"', source.split(">", 1)[0])
                                     or [None, ""])[1].split()):
            size = "100%"
        return (f"#box(image(bytes({string(svg_source(source))}), format: \"svg\", "
                f"alt: {string(alt)}, width: {size}))")
