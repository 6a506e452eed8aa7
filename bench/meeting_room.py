"""Live meeting room: 200 members over uvicorn + Redis (pub/sub layer) + PostgreSQL, beside a bare re-broadcasting consumer in the same run.

For each of the two (the bare consumer first, then the real room), the members connect through
a real ASGI server (uvicorn, started here on a free port, serving bench/_asgi_bare.py) and ten of
them send 10 messages a second in total for BENCH_SECONDS (default 60). Reported: messages
lost or duplicated (every message must reach every member exactly once), delivery latency
p50/p95/p99, deliveries per second at that rate, and deliveries per second when the senders go
as fast as they can (a short burst). Then one member misses 1,000 messages and reconnects; the
catch-up by sequence number is timed.

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432) where a throwaway
database is created and dropped, and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/6).
Quick run: BENCH_SECONDS=10 BENCH_MEMBERS=50 .venv/bin/python -m bench meeting_room
Profile the server: BENCH_PROFILE=/tmp/room.prof (then `python -m pstats /tmp/room.prof`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RATE = float(os.environ.get("BENCH_RATE", "10"))
SENDERS = 10
BURST = int(os.environ.get("BENCH_BURST", "200"))
MISSED = 1000
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


async def _bench(port: int, cookies: list[str], dsn: str) -> None:
    origin = f"http://127.0.0.1:{port}"
    meeting = cookies.pop()
    bare = await _measure("bare Channels consumer (baseline)", f"ws://127.0.0.1:{port}/ws/bare/", origin, None, False)
    for m in bare.pop("members"):
        await m.close()
    room = await _measure("meeting room (save + sequence + checks)", f"ws://127.0.0.1:{port}/ws/meetings/{meeting}/", origin, cookies, True)
    members = room.pop("members")
    catch_up = await _catch_up(f"ws://127.0.0.1:{port}/ws/meetings/{meeting}/", origin, members, dsn, meeting)
    print(f"{MEMBERS} members, {RATE:g} messages/s for {SECONDS:g} s, then a burst of {BURST}; "
          f"uvicorn ({WORKERS} worker(s), uvloop, websockets-sansio, no per-message deflate) + RedisPubSubChannelLayer + PostgreSQL")
    print(f"{'':<42}{'lost':>6}{'dup':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'deliv/s':>10}{'burst deliv/s':>15}{'vs bare':>9}{'client CPU':>12}")
    for row in (bare, room):
        print(f"{row['label']:<42}{row['missing']:>6}{row['duplicates']:>5}{row['p50']:>9.1f}{row['p95']:>9.1f}"
              f"{row['p99']:>9.1f}{row['rate']:>10.0f}{row['burst_rate']:>15.0f}{row['burst_rate'] / bare['burst_rate']:>9.0%}{row['client_cpu']:>12.0%}")
    elapsed, count, ok = catch_up
    print(f"reconnect after missing {MISSED} messages: {count} replayed in {elapsed * 1000:.0f} ms"
          f" ({'in order, once' if ok else 'NOT in order/once'})")


def run() -> None:
    import psycopg

    pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    name = f"kakehashi_bench_{os.getpid()}"
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"{pg}/{name}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"),
        "CHANNEL_LAYER_PREFIX": f"bench{os.getpid()}",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_LOG_LEVEL": "WARNING",
        "KAKEHASHI_ROOM_RATE_BURST": "100000",
        "KAKEHASHI_ROOM_RATE_PER_SECOND": "100000",
    }
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run([sys.executable, "-m", "bench._room_setup", str(MEMBERS)], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        # BENCH_PROFILE=file.prof: run the server under cProfile (its event loop thread) and
        # write the profile when it stops; read it with `python -m pstats file.prof`.
        profile = os.environ.get("BENCH_PROFILE")
        prefix = ["-m", "cProfile", "-o", profile] if profile else []
        server = subprocess.Popen(
            [sys.executable, *prefix, "-m", "config.serve", "--app", "bench._asgi_bare:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(WORKERS)],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)
        import uvloop

        uvloop.run(_bench(port, [*data["cookies"], data["meeting"]], f"{pg}/{name}"))
    finally:
        if server is not None:
            # uvicorn re-raises the signal after a graceful stop; SIGINT lets cProfile write.
            server.send_signal(signal.SIGINT if os.environ.get("BENCH_PROFILE") else signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')



