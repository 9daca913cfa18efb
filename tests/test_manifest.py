"""Unit tests of the run manifest and of the content keys that make runs incremental."""

from __future__ import annotations

import json

import pytest

from pipeline.digest import sha256_bytes
from pipeline.errors import ConfigError
from pipeline.run.incremental import reusable, stage_key, written_since
from pipeline.run.manifest import (
    build_manifest,
    changed_files,
    core_headers,
    deterministic_part,
    fingerprint,
    hash_tree,
    is_volatile,
    mismatched_outputs,
    output_entry,
    package_versions,
    read_manifest,
    write_manifest,
)


@pytest.fixture
def tree(tmp_path):
    data = tmp_path / "data"
    (data / "returns").mkdir(parents=True)
    (data / "returns" / "a.csv").write_bytes(b"x,y\n1,2\n")
    (data / "register.csv").write_bytes(b"id\n1\n")
    (data / ".hidden").write_bytes(b"ignored")
    (data / "__pycache__").mkdir()
    (data / "__pycache__" / "m.pyc").write_bytes(b"ignored")
    return data


def test_hash_tree_lists_files_with_sha256_and_leaves_out_hidden_and_caches(tree):
    assert hash_tree(tree) == [
        {"path": "register.csv", "sha256": sha256_bytes(b"id\n1\n"), "bytes": 5},
        {"path": "returns/a.csv", "sha256": sha256_bytes(b"x,y\n1,2\n"), "bytes": 8},
    ]


def test_changed_files_names_changed_missing_and_new(tree):
    recorded = hash_tree(tree)
    assert changed_files(recorded, tree) == []
    (tree / "returns" / "a.csv").write_bytes(b"x,y\n1,3\n")
    (tree / "register.csv").unlink()
    (tree / "returns" / "b.csv").write_bytes(b"new")
    assert changed_files(recorded, tree) == ["register.csv (missing)", "returns/a.csv",
                                             "returns/b.csv (new)"]


def test_fingerprint_digest_follows_content_not_timestamps(tree, tmp_path):
    suites, package = tmp_path / "suites", tmp_path / "package"
    suites.mkdir()
    package.mkdir()
    notebook = tmp_path / "01.ipynb"
    notebook.write_text("{}")
    first = fingerprint(tree, suites, package, [notebook])
    (tree / "register.csv").write_bytes(b"id\n1\n")  # same bytes, new mtime
    assert fingerprint(tree, suites, package, [notebook])["digest"] == first["digest"]
    (tree / "register.csv").write_bytes(b"id\n2\n")
    assert fingerprint(tree, suites, package, [notebook])["digest"] != first["digest"]
    assert first["code"]["notebooks"] == {"01.ipynb": sha256_bytes(b"{}")}
    assert "pandas" in first["environment"]["packages"]


def test_the_lock_enters_the_keys_by_its_versions_not_its_bytes(tree, tmp_path,
                                                                 monkeypatch):
    """A lock edited without a version changed (a comment, a hash, the order) recomputes
    nothing; a pin the installed version differs from does. Its sha256 is still recorded."""
    from pipeline.run import manifest

    suites, package = tmp_path / "suites", tmp_path / "package"
    suites.mkdir()
    package.mkdir()
    lock = {"file": "requirements.lock", "sha256": "a" * 64, "differs_from_installed": []}
    monkeypatch.setattr(manifest, "lock_facts", lambda root, installed: dict(lock))
    first = fingerprint(tree, suites, package, [])
    lock["sha256"] = "b" * 64
    edited = fingerprint(tree, suites, package, [])
    assert edited["digest"] == first["digest"]
    assert edited["environment"]["lock"]["sha256"] == "b" * 64
    lock["differs_from_installed"] = ["pandas==2.0.0 (installed 2.2.3)"]
    assert fingerprint(tree, suites, package, [])["digest"] != first["digest"]


def test_manifest_separates_run_time_facts_and_round_trips(tmp_path, tree):
    facts = {"inputs": hash_tree(tree), "suites": [], "code": {"package_sha256": "p"},
             "environment": {"python": "3.11"}}
    outputs = [output_entry("clean", tree, tree / "register.csv", "ingest")]
    one = build_manifest("run", {"period": "2006-07 Q4"}, facts, {"git_commit": "abc"},
                         [{"stage": "ingest", "key": "k"}], outputs,
                         {"started_at": "t1", "ended_at": "t2"})
    two = build_manifest("run", {"period": "2006-07 Q4"}, facts, {"git_commit": "abc"},
                         [{"stage": "ingest", "key": "k"}], outputs,
                         {"started_at": "t3", "ended_at": "t4"})
    assert one != two and deterministic_part(one) == deterministic_part(two)
    docs = {"root": "report", "path": "docs/20261123T0450Z/x.html", "sha256": "1",
            "volatile": True}
    one["outputs"].append(docs)
    assert deterministic_part(one) == deterministic_part(two)
    path = write_manifest(tmp_path / "r" / "manifest.json", one)
    assert read_manifest(path) == one
    assert path.read_bytes() == write_manifest(tmp_path / "again.json", one).read_bytes()


@pytest.mark.parametrize("content", [None, "not json", json.dumps({"manifest_version": 99})])
def test_unusable_manifest_is_a_config_error_naming_the_file(tmp_path, content):
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match="manifest"):
        read_manifest(path)


def test_nothing_is_volatile_the_data_quality_report_included():
    assert not is_volatile("report", "data-quality/report.html")
    assert not is_volatile("report", "appendix.html")
    assert not is_volatile("clean", "data-quality/report.html")


def test_stage_key_changes_with_each_ingredient_and_ignores_volatile_upstream():
    upstream = [{"root": "clean", "path": "r.parquet", "sha256": "1"}]
    base = stage_key("assess", "nb", {"period": "2006-07 Q4"}, "fp", upstream)
    assert base == stage_key("assess", "nb", {"period": "2006-07 Q4"}, "fp", list(upstream))
    assert base != stage_key("assess", "nb2", {"period": "2006-07 Q4"}, "fp", upstream)
    assert base != stage_key("assess", "nb", {"period": "2006-07 Q3"}, "fp", upstream)
    assert base != stage_key("assess", "nb", {"period": "2006-07 Q4"}, "fp2", upstream)
    changed = [{**upstream[0], "sha256": "2"}]
    assert base != stage_key("assess", "nb", {"period": "2006-07 Q4"}, "fp", changed)
    docs = upstream + [{"root": "report", "path": "d.html", "sha256": "x", "volatile": True}]
    assert base == stage_key("assess", "nb", {"period": "2006-07 Q4"}, "fp", docs)


def test_a_stage_is_reused_only_with_the_same_key_and_unchanged_outputs(tmp_path):
    clean, report = tmp_path / "clean", tmp_path / "report"
    clean.mkdir()
    report.mkdir()
    (clean / "a.parquet").write_bytes(b"a")
    outputs = [output_entry("clean", clean, clean / "a.parquet", "ingest")]
    previous = {"stages": [{"stage": "ingest", "key": "k1"}], "outputs": outputs}
    roots = {"clean": clean, "report": report}
    assert reusable(previous, "ingest", "k1", roots).outputs == outputs
    assert reusable(previous, "ingest", "k2", roots) is None
    assert reusable(None, "ingest", "k1", roots) is None
    (clean / "a.parquet").write_bytes(b"b")
    assert mismatched_outputs(outputs, roots) == ["clean/a.parquet"]
    assert reusable(previous, "ingest", "k1", roots) is None


def test_written_since_finds_new_and_rewritten_files():
    before = {"a": (1, 10), "b": (1, 10)}
    after = {"a": (1, 10), "b": (1, 11), "c": (2, 12)}
    assert written_since(before, after) == ["b", "c"]


def test_the_officers_words_are_not_an_input_of_the_run(tree):
    """register/covering_report.toml is read by `laa report` after a run: editing it must
    not rerun the stages nor make `laa rerun` refuse the meeting."""
    before = hash_tree(tree)
    (tree / "register").mkdir()
    (tree / "register" / "covering_report.toml").write_text('purpose = "x"\n')
    assert hash_tree(tree) == before
    (tree / "register" / "rules.toml").write_text("")
    assert sorted(e["path"] for e in hash_tree(tree)) == [
        "register.csv", "register/rules.toml", "returns/a.csv"]


def test_the_words_file_left_out_of_the_inputs_is_the_one_laa_report_reads():
    from pipeline.inputs.covering_words import COVERING_FILE
    from pipeline.run.manifest import NOT_RUN_INPUTS

    assert NOT_RUN_INPUTS == (f"register/{COVERING_FILE}",)


def test_a_rerun_runs_each_stage_with_the_stamp_the_manifest_recorded_for_it():
    from pipeline.run.rerun import stamps_from

    manifest = {"parameters": {"generated_at": "2026-12-05T06:00:00+00:00"}, "stages": [
        {"stage": "ingest", "key": "k1"},
        {"stage": "validate", "key": "k2", "generated_at": "2007-06-30T12:00:00"},
        {"stage": "appendix", "key": "k3", "generated_at": "2026-12-05T06:00:00+00:00"}]}
    assert stamps_from(manifest) == {"validate": "2007-06-30T12:00:00",
                                     "appendix": "2026-12-05T06:00:00+00:00"}
    assert stamps_from({"stages": [{"stage": "ingest", "key": "k1"}]}) == {}


def test_a_rerun_takes_the_manifest_s_folders_from_the_project_root_relative_or_absolute(
        tmp_path, monkeypatch):
    """`laa rerun` rebuilds the run's settings from its manifest: folders named relative to
    the project root (as runs name them now) are the project root's, never the current
    directory's, and an older manifest's absolute folders are read as they are."""
    from pipeline.config import find_project_root
    from pipeline.run.rerun import settings_from

    root = find_project_root()
    monkeypatch.chdir(tmp_path)
    given = {"period": "2006-07 Q4", "meeting": "2007-09-03", "previous_period": "2006-07 Q2",
             "generated_at": "2007-06-30T12:00:00"}
    relative = {"data_dir": "data/raw", "clean_dir": "data/clean", "reports_dir": "reports"}
    absolute = {name: str(root / folder) for name, folder in relative.items()}
    for folders in (relative, absolute):
        settings = settings_from({"parameters": {**given, **folders}})
        assert (settings.data_dir, settings.clean_dir, settings.reports_dir) == (
            root / "data" / "raw", root / "data" / "clean", root / "reports")


def test_package_versions_are_the_name_and_version_importlib_metadata_parses():
    """Read from each distribution's headers alone: the same names and versions as its
    whole metadata parsed (as the manifest recorded them before), for every package
    installed."""
    from importlib import metadata

    parsed = {}
    for dist in metadata.distributions():
        facts = dist.metadata
        if facts["Name"]:
            parsed[facts["Name"].lower().replace("_", "-")] = facts["Version"]
    assert package_versions() == dict(sorted(parsed.items()))
    assert len(parsed) > 50 and parsed["papermill"]


def test_core_headers_stop_at_the_long_description():
    text = ("Metadata-Version: 2.1\nname: Some_Pkg\nVersion:  1.2 \nSummary: x\n"
            "Description: a folded\n        Name: not-this\n\nName: nor-this\nVersion: 9\n")
    assert core_headers(text) == {"name": "Some_Pkg", "version": "1.2 "}
    assert core_headers("") == {}


def test_a_distutils_egg_info_file_is_listed_as_importlib_metadata_lists_it(tmp_path,
                                                                            monkeypatch):
    """A package installed as a single ``<name>.egg-info`` file (distutils; Debian's
    dist-packages hold several) has its metadata in that file itself, which
    ``importlib.metadata`` reads when neither METADATA nor PKG-INFO is there: the manifest
    lists it too, with its version."""
    (tmp_path / "legacy_thing-1.2.3.egg-info").write_text(
        "Metadata-Version: 1.1\nName: Legacy_Thing\nVersion: 1.2.3\nSummary: x\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert package_versions()["legacy-thing"] == "1.2.3"
