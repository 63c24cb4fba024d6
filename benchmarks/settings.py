"""Settings for benchmark runs: the project's settings as production runs them, over plain HTTP.

DEBUG is forced off (a DEBUG server records every query and measures nothing useful). Only what
would stop a load generator on loopback is relaxed: no HTTPS redirect, no secure-only cookies, no HSTS,
and the hosts are loopback's whatever the environment says (an ALLOWED_HOSTS naming a real domain made
every request to 127.0.0.1 answer 400).
Static files use the plain storage so a run needs no ``collectstatic`` first; with the manifest
storage the only difference per ``{% static %}`` tag is a dictionary lookup.
"""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-" + "b" * 40)
os.environ["DEBUG"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

from organiser.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, "http://127.0.0.1", "http://localhost"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# A benchmark measures the server, not the API rate limit (organiser.api throttles): lifted here.
API_THROTTLE_RATES = {"anon": "10000000/min", "user": "10000000/min"}
