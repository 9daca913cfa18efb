"""The ``laa`` command line: run, validate, rerun a meeting, trace a figure; distinct exit codes."""

from __future__ import annotations

import argparse
import signal
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
from pipeline.errors import LaaError, StageFailed

if TYPE_CHECKING:  # imported when used: `laa --help` needs no pandas
    from pipeline.inputs.register import Register

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_CODES = """exit codes: 0 done; 2 parameters or configuration; 3 register; 4 input;
  5 a critical data-quality failure; 6 a stage failed; 7 another run holds the meeting;
  8 a rerun's inputs changed; 9 a rerun's outputs differ; 10 no returns for the period
  (nothing published); 130 interrupted; 143 terminated"""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it stops its kernels and its staging."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated()


def _add_folders(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--data-dir", default=None,
                     help="folder holding register/ and returns/ (default: data/raw, the demo)")
    sub.add_argument("--clean-dir", default=None,
                     help="derived data (default: data/clean for the demo, else "
                          "data/clean/<the data folder's name>)")
    sub.add_argument("--reports-dir", default=None,
                     help="reports (default: reports for the demo, else "
                          "reports/<the data folder's name>)")


PERIOD_HELP = (f"the period of the returns, e.g. '2007-08 Q1' (default: {DEMO_PERIOD} for the "
               "demo's data folder; required for any other)")
MEETING_HELP = ("board meeting date, YYYY-MM-DD (default: the reporting calendar's meeting "
                f"for the period, else {DEMO_MEETING} for the demo's data folder)")


def _add_period_options(sub: argparse.ArgumentParser, meeting_help: str = MEETING_HELP) -> None:
    sub.add_argument("--period", default=None, help=PERIOD_HELP)
    sub.add_argument("--meeting", default=None, help=meeting_help)
    _add_folders(sub)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``laa``."""
    parser = argparse.ArgumentParser(
        prog="laa", description="LAA performance reporting: partner returns in, board "
        "appendices out.\n`laa run` with no options builds the shipped demo's appendix "
        f"({DEMO_PERIOD},\nBoard meeting {DEMO_MEETING}); `laa COMMAND --help` says more.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in (("run", "ingest, validate, assess and render the board appendix"),
                       ("validate", "ingest and validate only (for auditors); published in "
                                    "<reports>/<meeting>/validation/")):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--period", default=None, help=PERIOD_HELP)
        sub.add_argument("--meeting", default=None, help=MEETING_HELP)
        sub.add_argument("--previous-period", default=None,
                         help="the review compared against (default: Q2 for a Q4 period, "
                              "else the quarter or year before)")
        _add_folders(sub)
        sub.add_argument("--generated-at", default=None,
                         help="fix the generated-at stamp (default: now, UTC; kept from the "
                              "last run when nothing changed)")
        sub.add_argument("--force", action="store_true",
                         help="recompute every stage, even those whose inputs are unchanged")
        sub.add_argument("--wait", action="store_true",
                         help="wait for another run of the same meeting instead of refusing")
        if name == "run":
            sub.add_argument("--formats", default="html,pdf",
                             help="formats of the appendix, summary and district pack: "
                                  "html, pdf or both (default: %(default)s)")
            sub.add_argument("--theme", default="",
                             help="only these themes (keys or names, comma-separated)")
            sub.add_argument("--district", default="",
                             help="also produce this district LSP's pack, e.g. Melton")
            sub.add_argument("--compare-with", default="", metavar="GROUP",
                             help="comparator group of the benchmarking section: england "
                                  "(default), region, type, neighbours, or a group of "
                                  "national/groups.csv")
            sub.add_argument("--scenario", default="",
                             help="reward gap analysis: the grant payable if the improvement "
                                  "options deliver, options=approved or options=all "
                                  "(default: as forecast)")
    sub = commands.add_parser(
        "init", help="write a new partnership's data folder: register files, returns/, README",
        description="Write PATH with every register file (headers only), an empty returns/ "
                    "and a README.md of the format. Refuses a folder that is not empty.")
    sub.add_argument("path", help="the new data folder (relative to the project root), "
                                  "later given as --data-dir")
    sub = commands.add_parser(
        "rerun", help="rebuild a past meeting from its manifest and check the outputs match",
        description="Check that the inputs still hash as the manifest recorded (refuse if "
                    "not), rebuild with its parameters, and check every output's hash.")
    sub.add_argument("manifest", help="e.g. reports/2007-09-03/manifest.json (relative to "
                                      "the project root)")
    sub.add_argument("--wait", action="store_true",
                     help="wait for another run of the same meeting instead of refusing")
    sub = commands.add_parser(
        "templates", help="write each partner's XLSX return template for a period",
        description="Write, for every partner leading an indicator, an XLSX return for the "
                    "period: its indicators pre-filled and locked, blank cells to fill in "
                    "with Excel's validation, the deadline and a certification block, and an "
                    "instructions sheet. Into <reports>/<meeting>/templates/ (the meeting: "
                    "--meeting, else the reporting calendar's, else the demo's for the demo's data "
                    "folder).")
    _add_period_options(sub)
    sub.add_argument("--output", default=None,
                     help="write the templates into this folder instead")
    sub.add_argument("--generated-at", default=None,
                     help="date the workbooks (default: the first day of the period, so the "
                          "same register and returns give the same bytes)")
    sub = commands.add_parser(
        "status", help="the chase list: per partner, what is due, came in, is missing, failed",
        description="Read every return now and print, per partner, what is due for the "
                    "period, what came in (file, time, certified or not), what is missing "
                    "and what failed, as text to paste into an e-mail; also written as CSV "
                    "(and the text beside it) in <reports>/<meeting>/status/.")
    _add_period_options(sub)
    sub.add_argument("--as-of", default=None,
                     help="the time the position is for (default: now, UTC)")
    sub.add_argument("--output", default=None,
                     help="write the CSV here instead (the text goes beside it, .txt)")
    commands.add_parser(
        "checks", help="list every check: id, grade, dimension, what it checks, guidance",
        description="Print the check catalogue (expectations/catalogue.toml): each check's "
                    "stable id, grade (FAIL: the row is quarantined; ADVISORY: reported, the "
                    "value counts), Audit Commission dimension, what it checks and how to put "
                    "it right.")
    sub = commands.add_parser(
        "report", help="the officer's covering report and the board summary as DOCX",
        description="After `laa run` has published the meeting, write covering-report.docx "
                    "(the officer's words from register/covering_report.toml around the "
                    "appendix's figures) and summary.docx into <reports>/<meeting>/.")
    _add_period_options(sub)
    sub = commands.add_parser(
        "audit", help="the auditor's spot-check pack: a reproducible sample of figures, "
                      "each traced to its return rows",
        description="After `laa run` has published the meeting, draw a sample of its "
                    "figures (every red or amber reward target, then at random, stratified "
                    "by theme) and write, for each, the figure, its return rows with their "
                    "files' sha256, the checks passed and advisories raised, the "
                    "certification and the lead's commentary, with a place for the "
                    "auditor's finding: <reports>/<meeting>/audit/spot-check.html, .pdf, "
                    "and .xlsx (its Findings sheet to fill in).")
    _add_period_options(sub)
    sub.add_argument("--sample", type=int, default=None, metavar="N",
                     help="figures in all (default: 25; the red and amber reward targets "
                          "are always taken, even if more)")
    sub.add_argument("--seed", type=int, default=None, metavar="S",
                     help="seed of the random draw (default: derived from the period and "
                          "the meeting; the pack prints it)")
    sub = commands.add_parser(
        "trace", help="print the chain from an appendix figure back to the raw return rows",
        description="Print the chain from an indicator's figure to the partner return rows "
                    "it came from, and check the raw files are unchanged.")
    sub.add_argument("indicator", help="indicator id, e.g. 7.20")
    _add_period_options(sub, "accepted as for run (trace reads every appendix published "
                             "for the period, whatever the meeting)")
    return parser


def _run(args: argparse.Namespace) -> str:
    from pipeline.run.orchestrate import STAGES, VALIDATE_STAGES, run_pipeline

    settings, loaded = _settings(args, generated_at=args.generated_at,
                                 previous_period=args.previous_period,
                                 formats=getattr(args, "formats", None),
                                 theme=getattr(args, "theme", None),
                                 district=getattr(args, "district", None),
                                 compare_with=getattr(args, "compare_with", None),
                                 scenario=getattr(args, "scenario", None))
    stages = STAGES if args.command == "run" else tuple(
        (stage, notebook) for stage, notebook in STAGES if stage in VALIDATE_STAGES)

    def check() -> None:  # fail now, not after three stages
        known = _check_register(settings, args.command, loaded)
        if settings.theme or settings.district:
            from pipeline.inputs.register import resolve_district, select_themes

            select_themes(known, settings.theme)
            resolve_district(known, settings.district)
        if settings.compare_with:
            from pipeline.inputs.national import check_group

            check_group(settings.data_dir, settings.compare_with)
        print(f"laa {args.command}: period {settings.period}, meeting {settings.meeting}, "
              f"data {settings.data_dir}; derived data {settings.clean_dir}, reports "
              f"{settings.reports_dir}", flush=True)

    result = run_pipeline(settings, stages, progress=lambda line: print(line, flush=True),
                          command=args.command, force=args.force, wait=args.wait,
                          stamp_given=args.generated_at is not None, check=check)
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
    from pipeline.inputs.register import check_period, load_register

    known = known or load_register(settings.register_dir)
    for warning in known.warnings:
        print(f"laa {command}: warning: {warning}", file=sys.stderr, flush=True)
    check_period(known, settings.period)
    return known


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


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit code (see :data:`EXIT_CODES`); ``laa`` alone prints
    the help."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    action = {"run": _run, "validate": _run, "rerun": _rerun, "trace": _trace,
              "init": _init, "templates": _templates, "status": _status,
              "checks": _checks, "report": _report, "audit": _audit}[args.command]
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        done = action(args)
    except LaaError as exc:
        print(f"laa {args.command} failed: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a folder not writable, a disk full: one line, no traceback
        print(f"laa {args.command} failed: {exc}", file=sys.stderr)
        return StageFailed.exit_code
    except Terminated:
        print(f"laa {args.command} stopped (SIGTERM); nothing published", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print(f"laa {args.command} interrupted; nothing published", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if done:
        print(f"laa {args.command}: {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
