"""Published constituency aggregates: Census 2021 religion (ONS TS030) and the Commons Library demographic estimates.

Stored as long rows (source, topic, variable, value), so a new census variable needs no migration. These are
aggregates per constituency only: nothing here is ever about an individual.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.importers.base import Column, RowChecker, max_length, open_table, reject_if
from campaigns.models import DemographicValue

CENSUS_RELIGION_SOURCE = "census2021-ts030"
HOC_DEMOGRAPHICS_SOURCE = "hoc-demographics-2024"

CENSUS_RELIGION_COLUMNS = [
    Column(
        "code",
        ("Post-2019 Westminster Parliamentary constituencies Code", "constituency_code", "pcon24cd", "ons_id"),
    ),
    Column("category_code", ("Religion (10 categories) Code", "religion_code")),
    Column("category", ("Religion (10 categories)", "religion")),
    Column("observation", ("Observation", "count", "value")),
]

HOC_COLUMNS = [
    Column("nation", ("Nation",), required=False),
    Column("code", ("ONS ID (joined by name)", "ONS ID", "ons_id")),
    Column("topic", ("Topic",)),
    Column("variable", ("Variable",)),
    Column("value", ("Constituency value",)),
    Column("nation_value", ("Nation value",), required=False),
]


@dataclass
class DemographicRow:
    row: int
    code: str
    source: str
    topic: str
    variable: str
    variable_code: str
    value: float
    nation_value: float | None


def _check_duplicates(check: RowChecker, parsed: list[DemographicRow]) -> None:
    seen: dict[tuple, int] = {}
    for item in parsed:
        key = (item.code, item.topic, item.variable)
        if key in seen:
            check.add(item.row, "variable", f"'{item.variable}' for {item.code} appears twice (also row {seen[key]})")
        seen[key] = item.row


def parse_census_religion(data: bytes, *, known_codes: set[str]) -> list[DemographicRow]:
    """Census 2021 religion counts per constituency. The ``-8 Does not apply`` category (always 0) is dropped."""
    table = open_table(
        data, CENSUS_RELIGION_COLUMNS, kind_label="the Census 2021 religion file (TS030)", signature={"category_code"}
    )
    check = RowChecker(table)
    parsed = []
    for number, row in table.rows:
        code = check.code(number, row, "code", known=known_codes)
        category_code = check.text(number, row, "category_code", limit=max_length(DemographicValue, "variable_code"))
        category = check.text(number, row, "category", limit=max_length(DemographicValue, "variable"))
        value = check.count(number, row, "observation")
        if None in (code, category_code, category, value) or category_code == "-8":
            continue
        parsed.append(
            DemographicRow(number, code, CENSUS_RELIGION_SOURCE, "Religion", category, category_code, value, None)
        )
    _check_duplicates(check, parsed)
    reject_if(check.problems)
    return parsed


def parse_hoc_demographics(data: bytes, *, known_codes: set[str]) -> list[DemographicRow]:
    """The Commons Library's demographic estimates for the new constituencies (long layout)."""
    table = open_table(
        data, HOC_COLUMNS, kind_label="the Commons Library demographic estimates", signature={"topic", "variable"}
    )
    check = RowChecker(table)
    parsed = []
    for number, row in table.rows:
        code = check.code(number, row, "code", known=known_codes)
        topic = check.text(number, row, "topic", limit=max_length(DemographicValue, "topic"))
        variable = check.text(number, row, "variable", limit=max_length(DemographicValue, "variable"))
        value = check.decimal(number, row, "value", required=True)
        nation_value = check.decimal(number, row, "nation_value")
        if None in (code, topic, variable, value):
            continue
        parsed.append(DemographicRow(number, code, HOC_DEMOGRAPHICS_SOURCE, topic, variable, "", value, nation_value))
    _check_duplicates(check, parsed)
    reject_if(check.problems)
    return parsed
