"""Presence in the room: kept in Redis (or the process), sent as a snapshot on hello and then as
batched deltas, never read from the database; entries of a dead process expire."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from collaboration import presence
from collaboration.models import MeetingInvitation, Sector

from .conftest import drain, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def _invite(make_user, meeting, n: int) -> list:
    people = []
    for i in range(n):
        person = await sync_to_async(make_user)(display_name=f"来場 {i}")
        await sync_to_async(MeetingInvitation.objects.create)(meeting=meeting, user=person, sector=Sector.FAMILY)
        people.append(person)
    return people


async def test_joins_arrive_batched_at_most_one_presence_frame_per_interval(connect, meeting, peer, make_user, settings):
    # A long interval here: six joins through the test's communicator take longer than 0.25 s.
    settings.KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS = 1.0
    alice = await connect(peer, meeting.pk)
    snapshot = await receive_until(alice, "presence")
    assert [p["user"] for p in snapshot["people"]] == [peer.pk]
    people = await _invite(make_user, meeting, 6)

    async def join_all():
        for person in people:
            await connect(person, meeting.pk)

    joining = asyncio.create_task(join_all())  # while Alice's frames are timed as they come
    frames, times = [], []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len({c["user"] for f in frames for c in f["joined"]}) < len(people):
        if await alice.receive_nothing(timeout=0.01):
            continue
        frame = await alice.receive_json_from()
        if frame["type"] == "presence_delta":
            frames.append(frame)
            times.append(time.monotonic())
    await joining
    joined = [c for f in frames for c in f["joined"]]
    assert sorted(c["user"] for c in joined) == sorted(p.pk for p in people)
    assert all(c["v"] > snapshot["v"] and c["sector"] == "family" for c in joined)
    # Six joins, fewer frames: they come together, never two within the interval (timing slack
    # for the test process).
    assert len(frames) < len(people)
    assert all(b - a >= 0.9 for a, b in zip(times, times[1:], strict=False))


def test_joining_takes_the_same_few_queries_however_many_are_in_the_room(meeting, peer, make_user,
                                                                        django_assert_num_queries):
    """Signing in and the access check are one trip of five queries (session, user, roles,
    meeting, invitation); the state a hello needs is four more, shared by the hellos arriving
    together; presence is never read from the database."""
    from collaboration.consumers import _enter, _read_live

    from .conftest import session_cookie

    for size in (0, 30):
        people = [make_user(display_name=f"満員 {i}") for i in range(size)]
        MeetingInvitation.objects.bulk_create(
            [MeetingInvitation(meeting=meeting, user=p, sector=Sector.FAMILY) for p in people])
        key = session_cookie(peer).decode().split("=", 1)[1]
        with django_assert_num_queries(5):
            user, access = _enter(key, meeting.pk)
        assert user == peer and access.sector == Sector.PEER
        with django_assert_num_queries(4):
            live = _read_live(meeting.pk)
        assert live["last_seq"] == 0 and live["queue"]["entries"] == []


@pytest.mark.redis
async def test_a_socket_of_a_process_that_died_expires_and_leaves(connect, meeting, peer, doctor, make_user, settings):
    """A process that dies leaves its entries in Redis; they expire after the TTL and the next
    snapshot (or heartbeat) of any process sweeps them as leaves."""
    if not isinstance(presence.store(), presence.RedisPresence):
        pytest.skip("expiry is Redis's: the in-process store dies with its process")
    settings.KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS = 1
    settings.KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS = 0.3  # the live sockets stay
    # The doctor's socket, as a dead process left it: recorded, never refreshed, never removed.
    await presence.store().join(meeting.pk, "dead-process-channel", doctor.pk,
                                presence.person_entry(doctor, Sector.MEDICAL))
    [carol] = await _invite(make_user, meeting, 1)
    watcher = await connect(carol, meeting.pk)
    await receive_until(watcher, "presence")
    alice = await connect(peer, meeting.pk)
    snapshot = await receive_until(alice, "presence")
    assert {p["user"] for p in snapshot["people"]} == {peer.pk, doctor.pk, carol.pk}
    await asyncio.sleep(2.1)  # past the TTL (Redis counts whole seconds)
    await alice.send_json_to({"type": "presence"})
    snapshot = await receive_until(alice, "presence")
    assert {p["user"] for p in snapshot["people"]} == {peer.pk, carol.pk}
    # Carol's snapshot was older: she is told the doctor left.
    left = [c for f in await drain(watcher, 0.6) if f["type"] == "presence_delta" for c in f["left"]]
    assert [c["user"] for c in left] == [doctor.pk]
