"""The one template environment: every HTML page and fragment the run writes is rendered here.

Autoescaping is on for files and strings alike, so text that partners wrote (commentary,
actions, names, file names) arrives as text, never as markup. The templates live in
``pipeline/report/templates``.
"""

from __future__ import annotations

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


ENV = Environment(loader=PackageLoader("pipeline.report", "templates"),
                  autoescape=select_autoescape(default=True, default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
ENV.filters["css_string"] = css_string
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
