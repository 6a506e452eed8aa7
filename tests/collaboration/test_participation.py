"""Who is heard (issue 18): speaking time and turns per sector, person and agenda item, worked
out by hand for a small meeting; the API's access; the balanced speaker list; self check-in."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingInvitation,
    Sector,
    SpeakerQueueEntry,
)
from collaboration.selectors import meeting_access_for, meeting_participation_live
from collaboration.services import (
    RoomError,
    attendance_check_in,
    hand_raise,
    meeting_room_settings,
    message_hide,
    message_post,
    queue_payload,
    speaker_call,
    speaker_done,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(make_user, meeting, coordinator):
    user = make_user(display_name="家族 花子")
    MeetingInvitation.objects.create(meeting=meeting, user=user, sector=Sector.FAMILY, invited_by=coordinator)
    return user


@pytest.fixture
def item(meeting):
    return AgendaItem.objects.create(meeting=meeting, order=1, title="地域移行の報告", minutes_allotted=1)


def _turn(meeting, coordinator, user, *, seconds: int, item=None, finish: bool = True):
    """A turn through the services (raise, give the floor, finish), then its length set."""
    access = meeting_access_for(user, meeting.pk)
    chair = meeting_access_for(coordinator, meeting.pk)
    entry = hand_raise(access=access, user=user, agenda_item_id=item.pk if item else None)
    speaker_call(access=chair, user=coordinator, entry_id=entry.pk)
    if finish:
        speaker_done(access=chair, user=coordinator)
        start = timezone.now() - timedelta(seconds=seconds + 1000)
        SpeakerQueueEntry.objects.filter(pk=entry.pk).update(called_at=start, done_at=start + timedelta(seconds=seconds))
    else:
        SpeakerQueueEntry.objects.filter(pk=entry.pk).update(called_at=timezone.now() - timedelta(seconds=seconds))
    return entry


def _row(figures, sector):
    return next(r for r in figures["sectors"] if r["sector"] == sector)


def test_participation_sums_turns_seconds_and_messages_per_sector_person_and_item(
        meeting, coordinator, peer, doctor, family, item):
    # By hand: peer 60 s + 120 s on the item (2 turns), doctor 90 s on the item, family 30 s with no
    # item. Turns 4 in all: peer 2/4 = 0.5. Seconds 300: peer 180/300 = 0.6, doctor 0.3, family 0.1.
    _turn(meeting, coordinator, peer, seconds=60, item=item)
    _turn(meeting, coordinator, doctor, seconds=90, item=item)
    _turn(meeting, coordinator, peer, seconds=120, item=item)
    _turn(meeting, coordinator, family, seconds=30)
    # Messages: two by the peer (one on the item), one by the doctor that a coordinator hides.
    message_post(access=meeting_access_for(peer, meeting.pk), author=peer, body="一つ目", agenda_item_id=item.pk)
    message_post(access=meeting_access_for(peer, meeting.pk), author=peer, body="二つ目")
    hidden, _ = message_post(access=meeting_access_for(doctor, meeting.pk), author=doctor, body="消えます")
    message_hide(access=meeting_access_for(coordinator, meeting.pk), user=coordinator, seq=hidden.seq, reason="個人名")

    figures = meeting_participation_live(meeting.pk)
    assert [r["sector"] for r in figures["sectors"]] == list(Sector.values)
    assert _row(figures, Sector.PEER) == {"sector": "peer", "turns": 2, "seconds": 180, "messages": 2,
                                          "share_turns": 0.5, "share_seconds": 0.6}
    assert _row(figures, Sector.MEDICAL) == {"sector": "medical", "turns": 1, "seconds": 90, "messages": 0,
                                             "share_turns": 0.25, "share_seconds": 0.3}
    assert _row(figures, Sector.FAMILY)["share_seconds"] == 0.1
    assert _row(figures, Sector.ACADEMIC) == {"sector": "academic", "turns": 0, "seconds": 0, "messages": 0,
                                              "share_turns": 0.0, "share_seconds": 0.0}
    assert figures["totals"] == {"turns": 4, "seconds": 300, "messages": 2}
    people = {p["user"]: p for p in figures["people"]}
    assert (people[peer.pk]["turns"], people[peer.pk]["seconds"], people[peer.pk]["messages"]) == (2, 180, 2)
    assert (people[doctor.pk]["seconds"], people[doctor.pk]["messages"]) == (90, 0)
    on_item, loose = figures["items"]
    assert (on_item["agenda_item"], on_item["seconds_used"], on_item["seconds_allotted"]) == (item.pk, 270, 60)
    assert (on_item["turns"], on_item["messages"]) == (3, 1)
    assert _row(on_item, Sector.PEER)["share_seconds"] == round(180 / 270, 4)
    assert (loose["agenda_item"], loose["seconds_used"], loose["turns"], loose["messages"]) == (None, 30, 1, 1)


def test_the_current_turn_counts_until_now_and_shares_are_none_before_any_turn(meeting, coordinator, peer):
    figures = meeting_participation_live(meeting.pk)
    assert _row(figures, Sector.PEER)["share_turns"] is None and figures["speaking"] is None
    _turn(meeting, coordinator, peer, seconds=45, finish=False)
    figures = meeting_participation_live(meeting.pk)
    assert 45 <= _row(figures, Sector.PEER)["seconds"] <= 47
    assert figures["speaking"]["user"] == peer.pk


def test_participation_takes_a_fixed_number_of_queries(meeting, coordinator, peer, doctor, make_user,
                                                       django_assert_num_queries, item):
    _turn(meeting, coordinator, peer, seconds=10, item=item)
    message_post(access=meeting_access_for(coordinator, meeting.pk), author=coordinator, body="開始します")
    with django_assert_num_queries(8):
        meeting_participation_live(meeting.pk)
    for n in range(6):
        person = make_user(display_name=f"参加 {n}")
        MeetingInvitation.objects.create(meeting=meeting, user=person, sector=Sector.WELFARE)
        _turn(meeting, coordinator, person, seconds=5 + n, item=item)
        message_post(access=meeting_access_for(person, meeting.pk), author=person, body=f"発言 {n}")
    AgendaItem.objects.create(meeting=meeting, order=2, title="その他")
    with django_assert_num_queries(8):
        meeting_participation_live(meeting.pk)



def test_closing_the_meeting_ends_the_turn_in_progress_and_an_unrecorded_end_counts_no_time(meeting, coordinator,
                                                                                         peer, doctor):
    from collaboration.services import meeting_set_status

    entry = _turn(meeting, coordinator, peer, seconds=40, finish=False)
    meeting_set_status(access=meeting_access_for(coordinator, meeting.pk), user=coordinator,
                       status=Meeting.Status.CLOSED)
    entry.refresh_from_db()
    assert entry.status == SpeakerQueueEntry.Status.DONE and entry.done_at is not None
    later = timezone.now() + timedelta(hours=3)
    figures = meeting_participation_live(meeting.pk, now=later)
    assert 40 <= _row(figures, Sector.PEER)["seconds"] <= 42  # not three hours more
    assert figures["speaking"] is None
    SpeakerQueueEntry.objects.filter(pk=entry.pk).update(done_at=None)  # a row from before done_at was kept
    assert _row(meeting_participation_live(meeting.pk, now=later), Sector.PEER)["seconds"] == 0


def test_a_message_leaves_the_figures_until_after_its_commit(meeting, coordinator, peer,
                                                             django_capture_on_commit_callbacks):
    """The figures' queries run after the message's transaction (which holds the meeting's row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access = meeting_access_for(peer, meeting.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as inside:
        message_post(access=access, author=peer, body="ひとこと")
    assert not [q for q in inside.captured_queries if "speakerqueueentry" in q["sql"].lower()]
    with CaptureQueriesContext(connection) as after:
        for callback in callbacks:
            callback()
    assert [q for q in after.captured_queries if "speakerqueueentry" in q["sql"].lower()]


# The API ---------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_gives_coordinators_everything_and_members_only_what_the_chair_shares(
        meeting, coordinator, peer, outsider, other_coordinator):
    _turn(meeting, coordinator, peer, seconds=60)
    url = f"/api/v1/meetings/{meeting.pk}/participation/"
    data = _api(coordinator).get(url).json()
    assert data["audience"] == "coordinators" and data["people"][0]["user"] == peer.pk
    assert _row(data, Sector.PEER)["seconds"] == 60
    refused = _api(peer).get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert refused.status_code == 403
    assert _api(outsider).get(url).status_code == 404
    assert _api(other_coordinator).get(url).status_code == 404
    meeting_room_settings(access=meeting_access_for(coordinator, meeting.pk), user=coordinator, participation_shared=True)
    shared = _api(peer).get(url).json()
    assert shared["audience"] == "everyone" and _row(shared, Sector.PEER)["seconds"] == 60
    assert "people" not in shared and "not_yet_spoken" not in shared


def test_only_coordinators_change_the_room_settings(meeting, peer):
    with pytest.raises(RoomError) as refused:
        meeting_room_settings(access=meeting_access_for(peer, meeting.pk), user=peer, participation_shared=True)
    assert refused.value.code == "forbidden"
    assert not Meeting.objects.get(pk=meeting.pk).participation_shared



@pytest.mark.parametrize("bad", [True, 1.5, float("inf"), 10**30, -1, "abc", "１" * 30, [1], {"id": 1}])
def test_the_item_under_discussion_refuses_what_is_not_an_item_id_and_changes_nothing(meeting, coordinator, item,
                                                                                     bad):
    chair = meeting_access_for(coordinator, meeting.pk)
    with pytest.raises(RoomError) as refused:
        meeting_room_settings(access=chair, user=coordinator, current_agenda_item_id=bad)
    assert refused.value.code == "bad_agenda_item"
    assert Meeting.objects.get(pk=meeting.pk).current_agenda_item_id is None
    meeting_room_settings(access=chair, user=coordinator, current_agenda_item_id=str(item.pk))  # a form's digits
    assert Meeting.objects.get(pk=meeting.pk).current_agenda_item_id == item.pk


# The balanced speaker list ----------------------------------------------------------------


def test_balanced_list_puts_first_speakers_on_the_item_and_peers_before_repeat_speakers(
        meeting, coordinator, peer, doctor, family, make_user, item):
    welfare = make_user(display_name="福祉 次郎")
    MeetingInvitation.objects.create(meeting=meeting, user=welfare, sector=Sector.WELFARE)
    chair = meeting_access_for(coordinator, meeting.pk)
    meeting_room_settings(access=chair, user=coordinator, current_agenda_item_id=item.pk)
    # The doctor and the peer have spoken on the item already.
    _turn(meeting, coordinator, doctor, seconds=30)
    _turn(meeting, coordinator, peer, seconds=30)
    # Hands in this order: doctor again, peer again, welfare (first time), family (first time).
    for user in (doctor, peer, welfare, family):
        hand_raise(access=meeting_access_for(user, meeting.pk), user=user)
    raised = [e["user"] for e in queue_payload(meeting)["entries"]]
    assert raised == [doctor.pk, peer.pk, welfare.pk, family.pk]  # off: in the order hands went up
    meeting_room_settings(access=chair, user=coordinator, balanced_queue=True)
    payload = queue_payload(meeting)
    assert payload["balanced"] is True
    assert [e["user"] for e in payload["entries"]] == [welfare.pk, family.pk, peer.pk, doctor.pk]
    assert [e["first_on_item"] for e in payload["entries"]] == [True, True, False, False]
    # A hand raised in the room is for the item under discussion.
    assert set(SpeakerQueueEntry.objects.filter(meeting=meeting).values_list("agenda_item_id", flat=True)) == {item.pk}


def test_the_chair_sees_who_is_here_and_has_not_spoken_on_the_item(meeting, coordinator, peer, doctor, family, item):
    for user in (peer, doctor, family):
        attendance_check_in(access=meeting_access_for(user, meeting.pk), user=user)
    meeting_room_settings(access=meeting_access_for(coordinator, meeting.pk), user=coordinator,
                          current_agenda_item_id=item.pk)
    _turn(meeting, coordinator, doctor, seconds=20)
    _turn(meeting, coordinator, peer, seconds=20, item=None)  # raised on the current item too
    names = [p["user"] for p in meeting_participation_live(meeting.pk)["not_yet_spoken"]]
    assert names == [family.pk]


# Self check-in ------------------------------------------------------------------------------


def test_check_in_records_attendance_once_in_the_invited_sector(meeting, peer, coordinator):
    access = meeting_access_for(peer, meeting.pk)
    row, changed = attendance_check_in(access=access, user=peer)
    assert changed and row.present and row.sector == Sector.PEER and row.recorded_by_id == peer.pk
    _row2, again = attendance_check_in(access=access, user=peer)
    assert not again and Attendance.objects.filter(meeting=meeting).count() == 1
    # A coordinator who is not invited has no attendance to check in.
    with pytest.raises(RoomError) as refused:
        attendance_check_in(access=meeting_access_for(coordinator, meeting.pk), user=coordinator)
    assert refused.value.code == "not_invited"


def test_check_in_button_in_the_room_records_attendance_and_says_so(meeting, peer):
    client = Client()
    client.force_login(peer)
    page = client.get(f"/en/meetings/{meeting.pk}/room/")
    assert b'id="check-in"' in page.content
    answer = client.post(f"/en/meetings/{meeting.pk}/room/check-in/", follow=True)
    assert b"You are checked in" in answer.content
    assert Attendance.objects.get(meeting=meeting, user=peer).present
    assert b'id="check-in"' not in answer.content


def test_check_in_is_refused_once_the_meeting_has_closed(meeting, peer):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    meeting.refresh_from_db()
    with pytest.raises(RoomError) as refused:
        attendance_check_in(access=meeting_access_for(peer, meeting.pk), user=peer)
    assert refused.value.code == "room_closed"
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_venue_code_checks_in_as_present_at_the_venue_and_a_wrong_code_changes_nothing(meeting, peer, doctor,
                                                                                       coordinator):
    from collaboration.services import attendance_record, check_in_code_issue

    code = check_in_code_issue(access=meeting_access_for(coordinator, meeting.pk), user=coordinator)
    assert len(code) == 6 and code.isdigit()
    access = meeting_access_for(peer, meeting.pk)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(RoomError) as refused:
        attendance_check_in(access=access, user=peer, code=wrong)
    assert refused.value.code == "bad_check_in_code"
    assert not Attendance.objects.filter(meeting=meeting).exists()
    # From the room first, then with the venue's code: the record says the venue.
    attendance_check_in(access=access, user=peer)
    assert Attendance.objects.get(user=peer).source == Attendance.Source.ROOM
    # Typed on a Japanese phone keyboard: full-width digits, a space in the middle.
    typed = (code[:3] + "　" + code[3:]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    row, changed = attendance_check_in(access=access, user=peer, code=typed)
    assert changed and row.source == Attendance.Source.VENUE
    # The coordinator saving the whole list again keeps the person's own check-in.
    chair = meeting_access_for(coordinator, meeting.pk)
    attendance_record(access=chair, user=coordinator, person=peer, present=True)
    attendance_record(access=chair, user=coordinator, person=doctor, present=False)
    assert Attendance.objects.get(user=peer).source == Attendance.Source.VENUE
    assert Attendance.objects.get(user=doctor).source == Attendance.Source.RECORDED



def test_wrong_venue_codes_pause_after_a_few_tries_even_the_right_one(meeting, peer, doctor, coordinator):
    from collaboration.services import check_in_code_issue
    from collaboration.services.room import CHECK_IN_CODE_TRIES

    code = check_in_code_issue(access=meeting_access_for(coordinator, meeting.pk), user=coordinator)
    wrong = "000000" if code != "000000" else "111111"
    access = meeting_access_for(peer, meeting.pk)
    for _try in range(CHECK_IN_CODE_TRIES):
        with pytest.raises(RoomError) as refused:
            attendance_check_in(access=access, user=peer, code=wrong)
        assert refused.value.code == "bad_check_in_code"
    with pytest.raises(RoomError) as paused:
        attendance_check_in(access=access, user=peer, code=code)
    assert paused.value.code == "check_in_code_tries" and "10分" in paused.value.message
    assert not Attendance.objects.filter(meeting=meeting).exists()
    # The pause is the guesser's alone; checking in from the room still works for them.
    assert attendance_check_in(access=meeting_access_for(doctor, meeting.pk), user=doctor, code=code)[1]
    assert attendance_check_in(access=access, user=peer)[0].source == Attendance.Source.ROOM


def test_check_in_opens_an_hour_before_the_start(meeting, peer):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=4))
    with pytest.raises(RoomError) as refused:
        attendance_check_in(access=meeting_access_for(peer, meeting.pk), user=peer)
    assert refused.value.code == "check_in_not_yet"


# Mentions ------------------------------------------------------------------------------------


def test_a_mention_names_the_invitee_in_the_message_and_emails_them_when_not_in_the_room(
        meeting, peer, doctor, family, mailoutbox, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync

    from collaboration import presence
    from collaboration.realtime import message_payload

    async def family_in_room(here: bool):
        store = presence.store()
        if here:
            await store.join(meeting.pk, "c1", family.pk, presence.person_entry(family, Sector.FAMILY))
        else:
            await store.leave(meeting.pk, "c1")

    async_to_sync(family_in_room)(True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message, _ = message_post(access=meeting_access_for(peer, meeting.pk), author=peer,
                                      body="@医師一郎 さんと ＠家族 花子 さんに質問です。@ピア 陽子 は自分")
    finally:
        async_to_sync(family_in_room)(False)
    assert sorted(message.mentioned) == sorted([doctor.pk, family.pk])  # not the author herself
    assert message_payload(message)["mentions"] == message.mentioned
    # The doctor is not in the room: an email, naming the meeting but not carrying the text.
    assert [m.to for m in mailoutbox] == [[doctor.email]]
    assert meeting.title in mailoutbox[0].subject and "質問" not in mailoutbox[0].body
    assert f"/meetings/{meeting.pk}/room/#m{message.seq}" in mailoutbox[0].body

