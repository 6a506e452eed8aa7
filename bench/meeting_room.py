"""Live meeting room: 200 members over uvicorn + Redis (pub/sub layer) + PostgreSQL, beside bare re-broadcasting consumers (Channels' stock dispatch, and with the room's dispatch shortcut) in the same run, on a quiet machine and with the other core busy.

For each of the three (stock bare, fair bare, the real room), the members connect through a real
ASGI server (uvicorn, started here on BENCH_PORT or a free port, serving bench/_asgi_bare.py) and
ten of them send 10 messages a second in total for BENCH_SECONDS (default 30). Reported: messages
lost or duplicated (every message must reach every member exactly once), delivery latency
p50/p95/p99, deliveries per second at that rate, and deliveries per second when the senders go
as fast as they can (a burst). The stock bare consumer keeps Channels' hop to the database thread
before every event, which the room skips: the room's ratios are to the fair bare consumer, which
skips it too. All three run twice: on the machine as it is, then with a process spinning on one
core (CPU contention). Then one member misses 1,000 messages and reconnects; the catch-up by
sequence number is timed.

Environment (bench/__init__.py): BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_PORT, BENCH_SECONDS;
BENCH_MEMBERS (200), BENCH_RATE (10), BENCH_BURST (200), BENCH_WORKERS (1), BENCH_BUSY (both:
quiet then busy; 0: quiet only; 1: busy only).
Quick run: BENCH_SECONDS=10 BENCH_MEMBERS=50 .venv/bin/python -m bench meeting_room
Profile the server: BENCH_PROFILE=/tmp/room.prof (then `python -m pstats /tmp/room.prof`).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from bench import env_seconds, load, result

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "200"))
SECONDS = env_seconds(30)
RATE = float(os.environ.get("BENCH_RATE", "10"))
SENDERS = 10
BURST = int(os.environ.get("BENCH_BURST", "200"))
MISSED = 1000
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
BUSY = os.environ.get("BENCH_BUSY", "both")


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


class Member:
    def __init__(self, index: int, cookie: str | None):
        self.index = index
        self.cookie = cookie
        self.ws = None
        self.counts: dict[str, int] = {}
        self.latencies: list[float] = []
        self.last_delivery = 0.0
        self.max_rev = 0
        self.saved = 0
        self.task = None
        self.history = None
        self.history_event = asyncio.Event()
        self.frames = 0

    async def connect(self, url: str, origin: str, room: bool) -> None:
        from websockets.asyncio.client import connect

        headers = [("Cookie", self.cookie)] if self.cookie else []
        self.ws = await connect(url, additional_headers=headers, origin=origin, max_size=None,
                                ping_interval=None, open_timeout=60, max_queue=None)
        self.task = asyncio.create_task(self._read(room))

    async def _read(self, room: bool) -> None:
        try:
            async for raw in self.ws:
                now = time.monotonic()
                self.frames += 1
                frame = json.loads(raw)
                if room:
                    kind = frame.get("type")
                    if kind == "history":
                        self.history = frame
                        self.history_event.set()
                        continue
                    if kind == "saved":
                        self.saved += 1
                        continue
                    if kind != "message":
                        continue
                    self.max_rev = max(self.max_rev, frame["rev"])
                    tag, key, sent = frame["body"].split("|")
                else:
                    key, sent = frame["k"], frame["t"]
                self.counts[key] = self.counts.get(key, 0) + 1
                self.latencies.append(now - float(sent))
                self.last_delivery = now
        except Exception:  # noqa: BLE001 - closed
            return

    def frame(self, room: bool, key: str) -> str:
        sent = time.monotonic()
        if room:
            return json.dumps({"type": "message", "body": f"bench|{key}|{sent}"})
        return json.dumps({"type": "message", "k": key, "t": sent})

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.wait([self.task], timeout=5)


async def _connect_all(members, url, origin, room):
    gate = asyncio.Semaphore(20)

    async def one(member):
        async with gate:
            await member.connect(url, origin, room)
            if room:
                await member.ws.send(json.dumps({"type": "hello"}))

    await asyncio.gather(*(one(m) for m in members))
    # Let the join traffic (presence) settle: quiet for one second.
    seen = -1
    while seen != sum(m.frames for m in members):
        seen = sum(m.frames for m in members)
        await asyncio.sleep(1)


async def _wait_delivered(members, keys: set[str], timeout: float) -> None:
    """Until every member has every message, or nothing new has arrived for `timeout` seconds
    (so "lost" means lost, not merely late)."""
    seen, quiet_since = -1, time.monotonic()
    while True:
        if all(len(m.counts.keys() & keys) == len(keys) for m in members):
            return
        now_seen = sum(len(m.latencies) for m in members)
        if now_seen != seen:
            seen, quiet_since = now_seen, time.monotonic()
        elif time.monotonic() - quiet_since > timeout:
            return
        await asyncio.sleep(0.1)


def _check(members, keys: set[str]) -> tuple[int, int]:
    missing = sum(len(keys - m.counts.keys()) for m in members)
    duplicates = sum(max(0, m.counts.get(k, 0) - 1) for m in members for k in keys)
    return missing, duplicates


async def _measure(label, url, origin, cookies, room) -> dict:
    members = [Member(i, cookies[i] if cookies else None) for i in range(MEMBERS)]
    await _connect_all(members, url, origin, room)
    senders = members[:SENDERS]
    # Fixed rate: RATE messages a second from SENDERS members in turn.
    total = int(SECONDS * RATE)
    keys = {f"r{i}" for i in range(total)}
    cpu_start = time.process_time()
    start = time.monotonic()
    for i in range(total):
        target = start + i / RATE
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sender = senders[i % SENDERS]
        await sender.ws.send(sender.frame(room, f"r{i}"))
    await _wait_delivered(members, keys, 10)
    end = max(m.last_delivery for m in members)
    client_cpu = (time.process_time() - cpu_start) / (time.monotonic() - start)
    missing, duplicates = _check(members, keys)
    latencies = [x for m in members for x in m.latencies]
    delivered = len(latencies)
    result = {
        "label": label, "missing": missing, "duplicates": duplicates,
        "p50": _percentile(latencies, 50) * 1000, "p95": _percentile(latencies, 95) * 1000,
        "p99": _percentile(latencies, 99) * 1000, "rate": delivered / (end - start),
        "client_cpu": client_cpu,
    }
    # Burst: every sender as fast as it can, BURST messages in all.
    for m in members:
        m.latencies.clear()
    burst_keys = [f"b{i}" for i in range(BURST)]
    start = time.monotonic()

    async def fire(sender, mine):
        for key in mine:
            await sender.ws.send(sender.frame(room, key))

    await asyncio.gather(*(fire(s, burst_keys[n::SENDERS]) for n, s in enumerate(senders)))
    await _wait_delivered(members, set(burst_keys), 10)
    end = max(m.last_delivery for m in members)
    b_missing, b_duplicates = _check(members, set(burst_keys))
    result["burst_rate"] = sum(len(m.latencies) for m in members) / (end - start)
    result["missing"] += b_missing
    result["duplicates"] += b_duplicates
    result["members"] = members
    return result


def _last_seq(dsn: str, meeting: int) -> int:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT last_seq FROM collaboration_meeting WHERE id = %s", [meeting]).fetchone()[0]


async def _catch_up(url, origin, members, dsn, meeting) -> tuple[float, int, bool]:
    """Member 0 leaves; 1,000 messages are posted (and committed) while it is away; it comes back
    with the last number it saw and asks for the rest. Timed from connect to the full replay."""
    away, sender = members[0], members[1]
    for m in members[2:]:
        await m.close()
    await away.close()
    last = await asyncio.to_thread(_last_seq, dsn, meeting)
    for i in range(MISSED):
        await sender.ws.send(sender.frame(True, f"m{i}"))
    deadline = time.monotonic() + 120
    while await asyncio.to_thread(_last_seq, dsn, meeting) < last + MISSED and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    back = Member(0, away.cookie)
    started = time.monotonic()
    await back.connect(url, origin, True)
    await back.ws.send(json.dumps({"type": "hello", "last_seq": last}))
    await asyncio.wait_for(back.history_event.wait(), 30)
    elapsed = time.monotonic() - started
    seqs = [m["seq"] for m in back.history["messages"]]
    in_order_once = seqs == list(range(last + 1, last + MISSED + 1))
    await back.close()
    await sender.close()
    return elapsed, len(seqs), in_order_once


async def _bench(server) -> None:
    from bench._room_server import busy_core

    room_path = f"/ws/meetings/{server.meeting}/"
    kinds = (
        ("stock", "bare consumer, Channels' stock dispatch", "/ws/bare/", False),
        ("fair", "bare consumer, the room's dispatch shortcut", "/ws/bare-fair/", False),
        ("room", "meeting room (save + sequence + checks)", room_path, True),
    )
    passes = {"both": (False, True), "0": (False,), "1": (True,)}[BUSY]
    print(f"{MEMBERS} members, {RATE:g} messages/s for {SECONDS:g} s, then a burst of {BURST}; "
          f"uvicorn ({WORKERS} worker(s), uvloop, websockets-sansio, no per-message deflate) + RedisPubSubChannelLayer + PostgreSQL")
    catch_up = None
    for busy in passes:
        condition = "other core busy" if busy else "as the machine is"
        rows = {}
        with busy_core(busy):
            print(f"-- {condition}: {load()}", flush=True)
            for key, label, path, room in kinds:
                rows[key] = await _measure(label, server.url(path), server.origin, server.cookies if room else None, room)
                members = rows[key].pop("members")
                if room and catch_up is None and not busy:
                    catch_up = await _catch_up(server.url(path), server.origin, members, server.dsn, server.meeting)
                else:
                    for m in members:
                        await m.close()
            print(f"-- after: {load()}", flush=True)
        fair = rows["fair"]
        print(f"{condition}:")
        print(f"{'':<48}{'lost':>6}{'dup':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'deliv/s':>10}"
              f"{'burst deliv/s':>15}{'burst vs fair':>15}{'p95 vs fair':>13}{'client CPU':>12}")
        for row in rows.values():
            print(f"{row['label']:<48}{row['missing']:>6}{row['duplicates']:>5}{row['p50']:>9.1f}{row['p95']:>9.1f}"
                  f"{row['p99']:>9.1f}{row['rate']:>10.0f}{row['burst_rate']:>15.0f}"
                  f"{row['burst_rate'] / fair['burst_rate']:>15.2f}{row['p95'] / fair['p95']:>13.2f}{row['client_cpu']:>12.0%}")
        room_row = rows["room"]
        tag = "busy" if busy else "quiet"
        intact = room_row["missing"] == 0 and room_row["duplicates"] == 0
        result("meeting_room", f"burst_deliveries_{tag}", room_row["burst_rate"], "/s", fair["burst_rate"],
               ">=0.9x_fair_bare", intact and room_row["burst_rate"] >= 0.9 * fair["burst_rate"])
        result("meeting_room", f"p95_{tag}", room_row["p95"], "ms", fair["p95"], "<=1.2x_fair_bare",
               intact and room_row["p95"] <= 1.2 * fair["p95"])
        result("meeting_room", f"stock_bare_p95_{tag}", rows["stock"]["p95"], "ms", fair["p95"],
               "for_the_record", True)
    if catch_up is not None:
        elapsed, count, ok = catch_up
        print(f"reconnect after missing {MISSED} messages: {count} replayed in {elapsed * 1000:.0f} ms"
              f" ({'in order, once' if ok else 'NOT in order/once'})")


def run() -> None:
    import uvloop

    from bench._room_server import room_server

    with room_server(MEMBERS, workers=WORKERS) as server:
        uvloop.run(_bench(server))
