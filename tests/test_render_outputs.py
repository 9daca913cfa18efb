"""render_outputs on a small executed notebook: documents, formats, paths, same bytes twice."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.errors import ConfigError
from pipeline.report import rendering


def _cell(html: str, tags: list[str] | None = None, laa: dict | None = None):
    cell = new_code_cell("display(HTML(...))", metadata={"tags": tags or []})
    cell.outputs = [new_output("display_data", data={"text/html": html},
                               metadata={"laa": laa} if laa else {})]
    return cell


def _spec(path: str, name: str = "appendix", formats: list[str] | None = None) -> dict:
    return {"document": name, "path": path, "title": f"{name} title",
            "running_header": "Partnership · header", "footer": "footer",
            "created": "2007-06-30T12:00:00Z", "author": "Partnership",
            "formats": formats or ["html", "pdf"]}


def _notebook(tmp_path, district: bool = True, formats: list[str] | None = None):
    cells = [
        new_code_cell("period = 'x'", metadata={"tags": ["parameters"]}),
        _cell('<section class="cover"><h1>Cover</h1><nav class="contents">'
              "<!-- laa:contents --></nav></section>", laa=_spec("appendix", formats=formats)),
        new_markdown_cell("## First section"),
        _cell("<p>Appendix body &amp; figures</p>"),
        new_code_cell("secret = 1", metadata={"tags": ["remove-cell"]}),
        new_markdown_cell("## Second section", metadata={"tags": ["landscape"]}),
    ]
    if district:
        cells += [
            _cell("<h1>Pack cover</h1>", ["district-pack"],
                  _spec("districts/melton/district-pack", "district-pack")),
            new_markdown_cell("## 1. District section", metadata={"tags": ["district-pack"]}),
            _cell("<p>Melton only</p>", ["district-pack"]),
        ]
    notebook = new_notebook(cells=cells)
    path = tmp_path / "04_appendix.ipynb"
    nbformat.write(notebook, path)
    return path


def test_documents_are_split_by_the_district_pack_tag(tmp_path):
    found = rendering.documents(nbformat.read(_notebook(tmp_path), as_version=4))
    assert [(d.name, d.path, d.district_pack) for d in found] == [
        ("appendix", "appendix", False),
        ("district-pack", "districts/melton/district-pack", True)]
    assert rendering.documents(nbformat.read(_notebook(tmp_path, district=False),
                                             as_version=4))[0].formats == ("html", "pdf")


def test_render_outputs_writes_each_document_and_format(tmp_path):
    executed = _notebook(tmp_path)
    out = tmp_path / "report"
    written = rendering.render_outputs(executed, out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "appendix.html", "appendix.pdf", "districts/melton/district-pack.html",
        "districts/melton/district-pack.pdf"]
    html = (out / "appendix.html").read_text(encoding="utf-8")
    assert "Appendix body &amp; figures" in html and "Melton only" not in html
    assert "secret = 1" not in html and "period = " not in html and "display(" not in html
    assert '<a href="#First-section">1. First section</a>' in html     # numbered in order
    assert '<h2 id="Second-section">2. Second section' in html
    assert "celltag_landscape" in html
    pack = (out / "districts/melton/district-pack.html").read_text(encoding="utf-8")
    assert "Melton only" in pack and "Appendix body" not in pack
    assert (out / "appendix.pdf").read_bytes().startswith(b"%PDF-")


def test_same_notebook_gives_the_same_bytes(tmp_path):
    executed = _notebook(tmp_path)
    first = rendering.render_outputs(executed, tmp_path / "a")
    second = rendering.render_outputs(executed, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_formats_from_the_notebook_or_overridden(tmp_path):
    executed = _notebook(tmp_path, district=False, formats=["pdf"])
    assert [p.name for p in rendering.render_outputs(executed, tmp_path / "a")] == [
        "appendix.pdf"]
    assert [p.name for p in rendering.render_outputs(executed, tmp_path / "b", "html")] == [
        "appendix.html"]
    with pytest.raises(ConfigError, match="output format"):
        rendering.render_outputs(executed, tmp_path / "c", "docx")


def test_a_document_path_cannot_leave_the_report_folder(tmp_path):
    notebook = new_notebook(cells=[_cell("<p>x</p>", laa=_spec("../../etc/evil"))])
    with pytest.raises(ValueError, match="not a relative path inside the report"):
        rendering.documents(notebook)


def test_parse_formats():
    from pipeline.config import parse_formats

    assert parse_formats("pdf, HTML") == ("html", "pdf")
    assert parse_formats(["html"]) == ("html",)
    with pytest.raises(ConfigError):
        parse_formats(" , ")


def test_each_output_is_one_block_straight_inside_its_cell():
    """nbconvert's wrappers around a code cell's outputs (``output_wrapper``, ``output``,
    ``output_area``: no style, no meaning to a reader) are not written, since every
    accessibility engine pays for each ancestor of each text; each output keeps its own
    ``output_html`` block (the PDF's typesetter sets one block per output) and the cell
    keeps its tags."""
    cell = new_code_cell(metadata={"tags": ["landscape"]}, outputs=[
        new_output("display_data", data={"text/html": "<p>First</p>"}),
        new_output("display_data", data={"text/html": "<p>Second</p>"})])
    body = rendering.notebook_body(new_notebook(cells=[cell]))
    for wrapper in ("output_wrapper", "output", "output_area"):
        assert f'class="{wrapper}"' not in body, body
    blocks = body.split('<div class="output_html rendered_html output_subarea ">')
    assert len(blocks) == 3 and "celltag_landscape" in blocks[0], body
    assert blocks[1].startswith("<p>First</p></div>") and blocks[2].startswith("<p>Second")
