"""The public home page against the floor: a minimal Django view, same server, same run.

Both go through gunicorn (2 sync workers) and the whole middleware stack; the home page adds
its template (base layout, CSP nonce, URL reversing, the auth context). Measured as anonymous
requests per second, interleaved rounds, median of each.

    python -m benchmarks.home_page
"""

from benchmarks.harness import (
    benchmark_seconds,
    compare,
    median_rps,
    progress,
    report,
    rps,
    serve,
    temporary_database,
)

CONNECTIONS = 4
GOAL_RATIO = 0.8  # issue #13: pages near the floor


def main() -> None:
    duration = benchmark_seconds(5)
    with temporary_database("home_page"), serve("organiser.wsgi:application", workers=2) as base_url:
        results = compare(
            {"minimal view": f"{base_url}/_bench/minimal", "home page": f"{base_url}/"},
            duration=duration,
            connections=CONNECTIONS,
        )
    home, minimal = median_rps(results["home page"]), median_rps(results["minimal view"])
    progress(f"home page {home:.0f} req/s, minimal view {minimal:.0f} req/s")
    report(
        benchmark="home_page",
        metric="throughput",
        values=rps(results["home page"]),
        unit="requests/s",
        floors=rps(results["minimal view"]),
        goal=f"home page serves at least {GOAL_RATIO:.0%} of the minimal Django view's requests/s",
        goal_ratio=GOAL_RATIO,
        p99_ms=round(max(r.p99_ms for r in results["home page"]), 1),
        floor_p99_ms=round(max(r.p99_ms for r in results["minimal view"]), 1),
        errors=sum(r.errors for rs in results.values() for r in rs),
        workers=2,
        connections=CONNECTIONS,
        seconds_per_round=duration,
        tool=results["home page"][0].tool,
    )


if __name__ == "__main__":
    main()
