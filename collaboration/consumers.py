"""Websocket consumers. Thin: authorise in connect, call services, never touch the ORM inline."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def ping_group_name(channel_name: str) -> str:
    return f"ping.{channel_name.replace('!', '_')}"[:99]


class PingConsumer(AsyncJsonWebsocketConsumer):
    """A smoke test of the realtime path: a ping goes out through the channel layer (Redis in
    production) and comes back as a pong, so a client or monitor sees the layer working."""

    async def connect(self) -> None:
        self.group = ping_group_name(self.channel_name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "code": "unknown_type"})
            return
        await self.channel_layer.group_send(
            self.group, {"type": "ping.pong", "payload": str(content.get("payload", ""))[:200]}
        )

    async def ping_pong(self, event) -> None:
        await self.send_json({"type": "pong", "payload": event["payload"]})

    @classmethod
    async def decode_json(cls, text_data):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None
