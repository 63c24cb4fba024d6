"""Persistent database connections against a new connection per request, on a one-row view.

Issue #2: "a view that opens a new connection per request serves about a tenth of the requests
of one that reuses it". The same view (``/_bench/one-row``: one ORM query, no template) is served
by two gunicorn servers side by side, differing only in the environment:

- value: ``CONN_MAX_AGE=600``, the project's default (each worker keeps its connection);
- floor: ``CONN_MAX_AGE=0``, Django's own default (connect, query, disconnect per request).

A third server with ``DATABASE_POOL=1`` (psycopg's pool in each worker) is measured too and
reported as an extra. The ratio is whatever this machine measures.

    python -m benchmarks.db_connections
"""

import contextlib

from benchmarks.harness import (
    ROUNDS,
    benchmark_seconds,
    compare,
    median,
    median_rps,
    progress,
    report,
    rps,
    serve,
    temporary_database,
)

CONNECTIONS = 4
WORKERS = 2
GOAL_RATIO = 5.0
SERVERS = {
    "new connection per request": {"CONN_MAX_AGE": "0", "DATABASE_POOL": "false"},
    "persistent connections": {"CONN_MAX_AGE": "600", "DATABASE_POOL": "false"},
    "psycopg pool": {"DATABASE_POOL": "true"},
}


def main() -> None:
    duration = benchmark_seconds(5)
    with temporary_database("db_connections"), contextlib.ExitStack() as servers:
        urls = {
            label: servers.enter_context(serve(env=env, workers=WORKERS, ready_path="/_bench/one-row"))
            + "/_bench/one-row"
            for label, env in SERVERS.items()
        }
        results = compare(urls, rounds=ROUNDS, duration=duration, connections=CONNECTIONS)
    rates = {label: median_rps(runs) for label, runs in results.items()}
    per_request, _persistent, pooled = (rates[label] for label in SERVERS)
    progress(", ".join(f"{label} {value:.0f} req/s" for label, value in rates.items()))
    report(
        benchmark="db_connections",
        metric="throughput",
        values=rps(results["persistent connections"]),
        unit="requests/s",
        floors=rps(results["new connection per request"]),
        goal=(
            f"a one-row view with persistent connections (CONN_MAX_AGE=600) serves at least {GOAL_RATIO:g}x "
            "the requests/s of a new connection per request (CONN_MAX_AGE=0); issue #2 expects about 10x"
        ),
        goal_ratio=GOAL_RATIO,
        pooled_rps=round(pooled, 1),
        pooled_ratio=round(pooled / per_request, 2) if per_request else None,
        p50_ms=round(median(r.p50_ms for r in results["persistent connections"]), 2),
        floor_p50_ms=round(median(r.p50_ms for r in results["new connection per request"]), 2),
        errors=sum(r.errors for runs in results.values() for r in runs),
        workers=WORKERS,
        connections=CONNECTIONS,
        seconds_per_round=duration,
        tool=results["persistent connections"][0].tool,
    )


if __name__ == "__main__":
    main()
