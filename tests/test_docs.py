"""Issue 23, item 5: the README is a page read in five minutes, and the rest is in docs/,
built by MkDocs. The site builds with ``--strict`` (a broken link to a page's anchor fails
it) and fetches nothing from the network; every relative link of README.md and docs/
resolves to a file and, where it names one, to a heading's anchor; every ``laa`` command
the pages show is one the CLI accepts (tests/test_readme_commands*.py run them)."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from pipeline.config import find_project_root
from tests.documented import documented_commands, documented_pages, readme_commands

ROOT = find_project_root()
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def heading_anchor(heading: str) -> str:
    """The anchor GitHub and MkDocs give a heading (pure): lower case, code marks and
    punctuation dropped, spaces as hyphens."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", text))


def anchors_of(text: str) -> set[str]:
    """The anchors of a Markdown page's headings (pure; fenced blocks left out)."""
    return {heading_anchor(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", FENCE.sub("", text),
                                                       re.M)}


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of ``page`` whose file (inside ``root``), or heading anchor, does
    not exist."""
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or root.resolve() not in [file, *file.parents]:
            broken.append(target)
        elif anchor and (file.suffix != ".md"
                         or anchor not in anchors_of(file.read_text(encoding="utf-8"))):
            broken.append(target)
    return broken


def test_heading_anchors_follow_github_and_mkdocs():
    assert heading_anchor("`register/improvement_options.csv` (optional)") == \
        "registerimprovement_optionscsv-optional"
    assert heading_anchor("The second demo: LAA2, 2008-09 Q3") == \
        "the-second-demo-laa2-2008-09-q3"
    assert anchors_of("# A b\n```sh\n# not a heading\n```\n## C's\n") == {"a-b", "cs"}


def test_a_broken_link_is_found(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.md").write_text("# Out\n", encoding="utf-8")
    (root / "b.md").write_text("# Here\n", encoding="utf-8")
    page = root / "a.md"
    page.write_text("# Top\n[ok](b.md#here) [self](#top) [web](https://x.org/y)\n"
                    "[gone](c.md) [no anchor](b.md#there) [mine](#nowhere) [out](../outside.md)\n"
                    "```sh\n[in code](d.md)\n```\n", encoding="utf-8")
    assert broken_links(page, root) == ["c.md", "b.md#there", "#nowhere", "../outside.md"]


@pytest.mark.parametrize("page", documented_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_mkdocs_builds_strict_and_offline(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for name in ("index.html", "officer.html", "analyst.html", "auditor.html",
                 "partners.html", "reference/register.html", "reference/rules.html"):
        assert name in pages
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fetched = re.findall(r"<(?:script|img|link)\b[^>]*(?:src|href)=\"(?:https?:)?//[^\"]*",
                             html)
        assert fetched == [], page


def test_mkdocs_strict_fails_on_a_broken_anchor(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n[there](other.md#nowhere)\n", encoding="utf-8")
    (docs / "other.md").write_text("# Other\n", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.split("\nnav:\n", 1)[0] + "\nvalidation:" + config.split("\nvalidation:", 1)[1]
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-d", str(tmp_path / "site")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 1 and "nowhere" in done.stderr


def _accepted(args: list[str]) -> int:
    """The exit code argparse gives ``laa ARGS`` (0 when it accepts them)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            build_parser().parse_args(args)
        except SystemExit as stop:
            return int(stop.code or 0)
    return 0


def test_every_documented_laa_command_is_one_the_cli_accepts():
    commands = documented_commands()
    assert len(commands) >= 15
    assert _accepted(["run", "--no-such-option"]) == 2
    assert [args for args, _ in commands if _accepted(args) != 0] == []


def test_the_guides_show_their_commands():
    shown = {page.name: {args[0] for args, _ in readme_commands(page.read_text("utf-8"))}
             for page in documented_pages()}
    assert {"init", "validate", "run", "trace", "rerun", "report"} <= shown["officer.md"]
    assert {"templates", "status", "checks"} <= shown["partners.md"]


def test_the_readme_is_a_five_minute_page():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    for guide in ("officer", "analyst", "auditor", "partners"):
        assert f"](docs/{guide}.md)" in text
    for reference in ("register", "rules", "formats", "outputs", "layout", "install"):
        assert f"](docs/reference/{reference}.md)" in text


def test_the_auditors_guide_keeps_the_spot_check_pack_heading():
    text = (ROOT / "docs" / "auditor.md").read_text(encoding="utf-8")
    section = text.split("\n## The spot-check pack\n", 1)[1]
    assert "laa audit --period P" in section and "spot-check.xlsx" in section


def test_the_build_folder_is_ignored():
    assert "site/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_returns_columns_in_the_docs_are_the_generated_ones():
    from pipeline.inputs.scaffold import describe_returns

    text = (ROOT / "docs" / "reference" / "formats.md").read_text(encoding="utf-8")
    start, end = "<!-- returns-columns:start -->\n", "<!-- returns-columns:end -->"
    assert text.count(start) == 1 and text.count(end) == 1
    assert text.split(start, 1)[1].split(end, 1)[0] == describe_returns()
    assert "| `submitted_at` | yes |" in describe_returns()


def list_problems(text: str) -> list[int]:
    """Lines (1-based) of a list MkDocs's Markdown would not render as GitHub does (pure): a
    list straight after a paragraph line, or an item nested by fewer than four spaces."""
    lines, fenced, out = text.split("\n"), False, []
    for number, line in enumerate(lines, 1):
        fenced = fenced != line.startswith("```")
        if fenced or number == 1 or line.startswith("```"):
            continue
        before = lines[number - 2]
        if re.match(r"(- |\d+\. )", line) and before.strip() and not before.startswith(" ") \
                and not re.match(r"(- |\d+\. )", before):
            out.append(number)
        if re.match(r" {1,3}- ", line):
            out.append(number)
    return out


def test_a_list_mkdocs_would_not_render_is_found():
    assert list_problems("Text:\n- a\n\n- b\n  - nested by two\n    - by four\n") == [2, 5]
    assert list_problems("```sh\nx\n- not a list\n```\n") == []


@pytest.mark.parametrize("page", documented_pages()[1:],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_docs_lists_render_in_mkdocs(page):
    assert list_problems(page.read_text(encoding="utf-8")) == []


def test_the_register_files_in_the_docs_are_the_generated_ones():
    from pipeline.inputs.scaffold import describe_register

    text = (ROOT / "docs" / "reference" / "register.md").read_text(encoding="utf-8")
    start, end = "<!-- register-files:start -->\n", "<!-- register-files:end -->"
    assert text.count(start) == 1 and text.count(end) == 1
    assert text.split(start, 1)[1].split(end, 1)[0] == describe_register()


DATA_READMES = (ROOT / "data" / "raw" / "README.md", ROOT / "data" / "raw" / "laa2" / "README.md")


@pytest.mark.parametrize("page", DATA_READMES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_data_folders_readmes_point_to_the_docs_pages_that_hold_the_detail(page):
    # the README is a five-minute page now: "see the README, 'The register'" led nowhere
    text = page.read_text(encoding="utf-8")
    assert re.findall(r".{0,30}README(?!\.md).{0,30}", text) == []
    assert broken_links(page) == []
    assert any(link.startswith(("../../docs/", "../../../docs/"))
               for link in LINK.findall(text))


def test_the_default_rules_name_the_file_of_their_schema():
    comment = "".join(line for line in (ROOT / "pipeline" / "rules.toml").read_text(
        encoding="utf-8").splitlines(keepends=True) if line.startswith("#"))
    named = re.findall(r"pipeline/(\w+)\.py", comment)
    assert named and all((ROOT / "pipeline" / f"{m}.py").is_file() for m in named), comment
    schema = (ROOT / "pipeline" / f"{named[0]}.py").read_text(encoding="utf-8")
    assert re.search(r"^class Rules\(", schema, re.M), named[0]   # the first named: the schema
