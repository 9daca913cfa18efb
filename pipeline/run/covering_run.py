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
from pipeline.report.covering import (
    build_board_summary,
    build_covering_report,
    read_covering_words,
)
from pipeline.report.frames import load_appendix
from pipeline.run.locking import run_lock
from pipeline.run.manifest import MANIFEST_NAME, mismatched_outputs, try_read_manifest


def published_settings(settings: Settings) -> Settings:
    """The settings of the run published for ``settings``' meeting, read from its manifest
    (its generated-at stamp and previous review), after checking that the run was for
    ``settings.period`` and that the derived data it wrote are still there, unchanged.

    Raises
    ------
    ConfigError
        If no run was published for the meeting, it was for another period, or its
        derived data have changed since (another run wrote the folder): exit 2, nothing
        written.
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
    return replace(settings, generated_at=parameters["generated_at"],
                   previous_period=parameters["previous_period"])


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
    words = read_covering_words(settings.register_dir)  # a bad file: refused before anything
    with run_lock(settings.reports_dir, settings.clean_dir, settings.meeting):
        run = published_settings(settings)
        app = load_appendix(run)
        return [build_covering_report(app, words, run.generated_at).save(
                    run.report_dir / "covering-report.docx"),
                build_board_summary(app, run.generated_at).save(
                    run.report_dir / "summary.docx")]
