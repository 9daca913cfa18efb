"""The data-quality pages of a big bad file in a real browser (Debian's Chromium): the
report and the feedback, cut to their first rows with a link to every row, open offline,
fetch nothing, fit the window and pass axe-core's WCAG 2.2 A/AA rules."""

from __future__ import annotations

import pytest

from pipeline.report.quality_pages import REPORT, ROWS_SHOWN
from tests.test_browser import _assert_quiet, _axe, _describe, _fits_the_window, _load, _watch
from tests.test_quality_pages_bound import _write

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bound(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bound") / "data-quality"
    _write(folder, ROWS_SHOWN + 1_000)
    return folder


@pytest.fixture(scope="module")
def tab(browser):
    """One watched tab that both pages are opened in, in turn (a new tab costs Chromium
    about half a second of CPU)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield _watch(page)
    page.close()


@pytest.mark.parametrize("name", [REPORT, "feedback/police.html"])
def test_cut_pages_open_offline_and_pass_axe(bound, tab, name):
    seen = _load(tab, bound / name)
    page = seen["page"]
    assert page.locator("tbody tr").count() <= ROWS_SHOWN + 2
    link = page.locator("p.note a").last
    assert link.inner_text().endswith(".csv")
    results = _axe(page)
    assert results["violations"] == [], f"{name}:\n" + _describe(results["violations"])
    assert _fits_the_window(page)
    _assert_quiet(seen, bound)
