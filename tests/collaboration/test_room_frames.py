"""Hostile frames and sockets: each gets a typed answer, the sender stays connected, the room
keeps working, and nothing odd is stored."""

import json

import pytest
from asgiref.sync import sync_to_async

from collaboration.frames import FRAME_MAX_DEPTH, FrameError, decode_frame
from collaboration.models import Message

from .conftest import drain, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def _still_works(sender, other, body="still here"):
    await sender.send_json_to({"type": "message", "body": body})
    assert (await receive_until(sender, "saved"))["delivered"] is True
    assert (await receive_until(other, "message"))["body"] == body


async def test_a_frame_nested_a_thousand_levels_deep_is_refused_and_the_sender_stays(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    for frame in (
        "[" * 1000 + "]" * 1000,
        '{"type": "message", "body": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"type": "hello", "last_seq": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}",
    ):
        await alice.send_to(text_data=frame)
        error = await receive_until(alice, "error")
        assert error["code"] == "too_deep" and error["message"]
    # Brackets inside strings are text, not nesting.
    await _still_works(alice, bob, body="[" * 100 + "{" * 100)
    assert await sync_to_async(Message.objects.count)() == 1


def test_the_decoder_refuses_deep_nesting_and_anything_but_an_object_with_a_type():
    assert decode_frame('{"type": "x", "a": ' + "[" * (FRAME_MAX_DEPTH - 1) + "]" * (FRAME_MAX_DEPTH - 1) + "}")
    for raw, code in (
        ('{"type": "x", "a": ' + "[" * FRAME_MAX_DEPTH + "]" * FRAME_MAX_DEPTH + "}", "too_deep"),
        ("[" * 100000, "too_deep"),
        ("[1, 2]", "bad_frame"), ("3", "bad_frame"), ('"text"', "bad_frame"), ('{"type": 1}', "bad_frame"),
        ("{", "not_json"), (b"\xff\xfe", "not_json"), ('{"type": "x", "n": ' + "9" * 5000 + "}", "not_json"),
    ):
        with pytest.raises(FrameError) as caught:
            decode_frame(raw)
        assert caught.value.code == code, raw[:40]


async def test_a_body_that_is_not_plain_text_is_refused_never_stored_as_python_text(connect, meeting, peer, doctor, coordinator, settings):
    settings.KAKEHASHI_ROOM_RATE_BURST = 100
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    for body in ({"a": 1}, ["a", 1], 42, 4.5, True, "nul\x00byte", "lone \ud800 surrogate", "\udfff"):
        await alice.send_to(text_data=json.dumps({"type": "message", "body": body, "ref": "r"}))
        error = await receive_until(alice, "error")
        assert error["code"] == "invalid_body" and error["ref"] == "r" and error["message"], body
    assert [f for f in await drain(bob) if f["type"] in ("message", "error")] == []
    assert await sync_to_async(Message.objects.count)() == 0
    # Edits and moderation reasons are read the same way.
    await _still_works(alice, bob, body="ok")
    await alice.send_json_to({"type": "edit", "seq": 1, "body": {"a": 1}})
    assert (await receive_until(alice, "error"))["code"] == "invalid_body"
    boss = await connect(coordinator, meeting.pk)
    await receive_until(boss, "history")
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": ["x"]})
    assert (await receive_until(boss, "error"))["code"] == "invalid_reason"
    stored = await sync_to_async(Message.objects.get)(meeting=meeting, seq=1)
    assert stored.body == "ok" and stored.hidden_at is None and stored.edited_at is None


@pytest.mark.parametrize("last_seq", ["10**15", "10**30", "-1", "1.5", "true", '"3"', "Infinity", "-Infinity", "NaN", "[1]"])
async def test_hello_with_an_impossible_last_seq_answers_a_typed_error_and_live_messages_continue(connect, meeting, peer, doctor, last_seq):
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    await alice.send_json_to({"type": "message", "body": "first"})
    await receive_until(alice, "saved")
    bob = await connect(doctor, meeting.pk, hello=None)
    raw = last_seq if "**" not in last_seq else str(eval(last_seq))  # noqa: S307 - literal above
    await bob.send_to(text_data='{"type": "hello", "ref": "h", "last_seq": ' + raw + "}")
    error = await receive_until(bob, "error")
    assert error["code"] == "bad_last_seq" and error["ref"] == "h" and error["message"]
    history = await receive_until(bob, "history")
    assert history["messages"] == [] and history["last_seq"] == 1
    await alice.send_json_to({"type": "message", "body": "live"})
    assert (await receive_until(bob, "message"))["body"] == "live"


async def test_hello_beyond_the_rooms_number_after_a_good_hello_keeps_live_delivery(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    await bob.send_json_to({"type": "hello", "last_seq": 10**12})
    assert (await receive_until(bob, "error"))["code"] == "bad_last_seq"
    await alice.send_json_to({"type": "message", "body": "live"})
    assert (await receive_until(bob, "message"))["body"] == "live"


async def test_sockets_per_person_are_capped_and_the_extra_one_closes_with_4429(connect, meeting, body, peer, doctor, settings):
    from datetime import timedelta

    from collaboration.models import Meeting, MeetingInvitation

    settings.KAKEHASHI_ROOM_MAX_SOCKETS_PER_MEETING = 2
    settings.KAKEHASHI_ROOM_MAX_SOCKETS_PER_USER = 3
    second = await sync_to_async(Meeting.objects.create)(
        body=body, title="第4回", starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1), status=Meeting.Status.OPEN, created_by=meeting.created_by,
    )
    await sync_to_async(MeetingInvitation.objects.create)(meeting=second, user=peer, sector="peer", invited_by=meeting.created_by)
    tabs = [await connect(peer, meeting.pk), await connect(peer, meeting.pk)]
    for tab in tabs:
        await receive_until(tab, "history")
    extra = await connect(peer, meeting.pk, expect_ok=False)
    assert await extra.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}
    # Another meeting counts towards the person's total.
    other = await connect(peer, second.pk)
    await receive_until(other, "history")
    over = await connect(peer, second.pk, expect_ok=False)
    assert await over.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}
    # Someone else is not affected, and the open tabs keep working.
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    await _still_works(tabs[0], bob)
    # Closing a tab frees its place.
    await tabs[1].disconnect()
    again = await connect(peer, meeting.pk)
    assert (await receive_until(again, "history"))["last_seq"] == 1


def test_the_room_script_shows_the_too_many_sockets_close_code_in_both_languages():
    from pathlib import Path

    from django.utils import translation

    from collaboration.views.meetings import _room_strings

    script = (Path(__file__).resolve().parents[2] / "site/static/js/meeting-room.js").read_text()
    assert "4429" in script and "T.too_many" in script and '"recovered"' in script
    # The server closes the socket on a frame over its limit: the script checks the size first.
    assert "maxFrameBytes" in script and "T.too_large" in script
    with translation.override("ja"):
        japanese = str(_room_strings()["too_many"])
    with translation.override("en"):
        english = str(_room_strings()["too_many"])
    assert english.startswith("This room is open in too many windows")
    assert japanese != english and "ウィンドウ" in japanese
