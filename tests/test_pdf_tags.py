"""The PDF is tagged PDF/UA-1 (structure tree, language, title, bookmarks, alt text) and a
page the PDF cannot print faithfully is refused (:mod:`pipeline.report.pdf`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.report.pdf import PdfError, write_pdf
from tests.pdf_checks import pdf_ua_problems

SQUARE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" role="img">'
          '<title>A black square</title><rect width="10" height="10"/></svg>')
PAGE = ('<!DOCTYPE html><html{lang}><head><title>A small report</title></head><body>'
        "<h1>Report</h1><h2>1. Figures</h2><table><thead><tr><th scope=\"col\">Theme</th>"
        "<th scope=\"col\">Count</th></tr></thead><tbody><tr><th scope=\"row\">Safer</th>"
        "<td>3</td></tr></tbody></table>{extra}</body></html>")


def _page(lang: str = ' lang="en-GB"', extra: str = SQUARE) -> str:
    return PAGE.format(lang=lang, extra=extra)


def test_a_small_page_prints_as_tagged_pdf_ua(tmp_path):
    target = write_pdf(_page(), tmp_path / "small.pdf")
    assert pdf_ua_problems(target) == []


def untagged(source: Path, target: Path) -> Path:
    """A copy of the PDF at ``source`` with its tagging and accessibility metadata removed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(source))
    for key in ("/StructTreeRoot", "/MarkInfo", "/Metadata", "/ViewerPreferences"):
        writer._root_object.pop(NameObject(key), None)
    writer.write(target)
    return target


def test_the_same_page_untagged_fails_the_check(tmp_path):
    target = untagged(write_pdf(_page(), tmp_path / "small.pdf"), tmp_path / "plain.pdf")
    problems = pdf_ua_problems(target)
    assert "no structure tree (StructTreeRoot)" in problems
    assert "MarkInfo Marked is not true" in problems
    assert "the XMP does not say pdfuaid:part 1" in problems
    assert "ViewerPreferences DisplayDocTitle is not true" in problems
    assert "no Table with TH cells" in problems


@pytest.mark.parametrize(("page", "said"), [
    (_page(lang=""), 'required "lang"'),
    (_page(extra='<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5v'
                 'cmcvMjAwMC9zdmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4=">'), "no required alt"),
    (_page(extra='<a href="#nowhere">a link to nothing</a>'), "No anchor #nowhere"),
])
def test_pages_the_pdf_cannot_print_faithfully_are_refused_and_leave_no_pdf(tmp_path, page, said):
    target = tmp_path / "bad.pdf"
    with pytest.raises(PdfError, match="tagged PDF/UA-1") as raised:
        write_pdf(page, target)
    assert said in str(raised.value)
    assert not target.exists()


@pytest.mark.slow
def test_the_demo_appendix_summary_and_district_pack_are_tagged_pdf_ua(appendix_demo):
    demo = appendix_demo
    assert pdf_ua_problems(demo["report"] / "appendix.pdf") == []
    assert pdf_ua_problems(demo["report"] / "summary.pdf") == []
    assert pdf_ua_problems(demo["pack"] / "district-pack.pdf") == []


@pytest.mark.slow
def test_the_demo_untagged_or_with_a_figure_stripped_of_its_alt_fails_the_check(
        appendix_demo, tmp_path):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    demo = appendix_demo
    problems = pdf_ua_problems(untagged(demo["report"] / "appendix.pdf", tmp_path / "a.pdf"))
    assert "no structure tree (StructTreeRoot)" in problems
    assert "MarkInfo Marked is not true" in problems
    assert "the title is not in the XMP metadata (dc:title)" in problems
    writer = PdfWriter(clone_from=PdfReader(demo["report"] / "summary.pdf"))
    stack = [writer._root_object["/StructTreeRoot"]]
    while stack:                                 # the first Figure loses its Alt
        node = stack.pop().get_object()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif hasattr(node, "get") and node.get("/S") == "/Figure":
            del node[NameObject("/Alt")]
            break
        elif hasattr(node, "get") and "/K" in node:
            stack.append(node["/K"])
    writer.write(tmp_path / "s.pdf")
    assert "1 of 1 Figure(s) without Alt" in pdf_ua_problems(tmp_path / "s.pdf")


BADGES = ('<span class="rag rag-G" title="Green"><span class="rag-letter">G</span>'
          '<span class="sr-only"> Green</span></span>')
THEMED = ("<table class=\"block-table\"><caption>Block 1: Safer</caption><thead><tr>"
          "<th scope=\"col\">Indicator</th><th scope=\"col\">Final RAG</th></tr></thead>"
          "<tbody><tr class=\"theme-row\"><th colspan=\"2\" scope=\"rowgroup\">Crime</th></tr>"
          "<tr><th scope=\"row\">7.1</th><td>{badge}</td></tr></tbody>"
          "<tbody><tr class=\"theme-row\"><th colspan=\"2\" scope=\"rowgroup\">Fires</th></tr>"
          "<tr><th scope=\"row\">7.10</th><td>{badge}</td></tr></tbody></table>"
          "<p>See <a href=\"data-quality/scorecard.html\">the data-quality report</a> or "
          "<a href=\"https://example.org/guide\">the guidance</a>.</p>")


def _cells(path: Path, read=None) -> list:
    """Every structure element of every page, as :func:`tests.pdf_checks.read_pdf` (or
    ``read``, the session's ``pdf_facts``) reads them."""
    from tests.pdf_checks import read_pdf

    return [e for page in (read or read_pdf)(path).pages for e in page.elements]


def _holds_a_figure(elements: list, index: int) -> bool:
    """True when the element at ``index`` holds a Figure (a trend chart in a cell: its
    letter is part of a drawing described by its alternative text)."""
    depth = len(elements[index].path)
    for element in elements[index + 1:]:
        if len(element.path) <= depth:
            return False
        if element.type == "Figure":
            return True
    return False


def test_a_compact_badge_prints_its_word_and_theme_rows_and_captions_are_tagged(tmp_path):
    """The badge's word is the PDF's text (not a bare "G"); the caption is the table's
    Caption; each theme row is a header cell (TH) of its own row group."""
    from pypdf import PdfReader

    from tests.pdf_checks import _struct_elements

    target = write_pdf(_page(extra=THEMED.format(badge=BADGES)), tmp_path / "badges.pdf")
    assert pdf_ua_problems(target) == []
    elements = _cells(target)
    badges = [e.text.replace(" ", "") for e in elements if e.type == "TD"]
    assert [b for b in badges if b.startswith("G")] == ["GGreen", "GGreen"], badges
    themes = [e.text for e in elements if e.type == "TH" and e.text in ("Crime", "Fires")]
    assert themes == ["Crime", "Fires"]
    tree = _struct_elements(PdfReader(target).trailer["/Root"]["/StructTreeRoot"])
    captions = [e for e in tree if e["type"] == "Caption"]
    assert len(captions) == 1 and captions[0]["path"][-1] == "Table"


def test_a_link_to_another_document_prints_as_words_and_a_web_link_stays(tmp_path):
    """A PDF sent on its own has no folder beside it: a relative link is no link, its words
    stay; a web address is still a link."""
    from pypdf import PdfReader

    target = write_pdf(_page(extra=THEMED.format(badge=BADGES)), tmp_path / "links.pdf")
    reader = PdfReader(target)
    uris = [a.get_object()["/A"].get("/URI") for page in reader.pages
            for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert uris == ["https://example.org/guide"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "See the data-quality report or the guidance." in text


# Row headers (issue 22, item 5): Typst tags every body cell TD; the PDF engine makes each
# body row's th a TH of /Scope /Row (pipeline.report.pdf_structure) -------------------------

SPANNED = ('<table><thead><tr><th scope="col">Indicator</th><th scope="col">Year</th>'
           '<th scope="col">Value</th></tr></thead><tbody><tr><th scope="row" rowspan="2">'
           "NI 8</th><td>2007-08</td><td>12</td></tr><tr><td>2008-09</td><td>14</td></tr>"
           "</tbody></table>")


def _struct(path: Path) -> tuple[list[dict], dict]:
    """The TR elements of the PDF's structure tree in document order (each a list of its
    cells: type, /ID, /Scope and /Headers) and the structure tree's ID tree."""
    from pypdf import PdfReader

    from tests.pdf_checks import _resolve, _table_owner

    root = _resolve(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    rows: list[list[dict]] = []

    def walk(node) -> None:
        node = _resolve(node)
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif hasattr(node, "get") and "/S" in node:
            if node["/S"] == "/TR":
                rows.append([])
            elif node["/S"] in ("/TH", "/TD"):
                owner = _table_owner(node) or {}
                rows[-1].append({"type": str(node["/S"])[1:], "id": str(node.get("/ID", "")),
                                 "scope": str(owner.get("/Scope", ""))[1:],
                                 "headers": [str(h) for h in owner.get("/Headers", [])]})
                return
            if "/K" in node:
                walk(node["/K"])

    walk(root["/K"])
    names = _resolve(root["/IDTree"])["/Names"]
    ids = {str(names[i]): _resolve(names[i + 1]) for i in range(0, len(names), 2)}
    return rows, ids


def test_a_row_header_is_a_th_of_row_scope_that_the_rest_of_its_row_names(tmp_path):
    from tests.pdf_checks import row_header_problems, table_cells

    page = _page(extra=SPANNED)
    target = write_pdf(page, tmp_path / "rows.pdf")
    assert pdf_ua_problems(target) == []
    # the page's first table: 2 column headers, "Safer" its row's header, "3" a data cell;
    # the second: 3 column headers, NI 8 heading two rows of two data cells
    assert table_cells(target) == [{"TH Column": 2, "TH Row": 1, "TD": 1},
                                   {"TH Column": 3, "TH Row": 1, "TD": 4}]
    assert row_header_problems(target, page) == []
    rows, ids = _struct(target)
    safer, count = rows[1]
    assert (safer["type"], safer["scope"], safer["id"]) == ("TH", "Row", "R1x0y1")
    assert count["type"] == "TD" and count["headers"][-1] == "R1x0y1"
    assert ids["R1x0y1"]["/S"] == "/TH"              # the ID tree finds the element
    ni8 = rows[3][0]
    assert (ni8["type"], ni8["scope"], ni8["id"]) == ("TH", "Row", "R2x0y1")
    assert [c["headers"][-1] for c in rows[3][1:] + rows[4]] == ["R2x0y1"] * 4
    assert [c["type"] for c in rows[4]] == ["TD", "TD"]


def test_theme_rows_stay_column_headers_and_row_headers_are_marked_under_them(tmp_path):
    from tests.pdf_checks import row_header_problems, table_cells

    page = _page(extra=THEMED.format(badge=BADGES))
    target = write_pdf(page, tmp_path / "themed.pdf")
    # the themed table: Indicator and Final RAG, Crime and Fires (a theme's row heads the
    # rows under it: a second-level header); 7.1 and 7.10 row headers; two badges
    assert table_cells(target)[1] == {"TH Column": 4, "TH Row": 2, "TD": 2}
    assert row_header_problems(target, page) == []


def test_without_the_post_processing_the_check_finds_the_row_headers_tagged_td(
        tmp_path, monkeypatch):
    import pipeline.report.pdf as engine
    from tests.pdf_checks import row_header_problems, table_cells

    monkeypatch.setattr(engine, "mark_row_headers", lambda data, kinds: data)
    page = _page(extra=THEMED.format(badge=BADGES))
    target = write_pdf(page, tmp_path / "typst-only.pdf")
    assert table_cells(target) == [{"TH Column": 2, "TD": 2}, {"TH Column": 4, "TD": 4}]
    assert row_header_problems(target, page) == [
        "table 1: 0 row and 2 column header(s), 0 unscoped, 2 TD; the HTML has 1 and 2",
        "table 2: 0 row and 4 column header(s), 0 unscoped, 4 TD; the HTML has 2 and 4"]


def test_a_structure_that_differs_from_the_page_written_stops_the_print(tmp_path,
                                                                        monkeypatch):
    import pipeline.report.pdf as engine
    from pipeline.report.pdf_structure import StructureError, mark_row_headers
    from pipeline.report.typeset import typeset_page

    page = typeset_page(_page(extra=SPANNED))
    data = engine.typeset_pdf(page.source)
    first, second = page.cell_kinds
    wrong = [([first, second, first], "holds 2 table(s), the page printed 3"),   # a table more
             ([first, second[:-1]], "table 2 of the PDF holds 8 cells, the page printed 7"),
             ([first, ("TD",) + second[1:]], "Typst tagged a cell TH")]        # TD for a TH
    for kinds, said in wrong:
        with pytest.raises(StructureError, match=re.escape(said)):
            mark_row_headers(data, kinds)
    monkeypatch.setattr(engine, "typeset_page",
                        lambda html, can_print: page._replace(cell_kinds=[first]))
    target = tmp_path / "refused.pdf"
    with pytest.raises(PdfError, match="holds 2 table"):
        write_pdf(_page(extra=SPANNED), target)
    assert not target.exists()


def _streams(path: Path) -> list[bytes]:
    """Every stream of the PDF at ``path`` as stored (still compressed), sorted."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return sorted(o.read_raw_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream))


def _titles(outline: list) -> list[str]:
    """The bookmarks' titles, nested ones after their parent's."""
    return [t for o in outline for t in (_titles(o) if isinstance(o, list) else [o.title])]


def test_the_marked_pdf_is_typst_s_own_but_for_the_cells_and_the_same_every_time(tmp_path):
    """Same page, same bytes; the metadata (XMP with the PDF/UA identifier, title,
    language), bookmarks, links and page content are as Typst wrote them."""
    from pypdf import PdfReader

    import pipeline.report.pdf as engine
    from pipeline.report.typeset import typeset_page

    html = _page(extra=SPANNED + THEMED.format(badge=BADGES))
    first = write_pdf(html, tmp_path / "a.pdf").read_bytes()
    assert write_pdf(html, tmp_path / "b.pdf").read_bytes() == first
    typst = tmp_path / "typst.pdf"
    typst.write_bytes(engine.typeset_pdf(typeset_page(html, engine.can_print).source))
    assert typst.read_bytes() != first
    before, after = PdfReader(typst), PdfReader(tmp_path / "a.pdf")
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert before.trailer["/Root"][key] == after.trailer["/Root"][key]
    assert (before.trailer["/Root"]["/Metadata"].get_object().get_data()
            == after.trailer["/Root"]["/Metadata"].get_object().get_data())
    assert dict(before.metadata) == dict(after.metadata)
    assert _titles(before.outline) == _titles(after.outline) == ["Report", "1. Figures"]
    assert ([p.get_contents().get_data() for p in before.pages]
            == [p.get_contents().get_data() for p in after.pages])
    assert _streams(typst) == _streams(tmp_path / "a.pdf")     # fonts, images, XMP: as were
    links = [[a.get_object().get("/A") for a in p.get("/Annots", [])] for p in after.pages]
    assert links == [[a.get_object().get("/A") for a in p.get("/Annots", [])]
                     for p in before.pages]


@pytest.mark.slow
def test_every_table_of_every_pdf_both_demos_print_carries_the_html_s_row_headers(printed):
    """For every table of every PDF both demos write: as many TH of /Scope /Row as the HTML
    page has row headers in that table, its column headers still /Scope /Column, every TH
    with table attributes and a valid scope."""
    from tests.pdf_checks import header_problems, html_table_headers, table_cells

    found, rows = {}, {}
    for demo, pdfs in printed.items():
        for path in pdfs:      # each HTML page parsed once (the appendix's: about 0.5 s)
            written = html_table_headers(path.with_suffix(".html").read_text(encoding="utf-8"))
            found[f"{demo}/{path.name}"] = header_problems(table_cells(path), written)
            rows[f"{demo}/{path.name}"] = sum(t["row"] for t in written)
    assert {"laa1/appendix.pdf", "laa1/summary.pdf", "laa1/district-pack.pdf",
            "laa2/appendix.pdf", "laa2/summary.pdf"} <= set(found)
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert rows["laa1/appendix.pdf"] > 300 and rows["laa2/appendix.pdf"] > 300


def _standard_library_parse(page: str):
    """The page as Python's own ``html.parser`` reads it, as
    :func:`pipeline.report.html_tree.parse_page` gives it (the translator's parser until
    lxml's replaced it, for speed)."""
    from html.parser import HTMLParser

    from pipeline.report.html_tree import SVG, Node

    class Builder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack = [Node("root")]

        def handle_starttag(self, tag, attrs):
            node = Node(tag, {k: v or "" for k, v in attrs})
            self.stack[-1].children.append(node)
            if tag not in {"br", "col", "img", "hr", "meta", "link", "input", "wbr"}:
                self.stack.append(node)

        def handle_endtag(self, tag):
            for depth in range(len(self.stack) - 1, 0, -1):
                if self.stack[depth].tag == tag:
                    del self.stack[depth:]
                    return

        def handle_data(self, data):
            self.stack[-1].children.append(data)

    svgs: list[str] = []

    def keep(match):
        svgs.append(match.group(0))
        return f'<laa-svg data-i="{len(svgs) - 1}"></laa-svg>'

    builder = Builder()
    builder.feed(SVG.sub(keep, page))
    builder.close()
    return builder.stack[0], svgs


@pytest.mark.slow
def test_every_page_both_demos_print_is_translated_as_with_python_s_own_html_parser(
        printed, appendix_demo, laa1_audit, monkeypatch):
    """The translator reads the page with lxml's HTML parser (libxml2, in C: about ten
    times as fast as the standard library's on the appendix). Every page both demos print,
    the appendix whose partners wrote hostile text and the auditor's spot-check pack are
    translated to the same Typst source, character for character, with the same cells, as
    when the standard library's parser read them."""
    from pipeline.report import typeset
    from pipeline.report.pdf import can_print

    pdfs = [*(pdf for pdfs in printed.values() for pdf in pdfs),
            *sorted(Path(appendix_demo["report"]).rglob("*.pdf")),
            *sorted(Path(laa1_audit["audit"]).glob("*.pdf"))]
    pages = [pdf.with_suffix(".html") for pdf in pdfs]
    assert len(pages) >= 9 and any(p.parent.name == "audit" for p in pages)
    differ = []
    for path in pages:
        page = path.read_text(encoding="utf-8")
        ours = typeset.typeset_page(page, can_print)
        with monkeypatch.context() as patched:
            patched.setattr(typeset, "parse_page", _standard_library_parse)
            theirs = typeset.typeset_page(page, can_print)
        if ours != theirs or not ours.cell_kinds and path.stem == "appendix":
            differ.append(path.name)
    assert differ == []


# Last in this file: it reads the LAA1 appendix's facts (pdfplumber, ~10 s, once a session),
# which tests/test_pdf_pages.py or tests/test_pdf_layout.py may be reading meanwhile on the
# other worker: this file's other tests run first, not waiting for them

@pytest.mark.slow
def test_no_table_cell_of_the_demo_appendix_is_a_bare_rag_letter(laa1_run, pdf_facts):
    """Before: 409 cells of the LAA1 appendix read "G" (or "A", "R", "N") alone. Every
    cell with a badge now holds its word; each HTML caption is a Caption of its Table. (The
    README's demo: its PDF's facts are read once a session, for tests/test_pdf_pages.py
    too.)"""
    from bs4 import BeautifulSoup

    from pipeline.rag import RAG_LABELS
    from tests.pdf_checks import _struct_elements, pdf_reader

    demo = laa1_run
    elements = _cells(demo["report"] / "appendix.pdf", pdf_facts)
    cells = [e.text.replace(" ", "") for i, e in enumerate(elements)
             if e.type in ("TD", "TH") and not _holds_a_figure(elements, i)]
    assert [c for c in cells if c in RAG_LABELS] == []
    worded = [c for c in cells if any(c.startswith(code + label.replace(" ", ""))
                                      for code, label in RAG_LABELS.items())]
    assert len(worded) > 100
    soup = BeautifulSoup((demo["report"] / "appendix.html").read_text(encoding="utf-8"),
                         "html.parser")
    printed = [c for c in soup.select("main caption") if not any(
        {"screen-only", "celltag_screen-only", "sr-only"} & set(p.get("class") or [])
        for p in [c, *c.parents])]
    tree = _struct_elements(pdf_reader(demo["report"] / "appendix.pdf")
                            .trailer["/Root"]["/StructTreeRoot"])
    # a Caption of its Table, or (where Typst groups a figure, 2 of 25 in the demo) of the
    # Div that holds the caption beside its table
    captions = [e for e in tree if e["type"] == "Caption" and e["path"][-1] in ("Table", "Div")]
    assert len(captions) == len(printed) > 5
    assert sum(e["path"][-1] == "Table" for e in captions) > len(printed) / 2
