"""Websocket consumers. Thin: authorise in connect, call services, never touch the ORM inline."""

from __future__ import annotations

import asyncio
import functools
import logging
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import services, sockets
from .frames import FrameError, decode_frame, sequence_number, storable_text
from .realtime import (
    ROOM_EVENT,
    abroadcast,
    defer_broadcast,
    deferred_results,
    meeting_chairs_group_name,
    meeting_group_name,
    message_payload,
    room_event,
)
from .selectors import (
    meeting_access_for,
    message_list_after,
    participation_for,
    presence_list,
)

logger = logging.getLogger(__name__)

# Close codes a client can act on (4000-4999 are the application's own). A meeting that does
# not exist and one the person may not enter close alike (4403), after the same one query.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_LAYER_UNAVAILABLE = 4503
# Primary keys are 64-bit: a longer number in the address is simply no meeting.
_MAX_ID = 2**63 - 1

ERRORS = {
    "not_json": _("That frame was not valid JSON."),
    "bad_frame": _("That frame is not an object with a type."),
    "too_deep": _("That frame is nested too deeply."),
    "invalid_body": _("A message must be plain text, without control characters."),
    "invalid_reason": _("A reason must be plain text, without control characters."),
    "bad_last_seq": _("That message number is not one of this room's; live messages continue from now."),
    "unknown_type": _("The room does not know that kind of frame."),
    "too_large": _("That frame is over the size limit."),
    "rate_limited": _("You are sending too fast; wait a moment and try again."),
    "server_error": _("Something went wrong on our side; nothing was lost. Try again."),
}
DEGRADED = _("Your message was saved, but live delivery is interrupted. Others will see it when "
             "the connection recovers.")
ROOM_DEGRADED = _("Live delivery is interrupted. Messages are still saved; the room catches up "
                  "when the connection recovers.")
ROOM_RECOVERED = _("Live delivery is back; catching up with what was missed.")


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
        try:
            return decode_frame(text_data)
        except FrameError:
            return None


class TokenBucket:
    """Allows `burst` frames at once and `rate` a second after that, per connection."""

    def __init__(self, burst: int, rate: float):
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.rate = rate
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# Sync halves of the handlers: each runs in the database thread and returns plain data.


def _deferred(func):
    """Run a room service so that its on-commit broadcast is handed back to the consumer."""

    def run(*args):
        token = defer_broadcast.set(True)
        collected: list = []
        token_collected = deferred_results.set(collected)
        try:
            payload, result = func(*args)
        finally:
            defer_broadcast.reset(token)  # asgiref copies context changes back: undo ours
            deferred_results.reset(token_collected)
        return payload, result, [r for r in collected if r is not result]

    return run


@_deferred
def _post(access, user, content):
    message, result = services.message_post(
        access=access,
        author=user,
        body=storable_text(content.get("body"), code="invalid_body"),
        reply_to_seq=content.get("reply_to"),
        agenda_item_id=content.get("agenda_item"),
        content_note=bool(content.get("content_note")),
    )
    return message_payload(message), result


@_deferred
def _change(kind: str, access, user, content):
    seq = content.get("seq")
    if kind == "edit":
        body = storable_text(content.get("body"), code="invalid_body")
        message, result = services.message_edit(access=access, user=user, seq=seq, body=body)
    elif kind == "delete":
        message, result = services.message_delete(access=access, user=user, seq=seq)
    else:
        reason = storable_text(content.get("reason"), code="invalid_reason")
        change = services.message_hide if kind == "hide" else services.message_unhide
        message, result = change(access=access, user=user, seq=seq, reason=reason)
    return message_payload(message), result


@_deferred
def _proposal(kind: str, access, user, content):
    """A member's vote, or the chair opening or closing one (collaboration.frames)."""
    if kind == "vote":
        proposal, result = services.proposal_vote(
            access=access, user=user, proposal_id=content.get("proposal"), choice=content.get("choice"))
    elif content.get("action") in ("open", "close"):
        change = services.proposal_voting_open if content["action"] == "open" else services.proposal_voting_close
        proposal, result = change(access=access, user=user, proposal_id=content.get("proposal"))
    else:
        raise FrameError("bad_frame")
    return {"id": proposal.pk}, result


def _replay(meeting, after: int) -> tuple[list[dict], int, bool]:
    limit = settings.KAKEHASHI_ROOM_REPLAY_LIMIT
    rows = list(message_list_after(meeting, after, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    payloads = [message_payload(m) for m in rows]
    if more:
        top = rows[-1].rev
    else:
        # Everything up to the room's counter is now accounted for (changes included).
        meeting.refresh_from_db(fields=["last_seq", "status"])
        top = max([after, meeting.last_seq, *(p["rev"] for p in payloads)])
    return payloads, top, more


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    """One meeting's live room at /ws/meetings/<id>/.

    Client frames: hello {last_seq}, message {body, reply_to, agenda_item, content_note, ref},
    edit {seq, body}, delete {seq}, hide {seq, reason}, unhide {seq, reason}, raise_hand {agenda_item}, lower_hand,
    call_speaker {entry}, finish_speaker, presence, room_settings {balanced, shared,
    agenda_item} (coordinators), check_in {code}, vote {proposal, choice}, proposal_voting
    {proposal, action} (coordinators). Server frames: history, message, saved, degraded,
    recovered, queue, presence (full list), presence_join, presence_leave, status,
    participation (to coordinators; to everyone while the chair shares it), participation_hidden,
    checked_in, proposal, proposal_saved, error {code, message, ref}. Threads, proposals and votes
    are described field by field in collaboration.frames.
    """

    group: str | None = None
    chairs_group: str | None = None
    gone = False
    counted = False

    async def __call__(self, scope, receive, send) -> None:
        """Channels' own __call__, except that the socket's channel is made with a time limit:
        with Redis down, making it fails or waits, and the handshake would fail with no reason.
        Then the socket is accepted and closed with 4503, which the client understands (it says
        so and retries with back-off)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        try:
            self.channel_name = await asyncio.wait_for(
                self.channel_layer.new_channel(), timeout=settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT
            )
        except Exception:  # noqa: BLE001 - any layer failure
            logger.warning("room: channel layer unavailable before connect")
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_LAYER_UNAVAILABLE})
            return
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        try:
            await await_many_dispatch([receive, self.channel_receive], self.dispatch)
        except StopConsumer:
            pass

    async def connect(self) -> None:
        self.group = None
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        self.user = self.scope.get("user")
        # Accept first, then close with a code: a refusal before accepting reaches the browser
        # as a bare failed handshake with no reason.
        if self.user is None or not self.user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        # One query, the same for a meeting that does not exist and one this person may not
        # enter, and the same close code: nothing tells them apart.
        self.access = None
        if self.meeting_id <= _MAX_ID:
            self.access = await database_sync_to_async(meeting_access_for)(self.user, self.meeting_id)
        if self.access is None:
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not sockets.socket_register(self, user_id=self.user.pk, meeting_id=self.meeting_id):
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.counted = True
        self.language = getattr(self.user, "language", None) or settings.LANGUAGE_CODE
        self.bucket = TokenBucket(settings.KAKEHASHI_ROOM_RATE_BURST, settings.KAKEHASHI_ROOM_RATE_PER_SECOND)
        self.floor: int | None = None  # replayed up to here; None until the client says hello
        self.buffer: list[dict] = []
        group = meeting_group_name(self.meeting_id)
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(group, self.channel_name),
                timeout=settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT,
            )
        except Exception:  # noqa: BLE001 - the layer is down: say so, the page still has history
            logger.warning("room %s: channel layer unavailable at connect", self.meeting_id)
            try:  # the pub/sub layer records the member before subscribing: forget it again
                await asyncio.wait_for(self.channel_layer.group_discard(group, self.channel_name), timeout=1)
            except Exception:  # noqa: BLE001
                pass
            await self.accept()
            await self.close(code=CLOSE_LAYER_UNAVAILABLE)
            return
        self.group = group
        if self.access.can_coordinate:
            # The chair's own frames (the participation figures) go to this group only.
            chairs = meeting_chairs_group_name(self.meeting_id)
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_add(chairs, self.channel_name),
                    timeout=settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT,
                )
                self.chairs_group = chairs
            except Exception:  # noqa: BLE001 - the panel fills in on the next hello
                logger.warning("room %s: could not join the coordinators' group", self.meeting_id)
        await self.accept()
        await database_sync_to_async(services.presence_join)(
            access=self.access, user=self.user, channel_name=self.channel_name
        )

    async def disconnect(self, code: int) -> None:
        self.gone = True
        if self.counted:
            self.counted = False
            sockets.socket_unregister(self, user_id=self.user.pk)
        if self.group is None:
            return
        for group in (self.group, self.chairs_group):
            if group is None:
                continue
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(group, self.channel_name), timeout=1)
            except Exception:  # noqa: BLE001
                pass
        await database_sync_to_async(services.presence_leave)(
            meeting_id=self.meeting_id, channel_name=self.channel_name
        )

    # Incoming frames ---------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        raw = text_data if text_data is not None else bytes_data
        size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw or b"")
        if size > settings.KAKEHASHI_ROOM_MAX_FRAME_BYTES:
            await self.send_error("too_large")
            return
        if not self.bucket.take():
            await self.send_error("rate_limited")
            return
        try:
            content = decode_frame(raw)
        except FrameError as error:
            await self.send_error(error.code)
            return
        ref = content.get("ref") if isinstance(content.get("ref"), (str, int)) else None
        handler = self.HANDLERS.get(content["type"])
        if handler is None:
            await self.send_error("unknown_type", ref)
            return
        try:
            await handler(self, content, ref)
        except FrameError as error:
            await self.send_error(error.code, ref)
        except services.RoomError as error:
            await self.send_error(error.code, ref, message=error.lazy_message)  # in this person's language
        except Exception:  # noqa: BLE001 - one bad frame never takes the room down
            logger.exception("room %s: frame failed", self.meeting_id)
            await self.send_error("server_error", ref)

    async def send_error(self, code: str, ref=None, message=None) -> None:
        with translation.override(self.language):
            text = str(message if message is not None else ERRORS.get(code, code))
        frame = {"type": "error", "code": code, "message": text}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def on_hello(self, content, ref) -> None:
        state = await database_sync_to_async(self._hello_state)(content.get("last_seq"))
        payloads, top, more, queue, people, refused, participation = state
        if refused:
            # Still live from the room's current number, so this socket keeps its messages.
            await self.send_error("bad_last_seq", ref)
        await self.send_json({"type": "history", "messages": payloads, "last_seq": top, "more": more})
        self.floor = top if self.floor is None else max(self.floor, top)
        buffered, self.buffer = self.buffer, []
        for event in buffered:
            await self.room_event(event)
        await self.send_json(queue)
        await self.send_json({"type": "presence", "people": people})
        if participation is not None:
            await self.send_json(participation)

    def _participation_for_me(self) -> dict | None:
        """The figures this socket may see now: all of them for a coordinator, the sectors for
        everyone else while the chair shares them, else none."""
        return participation_for(self.access)

    def _hello_state(self, last_seq):
        after, refused = None, False
        if last_seq is not None:
            self.access.meeting.refresh_from_db(fields=["last_seq", "status"])
            try:
                after = sequence_number(last_seq, highest=self.access.meeting.last_seq)
            except FrameError:
                refused = True
        if after is None:
            # No replay asked for: live from now on.
            self.access.meeting.refresh_from_db(fields=["last_seq", "status"])
            payloads, top, more = [], self.access.meeting.last_seq, False
        else:
            payloads, top, more = _replay(self.access.meeting, after)
        return (payloads, top, more, services.queue_payload(self.access.meeting), presence_list(self.meeting_id),
                refused, self._participation_for_me())

    async def _saved(self, payload: dict, result, extra, ref) -> None:
        """Tell the sender it is saved, then broadcast what the service committed (the change,
        then what it moved: the participation figures)."""
        delivered = result.delivered
        if result.pending is not None:
            delivered = await abroadcast(*result.pending)
        for other in extra:
            if other.pending is not None:
                await abroadcast(*other.pending)
        frame = {"type": "saved", "seq": payload["seq"], "rev": payload["rev"], "delivered": bool(delivered)}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)
        if not delivered:
            # The layer is down: the sender still sees their own change, and is told.
            await self._forward(payload)
            with translation.override(self.language):
                await self.send_json({"type": "degraded", "message": str(DEGRADED)})
            await sockets.layer_failed()  # everyone else here is told too

    async def layer_state(self, *, degraded: bool) -> None:
        """Called for every room socket in this process when the channel layer goes down or
        comes back. After `recovered` the client asks for what it missed (hello last_seq)."""
        if self.gone:
            return
        with translation.override(self.language):
            if degraded:
                await self.send_json({"type": "degraded", "message": str(ROOM_DEGRADED)})
            else:
                await self.send_json({"type": "recovered", "message": str(ROOM_RECOVERED)})

    async def on_message(self, content, ref) -> None:
        payload, result, extra = await database_sync_to_async(_post)(self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_edit(self, content, ref) -> None:
        payload, result, extra = await database_sync_to_async(_change)("edit", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_delete(self, content, ref) -> None:
        payload, result, extra = await database_sync_to_async(_change)("delete", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_hide(self, content, ref) -> None:
        payload, result, extra = await database_sync_to_async(_change)("hide", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_unhide(self, content, ref) -> None:
        payload, result, extra = await database_sync_to_async(_change)("unhide", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_raise_hand(self, content, ref) -> None:
        await database_sync_to_async(services.hand_raise)(
            access=self.access, user=self.user, agenda_item_id=content.get("agenda_item")
        )

    async def on_lower_hand(self, content, ref) -> None:
        await database_sync_to_async(services.hand_lower)(access=self.access, user=self.user)

    async def on_call_speaker(self, content, ref) -> None:
        await database_sync_to_async(services.speaker_call)(
            access=self.access, user=self.user, entry_id=content.get("entry")
        )

    async def on_finish_speaker(self, content, ref) -> None:
        await database_sync_to_async(services.speaker_done)(access=self.access, user=self.user)

    async def on_room_settings(self, content, ref) -> None:
        """The chair's switches: balanced list, sharing the figures, the item under discussion."""
        options = {}
        for key, name in (("balanced", "balanced_queue"), ("shared", "participation_shared")):
            if key in content:
                if not isinstance(content[key], bool):
                    raise FrameError("bad_frame")
                options[name] = content[key]
        if "agenda_item" in content:
            options["current_agenda_item_id"] = content["agenda_item"]
        await database_sync_to_async(services.meeting_room_settings)(access=self.access, user=self.user, **options)

    async def on_check_in(self, content, ref) -> None:
        code = storable_text(content.get("code"), code="bad_frame")[:20]
        _row, changed = await database_sync_to_async(services.attendance_check_in)(
            access=self.access, user=self.user, code=code)
        frame = {"type": "checked_in", "changed": changed}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def on_vote(self, content, ref) -> None:
        await self._proposal_change("vote", content, ref)

    async def on_proposal_voting(self, content, ref) -> None:
        await self._proposal_change("voting", content, ref)

    async def _proposal_change(self, kind: str, content, ref) -> None:
        """Broadcast the proposal's new state (a `proposal` frame to the room), then tell the
        sender it is saved."""
        payload, result, extra = await database_sync_to_async(_proposal)(kind, self.access, self.user, content)
        delivered = True
        for done in (result, *extra):
            if done.pending is not None:
                delivered = await abroadcast(*done.pending) and delivered
        frame = {"type": "proposal_saved", "proposal": payload["id"], "vote": kind == "vote", "delivered": delivered}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def on_presence(self, content, ref) -> None:
        people = await database_sync_to_async(presence_list)(self.meeting_id)
        await self.send_json({"type": "presence", "people": people})

    HANDLERS = {
        "hello": on_hello,
        "message": on_message,
        "edit": on_edit,
        "delete": on_delete,
        "hide": on_hide,
        "unhide": on_unhide,
        "raise_hand": on_raise_hand,
        "lower_hand": on_lower_hand,
        "call_speaker": on_call_speaker,
        "finish_speaker": on_finish_speaker,
        "presence": on_presence,
        "room_settings": on_room_settings,
        "check_in": on_check_in,
        "vote": on_vote,
        "proposal_voting": on_proposal_voting,
    }

    # Events from the channel layer -------------------------------------------------------

    async def dispatch(self, message) -> None:
        """Channels' own dispatch hops to the database thread (close_old_connections) before
        every event; with 200 members that is 200 hops per message, all queued on the one
        database thread that is also saving the messages. This consumer reaches the database only
        through database_sync_to_async, which closes stale connections itself, so room events go
        straight to the socket and everything else is dispatched without the extra hop."""
        if message["type"] == ROOM_EVENT:
            await self.room_event(message)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def room_event(self, event) -> None:
        rev = event.get("rev")
        if rev is not None:
            if self.floor is None:
                if len(self.buffer) < settings.KAKEHASHI_ROOM_REPLAY_LIMIT:
                    self.buffer.append(event)
                return
            if rev <= self.floor:
                return  # already in the replay this client received
        if self.gone:
            return
        try:
            await self.send(text_data=event["text"])
        except RuntimeError:
            # The client has gone and the server already closed the socket; the disconnect
            # handler is on its way.
            self.gone = True

    async def _forward(self, payload: dict) -> None:
        await self.room_event(room_event(payload))
