"""Small results files in the Commons Library layouts, for import tests (the real files are in campaigns/data)."""

from __future__ import annotations

import csv
import io

CANDIDATE_HEADER = [
    "ONS ID", "ONS region ID", "Constituency name", "County name", "Region name", "Country name",
    "Constituency type", "Party name", "Party abbreviation", "Electoral Commission party ID", "MNIS party ID",
    "Electoral Commission adjunct party ID", "Candidate first name", "Candidate surname", "Candidate gender",
    "Sitting MP", "Former MP", "Member MNIS ID", "Votes", "Share", "Change", "DC Person ID",
]  # fmt: skip
CONSTITUENCY_HEADER = [
    "ONS ID", "ONS region ID", "Constituency name", "County name", "Region name", "Country name",
    "Constituency type", "Declaration time", "Member first name", "Member surname", "Member gender", "Result",
    "First party", "Second party", "Electorate", "Valid votes", "Invalid votes", "Majority",
]  # fmt: skip

SEATS = {
    "E14001300": ("Ilford North", "E12000007", "London", "England"),
    "W07000112": ("Ynys Môn", "W92000004", "Wales", "Wales"),
}
# (code, party name, abbreviation, first, surname, votes, dc id)
CANDIDATES = [
    ("E14001300", "Labour", "Lab", "Wes", "Streeting", 15647, 1001),
    ("E14001300", "Independent", "Ind", "Leanne", "Mohamad", 15119, 1002),
    ("E14001300", "Conservative", "Con", "Kaz", "Rizvi", 6569, 1003),
    ("W07000112", "Conservative", "Con", "Virginia", "Crosbie", 12484, 1004),
    ("W07000112", "Plaid Cymru", "PC", "Llinos", "Medi", 10847, 1005),
    ("W07000112", "Labour", "Lab", "Ieuan", "Môn Williams", 7619, 1006),
]


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def candidate_rows(candidates=CANDIDATES) -> list[list]:
    rows = []
    for code, party, abbreviation, first, surname, votes, dc_id in candidates:
        name, region_code, region, country = SEATS.get(code, ("Somewhere", "E12000007", "London", "England"))
        rows.append(
            [code, region_code, name, "", region, country, "Borough", party, abbreviation, "", "", "",
             first, surname, "", "No", "No", "", votes, "", "", dc_id]
        )  # fmt: skip
    return rows


def candidate_csv(candidates=CANDIDATES) -> bytes:
    return to_csv(CANDIDATE_HEADER, candidate_rows(candidates)).encode()


def constituency_csv(valid_votes: dict[str, int] | None = None) -> bytes:
    totals: dict[str, list[int]] = {}
    for code, *_, votes, _ in CANDIDATES:
        totals.setdefault(code, []).append(votes)
    rows = []
    for code, votes in totals.items():
        name, region_code, region, country = SEATS[code]
        ranked = sorted(votes, reverse=True)
        valid = (valid_votes or {}).get(code, sum(votes))
        rows.append(
            [code, region_code, name, "", region, country, "Borough", "", "", "", "", "Result text",
             "Lab", "Ind", 70000, valid, 100, ranked[0] - ranked[1]]
        )  # fmt: skip
    return to_csv(CONSTITUENCY_HEADER, rows).encode()
