"""A shared cache for rendered public pages and computed rankings.

Backends:
- "memory" (default): a small LRU dictionary inside each worker process;
- a redis:// URL (AWARDS_CACHE_URL): one Redis shared by every worker and host.

Every key the app uses carries a fingerprint read from the database on each request (for
example the state of the published winners at this instant), so a cached value can never
outlive the data it was made from: a change or a publication time passing makes a new key,
and the old entry simply ages out. Every entry also has a lifetime (a minute for pages), which
bounds what clocks that disagree between hosts could leave stale. Nothing that matters lives only here, which is why an
in-process memory is safe even with several hosts. A cache that fails (Redis down) is
treated as empty: the page is computed as if nothing were cached, and a warning is logged.
"""
import logging
import threading
import time
from collections import OrderedDict

log = logging.getLogger(__name__)

DEFAULT_TTL = 3600


class MemoryCache:
    name = "memory"

    def __init__(self, max_items=512, max_bytes=64 * 1024 * 1024, clock=time.monotonic):
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.clock = clock
        self._items = OrderedDict()  # key -> (expires, value)
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= self.clock():
                del self._items[key]
                self._bytes -= len(value)
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key, value, ttl=DEFAULT_TTL):
        size = len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._items[key] = (self.clock() + ttl, value)
            self._bytes += size
            while len(self._items) > self.max_items or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0


class RedisCache:
    name = "redis"

    def __init__(self, url, prefix="awards:cache:"):
        import redis

        self.prefix = prefix
        # Short timeouts: a slow cache must not make a page slower than computing it.
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key):
        try:
            return self.client.get(self.prefix + key)
        except Exception as exc:  # noqa: BLE001 - any Redis fault means "not cached"
            log.warning("cache get failed: %s", exc)
            return None

    def set(self, key, value, ttl=DEFAULT_TTL):
        try:
            self.client.set(self.prefix + key, value, ex=ttl)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache set failed: %s", exc)

    def clear(self):
        try:
            for key in self.client.scan_iter(self.prefix + "*"):
                self.client.delete(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache clear failed: %s", exc)


class NullCache:
    """AWARDS_CACHE_URL=none: every lookup misses (for measuring without the cache)."""

    name = "none"

    def get(self, key):
        return None

    def set(self, key, value, ttl=DEFAULT_TTL):
        pass

    def clear(self):
        pass


def make_cache(url):
    if not url or url == "memory":
        return MemoryCache()
    if url == "none":
        return NullCache()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisCache(url)
    raise ValueError(f"unknown cache backend: {url!r}")


def get_cache():
    """The cache of the current app (made once per app from AWARDS_CACHE_URL)."""
    from flask import current_app

    cache = current_app.extensions.get("awards_cache")
    if cache is None:
        cache = current_app.extensions["awards_cache"] = make_cache(current_app.config.get("CACHE_URL"))
    return cache
