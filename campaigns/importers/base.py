"""Reading and validating uploaded data files, in plain Python, before anything touches the database.

Every importer parses and checks the whole file first and collects *every* problem (row, column, what is
wrong); only a file with no problems reaches the database writers in :mod:`campaigns.services.imports`. The
problem, the refusal and the report are the shared toolkit's (:mod:`organiser.imports`), as for the register.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass

from organiser.imports import ImportRejected, Problem, looks_binary

# 2024 GSS codes (E14, W07, S14, N05) and the earlier ones (E14, W07, S14, N06); ASCII digits only.
CONSTITUENCY_CODE_RE = re.compile(r"(E14|W07|S14|N05|N06)[0-9]{6}")
#: The largest whole number an integer column holds (PostgreSQL ``integer``).
INTEGER_MAX = 2**31 - 1


def max_length(model, name: str) -> int:
    """The size of a model's text column, so that the checks follow the columns they fill."""
    return model._meta.get_field(name).max_length


def decode(data: bytes) -> str:
    """Decode a file as UTF-8 (with or without BOM), falling back to Windows-1252. A NUL byte (which no text
    column can store) rejects the file: as binary near its start, else naming each line that holds one."""
    if looks_binary(data):
        raise ImportRejected([Problem(None, None, "the file is not text (it looks binary); upload a CSV file")])
    if b"\x00" in data:
        lines = sorted({data.count(b"\n", 0, match.start()) + 1 for match in re.finditer(b"\x00", data)})
        message = "a NUL character (the file is damaged or not text)"
        raise ImportRejected([Problem(line, None, message) for line in lines])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [Problem(None, None, f"the file could not be decoded as UTF-8 or Windows-1252 (byte {exc.start})")]
        ) from None


def normalise_header(name: str) -> str:
    """``"ONS ID"``, ``ons_id`` and ``'"turnout"'`` all become comparable keys (``ons_id``, ``turnout``)."""
    return re.sub(r"[^a-z0-9%]+", "_", name.strip().strip('"').lower()).strip("_")


@dataclass
class Column:
    """A column an importer reads: its key, the header names accepted for it, whether it must be present."""

    key: str
    headers: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return self.headers[0]


class CsvTable:
    """A decoded CSV file whose columns are matched to an importer's expected :class:`Column` list."""

    def __init__(self, text: str, columns: list[Column], *, header_only: bool = False):
        self.columns = {c.key: c for c in columns}
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            self.header = next(reader)
        except StopIteration:
            raise ImportRejected([Problem(None, None, "the file is empty")]) from None
        except csv.Error as exc:
            raise ImportRejected([Problem(1, None, f"not a readable CSV file ({exc})")]) from None
        self.normalised = [normalise_header(h) for h in self.header]
        self.index: dict[str, int] = {}
        for column in columns:
            for header in column.headers:
                key = normalise_header(header)
                if key in self.normalised:
                    self.index[column.key] = self.normalised.index(key)
                    break
        if header_only:
            self.rows: list[tuple[int, list[str]]] = []
            return
        try:
            self.rows = [(number, row) for number, row in enumerate(reader, start=2) if "".join(row).strip()]
        except csv.Error as exc:
            raise ImportRejected([Problem(reader.line_num, None, f"not a readable CSV row ({exc})")]) from None

    def has(self, key: str) -> bool:
        return key in self.index

    def missing_problems(self) -> list[Problem]:
        """A problem for each required column not found, suggesting the header it may have been renamed to."""
        problems = []
        unmatched = [h for i, h in enumerate(self.header) if i not in self.index.values()]
        for column in self.columns.values():
            if column.required and column.key not in self.index:
                close = difflib.get_close_matches(column.label, unmatched, n=1, cutoff=0.6) or [
                    h for h in unmatched if normalise_header(column.label)[:4] in normalise_header(h)
                ]
                hint = f" (is '{close[0]}' the same column, renamed?)" if close else ""
                problems.append(Problem(1, column.label, f"missing column '{column.label}'{hint}"))
        return problems

    def get(self, row: list[str], key: str) -> str:
        i = self.index.get(key)
        if i is None or i >= len(row):
            return ""
        return row[i].strip()


class RowChecker:
    """Collects problems while converting cells; each ``*_value`` returns None (and records why) on bad input."""

    def __init__(self, table: CsvTable):
        self.table = table
        self.problems: list[Problem] = []

    def add(self, row: int | None, key: str | None, problem: str) -> None:
        label = self.table.columns[key].label if key in self.table.columns else key
        self.problems.append(Problem(row, label, problem))

    def text(
        self, number: int, row: list[str], key: str, *, required: bool = True, limit: int | None = None
    ) -> str | None:
        value = self.table.get(row, key)
        if not value and required:
            self.add(number, key, "is empty")
            return None
        if limit is not None and not self.fits(number, key, value, limit):
            return None
        return value

    def fits(self, number: int | None, key: str, value: str, limit: int) -> bool:
        """Whether ``value`` fits a column of ``limit`` characters (recording the problem when not)."""
        if len(value) <= limit:
            return True
        self.add(number, key, f"is {len(value)} characters long; at most {limit} are kept")
        return False

    def bounded(self, number: int, key: str, value: int) -> int | None:
        """``value``, or None (recorded) when it is past what an integer column holds."""
        if value > INTEGER_MAX:
            self.add(number, key, f"{value:,} is too large" if value < 10**30 else "is too large")
            return None
        return value

    def count(self, number: int, row: list[str], key: str, *, required: bool = True) -> int | None:
        raw = self.table.get(row, key).replace(",", "")
        if not raw:
            if required:
                self.add(number, key, "is empty; expected a whole number")
            return None
        try:
            value = int(raw)
        except ValueError:
            try:
                as_float = float(raw)
            except ValueError:
                self.add(number, key, f"'{raw[:50]}' is not a number")
                return None
            if not as_float.is_integer():
                self.add(number, key, f"'{raw[:50]}' is not a whole number")
                return None
            value = int(as_float)
        if value < 0:
            self.add(number, key, f"{value} is negative" if value > -(10**30) else "is negative")
            return None
        return self.bounded(number, key, value)

    def decimal(self, number: int, row: list[str], key: str, *, required: bool = False) -> float | None:
        raw = self.table.get(row, key).replace(",", "").rstrip("%")
        if not raw:
            if required:
                self.add(number, key, "is empty; expected a number")
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # "nan", "inf" and 1e999 are no figures
            self.add(number, key, f"'{raw[:50]}' is not a number")
            return None
        return value

    def code(self, number: int, row: list[str], key: str, *, known: set[str] | None = None) -> str | None:
        raw = self.table.get(row, key)
        code = raw.upper()
        if not code:
            self.add(number, key, "is empty; expected a constituency code such as E14001063")
            return None
        if not CONSTITUENCY_CODE_RE.fullmatch(code):
            self.add(number, key, f"'{raw}' is not a constituency code (expected e.g. E14001063, W07000081)")
            return None
        if known is not None and code not in known:
            self.add(number, key, f"unknown constituency code '{code}'")
            return None
        return code


def reject_if(problems: list[Problem]) -> None:
    if problems:
        raise ImportRejected(problems)


def open_table(data: bytes, columns: list[Column], *, kind_label: str, signature: set[str]) -> CsvTable:
    """Decode and read a CSV, rejecting it as the wrong kind when none of ``signature`` keys is present,
    and listing every missing required column otherwise."""
    table = CsvTable(decode(data), columns)
    if not table.rows:
        raise ImportRejected([Problem(None, None, "the file has a header but no data rows")])
    if not any(table.has(key) for key in signature):
        found = ", ".join(table.header[:8])
        raise ImportRejected([Problem(1, None, f"this does not look like {kind_label} (columns found: {found})")])
    reject_if(table.missing_problems())
    return table
