"""An officer's quarters, as the README tells them, for a second partnership beside the demo.

One checkout (a copy of this one, so the real ``data/clean`` and ``reports`` are left alone)
holds the shipped demo, already run (the session's run of the README's first command,
copied in), and a new partnership, Rutland Together, set up with ``laa init``. The officer
fills its register, writes the partners' templates, fills two of them and receives one CSV
return, validates, runs the appendix, prints the chase list, traces a figure, reruns the
meeting, then does the next quarter. At the end the demo's derived data and reports are
byte-identical to what they were before the journey. (Every option the README shows, run
on the first quarter, is tests/test_journey_options.py: the same first quarter, then one
run per option.)
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import hashes
from tests.journey_build import (
    OTHER,
    STAMP_Q2,
    Officer,
    copy_project,
    demo_left_alone,
    documents_still_there,
    first_quarter,
    published_folder,
    quarter,
    seed_demo,
    set_up_partnership,
)

pytestmark = pytest.mark.slow


def test_an_officers_quarters_for_a_second_partnership_leave_the_demo_alone(tmp_path,
                                                                              laa1_run):
    root = copy_project(tmp_path / "project")
    officer = Officer(root)
    clean_before, reports_before = seed_demo(root, laa1_run)
    assert "appendix.pdf" in hashes(root / "reports" / "2007-09-03")

    data = set_up_partnership(officer)
    meeting = first_quarter(officer, data)
    published = hashes(meeting)

    # The chase list and a figure traced back to the template it came from.
    status = officer.laa("status", "--data-dir", OTHER, "--period", "2007-08 Q1",
                         "--as-of", "2007-08-20T12:00:00")
    assert "Rutland Police" in status.stdout and "Rutland PCT" in status.stdout
    traced = officer.laa("trace", "2.1", "--data-dir", OTHER, "--period", "2007-08 Q1")
    assert "return-2007-08-Q1-rutland-police.xlsx".lower() in traced.stdout.lower()
    assert "no return in force" not in traced.stdout
    officer.laa("rerun", str(meeting / "manifest.json"))
    documents_still_there(meeting, published)

    # Quarter 2: the same again; quarter 1's meeting is left as it was.
    q1 = hashes(meeting)
    quarter(officer, data, "2007-08 Q2",
             {"pct": {"1.1": 25.5, "1.2": 290}, "police": {"2.1": 480, "2.2": 350}},
             dt.date(2007, 11, 9),
             [("2.1", "North", 270, "", "", "2007-11-10T10:00:00"),
              ("2.1", "South", 210, "", "", "2007-11-10T10:00:00")], STAMP_Q2)
    second = officer.laa("run", "--data-dir", OTHER, "--period", "2007-08 Q2",
                         "--generated-at", STAMP_Q2, "--district", "South")
    assert published_folder(second).name == "2007-12-10"
    assert hashes(meeting) == q1

    # The demo: its derived data and its reports exactly as before, and it still traces.
    demo_left_alone(root, clean_before, reports_before)
