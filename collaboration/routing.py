"""Websocket routes. Each brings its own sign-in: the meeting room reads the session, the user and
its access in one trip to a database thread (collaboration.consumers._enter); anything else goes
through Channels' AuthMiddlewareStack with the two-step mark (peers.asgi)."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from peers.asgi import TwoStepMarkASGIMiddleware

from . import consumers

websocket_urlpatterns = [
    path("ws/ping/", AuthMiddlewareStack(TwoStepMarkASGIMiddleware(consumers.PingConsumer.as_asgi()))),
    path("ws/meetings/<int:meeting_id>/", consumers.MeetingConsumer.as_asgi()),
]
