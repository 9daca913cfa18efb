"""The officer's first quarter for a second partnership beside the demo
(tests/test_journey.py), then every option the README shows, one run each: nothing
published before is lost, and the demo's derived data and reports are left as they were."""

from __future__ import annotations

import pytest

from tests.conftest import hashes
from tests.journey_build import (
    OTHER,
    STAMP,
    Officer,
    copy_project,
    demo_left_alone,
    documents_still_there,
    first_quarter,
    published_folder,
    seed_demo,
    set_up_partnership,
)

pytestmark = pytest.mark.slow
OPTIONS = (("--scenario", "options=approved"), ("--scenario", "options=all"),
           ("--theme", "safer"), ("--district", "North"), ("--formats", "pdf"),
           ("--compare-with", "shires"), ("--compare-with", "neighbours"),
           ("--previous-period", "2006-07 Q4"), ("--force",))


def test_every_option_the_readme_shows_keeps_what_was_published_and_the_demo(tmp_path,
                                                                                laa1_run):
    root = copy_project(tmp_path / "project")
    officer = Officer(root)
    clean_before, reports_before = seed_demo(root, laa1_run)
    meeting = first_quarter(officer, set_up_partnership(officer))
    published = hashes(meeting)
    for options in OPTIONS:
        run = officer.laa("run", "--data-dir", OTHER, "--period", "2007-08 Q1",
                          "--generated-at", STAMP, *options)
        assert published_folder(run) == meeting
        documents_still_there(meeting, published)
        published = hashes(meeting)
    assert any(name.startswith("appendix-") and name.endswith(".pdf") for name in published)
    assert any(name.startswith("districts/") for name in published)
    demo_left_alone(root, clean_before, reports_before)
