"""Property tests of the register import, for each kind of file it reads (a full register, monthly alterations,
an absent-voter list): a good file spoiled at random (tests/spoiling.py) is imported, with its names and addresses
stored as written, or refused with its rows named (an unknown layout: its header) and nothing changed.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from hypothesis import event, given

from canvassing.models import Elector
from canvassing.register_import import UnknownLayout, register_import
from canvassing.synthetic import HEADERS, register_rows
from organiser.imports import ImportRejected
from tests.spoiling import Spoiled, Table, assert_refused_well, property_settings, snapshot, spoiled

pytestmark = pytest.mark.django_db

TABLES = [
    "canvassing_elector",
    "canvassing_pollingdistrict",
    "canvassing_accesslog",
    "canvassing_registerlayout",
]
REGISTER = Table(list(HEADERS), list(register_rows(6, seed=3)))
NUMBERS = [f"{row[0]}-{row[1]}" + (f"/{row[2]}" if row[2] not in ("", "0") else "") for row in REGISTER.rows]
ALTERATIONS = Table(
    ["ElectorNumber", "Elector Surname", "Elector Forename", "PropertyAddress1", "PropertyPostCode", "ChangeType"],
    [
        [NUMBERS[0], "Cox-Jones", "Amir", REGISTER.rows[0][7], REGISTER.rows[0][6], "C"],
        [NUMBERS[1], "", "", "", "", "D"],
        [f"{REGISTER.rows[0][0]}-900/1", "Khan", "Amir", "3 New Road", "NT1 1AA", "A"],
    ],
)
ABSENT_VOTERS = Table(["Elector Number", "Absent Type"], [[NUMBERS[2], "P"], [NUMBERS[3], "PX"], [NUMBERS[4], "P"]])
# Columns stored as written (less surrounding spaces), and where.
STORED = {
    "Address1": "address_1",
    "Address2": "address_2",
    "PropertyAddress1": "address_1",
    "Elector Surname": "surname",
    "Elector Forename": "forenames",
}


@pytest.fixture
def registered(campaign):
    """The campaign with the base register imported (alterations and absent voters apply to it)."""
    register_import(campaign=campaign, file=io.BytesIO(REGISTER.render()), user=campaign.agent)
    return campaign


def import_or_refuse(campaign, spoilt: Spoiled, *, deleting: set[int] = frozenset()) -> None:
    before = snapshot(TABLES)
    try:
        with transaction.atomic():
            register_import(campaign=campaign, file=io.BytesIO(spoilt.data), user=campaign.agent)
            if not spoilt.whole_file:
                # A row that deletes (or may now delete) its elector stores nothing.
                deleting |= {line for line, column, _ in spoilt.cells if column == "ChangeType"}
                for line, column, value in spoilt.cells:
                    if column in STORED and value.strip(" ") and line not in deleting:
                        stored = Elector.objects.filter(campaign=campaign, **{STORED[column]: value.strip(" ")})
                        assert stored.exists(), f"line {line}: {column} {value!r} was not stored"
            transaction.set_rollback(True)
    except ImportRejected as rejected:
        assert snapshot(TABLES) == before, "a refused file changed the database"
        assert_refused_well(rejected, spoilt)
        event("refused")
    except UnknownLayout as unknown:
        assert snapshot(TABLES) == before, "a refused file changed the database"
        assert unknown.missing
        event("refused: unknown layout")
    else:
        event("imported")


def test_the_unspoiled_files_import(registered):
    register_import(campaign=registered, file=io.BytesIO(ALTERATIONS.render()), user=registered.agent)
    report = register_import(campaign=registered, file=io.BytesIO(ABSENT_VOTERS.render()), user=registered.agent)
    assert report.postal == 2


def test_a_long_address_line_and_a_stray_nul_are_refused_by_row(campaign):
    rows = [list(row) for row in REGISTER.rows]
    rows[1][HEADERS.index("Address1")] = "1 " + "Very Long Road " * 20
    rows[3][HEADERS.index("Address2")] = "Some\x00where"
    with pytest.raises(ImportRejected) as rejected:
        register_import(campaign=campaign, file=io.BytesIO(Table(REGISTER.header, rows).render()), user=campaign.agent)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(3, "Address1"), (5, None)]
    assert not Elector.objects.filter(campaign=campaign).exists()


def test_an_elector_number_too_large_for_its_column_is_refused_by_row(registered):
    rows = [list(row) for row in ALTERATIONS.rows]
    rows[2][0] = "KA-99999999999/1"
    with pytest.raises(ImportRejected) as rejected:
        register_import(
            campaign=registered, file=io.BytesIO(Table(ALTERATIONS.header, rows).render()), user=registered.agent
        )
    assert [p.row for p in rejected.value.problems] == [4]


def test_an_addition_under_a_number_another_elector_keeps_is_refused_by_row(registered):
    rows = [list(row) for row in ALTERATIONS.rows]
    rows[2][0] = NUMBERS[5]  # "add" an elector under the number of one who stays
    with pytest.raises(ImportRejected) as rejected:
        register_import(
            campaign=registered, file=io.BytesIO(Table(ALTERATIONS.header, rows).render()), user=registered.agent
        )
    assert [(p.row, p.problem) for p in rejected.value.problems] == [
        (4, f"elector number {NUMBERS[5]} is another elector's, who stays on the register")
    ]


@property_settings
@given(spoilt=spoiled(REGISTER))
def test_register(campaign, spoilt):
    import_or_refuse(campaign, spoilt)


@property_settings
@given(spoilt=spoiled(ALTERATIONS))
def test_alterations(registered, spoilt):
    import_or_refuse(registered, spoilt, deleting={3})  # the second row deletes its elector


@property_settings
@given(spoilt=spoiled(ABSENT_VOTERS))
def test_absent_voters(registered, spoilt):
    import_or_refuse(registered, spoilt)
