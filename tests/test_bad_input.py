"""Bad input never answers 500: each case found on main, through the real URLs, on SQLite and on
PostgreSQL (which refuses NUL in text where SQLite stores it).

The API answers 400 with the bilingual shape of peers/errors.py:
    application/problem+json {type, title, status, detail,
                              errors: [{field: "<parameter>", code, message: {ja, en}}]}
Pages answer 200: a bad filter is a form error, a bad cursor shows the first page with a notice.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from collaboration.models import ConsultationBody, Meeting, MeetingInvitation, Sector
from peers.models import Profile
from tests.problem_support import problem_fields

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes, int() says no


def cursor_of(values) -> str:
    """A cursor shaped like ours (base64 of a JSON list), carrying whatever values we like."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def member(make_user, client):
    user = make_user(display_name="ピア 陽子")
    Profile.objects.update_or_create(user=user, defaults={"directory_opt_in": True})
    client.force_login(user)
    return user


def assert_bilingual_400(response, parameter: str) -> None:
    messages = problem_fields(response, 400)[parameter]
    assert messages and all(set(m) == {"ja", "en"} and m["ja"] != m["en"] for m in messages)


@pytest.mark.parametrize("parameter", ["search", "prefecture", "kind", "activity"])
@pytest.mark.parametrize("value", ["\x00", "東京\x00", "\x1b[31m"])
def test_organisation_api_filter_with_a_control_character_is_a_bilingual_400(client, member, organisation,
                                                                              parameter, value):
    response = client.get("/api/v1/organisations/", {parameter: value})
    assert_bilingual_400(response, parameter)


def test_organisation_api_filters_still_filter(client, member, organisation, other_organisation):
    response = client.get("/api/v1/organisations/", {"search": " 東 ", "prefecture": "13"})
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["results"]] == [organisation.name]


@pytest.mark.parametrize("cursor", [
    cursor_of(["\x00", 1]), cursor_of(["a", "\x00"]), cursor_of(["a", SUPERSCRIPT_TWO]),
    cursor_of(["a", 10**30]), cursor_of([["nested"], {"a": 1}]), cursor_of(["only one"]),
    "\x00", "not base64 !", "A" * 5000,
])
def test_organisation_api_with_a_bad_cursor_is_a_bilingual_400(client, member, organisation, cursor):
    assert_bilingual_400(client.get("/api/v1/organisations/", {"cursor": cursor}), "cursor")


def test_organisation_api_cursor_it_gave_still_turns_the_page(client, member, organisation, other_organisation):
    first = client.get("/api/v1/organisations/", {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [o["name"] for o in first["results"] + second["results"]] == sorted(
        [organisation.name, other_organisation.name])


@pytest.mark.parametrize("page_size", ["\x00", SUPERSCRIPT_TWO, "-1", "0", "1e3", "100000000000000000000"])
def test_organisation_api_with_a_bad_page_size_is_a_bilingual_400(client, member, organisation, page_size):
    assert_bilingual_400(client.get("/api/v1/organisations/", {"page_size": page_size}), "page_size")


@pytest.mark.parametrize("path", ["/organisations/", "/directory/"])
@pytest.mark.parametrize("cursor", [cursor_of(["\x00", 1]), cursor_of(["a", SUPERSCRIPT_TWO]), "\x00", "%%%"])
def test_page_with_a_bad_cursor_shows_the_first_page_with_a_notice(client, member, organisation, path, cursor):
    response = client.get(path, {"after": cursor})
    assert response.status_code == 200
    text = response.content.decode()
    assert "この続きのページは開けませんでした" in text  # the notice, in the page's language
    if path == "/organisations/":
        assert organisation.name in text  # and the first page itself
    else:
        assert member.display_name in text


@pytest.mark.parametrize("path", ["/organisations/", "/directory/"])
@pytest.mark.parametrize("parameter", ["q", "prefecture", "kind", "activity"])
def test_page_filter_with_nul_is_a_form_error_not_a_500(client, member, path, parameter):
    response = client.get(path, {parameter: "\x00"})
    assert response.status_code == 200


def test_activity_entries_with_nul_status_is_a_bilingual_400(client, member):
    assert_bilingual_400(client.get("/api/v1/activity/entries/", {"status": "\x00"}), "status")


def test_activity_entries_with_an_unknown_status_is_a_bilingual_400(client, member):
    assert_bilingual_400(client.get("/api/v1/activity/entries/", {"status": "lost"}), "status")


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, "١٢", "１２", "12a", "-3", "0", "\x00", "9" * 30])
def test_activity_entries_with_a_bad_organisation_id_is_a_bilingual_400(client, member, value):
    assert_bilingual_400(client.get("/api/v1/activity/entries/", {"organisation": value}), "organisation")


def test_activity_entries_with_good_filters_answer_200(client, member, organisation):
    response = client.get("/api/v1/activity/entries/", {"organisation": str(organisation.pk), "status": "verified"})
    assert response.status_code == 200 and response.json()["results"] == []


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


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, "١", "\x00", "-1", "1.5", "9" * 40])
def test_meeting_messages_with_a_bad_after_is_a_bilingual_400(client, meeting, value):
    assert_bilingual_400(client.get(f"/api/v1/meetings/{meeting.pk}/messages/", {"after": value}), "after")


def test_meeting_messages_after_a_number_answer_200(client, meeting):
    response = client.get(f"/api/v1/meetings/{meeting.pk}/messages/", {"after": "0"})
    assert response.status_code == 200 and response.json() == {"results": [], "next": None}


@pytest.mark.parametrize("since,until", [("\x00", "2026-01-01"), ("2026-01-01", SUPERSCRIPT_TWO), ("", ""),
                                         ("2026-02-30", "2026-03-01"), ("2026-03-01", "2026-02-01")])
def test_activity_hours_with_bad_dates_is_a_bilingual_400(client, member, since, until):
    response = client.get("/api/v1/activity/hours/", {"since": since, "until": until})
    assert all(set(m) == {"ja", "en"} for messages in problem_fields(response, 400).values() for m in messages)
