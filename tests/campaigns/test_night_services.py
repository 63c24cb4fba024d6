"""Election night's writes (campaigns.night.services): expected declaration times, count agents' reports
entered and confirmed by a second user, checked against the feed later, and declarations announced once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaigns.models import Candidacy, Constituency, CountReport, Declaration, Endorsement, ExpectedDeclaration
from campaigns.night import selectors
from campaigns.night.services import (
    count_report_confirm,
    count_report_enter,
    count_report_reject,
    declarations_record,
    expected_declaration_set,
    expected_declarations_import,
    night_reset,
)
from campaigns.services.imports import election_for_slug, results_import
from messaging.models import Outbox
from organiser import clock
from organiser.imports import ImportRejected
from tests.campaigns import files
from tests.conftest import make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def night(db):
    """Ilford North and Ynys Môn with their candidates, at the close of poll; Leanne Mohamad endorsed."""
    election = election_for_slug("parl.2024-07-04", name="UK general election 2024")
    results_import(election=election, files=[files.candidate_csv()])
    night_reset(election=election)
    ilford = Constituency.objects.get(code="E14001300")
    mohamad = Candidacy.objects.get(election=election, person__surname="Mohamad")
    Endorsement.objects.create(
        election=election, constituency=ilford, candidacy=mohamad, status=Endorsement.Status.ENDORSED
    )
    return election, ilford


def _votes(election, seat, **by_surname) -> dict[int, int]:
    people = dict(Candidacy.objects.filter(election=election, constituency=seat).values_list("person__surname", "pk"))
    return {people[surname]: votes for surname, votes in by_surname.items()}


HALL = {"Streeting": 15647, "Mohamad": 15119, "Rizvi": 6569}


def test_a_count_report_shows_as_declared_only_once_a_second_user_confirms(night):
    election, ilford = night
    agent = make_user(Role.SEAT_ORGANISER, seats=(ilford,))
    second = make_user(Role.NATIONAL_ORGANISER)
    report = count_report_enter(
        user=agent, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37335,
        electorate=80000,
    )  # fmt: skip
    row = selectors.board_rows(election=election, seats=Constituency.objects.filter(pk=ilford.pk))[0]
    assert not row.declared and row.awaiting == 1
    with pytest.raises(PermissionDenied):
        count_report_confirm(user=agent, report_id=report.pk)
    with pytest.raises(ValidationError, match="awaits a second user"):
        count_report_enter(
            user=second, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37335
        )
    count_report_confirm(user=second, report_id=report.pk)
    row = selectors.board_rows(election=election, seats=Constituency.objects.filter(pk=ilford.pk))[0]
    assert row.declared and row.source == "count"
    assert (row.winner, row.second, row.majority) == ("Lab", "Ind", 528)
    assert (row.ours_place, row.ours_votes) == (2, 15119)
    assert row.ours_share == pytest.approx(15119 / 37335) and row.turnout == pytest.approx(37335 / 80000)
    assert Declaration.objects.get(constituency=ilford).source == "count"
    organiser_message = Outbox.objects.get(recipient=agent, key__startswith="declared:")
    assert organiser_message.context["declaration"]["place_text"] == "second"
    with pytest.raises(ValidationError, match="confirmed already"):
        count_report_confirm(user=second, report_id=report.pk)


def test_a_count_report_must_add_up_and_name_every_candidate(night):
    election, ilford = night
    agent = make_user(Role.NATIONAL_ORGANISER)
    with pytest.raises(ValidationError, match="add up to 37,335, but the total of valid votes is 37,000"):
        count_report_enter(
            user=agent, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37000
        )
    with pytest.raises(ValidationError, match="1 missing"):
        count_report_enter(
            user=agent, election=election, seat=ilford, votes=_votes(election, ilford, Streeting=1, Mohamad=2),
            valid_votes=3,
        )  # fmt: skip
    elsewhere = Candidacy.objects.filter(election=election).exclude(constituency=ilford).first()
    with pytest.raises(ValidationError, match="not a candidate here"):
        count_report_enter(
            user=agent, election=election, seat=ilford, votes={**_votes(election, ilford, **HALL), elsewhere.pk: 1},
            valid_votes=37336,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="More ballots than electors"):
        count_report_enter(
            user=agent, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37335,
            electorate=30000,
        )  # fmt: skip
    assert not CountReport.objects.exists()


def test_only_the_seats_organisers_report_its_count(night):
    election, ilford = night
    other_seat = Constituency.objects.get(code="W07000112")
    outsider = make_user(Role.SEAT_ORGANISER, seats=(other_seat,))
    volunteer = make_user(Role.VOLUNTEER)
    for user in (outsider, volunteer):
        with pytest.raises(PermissionDenied):
            count_report_enter(
                user=user, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37335
            )
    agent = make_user(Role.NATIONAL_ORGANISER)
    report = count_report_enter(
        user=agent, election=election, seat=ilford, votes=_votes(election, ilford, **HALL), valid_votes=37335
    )
    with pytest.raises(PermissionDenied):
        count_report_confirm(user=outsider, report_id=report.pk)
    count_report_reject(user=agent, report_id=report.pk)  # the enterer may withdraw it
    assert CountReport.objects.get().status == "rejected"


def _feed(election, **changed):
    rows = [
        (code, name, abbr, first, surname, changed.get(surname, votes), dc)
        for code, name, abbr, first, surname, votes, dc in files.CANDIDATES
    ]
    results_import(election=election, files=[files.candidate_csv(rows)], create_seats=False, declared_at=clock.now())
    return declarations_record(election=election)


def test_the_feed_agrees_with_a_confirmed_report_or_the_difference_is_flagged(night):
    election, ilford = night
    agent, second = make_user(Role.NATIONAL_ORGANISER), make_user(Role.NATIONAL_ORGANISER)
    hall = {**HALL, "Mohamad": 15120, "Streeting": 15646}  # misheard in the hall
    report = count_report_enter(
        user=agent, election=election, seat=ilford, votes=_votes(election, ilford, **hall), valid_votes=37335
    )
    count_report_confirm(user=second, report_id=report.pk)
    before = Outbox.objects.count()
    new = _feed(election)
    assert len(new) == 1  # Ynys Môn: Ilford was declared by its count already
    report.refresh_from_db()
    assert report.feed_check == "differs"
    assert {(d["name"], d["count"], d["feed"]) for d in report.feed_differences} == {
        ("Leanne Mohamad", 15120, 15119),
        ("Wes Streeting", 15646, 15647),
    }
    row = selectors.board_rows(election=election, seats=Constituency.objects.filter(pk=ilford.pk))[0]
    assert row.flagged and row.source == "feed" and row.majority == 528  # the feed's figures win
    assert Outbox.objects.count() == before  # Ilford was announced at its confirmation, not again

    ynys = Constituency.objects.get(code="W07000112")
    agrees = count_report_enter(
        user=agent, election=election, seat=ynys,
        votes=_votes(election, ynys, Crosbie=12484, Medi=10847, **{"Môn Williams": 7619}), valid_votes=30950,
    )  # fmt: skip
    count_report_confirm(user=second, report_id=agrees.pk)
    agrees.refresh_from_db()
    assert agrees.feed_check == "agrees" and agrees.feed_differences == []


def test_a_declaration_is_announced_once_however_often_the_feed_is_polled(night):
    election, ilford = night
    organiser = make_user(Role.SEAT_ORGANISER, seats=(ilford,))
    _feed(election)
    _feed(election)
    assert Outbox.objects.filter(recipient=organiser).count() == 1
    message = Outbox.objects.get(recipient=organiser)
    assert message.kind == "seat_declared_organiser" and message.context["declaration"]["result_text"]
    assert _feed(election, Rizvi=6570) == []  # a corrected feed is not a new declaration
    assert Outbox.objects.filter(recipient=organiser).count() == 1


def test_expected_times_import_all_or_nothing_and_overdue(night, travel):
    election, ilford = night
    organiser = make_user(Role.SEAT_ORGANISER, seats=(ilford,))
    bad = b"ONS ID,Expected\nE14001300,02:30\nW07000112,03:00\nE14001300,25:00\nNOPE,01:00\n"
    with pytest.raises(ImportRejected) as rejected:
        expected_declarations_import(user=organiser, election=election, data=bad)
    assert [p.row for p in rejected.value.problems] == [3, 4, 5]  # Ynys Môn is not theirs
    assert not ExpectedDeclaration.objects.exists()
    national = make_user(Role.NATIONAL_ORGANISER)
    written = expected_declarations_import(
        user=national,
        election=election,
        data=b"Constituency,Expected declaration\nIlford North,02:30\nYnys M\xc3\xb4n,23:45\n",
    )
    assert written == 2
    ilford_at = ExpectedDeclaration.objects.get(constituency=ilford).expected_at
    assert clock.local(ilford_at).strftime("%Y-%m-%d %H:%M") == "2024-07-05 02:30"
    travel(ilford_at - dt.timedelta(minutes=1))
    rows = {r.code: r for r in selectors.board_rows(election=election, seats=Constituency.objects.all())}
    assert rows["W07000112"].overdue and not rows["E14001300"].overdue
    travel(ilford_at + dt.timedelta(minutes=1))
    rows = {r.code: r for r in selectors.board_rows(election=election, seats=Constituency.objects.all())}
    assert rows["E14001300"].overdue
    expected_declaration_set(user=organiser, election=election, seat=ilford, expected_at=None)
    assert not ExpectedDeclaration.objects.filter(constituency=ilford).exists()
    with pytest.raises(PermissionDenied):
        expected_declaration_set(
            user=organiser, election=election, seat=Constituency.objects.get(code="W07000112"), expected_at=ilford_at
        )


def test_the_declaration_messages_render_as_email_and_text(night):
    from messaging.rendering import render_email, render_sms

    election, ilford = night
    organiser = make_user(Role.SEAT_ORGANISER, seats=(ilford,))
    _feed(election)
    message = Outbox.objects.get(recipient=organiser)
    for kind in ("seat_declared", "seat_declared_organiser"):
        text = render_sms(kind=kind, context=message.context, language="en-gb")
        assert "Ilford North has declared" in text and "Leanne Mohamad came second" in text
        email = render_email(
            kind=kind, category="results", context=message.context, user_id=organiser.pk, language="en-gb"
        )
        assert email.subject.startswith("Ilford North has declared: ")
        assert "Leanne Mohamad, whom we endorse, came second with 40.5% of the vote." in email.text
        assert email.marketing == (kind == "seat_declared")


def test_expected_times_from_odd_files_are_read_or_refused_never_a_crash(night):
    election, _ = night
    national = make_user(Role.NATIONAL_ORGANISER)
    assert expected_declarations_import(user=national, election=election, data=b"ONS ID,Expected\rE14001300,02:30\r")
    for data in (b"ONS ID,Expected\nE14001300," + b"9" * 200_000 + b"\n", b"Seat\nIlford North\n", b"", b"\x00\x01"):
        with pytest.raises(ImportRejected):
            expected_declarations_import(user=national, election=election, data=data)
