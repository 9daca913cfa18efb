"""``laa trace``: one appendix figure back to its return rows, re-read from the raw files.

The join of figure and submissions is :mod:`pipeline.report.lineage`'s; this module
re-reads the raw row from the untouched return file, checks the files against the
published manifest, and says it in lines an auditor can follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.figures import format_date, format_number, format_off_target
from pipeline.rag import rag_label
from pipeline.report.lineage import figure_of, first_value, trace_indicator

if TYPE_CHECKING:
    from pipeline.config import Settings

CELL_WIDTH = 60  # long commentary is cut in the printed raw row


def raw_row(returns_dir: Path, source_file: str, source_sheet: str, source_row: int,
            header: str) -> tuple[str, dict[str, str]]:
    """Re-read one row from the raw return file: the file's sha256 now, and its cells.

    ``header`` is the normalised header recorded at ingest (``source_header``), used to
    name the cells. Returns an empty dict of cells if the file or row is gone.
    """
    return _row_cells(_read_return(returns_dir, source_file), source_sheet, source_row,
                      header)


def raw_rows(returns_dir: Path, rows: Iterable[Mapping[str, object]],
             headers: Mapping[str, str]) -> dict[str, tuple[str, dict[str, str]]]:
    """:func:`raw_row`'s answer for each return row (its ``record_id``, ``source_file``,
    ``source_sheet`` and ``source_row``; its header from ``headers`` by ``record_id``), by
    ``record_id``: each file read and hashed once, however many of its rows are asked for.
    """
    read: dict[str, tuple[str, dict[str, list]]] = {}
    found = {}
    for row in rows:
        name = str(row["source_file"])
        if name not in read:
            read[name] = _read_return(returns_dir, name)
        found[row["record_id"]] = _row_cells(read[name], row["source_sheet"],
                                             row["source_row"],
                                             headers.get(row["record_id"], ""))
    return found


def _read_return(returns_dir: Path, source_file: str) -> tuple[str, dict[str, list]]:
    """A raw return file's sha256 now and its rows by sheet (none when it cannot be read);
    ``("", {})`` when the file is gone."""
    from pipeline.inputs.filenames import find_shown
    from pipeline.inputs.readers import read_sheets
    from pipeline.inputs.sheets import Unreadable
    from pipeline.run.manifest import sha256_file

    path = find_shown(returns_dir, source_file)
    if path is None:
        return "", {}
    digest = sha256_file(path)
    try:
        return digest, read_sheets(path, max_bytes=path.stat().st_size + 1).rows
    except Unreadable:
        return digest, {}


def _row_cells(read: tuple[str, dict[str, list]], source_sheet: str, source_row: int,
               header: str) -> tuple[str, dict[str, str]]:
    """One row of a file :func:`_read_return` read: its sha256 and the row's cells."""
    digest, sheets = read
    rows = sheets.get(source_sheet, [])
    if not digest or not 0 < int(source_row) <= len(rows):
        return digest, {}
    names = str(header).split(",") if header else []
    cells = rows[int(source_row) - 1]
    return digest, {(names[i] if i < len(names) and names[i] else f"column {i + 1}"): text
                    for i, text in enumerate(cells) if str(text).strip()}


_PLAIN = str.maketrans("", "", ",%£ ")  # what formatting adds to a figure as sent


def describe_source(source_file: object, source_sheet: object, source_row: object) -> str:
    """Where a row is, as a person reads it: ``returns/q4.xlsx, sheet Returns, row 64``."""
    sheet = f", sheet {source_sheet}" if source_sheet else ""
    return f"returns/{source_file}{sheet}, row {source_row}"


def format_trace(figure: dict[str, object], lineage: pd.DataFrame,
                 raw: dict[str, tuple[str, dict[str, str]]]) -> list[str]:
    """The chain from the figure to the raw rows, as lines to print (pure).

    Figures are printed as the appendix prints them (:mod:`pipeline.figures`), ratings by
    their labels, each return row by file, sheet and row. ``raw`` maps each ``record_id``
    to :func:`raw_row`'s answer.
    """
    unit = str(figure.get("unit") or "count")
    value = format_number(figure.get("value"), unit) or "no value"
    at = f" at {figure['value_period']}" if figure.get("value_period") else ""
    target = format_number(figure.get("target_value"), unit)
    against = (f" against a target of {target} for {figure.get('target_period') or '-'}"
               if target else " with no target")
    lines = [f"{figure['indicator_id']} {figure.get('title', '')} ({figure.get('theme_name', '')})",
             f"  appendix figure: {value}{at}{against}{_off(figure.get('off_target_pct'))}; "
             f"computed {rag_label(figure.get('computed_rag'))}, lead "
             f"{rag_label(figure.get('lead_rag')) or 'not given'}, final "
             f"{rag_label(figure.get('final_rag'))}"]
    if lineage.empty:
        lines.append("  <- no return in force for the period: "
                     f"{figure.get('rag_reason') or 'nothing to trace'}")
        return lines
    places = {r["record_id"]: describe_source(r["source_file"], r["source_sheet"],
                                              r["source_row"]) for _, r in lineage.iterrows()}
    for _, row in lineage.iterrows():
        replaced = (f"; superseded by {places.get(row['superseded_by'], row['superseded_by'])}"
                    if row["superseded_by"] else "")
        digest, cells = raw.get(row["record_id"], ("", {}))
        check = ("file unchanged" if digest == row["source_sha256"] else
                 "FILE MISSING" if not digest else f"FILE CHANGED: now {digest}")
        shown = format_number(float(pd.to_numeric(row.get("value"), errors="coerce")), unit)
        sent = str(row["value_text"])
        differs = shown.translate(_PLAIN) != sent.strip().translate(_PLAIN)
        value_words = (f"{shown} (sent as {sent!r})" if shown and differs
                       else shown or repr(sent))
        lines += [
            f"  <- {row['role']}: value {value_words} for {row['period']}, "
            f"{row['geography']}, {row['data_status']}",
            f"       from {row['partner']}, submitted by {row['submitted_by'] or '(not given)'}"
            f" on {_when(row['submitted_at'])}{replaced}",
            f"       raw: {places[row['record_id']]}, sha256 {row['source_sha256']} ({check})",
        ]
        if cells:
            lines.append("       row: " + "; ".join(f"{k}={_short(v)}" for k, v in cells.items()))
    return lines


def _off(pct: object) -> str:
    """``: 46.2% off``, rounded as the appendix rounds it (half up)."""
    if pct is None or pd.isna(pct):
        return ""
    return f": {format_off_target(float(pct))}"


def _short(text: str, width: int = CELL_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _when(stamp: object) -> str:
    """``14 May 2007 at 15:36:08`` (the time as submitted, to the second)."""
    if stamp is None or pd.isna(stamp):
        return "(unknown date)"
    when = pd.Timestamp(stamp)
    return f"{format_date(when.date().isoformat())} at {when.strftime('%H:%M:%S')}"


def published_runs(settings: Settings) -> list[tuple[Path, dict]]:
    """The manifests (path, contents) of the meetings published for this period from this
    clean folder, by path (a manifest's folder relative to the project root, or absolute
    as older manifests give it)."""
    from pipeline.config import resolve_folder
    from pipeline.run.manifest import MANIFEST_NAME, try_read_manifest

    runs = []
    for path in sorted(settings.reports_dir.glob(f"*/{MANIFEST_NAME}")):
        manifest = try_read_manifest(path) or {}
        params = manifest.get("parameters", {})
        if params.get("period") == settings.period and params.get("clean_dir") and \
                resolve_folder(settings.project_root, params["clean_dir"]) == settings.clean_dir:
            runs.append((path, manifest))
    return runs


def finding_lines(figure: dict[str, object], findings: pd.DataFrame | None,
                  period: str) -> list[str]:
    """The auditor's finding on the figure, as the appendix marks it (pure): one line, or
    none when the findings file has nothing on this figure.

    The figure is matched as :func:`pipeline.report.audit.mark_figures` matches it: its
    indicator and the period of its value (else the period assessed).
    """
    from pipeline.report.audit import FINDING_WORDS, mark_figures

    row = pd.DataFrame([{"indicator_id": figure["indicator_id"],
                         "value_period": figure.get("value_period") or ""}])
    marked = mark_figures(row, findings, period)
    finding = marked["audit_finding"].iloc[0] if "audit_finding" in marked else ""
    if not finding:
        return []
    note = str(marked["audit_note"].iloc[0] or "").rstrip(" .")
    return [f"  auditor's finding: {FINDING_WORDS[finding]}" + (f": {note}" if note else "")]


def findings_changed_note(settings: Settings, runs: list[tuple[Path, dict]]) -> list[str]:
    """A line for each published meeting of ``runs`` (:func:`published_runs`) whose run read
    other findings than the register holds now (its appendix marks the run's, the trace
    prints today's)."""
    from pipeline.run.covering_run import changed_register, findings_among

    notes = []
    for path, manifest in runs:
        params = manifest.get("parameters", {})
        changed = findings_among(changed_register(manifest.get("inputs", []),
                                                  settings.data_dir))
        if changed:
            notes.append(f"  note: the auditor's findings have changed since "
                         f"{path.parent / 'appendix.html'} was built ({', '.join(changed)}); "
                         f"`laa run --period '{settings.period}' --meeting "
                         f"{params.get('meeting', path.parent.name)}` marks them there")
    return notes


def published_note(runs: list[tuple[Path, dict]], assessment_file: Path,
                   returns_file: Path) -> list[str]:
    """Which published meeting(s) of ``runs`` (:func:`published_runs`: this period's) the
    clean data is behind, checked by hash."""
    from pipeline.run.manifest import sha256_file

    now = {p.name: sha256_file(p) for p in (assessment_file, returns_file) if p.is_file()}
    notes = []
    for path, manifest in runs:
        recorded = {o["path"]: o["sha256"] for o in manifest.get("outputs", [])
                    if o.get("root") == "clean" and o.get("path") in now}
        where = path.parent / "appendix.html"
        if recorded and recorded == {k: v for k, v in now.items() if k in recorded}:
            notes.append(f"  as published in {where} (clean data matches its manifest)")
        else:
            notes.append(f"  note: the clean data has changed since {where} was built; "
                         f"`laa rerun {path}` rebuilds it")
    return notes


def trace(settings: Settings, indicator_id: str) -> list[str]:
    """``laa trace``: the chain from an indicator's figure to its raw rows, as lines.

    Reads the clean assessment and returns of ``settings.clean_dir`` and re-reads the raw
    rows from ``settings.returns_dir``.

    Raises
    ------
    ConfigError
        If there is no clean data, or it was computed for another period.
    UnknownKeyError
        If the assessment has no such indicator.
    """
    from pipeline.errors import ConfigError, RegisterError
    from pipeline.inputs.audit_findings import read_audit_findings
    from pipeline.store import clean_path, read_frame

    files = [clean_path(settings, "assessment"), clean_path(settings, "returns")]
    if not all(p.is_file() for p in files):
        raise ConfigError("no assessment in the clean folder: run `laa run` first",
                          folder=str(settings.clean_dir))
    assessment, returns = read_frame(settings, "assessment"), read_frame(settings, "returns")
    assessed_for = first_value(assessment, "period")
    if assessed_for != settings.period:
        raise ConfigError(f"the clean data is assessed for {assessed_for}, not "
                          f"{settings.period}: run (or rerun) that period's meeting first",
                          folder=str(settings.clean_dir))
    figure = figure_of(assessment, indicator_id)
    lineage = trace_indicator(assessment, returns, indicator_id)
    headers = returns.set_index("record_id")["source_header"] \
        if "source_header" in returns else pd.Series(dtype=str)
    raw = raw_rows(settings.returns_dir, (r for _, r in lineage.iterrows()), headers)
    lines = format_trace(figure, lineage, raw)
    try:
        findings = read_audit_findings(settings.register_dir,
                                       list(assessment["indicator_id"]))
        found = finding_lines(figure, findings, settings.period)
    except RegisterError as exc:     # the trace still traces; the file's fault is said
        found = [f"  auditor's findings cannot be read: {exc}"]
    runs = published_runs(settings)
    return (lines[:2] + found + findings_changed_note(settings, runs)
            + published_note(runs, *files) + lines[2:])
