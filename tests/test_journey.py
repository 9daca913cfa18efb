"""An officer's quarters, as the README tells them, for a second partnership beside the demo.

One checkout (a copy of this one, so the real ``data/clean`` and ``reports`` are left alone)
holds the shipped demo, already run (the session's run of the README's first command,
copied in), and a new partnership, Rutland Together, set up with ``laa init``. The officer
fills its register, writes the partners' templates, fills two of them and receives one CSV
return, validates and runs the appendix (the module's fixture, :func:`journey`); then, in
this file's order on that one checkout: prints the chase list, traces a figure, reruns the
meeting; runs the first quarter again with every option the README shows, one run each,
losing nothing published before; then does the next quarter. At the end the demo's derived
data and reports are byte-identical to what they were before the journey.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import hashes
from tests.journey_build import (
    OTHER,
    STAMP,
    STAMP_Q2,
    Officer,
    assert_reused_from_validate,
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
OPTIONS = (("--scenario", "options=approved"), ("--scenario", "options=all"),
           ("--theme", "safer"), ("--district", "North"), ("--formats", "pdf"),
           ("--compare-with", "shires"), ("--compare-with", "neighbours"),
           ("--previous-period", "2006-07 Q4"), ("--force",))


@pytest.fixture(scope="module")
def journey(tmp_path_factory, laa1_run) -> dict[str, Any]:
    """The checkout with the demo seeded and the new partnership's first quarter run."""
    root = copy_project(tmp_path_factory.mktemp("journey") / "project")
    officer = Officer(root)
    clean_before, reports_before = seed_demo(root, laa1_run)
    assert "appendix.pdf" in hashes(root / "reports" / "2007-09-03")
    data = set_up_partnership(officer)
    return {"root": root, "officer": officer, "data": data,
            "meeting": first_quarter(officer, data),
            "clean_before": clean_before, "reports_before": reports_before}


def test_the_chase_list_a_trace_and_a_rerun_of_the_first_quarter(journey):
    officer, meeting = journey["officer"], journey["meeting"]
    published = hashes(meeting)
    status = officer.laa("status", "--data-dir", OTHER, "--period", "2007-08 Q1",
                         "--as-of", "2007-08-20T12:00:00")
    assert "Rutland Police" in status.stdout and "Rutland PCT" in status.stdout
    traced = officer.laa("trace", "2.1", "--data-dir", OTHER, "--period", "2007-08 Q1")
    assert "return-2007-08-Q1-rutland-police.xlsx".lower() in traced.stdout.lower()
    assert "no return in force" not in traced.stdout
    # the run reused what validate made (first_quarter): rebuilt from scratch, the bytes
    # are the same, every output checked against the manifest, all republished unchanged
    before = {p: h for p, h in hashes(meeting).items() if p != "manifest.json"}
    rerun = officer.laa("rerun", str(meeting / "manifest.json"))
    assert "outputs hash as the manifest recorded" in rerun.stdout
    assert "unchanged: reused" not in rerun.stdout
    documents_still_there(meeting, published)
    assert {p: h for p, h in hashes(meeting).items() if p != "manifest.json"} == before


def test_every_option_the_readme_shows_keeps_what_was_published(journey):
    officer, meeting = journey["officer"], journey["meeting"]
    published = hashes(meeting)
    for options in OPTIONS:
        run = officer.laa("run", "--data-dir", OTHER, "--period", "2007-08 Q1",
                          "--generated-at", STAMP, *options)
        assert published_folder(run) == meeting
        if options == ("--force",):  # validate's stages too: nothing reused
            assert "unchanged: reused" not in run.stdout, run.stdout
        documents_still_there(meeting, published)
        published = hashes(meeting)
    assert any(name.startswith("appendix-") and name.endswith(".pdf") for name in published)
    assert any(name.startswith("districts/") for name in published)


def test_the_next_quarter_leaves_the_first_and_the_demo_alone(journey):
    officer, meeting = journey["officer"], journey["meeting"]
    q1 = hashes(meeting)
    quarter(officer, journey["data"], "2007-08 Q2",
             {"pct": {"1.1": 25.5, "1.2": 290}, "police": {"2.1": 480, "2.2": 350}},
             dt.date(2007, 11, 9),
             [("2.1", "North", 270, "", "", "2007-11-10T10:00:00"),
              ("2.1", "South", 210, "", "", "2007-11-10T10:00:00")], STAMP_Q2)
    second = officer.laa("run", "--data-dir", OTHER, "--period", "2007-08 Q2",
                         "--generated-at", STAMP_Q2, "--district", "South")
    assert published_folder(second).name == "2007-12-10"
    assert_reused_from_validate(second, published_folder(second))
    assert hashes(meeting) == q1
    # The demo: its derived data and its reports exactly as before, and it still traces.
    demo_left_alone(journey["root"], journey["clean_before"], journey["reports_before"])
