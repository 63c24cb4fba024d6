"""Rallings & Thrasher notional results of the previous general election on the new (2024) boundaries.

The BBC/PA distribution (``results_spreadsheet_for_distribution.csv``): one row per new seat, votes per party in
``Conv``, ``Labv`` … columns. The Brexit Party (``Brxv``) is Reform UK's former name and is stored as ``RUK``.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.importers.base import Column, RowChecker, max_length, open_table, reject_if
from campaigns.models import NotionalResult
from organiser.imports import Problem

# Column key -> party abbreviation as used in the Commons Library files.
PARTY_VOTE_COLUMNS = {
    "Conv": "Con",
    "Labv": "Lab",
    "LDv": "LD",
    "Grnv": "Green",
    "Brxv": "RUK",
    "SNPv": "SNP",
    "PCv": "PC",
    "APNIv": "APNI",
    "DUPv": "DUP",
    "SDLPv": "SDLP",
    "SFv": "SF",
    "UUPv": "UUP",
    "TotOthv": "Other",
}
WINNER_ABBREVIATIONS = {"Spkr": "Spk", "All": "APNI", "Grn": "Green", "Brx": "RUK"}

# Five Scottish rows carry pre-2024 codes; the new seats they stand for.
OUTDATED_CODES = {
    "S14000058": "S14000111",
    "S14000006": "S14000107",
    "S14000010": "S14000109",
    "S14000008": "S14000108",
    "S14000040": "S14000110",
}

COLUMNS = [
    Column("code", ("ONS code", "ons_code", "ons_id")),
    Column("name", ("Boundary Comm name", "boundary_comm_name", "constituency_name")),
    Column("electorate", ("electorate", "Electorate")),
    Column("total_votes", ("total_votes", "Total votes")),
    Column("majority", ("majority", "Majority")),
    Column("winner", ("Win19", "winner", "first_party")),
    Column("second", ("Second19", "second", "second_party")),
    Column("turnout", ("turnout",), required=False),
    *[Column(key, (key,)) for key in PARTY_VOTE_COLUMNS],
]


@dataclass
class NotionalRow:
    row: int
    code: str
    electorate: int
    total_votes: int
    majority: int
    winner: str
    second: str
    votes: dict[str, int]


def parse_notional(data: bytes, *, known_codes: set[str]) -> list[NotionalRow]:
    table = open_table(
        data, COLUMNS, kind_label="a notional results file (Rallings & Thrasher)", signature={"Conv", "Labv", "winner"}
    )
    check = RowChecker(table)
    parsed: list[NotionalRow] = []
    seen: dict[str, int] = {}
    for number, row in table.rows:
        raw = table.get(row, "code").upper()
        code = OUTDATED_CODES.get(raw, raw)
        if code not in known_codes:
            check.add(number, "code", f"unknown constituency code '{raw}'" if raw else "is empty")
            continue
        numbers = {k: check.count(number, row, k) for k in ("electorate", "total_votes", "majority")}
        # A blank party cell means the party did not stand (0 votes).
        votes = {abbr: check.count(number, row, key, required=False) or 0 for key, abbr in PARTY_VOTE_COLUMNS.items()}
        winner = check.text(number, row, "winner", limit=max_length(NotionalResult, "winner"))
        second = check.text(number, row, "second", required=False, limit=max_length(NotionalResult, "second"))
        if None in numbers.values() or winner is None or second is None:
            continue
        if code in seen:
            check.add(number, "code", f"constituency {code} appears twice (also row {seen[code]})")
            continue
        seen[code] = number
        parsed.append(
            NotionalRow(
                row=number,
                code=code,
                winner=WINNER_ABBREVIATIONS.get(winner, winner),
                second=WINNER_ABBREVIATIONS.get(second, second),
                votes={abbr: v for abbr, v in votes.items() if v},
                **numbers,
            )
        )
    reject_if(check.problems)
    if not parsed:
        reject_if([Problem(None, None, "the file has no data rows")])
    return parsed
