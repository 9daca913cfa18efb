"""The glossary of a board document: the abbreviations its own text uses, in words.

Board members are not all officers: each board document (the appendix, the board summary,
a district pack) ends with a glossary listing the abbreviations that document uses, and
only those, made from the document itself when it is rendered
(:func:`pipeline.report.rendering.render_document` calls :func:`add_glossary`). The
abbreviations of the field are in :data:`ABBREVIATIONS`; a word in capitals the document
uses and the dictionary lacks is found by :func:`find_unknown` (a test runs it on both
demos, so the dictionary stays complete).
"""

from __future__ import annotations

import copy
import html
import re

import nbformat

from pipeline.report.pages import SCREEN_ONLY_TAG as SCREEN_ONLY
from pipeline.report.pages import render

# Each expansion is plain words (no abbreviation of its own), so the glossary adds none.
ABBREVIATIONS: dict[str, str] = {
    "ASB": "anti-social behaviour",
    "BCS": "British Crime Survey",
    "BME": "black and minority ethnic",
    "BV": "Best Value (a national performance indicator of councils)",
    "CA": "civic amenity (household waste and recycling sites)",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "CDRP": "Crime and Disorder Reduction Partnership",
    "CLL": "communication, language and literacy (a scale of the Foundation Stage Profile)",
    "CPD": "continuing professional development",
    "CYP": "Children and Young People (a theme of the agreement)",
    "DWP": "Department for Work and Pensions",
    "GBP": "pounds sterling",
    "GCSE": "General Certificate of Secondary Education",
    "GOEM": "Government Office for the East Midlands",
    "GP": "general practitioner (family doctor)",
    "GUM": "genito-urinary medicine (sexual health clinics)",
    "HTML": "web page (the format the full appendix is published in for screens)",
    "KSI": "killed or seriously injured",
    "LA": "local authority",
    "LAA": "Local Area Agreement",
    "LAC": "looked-after children",
    "LCC": "Leicestershire County Council",
    "LDP": "Local Delivery Plan (of the health service)",
    "LPSA": "Local Public Service Agreement",
    "LSP": "Local Strategic Partnership",
    "MAA": "Multi-Area Agreement",
    "NEET": "not in education, employment or training",
    "NHS": "National Health Service",
    "NI": "National Indicator (of the National Indicator Set)",
    "NVQ": "National Vocational Qualification",
    "OP": "older people",
    "PCT": "Primary Care Trust",
    "PDF": "printable document (Portable Document Format)",
    "PE": "physical education",
    "PPO": "prolific and other priority offenders",
    "PRG": "Performance Reward Grant",
    "PSA": "Public Service Agreement",
    "PSED": "personal, social and emotional development (a scale of the Foundation Stage "
            "Profile)",
    "RAG": "red, amber, green: the rating of each indicator",
    "SCS": "Sustainable Community Strategy",
    "SSOG": "Strategic Senior Officers' Group",
    "UTC": "Coordinated Universal Time (Greenwich Mean Time)",
    "VAT": "value added tax",
    "VCS": "voluntary and community sector",
}
# Words printed in capitals that are not abbreviations: a table's total row, and the grade
# of a check as the check catalogue gives it (FAIL, ADVISORY).
NOT_ABBREVIATIONS = frozenset({"TOTAL", "FAIL", "ADVISORY"})
_WORD = re.compile(r"\b([A-Z]{2,6})s?\b")  # a word in capitals, or its plural (GCSEs)
_HIDDEN = re.compile(r"<(style|script)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
NOT_PRINTED = frozenset({SCREEN_ONLY})  # and the tags of cells not shown at all (rendering)


def list_capitals(text: str) -> list[str]:
    """Every word in capitals of ``text`` (2 to 6 letters, plural ``s`` dropped; whole
    words only, so ``LAA2`` or ``RT6`` are ids, not words), each once, sorted.

    Parameters
    ----------
    text
        A document's visible text.

    Returns
    -------
    list[str]
        The words, those of :data:`NOT_ABBREVIATIONS` left out.
    """
    return sorted({w for w in _WORD.findall(text) if w not in NOT_ABBREVIATIONS})


def list_abbreviations(text: str) -> list[tuple[str, str]]:
    """The abbreviations of :data:`ABBREVIATIONS` that ``text`` uses, in alphabetical order,
    each with its expansion."""
    return [(w, ABBREVIATIONS[w]) for w in list_capitals(text) if w in ABBREVIATIONS]


def find_unknown(text: str) -> list[str]:
    """The words in capitals of ``text`` the dictionary lacks (none, for a complete one)."""
    return [w for w in list_capitals(text) if w not in ABBREVIATIONS]


def html_text(fragment: str) -> str:
    """The text an HTML fragment shows: tags, styles, scripts and comments removed,
    entities decoded."""
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", fragment)))


def _printed(cell: nbformat.NotebookNode, hidden: frozenset[str]) -> bool:
    return not hidden.intersection(cell.get("metadata", {}).get("tags", []))


def notebook_text(notebook: nbformat.NotebookNode,
                  hidden: frozenset[str] = NOT_PRINTED) -> str:
    """The text of a document's cells as printed: its prose and its HTML outputs, without
    the cells carrying a tag of ``hidden`` (the auditors' annex, shown on screen only, and
    the cells the renderer removes)."""
    parts = []
    for cell in notebook.cells:
        if not _printed(cell, hidden):
            continue
        if cell.get("cell_type") == "markdown":
            parts.append(html_text(cell.get("source", "")))
        for output in cell.get("outputs", []):
            parts.append(html_text(output.get("data", {}).get("text/html", "")))
    return "\n".join(parts)


def render_glossary(entries: list[tuple[str, str]]) -> str:
    """The glossary section: a definition list of (abbreviation, expansion); "" if none."""
    return render("glossary.html.j2", entries=entries) if entries else ""


def add_glossary(notebook: nbformat.NotebookNode, tag: str = "",
                 hidden: frozenset[str] = NOT_PRINTED) -> nbformat.NotebookNode:
    """A copy of one document's cells with its glossary added: after the last printed
    cell, before the screen-only annex; the copy unchanged when it uses no abbreviation.

    Parameters
    ----------
    notebook
        The document's cells (:func:`pipeline.report.rendering.select_cells`).
    tag
        The document's cell tag (``summary``, ``district-pack`` or ``""``), given to the
        glossary's cell so that it is styled as the document's other cells.
    hidden
        The tags of cells that are not printed (:func:`notebook_text`).
    """
    glossary = render_glossary(list_abbreviations(notebook_text(notebook, hidden)))
    chosen = copy.deepcopy(notebook)
    if not glossary:
        return chosen
    cell = nbformat.v4.new_code_cell(metadata={"tags": [tag] if tag else []}, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": glossary})])
    cell.id = "laa-glossary"  # not a random id: the same notebook gives the same bytes
    at = next((i for i, c in enumerate(chosen.cells) if SCREEN_ONLY in
               c.get("metadata", {}).get("tags", [])), len(chosen.cells))
    chosen.cells.insert(at, cell)
    return chosen
