"""The clock sweep: at each awkward instant, what `make run` and a day's work do, and whether it is right then.

At each instant the demo loaders run twice, as `make run` does on a second run (volunteers, the demo
organiser, the canvassing demo, this week's digest), with small sizes; then a sign-up, a cancellation that
promotes the waiting list, a day-before reminder, the weekly digest, the polling-day knock-up job and the
register destruction job. Each step checks what is right at that instant: shifts from the next whole hour on
and none signed up once started; a reminder at the same UK wall-clock time the day before; no digest twice in
an ISO week (the UK's); the UK date, not the UTC one, deciding polling day and retention.

The instants are computed from the clock (the suite's start, see tests/timetravel.py), never fixed years:
00:00:30, 00:59:30 and 01:30 UK time on the nights of the next clock changes (in October both 01:30s),
12:31, 20:31 and 23:59:30 on an ordinary summer Sunday (the ISO week ends at midnight), 31 December
23:59:30, 29 February 23:59:30, and a date ten years on. The real 2024 election is loaded once for the
module (rolled back at its end); each instant's writes are rolled back before the next.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import F

from canvassing import tasks as canvassing_tasks
from canvassing.models import AccessLog, CandidateCampaign, Elector, KnockUpSheet
from canvassing.register_import import register_import
from messaging.digests import digests_queue_due, due_at
from messaging.models import DigestSchedule, MessageKind, Outbox
from messaging.reminders import reminders_queue_due
from organiser import clock, scope
from organiser.imports import ImportRejected
from tests.canvassing.conftest import synthetic_register
from tests.conftest import make_user
from tests.timetravel import next_clock_change
from volunteers import selectors
from volunteers import services as volunteer_services
from volunteers.demo import DEMO_DOMAIN
from volunteers.models import Role, Shift, Signup, SignupStatus

UTC = dt.UTC


def _uk(day: dt.date, hour: int, minute: int, second: int = 0, *, fold: int = 0) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=clock.zone()).replace(fold=fold)
    return local.astimezone(UTC)


def _next_leap_day(after: dt.date) -> dt.date:
    year = after.year
    while True:
        if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) and dt.date(year, 2, 29) > after:
            return dt.date(year, 2, 29)
        year += 1


def _instants() -> list[tuple[str, dt.datetime]]:
    today = clock.today()
    spring, autumn = next_clock_change(3, today), next_clock_change(10, today)
    summer_sunday = spring + dt.timedelta(weeks=11)  # a Sunday in June: BST, no change near
    ten_years = today.replace(year=today.year + 10, day=min(today.day, 28))
    new_year = dt.date(today.year, 12, 31)
    return [
        ("spring-00:00:30", _uk(spring, 0, 0, 30)),
        ("spring-00:59:30", _uk(spring, 0, 59, 30)),  # half a minute before the clocks go forward
        ("spring-01:30", dt.datetime.combine(spring, dt.time(1, 30), tzinfo=UTC)),  # 02:30 BST: 01:30 never was
        ("autumn-00:00:30", _uk(autumn, 0, 0, 30)),  # BST: the UTC date is still the day before
        ("autumn-00:59:30", _uk(autumn, 0, 59, 30)),
        ("autumn-01:30-BST", _uk(autumn, 1, 30)),
        ("autumn-01:30-GMT", _uk(autumn, 1, 30, fold=1)),  # the same wall-clock time an hour later
        ("ordinary-12:31", _uk(summer_sunday, 12, 31)),  # the old demo broke from 12:30
        ("ordinary-20:31", _uk(summer_sunday, 20, 31)),  # and from 20:30
        ("ordinary-23:59:30", _uk(summer_sunday, 23, 59, 30)),  # the last half-minute of an ISO week
        ("31-december-23:59:30", _uk(new_year, 23, 59, 30)),
        ("29-february-23:59:30", _uk(_next_leap_day(today), 23, 59, 30)),
        ("ten-years-on", _uk(ten_years, 12, 0)),
    ]


INSTANTS = _instants()


@pytest.fixture(scope="module")
def _real_election(django_db_setup, django_db_blocker):
    """The real 2024 election with its targets (``manage.py load_demo``), once for the module, rolled back."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _make_run_loaders() -> None:
    """The demo steps of scripts/run.sh, with small sizes."""
    out = io.StringIO()
    call_command("load_demo_volunteers", "--seats", "2", "--volunteers-per-seat", "6", stdout=out)
    call_command("demo_organiser", stdout=out)
    call_command("load_demo_canvassing", "--electors", "300", stdout=out)
    call_command("messages_run", "--digest-now", stdout=out)


def _state() -> tuple:
    return (
        Shift.objects.count(),
        Signup.objects.count(),
        Elector.objects.count(),
        Outbox.objects.count(),
        sorted(Shift.objects.values_list("pk", "starts_at")),
    )


def _iso_week(now: dt.datetime) -> str:
    year, week, _ = clock.today(now).isocalendar()
    return f"{year}-W{week:02d}"


@pytest.mark.parametrize("instant", [instant for _, instant in INSTANTS], ids=[name for name, _ in INSTANTS])
def test_right_at(instant, _real_election, db, travel):
    now = travel(instant)
    assert clock.now() == instant

    # --- the demo, twice, as `make run` does ------------------------------------------------------------
    _make_run_loaders()
    first_run = _state()
    _make_run_loaders()
    assert _state() == first_run  # a second run at the same moment adds and loses nothing

    coming = Shift.objects.filter(starts_at__gt=now)
    assert coming.exists() and not Shift.objects.filter(starts_at__gt=now, starts_at__lt=clock.next_whole_hour(now))
    assert not coming.filter(starts_at__gte=clock.next_whole_hour(now) + dt.timedelta(days=7)).exists()
    started_when_signed_up = Signup.objects.filter(
        status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED), created_at__gte=F("shift__starts_at")
    )
    assert not started_when_signed_up.exists()
    assert Signup.objects.filter(shift__ends_at__lte=now, status=SignupStatus.ATTENDED, hours__gt=0).exists()
    demo_volunteer = Signup.objects.filter(shift__in=coming, volunteer__email__endswith=DEMO_DOMAIN).first().volunteer
    home = selectors.volunteer_home(user=demo_volunteer)
    assert home.mine and all(shift.ends_at > now for shift in home.mine + home.near)
    assert all(shift.ends_at > now for shift in selectors.shift_find_for_volunteer(user=demo_volunteer))

    # --- this week's digest: once per UK ISO week, whatever the schedule says -------------------------------
    week = _iso_week(now)
    digests = Outbox.objects.filter(kind__in=(MessageKind.DIGEST_VOLUNTEER, MessageKind.DIGEST_ORGANISER))
    assert digests.exists() and set(digests.values_list("key", flat=True)) <= {
        f"digest:{week}",
        f"digest-organiser:{week}",
    }
    assert digests.values("recipient_id", "key").distinct().count() == digests.count()
    sent = digests.count()
    default = DigestSchedule.objects.filter(constituency=None).first()
    if default is not None and due_at(default, now) > now:
        travel(due_at(default, now))  # the schedule's own moment, later the same week: none twice
        assert digests_queue_due() == 0
        travel(now)
    assert digests_queue_due(now=now) == 0 and digests.count() == sent

    # --- a sign-up, and a cancellation that promotes the waiting list -----------------------------------------
    volunteer = make_user(Role.VOLUNTEER)
    upcoming = coming.filter(filled__lt=F("capacity")).order_by("starts_at").first()
    assert volunteer_services.signup_create(shift=upcoming, volunteer=volunteer).status == SignupStatus.CONFIRMED
    finished = Shift.objects.filter(ends_at__lte=now).first()
    with pytest.raises(volunteer_services.SignupError, match="over"):
        volunteer_services.signup_create(shift=finished, volunteer=make_user(Role.VOLUNTEER))
    starts_at = clock.next_whole_hour(now) + dt.timedelta(days=1, hours=1)
    small = volunteer_services.shift_create(
        constituency=upcoming.constituency,
        kind="canvassing",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        meeting_point="Library",
        capacity=1,
        minimum=1,
    )
    first, waiting = make_user(Role.VOLUNTEER), make_user(Role.VOLUNTEER)
    volunteer_services.consent_set(user=waiting, channel="email", given=True, source="test")
    held = volunteer_services.signup_create(shift=small, volunteer=first)
    queued = volunteer_services.signup_create(shift=small, volunteer=waiting)
    assert (held.status, queued.status) == (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    volunteer_services.signup_cancel(signup=held)
    queued.refresh_from_db()
    assert queued.status == SignupStatus.CONFIRMED and queued.promoted_at == now
    assert Outbox.objects.filter(recipient=waiting, kind=MessageKind.SIGNUP_PROMOTED).count() == 1

    # --- the day-before reminder: the same UK wall-clock time the day before -------------------------------
    due = clock.local_days_later(starts_at, -1)
    wall = clock.local(starts_at).time()
    if clock.at(clock.today(due), wall) == due:  # that wall-clock time exists the day before
        assert clock.local(due).time() == wall
    reminders = Outbox.objects.filter(recipient=waiting, kind=MessageKind.REMINDER_24H)
    travel(due - dt.timedelta(minutes=1))
    reminders_queue_due()
    assert not reminders.exists()
    travel(due)
    reminders_queue_due()
    reminders_queue_due()
    assert reminders.count() == 1
    travel(now)

    # --- polling day's knock-up job: the UK date decides ----------------------------------------------------
    campaign = CandidateCampaign.objects.get()
    CandidateCampaign.objects.filter(pk=campaign.pk).update(polling_day=clock.today(now))
    assert canvassing_tasks.regenerate_knock_up_sheets() > 0
    assert set(KnockUpSheet.objects.values_list("generated_at", flat=True)) == {now}
    utc_date = now.astimezone(UTC).date()
    if utc_date != clock.today(now):
        CandidateCampaign.objects.filter(pk=campaign.pk).update(polling_day=utc_date)
        assert canvassing_tasks.regenerate_knock_up_sheets() == 0

    # --- the register destruction job: destroyed on its retention date (UK), never imported into again ---------
    polling_day = clock.today(now) - dt.timedelta(days=40)
    CandidateCampaign.objects.filter(pk=campaign.pk).update(
        polling_day=polling_day, retention_date=clock.today(now) + dt.timedelta(days=1)
    )
    assert canvassing_tasks.destroy_expired_registers() == []
    CandidateCampaign.objects.filter(pk=campaign.pk).update(retention_date=clock.today(now))
    assert canvassing_tasks.destroy_expired_registers() == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.destroyed_at == now and not Elector.objects.filter(campaign=campaign).exists()
    assert AccessLog.objects.filter(campaign=campaign, action="destroy").count() == 1
    _make_run_loaders()  # the next `make run`
    assert not Elector.objects.filter(campaign=campaign).exists()
    with pytest.raises(ImportRejected):
        register_import(campaign=campaign, file=synthetic_register(20), user=scope.system("test"))
