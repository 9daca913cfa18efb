"""How the malformed-return corpus was made (run once; the files are committed).

Each file holds one kind of bad input a partner has sent or could send. The expected
message for each is in tests/test_corpus.py. Needs openpyxl; the password-protected
workbook also needs msoffcrypto-tool (not a project dependency).
Usage: python tests/corpus/build_corpus.py
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = ["partner", "indicator_id", "period", "geography", "value", "data_status", "lead_rag",
          "commentary", "actions", "submitted_by", "submitted_at"]
H = ",".join(HEADER)
STAMP = "2007-05-10T09:00:00"


def row(ind="7.20", value="3202", period="2006-07 Q4", geo="county", status="final", rag="R",
        comment="", actions="", stamp=STAMP, partner="Leicestershire Constabulary"):
    return [partner, ind, period, geo, value, status, rag, comment, actions, "Jo Bloggs", stamp]


def csv_text(rows, header=H, sep=","):
    def q(cell):
        cell = str(cell)
        if any(ch in cell for ch in (sep, '"', "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    return "\n".join([header] + [sep.join(q(c) for c in r) for r in rows]) + "\n"


def write(name, text, encoding="utf-8"):
    (HERE / name).write_bytes(text.encode(encoding))


def lines_of(*rows, header=H):
    """Lines written as they stand (no quoting): for files a CSV writer would not make."""
    return "\n".join([header, *(",".join(r) for r in rows)]) + "\n"


def book(name, sheets, merge=None, percent_cells=(), hidden=None):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        ws.sheet_state = (hidden or {}).get(title, "visible")
        for r in rows:
            ws.append(r)
        if merge and title in merge:
            ws.merge_cells(merge[title])
        for ref in percent_cells:
            ws[ref].number_format = "0.00%"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    write("01_missing_header.csv", csv_text([row()], header=H.replace(",data_status", ""))
          .replace(",final,", ","))
    write("02_misspelt_header.csv", csv_text([row()], header=H.replace("indicator_id",
                                                                        "indicater_id")))
    write("03_extra_columns.csv", csv_text([row() + ["checked by JB"]], header=H + ",notes"))
    (HERE / "04_title_row.xlsx").write_bytes(book("t", {"Q4": [
        ["Leicestershire Constabulary - LAA return, quarter 4 2006-07"], HEADER,
        row(ind="7.21", value="690")]}))
    (HERE / "05_merged_header.xlsx").write_bytes(book("m", {"Return": [
        ["Who", None, "What", None, "Value", None, None, "Narrative", None, "Sign-off", None],
        HEADER, row(ind="7.22", value="291")]}, merge={"Return": "A1:B1"}))
    write("06_text_in_numeric.csv", csv_text([row(value="about 3,000")]))
    write("07_percent_sign.csv", csv_text([row(ind="7.13", value="21%", rag="G")]))
    write("08_thousands.csv", csv_text([row(value="3,202")]))
    write("09_decimal_comma.csv", csv_text([row(ind="7.13", value="21,5", rag="G")]))
    write("10_semicolon_decimal_comma.csv",
          csv_text([row(ind="7.13", value="21,5", rag="G")], header=H.replace(",", ";"),
                   sep=";"))
    write("11_date_formats.csv", csv_text([row(stamp="10/05/2007 09:30"),
                                            row(ind="7.21", value="690", stamp="10 May 2007"),
                                            row(ind="7.22", value="291", stamp="2007-05-10")]))
    write("12_bad_date.csv", csv_text([row(stamp="next Tuesday")]))
    write("13_windows_1252.csv", csv_text([row(comment="Budget of £5,000 agreed – café")]),
          encoding="cp1252")
    write("14_utf8_bom.csv", "\ufeff" + csv_text([row()]))
    write("15_semicolon.csv", csv_text([row()], header=H.replace(",", ";"), sep=";"))
    write("16_empty.csv", "")
    write("17_header_only.csv", H + "\n")
    write("18_duplicate_rows.csv", csv_text([row(), row()]))
    write("19_conflicting_resubmission.csv", csv_text([row(value="3202"), row(value="3220")]))
    write("20_unknown_indicator.csv", csv_text([row(ind="7.99")]))
    write("21_unknown_district.csv", csv_text([row(geo="Leicester City")]))
    write("22_period_outside.csv", csv_text([row(period="2011-12 Q1")]))
    write("23_negative_count.csv", csv_text([row(value="-15")]))
    write("24_percent_over_100.csv", csv_text([row(ind="7.13", value="104%", rag="G")]))
    (HERE / "25_formulas_no_cache.xlsx").write_bytes(book("f", {"Returns": [
        HEADER, row(value="=3000+202")]}))
    (HERE / "26_several_sheets.xlsx").write_bytes(book("s", {
        "Notes": [["Please read the guidance before completing"]],
        "Q4": [HEADER, row(ind="7.19", value="3897")],
        "Lookup": [["district"], ["Blaby"], ["Melton"]]}))
    plain = book("p", {"Returns": [HEADER, row()]})
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(plain)).encrypt("secret", out)
        (HERE / "27_password.xlsx").write_bytes(out.getvalue())
    except ImportError:
        print("msoffcrypto-tool not installed: 27_password.xlsx left as it is")
    (HERE / "28_corrupt.xlsx").write_bytes(plain[: len(plain) // 2])
    (HERE / "29_legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (HERE / "30_calc.ods").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    write("31_q4 $(rm -rf ~); `id` ..csv", csv_text([row(ind="7.21", value="690")]))
    write("32_html_commentary.csv", csv_text([row(
        comment="<script>alert('pwned')</script><b>Burglary</b> up & rising")]))
    write("33_formula_like_cells.csv", csv_text([row(
        comment="=HYPERLINK(\"http://evil.example\",\"click\")", actions="@SUM(A1:A9)"),
        row(ind="7.21", value="690", comment="+44 116 305 0000", actions="-5 officers")]))
    write("34_final_without_value.csv", csv_text([row(value="")]))
    write("35_bad_status.csv", csv_text([row(status="done")]))
    write("36_late_return.csv", csv_text([row(stamp="2007-06-20T16:45:00")]))
    write("37_count_not_whole.csv", csv_text([row(value="3202.5")]))
    write("38_not_available_spellings.csv", csv_text([
        row(value="n/a", status="not_available", rag=""),
        row(ind="7.21", value="-", status="not_available", rag="")]))
    # Issue 10: hostile returns that stopped a run, lost rows or were read wrongly.
    write("40_long_commentary.csv", csv_text([row(
        comment="Pasted report: " + "Burglary fell in all seven districts. " * 3600)]))
    write("41_control_characters.csv", csv_text([row(
        comment="Burglary down.\vSee the note\x07 below\x1b[0m\x0cend")]))
    write("42_nul_byte.csv", csv_text([row(comment="Good\x00progress"),
                                       row(ind="7.21", value="690")]))
    write("43_unclosed_quote.csv", lines_of(
        row(comment='"Fewer burglaries, see the report'),
        row(ind="7.21", value="690"), row(ind="7.22", value="291")))
    (HERE / "44_numeric_indicator_id.xlsx").write_bytes(book("n", {"Returns": [
        HEADER, row(ind=7.2, value=4300)]}))
    write("45_future_submission.csv", csv_text([row(stamp="2030-01-01T09:00:00")]))
    (HERE / "46_merged_partner.xlsx").write_bytes(book("m", {"Returns": [
        HEADER, row(ind="7.19", value="3897"), row(ind="7.21", value="690", partner=None),
        row(ind="7.22", value="291", partner=None)]}, merge={"Returns": "A2:A4"}))
    (HERE / "47_stray_cp1252_byte.csv").write_bytes(
        csv_text([row(comment="Café opened – on time"),
                  row(ind="7.21", value="690", comment="Budget BYTE agreed")])
        .encode("utf-8").replace(b"BYTE", b"\x96"))
    write("48_duplicate_value_header.csv", csv_text([row() + ["3220"]], header=H + ",value"))
    write("49_utf16_tab.csv", "\ufeff" + csv_text(
        [row(ind="7.21", value="690", comment="café")], header=H.replace(",", "\t"), sep="\t")
        .replace("\n", "\r\n"), encoding="utf-16-le")
    write("50_semicolon_title_line.csv", "Leicestershire Constabulary, LAA return Q4 2006-07\n"
          + csv_text([row(ind="7.13", value="21,5", rag="G")], header=H.replace(",", ";"),
                     sep=";"))
    (HERE / "51_scientific_number.xlsx").write_bytes(book("e", {"Returns": [
        HEADER, row(ind="7.13", value=0.000015, rag="G"),
        row(ind="7.13", geo="Blaby", value="1.5E-05", rag="G")]}))
    write("52_excel_na.csv", csv_text([
        row(value="#N/A", status="not_available", rag=""),
        row(ind="7.21", value="#VALUE!", status="not_available", rag="")]))
    write("53_excel_error_value.csv", csv_text([row(value="#DIV/0!")]))
    write("54_partner_name_variant.csv", csv_text([row(
        partner="LEICESTERSHIRE CONSTABULARY.", value="about 3,000")]))
    issue_20()


def with_part(data: bytes, part: str, change) -> bytes:
    """A workbook's bytes with one zip part changed (``change`` returns None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = change(content)
            if content is not None:
                target.writestr(info, content)
    return out.getvalue()


def issue_20() -> None:
    """Issue 20: damaged workbook parts, hidden sheets, look-alike and non-lead partners."""
    plain = book("p", {"Returns": [HEADER, row()]})
    (HERE / "55_damaged_sheet_part.xlsx").write_bytes(with_part(
        plain, "xl/worksheets/sheet1.xml", lambda c: c.replace(b'r="2"', b'r="two"', 1)))
    (HERE / "56_missing_workbook_part.xlsx").write_bytes(with_part(
        plain, "xl/workbook.xml", lambda c: None))
    cover = [["LAA return, quarter 4 2006-07: the figures are on the next sheet"]]
    (HERE / "57_hidden_sheet_only.xlsx").write_bytes(book("h", {
        "Cover": cover, "Returns": [HEADER, row(ind="7.22", value="291")]},
        hidden={"Returns": "hidden"}))
    (HERE / "58_hidden_sheet_beside_visible.xlsx").write_bytes(book("h", {
        "Q4": [HEADER, row(ind="7.22", value="291")],
        "Old": [HEADER, row(ind="7.22", value="999", stamp="2007-05-11T09:00:00")]},
        hidden={"Old": "hidden"}))
    (HERE / "59_very_hidden_sheet.xlsx").write_bytes(book("h", {
        "Cover": cover, "Data": [HEADER, row(ind="7.22", value="291")]},
        hidden={"Data": "veryHidden"}))
    write("60_lookalike_partner.csv", csv_text([row(
        ind="7.21", value="100", rag="G", stamp="2007-05-12T09:00:00",
        partner="Leicestershire C\u043enstabulary")]))
    write("61_partner_not_lead.csv", csv_text([row(
        ind="7.21", value="100", rag="G", stamp="2007-05-12T09:00:00",
        partner="Leicestershire County Council")]))
    write("62_cell_past_the_last_column.csv", lines_of(
        row(ind="7.22", value="291") + [""] * 20_000 + ["see note"]))


if __name__ == "__main__":
    main()
