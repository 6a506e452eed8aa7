"""One room served by two uvicorn processes sharing one Redis (the pub/sub layer) and the test's
PostgreSQL database: real processes, real sockets, nothing in between.

Members are split between the two servers and post from both at once. Each member must get every
message once and in the room's order (the numbers two processes take can be published the other
way round), and see everyone in the presence list whichever process they are on. When one
process dies without closing anything, the members on the other see its people leave once their
presence entries expire.

Needs PostgreSQL (DATABASE_URL; both servers open the test database) and a redis-server binary
(a Redis of the test's own, tests/processes.py). With REQUIRE_SERVICES=1 (CI) a missing one fails.
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

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from collaboration.models import MeetingInvitation, Sector
from tests.processes import free_port, started_redis

from .conftest import session_cookie

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PER_SENDER = 40


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("two server processes need PostgreSQL (REQUIRE_SERVICES=1)")
        pytest.skip("two server processes share one database: needs PostgreSQL (DATABASE_URL)")


class Server:
    """`python -m config.serve` on a free port, against the test database and the given Redis."""

    def __init__(self, redis_url: str, prefix: str):
        self.port = free_port()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "KAKEHASHI_ROOM_RATE_BURST": "10000",
            "KAKEHASHI_ROOM_RATE_PER_SECOND": "10000",
            "KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS": "0.5",
            "KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS": "2",
        }
        env.pop("PYTEST_XDIST_WORKER", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "config.serve", "--app", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Member:
    def __init__(self, user, cookie: str, server: Server, meeting_id: int):
        self.user, self.cookie, self.server, self.meeting_id = user, cookie, server, meeting_id
        self.frames: list[dict] = []
        self.people: dict[int, dict] = {}
        self.base = 0
        self.seen: dict[int, int] = {}

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(f"ws://127.0.0.1:{self.server.port}/ws/meetings/{self.meeting_id}/",
                                additional_headers=[("Cookie", self.cookie)], origin="http://127.0.0.1",
                                open_timeout=30)
        self.reader = asyncio.create_task(self._read())
        await self.ws.send(json.dumps({"type": "hello", "last_seq": 0}))

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                self.frames.append(frame)
                if frame["type"] == "presence":
                    self.people = {p["user"]: p for p in frame["people"]}
                    self.base, self.seen = frame["v"], {}
                elif frame["type"] == "presence_delta":  # as the room's script applies them
                    for change, here in [(c, True) for c in frame["joined"]] + [(c, False) for c in frame["left"]]:
                        if change["v"] <= self.base or self.seen.get(change["user"], 0) >= change["v"]:
                            continue
                        self.seen[change["user"]] = change["v"]
                        if here:
                            self.people[change["user"]] = change
                        else:
                            self.people.pop(change["user"], None)
        except Exception:  # noqa: BLE001 - closed
            return

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.wait([self.reader], timeout=5)


async def _until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


@pytest.fixture
def servers():
    _needs_postgresql()
    redis = started_redis()
    prefix = f"two-process-{os.getpid()}"
    started = []
    try:
        started = [Server(redis.url, prefix), Server(redis.url, prefix)]
        yield started
    finally:
        for server in started:
            server.stop()
        redis.stop()


async def test_two_processes_deliver_one_room_in_order_and_share_presence(servers, meeting, peer, doctor, make_user):
    people = [peer, doctor]
    for n in range(4):
        person = await sync_to_async(make_user)(display_name=f"参加者 {n}")
        await sync_to_async(MeetingInvitation.objects.create)(meeting=meeting, user=person, sector=Sector.FAMILY)
        people.append(person)
    members = []
    for n, person in enumerate(people):
        cookie = (await sync_to_async(session_cookie)(person)).decode()
        members.append(Member(person, cookie, servers[n % 2], meeting.pk))
    for member in members:
        await member.open()
    everyone = {p.pk for p in people}
    assert await _until(lambda: all(set(m.people) == everyone for m in members)), \
        [sorted(m.people) for m in members]

    # One sender on each process, both at once: the numbers interleave between the processes.
    senders = [members[0], members[1]]

    async def post(sender, n):
        for i in range(PER_SENDER):
            await sender.ws.send(json.dumps({"type": "message", "body": f"{n}-{i}"}))

    await asyncio.gather(*(post(s, n) for n, s in enumerate(senders)))
    total = PER_SENDER * len(senders)
    assert await _until(lambda: all(len(m.seqs()) >= total for m in members)), [len(m.seqs()) for m in members]
    await asyncio.sleep(0.5)  # nothing extra arrives late
    for member in members:
        assert member.seqs() == list(range(1, total + 1)), (member.server.port, member.seqs())

    # Process B dies without closing its sockets: its people leave, for those on A, once their
    # entries expire (TTL 2 s, swept by A's heartbeat).
    servers[1].stop(signal.SIGKILL)
    on_a = [m for m in members if m.server is servers[0]]
    still = {m.user.pk for m in on_a}
    assert await _until(lambda: all(set(m.people) == still for m in on_a), timeout=15), \
        [sorted(m.people) for m in on_a]
    for member in members:
        if member.server is servers[0]:
            await member.close()
