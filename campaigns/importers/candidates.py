"""Democracy Club candidates (``candidates.csv``): who stands where, before any votes are counted."""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.importers.base import INTEGER_MAX, Column, RowChecker, max_length, open_table, reject_if
from campaigns.models import Party, Person

COLUMNS = [
    Column("person_id", ("person_id", "DC Person ID")),
    Column("person_name", ("person_name", "name")),
    Column("image", ("image", "image_url"), required=False),
    Column("election_id", ("election_id",)),
    Column("party_key", ("party_key",), required=False),
    Column("party_name", ("party_name",)),
    Column("code", ("pcon24cd", "post_id", "gss")),
    Column("cancelled_poll", ("cancelled_poll",), required=False),
]

# Democracy Club / Electoral Commission registered names -> the Commons Library's party names.
PARTY_NAMES = {
    "Conservative and Unionist Party": "Conservative",
    "Labour Party": "Labour",
    "Labour and Co-operative Party": "Labour and Co-operative",
    "Liberal Democrats": "Liberal Democrat",
    "Green Party": "Green",
    "Scottish National Party (SNP)": "Scottish National Party",
    "Plaid Cymru - The Party of Wales": "Plaid Cymru",
    "SDLP (Social Democratic & Labour Party)": "Social Democratic and Labour Party",
    "Alliance - Alliance Party of Northern Ireland": "Alliance",
    "Democratic Unionist Party - D.U.P.": "Democratic Unionist Party",
    "Sinn Féin": "Sinn Fein",
    "Traditional Unionist Voice - TUV": "Traditional Unionist Voice",
    "Speaker seeking re-election": "Speaker",
}


@dataclass
class DcCandidateRow:
    row: int
    person_id: int
    name: str
    image: str
    election_id: str
    party_name: str | None  # None: independent
    code: str


def parse_dc_candidates(data: bytes, *, known_codes: set[str], election_slug: str) -> list[DcCandidateRow]:
    table = open_table(
        data, COLUMNS, kind_label="a Democracy Club candidates file", signature={"person_id", "party_key"}
    )
    check = RowChecker(table)
    parsed = []
    seen: dict[tuple, int] = {}
    for number, row in table.rows:
        raw_id = check.text(number, row, "person_id")
        name = check.text(number, row, "person_name", limit=max_length(Person, "name"))
        election_id = check.text(number, row, "election_id")
        party = check.text(number, row, "party_name", limit=max_length(Party, "name"))
        image = check.text(number, row, "image", required=False, limit=max_length(Person, "photo_url"))
        code = check.code(number, row, "code", known=known_codes)
        if raw_id is not None and not (
            raw_id.isdigit() and raw_id.isascii() and len(raw_id) <= 10 and int(raw_id) <= INTEGER_MAX
        ):
            check.add(number, "person_id", f"'{raw_id[:50]}' is not a Democracy Club person id")
            raw_id = None
        if election_id is not None and election_id != election_slug:
            shown = election_id[:50]
            check.add(number, "election_id", f"'{shown}' is not the election being imported ({election_slug})")
            election_id = None
        if None in (raw_id, name, election_id, party, code, image):
            continue
        key = (code, int(raw_id))
        if key in seen:
            check.add(number, "person_id", f"the same candidate as row {seen[key]}")
            continue
        seen[key] = number
        party_name = None if party.lower().startswith("independent") else PARTY_NAMES.get(party, party)
        parsed.append(DcCandidateRow(number, int(raw_id), name, image, election_id, party_name, code))
    reject_if(check.problems)
    return parsed
