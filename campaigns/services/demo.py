"""Loading the real 2024 general election shipped in ``campaigns/data`` (see its README for sources)."""

from __future__ import annotations

from pathlib import Path

from campaigns.services.imports import (
    candidates_import,
    census_religion_import,
    demographics_import,
    election_for_slug,
    hexmap_import,
    notional_import,
    results_import,
)
from organiser.imports import ImportReport

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ELECTION_2024 = "parl.2024-07-04"
FILES = {
    "by_candidate": "HoC-GE2024-results-by-candidate.csv",
    "by_constituency": "HoC-GE2024-results-by-constituency.csv",
    "notional": "results_spreadsheet_for_distribution.csv",
    "census_religion": "census21_wpc_religion.csv",
    "demographics": "Demographic-data-for-new-parliamentary-constituencies-May-2024.csv",
    "candidates": "candidates.csv",
    "hexmap": "uk-constituencies-2024.hexjson",
}


def data_file(name: str) -> bytes:
    return (DATA_DIR / FILES[name]).read_bytes()


def demo_load(*, with_demographics: bool = True) -> list[ImportReport]:
    """Import every shipped 2024 source (idempotent: a second run writes nothing)."""
    election = election_for_slug(ELECTION_2024, name="UK general election 2024")
    reports = [
        results_import(election=election, files=[data_file("by_constituency"), data_file("by_candidate")]),
        hexmap_import(data=data_file("hexmap")),
        notional_import(election=election, data=data_file("notional")),
        census_religion_import(data=data_file("census_religion")),
        candidates_import(election=election, data=data_file("candidates")),
    ]
    if with_demographics:
        reports.append(demographics_import(data=data_file("demographics")))
    return reports
