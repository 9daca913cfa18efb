"""Return templates: one XLSX per partner and period, made from the register.

Each template has a ``Return`` sheet: labelled cells above the header (the template mark,
partner, period, the deadline from the reporting calendar, and the "Certified by" and
"Date certified" cells the partner fills in), then one row per indicator the partner leads
with its figures pre-filled and locked (id, title, unit, polarity, target, trajectory point,
last value in force and its period, baseline), and blank cells for the value, data status,
lead RAG, commentary, actions and confirmation, with Excel data validation (lists, numbers,
percentages within 0-100). The sheet is protected without a password: it guards against
accidents, and every check runs again on ingest (pasted cells escape Excel's validation).
An ``Instructions`` sheet, first, says how to fill it in; every cell to fill has an input
prompt, and the row above the header says in words which columns are filled in for you
(locked) and which to fill in, so that nothing is said by colour alone. A filled template
is a return as it is: :mod:`pipeline.inputs.ingest` reads the labelled cells and knows the
locked columns.

Register text is written as text, never as a formula (:mod:`pipeline.inputs.cells`), and
the same inputs and stamp give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError
from pipeline.figures import format_date
from pipeline.inputs.cells import (
    alignment_style,
    box_style,
    fill_style,
    protection_style,
    save_workbook,
    write_text_cell,
)
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import sort_indicators
from pipeline.inputs.sheet_layout import fit_row_heights, set_print_layout
from pipeline.names import slug, unique_slugs

TEMPLATE_VERSION = "LAA return template 1"
SHEET = "Return"
INSTRUCTIONS = "Instructions"
DATA_STATUSES = ("final", "provisional", "estimate", "not_available")
RAGS = ("G", "A", "R")
# (heading, column of the pre-filled frame or None for a blank input cell, width)
LOCKED = (("Partner", "lead_org", 24), ("Indicator ID", "indicator_id", 11),
          ("Title", "title", 44), ("Unit", "unit", 9), ("Polarity", "polarity", 9),
          ("Period", "period", 12), ("Geography", "geography", 11),
          ("Target", "target", 11), ("Trajectory point", "trajectory_point", 11),
          ("Last value", "last_value", 11), ("Last value period", "last_value_period", 12),
          ("Baseline", "baseline_value", 11), ("Baseline period", "baseline_period", 10))
INPUTS = (("Value", 12), ("Data status", 14), ("Lead RAG", 9), ("Commentary", 44),
          ("Actions", 40), ("Confirmation", 30))
NUMBERS = ("target", "trajectory_point", "last_value", "baseline_value")
FIGURE_COLUMNS = ["indicator_id", "target", "trajectory_point", "last_value",
                  "last_value_period"]
HEADER_ROW = 10
FILLED, FILL_IN = "Filled in for you", "Fill in"      # said in words, not by colour alone
VALUE_PROMPTS = {"percent": "The period's value, 0 to 100 (45 or 45%). Blank if there is "
                            "none: then choose not_available.",
                 "count": "The period's value, a whole number. Blank if there is none: then "
                          "choose not_available.",
                 "other": "The period's value, a number without words or units. Blank if "
                          "there is none: then choose not_available."}
# (prompt title, input columns or () for the Certified by cell, prompt)
TEXT_PROMPTS = (
    ("Commentary", ("Commentary",), "Why the indicator is where it is; required for a red "
                                    "or amber rating."),
    ("Actions", ("Actions",), "What is being done to bring it back on track (red or "
                              "amber)."),
    ("Confirmation", ("Confirmation",), "Only if the value is flagged as unusual: a short "
                                        "note saying it is right."),
    ("Certified by", (), "The name of the officer responsible for this return."),
)
STAMP_EXAMPLE = "2007-04-01T00:00:00"
LOCKED_FILL, INPUT_FILL, HEADER_FILL = "EDEDED", "FFFFFF", "D9E1EA"
DATE_STYLE = "d mmmm yyyy"       # 14 August 2007, as the documents write dates


@dataclass(frozen=True)
class Template:
    """One partner's template: its rows (one per indicator it leads) and where it goes."""

    partner: str
    file_name: str
    rows: pd.DataFrame


def check_generated_at(stamp: str) -> str:
    """The ``--generated-at`` stamp as given, when it is an ISO 8601 date or date and time.

    Raises
    ------
    ConfigError
        (exit 2) Naming the option, the text given and an example, for anything else: a
        stamp that is not a date would date every workbook 1980-01-01 (the zip epoch).
    """
    text = str(stamp).strip()
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--generated-at {stamp!r} is not a date: expected an ISO 8601 "
                          f"date or date and time, e.g. {STAMP_EXAMPLE} or "
                          f"{STAMP_EXAMPLE[:10]}") from None
    return stamp


def deadline_for(register: Register, period: str) -> str:
    """The period's deadline from the reporting calendar (``YYYY-MM-DD``), or ``""``."""
    match = register.calendar[register.calendar["period"] == period]
    return str(match["deadline"].iloc[0]) if len(match) else ""


def plan_templates(register: Register, period: str, figures: pd.DataFrame) -> list[Template]:
    """One template per partner leading at least one indicator, in name order.

    ``figures`` gives per indicator (``FIGURE_COLUMNS``) the period's target and trajectory
    point and the last value in force with its period (see
    :func:`pipeline.run.status.template_figures`); an indicator missing from it gets blanks.
    Indicators with no lead partner are in no template (the register check reports them).
    """
    wanted = figures.reindex(columns=FIGURE_COLUMNS)
    rows = register.indicators.merge(wanted, on="indicator_id", how="left")
    rows = rows[rows["lead_org"].fillna("") != ""].assign(period=period, geography="county")
    partners = sorted(rows["lead_org"].unique())
    names = unique_slugs(partners, fallback="partner")
    return [Template(p, f"return-{slug(period)}-{names[p]}.xlsx",
                     sort_indicators(rows[rows["lead_org"] == p]).reset_index(drop=True))
            for p in partners]


def _style(sheet, fill: str, locked: bool, cell) -> None:
    cell.fill = fill_style(fill)
    cell.border = box_style("thin", "A6A6A6")
    cell.protection = protection_style(locked)
    cell.alignment = alignment_style(vertical="top", wrap_text=True)


def _validations(sheet, rows: pd.DataFrame, letters: dict[str, str], date_cell: str,
                 certified_cell: str) -> None:
    """The lists, number checks and input prompts of the cells a partner fills in."""
    from openpyxl.worksheet.datavalidation import DataValidation

    value_col, status_col, rag_col = (letters[c] for c in ("Value", "Data status",
                                                            "Lead RAG"))
    first, last = HEADER_ROW + 1, HEADER_ROW + max(len(rows), 1)
    status = DataValidation(type="list", formula1='"' + ",".join(DATA_STATUSES) + '"',
                            allow_blank=True, showErrorMessage=True, errorTitle="Data status",
                            error="Choose final, provisional, estimate or not_available.",
                            promptTitle="Data status", prompt="Choose final, provisional, "
                            "estimate, or not_available when there is no figure.")
    status.add(f"{status_col}{first}:{status_col}{last}")
    rag = DataValidation(type="list", formula1='"' + ",".join(RAGS) + '"', allow_blank=True,
                         showErrorMessage=True, errorTitle="Lead RAG",
                         error="Choose G, A or R, or leave blank for the computed rating.",
                         promptTitle="Lead RAG", prompt="Your rating: G, A or R; leave blank "
                         "for the rating the figures give.")
    rag.add(f"{rag_col}{first}:{rag_col}{last}")
    dated = DataValidation(type="date", operator="greaterThan", formula1="36526",
                           allow_blank=True, showErrorMessage=True, errorTitle="Date certified",
                           error="Type the date, e.g. 14/05/2007.",
                           promptTitle="Date certified", prompt="The date the return is sent, "
                           "e.g. 14/05/2007.")
    dated.add(date_cell)
    texts = []
    for title, cells, prompt in TEXT_PROMPTS:
        where = " ".join(f"{letters[c]}{first}:{letters[c]}{last}" for c in cells) if cells \
            else certified_cell
        text = DataValidation(allow_blank=True, promptTitle=title, prompt=prompt)
        text.add(where)
        texts.append(text)
    kinds = {
        "percent": DataValidation(type="decimal", operator="between", formula1="0",
                                  formula2="100", error="A percentage between 0 and 100 "
                                  "(type 45 or 45%); leave blank and choose not_available "
                                  "when there is no figure."),
        "count": DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                error="A whole number of zero or more; leave blank and "
                                "choose not_available when there is no figure."),
        "other": DataValidation(type="decimal", operator="between", formula1="-1E+300",
                                formula2="1E+300", error="A number, without words or units; "
                                "leave blank and choose not_available when there is none."),
    }
    for unit, validation in kinds.items():
        validation.promptTitle = "Value"
        validation.prompt = VALUE_PROMPTS[unit]
    for offset, unit in enumerate(rows["unit"]):
        kinds.get(unit, kinds["other"]).add(f"{value_col}{first + offset}")
    for validation in (status, rag, dated, *kinds.values(), *texts):
        validation.allow_blank = True
        validation.showInputMessage = True
        validation.showErrorMessage = validation.type is not None
        validation.errorTitle = validation.errorTitle or "Value"
        if validation.sqref:
            sheet.add_data_validation(validation)


def _iso_day(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` text as a date, else None."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _cell_value(column: str, value: object) -> object:
    if column in NUMBERS:
        return None if pd.isna(value) else float(value)
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) \
        else str(value)


def write_return_sheet(book, template: Template, period: str, deadline: str,
                       heading: str) -> None:
    """The ``Return`` sheet of one template (see the module's description)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.protection import SheetProtection

    sheet = book.create_sheet(SHEET)
    write_text_cell(sheet["A1"], heading)
    sheet["A1"].font = Font(bold=True, size=13)
    block = (("Return template", TEMPLATE_VERSION), ("Partner", template.partner),
             ("Period", period), ("Deadline", deadline or "none in the reporting calendar"),
             ("Certified by", None), ("Date certified", None))
    for number, (label, value) in enumerate(block, start=2):
        write_text_cell(sheet.cell(row=number, column=1), label)
        sheet.cell(row=number, column=1).font = Font(bold=True)
        cell = sheet.cell(row=number, column=2)
        if value is None:
            _style(sheet, INPUT_FILL, False, cell)
        else:           # one line, running on over the empty cells beside it
            day = _iso_day(value)
            if day is None:
                write_text_cell(cell, value)
            else:       # the deadline: a date, not text, in the documents' date style
                cell.value, cell.number_format = day, DATE_STYLE
            _style(sheet, LOCKED_FILL, True, cell)
            cell.alignment = Alignment(vertical="top", horizontal="left")
    sheet["B7"].number_format = "dd/mm/yyyy"
    for row in (6, 7):
        write_text_cell(sheet.cell(row=row, column=3), FILL_IN)
        sheet.cell(row=row, column=3).font = Font(italic=True)
    write_text_cell(sheet["A8"], f"Fill in the columns marked {FILL_IN!r} and the Certified by "
                                 "and Date certified cells (see the Instructions sheet); the "
                                 f"columns marked {FILLED!r} are locked. The date certified "
                                 "is the date the return is sent.")
    sheet["A8"].font = Font(italic=True)
    headings = [h for h, _, _ in LOCKED] + [h for h, _ in INPUTS]
    widths = [w for _, _, w in LOCKED] + [w for _, w in INPUTS]
    for number, (text, width) in enumerate(zip(headings, widths, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number)
        write_text_cell(cell, text)
        _style(sheet, HEADER_FILL, True, cell)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(number)].width = width
        above = sheet.cell(row=HEADER_ROW - 1, column=number)
        write_text_cell(above, FILLED if number <= len(LOCKED) else FILL_IN)
        above.font = Font(italic=True)
        above.alignment = Alignment(wrap_text=True, vertical="bottom")
    for offset, record in enumerate(template.rows.to_dict("records")):
        row = HEADER_ROW + 1 + offset
        for number, (_, column, _) in enumerate(LOCKED, start=1):
            cell = sheet.cell(row=row, column=number)
            value = _cell_value(column, record.get(column))
            if isinstance(value, float):
                cell.value = value
                cell.number_format = "General"
            elif value is not None and value != "":   # no figure: an empty cell
                write_text_cell(cell, value)
            _style(sheet, LOCKED_FILL, True, cell)
        for number in range(len(LOCKED) + 1, len(headings) + 1):
            _style(sheet, INPUT_FILL, False, sheet.cell(row=row, column=number))
    letter = {h: get_column_letter(i) for i, h in enumerate(headings, start=1)}
    _validations(sheet, template.rows, letter, "B7", "B6")
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    sheet.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False,
                                       selectLockedCells=False, selectUnlockedCells=False)
    fit_row_heights(sheet, HEADER_ROW - 1, HEADER_ROW + len(template.rows))
    set_print_layout(sheet, f"{HEADER_ROW}:{HEADER_ROW}", "A:B")


def instruction_lines(partner: str, period: str, deadline: str) -> list[tuple[str, str]]:
    """The ``Instructions`` sheet, as (label, text) rows."""
    due = f"by {format_date(deadline)}" if deadline else \
        "(no deadline is set in the reporting calendar)"
    return [
        ("How to fill in this return", ""),
        ("", f"This is {partner}'s return for {period}, due {due}. It lists every indicator "
             "you lead; the columns marked 'Filled in for you' come from the register and "
             "are locked (a blank Last value or Baseline: none is recorded). Select a cell "
             "to fill in to see what it needs."),
        ("1", "For each indicator, type the value for the period in Value (a number only, "
              "without words or units; percentages on a 0-100 scale, e.g. 45 or 45%)."),
        ("2", "Choose its Data status: final, provisional, estimate, or not_available when "
              "there is no figure (then leave Value blank and say why in Commentary)."),
        ("3", "Give your RAG rating in Lead RAG (G, A or R), or leave it blank for the "
              "rating the figures give."),
        ("4", "For an indicator you rate red or amber, say in Commentary why it is off track "
              "and in Actions what is being done: the Board's risk lists print them."),
        ("5", "A value far outside the indicator's earlier values is flagged for "
              "confirmation: if it is right, write a short note in Confirmation."),
        ("6", "The responsible officer types their name in Certified by, and the date in "
              "Date certified (the date the return is sent), at the top of the Return sheet."),
        ("7", "Save as .xlsx (Excel Workbook) and send the file. To correct a return, send "
              "a new file with a later date certified: the later one counts."),
        ("Checks", "Every row is checked when it is received, pasted cells included: a row "
                   "failing a FAIL check is kept out of the figures (the others go through) "
                   "and your feedback file names the sheet, row and cell, with guidance; an "
                   "ADVISORY is reported and the value counts. The performance team can send you "
                   "the list of checks with their guidance."),
        ("Do not", "change the cells filled in for you, add rows for indicators another "
                   "partner leads, or rename, move or delete columns: such rows are not "
                   "used."),
    ]


def write_instructions(book, partner: str, period: str, deadline: str) -> None:
    """The ``Instructions`` sheet: how to fill the return in, in numbered steps."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.protection import SheetProtection

    sheet = book.create_sheet(INSTRUCTIONS)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 100
    for number, (label, text) in enumerate(instruction_lines(partner, period, deadline),
                                           start=1):
        write_text_cell(sheet.cell(row=number, column=1), label)
        write_text_cell(sheet.cell(row=number, column=2), text)
        sheet.cell(row=number, column=1).font = Font(bold=True, size=13 if number == 1 else 11)
        sheet.cell(row=number, column=1).alignment = Alignment(vertical="top")
        sheet.cell(row=number, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    fit_row_heights(sheet, 1, sheet.max_row)
    set_print_layout(sheet)
    sheet.protection = SheetProtection(sheet=True)


def template_bytes(template: Template, period: str, deadline: str, heading: str,
                   generated_at: str, author: str = "") -> bytes:
    """One template as XLSX bytes, the same for the same inputs and stamp."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    write_instructions(book, template.partner, period, deadline)
    write_return_sheet(book, template, period, deadline, heading)
    book.active = 0                   # opens on the instructions, the first sheet
    return save_workbook(book, generated_at, author)


def write_templates(register: Register, period: str, figures: pd.DataFrame, folder: Path,
                    generated_at: str, partnership: dict[str, str] | None = None) -> list[Path]:
    """Write one template per partner into ``folder``; returns the paths written.

    ``generated_at`` (ISO 8601) dates the workbooks; ``partnership`` (name, agreement)
    heads each sheet. A stamp that is not a date is refused before anything is written
    (:func:`check_generated_at`).
    """
    check_generated_at(generated_at)
    partnership = partnership or {}
    deadline = deadline_for(register, period)
    heading = " · ".join(t for t in (partnership.get("name", ""),
                                     partnership.get("agreement", ""),
                                     f"return for {period}") if t)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in plan_templates(register, period, figures):
        path = folder / template.file_name
        path.write_bytes(template_bytes(template, period, deadline, f"{template.partner}: "
                                        f"{heading}", generated_at, partnership.get("name", "")))
        written.append(path)
    return written
