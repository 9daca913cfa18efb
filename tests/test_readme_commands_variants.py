"""The README's and the docs' ``laa run`` lines that force the demo's run or give it an
option (:func:`tests.documented.chain_of`), in the pages' order on a copy of the project:
each exits as its page says (tests/test_readme_commands.py runs the other chains)."""

from __future__ import annotations

import pytest

from tests.documented import run_chain

# run as an officer runs them, each fork server a fresh process (conftest: no_zygote)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_zygote")]


def test_the_demo_run_forced_and_with_each_option_runs(tmp_path):
    project, ran = run_chain("variants", tmp_path)
    assert set(ran) == {"run"} and len(ran) >= 4
    assert (project / "reports" / "2007-09-03" / "appendix.html").is_file()
