"""Read-through Redis cache for catalogue lookups.

Keys live under ``{prefix}cat:v{version}:…`` where ``version`` is a counter in
Redis; the seeder bumps it (:meth:`Cache.invalidate`), which retires every
cached entry at once without scanning keys. Every entry has an explicit TTL.

When Redis is down the cache answers "miss" and callers go to MongoDB. After a
failure Redis is skipped for ``retry_after`` seconds so a dead Redis costs one
connect timeout per window, not one per lookup.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from bot.config import StoreSettings, load_store_settings

log = logging.getLogger(__name__)

_MISS = object()


class Cache:
    """A JSON read-through cache in front of MongoDB with an outage breaker."""

    def __init__(
        self,
        url: str,
        prefix: str,
        ttl_seconds: int,
        retry_after: float = 5.0,
        timeout: float = 0.25,
    ) -> None:
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.retry_after = retry_after
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            health_check_interval=30,
        )
        self._down_until = 0.0
        self._version: tuple[int, float] | None = None  # (version, read at)
        self._lock = threading.Lock()

    @property
    def client(self) -> redis.Redis:
        """The Redis connection (shared with the verification guard)."""
        return self._client

    # -- availability -----------------------------------------------------
    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.retry_after
        self._version = None
        log.warning("redis unavailable (%s); serving from MongoDB", type(exc).__name__)

    def ping(self) -> bool:
        """True when Redis answers (ignores the breaker)."""
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    # -- versioned namespace ---------------------------------------------
    def _namespace(self) -> str:
        now = time.monotonic()
        cached = self._version
        # Re-read the version at most once a second so invalidation by the
        # seeder (another process) is seen quickly without a round trip per get.
        if cached is None or now - cached[1] > 1.0:
            raw = self._client.get(self.prefix + "cat:version")
            cached = (int(raw or 0), now)
            self._version = cached
        return f"{self.prefix}cat:v{cached[0]}:"

    def invalidate(self) -> bool:
        """Retire every cached catalogue entry; False if Redis is unreachable."""
        try:
            self._client.incr(self.prefix + "cat:version")
            self._version = None
            return True
        except redis.RedisError as exc:
            self._mark_down(exc)
            return False

    # -- get / set --------------------------------------------------------
    def get(self, key: str) -> Any:
        """Return the cached value or the module's miss sentinel."""
        if not self.available:
            return _MISS
        try:
            raw = self._client.get(self._namespace() + key)
        except redis.RedisError as exc:
            self._mark_down(exc)
            return _MISS
        if raw is None:
            return _MISS
        return json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        if not self.available:
            return
        try:
            self._client.set(
                self._namespace() + key, json.dumps(value, default=str), ex=self.ttl_seconds
            )
        except redis.RedisError as exc:
            self._mark_down(exc)

    def get_or_load(self, key: str, loader: Callable[[], Any]) -> Any:
        """Read-through: cached value, else ``loader()`` (stored unless None)."""
        value = self.get(key)
        if value is not _MISS:
            return value
        value = loader()
        if value is not None:
            self.set(key, value)
        return value

    def ttl(self, key: str) -> int | None:
        """Remaining TTL of a cached key in seconds (for tests and operators)."""
        try:
            t = self._client.ttl(self._namespace() + key)
        except redis.RedisError:
            return None
        return None if t is None or t < 0 else int(t)


_caches: dict[tuple[str, str], Cache] = {}
_caches_lock = threading.Lock()


def get_cache(settings: StoreSettings | None = None) -> Cache:
    """Return the process-wide cache for the configured Redis URL."""
    settings = settings or load_store_settings()
    key = (settings.redis_url, settings.redis_prefix)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = Cache(settings.redis_url, settings.redis_prefix, settings.cache_ttl_seconds)
            _caches[key] = cache
    return cache


def reset_caches() -> None:
    """Forget process-wide caches (tests)."""
    with _caches_lock:
        _caches.clear()
