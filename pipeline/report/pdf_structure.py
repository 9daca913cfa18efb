"""The printed tables' row headers, tagged in the PDF's structure tree after Typst compiles
(the PDF engine's second half: the only module that imports pikepdf).

Typst 0.14 tags a table's header rows as TH cells (``/Scope /Column``; a theme's row is a
second-level header the cells under it name in their ``/Headers``) but every cell of a body
row as TD: its only way to tag a row header (``pdf.header-cell(scope: "row")``) sits behind
a feature flag the Python binding cannot enable. The HTML marks each body row's header
(``<th scope="row">``). So, after Typst, each cell the page wrote from a body row's ``th``
becomes a TH with the table attributes ``/O /Table /Scope /Row`` (ISO 32000-1, 14.8.5.7),
gets an ``/ID`` in the structure tree's ID tree, and the cells after it in its row name it
in their ``/Headers``, as Typst's cells name their column headers.

Which cell is which is not guessed from its text: the translator records, for every table
it writes, what each cell is in the order written
(:attr:`pipeline.report.typeset_tables.TableWriter.cell_kinds`), and Typst tags tables and
cells in that order (tables in reading order, rows top to bottom, cells left to right). The
structure is checked against that record (the number of tables, of cells in each, which are
TH and TD, and the table and place Typst's own header cells' ids name) and any difference
stops the print (:class:`StructureError`) rather than tag the wrong cells.

The PDF is saved with a document ID computed from its content, so the same page gives the
same bytes; nothing else changes (metadata, PDF/UA identifier, title, language, bookmarks,
links and content streams are written as Typst wrote them).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator

from pipeline.report.typeset_tables import HEADER_CELL, ROW_HEADER

GROUPS = ("/THead", "/TBody", "/TFoot")        # what holds a table's rows
CELLS = ("/TH", "/TD")
# the id Typst 0.14 gives a header cell: U<table>x<column>y<row>, which the order of the
# tables and the cells' places are checked against
TYPST_ID = re.compile(r"U(\d+)x(\d+)y(\d+)")


class StructureError(ValueError):
    """The PDF's structure tree does not hold the tables and cells the page wrote."""


def mark_row_headers(data: bytes, cell_kinds: list[tuple[str, ...]]) -> bytes:
    """The tagged PDF ``data`` with each body row's header cell tagged as a row header.

    Parameters
    ----------
    data
        A tagged PDF as Typst wrote it from the page.
    cell_kinds
        For each table of the page in reading order, what each of its cells is
        (:data:`pipeline.report.typeset_tables.HEADER_CELL`, ``DATA_CELL`` or
        ``ROW_HEADER``), in the order written.

    Returns
    -------
    bytes
        The PDF with each ``ROW_HEADER`` cell a TH of ``/Scope /Row``; ``data`` itself when
        the page has no row header.

    Raises
    ------
    StructureError
        When the structure tree's tables or cells differ from ``cell_kinds``.
    """
    if not any(ROW_HEADER in kinds for kinds in cell_kinds):
        return data
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            raise StructureError("the PDF has no structure tree to tag its row headers in")
        tables = list(_elements(root.get("/K"), "/Table"))
        if len(tables) != len(cell_kinds):
            raise StructureError(f"the PDF's structure holds {len(tables)} table(s), the "
                                 f"page printed {len(cell_kinds)}")
        ids = dict(pikepdf.NameTree(root.IDTree).items()) if "/IDTree" in root else {}
        for number, (table, kinds) in enumerate(zip(tables, cell_kinds, strict=True), 1):
            _mark_table(table, kinds, number, ids)
        # one flat, sorted name tree (as Typst writes it; qpdf's insertions cost 1 ms each)
        root.IDTree = pikepdf.Dictionary(Names=pikepdf.Array(
            [item for name in sorted(ids) for item in (pikepdf.String(name), ids[name])]))
        out = io.BytesIO()
        # the document ID from the content (not the clock); the XMP and every stream left
        # as Typst wrote them
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 compress_streams=False)
    return out.getvalue()


@functools.cache
def _name(text: str):
    """The PDF name ``text`` (``/TH``...), made once: names compare faster with names."""
    import pikepdf

    return pikepdf.Name(text)


def _kids(node) -> Iterator[tuple]:
    """The structure elements directly under ``node`` (not its marked-content ids), each
    with its type (``/S``)."""
    import pikepdf

    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else node
    for kid in kids if isinstance(kids, pikepdf.Array) else (kids,):
        if isinstance(kid, pikepdf.Dictionary):
            kind = kid.get("/S")
            if kind is not None:
                yield kid, kind


def _elements(node, kind: str) -> Iterator:
    """The elements of type ``kind`` under ``node``, in document order (not within one)."""
    wanted = _name(kind)
    for kid, its in _kids(node):
        if its == wanted:
            yield kid
        else:
            yield from _elements(kid, kind)


def _rows(table) -> list[list[tuple]]:
    """A table's rows (TR, in its head, bodies and foot or directly), each its cells (each
    with its type, TH or TD)."""
    row, groups, cells = _name("/TR"), [_name(g) for g in GROUPS], [_name(c) for c in CELLS]
    rows = []
    for kid, kind in _kids(table):
        if kind == row:
            rows.append([(cell, its) for cell, its in _kids(kid) if its in cells])
        elif kind in groups:
            rows += _rows(kid)
    return rows


def _table_attributes(cell, add: bool = True):
    """The cell's table attribute dictionary (``/O /Table``); when it has none, one added
    to it (``add``) or None."""
    import pikepdf

    held, table = cell.get("/A"), _name("/Table")
    owners = [held] if isinstance(held, pikepdf.Dictionary) else list(held or [])
    for owner in owners:
        if isinstance(owner, pikepdf.Dictionary) and owner.get("/O") == table:
            return owner
    if not add:
        return None
    attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
    cell.A = pikepdf.Array([*owners, attributes])
    return cell.A[-1]


def _mark_table(table, kinds: tuple[str, ...], number: int, ids: dict) -> None:
    """Tag the cells of ``table`` (the ``number``-th) that ``kinds`` calls row headers,
    adding each to ``ids`` (the structure tree's ID tree, by name)."""
    rows = _rows(table)
    count = sum(len(row) for row in rows)
    if count != len(kinds):
        raise StructureError(f"table {number} of the PDF holds {count} cells, the page "
                             f"printed {len(kinds)}")
    header = _name("/TH")
    placed: list[list[tuple]] = []   # per row: (cell, kind, column, row span, attributes)
    taken: set[tuple[int, int]] = set()
    written = iter(kinds)
    for y, row in enumerate(rows):
        x = 0
        placed.append([])
        for cell, its in row:
            kind = next(written)
            if (its == header) != (kind == HEADER_CELL):
                raise StructureError(f"table {number}, row {y + 1}: Typst tagged a cell "
                                     f"{str(its)[1:]}, the page wrote a {kind} cell")
            while (x, y) in taken:
                x += 1
            given = cell.get("/ID")
            typst = TYPST_ID.fullmatch(str(given)) if given is not None else None
            if typst and typst.groups() != (str(number), str(x), str(y)):
                raise StructureError(f"table {number}, row {y + 1}, column {x + 1}: Typst "
                                     f"placed the cell {typst.group(0)} there")
            attributes = _table_attributes(cell, add=False)
            across = int(attributes.get("/ColSpan", 1)) if attributes is not None else 1
            down = int(attributes.get("/RowSpan", 1)) if attributes is not None else 1
            if across == down == 1:
                taken.add((x, y))
            else:
                taken.update((x + i, y + j) for i in range(across) for j in range(down))
            placed[y].append((cell, kind, x, down, attributes))
            x += across
    for y, row in enumerate(placed):
        for cell, kind, x, down, _ in row:
            if kind == ROW_HEADER:
                _tag_row_header(cell, f"R{number}x{x}y{y}", ids)
                for others in placed[y:y + down]:    # the rest of its rows name it
                    for other, _, column, _, attributes in others:
                        if column > x:
                            _name_header(other, cell.ID, attributes)


def _tag_row_header(cell, name: str, ids: dict) -> None:
    """Make ``cell`` a TH of ``/Scope /Row`` known as ``name`` (Typst's ids are
    ``U<table>x<column>y<row>``: ``R`` ones cannot meet them)."""
    import pikepdf

    if name in ids or not cell.is_indirect:
        raise StructureError(f"the row header {name} cannot be given its id")
    cell.S = pikepdf.Name.TH
    _table_attributes(cell).Scope = pikepdf.Name.Row
    cell.ID = pikepdf.String(name)
    ids[name] = cell


def _name_header(cell, name, attributes=None) -> None:
    """Add the header cell ``name`` to the ``/Headers`` of ``cell`` (whose table attribute
    dictionary is ``attributes``, when it is known to have one)."""
    import pikepdf

    if attributes is None:
        attributes = _table_attributes(cell)
    if "/Headers" not in attributes:
        attributes.Headers = pikepdf.Array()
    attributes.Headers.append(name)
