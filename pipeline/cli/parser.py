"""The argument parser of ``laa``: every command, its options and their help, and the
exit codes the help lists.
"""

from __future__ import annotations

import argparse

from pipeline.config import DEMO_MEETING, DEMO_PERIOD

EXIT_CODES = """exit codes: 0 done; 2 parameters or configuration; 3 register; 4 input;
  5 a critical data-quality failure; 6 a stage failed; 7 another run holds the meeting;
  8 a rerun's inputs changed; 9 a rerun's outputs differ; 10 no returns for the period
  (nothing published); 130 interrupted; 143 terminated"""


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
