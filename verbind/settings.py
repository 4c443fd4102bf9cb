"""Django settings for Verbind, read from the environment.

Every setting a person may want to change is an environment variable; they are
listed in docs/configuration.md (a test keeps that list complete).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from platformdirs import user_data_dir

from verbind.lib.env import env_bool, env_int, env_list, env_secret, env_str, kept_secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("VERBIND_DATA_DIR") or user_data_dir("verbind", appauthor=False))
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(
        f"VERBIND_DATA_DIR={str(DATA_DIR)!r} cannot be used as the data folder: {exc.strerror}"
    ) from None

SECRET_KEY = env_secret("VERBIND_SECRET_KEY") or kept_secret(DATA_DIR / "secret_key")
DEBUG = env_bool("VERBIND_DEBUG", False)
ALLOWED_HOSTS = env_list("VERBIND_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VERBIND_CSRF_TRUSTED_ORIGINS", [])
# The address people use to reach Verbind, for links in e-mails.
SITE_URL = env_str("VERBIND_SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "verbind.workspaces",
    "verbind.people",
    "verbind.obligations",
    "verbind.followthrough",
    "verbind.messaging",
    "verbind.scheduling",
    "verbind.transfer",
    "verbind.hooks",
    "verbind.desk",
    "verbind.introductions",
    "verbind.cadences",
    "verbind.worker",
    "verbind.demo",
    "verbind.bench",
    "verbind.api",
    "verbind.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "verbind.web.headers.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "verbind.web.edges.RequestEdges",
    "verbind.api.middleware.JsonBodies",
    "verbind.api.idempotency.IdempotentPosts",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "verbind.workspaces.middleware.WorkspaceMiddleware",
    "verbind.api.middleware.JsonApiErrors",
    "verbind.web.refusals.ShowRefusals",
]

ROOT_URLCONF = "verbind.urls"
WSGI_APPLICATION = "verbind.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "verbind.workspaces.context.workspace",
                "verbind.web.context.outbox_count",
                "verbind.web.context.has_desk",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'verbind.sqlite3'}"
try:
    # Health checks: a kept connection the database dropped is replaced before a request uses it.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
except (ValueError, dj_database_url.UnknownSchemeError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address Verbind understands ({exc}); "
        "use sqlite:///path/verbind.sqlite3 or postgres://user@host:5432/name"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open too (one per thread): a new connection reads the whole schema again and
    # prepares every statement anew, which cost a Today page a third of its time.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web and the worker read while one writes; IMMEDIATE takes
        # the write lock up front so two writers queue instead of deadlocking.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Wrong passwords lock an account or an address for a growing while (workspaces.throttle).
AUTHENTICATION_BACKENDS = ["verbind.workspaces.backends.ThrottledBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Caches -----------------------------------------------------------------------
# In each process's memory. The default holds small counts (the link pages' limits);
# rendered fragments (Today's entries) have their own, so they never push a count out.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# --- Time and language ------------------------------------------------------------
USE_TZ = True
TIME_ZONE = env_str("VERBIND_TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
LANGUAGE_CODE = env_str("VERBIND_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files (served by WhiteNoise straight from the package) ----------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail -------------------------------------------------------------------------
EMAIL_HOST = env_str("VERBIND_SMTP_HOST")
EMAIL_PORT = env_int("VERBIND_SMTP_PORT", 587)
EMAIL_HOST_USER = env_str("VERBIND_SMTP_USER")
EMAIL_HOST_PASSWORD = env_secret("VERBIND_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("VERBIND_SMTP_STARTTLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("VERBIND_SMTP_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("VERBIND_FROM_EMAIL", "Verbind <verbind@localhost>")
MESSAGE_ID_DOMAIN = env_str("VERBIND_MESSAGE_ID_DOMAIN", "verbind.local")
# Web processes `verbind serve` starts when --workers is not given (0: one per CPU core).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 0)
# How long a worker's claim on a message holds; after that another worker may send it.
WORKER_LEASE_SECONDS = env_int("VERBIND_WORKER_LEASE_SECONDS", 120)
# SMTP connections a worker sends over at once.
WORKER_SEND_CONNECTIONS = env_int("VERBIND_WORKER_SEND_CONNECTIONS", 8)
# A mail server down for at least this long: owners and managers hear of it once it is back.
SMTP_OUTAGE_NOTICE_MINUTES = env_int("VERBIND_SMTP_OUTAGE_NOTICE_MINUTES", 60)
# /health and `verbind status` call the worker stuck when its last pass is older than this.
HEALTH_MAX_PASS_AGE_SECONDS = env_int("VERBIND_HEALTH_MAX_PASS_AGE_SECONDS", 600)
# The largest contacts or calendar file read from the web, the API or the CLI.
MAX_UPLOAD_MB = env_int("VERBIND_MAX_UPLOAD_MB", 20)
# The private link pages per client address, in each 10 minutes (web/throttle.py).
LINK_VIEWS = env_int("VERBIND_LINK_VIEWS", 120)
LINK_ANSWERS = env_int("VERBIND_LINK_ANSWERS", 20)
# The limits every reader keeps (verbind.lib.limits): items, bytes after decompression, time.
MAX_CONTACTS = env_int("VERBIND_MAX_CONTACTS", 50_000)
MAX_BUSY_TIMES = env_int("VERBIND_MAX_BUSY_TIMES", 100_000)
FETCH_MAX_MB = env_int("VERBIND_FETCH_MAX_MB", 50)
FETCH_SECONDS = env_int("VERBIND_FETCH_SECONDS", 60)
READ_SECONDS = env_int("VERBIND_READ_SECONDS", 30)
# Introductions: a gentle reminder after this many days without an answer, and the
# "did it help?" question this many days after the joint introduction.
INTRODUCTION_REMINDER_DAYS = env_int("VERBIND_INTRODUCTION_REMINDER_DAYS", 7)
INTRODUCTION_FOLLOW_UP_DAYS = env_int("VERBIND_INTRODUCTION_FOLLOW_UP_DAYS", 21)
# Webhooks: how long a receiver may take to answer, and whether one on the server's own
# network (loopback, private addresses; plain http) may be registered.
WEBHOOK_TIMEOUT = env_int("VERBIND_WEBHOOK_TIMEOUT", 10)
WEBHOOK_PRIVATE_ADDRESSES = env_bool("VERBIND_WEBHOOK_PRIVATE_ADDRESSES", False)
# Calendars on the server's own network (loopback, private, link-local addresses).
CALENDAR_PRIVATE_ADDRESSES = env_bool("VERBIND_CALENDAR_PRIVATE_ADDRESSES", False)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# --- Security -------------------------------------------------------------------------
# Behind HTTPS (VERBIND_HTTPS=1) cookies are secure and browsers are told to stay on HTTPS.
HTTPS = env_bool("VERBIND_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("VERBIND_SSL_REDIRECT", True)
# A supervisor on the same machine asks /health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env_int("VERBIND_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Asking browsers to preload HTTPS for the domain is hard to undo: only when the operator asks.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("VERBIND_HSTS_PRELOAD", False)
# Django's deploy check asks for preload; without the operator's word it is left off on purpose.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_PROXY = env_bool("VERBIND_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VERBIND_LOG_LEVEL", "WARNING")},
}
