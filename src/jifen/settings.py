"""Settings for Jifen, driven by environment variables (see README, "配置 / Configuration").

One module for every deployment: SQLite in a data folder by default, PostgreSQL through
DATABASE_URL, production hardening switched on with JIFEN_SECURE=true. Secrets are read
from the environment (or NAME_FILE) by `jifen.core.keys` when first needed, so commands
that need no key (evaluate, help) run without one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import environ

env = environ.Env()
DATA_DIR = Path(os.environ.get("JIFEN_DATA_DIR", Path.cwd() / "data")).resolve()
if (DATA_DIR / ".env").exists():
    # `make demo` writes generated keys here; real deployments set the environment.
    environ.Env.read_env(DATA_DIR / ".env", overwrite=False)

DEBUG = env.bool("JIFEN_DEBUG", default=False)
SECURE = env.bool("JIFEN_SECURE", default=False)
SECRET_KEY = env.str("JIFEN_SECRET_KEY", default="")
if not SECRET_KEY:
    # Sessions need a key even for a quick look; production must set its own, which
    # `check --deploy` and the jifen.E002 check enforce.
    SECRET_KEY = "django-insecure-jifen-development-only-key-change-me-0123456789"
ALLOWED_HOSTS = env.list("JIFEN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("JIFEN_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' Swagger UI files locally (no CDN)
    "jifen.core",
    "jifen.orgs",
    "jifen.members",
    "jifen.ledger",
    "jifen.scoring",
    "jifen.workflow",
    "jifen.schemes",
    "jifen.meetings",
    "jifen.exchange",
    "jifen.reports",
    "jifen.api",
    "jifen.web",
    "jifen.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jifen.core.middleware.RefuseNulInQueryMiddleware",
    "jifen.core.middleware.ChineseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jifen.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jifen.urls"
WSGI_APPLICATION = "jifen.wsgi.application"
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
            ]
        },
    }
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'jifen.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so a read-then-write transaction waits on
    # the busy timeout instead of failing with "database is locked"; WAL lets readers
    # run beside the writer; synchronous=FULL keeps the last commits on power loss.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("JIFEN_SQLITE_TIMEOUT", default=30),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    # Tests use a file, not memory: concurrency tests need real separate connections.
    _db["TEST"] = {
        "NAME": env.str(
            "JIFEN_TEST_SQLITE",
            # One file per test process, so that two suites on one machine never share it.
            default=str(Path(tempfile.gettempdir()) / f"jifen-test-{os.getpid()}.sqlite3"),
        )
    }
else:
    _db.setdefault("CONN_MAX_AGE", env.int("JIFEN_CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jifen.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 30 * 60  # 30 minutes idle (等保: 超时自动退出)
SESSION_SAVE_EVERY_REQUEST = True  # each request renews the idle window
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = env.float("JIFEN_LOCKOUT_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_ENABLED = env.bool("JIFEN_AXES_ENABLED", default=True)

# --- Production hardening ---------------------------------------------------------------
if SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the switch is remembered for a year
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("JIFEN_STATIC_ROOT", default=str(DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env.str("JIFEN_MEDIA_ROOT", default=str(DATA_DIR / "media"))
# E-mail for reminders: only when JIFEN_EMAIL_HOST is set (in-app notifications always).
if env.str("JIFEN_EMAIL_HOST", default=""):
    EMAIL_HOST = env.str("JIFEN_EMAIL_HOST")
    EMAIL_PORT = env.int("JIFEN_EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("JIFEN_EMAIL_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("JIFEN_EMAIL_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("JIFEN_EMAIL_TLS", default=False)
    DEFAULT_FROM_EMAIL = env.str("JIFEN_EMAIL_FROM", default="jifen@localhost")

# Excel/CSV imports larger than this are refused with the limit in the message.
JIFEN_IMPORT_MAX_BYTES = env.int("JIFEN_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("JIFEN_LOG_LEVEL", default="WARNING")},
}
