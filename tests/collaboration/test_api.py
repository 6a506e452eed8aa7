"""The JSON API under /api/v1/: same access rule, same services, bilingual 400s that change nothing."""

import pytest
from rest_framework.test import APIClient

from collaboration.models import ActionItem, Attendance, Decision, Minutes, Reply
from collaboration.selectors import meeting_access_for
from collaboration.services import message_post
from tests.problem_support import problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def test_meetings_and_bodies_are_listed_through_the_access_selector(api, meeting, peer, outsider, body, other_body):
    data = api(peer).get("/api/v1/meetings/").json()
    assert [m["id"] for m in data["results"]] == [meeting.pk]
    assert api(outsider).get("/api/v1/meetings/").json() == {"results": [], "next": None}
    assert [b["id"] for b in api(peer).get("/api/v1/bodies/").json()["results"]] == [body.pk]
    assert api(peer).get(f"/api/v1/bodies/{other_body.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert APIClient().get("/api/v1/meetings/").status_code in (401, 403)


def test_meeting_list_query_count_is_fixed(api, meeting, peer, django_assert_num_queries):
    client = api(peer)
    with django_assert_num_queries(3):  # +1: the staff-capability check of two-step everywhere
        client.get("/api/v1/meetings/")


def test_message_history_after_a_sequence_number(api, meeting, peer):
    access = meeting_access_for(peer, meeting.pk)
    for n in range(4):
        message_post(access=access, author=peer, body=f"m{n}")
    data = api(peer).get(f"/api/v1/meetings/{meeting.pk}/messages/?after=2").json()
    assert [m["seq"] for m in data["results"]] == [3, 4]
    bad = api(peer).get(f"/api/v1/meetings/{meeting.pk}/messages/?after=two")
    assert set(problem_fields(bad)["after"][0]) == {"ja", "en"}


def test_post_message_via_api_takes_the_next_number(api, meeting, peer):
    response = api(peer).post(f"/api/v1/meetings/{meeting.pk}/messages/", {"body": "API から"}, format="json")
    assert response.status_code == 201 and response.json()["seq"] == 1


def test_reply_with_bad_input_is_400_in_both_languages_and_changes_nothing(api, meeting, peer):
    response = api(peer).post(f"/api/v1/meetings/{meeting.pk}/reply/", {"response": "perhaps"}, format="json")
    [message] = problem_fields(response)["response"]
    assert message["en"] and message["ja"] and message["en"] != message["ja"]
    assert not Reply.objects.exists()
    ok = api(peer).post(f"/api/v1/meetings/{meeting.pk}/reply/", {"response": "maybe", "accommodation_request": "字幕", "accommodation_consent": True}, format="json")
    assert ok.status_code == 200 and Reply.objects.get().accommodation_request == "字幕"


def test_invitees_see_only_their_own_reply_coordinators_see_all(api, meeting, peer, coordinator):
    assert len(api(peer).get(f"/api/v1/meetings/{meeting.pk}/invitations/").json()["results"]) == 1
    assert len(api(coordinator).get(f"/api/v1/meetings/{meeting.pk}/invitations/").json()["results"]) == 2


def test_coordinator_writes_attendance_decisions_action_items_and_minutes(api, meeting, coordinator, peer, other_coordinator):
    boss = api(coordinator)
    assert boss.post(f"/api/v1/meetings/{meeting.pk}/attendance/", {"user": peer.pk, "present": True}, format="json").status_code == 201
    assert Attendance.objects.get().present
    assert boss.post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "決定"}, format="json").status_code == 201
    created = boss.post(f"/api/v1/meetings/{meeting.pk}/action-items/", {"description": "宿題", "owner": peer.pk, "due_on": "2030-01-01"}, format="json")
    assert created.status_code == 201
    item_id = created.json()["id"]
    # The owner moves it along; a bad status is refused in both languages.
    bad = api(peer).patch(f"/api/v1/action-items/{item_id}/", {"status": "finished"}, format="json")
    assert set(problem_fields(bad)["status"][0]) == {"ja", "en"}
    assert api(peer).patch(f"/api/v1/action-items/{item_id}/", {"status": "done"}, format="json").status_code == 200
    assert ActionItem.objects.get().status == "done"
    assert boss.put(f"/api/v1/meetings/{meeting.pk}/minutes/", {"text": "議事録"}, format="json").status_code == 200
    assert Minutes.objects.get().text == "議事録"
    # Participants cannot write these; the other prefecture's coordinator cannot even see them.
    assert api(peer).post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "x"}, format="json").status_code == 404
    assert api(peer).post(f"/api/v1/meetings/{meeting.pk}/attendance/", {"user": peer.pk, "present": True}, format="json").status_code == 404
    assert api(other_coordinator).get(f"/api/v1/meetings/{meeting.pk}/decisions/").status_code == 404
    assert Decision.objects.count() == 1


def test_agenda_item_from_another_meeting_is_refused(api, meeting, coordinator, body):
    from datetime import timedelta

    from collaboration.models import AgendaItem, Meeting

    other = Meeting.objects.create(body=body, title="別", starts_at=meeting.starts_at + timedelta(days=9), ends_at=meeting.ends_at + timedelta(days=9), place="x")
    foreign = AgendaItem.objects.create(meeting=other, title="よそ")
    response = api(coordinator).post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "x", "agenda_item": foreign.pk}, format="json")
    assert set(problem_fields(response)["agenda_item"][0]) == {"ja", "en"}
    assert not Decision.objects.exists()


def test_open_action_items_carried_onto_the_next_agenda_through_the_api(api, meeting, coordinator, peer, body):
    from datetime import date, timedelta

    from collaboration.models import Meeting, MeetingInvitation

    start = meeting.starts_at + timedelta(days=30)
    nxt = Meeting.objects.create(body=body, title="次回", starts_at=start, ends_at=start + timedelta(hours=2), place="x")
    MeetingInvitation.objects.create(meeting=nxt, user=peer, sector="peer")
    item = ActionItem.objects.create(meeting=meeting, description="宿題\n詳しくは議事録", owner=peer, due_on=date(2030, 2, 1))
    ActionItem.objects.create(meeting=meeting, description="済", status="done")
    url = f"/api/v1/meetings/{nxt.pk}/agenda/carry-over/"
    assert api(peer).post(url).status_code == 404  # coordinators only
    first = api(coordinator).post(url)
    assert first.status_code == 201
    assert first.json() == [{
        "id": first.json()[0]["id"], "order": 1, "title": "宿題", "minutes_allotted": 5, "presenter": "ピア 陽子",
        "follow_up": {"id": item.pk, "description": "宿題\n詳しくは議事録", "owner": peer.pk, "owner_name": "ピア 陽子",
                      "due_on": "2030-02-01", "status": "open", "from_meeting": meeting.pk},
    }]
    again = api(coordinator).post(url)
    assert again.status_code == 200 and again.json() == []
    agenda = api(peer).get(f"/api/v1/meetings/{nxt.pk}/").json()["agenda"]
    assert [(a["title"], a["follow_up"]["id"]) for a in agenda] == [("宿題", item.pk)]
    Meeting.objects.filter(pk=nxt.pk).update(status="closed")
    closed = api(coordinator).post(url)
    assert set(problem_fields(closed)[None][0]) == {"ja", "en"}
