"""Register imports: layouts, encodings, every bad row reported, alterations that keep canvass history,
absent-voter lists, and the access log."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest

from canvassing import services
from canvassing.models import AccessLog, CanvassResponse, Elector, PollingDistrict
from canvassing.register_import import UnknownLayout, layout_save, register_import
from canvassing.synthetic import HEADERS
from organiser import clock, scope
from organiser.imports import ImportRejected
from tests.canvassing.conftest import csv_file, load_register, synthetic_register

HEADER = ",".join(HEADERS)


def register(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def problems(error: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.row, p.column, p.problem) for p in error.value.problems]


def test_a_synthetic_register_imports_with_walk_fields(campaign):
    report = load_register(campaign, 3000, seed=4)
    assert report.created == report.rows == 3000 == Elector.objects.filter(campaign=campaign).count()
    assert report.districts == ["KA", "KB"]
    assert set(PollingDistrict.objects.filter(campaign=campaign).values_list("code", flat=True)) == {"KA", "KB"}
    flat = Elector.objects.filter(campaign=campaign, address_1__startswith="Flat").first()
    assert flat.flat and flat.house_number and flat.street and flat.street == flat.street.upper()
    house = Elector.objects.filter(campaign=campaign).exclude(address_1__startswith="Flat").first()
    assert house.house_number == int(house.address_1.split()[0])
    assert house.street == house.address_1.split(" ", 1)[1].upper()
    households = Elector.objects.filter(campaign=campaign).values("property_key").distinct().count()
    assert 600 < households < 2500
    log = AccessLog.objects.get(campaign=campaign, action="import")
    assert log.electors == 3000 and log.user == campaign.agent


def test_names_markers_attainers_and_suffixes(campaign):
    register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA,1,0,,,"Smith, Jane Mary",ig6 2aa,12 High Street,Newtown,,,,',
                'KA,1,1,G,12/03/2029,"Smith, Tom",IG6 2AA,12 High Street,Newtown,,,,',
                "KA,2,0,N,,,,,,,,,",
            )
        ),
    )
    jane, tom, anonymous = Elector.objects.filter(campaign=campaign).order_by("number", "suffix")
    assert (jane.surname, jane.forenames, jane.postcode) == ("Smith", "Jane Mary", "IG6 2AA")
    assert (tom.elector_number, tom.markers, str(tom.attainer_date)) == ("KA-1/1", "G", "2029-03-12")
    assert jane.property_key == tom.property_key != ""
    assert anonymous.property_key == "" and anonymous.name == "(anonymous elector)"


def test_separate_name_columns_and_monthly_update_layout(campaign):
    load_register(campaign, 50)
    header = (
        "ElectorNumber,Elector Surname,Elector Forename,PropertyAddress1,PropertyAddress2,PropertyPostCode,ChangeType"
    )
    report = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(register("KA-900/1,Khan,Amir,3 New Road,Newtown,NT1 1AA,A", header=header)),
    )
    assert report.kind == "alterations" and report.created == 1
    amir = Elector.objects.get(campaign=campaign, number=900)
    assert (amir.suffix, amir.surname, amir.street, amir.house_number) == (1, "Khan", "NEW ROAD", 3)


def test_every_bad_row_is_reported_and_nothing_is_written(campaign):
    with pytest.raises(ImportRejected) as error:
        register_import(
            campaign=campaign,
            user=campaign.agent,
            file=csv_file(
                register(
                    'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High Street,,,,,',
                    'KA,,0,,,"Smith, Joe",IG6 2AA,1 High Street,,,,,',
                    'KA,1,0,,,"Brown, Ann",IG6 2AA,3 High Street,,,,,',
                    'KA,4,0,,,"Brown, Bob",NOT A POSTCODE,3 High Street,,,,,',
                    'KA,5,0,Q,,"Green, Sue",IG6 2AB,5 High Street,,,,,',
                    'KA,6,0,,31/02/2029,"Green, Al",IG6 2AB,5 High Street,,,,,',
                    'KA,7,0,,,"Stone, Di",IG6 2AB,7 High',
                )[:-2]  # the last row is cut off mid-way, with no line end
            ),
        )
    assert problems(error) == [
        (3, "Elector Number", "missing elector number"),
        (4, "Elector Number", "duplicate elector number KA-1 (first on row 2)"),
        (5, "PostCode", "malformed postcode 'NOT A POSTCODE'"),
        (6, "Elector Markers", "unknown marker 'Q'"),
        (7, "Elector DOB", "'31/02/2029' is not a date"),
        (8, None, "truncated file: the last row stops after 8 columns"),
    ]
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert not PollingDistrict.objects.filter(campaign=campaign).exists()
    assert not AccessLog.objects.filter(campaign=campaign, action="import").exists()


def test_windows_1252_is_read_and_utf16_is_refused(campaign):
    report = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(register('KA,1,0,,,"Ó Súilleabháin, Seán",IG6 2AA,1 High Street,,,,,'), "cp1252"),
    )
    assert report.encoding == "cp1252"
    assert Elector.objects.get(campaign=campaign).surname == "Ó Súilleabháin"
    with pytest.raises(ImportRejected) as error:
        register_import(campaign=campaign, user=campaign.agent, file=csv_file(register("KA,2,0,,,x,,,,,,,"), "utf-16"))
    assert "wrong encoding" in problems(error)[0][2]


def test_bytes_neither_utf8_nor_cp1252_are_a_wrong_encoding(campaign):
    data = register('KA,1,0,,,"Smith, Jo",,,,,,,').encode() + b'KA,2,0,,,"Bad\x81name",,,,,,,\r\n'
    with pytest.raises(ImportRejected) as error:
        register_import(campaign=campaign, user=campaign.agent, file=io.BytesIO(data))
    assert problems(error) == [(3, None, "wrong encoding: characters neither UTF-8 nor Windows-1252")]


def test_unknown_layout_needs_a_mapping_which_is_saved(campaign):
    header = "PD,No,Suffix,Family name,Given names,Post code,Line 1,Line 2"
    data = register("KA,1,0,Patel,Priya,IG6 2AA,4 Mill Lane,Newtown", header=header)
    with pytest.raises(UnknownLayout) as error:
        register_import(campaign=campaign, user=campaign.agent, file=csv_file(data))
    assert error.value.headers == header.split(",")
    layout_save(
        campaign=campaign,
        user=campaign.agent,
        name="Redbridge export",
        headers=header.split(","),
        mapping={
            "polling_district": "PD",
            "number": "No",
            "suffix": "Suffix",
            "surname": "Family name",
            "forenames": "Given names",
            "postcode": "Post code",
            "address_1": "Line 1",
            "address_2": "Line 2",
        },
    )
    report = register_import(campaign=campaign, user=campaign.agent, file=csv_file(data))
    assert report.created == 1
    assert Elector.objects.get(campaign=campaign).street == "MILL LANE"


def respond(user, elector, outcome="spoke", intention="C"):
    result = services.responses_record(
        user=user,
        entries=[{"id": str(uuid.uuid4()), "elector": elector.pk, "outcome": outcome, "intention": intention}],
    )
    assert result.accepted


def test_alterations_keep_canvass_history_of_electors_who_stay(campaign, agent):
    register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High Street,,,,,',
                'KA,2,0,,,"Smith, John",IG6 2AA,1 High Street,,,,,',
                'KA,3,0,,,"Brown, Ann",IG6 2AA,3 High Street,,,,,',
                'KA,4,0,,,"Leaving, Lee",IG6 2AA,5 High Street,,,,,',
            )
        ),
    )
    jane, john, ann, lee = Elector.objects.filter(campaign=campaign).order_by("number")
    for elector in (jane, john, ann, lee):
        respond(agent, elector)
    # Next month: Lee left, numbers were reissued (Ann is now 2, John 3), Jane changed her address line, a newcomer.
    report = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High St,,,,,',
                'KA,2,0,,,"Brown, Ann",IG6 2AA,3 High Street,,,,,',
                'KA,3,0,,,"Smith, John",IG6 2AA,1 High Street,,,,,',
                'KA,4,0,,,"New, Nia",IG6 2AA,7 High Street,,,,,',
            )
        ),
    )
    assert (report.created, report.updated, report.deleted, report.renumbered) == (1, 3, 1, 2)
    assert Elector.objects.get(pk=jane.pk).address_1 == "1 High St"
    assert Elector.objects.get(pk=ann.pk).number == 2 and Elector.objects.get(pk=john.pk).number == 3
    assert not Elector.objects.filter(pk=lee.pk).exists()
    assert CanvassResponse.objects.filter(elector_id__in=[jane.pk, john.pk, ann.pk]).count() == 3
    assert Elector.objects.get(number=4, campaign=campaign).surname == "New"
    # The same file again changes nothing.
    again = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High St,,,,,',
                'KA,2,0,,,"Brown, Ann",IG6 2AA,3 High Street,,,,,',
                'KA,3,0,,,"Smith, John",IG6 2AA,1 High Street,,,,,',
                'KA,4,0,,,"New, Nia",IG6 2AA,7 High Street,,,,,',
            )
        ),
    )
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 4)


def test_monthly_update_adds_changes_and_deletes(campaign, agent):
    register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA,1,0,,,"Smith, Jane",IG6 2AA,1 High Street,,,,,',
                'KA,2,0,,,"Brown, Ann",IG6 2AA,3 High Street,,,,,',
                'KB,1,0,,,"Other, Otto",IG6 2AA,9 Low Road,,,,,',
            )
        ),
    )
    jane = Elector.objects.get(campaign=campaign, number=1, polling_district__code="KA")
    respond(agent, jane)
    header = "ElectorNumber,Elector Name,PropertyAddress1,PropertyPostCode,Change Type"
    with pytest.raises(ImportRejected) as error:
        register_import(
            campaign=campaign,
            user=campaign.agent,
            file=csv_file(register('KA-5/1,"Nobody, Ned",1 High Street,IG6 2AA,X', header=header)),
        )
    assert problems(error) == [(2, "Change Type", "unknown add/change/delete indicator 'X'")]
    report = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                'KA-2,"Brown, Ann",3 High Street,IG6 2AA,D',
                'KA-2,"Young, Yan",3 High Street,IG6 2AA,A',
                'KA-1,"Smith-Jones, Jane",1 High Street,IG6 2AA,C',
                header=header,
            )
        ),
    )
    assert (report.created, report.updated, report.deleted) == (1, 1, 1)
    jane.refresh_from_db()
    assert jane.surname == "Smith-Jones" and jane.responses.count() == 1
    assert Elector.objects.get(campaign=campaign, polling_district__code="KA", number=2).surname == "Young"
    assert Elector.objects.filter(campaign=campaign, polling_district__code="KB").count() == 1


def test_absent_voter_list_flags_postal_and_proxy_voters(campaign):
    load_register(campaign, 400, seed=2)
    electors = list(Elector.objects.filter(campaign=campaign).order_by("number", "suffix")[:3])
    numbers = [e.elector_number for e in electors]
    report = register_import(
        campaign=campaign,
        user=campaign.agent,
        file=csv_file(
            register(
                f"{numbers[0]},P", f"{numbers[1]},PX", f"{numbers[2]},Postal Proxy", header="Elector Number,Absent Type"
            )
        ),
    )
    assert (report.kind, report.postal, report.proxy) == ("absent_voters", 2, 2)
    flags = {e.pk: (e.postal_voter, e.proxy_voter) for e in Elector.objects.filter(pk__in=[e.pk for e in electors])}
    assert [flags[e.pk] for e in electors] == [(True, False), (False, True), (True, True)]
    assert Elector.objects.filter(campaign=campaign, postal_voter=True).count() == 2
    with pytest.raises(ImportRejected) as error:
        register_import(
            campaign=campaign,
            user=campaign.agent,
            file=csv_file(register("KA-99999,P", header="Elector Number,Absent Type")),
        )
    assert problems(error) == [(2, "Elector Number", "elector KA-99999 is not on the register")]


def test_synthetic_absent_voter_list_matches_its_register(campaign):
    from canvassing.synthetic import write_absent_voters

    load_register(campaign, 1000, seed=5)
    out = io.BytesIO()
    count = write_absent_voters(out, 1000, seed=5)
    out.seek(0)
    report = register_import(campaign=campaign, user=campaign.agent, file=out)
    assert report.rows == count and report.postal > 100


def test_the_same_seed_gives_the_same_register():
    assert synthetic_register(500, 9).getvalue() == synthetic_register(500, 9).getvalue()
    assert synthetic_register(500, 9).getvalue() != synthetic_register(500, 10).getvalue()


def test_lines_ending_in_a_lone_cr_are_read_like_any_other(campaign):
    """Old Mac spreadsheets end lines with a lone CR; csv took the whole file for one line (a 500 on upload)."""
    text = register(
        'KA,1,0,,,"Smith, Jo",IG6 2AA,1 High Street,,,,,', 'KA,2,0,,,"Khan, Ali",IG6 2AA,2 High Street,,,,,'
    )
    report = register_import(
        campaign=campaign, user=campaign.agent, file=io.BytesIO(text.replace("\r\n", "\r").encode())
    )
    assert report.created == report.rows == 2
    assert sorted(Elector.objects.filter(campaign=campaign).values_list("surname", flat=True)) == ["Khan", "Smith"]


def test_a_lone_cr_at_a_block_boundary_is_one_line_ending(campaign):
    from canvassing.register_import import _physical_lines

    assert list(_physical_lines(io.BytesIO(b"ab\r\ncd\ref\n"), block=3)) == [b"ab\r\n", b"cd\r", b"ef\n"]
    assert list(_physical_lines(io.BytesIO(b"ab\r"), block=3)) == [b"ab\r"]


def test_a_field_past_the_limit_and_a_nul_are_rows_reported_not_a_failed_job(campaign):
    """A 200 KB field stopped the import with csv's "Error"; a NUL made COPY fail. Both are bad rows now."""
    huge = "x" * 200_000
    text = register(
        'KA,1,0,,,"Smith, Jo",IG6 2AA,1 High Street,,,,,',
        f'KA,2,0,,,"Khan, Ali",IG6 2AA,{huge},,,,,',
        'KA,3,0,,,"Nul\x00l, Ann",IG6 2AA,3 High Street,,,,,',
        'KA,4,0,,,"Lee, Bo",IG6 2AA,4 High Street,,,,,',
    )
    with pytest.raises(ImportRejected) as error:
        register_import(campaign=campaign, user=campaign.agent, file=io.BytesIO(text.encode()))
    found = problems(error)
    assert [row for row, _, _ in found] == [3, 4]
    assert "no field may be over 131,072 characters" in found[0][2]
    assert "NUL" in found[1][2]
    assert not Elector.objects.filter(campaign=campaign).exists()


# --- retention: a destroyed register is never imported into again ------------------------------------------


def test_a_campaign_whose_register_was_destroyed_takes_no_import_by_any_route(campaign, tmp_path):
    from django.core.management import CommandError, call_command

    from canvassing.models import CandidateCampaign

    load_register(campaign, 50)
    services.register_destroy(campaign=campaign, user=scope.system("test"), route="test")
    with pytest.raises(ImportRejected) as error:
        load_register(campaign, 50, seed=2)
    assert "destroyed" in problems(error)[0][2]
    path = tmp_path / "register.csv"
    path.write_bytes(synthetic_register(20).read())
    with pytest.raises(CommandError):
        call_command("import_register", str(campaign.pk), str(path), "--user", campaign.agent.email)
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert AccessLog.objects.filter(campaign=campaign, action="import").count() == 1  # the one before it
    assert CandidateCampaign.objects.get(pk=campaign.pk).destroyed_at is not None


def test_no_import_once_the_retention_date_has_come(travel, campaign):
    travel(clock.at(campaign.retention_date, dt.time(0, 0, 1)))  # the job destroying it has not run yet
    with pytest.raises(ImportRejected) as error:
        load_register(campaign, 50)
    assert "retention date" in problems(error)[0][2]
    assert not Elector.objects.filter(campaign=campaign).exists()
    travel(clock.at(campaign.retention_date - dt.timedelta(days=1), dt.time(23, 59)))
    assert load_register(campaign, 50).created == 50
