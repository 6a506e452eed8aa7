"""Members' and coordinators' pages, the calendar files and the access boundaries."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from collaboration.models import (
    ActionItem,
    Attendance,
    Meeting,
    MeetingInvitation,
    Minutes,
    Reply,
    SpeakerQueueEntry,
)
from collaboration.selectors import meeting_access_for
from collaboration.services import message_post
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_invitee_sees_meeting_agenda_and_replies_with_accommodation_request(client, meeting, peer):
    login_as(client, peer)
    page = client.get(f"/en/meetings/{meeting.pk}/")
    assert page.status_code == 200 and "第3回 協議の場" in page.content.decode()
    response = client.post(f"/en/meetings/{meeting.pk}/reply/", {"response": "attending", "accommodation_request": "休憩を多めに",
                                                                  "accommodation_consent": "on"})
    assert response.status_code == 302
    reply = Reply.objects.get(invitation__meeting=meeting, invitation__user=peer)
    assert reply.response == "attending" and reply.accommodation_request == "休憩を多めに"


def test_bad_reply_changes_nothing(client, meeting, peer):
    login_as(client, peer)
    response = client.post(f"/en/meetings/{meeting.pk}/reply/", {"response": "perhaps"})
    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_guessed_meeting_ids_and_outsiders_get_404(client, meeting, outsider):
    login_as(client, outsider)
    for path in (f"/en/meetings/{meeting.pk}/", f"/en/meetings/{meeting.pk}/room/", f"/en/meetings/{meeting.pk}/meeting.ics", "/en/meetings/99999/"):
        assert client.get(path).status_code == 404, path


def test_room_page_renders_full_history_server_side_with_content_note_collapsed(client, meeting, peer):
    access = meeting_access_for(peer, meeting.pk)
    message_post(access=access, author=peer, body="普通の発言")
    message_post(access=access, author=peer, body="つらい話", content_note=True)
    login_as(client, peer)
    html = client.get(f"/en/meetings/{meeting.pk}/room/").content.decode()
    assert "普通の発言" in html
    assert "<details class=\"room-body\"><summary>" in html and "つらい話" in html
    assert 'aria-live="polite"' in html and 'data-last-seq="2"' in html
    assert "js/meeting-room.js" in html and "room-strings" in html


def test_posting_without_javascript_uses_the_same_service(client, meeting, peer):
    login_as(client, peer)
    client.post(f"/en/meetings/{meeting.pk}/room/post/", {"body": "no-JS message"})
    assert meeting.messages.get().body == "no-JS message"


def test_meeting_list_page_has_fixed_query_count(client, meeting, peer, django_assert_num_queries, body):
    login_as(client, peer)
    client.get("/en/meetings/")  # warm caches (session, site)
    for n in range(5):
        start = timezone.now() + timedelta(days=n + 1)
        m = Meeting.objects.create(body=body, title=f"M{n}", starts_at=start, ends_at=start + timedelta(hours=1), place="x")
        MeetingInvitation.objects.create(meeting=m, user=peer, sector="peer")
    with django_assert_num_queries(5):
        response = client.get("/en/meetings/")
    assert response.content.decode().count("/en/meetings/") >= 6


def test_ics_file_and_private_feed_that_can_be_reset(client, meeting, peer):
    login_as(client, peer)
    ics = client.get(f"/en/meetings/{meeting.pk}/meeting.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "SUMMARY:第3回 協議の場" in text and f"UID:meeting-{meeting.pk}@kakehashi" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    page = client.get("/en/meetings/calendar/").content.decode()
    token = peer.meeting_calendar_feed.token
    assert f"/calendar/{token}.ics" in page
    client.logout()
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and "第3回 協議の場" in feed.content.decode()
    login_as(client, peer)
    client.post("/en/meetings/calendar/")
    client.logout()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_staff_pages_need_mfa_and_the_right_body(client, mfa_client, make_user, meeting, coordinator, other_coordinator, tokyo):
    from peers.models import Role

    no_mfa = make_user(roles=[(Role.COORDINATOR, {"prefecture": tokyo})])
    login_as(client, no_mfa)
    assert client.get(f"/en/staff/meetings/{meeting.pk}/").status_code == 302  # sent to turn on MFA
    client.logout()
    other = mfa_client(other_coordinator)
    assert other.get(f"/en/staff/meetings/{meeting.pk}/").status_code == 404
    other.logout()
    own = mfa_client(coordinator)
    assert own.get(f"/en/staff/meetings/{meeting.pk}/").status_code == 200


def test_coordinator_runs_the_meeting_from_invitations_to_published_minutes(mfa_client, meeting, coordinator, peer, doctor, body, django_capture_on_commit_callbacks):
    c = mfa_client(coordinator)
    base = f"/en/staff/meetings/{meeting.pk}"
    MeetingInvitation.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"{base}/invite_members/")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([peer.email, doctor.email])
    c.post(f"{base}/agenda/", {"title": "地域移行支援", "minutes_allotted": 20})
    c.post(f"{base}/attendance/", {"present": [peer.pk, doctor.pk]})
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 2
    item = meeting.agenda_items.get()
    c.post(f"{base}/decision/", {"text": "ピアサポーターを次回から委員に加える", "agenda_item": item.pk})
    c.post(f"{base}/action_item/", {"description": "委員の推薦", "owner": peer.pk, "due_on": "2030-01-31", "agenda_item": item.pk})
    assert ActionItem.objects.get().owner == peer
    c.post(f"{base}/minutes/")
    minutes = Minutes.objects.get(meeting=meeting)
    assert "地域移行支援" in minutes.text and "ピアサポーターを次回から委員に加える" in minutes.text
    c.post(f"{base}/minutes/", {"text": "ピア 陽子さん (peer@example.test, 090-1234-5678) が報告した。医師 一郎 が賛成。"})
    # Publishing is no longer one tap that redacts silently (issue 11): the coordinator makes the
    # public draft from the proposals they accept, reads it, and confirms.
    review = c.get(f"{base}/minutes/public/").content.decode()
    accept = re.findall(r'name="accept" value="([0-9-]+)"', review)
    digest = re.search(r'name="text_digest" value="([0-9a-f]+)"', review).group(1)
    c.post(f"{base}/minutes/public/", {"step": "prepare", "accept": accept, "text_digest": digest})
    confirm = re.search(r'name="digest" value="([0-9a-f]+)"', c.get(f"{base}/minutes/publish/").content.decode()).group(1)
    c.post(f"{base}/minutes/publish/", {"confirm": "on", "digest": confirm})
    assert Minutes.objects.get().status == "draft"  # must be approved first
    c.post(f"{base}/minutes_approve/")
    c.post(f"{base}/minutes/publish/", {"confirm": "on", "digest": confirm})
    minutes = Minutes.objects.get()
    assert minutes.status == "published"
    for personal in ("ピア 陽子", "医師 一郎", "peer@example.test", "090-1234-5678"):
        assert personal not in minutes.public_text
    assert "[Peer" in minutes.public_text or "[ピア" in minutes.public_text
    c.logout()
    public = c.get(f"/en/meetings/{meeting.pk}/minutes/")
    assert public.status_code == 200 and "ピア 陽子" not in public.content.decode()


def test_coordinator_restores_a_hidden_message_from_the_staff_page_with_a_reason(mfa_client, client, meeting, coordinator, other_coordinator, peer, django_capture_on_commit_callbacks):
    from collaboration.models import ModerationLog

    message_post(access=meeting_access_for(peer, meeting.pk), author=peer, body="あとで戻す発言")
    c = mfa_client(coordinator)
    base = f"/en/staff/meetings/{meeting.pk}"
    c.post(f"{base}/hide/", {"seq": 1, "reason": "確認中"})
    page = c.get(f"{base}/").content.decode()
    assert "Hidden messages" in page and "あとで戻す発言" in page and "確認中" in page  # coordinators see the text
    response = c.post(f"{base}/unhide/", {"seq": 1, "reason": ""})
    assert response.status_code == 302 and meeting.messages.get().hidden_at is not None  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"{base}/unhide/", {"seq": 1, "reason": "問題がなかったため"})
    assert response.status_code == 302 and response["Location"].endswith("#unhide")
    message = meeting.messages.get()
    assert message.hidden_at is None and message.rev == 3
    log = list(ModerationLog.objects.filter(meeting=meeting).order_by("id").values_list("action", "reason", "actor_id"))
    assert log == [("hide", "確認中", coordinator.pk), ("unhide", "問題がなかったため", coordinator.pk)]
    page = c.get(f"{base}/").content.decode()
    assert "Restored a hidden message" in page and "問題がなかったため" in page and "No hidden messages." in page
    c.logout()
    # Coordinators of another body, and participants, cannot.
    from collaboration.services import message_hide

    message_hide(access=meeting_access_for(coordinator, meeting.pk), user=coordinator, seq=1, reason="再確認")
    other = mfa_client(other_coordinator)
    assert other.post(f"{base}/unhide/", {"seq": 1, "reason": "x"}).status_code == 404
    other.logout()
    login_as(client, peer)
    assert client.post(f"{base}/unhide/", {"seq": 1, "reason": "x"}).status_code in (302, 403, 404)
    assert ModerationLog.objects.filter(action="unhide").count() == 1
    assert meeting.messages.get().hidden_reason == "再確認"


def test_open_action_items_are_copied_onto_the_next_meetings_agenda_once(client, mfa_client, meeting, peer, doctor, body, coordinator, other_body):
    from datetime import date

    from collaboration.models import AgendaItem
    from collaboration.services import meeting_create

    open_item = ActionItem.objects.create(meeting=meeting, description="就労支援の事例を集める", owner=peer, due_on=date(2030, 1, 31))
    in_progress = ActionItem.objects.create(meeting=meeting, description="進行中の件", owner=doctor, status="in_progress")
    ActionItem.objects.create(meeting=meeting, description="済んだ件", status="done")
    ActionItem.objects.create(meeting=meeting, description="取りやめた件", status="dropped")
    start = meeting.starts_at + timedelta(days=30)
    nxt = meeting_create(user=coordinator, body=body, title="第4回", starts_at=start, ends_at=start + timedelta(hours=2), place="x")
    follow_ups = list(nxt.agenda_items.order_by("order"))
    assert [(i.order, i.title, i.action_item.description, i.presenter_id) for i in follow_ups] == [
        (1, "就労支援の事例を集める", "就労支援の事例を集める", peer.pk),
        (2, "進行中の件", "進行中の件", doctor.pk),
    ]
    # Another body's new meeting carries nothing of this one.
    from collaboration.services.minutes import carry_over_open_action_items

    elsewhere = Meeting.objects.create(body=other_body, title="他", starts_at=start, ends_at=start + timedelta(hours=1), place="x")
    assert carry_over_open_action_items(elsewhere) == []
    assert elsewhere.agenda_items.count() == 0
    MeetingInvitation.objects.create(meeting=nxt, user=peer, sector="peer")
    login_as(client, peer)
    html = client.get(f"/en/meetings/{nxt.pk}/").content.decode()
    assert "就労支援の事例を集める" in html and "2030-01-31" in html and "ピア 陽子" in html
    assert "済んだ件" not in html and "取りやめた件" not in html
    client.logout()

    # An action item recorded after the next meeting was created: the coordinator's button
    # carries it, and pressing it again adds nothing.
    late = ActionItem.objects.create(meeting=meeting, description="家族会に声をかける", owner=doctor)
    c = mfa_client(coordinator)
    page = c.get(f"/en/staff/meetings/{nxt.pk}/").content.decode()
    assert "Carry over open action items" in page and "家族会に声をかける" in page
    c.post(f"/en/staff/meetings/{nxt.pk}/carry_over/")
    c.post(f"/en/staff/meetings/{nxt.pk}/carry_over/")
    assert list(nxt.agenda_items.filter(action_item__isnull=False).order_by("order").values_list("action_item_id", "order")) == [
        (open_item.pk, 1), (in_progress.pk, 2), (late.pk, 3)
    ]
    assert "Carry over open action items" not in c.get(f"/en/staff/meetings/{nxt.pk}/").content.decode()
    assert AgendaItem.objects.filter(action_item=open_item).count() == 1
    # Still open at the meeting after that: carried again there (once), with its follow-up.
    later = meeting_create(user=coordinator, body=body, title="第5回", starts_at=start + timedelta(days=30),
                           ends_at=start + timedelta(days=30, hours=2), place="x")
    assert set(later.agenda_items.values_list("action_item_id", flat=True)) == {open_item.pk, in_progress.pk, late.pk}
    ActionItem.objects.filter(pk=late.pk).update(status="done")
    c.post(f"/en/staff/meetings/{later.pk}/carry_over/")
    assert later.agenda_items.count() == 3


def test_participation_counts_sectors_peer_share_and_speaking_turns(meeting, peer, doctor, coordinator):
    from collaboration.selectors import meeting_participation
    from collaboration.services import attendance_record, hand_raise, speaker_call

    boss = meeting_access_for(coordinator, meeting.pk)
    for person in (peer, doctor):
        attendance_record(access=boss, user=coordinator, person=person, present=True)
    entry = hand_raise(access=meeting_access_for(peer, meeting.pk), user=peer)
    speaker_call(access=boss, user=coordinator, entry_id=entry.pk)
    # The turn lasted 125 s: the staff page counts speaking time as the room's panel does.
    SpeakerQueueEntry.objects.filter(pk=entry.pk).update(called_at=timezone.now() - timedelta(seconds=125))
    stats = meeting_participation(meeting)
    rows = {r["sector"]: r for r in stats["rows"]}
    assert rows["peer"]["attendees"] == 1 and rows["medical"]["attendees"] == 1
    assert stats["peer_share"] == 0.5 and rows["peer"]["turns"] == 1 and stats["peer_turn_share"] == 1.0
    assert rows["peer"]["minutes"][0] == 2 and 5 <= rows["peer"]["minutes"][1] <= 7
    assert stats["peer_seconds_share"] == 1.0 and rows["medical"]["seconds"] == 0


def test_reminders_are_sent_once_to_those_who_did_not_decline(meeting, peer, doctor, django_capture_on_commit_callbacks):
    from collaboration.services import reminders_send

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(hours=3), ends_at=timezone.now() + timedelta(hours=5))
    Reply.objects.create(invitation=MeetingInvitation.objects.get(user=doctor), response="not_attending")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 1
    assert [m.to for m in mail.outbox] == [[peer.email]]
    assert reminders_send() == 0


def test_unpublished_material_is_for_invitees_only(client, meeting, peer, outsider, coordinator):
    from django.core.files.base import ContentFile

    from collaboration.services import material_add, material_publish

    boss = meeting_access_for(coordinator, meeting.pk)
    material = material_add(access=boss, user=coordinator, title="資料1", file=ContentFile(b"pdf", name="a.pdf"))
    login_as(client, peer)
    assert client.get(f"/en/meetings/{meeting.pk}/materials/{material.pk}/").status_code == 200
    login_as(client, outsider)
    assert client.get(f"/en/meetings/{meeting.pk}/materials/{material.pk}/").status_code == 404
    assert client.get(f"/en/materials/{material.pk}/").status_code == 404
    material_publish(access=boss, user=coordinator, material=material)
    assert client.get(f"/en/materials/{material.pk}/").status_code == 200


def test_demo_loads_twice_with_a_live_meeting_the_demo_accounts_can_join(client):
    from django.core.management import call_command

    from peers.models import User

    call_command("load_demo", "--quiet-summary")
    call_command("load_demo", "--quiet-summary")
    assert Meeting.objects.count() == 3
    live = Meeting.objects.get(status="open")
    peer = User.objects.get(email="peer@example.org")
    assert meeting_access_for(peer, live.pk) is not None
    login_as(client, peer)
    html = client.get(f"/en/meetings/{live.pk}/room/").content.decode()
    assert "ピアの立場から発言します" in html
    past = Meeting.objects.get(status="closed")
    assert Minutes.objects.get(meeting=past).status == "published"
    upcoming = Meeting.objects.get(status="scheduled")
    assert "ピアサポーター委員の推薦を事業所に依頼する" in client.get(f"/en/meetings/{upcoming.pk}/").content.decode()


def test_staff_meeting_list_has_fixed_query_count(mfa_client, coordinator, body, django_assert_num_queries):
    c = mfa_client(coordinator)
    c.get("/en/staff/meetings/")
    for n in range(4):
        start = timezone.now() + timedelta(days=n + 1)
        Meeting.objects.create(body=body, title=f"S{n}", starts_at=start, ends_at=start + timedelta(hours=1), place="x")
    with django_assert_num_queries(7):
        response = c.get("/en/staff/meetings/")
    assert response.status_code == 200 and "S3" in response.content.decode()


def test_unhide_refuses_a_deleted_message_and_an_impossible_number(meeting, coordinator, peer):
    from django.utils import timezone

    from collaboration.models import Message, ModerationLog
    from collaboration.services import RoomError, message_hide, message_unhide

    access = meeting_access_for(coordinator, meeting.pk)
    message_post(access=meeting_access_for(peer, meeting.pk), author=peer, body="消す発言")
    message = meeting.messages.get()
    message_hide(access=access, user=coordinator, seq=message.seq, reason="確認")
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now())  # hidden, then deleted
    for seq, code in ((message.seq, "not_hidden"), (float("inf"), "not_found"), ("abc", "not_found")):
        with pytest.raises(RoomError) as refused:
            message_unhide(access=access, user=coordinator, seq=seq, reason="戻す")
        assert refused.value.code == code
    message.refresh_from_db()
    assert message.hidden_at is not None and message.deleted_at is not None
    assert not ModerationLog.objects.filter(action="unhide").exists()


def test_reply_radios_start_with_nothing_chosen_and_no_blank_choice(client, meeting, peer):
    login_as(client, peer)
    html = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    radios = re.findall(r'<input type="radio" name="response"[^>]*>', html)
    assert [re.search(r'value="([^"]*)"', r).group(1) for r in radios] == [c for c, _ in Reply.Response.choices]
    assert not any("checked" in r for r in radios)
    # Sending without choosing saves nothing and says why.
    response = client.post(f"/en/meetings/{meeting.pk}/reply/", {})
    assert response.status_code == 400 and not Reply.objects.exists()


def test_speaker_queue_reads_waiting_to_speak_while_invitations_read_waiting_for_a_reply(client, meeting, peer):
    from django.utils import translation
    from django.utils.translation import gettext

    SpeakerQueueEntry.objects.create(meeting=meeting, user=peer, sector="peer")
    login_as(client, peer)
    html = client.get(f"/meetings/{meeting.pk}/room/").content.decode()
    assert "発言待ち" in html and "返事待ち" not in html
    with translation.override("ja"):  # the same English word, another concept
        assert gettext("Waiting") == "返事待ち"
