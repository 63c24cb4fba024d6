"""Security settings: production passes `check --deploy`, and every page carries the headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "EMAIL_URL", "EMAIL_BACKEND", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="organiser.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="organiser.example.org",
        SITE_URL="https://organiser.example.org",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_settings_pass_check_deploy():
    result = run_deploy_check(EMAIL_URL="smtp+tls://user:secret@smtp.example.org:587")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_production_would_not_send_mail():
    result = run_deploy_check()  # no EMAIL_URL: the file backend is development-only
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_pages_carry_csp_with_a_nonce_and_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'nonce-" in directives["script-src"]
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    nonce = directives["script-src"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()  # the page's scripts carry it
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_check_deploy_fails_without_a_secret_key():
    result = run_deploy_check(SECRET_KEY="", EMAIL_URL="smtp+tls://user:secret@smtp.example.org:587")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr + result.stdout
