"""The room sockets open in this process: a cap per person, and telling every one of them when
the channel layer goes down and when it is back.

Kept in the process, not in Redis: what a socket costs (memory, a file descriptor, a share of the
event loop) is the process's, the count dies with the process (a crash leaves no stale count that
would lock a person out), and it keeps working while Redis is down. With N server processes a
person can hold at most N times the cap, which is still bounded.

One registry per event loop (a server process has one; each test has its own).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import weakref
from dataclasses import dataclass, field

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

PROBE_GROUP = "roomwatch"


@dataclass
class _Registry:
    by_user: dict[int, list] = field(default_factory=dict)  # user id -> [(meeting id, consumer)]
    degraded: bool = False
    watch: asyncio.Task | None = None
    count: int = 0  # open room sockets
    peak: int = 0  # the most since memory was last given back
    trim: asyncio.TimerHandle | None = None


_registries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _registry() -> _Registry:
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    if registry is None:
        registry = _registries[loop] = _Registry()
    return registry


def _consumers(registry: _Registry) -> list:
    return [consumer for sockets in registry.by_user.values() for _, consumer in sockets]


def socket_register(consumer, *, user_id: int, meeting_id: int) -> bool:
    """Count one more open room socket for this person; False (and nothing counted) when they
    already hold KAKEHASHI_ROOM_MAX_SOCKETS_PER_MEETING in this meeting or
    KAKEHASHI_ROOM_MAX_SOCKETS_PER_USER in all, in this process."""
    registry = _registry()
    mine = registry.by_user.setdefault(user_id, [])
    in_meeting = sum(1 for meeting, _ in mine if meeting == meeting_id)
    if in_meeting >= settings.KAKEHASHI_ROOM_MAX_SOCKETS_PER_MEETING or len(mine) >= settings.KAKEHASHI_ROOM_MAX_SOCKETS_PER_USER:
        if not mine:
            del registry.by_user[user_id]
        return False
    mine.append((meeting_id, consumer))
    registry.count += 1
    registry.peak = max(registry.peak, registry.count)
    if registry.watch is None or registry.watch.done():
        registry.watch = asyncio.get_running_loop().create_task(_watch(registry))
    return True


def socket_unregister(consumer, *, user_id: int) -> None:
    registry = _registry()
    before = registry.by_user.get(user_id, [])
    mine = [entry for entry in before if entry[1] is not consumer]
    registry.count -= len(before) - len(mine)
    if registry.peak >= TRIM_AFTER and registry.count <= registry.peak // 2:
        _give_back_later(registry)
    if mine:
        registry.by_user[user_id] = mine
    else:
        registry.by_user.pop(user_id, None)
    if not registry.by_user and registry.watch is not None:
        registry.watch.cancel()
        registry.watch = None


# After a crowd leaves (half the sockets of a peak of at least this many gone), the process gives
# the memory they used back to the system: CPython's allocator and glibc's malloc keep freed
# memory for reuse, so without it a room of a thousand leaves the process 50 MB larger.
TRIM_AFTER = 100


def _give_back_later(registry: _Registry) -> None:
    registry.peak = registry.count
    if registry.trim is not None:
        registry.trim.cancel()
    registry.trim = asyncio.get_running_loop().call_later(2.0, _give_back, registry)


def _give_back(registry: _Registry) -> None:
    registry.trim = None
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def layer_is_degraded() -> bool:
    return _registry().degraded


async def layer_failed() -> None:
    """A broadcast from this process failed: every room socket here is told at once (the
    watcher tells them again when the layer is back)."""
    await _set_degraded(_registry(), True)


async def _set_degraded(registry: _Registry, degraded: bool) -> None:
    if registry.degraded == degraded:
        return
    registry.degraded = degraded
    if degraded:
        logger.warning("channel layer unavailable: %d room socket(s) told", len(_consumers(registry)))
    else:
        logger.info("channel layer back: %d room socket(s) told to catch up", len(_consumers(registry)))
    for consumer in _consumers(registry):
        try:
            await consumer.layer_state(degraded=degraded)
        except Exception:  # noqa: BLE001 - one closed socket never stops the others being told
            logger.debug("could not tell a room socket about the layer", exc_info=True)


async def _probe() -> bool:
    """Whether a group send goes through now (to a group nobody is in: the same path as a
    room's broadcast, delivered to no one)."""
    try:
        await asyncio.wait_for(
            get_channel_layer().group_send(PROBE_GROUP, {"type": "room.probe"}),
            timeout=settings.KAKEHASHI_ROOM_BROADCAST_TIMEOUT,
        )
    except Exception:  # noqa: BLE001 - any failure is "down"
        return False
    return True


async def _watch(registry: _Registry) -> None:
    while registry.by_user:
        await asyncio.sleep(settings.KAKEHASHI_ROOM_LAYER_CHECK_SECONDS)
        await _set_degraded(registry, not await _probe())
