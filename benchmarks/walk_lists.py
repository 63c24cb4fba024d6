"""Walk-list cutting for a 75,000-elector seat and a ten-seat cut of 750,000, with the growth exponent.

- value: ``canvassing.services.walk_lists_cut`` for the whole campaign, about 60 doors a list (households and
  blocks of flats kept together, odd/even sides, replacing the previous cut);
- floor: the bare way in the same run: one ``INSERT ... SELECT`` of every elector into a plain table of
  (elector, position) in street order, which is the sorting and writing any cut must do;
- rounds of value and floor interleaved (``benchmarks.harness.interleave``) at each size; the report line is
  the first size's, with the exponent of the cut's time against the size (log-log fit over every size);
- goal: within 3x the floor at the first size (issue #13; it was "under 1 s" before).

    python -m benchmarks.walk_lists            # WALK_SIZES=75000,750000 by default
"""

from __future__ import annotations

import os

from benchmarks._canvassing import campaign_with_register
from benchmarks.harness import growth_exponent, interleave, median, progress, report, temporary_database, timed

SIZES = [int(size) for size in os.environ.get("WALK_SIZES", os.environ.get("ELECTORS", "75000,750000")).split(",")]
GOAL_RATIO = 3.0


def main() -> None:
    measured: dict[int, dict[str, list[float]]] = {}
    with temporary_database("walk_lists"):
        from django.db import connection

        from canvassing import services
        from canvassing.models import WalkListEntry
        from organiser import scope

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bare_walk (elector_id bigint, position bigint)")
        for seat, size in enumerate(SIZES, start=1):
            campaign = campaign_with_register(electors=size, seed=75 + seat, seat=seat)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE canvassing_elector")
            progress(f"imported {size:,} synthetic electors")

            def cut(campaign=campaign):
                services.walk_lists_cut(campaign=campaign, doors=60, user=scope.system("benchmark"))

            def bare(campaign=campaign):
                with connection.cursor() as cursor:
                    cursor.execute(
                        """INSERT INTO bare_walk SELECT id, row_number() OVER (ORDER BY polling_district_id, street,
                           house_number, flat, number, suffix) FROM canvassing_elector WHERE campaign_id = %s""",
                        [campaign.pk],
                    )

            def clear(label):
                if label == "floor":
                    with connection.cursor() as cursor:
                        cursor.execute("TRUNCATE bare_walk")

            measured[size] = interleave({"value": lambda: timed(cut), "floor": lambda: timed(bare)}, before_each=clear)
            assert WalkListEntry.objects.filter(walk_list__campaign=campaign).count() == size
            progress(f"{size:,} electors: cut {median(measured[size]['value']):.3f} s")

    first = SIZES[0]
    exponent = growth_exponent(SIZES, [median(measured[size]["value"]) for size in SIZES])
    report(
        benchmark="walk_lists",
        metric="wall time",
        values=measured[first]["value"],
        unit="s",
        floors=measured[first]["floor"],
        goal=f"cut a {first:,}-elector seat into walk lists within {GOAL_RATIO:g}x the floor",
        goal_ratio=GOAL_RATIO,
        lower_is_better=True,
        exponent=exponent,
        electors=first,
        sizes={
            f"{size}": {
                "value_s": round(median(measured[size]["value"]), 3),
                "floor_s": round(median(measured[size]["floor"]), 3),
            }
            for size in SIZES
        },
    )


if __name__ == "__main__":
    main()
