"""A big bad file keeps the data-quality pages small: each failed check, and each partner's
feedback, shows at most ``ROWS_SHOWN`` rows with the total count and a link to a CSV in the
published folder that holds every row. Also: the words of what a check expects read as
words, never as placeholder names run together."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipeline.quality.gx import RESULT_COLUMNS
from pipeline.quality.quarantine import QUARANTINE_COLUMNS
from pipeline.quality.scorecard import feedback_by_partner
from pipeline.report import quality_pages
from pipeline.report.quality_pages import (
    REPORT,
    ROWS_SHOWN,
    Validation,
    phrase_expected,
    write_quality_reports,
)

STAMP = "2007-06-30T12:00:00"
SCRIPT = "<script>alert(1)</script>"


def _validation(rows: int) -> Validation:
    findings = pd.DataFrame([{
        **dict.fromkeys(QUARANTINE_COLUMNS, ""), "partner": "Police",
        "source_file": "police.csv", "source_row": n + 2, "cell": f"E{n + 2}",
        "column": "value", "found": SCRIPT if n == 0 else f"v{n}", "check": (
            "expect_column_values_to_be_in_set"), "suite": "returns", "severity": "critical",
        "dimension": "accuracy", "indicator_id": "7.20", "period": "2006-07 Q4",
        "reason": f"value 'v{n}': expected a number", "checked_column": "value_not_number",
        "check_id": "value-number", "grade": "FAIL"} for n in range(rows)],
        columns=QUARANTINE_COLUMNS)
    results = pd.DataFrame([{
        "suite": "returns", "expectation": "expect_column_values_to_be_in_set",
        "column": "value_not_number", "severity": "critical", "dimension": "accuracy",
        "expected": "a number such as 1234; {value_problem}", "report_column": "value",
        "success": False, "unexpected_count": rows, "element_count": rows + 5,
        "failed_row_keys": list(range(rows))}], columns=RESULT_COLUMNS)
    return Validation(results, findings, findings, {}, STAMP)


class Rows(HTMLParser):
    """The number of body rows of each table, and the links, of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[int] = []
        self.hrefs: list[str] = []
        self._body = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._body = True
            self.tables.append(0)
        elif tag == "tr" and self._body:
            self.tables[-1] += 1
        elif tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._body = False


def _write(folder: Path, rows: int) -> Validation:
    return _write_validation(folder, _validation(rows))


def _write_validation(folder: Path, validation: Validation) -> Validation:
    feedback = feedback_by_partner(validation.findings, validation.quarantine)
    cards = pd.DataFrame({"partner": ["Police"], "rows_quarantined": [len(validation.quarantine)]})
    write_quality_reports(folder, folder / "feedback", cards, feedback, "2007-09-03",
                          "2006-07 Q4", validation=validation)
    return validation


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_a_check_failed_by_more_rows_than_shown_lists_the_first_and_links_them_all(tmp_path):
    total = ROWS_SHOWN + 57
    _write(tmp_path, total)
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    page = Rows(html)
    assert page.tables[2] == ROWS_SHOWN                  # summary, index, then the rows
    assert f"v{ROWS_SHOWN - 1}" in html and f"v{ROWS_SHOWN}<" not in html
    (link,) = [h for h in page.hrefs if h.startswith("failed-rows/")]
    assert (f"The first {ROWS_SHOWN} of {total} rows are shown; every row is in "
            f'<a href="{link}">') in html
    full = _csv(tmp_path / link)
    assert len(full) == total and full["row"].tolist() == [str(n + 2) for n in range(total)]
    assert full["value found"].iloc[-1] == f"v{total - 1}"
    assert "<strong>257 of 262 row(s) failed.</strong>" in html


def test_feedback_shows_the_first_rows_and_links_the_csv_of_every_row(tmp_path):
    total = ROWS_SHOWN + 1
    _write(tmp_path, total)
    html = (tmp_path / "feedback" / "police.html").read_text(encoding="utf-8")
    page = Rows(html)
    assert page.tables == [ROWS_SHOWN]
    assert (f"The first {ROWS_SHOWN} of {total} problems are shown; every one is in "
            '<a href="police.csv">police.csv</a>.') in html
    assert len(_csv(tmp_path / "feedback" / "police.csv")) == total
    assert "&lt;script&gt;" in html and SCRIPT not in html


def test_up_to_the_bound_every_row_is_on_the_page_and_no_extra_file(tmp_path):
    _write(tmp_path, ROWS_SHOWN)
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert Rows(html).tables[2] == ROWS_SHOWN and "are shown" not in html
    assert not (tmp_path / "failed-rows").exists()
    feedback = (tmp_path / "feedback" / "police.html").read_text(encoding="utf-8")
    assert Rows(feedback).tables == [ROWS_SHOWN] and "are shown" not in feedback


def test_the_bound_is_one_constant(tmp_path, monkeypatch):
    monkeypatch.setattr(quality_pages, "ROWS_SHOWN", 3)
    _write(tmp_path, 10)
    assert Rows((tmp_path / REPORT).read_text(encoding="utf-8")).tables[2] == 3
    assert Rows((tmp_path / "feedback" / "police.html").read_text(
        encoding="utf-8")).tables == [3]


@pytest.mark.parametrize(("expected", "words"), [
    ("a change from {previous_period} ({previous_value}) of at most {change_threshold:g}"
     "{change_measure}: this is {change_size:.1f}{change_measure}",
     "a change from [previous period] ([previous value]) of at most "
     "[change threshold]: this is [change size]"),
    ("submission by the deadline for {period}: {deadline}",
     "submission by the deadline for [period]: [deadline]"),
])
def test_what_a_check_expects_reads_as_words(expected, words):
    parts = phrase_expected(expected, "x", "c")
    assert "".join(f"[{t}]" if field else t for t, field in parts) == words


def test_the_report_marks_what_stands_for_each_rows_values(tmp_path):
    validation = _validation(2)
    results = validation.results.assign(expected="submission by the deadline for {period}: "
                                                 "{deadline}")
    _write_validation(tmp_path, Validation(results, validation.findings,
                                           validation.quarantine, {}, STAMP))
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert ("expected <span class=\"expected\">submission by the deadline for "
            "[<var>period</var>]: [<var>deadline</var>]</span></h3>") in html
    assert "Words in [<var>brackets</var>] stand for each row's own values" in html
