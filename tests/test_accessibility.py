"""Every HTML page both demos write, checked by two accessibility engines and at 320 px.

Both demos are run with the README's commands into temporary folders, and every ``.html``
file under their reports folders is found by globbing (no list of pages to fall behind).
Each page is opened offline in Debian's Chromium (every request outside ``file://``
refused) and checked by:

- axe-core (``axe-playwright-python``), the WCAG 2.2 A and AA rules and the landmark and
  heading-order rules, as ``tests/test_browser.py`` runs it;
- IBM's Equal Access engine (``accessibility-checker-engine`` from npm, installed by
  ``.ci/run`` into ``tests/js/node_modules`` from the committed ``package-lock.json``), its
  ``WCAG_2_2`` policy with the rules the package ships: nothing is fetched;
- a 320-pixel-wide window (WCAG 1.4.10, reflow): nothing is cut off or needs the page to
  scroll sideways; a table wider than the window scrolls inside a named, focusable region;
- the contents' links are targets of at least 24 by 24 pixels (WCAG 2.5.8);
- a skip link is the page's first focusable element and leads into ``<main>``.

No violation of either engine is allowed. Each page is opened once (the fixture ``checked``:
every check's findings per page) and each test asserts its check on every page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser import _axe, _block_network, _describe, axe_script

ROOT = Path(__file__).resolve().parent.parent
ACE = ROOT / "tests" / "js" / "node_modules" / "accessibility-checker-engine" / "ace.js"
ACE_POLICY = "WCAG_2_2"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(laa1_run, laa2_run) -> list[Path]:
    """Every HTML page the two demos wrote (run once per session, in conftest)."""
    return [page for run in (laa1_run, laa2_run) for page in sorted(run["reports"].rglob("*.html"))]


@pytest.fixture(scope="module")
def tab(browser):
    """One tab, offline, that every page is opened in in turn: a new tab per page costs
    Chromium about half a second of CPU for each (a renderer for its window furniture,
    busy while the tab is open). The page's own Content-Security-Policy (no script) is set
    aside for the engines' scripts only: the page itself runs none. Both engines are init
    scripts of the tab's context, run in each page it opens before the page's own content
    (they only define ``axe`` and ``ace``): about 0.13 CPU-s a page less than injecting
    them into each page (Chromium's and Playwright's), and the same findings."""
    assert ACE.is_file(), "npm ci --prefix tests/js installs IBM's engine (see .ci/run)"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_init_script(script=axe_script())
    # ace.js declares ``var ace``; an init script runs inside a function: made a global
    context.add_init_script(script=ACE.read_text(encoding="utf-8") + "\n;window.ace = ace;")
    context.route("**/*", _block_network)
    page = context.new_page()
    yield page
    context.close()


def _open(tab, path: Path, width: int = 1280):
    """Open ``path`` in ``tab`` (a new document: no focus, no script of the last page's)
    in a window ``width`` pixels wide."""
    tab.set_viewport_size({"width": width, "height": 900})
    tab.goto(path.as_uri(), wait_until="load")
    return tab


def _short(path: Path) -> str:
    return "/".join(path.parts[-4:])


def ace_violations(page, injected: bool = False) -> list[dict]:
    """IBM's engine on ``page`` (injected from disk, unless the tab's context already runs
    it in every page it opens: ``injected``): each failed rule of the policy, with its
    message and the element's path."""
    assert ACE.is_file(), "npm ci --prefix tests/js installs IBM's engine (see .ci/run)"
    if not injected:
        page.add_script_tag(path=str(ACE))
    return page.evaluate(
        """async policy => {
            const report = await new ace.Checker().check(document, [policy]);
            return report.results
              .filter(r => r.value[0] === "VIOLATION" && r.value[1] === "FAIL")
              .map(r => ({rule: r.ruleId, message: r.message, path: r.path.dom}));
        }""", ACE_POLICY)


def test_both_demos_pages_are_all_found(pages):
    """The glob found the board documents and the data-quality pages of both demos."""
    names = [p.name for p in pages]
    assert names.count("appendix.html") == 2 and names.count("summary.html") == 2
    assert names.count("report.html") == 2 and names.count("scorecard.html") == 2
    assert "district-pack.html" in names
    assert len(pages) >= 20


def test_axe_finds_no_violation_on_any_page(checked):
    failures = {}
    for path, found in checked.items():
        assert found["axe"]["testEngine"]["name"] == "axe-core"
        if found["axe"]["violations"]:
            failures[_short(path)] = _describe(found["axe"]["violations"])
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_ibm_equal_access_finds_no_violation_on_any_page(pages, checked):
    failures = {}
    assert [p for p in pages if "ace" in checked[p]] == pages
    for path, found in checked.items():
        if found["ace"]:
            failures[_short(path)] = "\n".join(
                f"    {v['rule']}: {v['message']} at {v['path']}" for v in found["ace"][:6])
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_ibm_engine_does_find_a_violation(tab):
    """The engine is live: a page with an unlabelled image and no language fails it."""
    tab.set_content("<html><head><title>x</title></head><body><main>"
                    "<img src='data:,'></main></body></html>")
    rules = {v["rule"] for v in ace_violations(tab)}
    assert {"img_alt_valid", "html_lang_exists"} <= rules, rules


REFLOW = """() => {
    const root = document.documentElement;
    const cut = [];
    for (const el of document.querySelectorAll("main *")) {
        const style = getComputedStyle(el);
        if (style.overflowX === "hidden" || style.overflowX === "clip") {
            if (el.scrollWidth > el.clientWidth + 1 && !el.closest(".sr-only"))
                cut.push(el.className || el.tagName);
        }
    }
    const unnamed = [];
    for (const table of document.querySelectorAll("table")) {
        let box = table.parentElement;
        while (box && getComputedStyle(box).overflowX === "visible") box = box.parentElement;
        const scrolls = box && box !== document.body && box !== root
            && box.scrollWidth > box.clientWidth + 1;
        const named = box && box.getAttribute("role") === "region"
            && box.getAttribute("tabindex") === "0"
            && (box.getAttribute("aria-label") || "").trim();
        if (scrolls && !named)
            unnamed.push(table.className || "table");
    }
    const cover = document.querySelector(".cover, .summary-cover");
    return {page: root.scrollWidth <= window.innerWidth, cut, unnamed,
            cover: cover ? cover.scrollWidth <= cover.clientWidth : true};
}"""


def test_every_page_reflows_at_320_pixels(checked):
    """WCAG 1.4.10: at 320 CSS pixels the page does not scroll sideways, the cover (and
    nothing else) is cut off, and a table wider than the window scrolls in a named,
    focusable region (so a keyboard user can scroll it too)."""
    failures = {}
    for path, page in checked.items():
        found = page["reflow"]
        if not (found["page"] and found["cover"]) or found["cut"] or found["unnamed"]:
            failures[_short(path)] = found
    assert failures == {}, failures


def test_contents_links_are_at_least_24_pixels_square(checked):
    """WCAG 2.5.8: each link of a contents list is a target of 24 by 24 CSS pixels."""
    small, listed = {}, 0
    for path, page in checked.items():
        boxes = page["contents links"]
        listed += len(boxes)
        tiny = [b for b in boxes if b[1] < 24 or b[2] < 24]
        if tiny:
            small[_short(path)] = tiny[:3]
    assert listed > 20
    assert small == {}, small


AFTER_TAB = """() => {
    const a = document.activeElement;
    const href = a && a.getAttribute("href") || "";
    const target = href.startsWith("#") && document.getElementById(href.slice(1));
    const r = a.getBoundingClientRect();
    const first = {tag: a.tagName, href, text: a.textContent.trim(),
                   into: !!target && !!target.closest("main"),
                   shown: r.width >= 24 && r.height >= 24};
    a.blur();
    const links = Array.from(document.querySelectorAll("nav.contents a"))
        .filter(e => e.offsetParent).map(e => {
            const box = e.getBoundingClientRect();
            return [e.textContent, box.width, box.height]; });
    return {"first tab": first, "contents links": links};
}"""
"""After the first Tab: where it landed (a skip link into ``<main>``, 24 pixels square,
WCAG 2.4.1), then, focus let go (as a freshly opened page has none), each shown link of a
contents list with its width and height (WCAG 2.5.8): one round trip to the browser."""


def test_each_page_starts_with_a_skip_link_into_main(checked):
    """WCAG 2.4.1: the first Tab lands on a link that skips to the page's main content."""
    failures = {}
    for path, page in checked.items():
        found = page["first tab"]
        if not (found["tag"] == "A" and found["into"] and found["shown"]
                and found["text"].lower().startswith("skip")):
            failures[_short(path)] = found
    assert failures == {}, failures


def check_page(tab, path: Path) -> dict:
    """Every check of this file on the page at ``path``, opened once in ``tab``: at 320
    pixels the reflow; then at 1280 the first Tab (focus then let go, as a freshly opened
    page has none), the contents' links, axe-core and IBM's engine (run last: they only
    read the page; the tab's init scripts put them in every page, :func:`tab`)."""
    page = _open(tab, path, width=320)
    found = {"reflow": page.evaluate(REFLOW)}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Tab")
    found.update(page.evaluate(AFTER_TAB))
    found["axe"] = _axe(page, injected=True)
    found["ace"] = ace_violations(page, injected=True)
    return found


@pytest.fixture(scope="module")
def checked(pages, tab) -> dict[Path, dict]:
    """Each page's findings under every check (:func:`check_page`): each page is opened
    once, and each test asserts its check on every page."""
    return {path: check_page(tab, path) for path in pages}


FAULTY_PAGE = """<!doctype html><html><head><title>Faults</title></head><body>
<button>Menu</button>
<nav class="contents" aria-label="Contents"><a href="#s" style="font-size:8px;line-height:8px">
s</a></nav>
<main id="s"><img src="data:,">
<div class="cut" style="overflow-x: hidden; width: 100px">
<span style="display: inline-block; width: 500px">too wide to be seen</span></div>
<div style="overflow-x: auto"><table class="wide"><tr><td style="min-width: 900px">x</td></tr>
</table></div>
<div style="width: 800px">wider than a phone</div></main></body></html>"""


def test_each_check_fails_a_page_with_its_fault(tab, tmp_path):
    """Every check of :func:`check_page` bites: a page that starts with a button (no skip
    link), has an 8-pixel contents link, an image with no text alternative, no language,
    a box that cuts its content off, a wide table scrolling in an unnamed box and a block
    wider than 320 pixels fails each of them."""
    path = tmp_path / "faulty.html"
    path.write_text(FAULTY_PAGE, encoding="utf-8")
    found = check_page(tab, path)
    assert found["reflow"]["page"] is False
    assert found["reflow"]["cut"] == ["cut"] and found["reflow"]["unnamed"] == ["wide"]
    assert found["first tab"]["tag"] == "BUTTON"
    assert [box[1:] for box in found["contents links"]] != [] \
        and all(box[2] < 24 for box in found["contents links"])
    assert {"image-alt", "html-has-lang"} <= {v["id"] for v in found["axe"]["violations"]}
    assert {"img_alt_valid", "html_lang_exists"} <= {v["rule"] for v in found["ace"]}
