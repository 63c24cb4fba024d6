"""Demo data for volunteers: teams with leads in a few seats, volunteers with profiles, and shifts relative to
the moment it runs: from the next whole hour on, for the coming week, with sign-ups; plus a few finished shifts
with attendance and a no-show, so hours and reliability show.

Idempotent and cumulative: accounts are keyed by email and shifts by seat, kind and start, so a second run
changes nothing and a run on a later day tops the week up and loses nothing. Sign-ups go only to shifts this
run creates, all still to come (a finished shift takes no sign-up, by design); a finished shift's attendance
is written as history, as a lead's check-in would have left it; nobody is signed up to a shift once it has
started. For `make run` only."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from campaigns.models import Constituency
from organiser import clock
from volunteers import services
from volunteers.models import Channel, Role, Shift, ShiftKind, Signup, SignupStatus, Team, User, VolunteerProfile

DEMO_DOMAIN = "demo.organiser.invalid"
DEMO_PASSWORD = "demo-volunteer-pass"  # noqa: S105 - demo accounts on a developer's machine only
# Seats where the 2024 result was close or changed hands on a large swing; used if targets are not computed.
FALLBACK_SEATS = ["E14001280", "E14001104", "E14001325", "E14001195", "E14001053"]
FIRST_NAMES = ["Amina", "Bilal", "Chloe", "Dev", "Esther", "Farid", "Grace", "Hamza", "Imran", "Jess", "Kiran", "Leah"]
SURNAMES = ["Ahmed", "Brown", "Chowdhury", "Davies", "Evans", "Farooq", "Green", "Hussain", "Iqbal", "Jones", "Khan"]


def demo_seats(limit: int = 5) -> list[Constituency]:
    """The demo's seats: the best targets (the same ones every time: ties in score go by seat code)."""
    try:
        target = apps.get_model("campaigns", "Target")
        codes = list(
            target.objects.filter(tier__in=[1, 2])
            .order_by("tier", "-score", "constituency__code")
            .values_list("constituency__code", flat=True)
        )[:limit]
    except LookupError:
        codes = []
    codes = codes or FALLBACK_SEATS
    seats = list(Constituency.objects.filter(code__in=codes))
    return seats or list(Constituency.objects.order_by("name")[:limit])


def _account(email: str, full_name: str, role: str) -> User:
    from allauth.account.models import EmailAddress

    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": role})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


#: The regular sessions each day (UK time): kind, start, length, meeting point.
DAILY_SLOTS = (
    (ShiftKind.CANVASSING, dt.time(10), dt.timedelta(hours=2, minutes=30), "High Street library"),
    (ShiftKind.PHONE_BANK, dt.time(18), dt.timedelta(hours=2, minutes=30), "Campaign office"),
)
#: A drop-in phone bank at the next whole hour, when that is within these UK hours (so a shift is always soon).
DROP_IN_HOURS = range(8, 21)
DROP_IN_LENGTH = dt.timedelta(hours=2)
#: Finished canvassing sessions with attendance: this many days before the run, at the first slot's time.
FINISHED_DAYS_AGO = (1, 3)
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class DemoSlot:
    kind: str
    starts_at: dt.datetime
    length: dt.timedelta
    meeting_point: str
    title: str = ""


def demo_slots(now: dt.datetime) -> list[DemoSlot]:
    """The shifts each demo seat has for the week from ``now``: none starts before the next whole hour."""
    first = clock.next_whole_hour(now)
    slots = []
    if clock.local(first).hour in DROP_IN_HOURS:
        slots.append(DemoSlot(ShiftKind.PHONE_BANK, first, DROP_IN_LENGTH, "Campaign office", "Drop-in phone bank"))
    today = clock.today(now)
    for day in range(8):
        for kind, time, length, meeting_point in DAILY_SLOTS:
            starts_at = clock.at(today + dt.timedelta(days=day), time)
            if first <= starts_at < first + WEEK:
                slots.append(DemoSlot(kind, starts_at, length, meeting_point))
    return sorted(slots, key=lambda slot: slot.starts_at)


def finished_slots(now: dt.datetime) -> list[DemoSlot]:
    """Sessions over before ``now``: the first daily slot, FINISHED_DAYS_AGO days before its date."""
    kind, time, length, meeting_point = DAILY_SLOTS[0]
    today = clock.today(now)
    return [
        DemoSlot(kind, clock.at(today - dt.timedelta(days=days), time), length, meeting_point)
        for days in FINISHED_DAYS_AGO
    ]


def _shift(seat, slot: DemoSlot, *, lead: User, team: Team) -> tuple[Shift, bool]:
    return Shift.objects.get_or_create(
        constituency=seat,
        kind=slot.kind,
        starts_at=slot.starts_at,
        defaults={
            "title": slot.title,
            "ends_at": slot.starts_at + slot.length,
            "meeting_point": slot.meeting_point,
            "capacity": 8,
            "minimum": 3,
            "lead": lead,
            "team": team,
        },
    )


def _attendance(shift: Shift, people: list[User], *, lead: User, rng: random.Random) -> int:
    """History for a finished shift: who came (hours logged) and one no-show, checked in by its lead."""
    came = rng.sample(people, min(len(people), rng.randint(3, 5)))
    absent = next((person for person in people if person not in came), None)
    signed_up = shift.starts_at - dt.timedelta(days=3)
    rows = [
        Signup(
            shift=shift,
            volunteer=person,
            status=SignupStatus.ATTENDED if person is not absent else SignupStatus.NO_SHOW,
            hours=shift.duration_hours if person is not absent else None,
            created_at=signed_up,
            queued_at=signed_up,
            checked_in_at=shift.starts_at + dt.timedelta(minutes=10),
            checked_in_by=lead,
        )
        for person in [*came, *([absent] if absent else [])]
    ]
    Signup.objects.bulk_create(rows)
    services.shift_recount(shift_id=shift.pk)
    return len(rows)


@transaction.atomic
def demo_volunteers_load(
    *, volunteers_per_seat: int = 12, seed: int = 2024, seats: int = 5, now: dt.datetime | None = None
) -> dict[str, int]:
    """Load (or top up) the volunteers demo as at ``now``; returns what this run added."""
    now = now or clock.now()
    rng = random.Random(seed)  # reproducible demo data, not secrets
    demo = demo_seats(seats)
    counts = {"seats": len(demo), "volunteers": 0, "shifts": 0, "signups": 0, "finished": 0, "attendance": 0}
    for seat_number, seat in enumerate(demo):
        lead = _account(f"lead{seat_number}@{DEMO_DOMAIN}", f"Lead of {seat.name}", Role.TEAM_LEAD)
        team, _ = Team.objects.get_or_create(
            name=f"{seat.name} doorknockers", constituency=seat, defaults={"lead": lead}
        )
        people = []
        for n in range(volunteers_per_seat):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            user = _account(f"volunteer{seat_number}-{n}@{DEMO_DOMAIN}", name, Role.VOLUNTEER)
            if not VolunteerProfile.objects.filter(user=user).exists():
                services.profile_update(
                    user=user,
                    phone="07911 123456",
                    home_constituency=seat,
                    skills=rng.sample(["canvassing", "phone_banking", "leafleting", "driving", "data_entry"], 2),
                    languages=rng.sample(["en", "ur", "bn", "pa", "so"], 2),
                    availability=rng.sample(["sat_morning", "sun_afternoon", "wed_evening", "thu_evening"], 2),
                )
            # Synthetic accounts opt in to email, so the demo's reminders and digests land in var/mail/.
            services.consent_set(user=user, channel=Channel.EMAIL, given=True, source="demo data")
            people.append(user)
        team.members.add(*people)
        counts["volunteers"] += len(people)
        for slot in demo_slots(now):
            shift, created = _shift(seat, slot, lead=lead, team=team)
            if not created:
                continue
            counts["shifts"] += 1
            for user in rng.sample(people, rng.randint(0, 6)):
                if shift.starts_at <= clock.now():  # the clock runs on while the demo loads: none once it started
                    break
                services.signup_create(shift=shift, volunteer=user, allow_overlap=True)
                counts["signups"] += 1
        for slot in finished_slots(now):
            shift, created = _shift(seat, slot, lead=lead, team=team)
            if created:
                counts["finished"] += 1
                counts["attendance"] += _attendance(shift, people, lead=lead, rng=rng)
    return counts
