"""Redis goes down: /healthz says so in JSON (503), and the pages and the API keep working
without the cache; when Redis is back, the cache is used again.

Uses its own redis-server process (never the shared one), which the test stops and starts.
With REQUIRE_SERVICES=1 (CI) a missing redis-server binary fails the test instead of skipping.
"""

import time

import pytest
from django.core.management import call_command

from collaboration.models import Meeting
from peers.demo import DEMO_PASSWORD
from peers.models import User
from tests.api_token_support import bearer_for
from tests.processes import started_redis

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def own_redis(settings):
    server = started_redis()
    url = server.url
    # Changing these settings resets Django's cache handlers and Channels' layers.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "kakehashi-outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_SECONDS": 0.2},
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None, "max_connections": 100}],
                       "prefix": "kakehashi-outage-test"},
        }
    }
    settings.KAKEHASHI_PAGE_CACHE = True
    yield server
    server.stop()


def _served_from_the_cache(path: str) -> bool:
    from django.test import Client

    visitor = Client()
    assert visitor.get(path).status_code == 200
    return visitor.get(path).headers.get("X-Page-Cache") == "hit"


def _everything_answers(client, api_client, peer, meeting, number):
    """The pages and API calls a person uses, none of them a server error."""
    client.logout()
    assert client.get("/").status_code == 200
    assert client.get("/en/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    # Signing in reads and writes allauth's rate-limit counters in the cache.
    wrong = client.post("/accounts/login/", {"login": peer.email, "password": "not-the-password"})
    assert wrong.status_code == 200
    signed_in = client.post("/accounts/login/", {"login": peer.email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/me/").status_code == 200
    room = client.get(f"/meetings/{meeting.pk}/room/")
    assert room.status_code == 200 and "room-strings" in room.content.decode()
    assert client.get("/api/v1/people/me/").status_code == 200  # session
    assert api_client.get("/api/v1/people/me/").status_code == 200  # token
    # The certificate check keeps its per-address counter in the cache.
    assert client.get(f"/api/v1/verify/{number}/").status_code == 200


def test_with_redis_down_pages_and_api_work_and_healthz_names_what_is_down(own_redis, client, settings):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from training.models import Certification

    call_command("load_demo", "--quiet-summary")
    peer = User.objects.get(email="peer@example.org")
    meeting = Meeting.objects.filter(status=Meeting.Status.OPEN, invitations__user=peer).first()
    number = Certification.objects.filter(holder=peer).first().number
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(peer)}")

    # Redis up: the cache really is this Redis (a public page is served from it the second time).
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.json()["cache"]["ok"] is True
    assert healthy.json()["cache"]["backend"] == "config.cache.FailSafeRedisCache"
    assert _served_from_the_cache("/en/")
    _everything_answers(client, api_client, peer, meeting, number)

    own_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable" and body["down"] == ["cache", "channel_layer"]
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is False and body["cache"]["error"]
    assert body["channel_layer"]["ok"] is False and body["channel_layer"]["error"]
    for _ in range(2):  # the second time too (served without the cache, not from it)
        _everything_answers(client, api_client, peer, meeting, number)
    assert cache.get("anything", "default") == "default"

    # Back: healthy again, and pages are cached again.
    own_redis.start()
    deadline = time.monotonic() + 15
    while (response := client.get("/healthz")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert response.status_code == 200, response.json()
    assert response.json()["down"] == []
    assert _served_from_the_cache("/en/")


def test_the_cache_uses_one_connection_pool_per_process(own_redis, settings):
    from django.core.cache import caches

    from config.cache import FailSafeRedisCache

    first = FailSafeRedisCache(settings.CACHES["default"]["LOCATION"], settings.CACHES["default"])
    second = FailSafeRedisCache(settings.CACHES["default"]["LOCATION"], settings.CACHES["default"])
    first.set("k", 1)
    assert second.get("k") == 1
    assert first._cache._get_connection_pool(True) is second._cache._get_connection_pool(False)
    assert caches["default"]._cache._get_connection_pool(True) is first._cache._get_connection_pool(True)
