"""Weekly digests: due by each schedule's weekday and hour (UK time), one per person per ISO week however
often or late the job runs, built per batch with a pinned number of queries (the same for 3 or 12 people),
with what the volunteer and organiser need; the admin previews any volunteer's digest."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.delivery import deliver
from messaging.digests import digests_queue_due, iso_week
from messaging.models import DigestSchedule, MessageKind, MessagePreference, Outbox
from tests.conftest import logged_in_client, make_user
from tests.volunteers.factories import ConstituencyFactory, ShiftFactory, SignupFactory
from volunteers.models import Role, SignupStatus, Team
from volunteers.services import consent_set

from .conftest import volunteer_with_consent

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Monday 7 June 2027 08:00 BST is the default schedule's moment that week.
MONDAY_8 = dt.datetime(2027, 6, 7, 8, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _default_schedule():
    DigestSchedule.objects.update_or_create(constituency=None, defaults={"weekday": 0, "hour": 8, "note": ""})


def _digests(kind=MessageKind.DIGEST_VOLUNTEER):
    return list(Outbox.objects.filter(kind=kind).order_by("recipient_id"))


def test_due_from_the_schedule_moment_until_the_week_ends_and_never_twice():
    volunteer_with_consent()
    assert digests_queue_due(now=MONDAY_8 - dt.timedelta(minutes=1)) == 0
    assert digests_queue_due(now=MONDAY_8) == 1
    assert digests_queue_due(now=MONDAY_8 + dt.timedelta(minutes=15)) == 0  # the next run
    assert digests_queue_due(now=MONDAY_8 + dt.timedelta(days=5)) == 0  # a late run the same week
    [row] = _digests()
    assert row.key == f"digest:{iso_week(MONDAY_8)}" == "digest:2027-W23"
    assert digests_queue_due(now=MONDAY_8 + dt.timedelta(days=7)) == 1  # next week's
    late = volunteer_with_consent()  # joined mid-week: a late run still sends them this week's
    assert digests_queue_due(now=MONDAY_8 + dt.timedelta(days=9)) == 1
    assert Outbox.objects.filter(recipient=late).count() == 1


def test_seat_schedule_wins_over_the_default_and_the_hour_is_uk_time():
    seat = ConstituencyFactory()
    DigestSchedule.objects.create(constituency=seat, weekday=2, hour=18, note="Big push in our seat this week")
    local = volunteer_with_consent(home_constituency=seat)
    elsewhere = volunteer_with_consent()
    digests_queue_due(now=MONDAY_8)
    assert [row.recipient_id for row in _digests()] == [elsewhere.pk]
    wednesday_6pm = dt.datetime(2027, 6, 9, 18, 0, tzinfo=LONDON)  # 17:00 UTC in summer
    assert digests_queue_due(now=wednesday_6pm - dt.timedelta(minutes=1)) == 0
    assert digests_queue_due(now=wednesday_6pm) == 1
    row = Outbox.objects.get(recipient=local)
    assert row.context["note"] == "Big push in our seat this week"


def test_no_digest_without_consent_or_after_opting_out():
    volunteer_with_consent(email_consent=False)
    opted_out = volunteer_with_consent()
    MessagePreference.objects.create(user=opted_out, digest=False)
    assert digests_queue_due(now=MONDAY_8) == 0


def test_volunteer_digest_says_next_shifts_needs_hours_team_and_note(smtp):
    seat = ConstituencyFactory(name="Ilford North")
    DigestSchedule.objects.filter(constituency=None).update(note="Thank you all: 300 doors on Saturday!")
    volunteer = volunteer_with_consent(home_constituency=seat, user__full_name="Amina Khan")
    teammate = volunteer_with_consent(home_constituency=seat)
    team = Team.objects.create(name="Barkingside crew", constituency=seat)
    team.members.add(volunteer, teammate)
    now = MONDAY_8
    mine = ShiftFactory(constituency=seat, starts_at=now + dt.timedelta(days=2), title="Wednesday doors")
    mine.ends_at = mine.starts_at + dt.timedelta(hours=3)
    mine.save()
    SignupFactory(shift=mine, volunteer=volunteer)
    short = ShiftFactory(constituency=seat, starts_at=now + dt.timedelta(days=3), capacity=6, minimum=4)
    short.title = "Thursday phone bank"
    short.save()
    past = ShiftFactory(constituency=seat, starts_at=now - dt.timedelta(days=2))
    SignupFactory(shift=past, volunteer=volunteer, status=SignupStatus.ATTENDED, hours=Decimal("2.5"))
    SignupFactory(shift=past, volunteer=teammate, status=SignupStatus.ATTENDED, hours=Decimal("2"))

    digests_queue_due(now=now)
    row = Outbox.objects.get(recipient=volunteer)
    context = row.context
    assert [s["title"] for s in context["next_shifts"]] == ["Wednesday doors"]
    assert context["needed"][0]["title"] == "Thursday phone bank"
    assert context["needed"][0]["short"] == 4
    assert (context["hours"], context["shifts_done"]) == ("2.5", 1)
    assert context["teams"] == [{"name": "Barkingside crew", "hours": "4.5", "people": 2, "doors": 0}]
    assert context["doors"] == 0

    deliver([row.pk])
    [message] = [m for m in smtp.messages if m["To"] == volunteer.email]
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "Hi Amina," in text and "Wednesday doors" in text and "Thursday phone bank" in text
    assert "Needs 4 more people to go ahead." in text and "You did 1 shift, 2.5 hours." in text
    assert "Barkingside crew: 2 people, 4.5 hours. Doors: 0." in text and "300 doors on Saturday" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def _population(count: int, seats) -> None:
    for index in range(count):
        seat = seats[index % len(seats)]
        volunteer = volunteer_with_consent(home_constituency=seat)
        shift = ShiftFactory(constituency=seat, starts_at=MONDAY_8 + dt.timedelta(days=1 + index % 3))
        SignupFactory(shift=shift, volunteer=volunteer)
        past = ShiftFactory(constituency=seat, starts_at=MONDAY_8 - dt.timedelta(days=2))
        SignupFactory(shift=past, volunteer=volunteer, status=SignupStatus.ATTENDED, hours=Decimal(2))
        team, _ = Team.objects.get_or_create(name=f"Team {seat.pk}", constituency=seat)
        team.members.add(volunteer)


def _queries_for_one_run(batch_size: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        digests_queue_due(now=MONDAY_8, batch_size=batch_size)
    return len(queries)


# The pinned counts: per run 1 (schedules) + 1 (the empty batch that ends the volunteers) + 1 (organisers,
# none here); per volunteer batch: 1 (the batch) + 4 (next shifts, hours, teams, team hours)
# + 1 (shifts needing people near them) + 1 (INSERT … ON CONFLICT DO NOTHING RETURNING)
# + 2 (doors knocked by each volunteer and by each team, from the canvassing app's records)
# + 2 (SAVEPOINT and RELEASE of the batch's atomic block, inside the test's transaction).
PER_RUN = 3
PER_BATCH = 11


@pytest.mark.parametrize("volunteers", [3, 12])
def test_digest_queries_are_constant_per_batch(volunteers):
    seats = [ConstituencyFactory() for _ in range(3)]
    _population(volunteers, seats)
    queries = _queries_for_one_run(batch_size=100)
    assert queries == PER_RUN + PER_BATCH, queries
    assert len(_digests()) == volunteers


def test_digest_queries_grow_with_batches_not_volunteers():
    _population(12, [ConstituencyFactory() for _ in range(2)])
    assert _queries_for_one_run(batch_size=5) == PER_RUN + 3 * PER_BATCH  # batches of 5, 5 and 2
    assert len(_digests()) == 12


def test_organiser_digest_per_seat(seat_a, seat_b):
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,))
    consent_set(user=organiser, channel="email", given=True, source="/join/")
    national = make_user(Role.NATIONAL_ORGANISER)
    consent_set(user=national, channel="email", given=True, source="/join/")
    short = ShiftFactory(constituency=seat_a, starts_at=MONDAY_8 + dt.timedelta(days=1), minimum=3)
    SignupFactory(shift=short, created_at=MONDAY_8 - dt.timedelta(days=1))
    cancelled = SignupFactory(shift=short, status=SignupStatus.CANCELLED, created_at=MONDAY_8 - dt.timedelta(days=2))
    cancelled.cancelled_at = MONDAY_8 - dt.timedelta(days=1)
    cancelled.save()
    past = ShiftFactory(constituency=seat_b, starts_at=MONDAY_8 - dt.timedelta(days=3))
    SignupFactory(shift=past, status=SignupStatus.NO_SHOW, created_at=MONDAY_8 - dt.timedelta(days=20))

    digests_queue_due(now=MONDAY_8)
    rows = {row.recipient_id: row.context for row in _digests(MessageKind.DIGEST_ORGANISER)}
    mine = rows[organiser.pk]
    assert [seat["seat"] for seat in mine["seats"]] == ["Ilford North"]
    assert mine["totals"] == {"signups": 2, "cancellations": 1, "no_shows": 0, "new_volunteers": 0, "short_shifts": 1}
    everyone = rows[national.pk]
    assert {seat["seat"] for seat in everyone["seats"]} == {"Ilford North", "Blackburn"}
    assert everyone["totals"]["no_shows"] == 1


def test_organiser_digest_counts_only_the_week_before_its_moment(seat_a):
    """A digest built for ``now`` (a late run, a rebuilt preview) counts nothing that happened after ``now``."""
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,))
    consent_set(user=organiser, channel="email", given=True, source="/join/")
    shift = ShiftFactory(constituency=seat_a, starts_at=MONDAY_8 + dt.timedelta(days=1), minimum=0)
    after = MONDAY_8 + dt.timedelta(hours=1)
    SignupFactory(shift=shift, created_at=MONDAY_8 - dt.timedelta(days=1))  # in the week: counted
    SignupFactory(shift=shift, created_at=after)
    cancelled = SignupFactory(shift=shift, status=SignupStatus.CANCELLED, created_at=MONDAY_8 - dt.timedelta(days=3))
    cancelled.cancelled_at = after
    cancelled.save()
    newcomer = volunteer_with_consent(home_constituency=seat_a)
    type(newcomer.profile).objects.filter(pk=newcomer.profile.pk).update(created_at=after)

    digests_queue_due(now=MONDAY_8)
    mine = {row.recipient_id: row.context for row in _digests(MessageKind.DIGEST_ORGANISER)}[organiser.pk]
    assert mine["totals"] == {"signups": 2, "cancellations": 0, "no_shows": 0, "new_volunteers": 0, "short_shifts": 0}


def test_admin_previews_a_volunteers_digest_in_scope(seat_a, seat_b, national_organiser, seat_organiser):
    inside = volunteer_with_consent(home_constituency=seat_a)
    outside = volunteer_with_consent(home_constituency=seat_b)
    ShiftFactory(constituency=seat_a, title="Saturday in Ilford")
    client = logged_in_client(national_organiser)
    page = client.get("/admin/messaging/outbox/preview-digest/", {"email": inside.email})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your week with" in body and "Saturday in Ilford" in body
    html = client.get(f"/admin/messaging/outbox/preview-digest/{inside.pk}/email.html")
    assert html.status_code == 200 and b"Saturday in Ilford" in html.content
    seat_client = logged_in_client(seat_organiser)
    assert seat_client.get("/admin/messaging/outbox/preview-digest/", {"email": inside.email}).status_code == 200
    assert seat_client.get(f"/admin/messaging/outbox/preview-digest/{outside.pk}/email.html").status_code == 404
    assert Outbox.objects.count() == 0  # a preview sends nothing


def test_admin_outbox_list_is_scoped(seat_a, seat_b, seat_organiser, national_organiser):
    inside = volunteer_with_consent(home_constituency=seat_a, user__full_name="Inside Seatperson")
    outside = volunteer_with_consent(home_constituency=seat_b, user__full_name="Outside Otherperson")
    SignupFactory(shift=ShiftFactory(constituency=seat_a), volunteer=inside)
    digests_queue_due(now=MONDAY_8)
    assert Outbox.objects.filter(recipient__in=[inside, outside]).count() == 2
    seat_page = logged_in_client(seat_organiser).get("/admin/messaging/outbox/").content.decode()
    assert str(inside) in seat_page and str(outside) not in seat_page
    national_page = logged_in_client(national_organiser).get("/admin/messaging/outbox/").content.decode()
    assert str(inside) in national_page and str(outside) in national_page


def test_admin_sends_failed_messages_again(national_organiser):
    volunteer = volunteer_with_consent()
    digests_queue_due(now=MONDAY_8)
    row = Outbox.objects.get(recipient=volunteer)
    Outbox.objects.filter(pk=row.pk).update(status="failed", attempts=9, last_error="SMTPDataError: 554")
    client = logged_in_client(national_organiser)
    page = client.get("/admin/messaging/outbox/?status__exact=failed").content.decode()
    assert "SMTPDataError: 554" in page
    response = client.post(
        "/admin/messaging/outbox/", {"action": "send_again", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")


def test_seat_organiser_sets_their_seats_schedule_not_the_default(seat_a, seat_organiser):
    client = logged_in_client(seat_organiser)
    answer = client.post("/admin/messaging/digestschedule/add/", {"weekday": 3, "hour": 19, "note": ""})
    assert answer.status_code == 200 and DigestSchedule.objects.filter(weekday=3).count() == 0
    client.post(
        "/admin/messaging/digestschedule/add/", {"constituency": seat_a.pk, "weekday": 3, "hour": 19, "note": "Hi"}
    )
    assert DigestSchedule.objects.get(constituency=seat_a).hour == 19


def test_doors_come_from_the_volunteers_own_canvass_records(election, seat_a):
    from canvassing.models import CanvassResponse, Elector, Outcome
    from tests.canvassing.conftest import load_register, make_campaign

    campaign = make_campaign(election, seat_a)
    load_register(campaign, electors=60)
    volunteer = volunteer_with_consent(home_constituency=seat_a)
    teammate = volunteer_with_consent(home_constituency=seat_a)
    Team.objects.create(name="Ilford doors", constituency=seat_a).members.add(volunteer, teammate)
    households = list(Elector.objects.filter(campaign=campaign).exclude(property_key="").order_by("pk"))
    by_key = {}
    for elector in households:
        by_key.setdefault(elector.property_key, elector)
    doors = list(by_key.values())[:5]
    for knocker, electors in ((volunteer, doors[:3]), (teammate, doors[3:5])):
        for elector in electors:
            CanvassResponse.objects.create(
                campaign=campaign,
                elector=elector,
                recorded_by=knocker,
                recorded_at=MONDAY_8 - dt.timedelta(days=2),
                outcome=Outcome.SPOKE,
            )
    CanvassResponse.objects.create(  # a month ago: not this week's
        campaign=campaign,
        elector=doors[0],
        recorded_by=volunteer,
        recorded_at=MONDAY_8 - dt.timedelta(days=30),
        outcome=Outcome.NOT_HOME,
    )
    digests_queue_due(now=MONDAY_8)
    context = Outbox.objects.get(recipient=volunteer).context
    assert context["doors"] == 3
    assert context["teams"][0]["doors"] == 5


def test_organiser_digest_shows_households_canvassed_of_the_register(seat_a, election):
    from canvassing.models import Elector
    from canvassing.selectors import canvass_progress
    from canvassing.services import responses_record
    from tests.canvassing.conftest import load_register, make_campaign

    campaign = make_campaign(election, seat_a)
    load_register(campaign, electors=60)
    households = Elector.objects.filter(campaign=campaign).exclude(property_key="").values("property_key").distinct()
    knocked = list(Elector.objects.filter(campaign=campaign).exclude(property_key="").order_by("pk")[:1])
    responses_record(
        user=campaign.agent,
        entries=[{"id": str(uuid.uuid4()), "elector": knocked[0].pk, "outcome": "not_home"}],
    )
    assert canvass_progress(seat_ids=[seat_a.pk]) == {seat_a.pk: {"done": 1, "target": households.count()}}

    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,))
    consent_set(user=organiser, channel="email", given=True, source="/join/")
    ShiftFactory(constituency=seat_a, starts_at=MONDAY_8 + dt.timedelta(days=1))
    digests_queue_due(now=MONDAY_8)
    mine = {row.recipient_id: row.context for row in _digests(MessageKind.DIGEST_ORGANISER)}[organiser.pk]
    assert mine["seats"][0]["canvass"] == {"done": 1, "target": households.count()}


def test_the_organisers_report_is_a_service_message_and_goes_without_the_opt_in(smtp, seat_a):
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,))  # never agreed to campaign emails
    opted_out = make_user(Role.NATIONAL_ORGANISER)
    MessagePreference.objects.create(user=opted_out, digest=False)
    digests_queue_due(now=MONDAY_8)
    [row] = _digests(MessageKind.DIGEST_ORGANISER)
    assert row.recipient_id == organiser.pk
    assert deliver([row.pk]).sent == [row.pk]
    [message] = smtp.messages
    assert message["List-Unsubscribe"] is None
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "You get this weekly report because you organise seats" in text


def test_a_new_volunteers_digest_does_not_lead_with_zeros(smtp):
    volunteer_with_consent()
    digests_queue_due(now=MONDAY_8)
    [row] = _digests()
    deliver([row.pk])
    [message] = smtp.messages
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "You did 0 shifts" not in text and "Doors knocked: 0" not in text
    assert "Your first shift is the one that counts" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # campaign content
