"""What every benchmark shares: the runner that interleaves rounds of value and floor, the growth exponent,
a throwaway database, a gunicorn server, a load run and the report line.

A benchmark module looks like this (``python -m benchmarks.<name>``)::

    from benchmarks.harness import interleave, report, serve, temporary_database, timed

    with temporary_database("my_bench"):
        ...  # set up data with the ORM
        rounds = interleave({"value": lambda: timed(work), "floor": lambda: timed(bare_work)})
    report(benchmark="my_bench", metric="wall time", values=rounds["value"], unit="s",
           floors=rounds["floor"], goal="within 3x the floor", goal_ratio=3, lower_is_better=True)

:func:`interleave` runs at least :data:`ROUNDS` (5) rounds, value and floor in turn (the order alternating each
round), so whatever else the machine does falls on both alike; :func:`report` takes the per-round figures and
reports their medians, the median ratio and its *spread* (the per-round ratios' range over their median). Where
the work has a size, :func:`growth_exponent` fits time against size on a log-log scale (1.0: linear).

A benchmark runs the same from any environment: :func:`temporary_database` and :func:`serve` use
``benchmarks.settings`` (its own hosts, no HTTPS redirect) whatever DJANGO_SETTINGS_MODULE says, :func:`var_dir`
makes the folder logs go to, and :func:`ensure_wrk` installs wrk as ``make benchmarks`` does (or says how).

Progress goes to stderr; the report is the only thing on stdout and is the last line printed, so
``scripts/benchmarks.sh`` can collect it. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/organiser"
DEFAULT_SETTINGS_MODULE = "benchmarks.settings"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
# The Python load generator stops at this many requests even if the time is not up.
MAX_REQUESTS = 500_000
#: Rounds of value and floor each benchmark interleaves: BENCHMARK_ROUNDS, never fewer than five.
MIN_ROUNDS = 5
ROUNDS = max(MIN_ROUNDS, int(os.environ.get("BENCHMARK_ROUNDS", MIN_ROUNDS)))
GUNICORN_CONF = BASE_DIR / "gunicorn.conf.py"


def progress(message: str) -> None:
    """A progress line on stderr (stdout carries only the report line)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def benchmark_seconds(default: float) -> float:
    """Seconds per measured load run: ``BENCHMARK_SECONDS`` from the environment, else ``default``."""
    return float(os.environ.get("BENCHMARK_SECONDS", default))


def var_dir() -> Path:
    """The project's ``var/`` folder (logs, results), made if it is missing."""
    folder = BASE_DIR / "var"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ensure_wrk() -> str:
    """The path of ``wrk``, installed with apt-get (as root, as ``make benchmarks`` does) when it is missing.

    Raises SystemExit with what to do when it cannot be installed here.
    """
    if found := shutil.which("wrk"):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        progress("installing wrk (load generator) with apt-get")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, **quiet)
        if found := shutil.which("wrk"):
            return found
    raise SystemExit(
        "this benchmark needs wrk, the HTTP load generator, and it is not installed: "
        "`sudo apt-get install wrk` (make benchmarks installs it when run as root)"
    )


# --- rounds, medians, spread and growth ---------------------------------------------------------------------


def timed(work, *args, **kwargs) -> float:
    """Seconds ``work(*args, **kwargs)`` takes on the wall clock."""
    started = time.perf_counter()
    work(*args, **kwargs)
    return time.perf_counter() - started


def interleave(runs: Mapping[str, object], *, rounds: int | None = None, before_each=None) -> dict[str, list]:
    """Run each of ``runs`` (label -> callable returning a figure) once per round, for ``rounds`` rounds (at
    least :data:`MIN_ROUNDS`; default :data:`ROUNDS`), in turn: the order reverses every other round (A B, B A,
    ...) so neither always goes first. ``before_each(label)``, if given, runs untimed before each call (clearing
    tables, say). Returns each label's figures in round order."""
    count = max(MIN_ROUNDS, rounds or ROUNDS)
    labels = list(runs)
    results: dict[str, list] = {label: [] for label in labels}
    for round_number in range(1, count + 1):
        order = labels if round_number % 2 else labels[::-1]
        for label in order:
            if before_each is not None:
                before_each(label)
            figure = runs[label]()
            results[label].append(figure)
            shown = f"{figure:.4g}" if isinstance(figure, int | float) else str(figure)
            progress(f"round {round_number}/{count} {label}: {shown}")
    return results


def median(figures) -> float:
    ordered = sorted(figures)
    if not ordered:
        raise ValueError("no figures")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def spread(figures) -> float | None:
    """How far the figures range, relative to their median: (max - min) / median (None for a zero median)."""
    figures = list(figures)
    middle = median(figures)
    return (max(figures) - min(figures)) / middle if middle else None


def growth_exponent(sizes, seconds) -> float | None:
    """The slope of log(seconds) against log(size), least squares: 1.0 grows linearly, 2.0 quadratically.

    Needs at least two different sizes (else None)."""
    points = [(math.log(size), math.log(time_)) for size, time_ in zip(sizes, seconds, strict=True) if time_ > 0]
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in points)
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    return numerator / denominator


# --- the report line ------------------------------------------------------------------------------


def _significant(number: float, digits: int = 3) -> float:
    if number == 0 or not math.isfinite(number):
        return number
    return round(number, digits - 1 - math.floor(math.log10(abs(number))))


def report(
    *,
    benchmark: str,
    metric: str,
    unit: str,
    goal: str,
    value: float | None = None,
    floor: float | None = None,
    values: list[float] | None = None,
    floors: list[float] | None = None,
    goal_ratio: float | None = None,
    lower_is_better: bool = False,
    met: bool | None = None,
    exponent: float | None = None,
    **extra: object,
) -> dict:
    """Print the benchmark's result as one JSON line on stdout, and return it.

    The line starts ``{benchmark, metric, value, unit, floor, ratio, goal, met, exponent, spread}``; anything in
    ``extra`` follows as it is. Give the per-round figures as ``values`` and ``floors`` (from :func:`interleave`):
    ``value`` and ``floor`` are then their medians, ``ratio`` the median of the per-round ratios and ``spread``
    those ratios' range over their median. A single ``value`` and ``floor`` work too (no spread). ``floor`` is
    the same work done the bare way, measured in the same run; ``ratio`` is value / floor to three significant
    figures (None when the floor is zero). ``goal`` says in words what is wanted; give ``goal_ratio`` and ``met``
    says whether the ratio meets it (``ratio >= goal_ratio``, or ``<=`` when ``lower_is_better``, e.g. for
    seconds); pass ``met`` for the other parts of a goal (a latency, no errors), and-ed with the ratio's, or
    alone where the goal is not a ratio. ``exponent`` is the growth exponent
    (:func:`growth_exponent`), where the work has a size.
    """
    round_ratios = None
    if values is not None:
        value = median(values)
        if floors is not None:
            floor = median(floors)
            if len(floors) == len(values) and all(floors):
                round_ratios = [v / f for v, f in zip(values, floors, strict=True)]
    if value is None or floor is None:
        raise TypeError("report needs value and floor, or values and floors")
    exact_ratio = median(round_ratios) if round_ratios else (value / floor if floor else None)
    if goal_ratio is not None:
        ratio_met = exact_ratio is not None and (
            exact_ratio <= goal_ratio if lower_is_better else exact_ratio >= goal_ratio
        )
        met = ratio_met and (met is None or met)
    line = {
        "benchmark": benchmark,
        "metric": metric,
        "value": _significant(value, 4),
        "unit": unit,
        "floor": _significant(floor, 4),
        "ratio": _significant(exact_ratio) if exact_ratio is not None else None,
        "goal": goal,
        "met": met,
        "exponent": _significant(exponent) if exponent is not None else None,
        "spread": _significant(spread(round_ratios)) if round_ratios and spread(round_ratios) is not None else None,
    }
    if goal_ratio is not None:
        line["goal_ratio"] = goal_ratio
    if round_ratios:
        line["rounds"] = len(round_ratios)
        line["round_ratios"] = [_significant(ratio) for ratio in round_ratios]
    line |= extra
    sys.stderr.flush()
    print(json.dumps(line), flush=True)
    return line


# --- a database of its own ------------------------------------------------------------------------


def _maintenance_url(database_url: str) -> str:
    """The server's ``postgres`` database, where databases are created and dropped."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"benchmarks need PostgreSQL, not {parts.scheme}://")
    return urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


def _with_database(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_services() -> None:
    """PostgreSQL and Redis as ``make benchmarks`` has them: what DATABASE_URL and REDIS_URL name, else the
    embedded ones (``organiser.devservices``), started if need be and named in this process's environment."""
    from organiser import devservices

    os.environ.update(devservices.environment())


def settings_module() -> str:
    """``benchmarks.settings`` (its own hosts, the floor views), whatever DJANGO_SETTINGS_MODULE says; a
    benchmark's own settings module (under ``benchmarks.``) is kept."""
    named = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    return named if named.startswith("benchmarks.") else DEFAULT_SETTINGS_MODULE


def create_database(name: str, database_url: str) -> None:
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str, database_url: str) -> None:
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        # FORCE ends sessions a killed server may have left behind (PostgreSQL 13+).
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_exists(name: str, database_url: str) -> bool:
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@contextlib.contextmanager
def temporary_database(name_prefix: str, *, migrate: bool = True) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this run; Django points at it; dropped afterwards.

    The database is created on the server DATABASE_URL names (default: the local one), and
    DATABASE_URL is set to it in this process's environment, so servers started by :func:`serve`
    inside the block use it too. Django is set up here with DJANGO_SETTINGS_MODULE, by default
    ``benchmarks.settings``. Yields the database name. The database is dropped even on error.
    """
    import django
    from django.apps import apps
    from django.db import connections

    ensure_services()
    server_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    prefix = re.sub(r"[^a-z0-9_]", "_", name_prefix.lower())[:40]
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    database_url = _with_database(server_url, name)

    create_database(name, server_url)
    progress(f"created database {name}")
    previous_url = os.environ.get("DATABASE_URL")
    previous_name = None
    try:
        os.environ["DATABASE_URL"] = database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module()
        if apps.ready:
            # Django was set up earlier in this process: point its connection at the new database.
            connections["default"].close()
            previous_name = connections["default"].settings_dict["NAME"]
            connections["default"].settings_dict["NAME"] = name
        else:
            django.setup()
        if migrate:
            from django.core.management import call_command

            progress("migrating")
            call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        connections.close_all()
        if previous_name is not None:
            connections["default"].settings_dict["NAME"] = previous_name
        if previous_url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous_url
        drop_database(name, server_url)
        progress(f"dropped database {name}")


# --- a real server --------------------------------------------------------------------------------


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"benchmarks only send traffic to 127.0.0.1, not {host}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, *, headers: Mapping[str, str] | None = None, timeout: float = 5.0) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(
            "GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), headers=dict(headers or {})
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextlib.contextmanager
def serve(
    wsgi_app_path: str = "organiser.wsgi:application",
    *,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/",
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run gunicorn with the project's gunicorn.conf.py on a free loopback port; yield its base URL; stop it after.

    ``workers`` is the benchmark's worker count unless GUNICORN_WORKERS says otherwise.

    The server inherits this process's environment (so DATABASE_URL set by
    :func:`temporary_database`), with DJANGO_SETTINGS_MODULE defaulting to benchmarks.settings,
    plus ``env``. It is ready when ``ready_path`` answers with any status below 500.
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module(), **(env or {})}
    # The project's gunicorn.conf.py, as make run and production use it; the bind, the workers and the log level
    # are the benchmark's (GUNICORN_WORKER_CLASS and GUNICORN_THREADS in the environment measure another choice).
    server_env.setdefault("GUNICORN_WORKERS", str(workers))
    server_env.pop("GUNICORN_ACCESS_LOG", None)
    server_env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONF),
        wsgi_app_path,
        "--log-level",
        "warning",
        "--chdir",
        str(BASE_DIR),
    ]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, env=server_env, stdout=log, stderr=subprocess.STDOUT, cwd=BASE_DIR)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read()[-4000:]}")
                with contextlib.suppress(OSError):
                    if _get(base_url + ready_path) < 500:
                        break
                if time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{log.read()[-4000:]}")
                time.sleep(0.2)
            kind = server_env.get("GUNICORN_WORKER_CLASS", "sync")
            threads = server_env.get("GUNICORN_THREADS", "1")
            progress(
                f"gunicorn ({server_env['GUNICORN_WORKERS']} {kind} workers, {threads} thread(s) each, "
                f"{wsgi_app_path}, gunicorn.conf.py) serving {base_url}"
            )
            yield base_url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# --- load -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    tool: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.rps:.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, {self.errors} errors "
            f"({self.tool})"
        )


# wrk calls done() once at the end; latency percentiles are in microseconds.
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _header_lines(headers: Mapping[str, str] | None, cookies: Mapping[str, str] | None) -> dict[str, str]:
    lines = dict(headers or {})
    if cookies:
        lines["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return lines


def _load_wrk(wrk: str, url: str, duration: float, connections: int, headers: dict[str, str]) -> LoadResult:
    threads = max(1, min(connections, os.cpu_count() or 1))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT_LUA)
        script.flush()
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
        command += ["-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True, timeout=duration + 30
        ).stdout
    match = re.search(r"^WRK_JSON (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    return LoadResult(
        requests=data["requests"],
        seconds=seconds,
        rps=data["requests"] / seconds,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"],
        tool="wrk",
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _load_python(url: str, duration: float, connections: int, headers: dict[str, str]) -> LoadResult:
    """Threads with http.client, keeping the connection alive when the server allows it."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    per_thread_cap = MAX_REQUESTS // connections
    start = time.perf_counter()
    deadline = start + duration

    def worker(index: int) -> None:
        conn = None
        while time.perf_counter() < deadline and len(latencies[index]) < per_thread_cap:
            began = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[index] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            latencies[index].append(time.perf_counter() - began)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    seconds = time.perf_counter() - start
    ordered = sorted(latency for per_thread in latencies for latency in per_thread)
    return LoadResult(
        requests=len(ordered),
        seconds=seconds,
        rps=len(ordered) / seconds,
        p50_ms=_percentile(ordered, 0.50) * 1000,
        p95_ms=_percentile(ordered, 0.95) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        errors=sum(errors),
        tool="python",
    )


_wrk_missing_said = False


def load_tool() -> str:
    """``wrk`` unless BENCHMARK_LOAD_TOOL is ``python``: installed when missing (:func:`ensure_wrk`); where it
    cannot be, the Python load generator, said once on stderr."""
    global _wrk_missing_said
    if os.environ.get("BENCHMARK_LOAD_TOOL", "wrk") == "python":
        return "python"
    try:
        ensure_wrk()
    except SystemExit as missing:
        if not _wrk_missing_said:
            progress(f"{missing}; using the Python load generator instead (figures not comparable with wrk's)")
            _wrk_missing_said = True
        return "python"
    return "wrk"


def load(
    url: str,
    *,
    duration: float,
    connections: int = 4,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
    expect_status: int = 200,
) -> LoadResult:
    """GET ``url`` from ``connections`` concurrent clients for ``duration`` seconds (loopback only).

    One request first must answer ``expect_status`` (so a redirect to HTTPS or a login page is
    not measured by mistake). Uses wrk (latency percentiles from its ``done`` hook) when
    installed, else a Python load generator bounded by time and by MAX_REQUESTS. Responses with
    status 400 or above count as errors in both.
    """
    _require_loopback(url)
    lines = _header_lines(headers, cookies)
    if (status := _get(url, headers=lines)) != expect_status:
        raise RuntimeError(
            f"{url} answered {status}, not {expect_status} (is DJANGO_SETTINGS_MODULE benchmarks.settings?)"
        )
    if load_tool() == "wrk":
        return _load_wrk(shutil.which("wrk") or "wrk", url, duration, connections, lines)
    return _load_python(url, duration, connections, lines)


def compare(
    urls: Mapping[str, str],
    *,
    rounds: int | None = None,
    duration: float,
    connections: int = 4,
    warmup: float = 1.0,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
) -> dict[str, list[LoadResult]]:
    """Load each of ``urls`` (label → URL) in turn after a warm-up, in rounds interleaved by :func:`interleave`
    (at least five; default :data:`ROUNDS`).

    Interleaving spreads whatever else the machine does over every label alike. ``headers`` and
    ``cookies`` (e.g. a session cookie) go with every request. Returns the results per label, in
    round order; see :func:`rps` and :func:`median_rps`.
    """
    sent = {"headers": headers, "cookies": cookies}
    for label, url in urls.items():
        load(url, duration=warmup, connections=connections, **sent)
        progress(f"warmed up {label}")
    return interleave(
        {
            label: (lambda url=url: load(url, duration=duration, connections=connections, **sent))
            for label, url in urls.items()
        },
        rounds=rounds,
    )


def rps(results: list[LoadResult]) -> list[float]:
    """Requests per second of each round."""
    return [result.rps for result in results]


def median_rps(results: list[LoadResult]) -> float:
    return median(rps(results))
