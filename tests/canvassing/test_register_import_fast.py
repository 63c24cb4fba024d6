"""The register import's two readings: PostgreSQL's COPY of the file as it is (the fast reading) where it can
vouch for it, and the line-by-line reading, which explains whatever the fast one cannot vouch for. Either way
the same rows are imported, or the same bad rows are named by their lines and nothing is written."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction

from campaigns.importers.base import ImportRejected
from canvassing import register_import as importer
from canvassing.models import Elector, PollingDistrict
from canvassing.synthetic import HEADERS, write_register
from tests.canvassing.conftest import csv_file

HEADER = ",".join(HEADERS)
GOOD = [
    'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High Street,,,,,',
    'KA,2,0,F,01/03/2011,"Smith, Joe",IG6 2AA,1 High Street,,,,,',
    'KB,3,1,,,"Brown, Ann",IG6 2AB,Flat 2,3 Low Road,,,,',
]


def staged(data: bytes):
    """What the fast reading stages from ``data``: (layout, problems, rows, staged rows by line), or None."""
    with transaction.atomic(), connection.cursor() as cursor:
        result = importer._stage_fast(cursor, io.BytesIO(data), [])
        if result is None:
            return None
        cursor.execute("SELECT row_no, polling_district, number, name, attainer_date FROM register_staging")
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
        transaction.set_rollback(True)
    return (*result, rows)


def test_a_well_formed_register_is_staged_by_postgresql_with_each_row_numbered_by_its_line(db):
    layout, problems, rows, by_line = staged(("\r\n".join([HEADER, *GOOD]) + "\r\n").encode())
    assert (layout.kind, problems, rows) == ("register", [], 3)
    assert by_line == {
        2: ("KA", "1", "Smith, Jane", ""),
        3: ("KA", "2", "Smith, Joe", "2011-03-01"),  # dates parsed once per distinct value, as written
        4: ("KB", "3", "Brown, Ann", ""),
    }


def test_a_synthetic_register_with_a_bom_and_no_last_line_end_is_staged(db):
    data = io.BytesIO()
    write_register(data, 500, seed=4)
    body = b"\xef\xbb\xbf" + data.getvalue().rstrip(b"\r\n")
    _, problems, rows, by_line = staged(body)
    assert (problems, rows, len(by_line), min(by_line), max(by_line)) == ([], 500, 500, 2, 501)


@pytest.mark.parametrize(
    ("why", "data"),
    [
        ("a lone CR ends its lines", "\r".join([HEADER, *GOOD]).encode()),
        ("Windows-1252", "\n".join([HEADER, GOOD[0].replace("Jane", "Zoë")]).encode("cp1252")),
        ("a NUL", "\n".join([HEADER, GOOD[0].replace("Jane", "Ja\x00ne")]).encode()),
        ("a name over two lines", "\n".join([HEADER, GOOD[0].replace("Jane", "Ja\nne")]).encode()),
        ("a short row", "\n".join([HEADER, GOOD[0], "KA,9,0"]).encode()),
        ("a long row", "\n".join([HEADER, GOOD[0] + ",extra"]).encode()),
        ("a BOM in mid-file", "\n".join([HEADER, "\ufeff" + GOOD[0]]).encode()),
        ("a blank line", "\n".join([HEADER, GOOD[0], "", GOOD[1]]).encode()),
        ("a header over two lines", b'"Elector\nNumber Prefix",Elector Number,Elector Name\nKA,1,"A, B"\n'),
    ],
)
def test_what_the_fast_reading_cannot_vouch_for_is_left_to_the_line_by_line_reading(db, why, data):
    assert staged(data) is None, why


def test_a_bad_row_is_named_by_its_line_whichever_reading_read_it(campaign):
    rows = [*GOOD, 'KA,4,0,,,"Green, Sue",NOT A POSTCODE,5 High Street,,,,,']
    for body in ("\n".join([HEADER, *rows]), "\r".join([HEADER, *rows])):  # the fast reading, the slow one
        with pytest.raises(ImportRejected) as rejected:
            importer.register_import(campaign=campaign, file=csv_file(body), user=campaign.agent)
        assert [(p.row, p.column) for p in rejected.value.problems] == [(5, "PostCode")]
    assert not Elector.objects.filter(campaign=campaign).exists()


def test_a_duplicate_in_a_first_register_is_found_by_the_unique_number_and_named_by_its_rows(campaign):
    rows = [*GOOD, 'KA,2,0,,,"Smith, Joe",IG6 2AA,1 High Street,,,,,', GOOD[0]]
    with pytest.raises(ImportRejected) as rejected:
        importer.register_import(campaign=campaign, file=csv_file("\n".join([HEADER, *rows])), user=campaign.agent)
    assert [(p.row, p.problem) for p in rejected.value.problems] == [
        (5, "duplicate elector number KA-2 (first on row 3)"),
        (6, "duplicate elector number KA-1 (first on row 2)"),
    ]
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert not PollingDistrict.objects.filter(campaign=campaign).exists()


def test_a_duplicate_beside_another_problem_is_reported_with_it(campaign):
    rows = [*GOOD, GOOD[0], 'KA,7,0,Q,,"Green, Sue",IG6 2AB,5 High Street,,,,,']
    with pytest.raises(ImportRejected) as rejected:
        importer.register_import(campaign=campaign, file=csv_file("\n".join([HEADER, *rows])), user=campaign.agent)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(5, "Elector Number"), (6, "Elector Markers")]


def test_the_fast_reading_imports_what_the_line_by_line_reading_would(campaign):
    lf = "\n".join([HEADER, *GOOD]) + "\n"
    report = importer.register_import(campaign=campaign, file=csv_file(lf), user=campaign.agent)
    assert (report.created, report.districts, report.encoding) == (3, ["KA", "KB"], "utf-8")
    fast = list(Elector.objects.order_by("number").values_list("number", "surname", "street", "house_number", "flat"))
    Elector.objects.all().delete()
    PollingDistrict.objects.all().delete()
    report = importer.register_import(campaign=campaign, file=csv_file(lf.replace("\n", "\r")), user=campaign.agent)
    assert report.created == 3
    slow = list(Elector.objects.order_by("number").values_list("number", "surname", "street", "house_number", "flat"))
    assert (
        fast
        == slow
        == [
            (1, "Smith", "HIGH STREET", 1, ""),
            (2, "Smith", "HIGH STREET", 1, ""),
            (3, "Brown", "LOW ROAD", 3, "2"),
        ]
    )
