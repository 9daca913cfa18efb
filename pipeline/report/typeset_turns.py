"""Where the page turns: a landscape section's short preface kept on the portrait page.

A wide section (its cells tagged ``landscape``) is printed on flipped pages. When the
portrait page before it ends in its top :data:`TURN_SHARE` (the tail of a table, a short
section), nothing after it can move up, since the wide table cannot be set on a portrait
page, and the page is left mostly blank. A typesetter then sets the wide section's preface
(its headings and the paragraphs before its first table, chart or block table) on that
portrait page, when it fits in what is left of it, and turns the page for the table.

:func:`split_preface` finds the preface in the page's tree; :func:`turn_markup` writes the
Typst that places it on one side of the turn or the other. The choice is Typst's, made from
where the portrait text ends (a marker's position) and how tall the preface is (measured at
the portrait width), so the same test gives the same answer on both sides of the turn.
"""

from __future__ import annotations

from pipeline.report.html_tree import HIDDEN, Node, elements

TURN_SHARE = 0.35       # as a section's run-on (typeset.RUN_ON_SHARE): above this, turn
PREFACE_TAGS = {"h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "dl"}
PREFACE_BOXES = {"block-key", "scope"}          # boxes of explanation: prose, not tables
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
WRAPPER_TAGS = {"div", "section", "article"}
SPECIAL = {"cover", "risk", "block-key", "scope", "contents", "block"}   # not plain wrappers
WIDE = {"table", "laa-svg", "img", "figure"}

TURN_FUNCTIONS = """#let turn_preface(key, body) = {{
  // true when the portrait text ends in the top {share}% of its page (the marker ``key``)
  // and ``body``, at the portrait width, fits below it
  let found = query(key)
  if found.len() == 0 {{ return false }}
  let y = found.first().location().position().y
  let area = 841.89pt - 19mm - 17mm
  let used = (y - 19mm) / area
  let room = 841.89pt - 17mm - y
  let need = measure(body, width: 595.28pt - 28mm).height
  used > 0.01 and used < {fraction} and need + 24pt <= room
}}
"""


def _holds_wide(node: Node) -> bool:
    """True when ``node`` is or holds what needs the landscape page (a table, a chart)."""
    if node.tag in WIDE:
        return True
    return any(_holds_wide(child) for child in elements(node))


Block = tuple[Node, list[set[str]]]      # a block and its ancestors' classes, outermost first


def _blocks(node: Node, chain: list[set[str]]) -> list[Block]:
    """The page's blocks under ``node`` in reading order, plain wrappers opened."""
    if node.classes & HIDDEN:
        return []
    if node.tag in WRAPPER_TAGS and not node.classes & SPECIAL:
        inner = [*chain, node.classes]
        return [block for child in elements(node) for block in _blocks(child, inner)]
    return [(node, chain)]


def split_preface(cells: list[Node]) -> list[Block]:
    """The preface of a landscape run of ``cells``: its leading headings, paragraphs, lists
    and boxes of explanation before the first table, chart or block table, without a
    heading at its end (a heading stays with what it heads); each with its ancestors'
    classes. Empty when the run starts with a table, or holds nothing else (then nothing
    would be left to turn the page for)."""
    blocks = [block for cell in cells for block in _blocks(cell, [])]
    preface: list[Block] = []
    for node, chain in blocks:
        prose = node.tag in PREFACE_TAGS or (node.tag == "div"
                                             and node.classes & PREFACE_BOXES)
        if not prose or _holds_wide(node):
            break
        preface.append((node, chain))
    while preface and preface[-1][0].tag in HEADINGS:
        preface.pop()
    return preface if len(preface) < len(blocks) else []


def turn_markup(key: str, preface: str) -> tuple[str, str]:
    """Typst for the two sides of a turn: what ends the portrait text (a marker, and the
    ``preface`` when it fits there, :data:`TURN_FUNCTIONS`) and what starts the landscape
    page (the ``preface`` when it did not)."""
    label = f"<{key}>"
    body = f"#let {key} = [{preface}]\n"
    portrait = (f"{body}#metadata(none) {label}\n"
                f"#context if turn_preface({label}, {key}) {{ {key} }}\n")
    landscape = f"#context if not turn_preface({label}, {key}) {{ {key} }}\n"
    return portrait, landscape


def turn_functions() -> str:
    """The preamble's Typst function that decides a turn (see :func:`turn_markup`)."""
    return TURN_FUNCTIONS.format(share=round(100 * TURN_SHARE), fraction=TURN_SHARE)
