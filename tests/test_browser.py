"""The appendix in a real browser: Debian's Chromium driven by Playwright, never a download.

Opens the demo's HTML appendix and district pack from disk and checks that the page loads
nothing at all from anywhere, logs no console error, shows the Indicator Risk Summary's
Totals row with the seed's figures, and shows a partner's ``<script>`` as text without
running it. The data-quality pages (report, scorecard, feedback) are opened and followed
link by link, offline, with every request outside ``file://`` blocked: the demo's, and
ones built from hostile returns (markup in cells, in a partner's name). Every page passes
axe-core (bundled by ``axe-playwright-python``, injected from disk: nothing fetched) with no
violation of the WCAG 2.2 A and AA rules, nor of the landmark and heading-order rules.
Screenshots are kept in ``tests/artefacts/`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.appendix_build import HOSTILE_COMMENTARY, ROOT
from tests.quality_build import IMG, PARTNER, SCRIPT, SVG, build_hostile_quality

pytestmark = pytest.mark.slow

ARTEFACTS = ROOT / "tests" / "artefacts"
RISK_TOTALS = ["63 (63.6%)", "23 (23.2%)", "13 (13.1%)", "29"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# best-practice rules held too: one <main>, all content in landmarks, headings in order
AXE_EXTRA_RULES = ["landmark-one-main", "region", "heading-order"]


@pytest.fixture(scope="module")
def demo(appendix_demo):
    return appendix_demo


def _block_network(route) -> None:
    if route.request.url.startswith("file://"):
        route.continue_()
    else:
        route.abort()


def _watch(page) -> dict:
    """Block every request but ``file://`` ones on ``page``; record every request, console
    message, page error and dialog of the page it shows (:func:`_load`)."""
    seen = {"page": page, "requests": [], "console": [], "errors": [], "dialogs": []}
    page.route("**/*", _block_network)
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda message: seen["console"].append((message.type, message.text)))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _load(seen: dict, path: Path) -> dict:
    """Show ``path`` in the watched tab ``seen`` (:func:`_watch`), what was recorded of
    the page before it forgotten."""
    for kind in ("requests", "console", "errors", "dialogs"):
        seen[kind].clear()
    seen["page"].goto(path.as_uri(), wait_until="load")
    seen["page"].wait_for_timeout(300)   # let anything that would run, run
    return seen


def _open(browser, path: Path) -> dict:
    """Open ``path`` in a new tab with every request but ``file://`` ones blocked; record
    every request, console message, page error and dialog."""
    return _load(_watch(browser.new_page(viewport={"width": 1280, "height": 900})), path)


@pytest.fixture(scope="module")
def tab(browser):
    """One watched tab (:func:`_watch`) that the tests' pages are opened in, in turn: a new
    tab costs Chromium about half a second of CPU (a renderer for its window furniture)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield _watch(page)
    page.close()


@pytest.fixture(scope="module")
def appendix(demo, browser):
    seen = _open(browser, demo["report"] / "appendix.html")
    yield seen
    seen["page"].close()


def test_the_page_loads_nothing_and_logs_no_error(appendix, demo):
    assert appendix["requests"] == [(demo["report"] / "appendix.html").as_uri()]
    assert [m for m in appendix["console"] if m[0] in ("error", "warning")] == []
    assert appendix["errors"] == [] and appendix["dialogs"] == []


def test_totals_row_is_visible_with_the_seed_figures(appendix):
    from playwright.sync_api import expect

    page = appendix["page"]
    totals = page.locator("table.risk-summary tr.totals")
    totals.scroll_into_view_if_needed()
    expect(totals).to_be_visible()
    assert totals.locator("th").inner_text().strip() == "Totals"
    assert [t.strip() for t in totals.locator("td").all_inner_texts()] == RISK_TOTALS
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    table = ARTEFACTS / "risk-summary.png"
    page.locator("table.risk-summary").screenshot(path=str(table))
    full = ARTEFACTS / "appendix.jpeg"   # 1280 by 53,000 pixels: a PNG costs 1.5 s more
    page.screenshot(path=str(full), full_page=True, type="jpeg")
    assert table.stat().st_size > 5000 and full.stat().st_size > 50000
    print(f"screenshots: {table} {full}")


def test_partner_script_shows_as_text_and_does_not_run(appendix):
    page = appendix["page"]
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    risk = page.locator("article.risk", has_text="7.21 - Theft From Person").first
    commentary = risk.locator("p.commentary").inner_text()
    assert HOSTILE_COMMENTARY in commentary
    assert "<script>window.__pwned = 1;" in commentary


def test_rag_is_shown_by_letter_as_well_as_colour(appendix):
    page = appendix["page"]
    badge = page.locator("table.risk-summary thead .rag-R")
    assert badge.locator(".rag-letter").inner_text() == "R"
    colour = badge.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 18, 27)"


def test_print_media_keeps_the_page_clean(appendix):
    page = appendix["page"]
    page.emulate_media(media="print")
    assert page.locator("table.risk-summary tr.totals").is_visible()
    assert appendix["errors"] == []
    page.emulate_media(media="screen")


def test_district_pack_opens_cleanly_too(demo, tab):
    path = demo["pack"] / "district-pack.html"
    seen = _load(tab, path)
    assert seen["requests"] == [path.as_uri()]
    assert seen["errors"] == [] and [m for m in seen["console"] if m[0] == "error"] == []
    rows = seen["page"].locator("table.district-table tbody tr:not(.theme-row)")
    assert rows.count() == 20
    seen["page"].screenshot(path=str(ARTEFACTS / "district-pack.png"), full_page=True)


def _assert_quiet(seen: dict, folder: Path) -> None:
    """Every request a file inside ``folder``; no console error or warning, page error or
    dialog (an ``alert`` would be one)."""
    inside = folder.resolve().as_uri() + "/"
    assert seen["requests"] and all(u.startswith(inside) for u in seen["requests"]), \
        seen["requests"]
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["errors"] == [] and seen["dialogs"] == []


def _follow(seen: dict, link: str, expected: Path) -> None:
    """Click the first link with text ``link``; the page it opens is ``expected``."""
    page = seen["page"]
    page.get_by_role("link", name=link).first.click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert page.url == expected.resolve().as_uri()


def test_demo_data_quality_pages_open_offline_and_link_to_each_other(demo, tab):
    quality = demo["report"] / "data-quality"
    seen = _load(tab, quality / "report.html")
    page = seen["page"]
    assert page.locator("h1").inner_text().startswith("Data-quality report: 2006-07 Q4")
    assert page.locator("section.check").count() >= 1
    register = page.locator("section.check", has_text="register: expected a baseline value")
    assert "register/indicators.csv" in register.locator("table.failed-rows").inner_text()
    assert page.locator("table.passed tbody tr").count() > 20
    page.screenshot(path=str(ARTEFACTS / "data-quality-report.png"), full_page=True)
    _follow(seen, "Partner scorecard", quality / "scorecard.html")
    _follow(seen, "Leicestershire County Council",
            quality / "feedback" / "leicestershire-county-council.html")
    assert page.locator("table.feedback tbody tr").count() >= 1
    _follow(seen, "Data-quality report", quality / "report.html")
    _follow(seen, "Leicestershire Waste Partnership",
            quality / "feedback" / "leicestershire-waste-partnership.html")
    _follow(seen, "Partner scorecard", quality / "scorecard.html")
    _assert_quiet(seen, demo["report"])


def test_the_appendix_links_to_the_data_quality_pages(demo, tab):
    seen = _load(tab, demo["report"] / "appendix.html")
    _follow(seen, "the data-quality report", demo["report"] / "data-quality" /
            "scorecard.html")
    _follow(seen, "Data-quality report", demo["report"] / "data-quality" / "report.html")
    _assert_quiet(seen, demo["report"])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return build_hostile_quality(tmp_path_factory.mktemp("hostile-quality"))


@pytest.mark.parametrize("name", ["report.html", "scorecard.html", "feedback/police.html",
                                  "feedback/police-b-onmouseover-alert-3.html"])
def test_hostile_partner_text_shows_as_text_and_runs_nothing(hostile, tab, name):
    path = hostile["folder"] / name
    seen = _load(tab, path)
    page = seen["page"]
    page.locator("a, td").evaluate_all("els => els.forEach(e => e.dispatchEvent("
                                       "new MouseEvent('mouseover', {bubbles: true})))")
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('script, img, svg, b, iframe, "
                         "object').length") == 0
    text = page.locator("body").inner_text()
    planted = {"report.html": (SCRIPT, IMG, SVG, PARTNER), "scorecard.html": (PARTNER,),
               "feedback/police.html": (SCRIPT, IMG, SVG),
               "feedback/police-b-onmouseover-alert-3.html": (PARTNER,)}[name]
    for value in planted:
        assert value in text, value
    _assert_quiet(seen, hostile["published"])


def axe_script() -> str:
    """axe-core as ``axe-playwright-python`` bundles it (read from disk: nothing fetched)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def _axe(page, injected: bool = False) -> dict:
    """Run axe-core on ``page`` with the WCAG 2.2 A/AA tags (and :data:`AXE_EXTRA_RULES`),
    injecting it first (as ``axe-playwright-python``'s ``Axe().run`` does) unless the
    tab's context already runs it in every page it opens (``injected``: an init script,
    tests/test_accessibility.py's ``tab``)."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS},
               "rules": {rule: {"enabled": True} for rule in AXE_EXTRA_RULES},
               "resultTypes": ["violations"]}
    if not injected:
        page.evaluate(axe_script())
    return page.evaluate("options => axe.run(options)", options)


def _describe(violations: list[dict]) -> str:
    """Each violation's rule, impact, help and first target nodes: what to fix, and where."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} node(s)): {v['help']}")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


def _fits_the_window(page) -> bool:
    """The page needs no sideways scrolling at the test's 1280-pixel width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


AXE_PAGES = {
    "appendix": ("report", "appendix.html"),
    "district pack": ("pack", "district-pack.html"),
    "board summary": ("report", "summary.html"),
    "data-quality report": ("report", "data-quality/report.html"),
    "scorecard": ("report", "data-quality/scorecard.html"),
    "feedback": ("report", "data-quality/feedback/leicestershire-county-council.html"),
}


@pytest.fixture(scope="module")
def axe_on(tab, appendix, demo):
    """axe-core's results on a page (opened offline, once however many tests ask), the
    requests it made and whether it fits the window. The appendix is checked in the tab it
    is already open in (:func:`appendix`, scrolled back to the top): opening the
    1.6-megabyte page again costs Chromium about a second; its requests are all those
    made since it was opened, through every test of it."""
    done: dict[Path, dict] = {}

    def check(path: Path) -> dict:
        if path not in done:
            if path == demo["report"] / "appendix.html":
                seen = appendix
                seen["page"].evaluate("window.scrollTo(0, 0)")
            else:
                seen = _load(tab, path)
            results = _axe(seen["page"])
            done[path] = {"results": results, "requests": list(seen["requests"]),
                          "fits": _fits_the_window(seen["page"])}
        return done[path]

    return check


@pytest.mark.parametrize("name", sorted(AXE_PAGES))
def test_axe_finds_no_wcag_22_aa_violation(demo, axe_on, name):
    folder, file = AXE_PAGES[name]
    path = demo[folder] / file
    checked = axe_on(path)
    results = checked["results"]
    assert results["testEngine"]["name"] == "axe-core"
    assert results["violations"] == [], f"{name}:\n" + _describe(results["violations"])
    passed = {rule["id"] for rule in results["passes"]}
    assert {"html-has-lang", "document-title", "landmark-one-main", "region",
            "color-contrast"} <= passed, passed
    assert checked["requests"] == [path.as_uri()]   # axe is injected, not fetched
    assert checked["fits"]


def test_axe_checks_the_appendix_charts_and_tables(demo, appendix, axe_on):
    """The rules that matter most to the appendix did run, and passed: the charts' names,
    table headers, link names, headings in order. (The charts are counted on the appendix
    already open in its own tab: loading it again costs Chromium about 1.5 CPU-s.)"""
    page = appendix["page"]
    assert page.locator("svg").count() >= 2
    assert page.get_by_role("img").count() == page.locator("svg").count()
    results = axe_on(demo["report"] / "appendix.html")["results"]
    assert results["violations"] == [], _describe(results["violations"])
    passed = {rule["id"] for rule in results["passes"]}
    assert {"svg-img-alt", "th-has-data-cells", "td-headers-attr", "link-name",
            "heading-order", "list", "listitem", "nested-interactive"} <= passed, passed


@pytest.mark.parametrize("name", ["report.html", "scorecard.html", "feedback/police.html",
                                  "feedback/police-b-onmouseover-alert-3.html"])
def test_axe_finds_no_violation_on_pages_built_from_hostile_returns(hostile, tab, name):
    """Long unbroken partner text (a formula, a partner's name) wraps in its cell: no
    sideways scrolling, no cell whose contrast axe cannot judge because it overflows."""
    seen = _load(tab, hostile["folder"] / name)
    results = _axe(seen["page"])
    assert results["violations"] == [], f"{name}:\n" + _describe(results["violations"])
    assert _fits_the_window(seen["page"])


def test_every_rag_badge_in_the_appendix_shows_its_letter(appendix):
    """RAG is never colour alone: each badge prints its letter, and a label (shown, or
    kept for screen readers when the badge is compact)."""
    badges = appendix["page"].locator("span.rag")
    assert badges.count() > 50
    texts = badges.evaluate_all(
        "els => els.map(e => [e.className, e.querySelector('.rag-letter')?.textContent,"
        " e.querySelector('.rag-label, .sr-only')?.textContent.trim()])")
    for classes, letter, label in texts:
        assert letter and f"rag-{letter}" in classes.split(), (classes, letter)
        assert label and len(label) > 1, (classes, label)
