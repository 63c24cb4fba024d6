"""Register import of 1,000,000 synthetic electors against a PostgreSQL COPY of the same file, same run.

- value: wall time of ``canvassing.register_import.register_import`` for a fresh campaign (parse, check every
  row in SQL, derive walk order, write electors with their indexes, log the import), median of the rounds;
- floor: ``COPY ... FROM STDIN (FORMAT csv)`` of the same file into a table of text columns with an index on
  the elector number (polling district, number, suffix), same rounds;
- also the re-import of the same file (an alterations run that changes nothing), and the import's peak
  memory above the process's baseline (resident set size sampled every 10 ms) for 100,000 and 1,000,000
  electors, which should be flat in the file size.

    python -m benchmarks.register_import            # ELECTORS=1000000 ROUNDS=3 by default
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness import progress, report, temporary_database

ELECTORS = int(os.environ.get("ELECTORS", 1_000_000))
SMALL = max(1, ELECTORS // 10)
ROUNDS = int(os.environ.get("ROUNDS", 3))
GOAL_RATIO = 3.0
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakMemory:
    """The peak resident set size above the baseline while the block runs (sampled every 10 ms)."""

    def __enter__(self):
        self.baseline = self.peak = rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss())
            time.sleep(0.01)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss())

    @property
    def above_baseline_mb(self) -> float:
        return (self.peak - self.baseline) / 2**20


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, temporary_database("register_import"):
        import datetime as dt

        from django.db import connection

        from campaigns.models import Candidacy, Constituency, Election, Endorsement, Person
        from canvassing import services, synthetic
        from canvassing.models import CandidateCampaign, Elector
        from canvassing.register_import import register_import
        from organiser import scope
        from volunteers.models import Role, User

        files = {}
        for size in (SMALL, ELECTORS):
            path = Path(folder) / f"register-{size}.csv"
            started = time.perf_counter()
            with path.open("wb") as out:
                synthetic.write_register(out, size, seed=size)
            files[size] = path
            progress(
                f"wrote {size:,} synthetic electors ({path.stat().st_size / 2**20:.0f} MB) in "
                f"{time.perf_counter() - started:.1f} s"
            )

        election = Election.objects.create(slug="parl.2029-05-03", name="Bench election", date="2029-05-03")
        agent = User.objects.create_user(email="agent@bench.invalid", role=Role.SEAT_ORGANISER)

        seats = iter(range(900000, 999999))

        def fresh_campaign(n: int) -> CandidateCampaign:
            seat = Constituency.objects.create(code=f"E14{next(seats):06d}", name=f"Seat {n}", nation="England")
            person = Person.objects.create(key=f"bench:{n}", name="Candidate")
            candidacy = Candidacy.objects.create(election=election, constituency=seat, person=person)
            endorsement = Endorsement.objects.create(
                election=election, constituency=seat, candidacy=candidacy, status="endorsed"
            )
            return services.candidate_campaign_create(
                user=scope.system("benchmark"),
                endorsement=endorsement,
                agent=agent,
                polling_day=dt.date(2029, 5, 3),
                retention_date=dt.date(2029, 8, 1),
            )

        def clear() -> None:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE canvassing_elector, canvassing_pollingdistrict CASCADE")
                cursor.execute("VACUUM ANALYZE canvassing_elector")

        memory = {}
        for size in (SMALL, ELECTORS):
            clear()
            campaign = fresh_campaign(size)
            with files[size].open("rb") as data, PeakMemory() as peak:
                register_import(campaign=campaign, file=data, user=scope.system("benchmark"), route="benchmark")
            memory[size] = peak.above_baseline_mb
            progress(f"{size:,} electors: peak memory {memory[size]:.0f} MB above baseline")

        first, rerun = [], []
        for round_number in range(1, ROUNDS + 1):
            clear()
            campaign = fresh_campaign(100 + round_number)
            with files[ELECTORS].open("rb") as data:
                started = time.perf_counter()
                result = register_import(
                    campaign=campaign, file=data, user=scope.system("benchmark"), route="benchmark"
                )
                first.append(time.perf_counter() - started)
            assert result.created == ELECTORS, result
            with files[ELECTORS].open("rb") as data:
                started = time.perf_counter()
                result = register_import(
                    campaign=campaign, file=data, user=scope.system("benchmark"), route="benchmark"
                )
                rerun.append(time.perf_counter() - started)
            assert (result.created, result.updated, result.deleted) == (0, 0, 0), result
            progress(f"round {round_number}: import {first[-1]:.2f} s, re-import {rerun[-1]:.2f} s")
        assert Elector.objects.count() == ELECTORS

        floor = []
        with files[ELECTORS].open("rb") as data:
            header = data.readline().decode().strip().split(",")
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(len(header)))
            cursor.execute(f"CREATE TABLE bare_register ({columns})")
            cursor.execute("CREATE INDEX bare_register_number ON bare_register (c0, c1, c2)")
            for round_number in range(1, ROUNDS + 1):
                cursor.execute("TRUNCATE bare_register")
                started = time.perf_counter()
                with (
                    files[ELECTORS].open("rb") as data,
                    cursor.cursor.copy("COPY bare_register FROM STDIN (FORMAT csv, HEADER true)") as copy,
                ):
                    while chunk := data.read(1 << 20):
                        copy.write(chunk)
                floor.append(time.perf_counter() - started)
                progress(f"round {round_number}: COPY floor {floor[-1]:.2f} s")
            cursor.execute("SELECT count(*) FROM bare_register")
            assert cursor.fetchone()[0] == ELECTORS

    value, floor_value = statistics.median(first), statistics.median(floor)
    report(
        benchmark="register_import",
        metric="wall time",
        value=value,
        unit="s",
        floor=floor_value,
        goal=f"import of {ELECTORS:,} electors within {GOAL_RATIO:g}x a COPY of the same file into an indexed "
        "table, peak memory under 300 MB and flat in the file size",
        goal_ratio=GOAL_RATIO,
        lower_is_better=True,
        electors=ELECTORS,
        reimport_s=round(statistics.median(rerun), 2),
        peak_memory_mb={f"{size}": round(mb) for size, mb in memory.items()},
        memory_goal_met=max(memory.values()) < 300,
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    main()
