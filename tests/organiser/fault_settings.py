"""Settings of the processes the fault tests start (gunicorn, the Celery worker, the set-up commands): the test
settings, with the failed-login limit back at a value the Redis test can reach, and quick retries of sends."""

from tests.settings import *  # noqa: F403

#: The Redis test counts the failed logins an address gets while Redis is down (at most this many per process).
FAILED_LOGIN_LIMIT = 3
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login_failed": f"{FAILED_LOGIN_LIMIT}/5m/key"}  # noqa: F405
MESSAGING_RETRY_BACKOFF = 1  # a send that ran into the database outage is retried within seconds
CELERY_TASK_DEFAULT_QUEUE = "celery"
