"""organiser.clock: the UK date and wall-clock time at instants where UTC and London disagree, the nights the
clocks change, and time-machine moving every reader of the clock (model defaults included)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from organiser import clock

UTC = dt.UTC


def test_now_is_aware_utc_and_moves_with_time_machine():
    with time_machine.travel(dt.datetime(2031, 7, 1, 12, 0, tzinfo=UTC), tick=False):
        assert clock.now() == dt.datetime(2031, 7, 1, 12, 0, tzinfo=UTC)
        assert clock.now().utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("instant", "uk_date"),
    [
        (dt.datetime(2027, 6, 30, 23, 30, tzinfo=UTC), dt.date(2027, 7, 1)),  # BST: already tomorrow in the UK
        (dt.datetime(2027, 12, 31, 23, 59, 30, tzinfo=UTC), dt.date(2027, 12, 31)),  # GMT: the same date
        (dt.datetime(2028, 2, 28, 23, 30, tzinfo=UTC), dt.date(2028, 2, 28)),
        (dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC), dt.date(2028, 2, 29)),
    ],
)
def test_today_is_the_uk_date(instant, uk_date):
    assert clock.today(instant) == uk_date
    with time_machine.travel(instant, tick=False):
        assert clock.today() == uk_date


def test_at_a_time_that_does_not_exist_in_march_is_as_far_past_the_jump():
    moment = clock.at(dt.date(2027, 3, 28), dt.time(1, 30))
    assert moment.astimezone(UTC) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert clock.local(moment).strftime("%H:%M %Z") == "02:30 BST"


def test_at_a_time_that_happens_twice_in_october_is_the_second():
    moment = clock.at(dt.date(2027, 10, 31), dt.time(1, 30))
    assert moment.astimezone(UTC) == dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert clock.local(moment).strftime("%H:%M %Z") == "01:30 GMT"


@pytest.mark.django_db
@pytest.mark.parametrize("local", ["2027-10-31 01:30", "2027-03-28 01:30", "2027-03-28 00:59:59", "2027-06-01 12:00"])
def test_at_reads_a_local_time_as_postgresql_does(local):
    from django.db import connection

    day, time = local.split()
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamp AT TIME ZONE %s", [local, clock.zone_name()])
        [(in_sql,)] = cursor.fetchall()
    assert clock.at(dt.date.fromisoformat(day), dt.time.fromisoformat(time)) == in_sql


def test_day_bounds_are_23_and_25_hours_on_the_nights_the_clocks_change():
    for day, hours in ((dt.date(2027, 3, 28), 23), (dt.date(2027, 10, 31), 25), (dt.date(2027, 6, 1), 24)):
        start, end = clock.day_bounds(day)
        assert end - start == dt.timedelta(hours=hours)
        assert clock.local(start).time() == dt.time(0) == clock.local(end).time()


def test_local_days_later_keeps_the_wall_clock_time_across_a_change():
    saturday_ten = clock.at(dt.date(2027, 3, 27), dt.time(10))
    sunday = clock.local_days_later(saturday_ten, 1)
    assert clock.local(sunday).time() == dt.time(10)
    assert sunday - saturday_ten == dt.timedelta(hours=23)
    assert clock.local_days_later(sunday, -1) == saturday_ten


@pytest.mark.parametrize(
    ("instant", "next_hour"),
    [
        (dt.datetime(2027, 3, 28, 0, 59, 30, tzinfo=UTC), dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # 02:00 BST
        (dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, 0, tzinfo=UTC)),  # 01:30 BST
        (dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), dt.datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),  # 01:30 GMT
        (dt.datetime(2027, 12, 31, 23, 59, 30, tzinfo=UTC), dt.datetime(2028, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_whole_hour_counts_real_hours(instant, next_hour):
    assert clock.next_whole_hour(instant) == next_hour


def test_week_start_is_the_uk_monday():
    sunday_night_utc = dt.datetime(2027, 6, 6, 23, 30, tzinfo=UTC)  # Monday 00:30 BST
    assert clock.week_start(sunday_night_utc) == dt.date(2027, 6, 7)


def test_the_zone_is_the_setting(settings):
    settings.TIME_ZONE = "America/New_York"
    assert clock.zone_name() == "America/New_York"
    assert clock.today(dt.datetime(2027, 7, 1, 2, 0, tzinfo=UTC)) == dt.date(2027, 6, 30)


def test_celery_takes_the_zone_from_the_setting():
    from django.conf import settings

    from organiser.celery import app

    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert str(app.timezone) == settings.TIME_ZONE


@pytest.mark.django_db
def test_model_defaults_come_from_the_clock():
    from volunteers.models import Role, User

    with time_machine.travel(dt.datetime(2033, 1, 2, 3, 4, tzinfo=UTC), tick=False):
        user = User.objects.create_user(email="clock@example.org", password="x" * 12, role=Role.VOLUNTEER)
    user.refresh_from_db()
    assert user.date_joined == dt.datetime(2033, 1, 2, 3, 4, tzinfo=UTC)
