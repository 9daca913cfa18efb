"""The auditor's findings beside the figures they are about (issue 24.2).

The findings (:mod:`pipeline.inputs.audit_findings`) are joined to the figures the
appendix prints (:func:`mark_figures`): a qualified or reserved figure carries its mark
(:data:`MARKS`) and the auditor's note wherever it is printed (block tables, risk lists,
the board summary's lines, the tables), and the data-quality section counts what the
auditor checked (:func:`describe_checked`). Every word here is the board's.
"""

from __future__ import annotations

import pandas as pd

from pipeline.figures import format_number
from pipeline.inputs.audit_findings import CHECKED, FINDINGS, MARKED
from pipeline.report.pages import render
from pipeline.report.table_spec import AppendixTable

FINDING_WORDS = {"accepted": "Accepted by the auditor", "qualified": "Qualified by the auditor",
                 "reserved": "Reserved by the auditor", "not checked": "Not checked by the auditor"}
MARKS = {f: FINDING_WORDS[f] for f in MARKED}
HEADING = "The auditor's findings"
FINDING_COLUMN = "Auditor's finding"
NOTE_COLUMN = "Auditor's note"


def mark_figures(frame: pd.DataFrame, findings: pd.DataFrame | None,
                 period: str) -> pd.DataFrame:
    """``frame`` (rows of figures: ``indicator_id``, ``value_period``) with the auditor's
    ``audit_finding`` and ``audit_note`` for each ("" where none); a new frame.

    A finding is about the figure of its indicator for its period: the period of the value
    printed, or else the period assessed (``period``), when the value is of that period's.
    Without findings, ``frame`` is returned as it is (no columns added).
    """
    if findings is None or findings.empty:
        return frame
    by_key = {(i, p): (f, n) for i, p, f, n in zip(
        findings["indicator_id"], findings["period"], findings["finding"], findings["note"],
        strict=True)}
    values = (frame["value_period"] if "value_period" in frame
              else pd.Series("", index=frame.index))

    def found(indicator: str, value_period: object) -> tuple[str, str]:
        shown = value_period if isinstance(value_period, str) and value_period else period
        return by_key.get((indicator, shown)) or ("", "")

    pairs = [found(i, v) for i, v in zip(frame["indicator_id"], values, strict=True)]
    return frame.assign(audit_finding=[f for f, _ in pairs], audit_note=[n for _, n in pairs])


def has_findings(frame: pd.DataFrame) -> bool:
    """True when some figure of ``frame`` (marked by :func:`mark_figures`) has a finding."""
    return "audit_finding" in frame and bool((frame["audit_finding"] != "").any())


def audit_mark(row: pd.Series | dict) -> dict[str, str]:
    """The mark and note printed beside one figure: ``{"mark", "note"}`` (the note without
    its closing full stop: the page adds one), both "" unless the auditor qualified or
    reserved it."""
    finding = row.get("audit_finding", "") or ""
    if finding not in MARKED:
        return {"mark": "", "note": ""}
    return {"mark": MARKS[finding], "note": (row.get("audit_note", "") or "").rstrip(" .")}


def number_marks(rows: pd.DataFrame) -> tuple[list[int], list[dict[str, object]]]:
    """The numbered notes of a table of figures (``rows``, marked by :func:`mark_figures`,
    each with ``indicator_id`` and ``title``), as the appendix's block tables give them: per
    row the number of its note (0 when the auditor did not qualify or reserve it), and the
    notes in the rows' order (``number``, ``indicator_id``, ``title``, ``mark``, ``note``).
    The templates print them with the macros ``audit_mark`` and ``audit_notes``."""
    numbers: list[int] = []
    notes: list[dict[str, object]] = []
    # the columns read, row by row as dicts (a wide frame's rows as Series cost ~0.2 ms each)
    read = [c for c in ("indicator_id", "title", "audit_finding", "audit_note") if c in rows]
    for r in rows[read].to_dict("records"):
        shown = audit_mark(r)
        if shown["mark"]:
            notes.append({"number": len(notes) + 1, "indicator_id": r["indicator_id"],
                          "title": r["title"], **shown})
        numbers.append(len(notes) if shown["mark"] else 0)
    return numbers, notes


def mark_text(row: pd.Series | dict) -> str:
    """The mark and note in words (``Qualified by the auditor: <note>``), "" for none."""
    shown = audit_mark(row)
    return ": ".join(t for t in (shown["mark"], shown["note"]) if t)


def describe_checked(findings: pd.Series) -> str:
    """``12 figures checked by the auditor: 10 accepted, 1 qualified, 1 reserved.``, counted
    from ``findings`` (one finding word per figure, "" for none), with those sampled but
    not checked; "" when the auditor checked none."""
    checked = findings[findings.isin(CHECKED)]
    if checked.empty:
        return ""
    counts = ", ".join(f"{int((checked == f).sum()):,} {f}" for f in CHECKED
                       if (checked == f).any())
    figures = "figure" if len(checked) == 1 else "figures"
    sentence = f"{len(checked):,} {figures} checked by the auditor: {counts}."
    unchecked = int((findings == FINDINGS[-1]).sum())
    if unchecked:
        sentence += f" {unchecked:,} sampled but not checked."
    return sentence


def list_marked(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The qualified and reserved figures of ``frame``, each with its id, title, figure as
    printed, period, mark and note, in the frame's order."""
    marked = frame[frame["audit_finding"].isin(MARKED)] if "audit_finding" in frame else frame[:0]
    return [{"indicator_id": r["indicator_id"], "title": r["title"],
             "value": format_number(r["value"], r["unit"]) or "n/a",
             "value_period": r["value_period"], **audit_mark(r)}
            for _, r in marked.iterrows()]


def render_audit_findings(assessed: pd.DataFrame, level: int = 3) -> str:
    """The auditor's findings on the figures shown, under a heading of ``level``: the count
    of those checked and each qualified or reserved figure with the note; "" when the
    auditor sampled none of them."""
    if not has_findings(assessed):
        return ""
    return render("audit_findings.html.j2", sentence=describe_checked(assessed["audit_finding"]),
                  rows=list_marked(assessed), level=level, heading=HEADING,
                  anchor="-".join(HEADING.split()))   # the id nbconvert gives a heading


def with_audit_columns(frame: pd.DataFrame, rows: pd.DataFrame,
                       kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A table's ``frame`` and ``kinds`` with the auditor's finding and note columns added
    when some figure of ``rows`` (the table's rows, marked) has a finding; as they are
    otherwise. The note is text written outside the pipeline (never a formula)."""
    if not has_findings(rows):
        return frame, kinds
    out = frame.assign(**{FINDING_COLUMN: [FINDING_WORDS.get(f, "")
                                           for f in rows["audit_finding"]],
                          NOTE_COLUMN: list(rows["audit_note"])})
    return out, {**kinds, FINDING_COLUMN: "text", NOTE_COLUMN: "partner"}


def audit_table(assessed: pd.DataFrame) -> AppendixTable | None:
    """Every figure shown that the auditor sampled, with the finding and note; None when
    none was."""
    if not has_findings(assessed):
        return None
    rows = assessed[assessed["audit_finding"] != ""]
    frame = pd.DataFrame({
        "Indicator": rows["indicator_id"], "Title": rows["title"], "Unit": rows["unit"],
        "Latest value": rows["value"], "Value period": rows["value_period"],
        FINDING_COLUMN: rows["audit_finding"].map(FINDING_WORDS),
        NOTE_COLUMN: rows["audit_note"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Latest value": "value", "Title": "partner", NOTE_COLUMN: "partner"})
    return AppendixTable("audit-findings", HEADING, frame.reset_index(
        drop=True), kinds, unit_column="Unit")
