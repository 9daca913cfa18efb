"""``laa report``: the covering report and the board summary as DOCX, after a run.

The documents are built by :mod:`pipeline.report.covering` from the published run's derived
data; this module checks that run (its manifest, its derived data unchanged) and writes them
into its meeting folder under the run locks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.run.locking import run_lock
from pipeline.run.manifest import (
    MANIFEST_NAME,
    NOT_RUN_INPUTS,
    changed_files,
    hash_tree,
    mismatched_outputs,
    try_read_manifest,
)

REGISTER = "register/"      # the inputs' paths of the data folder's register


def published_settings(settings: Settings) -> Settings:
    """The settings of the run published for ``settings``' meeting, read from its manifest
    (its generated-at stamp and previous review), after checking that the run was for
    ``settings.period`` and that the derived data it wrote are still there, unchanged.

    Raises
    ------
    ConfigError
        If no run was published for the meeting, it was for another period, its derived
        data have changed since (another run wrote the folder), or the register has (the
        auditor's findings edited, say: :func:`changed_register`): exit 2, nothing written.
    """
    again = (f"run `laa run --period '{settings.period}' --meeting {settings.meeting}` "
             "first (with the same --data-dir)")
    path = settings.report_dir / MANIFEST_NAME
    manifest = try_read_manifest(path)
    if manifest is None or manifest.get("command") != "run":
        raise ConfigError(f"no appendix published for meeting {settings.meeting}: {again}",
                          file=str(path))
    parameters = manifest["parameters"]
    if parameters.get("period") != settings.period:
        raise ConfigError(f"the appendix published for meeting {settings.meeting} is for "
                          f"{parameters.get('period')}, not {settings.period}: {again}",
                          file=str(path))
    derived = [o for o in manifest["outputs"] if o["root"] == "clean"]
    changed = mismatched_outputs(derived, {"clean": settings.clean_dir})
    if changed:
        raise ConfigError(f"the derived data in {settings.clean_dir} are no longer those of "
                          f"the appendix published for meeting {settings.meeting} "
                          f"({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''} "
                          f"differ): {again}", file=str(path))
    _refuse_changed_register(manifest, settings, again, path)
    return replace(settings, generated_at=parameters["generated_at"],
                   previous_period=parameters["previous_period"])


def changed_register(recorded: list[dict[str, object]], data_dir: Path) -> list[str]:
    """The register files whose bytes differ from those the run read (``recorded``: the
    manifest's ``inputs``), sorted, as :func:`pipeline.run.manifest.changed_files` names
    them (changed, ``(missing)`` or ``(new)``); the officer's words
    (:data:`pipeline.run.manifest.NOT_RUN_INPUTS`), written after the run, left out."""
    def register_files(folder: Path) -> list[dict[str, object]]:
        entries = [{**e, "path": REGISTER + str(e["path"])}
                   for e in hash_tree(folder / REGISTER.rstrip("/"))]
        return [e for e in entries if e["path"] not in NOT_RUN_INPUTS]

    mine = [e for e in recorded if str(e["path"]).startswith(REGISTER)]
    return changed_files(mine, data_dir, hashed=register_files)


def findings_among(changed: list[str]) -> list[str]:
    """Those of ``changed`` (as :func:`changed_register` names them) that are the auditor's
    findings file."""
    from pipeline.inputs.audit_findings import NAMES as FINDINGS_FILES

    return [c for c in changed if c.split(" ")[0].removeprefix(REGISTER) in FINDINGS_FILES]


def _refuse_changed_register(manifest: dict, settings: Settings, again: str,
                             path: Path) -> None:
    """Refuse (exit 2) when the register differs from the one the run read: the documents
    would be built from the new register (the auditor's findings, the issues Government
    Office raised, the themes' names ...) while the appendix and the summary they cover
    show the run's."""
    changed = changed_register(manifest["inputs"], settings.data_dir)
    if not changed:
        return
    what = ("the auditor's findings have changed" if findings_among(changed)
            else "the register has changed")
    raise ConfigError(f"{what} since the appendix for meeting {settings.meeting} was "
                      f"published ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''}"
                      "), so the documents would disagree with the appendix and summary they "
                      f"cover: {again.replace('run `', 'rerun `', 1)}, then `laa report`",
                      file=str(path))


def write_covering_documents(settings: Settings) -> list[Path]:
    """Write ``covering-report.docx`` and ``summary.docx`` into the meeting's published
    folder (each whole, or not at all) from the published run's derived data and the
    officer's words (see :func:`published_settings`, :func:`read_covering_words`), holding
    the run locks of the meeting and the clean folder, so no run changes them meanwhile.

    Raises
    ------
    RunLocked
        When a run of the meeting, or one using the clean folder, is under way (exit 7).
    """
    from pipeline.inputs.covering_words import read_covering_words

    words = read_covering_words(settings.register_dir)  # a bad file: refused before anything
    with run_lock(settings.reports_dir, settings.clean_dir, settings.meeting):
        run = published_settings(settings)
        # the documents' engines (pandas, python-docx, Typst), once the run is found good
        from pipeline.report.covering import build_board_summary, build_covering_report
        from pipeline.report.frames import load_appendix

        app = load_appendix(run)
        return [build_covering_report(app, words, run.generated_at).save(
                    run.report_dir / "covering-report.docx"),
                build_board_summary(app, run.generated_at).save(
                    run.report_dir / "summary.docx")]
