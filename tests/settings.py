"""Test settings: the project's settings with a fast hasher and a deterministic scorer."""

from __future__ import annotations

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests never download a model: the fake scorer returns fixed scores.
ALIGNMENT_SCORER = "lexical"
# Tasks are not run eagerly in tests: tests call the work directly, check the
# task wiring by calling task functions, and the integration tests run a worker.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://localhost/"
# Each test run keeps its cache in its own process, whatever REDIS_URL says.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Test runs load no model up front; the tests of the warm-up turn it on.
ALIGNMENT_WARMUP = False
MEDIA_ROOT = BASE_DIR / "tests" / "artifacts" / "media"  # noqa: F405
# Static files come from the finders; no collected folder in tests.
STATIC_ROOT = None
