"""Settings for Organiser, all read from the environment (see .env.example).

One module serves development, tests and production: what differs is the environment.
DEBUG defaults to False, and every security setting defaults to its production value
when DEBUG is off, so `manage.py check --deploy` passes with only SECRET_KEY, ALLOWED_HOSTS
and SITE_URL set. The run command (`make run`) supplies embedded PostgreSQL and Redis when
DATABASE_URL and REDIS_URL are not set; nothing here falls back to SQLite.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Without SECRET_KEY in production Django refuses anything that signs (sessions, tokens) and
# `check --deploy` fails; commands that sign nothing (makemigrations, check) still run.
SECRET_KEY = env("SECRET_KEY", default="" if not DEBUG else "insecure-development-key-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
CAMPAIGN_NAME = env("CAMPAIGN_NAME", default="Organiser")
# Where `manage.py demo_organiser` keeps the demo organiser's generated password (make run only).
DEMO_ORGANISER_FILE = env("DEMO_ORGANISER_FILE", default=str(VAR_DIR / "demo-organiser.txt"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "anymail",
    "volunteers",
    "accounts",
    "campaigns",
    "canvassing",
    "messaging",
    "conversations",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "organiser.inputs.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organiser.i18n.LanguageMiddleware",  # after auth: a signed-in person's profile language comes first
    "allauth.account.middleware.AccountMiddleware",
    "organiser.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "organiser.middleware.StaffMustUseMFAMiddleware",
    "organiser.middleware.NoStoreRegisterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "organiser.urls"
WSGI_APPLICATION = "organiser.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "organiser.i18n.switcher",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organiser.context_processors.campaign",
                "organiser.context_processors.nav",
            ],
        },
    },
]

# --- Database: PostgreSQL only -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/organiser")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Organiser runs on PostgreSQL only: DATABASE_URL must be postgres://…")
if env.bool("DATABASE_POOL", default=False):
    # psycopg's connection pool inside each process (use with a sized max_size per process).
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env.int("DATABASE_POOL_SIZE", default=4)}}
else:
    # Persistent connections: a new connection per request costs about ten times the throughput.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails a request in seconds (a plain 503 page: organiser.views.server_error),
# rather than holding a web worker until the operating system gives up on the connection.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
)
if env.bool("DATABASE_BEHIND_PGBOUNCER", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True  # transaction pooling
if replica_url := env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(replica_url)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (sessions' rate limits, allauth) and Celery broker --------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")


def _redis_database(url: str, number: int) -> str:
    """The same Redis server, another database: the cache must never share the broker's, since
    clearing a cache (``cache.clear()``) empties its whole database, queued tasks included."""
    base, _, last = url.rstrip("/").rpartition("/")
    return f"{base}/{number}" if last.isdigit() else f"{url.rstrip('/')}/{number}"


# Redis, degrading to a cache in each process while Redis is unreachable (organiser.cache): pages keep serving
# and rate limits stay enforced, per process, through a Redis restart.
CACHES = {
    "default": {
        "BACKEND": "organiser.cache.ResilientRedisCache",
        "LOCATION": env("CACHE_URL", default=_redis_database(REDIS_URL, 1)),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="organiser"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At-least-once delivery; tasks are written to be idempotent (outbox rows, upserts).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Accounts: custom user, allauth with email login, MFA ---------------------------------------
AUTH_USER_MODEL = "volunteers.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"  # each role lands on its own home (organiser.views.start)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Confirming the address in the browser that signed up logs the volunteer in and goes on to their profile.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{CAMPAIGN_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# How many proxies of ours add to X-Forwarded-For (1 behind the load balancer docs/deploy.md describes): login
# rate limits then key each person to their own address, not the proxy's. 0 trusts no header.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Links in account emails (password reset, address confirmation) start with SITE_URL, never the request's Host.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CAMPAIGN_NAME


# --- Email ------------------------------------------------------------------------------------
# Django 6.1 mailers. EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…) selects SMTP;
# EMAIL_BACKEND may name an anymail backend (e.g. anymail.backends.postmark.EmailBackend) with
# ANYMAIL_* settings. With neither, mail is written to var/mail/, where `make run` says to read it.
def _mailer(email_url: str, backend: str) -> dict:
    if backend:
        return {"BACKEND": backend}
    if email_url:
        config = env.email_url_config(email_url)
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": config["EMAIL_HOST"],
                "port": config["EMAIL_PORT"],
                "username": config.get("EMAIL_HOST_USER", ""),
                "password": config.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": bool(config.get("EMAIL_USE_TLS")),
                "use_ssl": bool(config.get("EMAIL_USE_SSL")),
                "timeout": env.int("EMAIL_TIMEOUT", default=10),
            },
        }
    return {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))},
    }


MAILERS = {"default": _mailer(env("EMAIL_URL", default=""), env("EMAIL_BACKEND", default=""))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{CAMPAIGN_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in env.ENVIRON.items() if key.startswith("ANYMAIL_")}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organiser.api.ScopePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "organiser.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["organiser.api.NoOracleFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "organiser.api_schema.ScopedAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["organiser.api.ScopedAnonThrottle", "organiser.api.ScopedUserThrottle"],
    # Behind the load balancer docs/deploy.md describes, the client is the address its proxies add.
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0) or None,
    "EXCEPTION_HANDLER": "organiser.errors.api_exception_handler",
}
API_THROTTLE_RATES = {
    "anon": env("API_THROTTLE_ANON", default="120/min"),
    "user": env("API_THROTTLE_USER", default="600/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Organiser API",
    "DESCRIPTION": "Seats, results, endorsements, volunteers and shifts for a UK election campaign.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {"CanvassOutcomeEnum": "canvassing.models.Outcome"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "organiser.api_schema.document_error_responses",
    ],
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"  # the source language, and the fallback of every other
# The languages served (organiser.i18n says who gets which). Adding one is adding its catalogue in locale/ and a
# line here: tests/organiser/test_i18n_catalogues.py fails for a language listed here whose catalogue has an
# untranslated or fuzzy message, a placeholder differing from the source's, or the wrong number of plural forms.
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Welsh"),
    ("ur", "Urdu"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("pl", "Polish"),
]
LANGUAGES_BIDI = ["ar", "ur", "he", "fa", "ckb", "ug"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's cookie (anonymous visitors; signed-in people keep theirs on the profile): a year, never read by
# script, sent only over https in production like the session cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"  # the campaign's zone, written once: organiser.clock, Celery and SQL take it from here
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
# The largest register file an organiser may upload (the form says so, and refuses a bigger one).
REGISTER_UPLOAD_MAX_MB = env.int("REGISTER_UPLOAD_MAX_MB", default=40)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=True) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: structured (JSON lines) unless LOG_FORMAT=text ------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}

# --- Integrations -------------------------------------------------------------------------------
# Postcode → constituency lookup (postcodes.io-compatible JSON); empty disables the lookup.
POSTCODE_LOOKUP_URL = env("POSTCODE_LOOKUP_URL", default="https://api.postcodes.io/postcodes/{postcode}")
POSTCODE_LOOKUP_TIMEOUT = env.float("POSTCODE_LOOKUP_TIMEOUT", default=3.0)
RESULTS_FEED_URL = env("RESULTS_FEED_URL", default="") or None
# SMS through a Twilio-style HTTP provider; with no URL, texts are written to var/sms.log.
# Messaging's tuning (MESSAGING_RETRY_BACKOFF, MESSAGING_MAX_RETRIES, MESSAGING_DIGEST_BATCH,
# MESSAGING_SEND_CHUNK, MESSAGING_UNSUBSCRIBE_MAILTO) is read from the environment: messaging/conf.py.
SMS_PROVIDER_URL = env("SMS_PROVIDER_URL", default="")
SMS_API_KEY = env("SMS_API_KEY", default="")
SMS_FROM = env("SMS_FROM", default="")
