"""What a register upload is, and spreadsheets read as the CSV the importer reads.

Councils send registers as CSV, and often as Excel (.xlsx) or OpenDocument (.ods) spreadsheets.
:func:`readable` looks at a file's first bytes: a CSV passes through untouched; an .xlsx or .ods has its first
sheet written out, row for row, as UTF-8 CSV (so every check of :mod:`canvassing.register_import` applies, all
or nothing, and a problem's row number is the row the spreadsheet shows); anything else (an image, a PDF, an old
binary .xls, a Word file, a ZIP, a program) is refused with what it is and what to send instead.

Both spreadsheets are read as a stream, so memory stays flat in the size of the register: .xlsx with openpyxl's
read-only mode (which uses defusedxml when installed, as it is here), .ods by parsing its ``content.xml``
with defusedxml's ``iterparse`` (no entity expansion, no external references) (expanding repeated cells, never the
thousands of empty rows an .ods may declare after the last one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from typing import BinaryIO

from defusedxml.ElementTree import iterparse

from organiser.imports import ImportRejected, Problem

CSV, XLSX, ODS = "csv", "xlsx", "ods"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: The most cells one .ods row may expand to (repeated columns): far past any register, short of a bomb.
MAX_COLUMNS = 256
#: Empty rows kept pending at most: an .ods may declare a million empty rows after the last one.
MAX_EMPTY_RUN = 10_000

_NOT_A_REGISTER = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word (.doc) file",
    b"\x7fELF": "a program",
    b"MZ": "a program",
}
SEND_INSTEAD = "upload the register as CSV, Excel (.xlsx) or OpenDocument (.ods)"


class NotARegister(Exception):
    """The file is not one a register can be read from; ``reason`` says what it is and what to do."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def kind_of(binary: BinaryIO) -> str:
    """``csv``, ``xlsx`` or ``ods``; raises :class:`NotARegister` for anything else that can be told apart."""
    head = binary.read(8)
    binary.seek(0)
    for magic, what in _NOT_A_REGISTER.items():
        if head.startswith(magic):
            extra = ": save it as .xlsx, .ods or CSV" if magic == b"\xd0\xcf\x11\xe0" else ""
            raise NotARegister(f"this is {what}, not a register{extra}; {SEND_INSTEAD}")
    if not head.startswith(b"PK\x03\x04"):
        return CSV
    try:
        with zipfile.ZipFile(binary) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        raise NotARegister(f"this looks like a damaged spreadsheet or ZIP file; {SEND_INSTEAD}") from None
    finally:
        binary.seek(0)
    if "xl/workbook.xml" in names:
        return XLSX
    if mimetype == ODS_MIMETYPE:
        return ODS
    if "word/document.xml" in names or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise NotARegister(f"this is a word-processor document, not a register; {SEND_INSTEAD}")
    raise NotARegister(f"this is a ZIP archive, not a register: unzip it first; {SEND_INSTEAD}")


def _cell_text(value) -> str:
    """A cell as the text a council's CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # A line break inside a cell (an address typed on two lines) would shift every later row's number.
    return " ".join(str(value).splitlines()).strip() if "\n" in str(value) or "\r" in str(value) else str(value)


def _xlsx_rows(binary: BinaryIO):
    from openpyxl import load_workbook

    workbook = load_workbook(binary, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_cell(element) -> str:
    kind = element.get(f"{_OFFICE}value-type")
    if kind == "float" or kind == "percentage" or kind == "currency":
        return _cell_text(float(element.get(f"{_OFFICE}value", "0")))
    if kind == "date":
        written = element.get(f"{_OFFICE}date-value", "")
        try:
            return _cell_text(dt.datetime.fromisoformat(written))
        except ValueError:
            return written
    if kind == "boolean":
        return _cell_text(element.get(f"{_OFFICE}boolean-value") == "true")
    paragraphs = ["".join(p.itertext()) for p in element.iter(f"{_TEXT}p")]
    return _cell_text(" ".join(paragraphs).strip())


def _ods_rows(binary: BinaryIO):
    with zipfile.ZipFile(binary) as archive, archive.open("content.xml") as content:
        tables = 0
        for event, element in iterparse(content, events=("start", "end")):
            if element.tag == f"{_TABLE}table":
                if event == "start":
                    tables += 1
                elif tables == 1:
                    return  # the first sheet only
                continue
            if tables != 1 or event != "end" or element.tag != f"{_TABLE}table-row":
                continue
            cells: list[str] = []
            for cell in element:
                if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                    continue
                repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
                text = _ods_cell(cell)
                cells.extend([text] * min(repeat, MAX_COLUMNS - len(cells)))
                if len(cells) >= MAX_COLUMNS:
                    break
            while cells and cells[-1] == "":
                cells.pop()
            repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
            for _ in range(min(repeat, MAX_EMPTY_RUN) if not cells else repeat):
                yield list(cells)
            element.clear()


def _write_csv(rows) -> BinaryIO:
    """The rows as UTF-8 CSV lines, each padded to the header's width; trailing empty rows dropped and an empty
    row in the middle kept as an empty line (so row numbers stay the spreadsheet's)."""
    out = tempfile.SpooledTemporaryFile(max_size=16 << 20, mode="w+b")  # noqa: SIM115 (returned open, to be read)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    width = None
    empty_run = 0
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        if width is None:
            if not row:
                continue  # empty rows before the header
            width = len(row)
        if not row:
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                break
            continue
        text.write("\n" * empty_run)
        empty_run = 0
        writer.writerow(row + [""] * (width - len(row)))
    text.flush()
    text.detach()
    out.seek(0)
    return out


def readable(binary: BinaryIO) -> BinaryIO:
    """The file as CSV bytes the importer reads: itself for a CSV, its first sheet for a spreadsheet.

    Raises :class:`NotARegister` for a file of another kind, and ``ImportRejected`` for a spreadsheet that
    cannot be read (damaged, protected by a password)."""
    kind = kind_of(binary)
    if kind == CSV:
        return binary
    try:
        return _write_csv(_xlsx_rows(binary) if kind == XLSX else _ods_rows(binary))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:
        name = "Excel" if kind == XLSX else "OpenDocument"
        raise ImportRejected(
            [Problem(None, None, f"the {name} spreadsheet could not be read ({type(error).__name__}); {SEND_INSTEAD}")]
        ) from error
    finally:
        binary.seek(0)


def header_row(binary: BinaryIO) -> list[str] | None:
    """A spreadsheet's header row (its first row that is not empty), read without converting the rest; None for
    a CSV (read its first line instead). Raises as :func:`readable` does."""
    kind = kind_of(binary)
    if kind == CSV:
        return None
    try:
        for row in _xlsx_rows(binary) if kind == XLSX else _ods_rows(binary):
            while row and row[-1] == "":
                row.pop()
            if row:
                return [cell.strip() for cell in row]
        return []
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):
        return []
    finally:
        binary.seek(0)
