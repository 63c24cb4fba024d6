"""The run command checked as a newcomer would use it: `make run` from a clean copy of this checkout.

    .venv/bin/python scripts/run_check.py [--keep] [--faketime '2026-12-01 20:45:00']

1. Copies HEAD of this checkout into a temporary directory (``git clone``: nothing untracked, no var/, no
   .venv), and there runs the README's run command, ``make run``, with no DATABASE_URL, REDIS_URL or
   CELERY_BROKER_URL, so the embedded PostgreSQL and Redis start; the web, PostgreSQL and Redis ports are
   free ones, so nothing else on the machine is touched.
2. Waits for the home page, then, as a person would: logs in through the login form as the demo organiser
   the command printed (and sets up the authenticator app the admin asks staff for, entering its code),
   opens the admin, a volunteer page as a demo volunteer, and the API schema; checks that a 404 is
   production's plain page (DEBUG off); and waits for this week's digest to arrive in var/mail/.
3. Stops everything it started (gunicorn, the Celery worker and beat, the embedded PostgreSQL and Redis)
   and deletes the copy (``--keep`` keeps it), whatever happened.

Exits non-zero, saying which step failed and showing the end of the run's output, if any step fails.
``--faketime`` starts `make run` under libfaketime at that local wall-clock time (the Debian ``faketime``
package), to see the platform at an awkward hour; the checks themselves run at the real time.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email
import email.policy
import email.utils
import hashlib
import hmac
import html
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
#: First `make run` on a machine: a virtual environment, the installs, migrations, the real 2024 election.
STARTUP_SECONDS = int(os.environ.get("RUN_CHECK_STARTUP_SECONDS", "900"))
MAIL_SECONDS = 120
DEMO_VOLUNTEER = ("volunteer0-0@demo.organiser.invalid", "demo-volunteer-pass")  # volunteers/demo.py


class CheckFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def step(message: str) -> None:
    print(f"run check: {message}", flush=True)


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (30 s, SHA-1, 6 digits), as authenticator apps and allauth compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise CheckFailed("no CSRF token in the form")
    return match.group(1)


class RunCheck:
    def __init__(self, *, keep: bool, faketime: str) -> None:
        self.keep, self.faketime = keep, faketime
        self.workdir = Path(tempfile.mkdtemp(prefix="organiser-run-check-"))
        self.copy = self.workdir / "organiser"
        self.port, self.pg_port, self.redis_port = free_port(), free_port(), free_port()
        self.base = f"http://localhost:{self.port}"
        self.log_path = self.workdir / "make-run.log"
        self.process: subprocess.Popen | None = None

    # --- the copy and the command ----------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "SITE_URL")
            and not key.startswith(("VIRTUAL_ENV", "ORGANISER_TEST", "PYTEST"))
        }
        env.update(PORT=str(self.port), EMBEDDED_PG_PORT=str(self.pg_port), EMBEDDED_REDIS_PORT=str(self.redis_port))
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p)
        return env

    def start(self) -> None:
        step(f"copying HEAD of {ROOT} into {self.copy}")
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(self.copy)], check=True)
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        subprocess.run(["git", "-C", str(self.copy), "checkout", "--quiet", head.stdout.strip()], check=True)
        command = ["make", "run"]
        if self.faketime:
            command = ["faketime", self.faketime, *command]
        ports = f"PostgreSQL {self.pg_port}, Redis {self.redis_port}"
        step(f"{' '.join(command)} on {self.base} ({ports}); log {self.log_path}")
        self.process = subprocess.Popen(
            command,
            cwd=self.copy,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: gunicorn and Celery stop with it
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_home(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_SECONDS:
            if self.process.poll() is not None:
                raise CheckFailed(f"make run exited with {self.process.returncode} before serving the home page")
            try:
                if requests.get(self.base + "/", timeout=5).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(1)
        raise CheckFailed(f"no home page within {STARTUP_SECONDS} s")

    # --- as a person would -----------------------------------------------------------------------------

    def get(self, session: requests.Session, path: str, *, expect: int = 200) -> requests.Response:
        response = session.get(self.base + path, timeout=30)
        if response.status_code != expect:
            raise CheckFailed(f"GET {path} answered {response.status_code}, not {expect}: {response.text[:500]}")
        return response

    def post_form(self, session: requests.Session, path: str, data: dict) -> requests.Response:
        page = self.get(session, path)
        response = session.post(
            page.url, data={"csrfmiddlewaretoken": csrf_token(page.text), **data}, timeout=30, allow_redirects=True
        )
        if response.status_code >= 400:
            raise CheckFailed(f"POST {path} answered {response.status_code}: {response.text[:500]}")
        return response

    def log_in(self, session: requests.Session, email_address: str, password: str) -> requests.Response:
        response = self.post_form(session, "/accounts/login/", {"login": email_address, "password": password})
        if "/accounts/login/" in response.url:
            raise CheckFailed(f"logging in as {email_address} did not get past the login form")
        return response

    def demo_organiser(self) -> tuple[str, str]:
        match = re.search(r"Demo organiser: log in at \S+ as (\S+) with password (\S+)", self.log())
        if not match:
            raise CheckFailed("make run printed no demo organiser login")
        return match.group(1), match.group(2)

    def check_pages(self) -> None:
        organiser_email, password = self.demo_organiser()
        organiser = requests.Session()
        self.log_in(organiser, organiser_email, password)
        step(f"logged in through the login form as {organiser_email}")
        admin = organiser.get(self.base + "/admin/", timeout=30)
        if "/accounts/reauthenticate/" in admin.url:  # setting up an authenticator asks for the password again
            admin = organiser.post(
                admin.url, data={"csrfmiddlewaretoken": csrf_token(admin.text), "password": password}, timeout=30
            )
            step("confirmed the password again, as the authenticator set-up asks")
        if "/2fa/" in admin.url:  # staff set up an authenticator app before the admin: as a person would
            secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', admin.text) or re.search(
                r'value="([A-Z2-7]{32})"', admin.text
            )
            if not secret:
                raise CheckFailed("the authenticator set-up page shows no secret")
            # The code for the server's clock (its Date header), as a phone in sync with it would show: under
            # --faketime the server's clock is not this one.
            server_time = email.utils.parsedate_to_datetime(admin.headers["Date"]).timestamp()
            code = totp_code(html.unescape(secret.group(1)), at=server_time)
            response = organiser.post(
                admin.url, data={"csrfmiddlewaretoken": csrf_token(admin.text), "code": code}, timeout=30
            )
            if response.status_code >= 400 or "/2fa/totp/activate" in response.url:
                raise CheckFailed(f"the authenticator code was refused ({response.status_code} at {response.url})")
            step("set up the authenticator app the admin asks for, with a code from its secret")
            admin = organiser.get(self.base + "/admin/", timeout=30)
        if admin.status_code != 200 or "/admin/" not in admin.url or "Log out" not in admin.text:
            raise CheckFailed(f"the admin did not open for the demo organiser ({admin.status_code} at {admin.url})")
        step("the admin opens for the demo organiser")

        volunteer = requests.Session()
        self.log_in(volunteer, *DEMO_VOLUNTEER)
        self.get(volunteer, "/volunteer/")
        shifts = self.get(volunteer, "/shifts/")
        if not re.search(r'href="/shifts/\d+/"', shifts.text):
            raise CheckFailed("a demo volunteer's shift list shows no shift to sign up for")
        step("a demo volunteer's home and shift list open, with shifts to sign up for")

        schema = self.get(volunteer, "/api/v1/schema/")
        if "openapi" not in schema.text[:200]:
            raise CheckFailed("the API schema is not an OpenAPI document")
        step("the API schema opens")

        missing = requests.get(self.base + "/no-such-page-at-all/", timeout=30)
        if missing.status_code != 404 or "URLconf" in missing.text or "Traceback" in missing.text:
            raise CheckFailed("a 404 shows Django's debug page: make run must serve with DEBUG off")
        step("a 404 is production's page (DEBUG off)")

    def check_digest(self) -> None:
        mail = self.copy / "var" / "mail"
        deadline = time.monotonic() + MAIL_SECONDS
        while time.monotonic() < deadline:
            for path in sorted(mail.glob("*")) if mail.exists() else []:
                for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                    if not chunk.strip():
                        continue
                    message = email.message_from_string(chunk.strip(), policy=email.policy.default)
                    body = message.get_body(preferencelist=("plain",))
                    if body and "weekly digest" in body.get_content() and message["List-Unsubscribe"]:
                        step(f"a digest arrived in var/mail/: {message['To']}: {message['Subject']}")
                        return
            time.sleep(2)
        raise CheckFailed(f"no digest in var/mail/ within {MAIL_SECONDS} s")

    # --- stopping ----------------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group is left (a worker child)
        python = self.copy / ".venv" / "bin" / "python"
        if python.exists():
            subprocess.run(
                [str(python), "-m", "organiser.devservices", "stop"],
                cwd=self.copy,
                env=self.environment(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=120,
            )
        for port in (self.port, self.pg_port, self.redis_port):
            with socket.socket() as probe:
                probe.settimeout(0.5)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    raise CheckFailed(f"something still listens on port {port} after stopping")
        step("stopped gunicorn, Celery and the embedded PostgreSQL and Redis")

    def cleanup(self) -> None:
        if self.keep:
            step(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy and its var/ after the check")
    parser.add_argument("--faketime", default="", help="start make run under faketime at this time")
    args = parser.parse_args()
    check = RunCheck(keep=args.keep, faketime=args.faketime)
    started = time.monotonic()
    failure = None
    try:
        check.start()
        seconds = check.wait_for_home()
        step(f"the home page answered after {seconds:.0f} s")
        check.check_pages()
        check.check_digest()
    except (CheckFailed, subprocess.CalledProcessError, requests.RequestException) as error:
        failure = error
    finally:
        try:
            check.stop()
        except CheckFailed as error:
            failure = failure or error
        if failure is not None:
            print("\n".join(check.log().splitlines()[-60:]), file=sys.stderr)
        check.cleanup()
    if failure is not None:
        print(f"run check FAILED: {failure}", file=sys.stderr)
        return 1
    step(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
