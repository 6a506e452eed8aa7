"""The `participation` frame over the real channel layer: it reaches the meeting's coordinators on
every change, and nobody else until the chair shares it (issue 18)."""

import pytest

from .conftest import drain, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def _queue_with_entries(room):
    queue = await receive_until(room, "queue")
    while not queue["entries"]:
        queue = await receive_until(room, "queue")
    return queue


async def test_participation_reaches_coordinators_and_not_members_until_shared(connect, meeting, peer, doctor,
                                                                               coordinator):
    chair = await connect(coordinator, meeting.pk)
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    first = await receive_until(chair, "participation")  # the chair's panel fills in at hello
    assert first["audience"] == "coordinators" and first["totals"]["turns"] == 0
    for room in (alice, bob):
        await receive_until(room, "presence")
    await drain(alice)
    await drain(bob)

    await alice.send_json_to({"type": "raise_hand"})
    entry = (await _queue_with_entries(chair))["entries"][0]
    await chair.send_json_to({"type": "call_speaker", "entry": entry["id"]})
    frame = await receive_until(chair, "participation")
    peer_row = next(r for r in frame["sectors"] if r["sector"] == "peer")
    assert peer_row["turns"] == 1 and peer_row["share_turns"] == 1.0
    assert frame["speaking"]["user"] == peer.pk

    # A message moves the figures too: the coordinators hear of it, after the message itself.
    await bob.send_json_to({"type": "message", "body": "医療の立場から"})
    frame = await receive_until(chair, "participation")
    assert next(r for r in frame["sectors"] if r["sector"] == "medical")["messages"] == 1
    assert [f for f in await drain(alice) + await drain(bob) if f["type"].startswith("participation")] == []

    # A member cannot share; the chair can, and then everyone gets the sector figures, no names.
    await alice.send_json_to({"type": "room_settings", "shared": True, "ref": "s"})
    assert (await receive_until(alice, "error"))["code"] == "forbidden"
    await chair.send_json_to({"type": "room_settings", "shared": True})
    for room in (alice, bob):
        shared = await receive_until(room, "participation")
        assert shared["audience"] == "everyone" and shared["shared"] is True
        assert "people" not in shared and "not_yet_spoken" not in shared
    await chair.send_json_to({"type": "finish_speaker"})
    done = await receive_until(bob, "participation")
    assert next(r for r in done["sectors"] if r["sector"] == "peer")["turns"] == 1

    # Sharing stops: members are told to close the panel, and get no more figures.
    await chair.send_json_to({"type": "room_settings", "shared": False})
    assert (await receive_until(alice, "participation_hidden"))["type"] == "participation_hidden"
    await drain(alice)
    await bob.send_json_to({"type": "message", "body": "もう一言"})
    assert (await receive_until(chair, "participation"))["audience"] == "coordinators"
    assert [f for f in await drain(alice) if f["type"] == "participation"] == []


async def test_a_run_of_messages_costs_the_chair_one_update_a_second_and_the_last_counts_them_all(
        connect, meeting, peer, doctor, coordinator, settings):
    """The figures' queries are not paid on every message of a busy room: at most one update per
    interval per meeting, and always one after the last change, which counts every message."""
    settings.KAKEHASHI_ROOM_PARTICIPATION_INTERVAL = 1.0
    chair = await connect(coordinator, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(chair, "participation")
    await receive_until(bob, "history")
    await drain(chair)
    for n in range(6):
        await bob.send_json_to({"type": "message", "body": f"発言 {n}"})
        await receive_until(bob, "saved")
    frames = [f for f in await drain(chair, seconds=1.5) if f["type"] == "participation"]
    assert 1 <= len(frames) <= 2, [next(r for r in f["sectors"] if r["sector"] == "medical")["messages"] for f in frames]
    assert next(r for r in frames[-1]["sectors"] if r["sector"] == "medical")["messages"] == 6


async def test_check_in_from_the_room_socket(connect, meeting, peer):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    await alice.send_json_to({"type": "check_in", "ref": 1})
    assert await receive_until(alice, "checked_in") == {"type": "checked_in", "changed": True, "ref": 1}
    await alice.send_json_to({"type": "check_in"})
    assert (await receive_until(alice, "checked_in"))["changed"] is False
