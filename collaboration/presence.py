"""Who is in a meeting's room now, kept where the channel layer is (Redis, or this process
without it), changed by small deltas and never re-read from the database.

In Redis, per meeting (`<layer prefix>:presence:<meeting>:…`): `conns`, a sorted set of the
open sockets (channel names) scored by when they expire; `chan`, channel → person; `people`,
person → their entry as JSON (`{"user", "name", "sector"}`); `tabs`, person → open sockets; and
`v`, a counter taken by every change of who is here. Each change is one Lua script, so two
server processes sharing Redis agree on who arrived first and who left last. Every process
refreshes its own sockets' expiry (`KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS`); the sockets of
a process that died expire after `KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS` and are swept as leaves
by the next heartbeat or snapshot of any process.

Deltas: a person's first socket makes them join, their last one makes them leave; each carries
the counter `v` it took. A snapshot carries the counter it was read at, so a client applies
only deltas newer than it (and, per person, newer than the last delta it applied): the snapshot
and the deltas agree however the deltas of two processes interleave. Each process sends the
deltas of its own sockets at most every KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS per meeting,
batched (`PresenceOutbox`); each socket again sends at most one presence frame per interval.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from django.conf import settings

logger = logging.getLogger(__name__)

PRESENCE_EVENT = "presence.delta"

# KEYS: conns chan people tabs v. Each script refreshes the keys' own expiry, so the keys of a
# meeting nobody is in any more vanish by themselves.
_LUA_COMMON = """
local now = tonumber(redis.call('TIME')[1])
local function leave(channel)
  if redis.call('ZREM', KEYS[1], channel) == 0 then return nil end
  local user = redis.call('HGET', KEYS[2], channel)
  redis.call('HDEL', KEYS[2], channel)
  if not user then return nil end
  if redis.call('HINCRBY', KEYS[4], user, -1) <= 0 then
    redis.call('HDEL', KEYS[4], user)
    redis.call('HDEL', KEYS[3], user)
    return redis.call('INCR', KEYS[5])
  end
  return nil
end
local function join(channel, user, person, ttl)
  if redis.call('ZADD', KEYS[1], now + ttl, channel) == 0 then return nil end
  redis.call('HSET', KEYS[2], channel, user)
  redis.call('HSET', KEYS[3], user, person)
  if redis.call('HINCRBY', KEYS[4], user, 1) == 1 then return redis.call('INCR', KEYS[5]) end
  return nil
end
local function sweep(out)
  for _, channel in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)) do
    local user = redis.call('HGET', KEYS[2], channel)
    local v = leave(channel)
    if v then table.insert(out, {'left', user, v}) end
  end
end
local function keep(ttl)
  for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl * 4) end
end
"""

# ARGV: ttl, channel, user, person → {'joined', user, v} or {}
_LUA_JOIN = _LUA_COMMON + """
local ttl = tonumber(ARGV[1])
local out = {}
local v = join(ARGV[2], ARGV[3], ARGV[4], ttl)
keep(ttl)
if v then return {'joined', ARGV[3], v} end
return out
"""

# ARGV: channel → {'left', user, v} or {}
_LUA_LEAVE = _LUA_COMMON + """
local user = redis.call('HGET', KEYS[2], ARGV[1])
local v = leave(ARGV[1])
if v then return {'left', user, v} end
return {}
"""

# ARGV: ttl, then channel, user, person for each socket of this process → the changes made:
# sockets refreshed, sockets missing (swept while this process stalled) joined again, and the
# expired sockets of other processes swept.
_LUA_HEARTBEAT = _LUA_COMMON + """
local ttl = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 3 do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + ttl, ARGV[i]) == 0
     and not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    local v = join(ARGV[i], ARGV[i + 1], ARGV[i + 2], ttl)
    if v then table.insert(out, {'joined', ARGV[i + 1], v}) end
  end
end
sweep(out)
keep(ttl)
return out
"""

# → {v, people (their JSON entries joined with ", ": one string, not a list to parse per
# person), swept changes}
_LUA_SNAPSHOT = _LUA_COMMON + """
local out = {}
sweep(out)
local v = tonumber(redis.call('GET', KEYS[5]) or '0')
return {v, table.concat(redis.call('HVALS', KEYS[3]), ', '), out}
"""

# → the people with an unexpired socket (read only)
_LUA_USERS = """
local now = tonumber(redis.call('TIME')[1])
local channels = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
if #channels == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(channels))
"""


def person_entry(user, sector: str) -> str:
    """A person as every client sees them in the presence list, encoded once."""
    return json.dumps({"user": user.pk, "name": str(user), "sector": sector}, ensure_ascii=False)


@dataclass
class Change:
    """One change of who is here: `kind` is "joined" or "left"; `person` the entry (joined)."""

    kind: str
    user: int
    v: int
    person: str | None = None


def _changes(rows, people: dict[str, str]) -> list[Change]:
    out = []
    for kind, user, v in rows:
        kind = kind.decode() if isinstance(kind, bytes) else kind
        user = int(user)
        out.append(Change(kind, user, int(v), people.get(str(user)) if kind == "joined" else None))
    return out


def _redis_target() -> tuple[str, str] | None:
    """(Redis URL, key prefix) of the channel layer when it is a Redis one, else None."""
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if "channels_redis" not in layer.get("BACKEND", ""):
        return None
    config = layer.get("CONFIG", {})
    host = config["hosts"][0]
    address = host["address"] if isinstance(host, dict) else host
    if not isinstance(address, str):
        address = f"redis://{address[0]}:{address[1]}/0"
    return address, config.get("prefix", "asgi")


class RedisPresence:
    """Presence in Redis, shared by every server process using it."""

    def __init__(self, url: str, prefix: str):
        import redis
        import redis.asyncio

        timeout = settings.KAKEHASHI_ROOM_PRESENCE_TIMEOUT_SECONDS
        self.prefix = prefix
        self.url = url
        # A blocking pool: a thousand members joining at once wait their turn for a connection
        # instead of failing with MaxConnectionsError.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, max_connections=32, timeout=timeout)
        self.client = redis.asyncio.Redis(connection_pool=pool)
        self._join = self.client.register_script(_LUA_JOIN)
        self._leave = self.client.register_script(_LUA_LEAVE)
        self._heartbeat = self.client.register_script(_LUA_HEARTBEAT)
        self._snapshot = self.client.register_script(_LUA_SNAPSHOT)
        self._sync = None
        self._sync_lock = threading.Lock()
        self._redis = redis

    def keys(self, meeting_id: int) -> list[str]:
        base = f"{self.prefix}:presence:{int(meeting_id)}"
        return [f"{base}:conns", f"{base}:chan", f"{base}:people", f"{base}:tabs", f"{base}:v"]

    async def join(self, meeting_id: int, channel: str, user_id: int, person: str) -> list[Change]:
        ttl = settings.KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS
        row = await self._join(keys=self.keys(meeting_id), args=[ttl, channel, user_id, person])
        return _changes([row] if row else [], {str(user_id): person})

    async def leave(self, meeting_id: int, channel: str) -> list[Change]:
        row = await self._leave(keys=self.keys(meeting_id), args=[channel])
        return _changes([row] if row else [], {})

    async def heartbeat(self, meeting_id: int, sockets: dict[str, tuple[int, str]]) -> list[Change]:
        ttl = settings.KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS
        args: list = [ttl]
        people = {}
        for channel, (user_id, person) in sockets.items():
            args += [channel, user_id, person]
            people[str(user_id)] = person
        return _changes(await self._heartbeat(keys=self.keys(meeting_id), args=args), people)

    async def snapshot(self, meeting_id: int) -> tuple[int, str, list[Change]]:
        v, people, swept = await self._snapshot(keys=self.keys(meeting_id))
        return int(v), people.decode(), _changes(swept, {})

    def user_ids(self, meeting_id: int) -> set[int]:
        with self._sync_lock:
            if self._sync is None:
                timeout = settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT
                self._sync = self._redis.Redis.from_url(self.url, socket_timeout=timeout,
                                                        socket_connect_timeout=timeout)
                self._sync_users = self._sync.register_script(_LUA_USERS)
        return {int(u) for u in self._sync_users(keys=self.keys(meeting_id)[:2]) if u is not None}


class MemoryPresence:
    """Presence in this process (no Redis: the embedded default, one process only). Nothing
    expires: the process's sockets die with it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rooms: dict[int, dict] = {}

    def _room(self, meeting_id: int) -> dict:
        return self.rooms.setdefault(meeting_id, {"chan": {}, "people": {}, "tabs": {}, "v": 0})

    async def join(self, meeting_id: int, channel: str, user_id: int, person: str) -> list[Change]:
        with self.lock:
            room = self._room(meeting_id)
            if channel in room["chan"]:
                return []
            room["chan"][channel] = user_id
            room["people"][user_id] = person
            room["tabs"][user_id] = room["tabs"].get(user_id, 0) + 1
            if room["tabs"][user_id] > 1:
                return []
            room["v"] += 1
            return [Change("joined", user_id, room["v"], person)]

    async def leave(self, meeting_id: int, channel: str) -> list[Change]:
        with self.lock:
            room = self._room(meeting_id)
            user_id = room["chan"].pop(channel, None)
            if user_id is None:
                return []
            room["tabs"][user_id] -= 1
            if room["tabs"][user_id] > 0:
                return []
            del room["tabs"][user_id], room["people"][user_id]
            room["v"] += 1
            change = Change("left", user_id, room["v"])
            return [change]

    async def heartbeat(self, meeting_id: int, sockets) -> list[Change]:
        return []

    async def snapshot(self, meeting_id: int) -> tuple[int, str, list[Change]]:
        with self.lock:
            room = self._room(meeting_id)
            return room["v"], ", ".join(room["people"].values()), []

    def user_ids(self, meeting_id: int) -> set[int]:
        with self.lock:
            room = self.rooms.get(meeting_id)
            return set(room["people"]) if room else set()


_memory = MemoryPresence()
_redis_stores: dict[tuple, RedisPresence] = {}
_stores_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def store():
    """The presence store for this event loop (a Redis client is bound to the loop it was made
    on) and the channel layer configured now."""
    target = _redis_target()
    if target is None:
        return _memory
    loop = asyncio.get_running_loop()
    by_target = _stores_by_loop.setdefault(loop, {})
    found = by_target.get(target)
    if found is None:
        found = by_target[target] = RedisPresence(*target)
    return found


def present_user_ids(meeting_id: int) -> set[int]:
    """Who has the room open now (sync: for services in a worker thread). Empty when Redis
    cannot be reached: then everyone counts as away (a mention is emailed, for example)."""
    target = _redis_target()
    if target is None:
        return _memory.user_ids(meeting_id)
    found = _redis_stores.get(target)
    if found is None:
        found = _redis_stores.setdefault(target, RedisPresence(*target))
    try:
        return found.user_ids(meeting_id)
    except Exception:  # noqa: BLE001 - presence is advisory
        logger.warning("presence: Redis unavailable, nobody counts as in room %s", meeting_id)
        return set()


# Outgoing deltas, batched per meeting and process -------------------------------------------


def delta_frame(changes: list[Change]) -> str:
    """The `presence_delta` frame for these changes (the latest per person), as sent."""
    latest: dict[int, Change] = {}
    for change in changes:
        if change.user not in latest or latest[change.user].v < change.v:
            latest[change.user] = change
    joined, left = [], []
    for change in sorted(latest.values(), key=lambda c: c.v):
        if change.kind == "joined" and change.person is not None:
            joined.append(f'{change.person[:-1]}, "v": {change.v}}}')
        elif change.kind == "left":
            left.append(f'{{"user": {change.user}, "v": {change.v}}}')
    return f'{{"type": "presence_delta", "joined": [{", ".join(joined)}], "left": [{", ".join(left)}]}}'


def delta_event(changes: list[Change]) -> dict:
    """The channel-layer event: the changes (to merge) and the frame (to forward unchanged)."""
    return {
        "type": PRESENCE_EVENT,
        "min_v": min(c.v for c in changes),
        "max_v": max(c.v for c in changes),
        "changes": [[c.kind, c.user, c.v, c.person] for c in changes],
        "text": delta_frame(changes),
    }


def event_changes(event: dict) -> list[Change]:
    return [Change(kind, user, v, person) for kind, user, v, person in event["changes"]]


@dataclass
class _Outbox:
    pending: dict[int, list[Change]] = field(default_factory=dict)
    sent_at: dict[int, float] = field(default_factory=dict)
    timers: dict[int, asyncio.TimerHandle] = field(default_factory=dict)
    # meeting → {channel: (user id, entry)}: this process's sockets, for the heartbeat
    sockets: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)
    heartbeat: asyncio.Task | None = None
    tasks: set = field(default_factory=set)


_outboxes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _outbox() -> _Outbox:
    loop = asyncio.get_running_loop()
    box = _outboxes.get(loop)
    if box is None:
        box = _outboxes[loop] = _Outbox()
    return box


def _queue(meeting_id: int, changes: list[Change]) -> None:
    """Send these changes with the meeting's next batch: now when the last batch left at least
    an interval ago, else when the interval is over."""
    if not changes:
        return
    box = _outbox()
    box.pending.setdefault(meeting_id, []).extend(changes)
    if meeting_id in box.timers:
        return
    interval = settings.KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS
    wait = box.sent_at.get(meeting_id, 0.0) + interval - time.monotonic()
    loop = asyncio.get_running_loop()

    def start() -> None:
        task = loop.create_task(_flush(box, meeting_id))
        box.tasks.add(task)
        task.add_done_callback(box.tasks.discard)

    box.timers[meeting_id] = loop.call_later(max(0.0, wait), start)


async def _flush(box: _Outbox, meeting_id: int) -> None:
    from channels.layers import get_channel_layer

    from .realtime import meeting_group_name

    box.timers.pop(meeting_id, None)
    changes = box.pending.pop(meeting_id, [])
    box.sent_at[meeting_id] = time.monotonic()
    if not changes:
        return
    try:
        await asyncio.wait_for(get_channel_layer().group_send(meeting_group_name(meeting_id), delta_event(changes)),
                               timeout=settings.KAKEHASHI_ROOM_PRESENCE_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - members catch up with the next snapshot (hello)
        logger.warning("presence delta for meeting %s not sent: %r", meeting_id, error)
    if not box.sockets.get(meeting_id):
        box.sent_at.pop(meeting_id, None)


async def _call(coroutine, what: str, meeting_id: int):
    try:
        return await asyncio.wait_for(coroutine, timeout=settings.KAKEHASHI_ROOM_PRESENCE_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - presence never takes the room down
        logger.warning("presence %s failed for meeting %s: %r", what, meeting_id, error)
        return None


async def presence_join(*, meeting_id: int, channel_name: str, user, sector: str) -> None:
    """Record one open socket; the room hears of the person if it is their first."""
    person = person_entry(user, sector)
    box = _outbox()
    box.sockets.setdefault(meeting_id, {})[channel_name] = (user.pk, person)
    if box.heartbeat is None or box.heartbeat.done():
        box.heartbeat = asyncio.get_running_loop().create_task(_heartbeat(box))
    changes = await _call(store().join(meeting_id, channel_name, user.pk, person), "join", meeting_id)
    _queue(meeting_id, changes or [])


async def presence_leave(*, meeting_id: int, channel_name: str) -> None:
    """Forget one socket; the room hears the person left if it was their last."""
    box = _outbox()
    mine = box.sockets.get(meeting_id, {})
    mine.pop(channel_name, None)
    if not mine:
        box.sockets.pop(meeting_id, None)
    changes = await _call(store().leave(meeting_id, channel_name), "leave", meeting_id)
    _queue(meeting_id, changes or [])


async def presence_snapshot(meeting_id: int) -> tuple[int, str] | tuple[None, None]:
    """The counter and the `presence` frame (everyone here now, with the counter it was read
    at), as sent; (None, None) when Redis cannot be reached. Sockets found expired on the way
    are sent as leaves."""
    found = await _call(store().snapshot(meeting_id), "snapshot", meeting_id)
    if found is None:
        return None, None
    v, people, swept = found
    _queue(meeting_id, swept)
    return v, f'{{"type": "presence", "v": {v}, "people": [{people}]}}'


async def _heartbeat(box: _Outbox) -> None:
    while box.sockets:
        await asyncio.sleep(settings.KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS)
        for meeting_id, sockets in list(box.sockets.items()):
            if sockets:
                changes = await _call(store().heartbeat(meeting_id, dict(sockets)), "heartbeat", meeting_id)
                _queue(meeting_id, changes or [])
