"""/api/v1/activity/: same access and services as the pages; bilingual 400s that change nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from collaboration.activity.models import ActivityEntry, ActivityRollup, SupervisionSession
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.problem_support import problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def _payload(engagement, **extra):
    return {"engagement": engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 60,
            "activity": "listening", "stage": "community", "professional_roles": ["psw"], **extra}


def test_create_list_and_duplicate_warning(api, a_peer, a_engagement, a_colleague):
    client = api(a_peer)
    first = client.post("/api/v1/activity/entries/", _payload(a_engagement, colleagues=[a_colleague.email]),
                        format="json")
    assert first.status_code == 201, first.content
    assert first.json()["possible_duplicates"] == []
    assert first.json()["professional_roles"] == ["psw"]
    second = client.post("/api/v1/activity/entries/", _payload(a_engagement), format="json")
    assert second.json()["possible_duplicates"] == [first.json()["id"]]
    listed = client.get("/api/v1/activity/entries/").json()
    assert [e["id"] for e in listed["results"]] == [second.json()["id"], first.json()["id"]]
    assert [e["id"] for e in api(a_colleague).get("/api/v1/activity/entries/").json()["results"]] == [first.json()["id"]]


def test_bad_input_is_bilingual_and_changes_nothing(api, a_peer, a_engagement, a_stranger):
    response = api(a_peer).post("/api/v1/activity/entries/",
                                _payload(a_engagement, duration_minutes=0, activity="nope"), format="json")
    errors = problem_fields(response)
    assert set(errors) >= {"duration_minutes", "activity"}
    assert errors["duration_minutes"][0]["ja"] != errors["duration_minutes"][0]["en"]
    future = api(a_peer).post("/api/v1/activity/entries/", _payload(a_engagement, date="2999-01-01"), format="json")
    assert "date" in problem_fields(future)
    assert api(a_stranger).post("/api/v1/activity/entries/", _payload(a_engagement), format="json").status_code == 403
    assert not ActivityEntry.objects.exists()


def test_verify_decline_correct_through_the_api(api, make_entry, a_peer, a_manager, a_other_manager, a_org):
    entry, other = make_entry(), make_entry(duration_minutes=30)
    assert api(a_other_manager).post(f"/api/v1/activity/entries/{entry.pk}/verify/").status_code == 404
    assert api(a_peer).post(f"/api/v1/activity/entries/{entry.pk}/verify/").status_code == 403
    verified = api(a_manager).post(f"/api/v1/activity/entries/{entry.pk}/verify/")
    assert verified.json()["status"] == "verified"
    no_reason = api(a_manager).post(f"/api/v1/activity/entries/{other.pk}/decline/", {}, format="json")
    assert set(problem_fields(no_reason)["reason"][0]) == {"ja", "en"}
    declined = api(a_manager).post(f"/api/v1/activity/entries/{other.pk}/decline/", {"reason": "違う"}, format="json")
    assert declined.json()["history"][-1]["reason"] == "違う"
    bad = api(a_peer).patch(f"/api/v1/activity/entries/{other.pk}/", {"duration_minutes": 5000}, format="json")
    assert bad.status_code == 400
    assert ActivityEntry.objects.get(pk=other.pk).duration_minutes == 30
    corrected = api(a_peer).patch(f"/api/v1/activity/entries/{other.pk}/", {"duration_minutes": 40}, format="json")
    assert corrected.json()["status"] == "submitted"
    assert api(a_manager).patch(f"/api/v1/activity/entries/{other.pk}/", {"duration_minutes": 1},
                                format="json").status_code == 403
    assert ActivityRollup.objects.get().entries == 1


def test_verify_week_and_access(api, make_entry, a_manager, a_other_manager, a_org):
    make_entry()
    make_entry()
    body = {"organisation": a_org.pk, "week_start": last_monday().isoformat()}
    assert api(a_other_manager).post("/api/v1/activity/verify-week/", body, format="json").status_code == 404
    assert api(a_manager).post("/api/v1/activity/verify-week/", body, format="json").json() == {"verified": 2}


def test_coordinator_gets_no_entries(api, make_entry, a_coordinator):
    entry = make_entry()
    assert api(a_coordinator).get("/api/v1/activity/entries/").json()["results"] == []
    assert api(a_coordinator).get(f"/api/v1/activity/entries/{entry.pk}/").status_code == 404


def test_reflection_hidden_from_manager_unless_shared(api, make_entry, a_manager, a_peer):
    private, shared = make_entry(reflection="私的"), make_entry(reflection="共有", reflection_shared=True)
    assert api(a_manager).get(f"/api/v1/activity/entries/{private.pk}/").json()["reflection"] is None
    assert api(a_manager).get(f"/api/v1/activity/entries/{shared.pk}/").json()["reflection"] == "共有"
    assert api(a_peer).get(f"/api/v1/activity/entries/{private.pk}/").json()["reflection"] == "私的"


def test_supervision_and_hours(api, a_peer, a_colleague, a_supervisor, a_stranger):
    day = last_monday().isoformat()
    created = api(a_colleague).post("/api/v1/activity/supervision/", {
        "supervisor": a_colleague.pk, "peer": a_peer.pk, "date": day, "minutes": 90}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(a_stranger).post(f"/api/v1/activity/supervision/{pk}/confirm/").status_code == 404
    assert api(a_colleague).post(f"/api/v1/activity/supervision/{pk}/confirm/").status_code == 403
    assert api(a_peer).post(f"/api/v1/activity/supervision/{pk}/confirm/").json()["confirmed_at"]
    hours = api(a_peer).get(f"/api/v1/activity/hours/?since={day}&until={day}").json()
    assert hours == {"hours": "1.50"}
    assert api(a_peer).get("/api/v1/activity/hours/?since=x").status_code == 400
    assert SupervisionSession.objects.count() == 1


def test_entry_list_query_count_is_fixed(make_entry, a_peer, django_assert_num_queries):
    """Roles, whether the person holds staff work (one query), one page of entries: whatever the
    number of rows. (Named-supervisor organisations are read only after two-step sign-in.)"""
    from peers.models import User

    client = APIClient()
    make_entry()
    for extra in (0, 5):
        for _ in range(extra):
            make_entry()
        client.force_authenticate(User.objects.get(pk=a_peer.pk))  # a fresh user: nothing cached
        with django_assert_num_queries(3):
            assert len(client.get("/api/v1/activity/entries/").json()["results"]) == 1 + extra
