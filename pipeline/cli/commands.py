"""The commands of ``laa``, one handler each (run and validate, init, rerun, templates,
status, checks, report, audit, trace): each turns the parsed arguments into settings, calls
the pipeline and returns the line to print; :data:`COMMANDS` maps a command to its handler.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import (
    DEMO_MEETING,
    DEMO_PERIOD,
    Settings,
    data_folder,
    is_demo_data,
    load_settings,
)

if TYPE_CHECKING:  # imported when used: `laa --help` needs no pandas
    from pipeline.inputs.register import Register
    from pipeline.run.inputs_check import Findings


def _run(args: argparse.Namespace) -> str:
    settings, loaded = _settings(args, generated_at=args.generated_at,
                                 previous_period=args.previous_period,
                                 formats=getattr(args, "formats", None),
                                 theme=getattr(args, "theme", None),
                                 district=getattr(args, "district", None),
                                 compare_with=getattr(args, "compare_with", None),
                                 scenario=getattr(args, "scenario", None))
    # what runs the stages, imported once the options are found good
    from pipeline.run.inputs_check import InputsCheck, check_inputs, findings_from
    from pipeline.run.orchestrate import run_pipeline
    from pipeline.run.plan import STAGES, VALIDATE_STAGES

    stages = STAGES if args.command == "run" else tuple(
        (stage, notebook) for stage, notebook in STAGES if stage in VALIDATE_STAGES)

    def check(answer: bytes | None = None) -> None:  # fail now, not after three stages
        """The register, the period and the options checked: by the run's fork server
        (its ``answer``), else here (see :mod:`pipeline.run.inputs_check`)."""
        _say(findings_from(answer) or check_inputs(asked, loaded), args.command)
        print(f"laa {args.command}: period {settings.period}, meeting {settings.meeting}, "
              f"data {settings.data_dir}; derived data {settings.clean_dir}, reports "
              f"{settings.reports_dir}", flush=True)

    asked = InputsCheck(str(settings.register_dir), settings.period,
                        theme=settings.theme or "", district=settings.district or "",
                        data_dir=str(settings.data_dir),
                        compare_with=settings.compare_with or "")
    result = run_pipeline(settings, stages, progress=lambda line: print(line, flush=True),
                          command=args.command, force=args.force, wait=args.wait,
                          stamp_given=args.generated_at is not None, check=check,
                          check_payload=None if loaded is not None else asked.payload())
    state = "up to date" if result.up_to_date else "done"
    if args.command == "validate":
        _raise_for_quarantine(settings, result.published)
    return f"{state}; reports in {result.published}"


def _settings(args: argparse.Namespace, meeting_needed: bool = True,
              **options: object) -> tuple[Settings, Register | None]:
    """The settings of a command that reads a data folder, and its register if it was
    loaded on the way: the meeting is ``--meeting``, else the partnership's reporting
    calendar's for the period (``register/calendar.csv``), else the demo's for the demo's
    data folder (another one is refused, exit 2; see :func:`pipeline.config.load_settings`).
    Without ``meeting_needed`` (``laa trace``, which reads no meeting's folder) a data
    folder with no meeting in its calendar takes the demo's date."""
    from pipeline.periods import parse_period

    root, data = data_folder(args.data_dir)
    period = args.period or (DEMO_PERIOD if is_demo_data(root, data) else None)
    meeting, known = getattr(args, "meeting", None), None
    if not meeting and period and _names_meetings(data / "register" / "calendar.csv"):
        from pipeline.inputs.register import load_register

        known = load_register(data / "register")
        listed = known.calendar.loc[known.calendar["period"] == str(parse_period(period)),
                                    "meeting"]
        meeting = next((m for m in listed if m), None)
    if not meeting and not meeting_needed:
        meeting = DEMO_MEETING
    return load_settings(period=args.period, meeting=meeting, data_dir=args.data_dir,
                         clean_dir=args.clean_dir, reports_dir=args.reports_dir,
                         **options), known


def _names_meetings(calendar: Path) -> bool:
    """Whether ``calendar.csv`` exists with a ``meeting`` column (its header read as the
    register reads it: trimmed, lower case). Without one, no register is loaded to look a
    meeting up: the run's kernels start that much sooner (pandas is not imported yet)."""
    import csv

    if not calendar.is_file():
        return False
    try:
        with calendar.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error):
        return True  # the register's reader says what is wrong with it
    return "meeting" in {name.strip().lower() for name in header}


def _check_register(settings: Settings, command: str,
                    known: Register | None = None) -> Register:
    """The register, loaded (unless given) and checked before anything runs: its warnings
    printed, the period refused if it is outside the agreement (exit 2)."""
    from pipeline.run.inputs_check import InputsCheck, check_inputs

    found = check_inputs(InputsCheck(str(settings.register_dir), settings.period), known)
    _say(found, command)
    return found.register


def _say(found: Findings, command: str) -> None:
    """Print the checks' warnings, then raise the error that refuses the run, if any."""
    for warning in found.warnings:
        print(f"laa {command}: warning: {warning}", file=sys.stderr, flush=True)
    if found.error is not None:
        raise found.error


def _init(args: argparse.Namespace) -> str:
    from pipeline.config import (
        DEMO_DATA,
        check_output_folders,
        default_folders,
        find_project_root,
    )
    from pipeline.inputs.scaffold import write_scaffold

    root = find_project_root()
    folder = Path(args.path)
    folder = (folder if folder.is_absolute() else root / folder).resolve()
    clean, reports = default_folders(root, (root / DEMO_DATA).resolve())
    check_output_folders(root, folder, {"the derived-data folder": clean,  # no data folder
                                        "the reports folder": reports})     # inside them
    folder = write_scaffold(folder)
    return (f"wrote {folder}: fill in register/indicators.csv and register/targets.csv "
            "(see its README.md), put returns in returns/, then "
            f"`laa validate --data-dir {folder} --period 'YYYY-YY QN' --meeting YYYY-MM-DD`")


def _raise_for_quarantine(settings, published: object) -> None:
    """``laa validate`` fails (exit 5) when a critical check quarantined anything."""
    from pipeline import store
    from pipeline.errors import ValidationFailed

    quarantine = store.read_frame(settings, "quarantine")
    if quarantine.empty:
        return
    rows = int((quarantine["source_row"] > 0).sum())
    files = int((quarantine["source_row"] == 0).sum())
    raise ValidationFailed(f"critical checks failed: {rows} row(s) and {files} file(s) "
                           f"quarantined; see {published}/data-quality/report.html")


def _cycle_settings(args: argparse.Namespace, generated_at: str | None) -> tuple[Settings,
                                                                                 Register]:
    """Settings and register for ``laa templates`` and ``laa status`` (see
    :func:`_settings`); ``--output`` is checked with the other output folders."""
    settings, known = _settings(args, generated_at=generated_at, output=args.output)
    return settings, _check_register(settings, args.command, known)


def _templates(args: argparse.Namespace) -> str:
    from pipeline.inputs.register import read_partnership
    from pipeline.inputs.templates import write_templates
    from pipeline.periods import parse_period
    from pipeline.quality.checks import period_start
    from pipeline.run.status import check_now, template_figures

    settings, known = _cycle_settings(args, None)
    stamp = args.generated_at or period_start(parse_period(settings.period)).isoformat()
    now = check_now(settings, known)
    folder = settings.output or settings.report_dir / "templates"
    written = write_templates(known, settings.period,
                              template_figures(known, now.checked.clean, settings.period),
                              folder, stamp, read_partnership(settings.register_dir))
    for path in written:
        print(f"laa templates: wrote {path}")
    return f"{len(written)} template(s) for {settings.period} in {folder}"


def _status(args: argparse.Namespace) -> str:
    from pipeline.inputs.templates import deadline_for
    from pipeline.names import slug
    from pipeline.quality.checks import run_stamp
    from pipeline.report.export import write_csv
    from pipeline.run.status import chase_list, check_now, format_chase_list

    settings, known = _cycle_settings(args, args.as_of)
    as_of = run_stamp(settings.generated_at)
    chase = chase_list(known, check_now(settings, known), settings.period)
    text = format_chase_list(chase, settings.period, deadline_for(known, settings.period),
                             as_of)
    print(text, end="")
    path = settings.output or (settings.report_dir / "status"
                               / f"chase-list-{slug(settings.period)}.csv")
    write_csv(chase, path)
    path.with_suffix(".txt").write_text(text, encoding="utf-8")
    return f"chase list written to {path} (and {path.with_suffix('.txt').name})"


def _checks(args: argparse.Namespace) -> str:
    from pipeline.config import find_project_root
    from pipeline.quality.catalogue import format_catalogue, load_catalogue

    print(format_catalogue(load_catalogue(find_project_root() / "expectations")), end="")
    return ""


def _rerun(args: argparse.Namespace) -> str:
    from pipeline.run.manifest import read_manifest, reproducible
    from pipeline.run.rerun import rerun

    result = rerun(args.manifest, progress=lambda line: print(line, flush=True),
                   wait=args.wait)
    outputs = read_manifest(result.manifest)["outputs"]
    same, volatile = len(reproducible(outputs)), len(outputs) - len(reproducible(outputs))
    return (f"done; {same} outputs hash as the manifest recorded"
            + (f" ({volatile} volatile ones not compared)" if volatile else "")
            + f"; reports in {result.published}")


def _report(args: argparse.Namespace) -> str:
    from pipeline.run.covering_run import write_covering_documents

    settings, _ = _settings(args)
    written = write_covering_documents(settings)
    return "wrote " + ", ".join(str(path) for path in written)


def _audit(args: argparse.Namespace) -> str:
    from pipeline.run.audit import check_draw, write_audit_pack

    check_draw(args.sample, args.seed)  # refused before the register is read
    settings, known = _settings(args)
    _check_register(settings, args.command, known)  # a period outside the agreement: exit 2
    written = write_audit_pack(settings, args.sample, args.seed)
    return "wrote " + ", ".join(str(path) for path in written)


def _trace(args: argparse.Namespace) -> str:
    from pipeline.run.trace import trace

    settings, _ = _settings(args, meeting_needed=False)
    print("\n".join(trace(settings, args.indicator)))
    return ""


COMMANDS = {"run": _run, "validate": _run, "rerun": _rerun, "trace": _trace, "init": _init,
            "templates": _templates, "status": _status, "checks": _checks, "report": _report,
            "audit": _audit}
