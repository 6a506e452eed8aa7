"""The bench's own ASGI application (underscore: not a bench module itself): the real meeting
room, plus a bare consumer that only re-broadcasts (no saving, no checks) as the baseline.
The bare route exists only here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

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


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(
            URLRouter([path("ws/bare/", BareConsumer.as_asgi()), *websocket_urlpatterns])
        ),
    }
)
