"""The realtime path end to end: websocket → consumer → channel layer (Redis in CI) → back."""

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_ping_round_trips_through_the_channel_layer():
    layer = get_channel_layer()
    if settings.REDIS_URL:
        assert type(layer).__name__ == "RedisPubSubChannelLayer"
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping", "payload": "架け橋"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong", "payload": "架け橋"}
    # A bad frame gets a typed error and the connection stays usable.
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from(timeout=5))["code"] == "unknown_type"
    await communicator.send_json_to({"type": "ping", "payload": "again"})
    assert (await communicator.receive_json_from(timeout=5))["payload"] == "again"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"host", b"127.0.0.1"), (b"origin", b"https://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected
