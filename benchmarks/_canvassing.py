"""Shared set-up of the canvassing benchmarks: an endorsed candidate's campaign with a synthetic register.

Call inside ``benchmarks.harness.temporary_database`` (Django is set up and migrated there). The leading
underscore keeps scripts/benchmarks.sh from running this module as a benchmark.
"""

from __future__ import annotations

import datetime as dt
import io


def campaign_with_register(*, electors: int, seed: int):
    """A bench seat, its endorsed candidate's campaign (agent: ``campaign.agent``) and ``electors`` electors."""
    from campaigns.models import Candidacy, Constituency, Election, Endorsement, Person
    from canvassing import services, synthetic
    from canvassing.register_import import register_import
    from organiser import scope
    from volunteers.models import Role, User

    election = Election.objects.create(slug="parl.2029-05-03", name="Bench election", date="2029-05-03")
    agent = User.objects.create_user(email="agent@bench.invalid", role=Role.SEAT_ORGANISER)
    seat = Constituency.objects.create(code="E14999999", name="Bench seat", nation="England")
    person = Person.objects.create(key="bench:1", name="Candidate")
    candidacy = Candidacy.objects.create(election=election, constituency=seat, person=person)
    endorsement = Endorsement.objects.create(
        election=election, constituency=seat, candidacy=candidacy, status="endorsed"
    )
    campaign = services.candidate_campaign_create(
        user=scope.system("benchmark"),
        endorsement=endorsement,
        agent=agent,
        polling_day=dt.date(2029, 5, 3),
        retention_date=dt.date(2029, 8, 1),
    )
    data = io.BytesIO()
    synthetic.write_register(data, electors, seed=seed)
    data.seek(0)
    register_import(campaign=campaign, file=data, user=scope.system("benchmark"), route="benchmark")
    return campaign
