"""The CSV reader: bytes decoded to text (byte-order marks, UTF-16 without one, stray
Windows-1252 characters noted), binary files refused, the delimiter chosen from the header,
and rows read so that no line is ever lost (a runaway or unclosed quote is a note on its
row, not the end of the file).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.inputs.sheets import HEADER_ROWS, Note, SheetNotes, Sheets, Unreadable, header_score

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX and legacy .xls/.doc files
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t", "|")
FIELD_LIMIT = 2**31 - 1          # a CSV field may be as long as the file (csv's default: 128K)
# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
UTF8_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_BYTES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAGIC = ((ZIP_MAGIC, "a zip archive (perhaps an .xlsx workbook renamed .csv)"),
          (OLE_MAGIC, "an old Office file (perhaps an .xls workbook renamed .csv)"),
          (b"%PDF", "a PDF document"))


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for text whose every other byte is zero (no byte order mark)."""
    head = data[:400]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_stray(line: bytes) -> tuple[str, list[tuple[bytes, str]]]:
    """A line of UTF-8 with a few bytes that are not: those read as Windows-1252."""
    parts, stray, at = [], [], 0
    while True:
        try:
            parts.append(line[at:].decode("utf-8"))
            return "".join(parts), stray
        except UnicodeDecodeError as exc:
            parts.append(line[at:at + exc.start].decode("utf-8"))
            bad = line[at + exc.start:at + exc.end]
            parts.append(bad.decode("cp1252", errors="replace"))
            stray.append((bad, parts[-1]))
            at += exc.end


@dataclass(frozen=True)
class LineWarning:
    """Bytes of one physical line read in doubt: what to say, and the characters made."""

    text: str
    chars: tuple[str, ...]


def decode_text(data: bytes) -> tuple[str, dict[int, LineWarning]]:
    """Decode a CSV's bytes; warnings by physical line (1 = first) for bytes read in doubt.

    A byte order mark says the encoding (UTF-8, UTF-16 as Excel's "Unicode text", UTF-32);
    UTF-16 without one is recognised by its zero bytes. Otherwise UTF-8, or Windows-1252
    when no line is UTF-8. In a UTF-8 file, a line with a few bytes that are not UTF-8
    (a stray Windows-1252 character pasted in) is read as Windows-1252 on that line only,
    with a warning naming the line and the bytes; the other lines keep their UTF-8.
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), {}
    codec = _utf16_without_bom(data)
    if codec:
        return data.decode(codec, errors="replace"), {}
    marked = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM):] if marked else data
    try:
        return body.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    lines = _LINE_BYTES.findall(body)
    utf8 = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    if not utf8 and not marked:
        return body.decode("cp1252", errors="replace"), {}
    texts, warnings = [], {}
    for number, line in enumerate(lines, start=1):
        if line.isascii() or _is_utf8(line):
            texts.append(line.decode("utf-8"))
            continue
        text, stray = _decode_stray(line)
        texts.append(text)
        shown = ", ".join(f"{' '.join(f'0x{b:02X}' for b in bad)} (read as {char!r})"
                          for bad, char in stray)
        warnings[number] = LineWarning(
            f"text in UTF-8: line {number} has byte(s) that are not UTF-8, read as "
            f"Windows-1252: {shown}; save the file as CSV UTF-8 and check the text",
            tuple(char for _, char in stray))
    return "".join(texts), warnings


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_binary(data: bytes, text: str) -> None:
    """Refuse a file that is not text; a few control characters in one row are that row's."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise Unreadable(f"file is {what}, not a CSV: send CSV or XLSX")
    head = _LINE.findall(text[:65536])
    controls = sum(len(_BINARY.findall(line)) for line in head)
    spread = sum(1 for line in head if _BINARY.search(line))
    if controls > max(8, len(text[:65536]) // 100) and spread > max(2, len(head) // 10):
        raise Unreadable("file is binary, not text: send CSV or XLSX")


def _parse_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def choose_delimiter(lines: Sequence[str], columns: Sequence[str] = ()) -> str:
    """The delimiter (comma, semicolon, tab or bar) under which a header of ``columns``
    shows best in the first lines; with no header found (or no ``columns`` given), the one
    that splits most of those lines into the same number of cells.

    A title line above the header ("LAA return; Q4") does not decide it.
    """
    head = [line for line in lines[:HEADER_ROWS] if line.strip()]
    if not head:
        return ","
    parsed = {d: list(csv.reader(iter(head), delimiter=d)) for d in DELIMITERS}
    if columns:
        scores = {d: max((header_score(r, columns), len(r)) for r in rows)
                  for d, rows in parsed.items()}
        top = max(scores.values())
        if top[0] > 2:
            return next(d for d in DELIMITERS if scores[d] == top)

    def regularity(rows: list[list[str]]) -> tuple[int, int]:
        widths = Counter(len(r) for r in rows if len(r) > 1)
        return max(((n, w) for w, n in widths.items()), default=(0, 0))

    regular = {d: regularity(rows) for d, rows in parsed.items()}
    return next(d for d in DELIMITERS if regular[d] == max(regular.values()))


@dataclass(frozen=True)
class _Record:
    cells: list[str]
    first: int               # 0-based index of its first physical line
    last: int
    problem: Note | None = None


def _unclosed_at_end(text: str, delimiter: str) -> bool:
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _runaway_quote(lines: Sequence[str], widths: Sequence[int], typical: int,
                   record: _Record, delimiter: str) -> bool:
    """True when a record spans lines because a quote never closed, not for a cell's text.

    It ran to the end of the file still inside the quote (the last line, too, can open
    a quote it never closes), or it swallowed a line that on its own looks like a whole
    row (as many cells as the file's rows have).
    """
    if typical >= 3 and any(widths[i] >= typical for i in range(record.first + 1,
                                                                  record.last + 1)):
        return True
    return record.last == len(lines) - 1 and '"' in lines[record.first] and _unclosed_at_end(
        "".join(lines[record.first:record.last + 1]), delimiter)


def _records(lines: Sequence[str], delimiter: str) -> Iterator[_Record]:
    """Records of the CSV, each with the physical lines it came from.

    A quote that opens and never closes would swallow the lines below it into one cell:
    that line is given alone, with a problem, and reading starts again on the next line.
    """
    widths = [len(_parse_line(line, delimiter)) for line in lines]
    common = Counter(w for w in widths if w > 1).most_common(1)
    typical = common[0][0] if common else 0
    start = 0
    while start < len(lines):
        reader = csv.reader((lines[i] for i in range(start, len(lines))),
                            delimiter=delimiter)
        read = 0
        restart = None
        for cells in reader:
            record = _Record(cells, start + read, start + reader.line_num - 1)
            read = reader.line_num
            if _runaway_quote(lines, widths, typical, record, delimiter):
                alone = _parse_line(lines[record.first], delimiter)
                line = record.first + 1
                yield _Record(alone, record.first, record.first, Note(
                    len(alone) - 1,
                    f"a closing quote (\"): the quote that opens this cell on line {line} is "
                    "never closed, so the cells after it, and the lines below, would run into "
                    "this one; this line was not read (the lines below were read as rows of "
                    "their own). Close the quote or remove it"))
                restart = record.first + 1
                break
            yield record
        start = len(lines) if restart is None else restart


def read_csv_rows(data: bytes, columns: Sequence[str] = ()) -> Sheets:
    """Decode a CSV into rows of text (see :func:`decode_text` for the encodings).

    The delimiter is the one under which a header of ``columns`` shows best (see
    :func:`choose_delimiter`). Every physical line ends up in exactly one row; a cell
    holding a NUL character or a quote that never closes makes its row a problem, not
    the file.

    Raises
    ------
    Unreadable
        For a binary file, or if the lines read do not add up to the file's lines.
    """
    csv.field_size_limit(FIELD_LIMIT)
    text, line_warnings = decode_text(data)
    _refuse_binary(data, text)
    lines = _LINE.findall(text)
    delimiter = choose_delimiter(lines, columns)
    rows, starts, problems, warnings = [], [], {}, {}
    covered = 0
    for record in _records(lines, delimiter):
        number = len(rows) + 1
        cells = record.cells
        nul = next((i for i, c in enumerate(cells) if "\x00" in c), None)
        if nul is not None:
            cells = [c.replace("\x00", "\ufffd") for c in cells]
        problem = record.problem or (None if nul is None else Note(
            nul, "text without NUL (binary zero) characters: this cell holds one; retype "
                 "it, or save the file again as CSV"))
        if problem:
            problems[number] = problem
        for line in range(record.first + 1, record.last + 2):
            if line in line_warnings and number not in warnings:
                warnings[number] = _locate(line_warnings[line], cells)
        rows.append(cells)
        starts.append(record.first + 1)
        covered += record.last - record.first + 1
    if covered != len(lines):
        raise Unreadable(f"only {covered} of the file's {len(lines)} lines could be read "
                         "as rows: save it again as CSV")
    notes = SheetNotes(problems=problems, warnings=warnings, lines=tuple(starts),
                       line_count=len(lines))
    return Sheets({"": rows}, delimiter, {"": notes})


def _locate(warning: LineWarning, cells: Sequence[str]) -> Note:
    """The warning pinned to the first cell holding a character read as Windows-1252."""
    where = next((i for i, c in enumerate(cells) if any(ch in c for ch in warning.chars)), -1)
    return Note(where, warning.text)
