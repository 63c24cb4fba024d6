"""The benchmark harness: the report line, the throwaway database, the server and the load run.

No timing thresholds: these check that each piece does what it says, on real PostgreSQL, a real
gunicorn and real HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks import harness

BASE_DIR = Path(__file__).resolve().parents[2]
SERVER_URL = os.environ.get("DATABASE_URL", harness.DEFAULT_DATABASE_URL)


def last_stdout_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_report_prints_one_json_line_with_the_ratio(capsys):
    harness.progress("measuring")
    harness.report(
        benchmark="demo", metric="throughput", value=1234.5678, unit="requests/s", floor=3703.7, goal="g", workers=2
    )
    out = capsys.readouterr()
    assert "measuring" in out.err
    assert len(out.out.strip().splitlines()) == 1
    line = json.loads(out.out)
    assert list(line)[:10] == [
        "benchmark", "metric", "value", "unit", "floor", "ratio", "goal", "met", "exponent", "spread"
    ]  # fmt: skip
    assert line["value"] == 1235.0
    assert line["floor"] == 3704.0
    assert line["ratio"] == 0.333
    assert line["workers"] == 2
    assert line["met"] is None
    assert line["exponent"] is None
    assert line["spread"] is None


@pytest.mark.parametrize(
    ("value", "floor", "lower_is_better", "met"),
    [(60, 100, False, True), (40, 100, False, False), (250, 100, True, True), (350, 100, True, False)],
)
def test_report_says_whether_the_goal_ratio_was_met(capsys, value, floor, lower_is_better, met):
    goal_ratio = 3.0 if lower_is_better else 0.5
    harness.report(
        benchmark="demo",
        metric="m",
        value=value,
        unit="s",
        floor=floor,
        goal="g",
        goal_ratio=goal_ratio,
        lower_is_better=lower_is_better,
    )
    line = last_stdout_line(capsys)
    assert line["goal_ratio"] == goal_ratio
    assert line["met"] is met


def test_report_ratio_is_none_when_the_floor_is_zero(capsys):
    harness.report(benchmark="demo", metric="m", value=5, unit="s", floor=0, goal="g", goal_ratio=1.0)
    line = last_stdout_line(capsys)
    assert line["ratio"] is None
    assert line["met"] is False


def test_report_of_rounds_gives_medians_the_median_ratio_and_its_spread(capsys):
    harness.report(
        benchmark="demo",
        metric="m",
        values=[10, 12, 30, 11, 9],
        floors=[5, 6, 10, 5, 3],
        unit="s",
        goal="g",
        goal_ratio=2.5,
        lower_is_better=True,
        exponent=1.0123,
    )
    line = last_stdout_line(capsys)
    assert line["value"] == 11
    assert line["floor"] == 5
    # Per-round ratios 2, 2, 3, 2.2, 3: the median is 2.2 and they range over 1 / 2.2 of it.
    assert line["ratio"] == 2.2
    assert line["spread"] == 0.455
    assert line["round_ratios"] == [2.0, 2.0, 3.0, 2.2, 3.0]
    assert line["rounds"] == 5
    assert line["met"] is True
    assert line["exponent"] == 1.01


def test_met_joins_the_other_parts_of_a_goal_to_the_ratio(capsys):
    harness.report(benchmark="d", metric="m", value=10, floor=10, unit="x", goal="g", goal_ratio=0.5, met=False)
    assert last_stdout_line(capsys)["met"] is False
    harness.report(benchmark="d", metric="m", value=10, floor=10, unit="x", goal="g", met=True)
    assert last_stdout_line(capsys)["met"] is True


def test_interleave_runs_every_label_each_round_alternating_which_goes_first():
    calls = []
    figures = iter(range(100))

    def run(label):
        def measure():
            calls.append(label)
            return next(figures)

        return measure

    cleared = []
    results = harness.interleave({"value": run("value"), "floor": run("floor")}, rounds=2, before_each=cleared.append)
    # Never fewer than five rounds, whatever is asked.
    assert len(results["value"]) == len(results["floor"]) == 5
    assert calls[:4] == ["value", "floor", "floor", "value"]
    assert cleared == calls
    assert results["value"] == [0, 3, 4, 7, 8]


@pytest.mark.parametrize(("power", "expected"), [(1.0, 1.0), (2.0, 2.0), (0.5, 0.5)])
def test_growth_exponent_is_the_log_log_slope(power, expected):
    sizes = [1_000, 10_000, 100_000]
    assert harness.growth_exponent(sizes, [3e-6 * size**power for size in sizes]) == pytest.approx(expected)
    assert harness.growth_exponent([5, 5], [1, 2]) is None


def test_the_table_shows_every_benchmark_with_met_exponent_and_spread(tmp_path):
    from benchmarks import table

    rows = [
        {"benchmark": "a", "value": 1.5, "floor": 1.0, "unit": "s", "ratio": 1.5, "goal": "within 2x", "met": True,
         "exponent": 1.02, "spread": 0.12},
        {"benchmark": "b", "value": 90, "floor": 100, "unit": "req/s", "ratio": 0.9, "goal": "at least 0.95",
         "met": False, "exponent": None, "spread": None},
    ]  # fmt: skip
    shown = table.table(rows).splitlines()
    assert shown[0].split() == ["benchmark", "value", "floor", "unit", "ratio", "spread", "met", "exponent"]
    assert shown[2].split() == ["a", "1.5", "1.0", "s", "1.5", "12%", "yes", "1.02"]
    assert shown[3].split() == ["b", "90", "100", "req/s", "0.9", "-", "NO", "-"]
    assert "b: at least 0.95" in shown


def test_benchmark_settings_answer_loopback_whatever_the_environment_says():
    result = run_python(
        """
        from django.conf import settings
        import django
        django.setup()
        print(settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT, settings.ROOT_URLCONF)
        """,
        ALLOWED_HOSTS="organiser.example.org",
        SECURE_SSL_REDIRECT="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['127.0.0.1',", "'localhost']", "False", "benchmarks.urls"]


def test_temporary_database_uses_the_benchmark_settings_and_var_is_made(tmp_path):
    result = run_python(
        """
        import django
        from django.conf import settings
        from benchmarks import harness
        with harness.temporary_database("harness settings", migrate=False):
            print(settings.SETTINGS_MODULE, harness.var_dir().is_dir())
        """,
        DJANGO_SETTINGS_MODULE="organiser.settings",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["benchmarks.settings", "True"]


def run_python(script: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": SERVER_URL, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_temporary_database_is_created_migrated_used_by_django_and_dropped():
    result = run_python(
        """
        import json
        import os
        from benchmarks.harness import temporary_database, database_exists
        from django.db import connection
        from django.db.migrations.recorder import MigrationRecorder

        with temporary_database("harness test") as name:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database()")
                current = cursor.fetchone()[0]
            print(json.dumps({
                "name": name,
                "current": current,
                "migrations": MigrationRecorder.Migration.objects.count(),
                "existed": database_exists(name, os.environ["DATABASE_URL"]),
            }))
        """
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["name"].startswith("bench_harness_test_")
    assert seen["current"] == seen["name"]
    assert seen["migrations"] > 0
    assert seen["existed"]
    assert not harness.database_exists(seen["name"], SERVER_URL)


def test_temporary_database_repoints_django_when_it_was_set_up_already():
    result = run_python(
        """
        import django
        django.setup()
        from django.db import connection
        from benchmarks.harness import temporary_database

        with temporary_database("harness early setup", migrate=False) as name:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database()")
                print(name, cursor.fetchone()[0])
        print(connection.settings_dict["NAME"])
        """
    )
    assert result.returncode == 0, result.stderr
    inside, after = result.stdout.strip().splitlines()[-2:]
    name, current = inside.split()
    assert current == name
    assert after != name


def test_temporary_database_is_dropped_when_the_block_fails():
    result = run_python(
        """
        from benchmarks.harness import temporary_database

        with temporary_database("harness failure", migrate=False) as name:
            print(name, flush=True)
            raise RuntimeError("benchmark failed")
        """
    )
    assert result.returncode != 0
    assert "benchmark failed" in result.stderr
    name = result.stdout.strip().splitlines()[-1]
    assert name.startswith("bench_harness_failure_")
    assert not harness.database_exists(name, SERVER_URL)


@pytest.fixture
def tiny_server():
    """A stdlib HTTP server on loopback: 200 on /, 500 on /broken."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = b"broken" if self.path == "/broken" else b"ok"
            self.send_response(500 if self.path == "/broken" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


TOOLS = ["python", pytest.param("wrk", marks=pytest.mark.skipif(not shutil.which("wrk"), reason="wrk not installed"))]


@pytest.mark.parametrize("tool", TOOLS)
def test_load_counts_requests_latencies_and_errors(tiny_server, monkeypatch, tool):
    monkeypatch.setenv("BENCHMARK_LOAD_TOOL", tool)
    result = harness.load(f"{tiny_server}/", duration=1, connections=2)
    assert result.tool == tool
    assert result.requests > 0
    assert result.errors == 0
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms

    failing = harness.load(f"{tiny_server}/broken", duration=1, connections=2, expect_status=500)
    assert failing.errors > 0


def test_load_refuses_anything_but_loopback_and_an_unexpected_status(tiny_server):
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        harness.load("http://example.org/", duration=1)
    with pytest.raises(RuntimeError, match="answered 500"):
        harness.load(f"{tiny_server}/broken", duration=1)


def test_serve_runs_gunicorn_with_the_floor_views_and_stops_it(monkeypatch):
    # An environment naming the project's own settings and a real domain: the floor views still answer.
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "organiser.settings")
    monkeypatch.setenv("ALLOWED_HOSTS", "organiser.example.org")
    monkeypatch.setenv("BENCHMARK_LOAD_TOOL", "python")  # no apt-get from a test
    with harness.serve(ready_path="/_bench/minimal") as url:
        assert url.startswith("http://127.0.0.1:")
        assert harness._get(f"{url}/_bench/minimal") == 200
        result = harness.load(f"{url}/_bench/minimal", duration=1, connections=2)
        assert result.requests > 0
        assert result.errors == 0
    with pytest.raises(OSError):
        harness._get(f"{url}/_bench/minimal", timeout=1)
