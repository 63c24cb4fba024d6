"""Register import of 100,000 and 1,000,000 synthetic electors against a PostgreSQL COPY of the same file.

At each size, rounds of value and floor interleave (``benchmarks.harness.interleave``):

- value: wall time of ``canvassing.register_import.register_import`` of the file for a campaign with no
  electors (PostgreSQL reads the file into a staging table, every check runs in SQL, walk order is derived
  and the electors written with their indexes in one ``INSERT ... SELECT``, the import logged);
- floor: ``COPY ... FROM STDIN (FORMAT csv)`` of the same file into a table of text columns with an index on
  the elector number (polling district, number, suffix).

The report line is the largest size's, with the growth exponent of the import's time against the size
(log-log fit over every size) and, per size, the import's peak memory above the process's baseline (resident
set size sampled every 10 ms: flat in the file size). At the smallest size it also times, in rounds, the
re-import of the same register into the campaign that holds it (an update that changes nothing) and a monthly
alterations file (a hundredth of the electors changed, deleted or added), each after the register is
restored, against the COPY of the same file.

    python -m benchmarks.register_import        # REGISTER_SIZES=100000,1000000 (add 5000000 if time allows)
"""

from __future__ import annotations

import csv
import os
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness import growth_exponent, interleave, median, progress, report, temporary_database

SIZES = [int(size) for size in os.environ.get("REGISTER_SIZES", "100000,1000000").split(",")]
GOAL_RATIO = 3.0
GOAL_EXPONENT = 1.05
GOAL_MEMORY_MB = 300
PAGE = os.sysconf("SC_PAGE_SIZE")
ALTERATIONS_HEADER = [
    "ElectorNumber",
    "Elector Surname",
    "Elector Forename",
    "PropertyAddress1",
    "PropertyPostCode",
    "ChangeType",
]


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


def write_alterations(path: Path, electors: int, *, seed: int) -> int:
    """A monthly alterations file for the register ``synthetic.write_register(electors, seed)`` writes: every
    100th elector, in turn renamed (a change at the same address), deleted, or joined by a new elector."""
    from canvassing import synthetic

    rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ALTERATIONS_HEADER)
        for index, row in enumerate(synthetic.register_rows(electors, seed=seed)):
            if index % 100:
                continue
            code, number, suffix, _, _, name, postcode, address_1 = row[:8]
            written = f"{code}-{number}" + (f"/{suffix}" if suffix not in ("", "0") else "")
            surname, _, forenames = name.partition(", ")
            match (index // 100) % 3:
                case 0:
                    writer.writerow([written, f"{surname}-Newman", forenames, address_1, postcode, "C"])
                case 1:
                    writer.writerow([written, "", "", "", "", "D"])
                case _:
                    added = f"{code}-{int(number) + 500_000}"
                    writer.writerow([added, "Newcomer", "Alex", address_1, postcode, "A"])
            rows += 1
    return rows


def main() -> None:
    measured: dict[int, dict[str, list[float]]] = {}
    memory: dict[int, float] = {}
    updates: dict[str, list[float]] = {}
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
        for size in SIZES:
            path = Path(folder) / f"register-{size}.csv"
            started = time.perf_counter()
            with path.open("wb") as out:
                synthetic.write_register(out, size, seed=size)
            files[size] = path
            progress(
                f"wrote {size:,} synthetic electors ({path.stat().st_size / 2**20:.0f} MB) in "
                f"{time.perf_counter() - started:.1f} s"
            )
        small = SIZES[0]
        alterations = Path(folder) / "alterations.csv"
        alteration_rows = write_alterations(alterations, small, seed=small)
        progress(f"wrote a monthly alterations file of {alteration_rows:,} rows for the {small:,}-elector register")

        election = Election.objects.create(slug="parl.2029-05-03", name="Bench election", date="2029-05-03")
        agent = User.objects.create_user(email="agent@bench.invalid", role=Role.SEAT_ORGANISER)
        seats = iter(range(100_000, 999_999))
        user = scope.system("benchmark")

        def fresh_campaign() -> CandidateCampaign:
            n = next(seats)
            seat = Constituency.objects.create(code=f"E14{n:06d}", name=f"Seat {n}", nation="England")
            person = Person.objects.create(key=f"bench:{n}", name="Candidate")
            candidacy = Candidacy.objects.create(election=election, constituency=seat, person=person)
            endorsement = Endorsement.objects.create(
                election=election, constituency=seat, candidacy=candidacy, status="endorsed"
            )
            return services.candidate_campaign_create(
                user=user,
                endorsement=endorsement,
                agent=agent,
                polling_day=dt.date(2029, 5, 3),
                retention_date=dt.date(2029, 8, 1),
            )

        def import_file(campaign, path: Path):
            with path.open("rb") as data:
                return register_import(campaign=campaign, file=data, user=user, route="benchmark")

        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(13))
            cursor.execute(f"CREATE TABLE bare_register ({columns})")
            cursor.execute("CREATE INDEX bare_register_number ON bare_register (c0, c1, c2)")
            columns = ", ".join(f"c{i} text" for i in range(len(ALTERATIONS_HEADER)))
            cursor.execute(f"CREATE TABLE bare_alterations ({columns})")
            cursor.execute("CREATE INDEX bare_alterations_number ON bare_alterations (c0)")

        def copy_floor(path: Path, table: str) -> float:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table}")
                started = time.perf_counter()
                with (
                    path.open("rb") as data,
                    cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy,
                ):
                    while chunk := data.read(1 << 20):
                        copy.write(chunk)
                return time.perf_counter() - started

        def clear(label: str) -> None:
            if label == "value":
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE canvassing_elector, canvassing_pollingdistrict CASCADE")

        for size in SIZES:
            peaks = []

            def first_import(size=size, peaks=peaks) -> float:
                campaign = fresh_campaign()
                with PeakMemory() as peak:
                    started = time.perf_counter()
                    result = import_file(campaign, files[size])
                    seconds = time.perf_counter() - started
                peaks.append(peak.above_baseline_mb)
                assert result.created == size, result
                return seconds

            measured[size] = interleave(
                {"value": first_import, "floor": lambda size=size: copy_floor(files[size], "bare_register")},
                before_each=clear,
            )
            memory[size] = max(peaks)
            progress(
                f"{size:,} electors: import {median(measured[size]['value']):.2f} s, COPY "
                f"{median(measured[size]['floor']):.2f} s, peak memory {memory[size]:.0f} MB above baseline"
            )
            assert Elector.objects.count() == size

        # Updates at the smallest size: the register's campaign takes the same register again (nothing
        # changes), then a month's alterations; the register is imported again before each round.
        clear("value")
        campaign = fresh_campaign()
        import_file(campaign, files[small])

        altered = False  # the register as it was before the last alterations round?

        def reimport() -> float:
            nonlocal altered
            if altered:
                import_file(campaign, files[small])  # restore the register (untimed): the timed one changes nothing
                altered = False
            started = time.perf_counter()
            result = import_file(campaign, files[small])
            seconds = time.perf_counter() - started
            assert (result.created, result.updated) == (0, 0), result
            return seconds

        def alter() -> float:
            nonlocal altered
            if altered:
                import_file(campaign, files[small])  # restore the register (untimed)
            started = time.perf_counter()
            result = import_file(campaign, alterations)
            seconds = time.perf_counter() - started
            altered = True
            assert result.created and result.updated and result.deleted, result
            return seconds

        updates = interleave(
            {
                "re-import": reimport,
                "re-import floor": lambda: copy_floor(files[small], "bare_register"),
                "alterations": alter,
                "alterations floor": lambda: copy_floor(alterations, "bare_alterations"),
            }
        )

    largest = SIZES[-1]
    exponent = growth_exponent(SIZES, [median(measured[size]["value"]) for size in SIZES])
    flat = max(memory.values()) < GOAL_MEMORY_MB
    ratio_of = {
        size: median(v / f for v, f in zip(m["value"], m["floor"], strict=True)) for size, m in measured.items()
    }
    report(
        benchmark="register_import",
        metric="wall time",
        values=measured[largest]["value"],
        unit="s",
        floors=measured[largest]["floor"],
        goal=(
            f"import of {largest:,} electors within {GOAL_RATIO:g}x a COPY of the same file into an indexed "
            f"table, growth exponent at most {GOAL_EXPONENT}, peak memory under {GOAL_MEMORY_MB} MB at every size"
        ),
        goal_ratio=GOAL_RATIO,
        lower_is_better=True,
        met=flat and exponent is not None and exponent <= GOAL_EXPONENT,
        exponent=exponent,
        electors=largest,
        sizes={
            f"{size}": {
                "value_s": round(median(measured[size]["value"]), 2),
                "floor_s": round(median(measured[size]["floor"]), 2),
                "ratio": round(ratio_of[size], 2),
                "peak_memory_mb": round(memory[size], 1),
            }
            for size in SIZES
        },
        reimport_electors=small,
        reimport_s=round(median(updates["re-import"]), 2),
        reimport_ratio=round(median(updates["re-import"]) / median(updates["re-import floor"]), 2),
        alterations_rows=alteration_rows,
        alterations_s=round(median(updates["alterations"]), 3),
        alterations_ratio=round(median(updates["alterations"]) / median(updates["alterations floor"]), 1),
    )


if __name__ == "__main__":
    main()
