"""The Commons Library 2024 results import (by-candidate + by-constituency files) against a COPY floor.

First import into empty tables and the re-run of the same files (which must write nothing), in rounds
interleaved with the floor (``benchmarks.harness.interleave``): PostgreSQL COPY of the same two files (every row, every
column, as text) into bare tables without indexes or constraints, in the same run. Also reports the number of
queries, which must not depend on the number of rows, the time spent parsing and checking the files in Python,
and CPU seconds (this process plus its PostgreSQL backend, read from /proc): on a shared machine wall time swings
with the load, CPU time much less, so ``cpu_ratio`` is the steadier comparison with the floor.

    python -m benchmarks.results_import
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from benchmarks.harness import interleave, progress, report, temporary_database

GOAL_RATIO = 10.0


def cpu_seconds(backend_pid: int) -> float | None:
    """CPU time of this process and of the PostgreSQL backend serving it (None where /proc cannot say)."""
    try:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + time.process_time()


def cpu_spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def main() -> None:
    with temporary_database("results_import"):
        from django.db import connection

        from campaigns.importers.results import parse_results
        from campaigns.services.demo import data_file
        from campaigns.services.imports import election_for_slug, results_import

        files = [data_file("by_constituency"), data_file("by_candidate")]
        rows = sum(f.count(b"\n") - 1 for f in files)
        election = election_for_slug("parl.2024-07-04")
        queries: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        def timed_import() -> tuple[float, int, bool]:
            queries.clear()
            with connection.execute_wrapper(count):
                cpu = cpu_seconds(backend_pid)
                start = time.perf_counter()
                result = results_import(election=election, files=files)
                elapsed = time.perf_counter() - start
                cpu_used.append(cpu_spent(cpu, cpu_seconds(backend_pid)))
            return elapsed, len(queries), result.changed

        first, rerun, parse, cpu_used, first_cpu, floor_cpu = [], [], [], [], [], []
        headers = [f.split(b"\n", 1)[0].decode().split(",") for f in files]
        with connection.cursor() as cursor:
            for i, header in enumerate(headers):
                columns = ", ".join(f"c{j} text" for j in range(len(header)))
                cursor.execute(f"CREATE TABLE bare_{i} ({columns})")

        def clear(label: str) -> None:
            with connection.cursor() as cursor:
                if label == "floor":
                    cursor.execute("TRUNCATE bare_0, bare_1")
                else:
                    cursor.execute(
                        "TRUNCATE campaigns_result, campaigns_candidacy, campaigns_person, campaigns_party, "
                        "campaigns_constituency CASCADE"
                    )

        def first_import() -> float:
            nonlocal first_queries, rerun_queries
            start = time.perf_counter()
            for data in files:
                parse_results(data)
            parse.append(time.perf_counter() - start)
            seconds, first_queries, changed = timed_import()
            assert changed
            first_cpu.append(cpu_used[-1])
            again, rerun_queries, changed = timed_import()
            assert not changed, "the re-run must write nothing"
            rerun.append(again)
            progress(f"re-run {again:.3f} s")
            return seconds

        def copy_floor() -> float:
            with connection.cursor() as cursor:
                cpu = cpu_seconds(backend_pid)
                start = time.perf_counter()
                for i, data in enumerate(files):
                    with cursor.cursor.copy(f"COPY bare_{i} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                        copy.write(data)
                seconds = time.perf_counter() - start
                floor_cpu.append(cpu_spent(cpu, cpu_seconds(backend_pid)))
            return seconds

        first_queries = rerun_queries = 0
        measured = interleave({"value": first_import, "floor": copy_floor}, before_each=clear)
        first, floor = measured["value"], measured["floor"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT count(*) FROM bare_0) + (SELECT count(*) FROM bare_1)")
            copied = cursor.fetchone()[0]
        assert copied == rows, (copied, rows)

    cpu = {}
    if None not in first_cpu + floor_cpu:
        first_cpu_s, floor_cpu_s = statistics.mean(first_cpu), statistics.mean(floor_cpu)
        cpu = {
            "first_cpu_s": round(first_cpu_s, 4),
            "floor_cpu_s": round(floor_cpu_s, 4),
            "cpu_ratio": round(first_cpu_s / floor_cpu_s, 1) if floor_cpu_s else None,
        }
    report(
        benchmark="results_import",
        metric="first import wall time",
        values=first,
        unit="s",
        floors=floor,
        goal="first import of the 2024 files under 1 s and within 10x the COPY floor; re-run under 0.5 s",
        goal_ratio=GOAL_RATIO,
        lower_is_better=True,
        rerun_s=round(statistics.median(rerun), 4),
        parse_s=round(statistics.median(parse), 4),
        **cpu,
        rows=rows,
        queries_first=first_queries,
        queries_rerun=rerun_queries,
    )


if __name__ == "__main__":
    main()
