"""The ``laa`` command line: run, validate, rerun a meeting, trace a figure; distinct exit codes.

:func:`main` parses the arguments (:mod:`pipeline.cli.parser`), calls the command's handler
(:mod:`pipeline.cli.commands`) and turns what it raises into an exit code and one line.
"""

from __future__ import annotations

import gc
import signal
import sys

from pipeline.errors import LaaError, StageFailed

FORCED = ("run", "validate")  # with --force, every stage runs: its fork server starts first

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it stops its kernels and its staging."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit code (see :data:`pipeline.cli.parser.EXIT_CODES`);
    ``laa`` alone prints the help.

    ``laa run --force`` (or ``validate``) runs every stage: the run's fork server
    (:mod:`pipeline.run.kernel_forks`) is started before anything else is imported, so it
    imports what the kernels need while this process loads its configuration.

    As the program (``argv`` None: the ``laa`` command), it leaves every object it made out
    of the garbage collector's sight as it ends (``gc.freeze``): Python's exit would
    otherwise go through all of them (pandas, papermill, jupyter_client and what they hold)
    again, about 0.2 s at the end of each run, for files already written and closed.
    Called with arguments (from Python, a test), it leaves the collector as it was.
    """
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    early = bool(argv[:1]) and argv[0] in FORCED and "--force" in argv
    if early:
        from pipeline.project import find_project_root
        from pipeline.run import kernel_forks

        try:
            kernel_forks.start_early(str(find_project_root()))
        except LaaError:  # no project there: the command says so below
            pass
    try:
        return _main(argv)
    finally:
        if early:
            kernel_forks.discard_early()
        if program:
            gc.freeze()


def build_parser():
    """The command line's parser (:func:`pipeline.cli.parser.build_parser`)."""
    from pipeline.cli.parser import build_parser

    return build_parser()


def _main(argv: list[str]) -> int:
    from pipeline.cli.commands import COMMANDS

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    action = COMMANDS[args.command]
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

