"""The rendered HTML page as a tree of nodes, and what the printed page asks of it.

:func:`parse_page` reads a page of :func:`pipeline.report.pages.render_page` into
:class:`Node` s (its SVG charts kept verbatim aside); the helpers here find elements in
that tree, name a RAG badge's parts, the printed headings' ids and what the page's head
says of the document. :mod:`pipeline.report.typeset` writes the tree as Typst markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
SPACE = re.compile(r"\s+")
SURROGATE = re.compile("[\ud800-\udfff]")

# HTML parsers lower-case attribute names; SVG's are case-sensitive
_SVG_CASE = {name.lower(): name for name in (
    "viewBox", "patternUnits", "patternTransform", "patternContentUnits",
    "preserveAspectRatio", "gradientUnits", "gradientTransform", "textLength",
    "lengthAdjust", "clipPathUnits", "markerWidth", "markerHeight", "refX", "refY")}
_SVG_ATTR = re.compile(r"\s(" + "|".join(_SVG_CASE) + r")=")
HIDDEN = {"sr-only", "screen-only", "anchor-link", "celltag_screen-only"}


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
        return SPACE.sub(" ", "".join(parts))


class _TreeBuilder:
    """The parser's events as a tree of :class:`Node` (lxml's parser-target interface:
    libxml2's HTML parser, in C, calls these; about ten times as fast as the standard
    library's ``html.parser`` on the appendix, with the same tree for the pages written)."""

    def __init__(self) -> None:
        self.root = Node("root")
        self.stack = [self.root]

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def end(self, tag: str) -> None:   # a void element's end comes too
        self.stack.pop()

    def data(self, data: str) -> None:   # text around a character reference comes apart
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)

    def close(self) -> Node:
        return self.root


def parse_page(page: str) -> tuple[Node, list[str]]:
    """The page as a tree (its ``<html>`` under a ``root`` node; comments left out), and
    its SVG charts (kept verbatim, each replaced in the tree by a ``laa-svg`` node holding
    its index). NUL and lone surrogates (which no UTF-8 text holds) are left out, as the
    print leaves out every control character (``Typesetter.printable``): lxml would read
    NUL as U+FFFD and refuse a surrogate."""
    svgs: list[str] = []

    def keep(match: re.Match) -> str:
        svgs.append(match.group(0))
        return f'<laa-svg data-i="{len(svgs) - 1}"></laa-svg>'

    source = SVG.sub(keep, page).replace("\x00", "")
    parser = etree.HTMLParser(target=_TreeBuilder(), huge_tree=True)
    try:
        parser.feed(source)
    except UnicodeEncodeError:           # lxml reads the text as UTF-8
        parser = etree.HTMLParser(target=_TreeBuilder(), huge_tree=True)
        parser.feed(SURROGATE.sub("", source))
    return parser.close(), svgs


def find(node: Node, tag: str) -> Node | None:
    """The first element ``tag`` below ``node`` (depth first), or None."""
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                return child
            found = find(child, tag)
            if found is not None:
                return found
    return None


def elements(node: Node) -> list[Node]:
    """The elements directly under ``node`` (its text left out)."""
    return [c for c in node.children if isinstance(c, Node)]


def has_badge(node: Node) -> bool:
    """True when ``node`` holds a RAG badge (``span.rag``)."""
    return any(("rag" in c.classes and c.tag == "span") or has_badge(c)
               for c in elements(node))


def svg_source(svg: str) -> str:
    """An inline SVG as a standalone SVG file: attribute names in their SVG case."""
    return _SVG_ATTR.sub(lambda m: f" {_SVG_CASE[m.group(1)]}=", svg)


def badge_parts(node: Node) -> tuple[str, str]:
    """A RAG badge's letter and its word (the word of a compact badge is there for screen
    readers only on screen; the PDF prints it)."""
    letter = next((c.text().strip() for c in elements(node) if "rag-letter" in c.classes), "")
    word = next((c.text().strip() for c in elements(node)
                 if c.classes & {"sr-only", "rag-label"}), "")
    return letter, word


def visible_text(node: Node) -> str:
    """The text below ``node`` that is printed (hidden parts, as ``sr-only``, left out)."""
    def walk(node: Node) -> str:
        return "".join(c if isinstance(c, str) else "" if c.classes & HIDDEN else walk(c)
                       for c in node.children)

    return SPACE.sub(" ", walk(node)).strip()


def collect_labels(root: Node) -> set[str]:
    """The ids of the headings that are printed (a link to anything else is printed as
    plain text)."""
    found: set[str] = set()

    def walk(node: Node, hidden: bool) -> None:
        hidden = hidden or bool(node.classes & HIDDEN)
        if not hidden and re.fullmatch(r"h[1-6]", node.tag) and node.attrs.get("id"):
            found.add(node.attrs["id"])
        for child in elements(node):
            walk(child, hidden)

    walk(root, False)
    return found


def top_cells(root: Node) -> list[Node]:
    """The elements directly under the page's ``<main>`` (else its body): its cells."""
    main = find(root, "main") or find(root, "body") or root
    return elements(main)


def page_facts(root: Node) -> dict[str, str]:
    """What the page's head says of the document: ``title``, ``author``, ``created`` (the
    generated-at stamp), ``running-header`` and ``footer`` (empty when not given)."""
    head = find(root, "head") or root
    title = find(head, "title")
    facts = {"title": title.text().strip() if title is not None else ""}
    for meta in (n for n in elements(head) if n.tag == "meta"):
        name = meta.attrs.get("name", "")
        key = {"author": "author", "dcterms.created": "created",
               "laa:running-header": "running-header", "laa:footer": "footer"}.get(name)
        if key:
            facts[key] = meta.attrs.get("content", "")
    return {k: facts.get(k, "") for k in ("title", "author", "created", "running-header",
                                          "footer")}
