"""The room's side of the channel layer: group names, event payloads, broadcasting after commit."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from peers.furigana import has_kanji, ruby_pieces

logger = logging.getLogger(__name__)

ROOM_EVENT = "room.event"


def meeting_group_name(meeting_id: int) -> str:
    """The channel-layer group of one meeting's room (the only place the name is built)."""
    return f"meeting.{int(meeting_id)}"


def meeting_chairs_group_name(meeting_id: int) -> str:
    """The group of a meeting's coordinators who are in its room: what only the chair sees (the
    live participation figures) goes here."""
    return f"meeting.{int(meeting_id)}.chairs"


def message_payload(message) -> dict:
    """What clients see of a message. Deleted and hidden messages keep their place (and number)
    but lose their text."""
    visible = message.deleted_at is None and message.hidden_at is None
    return {
        "type": "message",
        "seq": message.seq,
        "rev": message.rev,
        "author": {"id": message.author_id, "name": str(message.author) if message.author_id else ""},
        "body": message.body if visible else "",
        "reply_to": message.reply_to.seq if message.reply_to_id else None,
        "thread": message.thread.seq if message.thread_id else None,
        "agenda_item": message.agenda_item_id,
        "content_note": message.content_note,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
        "hidden": message.hidden_at is not None,
        "hidden_reason": message.hidden_reason if message.hidden_at else "",
        "mentions": list(message.mentioned or []) if visible else [],
    }


def with_readings(payload: dict) -> dict:
    """The payload for a socket whose person reads with furigana: a message whose text has
    kanji also carries `body_ruby`, its readings as pieces (peers.furigana.ruby_pieces: strings
    and [base, reading] pairs, never HTML), which the room's script turns into <ruby> with text
    nodes only. Other payloads come back as they are."""
    if payload.get("type") != "message" or not has_kanji(payload.get("body") or ""):
        return payload
    return {**payload, "body_ruby": ruby_pieces(payload["body"])}


def room_event(payload: dict) -> dict:
    """The channel-layer event for one payload: encoded to JSON once here, not once per member;
    a message with kanji is encoded a second time with its readings (`text_ruby`, for the
    sockets of people who chose furigana)."""
    event = {"type": ROOM_EVENT, "rev": payload.get("rev"), "text": json.dumps(payload, ensure_ascii=False)}
    read = with_readings(payload)
    if read is not payload:
        event["text_ruby"] = json.dumps(read, ensure_ascii=False)
    return event


async def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    await asyncio.wait_for(
        layer.group_send(group, event), timeout=settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT
    )


def broadcast(meeting_id: int, payload: dict, group: str | None = None) -> bool:
    """Send one event to everyone in the room (or to `group`, such as its coordinators). Returns
    False (and logs) when the channel layer is unavailable: what was saved stays saved, and
    clients catch up by sequence number."""
    try:
        async_to_sync(_send)(group or meeting_group_name(meeting_id), room_event(payload))
    except Exception as error:  # noqa: BLE001 - any layer failure means "degraded", never data loss
        logger.warning("room broadcast failed for meeting %s: %r", meeting_id, error)
        return False
    return True


async def abroadcast(meeting_id: int, payload: dict, group: str | None = None) -> bool:
    """The same as broadcast(), from async code (the consumer), without a thread hop."""
    try:
        await _send(group or meeting_group_name(meeting_id), room_event(payload))
    except Exception as error:  # noqa: BLE001
        logger.warning("room broadcast failed for meeting %s: %r", meeting_id, error)
        return False
    return True


# Set by the consumer around a service call: the on-commit hook then hands the event back
# instead of sending it from the database thread (which would wait on the busy event loop).
defer_broadcast: contextvars.ContextVar[bool] = contextvars.ContextVar("defer_broadcast", default=False)
# While deferring, every handed-back result is also collected here, so that the consumer sends
# the events a service adds beside its main one (the participation figures after a message).
deferred_results: contextvars.ContextVar[list | None] = contextvars.ContextVar("deferred_results", default=None)


class BroadcastResult:
    """Filled in by the on-commit hook, read by the caller after the transaction has ended."""

    __slots__ = ("delivered", "pending")

    def __init__(self) -> None:
        self.delivered: bool | None = None  # None: not committed (yet), or deferred
        self.pending: tuple[int, dict, str | None] | None = None  # committed, for the caller to send


class ParticipationDue:
    """Handed back by a deferred room service instead of the participation figures: the consumer
    works them out later, at most once per KAKEHASHI_ROOM_PARTICIPATION_INTERVAL per meeting
    (collaboration.consumers.participation_soon), so a busy room does not pay the figures'
    queries on every message. Has nothing to send itself (`pending` is None)."""

    __slots__ = ("meeting_id", "delivered", "pending")

    def __init__(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        self.delivered: bool | None = None
        self.pending = None


def broadcast_on_commit(meeting_id: int, payload, group: str | None = None) -> BroadcastResult:
    """Broadcast once the transaction commits (never for a rolled-back change). `payload` is the
    event, or a function giving it (or None: nothing to send) worked out after the commit."""
    from django.db import transaction

    result = BroadcastResult()

    def _go() -> None:
        nonlocal payload
        if callable(payload):
            try:
                payload = payload()
            except Exception:  # noqa: BLE001 - the change is committed: a frame about it may be missed
                logger.exception("room %s: the event after the commit could not be worked out", meeting_id)
                return
            if payload is None:
                return
        if defer_broadcast.get():
            result.pending = (meeting_id, payload, group)
            collected = deferred_results.get()
            if collected is not None:
                collected.append(result)
        else:
            result.delivered = broadcast(meeting_id, payload, group)

    transaction.on_commit(_go)
    return result
