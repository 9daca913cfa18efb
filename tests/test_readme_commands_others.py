"""The README's and the docs' command lines for the LAA2 demo, a new partnership and the
partners' guide, each chain in the pages' order on a copy of the project of its own
(:mod:`tests.documented`): each exits as its page says."""

from __future__ import annotations

import pytest

from tests.documented import run_chain

# run as an officer runs them, each fork server a fresh process (conftest: no_zygote)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_zygote")]


def test_the_laa2_demo_chain_runs(tmp_path):
    project, ran = run_chain("data/raw/laa2", tmp_path)
    assert {"run", "audit"} <= set(ran)
    assert (project / "reports" / "laa2" / "2009-03-09" / "appendix.html").is_file()
    assert (project / "data" / "clean" / "laa2" / "assessment.parquet").is_file()


def test_a_new_partnership_chain_runs(tmp_path):
    _, ran = run_chain("partnership", tmp_path)
    assert {"init", "validate", "run", "trace"} <= set(ran)


def test_the_partners_guide_chain_runs(tmp_path):
    _, ran = run_chain("partners", tmp_path)
    assert {"templates", "status", "checks"} <= set(ran)
