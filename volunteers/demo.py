"""Demo data for volunteers: teams with leads in a few seats, volunteers with profiles, a week of shifts
with sign-ups. Idempotent (accounts keyed by email, shifts by seat, kind and start), for `make run` only."""

from __future__ import annotations

import datetime as dt
import random

from django.apps import apps
from django.db import transaction

from campaigns.models import Constituency
from organiser import clock
from volunteers import services
from volunteers.models import Channel, Role, Shift, ShiftKind, Team, User, VolunteerProfile

DEMO_DOMAIN = "demo.organiser.invalid"
DEMO_PASSWORD = "demo-volunteer-pass"  # noqa: S105 - demo accounts on a developer's machine only
# Seats where the 2024 result was close or changed hands on a large swing; used if targets are not computed.
FALLBACK_SEATS = ["E14001280", "E14001104", "E14001325", "E14001195", "E14001053"]
FIRST_NAMES = ["Amina", "Bilal", "Chloe", "Dev", "Esther", "Farid", "Grace", "Hamza", "Imran", "Jess", "Kiran", "Leah"]
SURNAMES = ["Ahmed", "Brown", "Chowdhury", "Davies", "Evans", "Farooq", "Green", "Hussain", "Iqbal", "Jones", "Khan"]


def demo_seats(limit: int = 5) -> list[Constituency]:
    try:
        target = apps.get_model("campaigns", "Target")
        codes = list(
            target.objects.filter(tier__in=[1, 2])
            .order_by("tier", "-score")
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


@transaction.atomic
def demo_volunteers_load(*, volunteers_per_seat: int = 12, seed: int = 2024) -> dict[str, int]:
    rng = random.Random(seed)  # reproducible demo data, not secrets
    seats = demo_seats()
    today = clock.today()
    counts = {"seats": len(seats), "volunteers": 0, "shifts": 0, "signups": 0}
    for seat_number, seat in enumerate(seats):
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
        for day in range(7):
            date = today + dt.timedelta(days=day)
            for kind, hour in ((ShiftKind.CANVASSING, 10), (ShiftKind.PHONE_BANK, 18)):
                starts = clock.at(date, dt.time(hour))
                shift, created = Shift.objects.get_or_create(
                    constituency=seat,
                    kind=kind,
                    starts_at=starts,
                    defaults={
                        "ends_at": starts + dt.timedelta(hours=2, minutes=30),
                        "meeting_point": "Campaign office" if kind == ShiftKind.PHONE_BANK else "High Street library",
                        "capacity": 8,
                        "minimum": 3,
                        "lead": lead,
                        "team": team,
                    },
                )
                counts["shifts"] += 1
                if created and shift.ends_at > clock.now():  # a shift already over takes no sign-ups
                    for user in rng.sample(people, rng.randint(0, 6)):
                        services.signup_create(shift=shift, volunteer=user, allow_overlap=True)
                        counts["signups"] += 1
    return counts
