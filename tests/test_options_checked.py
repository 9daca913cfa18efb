"""Issue 20, item 4: every option is checked once, before any stage runs; the notebooks take
the checked values as they are (``--scenario options=approved`` failed at the appendix)."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.config import find_project_root
from pipeline.run.execute import APPENDIX_ONLY, TABLES_ONLY
from tests.conftest import project_env
from tests.in_process import laa_here

ROOT = find_project_root()


def _code(notebook: str) -> str:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_no_notebook_parses_an_option_again(notebook):
    """The CLI's load_settings parses each option and the run injects the parsed value; a
    parser called on it again in a notebook refuses it (``approved`` is not
    ``options=approved``), after the stages before have run."""
    assert re.findall(r"parse_(?:scenario|formats)\(", _code(notebook)) == []


def test_every_notebook_option_is_checked_by_the_cli_before_the_stages():
    """Each option a notebook takes is one the CLI checks first: parsed by load_settings
    (formats, scenario) or looked up in the register by the run's check (theme, district,
    compare_with)."""
    cli = (ROOT / "pipeline" / "cli" / "commands.py").read_text(encoding="utf-8")
    check = cli[cli.index("    def check("):cli.index("result = run_pipeline(")]
    for option in set(APPENDIX_ONLY) | set(TABLES_ONLY):
        in_settings = option in ("formats", "scenario")
        assert in_settings or f"settings.{option}" in check, option


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["options=approved", "options=all"])
def test_the_readme_scenarios_run_through(laa1_project, tmp_path, scenario):
    """On a copy of the project the session ran the demo in (conftest): the stages the
    scenario does not touch are reused, the appendix (which failed) is made with it."""
    project, env = project_env(laa1_project, tmp_path / "project")
    proc = laa_here("run", "--scenario", scenario, "--formats", "html", "--generated-at",
                    "2007-06-30T12:00:00", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "[5/6] appendix done in" in proc.stdout, proc.stdout
    html = (project / "reports" / "2007-09-03" / "appendix.html").read_text(encoding="utf-8")
    assert "Payable if" in html
