"""ASGI entry point: pages over HTTP and the live rooms over websockets, in one process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from collaboration.routing import websocket_urlpatterns  # noqa: E402

# Every websocket route signs its user in itself (collaboration.routing): the meeting room in
# one trip to the database with its access check, instead of AuthMiddlewareStack's own trips.
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
