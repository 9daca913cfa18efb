"""The page's own accessibility structure, without a browser: each table in a named,
focusable scrolling region, a skip link, one tbody per theme (the browser checks of both
demos' pages are in tests/test_accessibility.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from pipeline.report.pages import render, render_page, scroll_regions

TABLES = ("<h2>1. Risks</h2><table><caption>Risk &amp; rating</caption><tr><td>1</td></tr>"
          "</table><h3>Block 1</h3><table><tr><td>2</td></tr></table>"
          "<h3>Block 1</h3><table><tr><td>3</td></tr></table>")


def test_each_table_is_wrapped_in_a_uniquely_named_focusable_region():
    soup = BeautifulSoup(str(scroll_regions(TABLES)), "html.parser")
    regions = soup.select("div.table-scroll")
    assert [r["aria-label"] for r in regions] == ["Risk & rating", "Block 1", "Block 1 (2)"]
    assert all(r["role"] == "region" and r["tabindex"] == "0" for r in regions)
    assert [r.table.get_text() for r in regions] == ["Risk & rating1", "2", "3"]


def test_a_page_with_contents_skips_past_them_and_one_without_into_main():
    with_contents = render_page('<nav class="contents"><h2 class="contents-title">Contents'
                                "</h2><!-- laa:contents --></nav><h2>Risks</h2><p>x</p>",
                                "T", "H")
    soup = BeautifulSoup(with_contents, "html.parser")
    skip = soup.body.find("a")
    assert skip["class"] == ["skip-link"] and skip.get_text() == "Skip the contents"
    assert soup.select_one("main").find(id=skip["href"][1:]).get_text() == "1. Risks"
    plain = BeautifulSoup(render_page("<p>x</p>", "T", "H"), "html.parser")
    assert plain.body.find("a")["href"] == "#main" and plain.select_one("main#main")


def test_each_theme_of_a_table_is_its_own_row_group():
    rows = [{"theme": theme, "was": was, "cells": [1], "same": [True], "total": 1}
            for theme, was in (("Safer", "G"), ("Safer", "A"), ("Healthier", "R"))]
    soup = BeautifulSoup(render("transitions.html.j2", previous_period="Q2", rows=rows,
                                states=["G"], moved=0), "html.parser")
    groups = soup.select("tbody")
    assert [g.select_one("th[scope=rowgroup]").get_text() for g in groups] == [
        "Safer", "Healthier"]
    assert [len(g.select("tr")) for g in groups] == [3, 2]


class _Counted:
    """A compiled pattern that counts the characters its searches are given to read."""

    def __init__(self, pattern) -> None:
        self.pattern, self.read = pattern, 0

    def _count(self, text, pos=0, endpos=None):
        self.read += (len(text) if endpos is None else min(endpos, len(text))) - pos

    def finditer(self, text, *args):
        self._count(text, *args)
        return self.pattern.finditer(text, *args)

    def findall(self, text, *args):
        self._count(text, *args)
        return self.pattern.findall(text, *args)


def test_a_page_of_many_tables_is_read_once_for_their_names_and_its_contents(monkeypatch):
    """A 1 MB appendix has dozens of tables and sections: each table's name (the heading
    before it) and each section's cell (screen-only or not) is found in one pass over the
    page, not by reading the page again from its start for each one."""
    from pipeline.report import pages

    cell = '<div class="cell border-box-sizing text_cell rendered">'
    page = "".join(f"{cell}<h2>Section {i}</h2><table><tr><td>{i}</td></tr></table></div>"
                   for i in range(60))
    headings = _Counted(pages._HEADING)
    monkeypatch.setattr(pages, "_HEADING", headings)
    regions = BeautifulSoup(str(scroll_regions(page)), "html.parser").select("div.table-scroll")
    assert [r["aria-label"] for r in regions] == [f"Section {i}" for i in range(60)]
    assert headings.read <= len(page)
    cells = _Counted(pages._CELL)
    monkeypatch.setattr(pages, "_CELL", cells)
    listed = pages.add_contents(f"<nav>{pages.CONTENTS_MARK}</nav>{page}")
    assert listed.count("<li>") == 60 and 'class="screen-only"' not in listed
    assert cells.read <= len(listed)
