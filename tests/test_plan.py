"""What a run reuses: the meeting's own published stages, or those of its latest
``laa validate`` when their keys match (pipeline/run/plan.py), on tiny folders."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.config import load_settings
from pipeline.run.manifest import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    fingerprint,
    output_entry,
    try_read_manifest,
    write_manifest,
)
from pipeline.run.plan import (
    STAGES,
    VALIDATE_STAGES,
    Plan,
    earlier_manifests,
    published_folder,
)

STAMP = "2007-09-03T09:00:00+00:00"
VALIDATE = tuple(s for s in STAGES if s[0] in VALIDATE_STAGES)


@pytest.fixture
def project(tmp_path):
    """A tiny data folder, suites, package and notebooks; the demo's settings with their
    output folders under ``tmp_path``; each stage of ``laa validate`` 'made' (one clean
    and one report file each, keyed as the validate's plan keys them) and its manifest
    published into the meeting's ``validation/``."""
    data, suites, package, notebooks = (tmp_path / n for n in ("data", "suites", "package",
                                                               "notebooks"))
    for folder in (data / "returns", suites, package, notebooks):
        folder.mkdir(parents=True)
    (data / "returns" / "police.csv").write_bytes(b"indicator_id,value\n7.20,3202\n")
    (suites / "returns.json").write_bytes(b"{}")
    (package / "m.py").write_bytes(b"x = 1\n")
    for _, notebook in STAGES:
        (notebooks / notebook).write_text(notebook, encoding="utf-8")
    settings = load_settings(period="2006-07 Q4", meeting="2007-09-03", generated_at=STAMP,
                             clean_dir=str(tmp_path / "clean"),
                             reports_dir=str(tmp_path / "reports"))

    def facts():
        return fingerprint(data, suites, package, [notebooks / n for _, n in STAGES])

    folder = published_folder(settings, "validate")
    made = Plan(settings, VALIDATE, facts(), None, folder, False)
    stages, outputs = [], []
    for step in made.steps:  # a stage is keyed on the outputs of the steps before its own
        upstream = list(outputs)
        for stage, notebook in step:
            key = made.decide(stage, notebook, upstream)[0]
            stages.append({"stage": stage, "key": key, "generated_at": STAMP})
            for root_name, root, name in (("clean", settings.clean_dir, f"{stage}.parquet"),
                                          ("report", folder, f"notebooks/{notebook}")):
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(f"{stage} {root_name}", encoding="utf-8")
                outputs.append(output_entry(root_name, root, root / name, stage))
    write_manifest(folder / MANIFEST_NAME, {
        "manifest_version": MANIFEST_VERSION, "command": "validate", "stages": stages,
        "outputs": outputs,
        "parameters": made.parameters, "run": {"ended_at": "2007-09-01T10:00:00+00:00"}})
    return {"settings": settings, "facts": facts, "data": data, "suites": suites,
            "folder": folder}


def run_plan(project, settings=None, force=False, stages=STAGES) -> Plan:
    """A run's plan as ``laa run`` makes it: its manifests found by earlier_manifests."""
    settings = settings or project["settings"]
    previous, *validated = (try_read_manifest(p) for p in earlier_manifests(settings, "run"))
    return Plan(settings, stages, project["facts"](), previous, settings.report_dir, force,
                True, {}, *validated)


def test_a_run_looks_for_the_meetings_manifest_then_its_validates_a_validate_its_own(project):
    settings = project["settings"]
    assert earlier_manifests(settings, "run") == [
        settings.report_dir / MANIFEST_NAME, settings.report_dir / "validation" / MANIFEST_NAME]
    assert earlier_manifests(settings, "validate") == [
        settings.report_dir / "validation" / MANIFEST_NAME]


def test_a_run_after_validate_reuses_its_three_stages_and_says_from_where(project):
    plan = run_plan(project)
    reuses = plan.predict()
    assert [r.stage for r in reuses[:3]] == ["ingest", "validate", "benchmark"]
    assert reuses[3] is None                                 # assess: never made by validate
    for reuse in reuses[:3]:
        assert reuse.folder == project["folder"]           # copied from validation/
        assert reuse.source == {"manifest": "validation/manifest.json", "command": "validate",
                                "ended_at": "2007-09-01T10:00:00+00:00"}
    assert [s for s, _ in plan.to_run()] == ["assess", "appendix", "tables"]
    assert not plan.up_to_date("run")


def test_a_plan_whose_every_stage_comes_from_validate_is_not_up_to_date(project):
    """The meeting's folder holds none of what validate made: it must be built."""
    plan = run_plan(project, stages=VALIDATE)
    assert all(plan.predict()) and not plan.up_to_date("run")


@pytest.mark.parametrize("change", ["return edited", "return added", "another engine",
                                    "suite edited", "another period", "forced",
                                    "output changed"])
def test_anything_changed_since_validate_makes_the_run_recompute(project, change):
    settings, force = project["settings"], False
    if change == "return edited":
        (project["data"] / "returns" / "police.csv").write_bytes(
            b"indicator_id,value\n7.20,3220\n")
    elif change == "return added":
        (project["data"] / "returns" / "late.csv").write_bytes(b"indicator_id,value\n")
    elif change == "another engine":  # the partnership's rules choose the suites' engine
        (project["data"] / "register").mkdir()
        (project["data"] / "register" / "rules.toml").write_text(
            '[quality]\nvalidation_engine = "great_expectations"\n', encoding="utf-8")
    elif change == "suite edited":
        (project["suites"] / "returns.json").write_bytes(b'{"expectations": []}')
    elif change == "another period":
        settings = replace(settings, period="2006-07 Q3")
    elif change == "forced":
        force = True
    else:  # validate's data written over since (another run of the same clean folder)
        (settings.clean_dir / "ingest.parquet").write_text("other", encoding="utf-8")
    plan = run_plan(project, settings, force)
    assert plan.predict() == [None]
    assert [s for s, _ in plan.to_run()] == [s for s, _ in STAGES]


def test_the_meetings_own_manifest_is_tried_first(project):
    settings = project["settings"]
    validated = try_read_manifest(project["folder"] / MANIFEST_NAME)
    own = settings.report_dir / "notebooks" / "01_ingest.ipynb"
    own.parent.mkdir(parents=True)
    own.write_text("ingest report", encoding="utf-8")
    outputs = [o for o in validated["outputs"] if o["stage"] == "ingest"]
    outputs = [o if o["root"] == "clean" else output_entry("report", settings.report_dir,
                                                            own, "ingest") for o in outputs]
    write_manifest(settings.report_dir / MANIFEST_NAME, {**validated, "command": "run",
                                                         "outputs": outputs})
    first = run_plan(project).predict()[0]
    assert first.source is None and first.folder == settings.report_dir


def test_the_run_copies_validates_outputs_and_its_manifest_says_so(project, tmp_path):
    """pipeline/run/steps.py: a stage reused from validate has its report outputs copied
    from ``validation/`` into the build, and its run-time facts name the manifest."""
    from pipeline.run.steps import execute_steps

    plan, lines, released = run_plan(project, stages=VALIDATE), [], []

    class Kernels:
        def release(self, stage):
            released.append(stage)

    staged = replace(project["settings"], reports_dir=tmp_path / "staging")
    staged.report_dir.mkdir(parents=True)
    result, records, outputs, timings = execute_steps(plan, staged, lines.append, Kernels())
    assert result.reused == released == ["ingest", "validate", "benchmark"]
    assert lines[0] == ("[1/3] ingest unchanged: reused from laa validate "
                        "(validation/manifest.json)")
    assert (staged.report_dir / "notebooks" / "02_validate.ipynb").read_text(
        encoding="utf-8") == "validate report"
    assert [t["reused_from"]["manifest"] for t in timings] == ["validation/manifest.json"] * 3
    assert all(not t["recomputed"] for t in timings)
