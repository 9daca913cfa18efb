"""One sheet of a return: its header found, its labelled cells read, its rows made a frame.

The return's columns (required and optional), a return template's extra columns and the
labelled cells above its header (:func:`read_block`) are defined here;
:func:`frame_from_rows` turns one sheet's rows into the return's columns plus lineage, or
says why the sheet cannot be used.
"""

from __future__ import annotations

import difflib

import pandas as pd

from pipeline.inputs.sheets import (
    HEADER_ROWS,
    Note,
    SheetNotes,
    cell_name,
    column_label,
    header_score,
    normalise_header,
)

REQUIRED_COLUMNS = ("partner", "indicator_id", "period", "geography", "value", "data_status",
                    "submitted_at")
OPTIONAL_COLUMNS = ("lead_rag", "commentary", "actions", "submitted_by", "confirmation")
RETURN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# A return template (pipeline.inputs.templates): the locked columns it adds for the partner's
# information, the columns the partner fills in, and the labelled cells above its header.
TEMPLATE_INFO_COLUMNS = ("title", "unit", "polarity", "target", "trajectory_point",
                         "last_value", "last_value_period", "baseline", "baseline_period")
TEMPLATE_INPUT_COLUMNS = ("value", "data_status", "lead_rag", "commentary", "actions",
                          "confirmation")
TEMPLATE_MARK = "return_template"
BLOCK_LABELS = {TEMPLATE_MARK: "template", "partner": "template_partner",
                "period": "template_period", "certified_by": "certified_by",
                "date_certified": "certified_on", "certified_on": "certified_on"}
BLOCK_COLUMNS = ["template", "template_partner", "template_period", "certified_by",
                 "certified_by_cell", "certified_on", "certified_on_cell", "submitted_at_cell",
                 "locked_title"]

def _find_header(rows: list[list[str]]) -> int | None:
    best, best_score = None, 2
    for i, row in enumerate(rows[:HEADER_ROWS]):
        score = header_score(row, RETURN_COLUMNS)
        if score > best_score:
            best, best_score = i, score
    return best


def read_block(rows: list[list[str]], sheet: str) -> dict[str, tuple[str, str]]:
    """The labelled cells above a header: ``{name: (text, cell)}`` for each label of
    :data:`BLOCK_LABELS` found as a row's first filled cell, its value in the cell to the
    right (``Certified by | Jane Smith``), ``cell`` naming that cell (``Return!B4``)."""
    found: dict[str, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        filled = [(j, c) for j, c in enumerate(row) if c.strip()]
        if not filled:
            continue
        j, label = filled[0]
        name = BLOCK_LABELS.get(normalise_header(label))
        if name and name not in found:
            text = row[j + 1].strip() if j + 1 < len(row) else ""
            where = cell_name(j + 2, number)
            found[name] = (text, f"{sheet}!{where}" if sheet else where)
    if "template" not in found:   # partner and period are read from templates only
        found = {k: v for k, v in found.items() if k in ("certified_by", "certified_on")}
    return found


def _blank_template_row(row: list[str], header: list[str]) -> bool:
    return not any(c.strip() for h, c in zip(header, row, strict=False)
                   if h in TEMPLATE_INPUT_COLUMNS)


def _missing_columns_reason(header: list[str], dated: bool = False) -> str:
    missing = [c for c in REQUIRED_COLUMNS if c not in header
               and not (dated and c == "submitted_at")]
    if not missing:
        return ""
    notes = []
    for column in missing:
        close = difflib.get_close_matches(column, [h for h in header if h not in RETURN_COLUMNS],
                                          1, 0.75)
        notes.append(f"{column} (found {close[0]!r}: misspelt?)" if close else column)
    return f"missing required column(s): {', '.join(notes)}"


def _duplicate_columns_reason(header: list[str]) -> str:
    places: dict[str, list[str]] = {}
    for i, name in enumerate(header):
        if name in RETURN_COLUMNS:
            places.setdefault(name, []).append(column_label(i + 1))
    twice = [f"{name} (columns {' and '.join(at)})" for name, at in places.items()
             if len(at) > 1]
    if not twice:
        return ""
    return (f"column heading(s) used more than once: {', '.join(twice)}: keep one column of "
            "each, so that no value has to be picked by guess")


def _refs(cells: list[tuple[int, str]], sheet: str, number: int) -> str:
    shown = [f"{sheet + '!' if sheet else ''}{cell_name(j + 1, number)} {text[:40]!r}"
             for j, text in cells[:3]]
    return ", ".join(shown) + (" ..." if len(cells) > 3 else "")


def _row_notes(row: list[str], header: list[str], number: int, notes: SheetNotes,
               sheet: str) -> tuple[Note | None, Note | None]:
    """The row's problem and warning: the reader's, text outside the return's columns, or
    a row with most of its required cells blank (a stray cell, a note typed below)."""
    problem, warning = notes.problems.get(number), notes.warnings.get(number)
    width = len(header)
    stray = [(j, c.strip()) for j, c in enumerate(row)
             if c.strip() and (j >= width or not header[j])]
    filled = [h for h, c in zip(header, row, strict=False) if h in REQUIRED_COLUMNS and c.strip()]
    used = any(c.strip() for h, c in zip(header, row, strict=False) if h in RETURN_COLUMNS)
    if problem is None and stray and not used:
        problem = Note(-1, "the return's columns filled in: this row has text only outside "
                           f"them ({_refs(stray, sheet, number)}), so it was not read")
    elif problem is None and len(filled) * 2 < len(REQUIRED_COLUMNS):
        problem = Note(-1, f"a complete row: only {', '.join(filled) or 'optional columns'} "
                           "filled in; complete the row or delete it")
    elif stray and warning is None:
        warning = Note(-1, "every value under a heading: "
                           f"{_refs(stray, sheet, number)} has no heading and was ignored")
    return problem, warning


def frame_from_rows(rows: list[list[str]], source: dict[str, object],
                    notes: SheetNotes | None = None) -> tuple[pd.DataFrame, str]:
    """Turn one sheet's rows into a frame of the return columns plus lineage.

    Returns the frame and ``""``, or an empty frame and the reason the sheet is unusable:
    a sheet missing a required column, or with one twice, is never half-ingested. Every
    row below the header is either a data row or blank; ``notes`` (from the reader) give
    rows their ``read_problem``/``read_warning``, as do text outside the named columns and
    a row with most required cells blank. A reader's warning about a line above the header
    goes with the first data row.
    """
    notes = notes or SheetNotes()
    header_at = _find_header(rows)
    if header_at is None:
        return pd.DataFrame(), ("no header row found in the first 20 rows (expected columns "
                                + ", ".join(REQUIRED_COLUMNS) + ")")
    header = [normalise_header(c) for c in rows[header_at]]
    while header and not header[-1]:
        header.pop()
    sheet = str(source.get("source_sheet", ""))
    block = read_block(rows[:header_at], sheet)
    template = "template" in block
    reason = (_missing_columns_reason(header, template and "certified_on" in block)
              or _duplicate_columns_reason(header))
    if reason:
        return pd.DataFrame(), reason
    above = [notes.warnings[n] for n in sorted(notes.warnings) if n <= header_at + 1]
    records = []
    for i, row in enumerate(rows):
        if i <= header_at or not row or not any(c.strip() for c in row):
            continue
        problem, warning = _row_notes(row, header, i + 1, notes, sheet)
        if template and problem is None and _blank_template_row(row, header):
            problem = Note(header.index("value") if "value" in header else -1,
                           "a value and data status: this row of the template was left blank, "
                           "so nothing was returned for it (an earlier return, if any, stays "
                           "in force); fill it in, choosing not_available where there is no "
                           "figure, or delete the row")
        if above and warning is None:
            warning = Note(-1, above.pop(0).text)
        records.append((i + 1, row, problem, warning))
    if not records:
        return pd.DataFrame(), "header found but no data rows"
    at = {name: i for i, name in enumerate(header)}
    base = pd.DataFrame({c: [r[at[c]] if c in at and at[c] < len(r) else ""
                             for _, r, _, _ in records] for c in RETURN_COLUMNS}, dtype=str)
    # the columns gathered, then made a frame once (a column set at a time on the frame
    # cost more than reading the sheet); a name given again keeps its place, as on a frame
    out: dict[str, object] = {c: base[c] for c in base.columns}
    numbers = [n for n, _, _, _ in records]
    out["source_row"] = numbers
    for key, value in source.items():
        out[key] = value
    out["source_header"] = ",".join(header)
    known = RETURN_COLUMNS + (TEMPLATE_INFO_COLUMNS if template else ())
    out["unexpected_columns"] = ", ".join(sorted({h for h in header
                                                  if h and h not in known}))
    for name in BLOCK_COLUMNS:
        out[name] = ""
    for name, (text, cell) in block.items():
        out[name] = text
        if name in ("certified_by", "certified_on"):
            out[f"{name}_cell"] = cell
    if template:
        out["template"] = "yes"
        out["locked_title"] = [r[at["title"]] if "title" in at and at["title"] < len(r) else ""
                               for _, r, _, _ in records]
    if "certified_on" in block and "submitted_at" not in at:
        out["submitted_at"] = block["certified_on"][0]   # a template: the date certified
        out["submitted_at_cell"] = block["certified_on"][1]
    out["record_id"] = [f"{source['source_file']}|{source['source_sheet']}|{n}" for n in numbers]

    def named(note: Note | None) -> str:
        return header[note.column] if note and 0 <= note.column < len(header) else ""

    out["read_problem"] = [p.text if p else "" for _, _, p, _ in records]
    out["read_problem_column"] = [named(p) for _, _, p, _ in records]
    out["read_warning"] = [w.text if w else "" for _, _, _, w in records]
    out["read_warning_column"] = [named(w) for _, _, _, w in records]
    out["indicator_id_numeric"] = [(n, at["indicator_id"]) in notes.numeric for n in numbers]
    return pd.DataFrame(out), ""
