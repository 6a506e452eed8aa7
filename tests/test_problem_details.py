"""Every error of every app under /api/v1/ has one shape: RFC 9457 problem details
(application/problem+json, peers/api/problems.py), whatever raised it."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.models import ConsultationBody, Meeting, MeetingInvitation, Sector
from tests.problem_support import problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_user):
    return make_user(display_name="ピア 陽子")


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def meeting(member, tokyo, make_user):
    body = ConsultationBody.objects.create(name="協議の場", level=ConsultationBody.Level.PREFECTURE, prefecture=tokyo)
    start = timezone.now() - timedelta(minutes=10)
    meeting = Meeting.objects.create(
        body=body, title="第3回", starts_at=start, ends_at=start + timedelta(hours=2),
        status=Meeting.Status.OPEN, created_by=make_user(),
    )
    MeetingInvitation.objects.create(meeting=meeting, user=member, sector=Sector.PEER)
    return meeting


def _one(body: dict) -> dict:
    [error] = body["errors"]
    return error


# --- peers -------------------------------------------------------------------------------------


def test_peers_400_is_a_problem_with_the_parameter_named(api):
    body = problem(api.get("/api/v1/organisations/", {"search": "東京\x00"}), 400)
    error = _one(body)
    assert error["field"] == "search" and error["message"]["ja"] != error["message"]["en"]
    assert "#problem-" in body["type"]


def test_peers_401_for_a_bad_token_is_a_problem_with_www_authenticate():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer kk_nonsense")
    response = client.get("/api/v1/people/me/")
    assert _one(problem(response, 401))["code"] == "token_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_peers_403_404_405_are_problems(client, manager, organisation, api):
    client.force_login(manager)  # staff work, no two-step sign-in: staff data stays closed
    assert _one(problem(client.get(f"/api/v1/organisations/{organisation.pk}/staffing/"), 403))["code"] == (
        "two_step_required")
    error = _one(problem(api.get("/api/v1/organisations/999999/"), 404))
    assert error["code"] == "not_found" and error["field"] is None
    error = _one(problem(api.delete("/api/v1/people/me/"), 405))
    assert error["code"] == "method_not_allowed" and "DELETE" in error["message"]["en"]


def test_not_signed_in_is_a_problem():
    response = APIClient().get("/api/v1/people/me/")
    assert response.status_code in (401, 403)
    assert _one(problem(response, response.status_code))["code"] == "not_authenticated"


def test_a_body_that_is_not_json_is_a_problem(api):
    response = api.generic("PATCH", "/api/v1/people/me/", "{not json", content_type="application/json")
    assert _one(problem(response, 400))["code"] == "parse_error"


# --- training ----------------------------------------------------------------------------------


def test_training_400_names_every_field_in_both_languages(api):
    body = problem(api.post("/api/v1/training/applications/", {"cohort": "x"}, format="json"), 400)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"cohort", "consent"}
    required = next(e for e in body["errors"] if e["field"] == "consent")
    assert required["code"] == "required"
    assert required["message"] == {"ja": "この項目は必須です。", "en": "This field is required."}


def test_training_404_and_405_are_problems(api):
    problem(api.post("/api/v1/training/certifications/999999/suspend/", {"reason": "x"}, format="json"), 404)
    assert _one(problem(api.get("/api/v1/training/attendance/"), 405))["code"] == "method_not_allowed"


def test_training_verify_404_and_429_are_problems_with_retry_after(settings):
    settings.KAKEHASHI_VERIFY_LIMIT = 1
    settings.KAKEHASHI_VERIFY_PERIOD = 600
    client = APIClient()
    unknown = _one(problem(client.get("/api/v1/verify/PSS-2026-9999-XXX/"), 404))
    assert unknown["message"]["en"] == "No certificate has this number."
    assert unknown["message"]["ja"] != unknown["message"]["en"]
    response = client.get("/api/v1/verify/PSS-2026-9999-XXX/")
    error = _one(problem(response, 429))
    assert error["code"] == "throttled" and "600" in error["message"]["en"] and "600" in error["message"]["ja"]
    assert response["Retry-After"] == "600"


# --- collaboration -----------------------------------------------------------------------------


def test_collaboration_400_404_409_are_problems(api, meeting):
    error = _one(problem(api.get(f"/api/v1/meetings/{meeting.pk}/messages/", {"after": "two"}), 400))
    assert error["field"] == "after"
    problem(api.get("/api/v1/meetings/999999/"), 404)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    closed = problem(api.post(f"/api/v1/meetings/{meeting.pk}/messages/", {"body": "x"}, format="json"), 409)
    assert _one(closed)["code"] == "room_closed"


def test_activity_400_403_405_are_problems(api, make_user):
    problem(api.get("/api/v1/activity/hours/", {"since": "2026-02-30", "until": "2026-03-01"}), 400)
    others = make_user(), make_user()
    refused = api.post("/api/v1/activity/supervision/", {
        "supervisor": others[0].pk, "peer": others[1].pk, "date": datetime.date(2026, 4, 1).isoformat(),
        "minutes": 30,
    }, format="json")
    error = _one(problem(refused, 403))
    assert error["code"] == "forbidden" and error["message"]["ja"] != error["message"]["en"]
    problem(api.put("/api/v1/activity/hours/", {}, format="json"), 405)


def test_the_detail_is_in_the_requests_language(api):
    """The API lives outside the language prefixes, so it speaks the default language, Japanese;
    `errors` carries both languages."""
    one = problem(api.get("/api/v1/organisations/999999/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert one["detail"] == _one(one)["message"]["ja"] == "このアドレスには何もないか、見ることができません。"
    many = problem(api.post("/api/v1/training/applications/", {"cohort": "x"}, format="json"), 400)
    assert len(many["errors"]) == 2 and many["detail"] == "入力内容を確認してください。何も変更されていません。"
    assert many["title"] == "リクエストに誤りがあります"


def test_an_address_no_endpoint_has_is_a_problem_too(client):
    for path in ("/api/v1/organisations/-5/staffing/", "/api/v1/no-such-thing/", "/api/v1/meetings/1.5/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/problem+json"), path
        body = response.json()
        assert body["status"] == 404 and body["errors"][0]["code"] == "not_found"
        assert body["errors"][0]["message"]["ja"] and body["errors"][0]["message"]["en"]
    assert client.post("/api/v1/nothing/here/", {}).status_code == 404
