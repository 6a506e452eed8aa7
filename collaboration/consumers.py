"""Websocket consumers. Thin: authorise in connect, call services, never touch the ORM inline."""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.db import close_old_connections
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from peers.access import session_two_step_passed, two_step_mark
from peers.preferences import user_furigana_wanted

from . import presence, services, sockets
from .frames import FrameError, decode_frame, sequence_number, storable_text
from .realtime import (
    ROOM_EVENT,
    ParticipationDue,
    abroadcast,
    defer_broadcast,
    deferred_results,
    meeting_chairs_group_name,
    meeting_group_name,
    message_payload,
    room_event,
    with_readings,
)
from .selectors import (
    meeting_access_for,
    meeting_participation_live,
    message_list_after,
    participation_for,
    participation_for_everyone,
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


class _RoomDatabase(SyncToAsync):
    """Like Channels' database_sync_to_async (stale connections closed before and after), but on
    the room's own threads: saving a message never queues behind every other consumer's hop to
    Channels' one shared database thread. The order of a room's messages does not depend on
    which thread saves them: the database gives each its number (services.room._next_seq)."""

    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            close_old_connections()


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _room_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            threads = settings.KAKEHASHI_ROOM_DB_THREADS
            if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
                threads = 1  # SQLite takes one writer at a time: more threads only fail on its lock
            _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="room-db")
        return _executor


def room_db(func):
    """`func` (sync, using the ORM) as a coroutine function run on the room's database threads."""
    return _RoomDatabase(func, thread_sensitive=False, executor=_room_executor())


# The participation figures after room changes, coalesced per meeting in this process: one task
# at a time per meeting; it waits out the interval since the last figures, then reads them once.
_participation_tasks: dict[int, asyncio.Task] = {}
_participation_last: dict[int, float] = {}


def participation_soon(meeting_id: int) -> None:
    """The chair's figures for this meeting, sent soon: at once if none went out within
    KAKEHASHI_ROOM_PARTICIPATION_INTERVAL, else when it has passed (one send for every change
    in between, reading the figures after the last of them)."""
    loop = asyncio.get_running_loop()
    task = _participation_tasks.get(meeting_id)
    if task is not None and not task.done() and task.get_loop() is loop:
        return  # a send is waiting: it reads the figures after this change
    delay = _participation_last.get(meeting_id, float("-inf")) + settings.KAKEHASHI_ROOM_PARTICIPATION_INTERVAL
    _participation_tasks[meeting_id] = loop.create_task(_participation_send(meeting_id, max(0.0, delay - loop.time())))


async def _participation_send(meeting_id: int, delay: float) -> None:
    try:
        if delay > 0:
            await asyncio.sleep(delay)
        # From here a new change schedules another send: this read may already be under way.
        if _participation_tasks.get(meeting_id) is asyncio.current_task():
            del _participation_tasks[meeting_id]
        _participation_last[meeting_id] = asyncio.get_running_loop().time()
        figures = await room_db(meeting_participation_live)(meeting_id)
        await abroadcast(meeting_id, {**figures, "audience": "coordinators"}, meeting_chairs_group_name(meeting_id))
        if figures["shared"]:
            await abroadcast(meeting_id, participation_for_everyone(figures))
    except Exception:  # noqa: BLE001 - the change is saved and sent; only the figures are late
        logger.exception("room %s: the participation figures could not be sent", meeting_id)


def _enter(session_key: str | None, meeting_id: int):
    """Who opens the socket and what they may do in the meeting, in one trip to a database
    thread: the session, the user (Channels' own check of the session's password hash), the
    two-step mark (peers.access) and the access check. Returns (user or None, access or None)."""
    from importlib import import_module

    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user.func({"session": session})  # Channels' get_user, without its own thread hop
    if not user.is_authenticated:
        return None, None
    two_step_mark(user, passed=session_two_step_passed(session, user))
    if meeting_id > _MAX_ID:
        return user, None
    return user, meeting_access_for(user, meeting_id)


# Sync halves of the handlers: each runs on a room database thread and returns plain data.


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
    # The room's counter first: every number up to it is committed (each is taken under the
    # meeting's row lock, in order), so the rows read next hold everything up to it. Read the
    # other way round, a message committed between the two reads would be counted as sent.
    meeting.refresh_from_db(fields=["last_seq", "status"])
    rows = list(message_list_after(meeting, after, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    payloads = [message_payload(m) for m in rows]
    if more:
        top = rows[-1].rev
    else:
        # Everything up to the room's counter is now accounted for (changes included).
        top = max([after, meeting.last_seq, *(p["rev"] for p in payloads)])
    return payloads, top, more


def _read_live(meeting_id: int) -> dict:
    from .models import Meeting

    meeting = Meeting.objects.only("last_seq", "status", "participation_shared", "balanced_queue").get(pk=meeting_id)
    return {"last_seq": meeting.last_seq, "status": meeting.status,
            "participation_shared": meeting.participation_shared, "queue": services.queue_payload(meeting)}


_shared_reads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop → {key: (started, task)}


async def shared_read(key, read):
    """`await read()`, shared by every caller of this process asking for the same `key` while
    a read is under way: a thousand people joining at once make one read per round trip, not a
    thousand. A caller shares only a read that started after it asked (else it waits for the
    next one), so what it gets is never older than its question."""
    loop = asyncio.get_running_loop()
    reads = _shared_reads.setdefault(loop, {})
    arrived = time.monotonic()
    while True:
        entry = reads.get(key)
        if entry is None:
            entry = (time.monotonic(), loop.create_task(read()))
            reads[key] = entry

            def forget(_task, entry=entry) -> None:
                if reads.get(key) is entry:
                    del reads[key]

            entry[1].add_done_callback(forget)
        started, task = entry
        if started >= arrived:
            return await asyncio.shield(task)
        await asyncio.wait([task])  # a read from before this call: the next one is shared


async def _live_state(meeting_id: int) -> dict:
    """The room's number, status and speaker queue for a hello (shared_read)."""
    return await shared_read(("live", meeting_id), lambda: room_db(_read_live)(meeting_id))


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    """One meeting's live room at /ws/meetings/<id>/.

    Client frames: hello {last_seq}, message {body, reply_to, agenda_item, content_note, ref},
    edit {seq, body}, delete {seq}, hide {seq, reason}, unhide {seq, reason}, raise_hand {agenda_item}, lower_hand,
    call_speaker {entry}, finish_speaker, presence, room_settings {balanced, shared,
    agenda_item} (coordinators), check_in {code}, vote {proposal, choice}, proposal_voting
    {proposal, action} (coordinators). Server frames: history, message, saved, degraded,
    recovered, queue, presence {v, people}, presence_delta {joined, left}, status,
    participation (to coordinators; to everyone while the chair shares it), participation_hidden,
    checked_in, proposal, proposal_saved, error {code, message, ref}. Threads, proposals and votes
    are described field by field in collaboration.frames.

    Presence (collaboration.presence): `presence` is everyone here now, one entry per person
    ({user, name, sector}), read at counter `v`, sent after each hello and on request.
    `presence_delta` is what changed since: `joined` [{user, name, sector, v}] and `left`
    [{user, v}], each change with the counter it took; a client applies a change only when its
    `v` is above the snapshot's and above the last one it applied for that person. A socket gets
    at most one presence frame per KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS (0.25 s): the joins
    and leaves in between arrive together.

    Messages and their changes (`message`, with `rev`) arrive in the room's order, once, after
    the history: an event after a gap in the numbers waits for the missing one. For a person
    who reads with furigana, a message with kanji also carries `body_ruby` (realtime.with_readings).
    """

    group: str | None = None
    furigana = False
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
        cookies = {}
        for name, value in self.scope.get("headers", []):
            if name == b"cookie":
                cookies = parse_cookie(value.decode("latin1"))
                break
        # Accept first, then close with a code: a refusal before accepting reaches the browser
        # as a bare failed handshake with no reason. A meeting that does not exist and one this
        # person may not enter close alike (4403): nothing tells them apart.
        self.user, self.access = await room_db(_enter)(cookies.get(settings.SESSION_COOKIE_NAME), self.meeting_id)
        self.scope["user"] = self.user
        if self.user is None:
            await self.accept()
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
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
        # Messages reach this socket with their readings when its person chose furigana (or
        # plain Japanese), as the page the server renders for them carries ruby.
        self.furigana = user_furigana_wanted(self.user)
        self.bucket = TokenBucket(settings.KAKEHASHI_ROOM_RATE_BURST, settings.KAKEHASHI_ROOM_RATE_PER_SECOND)
        self.floor: int | None = None  # delivered in order up to here; None until the client says hello
        self.buffer: list[dict] = []  # events before the hello
        self.held: dict[int, dict] = {}  # events after a gap, until it fills
        self.gap_timer: asyncio.TimerHandle | None = None
        self.filling = False
        self.presence_v: int | None = None  # the last presence snapshot's counter
        self.presence_sent_at = 0.0
        self.presence_waiting: list[dict] = []
        self.presence_timer: asyncio.TimerHandle | None = None
        self.tasks: set = set()
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
        await presence.presence_join(meeting_id=self.meeting_id, channel_name=self.channel_name,
                                     user=self.user, sector=self.access.sector)

    async def disconnect(self, code: int) -> None:
        self.gone = True
        if self.counted:
            self.counted = False
            sockets.socket_unregister(self, user_id=self.user.pk)
        for timer in (getattr(self, "gap_timer", None), getattr(self, "presence_timer", None)):
            if timer is not None:
                timer.cancel()
        if self.group is None:
            return
        for group in (self.group, self.chairs_group):
            if group is None:
                continue
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(group, self.channel_name), timeout=1)
            except Exception:  # noqa: BLE001
                pass
        await presence.presence_leave(meeting_id=self.meeting_id, channel_name=self.channel_name)

    def _later(self, delay: float, coroutine_function):
        """Run `coroutine_function()` on this socket after `delay` seconds (kept referenced)."""
        loop = asyncio.get_running_loop()

        def start():
            task = loop.create_task(coroutine_function())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        return loop.call_later(delay, start)

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
        live = await _live_state(self.meeting_id)
        state = await self._hello_state(content.get("last_seq"), live)
        payloads, top, more, queue, refused, participation = state
        if refused:
            # Still live from the room's current number, so this socket keeps its messages.
            await self.send_error("bad_last_seq", ref)
        if self.furigana:
            payloads = [with_readings(payload) for payload in payloads]
        await self.send_json({"type": "history", "messages": payloads, "last_seq": top, "more": more})
        self.floor = top if self.floor is None else max(self.floor, top)
        buffered, self.buffer = self.buffer, []
        for event in buffered:
            await self.room_event(event)
        await self._deliver_held()
        await self.send_json(queue)
        await self._send_presence()
        if participation is not None:
            await self.send_json(participation)

    async def _send_presence(self) -> None:
        """The presence snapshot (from Redis, never the database); deltas already in it are
        dropped from now on."""
        v, text = await shared_read(("presence", self.meeting_id), lambda: presence.presence_snapshot(self.meeting_id))
        if v is None:
            return  # Redis unreachable: the list stays as it was until the next hello
        self.presence_v = v
        self.presence_waiting = [e for e in self.presence_waiting if e["max_v"] > self.presence_v]
        self.presence_sent_at = time.monotonic()
        await self._send_text(text)

    def _participation_for_me(self) -> dict | None:
        """The figures this socket may see now: all of them for a coordinator, the sectors for
        everyone else while the chair shares them, else none."""
        return participation_for(self.access)

    async def _hello_state(self, last_seq, live: dict):
        """What a hello answers, from the room's state read for every hello of this process at
        once (`live`); the database is asked again only for a replay or the figures."""
        meeting = self.access.meeting
        meeting.last_seq, meeting.status = live["last_seq"], live["status"]
        meeting.participation_shared = live["participation_shared"]
        after, refused = None, False
        if last_seq is not None:
            try:
                after = sequence_number(last_seq, highest=meeting.last_seq)
            except FrameError:
                refused = True
        if after is None or after == meeting.last_seq:
            # Nothing to replay: live from now on.
            payloads, top, more = [], meeting.last_seq, False
        else:
            payloads, top, more = await room_db(_replay)(meeting, after)
        # The figures are worked out only for those who may see them (not per member's hello).
        participation = None
        if self.access.can_coordinate or meeting.participation_shared:
            participation = await room_db(self._participation_for_me)()
        return payloads, top, more, live["queue"], refused, participation

    async def _saved(self, payload: dict, result, extra, ref) -> None:
        """Tell the sender it is saved, then broadcast what the service committed (the change,
        then what it moved: the participation figures)."""
        delivered = result.delivered
        if result.pending is not None:
            delivered = await abroadcast(*result.pending)
        for other in extra:
            if other.pending is not None:
                await abroadcast(*other.pending)
            elif isinstance(other, ParticipationDue):
                participation_soon(other.meeting_id)
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
        payload, result, extra = await room_db(_post)(self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_edit(self, content, ref) -> None:
        payload, result, extra = await room_db(_change)("edit", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_delete(self, content, ref) -> None:
        payload, result, extra = await room_db(_change)("delete", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_hide(self, content, ref) -> None:
        payload, result, extra = await room_db(_change)("hide", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_unhide(self, content, ref) -> None:
        payload, result, extra = await room_db(_change)("unhide", self.access, self.user, content)
        await self._saved(payload, result, extra, ref)

    async def on_raise_hand(self, content, ref) -> None:
        await room_db(services.hand_raise)(
            access=self.access, user=self.user, agenda_item_id=content.get("agenda_item")
        )

    async def on_lower_hand(self, content, ref) -> None:
        await room_db(services.hand_lower)(access=self.access, user=self.user)

    async def on_call_speaker(self, content, ref) -> None:
        await room_db(services.speaker_call)(
            access=self.access, user=self.user, entry_id=content.get("entry")
        )

    async def on_finish_speaker(self, content, ref) -> None:
        await room_db(services.speaker_done)(access=self.access, user=self.user)

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
        await room_db(services.meeting_room_settings)(access=self.access, user=self.user, **options)

    async def on_check_in(self, content, ref) -> None:
        code = storable_text(content.get("code"), code="bad_frame")[:20]
        _row, changed = await room_db(services.attendance_check_in)(
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
        payload, result, extra = await room_db(_proposal)(kind, self.access, self.user, content)
        delivered = True
        for done in (result, *extra):
            if done.pending is not None:
                delivered = await abroadcast(*done.pending) and delivered
            elif isinstance(done, ParticipationDue):
                participation_soon(done.meeting_id)
        frame = {"type": "proposal_saved", "proposal": payload["id"], "vote": kind == "vote", "delivered": delivered}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def on_presence(self, content, ref) -> None:
        await self._send_presence()

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
        database thread. This consumer reaches the database only through room_db, which closes
        stale connections itself, so room events go straight to the socket and everything else
        is dispatched without the extra hop."""
        kind = message["type"]
        if kind == ROOM_EVENT:
            await self.room_event(message)
            return
        if kind == presence.PRESENCE_EVENT:
            await self.presence_delta(message)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def room_event(self, event) -> None:
        """Events that carry the room's number (`rev`) reach the client in that order, once:
        two server processes (or two database threads) may publish numbers 6 and 7 the other
        way round, so an event after a gap waits until the gap fills, or is read from the
        database after KAKEHASHI_ROOM_REORDER_SECONDS (a change saved while the layer was down
        is never published)."""
        rev = event.get("rev")
        if rev is not None:
            if self.floor is None:
                if len(self.buffer) < settings.KAKEHASHI_ROOM_REPLAY_LIMIT:
                    self.buffer.append(event)
                return
            if rev <= self.floor:
                return  # already delivered (or in the replay this client received)
            if rev > self.floor + 1 or self.filling:
                self.held[rev] = event
                if self.gap_timer is None and not self.filling:
                    self.gap_timer = self._later(settings.KAKEHASHI_ROOM_REORDER_SECONDS, self._fill_gap)
                return
            self.floor = rev
        await self._send_text(self._event_text(event))
        if rev is not None and self.held:
            await self._deliver_held()

    def _event_text(self, event: dict) -> str:
        """The frame of a room event for this socket: with the readings for a person who reads
        with furigana, when the event has them."""
        if self.furigana and "text_ruby" in event:
            return event["text_ruby"]
        return event["text"]

    async def _send_text(self, text: str) -> None:
        if self.gone:
            return
        try:
            await self.send(text_data=text)
        except Exception:  # noqa: BLE001 - RuntimeError, uvicorn's ClientDisconnected
            # The client has gone and the server already closed the socket; the disconnect
            # handler is on its way.
            self.gone = True

    async def _deliver_held(self) -> None:
        """Send the held events that now follow on, in order; drop those already delivered."""
        for rev in [r for r in self.held if r <= self.floor]:
            del self.held[rev]
        while self.floor + 1 in self.held:
            self.floor += 1
            await self._send_text(self._event_text(self.held.pop(self.floor)))
        if not self.held and self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None

    async def _fill_gap(self) -> None:
        """A number is still missing: read what follows the last delivered one from the database."""
        self.gap_timer = None
        if self.gone or not self.held or self.filling:
            return
        self.filling = True
        try:
            # A copy: _replay refreshes the meeting it is given, while a handler may be using ours.
            # Shared by the sockets of this process missing the same numbers (they all see the
            # same gap at once).
            after = self.floor
            payloads, top, _more = await shared_read(
                ("gap", self.meeting_id, after), lambda: room_db(_replay)(copy.copy(self.access.meeting), after))
            for payload in payloads:
                if payload["rev"] > self.floor:
                    await self._send_text(self._event_text(room_event(payload)))
            self.floor = max([self.floor, top, *(p["rev"] for p in payloads)])
        except Exception:  # noqa: BLE001 - the held events still go out; the client can ask again
            logger.exception("room %s: could not fill a gap after %s", self.meeting_id, self.floor)
            self.floor = max(self.floor, min(self.held) - 1)
        finally:
            self.filling = False
        await self._deliver_held()
        if self.held and self.gap_timer is None:
            self.gap_timer = self._later(settings.KAKEHASHI_ROOM_REORDER_SECONDS, self._fill_gap)

    async def presence_delta(self, event) -> None:
        """Presence deltas reach the client at most one frame per
        KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS, merged; none before its snapshot, and none
        already in it."""
        if self.presence_v is None or self.gone or event["max_v"] <= self.presence_v:
            return
        self.presence_waiting.append(event)
        if self.presence_timer is not None:
            return
        wait = self.presence_sent_at + settings.KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS - time.monotonic()
        if wait <= 0:
            await self._flush_presence()
        else:
            self.presence_timer = self._later(wait, self._flush_presence)

    async def _flush_presence(self) -> None:
        self.presence_timer = None
        waiting, self.presence_waiting = self.presence_waiting, []
        if not waiting or self.gone:
            return
        self.presence_sent_at = time.monotonic()
        if len(waiting) == 1 and waiting[0]["min_v"] > self.presence_v:
            text = waiting[0]["text"]  # the common case: the batch as it came, encoded once
        else:
            changes = [c for e in waiting for c in presence.event_changes(e) if c.v > self.presence_v]
            if not changes:
                return
            text = presence.delta_frame(changes)
        await self._send_text(text)

    async def _forward(self, payload: dict) -> None:
        await self.room_event(room_event(payload))
