"""Spoiling good files at random, for the importers' property tests (hypothesis).

A test starts from a file an importer accepts (a few real rows) and draws a :class:`Spoiled` copy of it: cells
replaced by long text, huge or malformed numbers, quotes, separators, newlines and NUL characters; columns
missing, renamed or added; rows cut short or made longer, repeated; the whole file re-encoded, its separator
changed, bytes injected or the file cut off. The property every importer must have: the spoiled file is either
imported or refused with its problems named by row, and a refused file changes nothing in the database.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field

from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from organiser.imports import ImportRejected

# How many spoiled files each importer gets: ``ci`` (the default, a few seconds per importer on two cores) or
# ``long`` for a thorough local run: ``IMPORT_PROPERTY_PROFILE=long make test ARGS="-k properties"``. No deadline:
# the machine is shared, and time is measured, never asserted. Each example rolls back what it wrote, so the
# function-scoped database fixtures are safe to share between examples.
_common = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
settings.register_profile("importers-ci", max_examples=100, **_common)
settings.register_profile("importers-long", max_examples=1000, **_common)
property_settings = settings.get_profile(f"importers-{os.environ.get('IMPORT_PROPERTY_PROFILE', 'ci')}")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def read(cls, path, *, rows: int, keep=lambda row: True) -> Table:
        """The header and the first ``rows`` data rows of a real CSV file for which ``keep(row)`` holds."""
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            kept = []
            for row in reader:
                if keep(dict(zip(header, row, strict=False))):
                    kept.append(row)
                if len(kept) == rows:
                    break
        return cls(header, kept)

    def render(self) -> bytes:
        return render(self.header, self.rows)


def render(header: list[str], rows: list[list[str]], *, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@dataclass
class Spoiled:
    """A spoiled file and what was done to it. ``cells`` are the (line, column, value) replacements made in rows
    that nothing else touched; ``lines`` are the lines changed row by row; ``whole_file`` says something was done
    to the file as a whole (separator, encoding, bytes, a column), so no single row need be named."""

    data: bytes
    lines: set[int] = field(default_factory=set)
    cells: list[tuple[int, str, str]] = field(default_factory=list)
    whole_file: bool = False
    done: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"Spoiled(done={self.done!r}, data={self.data[:3000]!r})"


# --- values ------------------------------------------------------------------------------------------------

_letters = st.characters(codec="utf-8", exclude_categories=["Cs"])


@st.composite
def long_texts(draw) -> str:
    """Text past any column's size (31 to 5,000 characters): a party's full name in an abbreviation column."""
    seed = draw(st.text(_letters, min_size=1, max_size=12).filter(lambda s: s.strip()))
    length = draw(st.sampled_from([31, 61, 101, 151, 201, 301, 501, 1301, 5000]))
    return (seed * (length // len(seed) + 1))[:length]


# fmt: off
_odd_numbers = ["9" * 40, "2147483648", "99999999999", "1e400", "-1", "-0", "nan", "inf", "1,000", "0x10", "٣", "²",
                "1_000", "12.5", "", " ", "9" * 5000, "1e20", "-9" * 30]
# fmt: on
numbers = st.one_of(
    st.sampled_from(_odd_numbers),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
quoted = st.one_of(
    st.text(_letters, max_size=20).map(lambda s: f'"{s}'),
    st.text(_letters, max_size=20).map(lambda s: f'{s}"{s}'),
    st.just('""'),
    st.just('a,"b'),
)
awkward = st.one_of(
    st.text(max_size=40),  # any characters: commas, quotes, newlines, NUL, control characters
    st.sampled_from(["\x00", "a\x00b", "\r", "\n", "a\nb", "\\.", "\u2028", "\ufeff", "NULL", "\\N", " padded "]),
)
cell_values = st.one_of(long_texts(), numbers, quoted, awkward)


# --- spoiling --------------------------------------------------------------------------------------------------

ROW_WISE = ("cell", "cell", "cell", "short row", "long row", "repeat row")
WHOLE_FILE = ("drop column", "rename column", "extra column", "separator", "encoding", "bytes", "cut", "bom", "crlf")


@st.composite
def spoiled(draw, table: Table) -> Spoiled:
    """One to three spoilings of ``table``, row-wise or to the whole file."""
    header, rows = list(table.header), [list(row) for row in table.rows]
    result = Spoiled(b"")
    delimiter, encoding = ",", "utf-8"
    byte_edits: list = []
    rows_touched: dict[int, str] = {}  # index into rows -> how
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        how = draw(st.sampled_from(ROW_WISE + WHOLE_FILE))
        result.done.append(how)
        if how in ROW_WISE and rows:
            index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
            row = rows[index]
            if not row:
                row.append("")
            if how == "cell":
                column = draw(st.integers(min_value=0, max_value=len(row) - 1))
                row[column] = draw(cell_values)
                rows_touched.setdefault(index, "cell")
                result.done.append(f"row {index + 2} {header[column] if column < len(header) else column}")
            elif how == "short row":
                del row[draw(st.integers(min_value=0, max_value=len(row) - 1)) :]
                rows_touched[index] = how
            elif how == "long row":
                row.extend(draw(st.lists(cell_values, min_size=1, max_size=3)))
                rows_touched[index] = how
            else:
                rows.insert(index + 1, list(row))
                rows_touched = {i + (i > index): how for i, how in rows_touched.items()}
                rows_touched[index + 1] = how
        elif how == "drop column" and len(header) > 1:
            column = draw(st.integers(min_value=0, max_value=len(header) - 1))
            result.done.append(header[column])
            del header[column]
            for row in rows:
                del row[column : column + 1]
            result.whole_file = True
        elif how == "rename column" and header:
            column = draw(st.integers(min_value=0, max_value=len(header) - 1))
            header[column] = draw(st.one_of(st.text(_letters, max_size=30), long_texts()))
            result.whole_file = True
        elif how == "extra column":
            header.append(draw(st.text(_letters, max_size=20)))
            value = draw(cell_values)
            for row in rows:
                row.append(value)
            result.whole_file = True
        elif how == "separator":
            delimiter = draw(st.sampled_from([";", "\t", "|", " "]))
            result.whole_file = True
        elif how == "encoding":
            encoding = draw(st.sampled_from(["cp1252", "latin-1", "utf-16", "utf-16-le", "utf-8-sig", "ascii"]))
            result.done.append(encoding)
            result.whole_file = True
        else:
            byte_edits.append((how, draw(st.floats(min_value=0, max_value=1)), draw(st.binary(min_size=1, max_size=4))))
            result.whole_file = True
    text = render(header, rows, delimiter=delimiter).decode()
    data = text.encode(encoding, "replace") if encoding not in ("utf-8", "utf-8-sig") else text.encode(encoding)
    for how, where, junk in byte_edits:
        at = int(where * len(data))
        if how == "bytes":
            data = data[:at] + draw(st.sampled_from([b"\x00", b'"', b"\xff\xfe", b"\x81", junk])) + data[at:]
        elif how == "cut":
            data = data[:at]
        elif how == "bom":
            data = b"\xef\xbb\xbf" + data
        else:
            data = data.replace(b"\n", b"\r\n")
    result.data = data
    # A row is named by its record's number (the row a spreadsheet shows) or by any line of the file it spans
    # (a cell may hold line breaks).
    line, lines_of, spans = 2, {}, {}
    for index, row in enumerate(rows):
        lines_of[index] = line
        end = line + sum(cell.count("\n") + cell.count("\r") for cell in row)
        spans[index] = {index + 2, *range(line, end + 1)}
        line = end + 1
    result.lines = {line for index in rows_touched for line in spans[index]}
    result.cells = [
        (lines_of[index], header[column], value)
        for index, how in rows_touched.items()
        if how == "cell"
        for column, value in enumerate(rows[index])
        if column < len(header) and value != _original(table, index, column)
    ]
    return result


def _original(table: Table, index: int, column: int) -> str | None:
    try:
        return table.rows[index][column]
    except IndexError:
        return None


# --- the property ------------------------------------------------------------------------------------------------


def snapshot(tables: list[str]) -> dict[str, tuple]:
    """Each table's row count and a digest of all its rows: equal snapshots mean nothing changed."""
    state = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            )
            state[table] = cursor.fetchone()
    return state


def lines_in(data: bytes) -> int:
    """The lines of a file ended by LF, CRLF or a lone CR (as the importers read them), plus a last one."""
    return len(data.splitlines()) + 1


def assert_refused_well(rejected: ImportRejected, spoilt: Spoiled, *, rows_named: bool = True) -> None:
    """A refusal says what is wrong, each problem at a row of the file (or the file as a whole), and a file
    spoiled only in some rows has a problem naming one of them (or naming a row like it, "as row 3")."""
    problems = rejected.problems
    assert problems, "refused without a reason"
    for problem in problems:
        assert problem.problem.strip()
        assert problem.row is None or 1 <= problem.row <= lines_in(spoilt.data) + 1, problem
    if rows_named and spoilt.lines and not spoilt.whole_file:
        named = {p.row for p in problems} | {int(n) for p in problems for n in re.findall(r"row (\d+)", p.problem)}
        assert named & spoilt.lines, (problems, spoilt.lines)
