"""Demo data for canvassing: a synthetic register (never a real one) for a target seat's endorsed candidate,
with the seat's demo team granted and walk lists assigned to them. Idempotent, for `make run` only.

The campaign's polling day is 60 days after the first run and its retention date 90 days after that. Once
retention has come, the daily job destroys the register, and the demo never loads one into that campaign
again (the import service refuses it too): a later run says so and leaves it destroyed."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.db import transaction

from campaigns.models import Candidacy, Election, Endorsement, Person
from canvassing import services, synthetic
from canvassing.models import CandidateCampaign, Elector, GrantLevel, RegisterGrant, WalkList
from canvassing.register_import import register_import
from organiser import clock, scope
from volunteers.models import Role, Shift, ShiftKind, Team, User

DEMO_AGENT_EMAIL = "organiser@example.org"  # the demo organiser (manage.py demo_organiser), when made
DEMO_FALLBACK_AGENT_EMAIL = "agent@demo.organiser.invalid"


def _endorsement(election: Election) -> Endorsement:
    """The first demo seat with an endorsed candidate, else an endorsement made for the first demo seat."""
    from volunteers.demo import demo_seats

    seats = demo_seats()
    endorsed = Endorsement.objects.filter(
        election=election, constituency__in=seats, status=Endorsement.Status.ENDORSED
    ).first()
    if endorsed:
        return endorsed
    seat = next((s for s in seats if not Endorsement.objects.filter(election=election, constituency=s).exists()), None)
    if seat is None:
        raise LookupError("No demo seat is free for a demo endorsement.")
    candidacy = Candidacy.objects.filter(election=election, constituency=seat, party__isnull=True).first()
    if candidacy is None:
        person, _ = Person.objects.get_or_create(key=f"demo:{seat.code}", defaults={"name": "Demo Independent"})
        candidacy, _ = Candidacy.objects.get_or_create(election=election, constituency=seat, person=person)
    return Endorsement.objects.create(
        election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )


POLLING_DAY_AFTER = dt.timedelta(days=60)
RETENTION_AFTER_POLLING_DAY = dt.timedelta(days=90)


@transaction.atomic
def demo_canvassing_load(
    *, electors: int = 20_000, seed: int = 2029, doors: int = 60, now: dt.datetime | None = None
) -> dict[str, int]:
    """Load the canvassing demo as at ``now`` (once; later runs add what is missing and change nothing else).
    Returns the campaign's figures; ``destroyed`` is 1 where its register was destroyed (nothing is loaded)."""
    now = now or clock.now()
    election = Election.objects.order_by("-date").first()
    if election is None:
        raise LookupError("Load the elections first (manage.py load_demo).")
    endorsement = _endorsement(election)
    agent = (
        User.objects.filter(email=DEMO_AGENT_EMAIL).first()
        or User.objects.filter(email=DEMO_FALLBACK_AGENT_EMAIL).first()
        or User.objects.create_user(
            email=DEMO_FALLBACK_AGENT_EMAIL, full_name="Demo Agent", role=Role.SEAT_ORGANISER, is_staff=True
        )
    )
    loader = scope.system("demo loader (load_demo_canvassing)")
    campaign = CandidateCampaign.objects.filter(endorsement=endorsement).first()
    if campaign is None:
        polling_day = clock.today(now) + POLLING_DAY_AFTER
        campaign = services.candidate_campaign_create(
            user=loader,
            endorsement=endorsement,
            agent=agent,
            polling_day=polling_day,
            retention_date=polling_day + RETENTION_AFTER_POLLING_DAY,
            votes_to_win=max(1, electors // 5),
        )
    if campaign.destroyed_at is not None or campaign.retention_date <= clock.today(now):
        return {"campaign": campaign.pk, "electors": 0, "walk_lists": 0, "assigned": 0, "grants": 0, "destroyed": 1}
    if not Elector.objects.filter(campaign=campaign).exists():
        register, absent = io.BytesIO(), io.BytesIO()
        synthetic.write_register(register, electors, seed=seed)
        synthetic.write_absent_voters(absent, electors, seed=seed)
        for data, name in ((register, "synthetic-register.csv"), (absent, "synthetic-absent-voters.csv")):
            data.seek(0)
            register_import(
                campaign=campaign, file=data, user=loader, route="command:load_demo_canvassing", filename=name
            )
    organiser = User.objects.filter(email=DEMO_AGENT_EMAIL).first()
    if organiser is not None and organiser.pk != campaign.agent_id:
        # The demo organiser made after the register (manage.py demo_organiser) is granted it too.
        RegisterGrant.objects.get_or_create(
            user=organiser, campaign=campaign, defaults={"level": GrantLevel.ORGANISER, "granted_by": campaign.agent}
        )
    team = Team.objects.filter(constituency_id=campaign.constituency_id).prefetch_related("members").first()
    people = list(team.members.all()) if team else []
    if team and team.lead_id:
        RegisterGrant.objects.get_or_create(
            user_id=team.lead_id, campaign=campaign, defaults={"level": GrantLevel.ORGANISER, "granted_by": agent}
        )
    for person in people:
        RegisterGrant.objects.get_or_create(
            user=person, campaign=campaign, defaults={"level": GrantLevel.CANVASSER, "granted_by": agent}
        )
    if not WalkList.objects.filter(campaign=campaign).exists():
        services.walk_lists_cut(campaign=campaign, doors=doors, user=loader)
        lists = list(WalkList.objects.filter(campaign=campaign).order_by("polling_district__code", "sequence"))
        shifts = list(
            Shift.objects.filter(
                constituency_id=campaign.constituency_id, kind=ShiftKind.CANVASSING, starts_at__gt=now
            ).order_by("starts_at")
        )
        for walk_list, person in zip(lists, itertools.chain(people, [None] * len(lists)), strict=False):
            if person is None:
                break
            services.walk_list_assign(walk_list=walk_list, volunteer=person, team=team, user=loader)
        for walk_list, shift in zip(lists[len(people) :], shifts, strict=False):
            services.walk_list_assign(walk_list=walk_list, shift=shift, team=team, user=loader)
    return {
        "campaign": campaign.pk,
        "electors": Elector.objects.filter(campaign=campaign).count(),
        "walk_lists": WalkList.objects.filter(campaign=campaign).count(),
        "assigned": WalkList.objects.filter(campaign=campaign).exclude(volunteer=None, shift=None).count(),
        "grants": RegisterGrant.objects.filter(campaign=campaign).count(),
        "destroyed": 0,
    }
