"""The auditors' data-quality report: every failed check in words with its rows (partner,
file, sheet, row, cell, value), the passed ones summarised, partner text escaped, links
relative, nothing fetched, same inputs giving the same bytes."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pandas as pd
import pytest

from pipeline.quality.gx import RESULT_COLUMNS
from pipeline.quality.quarantine import QUARANTINE_COLUMNS
from pipeline.report.quality_pages import (
    REPORT,
    Validation,
    feedback_files,
    list_failed_checks,
    phrase_expected,
    write_validation_report,
)
from tests.quality_build import (
    FORMULA,
    IMG,
    PARTNER,
    SCRIPT,
    STAMP,
    SVG,
    build_hostile_quality,
)

HOSTILE = (SCRIPT, IMG, SVG, PARTNER)
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "nav", "a", "span", "h1", "h2",
             "h3", "p", "var", "strong", "table", "thead", "tbody", "tr", "th", "td", "section",
             "ul", "li", "main",
             "div"}   # each table's scrolling region (pages.scroll_regions)


class Page(HTMLParser):
    """A page as a browser parses it: its tags, attributes, links, ids, and the cell texts
    of each ``<section id>``'s table rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.sections: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._section: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        named = dict(attrs)
        self.attributes |= set(named)
        self.hrefs += [named["href"]] if "href" in named else []
        self.ids |= {named["id"]} if "id" in named else set()
        if tag == "section":
            self._section = named["id"]
            self.sections[self._section] = []
        elif tag == "tr" and self._section:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._section:
            if self._row:
                self.sections[self._section].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_hostile_quality(tmp_path_factory.mktemp("hostile-quality"))


@pytest.fixture(scope="module")
def report(built):
    return Page((built["folder"] / REPORT).read_text(encoding="utf-8"))


def _section(built, report, suite: str, column: str) -> list[list[str]]:
    checks = list_failed_checks(built["validation"].results, built["validation"].findings)
    (check,) = [c for c in checks if c.suite == suite and c.column == column]
    return report.sections[check.anchor]


def test_a_failed_register_check_lists_the_register_file_and_row(built, report):
    rows = _section(built, report, "register", "baseline_value")
    assert [r[:7] for r in rows] == [
        ["(register)", "register/indicators.csv", "", str(n), f"J{n}", "baseline_value", ""]
        for n in (2, 3, 4)]
    assert [r[7] for r in rows] == ["4.1", "7.20", "7.21"]


def test_a_returns_failure_lists_partner_file_sheet_row_cell_and_value(built, report):
    (row,) = _section(built, report, "returns", "value_count")
    assert row[:9] == ["Police", "police.xlsx", "Returns", "2", "Returns!E2", "value", "-5",
                       "7.21", "2006-07 Q4"]
    assert row[9] == "value '-5': expected a count of zero or more (indicator 7.21 is a count)"


def test_a_cross_row_failure_names_the_indicator_without_a_return(built, report):
    rows = _section(built, report, "coverage", "has_return")
    assert [(r[0], r[1], r[3], r[7]) for r in rows] == [("Police", "(no return)", "", "4.1"),
                                                        ("Police", "(no return)", "", "7.21")]
    assert rows[0][9].startswith("expected a value for 4.1 in 2006-07 Q4, or the row declared")
    html = (built["folder"] / REPORT).read_text(encoding="utf-8")
    assert "row_key" not in html


def test_each_failed_check_says_what_was_expected_and_how_many_rows_failed(built):
    html = (built["folder"] / REPORT).read_text(encoding="utf-8")
    assert ("<h3>coverage: expected <span class=\"expected\">a value for [<var>indicator id"
            "</var>] in [<var>period</var>], or the row declared not_available ([<var>latest"
            "</var>])</span></h3>") in html
    assert "<strong>2 of 3 row(s) failed.</strong>" in html
    assert "<strong>1 of 7 row(s) failed.</strong>" in html   # the negative count
    assert "Dimension: completeness." in html and "Dimension: validity." in html


def test_passed_checks_are_summarised_with_rows_checked(built, report):
    results = built["validation"].results
    assert len(report.sections) == int((~results["success"]).sum())   # one per failed check
    html = (built["folder"] / REPORT).read_text(encoding="utf-8")
    count = int(results["success"].sum())
    assert f"<h2 id=\"passed\">Passed checks ({count})</h2>" in html
    assert ("<tr><td>register</td><td>one row per indicator id</td><td class=\"path\">"
            "indicator_id</td><td>reliability</td><td><span class=\"severity "
            "severity-critical\">FAIL</span></td><td class=\"num\">3</td></tr>") in html


def test_hostile_values_are_text_on_every_page(built, report):
    pages = sorted(built["folder"].rglob("*.html"))
    assert [p.relative_to(built["folder"]).as_posix() for p in pages] == [
        "feedback/police-b-onmouseover-alert-3.html", "feedback/police.html", "report.html",
        "scorecard.html"]
    for path in pages:
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        assert page.tags <= PAGE_TAGS, path
        assert not {a for a in page.attributes if a.startswith("on")}, path
        for raw in ("<script", "<img", "<svg", "<b ", "onerror=alert(1)>"):
            assert raw not in text, (path, raw)
    cells = {c for rows in report.sections.values() for r in rows for c in r}
    assert {SCRIPT, IMG, SVG, PARTNER} <= cells
    html = (built["folder"] / REPORT).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(14)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt;" in html
    feedback = Page((built["folder"] / "feedback" / "police-b-onmouseover-alert-3.html")
                    .read_text(encoding="utf-8"))
    assert f"Return feedback for {PARTNER}" in feedback.text


def test_machine_readable_results_are_inert(built):
    text = (built["folder"] / "validation-results.json").read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text
    data = json.loads(text)
    assert data["generated_at"] == STAMP and data["files_not_read"] == []
    found = {r["found"] for e in data["expectations"] for r in e["failed_rows"]}
    assert {SCRIPT, IMG, SVG, FORMULA, "-5"} <= found
    assert len(data["expectations"]) == len(built["validation"].results)
    failures = pd.read_csv(built["folder"] / "validation-failures.csv", dtype=str,
                           keep_default_na=False, encoding="utf-8-sig")
    assert "'" + FORMULA in set(failures["value found"])
    assert list(failures.columns[:4]) == ["suite", "expectation", "severity", "dimension"]
    results = pd.read_csv(built["folder"] / "validation-results.csv", encoding="utf-8-sig")
    assert len(results) == len(built["validation"].results)


def test_links_between_the_pages_are_relative_and_resolve(built):
    for path in sorted(built["folder"].rglob("*.html")):
        page = Page(path.read_text(encoding="utf-8"))
        assert page.hrefs, path
        for href in page.hrefs:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc and not href.startswith("/"), href
            if not parts.path:
                assert parts.fragment in page.ids, (path, href)
                continue
            target = (path.parent / parts.path).resolve()
            assert target.is_file(), (path, href)
            assert built["published"].resolve() in target.parents
    scorecard = Page((built["folder"] / "scorecard.html").read_text(encoding="utf-8"))
    assert {"report.html", "feedback/police.html"} <= set(scorecard.hrefs)
    feedback = Page((built["folder"] / "feedback" / "police.html").read_text(encoding="utf-8"))
    assert {"../report.html", "../scorecard.html"} <= set(feedback.hrefs)


def test_pages_forbid_scripts_and_fetching(built):
    for path in sorted(built["folder"].rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                'style-src \'unsafe-inline\'">') in text
        page = Page(text)
        assert not page.attributes & {"src", "srcset", "action", "formaction", "data"}, path
        assert "url(" not in text and "@import" not in text, path


def test_same_inputs_give_the_same_bytes_but_for_the_stamp(built, tmp_path):
    again = build_hostile_quality(tmp_path / "again")
    first, second = ({p.relative_to(b["folder"]).as_posix(): p.read_bytes()
                      for p in sorted(b["folder"].rglob("*")) if p.is_file()}
                     for b in (built, again))
    assert first == second
    later = tmp_path / "later"
    later.mkdir()
    validation = built["validation"]
    partners = {p: f"feedback/{f}" for p, f in feedback_files(list(built["feedback"])).items()}
    write_validation_report(later, Validation(validation.results, validation.findings,
                                              validation.quarantine, validation.suites,
                                              "2007-07-01T09:00:00"),
                            "2007-09-03", "2006-07 Q4", partners)
    old = (built["folder"] / REPORT).read_text(encoding="utf-8").splitlines()
    new = (later / REPORT).read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [
        (f'<p class="stamp">Generated at {STAMP}.</p>',
         '<p class="stamp">Generated at 2007-07-01T09:00:00.</p>')]


def _frames(success: bool, keys: list[int]) -> Validation:
    results = pd.DataFrame([{
        "suite": "returns", "expectation": "expect_table_columns_to_match_set", "column": "",
        "severity": "critical", "dimension": "validity",
        "expected": "the required columns {columns}", "report_column": "", "success": success,
        "unexpected_count": len(keys), "element_count": 4, "failed_row_keys": keys}],
        columns=RESULT_COLUMNS)
    quarantine = pd.DataFrame([{**dict.fromkeys(QUARANTINE_COLUMNS, ""), "source_row": 0,
                                "source_file": f"{SCRIPT}.xlsx", "check": "readable",
                                "reason": "the file is not a workbook"}],
                              columns=QUARANTINE_COLUMNS)
    return Validation(results, quarantine.iloc[:0], quarantine, {}, STAMP)


def test_a_table_level_failure_and_an_unreadable_file_are_reported(tmp_path):
    write_validation_report(tmp_path, _frames(False, []), "2007-09-03", "2006-07 Q4", {})
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert "The table as a whole failed this check: no single row is at fault." in html
    assert "the required columns [<var>columns</var>]" in html
    assert "<h2 id=\"unread\">Files that could not be read (1)</h2>" in html
    assert "&lt;script&gt;alert(14)&lt;/script&gt;.xlsx" in html and "<script" not in html


def test_a_clean_run_says_every_check_passed(tmp_path):
    write_validation_report(tmp_path, _frames(True, []), "2007-09-03", "2006-07 Q4", {})
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert "<h2 id=\"failed\">Failed checks (0)</h2>\n<p>Every check passed.</p>" in html


def test_expected_words_name_the_placeholders():
    assert phrase_expected("a count (indicator {indicator_id:>4} is {unit})", "x", "c") == (
        ("a count (indicator ", False), ("indicator id", True), (" is ", False),
        ("unit", True), (")", False))
    assert phrase_expected("", "expect_column_values_to_be_unique", "indicator_id") == (
        ("column values to be unique (indicator_id)", False),)
    assert phrase_expected("a {broken", "x", "c") == (("a {broken", False),)
    assert phrase_expected("at most {change_threshold:g}{change_measure}", "x", "c") == (
        ("at most ", False), ("change threshold", True))      # a figure and its unit: one
