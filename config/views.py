"""Infrastructure endpoints that belong to no app."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database_health() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return {"ok": False, "vendor": connection.vendor, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _cache_health() -> dict:
    cache = caches["default"]
    backend = f"{type(cache).__module__}.{type(cache).__name__}"
    started = time.perf_counter()
    try:
        check = getattr(cache, "check", None)
        if check is not None:
            check()  # the fail-safe Redis cache hides failures everywhere else
        else:
            cache.set("healthz", 1, 10)
            if cache.get("healthz") != 1:
                raise RuntimeError("the cache did not keep a value")
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "backend": backend, "error": type(error).__name__}
    return {"ok": True, "backend": backend, "ms": round((time.perf_counter() - started) * 1000, 1)}


async def _layer_round_trip(layer) -> None:
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("unexpected message")


def _channel_layer_health() -> dict:
    layer = get_channel_layer()
    backend = f"{type(layer).__module__}.{type(layer).__name__}"
    started = time.perf_counter()
    try:
        async_to_sync(_layer_round_trip)(layer)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "backend": backend, "error": type(error).__name__}
    return {"ok": True, "backend": backend, "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
def healthz(request):
    """Database, cache and channel-layer health as JSON; 503 naming what is down. Never an HTML
    error page: the compose health check and monitors read it."""
    checks = {}
    for name, check in (("database", _database_health), ("cache", _cache_health), ("channel_layer", _channel_layer_health)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - a check that itself fails means "down"
            checks[name] = {"ok": False, "error": type(error).__name__}
    ok = all(check["ok"] for check in checks.values())
    down = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse({"status": "ok" if ok else "unavailable", "down": down, **checks}, status=200 if ok else 503)


def csrf_failure(request, reason: str = ""):
    """A form whose CSRF check failed (settings.CSRF_FAILURE_VIEW): most often the page was open
    so long that its token ran out, or cookies are off. A calm page that says so and leads back to
    the form (status 403, as Django's own). The reason is for logs, not for the person."""
    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = ""
    from peers.middleware import session_ended

    return render(request, "403_csrf.html", {"back": back, "session_ended": session_ended(request)}, status=403)
