"""Furigana for the room's live messages: a person who reads with furigana (or plain Japanese)
gets each message with kanji with its readings as pieces (`body_ruby`), live and in replays;
everyone else gets the frame as before; a message's text never becomes markup."""

from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

from collaboration.realtime import message_payload, room_event, with_readings
from peers.furigana import ruby_pieces

from .conftest import drain, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

ROOM_JS = Path(__file__).resolve().parents[2] / "site" / "static" / "js" / "meeting-room.js"


def _joined(pieces) -> str:
    return "".join(p if isinstance(p, str) else p[0] for p in pieces)


async def _set(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    await sync_to_async(user.save)(update_fields=list(fields))


async def test_a_live_message_carries_readings_only_to_people_who_read_with_furigana(connect, meeting, peer, doctor):
    await _set(peer, furigana="on")
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    await bob.send_json_to({"type": "message", "body": "研修を受けます"})
    mine = await receive_until(alice, "message")
    assert mine["body"] == "研修を受けます"
    assert mine["body_ruby"] == [["研修", "けんしゅう"], "を", ["受", "う"], "けます"]
    theirs = await receive_until(bob, "message")
    assert "body_ruby" not in theirs and theirs["body"] == "研修を受けます"
    # Text without kanji needs no readings.
    await bob.send_json_to({"type": "message", "body": "はい、OK です 123"})
    assert "body_ruby" not in await receive_until(alice, "message")


async def test_plain_japanese_brings_readings_too_and_an_edit_carries_new_ones(connect, meeting, peer, doctor):
    await _set(peer, wording="plain")
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    await alice.send_json_to({"type": "message", "body": "当事者です"})
    first = await receive_until(alice, "message")
    assert first["body_ruby"][0] == ["当事者", "とうじしゃ"]  # the domain dictionary's reading
    await alice.send_json_to({"type": "edit", "seq": 1, "body": "協議の場です"})
    edited = await receive_until(alice, "message")
    assert edited["edited"] and _joined(edited["body_ruby"]) == "協議の場です"
    assert ["協議", "きょうぎ"] in edited["body_ruby"]


async def test_the_replay_after_reconnecting_carries_readings_and_hidden_messages_none(
        connect, meeting, peer, doctor, coordinator):
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    await bob.send_json_to({"type": "message", "body": "地域の会議"})
    await receive_until(bob, "saved")
    await bob.send_json_to({"type": "message", "body": "見せない文"})
    await receive_until(bob, "saved")
    chair = await connect(coordinator, meeting.pk)
    await receive_until(chair, "history")
    await chair.send_json_to({"type": "hide", "seq": 2, "reason": "個人情報"})
    await receive_until(chair, "saved")
    await _set(peer, furigana="on")
    alice = await connect(peer, meeting.pk, hello=0)
    history = await receive_until(alice, "history")
    by_seq = {m["seq"]: m for m in history["messages"]}
    assert _joined(by_seq[1]["body_ruby"]) == "地域の会議" and ["地域", "ちいき"] in by_seq[1]["body_ruby"]
    assert by_seq[2]["hidden"] and by_seq[2]["body"] == "" and "body_ruby" not in by_seq[2]
    # Bob, without furigana, replays without readings.
    again = await connect(doctor, meeting.pk, hello=0)
    assert all("body_ruby" not in m for m in (await receive_until(again, "history"))["messages"])
    await drain(alice, 0.1)


async def test_markup_in_a_message_travels_as_text_in_the_readings(connect, meeting, peer, doctor):
    await _set(peer, furigana="on")
    alice = await connect(peer, meeting.pk)
    await receive_until(alice, "history")
    body = '<img src=x onerror="alert(1)">研修</p><script>alert(2)</script>&amp;'
    await alice.send_json_to({"type": "message", "body": body})
    frame = await receive_until(alice, "message")
    assert frame["body"] == body
    pieces = frame["body_ruby"]
    assert _joined(pieces) == body  # nothing lost, nothing added, nothing unescaped
    assert ["研修", "けんしゅう"] in pieces
    assert all("<" not in p[1] and "&" not in p[1] for p in pieces if isinstance(p, list))


def test_readings_are_pieces_of_text_never_html():
    for text in ["研修を受ける", "<b>医療</b>と福祉", "a & b < 漢字 > c", "退院後\n\n協議の場"]:
        pieces = ruby_pieces(text)
        assert _joined(pieces) == text
        assert not any("<ruby" in (p if isinstance(p, str) else p[0] + p[1]) for p in pieces)
    assert ruby_pieces("") == [] and ruby_pieces("abc") == ["abc"]
    payload = {"type": "message", "rev": 3, "body": "<i>医療</i>"}
    event = room_event(payload)
    assert "body_ruby" not in event["text"] and '"body_ruby"' in event["text_ruby"]
    assert "<ruby>" not in event["text_ruby"]
    # Other frames never carry readings.
    assert with_readings({"type": "queue", "body": "医療"}) == {"type": "queue", "body": "医療"}


def test_the_room_script_writes_readings_with_text_nodes_only():
    script = ROOM_JS.read_text(encoding="utf-8")
    assert "body_ruby" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser"):
        assert sink not in script, sink


def test_a_hidden_message_payload_gets_no_readings(meeting, peer):
    from collaboration.models import Message

    message = Message(meeting=meeting, seq=1, rev=1, author=peer, body="秘密の話", hidden_reason="x")
    message.hidden_at = meeting.starts_at
    assert with_readings(message_payload(message)) == message_payload(message)
