"""A small fixed-window rate limit kept in Django's cache, per client address."""

from __future__ import annotations

import time

from django.core.cache import cache

from peers.addresses import client_address_for_limits as client_ip


def allow(request, *, scope: str, limit: int, period: int) -> bool:
    """Count one hit for this address; False once it has used `limit` hits in this window."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count <= limit
