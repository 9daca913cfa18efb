"""The board documents read in the board's language (issue 22 item 3).

The appendix, the board summary and the district pack print no command, no file name, no
"sha256", no ISO date or time stamp, no "notebook" and no "rules file"; their dates read
"3 September 2007"; each ends with a glossary of exactly the abbreviations it uses. The
HTML appendix's annex for auditors (screen only) keeps the technical detail.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pipeline.config import find_project_root
from pipeline.figures import format_date_time
from pipeline.report import document, glossary, sections, summary

ROOT = find_project_root()
TECHNICAL = {"a command": r"\blaa [a-z]", "a file name":
             r"\w+\.(csv|xlsx|html|pdf|parquet|ipynb|toml)\b", "sha256": r"sha256",
             "an ISO date": r"\b\d{4}-\d{2}-\d{2}\b", "an ISO stamp": r"\d{4}-\d{2}-\d{2}T",
             "notebook": r"(?i)notebook", "the rules file": r"(?i)rules file"}


def technical_terms(text: str) -> list[str]:
    """What in ``text`` a board member should not have to read (the kind and the match)."""
    return [f"{kind}: {m.group(0)!r} in {text[max(0, m.start() - 60):m.end() + 20]!r}"
            for kind, pattern in TECHNICAL.items() for m in re.finditer(pattern, text)]


# Dates, stamps and the cover ------------------------------------------------------------

def test_stamps_read_as_dates_in_words():
    assert format_date_time("2007-05-14 17:05") == "14 May 2007 at 17:05"
    assert format_date_time("2007-06-30T12:00:00", utc=True) == "30 June 2007 at 12:00 UTC"
    assert format_date_time("2026-12-04T21:31:05+01:00", utc=True) == \
        "4 December 2026 at 20:31 UTC"
    assert format_date_time("2007-05-14") == "14 May 2007"
    assert format_date_time("") == "" and format_date_time("none") == "none"


@pytest.mark.parametrize("cover", [
    lambda: sections.render_cover("P", "LAA", "2007-09-03", "2006-07 Q4", "2007-05-14 17:05",
                                  "2007-06-30T12:00:00", previous_period=""),
    lambda: summary.render_summary_cover("P", "LAA", "2007-09-03", "2006-07 Q4",
                                         "2007-05-14 17:05", "2007-06-30T12:00:00")])
def test_covers_give_every_date_in_one_style(cover):
    html = cover()
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>(.*?)</dd>", html, re.S))
    assert facts["Board meeting"] == "3 September 2007"
    assert facts["Data as of"].startswith("14 May 2007 at 17:05")
    assert facts["Prepared"] == "30 June 2007 at 12:00 UTC"
    assert technical_terms(glossary.html_text(html)) == []


def test_running_header_and_footer_give_the_meeting_and_data_in_words():
    settings = type("S", (), {"meeting": "2007-09-03", "period": "2006-07 Q4",
                              "generated_at": "2007-06-30T12:00:00"})()
    app = type("A", (), {"partnership": {"name": "P", "agreement": "LAA"},
                         "settings": settings, "theme_filter": (), "filtered": False,
                         "data_as_of": "2007-05-14 17:05"})()
    spec = document.document_spec(app, "html")
    assert spec["running_header"] == "P · Self-assessment 2006-07 Q4 · Board 3 September 2007"
    assert spec["footer"] == "LAA · data as of 14 May 2007 at 17:05"
    assert spec["created"] == "2007-06-30T12:00:00Z"    # metadata stays machine-readable


def test_data_quality_link_is_in_words_not_a_path():
    html = sections.render_quality(pd.DataFrame({"Measure": ["Rows read"], "Count": [3]}),
                                   "../../data-quality/scorecard.html")
    assert 'href="../../data-quality/scorecard.html"' in html
    assert technical_terms(glossary.html_text(html)) == []
    assert "the data-quality report" in html


def test_pooled_fund_names_the_finance_return_and_the_rule_not_files():
    outturn = pd.DataFrame([{"block": "Total", "row_type": "total", "allocation_gbp": 100.0,
                             "virement_gbp": 0.0, "budget_gbp": 100.0, "spend_gbp": 98.0,
                             "underspend_gbp": 2.0, "underspend_pct": 2.0,
                             "carry_forward_gbp": 0.0, "commentary": ""}])
    lines = pd.DataFrame([{"source_file": "2006-07_pooled_fund.csv", "rows_read": 7,
                           "rows_used": 7, "rows_set_aside": 0}])
    html = sections.render_pooled_fund("2006-07", outturn, {"sentence": "Within."},
                                       pd.DataFrame(columns=["source_row"]), lines, 5.0)
    assert technical_terms(glossary.html_text(html)) == []
    assert "Read from the finance return, 7 rows: 7 used, 0 set aside." in html
    assert "under 5% of the total allocation" in html


# The demos' board documents, end to end --------------------------------------------------

def _html_text(path: Path) -> tuple[str, list[str]]:
    """The visible text of a board document's HTML but its glossary and its screen-only
    annex, and the abbreviations its glossary lists (each page parsed once a worker: the
    session's documents are read only)."""
    text, listed = _parsed_html(path)
    return text, list(listed)


@functools.cache
def _parsed_html(path: Path) -> tuple[str, tuple[str, ...]]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup.select(".celltag_screen-only, .screen-only, style, script, head"):
        hidden.decompose()
    listed = [dt.get_text(strip=True) for dt in soup.select("section.glossary dt")]
    for section in soup.select("section.glossary"):
        section.decompose()
    return soup.get_text(" "), tuple(listed)


def _pdf_text(pdf_text, path: Path) -> str:
    """The PDF's text (``pdf_text``: extracted once per session, tests/conftest.py)."""
    return "\n".join(page or "" for page in pdf_text(path))


def _board_documents(report: Path) -> list[Path]:
    found = [p for p in sorted(report.rglob("*"))
             if p.stem in ("appendix", "summary", "district-pack") and p.suffix in
             (".html", ".pdf") and "notebooks" not in p.parts]
    assert found
    return found


@pytest.fixture(scope="module")
def laa1(appendix_demo):
    return appendix_demo["report"]


@pytest.fixture(scope="module")
def laa2(laa2_run):
    return laa2_run["report"]


@pytest.mark.slow
@pytest.mark.parametrize("demo", ["laa1", "laa2"])
def test_board_documents_print_no_command_file_stamp_or_tool(demo, request, pdf_text):
    report = request.getfixturevalue(demo)
    names = set()
    for path in _board_documents(report):
        names.add(path.name)
        text = _html_text(path)[0] if path.suffix == ".html" else _pdf_text(pdf_text, path)
        assert technical_terms(text) == [], path.name
    assert {"appendix.html", "appendix.pdf", "summary.html", "summary.pdf"} <= names
    if demo == "laa1":
        assert {"district-pack.html", "district-pack.pdf"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("demo", ["laa1", "laa2"])
def test_each_glossary_lists_exactly_the_abbreviations_its_document_uses(demo, request,
                                                                          pdf_text):
    report = request.getfixturevalue(demo)
    for path in _board_documents(report):
        if path.suffix == ".pdf":
            continue
        text, listed = _html_text(path)
        assert glossary.find_unknown(text) == [], path.name     # the dictionary is complete
        used = glossary.list_capitals(text)
        assert used, path.name
        assert listed == used, path.name                        # alphabetical, each once
        printed = _pdf_text(pdf_text, path.with_suffix(".pdf"))
        tail = printed[printed.index("The abbreviations this document uses."):]
        assert all(re.search(rf"\b{w}\b", tail) for w in used), path.name


@pytest.mark.slow
def test_the_auditors_annex_keeps_its_technical_detail_on_screen(laa1):
    soup = BeautifulSoup((laa1 / "appendix.html").read_text(encoding="utf-8"), "html.parser")
    annex = " ".join(c.get_text(" ") for c in soup.select(".celltag_screen-only"))
    assert "Annex" in annex and "sha256" in annex and "laa trace" in annex
    headings = [h.get_text(" ", strip=True) for h in soup.find_all("h2")]
    assert headings.index(next(h for h in headings if h.endswith("Glossary"))) < \
        headings.index("Annex: where each figure comes from")
