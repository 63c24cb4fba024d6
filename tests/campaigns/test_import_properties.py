"""Property tests of every campaigns importer: a real file spoiled at random (see tests/spoiling.py) is either
imported, with what it holds stored as it holds it, or refused with its rows named and nothing changed; never a
database error or any other exception.

The number of examples comes from the hypothesis profile (tests/conftest.py): ``ci`` by default, ``long`` for a
longer local run (``HYPOTHESIS_PROFILE=long``); ``--hypothesis-show-statistics`` prints what each test ran.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from campaigns.importers.notional import WINNER_ABBREVIATIONS
from campaigns.models import Constituency, DemographicValue, Election, NotionalResult, Person, Result
from campaigns.services import imports
from campaigns.services.demo import DATA_DIR
from organiser.imports import ImportRejected
from tests.spoiling import Spoiled, Table, assert_refused_well, long_texts, property_settings, snapshot, spoiled

pytestmark = pytest.mark.django_db

TABLES = [
    "campaigns_constituency",
    "campaigns_party",
    "campaigns_person",
    "campaigns_candidacy",
    "campaigns_result",
    "campaigns_notionalresult",
    "campaigns_notionalvote",
    "campaigns_demographicvalue",
]

BY_CANDIDATE = Table.read(
    DATA_DIR / "HoC-GE2024-results-by-candidate.csv", rows=20, keep=lambda row: row["ONS ID"] == "W07000081"
)
BY_CONSTITUENCY = Table.read(DATA_DIR / "HoC-GE2024-results-by-constituency.csv", rows=4)
NOTIONAL = Table.read(DATA_DIR / "results_spreadsheet_for_distribution.csv", rows=4)
CENSUS = Table.read(DATA_DIR / "census21_wpc_religion.csv", rows=6, keep=lambda row: "-8" not in row.values())
DEMOGRAPHICS = Table.read(DATA_DIR / "Demographic-data-for-new-parliamentary-constituencies-May-2024.csv", rows=6)
CANDIDATES = Table.read(DATA_DIR / "candidates.csv", rows=5)
KNOWN_SEATS = {
    row[table.header.index(column)]
    for table, column in [
        (NOTIONAL, "ONS code"),
        (CENSUS, "Post-2019 Westminster Parliamentary constituencies Code"),
        (DEMOGRAPHICS, "ONS ID (joined by name)"),
        (CANDIDATES, "pcon24cd"),
    ]
    for row in table.rows
}


@pytest.fixture
def seats(db):
    Constituency.objects.bulk_create(
        Constituency(code=code, name=f"Seat {code}", nation="England") for code in sorted(KNOWN_SEATS)
    )


@pytest.fixture
def election(db) -> Election:
    return imports.election_for_slug("parl.2024-07-04")


def import_or_refuse(spoilt: Spoiled, run: Callable[[bytes], object], stored: dict[str, Callable[[str], bool]]):
    """Run the import on the spoiled file; check it was imported (and stored what the file holds) or refused
    well with nothing changed. Whatever it wrote is rolled back, so each example starts from the same state."""
    before = snapshot(TABLES)
    try:
        with transaction.atomic():
            run(spoilt.data)
            if not spoilt.whole_file:
                for line, column, value in spoilt.cells:
                    if column in stored and value.strip():
                        assert stored[column](value.strip()), f"line {line}: {column} {value!r} was not stored"
            transaction.set_rollback(True)
    except ImportRejected as rejected:
        assert snapshot(TABLES) == before, "a refused file changed the database"
        assert_refused_well(rejected, spoilt)
        event("refused")
    else:
        event("imported")


def test_the_unspoiled_files_import(seats, election):
    """The base of each property: every file as taken from the real data is imported."""
    imports.results_import(election=election, files=[BY_CONSTITUENCY.render()])
    imports.results_import(election=election, files=[BY_CANDIDATE.render()])
    imports.notional_import(election=election, data=NOTIONAL.render())
    imports.census_religion_import(data=CENSUS.render())
    imports.demographics_import(data=DEMOGRAPHICS.render())
    imports.candidates_import(election=election, data=CANDIDATES.render())


def test_a_party_name_in_the_abbreviation_column_is_stored_whole(election):
    """The older layout's fault: a whole (long) party name where the abbreviation goes."""
    rows = [list(row) for row in BY_CANDIDATE.rows]
    party, abbreviation = BY_CANDIDATE.header.index("Party name"), BY_CANDIDATE.header.index("Party abbreviation")
    rows[0][party] = rows[0][abbreviation] = "Scottish Family Party: Pro-Family, Pro-Marriage, Pro-Life, Pro-Freedom"
    imports.results_import(election=election, files=[Table(BY_CANDIDATE.header, rows).render()])
    assert Result.objects.get().first_party  # the seat's result is there
    from campaigns.models import Party

    assert Party.objects.get(name=rows[0][party]).abbreviation == rows[0][party]


def test_a_value_too_long_for_its_column_is_refused_by_row(election):
    rows = [list(row) for row in BY_CONSTITUENCY.rows]
    rows[2][BY_CONSTITUENCY.header.index("Result")] = "x" * 101
    with pytest.raises(ImportRejected) as rejected:
        imports.results_import(election=election, files=[Table(BY_CONSTITUENCY.header, rows).render()])
    assert [(p.row, p.column) for p in rejected.value.problems] == [(4, "Result")]
    assert not Result.objects.exists()


@property_settings
@given(spoilt=spoiled(BY_CANDIDATE))
def test_results_by_candidate(election, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.results_import(election=election, files=[data]),
        {"Candidate surname": lambda value: Person.objects.filter(surname=value).exists()},
    )


@property_settings
@given(spoilt=spoiled(BY_CONSTITUENCY))
def test_results_by_constituency(election, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.results_import(election=election, files=[data]),
        {
            "Result": lambda value: Result.objects.filter(result_text=value).exists(),
            "First party": lambda value: Result.objects.filter(first_party=value).exists(),
        },
    )


@property_settings
@given(spoilt=spoiled(NOTIONAL))
def test_notional(seats, election, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.notional_import(election=election, data=data),
        {"Win19": lambda value: value in WINNER_ABBREVIATIONS or NotionalResult.objects.filter(winner=value).exists()},
    )


@property_settings
@given(spoilt=spoiled(CENSUS))
def test_census_religion(seats, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.census_religion_import(data=data),
        {"Religion (10 categories)": lambda value: DemographicValue.objects.filter(variable=value).exists()},
    )


@property_settings
@given(spoilt=spoiled(DEMOGRAPHICS))
def test_demographics(seats, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.demographics_import(data=data),
        {
            "Topic": lambda value: DemographicValue.objects.filter(topic=value).exists(),
            "Variable": lambda value: DemographicValue.objects.filter(variable=value).exists(),
        },
    )


@property_settings
@given(spoilt=spoiled(CANDIDATES))
def test_candidates(seats, election, spoilt):
    import_or_refuse(
        spoilt,
        lambda data: imports.candidates_import(election=election, data=data),
        {"person_name": lambda value: Person.objects.filter(name=value).exists()},
    )


# --- the hex map is JSON: spoiled as JSON --------------------------------------------------------------------

HEXES = {
    "E14001300": {"n": "Ilford North", "q": 65, "r": -40, "region": "E12000007"},
    "W07000112": {"n": "Ynys Môn", "q": 40, "r": -30, "region": "W92000004"},
}
json_values = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    long_texts(),
    st.lists(st.integers(), max_size=3),
    st.just({"q": 1}),
    st.just("\udc00"),  # a lone surrogate, as JSON's escapes can write
)


@st.composite
def spoiled_hexjson(draw) -> Spoiled:
    hexes = json.loads(json.dumps(HEXES))
    done = []
    whole = False
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not isinstance(hexes, dict):
            break
        how = draw(st.sampled_from(["value", "value", "drop", "code", "raw", "nest", "huge"]))
        done.append(how)
        code = draw(st.sampled_from(sorted(hexes))) if hexes else None
        if how == "value" and code:
            hexes[code][draw(st.sampled_from(["n", "q", "r", "region", "extra"]))] = draw(json_values)
        elif how == "drop" and code:
            hexes[code].pop(draw(st.sampled_from(["n", "q", "r", "region"])), None)
        elif how == "code" and code:
            hexes[draw(st.one_of(st.text(max_size=12), st.just(code + "\n"), st.just(code.lower())))] = hexes.pop(code)
        elif how == "nest":
            whole = True
            hexes = draw(st.sampled_from(["[" * 100_000, [[]] * 3, None, "hexes"]))
    document = {"layout": "odd-r", "hexes": hexes}
    text = document["hexes"] if isinstance(hexes, str) and hexes.startswith("[") else json.dumps(document)
    if "huge" in done and isinstance(hexes, dict):
        whole = True
        text = re.sub(r'"q": -?[0-9]+', '"q": ' + "9" * draw(st.sampled_from([20, 400, 5000])), text, count=1)
    data = text.encode()
    if "raw" in done:
        whole = True
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\\u0000", b"\xff", b"{", b'"', b""])) + data[at:]
    return Spoiled(data, whole_file=whole, done=done)


@property_settings
@given(spoilt=spoiled_hexjson())
def test_hexmap(spoilt):
    import_or_refuse(spoilt, lambda data: imports.hexmap_import(data=data), {})
