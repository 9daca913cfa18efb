"""The printed page as Typst markup: the HTML document, converted element by element.

The HTML page (:func:`pipeline.report.pages.render_page`) stays the one source of truth:
the PDF is typeset from it, so both tell the same story. This module reads the small, known
vocabulary of that page (headings, paragraphs, lists, definition lists, tables, RAG badges,
inline SVG charts, the cover and its contents list, the cells' ``landscape``, ``new-page``
and ``screen-only`` tags) and writes Typst source that prints it as the print stylesheet
did: A4, landscape pages for wide sections, every numbered section on a new page under
its own running header, repeated table headers, page numbers in the contents.

Every text of the page (partners' commentary included) is written as a Typst string
literal, never as markup, so no text can be read as Typst code. Elements it does not know
are printed as their text.

The page is read as a tree (:mod:`pipeline.report.html_tree`); its inline elements are
written by :mod:`pipeline.report.typeset_inline`, its tables by
:mod:`pipeline.report.typeset_tables`, its blocks and the document's preamble here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from pipeline.report.chart_style import RAG_STYLE
from pipeline.report.html_tree import (
    HIDDEN,
    Node,
    collect_labels,
    elements,
    find,
    page_facts,
    parse_page,
    top_cells,
)
from pipeline.report.typeset_inline import GREY, INK, RULE, TypesetError, string
from pipeline.report.typeset_tables import TableWriter
from pipeline.report.typeset_turns import split_preface, turn_functions, turn_markup

BLOCK_START = "24em"                    # room a block table needs to start on a page
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
LEFT_SHARE = 0.6        # the running header's left part takes at most this share of the line
FONTS = ("DejaVu Sans",)   # the page's font (shipped in pipeline/report/fonts/)


class Typesetter(TableWriter):
    """Writes one page's tree as Typst markup (see :func:`html_to_typst`): its blocks here,
    its inline elements and tables in :class:`TableWriter`'s bases."""

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
        items = [c for c in elements(node) if c.tag == "li" and not c.classes & HIDDEN]
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
        for child in elements(node):
            if child.tag == "dt":
                cells.append(f"[#strong[{self.inline(child.children)}]]")
            elif child.tag == "dd":
                cells.append(f"[{self.inline(child.children)}]")
        return (f"#block(width: 100%, stroke: (top: 1.5pt + {INK}, bottom: 0.5pt + {RULE}), "
                f"inset: (y: 6pt), below: 14pt)[#grid(columns: (auto, 1fr), "
                f"column-gutter: 12pt, row-gutter: 5pt, {', '.join(cells)})]\n")

    def contents(self, node: Node) -> str:
        title = find(node, "h2")
        out = self.heading(title) if title is not None else ""
        rows = []
        listing = find(node, "ol")
        for item in elements(listing) if listing is not None else []:
            if item.classes & HIDDEN:
                continue
            link = find(item, "a")
            target = (link.attrs.get("href", "")[1:] if link is not None else "")
            text = string(self.printable(item.text().strip()))
            if target in self.labels:
                label = f"label({string(target)})"
                rows.append(f"#link({label})[#{text}#box(width: 1fr, repeat[.])"
                            f"#context counter(page).at({label}).first()]")
            else:
                rows.append(f"#{text}")
        return out + "".join(f"#block(above: 3pt, below: 3pt)[{row}]\n" for row in rows)



PREAMBLE = """#set document(title: {title}, author: ({author}), date: {date})
#set text(font: ({fonts}), size: 9.5pt, lang: {language},
  region: {region},
  fill: {ink})
#set par(leading: 0.55em, spacing: 0.75em, justify: false)
#let furniture(body) = text(size: 7.5pt, fill: {grey}, body)
#let plain(it) = {{
  if type(it) == str {{ it }} else if it.has("text") {{ it.text }}
  else if it.has("children") {{ it.children.map(plain).join("", default: "") }}
  else if it.has("body") {{ plain(it.body) }}
  else if it.func() == [ ].func() {{ " " }} else {{ "" }}
}}
#let section-title() = {{
  let page = here().page()
  let all = query(heading.where(level: 2, outlined: true))
  let on = all.filter(h => h.location().page() == page)
  let before = all.filter(h => h.location().page() < page)
  if on.len() > 0 {{ plain(on.first().body) }}
  else if before.len() > 0 {{ plain(before.last().body) }} else {{ "" }}
}}
// a running header is one line: text too wide for its room is cut at a word, with an ellipsis
#let fit-line(words, room) = {{
  if measure(furniture(words)).width <= room {{ return words }}
  let kept = words.split(" ")
  while kept.len() > 1 {{
    let _ = kept.pop()
    let short = kept.join(" ").trim(regex("[\\s,;:·–-]+"), at: end) + "…"
    if measure(furniture(short)).width <= room {{ return short }}
  }}
  kept.first() + "…"
}}
#let running-header(left, title) = layout(size => {{
  let left = fit-line(left, size.width * {left_share})
  let room = size.width - measure(furniture(left)).width - 12pt
  furniture(grid(columns: (auto, 1fr), column-gutter: 12pt, left,
    align(end, fit-line(title, room))))
}})
#set page(paper: "a4", margin: (top: 19mm, bottom: 17mm, x: 14mm),
  header: context if here().page() > 1 {{ running-header({running}, section-title()) }},
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



class Typeset(NamedTuple):
    """A page as Typst source, with what each cell of each of its tables is (in the order
    written; see :class:`pipeline.report.typeset_tables.TableWriter`)."""

    source: str
    cell_kinds: list[tuple[str, ...]]


def html_to_typst(page: str, can_print: Callable[[str], bool] | None = None) -> str:
    """The Typst source that prints ``page`` (see :func:`typeset_page`)."""
    return typeset_page(page, can_print).source


def typeset_page(page: str, can_print: Callable[[str], bool] | None = None) -> Typeset:
    """The Typst source that prints ``page`` (a page of
    :func:`pipeline.report.pages.render_page`), and its tables' cells' kinds.

    ``can_print`` says whether the page's font can show a character (see
    :func:`pipeline.report.pdf.can_print`); one it cannot is printed as U+FFFD, so a
    partner's emoji or a character of a script the font lacks never stops the print.

    The page's head gives the document's title and author, its creation date (the
    generated-at stamp, so the same inputs give the same bytes), the running header (left,
    from page 2; the section's title on the right) and the footer (see :func:`page_facts`).
    """
    root, svgs = parse_page(page)
    facts = page_facts(root)
    html_node = find(root, "html")
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
                           date=date, ink=INK, grey=GREY, running=string(running_header),
                           left_share=LEFT_SHARE,
                           footer=f"[#{string(footer)}]", room=round(100 * (1 - RUN_ON_SHARE)),
                           need=round(100 * NEED_SHARE)) + turn_functions()]
    cells = [cell for cell in top_cells(root) if not cell.classes & HIDDEN]
    at = 0
    while at < len(cells):
        if "celltag_landscape" not in cells[at].classes:
            setter.landscape = False
            if "celltag_new-page" in cells[at].classes:
                out.append(SECTION_BREAK)
            out.append(setter.element(cells[at]))
            at += 1
            continue
        run = []
        while at < len(cells) and "celltag_landscape" in cells[at].classes:
            run.append(cells[at])
            at += 1
        out.append(_landscape_run(setter, run, f"turn_{at}"))
    return Typeset("".join(out), setter.cell_kinds)


def _landscape_run(setter: Typesetter, run: list[Node], key: str) -> str:
    """A run of landscape cells on flipped pages; its preface (:func:`split_preface`) on
    the portrait page before them when it fits there (:func:`turn_markup`)."""
    preface = split_preface(run)
    setter.landscape = False
    words = []
    for node, chain in preface:
        setter.within, kept = [*chain], setter.within
        words.append(setter.element(node))
        setter.within = kept
    setter.skip = {id(node) for node, _ in preface}
    setter.landscape = True
    wide = []
    for cell in run:
        if "celltag_new-page" in cell.classes and wide:
            wide.append(SECTION_BREAK)
        wide.append(setter.element(cell))
    setter.skip = set()
    portrait, landscape = "", ""
    if preface:
        text = "".join(words).replace(SECTION_BREAK, "").replace(NEED_SPACE, "")
        portrait, landscape = turn_markup(key, text)
    # page() starts its own page: a page break first would leave one empty
    body = "".join(wide).strip().removeprefix(BREAK).removeprefix(SECTION_BREAK).lstrip()
    return (f"{portrait}#page(flipped: true, margin: (top: 17mm, bottom: 15mm, x: 14mm))["
            f"{landscape}{body}]\n")
