"""Reproducible runs: normalised outputs, byte-identical reruns, manifest, rerun, trace."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook

from pipeline.config import find_project_root
from pipeline.run.manifest import deterministic_part, is_volatile, read_manifest
from pipeline.run.normalise import (
    normalise_notebook,
    normalise_notebook_json,
    normalise_xlsx,
)
from tests.conftest import project_env
from tests.in_process import laa_here

ROOT = find_project_root()
MEETING = "2007-09-03"
STAMP = "2007-06-30T12:00:00"


def test_executed_notebook_loses_timings_and_staging_paths():
    timing = {"start_time": "2026-01-01T00:00:00", "end_time": "x", "duration": 0.1}
    notebook = {
        "metadata": {"papermill": {**timing, "parameters": {"reports_dir": "/r/.staging-m"},
                                   "output_path": "/r/.staging-m/m/notebooks/a.ipynb"}},
        "cells": [
            {"id": "f00d", "metadata": {"tags": ["injected-parameters"],
                                        "papermill": {**timing, "status": "completed"},
                                        "execution": {"iopub.status.busy": "now"}},
             "source": 'reports_dir = "/r/.staging-m"\n'},
            {"id": "01-02", "metadata": {"papermill": dict(timing)}, "source": "x = 1"},
        ]}
    clean = normalise_notebook_json(notebook, {"/r/.staging-m": "/r"})
    assert clean["metadata"]["papermill"] == {"parameters": {"reports_dir": "/r"},
                                              "output_path": "/r/m/notebooks/a.ipynb"}
    first, second = clean["cells"]
    assert first["id"] == "injected-parameters" and first["source"] == 'reports_dir = "/r"\n'
    assert first["metadata"] == {"tags": ["injected-parameters"],
                                 "papermill": {"status": "completed"}}
    assert second["id"] == "01-02" and second["metadata"] == {"papermill": {}}
    assert normalise_notebook_json(clean, {"/r/.staging-m": "/r"}) == clean  # idempotent


def test_executed_notebook_names_the_published_folders_from_the_project_root():
    """A run's staging folder leaves no trace in its executed notebooks, whichever way they
    name it (the injected parameters relative to the project root, papermill's paths
    absolute), and papermill's paths are given from the project root, as the parameters
    are: no byte of the notebook depends on where the checkout is."""
    from pipeline.config import load_settings
    from pipeline.run.publish import staging_root
    from pipeline.run.steps import staging_replacements

    settings = load_settings(generated_at=STAMP)
    staged = replace(settings, reports_dir=staging_root(settings.reports_dir, MEETING))
    replacements = staging_replacements(settings, staged)
    assert replacements == {str(ROOT / "reports" / f".staging-{MEETING}"): str(ROOT / "reports"),
                            f"reports/.staging-{MEETING}": "reports"}
    notebook = {
        "metadata": {"papermill": {
            "input_path": str(ROOT / "notebooks" / "a.ipynb"),
            "output_path": str(staged.report_dir / "notebooks" / "a.ipynb"),
            "parameters": {"reports_dir": f"reports/.staging-{MEETING}"}}},
        "cells": [{"id": "f00d", "metadata": {"tags": ["injected-parameters"]},
                   "source": f'reports_dir = "reports/.staging-{MEETING}"\n'}]}
    clean = normalise_notebook_json(notebook, replacements, ROOT)
    assert clean["metadata"]["papermill"] == {
        "input_path": "notebooks/a.ipynb",
        "output_path": f"reports/{MEETING}/notebooks/a.ipynb",
        "parameters": {"reports_dir": "reports"}}
    assert clean["cells"][0]["source"] == 'reports_dir = "reports"\n'
    assert normalise_notebook_json(clean, replacements, ROOT) == clean  # idempotent
    outside = {"metadata": {"papermill": {"output_path": "/srv/laa/reports/m/a.ipynb"}},
               "cells": []}
    assert normalise_notebook_json(outside, {}, ROOT) == outside


def test_a_notebook_normalised_in_place_is_its_normalised_json_written_out(tmp_path):
    """normalise_notebook writes in one pass what normalise_notebook_json gives: the same
    bytes, the staging folder replaced in keys and values, escapes and all."""
    staging = '/r/.staging-m "q"\\ é'
    notebook = {"metadata": {"papermill": {"duration": 1.5, "output_path": f"{staging}/a",
                                           "parameters": {"reports_dir": staging}}},
                "cells": [{"id": "f00d", "metadata": {"tags": ["injected-parameters"],
                                                      "execution": {"busy": "now"}},
                           "outputs": [{"data": {"text/plain": [f"{staging}\n", "λ"]}}],
                           "source": f'reports_dir = "{staging}"\n'}],
                "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    normalise_notebook(path, {staging: "/r", "/r/.staging": "/elsewhere"})
    expected = normalise_notebook_json(notebook, {staging: "/r", "/r/.staging": "/elsewhere"})
    assert path.read_text(encoding="utf-8") == json.dumps(
        expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    written = path.read_text(encoding="utf-8")
    assert ".staging" not in written and "/elsewhere" not in written   # é and all replaced
    assert "duration" not in expected["metadata"]["papermill"]
    # with the project root: papermill's paths given from it, as the JSON form gives them
    root_nb = {**notebook, "metadata": {"papermill": {"output_path": f"{staging}/m/a.ipynb",
                                                      "input_path": "/r/nb/a.ipynb"}}}
    path.write_text(json.dumps(root_nb), encoding="utf-8")
    normalise_notebook(path, {staging: "/r/reports"}, Path("/r"))
    expected = normalise_notebook_json(root_nb, {staging: "/r/reports"}, Path("/r"))
    assert expected["metadata"]["papermill"] == {"output_path": "reports/m/a.ipynb",
                                                 "input_path": "nb/a.ipynb"}
    assert path.read_text(encoding="utf-8") == json.dumps(
        expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_workbooks_saved_at_different_times_become_byte_identical(tmp_path):
    paths = []
    for n, year in enumerate((2001, 2020)):
        book = Workbook()
        book.active["A1"] = "value"
        book.properties.created = book.properties.modified = dt.datetime(year, 1, 1)
        paths.append(tmp_path / f"{n}.xlsx")
        book.save(paths[-1])
    assert paths[0].read_bytes() != paths[1].read_bytes()
    for path in paths:
        normalise_xlsx(path, STAMP)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert b"2007-06-30T12:00:00Z" in _member(paths[0], "docProps/core.xml")


def test_a_workbook_dated_from_the_stamp_already_is_left_as_it_is(tmp_path):
    """A workbook the stage saved with the run's stamp (save_workbook) is not rewritten:
    rewriting it gives the same bytes. Another stamp, or none, still rewrites it."""
    from pipeline.inputs.cells import fix_zip_dates, save_workbook, zip_dated

    book = Workbook()
    book.active["A1"] = "value"
    path = tmp_path / "dated.xlsx"
    path.write_bytes(save_workbook(book, STAMP))
    data = path.read_bytes()
    assert zip_dated(data, STAMP) and fix_zip_dates(data, STAMP) == data
    assert not zip_dated(data, "2007-06-30T12:00:02") and not zip_dated(b"not a zip", STAMP)
    before = path.stat()
    normalise_xlsx(path, STAMP)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert path.read_bytes() == data
    normalise_xlsx(path, "2008-01-01T00:00:00")   # another stamp: rewritten with it
    assert path.stat().st_ino != before.st_ino
    assert b"2008-01-01T00:00:00Z" in _member(path, "docProps/core.xml")
    raw = tmp_path / "raw.xlsx"
    book.save(raw)                                 # openpyxl's own dates: not dated
    assert not zip_dated(raw.read_bytes(), STAMP)


def _member(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as book:
        return book.read(name)


# End-to-end on a copy of the demo data (one test changes an input, then puts it back).

def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, laa1_project):
    """The demo as run with ``--generated-at`` alone, in a copy of the project the session
    ran it in (conftest; one test changes an input of the copy, then puts it back): its
    folders, period and meeting given here as options."""
    out = tmp_path_factory.mktemp("reproducible")
    project, env = project_env(laa1_project, out / "project")
    data, clean = project / "data" / "raw", project / "data" / "clean"
    args = ["--data-dir", str(data), "--clean-dir", str(clean),
            "--reports-dir", str(project / "reports"), "--period", "2006-07 Q4",
            "--meeting", MEETING]
    report = project / "reports" / MEETING
    return {"args": args, "out": out, "data": data, "report": report, "clean": clean,
            "manifest": report / "manifest.json", "env": env}


def _laa(demo, *args: str):
    """``laa ARGS`` on the demo's project, in this process (:func:`tests.in_process.laa_here`:
    these tests are about what a run, a rerun or a trace makes, not how the program starts)."""
    return laa_here(*args, env=demo["env"])


def _outputs(demo) -> dict[str, str]:
    """Every file a run wrote, but the manifest (run-time facts) and any volatile output."""
    found = {f"report/{p}": h for p, h in _hashes(demo["report"]).items()
             if p != "manifest.json" and not is_volatile("report", p)}
    found.update({f"clean/{p}": h for p, h in _hashes(demo["clean"]).items()})
    return found


@pytest.mark.slow
def test_manifest_records_parameters_inputs_code_environment_stages_and_outputs(demo):
    manifest = read_manifest(demo["manifest"])
    assert manifest["parameters"]["period"] == "2006-07 Q4"
    assert manifest["parameters"]["previous_period"] == "2006-07 Q2"
    assert manifest["parameters"]["generated_at"] == STAMP
    data = demo["data"]
    inputs = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    resubmission = "returns/2006-07_Q4_leicestershire_constabulary_resubmission.csv"
    assert inputs[resubmission] == hashlib.sha256((data / resubmission).read_bytes()).hexdigest()
    assert {"returns.json"} <= {e["path"] for e in manifest["suites"]}
    assert manifest["environment"]["python"] == platform.python_version()
    assert "papermill" in manifest["environment"]["packages"]
    assert set(manifest["code"]) >= {"git_commit", "git_dirty", "package_sha256", "notebooks"}
    assert [s["stage"] for s in manifest["stages"]] == ["ingest", "validate", "benchmark",
                                                          "assess", "appendix", "tables"]
    for timing in manifest["run"]["stages"]:
        assert timing["started_at"] <= timing["ended_at"] and timing["seconds"] >= 0
    roots = {"report": demo["report"], "clean": demo["clean"]}
    paths = set()
    for entry in manifest["outputs"]:
        path = roots[entry["root"]] / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], path
        paths.add(f"{entry['root']}/{entry['path']}")
    assert {"report/appendix.html", "report/notebooks/01_ingest.ipynb",
            "report/notebooks/04_appendix.ipynb", "clean/returns.parquet",
            "clean/assessment.parquet"} <= paths
    # the stages run two at a time are told apart: each file is its writer's
    wrote = {}
    for entry in manifest["outputs"]:
        wrote.setdefault(entry["stage"], set()).add(f"{entry['root']}/{entry['path']}")
    assert wrote["benchmark"] == {
        "clean/national.parquet", "clean/national_quarantine.parquet",
        "clean/national_validation_results.parquet", "clean/benchmark_ranks.parquet",
        "clean/benchmark_members.parquet", "clean/benchmark_groups.json",
        "report/notebooks/02_benchmark.ipynb"}
    assert "clean/returns.parquet" in wrote["validate"]
    assert all(p.startswith("report/data-quality/") or p.startswith("clean/")
               or p == "report/notebooks/02_validate.ipynb" for p in wrote["validate"])
    assert wrote["tables"] == {p for p in paths if p.startswith("report/tables/")} | {
        "report/notebooks/04_tables.ipynb"}
    assert not any(p.startswith("report/tables/") for p in wrote["appendix"])


@pytest.mark.slow
def test_executed_notebooks_carry_no_timestamps_and_name_the_published_folder(demo):
    text = (demo["report"] / "notebooks" / "02_validate.ipynb").read_text(encoding="utf-8")
    assert '"start_time"' not in text and '"iopub.status.busy"' not in text
    assert ".staging-" not in text
    notebook = json.loads(text)   # the published folder, named from the project root
    assert notebook["metadata"]["papermill"]["output_path"] == \
        f"reports/{MEETING}/notebooks/02_validate.ipynb"


@pytest.mark.slow
def test_unchanged_inputs_and_parameters_recompute_nothing(demo):
    manifest = demo["manifest"].read_bytes()
    proc = _laa(demo, "run", *demo["args"])  # no --generated-at: the published stamp is kept
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout and " ..." not in proc.stdout
    assert demo["manifest"].read_bytes() == manifest


@pytest.mark.slow
def test_only_the_stage_whose_output_is_gone_is_recomputed(demo):
    before = _outputs(demo)
    (demo["clean"] / "assessment.parquet").unlink()
    proc = _laa(demo, "run", *demo["args"], "--generated-at", STAMP)
    assert proc.returncode == 0, proc.stderr
    for stage in ("ingest", "validate", "benchmark", "appendix", "tables"):  # same inputs
        assert f"{stage} unchanged: reused" in proc.stdout
    assert "[4/6] assess done in" in proc.stdout
    assert _outputs(demo) == before


@pytest.mark.slow
def test_a_forced_second_run_gives_byte_identical_outputs(laa1_project, laa1_moved):
    """The demo's run (conftest's ``laa1_project``) run again with ``--force`` in a copy of
    its project (once per session: ``laa1_moved``, which tests/test_moved_checkout.py reads
    too)."""
    first, second = ({"report": p / "reports" / MEETING, "clean": p / "data" / "clean"}
                     for p in (laa1_project["project"], laa1_moved["project"]))
    before, manifest = _outputs(first), read_manifest(first["report"] / "manifest.json")
    assert "unchanged: reused" not in laa1_moved["forced_stdout"]
    assert _outputs(second) == before
    again = read_manifest(second["report"] / "manifest.json")
    assert deterministic_part(again) == deterministic_part(manifest)
    assert again["run"] != manifest["run"]
    volatile = {o["path"] for o in again["outputs"] if o.get("volatile")}
    assert volatile == set()
    assert {"report/data-quality/report.html", "report/data-quality/validation-results.json",
            "report/data-quality/validation-results.csv", "report/data-quality/scorecard.html",
            "report/data-quality/validation-failures.csv"} <= set(before)


@pytest.mark.slow
def test_rerun_from_the_manifest_rebuilds_the_same_outputs(demo):
    before = _outputs(demo)
    proc = _laa(demo, "rerun", str(demo["manifest"]))
    assert proc.returncode == 0, proc.stderr
    assert "inputs match the manifest" in proc.stdout
    assert "outputs hash as the manifest recorded" in proc.stdout
    assert _outputs(demo) == before


@pytest.mark.slow
def test_rerun_refuses_when_an_input_changed_naming_the_file(demo):
    name = "returns/2006-07_Q4_leicestershire_waste_partnership.csv"
    path = demo["data"] / name
    original = path.read_bytes()
    before = _hashes(demo["report"])
    try:
        path.write_bytes(original + b"\n")
        proc = _laa(demo, "rerun", str(demo["manifest"]))
    finally:
        path.write_bytes(original)
    assert proc.returncode == 8
    assert proc.stderr.strip().splitlines() == [
        f"laa rerun failed: refusing to rerun: input {name} no longer hashes as recorded "
        f"(folder {demo['data']})"]
    assert _hashes(demo["report"]) == before


@pytest.mark.slow
def test_trace_takes_a_demo_figure_back_to_its_raw_rows(demo):
    proc = _laa(demo, "trace", "7.20", "--period", "2006-07 Q4", *demo["args"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "7.20 Domestic Burglary (Safer)"
    assert lines[1] == ("  appendix figure: 3,202 at 2006-07 Q4 against a target of 2,470 for "
                        "2006-07: 29.6% off; computed Red, lead Red, final Red")
    assert f"as published in {demo['report'] / 'appendix.html'}" in lines[2]
    text = proc.stdout
    assert "<- in force: value 3,202 for 2006-07 Q4, county, final" in text
    assert ("raw: returns/2006-07_Q4_leicestershire_constabulary_resubmission.csv, row 64, "
            "sha256 ") in text
    assert "<- superseded: value 3,220 for 2006-07 Q4, county, final" in text
    assert ("raw: returns/2006-07_Q4_leicestershire_constabulary.xlsx, sheet Returns, row 64"
            in text)
    assert "submitted by Gary Whitworth on 14 May 2007 at 15:36:08" in text
    assert text.count("(file unchanged)") == 2
    assert "indicator_id=7.20; period=2006-07 Q4; geography=county; value=3202" in text


@pytest.mark.slow
def test_an_option_alone_reruns_only_the_stages_it_touches_and_reruns_as_made(demo):
    """Without --generated-at, a new --formats remakes the appendix alone: the stamp is the
    documents' date, not a reason to remake the rest. The validation and the tables keep
    the stamp they were made with (the manifest records each stage's), so `laa rerun`
    rebuilds the same bytes."""
    proc = _laa(demo, "run", *demo["args"], "--formats", "html")  # no --generated-at
    assert proc.returncode == 0, proc.stderr
    for stage in ("ingest", "validate", "benchmark", "assess", "tables"):
        assert f"{stage} unchanged: reused" in proc.stdout, proc.stdout
    assert "[5/6] appendix done in" in proc.stdout
    manifest = read_manifest(demo["manifest"])
    stamps = {s["stage"]: s.get("generated_at") for s in manifest["stages"]}
    now = manifest["parameters"]["generated_at"]
    assert now != STAMP and stamps == {"ingest": None, "validate": STAMP, "benchmark": None,
                                       "assess": None, "appendix": now, "tables": STAMP}
    before = _outputs(demo)
    proc = _laa(demo, "rerun", str(demo["manifest"]))
    assert proc.returncode == 0, proc.stderr
    assert "outputs hash as the manifest recorded" in proc.stdout
    assert _outputs(demo) == before
