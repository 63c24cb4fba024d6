"""The Commons Library 2024 results import (by-candidate + by-constituency files) against a COPY floor.

First import into empty tables and the re-run of the same files (which must write nothing), each the median of
three rounds, against the floor: PostgreSQL COPY of the same two files into bare tables, in the same run.
Also reports the number of queries, which must not depend on the number of rows.

    python -m benchmarks.results_import
"""

from __future__ import annotations

import statistics
import time

from benchmarks.harness import progress, report, temporary_database

ROUNDS = 3
GOAL_RATIO = 10.0


def main() -> None:
    with temporary_database("results_import"):
        from django.db import connection

        from campaigns.services.demo import data_file
        from campaigns.services.imports import election_for_slug, results_import

        files = [data_file("by_constituency"), data_file("by_candidate")]
        rows = sum(f.count(b"\n") - 1 for f in files)
        election = election_for_slug("parl.2024-07-04")
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        def timed_import() -> tuple[float, int, bool]:
            queries.clear()
            with connection.execute_wrapper(count):
                start = time.perf_counter()
                result = results_import(election=election, files=files)
                elapsed = time.perf_counter() - start
            return elapsed, len(queries), result.changed

        first, rerun = [], []
        for round_number in range(1, ROUNDS + 1):
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE campaigns_result, campaigns_candidacy, campaigns_person, campaigns_party, "
                    "campaigns_constituency CASCADE"
                )
            seconds, first_queries, changed = timed_import()
            assert changed
            first.append(seconds)
            seconds, rerun_queries, changed = timed_import()
            assert not changed, "the re-run must write nothing"
            rerun.append(seconds)
            progress(f"round {round_number}: first import {first[-1]:.3f} s, re-run {rerun[-1]:.3f} s")

        headers = [f.split(b"\n", 1)[0].decode().split(",") for f in files]
        floor = []
        with connection.cursor() as cursor:
            for i, header in enumerate(headers):
                columns = ", ".join(f"c{j} text" for j in range(len(header)))
                cursor.execute(f"CREATE TABLE bare_{i} ({columns})")
            for round_number in range(1, ROUNDS + 1):
                cursor.execute("TRUNCATE bare_0, bare_1")
                start = time.perf_counter()
                for i, data in enumerate(files):
                    with cursor.cursor.copy(f"COPY bare_{i} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                        copy.write(data)
                floor.append(time.perf_counter() - start)
                progress(f"round {round_number}: COPY floor {floor[-1]:.3f} s")
            cursor.execute("SELECT (SELECT count(*) FROM bare_0) + (SELECT count(*) FROM bare_1)")
            copied = cursor.fetchone()[0]
        assert copied == rows, (copied, rows)

    value, floor_value = statistics.median(first), statistics.median(floor)
    report(
        benchmark="results_import",
        metric="first import wall time",
        value=value,
        unit="s",
        floor=floor_value,
        goal="first import of the 2024 files under 1 s and within 10x the COPY floor; re-run under 0.5 s",
        goal_ratio=GOAL_RATIO,
        lower_is_better=True,
        rerun_s=round(statistics.median(rerun), 4),
        rows=rows,
        queries_first=first_queries,
        queries_rerun=rerun_queries,
    )


if __name__ == "__main__":
    main()
