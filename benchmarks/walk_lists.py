"""Walk-list cutting for a 75,000-elector seat (about 30 polling districts of synthetic register).

- value: ``canvassing.services.walk_lists_cut`` for the whole seat, about 60 doors a list (households and
  blocks of flats kept together, odd/even sides, replacing the previous cut), median of the rounds;
- floor: the bare way in the same run: one ``INSERT ... SELECT`` of every elector into a plain table of
  (elector, position) in street order, which is the sorting and writing any cut must do;
- goal: under 1 s.

    python -m benchmarks.walk_lists            # ELECTORS=75000 ROUNDS=5 by default
"""

from __future__ import annotations

import io
import os
import statistics
import time

from benchmarks.harness import progress, report, temporary_database

ELECTORS = int(os.environ.get("ELECTORS", 75_000))
ROUNDS = int(os.environ.get("ROUNDS", 5))
GOAL_SECONDS = 1.0


def main() -> None:
    with temporary_database("walk_lists"):
        import datetime as dt

        from django.db import connection

        from campaigns.models import Candidacy, Constituency, Election, Endorsement, Person
        from canvassing import services, synthetic
        from canvassing.models import WalkList, WalkListEntry
        from canvassing.register_import import register_import
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
            endorsement=endorsement, agent=agent, polling_day=dt.date(2029, 5, 3), retention_date=dt.date(2029, 8, 1)
        )
        data = io.BytesIO()
        synthetic.write_register(data, ELECTORS, seed=75)
        data.seek(0)
        register_import(campaign=campaign, file=data, user=agent, route="benchmark")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE canvassing_elector")
        progress(f"imported {ELECTORS:,} synthetic electors")

        cuts = []
        for round_number in range(1, ROUNDS + 1):
            started = time.perf_counter()
            result = services.walk_lists_cut(campaign=campaign, doors=60)
            cuts.append(time.perf_counter() - started)
            progress(f"round {round_number}: {result.lists} lists, {result.doors} doors in {cuts[-1]:.3f} s")
        assert WalkListEntry.objects.count() == result.electors
        lists, doors = WalkList.objects.count(), result.doors

        floor = []
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bare_walk (elector_id bigint, position bigint)")
            for round_number in range(1, ROUNDS + 1):
                cursor.execute("TRUNCATE bare_walk")
                started = time.perf_counter()
                cursor.execute(
                    """INSERT INTO bare_walk SELECT id, row_number() OVER (ORDER BY polling_district_id, street,
                       house_number, flat, number, suffix) FROM canvassing_elector WHERE campaign_id = %s""",
                    [campaign.pk],
                )
                floor.append(time.perf_counter() - started)
                progress(f"round {round_number}: floor {floor[-1]:.3f} s")

    value, floor_value = statistics.median(cuts), statistics.median(floor)
    report(
        benchmark="walk_lists",
        metric="wall time",
        value=value,
        unit="s",
        floor=floor_value,
        goal=f"cut a {ELECTORS:,}-elector seat into walk lists in under {GOAL_SECONDS:g} s",
        electors=ELECTORS,
        lists=lists,
        doors=doors,
        goal_seconds=GOAL_SECONDS,
        goal_met=value < GOAL_SECONDS,
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    main()
