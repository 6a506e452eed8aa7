"""Joining a room: 1,000 signed-in members open the room at once, beside a bare consumer doing the same sign-in, access check, accept and one snapshot frame, same server, same run.

Every member opens a websocket with its own session cookie and says hello, all at once, through
uvicorn (one worker) with Redis as the pub/sub layer and PostgreSQL (bench/_room_server.py).
A member is ready when its presence snapshot has arrived (the bare consumer's: its one frame).
Reported: the time until all are ready; what each member received until the room was quiet for
a second (the largest, in KB); whether each member's presence list (snapshot plus deltas,
applied as the room's script applies them) ends with everyone, and no member got two presence
frames within 0.25 s; the server's memory before they came and BENCH_MEMORY_WAIT (30) seconds
after they all left.

BENCH_CLIENTS (default 1000) members; smaller while developing:
BENCH_CLIENTS=200 BENCH_MEMORY_WAIT=10 .venv/bin/python -m bench room_connect
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from bench import load, result

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "1000"))
MEMORY_WAIT = float(os.environ.get("BENCH_MEMORY_WAIT", "30"))
QUIET = 1.0
COALESCE = 0.25


class Client:
    def __init__(self, cookie: str):
        self.cookie = cookie
        self.ws = None
        self.task = None
        self.bytes = 0
        self.ready_at: float | None = None
        self.ready = asyncio.Event()
        self.last_frame = 0.0
        self.people: dict[int, dict] = {}
        self.base = 0
        self.seen: dict[int, int] = {}
        self.presence_times: list[float] = []

    async def open(self, url: str, origin: str, room: bool) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(url, additional_headers=[("Cookie", self.cookie)], origin=origin, max_size=None,
                                ping_interval=None, open_timeout=120, close_timeout=5, max_queue=None)
        self.task = asyncio.create_task(self._read(room))
        await self.ws.send(json.dumps({"type": "hello", "last_seq": 0}))  # as the page does

    async def _read(self, room: bool) -> None:
        try:
            async for raw in self.ws:
                now = time.monotonic()
                self.bytes += len(raw.encode() if isinstance(raw, str) else raw)
                self.last_frame = now
                if not room:
                    self._ready(now)
                    continue
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "presence":
                    self.presence_times.append(now)
                    self.people = {p["user"]: p for p in frame["people"]}
                    self.base, self.seen = frame["v"], {}
                    self._ready(now)
                elif kind == "presence_delta":
                    self.presence_times.append(now)
                    for change, present in [(c, True) for c in frame["joined"]] + [(c, False) for c in frame["left"]]:
                        if change["v"] <= self.base or self.seen.get(change["user"], 0) >= change["v"]:
                            continue
                        self.seen[change["user"]] = change["v"]
                        if present:
                            self.people[change["user"]] = change
                        else:
                            self.people.pop(change["user"], None)
        except Exception:  # noqa: BLE001 - closed
            return

    def _ready(self, now: float) -> None:
        if self.ready_at is None:
            self.ready_at = now
            self.ready.set()

    def crowded(self) -> bool:
        """Two presence frames closer than the coalescing interval (a little timing slack)."""
        times = self.presence_times
        return any(b - a < COALESCE * 0.8 for a, b in zip(times, times[1:], strict=False))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.wait([self.task], timeout=10)


async def _wave(url: str, origin: str, cookies: list[str], room: bool) -> tuple[float, list[Client]]:
    clients = [Client(c) for c in cookies]
    started = time.monotonic()
    await asyncio.gather(*(c.open(url, origin, room) for c in clients))
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), timeout=300)
    ready = max(c.ready_at for c in clients) - started
    while time.monotonic() - max(c.last_frame for c in clients) < QUIET:
        await asyncio.sleep(0.2)
    return ready, clients


async def _close(clients: list[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients))


async def _bench(server) -> None:
    cookies = server.cookies[:CLIENTS]
    room_url = server.url(f"/ws/meetings/{server.meeting}/")
    bare_url = server.url(f"/ws/bare-room/{server.meeting}/")
    # Warm up both routes (imports, connections to PostgreSQL and Redis).
    for url, room in ((bare_url, False), (room_url, True)):
        _ready, few = await _wave(url, server.origin, cookies[:5], room)
        await _close(few)
    await asyncio.sleep(2)
    rss_start = server.rss_kb()

    room_ready, clients = await _wave(room_url, server.origin, cookies, True)
    largest = max(clients, key=lambda c: len(c.people))
    everyone = set(largest.people)
    complete = sum(1 for c in clients if set(c.people) == everyone)
    crowded = sum(1 for c in clients if c.crowded())
    room_kb = max(c.bytes for c in clients) / 1024
    room_kb_mean = sum(c.bytes for c in clients) / len(clients) / 1024
    rss_full = server.rss_kb()
    await _close(clients)
    await asyncio.sleep(MEMORY_WAIT)
    rss_after = server.rss_kb()

    bare_ready, bare_clients = await _wave(bare_url, server.origin, cookies, False)
    bare_kb = max(c.bytes for c in bare_clients) / 1024
    await _close(bare_clients)

    print(f"{len(cookies)} members opening one room at once; uvicorn (1 worker) + RedisPubSubChannelLayer + PostgreSQL")
    print(f"{'':<44}{'all ready s':>12}{'KB/member max':>15}{'KB mean':>9}")
    print(f"{'bare: sign-in + access + accept + 1 frame':<44}{bare_ready:>12.2f}{bare_kb:>15.1f}{bare_kb:>9.1f}")
    print(f"{'meeting room (history, queue, presence)':<44}{room_ready:>12.2f}{room_kb:>15.1f}{room_kb_mean:>9.1f}")
    print(f"presence: {complete} of {len(clients)} members end with all {len(everyone)} people; "
          f"{crowded} got two presence frames within {COALESCE} s")
    print(f"server memory: {rss_start / 1024:.0f} MB before, {rss_full / 1024:.0f} MB with everyone, "
          f"{rss_after / 1024:.0f} MB {MEMORY_WAIT:g} s after they left; {load()}")
    n = len(cookies)
    result("room_connect", "ready", room_ready, "s", bare_ready, "<=3s", room_ready <= 3)
    result("room_connect", "received_per_member", room_kb, "KB", bare_kb, "<=80KB", room_kb <= 80)
    # The 0.25 s limit is the server's (tests/collaboration/test_room_presence.py); measured here
    # at a client that shares the machine, frames read late arrive bunched, so it is shown, not judged.
    result("room_connect", "presence_complete", complete, "", n, f"all_{n}_end_with_everyone",
           complete == n and len(everyone) == n)
    result("room_connect", "memory_after_leaving", rss_after / 1024, "MB", rss_start / 1024, "<=1.10x_start",
           rss_after <= rss_start * 1.10)


def run() -> None:
    import uvloop

    from bench._room_server import room_server

    with room_server(CLIENTS) as server:
        uvloop.run(_bench(server))
