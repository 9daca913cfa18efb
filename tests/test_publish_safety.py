"""Publishing never loses what the run did not rebuild, and a period with no returns
publishes nothing (issue 10: a mistyped period or a plain run wiped a meeting's folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.assess.tables import data_as_of
from pipeline.cli import main
from pipeline.errors import NoReturns, StageFailed
from pipeline.run import orchestrate
from tests.conftest import hashes

MINI = Path(__file__).parent / "data" / "mini"
MEETING = "2007-07-01"


def _run(tmp_path: Path, *extra: str, data: Path = MINI) -> int:
    return main(["run", "--data-dir", str(data), "--clean-dir", str(tmp_path / "clean"),
                 "--reports-dir", str(tmp_path / "reports"), "--meeting", MEETING,
                 "--period", "2006-07 Q4",
                 "--formats", "html", *extra])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The mini partnership's meeting, published with the North district pack."""
    root = tmp_path_factory.mktemp("publish")
    assert _run(root, "--district", "North", "--generated-at", "2007-06-30T12:00:00") == 0
    return root


@pytest.mark.slow
def test_a_plain_run_keeps_the_district_pack_published_before(published, capsys):
    report = published / "reports" / MEETING
    pack = hashes(report / "districts" / "north")
    assert _run(published, "--generated-at", "2007-06-30T12:00:00") == 0
    assert "kept districts/north/ as published before" in capsys.readouterr().out
    assert hashes(report / "districts" / "north") == pack
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    kept = {k["path"]: k for k in manifest["kept"]}
    assert set(kept) == {f"districts/north/{p}" for p in pack}
    source = kept["districts/north/district-pack.html"]["from_run"]
    assert source["parameters"]["district"] == "North" and source["command"] == "run"


@pytest.mark.slow
def test_a_period_with_no_returns_is_refused_and_publishes_nothing(published, capsys):
    before = hashes(published / "reports" / MEETING)
    assert _run(published, "--period", "2006-07 Q1") == NoReturns.exit_code == 10
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"laa run failed: no returns for 2006-07 Q1 in {MINI / 'returns'}: "
                   "nothing published (stage assess)"]
    assert hashes(published / "reports" / MEETING) == before


@pytest.mark.slow
def test_a_new_partnership_with_an_empty_returns_folder_is_told_so(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(MINI / "register", data / "register")
    (data / "returns").mkdir()
    assert _run(tmp_path, data=data) == 10
    assert capsys.readouterr().err.strip().splitlines() == [
        f"laa run failed: no returns for 2006-07 Q4 in {data / 'returns'}: nothing "
        "published (stage ingest)"]
    assert not (tmp_path / "reports" / MEETING).exists()


def test_a_failed_stage_names_a_notebook_that_still_exists(tmp_path):
    staging = tmp_path / "reports" / f".staging-{MEETING}"
    executed = staging / MEETING / "notebooks" / "02_validate.ipynb"
    executed.parent.mkdir(parents=True)
    executed.write_text("{}", encoding="utf-8")
    settings = type("S", (), {"reports_dir": tmp_path / "reports", "meeting": MEETING})()
    error = StageFailed("KeyError: 'x'", stage="validate", notebook=str(executed))
    kept = orchestrate._keep_failed_notebook(error, staging, settings)
    target = tmp_path / "reports" / ".failed" / MEETING / "02_validate.ipynb"
    assert isinstance(kept, StageFailed) and target.is_file()
    assert str(kept) == f"KeyError: 'x' (stage validate, notebook {target})"
    assert orchestrate._keep_failed_notebook(StageFailed("x"), staging, settings) is None
    # a notebook never written (its stage's kernel killed first) is not named at all: the
    # staging folder it would be in is discarded
    never = StageFailed("died", stage="assess", notebook=str(executed.with_name("03.ipynb")))
    assert str(orchestrate._keep_failed_notebook(never, staging, settings)) == \
        "died (stage assess)"


def test_data_as_of_is_the_latest_return_used_for_the_period():
    rows = pd.DataFrame({
        "period": ["2006-07 Q2", "2006-07 Q2", "2006-07 Q4", "2005-06 Q4"],
        "in_force": [True, False, True, True],
        "submitted_at": pd.to_datetime(["2006-11-13 09:30", "2006-11-20 10:00",
                                        "2007-05-14 17:05", "2006-12-01 08:00"])})
    assert data_as_of(rows, "2006-07 Q2") == "2006-11-13 09:30"  # not the superseded row
    assert data_as_of(rows, "2006-07 Q4") == "2007-05-14 17:05"
    assert data_as_of(rows, "2007-08 Q1") == ""


def test_bare_laa_prints_what_the_cli_does(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "`laa run` with no options builds the shipped demo's appendix" in out
    assert "With no options, runs" not in out
    assert "10 no returns for the period" in out


def test_no_usable_return_names_each_file_refused_and_why():
    """Every file refused (too large, say): the one line says which and why, since nothing
    (no data-quality report) is published to say it."""
    one = NoReturns.for_period("2007-08 Q1", "/d/returns", [("a.csv", "the file is 30 MB")])
    assert str(one) == ("no returns for 2007-08 Q1 in /d/returns (1 file(s) there could not "
                        "be used: a.csv: the file is 30 MB): nothing published")
    many = NoReturns.for_period("2007-08 Q1", "/d", [(f"{n}.csv", "x") for n in range(7)])
    assert "4.csv: x; and 2 more)" in str(many) and "5.csv" not in str(many)


@pytest.mark.slow
def test_every_file_refused_stops_the_run_naming_each_file(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "register" / "rules.toml").write_text("[quality]\nmax_file_mb = 0.0001\n",
                                                  encoding="utf-8")
    assert _run(tmp_path, "--period", "2006-07 Q4", data=data) == NoReturns.exit_code
    err = capsys.readouterr().err
    assert "2 file(s) there could not be used: 2006-07_Q4_mini_pct.csv: " in err
    assert "2006-07_Q4_mini_police.csv: " in err and "nothing published" in err
