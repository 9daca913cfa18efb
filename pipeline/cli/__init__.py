"""The ``laa`` command line: run, validate, rerun a meeting, trace a figure; distinct exit codes.

:func:`main` parses the arguments (:mod:`pipeline.cli.parser`), calls the command's handler
(:mod:`pipeline.cli.commands`) and turns what it raises into an exit code and one line.
"""

from __future__ import annotations

import signal
import sys

from pipeline.cli.commands import COMMANDS
from pipeline.cli.parser import build_parser
from pipeline.errors import LaaError, StageFailed

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it stops its kernels and its staging."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit code (see :data:`pipeline.cli.parser.EXIT_CODES`);
    ``laa`` alone prints the help."""
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

