"""Reads for the organisers' home (organiser.views.organiser_home): their seats or, with none, whom to ask;
what needs doing; the organiser pages and admin tasks they may use. A fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse

from organiser import scope

SEATS_SHOWN = 50


def _admin_url(name: str, *args) -> str | None:
    """An admin page's URL, or None where that admin is not installed (yet)."""
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


def admin_tasks(user) -> list[tuple[str, str]]:
    """(label, url) of the admin pages an organiser uses most, in the order of their week."""
    tasks = [
        ("Volunteers and their accounts", "volunteers_user_changelist"),
        ("Give seat organisers their seats", "volunteers_seatgrant_changelist"),
        ("Shifts", "volunteers_shift_changelist"),
        ("Shifts short of people", "volunteers_shift_coverage"),
        ("Rosters", "volunteers_shift_roster"),
        ("Teams", "volunteers_team_changelist"),
        ("Endorsements", "campaigns_endorsement_changelist"),
        ("Preview a digest", "messaging_digest_preview"),
        ("Messages sent", "messaging_outbox_changelist"),
        ("Digest schedule and note", "messaging_digestschedule_changelist"),
        ("Supporters", "conversations_supporter_changelist"),
        ("Segments: saved filters of volunteers and supporters", "conversations_segment_changelist"),
    ]
    if user.is_national_organiser:
        tasks += [
            ("Import results", "campaigns_importjob_add"),
            ("Elections", "campaigns_election_changelist"),
            ("When the day-before and after-shift messages go", "conversations_shiftloopsettings_changelist"),
        ]
    return [(label, url) for label, name in tasks if (url := _admin_url(name))]


def national_organisers_to_ask(limit: int = 5) -> list:
    """Who grants seats: the active national organisers (name and email), for a seat organiser with none."""
    from volunteers.models import Role, User

    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.NATIONAL_ORGANISER) | Q(is_superuser=True))
        .order_by("full_name", "email")
        .only("full_name", "email")[:limit]
    )


def organiser_overview(*, user) -> dict:
    from campaigns.models import Election, Endorsement
    from campaigns.selectors import seats_annotated
    from canvassing.selectors import campaigns_for
    from volunteers.selectors import coverage

    election = Election.objects.order_by("-date").first()
    seats = scope.seats_in_scope(user)
    overview = {
        "election": election,
        "national": user.is_national_organiser,
        "admin_tasks": admin_tasks(user),
        "short_shifts": list(coverage(user=user)[:10]),
        "campaigns": list(campaigns_for(user)[:10]),
        "seats": [],
        "seat_count": 0,
        "ask": [],
        "endorsements": {},
    }
    if election is None:
        return overview
    if user.is_national_organiser:
        overview["seat_count"] = seats.count()
        overview["endorsements"] = dict(
            Endorsement.objects.filter(election=election).values_list("status").annotate(n=Count("pk")).order_by()
        )
        return overview
    endorsement = Endorsement.objects.filter(election=election, constituency_id=OuterRef("pk"))
    rows = list(
        seats_annotated(seats, election=election)
        .annotate(
            endorsement_status=Subquery(endorsement.values("status")[:1]),
            endorsed_name=Subquery(endorsement.values("candidacy__person__name")[:1]),
        )
        .order_by("name")[:SEATS_SHOWN]
    )
    overview["seats"] = rows
    overview["seat_count"] = len(rows)
    if not rows:
        overview["ask"] = national_organisers_to_ask()
    return overview
