"""The live room end to end: websocket → consumer → services → database → channel layer → back."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from collaboration.models import Meeting, Message, ModerationLog, SpeakerQueueEntry

from .conftest import drain, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_room_uses_the_configured_channel_layer():
    layer = get_channel_layer()
    expected = "RedisPubSubChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert type(layer).__name__ == expected
    # And it carries a message to a group's member, which is what the room relies on.
    channel = await layer.new_channel()
    await layer.group_add("layer-check", channel)
    try:
        await layer.group_send("layer-check", {"type": "layer.check", "text": "届きました"})
        assert await asyncio.wait_for(layer.receive(channel), timeout=5) == {"type": "layer.check", "text": "届きました"}
    finally:
        await layer.group_discard("layer-check", channel)


async def test_non_invitee_is_refused_at_connect_with_4403(connect, meeting, outsider):
    room = await connect(outsider, meeting.pk, expect_ok=False)
    assert await room.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_unknown_meeting_closes_like_a_forbidden_one_with_4403(connect, meeting, outsider):
    # A meeting that does not exist and one the person may not enter look the same.
    for meeting_id in (999999, meeting.pk, 2**70):
        room = await connect(outsider, meeting_id, expect_ok=False)
        assert await room.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_anonymous_visitor_is_refused_with_4401(connect, meeting):
    room = await connect(None, meeting.pk, expect_ok=False)
    assert await room.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_other_prefectures_coordinator_is_refused(connect, meeting, other_coordinator):
    room = await connect(other_coordinator, meeting.pk, expect_ok=False)
    assert await room.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_body_coordinator_by_role_may_join_without_invitation(connect, meeting, coordinator):
    room = await connect(coordinator, meeting.pk)
    history = await receive_until(room, "history")
    assert history["messages"] == [] and history["last_seq"] == 0


async def test_message_is_saved_then_reaches_everyone_with_its_sequence_number(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    await alice.send_json_to({"type": "message", "body": "こんにちは", "ref": "a1"})
    saved = await receive_until(alice, "saved")
    assert saved == {"type": "saved", "seq": 1, "rev": 1, "delivered": True, "ref": "a1"}
    for room in (alice, bob):
        frame = await receive_until(room, "message")
        assert frame["seq"] == 1 and frame["body"] == "こんにちは"
        assert frame["author"]["name"] == "ピア 陽子"
    stored = await sync_to_async(Message.objects.get)(meeting=meeting, seq=1)
    assert stored.body == "こんにちは" and stored.author_id == peer.pk


async def test_reconnect_replays_everything_after_the_last_seen_number_in_order_once(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    for n in range(1, 6):
        await alice.send_json_to({"type": "message", "body": f"m{n}"})
        await receive_until(alice, "saved")
    # Bob saw up to 2; he comes back and asks for the rest.
    bob = await connect(doctor, meeting.pk, hello=2)
    history = await receive_until(bob, "history")
    assert [m["seq"] for m in history["messages"]] == [3, 4, 5]
    assert history["last_seq"] == 5
    await alice.send_json_to({"type": "message", "body": "m6"})
    frames = [f for f in await drain(bob, 0.5) if f["type"] == "message"]
    assert [f["seq"] for f in frames] == [6]


async def test_bad_frames_get_typed_errors_to_that_client_alone_and_the_room_keeps_working(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    await drain(bob)
    await alice.send_to(text_data="not json")
    assert (await receive_until(alice, "error"))["code"] == "not_json"
    await alice.send_json_to({"type": "dance"})
    assert (await receive_until(alice, "error"))["code"] == "unknown_type"
    await alice.send_json_to(["a", "list"])
    assert (await receive_until(alice, "error"))["code"] == "bad_frame"
    await alice.send_to(text_data=json.dumps({"type": "message", "body": "x" * 20000}))
    assert (await receive_until(alice, "error"))["code"] == "too_large"
    await alice.send_json_to({"type": "message", "body": "   "})
    error = await receive_until(alice, "error")
    assert error["code"] == "empty" and error["message"]
    assert await drain(bob) == []  # nobody else saw any of it
    await alice.send_json_to({"type": "message", "body": "still here"})
    assert (await receive_until(bob, "message"))["body"] == "still here"
    assert await sync_to_async(Message.objects.filter(meeting=meeting).count)() == 1


async def test_sending_too_fast_is_rate_limited_per_connection(connect, meeting, peer, doctor, settings):
    settings.KAKEHASHI_ROOM_RATE_BURST = 3
    settings.KAKEHASHI_ROOM_RATE_PER_SECOND = 0.01
    alice = await connect(peer, meeting.pk, hello=None)
    bob = await connect(doctor, meeting.pk)
    for n in range(5):
        await alice.send_json_to({"type": "message", "body": f"m{n}"})
    frames = await drain(alice, 1.0)
    assert [f["code"] for f in frames if f["type"] == "error"] == ["rate_limited", "rate_limited"]
    assert len([f for f in frames if f["type"] == "saved"]) == 3
    # Bob's own allowance is untouched.
    await bob.send_json_to({"type": "message", "body": "bob"})
    assert (await receive_until(bob, "saved"))["seq"] == 4


async def test_edit_and_delete_own_message_reach_others_and_replay_after_reconnect(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    await alice.send_json_to({"type": "message", "body": "typo"})
    await receive_until(alice, "saved")
    await alice.send_json_to({"type": "edit", "seq": 1, "body": "fixed"})
    assert (await receive_until(alice, "saved"))["rev"] == 2
    await alice.send_json_to({"type": "message", "body": "gone soon"})
    await receive_until(alice, "saved")
    await alice.send_json_to({"type": "delete", "seq": 3})
    await receive_until(alice, "saved")
    # Bob had seen only message 1 in its first version.
    bob = await connect(doctor, meeting.pk, hello=1)
    history = await receive_until(bob, "history")
    by_seq = {m["seq"]: m for m in history["messages"]}
    assert by_seq[1]["body"] == "fixed" and by_seq[1]["edited"]
    assert by_seq[3]["deleted"] and by_seq[3]["body"] == ""
    assert history["last_seq"] == 4
    # Bob cannot change Alice's message.
    await bob.send_json_to({"type": "edit", "seq": 1, "body": "hijack"})
    assert (await receive_until(bob, "error"))["code"] == "forbidden"


async def test_edit_window_passes(connect, meeting, peer, settings):
    settings.KAKEHASHI_ROOM_EDIT_SECONDS = 0
    alice = await connect(peer, meeting.pk)
    await alice.send_json_to({"type": "message", "body": "final"})
    await receive_until(alice, "saved")
    await alice.send_json_to({"type": "edit", "seq": 1, "body": "changed"})
    assert (await receive_until(alice, "error"))["code"] == "edit_window_passed"


async def test_coordinator_hides_with_reason_and_it_is_logged_participant_cannot(connect, meeting, peer, coordinator):
    alice = await connect(peer, meeting.pk)
    boss = await connect(coordinator, meeting.pk)
    await alice.send_json_to({"type": "message", "body": "個人情報を含む発言"})
    await receive_until(alice, "saved")
    await alice.send_json_to({"type": "hide", "seq": 1, "reason": "no"})
    assert (await receive_until(alice, "error"))["code"] == "forbidden"
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": ""})
    assert (await receive_until(boss, "error"))["code"] == "reason_required"
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": "個人が特定できるため"})
    frame = await receive_until(alice, "message")
    while not frame["hidden"]:
        frame = await receive_until(alice, "message")
    assert frame["body"] == "" and frame["hidden_reason"] == "個人が特定できるため"
    log = await sync_to_async(lambda: list(ModerationLog.objects.filter(meeting=meeting, action="hide").values_list("reason", "actor_id")))()
    assert log == [("個人が特定できるため", coordinator.pk)]


async def test_room_is_read_only_after_close(connect, meeting, peer):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    await sync_to_async(Meeting.objects.filter(pk=meeting.pk).update)(status=Meeting.Status.CLOSED)
    await alice.send_json_to({"type": "message", "body": "late"})
    assert (await receive_until(alice, "error"))["code"] == "room_closed"
    await alice.send_json_to({"type": "raise_hand"})
    assert (await receive_until(alice, "error"))["code"] == "room_closed"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_raise_hand_and_coordinator_calls_the_speaker(connect, meeting, peer, coordinator):
    alice = await connect(peer, meeting.pk)
    boss = await connect(coordinator, meeting.pk)
    await receive_until(boss, "history")
    await alice.send_json_to({"type": "raise_hand"})
    queue = await receive_until(boss, "queue")
    while not queue["entries"]:
        queue = await receive_until(boss, "queue")
    entry = queue["entries"][0]
    assert entry["name"] == "ピア 陽子" and entry["sector"] == "peer" and entry["status"] == "waiting"
    await alice.send_json_to({"type": "raise_hand"})
    assert (await receive_until(alice, "error"))["code"] == "already_raised"
    await alice.send_json_to({"type": "call_speaker", "entry": entry["id"]})
    assert (await receive_until(alice, "error"))["code"] == "forbidden"
    await boss.send_json_to({"type": "call_speaker", "entry": entry["id"]})
    queue = await receive_until(alice, "queue")
    while queue["entries"] and queue["entries"][0]["status"] != "called":
        queue = await receive_until(alice, "queue")
    assert queue["entries"][0]["status"] == "called"
    await boss.send_json_to({"type": "finish_speaker"})
    queue = await receive_until(alice, "queue")
    while queue["entries"]:
        queue = await receive_until(alice, "queue")
    statuses = await sync_to_async(lambda: list(SpeakerQueueEntry.objects.values_list("status", flat=True)))()
    assert statuses == ["done"]


async def test_presence_shows_name_and_sector_and_no_read_receipts(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    await drain(alice)
    await alice.send_json_to({"type": "presence"})
    people = (await receive_until(alice, "presence"))["people"]
    assert {(p["name"], p["sector"]) for p in people} == {("ピア 陽子", "peer"), ("医師 一郎", "medical")}
    await bob.disconnect()
    frames = await drain(alice, 0.5)
    deltas = [f for f in frames if f["type"] == "presence_delta"]
    assert [c["user"] for f in deltas for c in f["left"]] == [doctor.pk]
    await alice.send_json_to({"type": "presence"})
    people = (await receive_until(alice, "presence"))["people"]
    assert [p["name"] for p in people] == ["ピア 陽子"]
    # Nothing about who read what is ever sent.
    assert not any("read" in f.get("type", "") for f in frames)


async def test_reply_and_agenda_thread_and_content_note_travel_with_the_message(connect, meeting, peer):
    from collaboration.models import AgendaItem

    item = await sync_to_async(AgendaItem.objects.create)(meeting=meeting, order=1, title="地域移行")
    alice = await connect(peer, meeting.pk)
    await alice.send_json_to({"type": "message", "body": "first", "agenda_item": item.pk})
    await receive_until(alice, "saved")
    await alice.send_json_to({"type": "message", "body": "つらい体験", "reply_to": 1, "content_note": True, "agenda_item": item.pk})
    frame = await receive_until(alice, "message")
    while frame["seq"] != 2:
        frame = await receive_until(alice, "message")
    assert frame["reply_to"] == 1 and frame["content_note"] is True and frame["agenda_item"] == item.pk
    await alice.send_json_to({"type": "message", "body": "x", "agenda_item": 999999})
    assert (await receive_until(alice, "error"))["code"] == "bad_agenda_item"


async def test_coordinator_restores_a_hidden_message_live_with_a_reason_and_it_is_logged(connect, meeting, peer, doctor, coordinator):
    alice = await connect(peer, meeting.pk)
    boss = await connect(coordinator, meeting.pk)
    await receive_until(boss, "history")
    await alice.send_json_to({"type": "message", "body": "誤って隠される発言"})
    await receive_until(alice, "saved")
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": "確認のため"})
    assert (await receive_until(boss, "saved"))["rev"] == 2
    # Nobody but a coordinator of the body may restore it; a reason is required; only hidden
    # messages can be restored.
    await alice.send_json_to({"type": "unhide", "seq": 1, "reason": "戻して"})
    assert (await receive_until(alice, "error"))["code"] == "forbidden"
    await boss.send_json_to({"type": "unhide", "seq": 1, "reason": "  "})
    error = await receive_until(boss, "error")
    assert error["code"] == "unhide_reason_required" and error["message"]
    await boss.send_json_to({"type": "unhide", "seq": 99, "reason": "x"})
    assert (await receive_until(boss, "error"))["code"] == "not_found"
    bob = await connect(doctor, meeting.pk, hello=2)  # saw the hide
    await receive_until(bob, "history")
    await drain(bob)
    await boss.send_json_to({"type": "unhide", "seq": 1, "reason": "誤って非表示にしたため", "ref": "u1"})
    saved = await receive_until(boss, "saved")
    assert saved == {"type": "saved", "seq": 1, "rev": 3, "delivered": True, "ref": "u1"}
    # Everyone in the room gets the update live: the same message (same number), visible again.
    for room in (alice, bob):
        frame = await receive_until(room, "message")
        while frame["rev"] != 3:
            frame = await receive_until(room, "message")
        assert frame["seq"] == 1 and frame["hidden"] is False and frame["hidden_reason"] == ""
        assert frame["body"] == "誤って隠される発言"
    await boss.send_json_to({"type": "unhide", "seq": 1, "reason": "again"})
    assert (await receive_until(boss, "error"))["code"] == "not_hidden"
    # Someone who only saw the hide catches up with the restore by sequence number.
    carol = await connect(doctor, meeting.pk, hello=2)
    history = await receive_until(carol, "history")
    assert [(m["seq"], m["rev"], m["hidden"], m["body"]) for m in history["messages"]] == [(1, 3, False, "誤って隠される発言")]
    stored = await sync_to_async(Message.objects.get)(meeting=meeting, seq=1)
    assert stored.hidden_at is None and stored.hidden_by_id is None and stored.hidden_reason == ""
    log = await sync_to_async(lambda: list(
        ModerationLog.objects.filter(meeting=meeting).order_by("id").values_list("action", "reason", "actor_id", "message__seq")
    ))()
    assert log == [("hide", "確認のため", coordinator.pk, 1), ("unhide", "誤って非表示にしたため", coordinator.pk, 1)]


async def test_messages_published_out_of_order_reach_members_in_the_rooms_order(connect, meeting, peer, doctor, settings):
    """Two processes (or two database threads) may publish neighbouring numbers the other way
    round: a member still gets them in order; a number never published (saved while the layer
    was down) is read from the database after a short wait."""
    from collaboration.realtime import meeting_group_name, message_payload, room_event

    settings.KAKEHASHI_ROOM_REORDER_SECONDS = 0.3
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    for n in range(1, 5):
        await alice.send_json_to({"type": "message", "body": f"m{n}"})
        await receive_until(alice, "saved")
    await drain(bob, 0.3)
    payloads = []
    for n in range(5, 9):  # saved, not yet published
        message, _ = await sync_to_async(_post_quietly)(meeting, peer, f"m{n}")
        payloads.append(message_payload(message))
    layer = get_channel_layer()
    group = meeting_group_name(meeting.pk)
    # 6 before 5, and 8 while 7 is never published.
    for payload in (payloads[1], payloads[0], payloads[3]):
        await layer.group_send(group, room_event(payload))
    frames = [f for f in await drain(bob, 1.0) if f["type"] == "message"]
    assert [f["seq"] for f in frames] == [5, 6, 7, 8]
    assert [f["body"] for f in frames] == ["m5", "m6", "m7", "m8"]


def _post_quietly(meeting, user, body):
    """A message saved while the layer is down: its broadcast after commit fails (here: is
    never made), as services.message_post leaves it."""
    from collaboration import services
    from collaboration.realtime import defer_broadcast
    from collaboration.selectors import meeting_access_for

    token = defer_broadcast.set(True)
    try:
        return services.message_post(access=meeting_access_for(user, meeting.pk), author=user, body=body)
    finally:
        defer_broadcast.reset(token)
