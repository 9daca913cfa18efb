"""The glossary of a board document (issue 22 item 3): the abbreviations it uses, in words."""

from __future__ import annotations

import nbformat

from pipeline.report import glossary


def _notebook(*cells: tuple[str, str, list[str]]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for kind, text, tags in cells:
        if kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(text, metadata={"tags": tags}))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(metadata={"tags": tags}, outputs=[
                nbformat.v4.new_output("display_data", data={"text/html": text})]))
    return notebook


def test_whole_words_in_capitals_are_found_once_plurals_as_the_singular():
    text = "The PCT and the PCTs; GCSEs and NI 152; LAA2, RT6 and BV82b are ids; TOTAL; Pct."
    assert glossary.list_capitals(text) == ["GCSE", "NI", "PCT"]


def test_only_the_abbreviations_used_are_listed_in_order_with_their_words():
    assert glossary.list_abbreviations("RAG ratings of the LSP; the NI set.") == [
        ("LSP", "Local Strategic Partnership"), ("NI", glossary.ABBREVIATIONS["NI"]),
        ("RAG", glossary.ABBREVIATIONS["RAG"])]
    assert glossary.list_abbreviations("no abbreviation here") == []


def test_a_word_in_capitals_the_dictionary_lacks_is_reported():
    assert glossary.find_unknown("The PCT and the XYZQ said so.") == ["XYZQ"]


def test_expansions_use_no_abbreviation_so_the_glossary_adds_none():
    for short, words in glossary.ABBREVIATIONS.items():
        assert glossary.list_capitals(words) == [], short


def test_text_of_html_leaves_out_markup_styles_and_comments():
    fragment = ('<style>.x { content: "CSS"; }</style><!-- SSOG --><p title="MAA">'
                'The <b>PCT</b> &amp; co</p>')
    assert glossary.list_capitals(glossary.html_text(fragment)) == ["PCT"]


def test_the_glossary_is_made_from_the_printed_cells_and_sits_before_the_annex():
    notebook = _notebook(("markdown", "## Risks\n\nThe LSP Board.", []),
                         ("code", "<p>PCT &amp; NI</p>", []),
                         ("code", "<p>MAA</p>", ["remove-cell"]),
                         ("markdown", "Annex: sha256 per GOEM file", ["screen-only"]),
                         ("code", "<table><td>SSOG</td></table>", ["screen-only"]))
    before = nbformat.writes(notebook)
    added = glossary.add_glossary(notebook, "summary",
                                  frozenset({"screen-only", "remove-cell"}))
    assert nbformat.writes(notebook) == before           # the input is left as it was
    assert len(added.cells) == 6
    cell = added.cells[3]
    assert cell.metadata["tags"] == ["summary"]
    shown = cell.outputs[0]["data"]["text/html"]
    assert [w for w in ("LSP", "NI", "PCT") if f"<dt>{w}</dt>" in shown] == ["LSP", "NI", "PCT"]
    assert "MAA" not in shown and "GOEM" not in shown and "SSOG" not in shown
    assert shown.index("<dt>LSP</dt>") < shown.index("<dt>NI</dt>") < shown.index("<dt>PCT</dt>")
    assert '<h2 id="glossary">Glossary</h2>' in shown and "<dl" in shown


def test_the_glossary_cell_is_the_same_every_time_so_reruns_give_the_same_bytes():
    notebook = _notebook(("markdown", "The LSP.", []))
    assert nbformat.writes(glossary.add_glossary(notebook)) == \
        nbformat.writes(glossary.add_glossary(notebook))


def test_no_glossary_when_the_document_uses_no_abbreviation():
    notebook = _notebook(("markdown", "Nothing in capitals.", []))
    assert len(glossary.add_glossary(notebook).cells) == 1


def test_partners_text_in_the_glossary_is_escaped():
    assert "&lt;" in glossary.render_glossary([("PCT", "<b>x</b>")])
