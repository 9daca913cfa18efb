"""The ``laa`` command line: run the pipeline or its quality checks, with distinct exit codes."""

from __future__ import annotations

import argparse
import sys

from pipeline.config import DEMO_MEETING, DEMO_PERIOD, load_settings
from pipeline.errors import LaaError

EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``laa``."""
    parser = argparse.ArgumentParser(
        prog="laa", description="LAA performance reporting: partner returns in, board "
        "appendices out. With no options, runs the shipped demo (2006-07 Q4).")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "ingest, validate, assess and render the board appendix"),
                       ("validate", "ingest and validate only (for auditors)")):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--period", default=DEMO_PERIOD,
                         help="period assessed, e.g. '2006-07 Q4' (default: %(default)s)")
        sub.add_argument("--meeting", default=DEMO_MEETING,
                         help="board meeting date, YYYY-MM-DD (default: %(default)s)")
        sub.add_argument("--data-dir", default=None,
                         help="folder holding register/ and returns/ (default: data/raw)")
        sub.add_argument("--clean-dir", default=None, help="derived data (default: data/clean)")
        sub.add_argument("--reports-dir", default=None, help="reports (default: reports)")
        sub.add_argument("--generated-at", default=None,
                         help="fix the generated-at stamp (default: now, UTC)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit code (0 ok; 2 config; 3 register; 4 input; 5 quality...)."""
    args = build_parser().parse_args(argv)
    from pipeline.run import STAGES, run_pipeline

    try:
        settings = load_settings(period=args.period, meeting=args.meeting,
                                 data_dir=args.data_dir, clean_dir=args.clean_dir,
                                 reports_dir=args.reports_dir, generated_at=args.generated_at)
        stages = STAGES if args.command == "run" else STAGES[:2]
        print(f"laa {args.command}: period {settings.period}, meeting {settings.meeting}, "
              f"data {settings.data_dir}", flush=True)
        run_pipeline(settings, stages, progress=lambda line: print(line, flush=True))
    except LaaError as exc:
        print(f"laa {args.command} failed: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"laa {args.command} interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"laa {args.command}: done; reports in {settings.report_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
