"""Walk-list cutting for a 75,000-elector seat (about 30 polling districts of synthetic register).

- value: ``canvassing.services.walk_lists_cut`` for the whole seat, about 60 doors a list (households and
  blocks of flats kept together, odd/even sides, replacing the previous cut), median of the rounds;
- floor: the bare way in the same run: one ``INSERT ... SELECT`` of every elector into a plain table of
  (elector, position) in street order, which is the sorting and writing any cut must do;
- goal: under 1 s.

    python -m benchmarks.walk_lists            # ELECTORS=75000 ROUNDS=5 by default
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks._canvassing import campaign_with_register
from benchmarks.harness import progress, report, temporary_database

ELECTORS = int(os.environ.get("ELECTORS", 75_000))
ROUNDS = int(os.environ.get("ROUNDS", 5))
GOAL_SECONDS = 1.0


def main() -> None:
    with temporary_database("walk_lists"):
        from django.db import connection

        from canvassing import services
        from canvassing.models import WalkList, WalkListEntry
        from organiser import scope

        campaign = campaign_with_register(electors=ELECTORS, seed=75)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE canvassing_elector")
        progress(f"imported {ELECTORS:,} synthetic electors")

        cuts = []
        for round_number in range(1, ROUNDS + 1):
            started = time.perf_counter()
            result = services.walk_lists_cut(campaign=campaign, doors=60, user=scope.system("benchmark"))
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
