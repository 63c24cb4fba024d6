"""Weekly digests: for volunteers (their next shifts, shifts near them that most need people, what they and
their team did last week, a note from the organisers) and for organisers (per seat: sign-ups, cancellations,
no-shows, new volunteers, shifts short of their minimum, canvass progress where it exists).

Each seat's schedule (or the organisation's default) says on which weekday and hour (UK time) the digest
goes; from that moment until the ISO week ends the periodic job sends it to everyone still without one.
Recipients are taken in batches by keyset (``id > last``); each batch is built with a fixed number of
queries whatever its size (pinned by tests) and written with one INSERT … ON CONFLICT DO NOTHING. The key
``digest:<ISO week>`` makes a late, repeated or concurrent run write nothing twice.

Canvassing figures come from the selectors canvassing owns (:func:`canvassing.selectors.doors_knocked`,
``team_doors_knocked`` and ``canvass_progress``), each one query for the whole batch: messaging reads other
apps' data through them, never their tables by name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.formats import date_format

from canvassing import selectors as canvassing_selectors
from messaging.conf import int_setting
from messaging.models import DigestSchedule, MessageKind, MessagePreference, Outbox
from messaging.services import first_name, outbox_row, outbox_write, shift_context
from organiser import clock

NEXT_SHIFTS = 3
NEEDED_SHIFTS = 3
NEEDED_WITHIN = dt.timedelta(days=14)
ORGANISER_SEATS_SHOWN = 20


# --- when ------------------------------------------------------------------------------------------


def iso_week(now: dt.datetime) -> str:
    year, week, _ = clock.today(now).isocalendar()
    return f"{year}-W{week:02d}"


def due_at(schedule: DigestSchedule, now: dt.datetime) -> dt.datetime:
    """The moment this week's digest is due under ``schedule`` (UK wall-clock time, DST-aware)."""
    return clock.at(clock.week_start(now) + dt.timedelta(days=schedule.weekday), dt.time(schedule.hour))


@dataclass
class DueSchedules:
    default: DigestSchedule | None
    default_due: bool
    due_seat_ids: list[int] = field(default_factory=list)
    scheduled_seat_ids: list[int] = field(default_factory=list)
    notes: dict[int | None, str] = field(default_factory=dict)

    def volunteer_filter(self) -> Q:
        """Volunteers whose digest is due: home seat with a due schedule of its own, or else the default."""
        condition = Q(profile__home_constituency_id__in=self.due_seat_ids)
        if self.default_due:
            condition |= Q(profile__home_constituency__isnull=True) | ~Q(
                profile__home_constituency_id__in=self.scheduled_seat_ids
            )
        return condition & Q(profile__isnull=False)

    def note_for(self, seat_id: int | None) -> str:
        if seat_id in self.notes and seat_id is not None:
            return self.notes[seat_id]
        return self.notes.get(None, "")


def due_schedules(now: dt.datetime, *, all_due: bool = False) -> DueSchedules:
    """Which schedules are due at ``now``; ``all_due``: every one, whatever its weekday and hour (this week's
    digest sent now, as ``messages_run --digest-now`` does, with no schedule changed)."""
    schedules = list(DigestSchedule.objects.all())
    default = next((s for s in schedules if s.constituency_id is None), None)
    due = DueSchedules(default=default, default_due=all_due or bool(default and now >= due_at(default, now)))
    for schedule in schedules:
        due.notes[schedule.constituency_id] = schedule.note
        if schedule.constituency_id is None:
            continue
        due.scheduled_seat_ids.append(schedule.constituency_id)
        if all_due or now >= due_at(schedule, now):
            due.due_seat_ids.append(schedule.constituency_id)
    return due


# --- who ---------------------------------------------------------------------------------------------


def _may_get_digest(key: str, *, marketing: bool = True) -> Q:
    from volunteers.models import Consent

    consent = Exists(Consent.objects.filter(user_id=OuterRef("pk"), channel="email", withdrawn_at__isnull=True))
    opted_out = Exists(MessagePreference.objects.filter(user_id=OuterRef("pk"), digest=False))
    already = Exists(Outbox.objects.filter(recipient_id=OuterRef("pk"), key=key))
    wanted = ~Q(opted_out) & ~Q(already) & Q(is_active=True)
    return wanted & Q(consent) if marketing else wanted


def volunteer_recipients(*, due: DueSchedules, key: str):
    from volunteers.models import Role, User

    return (
        User.objects.filter(role__in=(Role.VOLUNTEER, Role.TEAM_LEAD))
        .filter(_may_get_digest(key))
        .filter(due.volunteer_filter())
        .select_related("profile__home_constituency")
        .only("pk", "full_name", "profile__id", "profile__home_constituency__id", "profile__home_constituency__name")
        .order_by("pk")
    )


# --- what: volunteers ---------------------------------------------------------------------------------


def _hours(value) -> str:
    value = value or Decimal(0)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def volunteer_contexts(users: list, *, now: dt.datetime, week: str, due: DueSchedules) -> dict[int, dict]:
    """The digest context of each volunteer in ``users`` (each with ``profile`` loaded), in 5 queries."""
    from volunteers.models import FILLED_STATUSES, Shift, Signup, SignupStatus, Team

    ids = [user.pk for user in users]
    week_ago = now - dt.timedelta(days=7)

    next_signups = defaultdict(list)
    on_shift = defaultdict(set)
    upcoming = (
        Signup.objects.filter(
            volunteer_id__in=ids,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
            shift__starts_at__gt=now,
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=F("volunteer_id"), order_by=[F("shift__starts_at").asc(), "pk"])
        )
        .filter(rank__lte=NEXT_SHIFTS)
        .select_related("shift__constituency")
        .order_by("volunteer_id", "shift__starts_at")
    )
    shift_items: dict[int, dict] = {}  # many volunteers share a shift: describe each once per batch

    def describe(shift) -> dict:
        if shift.pk not in shift_items:
            shift_items[shift.pk] = shift_context(shift)
        return dict(shift_items[shift.pk])

    for signup in upcoming:
        item = describe(signup.shift)
        item["waitlisted"] = signup.status == SignupStatus.WAITLISTED
        next_signups[signup.volunteer_id].append(item)
        on_shift[signup.volunteer_id].add(signup.shift_id)

    done = {
        row["volunteer_id"]: row
        for row in Signup.objects.filter(
            volunteer_id__in=ids,
            status=SignupStatus.ATTENDED,
            shift__starts_at__gte=week_ago,
            shift__starts_at__lt=now,
        )
        .values("volunteer_id")
        .annotate(hours=Sum("hours"), shifts=Count("pk"))
        .order_by()
    }

    memberships = list(Team.members.through.objects.filter(user_id__in=ids).values("user_id", "team_id", "team__name"))
    team_ids = {row["team_id"] for row in memberships}
    team_done = (
        {
            row["volunteer__teams"]: row
            for row in Signup.objects.filter(
                volunteer__teams__in=team_ids,
                status=SignupStatus.ATTENDED,
                shift__starts_at__gte=week_ago,
                shift__starts_at__lt=now,
            )
            .values("volunteer__teams")
            .annotate(hours=Sum("hours"), people=Count("volunteer", distinct=True))
            .order_by()
        }
        if team_ids
        else {}
    )
    team_doors = canvassing_selectors.team_doors_knocked(team_ids=team_ids, since=week_ago, until=now)
    teams = defaultdict(list)
    for row in memberships:
        stats = team_done.get(row["team_id"], {})
        teams[row["user_id"]].append(
            {
                "name": row["team__name"],
                "hours": _hours(stats.get("hours")),
                "people": stats.get("people", 0),
                "doors": team_doors.get(row["team_id"], 0),
            }
        )

    seat_ids = {user.profile.home_constituency_id for user in users if user.profile.home_constituency_id}
    needed = defaultdict(list)
    if seat_ids:
        shifts = (
            Shift.objects.filter(constituency_id__in=seat_ids, starts_at__gt=now, starts_at__lte=now + NEEDED_WITHIN)
            .annotate(taken=Count("signups", filter=Q(signups__status__in=FILLED_STATUSES)))
            .filter(taken__lt=F("capacity"))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("constituency_id"),
                    order_by=[(F("taken") - F("minimum")).asc(), F("starts_at").asc(), F("pk").asc()],
                )
            )
            .filter(rank__lte=NEEDED_SHIFTS + NEXT_SHIFTS)
            .select_related("constituency")
            .order_by("constituency_id", "rank")
        )
        for shift in shifts:
            item = shift_context(shift)
            item.update(filled=shift.taken, minimum=shift.minimum, places=shift.capacity - shift.taken)
            item["short"] = max(0, shift.minimum - shift.taken)
            needed[shift.constituency_id].append(item)

    doors = canvassing_selectors.doors_knocked(user_ids=ids, since=week_ago, until=now)
    week_label = date_format(clock.local(now - dt.timedelta(days=7)), "j F")
    contexts = {}
    for user in users:
        seat_id = user.profile.home_constituency_id
        mine = done.get(user.pk, {})
        contexts[user.pk] = {
            "name": first_name(user),
            "week": week,
            "since": week_label,
            "seat": user.profile.home_constituency.name if seat_id else "",
            "next_shifts": next_signups.get(user.pk, []),
            "needed": [item for item in needed.get(seat_id, []) if item["id"] not in on_shift[user.pk]][:NEEDED_SHIFTS],
            "hours": _hours(mine.get("hours")),
            "shifts_done": mine.get("shifts", 0),
            "doors": doors.get(user.pk, 0),
            "teams": teams.get(user.pk, []),
            "note": due.note_for(seat_id),
        }
    return contexts


def volunteer_digest_batch(users: list, *, now: dt.datetime, week: str, due: DueSchedules) -> list[int]:
    """Build and write one batch's digests; returns the outbox ids queued (after commit)."""
    contexts = volunteer_contexts(users, now=now, week=week, due=due)
    rows = [
        outbox_row(
            recipient_id=user.pk,
            kind=MessageKind.DIGEST_VOLUNTEER,
            key=f"digest:{week}",
            context=contexts[user.pk],
            constituency_id=user.profile.home_constituency_id,
        )
        for user in users
    ]
    with transaction.atomic():
        return outbox_write(rows)


# --- what: organisers --------------------------------------------------------------------------------


def organiser_recipients(*, key: str):
    from volunteers.models import Role, User

    return (
        User.objects.filter(role__in=(Role.NATIONAL_ORGANISER, Role.SEAT_ORGANISER))
        .filter(_may_get_digest(key, marketing=False))  # a report on their own seats: a service message
        .only("pk", "full_name", "role", "is_superuser", "is_active")
        .order_by("pk")
    )


def _seat_stats(*, seat_ids: list[int] | None, now: dt.datetime) -> dict[int, dict]:
    """Last week's figures per seat (``None``: every seat), in 4 queries: what happened in ``[now - 7 days, now)``
    (a digest built for an earlier moment, or rebuilt later, counts nothing that came after it), and the shifts
    short of people in the next 14 days."""
    from campaigns.models import Constituency
    from volunteers.models import FILLED_STATUSES, Shift, Signup, SignupStatus, VolunteerProfile

    week_ago = now - dt.timedelta(days=7)
    made = Q(created_at__gte=week_ago, created_at__lt=now)
    cancelled = Q(cancelled_at__gte=week_ago, cancelled_at__lt=now)
    stats: dict[int, dict] = defaultdict(
        lambda: {"signups": 0, "cancellations": 0, "no_shows": 0, "new_volunteers": 0, "short_shifts": 0}
    )
    signups = Signup.objects.all()
    if seat_ids is not None:
        signups = signups.filter(shift__constituency_id__in=seat_ids)
    for row in (
        signups.filter(made | cancelled | Q(shift__starts_at__gte=week_ago, shift__starts_at__lt=now))
        .values("shift__constituency_id")
        .annotate(
            signups=Count("pk", filter=made),
            cancellations=Count("pk", filter=cancelled),
            no_shows=Count(
                "pk", filter=Q(status=SignupStatus.NO_SHOW, shift__starts_at__gte=week_ago, shift__starts_at__lt=now)
            ),
        )
        .order_by()
    ):
        stats[row["shift__constituency_id"]].update(
            signups=row["signups"], cancellations=row["cancellations"], no_shows=row["no_shows"]
        )
    profiles = VolunteerProfile.objects.filter(
        created_at__gte=week_ago, created_at__lt=now, home_constituency__isnull=False
    )
    if seat_ids is not None:
        profiles = profiles.filter(home_constituency_id__in=seat_ids)
    for row in profiles.values("home_constituency_id").annotate(n=Count("pk")).order_by():
        stats[row["home_constituency_id"]]["new_volunteers"] = row["n"]
    shifts = Shift.objects.filter(starts_at__gt=now, starts_at__lte=now + NEEDED_WITHIN)
    if seat_ids is not None:
        shifts = shifts.filter(constituency_id__in=seat_ids)
    short = (
        shifts.annotate(taken=Count("signups", filter=Q(signups__status__in=FILLED_STATUSES)))
        .filter(taken__lt=F("minimum"))
        .values_list("constituency_id", flat=True)
    )
    for seat_id in short:
        stats[seat_id]["short_shifts"] += 1
    names = dict(Constituency.objects.filter(pk__in=list(stats)).values_list("pk", "name"))
    progress = canvassing_selectors.canvass_progress(seat_ids=list(stats))
    for seat_id, row in stats.items():
        row["seat"] = names.get(seat_id, "")
        row["canvass"] = progress.get(seat_id)
    return dict(stats)


def organiser_contexts(users: list, *, now: dt.datetime, week: str, due: DueSchedules) -> dict[int, dict]:
    from volunteers.models import SeatGrant

    national = [user for user in users if user.is_national_organiser]
    grants = defaultdict(list)
    for user_id, seat_id in SeatGrant.objects.filter(user_id__in=[u.pk for u in users]).values_list(
        "user_id", "constituency_id"
    ):
        grants[user_id].append(seat_id)
    seat_ids = None if national else sorted({seat for seats in grants.values() for seat in seats})
    stats = _seat_stats(seat_ids=seat_ids, now=now)
    week_label = date_format(clock.local(now - dt.timedelta(days=7)), "j F")

    def activity(row: dict) -> tuple:
        return (-row["short_shifts"], -(row["signups"] + row["cancellations"] + row["no_shows"]), row["seat"])

    contexts = {}
    for user in users:
        seats = (
            list(stats.values()) if user.is_national_organiser else [stats[s] for s in grants[user.pk] if s in stats]
        )
        totals = {
            name: sum(row[name] for row in seats)
            for name in ("signups", "cancellations", "no_shows", "new_volunteers", "short_shifts")
        }
        seats = sorted(seats, key=activity)[:ORGANISER_SEATS_SHOWN]
        contexts[user.pk] = {
            "name": first_name(user),
            "week": week,
            "since": week_label,
            "seats": seats,
            "totals": totals,
            "national": user.is_national_organiser,
            "note": due.note_for(None),
        }
    return contexts


def organiser_digest_batch(users: list, *, now: dt.datetime, week: str, due: DueSchedules) -> list[int]:
    contexts = organiser_contexts(users, now=now, week=week, due=due)
    rows = [
        outbox_row(
            recipient_id=user.pk,
            kind=MessageKind.DIGEST_ORGANISER,
            key=f"digest-organiser:{week}",
            context=contexts[user.pk],
        )
        for user in users
    ]
    with transaction.atomic():
        return outbox_write(rows)


# --- the periodic job -----------------------------------------------------------------------------------


def recipient_batches(queryset, size: int):
    """Lists of up to ``size`` rows of ``queryset`` (ordered by pk), by keyset: memory flat in the total."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def digests_queue_due(*, now: dt.datetime | None = None, batch_size: int | None = None, all_due: bool = False) -> int:
    """Write and queue every digest due at ``now``; returns how many were written. ``all_due``: this week's
    digest for everyone still without one, now, whatever the schedules say (and none of them changed)."""
    now = now or clock.now()
    size = batch_size or int_setting("MESSAGING_DIGEST_BATCH", 500)
    week = iso_week(now)
    due = due_schedules(now, all_due=all_due)
    queued = 0
    if due.default_due or due.due_seat_ids:
        for users in recipient_batches(volunteer_recipients(due=due, key=f"digest:{week}"), size):
            queued += len(volunteer_digest_batch(users, now=now, week=week, due=due))
    if due.default_due:
        for users in recipient_batches(organiser_recipients(key=f"digest-organiser:{week}"), size):
            queued += len(organiser_digest_batch(users, now=now, week=week, due=due))
    return queued


def digest_preview_context(user, *, now: dt.datetime | None = None) -> tuple[str, dict]:
    """What ``user``'s digest would say now (for the admin's preview): the kind and its context."""
    from volunteers.models import User

    now = now or clock.now()
    due = due_schedules(now)
    week = iso_week(now)
    if user.is_organiser:
        return MessageKind.DIGEST_ORGANISER, organiser_contexts([user], now=now, week=week, due=due)[user.pk]
    user = User.objects.select_related("profile__home_constituency").get(pk=user.pk)
    if not hasattr(user, "profile"):
        from volunteers.models import VolunteerProfile

        user.profile = VolunteerProfile(user=user)
    return MessageKind.DIGEST_VOLUNTEER, volunteer_contexts([user], now=now, week=week, due=due)[user.pk]
