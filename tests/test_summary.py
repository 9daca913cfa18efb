"""The board summary: its fragments on tiny frames (escaped), its place among the notebook's
documents, and (slow) the demo's summary.html/.pdf against the appendix beside it."""

from __future__ import annotations

import html as html_lib
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.assess.changes import compare_like_for_like
from pipeline.report import document, rendering, summary
from pipeline.report.section_frames import FirstAgreementReward
from pipeline.report.summary import key_messages, render_key_messages

HOSTILE = "<script>alert('x')</script> & co"


def _risks() -> pd.DataFrame:
    return pd.DataFrame([
        {"indicator_id": "7.21", "title": "Theft From Person " + HOSTILE, "theme_name": "Safer",
         "lead_org": "Police <b>& partners</b>", "unit": "count", "value": 690.0,
         "value_period": "2006-07 Q4", "target_value": 472.0, "off_target_pct": 46.19,
         "off_trajectory_pct": 46.19, "computed_rag": "R", "final_rag": "R"},
        {"indicator_id": "2.1", "title": "Diversion from landfill", "theme_name": "Cleaner",
         "lead_org": "", "unit": "percent", "value": 39.36, "value_period": "2006-07 Q4",
         "target_value": 40.0, "off_target_pct": -1.0, "off_trajectory_pct": -1.0,
         "computed_rag": "A", "final_rag": "A"}])


def test_risk_lines_one_line_each_with_figures_and_escaped_partner_text():
    html = summary.render_risk_lines({"Red reward target risks": _risks().iloc[:1],
                                      "Amber reward target risks": _risks().iloc[1:],
                                      "Red outcome risks: non-reward targets": _risks()[:0]})
    assert "<script>" not in html and "<b>" not in html
    assert "Theft From Person &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "lead: Police &lt;b&gt;&amp; partners&lt;/b&gt;" in html
    assert html.count("<li>") == 2
    assert "690 against target 472, 46.2% off trajectory" in html
    assert "39.36% against target 40%, on trajectory" in html
    assert "<h3>Red reward target risks (1)</h3>" in html
    assert "<h3>Red outcome risks: non-reward targets (0)</h3>" in html
    assert '<p class="empty">None.</p>' in html


def _reward() -> pd.DataFrame:
    return pd.DataFrame([
        {"theme": "Safer <i>Communities</i>", "row_type": "target", "rag": "Red",
         "indicator": "7.21 - Theft", "grant_gbp": 100.0, "at_risk_gbp": 100.0},
        {"theme": "Safer <i>Communities</i>", "row_type": "target", "rag": "Green",
         "indicator": "7.22 - Robbery", "grant_gbp": 50.5, "at_risk_gbp": 0.0},
        {"theme": "Safer <i>Communities</i>", "row_type": "theme total", "rag": "",
         "indicator": "TOTAL", "grant_gbp": 150.5, "at_risk_gbp": 100.0},
        {"theme": "", "row_type": "overall total", "rag": "", "indicator": "Overall Total",
         "grant_gbp": 150.5, "at_risk_gbp": 100.0}])


def test_grant_totals_per_theme_and_overall_escaped():
    html = summary.render_grant_totals(_reward())
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">(.*?)</th>(.*?)</tr>", html)
    assert [theme for theme, _ in rows] == ["Safer &lt;i&gt;Communities&lt;/i&gt;", "Total"]
    cells = [re.findall(r'<td class="num">([^<]*)</td>', rest) for _, rest in rows]
    assert cells == [["2", "1", "£150.50", "£100.00"], ["2", "1", "£150.50", "£100.00"]]
    assert '<tr class="overall">' in html
    assert "No reward targets" in summary.render_grant_totals(_reward()[:0])


def _movements() -> pd.DataFrame:
    row = {"title": "Burglary " + HOSTILE, "theme_name": "Safer", "unit": "count",
           "was_value_period": "2006-07 Q2", "value_period": "2006-07 Q4",
           "was_commentary": "", "commentary": ""}
    return pd.DataFrame([
        {**row, "indicator_id": "7.20", "was": "Amber", "now": "Red", "was_code": "A",
         "now_code": "R", "movement": "worsened", "was_value": 1540.0, "value": 3202.0},
        {**row, "indicator_id": "7.18", "was": "Red", "now": "Amber", "was_code": "R",
         "now_code": "A", "movement": "improved", "was_value": 604.0, "value": 1151.0},
        {**row, "indicator_id": "3.2", "was": "Not available for reporting", "now": "Red",
         "was_code": "N", "now_code": "R", "movement": "now rated", "was_value": None,
         "value": 1.0}])


def test_changes_counts_and_movers_in_a_line_each():
    counts = {"improved": 1, "worsened": 1, "now rated": 1, "no longer rated": 0,
              "changed": 0}
    html = summary.render_changes(_movements(), counts, "2006-07 Q2")
    assert "<script>" not in html and "Burglary &lt;script&gt;" in html
    assert ("Since 2006-07 Q2: <strong>1 worsened</strong>, <strong>1 improved</strong>, "
            "1 rated that could not be rated then, and 0 no longer rated.") in html
    assert html.index("<h3>Worsened (1)</h3>") < html.index("<h3>Improved (1)</h3>")
    assert html.count("<li>") == 2 and "3.2" not in html        # only worsened and improved
    assert "1,540 then, 3,202 now" in html and "604 then, 1,151 now" in html
    assert "No previous review" in summary.render_changes(_movements()[:0], counts, None)


def test_changes_compare_year_to_date_counts_like_with_like():
    # 7.18: 604 by Q2 (half the year) is 1,208 a year, against 1,151 for the whole year
    moved = _movements().iloc[[1]].assign(accumulation="cumulative")
    moved = pd.concat([moved, pd.DataFrame([compare_like_for_like(moved.iloc[0])],
                                           index=moved.index)], axis=1)
    counts = {"improved": 1, "worsened": 0, "now rated": 0, "no longer rated": 0,
              "changed": 0, "not compared": 0}
    html = summary.render_changes(moved, counts, "2006-07 Q2")
    assert "604 then, 1,151 now" not in html
    assert ("1,208 a year then, 1,151 a year now (year-to-date counts put on a whole-year "
            "basis: 604 by Q2, when 50% of the year&#39;s movement is expected)") in html


def test_summary_cover_carries_the_cover_facts_and_links_the_appendix_formats():
    html = summary.render_summary_cover("Leicester <Together>", "LAA & co", "2007-09-03",
                                        "2006-07 Q4", "2007-05-14 17:05",
                                        "2007-06-30T12:00:00", previous_period="",
                                        scope="Themes shown: Safer.",
                                        appendix_formats=("html",))
    assert "Leicester &lt;Together&gt;" in html and "LAA &amp; co" in html
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>(.*?)</dd>", html))
    assert facts["Board meeting"].startswith("3 September 2007")
    assert facts["Period assessed"] == "2006-07 Q4" and facts["Previous review"] == "none"
    assert facts["Data as of"] == "14 May 2007 at 17:05"
    assert facts["Prepared"] == "30 June 2007 at 12:00 UTC"
    assert "Themes shown: Safer." in html
    assert re.findall(r'href="([^"]+)"', html) == ["appendix.html"]


def test_summary_spec_names_the_summary_beside_the_appendix():
    settings = SimpleNamespace(meeting="2007-09-03", period="2006-07 Q4",
                               generated_at="2007-06-30T12:00:00")
    app = SimpleNamespace(partnership={"name": "P", "agreement": "LAA"}, settings=settings,
                          theme_filter=("Safer",), filtered=True, data_as_of="2007-05-14")
    spec = document.document_spec(app, "html", summary=True)
    assert (spec["document"], spec["path"], spec["formats"]) == ("summary", "summary", ["html"])
    assert spec["title"] == "Board summary (Safer), 2006-07 Q4, Board meeting 3 September 2007"
    assert spec["running_header"] == "P · Board summary 2006-07 Q4 (Safer) · Board 3 September 2007"
    assert document.document_spec(app, "html")["path"] == "appendix"


def _cell(html: str, tags: list[str], laa: dict | None = None):
    cell = new_code_cell("display(HTML(...))", metadata={"tags": tags})
    cell.outputs = [new_output("display_data", data={"text/html": html},
                               metadata={"laa": laa} if laa else {})]
    return cell


def _spec(name: str, path: str) -> dict:
    return {"document": name, "path": path, "title": name, "running_header": "h",
            "footer": "f", "created": "2007-06-30T12:00:00Z", "author": "P",
            "formats": ["html"]}


def test_cells_tagged_summary_form_the_summary_and_leave_the_appendix(tmp_path):
    notebook = new_notebook(cells=[
        _cell("<p>Appendix cover</p>", [], _spec("appendix", "appendix")),
        _cell("<p>Appendix body</p>", ["landscape"]),
        _cell("<p>Summary cover</p>", ["summary"], _spec("summary", "summary")),
        new_markdown_cell("## 1. Summary section", metadata={"tags": ["summary"]}),
        _cell("<p>Summary body</p>", ["summary", "new-page"]),
        _cell("<p>Pack</p>", ["district-pack"], _spec("district-pack", "districts/m/pack")),
    ])
    found = rendering.documents(notebook)
    assert [(d.name, d.path, d.tag, d.district_pack) for d in found] == [
        ("appendix", "appendix", "", False), ("summary", "summary", "summary", False),
        ("district-pack", "districts/m/pack", "district-pack", True)]
    written = rendering.render_notebook(notebook, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "appendix.html", "summary.html", "districts/m/pack.html"]
    appendix = (tmp_path / "appendix.html").read_text(encoding="utf-8")
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "Appendix body" in appendix and "Summary" not in appendix and "Pack" not in appendix
    assert "Summary cover" in page and "Summary body" in page and "1. Summary section" in page
    assert "Appendix" not in page and "Pack" not in page


# End-to-end: the demo's summary beside its appendix (built once per session).

def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def demo(appendix_demo):
    built = appendix_demo
    report = built["report"]
    return {**built, "appendix": (report / "appendix.html").read_text(encoding="utf-8"),
            "summary": (report / "summary.html").read_text(encoding="utf-8")}


@pytest.mark.slow
def test_demo_writes_summary_html_and_a_short_pdf(demo, pdf_text):
    report = demo["report"]
    assert (report / "summary.html").is_file() and (report / "summary.pdf").is_file()
    pages = pdf_text(report / "summary.pdf")   # extracted once a session
    assert 2 <= len(pages) <= 4
    text = " ".join(pages)
    assert "Board summary" in text and "Indicator Risk Summary" in text
    page = demo["summary"]
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert 'href="appendix.html"' in page and 'href="appendix.pdf"' in page
    assert "Lead's commentary" not in page        # commentary stays in the appendix


@pytest.mark.slow
def test_demo_summary_headline_and_risk_summary_equal_the_appendix(demo):
    def headline(page: str) -> str:
        return re.search(r'<section class="headline">(.*?)</section>', page, re.S).group(1)

    def totals(page: str) -> list[str]:
        row = re.search(r'<tr class="totals">(.*?)</tr>', page, re.S).group(1)
        return re.findall(r'<td class="num">([^<]*)</td>', row)

    assert headline(demo["summary"]) == headline(demo["appendix"])
    assert totals(demo["summary"]) == totals(demo["appendix"]) == [
        "63 (63.6%)", "23 (23.2%)", "13 (13.1%)", "29"]
    assert demo["summary"].count('class="chart rag-chart"') == 1


@pytest.mark.slow
def test_demo_summary_cover_facts_equal_the_appendix(demo):
    def facts(page: str) -> dict[str, str]:
        return {dt: _text(dd) for dt, dd in
                re.findall(r"<dt>([^<]+)</dt><dd[^>]*>(.*?)</dd>", page, re.S)}

    mine, theirs = facts(demo["summary"]), facts(demo["appendix"])
    for fact in ("Partnership", "Board meeting", "Period assessed", "Previous review",
                 "Prepared"):
        assert mine[fact] == theirs[fact], fact
    assert theirs["Data as of"].startswith(mine["Data as of"] + " ")


@pytest.mark.slow
def test_demo_summary_red_lines_equal_the_appendix_red_risks(demo):
    def appendix_risks(page: str, heading: str) -> list[tuple[str, ...]]:
        start = page.index(f"<h3>{heading}</h3>")
        section = page[start:page.index("</section>", start)]
        out = []
        for head, figures in re.findall(r"<h4>(.*?)</h4>\s*<p class=\"figures\">(.*?)</p>",
                                        section, re.S):
            badge = r'<span class="rag rag-\w">.*?</span></span>'
            ident, title = _text(re.sub(badge, "", head)).split(" - ", 1)
            value, target, off = re.search(r"value (.*?) at .*? against target (.*?) \((.*?)\)",
                                           _text(figures)).groups()
            out.append((ident, title, value, target, off))
        return out

    def summary_lines(page: str, heading: str) -> list[tuple[str, ...]]:
        start = page.index(f"<h3>{heading} (")
        section = page[start:page.index("</section>", start)]
        out = []
        for line in re.findall(r"<li>(.*?)</li>", section, re.S):
            ident = _text(re.search(r'<span class="id">(.*?)</span>', line).group(1))
            title = _text(re.search(r'<span class="id">.*?</span>(.*?):\s*<span class="figures">',
                                    line, re.S).group(1))
            value, target, off = re.search(
                r"^(.*?) against target (.*?), (.*)$",
                _text(re.search(r'<span class="figures">(.*?)</span>', line).group(1))).groups()
            out.append((ident, title, value, target, off))
        return out

    for heading in ("Red outcome risks: non-reward targets", "Red reward target risks",
                    "Amber reward target risks"):
        expected = appendix_risks(demo["appendix"], heading)
        assert expected, heading
        assert summary_lines(demo["summary"], heading) == expected, heading
    assert len(summary_lines(demo["summary"], "Red reward target risks")) == 8


@pytest.mark.slow
def test_demo_summary_grant_at_risk_and_changes(demo):
    page = demo["summary"]
    overall = re.search(r'<tr class="overall">(.*?)</tr>', page, re.S).group(1)
    # Issue 21.3: 12 reward targets, 32 sub-targets (17 with grant at risk), as the seeds
    # count them; the seed's Appendix 2 totals unchanged.
    assert re.findall(r'<td class="num">([^<]*)</td>', overall) == [
        "12", "32", "17", "£15,241,800.00", "£6,223,735.00"]
    assert ("12 reward targets (32 sub-targets): 7 of the 12 reward targets have a "
            "sub-target at risk.") in page
    # Issue 21.2: 4.2.4's condition (seed 002, 3.4) in the grant lines.
    assert re.search(r"4\.2\.4 - Smoke Free Adults \(Health\): condition not "
                     r"met: .*four week quitters.*Its grant of £635,075\.00 will not be paid",
                     page)
    assert "<strong>9 worsened</strong>, <strong>2 improved</strong>" in page
    assert "<h3>Worsened (9)</h3>" in page and "<h3>Improved (2)</h3>" in page


def test_demo_summary_names_each_theme_one_way(demo):
    """The grant table, the risk lines and the changes name a theme alike (issue 22.3):
    the register's short names, never its appendix names."""
    from bs4 import BeautifulSoup

    from pipeline.inputs.register import load_register

    themes = load_register(demo["data"] / "register").themes
    soup = BeautifulSoup(demo["summary"], "html.parser")
    grant = [th.get_text(strip=True) for th in soup.select("table.summary-grant tbody th")]
    assert grant[:-1] and set(grant[:-1]) <= set(themes["name"]) and grant[-1] == "Total"
    text = soup.get_text(" ")
    assert not [n for n in set(themes["appendix_name"]) - set(themes["name"]) if n in text]


# --- the key messages beside the headline (computed; none without the register's file) ---

def _first_agreement() -> FirstAgreementReward:
    """Two reward targets of £100,000 each, RT1 of two sub-targets: by hand, £150,000
    forecast payable at the end of 2008-09 and £50,000 at stake."""
    forecast = pd.DataFrame({
        "theme": ["Safer", "Safer", "Health", "", ""],
        "row_type": ["target", "target", "target", "theme total", "overall total"],
        "indicator_id": ["7.1", "7.2", "4.1", "", ""],
        "reward_target": ["RT1", "RT1", "RT2", "", ""],
        "final_year": ["2008-09", "2008-09", "2008-09", None, None]})
    per_target = pd.DataFrame({
        "theme": ["Safer", "Health", ""], "row_type": ["target", "target", "overall total"],
        "grant_gbp": [100_000.0, 100_000.0, 200_000.0],
        "forecast_gbp": [50_000.0, 100_000.0, 150_000.0],
        "at_risk_forecast_gbp": [50_000.0, 0.0, 50_000.0]})
    return FirstAgreementReward(forecast, per_target, {"agreement": "LAA 2006-09"})


def test_key_messages_count_government_offices_issues_and_the_first_agreements_reward():
    issues = pd.DataFrame({"indicator_id": ["7.1", "7.4", "2.1"] + [""] * 8,
                           "status": ["remaining"] * 3 + ["resolved"] * 8})
    assert key_messages(issues, None) == [
        "Government Office: 11 issues raised, 8 resolved, 3 remaining."]
    assert key_messages(issues.iloc[:2], None, filtered=True) == [
        "Government Office, on the indicators shown: 2 issues raised, 0 resolved, "
        "2 remaining."]
    assert key_messages(None, _first_agreement()) == [
        "Reward of the first agreement, LAA 2006-09: 2 reward targets (3 sub-targets), a "
        "maximum grant of £200,000.00; £150,000.00 forecast payable at the end of 2008-09 "
        "and £50,000.00 at stake."]
    assert key_messages(None, None) == [] and render_key_messages([]) == ""
    html = render_key_messages(key_messages(issues, _first_agreement()))
    assert [p.get_text(strip=True)[:18] for p in BeautifulSoup(html, "html.parser")
            .select("p.key-message")] == ["Government Office:", "Reward of the firs"]


def test_a_themed_summary_says_the_first_agreements_reward_covers_every_theme():
    # the first agreement's themes are not the second's: nothing to filter it by
    themed = key_messages(None, _first_agreement(), filtered=True)[0]
    assert themed.endswith("£50,000.00 at stake. It covers every reward target of the first "
                           "agreement, whatever the themes shown: the first agreement's "
                           "themes are not this agreement's.")
    assert "whatever the themes shown" not in key_messages(None, _first_agreement())[0]


@pytest.mark.slow
def test_demo_summary_gives_government_offices_issues_among_its_key_messages(demo,
                                                                              pdf_text):
    # go_issues.csv by hand: 11 rows, 8 resolved, 3 remaining (7.1, 7.4, 2.1); LAA1's
    # register names no first agreement, so no reward of one
    messages = [_text(m) for m in re.findall(r'<p class="key-message">(.*?)</p>',
                                             demo["summary"], re.S)]
    assert messages == ["Government Office: 11 issues raised, 8 resolved, 3 remaining."]
    assert "11 issues raised, 8 resolved, 3 remaining." in _text(demo["appendix"])  # its section
    pdf = " ".join(" ".join(pdf_text(demo["report"] / "summary.pdf")).split())
    assert "Government Office: 11 issues raised, 8 resolved, 3 remaining." in pdf
