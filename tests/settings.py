"""Settings for the test suite: the project's settings with test-only relaxations.

Everything real stays real (PostgreSQL, Redis, Celery's configuration); only what would get
in the way of a test client is relaxed: no HTTPS redirect, a fast password hasher.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "t" * 50)
os.environ.setdefault("LOG_FORMAT", "text")

from organiser.settings import *  # noqa: F403
from tests import timetravel

# A process started by a test (a Celery worker, a server) starts at the instant the test is at.
timetravel.start_from_environment()

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"organiser-test-{os.getpid()}"  # noqa: F405
# Public results pages are kept in Redis by their results version (campaigns.night.caching), which outlives each
# test's rolled-back rows: tests keep none unless they say so (the night's tests and benchmark do).
NIGHT_PAGE_TTL = 0
# allauth's rate limits stay on (they are tested); this keeps unrelated tests from tripping them.
ACCOUNT_RATE_LIMITS = dict.fromkeys(ACCOUNT_RATE_LIMITS, "1000/m/ip")  # noqa: F405
# A test database per run, so that runs side by side (several developers, CI) never collide.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", f"test_organiser_{os.getpid()}")}  # noqa: F405
# No collectstatic before tests: whitenoise serves nothing from STATIC_ROOT, the finders serve all.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# `manage.py demo_organiser` run by a test writes its password here, never over the developer's var/ file.
DEMO_ORGANISER_FILE = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"organiser-test-{os.getpid()}-demo-organiser.txt")  # noqa: S108
# The API's rate limits stay on (tests/organiser/test_identity_low.py sets them low); these keep the fuzzers clear.
API_THROTTLE_RATES = {"anon": "100000/min", "user": "100000/min"}
