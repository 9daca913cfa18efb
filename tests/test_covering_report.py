"""Issue 24, items 3 and 4: the officer's covering report and the board summary as DOCX.

The DOCX opens with python-docx, its figures equal the published appendix's and summary's
(headline sentence, Indicator Risk Summary cell for cell, risk lines, grant at risk), a
rerun keeps the officer's words (and the bytes), headings are Word heading styles, tables
have a repeating header row, title and language are set; ``laa report`` refuses (exit 2,
nothing written) without a published run for the period, or when its derived data have
changed since.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn

from pipeline.config import find_project_root, load_settings
from pipeline.errors import ConfigError
from pipeline.inputs.covering_words import (
    CoveringWords,
    parse_covering_words,
    read_covering_words,
)
from pipeline.report.covering import PLACEHOLDERS, build_covering_report
from pipeline.report.frames import load_appendix
from pipeline.report.wordfile import WordFile
from pipeline.run.locking import run_lock
from tests.conftest import folders, laa, project_env
from tests.in_process import laa_here

ROOT = find_project_root()
STAMP = "2007-06-30T12:00:00"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEA"
                       "wS2OUAAAAABJRU5ErkJggg==")  # one pixel


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text(document: docx.document.Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _html_rows(table) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.select("tr")]


# --- the officer's words: read and checked (fast) ---

def _words_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "covering_report.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_words_file_means_nothing_written_yet(tmp_path):
    assert read_covering_words(tmp_path) == CoveringWords()


def test_words_are_read_and_trimmed(tmp_path):
    words = read_covering_words(_words_file(tmp_path, (
        'title = " Annual review "\npurpose = """\nFirst.\n\nSecond.\n"""\n'
        'recommendations = ["Notes the report", " "]\n'
        '[[contacts]]\nname = "A. Officer"\nemail = "a@example.org"\n')))
    assert words.title == "Annual review" and words.purpose == "First.\n\nSecond."
    assert words.recommendations == ("Notes the report",)
    assert words.contacts == ({"name": "A. Officer", "role": "", "phone": "",
                               "email": "a@example.org"},)


@pytest.mark.parametrize(("text", "message"), [
    ('purpose = "x"\nchair = "Someone"\n', "unknown key 'chair'.*key chair"),
    ("purpose = 3\n", "expected text.*key purpose"),
    ('recommendations = "Notes it"\n', "expected a list of text.*key recommendations"),
    ('recommendations = ["a", 2]\n', "key recommendations"),
    ('[[contacts]]\nrole = "Officer"\n', "a contact needs a name.*key contacts\\[1\\]\\.name"),
    ('[[contacts]]\nname = "A"\nmobile = "1"\n', "unknown key 'mobile'.*contacts\\[1\\]\\.mobile"),
    ('[[contacts]]\nname = "A"\nphone = 116\n', "expected text.*contacts\\[1\\]\\.phone"),
    ('contacts = "A. Officer"\n', "key contacts"),
    ("purpose = \n", "not valid TOML"),
])
def test_bad_words_are_refused_naming_file_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as caught:
        read_covering_words(_words_file(tmp_path, text))
    assert caught.value.exit_code == 2 and "covering_report.toml" in str(caught.value)


def test_parse_does_not_change_its_input():
    given = {"recommendations": [" a "], "contacts": [{"name": " A "}]}
    parse_covering_words(given, "x.toml")
    assert given == {"recommendations": [" a "], "contacts": [{"name": " A "}]}


# --- the Word file: properties, language, headings, header rows, same bytes (fast) ---

def _small(stamp: str = STAMP) -> WordFile:
    doc = WordFile(title="T", subject="S", author="A", generated_at=stamp)
    doc.heading("Section", 1)
    doc.paragraph("text with a control character \x01 and a line\nbreak")
    doc.table([["Theme", "Green"], ["Health", "7"]], "caption")
    doc.picture(PNG, "Two bars: \x02Health 7 green", "a chart")
    return doc


def test_properties_language_and_dates_come_from_the_stamp():
    document = docx.Document(__import__("io").BytesIO(_small().to_bytes()))
    props = document.core_properties
    assert (props.title, props.subject, props.author, props.language) == ("T", "S", "A",
                                                                          "en-GB")
    assert props.created.isoformat().startswith("2007-06-30T12:00:00")
    assert props.modified == props.created and props.revision == 1
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"
    assert "control character  and" in _text(document)


def test_same_content_and_stamp_give_the_same_bytes_at_any_time():
    first = _small().to_bytes()
    time.sleep(2.1)  # zip entries are dated to 2 seconds: a clock date would now differ
    assert _small().to_bytes() == first
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2007, 6, 30, 12, 0, 0)}
    assert _small("2007-06-30T13:00:00+01:00").to_bytes() == first  # the same instant


def test_pictures_carry_their_alternative_text():
    document = docx.Document(__import__("io").BytesIO(_small().to_bytes()))
    assert [p._inline.docPr.get("descr") for p in document.inline_shapes] == [
        "Two bars: Health 7 green"]


def test_tables_have_a_repeating_bold_header_row(tmp_path):
    document = docx.Document(_small().save(tmp_path / "x.docx"))
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None and header.get(qn("w:val")) == "true"
    assert table.rows[1]._tr.trPr is None
    assert all(run.bold for cell in table.rows[0].cells for p in cell.paragraphs
               for run in p.runs)
    assert [p.style.name for p in document.paragraphs if p.text == "Section"] == ["Heading 1"]
    assert list(tmp_path.iterdir()) == [tmp_path / "x.docx"]  # no temporary left behind


# --- the demo, run and published, then `laa report` (slow) ---

@pytest.fixture(scope="module")
def published(laa1_run):
    """The LAA1 demo run, then ``laa report`` (once per session, in conftest): read only."""
    folder = laa1_run["report"]
    return {"clean": laa1_run["clean"], "reports": laa1_run["reports"],
            "args": laa1_run["args"],
            "run_args": laa1_run["run_args"], "folder": folder,
            "stdout": laa1_run["report_stdout"],
            "covering": docx.Document(folder / "covering-report.docx"),
            "summary": docx.Document(folder / "summary.docx"),
            "appendix": BeautifulSoup((folder / "appendix.html").read_text(encoding="utf-8"),
                                      "html.parser"),
            "summary_html": BeautifulSoup((folder / "summary.html").read_text(
                encoding="utf-8"), "html.parser")}


@pytest.mark.slow
def test_both_documents_are_written_and_open(published):
    assert "covering-report.docx" in published["stdout"] and "summary.docx" in published["stdout"]
    for name in ("covering", "summary"):
        assert published[name].paragraphs and published[name].tables


@pytest.mark.slow
@pytest.mark.parametrize("name", ["covering", "summary"])
def test_figures_equal_the_appendix(published, name):
    document, appendix = published[name], published["appendix"]
    sentence = appendix.select_one("p.sentence").get_text()
    assert "63.6% of the indicators" in sentence and sentence in _text(document)
    expected = _html_rows(appendix.select_one("table.risk-summary"))
    shown = _rows(document.tables[0])
    assert shown[1:] == expected[1:]  # every theme's row and the Totals, cell for cell
    assert [h.split(" ")[-1] for h in expected[0]] == [h.split(" ")[-1] for h in shown[0]]
    grant = _html_rows(published["summary_html"].select_one("table.summary-grant"))
    assert grant[-1][-1] == "£6,223,735.00" and shown[-1][1] == "63 (63.6%)"
    assert [[r[0], r[-2], r[-1]] for r in grant[1:]] == _rows(document.tables[1])[1:]


@pytest.mark.slow
def test_risk_lines_equal_the_summary(published):
    text = _text(published["covering"])
    lines = [li.get_text(" ", strip=True)
             for section in published["summary_html"].select("section.summary-list")[:3]
             for li in section.select("li")]
    assert len(lines) == 5 + 8 + 9
    for line in lines:  # "R Red 7.20 Domestic Burglary: 3,202 against target 2,470, ... · lead"
        figures = line.split(" ", 2)[2].split(" · lead")[0]
        assert figures in text, figures


@pytest.mark.slow
@pytest.mark.parametrize("name", ["covering", "summary"])
def test_the_chart_is_the_appendix_chart_with_its_words_as_alternative_text(published, name):
    svg_title = published["appendix"].select_one("#rag-by-theme-title").get_text()
    pictures = published[name].inline_shapes
    assert len(pictures) == 1
    assert pictures[0]._inline.docPr.get("descr") == svg_title
    assert svg_title.startswith("Final RAG ratings by theme") and "Safer 9 green" in svg_title


@pytest.mark.slow
def test_officer_words_from_the_register(published):
    words = read_covering_words(ROOT / "data" / "raw" / "register")
    paragraphs = [p.text for p in published["covering"].paragraphs]
    assert words.purpose.split("\n\n")[0] in paragraphs
    assert words.title in paragraphs and "It is recommended that the Board:" in paragraphs
    numbered = [p.text for p in published["covering"].paragraphs
                if p.style.name == "List Number"]
    assert numbered == list(words.recommendations)
    assert words.contacts[0]["name"] in _text(published["covering"])
    assert not any(text.startswith("[") for text in paragraphs)  # no placeholder left


@pytest.mark.slow
def test_headings_title_and_language(published):
    document = published["covering"]
    styles = {p.text: p.style.name for p in document.paragraphs}
    for heading in ("Purpose of Report", "Background", "Recommendations",
                    "Officers to Contact"):
        assert styles[heading] == "Heading 1"
    assert styles["Indicator Risk Summary"] == "Heading 2"
    assert styles["Leicestershire Together Board"] == "Title"
    props = document.core_properties
    assert props.language == "en-GB" and props.author == "Leicestershire Together"
    assert props.title.startswith("Leicestershire Together: Local Area Agreement 2006-09")
    assert props.created.isoformat().startswith("2007-06-30T12:00:00")
    for table in document.tables + published["summary"].tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.style.name == "Table Grid"


@pytest.mark.slow
def test_a_rerun_keeps_the_words_and_the_bytes(published, laa1_run, laa1_project, tmp_path):
    """In a copy of the project run plainly (``laa1_project``): ``laa report``. The shared
    run (``laa1_run``, conftest) is another copy of that project run again with the pack
    (its four first stages reused), then ``laa report``: the same bytes."""
    project, env = project_env(laa1_project, tmp_path / "project")
    folder = project / "reports" / "2007-09-03"
    first = laa_here("report", *published["args"], env=env)
    assert first.returncode == 0, first.stderr
    before = {name: _sha(folder / name) for name in ("covering-report.docx", "summary.docx")}
    rerun = laa1_run["stdout"]   # the run with the pack, on the plain run's copy
    assert published["run_args"] == ["--district", "Melton"] and laa1_run["stamp"] == STAMP
    assert "[1/6] ingest unchanged: reused" in rerun and "[5/6] appendix done in" in rerun
    assert "up to date" not in rerun and (published["folder"] / "districts" / "melton").is_dir()
    assert {name: _sha(published["folder"] / name) for name in before} == before


@pytest.mark.slow
def test_words_not_written_show_placeholders(published):
    settings = load_settings(clean_dir=published["clean"], reports_dir=published["reports"],
                             generated_at=STAMP)
    document = build_covering_report(load_appendix(settings), CoveringWords(), STAMP).document
    paragraphs = [p.text for p in document.paragraphs]
    for key in ("title", "purpose", "background", "recommendations", "contacts"):
        assert PLACEHOLDERS[key] in paragraphs


def _copy(published, tmp_path: Path, keep_documents: bool = False) -> Path:
    """The shared run's folders copied into ``tmp_path`` (its documents removed, unless
    ``keep_documents``), for a test that changes them."""
    for name in ("clean", "reports"):
        shutil.copytree(published[name], tmp_path / name)
    for name in ("covering-report.docx", "summary.docx"):
        if not keep_documents:
            (tmp_path / "reports" / "2007-09-03" / name).unlink()
    return tmp_path


@pytest.mark.slow
def test_the_key_messages_follow_the_headline_as_in_the_summary(published):
    # go_issues.csv by hand: 11 issues, 8 resolved, 3 remaining
    for name in ("covering", "summary"):
        paragraphs = [p.text for p in published[name].paragraphs]
        at = paragraphs.index("Government Office: 11 issues raised, 8 resolved, 3 remaining.")
        assert paragraphs[at - 2] == "Headline figures"     # right after the headline
    html = [p.get_text(" ", strip=True) for p in published["summary_html"].select(
        "p.key-message")]
    assert html == ["Government Office: 11 issues raised, 8 resolved, 3 remaining."]


@pytest.mark.slow
def test_refused_without_a_published_run(tmp_path):
    proc = laa_here("report", *folders(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert "no appendix published for meeting 2007-09-03" in proc.stderr
    assert "laa run --period '2006-07 Q4' --meeting 2007-09-03" in proc.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.docx"))


@pytest.mark.slow
def test_refused_for_another_period(published, tmp_path):
    out = _copy(published, tmp_path)
    proc = laa_here("report", *folders(out), "--period", "2006-07 Q2", "--meeting", "2007-09-03")
    assert proc.returncode == 2, proc.stderr
    assert "is for 2006-07 Q4, not 2006-07 Q2" in proc.stderr
    assert not any((out / "reports").rglob("*.docx"))


@pytest.mark.slow
def test_refused_when_the_derived_data_changed(published, tmp_path):
    out = _copy(published, tmp_path)
    headline = out / "clean" / "headline.json"
    headline.write_text(headline.read_text(encoding="utf-8").replace("63.6%", "64.6%"),
                        encoding="utf-8")
    proc = laa_here("report", *folders(out))
    assert proc.returncode == 2, proc.stderr
    assert "clean/headline.json" in proc.stderr and "no longer those" in proc.stderr
    assert not any((out / "reports").rglob("*.docx"))


DEMO_RUN = ("--period", "2006-07 Q4", "--meeting", "2007-09-03")   # a copy is not the demo


def _data_copy(tmp_path: Path) -> Path:
    """The data folder the published run read, copied byte for byte."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw", data, ignore=shutil.ignore_patterns("laa2"))
    return data


@pytest.mark.slow
def test_refused_when_the_auditors_findings_changed_since_the_run(published, tmp_path):
    """Findings written after the run would show in the DOCX and not in the appendix and
    summary it covers: refused, saying to rerun (docs/officer.md)."""
    out, data = _copy(published, tmp_path), _data_copy(tmp_path)
    (data / "register" / "audit_findings.csv").write_text(
        "indicator,period,finding,note\n7.20,2006-07 Q4,qualified,Counted twice\n",
        encoding="utf-8")
    proc = laa_here("report", *folders(out), "--data-dir", str(data), *DEMO_RUN)
    assert proc.returncode == 2, proc.stderr
    assert ("the auditor's findings have changed since the appendix for meeting 2007-09-03 "
            "was published (register/audit_findings.csv (new))") in proc.stderr
    assert "rerun `laa run --period '2006-07 Q4' --meeting 2007-09-03`" in proc.stderr
    assert not any((out / "reports").rglob("*.docx"))


@pytest.mark.slow
def test_refused_when_the_register_changed_but_not_for_the_officers_words(published,
                                                                          tmp_path):
    out, data = _copy(published, tmp_path), _data_copy(tmp_path)
    (data / "register" / "covering_report.toml").write_text('title = "Words written now"\n',
                                                            encoding="utf-8")
    words = laa_here("report", *folders(out), "--data-dir", str(data), *DEMO_RUN)
    assert words.returncode == 0, words.stderr     # the officer's words are read after a run
    issues = data / "register" / "go_issues.csv"
    issues.write_text("\n".join(issues.read_text(encoding="utf-8").splitlines()[:-1]) + "\n",
                      encoding="utf-8")
    proc = laa_here("report", *folders(out), "--data-dir", str(data), *DEMO_RUN)
    assert proc.returncode == 2, proc.stderr
    assert "the register has changed since the appendix for meeting 2007-09-03 was " \
           "published (register/go_issues.csv)" in proc.stderr


@pytest.mark.slow
def test_libreoffice_converts_it_to_a_pdf_with_the_figures(published, tmp_path):
    """LibreOffice (Debian's libreoffice-writer, installed by .ci/run) opens the DOCX."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed: .ci/run installs libreoffice-writer"
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(published["folder"] / "covering-report.docx")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in
                    PdfReader(tmp_path / "covering-report.pdf").pages)
    text = " ".join(text.split())
    for expected in ("Purpose of Report", "Indicator Risk Summary", "63 (63.6%)",
                     "£6,223,735.00", "Officers to Contact"):
        assert expected in text, expected


@pytest.mark.slow
def test_refused_while_a_run_holds_the_meeting(published, tmp_path):
    out = _copy(published, tmp_path)
    with run_lock(out / "reports", out / "clean", "2007-09-03"):
        proc = laa("report", *folders(out))
    assert proc.returncode == 7, proc.stderr
    assert "another laa run is using the meeting 2007-09-03" in proc.stderr
    assert not any((out / "reports").rglob("*.docx"))


def test_the_documents_give_dates_in_the_boards_words(published):
    """No ISO stamp in a board document (issue 22.3): the DOCX say dates as the appendix."""
    import re

    for name in ("covering", "summary"):
        text = "\n".join(p.text for p in published[name].paragraphs)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), name
        assert "prepared 30 June 2007 at 12:00 UTC" in text, name
