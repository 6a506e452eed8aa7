"""Threads in the live room (issue 18): a reply opens a thread under its message, through the
same service, in order, with the room's sequence numbers; on the socket, the page without the
script, and the API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from collaboration import services
from collaboration.models import Meeting, MeetingInvitation, Message
from collaboration.selectors import meeting_access_for, message_thread_list

from .conftest import drain, receive_until


def _post(user, meeting, body, reply_to=None):
    access = meeting_access_for(user, meeting.pk)
    message, _result = services.message_post(access=access, author=user, body=body, reply_to_seq=reply_to)
    return message


@pytest.mark.django_db(transaction=True)
async def test_a_reply_reaches_everyone_with_its_number_its_parent_and_its_thread(connect, meeting, peer, doctor):
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    # Each waits until the message it answers has reached the others (saved, then broadcast).
    await alice.send_json_to({"type": "message", "body": "はじめに"})
    seen = {alice: [], bob: []}
    seen[bob].append(await receive_until(bob, "message"))
    await bob.send_json_to({"type": "message", "body": "賛成です", "reply_to": 1})
    seen[alice] += [await receive_until(alice, "message"), await receive_until(alice, "message")]
    await alice.send_json_to({"type": "message", "body": "ありがとう", "reply_to": 2})
    seen[bob] += [await receive_until(bob, "message"), await receive_until(bob, "message")]
    seen[alice].append(await receive_until(alice, "message"))
    for frames in seen.values():
        assert [(f["seq"], f["reply_to"], f["thread"]) for f in frames] == [(1, None, None), (2, 1, 1), (3, 2, 1)]
    # A reply to a reply joins the first message's thread; the room's numbers stay gap-free.
    stored = await sync_to_async(lambda: list(Message.objects.filter(meeting=meeting).order_by("seq").values_list(
        "seq", "reply_to__seq", "thread__seq")))()
    assert stored == [(1, None, None), (2, 1, 1), (3, 2, 1)]
    assert (await sync_to_async(Meeting.objects.get)(pk=meeting.pk)).last_seq == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language, words", [("ja", "この会議室"), ("en", "this room")])
async def test_a_reply_to_no_message_of_this_room_gets_a_typed_error_in_the_persons_language_and_changes_nothing(
        connect, meeting, body, peer, doctor, language, words):
    await sync_to_async(type(peer).objects.filter(pk=peer.pk).update)(language=language)
    other = await sync_to_async(Meeting.objects.create)(
        body=body, title="別の会議", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        status=Meeting.Status.OPEN, created_by=meeting.created_by)
    await sync_to_async(MeetingInvitation.objects.create)(meeting=other, user=doctor, sector="medical")
    for n in range(3):  # another meeting has messages 1-3; this one has only 1
        await sync_to_async(_post)(doctor, other, f"別 {n}")
    await sync_to_async(_post)(doctor, meeting, "ここ")
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    await receive_until(alice, "history")
    await receive_until(bob, "history")
    for reply_to, code in ((3, "not_found"), (999, "not_found"), ("1", "bad_reply_to"), (True, "bad_reply_to"),
                           (1.5, "bad_reply_to"), (0, "bad_reply_to"), (-1, "bad_reply_to"), (2**64, "bad_reply_to"),
                           ({"seq": 1}, "bad_reply_to")):
        await alice.send_json_to({"type": "message", "body": "返信", "reply_to": reply_to, "ref": "r"})
        error = await receive_until(alice, "error")
        assert error["code"] == code and error["ref"] == "r", reply_to
        assert error["message"] and (words in error["message"] or code == "not_found"), error
    assert [f for f in await drain(bob) if f["type"] == "message"] == []
    assert await sync_to_async(Message.objects.filter(meeting=meeting).count)() == 1
    assert (await sync_to_async(Meeting.objects.get)(pk=meeting.pk)).last_seq == 1
    # The room still answers the message it does have (after a pause: the nine refusals and the
    # hello spent the socket's burst of frames, KAKEHASHI_ROOM_RATE_BURST).
    await asyncio.sleep(1)
    await alice.send_json_to({"type": "message", "body": "返信", "reply_to": 1})
    assert (await receive_until(bob, "message"))["thread"] == 1


@pytest.mark.django_db(transaction=True)
async def test_a_hidden_or_deleted_message_cannot_be_answered_and_its_thread_stays(connect, meeting, peer, doctor, coordinator):
    def setup():
        first = _post(peer, meeting, "最初")
        _post(doctor, meeting, "返信", reply_to=first.seq)
        services.message_hide(access=meeting_access_for(coordinator, meeting.pk), user=coordinator, seq=1, reason="個人情報")
        second = _post(peer, meeting, "二つ目")
        services.message_delete(access=meeting_access_for(peer, meeting.pk), user=peer, seq=second.seq)
    await sync_to_async(setup)()
    bob = await connect(doctor, meeting.pk)
    await receive_until(bob, "history")
    for seq in (1, 4):
        await bob.send_json_to({"type": "message", "body": "まだ返信", "reply_to": seq})
        assert (await receive_until(bob, "error"))["code"] == "reply_gone"
    assert await sync_to_async(Message.objects.filter(meeting=meeting).count)() == 3
    # A reply in the hidden message's thread can still be answered; it stays in that thread.
    await bob.send_json_to({"type": "message", "body": "返信への返信", "reply_to": 2})
    frame = await receive_until(bob, "message")
    assert frame["reply_to"] == 2 and frame["thread"] == 1


@pytest.mark.django_db
def test_the_page_shows_replies_under_their_message_with_a_count_and_works_without_the_script(client, meeting, peer, doctor, coordinator):
    first = _post(peer, meeting, "議題について")
    _post(doctor, meeting, "一つ目の返信", reply_to=first.seq)
    _post(peer, meeting, "別の話題")
    _post(peer, meeting, "返信への返信", reply_to=2)
    services.message_hide(access=meeting_access_for(coordinator, meeting.pk), user=coordinator, seq=1, reason="確認中")
    client.force_login(doctor)
    url = reverse("collaboration:meeting_room", args=[meeting.pk])
    page = client.get(url).content.decode()
    thread = page[page.index('id="m1"'):page.index('id="m3"')]
    # The hidden first message keeps its place; its thread of two is under it, closed.
    assert "確認中" in thread and "議題について" not in thread
    assert '<details class="room-replies-thread" id="t1">' in thread and "2" in thread.split("<summary>")[1][:20]
    assert thread.index('id="m2"') < thread.index('id="m4"') and "一つ目の返信" in thread
    # Answering without the script: the link names the message, the page fills in the form.
    assert 'href="?reply_to=2#composer"' in thread and 'href="?reply_to=1#composer"' not in thread
    page = client.get(url + "?reply_to=2").content.decode()
    assert 'name="reply_to" value="2"' in page and '<details class="room-replies-thread" id="t1" open>' in page
    for bad in ("1", "99", "abc", "9" * 40):  # hidden, unknown, not a number: no reply offered
        assert 'name="reply_to" value=""' in client.get(url + "?reply_to=" + bad).content.decode()
    response = client.post(reverse("collaboration:meeting_room_post", args=[meeting.pk]),
                           {"body": "ページから返信", "reply_to": "4"})
    assert response.status_code == 302
    reply = Message.objects.get(meeting=meeting, body="ページから返信")
    # Hiding took number 5: the reply is number 6.
    assert reply.reply_to.seq == 4 and reply.thread.seq == 1 and reply.seq == 6
    # A reply the service refuses is said, and nothing is saved.
    response = client.post(reverse("collaboration:meeting_room_post", args=[meeting.pk]),
                           {"body": "消えたものへ", "reply_to": "1"}, follow=True)
    assert Message.objects.filter(meeting=meeting).count() == 5
    assert Meeting.objects.get(pk=meeting.pk).last_seq == 6
    assert "返信できません" in response.content.decode() or "cannot be answered" in response.content.decode()


@pytest.mark.django_db
def test_the_threaded_history_is_one_query(meeting, peer, doctor, django_assert_num_queries):
    first = _post(peer, meeting, "a")
    for n in range(5):
        _post(doctor, meeting, f"r{n}", reply_to=first.seq + n)
    with django_assert_num_queries(1):
        roots = message_thread_list(meeting)
        seen = [(m.seq, [(r.seq, r.reply_to.seq, r.thread.seq, str(r.author)) for r in m.thread_messages]) for m in roots]
    assert seen == [(1, [(2, 1, 1, "医師 一郎"), (3, 2, 1, "医師 一郎"), (4, 3, 1, "医師 一郎"),
                         (5, 4, 1, "医師 一郎"), (6, 5, 1, "医師 一郎")])]


@pytest.mark.django_db
def test_the_api_posts_and_lists_replies_with_their_thread(client, meeting, peer, doctor):
    first = _post(peer, meeting, "API の最初")
    client.force_login(doctor)
    url = reverse("api_messages", args=[meeting.pk])
    response = client.post(url, {"body": "API から返信", "reply_to": first.seq}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reply_to"] == 1 and response.json()["thread"] == 1 and response.json()["seq"] == 2
    listed = client.get(url).json()["results"]
    assert [(m["seq"], m["reply_to"], m["thread"]) for m in listed] == [(1, None, None), (2, 1, 1)]
    for bad in (99, "x", 0):
        response = client.post(url, {"body": "x", "reply_to": bad}, content_type="application/json")
        assert response.status_code == 400, (bad, response.content)
    assert Message.objects.filter(meeting=meeting).count() == 2


@pytest.mark.django_db
def test_replies_saved_before_threads_are_put_in_their_thread_by_the_migration(meeting, peer):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("collaboration.migrations.0013_message_threads")
    now = meeting.starts_at + timedelta(minutes=1)
    rows = {}
    for seq, parent in ((1, None), (2, 1), (3, 2), (4, None), (5, 4), (6, 3)):
        rows[seq] = Message.objects.create(meeting=meeting, seq=seq, rev=seq, author=peer, body=str(seq),
                                           reply_to=rows.get(parent), created_at=now)
    migration.thread_existing_replies(apps, None)
    assert dict(Message.objects.filter(meeting=meeting).values_list("seq", "thread__seq")) == {
        1: None, 2: 1, 3: 1, 4: None, 5: 4, 6: 1}
