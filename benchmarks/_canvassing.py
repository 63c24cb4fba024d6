"""Shared set-up of the canvassing benchmarks: an endorsed candidate's campaign with a synthetic register.

Call inside ``benchmarks.harness.temporary_database`` (Django is set up and migrated there). The leading
underscore keeps scripts/benchmarks.sh from running this module as a benchmark.
"""

from __future__ import annotations

import datetime as dt
import tempfile


def campaign_with_register(*, electors: int, seed: int, seat: int = 1):
    """A bench seat, its endorsed candidate's campaign (agent: ``campaign.agent``) and ``electors`` electors.

    Call again with another ``seat`` number for another campaign in the same database."""
    from campaigns.models import Candidacy, Constituency, Election, Endorsement, Person
    from canvassing import services, synthetic
    from canvassing.register_import import register_import
    from organiser import scope
    from volunteers.models import Role, User

    election, _ = Election.objects.get_or_create(
        slug="parl.2029-05-03", defaults={"name": "Bench election", "date": "2029-05-03"}
    )
    agent = User.objects.filter(email="agent@bench.invalid").first() or User.objects.create_user(
        email="agent@bench.invalid", role=Role.SEAT_ORGANISER
    )
    constituency = Constituency.objects.create(
        code=f"E14{999999 - seat:06d}", name=f"Bench seat {seat}", nation="England"
    )
    person = Person.objects.create(key=f"bench:{seat}", name="Candidate")
    candidacy = Candidacy.objects.create(election=election, constituency=constituency, person=person)
    endorsement = Endorsement.objects.create(
        election=election, constituency=constituency, candidacy=candidacy, status="endorsed"
    )
    campaign = services.candidate_campaign_create(
        user=scope.system("benchmark"),
        endorsement=endorsement,
        agent=agent,
        polling_day=dt.date(2029, 5, 3),
        retention_date=dt.date(2029, 8, 1),
    )
    with tempfile.TemporaryFile() as data:
        synthetic.write_register(data, electors, seed=seed)
        data.seek(0)
        register_import(campaign=campaign, file=data, user=scope.system("benchmark"), route="benchmark")
    return campaign
