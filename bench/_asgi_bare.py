"""The bench's own ASGI application (underscore: not a bench module itself): the real meeting
room, plus bare consumers as baselines. The bare routes exist only here.

- /ws/bare/: re-broadcasts what it receives (no saving, no checks), Channels' stock dispatch
  (a hop to the database thread before every event).
- /ws/bare-fair/: the same, with the room's dispatch shortcut (events straight to the socket),
  so that the room is compared with a baseline that gets every shortcut it gets.
- /ws/bare-room/<id>/: what joining costs at the least: the room's own sign-in and access check
  (one trip to its database threads), accept, and one snapshot frame on hello.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http.cookie import parse_cookie  # noqa: E402
from django.urls import path  # noqa: E402

from collaboration.consumers import _enter, room_db  # noqa: E402
from collaboration.routing import websocket_urlpatterns  # noqa: E402

BARE_GROUP = "bench.bare"


class BareConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(BARE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(BARE_GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(BARE_GROUP, {"type": "bare.message", "text": text_data})

    async def bare_message(self, event):
        await self.send(text_data=event["text"])


class FairBareConsumer(BareConsumer):
    """The bare consumer with the room's shortcut: no database hop per event."""

    async def dispatch(self, message):
        if message["type"] == "bare.message":
            await self.bare_message(message)
            return
        await super().dispatch(message)


class BareRoomConsumer(AsyncWebsocketConsumer):
    SNAPSHOT = '{"type": "presence", "v": 0, "people": []}'

    async def connect(self):
        cookies = {}
        for name, value in self.scope.get("headers", []):
            if name == b"cookie":
                cookies = parse_cookie(value.decode("latin1"))
        meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        user, access = await room_db(_enter)(cookies.get(settings.SESSION_COOKIE_NAME), meeting_id)
        await self.accept()
        if access is None:
            await self.close(code=4403)

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=self.SNAPSHOT)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter([
            path("ws/bare/", BareConsumer.as_asgi()),
            path("ws/bare-fair/", FairBareConsumer.as_asgi()),
            path("ws/bare-room/<int:meeting_id>/", BareRoomConsumer.as_asgi()),
            *websocket_urlpatterns,
        ]),
    }
)
