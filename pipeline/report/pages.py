"""The one template environment: every HTML page and fragment the run writes is rendered here.

Autoescaping is on for files and strings alike, so text that partners wrote (commentary,
actions, names, file names) arrives as text, never as markup. The templates live in
``pipeline/report/templates``. :func:`render_page` wraps a document's body in the page
(numbered sections, contents, skip link): the appendix's documents
(:mod:`pipeline.report.rendering`) and the auditor's spot-check pack alike.
"""

from __future__ import annotations

import html
import re

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.names import anchor, slug


def css_string(text: object) -> Markup:
    """``text`` as a quoted CSS string, every character but letters, digits and spaces
    escaped (``\\000026 `` for ``&``; the space after an escape belongs to it), so no
    data can end the string or the style sheet."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x} ")
    return Markup('"' + "".join(out) + '"')


def lineage_anchor(indicator_id: object) -> str:
    """The HTML id of an indicator's lineage rows: ``7.20`` -> ``lineage-7-20``."""
    return anchor("lineage", indicator_id, fallback="indicator")


def lineage_href(indicator_id: object) -> str:
    """The link to an indicator's lineage rows, for the appendix's other sections."""
    return "#" + lineage_anchor(indicator_id)


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_HEADING = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def _plain(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities read, white space collapsed."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def scroll_regions(page: object) -> Markup:
    """Each ``<table>`` of rendered HTML ``page`` wrapped in a named, focusable region
    (``div.table-scroll``, ``role="region"``, ``aria-label``, ``tabindex="0"``), the box
    that scrolls sideways when the table is wider than the window (WCAG 1.4.10 reflow and
    2.1.1 keyboard: a keyboard user can focus it and scroll).

    The region is named by the table's caption, else by the heading before it; a name
    used already gets its ordinal (``"Indicators (2)"``), so each region's name is unique.
    """
    text = str(page)
    seen: dict[str, int] = {}
    out: list[str] = []
    last = 0
    headings = _HEADING.finditer(text)      # read once, in step with the tables
    heading = next(headings, None)
    before = None                           # the text of the last heading before a table
    for match in _TABLE.finditer(text):
        caption = _CAPTION.search(match.group(0))
        while heading is not None and heading.end() <= match.start():
            before, heading = heading.group(1), next(headings, None)
        name = _plain(caption.group(1)) if caption else (
            _plain(before) if before is not None else "")
        name = name or "Table"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        out += [text[last:match.start()],
                f'<div class="table-scroll" role="region" aria-label="{html.escape(name)}" '
                f'tabindex="0">', match.group(0), "</div>"]
        last = match.end()
    out.append(text[last:])
    return Markup("".join(out))


ENV = Environment(loader=PackageLoader("pipeline.report", "templates"),
                  autoescape=select_autoescape(default=True, default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
ENV.filters["css_string"] = css_string
ENV.filters["scroll_regions"] = scroll_regions
ENV.globals["lineage_href"] = lineage_href


def compile_templates() -> None:
    """Compile every template now (Jinja compiles each on first use, 0.1 s for all): a
    stage's kernel does this while it waits for its turn."""
    for name in ENV.list_templates():
        ENV.get_template(name)


def render(template: str, **context: object) -> str:
    """Render one template of ``pipeline/report/templates`` with ``context`` (escaped)."""
    return ENV.get_template(template).render(**context)


def render_string(source: str, **context: object) -> str:
    """Render a template given as text, with the same escaping as the files."""
    return ENV.from_string(source).render(**context)


SCREEN_ONLY_TAG = "screen-only"  # a cell so tagged is shown on screen, not printed
SCREEN_ONLY = f"celltag_{SCREEN_ONLY_TAG}"  # the class nbconvert gives such a cell
CONTENTS_MARK = "<!-- laa:contents -->"
_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_CELL = re.compile(r'<div\b[^>]*\bclass="cell [^"]*"')
_TAGS = re.compile(r"<[^>]+>")
# the first section a contents list links to: where the page's skip link leads
_FIRST_SECTION = re.compile(r'<nav class="contents".*?<li><a href="#([^"]+)"', re.S)


UNNUMBERED = ("contents-title", "lineage-heading", "unnumbered")


def number_sections(body: str) -> str:
    """Number a document's sections in order: ``N. `` before each ``<h2>``'s text.

    Headings are written without numbers (in the notebook's markdown and by
    :func:`pipeline.report.sections.render_heading`), so a section left out because it has no
    data leaves no gap. The contents' title and a heading with class ``unnumbered`` (or
    ``lineage-heading``, the auditors' annex) are not numbered; ids are left as they are.
    """
    count = 0
    pieces: list[str] = []
    last = 0
    for match in _H2.finditer(body):
        attributes, inner = match.group(1), match.group(2)
        if any(name in attributes for name in UNNUMBERED) or not _TAGS.sub("", inner).strip():
            continue
        count += 1
        start = match.start() + len(f"<h2{attributes}>")
        pieces += [body[last:start], f"{count}. "]
        last = start
    return "".join(pieces) + body[last:]


def add_contents(body: str) -> str:
    """Fill the cover's contents list with a link to every section (each ``<h2>`` but the
    contents' own title).

    A heading without an id is given one (its text as a slug). A section in a cell tagged
    ``screen-only`` (the lineage, for auditors) is listed with class ``screen-only``: in the
    HTML's contents, not in the PDF's, which does not print it.
    """
    if CONTENTS_MARK not in body:
        return body
    items: list[str] = []
    pieces: list[str] = []
    last = 0
    cells = _CELL.finditer(body)            # read once, in step with the headings
    cell = next(cells, None)
    opened = ""                             # the last cell opened before a heading
    for match in _H2.finditer(body):
        attributes, inner = match.group(1), match.group(2)
        text = _TAGS.sub("", inner).strip()
        if "contents-title" in attributes or not text:
            continue
        found = _ID.search(attributes)
        anchor = found.group(1) if found else slug(html.unescape(text))
        if not found:
            pieces += [body[last:match.start()], f'<h2 id="{anchor}"{attributes}>']
            last = match.start() + len(f"<h2{attributes}>")
        while cell is not None and cell.end() <= match.start():
            opened, cell = cell.group(0), next(cells, None)
        screen_only = SCREEN_ONLY in opened
        hidden = ' class="screen-only"' if screen_only else ""
        items.append(f'<li{hidden}><a href="#{anchor}">{text}</a></li>')
    body = "".join(pieces) + body[last:]
    listing = f'<ol>{"".join(items)}</ol>' if items else ""
    return body.replace(CONTENTS_MARK, listing, 1)


def render_page(body: str, title: str, running_header: str, *, footer: str = "",
                created: str = "", author: str = "") -> str:
    """Wrap a body in the page: print CSS inline, nothing loaded from the network; a skip
    link first (past the contents, where there is one), each table in a named scrolling
    region (:func:`pipeline.report.pages.scroll_regions`).

    Parameters
    ----------
    body
        The document's HTML (trusted: rendered by :mod:`pipeline.report.sections`, data escaped).
    title, running_header, footer
        Text for the page title and the PDF's running header and footer (escaped).
    created
        The generated-at stamp (ISO 8601), written as the document's creation date.
    author
        The partnership, written as the document's author.
    """
    from pipeline.report.chart_style import RAG_STYLE  # the palette's module needs pandas

    body = add_contents(number_sections(body))
    first = _FIRST_SECTION.search(body)
    return render("page.html.j2", body=Markup(body), title=title,
                  running_header=running_header, footer=footer, created=created,
                  author=author, palette=RAG_STYLE,
                  skip_to=first.group(1) if first else "main",
                  skip_text="Skip the contents" if first else "Skip to main content")
