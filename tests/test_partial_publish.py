"""Issue 20, item 3: a run that makes fewer formats, or a themed appendix, never removes or
replaces what it did not make; a themed appendix is published under its own names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pipeline.names import themed_name
from pipeline.run.publish import keep_unbuilt
from tests.conftest import hashes, project_env
from tests.in_process import laa_here

MEETING = "2007-09-03"
STAMP = "2007-06-30T12:00:00"
THEMED = "health-safer"   # safer,health: the keys in the register's order


def _files(folder: Path, names: list[str]) -> Path:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{folder.name}: {name}", encoding="utf-8")
    return folder


def test_themed_names_follow_the_keys_given():
    assert themed_name("appendix", ()) == "appendix"
    assert themed_name("appendix", ("health", "safer")) == "appendix-health-safer"
    assert themed_name("districts/melton/district-pack", ("cleaner_greener",)) == \
        "districts/melton/district-pack-cleaner-greener"


def test_what_the_build_did_not_make_is_carried_and_what_it_owns_is_not(tmp_path):
    published = _files(tmp_path / "published", [
        "appendix.html", "appendix.pdf", "summary.html", "summary.pdf", "manifest.json",
        "appendix-health-safer.html", "summary-health-safer.html", "tables-health-safer/a.csv",
        "notebooks/04_appendix.ipynb", "data-quality/gone-partner.html", "tables/01-a.csv",
        "tables/09-stale.csv", "districts/melton/district-pack.html",
        "districts/melton/district-pack.pdf", "districts/melton/tables/01-a.csv",
        "districts/north/district-pack.html", "templates/police.xlsx"])
    built = _files(tmp_path / "built", [
        "appendix.pdf", "summary.pdf", "notebooks/04_appendix.ipynb",
        "data-quality/report.html", "tables/01-a.csv", "districts/melton/district-pack.pdf",
        "districts/melton/tables/01-a.csv"])
    kept = keep_unbuilt(published, built)
    carried = sorted(f for files in kept.values() for f in files)
    assert carried == sorted([
        "appendix.html", "summary.html", "appendix-health-safer.html",
        "summary-health-safer.html", "tables-health-safer/a.csv",
        "districts/melton/district-pack.html", "districts/north/district-pack.html",
        "templates/police.xlsx"])
    assert (built / "appendix.html").read_text() == "published: appendix.html"
    assert (built / "appendix.pdf").read_text() == "built: appendix.pdf"   # made: not replaced
    for owned in ("manifest.json", "data-quality/gone-partner.html", "tables/09-stale.csv"):
        assert not (built / owned).exists(), owned
    assert "districts/north" in kept and "appendix.html" in kept


@pytest.fixture(scope="module")
def runs(tmp_path_factory, laa1_run):
    """The demo published in full with the Melton pack (a copy of the project the session
    ran it in, with these arguments and stamp), then PDF only, then two themes: each reuses
    the stages before the appendix."""
    project, env = project_env(laa1_run, tmp_path_factory.mktemp("partial") / "project")
    args = ["--clean-dir", str(project / "data" / "clean"), "--reports-dir",
            str(project / "reports"), "--generated-at", STAMP]
    assert laa1_run["run_args"] == ["--district", "Melton"] and laa1_run["stamp"] == STAMP
    report = project / "reports" / MEETING
    after_full = hashes(report)
    pdf = laa_here("run", *args, "--district", "Melton", "--formats", "pdf", env=env)
    assert pdf.returncode == 0, pdf.stderr
    after_pdf = hashes(report)
    themed = laa_here("run", *args, "--theme", "safer,health", "--district", "Melton", env=env)
    assert themed.returncode == 0, themed.stderr
    return {"args": args, "report": report, "full": after_full, "pdf": after_pdf,
            "themed": hashes(report), "themed_proc": themed, "pdf_proc": pdf, "env": env}


def _same(before: dict[str, str], after: dict[str, str], paths: list[str]) -> None:
    for path in paths:
        assert path in before and after.get(path) == before[path], path


@pytest.mark.slow
def test_a_pdf_only_run_keeps_the_html_published_before(runs):
    _same(runs["full"], runs["pdf"], ["appendix.html", "summary.html",
                                      "districts/melton/district-pack.html"])
    assert "kept appendix.html as published before" in runs["pdf_proc"].stdout


@pytest.mark.slow
def test_a_themed_run_publishes_under_its_own_names_and_keeps_the_full_appendix(runs):
    full = [p for p in runs["full"] if p.startswith(("appendix.", "summary.", "tables/"))
            or p.startswith("districts/melton/")]
    _same(runs["pdf"], runs["themed"], full)
    for name in (f"appendix-{THEMED}", f"summary-{THEMED}",
                 f"districts/melton/district-pack-{THEMED}"):
        for fmt in ("html", "pdf"):
            assert f"{name}.{fmt}" in runs["themed"], name
    assert any(p.startswith(f"tables-{THEMED}/") for p in runs["themed"])
    assert any(p.startswith(f"districts/melton/tables-{THEMED}/") for p in runs["themed"])
    assert f"appendix written to {runs['report'] / f'appendix-{THEMED}.html'}" in \
        runs["themed_proc"].stdout


def _links(path: Path) -> set[str]:
    page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return {a["href"] for a in page.find_all("a", href=True)
            if not a["href"].startswith(("#", "http", "mailto:"))}


@pytest.mark.slow
@pytest.mark.parametrize("document", [f"summary-{THEMED}.html", f"appendix-{THEMED}.html",
                                      f"districts/melton/district-pack-{THEMED}.html"])
def test_links_in_a_themed_document_point_at_files_that_exist(runs, document):
    path = runs["report"] / document
    links = _links(path)
    if document.startswith("summary"):
        assert {f"appendix-{THEMED}.html", f"appendix-{THEMED}.pdf"} <= links
    for href in links:
        assert (path.parent / href.split("#")[0]).is_file(), href


@pytest.mark.slow
def test_the_manifest_lists_and_hashes_the_published_folder_and_reruns(runs):
    report = runs["report"]
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"] if o["root"] == "report"}
    listed |= {k["path"]: k["sha256"] for k in manifest["kept"]}
    on_disk = {p: h for p, h in hashes(report).items() if p != "manifest.json"}
    assert listed == on_disk
    proc = laa_here("rerun", str(report / "manifest.json"), env=runs["env"])
    assert proc.returncode == 0, proc.stderr
