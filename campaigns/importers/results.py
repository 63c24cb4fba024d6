"""Commons Library general election results files: by candidate and by constituency.

Both the 2024 layout (``ONS ID``, ``Party abbreviation``, ``Candidate first name`` …) and the earlier snake_case
releases (``ons_id``, ``party_abbreviation``, ``firstname``, ``surname``, ``votes`` …) are read. Which of the two
files it is comes from its headers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from campaigns.importers.base import INTEGER_MAX, Column, CsvTable, RowChecker, decode, max_length, reject_if
from campaigns.models import Constituency, Party, Person, Result
from organiser.imports import ImportRejected, Problem

SEAT_COLUMNS = [
    Column("ons_id", ("ONS ID", "ons_id", "constituency_code", "pcon24cd")),
    Column("region_code", ("ONS region ID", "ons_region_id"), required=False),
    Column("constituency_name", ("Constituency name", "constituency_name")),
    Column("region_name", ("Region name", "region_name"), required=False),
    Column("country_name", ("Country name", "country_name")),
    Column("constituency_type", ("Constituency type", "constituency_type"), required=False),
]

CANDIDATE_COLUMNS = [
    *SEAT_COLUMNS,
    Column("party_name", ("Party name", "party_name")),
    Column("party_abbreviation", ("Party abbreviation", "party_abbreviation", "party_abbreviation_2")),
    Column("ec_party_id", ("Electoral Commission party ID", "electoral_commission_party_id"), required=False),
    Column("first_name", ("Candidate first name", "firstname", "first_name", "candidate_firstname")),
    Column("surname", ("Candidate surname", "surname", "candidate_surname")),
    Column("gender", ("Candidate gender", "gender"), required=False),
    Column("sitting_mp", ("Sitting MP", "sitting_mp"), required=False),
    Column("votes", ("Votes", "votes")),
    Column("share", ("Share", "share"), required=False),
    Column("dc_person_id", ("DC Person ID", "dc_person_id", "person_id"), required=False),
]

CONSTITUENCY_COLUMNS = [
    *SEAT_COLUMNS,
    Column("declaration_time", ("Declaration time", "declaration_time"), required=False),
    Column("result", ("Result", "result")),
    Column("first_party", ("First party", "first_party")),
    Column("second_party", ("Second party", "second_party"), required=False),
    Column("electorate", ("Electorate", "electorate")),
    Column("valid_votes", ("Valid votes", "valid_votes")),
    Column("invalid_votes", ("Invalid votes", "invalid_votes")),
    Column("majority", ("Majority", "majority")),
]

#: A GSS area code (E12000007 London, S92000003 Scotland, ...).
GSS_AREA_RE = re.compile(r"^[ENSW]\d{8}$")
#: Scotland, Wales and Northern Ireland are each one region.
NATION_REGIONS = {"Scotland": "S92000003", "Wales": "W92000004", "Northern Ireland": "N92000002"}


def _region_code(written: str, nation: str) -> str:
    """The region's GSS code. The Commons Library writes "NA" for some Scottish seats: the nation's region then,
    not a second "Scotland" in the region filter."""
    if GSS_AREA_RE.match(written):
        return written
    return NATION_REGIONS.get(nation, "")


NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern ireland": "Northern Ireland",
}
NATION_BY_PREFIX = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


@dataclass(slots=True)
class SeatRow:
    code: str
    name: str
    nation: str
    region_code: str
    region_name: str
    constituency_type: str


@dataclass(slots=True)
class CandidateRow:
    row: int
    code: str
    party_name: str | None  # None: an independent
    party_abbreviation: str
    ec_party_id: str
    first_name: str
    surname: str
    gender: str
    votes: int
    dc_person_id: int | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}".strip()


@dataclass(slots=True)
class ConstituencyResultRow:
    row: int
    code: str
    electorate: int
    valid_votes: int
    invalid_votes: int
    majority: int
    result_text: str
    first_party: str
    second_party: str
    declared_at: datetime | None


@dataclass
class ResultsFile:
    kind: str  # "by_candidate" | "by_constituency"
    seats: dict[str, SeatRow] = field(default_factory=dict)
    candidates: list[CandidateRow] = field(default_factory=list)
    constituency_results: list[ConstituencyResultRow] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.candidates) + len(self.constituency_results)


def is_independent(party_name: str, abbreviation: str) -> bool:
    return abbreviation.lower() in {"ind", "independent"} or party_name.lower() == "independent"


#: A name key longer than this is cut and given a digest of the whole, so a ``Person.key`` always fits its column.
NAME_KEY_LENGTH = 120


def name_key(name: str) -> str:
    """A spelling-insensitive key for a person's name (for files without Democracy Club ids)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(key) > NAME_KEY_LENGTH:
        key = f"{key[: NAME_KEY_LENGTH - 13]}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    return key


#: (column key, model, field): the text each column fills, checked against the size of that field.
SEAT_LIMITS = [
    ("constituency_name", Constituency, "name"),
    ("region_code", Constituency, "region_code"),
    ("region_name", Constituency, "region_name"),
    ("constituency_type", Constituency, "constituency_type"),
]
CANDIDATE_LIMITS = [
    ("party_name", Party, "name"),
    ("party_abbreviation", Party, "abbreviation"),
    ("ec_party_id", Party, "ec_party_id"),
    ("first_name", Person, "first_name"),
    ("surname", Person, "surname"),
    ("gender", Person, "gender"),
]
RESULT_LIMITS = [
    ("result", Result, "result_text"),
    ("first_party", Result, "first_party"),
    ("second_party", Result, "second_party"),
]


def _fit(check: RowChecker, number: int, row: list[str], at: dict[str, int], limits: list) -> bool:
    """Whether every cell of ``limits`` fits its column (recording each that does not)."""
    fits = True
    for key, model, name in limits:
        fits = check.fits(number, key, row[at[key]].strip(), max_length(model, name)) and fits
    return fits


def detect_kind(table: CsvTable) -> str | None:
    if table.has("electorate") or table.has("valid_votes"):
        return "by_constituency"
    if table.has("votes") or table.has("party_abbreviation") or table.has("surname"):
        return "by_candidate"
    return None


class _SeatReader:
    """Reads and checks the seat columns of each row. A by-candidate file repeats a seat on each of its rows, so
    the raw (code, name, country) cells of a good row are remembered and the next row like it costs one lookup."""

    def __init__(self, check: RowChecker, known: set[str] | None, at: dict[str, int]):
        self.check = check
        self.known = known
        self.at = at
        self.i_code, self.i_name, self.i_country = at["ons_id"], at["constituency_name"], at["country_name"]
        self.good: dict[tuple[str, str, str], str] = {}
        self.seats: dict[str, SeatRow] = {}

    def read(self, number: int, row: list[str]) -> str | None:
        """The row's constituency code, or None (the problems recorded) when its seat columns are bad."""
        cells = (row[self.i_code], row[self.i_name], row[self.i_country])
        code = self.good.get(cells)
        if code is not None:
            return code
        at, check = self.at, self.check
        code = check.code(number, row, "ons_id", known=self.known)
        name = cells[1].strip()
        if not name:
            check.add(number, "constituency_name", "is empty")
        country = cells[2].strip()
        nation = NATIONS.get(country.lower()) if country else None
        if country and nation is None:
            check.add(number, "country_name", f"'{country}' is not England, Wales, Scotland or Northern Ireland")
            return None
        if code is None or not name or not _fit(check, number, row, at, SEAT_LIMITS):
            return None
        if code not in self.seats:
            self.seats[code] = SeatRow(
                code=code,
                name=name,
                nation=nation or NATION_BY_PREFIX[code[0]],
                region_code=_region_code(row[at["region_code"]].strip(), nation or NATION_BY_PREFIX[code[0]]),
                region_name=row[at["region_name"]].strip(),
                constituency_type=row[at["constituency_type"]].strip(),
            )
        self.good[cells] = code
        return code


def _whole_number(check: RowChecker, number: int, row: list[str], key: str, i: int) -> int | None:
    """A count: plain digits are read at once, anything else goes through the checker (which says what is wrong)."""
    raw = row[i].strip()
    if raw.isdigit() and raw.isascii() and len(raw) < 10:
        return int(raw)
    return check.count(number, row, key)


def _declared_at(check: RowChecker, number: int, row: list[str]) -> datetime | None:
    raw = check.table.get(row, "declaration_time")
    if not raw:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return timezone.make_aware(datetime.strptime(raw, fmt))  # noqa: DTZ007 - made aware at once
        except ValueError:
            continue
    check.add(number, "declaration_time", f"'{raw}' is not a date and time")
    return None


def parse_results(data: bytes, *, known_codes: set[str] | None = None) -> ResultsFile:
    """Parse and check one Commons Library results file (either kind); raise :class:`ImportRejected` with every
    problem found. ``known_codes``: when given, constituency codes outside it are reported as unknown."""
    text = decode(data)
    probe = CsvTable(text, CANDIDATE_COLUMNS + CONSTITUENCY_COLUMNS[len(SEAT_COLUMNS) :], header_only=True)
    kind = detect_kind(probe)
    if kind is None:
        found = ", ".join(probe.header[:8])
        raise ImportRejected(
            [
                Problem(
                    1,
                    None,
                    "this is not a Commons Library results file by candidate or by constituency "
                    f"(columns found: {found})",
                )
            ]
        )
    table = CsvTable(text, CANDIDATE_COLUMNS if kind == "by_candidate" else CONSTITUENCY_COLUMNS)
    reject_if(table.missing_problems())
    if not table.rows:
        raise ImportRejected([Problem(None, None, "the file has a header but no data rows")])
    check = RowChecker(table)
    parsed = ResultsFile(kind=kind)
    # Every column gets an index; an absent optional column points past the row's end, at an empty cell.
    width = len(table.header)
    at = {key: table.index.get(key, width) for key in table.columns}
    padding = [""] * (width + 1)
    seats = _SeatReader(check, known_codes, at)
    seen: dict[tuple, int] = {}
    if kind == "by_candidate":
        i_party, i_abbreviation, i_surname = at["party_name"], at["party_abbreviation"], at["surname"]
        i_first, i_votes, i_dc, i_ec, i_gender = (
            at["first_name"], at["votes"], at["dc_person_id"], at["ec_party_id"], at["gender"],
        )  # fmt: skip
        for number, row in table.rows:
            if len(row) <= width:
                row.extend(padding[len(row) :])
            code = seats.read(number, row)
            party_name = row[i_party].strip()
            abbreviation = row[i_abbreviation].strip()
            surname = row[i_surname].strip()
            for key, value in (("party_name", party_name), ("party_abbreviation", abbreviation), ("surname", surname)):
                if not value:
                    check.add(number, key, "is empty")
            votes = _whole_number(check, number, row, "votes", i_votes)
            dc_raw = row[i_dc].strip()
            dc_person_id = None
            if dc_raw:
                if dc_raw.isdigit() and dc_raw.isascii() and len(dc_raw) <= 10 and int(dc_raw) <= INTEGER_MAX:
                    dc_person_id = int(dc_raw)
                else:
                    check.add(number, "dc_person_id", f"'{dc_raw[:50]}' is not a Democracy Club person id")
            fits = _fit(check, number, row, at, CANDIDATE_LIMITS)
            full_name = f"{row[i_first].strip()} {surname}".strip()
            if fits and len(full_name) > (limit := max_length(Person, "name")):
                check.add(number, "surname", f"the full name is {len(full_name)} characters long; at most {limit} fit")
                fits = False
            if code is None or not party_name or not abbreviation or not surname or votes is None or not fits:
                continue
            candidate = CandidateRow(
                row=number,
                code=code,
                party_name=None if is_independent(party_name, abbreviation) else party_name,
                party_abbreviation=abbreviation,
                ec_party_id=row[i_ec].strip(),
                first_name=row[i_first].strip(),
                surname=surname,
                gender=row[i_gender].strip(),
                votes=votes,
                dc_person_id=dc_person_id,
            )
            identity = (code, dc_person_id) if dc_person_id else (code, name_key(candidate.full_name))
            if identity in seen:
                check.add(number, "surname", f"the same candidate ({candidate.full_name}) as row {seen[identity]}")
                continue
            seen[identity] = number
            parsed.candidates.append(candidate)
    else:
        counted = [(key, at[key]) for key in ("electorate", "valid_votes", "invalid_votes", "majority")]
        for number, row in table.rows:
            if len(row) <= width:
                row.extend(padding[len(row) :])
            code = seats.read(number, row)
            numbers = {key: _whole_number(check, number, row, key, i) for key, i in counted}
            result_text = check.text(number, row, "result")
            first_party = check.text(number, row, "first_party")
            declared_at = _declared_at(check, number, row)
            fits = _fit(check, number, row, at, RESULT_LIMITS)
            if code is None or None in numbers.values() or result_text is None or first_party is None or not fits:
                continue
            if code in seen:
                check.add(number, "ons_id", f"constituency {code} appears twice (also row {seen[code]})")
                continue
            seen[code] = number
            if numbers["valid_votes"] > numbers["electorate"]:
                check.add(number, "valid_votes", "is larger than the electorate")
            parsed.constituency_results.append(
                ConstituencyResultRow(
                    row=number,
                    code=code,
                    result_text=result_text,
                    first_party=first_party,
                    second_party=row[at["second_party"]].strip(),
                    declared_at=declared_at,
                    **numbers,
                )
            )
    parsed.seats = seats.seats
    reject_if(check.problems)
    return parsed
