"""The JSON API: same access rules as the pages, bilingual 400s that change nothing, OpenAPI."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from peers.models import Engagement, Profile
from tests.api_token_support import bearer_for
from tests.problem_support import problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user, *, token=False):
        client = APIClient()
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(user)}")
        else:
            client.force_authenticate(user)
        return client

    return as_user


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in ("/api/v1/organisations/", "/api/v1/people/me/", "/api/v1/engagements/{id}/confirm/"):
        assert path in schema["paths"]
    assert not any(p.startswith("/cms-admin") for p in schema["paths"])


def test_api_needs_authentication(client):
    assert client.get("/api/v1/engagements/").status_code in (401, 403)


def test_token_authentication_works(api, peer, factories):
    factories.engagement(person=peer)
    response = api(peer, token=True).get("/api/v1/engagements/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_organisation_list_filters_and_paginates(api, peer, factories, django_assert_num_queries):
    from peers.models import Prefecture

    hokkaido = Prefecture.objects.get(code="01")
    factories.organisation(name="札幌の家", prefecture=hokkaido)
    for _ in range(30):
        factories.organisation()
    client = api(peer)
    assert [o["name"] for o in client.get("/api/v1/organisations/", {"prefecture": "01"}).json()["results"]] == ["札幌の家"]
    # The roles and whether this person holds staff work without a staff role (one query) are
    # kept on the user object, which this client reuses: the list itself is one query.
    with django_assert_num_queries(1):
        first = client.get("/api/v1/organisations/").json()
    assert len(first["results"]) == 25 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None


def test_organisation_summary_only_for_allowed(api, org, org_manager, peer, factories):
    factories.engagement(organisation=org, employed=True)
    assert api(peer).get(f"/api/v1/organisations/{org.pk}/").json()["summary"] is None
    summary = api(org_manager).get(f"/api/v1/organisations/{org.pk}/").json()["summary"]
    assert summary["employed"] == 1 and summary["fte"] == "0.50"


def test_people_visibility_and_404_on_guessed_id(api, peer, other_peer, org, org_manager, factories):
    factories.engagement(person=peer, organisation=org)
    ids = {p["id"] for p in api(org_manager).get("/api/v1/people/").json()["results"]}
    assert ids == {org_manager.pk, peer.pk}
    assert api(peer).get(f"/api/v1/people/{other_peer.pk}/").status_code == 404
    assert api(org_manager).get(f"/api/v1/people/{other_peer.pk}/").status_code == 404
    assert api(org_manager).get(f"/api/v1/people/{peer.pk}/").status_code == 200


def test_api_never_returns_sensitive_fields(api, peer, org, org_manager, factories):
    from peers.services.privacy import consent_give
    from peers.services.workforce import profile_update

    consent_give(person=peer, purpose="accommodations")
    profile_update(actor=peer, person=peer, accommodations="静かな部屋")
    factories.engagement(person=peer, organisation=org)
    body = api(org_manager).get(f"/api/v1/people/{peer.pk}/").content.decode()
    assert "静かな部屋" not in body and "accommodations" not in body


def test_patch_my_profile(api, peer, psw):
    response = api(peer).patch(
        "/api/v1/people/me/", {"languages": "English", "professional_roles": ["psw"], "prefecture": "14"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["professional_roles"] == ["psw"]
    assert Profile.objects.get(user=peer).prefecture_id == "14"


def test_bad_input_is_400_in_both_languages_and_changes_nothing(api, peer):
    client = api(peer)
    client.patch("/api/v1/people/me/", {"languages": "日本語"}, format="json")
    response = client.patch(
        "/api/v1/people/me/", {"languages": "English", "prefecture": "99"}, format="json"
    )
    message = problem_fields(response)["prefecture"][0]
    assert message["en"] and message["ja"] and message["ja"] != message["en"]
    assert Profile.objects.get(user=peer).languages == "日本語"


def test_service_validation_error_is_bilingual_400(api, peer, org):
    response = api(peer).post("/api/v1/engagements/", {
        "organisation": org.pk, "kind": "employed", "start_date": "2024-04-01",
        "weekly_hours": "20",
    }, format="json")
    errors = problem_fields(response)
    assert "full_time_weekly_hours" in errors and set(errors["full_time_weekly_hours"][0]) == {"ja", "en"}
    assert not Engagement.objects.exists()


def test_engagement_lifecycle_through_api(api, peer, org, org_manager):
    created = api(peer).post("/api/v1/engagements/", {
        "organisation": org.pk, "kind": "honorarium", "start_date": "2024-04-01",
        "honorarium_rate": 5000, "honorarium_unit": "session", "activities": ["awareness-talk"],
    }, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["confirmed_at"] is None
    assert api(peer).post(f"/api/v1/engagements/{pk}/confirm/").status_code == 403
    confirmed = api(org_manager).post(f"/api/v1/engagements/{pk}/confirm/")
    assert confirmed.json()["confirmed_at"]
    changed = api(org_manager).post(f"/api/v1/engagements/{pk}/change-terms/", {
        "effective_date": "2025-04-01", "kind": "employed", "weekly_hours": "20",
        "full_time_weekly_hours": "40",
    }, format="json")
    assert changed.status_code == 201, changed.content
    assert changed.json()["replaces"] == pk and changed.json()["fte"] == "0.50"
    assert Engagement.objects.get(pk=pk).end_date.isoformat() == "2025-03-31"


def test_engagement_of_another_organisation_is_404(api, peer, other_org, org_manager, factories):
    engagement = factories.engagement(person=peer, organisation=other_org)
    client = api(org_manager)
    assert client.get(f"/api/v1/engagements/{engagement.pk}/").status_code == 404
    assert client.post(f"/api/v1/engagements/{engagement.pk}/confirm/").status_code == 404
    assert client.post(f"/api/v1/engagements/{engagement.pk}/end/", {"end_date": "2025-01-01"}).status_code == 404
    engagement.refresh_from_db()
    assert engagement.confirmed_at is None and engagement.end_date is None


def test_engagement_list_runs_fixed_queries(api, peer, factories, django_assert_num_queries):
    for _ in range(3):
        factories.engagement(person=peer)
    client = api(peer, token=True)  # each request loads the user afresh
    with django_assert_num_queries(6):  # +1: the staff-capability check (one query); +1: last use
        client.get("/api/v1/engagements/")  # written, at most once a minute (not on the next call)
    for _ in range(20):
        factories.engagement(person=peer)
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/engagements/").json()["results"]) == 23
