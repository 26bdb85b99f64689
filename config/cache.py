"""The shared cache, which a Redis outage must not turn into failed pages.

What the project keeps in it (the review queue's counts, each user's permissions)
can always be read from the database again, so an unreachable Redis is a cache
miss: reads give the default, writes are dropped, and the outage is logged.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# An outage is logged at most this often per process.
LOG_EVERY_SECONDS = 60.0


def _or(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """RedisCache's method, answering ``fallback(*args)`` when Redis cannot be reached."""

    def forgiving(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(self: ForgivingRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self.unreachable(error)
                return fallback(*args, **kwargs)

        return call

    return forgiving


def _default(key: Any, default: Any = None, version: int | None = None) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


class ForgivingRedisCache(RedisCache):
    """RedisCache that reads an unreachable Redis as empty and drops writes to it."""

    _logged_at = 0.0

    def unreachable(self, error: RedisError) -> None:
        now = time.monotonic()
        if now - type(self)._logged_at >= LOG_EVERY_SECONDS:
            type(self)._logged_at = now
            logger.warning("The cache (Redis) is unreachable; reading from the database instead: %s", error)

    get = _or(_default)(RedisCache.get)
    get_many = _or(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _or(_false)(RedisCache.has_key)
    add = _or(_false)(RedisCache.add)
    set = _or(_nothing)(RedisCache.set)
    set_many = _or(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _or(_false)(RedisCache.touch)
    delete = _or(_false)(RedisCache.delete)
    delete_many = _or(_nothing)(RedisCache.delete_many)
