"""The one template environment: every HTML page and fragment the run writes is rendered here.

Autoescaping is on for files and strings alike, so text that partners wrote (commentary,
actions, names, file names) arrives as text, never as markup. The templates live in
``pipeline/report/templates``.
"""

from __future__ import annotations

import html
import re

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.names import anchor


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
