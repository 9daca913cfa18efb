"""Issue 20, items 1 and 2: no output folder over a data folder; each data folder its own
derived data, reports, period and meeting by default; the demo's defaults unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import DEMO_MEETING, DEMO_PERIOD, find_project_root, load_settings
from pipeline.errors import ConfigError

ROOT = find_project_root()
MINI = Path(__file__).parent / "data" / "mini"
RAW = ROOT / "data" / "raw"


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def data(tmp_path) -> Path:
    """A partnership's data folder outside the project (a copy of the mini register)."""
    folder = tmp_path / "p" / "blaby"
    shutil.copytree(MINI, folder)
    return folder


# Item 1: an output folder never is, contains or lies inside a data folder.

@pytest.mark.parametrize(("option", "inside"), [
    ("--clean-dir", "register"), ("--clean-dir", "returns"), ("--reports-dir", "returns"),
    ("--reports-dir", "."), ("--clean-dir", ".."), ("--reports-dir", "returns/new/deeper")])
@pytest.mark.parametrize("command", ["run", "validate", "templates", "status", "trace"])
def test_an_output_folder_in_or_over_the_data_folder_is_refused(data, tmp_path, capsys,
                                                                  option, inside, command):
    before = _tree(data.parent)
    target = (data / inside).resolve()
    other = {"--clean-dir": "--reports-dir", "--reports-dir": "--clean-dir"}[option]
    args = ["trace", "7.20"] if command == "trace" else [command, "--meeting", "2007-07-01"]
    code = main([*args, "--data-dir", str(data), "--period", "2006-07 Q4",
                 option, str(target), other,
                 str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0] and "data folder" in err[0], err
    assert _tree(data.parent) == before          # nothing written, no folder created
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["templates", "status"])
def test_an_output_into_the_returns_is_refused(data, tmp_path, capsys, command):
    before = _tree(data)
    code = main([command, "--data-dir", str(data), "--period", "2006-07 Q4", "--meeting",
                 "2007-07-01", "--reports-dir", str(tmp_path / "reports"),
                 "--output", str(data / "returns" / "out.csv")])
    assert code == 2 and "data folder" in capsys.readouterr().err
    assert _tree(data) == before and not (tmp_path / "reports").exists()


def test_the_project_data_raw_is_a_data_folder_whatever_data_dir_says(data):
    for option in ("clean_dir", "reports_dir"):
        with pytest.raises(ConfigError, match="data folder"):
            load_settings("2006-07 Q4", "2007-07-01", data_dir=data,
                          **{option: RAW / "returns"})
    with pytest.raises(ConfigError, match="data folder"):     # data/raw inside the output
        load_settings("2006-07 Q4", "2007-07-01", data_dir=data, reports_dir=ROOT / "data")


def test_a_data_folder_inside_an_output_folder_is_refused(tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(MINI, reports / "blaby")
    with pytest.raises(ConfigError, match="data folder"):
        load_settings("2006-07 Q4", "2007-07-01", data_dir=reports / "blaby",
                      clean_dir=tmp_path / "clean", reports_dir=reports)


def test_the_shipped_layouts_are_accepted():
    demo = load_settings()
    assert (demo.data_dir, demo.clean_dir, demo.reports_dir) == (
        RAW, ROOT / "data" / "clean", ROOT / "reports")
    assert (demo.period, demo.meeting) == (DEMO_PERIOD, DEMO_MEETING)
    laa2 = load_settings("2008-09 Q3", "2009-03-09", data_dir="data/raw/laa2")
    assert laa2.data_dir == RAW / "laa2"


# Item 2: each data folder its own derived data and reports by default.

def test_another_data_folder_gets_its_own_derived_folders(data):
    inside = load_settings("2008-09 Q3", "2009-03-09", data_dir="data/raw/laa2")
    assert inside.clean_dir == ROOT / "data" / "clean" / "laa2"
    assert inside.reports_dir == ROOT / "reports" / "laa2"
    outside = load_settings("2006-07 Q4", "2007-07-01", data_dir=data)
    name = outside.clean_dir.name
    assert name.startswith("blaby-") and len(name) == len("blaby-") + 6
    assert outside.clean_dir == ROOT / "data" / "clean" / name
    assert outside.reports_dir == ROOT / "reports" / name
    again = load_settings("2006-07 Q4", "2007-07-01", data_dir=data)
    assert again.clean_dir == outside.clean_dir                 # stable: same folder, same name
    twin = data.parent / "other" / "blaby"
    shutil.copytree(MINI, twin)
    assert load_settings("2006-07 Q4", "2007-07-01", data_dir=twin).clean_dir != \
        outside.clean_dir                                       # another folder, another name


def test_given_folders_win(data, tmp_path):
    settings = load_settings("2006-07 Q4", "2007-07-01", data_dir=data,
                             clean_dir=tmp_path / "c", reports_dir=tmp_path / "r")
    assert (settings.clean_dir, settings.reports_dir) == (tmp_path / "c", tmp_path / "r")


def test_the_demo_period_and_meeting_are_the_demos_only(data, capsys):
    with pytest.raises(ConfigError, match="give --period"):
        load_settings(data_dir=data)
    with pytest.raises(ConfigError, match=r"give --meeting YYYY-MM-DD \(register/calendar.csv "
                                          r"has no meeting for 2006-07 Q4\)"):
        load_settings(period="2006-07 Q4", data_dir=data)
    for command in ("run", "validate", "templates", "status", "trace"):
        args = [command, "7.20"] if command == "trace" else [command]
        assert main([*args, "--data-dir", str(data)]) == 2
        assert "give --period" in capsys.readouterr().err
    for command in ("run", "validate", "templates", "status"):
        assert main([command, "--data-dir", str(data), "--period", "2006-07 Q4"]) == 2
        assert "give --meeting YYYY-MM-DD (register/calendar.csv has no meeting for " \
               "2006-07 Q4)" in capsys.readouterr().err


def _with_calendar(data: Path) -> Path:
    (data / "register" / "calendar.csv").write_text(
        "period,deadline,meeting\n2006-07 Q4,2007-05-15,2007-06-25\n2007-08 Q1,2007-08-14,\n",
        encoding="utf-8")
    return data


@pytest.mark.parametrize("command", ["validate", "templates", "status"])
def test_the_meeting_comes_from_the_partnerships_calendar(data, tmp_path, capsys, command):
    _with_calendar(data)
    reports = tmp_path / "reports"
    main([command, "--data-dir", str(data), "--period", "2006-07 Q4",
          "--clean-dir", str(tmp_path / "clean"), "--reports-dir", str(reports)])
    assert [p.name for p in reports.iterdir() if not p.name.startswith(".")] == ["2007-06-25"]
    capsys.readouterr()
    assert main([command, "--data-dir", str(data), "--period", "2007-08 Q1",
                 "--reports-dir", str(reports)]) == 2
    assert "register/calendar.csv has no meeting for 2007-08 Q1" in capsys.readouterr().err


def test_the_run_says_where_it_writes(data, tmp_path, capsys):
    code = main(["validate", "--data-dir", str(data), "--period", "2006-07 Q4", "--meeting",
                 "2007-07-01", "--reports-dir", str(tmp_path / "reports")])
    out = capsys.readouterr().out
    settings = load_settings("2006-07 Q4", "2007-07-01", data_dir=data)
    try:
        assert code == 0
        assert f"derived data {settings.clean_dir}" in out
        assert f"reports {tmp_path / 'reports'}" in out
    finally:
        shutil.rmtree(settings.clean_dir, ignore_errors=True)


@pytest.mark.slow
def test_trace_reads_the_folder_the_run_wrote(data, tmp_path, capsys):
    settings = load_settings("2006-07 Q4", "2007-07-01", data_dir=data)
    try:
        assert main(["run", "--data-dir", str(data), "--period", "2006-07 Q4", "--meeting",
                     "2007-07-01", "--reports-dir", str(tmp_path / "r"), "--formats",
                     "html"]) == 0
        capsys.readouterr()
        assert main(["trace", "2.1", "--data-dir", str(data), "--period", "2006-07 Q4"]) == 0
        assert "2.1" in capsys.readouterr().out
    finally:
        shutil.rmtree(settings.clean_dir, ignore_errors=True)


def test_init_readme_gives_the_partnerships_own_commands(tmp_path):
    folder = tmp_path / "melton"
    assert main(["init", str(folder)]) == 0
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert f"--data-dir {folder}" in readme
    assert "--period 'YYYY-YY QN' --meeting YYYY-MM-DD" in readme
    assert DEMO_PERIOD not in readme.split("## The register")[0]
    assert DEMO_MEETING not in readme


def test_a_run_never_claims_the_files_of_a_data_folder_nested_in_its_clean_folder(tmp_path):
    """data/clean/laa2/ (LAA2's) lies inside data/clean/ (the demo's): a demo run at the same
    time as an LAA2 run must not record LAA2's files as its own outputs."""
    from pipeline.run.locking import lock_paths
    from pipeline.run.steps import own_outputs

    clean = tmp_path / "clean"
    (clean / "laa2").mkdir(parents=True)
    lock_paths(tmp_path, clean / "laa2", "m")[1][1].write_text("", encoding="utf-8")
    (clean / "notes").mkdir()
    written = ["assessment.parquet", "laa2/assessment.parquet", "laa2/x/y.json",
               "notes/a.json"]
    assert own_outputs(clean, written) == ["assessment.parquet", "notes/a.json"]


@pytest.mark.parametrize("where", ["reports/blaby", "data/clean/blaby", "reports"])
def test_init_refuses_a_data_folder_inside_an_output_folder(capsys, where):
    assert main(["init", where]) == 2
    assert "data folder" in capsys.readouterr().err
    assert not (ROOT / where / "register").exists()


@pytest.mark.parametrize(("header", "names"), [
    ("period,deadline\n", False), ("\ufeffPeriod , Deadline , Meeting \n", True),
    ("period,deadline,meeting\n", True), ("", False)])
def test_a_calendar_is_read_for_meetings_only_when_it_has_the_column(tmp_path, header, names):
    from pipeline.cli.commands import _names_meetings

    calendar = tmp_path / "calendar.csv"
    calendar.write_text(header, encoding="utf-8")
    assert _names_meetings(calendar) is names
    assert _names_meetings(tmp_path / "none.csv") is False
