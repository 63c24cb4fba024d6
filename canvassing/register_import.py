"""Register imports: a council's CSV export, a monthly alterations file, or an absent-voter list (as CSV, or as
an .xlsx or .ods spreadsheet, whose first sheet :mod:`canvassing.register_files` reads as CSV; any other kind of
file is refused with what it is).

How it works, and why:

1. The header row says the layout (:func:`recognise`): the common council exports are known by their column
   names; an unknown one needs a :class:`canvassing.models.RegisterLayout` mapping made by hand (saved for
   next time), else :class:`UnknownLayout` is raised with the headers so a page can ask for one.
2. PostgreSQL reads the file (:func:`_stage_fast`): its bytes go as they are to ``COPY`` into a temporary
   (unlogged) staging table of text columns, each row numbered by its line, while Python, beside it, only
   counts each record's columns (``csv.reader`` at C speed, no Python per row) and looks for what would make
   the two readings differ (not UTF-8, a NUL, a lone CR, a BOM in mid-file, a record over several lines, a
   row of another width). Any of those, or a ``COPY`` error, rolls the staging back and the slow path
   (:func:`_stage`) reads the file line by line to explain it: UTF-8, with or without a BOM, else
   Windows-1252; lines ending in CRLF, LF or a lone CR, as old Mac spreadsheets write; Python checks what SQL
   cannot (encoding, NUL characters, over-long fields, column count, a truncated last row) and names each bad
   row. Dates are parsed once per distinct value either way. Memory stays flat in the file size. UTF-16
   ("Unicode text") is refused with how to save the file instead: :func:`upload_problem`.
3. Every other check runs in SQL over the whole temporary table, and *every* bad row is reported (row,
   column, problem): a missing or malformed elector number, a duplicate elector number, a malformed postcode,
   an unknown franchise marker, an unknown add/change/delete indicator. Any problem rejects the whole file
   (:class:`organiser.imports.ImportRejected`); nothing is written.
4. The writes are a handful of set-based statements (INSERT ... SELECT, UPDATE ... FROM, DELETE) in one
   transaction. An update keeps the canvass history of every elector who stays: incoming rows are matched to
   electors on polling district and elector number, then, for numbers reissued, on name and address.

A *full register* replaces the polling districts it contains (electors no longer in them are removed). An
*alterations* file (it has an add/change/delete column) adds, changes and removes only the electors it names.
An *absent-voter list* sets the postal and proxy flags of the electors of its districts.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import io
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction

from canvassing.models import AccessLog, CandidateCampaign, Elector, RegisterLayout
from organiser import clock, scope
from organiser.imports import Counts, ImportRejected, ImportReport, Problem, looks_binary

# --- layouts --------------------------------------------------------------------------------------

# The fields the importer knows, in the temporary table's column order.
FIELDS = (
    "polling_district",
    "number",
    "suffix",
    "markers",
    "attainer_date",
    "name",
    "surname",
    "forenames",
    "postcode",
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "address_5",
    "address_6",
    "change",
    "absent_type",
)

# Header names as councils write them, compared lower-case with everything but letters and digits removed.
HEADER_ALIASES = {
    "electornumberprefix": "polling_district",
    "pollingdistrict": "polling_district",
    "pdcode": "polling_district",
    "electornumber": "number",
    "electorno": "number",
    "electornumbersuffix": "suffix",
    "electorsuffix": "suffix",
    "electormarkers": "markers",
    "markers": "markers",
    "franchisemarker": "markers",
    "electordob": "attainer_date",
    "dateofattainment": "attainer_date",
    "attainerdate": "attainer_date",
    "electorname": "name",
    "electorsurname": "surname",
    "surname": "surname",
    "electorforename": "forenames",
    "electorforenames": "forenames",
    "forename": "forenames",
    "forenames": "forenames",
    "postcode": "postcode",
    "propertypostcode": "postcode",
    **{f"address{i}": f"address_{i}" for i in range(1, 7)},
    **{f"propertyaddress{i}": f"address_{i}" for i in range(1, 7)},
    "changetype": "change",
    "change": "change",
    "updatetype": "change",
    "action": "change",
    "recordtype": "change",
    "absenttype": "absent_type",
    "absentvotertype": "absent_type",
    "avtype": "absent_type",
    "voteby": "absent_type",
}

KNOWN_MARKERS = {
    "F": "overseas elector",
    "L": "peer (local elections only)",
    "M": "qualifying foreign national (local elections only)",
    "G": "EU citizen (local elections only)",
    "K": "EU citizen (local and Scottish Parliament)",
    "B": "EU citizen with retained rights",
    "E": "EU citizen (European elections, historic)",
    "N": "anonymous elector",
    "Z": "under voting age",
}

POSTCODE_SQL = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
DISTRICT_SQL = r"^[A-Z]{1,3}[0-9]{0,2}$"
# Bounded like the separate columns' checks below, so that a number always fits the elector's integer columns.
COMBINED_NUMBER_SQL = r"^([A-Z]{1,3}[0-9]{0,2})-?([0-9]{1,9})(?:[/.]([0-9]{1,4}))?$"
CHANGE_SQL = """CASE upper(trim(s.change))
    WHEN 'A' THEN 'add' WHEN 'ADD' THEN 'add' WHEN 'ADDITION' THEN 'add' WHEN 'N' THEN 'add' WHEN 'NEW' THEN 'add'
    WHEN 'C' THEN 'change' WHEN 'CHANGE' THEN 'change' WHEN 'AMEND' THEN 'change' WHEN 'AMENDMENT' THEN 'change'
    WHEN 'M' THEN 'change' WHEN 'U' THEN 'change' WHEN 'UPDATE' THEN 'change'
    WHEN 'D' THEN 'delete' WHEN 'DELETE' THEN 'delete' WHEN 'DELETION' THEN 'delete' WHEN 'R' THEN 'delete'
    WHEN 'REMOVE' THEN 'delete' WHEN 'REMOVAL' THEN 'delete' END"""
ABSENT_SQL = """CASE upper(trim(s.absent_type))
    WHEN 'P' THEN 'postal' WHEN 'POSTAL' THEN 'postal' WHEN 'PV' THEN 'postal'
    WHEN 'X' THEN 'proxy' WHEN 'PX' THEN 'proxy' WHEN 'PROXY' THEN 'proxy'
    WHEN 'PP' THEN 'postal_proxy' WHEN 'XP' THEN 'postal_proxy' WHEN 'POSTAL PROXY' THEN 'postal_proxy' END"""


class Kind:
    REGISTER = "register"
    ALTERATIONS = "alterations"
    ABSENT_VOTERS = "absent_voters"


class UnknownLayout(Exception):
    """The header row matches no known layout and no saved mapping: map its columns by hand."""

    def __init__(self, headers: list[str], missing: list[str]):
        self.headers, self.missing = headers, missing
        super().__init__(f"unknown register layout: no column for {', '.join(missing)}")


@dataclass(frozen=True)
class Layout:
    """Which column (index) holds each field, what kind of file it is, and the headers as written."""

    columns: dict[str, int]
    kind: str
    headers: list[str]
    combined_number: bool

    def header(self, name: str) -> str:
        return self.headers[self.columns[name]] if name in self.columns else name


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def recognise(headers: list[str], saved: Iterable[RegisterLayout] = ()) -> Layout:
    """The layout of a file with these ``headers``: a known council layout, else a saved mapping."""
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = HEADER_ALIASES.get(_normalise(header))
        if name and name not in columns:
            columns[name] = index
    for layout in saved:
        if list(layout.headers) == headers:
            columns = {name: headers.index(column) for name, column in layout.mapping.items() if column in headers}
            break
    kind = Kind.ABSENT_VOTERS if "absent_type" in columns else Kind.ALTERATIONS if "change" in columns else None
    kind = kind or Kind.REGISTER
    missing = []
    if "number" not in columns:
        missing.append("elector number")
    if kind != Kind.ABSENT_VOTERS and not ({"name", "surname"} & columns.keys()):
        missing.append("elector name")
    if missing:
        raise UnknownLayout(headers, missing)
    return Layout(columns, kind, headers, combined_number="polling_district" not in columns)


#: Words in a header that most likely name a field, for pre-filling a column mapping (first match wins).
GUESSES = (
    ("polling_district", ("pollingdistrict", "district", "pdcode", "pd", "prefix")),
    ("suffix", ("suffix",)),
    ("number", ("electornumber", "electorno", "elno", "number", "pollno")),
    ("markers", ("marker", "franchise", "flag")),
    ("attainer_date", ("dob", "birth", "attain")),
    ("surname", ("surname", "lastname", "family")),
    ("forenames", ("forename", "firstname", "given", "christian")),
    ("postcode", ("postcode", "postalcode", "zip")),
    ("change", ("change", "action", "updatetype", "recordtype")),
    ("absent_type", ("absent", "avtype", "voteby")),
)


def guess_columns(headers: list[str]) -> dict[str, str]:
    """For a layout not recognised, the column each field most likely is (field -> header), to pre-fill the
    mapping form: the known header names first, then words they contain; each header used once."""
    guessed: dict[str, str] = {}
    for header in headers:
        name = HEADER_ALIASES.get(_normalise(header))
        if name and name not in guessed:
            guessed[name] = header
    taken = set(guessed.values())
    for field_name, words in GUESSES:
        if field_name in guessed:
            continue
        for header in headers:
            if header not in taken and any(word in _normalise(header) for word in words):
                guessed[field_name] = header
                taken.add(header)
                break
    for index in range(1, 7):  # "Address line 1", "Addr 1", "Street 1"
        field_name = f"address_{index}"
        if field_name in guessed:
            continue
        for header in headers:
            normal = _normalise(header)
            if header not in taken and normal.endswith(str(index)) and normal.startswith(("addr", "street", "line")):
                guessed[field_name] = header
                taken.add(header)
                break
    if "name" not in guessed and "surname" not in guessed:
        for header in headers:
            if header not in taken and "name" in _normalise(header):
                guessed["name"] = header
                break
    return guessed


def layout_save(*, campaign: CandidateCampaign, user, name: str, headers: list[str], mapping: dict[str, str]) -> Layout:
    """Save a hand-made column mapping (field → header) for files with these headers; returns the layout."""
    scope.require_register(user, campaign, RegisterLayout, "add")
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    mapping = {name: column for name, column in mapping.items() if column}
    RegisterLayout.objects.filter(campaign=campaign, headers=headers).delete()
    layout = RegisterLayout.objects.create(campaign=campaign, name=name, headers=headers, mapping=mapping)
    return recognise(headers, [layout])


#: The longest field the importer reads (csv's own limit): no register column comes near it.
MAX_FIELD_CHARACTERS = csv.field_size_limit()
UTF16_PROBLEM = 'wrong encoding: this looks like UTF-16 ("Unicode text"); save the file as CSV UTF-8'


def upload_problem(binary: BinaryIO) -> str | None:
    """Why a file cannot be a register export at all (empty, UTF-16 or binary), or None; read from its start
    before it is stored for import."""
    from canvassing import register_files

    try:
        if register_files.kind_of(binary) != register_files.CSV:
            return None  # a spreadsheet: read (and checked) as CSV by register_files.readable
    except register_files.NotARegister as refused:
        return refused.reason
    head = binary.read(4096)
    binary.seek(0)
    if not head.strip():
        return "the file is empty"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_binary(head):  # a later NUL is named by its line
        return UTF16_PROBLEM
    return None


def _physical_lines(binary: BinaryIO, block: int = 1 << 16) -> Iterator[bytes]:
    """The file's lines with their endings, split at CRLF, LF or a lone CR (``csv.reader`` takes any of them,
    but only one line at a time), reading a block at a time whatever the line endings."""
    pending = b""
    while chunk := binary.read(block):
        lines = (pending + chunk).splitlines(keepends=True)
        # The last piece may go on in the next block (no ending yet, or a CR whose LF is still to come).
        pending = lines.pop() if not lines[-1].endswith(b"\n") else b""
        yield from lines
    if pending:
        yield pending


def read_headers(binary: BinaryIO) -> list[str]:
    """The header row of a file (UTF-8 or Windows-1252, or a spreadsheet's), read before it is stored for import."""
    from canvassing import register_files

    try:
        if (spreadsheet := register_files.header_row(binary)) is not None:
            return spreadsheet
    except register_files.NotARegister:
        return []
    first = next(_physical_lines(binary, block=1 << 16), b"")[: 1 << 16]
    binary.seek(0)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = first.decode("cp1252", "replace")
    try:
        return [h.strip() for h in next(csv.reader([text.rstrip("\r\n")]), [])]
    except csv.Error:
        return []  # an unterminated quote: no layout to recognise, so the page asks for a mapping


# --- reading ----------------------------------------------------------------------------------------


#: Called with a stage ("reading", "checking", "writing") and the rows read so far, for a job's progress.
Progress = Callable[[str, int], None]


class _NotUtf8(Exception):
    pass


def _decoded_lines(binary: BinaryIO, encoding: str, problems: list[Problem], state: dict) -> Iterator[str]:
    for number, raw in enumerate(_physical_lines(binary), start=1):
        state["ended_with_newline"] = raw.endswith((b"\n", b"\r"))
        if b"\x00" in raw:
            # PostgreSQL stores no NUL in text: the row is reported, the rest of the file still checked.
            problems.append(Problem(number, None, "a NUL character (0x00): not text a register holds"))
            raw = raw.replace(b"\x00", b"")
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8-sig":
                raise _NotUtf8 from None
            problems.append(Problem(number, None, "wrong encoding: characters neither UTF-8 nor Windows-1252"))
            yield raw.decode(encoding, "replace")


def _parse_date(value: str) -> str | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date().isoformat()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


@dataclass(kw_only=True)
class RegisterImportReport(ImportReport):
    """What a register import did: the shared report (:class:`organiser.imports.ImportReport`), its electors'
    counts kept in its own fields, and what only a register has (encoding, districts, renumbered, absent voters)."""

    encoding: str
    districts: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    renumbered: int = 0
    not_found: int = 0
    postal: int = 0
    proxy: int = 0

    def counts(self) -> dict[str, Counts]:
        return {"electors": Counts(self.created, self.updated, self.unchanged, self.deleted)}


def _rows(reader, problems: list[Problem]) -> Iterator[list[str]]:
    """``reader``'s rows; a row csv cannot read (a field past its limit) is reported and the reading goes on."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            limit = f"no field may be over {MAX_FIELD_CHARACTERS:,} characters"
            problems.append(Problem(reader.line_num, None, f"unreadable row ({error}): {limit}"))


def _stage(
    cursor, binary: BinaryIO, encoding: str, saved: list[RegisterLayout], progress: Progress | None = None
) -> tuple[Layout, list[Problem], int]:
    """COPY the file into the temporary table ``register_staging``; returns its layout, problems and rows."""
    problems: list[Problem] = []
    state = {"ended_with_newline": True}
    reader = csv.reader(_decoded_lines(binary, encoding, problems, state))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportRejected([Problem(None, None, "the file is empty")]) from None
    except csv.Error as error:
        raise ImportRejected([Problem(1, None, f"unreadable header row ({error})")]) from None
    layout = recognise(headers, saved)
    names = [name for name in FIELDS if name in layout.columns]
    pick = operator.itemgetter(*[layout.columns[name] for name in names])
    date_index = names.index("attainer_date") if "attainer_date" in names else None
    width = len(headers)
    cursor.execute("DROP TABLE IF EXISTS register_staging")
    cursor.execute(
        "CREATE TEMPORARY TABLE register_staging (row_no integer, "
        + ", ".join(f"{name} text NOT NULL DEFAULT ''" for name in FIELDS)
        + ") ON COMMIT DROP"
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = 0
    short_row = None
    columns = ", ".join(names)
    copy_sql = f"COPY register_staging (row_no, {columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({columns}))"
    with cursor.cursor.copy(copy_sql) as copy:
        for row in _rows(reader, problems):
            if len(row) != width:
                if not row or row == [""]:
                    continue
                short_row = (reader.line_num, len(row))
                problems.append(Problem(reader.line_num, None, f"{len(row)} columns where the header has {width}"))
                continue
            values = pick(row) if len(names) > 1 else (pick(row),)
            if date_index is not None and values[date_index]:
                parsed = _parse_date(values[date_index])
                if parsed is None:
                    problems.append(
                        Problem(
                            reader.line_num, layout.header("attainer_date"), f"'{values[date_index]}' is not a date"
                        )
                    )
                values = (*values[:date_index], parsed or "", *values[date_index + 1 :])
            writer.writerow((reader.line_num, *values))
            rows += 1
            if buffer.tell() > 1 << 18:
                copy.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
                if progress:
                    progress("reading", rows)
        copy.write(buffer.getvalue())
    if short_row and short_row[0] == reader.line_num and not state["ended_with_newline"]:
        problems[-1] = Problem(short_row[0], None, f"truncated file: the last row stops after {short_row[1]} columns")
    return layout, problems, rows


class _NeedsSlowPath(Exception):
    """The fast reading cannot vouch for this file: read it line by line instead (which explains why)."""


#: Bytes sent to COPY at a time, and the longest header line the fast reading looks for.
_CHUNK = 1 << 20


def _staging_columns(layout: Layout, width: int) -> list[str]:
    """The staging column for each of the file's ``width`` columns: its field's name, else ``unused_<i>``."""
    by_index = {index: name for name, index in layout.columns.items()}
    return [by_index.get(index, f"unused_{index}") for index in range(width)]


def _stage_fast(
    cursor, binary: BinaryIO, saved: list[RegisterLayout], progress: Progress | None = None
) -> tuple[Layout, list[Problem], int] | None:
    """COPY the file's bytes into ``register_staging`` as PostgreSQL reads them; None (nothing staged, the file
    at its start) where the line-by-line reading must be used instead. Raises :class:`UnknownLayout` as
    :func:`_stage` does.

    PostgreSQL and ``csv.reader`` read well-formed CSV alike. The reading is vouched for when the file is
    UTF-8 without NUL, lone CR or a BOM past its start, every record is one line of the header's width as
    ``csv.reader`` counts them (so a row's line number is its position), and COPY took every one of them:
    under those conditions PostgreSQL can only differ from ``csv.reader`` on a quote inside an unquoted field,
    where it drops the quote (both readings accept the row)."""
    head = binary.read(_CHUNK)
    end = head.find(b"\n")
    if end < 0 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        binary.seek(0)
        return None
    try:
        header_text = head[: end + 1].decode("utf-8-sig")
    except UnicodeDecodeError:
        binary.seek(0)
        return None
    if header_text.count('"') % 2 or "\x00" in header_text or "\r" in header_text.rstrip("\r\n"):
        binary.seek(0)
        return None
    try:
        headers = [h.strip() for h in next(csv.reader([header_text.rstrip("\r\n")]))]
    except (csv.Error, StopIteration):
        binary.seek(0)
        return None
    layout = recognise(headers, saved)
    width = len(headers)
    columns = _staging_columns(layout, width)
    missing = [name for name in FIELDS if name not in columns]
    rest = head[end + 1 :]
    seen = {"newlines": 0, "cr": 0, "crlf": 0, "last": b"", "ends_with_newline": True}
    try:
        with transaction.atomic():
            cursor.execute("DROP TABLE IF EXISTS register_staging")
            cursor.execute(
                "CREATE TEMPORARY TABLE register_staging (row_no integer GENERATED ALWAYS AS IDENTITY (START WITH 2), "
                + ", ".join(f"{name} text NOT NULL" for name in columns)
                + "".join(f", {name} text NOT NULL DEFAULT ''" for name in missing)
                + ") ON COMMIT DROP"
            )
            listed = ", ".join(columns)
            copy_sql = (
                f"COPY register_staging ({listed}) FROM STDIN (FORMAT csv, ENCODING 'UTF8', FORCE_NOT_NULL ({listed}))"
            )
            with cursor.cursor.copy(copy_sql) as copy:

                def lines() -> Iterator[list[str]]:
                    decoder = codecs.getincrementaldecoder("utf-8")()
                    pending = ""
                    chunk = rest
                    while chunk:
                        if b"\x00" in chunk:
                            raise _NeedsSlowPath("a NUL")
                        copy.write(chunk)
                        seen["newlines"] += chunk.count(b"\n")
                        seen["cr"] += chunk.count(b"\r")
                        seen["crlf"] += chunk.count(b"\r\n") + (seen["last"] == b"\r" and chunk[:1] == b"\n")
                        seen["last"] = chunk[-1:]
                        try:
                            text = pending + decoder.decode(chunk)
                        except UnicodeDecodeError:
                            raise _NeedsSlowPath("not UTF-8") from None
                        if "\n\ufeff" in text or text.startswith("\ufeff"):
                            raise _NeedsSlowPath("a BOM past the start")
                        split = text.split("\n")
                        pending = split.pop()
                        yield split
                        if progress:
                            progress("reading", seen["newlines"])
                        chunk = binary.read(_CHUNK)
                    try:
                        pending += decoder.decode(b"", final=True)
                    except UnicodeDecodeError:
                        raise _NeedsSlowPath("not UTF-8") from None
                    seen["ends_with_newline"] = pending == ""
                    if pending:
                        yield [pending]

                try:
                    widths = collections.Counter(map(len, csv.reader(itertools.chain.from_iterable(lines()))))
                except csv.Error:
                    raise _NeedsSlowPath("a field past csv's limit or a broken quote") from None
            copied = cursor.cursor.rowcount
            records = sum(widths.values())
            lines_read = seen["newlines"] + (not seen["ends_with_newline"])
            if set(widths) - {width} or records != lines_read or copied != records or seen["cr"] != seen["crlf"]:
                raise _NeedsSlowPath("records of another width, over several lines, or a lone CR")
            problems = _parse_dates(cursor, layout) if "attainer_date" in layout.columns else []
    except (_NeedsSlowPath, psycopg.Error, DatabaseError):
        binary.seek(0)
        return None
    return layout, problems, records


def _parse_dates(cursor, layout: Layout) -> list[Problem]:
    """Parse each distinct attainer date of the staging table once (as the line-by-line reading does each row):
    rewrite the rows to ISO dates and return a problem for each row whose date is not one."""
    cursor.execute("SELECT DISTINCT attainer_date FROM register_staging WHERE attainer_date <> ''")
    parsed = [(written, _parse_date(written)) for (written,) in cursor.fetchall()]
    if not parsed:
        return []
    cursor.execute("DROP TABLE IF EXISTS register_dates")
    cursor.execute("CREATE TEMPORARY TABLE register_dates (written text PRIMARY KEY, iso text) ON COMMIT DROP")
    with cursor.cursor.copy("COPY register_dates (written, iso) FROM STDIN") as copy:
        for row in parsed:
            copy.write_row(row)
    cursor.execute(
        """SELECT s.row_no, s.attainer_date FROM register_staging s JOIN register_dates d
           ON d.written = s.attainer_date WHERE d.iso IS NULL ORDER BY s.row_no"""
    )
    problems = [
        Problem(row, layout.header("attainer_date"), f"'{written}' is not a date") for row, written in cursor.fetchall()
    ]
    cursor.execute(
        """UPDATE register_staging s SET attainer_date = coalesce(d.iso, '') FROM register_dates d
           WHERE d.written = s.attainer_date"""
    )
    cursor.execute("DROP TABLE register_dates")
    return problems


# --- checks in SQL ------------------------------------------------------------------------------------


def _number_sql(layout: Layout) -> tuple[str, str, str]:
    """SQL expressions for the district letters, number and suffix (as text) of a staging row ``s``."""
    if layout.combined_number:
        match = f"regexp_match(upper(trim(s.number)), '{COMBINED_NUMBER_SQL}')"
        return f"({match})[1]", f"({match})[2]", f"coalesce(({match})[3], '0')"
    return "upper(trim(s.polling_district))", "trim(s.number)", "coalesce(nullif(trim(s.suffix), ''), '0')"


def _name_sql(layout: Layout) -> tuple[str, str]:
    """SQL expressions for the surname and forenames of a staging row ``s`` ("Surname, Forenames" or two columns)."""
    if "name" in layout.columns:
        surname = "trim(split_part(s.name, ',', 1))"
        forenames = "CASE WHEN strpos(s.name, ',') > 0 THEN trim(substr(s.name, strpos(s.name, ',') + 1)) ELSE '' END"
        return surname, forenames
    return "trim(s.surname)", "trim(s.forenames)"


def _text_limits(layout: Layout) -> list[tuple[str, str, str, int]]:
    """(column, what, SQL expression, limit) for each text an elector row stores, limited by its column's size."""
    surname, forenames = _name_sql(layout)
    size = {name: Elector._meta.get_field(name).max_length for name in ("surname", "forenames", "markers", "address_1")}
    named = "name" in layout.columns
    limits = [
        ("name" if named else "surname", "the surname", surname, size["surname"]),
        ("name" if named else "forenames", "the forenames", forenames, size["forenames"]),
        ("markers", "the markers", "translate(upper(s.markers), ' ,;/', '')", size["markers"]),
        *[(f"address_{i}", "the address line", f"trim(s.address_{i})", size["address_1"]) for i in range(1, 7)],
    ]
    return [limit for limit in limits if limit[0] in layout.columns]


def _fine_sql(layout: Layout) -> str:
    """A cheap condition on a staging row ``s`` that holds only where none of :func:`_checks`' conditions does:
    one regular expression over the elector number and postcode as written (upper case, no spaces to trim),
    the byte lengths of the texts (never fewer than their characters), the markers empty or known. A row
    that fails it is merely looked at closely: every check is then computed for it."""
    postcode = POSTCODE_SQL.removeprefix("^").removesuffix("$")
    if layout.combined_number:
        number = COMBINED_NUMBER_SQL.removeprefix("^").removesuffix("$")
        fine = [f"(s.number || ',' || s.postcode) ~ '^{number},({postcode})?$'"]
    else:
        district = DISTRICT_SQL.removeprefix("^").removesuffix("$")
        fine = [
            "(s.polling_district || ',' || s.number || ',' || s.suffix || ',' || s.postcode) ~ "
            f"'^{district},[0-9]{{1,9}},[0-9]{{0,4}},({postcode})?$'"
        ]
    for column, _, _, limit in _text_limits(layout):
        if column != "markers":
            fine.append(f"octet_length(s.{column}) <= {limit}")
    if "markers" in layout.columns:
        limit = Elector._meta.get_field("markers").max_length
        known = "".join(KNOWN_MARKERS)
        fine.append(f"(s.markers = '' OR (octet_length(s.markers) <= {limit} AND s.markers ~ '^[{known} ,;/]*$'))")
    if layout.kind == Kind.ALTERATIONS:
        fine.append(f"({CHANGE_SQL}) IS NOT NULL")
    if layout.kind == Kind.ABSENT_VOTERS:
        fine.append(f"({ABSENT_SQL}) IS NOT NULL")
    return " AND ".join(fine)


def _checks(cursor, layout: Layout, *, duplicates: bool = True) -> list[Problem]:
    """Every bad row, in one scan of the staging table (plus one aggregate for duplicates, unless
    ``duplicates`` is false: then the caller has the unique elector number find them, and
    :func:`_duplicates` explains them).

    The scan computes each check only for the rows that fail the cheap :func:`_fine_sql`."""
    h = layout.header
    known = "".join(KNOWN_MARKERS)
    # (condition on a staging row s, column, message format with {} for the value, value expression)
    checks = [("trim(s.number) = ''", h("number"), "missing elector number", "''")]
    if layout.combined_number:
        checks.append(
            (
                f"trim(s.number) <> '' AND upper(trim(s.number)) !~ '{COMBINED_NUMBER_SQL}'",
                h("number"),
                "malformed elector number '{}' (expected like KA-124 or KA-124/1)",
                "s.number",
            )
        )
    else:
        checks += [
            ("trim(s.polling_district) = ''", h("polling_district"), "missing polling district", "''"),
            (
                f"trim(s.polling_district) <> '' AND upper(trim(s.polling_district)) !~ '{DISTRICT_SQL}'",
                h("polling_district"),
                "malformed polling district '{}'",
                "s.polling_district",
            ),
            (
                "trim(s.number) <> '' AND trim(s.number) !~ '^[0-9]{1,9}$'",
                h("number"),
                "malformed elector number '{}'",
                "s.number",
            ),
            ("trim(s.suffix) !~ '^[0-9]{0,4}$'", h("suffix"), "malformed elector number suffix '{}'", "s.suffix"),
        ]
    checks += [
        (f"length({expression}) > {limit}", h(column), f"{what} is longer than {limit} characters", "''")
        for column, what, expression, limit in _text_limits(layout)
    ]
    if "postcode" in layout.columns:
        checks.append(
            (
                f"s.postcode <> '' AND upper(trim(s.postcode)) !~ '{POSTCODE_SQL}'",
                h("postcode"),
                "malformed postcode '{}'",
                "s.postcode",
            )
        )
    if "markers" in layout.columns:
        unknown = f"translate(upper(s.markers), '{known} ,;/', '')"
        checks.append((f"s.markers <> '' AND {unknown} <> ''", h("markers"), "unknown marker '{}'", unknown))
    if layout.kind == Kind.ALTERATIONS:
        checks.append((f"({CHANGE_SQL}) IS NULL", h("change"), "unknown add/change/delete indicator '{}'", "s.change"))
    if layout.kind == Kind.ABSENT_VOTERS:
        checks.append((f"({ABSENT_SQL}) IS NULL", h("absent_type"), "unknown absent voter type '{}'", "s.absent_type"))
    flags = ", ".join(f"({condition}), {value}" for condition, _, _, value in checks)
    cursor.execute(
        f"SELECT s.row_no, {flags} FROM register_staging s WHERE NOT ({_fine_sql(layout)}) AND ("  # noqa: S608
        + " OR ".join(f"({condition})" for condition, _, _, _ in checks)
        + ") ORDER BY s.row_no"
    )
    found = []
    for row in cursor.fetchall():
        for index, (_, column, message, _) in enumerate(checks):
            if row[1 + 2 * index]:
                found.append(Problem(row[0], column, message.format(row[2 + 2 * index])))
    return found + (_duplicates(cursor, layout) if duplicates else [])


def _duplicates(cursor, layout: Layout) -> list[Problem]:
    """Every row of a repeated elector number after the first (a hash aggregate, no sort)."""
    district, number, suffix = _number_sql(layout)
    h = layout.header
    found = []
    valid = f"{number} ~ '^[0-9]{{1,9}}$'" if not layout.combined_number else f"{number} IS NOT NULL"
    deleting = f", ({CHANGE_SQL}) = 'delete'" if layout.kind == Kind.ALTERATIONS else ""
    cursor.execute(
        f"""SELECT {district}, ({number})::bigint, ({suffix})::int, array_agg(s.row_no ORDER BY s.row_no)
            FROM register_staging s WHERE {valid} AND {suffix} ~ '^[0-9]{{1,4}}$'
            GROUP BY {district}, ({number})::bigint, ({suffix})::int{deleting}
            HAVING count(*) > 1"""  # noqa: S608 (fixed fragments)
    )
    for code, elector, extra, rows in cursor.fetchall():
        written = f"{code}-{elector}" + (f"/{extra}" if extra else "")
        found += [
            Problem(row, h("number"), f"duplicate elector number {written} (first on row {rows[0]})")
            for row in rows[1:]
        ]
    return found


# --- writes ---------------------------------------------------------------------------------------------

_FLAT_PREFIXES = "['flat ', 'unit ', 'room ', 'apt ', 'apartment ', 'maisonette ']"


def _incoming_sql(layout: Layout) -> str:
    """SELECT the staging rows as electors, with the walk fields derived from the address by plain string
    functions (a regular expression per row per field would cost more than the COPY itself):

    - the *door line* is the first of the first three address lines that starts with a digit
      (``12 High Street``, ``12A High Street``); ``house_number`` is its leading number and ``street`` the rest;
    - a first line ``Flat 3`` (or unit, room, apartment, maisonette) is the ``flat``; the flats of a block share
      its door line, so street and house number;
    - without a numbered line (``Rose Cottage``, ``Mill Lane``) the street is the second line;
    - ``property_key`` (the household) is every address line and the postcode, upper case, without spaces.

    Each level is fenced (``OFFSET 0``), so a value the next level names several times is computed once a row
    (a flattened subquery would repeat its expression at every mention).
    """
    district, number, suffix = _number_sql(layout)
    surname, forenames = _name_sql(layout)
    change = f"({CHANGE_SQL})" if layout.kind == Kind.ALTERATIONS else "'add'"
    lines = ", ".join(f"trim(s.address_{i}) AS address_{i}" for i in range(1, 7))
    return f"""
        SELECT x.row_no, x.pd_id, x.number, x.suffix, x.markers, x.attainer_date, x.surname, x.forenames,
               x.address_1, x.address_2, x.address_3, x.address_4, x.address_5, x.address_6, x.postcode,
               upper(CASE WHEN x.door <> '' THEN substr(x.door, strpos(x.door, ' ') + 1)
                          WHEN x.flat_line <> '' THEN coalesce(nullif(x.address_3, ''), x.address_2)
                          ELSE coalesce(nullif(x.address_2, ''), x.address_1) END) AS street,
               CASE WHEN x.door <> ''
                    THEN left(x.door, least(6, length(x.door) - length(ltrim(x.door, '0123456789'))))::int
               END AS house_number,
               CASE WHEN x.flat_line <> '' THEN substr(x.flat_line, strpos(x.flat_line, ' ') + 1) ELSE '' END
                   AS flat,
               CASE WHEN x.address = '' THEN ''
                    ELSE upper(translate(x.address, ' ,.''-', '')) || '|' || replace(x.postcode, ' ', '') END
                   AS property_key,
               x.change
        FROM (
            SELECT y.*,
                   CASE WHEN length(y.pc) >= 5 THEN left(y.pc, -3) || ' ' || right(y.pc, 3) ELSE y.pc END
                       AS postcode,
                   CASE WHEN lower(split_part(y.address_1, ' ', 1)) || ' ' = ANY(ARRAY{_FLAT_PREFIXES})
                        THEN y.address_1 ELSE '' END AS flat_line,
                   CASE WHEN ascii(y.address_1) BETWEEN 48 AND 57 THEN y.address_1
                        WHEN ascii(y.address_2) BETWEEN 48 AND 57 THEN y.address_2
                        WHEN ascii(y.address_3) BETWEEN 48 AND 57 THEN y.address_3 ELSE '' END AS door,
                   concat_ws('|', nullif(y.address_1, ''), nullif(y.address_2, ''), nullif(y.address_3, ''),
                             nullif(y.address_4, ''), nullif(y.address_5, ''), nullif(y.address_6, '')) AS address
            FROM (
                SELECT s.row_no, pd.id AS pd_id, ({number})::int AS number, ({suffix})::int AS suffix,
                       upper(translate(s.markers, ' ,;/', '')) AS markers,
                       nullif(s.attainer_date, '')::date AS attainer_date,
                       {surname} AS surname, {forenames} AS forenames, {lines},
                       upper(replace(s.postcode, ' ', '')) AS pc,
                       {change} AS change
                FROM register_staging s
                JOIN canvassing_pollingdistrict pd ON pd.campaign_id = %(campaign)s AND pd.code = {district}
                OFFSET 0
            ) y
            OFFSET 0
        ) x
    """  # noqa: S608 (fixed fragments)


_ELECTOR_COLUMNS = (
    "polling_district_id, number, suffix, markers, attainer_date, surname, forenames, "
    + ", ".join(f"address_{i}" for i in range(1, 7))
    + ", postcode, street, house_number, flat, property_key"
)
_ELECTOR_VALUES = (
    "i.pd_id, i.number, i.suffix, i.markers, i.attainer_date, i.surname, i.forenames, "
    + ", ".join(f"i.address_{i}" for i in range(1, 7))
    + ", i.postcode, i.street, i.house_number, i.flat, i.property_key"
)
_E_COLUMNS = ", ".join(f"e.{column.strip()}" for column in _ELECTOR_COLUMNS.split(","))
_NEW_ELECTOR_DEFAULTS = "postal_voter, proxy_voter, current_outcome"


def delete_electors(cursor, ids_sql: str, params: list | None = None) -> int:
    """Delete the electors ``ids_sql`` selects, with their responses, list entries and votes (the foreign keys
    cascade in Django, not in the database, so set-based deletes name the dependants). Returns electors deleted."""
    cursor.execute("DROP TABLE IF EXISTS electors_going")
    cursor.execute(f"CREATE TEMPORARY TABLE electors_going ON COMMIT DROP AS {ids_sql}", params)
    for table in ("canvassing_canvassresponse", "canvassing_walklistentry", "canvassing_pollingdayvote"):
        cursor.execute(f"DELETE FROM {table} WHERE elector_id IN (SELECT * FROM electors_going)")  # noqa: S608
    cursor.execute("DELETE FROM canvassing_elector WHERE id IN (SELECT * FROM electors_going)")
    deleted = cursor.rowcount
    cursor.execute("DROP TABLE electors_going")
    return deleted


def _districts(cursor, layout: Layout) -> list[str]:
    """The polling districts the staging table names, sorted (the distinct values as written, then their codes)."""
    district, _, _ = _number_sql(layout)
    source = "(SELECT DISTINCT polling_district FROM register_staging) s"
    if layout.combined_number:
        source = "register_staging s"
    cursor.execute(f"SELECT DISTINCT {district} FROM {source}")  # noqa: S608 (fixed fragments)
    return sorted(code for (code,) in cursor.fetchall() if code is not None)


def _write_register(
    cursor, campaign_id: int, layout: Layout, report: RegisterImportReport, districts: list[str]
) -> None:
    params = {"campaign": campaign_id}
    cursor.execute(
        """SELECT exists(SELECT 1 FROM canvassing_elector e JOIN canvassing_pollingdistrict pd
                         ON pd.id = e.polling_district_id
                         WHERE pd.campaign_id = %(campaign)s AND pd.code = ANY(%(districts)s))""",
        {**params, "districts": districts},
    )
    (existing,) = cursor.fetchone()
    if not existing:
        # A first import of these districts: one INSERT ... SELECT straight from the staging table.
        cursor.execute(
            f"""INSERT INTO canvassing_elector (campaign_id, {_ELECTOR_COLUMNS}, {_NEW_ELECTOR_DEFAULTS})
                SELECT %(campaign)s, {_ELECTOR_VALUES}, false, false, ''
                FROM ({_incoming_sql(layout)}) i WHERE i.change <> 'delete'""",  # noqa: S608
            params,
        )
        report.created = cursor.rowcount
        return
    # Matching joins the whole file to the register: fresh statistics make them hash joins, not a million
    # index probes (autovacuum may not have analysed a register imported minutes ago).
    cursor.execute("ANALYZE canvassing_elector")
    cursor.execute("DROP TABLE IF EXISTS register_incoming")
    cursor.execute(f"CREATE TEMPORARY TABLE register_incoming ON COMMIT DROP AS {_incoming_sql(layout)}", params)
    cursor.execute("ALTER TABLE register_incoming ADD COLUMN elector_id bigint")
    # Temporary tables are never auto-analysed: without statistics the matching joins plan as nested loops.
    cursor.execute("ANALYZE register_incoming")
    cursor.execute("SELECT DISTINCT pd_id FROM register_incoming")
    district_ids = [row[0] for row in cursor.fetchall()]
    # An elector matched already is never matched again: "NOT IN" a hashed list of the matched, one probe a
    # row (a "NOT EXISTS" over register_incoming planned as a nested loop, as its statistics said no elector
    # was matched yet, and took a minute for 5,000 electors).
    # 1. a deletion names its elector by number.
    cursor.execute(
        """UPDATE register_incoming i SET elector_id = e.id FROM canvassing_elector e
           WHERE e.polling_district_id = i.pd_id AND e.number = i.number AND e.suffix = i.suffix
             AND i.change = 'delete'"""
    )
    # 2. the same number and the same name: the same elector.
    cursor.execute(
        """UPDATE register_incoming i SET elector_id = e.id FROM canvassing_elector e
           WHERE e.polling_district_id = i.pd_id AND e.number = i.number AND e.suffix = i.suffix
             AND e.surname = i.surname AND e.forenames = i.forenames AND i.change <> 'delete'
             AND e.id NOT IN (SELECT elector_id FROM register_incoming WHERE elector_id IS NOT NULL)"""
    )
    cursor.execute("ANALYZE register_incoming")
    # 3. numbers reissued: the same name at the same address, where exactly one pairing exists.
    cursor.execute(
        """WITH pairs AS (
               SELECT i.row_no, e.id FROM register_incoming i
               JOIN canvassing_elector e ON e.campaign_id = %(campaign)s AND e.surname = i.surname
                    AND e.forenames = i.forenames AND e.address_1 = i.address_1 AND e.postcode = i.postcode
               WHERE i.elector_id IS NULL AND i.surname <> '' AND i.change <> 'delete'
                 AND e.id NOT IN (SELECT elector_id FROM register_incoming WHERE elector_id IS NOT NULL)
           ), single AS (
               SELECT row_no, min(id) AS id FROM pairs
               WHERE id IN (SELECT id FROM pairs GROUP BY id HAVING count(*) = 1)
               GROUP BY row_no HAVING count(*) = 1
           )
           UPDATE register_incoming i SET elector_id = single.id FROM single WHERE i.row_no = single.row_no""",
        params,
    )
    # 4. the same number at the same address under a new name (a marriage, a correction).
    cursor.execute(
        """UPDATE register_incoming i SET elector_id = e.id FROM canvassing_elector e
           WHERE e.polling_district_id = i.pd_id AND e.number = i.number AND e.suffix = i.suffix
             AND e.address_1 = i.address_1 AND e.postcode = i.postcode
             AND i.elector_id IS NULL AND i.change <> 'delete'
             AND e.id NOT IN (SELECT elector_id FROM register_incoming WHERE elector_id IS NOT NULL)"""
    )
    cursor.execute("ANALYZE register_incoming")
    if layout.kind == Kind.ALTERATIONS:
        report.deleted = delete_electors(
            cursor, "SELECT elector_id FROM register_incoming WHERE change = 'delete' AND elector_id IS NOT NULL"
        )
        cursor.execute("SELECT count(*) FROM register_incoming WHERE change = 'delete' AND elector_id IS NULL")
        report.not_found = cursor.fetchone()[0]
        # A number an alteration gives that an elector it does not name keeps: say which rows, by number.
        cursor.execute(
            """SELECT i.row_no, pd.code, i.number, i.suffix FROM register_incoming i
               JOIN canvassing_elector e ON e.polling_district_id = i.pd_id AND e.number = i.number
                    AND e.suffix = i.suffix
               JOIN canvassing_pollingdistrict pd ON pd.id = i.pd_id
               WHERE i.change <> 'delete' AND e.id IS DISTINCT FROM i.elector_id
                 AND e.id NOT IN (SELECT elector_id FROM register_incoming
                                  WHERE elector_id IS NOT NULL AND change <> 'delete')
               ORDER BY i.row_no"""
        )
        if clashes := cursor.fetchall():
            raise ImportRejected(
                [
                    Problem(
                        row,
                        layout.header("number"),
                        f"elector number {code}-{number}{f'/{suffix}' if suffix else ''} is another elector's, "
                        "who stays on the register",
                    )
                    for row, code, number, suffix in clashes
                ]
            )
    else:
        report.deleted = delete_electors(
            cursor,
            """SELECT e.id FROM canvassing_elector e WHERE e.polling_district_id = ANY(%s)
               AND e.id NOT IN (SELECT elector_id FROM register_incoming WHERE elector_id IS NOT NULL)""",
            [district_ids],
        )
    # Reissued numbers may swap between electors: move the renumbered out of the way first (suffixes never
    # reach 20000), so that the unique elector number holds after every statement.
    cursor.execute(
        """UPDATE canvassing_elector e SET suffix = e.suffix + 20000 FROM register_incoming i
           WHERE e.id = i.elector_id AND i.change <> 'delete'
             AND (e.polling_district_id, e.number, e.suffix) <> (i.pd_id, i.number, i.suffix)"""
    )
    report.renumbered = cursor.rowcount
    cursor.execute(
        f"""UPDATE canvassing_elector e SET ({_ELECTOR_COLUMNS}) = ({_ELECTOR_VALUES})
            FROM register_incoming i
            WHERE e.id = i.elector_id AND i.change <> 'delete'
              AND ({_E_COLUMNS}) IS DISTINCT FROM ({_ELECTOR_VALUES})"""  # noqa: S608 (fixed fragments)
    )
    report.updated = cursor.rowcount
    cursor.execute("SELECT count(*) FROM register_incoming WHERE elector_id IS NOT NULL AND change <> 'delete'")
    report.unchanged = cursor.fetchone()[0] - report.updated
    cursor.execute(
        f"""INSERT INTO canvassing_elector (campaign_id, {_ELECTOR_COLUMNS}, {_NEW_ELECTOR_DEFAULTS})
            SELECT %(campaign)s, {_ELECTOR_VALUES}, false, false, ''
            FROM register_incoming i WHERE i.elector_id IS NULL AND i.change <> 'delete'""",  # noqa: S608
        params,
    )
    report.created = cursor.rowcount


def _write_absent_voters(cursor, campaign_id: int, layout: Layout, report: RegisterImportReport) -> list[Problem]:
    district, number, suffix = _number_sql(layout)
    cursor.execute("DROP TABLE IF EXISTS absent_incoming")
    cursor.execute(
        f"""CREATE TEMPORARY TABLE absent_incoming ON COMMIT DROP AS
            SELECT s.row_no, s.number AS written, e.id AS elector_id, e.polling_district_id, {ABSENT_SQL} AS kind
            FROM register_staging s
            LEFT JOIN canvassing_pollingdistrict pd ON pd.campaign_id = %s AND pd.code = {district}
            LEFT JOIN canvassing_elector e ON e.polling_district_id = pd.id AND e.number = ({number})::int
                 AND e.suffix = ({suffix})::int""",  # noqa: S608
        [campaign_id],
    )
    cursor.execute("SELECT row_no, written FROM absent_incoming WHERE elector_id IS NULL ORDER BY row_no")
    missing = [
        Problem(row, layout.header("number"), f"elector {written} is not on the register")
        for row, written in cursor.fetchall()
    ]
    if missing:
        return missing
    cursor.execute(
        """UPDATE canvassing_elector e SET
               postal_voter = coalesce(a.kind IN ('postal', 'postal_proxy'), false),
               proxy_voter = coalesce(a.kind IN ('proxy', 'postal_proxy'), false)
           FROM canvassing_elector x LEFT JOIN absent_incoming a ON a.elector_id = x.id
           WHERE e.id = x.id AND x.polling_district_id IN (SELECT polling_district_id FROM absent_incoming)"""
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE kind IN ('postal', 'postal_proxy')), "
        "count(*) FILTER (WHERE kind IN ('proxy', 'postal_proxy')) FROM absent_incoming"
    )
    report.postal, report.proxy = cursor.fetchone()
    return []


# --- the service ----------------------------------------------------------------------------------------


def _refuse_if_retention_over(campaign: CandidateCampaign) -> None:
    """Refuse an import into a campaign whose register was destroyed or is due to be (call in the import's
    transaction: it locks the campaign's row)."""
    locked = CandidateCampaign.objects.select_for_update().only("destroyed_at", "retention_date").get(pk=campaign.pk)
    if locked.destroyed_at is not None:
        when = clock.local(locked.destroyed_at)
        reason = f"this campaign's register was destroyed on {when:%d %B %Y}; it takes no register again"
    elif locked.retention_date <= clock.today():
        reason = f"this campaign's retention date ({locked.retention_date:%d %B %Y}) has come; it takes no register"
    else:
        return
    raise ImportRejected([Problem(None, None, reason)])


def register_import(
    *,
    campaign: CandidateCampaign,
    file: BinaryIO,
    user,
    route: str = "",
    via: str = "",
    filename: str = "",
    progress: Progress | None = None,
) -> RegisterImportReport:
    """Import a register export, an alterations file or an absent-voter list for ``campaign``, all or nothing.

    Raises :class:`UnknownLayout` (map the columns with :func:`layout_save`) or ``ImportRejected`` with every
    problem found. On success the import is written to the access log. ``progress``, if given, hears how far
    it has got (a job page shows it). ``user`` must hold a grant that imports (organiser.scope), checked
    again when a queued job runs: a grant revoked meanwhile stops the import. A campaign whose register was
    destroyed, or whose retention date has come, takes no register again by any route (the campaign row is
    locked, so a destruction running at the same moment goes first or waits).
    """
    scope.require_register(user, campaign, Elector, "add")
    saved = list(RegisterLayout.objects.filter(campaign=campaign))
    if (problem := upload_problem(file)) is not None:
        raise ImportRejected([Problem(1, None, problem)])
    from canvassing import register_files

    file = register_files.readable(file)  # a spreadsheet's first sheet, as CSV: the same checks, row for row
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # Set-based statements over the whole file: JIT compiling costs more than it saves here, and
                # the duplicate check and matching joins fit in memory rather than spilling to disk.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                _refuse_if_retention_over(campaign)
                staged = _stage_fast(cursor, file, saved, progress) if encoding == "utf-8-sig" else None
                layout, problems, rows = staged or _stage(cursor, file, encoding, saved, progress)
                if progress:
                    progress("checking", rows)
                # A full register for a campaign with no electors yet: the unique elector number finds any
                # duplicate as the electors are written, and only then are they looked for, to be explained.
                fresh = (
                    layout.kind == Kind.REGISTER
                    and not Elector.objects.filter(campaign=campaign).exists()
                    and not problems
                )
                problems += _checks(cursor, layout, duplicates=not fresh)
                if problems and fresh:
                    problems += _duplicates(cursor, layout)
                if problems:
                    raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
                report = RegisterImportReport(kind=layout.kind, encoding=encoding.removesuffix("-sig"), rows=rows)
                if progress:
                    progress("writing", rows)
                report.districts = _districts(cursor, layout)
                if layout.kind != Kind.ABSENT_VOTERS:
                    cursor.execute(
                        """INSERT INTO canvassing_pollingdistrict (campaign_id, code, name)
                           SELECT %s, code, '' FROM unnest(%s::text[]) AS code
                           ON CONFLICT (campaign_id, code) DO NOTHING""",
                        [campaign.pk, report.districts],
                    )
                    try:
                        with transaction.atomic():
                            _write_register(cursor, campaign.pk, layout, report, report.districts)
                    except IntegrityError as error:
                        if fresh and (duplicates := _duplicates(cursor, layout)):
                            raise ImportRejected(sorted(duplicates, key=lambda p: p.row or 0)) from error
                        raise ImportRejected(
                            [Problem(None, layout.header("number"), f"elector numbers would clash: {error}")]
                        ) from error
                elif missing := _write_absent_voters(cursor, campaign.pk, layout, report):
                    raise ImportRejected(missing)
                cursor.execute("DROP TABLE IF EXISTS register_staging, register_incoming, absent_incoming")
                from canvassing.services import access_log

                access_log(
                    campaign=campaign,
                    user=user,
                    action=AccessLog.Action.IMPORT,
                    electors=rows,
                    route=route or "import",
                    via=via,
                    file=filename,
                    **report.as_dict(),
                )
                return report
        except _NotUtf8:
            file.seek(0)
            continue
    raise AssertionError("unreachable: cp1252 never raises _NotUtf8")
