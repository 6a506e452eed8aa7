"""Redis goes away during a meeting: sending still saves, the sender is told, and when Redis
returns everyone catches up by sequence number with nothing lost.

Uses its own redis-server process (never the shared one), which the test stops and starts.
With REQUIRE_SERVICES=1 (CI) a missing redis-server binary fails the test instead of skipping.
"""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from collaboration.models import Message
from tests.processes import started_redis

from .conftest import drain, receive_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(settings):
    server = started_redis()
    # Changing the setting resets Channels' layer cache, so the app uses this Redis.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": server.url, "socket_timeout": None,
                           "max_connections": 100}],
                "prefix": "kakehashi-outage-test",
            },
        }
    }
    settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT = 1
    yield server
    server.stop()


async def test_message_sent_while_redis_is_down_is_saved_and_caught_up_after(own_redis, connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    await alice.send_json_to({"type": "message", "body": "before"})
    assert (await receive_until(alice, "saved"))["delivered"] is True
    assert (await receive_until(bob, "message"))["seq"] == 1

    await sync_to_async(own_redis.stop)()
    await alice.send_json_to({"type": "message", "body": "during the outage"})
    saved = await receive_until(alice, "saved", timeout=10)
    assert saved["seq"] == 2 and saved["delivered"] is False
    assert (await receive_until(alice, "degraded"))["message"]
    assert await sync_to_async(Message.objects.filter(meeting=meeting, seq=2, body="during the outage").exists)()
    assert [f for f in await drain(bob, 0.3) if f["type"] == "message"] == []

    await sync_to_async(own_redis.start)()
    # Bob's page notices the gap (or reconnects) and asks for everything after 1.
    await bob.send_json_to({"type": "hello", "last_seq": 1})
    history = await receive_until(bob, "history", timeout=10)
    assert [(m["seq"], m["body"]) for m in history["messages"]] == [(2, "during the outage")]

    # And the live path works again, for a newcomer as well as for those who stayed.
    carol = await connect(doctor, meeting.pk, hello=2)
    await receive_until(carol, "history", timeout=10)
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        await alice.send_json_to({"type": "message", "body": "after"})
        saved = await receive_until(alice, "saved", timeout=10)
        if saved["delivered"] or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.5)
    assert saved["delivered"] is True
    frame = await receive_until(carol, "message", timeout=10)
    assert frame["seq"] == saved["seq"]
    seqs = await sync_to_async(lambda: list(Message.objects.filter(meeting=meeting).values_list("seq", flat=True)))()
    assert seqs == list(range(1, saved["seq"] + 1))


async def test_everyone_connected_is_told_the_room_is_degraded_newcomers_get_4503_and_all_catch_up(own_redis, connect, meeting, peer, doctor, coordinator, settings):
    settings.KAKEHASHI_ROOM_LAYER_CHECK_SECONDS = 0.3
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    await alice.send_json_to({"type": "message", "body": "before"})
    assert (await receive_until(bob, "message"))["seq"] == 1

    await sync_to_async(own_redis.stop)()
    # Nobody has sent anything yet: the process notices by itself and tells every member.
    for member in (alice, bob):
        frame = await receive_until(member, "degraded", timeout=10)
        assert frame["message"]
    # A newcomer gets the room's "layer unavailable" close code, not a server error.
    carol = await connect(coordinator, meeting.pk, expect_ok=False)
    assert await carol.receive_output(timeout=10) == {"type": "websocket.close", "code": 4503}
    await alice.send_json_to({"type": "message", "body": "during"})
    assert (await receive_until(alice, "saved", timeout=10))["delivered"] is False

    await sync_to_async(own_redis.start)()
    # Both are told it is back, ask for what they missed, and get it.
    for member in (alice, bob):
        assert (await receive_until(member, "recovered", timeout=15))["message"]
    await bob.send_json_to({"type": "hello", "last_seq": 1})
    history = await receive_until(bob, "history", timeout=10)
    assert [(m["seq"], m["body"]) for m in history["messages"]] == [(2, "during")]
    # Bob stayed connected through it all and gets live messages again (his subscription comes
    # back on its own a moment after the layer does) ...
    loop = asyncio.get_running_loop()
    deadline, live = loop.time() + 20, []
    while not live and loop.time() < deadline:
        await alice.send_json_to({"type": "message", "body": "after"})
        saved = await receive_until(alice, "saved", timeout=10)
        live = [f for f in await drain(bob, 1.0) if f["type"] == "message"]
    assert live and live[-1]["seq"] == saved["seq"] and live[-1]["body"] == "after"
    # ... and whatever fell in that moment is there by sequence number.
    await bob.send_json_to({"type": "hello", "last_seq": 2})
    history = await receive_until(bob, "history", timeout=10)
    assert [m["seq"] for m in history["messages"]] == list(range(3, saved["seq"] + 1))
