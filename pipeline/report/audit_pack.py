"""The spot-check pack as the auditor reads it (HTML, printed to PDF) and fills it in (XLSX).

The HTML is rendered by the one template environment (``spot_check.html.j2``, escaped)
and wrapped in the appendix's page (:func:`pipeline.report.pages.render_page`: its
CSS, language, headings and contents), so it prints to tagged PDF through the same
Typst wrapper (:func:`pipeline.report.pdf.write_pdf`). The workbook follows the tables
workbook's form (:mod:`pipeline.report.workbook_front`: Cover, Contents, Notes) and adds
the sheet the auditor fills in. Its ``Findings`` sheet is a contract with the reader of
the register's findings file (``register/audit_findings.xlsx``): header row 1 holds
exactly :data:`FINDINGS_COLUMNS`, then read-only context columns to their right; one row
per figure from row 2; ``finding`` offers :data:`pipeline.inputs.audit_findings.FINDINGS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.figures import format_date, format_date_time
from pipeline.inputs.audit_findings import FINDINGS, SHEET
from pipeline.inputs.audit_findings import HEADER as FINDINGS_COLUMNS
from pipeline.inputs.cells import (
    alignment_style,
    fill_style,
    font_style,
    protection_style,
    save_workbook,
    workbook_text,
    write_text_cell,
)
from pipeline.inputs.sheet_layout import fit_row_heights, set_print_layout
from pipeline.report.frames import Appendix
from pipeline.report.pages import render, render_page

FINDINGS_SHEET = SHEET      # the reader's contract (pipeline.inputs.audit_findings)
FILLED_IN = ("finding", "note", "auditor", "date")    # the cells the auditor writes
CONTEXT_COLUMNS = ("figure", "theme", "value", "target", "RAG final", "why sampled",
                   "file in force", "sha256 as received", "matches the manifest")
SOURCE_COLUMNS = ("indicator", "submission", "value as sent", "period", "partner", "file",
                  "sheet", "row", "cell", "sha256 as received", "sha256 in the manifest",
                  "status", "submitted by", "submitted at", "certified by, on")
CHECK_COLUMNS = ("indicator", "check", "grade", "result", "where", "what it found")
INPUT_FILL, LOCKED_FILL = "FFF2CC", "F2F2F2"


@dataclass(frozen=True)
class PackFacts:
    """What the pack says about itself: the draw, and the run it was drawn from."""

    size: int
    seed: int
    seed_given: bool
    method: str
    command: str
    manifest: str
    manifest_sha256: str


def render_spot_check(app: Appendix, items: list[dict], facts: PackFacts) -> str:
    """The pack as a complete, self-contained HTML page (see the module's description)."""
    settings, name = app.settings, app.partnership.get("name", "")
    meeting = format_date(settings.meeting)
    body = render("spot_check.html.j2", items=items, partnership=name,
                  agreement=app.partnership.get("agreement", ""), period=settings.period,
                  meeting_long=meeting, data_as_of=format_date_time(app.data_as_of),
                  generated_at=format_date_time(settings.generated_at, utc=True),
                  must=sum(1 for i in items if "reward target" in i["why"]),
                  hashes_ok=sum(1 for i in items if i["hashes_ok"]), findings=FINDINGS,
                  size=facts.size, seed=facts.seed, seed_given=facts.seed_given,
                  method=facts.method, command=facts.command, manifest=facts.manifest,
                  manifest_sha256=facts.manifest_sha256)
    from pipeline.report.document import w3c_date

    return render_page(body, f"Data quality spot checks, {settings.period}, Board meeting "
                             f"{meeting}",
                       f"{name} · Spot checks {settings.period} · Board {meeting}",
                       footer=f"{app.partnership.get('agreement', '')} · seed {facts.seed}",
                       created=w3c_date(settings.generated_at), author=name)


def _header(sheet, columns: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for number, (text, width) in enumerate(zip(columns, widths, strict=True), start=1):
        write_text_cell(sheet.cell(row=1, column=number), text)
        sheet.cell(row=1, column=number).font = font_style(bold=True)
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"


def _table(sheet, rows: list[Sequence[object]], columns: Sequence[str], widths: Sequence[int],
           name: str) -> None:
    """A sheet holding one table: its header in row 1, then ``rows`` (text as text, never
    a formula; whole numbers as numbers), marked up as an Excel table."""
    from openpyxl.utils import get_column_letter

    from pipeline.report.workbook_front import add_table

    _header(sheet, columns, widths)
    wrap = alignment_style(wrap_text=True, vertical="top")
    for offset, values in enumerate(rows, start=2):
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row=offset, column=number)
            if isinstance(value, int):
                cell.value = value
            elif value is not None:
                write_text_cell(cell, value)
            cell.alignment = wrap
    last = get_column_letter(len(columns))
    add_table(sheet, f"A1:{last}{max(len(rows), 1) + 1}", name)
    fit_row_heights(sheet, 2, len(rows) + 1)
    set_print_layout(sheet, "1:1", "A:A")          # the indicator on each page


def _findings_sheet(sheet, items: list[dict], period: str) -> None:
    """The sheet the auditor fills in: the finding (a list), note, auditor and date are
    open; every other cell is locked (the sheet is protected, without a password)."""
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.protection import SheetProtection

    rows = []
    for i in items:
        first = i["sources"][0] if i["sources"] else {}
        rows.append((i["indicator_id"], period, None, None, None, None, i["title"],
                     i["theme_name"], i["value"], i["target"], i["final"], i["why"],
                     first.get("file", "none"), first.get("sha256", ""),
                     "yes" if i["hashes_ok"] else "no"))
    columns = FINDINGS_COLUMNS + CONTEXT_COLUMNS
    _table(sheet, rows, columns, (11, 11, 14, 40, 18, 12, 40, 22, 12, 12, 11, 26, 40, 66, 12),
           "Table_findings")
    last = len(items) + 1
    for row in sheet.iter_rows(min_row=1, max_row=max(last, 2), max_col=len(columns)):
        for cell in row:
            open_cell = (cell.row > 1 and cell.column <= len(FINDINGS_COLUMNS)
                         and FINDINGS_COLUMNS[cell.column - 1] in FILLED_IN)
            cell.protection = protection_style(not open_cell)
            if cell.row > 1:
                cell.fill = fill_style(INPUT_FILL if open_cell else LOCKED_FILL)
    finding = DataValidation(type="list", formula1='"' + ",".join(FINDINGS) + '"',
                             allow_blank=True, showErrorMessage=True, showInputMessage=True,
                             errorTitle="Finding", error="Choose " + ", ".join(FINDINGS) + ".",
                             promptTitle="Finding", prompt="Choose " + ", ".join(FINDINGS)
                             + "; a qualified or reserved figure needs a note.")
    finding.add(f"C2:C{max(last, 2)}")
    dated = DataValidation(type="date", operator="greaterThan", formula1="36526",
                           allow_blank=True, showErrorMessage=True, showInputMessage=True,
                           errorTitle="Date", error="Type the date, e.g. 14/05/2007.",
                           promptTitle="Date", prompt="The date of the finding.")
    dated.add(f"F2:F{max(last, 2)}")
    sheet.add_data_validation(finding)
    sheet.add_data_validation(dated)
    for row in range(2, last + 1):
        sheet.cell(row=row, column=6).number_format = "dd/mm/yyyy"
    sheet.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False,
                                       autoFilter=False, sort=False)


def findings_workbook(app: Appendix, items: list[dict], facts: PackFacts) -> bytes:
    """The pack as an XLSX to fill in (see the module's description): Cover, Contents,
    Notes, then Findings, Sources (every return row) and Checks (passed and raised); the
    same items and stamp give the same bytes."""
    from openpyxl import Workbook

    from pipeline.report.workbook_front import (
        FRONT_SHEETS,
        SheetEntry,
        note_numbers,
        write_contents,
        write_cover,
        write_notes,
    )

    settings, name = app.settings, app.partnership.get("name", "")
    title = f"Data quality spot checks, {settings.period}"
    book = Workbook()
    book.remove(book.active)
    cover, contents, notes = (book.create_sheet(n) for n in FRONT_SHEETS)
    _findings_sheet(book.create_sheet(FINDINGS_SHEET), items, settings.period)
    sources = [(i["indicator_id"], s["role"], s["value_text"], s["period"], s["partner"],
                s["file"], s["sheet"], s["row"], s["cell"], s["sha256"], s["manifest_sha256"],
                s["status"], s["submitted_by"], s["submitted_at"], s["certified"])
               for i in items for s in i["sources"]]
    _table(book.create_sheet("Sources"), sources, SOURCE_COLUMNS,
           (11, 11, 12, 11, 28, 40, 10, 6, 8, 66, 66, 40, 20, 24, 24), "Table_sources")
    checks = [(i["indicator_id"], c, "", "passed", "", "") for i in items for c in i["passed"]]
    checks += [(i["indicator_id"], a["check_id"], a["grade"], "raised", a["where"], a["reason"])
               for i in items for a in i["advisories"]]
    checks.sort(key=lambda r: [i["indicator_id"] for i in items].index(r[0]))
    _table(book.create_sheet("Checks"), checks, CHECK_COLUMNS, (11, 26, 11, 9, 40, 80),
           "Table_checks")
    entries = [SheetEntry(FINDINGS_SHEET, "The auditor's findings, one row per figure",
                          "Fill in finding, note, auditor and date; the other columns are "
                          "locked context."),
               SheetEntry("Sources", "The return rows of each figure",
                          "File, sheet, row, cell and the file's sha256 as received and as "
                          "the run's manifest recorded it."),
               SheetEntry("Checks", "The checks each figure passed and the advisories raised",
                          "One row per check and figure.")]
    write_cover(cover, title, [
        ("What this workbook holds", f"The {len(items)} figures of the spot checks of the "
         f"appendix for {settings.period}, Board meeting {format_date(settings.meeting)}, "
         f"for {name}: fill in the Findings sheet's columns " + ", ".join(FILLED_IN)
         + " (the other columns are locked)."),
        ("How the sample was drawn", facts.method),
        ("Seed", f"{facts.seed}. To draw the same sample: {facts.command}"),
        ("Findings", "A finding is one of " + ", ".join(FINDINGS) + ". The filled-in "
         "workbook can be saved as the data folder's register/audit_findings.xlsx."),
        ("Source", f"The run's manifest {facts.manifest} (sha256 {facts.manifest_sha256})."),
        ("Generated", str(settings.generated_at)[:10] or "no date given"),
    ])
    write_contents(contents, entries)
    write_text_cell(contents["A2"], "Select a sheet name to go to it.")
    numbers = note_numbers({"partner"})
    write_notes(notes, numbers, {key: ([FINDINGS_SHEET, "Sources", "Checks"]
                                       if key == "partner" else []) for key in numbers})
    book.active = 0
    book.properties.title = workbook_text(title)
    book.properties.subject = workbook_text(f"{name}: spot checks, {settings.period}")
    book.properties.language = "en-GB"
    return save_workbook(book, settings.generated_at, name)
