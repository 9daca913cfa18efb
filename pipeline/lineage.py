"""Lineage: from an appendix figure back to the partner return rows it came from.

The assessment names the submission each figure is computed from (``record_id``); the
clean returns keep, for every row, its file, the file's sha256, sheet, row, partner, who
submitted it and when, and which later submission superseded it. The functions here join
the two (pure), re-read the raw row from the untouched return file, and say it in lines
an auditor can follow (``laa trace``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.errors import UnknownKeyError
from pipeline.tables import format_off_target

if TYPE_CHECKING:
    from pipeline.config import Settings

LINEAGE_COLUMNS = ["indicator_id", "role", "partner", "period", "geography", "value_text",
                   "data_status", "source_file", "source_sha256", "source_sheet",
                   "source_row", "record_id", "submitted_by", "submitted_at", "superseded_by"]
FIGURE_COLUMNS = ["indicator_id", "title", "theme_name", "unit", "value_period", "value",
                  "value_text", "target_period", "target_value", "off_target_pct",
                  "computed_rag", "lead_rag", "final_rag", "rag_reason", "record_id"]
IN_FORCE, SUPERSEDED = "in force", "superseded"
CELL_WIDTH = 60  # long commentary is cut in the printed raw row


def figure_of(assessment: pd.DataFrame, indicator_id: str) -> dict[str, object]:
    """The appendix figure of one indicator: value, target, % off and ratings.

    Raises
    ------
    UnknownKeyError
        If the assessment has no such indicator.
    """
    rows = assessment[assessment["indicator_id"].astype(str) == str(indicator_id)]
    if rows.empty:
        raise UnknownKeyError(f"no indicator {indicator_id!r} in the assessment",
                              period=_first(assessment, "period"))
    row = rows.iloc[0]
    return {c: row[c] for c in FIGURE_COLUMNS if c in row.index}


def lineage_table(assessment: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """For every assessed indicator, the submission in force and the ones it superseded.

    One row per submission, ``role`` ``in force`` first, then ``superseded`` (latest
    first). Indicators with no return for the period have no rows.
    """
    used = assessment.loc[assessment["record_id"].astype(str) != "",
                          ["indicator_id", "record_id"]]
    rows = returns
    in_force = used.merge(rows.drop(columns="indicator_id"), on="record_id", how="inner")
    in_force["role"] = IN_FORCE
    superseded = used.rename(columns={"record_id": "_winner"}).merge(
        rows.drop(columns="indicator_id"), left_on="_winner", right_on="superseded_by",
        how="inner")
    superseded["role"] = SUPERSEDED
    both = pd.concat([in_force, superseded], ignore_index=True)
    both["_order"] = (both["role"] == SUPERSEDED).astype(int)
    both = both.sort_values(["indicator_id", "_order", "submitted_at"],
                            ascending=[True, True, False], kind="stable")
    order = {i: n for n, i in enumerate(assessment["indicator_id"])}
    both = both.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable")
    for column in LINEAGE_COLUMNS:
        if column not in both:
            both[column] = ""
    return both[LINEAGE_COLUMNS].reset_index(drop=True)


def trace_indicator(assessment: pd.DataFrame, returns: pd.DataFrame,
                    indicator_id: str) -> pd.DataFrame:
    """The lineage of one indicator's figure (see :func:`lineage_table`).

    Raises
    ------
    UnknownKeyError
        If the assessment has no such indicator.
    """
    figure_of(assessment, indicator_id)
    one = assessment[assessment["indicator_id"].astype(str) == str(indicator_id)]
    return lineage_table(one, returns)


def raw_row(returns_dir: Path, source_file: str, source_sheet: str, source_row: int,
            header: str) -> tuple[str, dict[str, str]]:
    """Re-read one row from the raw return file: the file's sha256 now, and its cells.

    ``header`` is the normalised header recorded at ingest (``source_header``), used to
    name the cells. Returns an empty dict of cells if the file or row is gone.
    """
    from pipeline.manifest import sha256_file
    from pipeline.readers import Unreadable, read_sheets

    path = returns_dir / source_file
    if not path.is_file():
        return "", {}
    digest = sha256_file(path)
    try:
        sheets = read_sheets(path, max_bytes=path.stat().st_size + 1).rows
    except Unreadable:
        return digest, {}
    rows = sheets.get(source_sheet, [])
    if not 0 < int(source_row) <= len(rows):
        return digest, {}
    names = str(header).split(",") if header else []
    cells = rows[int(source_row) - 1]
    return digest, {(names[i] if i < len(names) and names[i] else f"column {i + 1}"): text
                    for i, text in enumerate(cells) if str(text).strip()}


def format_trace(figure: dict[str, object], lineage: pd.DataFrame,
                 raw: dict[str, tuple[str, dict[str, str]]]) -> list[str]:
    """The chain from the figure to the raw rows, as lines to print (pure).

    ``raw`` maps each ``record_id`` to :func:`raw_row`'s answer.
    """
    lines = [f"{figure['indicator_id']} {figure.get('title', '')} ({figure.get('theme_name', '')})",
             f"  appendix figure: value {_text(figure.get('value_text') or figure.get('value'))}"
             f" ({figure.get('value_period') or 'no value'}) against target "
             f"{_text(figure.get('target_value'))} ({figure.get('target_period') or '-'})"
             f"{_off(figure.get('off_target_pct'))}; computed {figure.get('computed_rag')}, "
             f"lead {figure.get('lead_rag') or '-'}, final {figure.get('final_rag')}"]
    if lineage.empty:
        lines.append("  <- no return in force for the period: "
                     f"{figure.get('rag_reason') or 'nothing to trace'}")
        return lines
    for _, row in lineage.iterrows():
        sheet = f", sheet {row['source_sheet']}" if row["source_sheet"] else ""
        replaced = f"; superseded by {row['superseded_by']}" if row["superseded_by"] else ""
        digest, cells = raw.get(row["record_id"], ("", {}))
        check = ("file unchanged" if digest == row["source_sha256"] else
                 "FILE MISSING" if not digest else f"FILE CHANGED: now {digest}")
        lines += [
            f"  <- {row['role']}: {row['record_id']}: value {row['value_text']!r} for "
            f"{row['period']}, {row['geography']}, {row['data_status']}",
            f"       from {row['partner']}, submitted by {row['submitted_by'] or '(not given)'}"
            f" at {_when(row['submitted_at'])}{replaced}",
            f"       raw: returns/{row['source_file']}{sheet}, row {row['source_row']}, "
            f"sha256 {row['source_sha256']} ({check})",
        ]
        if cells:
            lines.append("       row: " + "; ".join(f"{k}={_short(v)}" for k, v in cells.items()))
    return lines


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "n/a"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def _off(pct: object) -> str:
    """`` (46.2% off)``, rounded as the appendix rounds it (half up)."""
    if pct is None or pd.isna(pct):
        return ""
    return f" ({format_off_target(float(pct))})"


def _short(text: str, width: int = CELL_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _when(stamp: object) -> str:
    return "(unknown)" if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).isoformat()


def _first(frame: pd.DataFrame, column: str) -> str:
    return str(frame[column].iloc[0]) if column in frame and len(frame) else ""


def published_note(settings: Settings, assessment_file: Path, returns_file: Path) -> list[str]:
    """Which published meeting(s) of this period the clean data is behind, checked by hash."""
    from pipeline.manifest import MANIFEST_NAME, sha256_file, try_read_manifest

    now = {p.name: sha256_file(p) for p in (assessment_file, returns_file) if p.is_file()}
    notes = []
    for path in sorted(settings.reports_dir.glob(f"*/{MANIFEST_NAME}")):
        manifest = try_read_manifest(path)
        params = (manifest or {}).get("parameters", {})
        if params.get("period") != settings.period or \
                params.get("clean_dir") != str(settings.clean_dir):
            continue
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
    from pipeline.errors import ConfigError
    from pipeline.store import clean_path, read_frame

    files = [clean_path(settings, "assessment"), clean_path(settings, "returns")]
    if not all(p.is_file() for p in files):
        raise ConfigError("no assessment in the clean folder: run `laa run` first",
                          folder=str(settings.clean_dir))
    assessment, returns = read_frame(settings, "assessment"), read_frame(settings, "returns")
    assessed_for = _first(assessment, "period")
    if assessed_for != settings.period:
        raise ConfigError(f"the clean data is assessed for {assessed_for}, not "
                          f"{settings.period}: run (or rerun) that period's meeting first",
                          folder=str(settings.clean_dir))
    figure = figure_of(assessment, indicator_id)
    lineage = trace_indicator(assessment, returns, indicator_id)
    headers = returns.set_index("record_id")["source_header"] \
        if "source_header" in returns else pd.Series(dtype=str)
    raw = {r["record_id"]: raw_row(settings.returns_dir, r["source_file"], r["source_sheet"],
                                   r["source_row"], headers.get(r["record_id"], ""))
           for _, r in lineage.iterrows()}
    lines = format_trace(figure, lineage, raw)
    return lines[:2] + published_note(settings, *files) + lines[2:]
