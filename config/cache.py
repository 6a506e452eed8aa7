"""Django's Redis cache, made safe for an outage and for ASGI.

The cache is an optimisation: when Redis is down, a read is a miss, a write is dropped, `add`
says it added (so allauth's cache lock does not spin for a second), `incr` says the key is
missing (ValueError, as for an expired key), and the failure is logged once per outage, not
per call. After a failure Redis is not tried again for `RETRY_SECONDS` (OPTIONS), so pages do
not each wait for a refused or timed-out connection.

Rate limits kept in the cache (allauth's login limits, certificate verification) therefore
fail open while Redis is down: see README, "When Redis is down".

One Redis client and connection pool per process, whatever the server: Django builds a cache
object per thread or async context (so per request under ASGI), and each used to open its own
pool (+334 connections for 329 requests under uvicorn, measured on main); redis-py's client
object itself costs about 0.1 ms to build (its table of response callbacks), a third of a cached
`get`. Both are now made once per server URL and options, on first use, and shared by every
thread; a forked child (gunicorn, granian and uvicorn workers) forgets its parent's and makes
its own. OPTIONS["client_name"] names the connections (Redis `CLIENT LIST`).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def _forget_clients_after_fork() -> None:
    global _clients_lock
    _clients.clear()  # the parent's sockets are not this process's to use
    _clients_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_clients_after_fork)


class _SharedClient(RedisCacheClient):
    """Django's Redis client with one redis-py client (and its pool) per process and server."""

    def _shared(self, write: bool):
        index = self._get_connection_pool_index(write)
        keys = self.__dict__.setdefault("_shared_keys", {})
        if index not in keys:
            options = tuple(sorted((k, repr(v)) for k, v in self._pool_options.items()))
            keys[index] = (self._servers[index], self._pool_class, options)
        key = (os.getpid(), keys[index])
        client = _clients.get(key)
        if client is None:
            with _clients_lock:
                client = _clients.get(key)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _clients[key] = self._client(connection_pool=pool)
        return client

    def _get_connection_pool(self, write):
        return self._shared(write).connection_pool

    def get_client(self, key=None, *, write=False):
        return self._shared(write)


class _Outage:
    """Shared by every cache object of the process: when Redis last failed."""

    down_until = 0.0
    down = False
    lock = threading.Lock()


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 2))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _SharedClient

    def _failed(self, operation: str, error: Exception) -> None:
        with _Outage.lock:
            first = not _Outage.down
            _Outage.down = True
            _Outage.down_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning("cache unavailable (%s: %r): serving without it", operation, error)

    def _skip(self) -> bool:
        return _Outage.down and time.monotonic() < _Outage.down_until

    def _run(self, operation: str, call, fallback):
        if self._skip():
            return fallback()
        try:
            result = call()
        except Exception as error:  # noqa: BLE001 - redis-py's errors, OSError, timeouts
            if not self._is_outage(error):
                raise
            self._failed(operation, error)
            return fallback()
        if _Outage.down:
            with _Outage.lock:
                if _Outage.down:
                    _Outage.down = False
                    logger.warning("cache available again")
        return result

    def _is_outage(self, error: Exception) -> bool:
        import redis

        return isinstance(error, (redis.exceptions.RedisError, OSError))

    def check(self) -> None:
        """Raise unless Redis answers now (for /healthz: the other methods never raise)."""
        self._cache.get_client(write=True).ping()
        with _Outage.lock:
            _Outage.down = False

    def add(self, key, *args, **kwargs):
        return self._run("add", lambda: super(FailSafeRedisCache, self).add(key, *args, **kwargs), lambda: True)

    def get(self, key, default=None, version=None):
        return self._run("get", lambda: super(FailSafeRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, *args, **kwargs):
        return self._run("set", lambda: super(FailSafeRedisCache, self).set(key, *args, **kwargs), lambda: None)

    def touch(self, key, *args, **kwargs):
        return self._run("touch", lambda: super(FailSafeRedisCache, self).touch(key, *args, **kwargs), lambda: False)

    def delete(self, key, *args, **kwargs):
        return self._run("delete", lambda: super(FailSafeRedisCache, self).delete(key, *args, **kwargs), lambda: False)

    def get_many(self, keys, *args, **kwargs):
        return self._run("get_many", lambda: super(FailSafeRedisCache, self).get_many(keys, *args, **kwargs), dict)

    def has_key(self, key, *args, **kwargs):
        return self._run("has_key", lambda: super(FailSafeRedisCache, self).has_key(key, *args, **kwargs), lambda: False)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")

        return self._run("incr", lambda: super(FailSafeRedisCache, self).incr(key, delta, version), missing)

    def set_many(self, data, *args, **kwargs):
        return self._run("set_many", lambda: super(FailSafeRedisCache, self).set_many(data, *args, **kwargs), lambda: list(data))

    def delete_many(self, keys, *args, **kwargs):
        return self._run("delete_many", lambda: super(FailSafeRedisCache, self).delete_many(keys, *args, **kwargs), lambda: None)

    def clear(self):
        return self._run("clear", lambda: super(FailSafeRedisCache, self).clear(), lambda: False)
