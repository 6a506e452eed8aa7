"""The test settings with the Redis cache of production (config.cache.FailSafeRedisCache) at
REDIS_URL, for server processes a test starts (tests/config/test_cache_connections.py)."""

import os

from config.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "config.cache.FailSafeRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "kakehashi-connections-test",
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0,
                    "client_name": os.environ.get("REDIS_CACHE_CLIENT_NAME", "kakehashi-test-cache")},
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
