"""Issue 20, item 4: every ``laa`` command line the README and the docs show runs, on a copy
of the project (so the checkout's data/clean and reports are untouched), and exits 0, or the
code its comment gives (``# ... exit 5 ...``). A line added to the README or a page of docs/
is tested with no change here.

The commands run in independent chains (:mod:`tests.documented`), each in its own test file
so pytest-xdist's ``--dist loadfile`` runs them on different workers: here the demo's chain
(the README's demo in the README's order, then the guides that trace, rerun, print, report
on and audit it); tests/test_readme_commands_variants.py the demo run forced and with each
option; tests/test_readme_commands_others.py the LAA2 demo, a new partnership and the
partners' guide.
"""

from __future__ import annotations

import pytest

from tests.documented import (
    CHAINS,
    ROOT,
    chain,
    chain_of,
    documented_commands,
    documented_pages,
    readme_commands,
    run_chain,
)

# run as an officer runs them, each fork server a fresh process (conftest: no_zygote)
pytestmark = pytest.mark.usefixtures("no_zygote")


def test_the_nav_lists_every_page_of_the_docs():
    pages = documented_pages()
    assert pages[1] == ROOT / "docs" / "index.md"
    assert sorted(pages[1:]) == sorted((ROOT / "docs").rglob("*.md"))


def test_the_readme_commands_are_found():
    commands = documented_commands()
    assert (["run", "--district", "Melton"], 0) == commands[0]     # the demo, after set-up
    assert (["run", "--scenario", "options=approved"], 0) in commands
    assert (["checks"], 0) in commands and len(commands) >= 15
    assert readme_commands("```sh\n.venv/bin/laa run --x 'a b'  # exit 5 if bad\n```") == [
        (["run", "--x", "a b"], 5)]


def test_every_documented_command_runs_in_one_chain():
    """The chains split the commands without losing or repeating one, each keeping the
    pages' order, and every chain is one a test runs."""
    commands = documented_commands()
    assert {chain_of(args) for args, _ in commands} == set(CHAINS)
    assert sum(len(chain(name)) for name in CHAINS) == len(commands)
    for name in CHAINS:
        assert chain(name) == [c for c in commands if chain_of(c[0]) == name]
    assert chain("demo")[0] == (["run", "--district", "Melton"], 0)   # the demo runs first
    assert [c[0][0] for c in chain("demo")].index("rerun") > 0
    assert chain_of(["run", "--force"]) == "variants"
    assert chain_of(["run", "--district", "Melton", "--formats", "pdf"]) == "demo"
    assert chain_of(["audit", "--data-dir", "data/raw/laa2"]) == "data/raw/laa2"
    assert chain_of(["validate", "--data-dir", "/path/to/partnership"]) == "partnership"


@pytest.mark.slow
def test_the_demo_chain_runs(tmp_path):
    project, ran = run_chain("demo", tmp_path)
    assert {"run", "trace", "rerun", "report", "audit"} <= set(ran)
    # the outputs land where the README says
    assert (project / "reports" / "2007-09-03" / "appendix.html").is_file()
