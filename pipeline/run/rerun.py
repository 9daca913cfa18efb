"""Rerunning a past meeting from its manifest: the same inputs, checked, give the same bytes.

``laa rerun reports/<meeting>/manifest.json`` refuses (naming the file) if an input or a
suite no longer hashes as the manifest recorded, then rebuilds every stage with the
manifest's parameters (its generated-at stamp included) and publishes only if every
output hashes as recorded; otherwise the rebuilt folder is kept in staging for comparison.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.config import PACKAGE_DIR, Settings, find_project_root, load_settings
from pipeline.errors import ConfigError, InputsChanged
from pipeline.run.lock import install_command, version_differences
from pipeline.run.manifest import (
    changed_files,
    digest_of,
    environment,
    hash_inputs,
    hash_tree,
    read_manifest,
    sha256_file,
)
from pipeline.run.orchestrate import run_pipeline
from pipeline.run.plan import STAGES
from pipeline.run.steps import RunResult

PARAMETERS = ("period", "meeting", "previous_period", "data_dir", "clean_dir", "reports_dir",
              "generated_at")
OPTIONAL_PARAMETERS = ("formats", "theme", "district", "scenario",
                       "compare_with")  # blank is valid


def resolve_manifest(path: str | Path) -> Path:
    """The manifest's path; a relative one is taken from the project root, not the cwd."""
    path = Path(path)
    return path if path.is_absolute() else find_project_root() / path


def settings_from(manifest: dict) -> Settings:
    """The run's settings, rebuilt from the manifest's parameters."""
    given = manifest.get("parameters", {})
    missing = [p for p in PARAMETERS if not given.get(p)]
    if missing:
        raise ConfigError(f"manifest lacks parameter(s) {', '.join(missing)}")
    return load_settings(**{p: given[p] for p in PARAMETERS},
                         **{p: given.get(p) for p in OPTIONAL_PARAMETERS})


def stages_from(manifest: dict) -> tuple[tuple[str, str], ...]:
    """The stages the manifest's run executed, as
    :data:`pipeline.run.plan.STAGES` entries."""
    known = dict(STAGES)
    names = [s.get("stage") for s in manifest.get("stages", [])]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ConfigError(f"manifest names unknown stage(s) {', '.join(map(str, unknown))}"
                          if unknown else "manifest lists no stages")
    return tuple((n, known[n]) for n in names)


def stamps_from(manifest: dict) -> dict[str, str]:
    """The generated-at stamp each stage ran with, where the manifest records one (a stage
    reused from an earlier run keeps that run's stamp; see
    :meth:`pipeline.run.plan.Plan.decide`)."""
    return {str(s["stage"]): str(s["generated_at"]) for s in manifest.get("stages", [])
            if s.get("stage") and s.get("generated_at")}


def describe_change(entry: str) -> str:
    """``x.csv (missing)`` -> ``x.csv is missing`` etc., for the refusal message (pure)."""
    if entry.endswith(" (missing)"):
        return f"{entry.removesuffix(' (missing)')} is missing"
    if entry.endswith(" (new)"):
        return f"{entry.removesuffix(' (new)')} is new since the run"
    return f"{entry} no longer hashes as recorded"


def check_inputs(manifest: dict, settings: Settings) -> None:
    """Refuse a rerun whose inputs or suites differ from the manifest's.

    Raises
    ------
    InputsChanged
        Naming the first file that differs (missing, new or changed) and how many do.
    """
    for kind, recorded, folder, hashed in (
            ("input", manifest.get("inputs", []), settings.data_dir, hash_inputs),
            ("suite", manifest.get("suites", []), settings.expectations_dir, hash_tree)):
        changed = changed_files(recorded, folder, hashed)
        if changed:
            more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
            raise InputsChanged(f"refusing to rerun: {kind} {describe_change(changed[0])}"
                                f"{more}", folder=str(folder))


def code_notes(manifest: dict, settings: Settings) -> list[str]:
    """Warnings when the code or environment differ from the manifest's (outputs may too)."""
    notes = []
    code = manifest.get("code", {})
    if code.get("package_sha256") != digest_of(hash_tree(PACKAGE_DIR)):
        notes.append(f"note: the pipeline code differs from the run's (commit "
                     f"{code.get('git_commit') or 'unknown'}); outputs may differ")
    notebooks = code.get("notebooks", {})
    for name, sha in sorted(notebooks.items()):
        path = settings.notebooks_dir / name
        if not path.is_file() or sha256_file(path) != sha:
            notes.append(f"note: notebook {name} differs from the run's; outputs may differ")
    return notes + version_notes(manifest.get("environment", {}), environment())


def version_notes(recorded: dict, now: dict) -> list[str]:
    """Warnings when Python or the run's packages differ from the run's environment (pure).

    A rerun goes on (the outputs check decides whether the bytes still match); the package
    warning names each difference and the ``pip install`` that puts back the run's versions.
    """
    notes = []
    if recorded.get("python") != now["python"]:
        notes.append(f"warning: this is Python {now['python']}, the run's was "
                     f"{recorded.get('python') or 'not recorded'}; outputs may differ "
                     f"(the outputs check decides)")
    differences = version_differences(recorded.get("packages", {}), now["packages"])
    if differences:
        named = "; ".join(f"{name} {version} at the run, {installed or 'not'} installed"
                          for name, version, installed in differences)
        count = (f"{len(differences)} packages differ" if len(differences) > 1
                 else "1 package differs")
        command = install_command(differences, sys.executable)
        notes.append(f"warning: {count} from the run's ({named}): outputs may differ (the "
                     f"outputs check decides)"
                     + (f"; to install the run's: {command}" if command else ""))
    return notes


def rerun(manifest_path: str | Path, progress: Callable[[str], None] = print,
          wait: bool = False) -> RunResult:
    """Check the manifest's inputs, rebuild with its parameters, compare the outputs.

    Raises
    ------
    ConfigError
        If the manifest cannot be read or lacks parameters.
    InputsChanged
        If an input or suite differs (nothing is run).
    OutputsDiffer
        If the rebuilt outputs do not hash as recorded (nothing is published).
    """
    manifest = read_manifest(resolve_manifest(manifest_path))
    settings = settings_from(manifest)
    check_inputs(manifest, settings)
    progress(f"inputs match the manifest: {len(manifest.get('inputs', []))} files, "
             f"{len(manifest.get('suites', []))} suites")
    for note in code_notes(manifest, settings):
        progress(note)
    return run_pipeline(settings, stages_from(manifest), progress,
                        command=str(manifest.get("command", "run")), force=True, wait=wait,
                        expected=manifest.get("outputs", []), stamps=stamps_from(manifest))
