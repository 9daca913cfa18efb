"""The HTML page typeset for print (:mod:`pipeline.report.typeset`): partners' text stays
text, sections and landscape cells keep their pages, the page's head gives the metadata."""

from __future__ import annotations

import pytest

from pipeline.report.pdf import write_pdf
from pipeline.report.typeset import html_to_typst
from pipeline.report.typeset_inline import TypesetError, string, strip_space_ends

HOSTILE = 'Plan #import "x": #sys.exit() ] [ $x$ \\ *bold* <lbl> @ref = == // /*'


def _page(body: str, lang: str = "en-GB") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>T &amp; title</title>'
            '<meta name="author" content="LSP">'
            '<meta name="dcterms.created" content="2007-09-03T09:00:00+01:00">'
            '<meta name="laa:running-header" content="Running #head">'
            '<meta name="laa:footer" content="Foot"></head><body><main>'
            f"{body}</main></body></html>")


def _cell(inner: str, tags: str = "") -> str:
    return f'<div class="cell border-box-sizing text_cell rendered {tags}">{inner}</div>'


@pytest.mark.parametrize(("markup", "expected"), [
    ('#" "#"a"#" "', '#"a"'),            # a space written as text at both ends
    ('#" "', ""),
    ('#" "#" "', ""),
    ('#"a"#" "\n', '#"a"\n'),            # at the end, before a final newline
    ('#"a"#" "\n\n', '#"a"#" "\n\n'),    # not before two
    ('#"a"#" "#"b"', '#"a"#" "#"b"'),      # a space inside stays
    ("", ""),
])
def test_a_space_at_either_end_of_markup_is_dropped(markup, expected):
    assert strip_space_ends(markup) == expected


def test_string_literals_hold_any_text_exactly():
    assert string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_partner_text_is_printed_as_text_not_run_as_typst(tmp_path):
    import pdfplumber

    page = _page(_cell("<h1>Report</h1>") + _cell(
        f"<h2 id='s'>1. Risks</h2><p>{HOSTILE.replace('<', '&lt;')}</p>"
        f"<table><thead><tr><th>Commentary</th></tr></thead>"
        f"<tbody><tr><td>{HOSTILE.replace('<', '&lt;')}</td></tr></tbody></table>"))
    target = write_pdf(page, tmp_path / "p.pdf")
    with pdfplumber.open(target) as pdf:
        text = "".join((p.extract_text() or "") for p in pdf.pages)
    flat = text.replace("\n", " ")
    assert flat.count('Plan #import "x": #sys.exit() ] [ $x$ \\ *bold* <lbl> @ref') == 2


def test_landscape_cells_share_flipped_pages_and_sections_start_a_page():
    source = html_to_typst(_page(
        _cell("<h1>Report</h1>") + _cell("<h2 id='a'>1. Portrait</h2><p>one</p>")
        + _cell("<h2 id='b'>2. Wide</h2>", "celltag_landscape")
        + _cell("<p>wide text</p>", "celltag_landscape")
        + _cell("<h2 id='c'>3. Back</h2>")
        + _cell("<p>only on screen</p>", "celltag_screen-only")))
    assert source.count("#page(flipped: true") == 1
    wide = source[source.index("#page(flipped: true"):source.index('"3. Back"')]
    assert '"2. Wide"' in wide and '"wide text"' in wide
    assert not wide.split("[", 1)[1].startswith(("#pagebreak", "#section-break"))  # no empty page
    assert source.count("#section-break()\n#heading") == 2     # before sections 1 and 3
    assert "only on screen" not in source
    assert 'title: "T & title"' in source and 'author: ("LSP",)' in source
    assert "datetime(year: 2007, month: 9, day: 3, hour: 9" in source
    assert 'lang: "en"' in source and 'region: "GB"' in source


@pytest.mark.parametrize(("body", "said"), [
    ("<p><a href='#gone'>x</a></p>", "No anchor #gone"),
    ("<svg xmlns='http://www.w3.org/2000/svg' width='5' height='5'><rect/></svg>",
     "no required alt"),
    ("<img src='x.png'>", "<img>"),
])
def test_what_print_cannot_hold_faithfully_is_refused(body, said):
    with pytest.raises(TypesetError, match=said):
        html_to_typst(_page(_cell("<h1>R</h1>" + body)))


def test_a_page_without_a_language_is_refused():
    with pytest.raises(TypesetError, match='no required "lang"'):
        html_to_typst(_page(_cell("<h1>R</h1>"), lang=""))


def test_characters_print_cannot_hold_are_stripped_or_replaced_not_fatal(tmp_path):
    import pdfplumber

    from pipeline.report.pdf import can_print

    odd = "Great\ufeff work \U0001f44d \u4e2d\x01 done é"
    page = _page(_cell("<h1>Report</h1>") + _cell(f"<h2 id='s'>1. Notes</h2><p>{odd}</p>"))
    assert not can_print("\U0001f44d") and can_print("é")
    target = write_pdf(page, tmp_path / "odd.pdf")          # no error: printed
    with pdfplumber.open(target) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages)
    assert "Great work \ufffd \ufffd done é" in text
    source = html_to_typst(page, can_print)
    assert "\ufeff" not in source and "\x01" not in source and "\U0001f44d" not in source


def _block_row(computed: str, basis: str) -> str:
    badge = ('<span class="rag rag-{0}"><span class="rag-letter">{0}</span>'
             '<span class="sr-only"> {1}</span></span>')
    columns = ("indicator", "lead", "num", "num", "num", "off", "rag", "rag", "travel",
               "trend")
    return (
        '<section class="block"><table class="block-table"><colgroup>'
        + "".join(f'<col class="c-{c}">' for c in columns) + "</colgroup><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in ("Indicator", "Lead", "Baseline", "Target",
                                            "Latest", "Off track", "RAG computed",
                                            "RAG final", "Direction of travel", "Trend"))
        + "</tr></thead><tbody><tr><th>NI 73 Achievement at level 4 or above in both "
        "English and Maths at Key Stage 2</th><td>Leicestershire County Council</td>"
        '<td class="num">74%</td><td class="num">76%</td><td class="num">71.7%</td>'
        '<td class="num">3.8 points off</td>'
        f'<td>{badge.format("N", computed)}<br><span class="sub">vs {basis}</span></td>'
        f'<td>{badge.format("N", computed)}</td><td>improving vs 2008-09 Q2<br>'
        "not comparable</td><td>no value returned</td></tr></tbody></table></section>")


def test_a_rating_and_its_basis_print_on_two_lines_each_in_a_block_table(tmp_path):
    """Issue 22: "vs trajectory at 2008-09 Q3: 72.5%" wrapped over 4-5 lines and "Not
    available for reporting" over four in the block tables' narrow RAG columns. The columns
    are now as wide as a badge with the first half of its word, and the basis breaks once."""
    import pdfplumber

    page = _page(_cell("<h1>Report</h1>") + _cell(
        "<h2 id='b'>7. Indicators</h2>"
        + _block_row("Not available for reporting", "trajectory at 2008-09 Q3: 72.5%"),
        "celltag_landscape"))
    with pdfplumber.open(write_pdf(page, tmp_path / "b.pdf")) as pdf:
        words = pdf.pages[1].extract_words() if len(pdf.pages) > 1 else []
        words = words or pdf.pages[0].extract_words()

    left, right = sorted(w["x0"] for w in words if w["text"] == "RAG")   # the RAG columns

    def lines(*texts: str) -> list[int]:
        """The lines of the RAG computed column holding these words."""
        return sorted({round(w["top"]) for w in words
                       if w["text"] in texts and left - 1 < w["x0"] < right - 1})

    # in both RAG columns "N Not available" on one line and "for reporting" on the next
    assert sum(w["text"] == "available" for w in words) == 2
    assert lines("available") == sorted({round(w["top"]) for w in words
                                         if w["text"] == "available"})
    assert len(lines("Not", "available")) == 1 and len(lines("for", "reporting")) == 1
    assert 0 < lines("reporting")[0] - lines("available")[0] < 14
    # the basis: "vs trajectory at" then "2008-09 Q3: 72.5%": two lines, not four or five
    assert len(lines("vs", "trajectory", "at", "2008-09", "Q3:", "72.5%")) == 2


def test_a_long_section_title_is_cut_at_a_word_so_the_running_header_is_one_line(tmp_path):
    """Issue 22: the running header wrapped onto two lines beside a long section title."""
    import pdfplumber

    from tests.pdf_checks import furniture_text, page_elements
    from tests.pdf_page_checks import running_headers_on_two_lines

    left = "Leicestershire Together · Self-assessment 2006-07 Q4 · Board 3 September 2007"
    title = "3. Reward targets and performance reward grant at risk, by theme and block"
    page = _page(_cell("<h1>Report</h1>") + _cell(
        f"<h2 id='r'>{title}</h2>" + "<p>Text of the section.</p>" * 120)).replace(
        "Running #head", left)
    with pdfplumber.open(write_pdf(page, tmp_path / "h.pdf")) as pdf:
        assert len(pdf.pages) > 2
        assert running_headers_on_two_lines(pdf) == []
        headers = {furniture_text(p, page_elements(p)) for p in pdf.pages[1:]}
        lefts = {furniture_text(p, page_elements(p), right=False) for p in pdf.pages[1:]}
    assert len(headers) == 1
    shortened = headers.pop()
    assert shortened.endswith("…") and title.startswith(shortened[:-1])
    assert shortened[:-1] in {title[:i] for i, c in enumerate(title) if c == " "}  # a word
    assert lefts == {left}                      # the left part whole


def _turning_page(portrait_paragraphs: int) -> str:
    rows = "".join(f"<tr><td>Indicator {i}</td>" + "<td>1</td>" * 9 + "</tr>"
                   for i in range(12))
    return _page(
        _cell("<h1>Report</h1>")
        + _cell("<h2 id='a'>1. Portrait</h2>" + "<p>A short section of text.</p>"
                * portrait_paragraphs)
        + _cell("<h2 id='w'>2. Wide section</h2><p>Its preface: what the table shows.</p>",
                "celltag_landscape")
        + _cell("<table><thead><tr>" + "<th>Column</th>" * 10 + "</tr></thead>"
                f"<tbody>{rows}</tbody></table>", "celltag_landscape"))


@pytest.mark.parametrize(("paragraphs", "preface_on", "table_on"),
                         [(3, 1, 2), (60, 2, 3), (70, 3, 3), (45, 2, 2)])
def test_a_wide_sections_preface_stays_on_a_mostly_blank_portrait_page(
        tmp_path, paragraphs, preface_on, table_on):
    """Issue 22: a portrait page before a landscape section stayed mostly blank. The wide
    section's heading and preface now end that page when it ends in its top 35% (3 short
    paragraphs; 60, whose second page holds 13) and they fit; the table turns the page. A
    fuller portrait page (70: 23 paragraphs on the second; 45: a full first) leaves them
    with the table."""
    import pdfplumber

    with pdfplumber.open(write_pdf(_turning_page(paragraphs), tmp_path / "t.pdf")) as pdf:
        pages = [(p.width > p.height, p.extract_text() or "") for p in pdf.pages]
    assert [n for n, (_, text) in enumerate(pages, start=1)
            if "2. Wide section\nIts preface" in text] == [preface_on]
    assert [n for n, (_, text) in enumerate(pages, start=1)
            if "Indicator 0" in text] == [table_on]
    assert [wide for wide, _ in pages] == [False] * (table_on - 1) + [True]


def test_a_compact_badge_followed_by_its_word_prints_the_word_once(tmp_path):
    """The risk summary's headers read "G Green Green" and "N Not available for reporting
    Not available for reporting": the badge's word (for screen readers) and the text."""
    import pdfplumber

    badge = ('<span class="rag rag-{0}" title="{1}"><span class="rag-letter">{0}</span>'
             '<span class="sr-only"> {1}</span></span>')
    page = _page(_cell("<h1>Report</h1>") + _cell(
        "<table><thead><tr><th>Theme</th>"
        f'<th class="num">{badge.format("G", "Green")} Green</th>'
        f'<th class="num">{badge.format("N", "Not available for reporting")} Not available'
        " for reporting</th></tr></thead><tbody><tr><td>Safer</td><td class='num'>9</td>"
        f"<td class='num'>8</td></tr><tr><td>{badge.format('A', 'Amber')}</td><td>1</td>"
        "<td>2</td></tr></tbody></table>"))
    with pdfplumber.open(write_pdf(page, tmp_path / "w.pdf")) as pdf:
        words = [w["text"] for w in pdf.pages[0].extract_words()]
    assert words.count("Green") == 1 and words.count("reporting") == 1
    assert words.count("Amber") == 1             # a badge alone keeps its word


def test_an_automatic_tables_spare_width_goes_to_the_columns_whose_lines_are_longest():
    """Issue 22: long text in narrow columns beside wide short ones (the district values'
    indicator names over five lines, the Government Office commentary squeezed). Each
    column gets its longest word; what is left is shared by how much more each wants."""
    from pipeline.report.print_widths import auto_widths

    # 500pt: minimums 50 + 40; left 410 shared 50 : 960 -> 20.3 and 389.7
    assert auto_widths([50, 40], [100, 1000], 500) == "(70.3fr, 429.7fr)"
    assert auto_widths([50, 40], [100, 200], 500) == "(100.0fr, 200.0fr)"   # all fits
    assert auto_widths([300, 300], [400, 900], 500) == "(300.0fr, 300.0fr)"  # none spare


@pytest.mark.parametrize("odd", ["\ud800", "\udce9", "\x00", "\x00\ud800\x00"])
def test_a_nul_or_a_lone_surrogate_is_left_out_of_the_print_as_other_control_characters(odd):
    """lxml, which reads the page, reads NUL as U+FFFD and refuses a lone surrogate (not
    UTF-8): both are left out, as the standard library's parser and the print's own
    filter of control characters left them out before."""
    source = html_to_typst(_page(_cell(f"<h1>Report</h1><p>Before{odd}after &amp; more</p>")))
    assert '#par[#"Beforeafter & more"]' in source
    assert odd not in source and "\ufffd" not in source
