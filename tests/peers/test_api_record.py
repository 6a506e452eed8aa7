"""The rest of the person's record in the API: consents, their data, erasure requests, and
the vocabularies; the same access and services as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from peers.models import (
    Activity,
    AuditEvent,
    Consent,
    ErasureRequest,
    LivedExperience,
    OrganisationKind,
)
from peers.services.privacy import consent_give, erasure_request
from tests.peers.conftest import enrol_totp

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Consents ---------------------------------------------------------------------------------


def test_person_lists_their_consents_with_what_each_covers(peer, other_peer):
    consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    consent_give(person=other_peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    response = _api(peer).get("/api/v1/me/consents/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["purpose"] for c in results] == ["lived_experience"]
    assert results[0]["data_categories"] == ["lived_experience"] and results[0]["is_active"] is True
    assert response.json()["next"] is None


def test_person_gives_consent_through_the_api(peer):
    response = _api(peer).post("/api/v1/me/consents/", {"purpose": "accommodations"}, format="json")
    assert response.status_code == 201
    consent = Consent.objects.get(person=peer)
    assert consent.purpose == "accommodations" and consent.withdrawn_at is None
    assert AuditEvent.objects.filter(action="consent.give", target_id=str(consent.pk)).exists()


def test_unknown_purpose_is_a_400_and_records_nothing(peer):
    response = _api(peer).post("/api/v1/me/consents/", {"purpose": "marketing"}, format="json")
    assert response.status_code == 400 and "purpose" in response.content.decode()
    assert not Consent.objects.filter(person=peer).exists()


def test_person_withdraws_their_consent(peer):
    consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    response = _api(peer).post("/api/v1/me/consents/withdraw/", {"consent": consent.pk}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_nobody_withdraws_another_persons_consent(peer, other_peer, platform_admin):
    consent = consent_give(person=other_peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    for user in (peer, platform_admin):
        response = _api(user).post("/api/v1/me/consents/withdraw/", {"consent": consent.pk}, format="json")
        assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert _api(peer).get("/api/v1/me/consents/").json()["results"] == []


def test_person_declares_and_removes_lived_experience_under_their_consent(peer):
    api = _api(peer)
    refused = api.put("/api/v1/me/lived-experience/", {"relation": "personal", "visibility": "only_me"}, format="json")
    assert refused.status_code == 400  # no consent covers it yet
    assert not LivedExperience.objects.filter(person=peer).exists()
    consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    response = api.put("/api/v1/me/lived-experience/", {"relation": "family", "visibility": "managers"}, format="json")
    assert response.status_code == 200 and response.json()["consent"] == consent.pk
    declaration = LivedExperience.objects.get(person=peer)
    assert (declaration.relation, declaration.visibility) == ("family", "managers")
    assert api.get("/api/v1/me/lived-experience/").json()["relation"] == "family"
    assert api.delete("/api/v1/me/lived-experience/").status_code == 204
    assert not LivedExperience.objects.filter(person=peer).exists()
    assert api.get("/api/v1/me/lived-experience/").status_code == 404


def test_bad_lived_experience_is_a_400_and_nobody_reads_another_persons(peer, other_peer):
    consent_give(person=other_peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    _api(other_peer).put("/api/v1/me/lived-experience/", {"relation": "personal", "visibility": "only_me"},
                         format="json")
    consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    response = _api(peer).put("/api/v1/me/lived-experience/", {"relation": "diagnosis", "visibility": "only_me"},
                              format="json")
    assert response.status_code == 400 and "relation" in response.content.decode()
    assert not LivedExperience.objects.filter(person=peer).exists()
    assert _api(peer).get("/api/v1/me/lived-experience/").status_code == 404  # only their own, and they have none
    assert LivedExperience.objects.filter(person=other_peer).exists()


# --- The person's data ------------------------------------------------------------------------


def test_person_downloads_the_same_data_as_on_the_account_page(client, peer, other_peer):
    from peers.selectors.privacy import personal_data_json

    consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    response = _api(peer).get("/api/v1/me/data/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    expected = personal_data_json(peer)
    assert set(data["tables"]) == set(expected["tables"]) and set(data["parts"]) == set(expected["parts"])
    for name, table in expected["tables"].items():  # the same rows as the page's JSON download
        assert data["tables"][name]["rows"] == table["rows"], name
    text = response.content.decode()
    assert peer.email in text and other_peer.email not in text


def test_staff_person_reaches_their_own_data_without_two_step(client, org_manager):
    client.force_login(org_manager)  # password only: no second step in this session
    response = client.get("/api/v1/me/data/")
    assert response.status_code == 200 and org_manager.email in response.content.decode()


def test_data_needs_sign_in(client):
    assert client.get("/api/v1/me/data/").status_code in (401, 403)


# --- Erasure requests -------------------------------------------------------------------------


def test_person_asks_for_erasure_and_sees_their_request(peer, other_peer):
    erasure_request(person=other_peer, note="他の人")
    client = _api(peer)
    response = client.post("/api/v1/me/erasure-requests/", {"note": "お願いします", "confirm": True}, format="json")
    assert response.status_code == 201
    made = ErasureRequest.objects.get(person=peer)
    assert made.status == ErasureRequest.Status.REQUESTED and made.note == "お願いします"
    listed = client.get("/api/v1/me/erasure-requests/").json()["results"]
    assert [r["id"] for r in listed] == [made.pk]
    assert "他の人" not in client.get("/api/v1/me/erasure-requests/").content.decode()


def test_erasure_request_without_confirmation_is_a_400(peer):
    response = _api(peer).post("/api/v1/me/erasure-requests/", {"note": "x", "confirm": False}, format="json")
    assert response.status_code == 400 and "confirm" in response.content.decode()
    assert not ErasureRequest.objects.filter(person=peer).exists()


def test_administrator_lists_and_carries_out_erasure_requests(signed_in, platform_admin, peer):
    made = erasure_request(person=peer, note="")
    client = signed_in(platform_admin)  # with the second step
    listed = client.get("/api/v1/erasure/").json()["results"]
    assert [r["id"] for r in listed] == [made.pk] and listed[0]["person"] == peer.pk
    response = client.post(f"/api/v1/erasure/{made.pk}/carry-out/")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    made.refresh_from_db()
    assert made.status == ErasureRequest.Status.COMPLETED and made.completed_by_id == platform_admin.pk


def test_others_cannot_list_or_carry_out_erasure_requests(client, peer, other_peer, org_manager, platform_admin):
    made = erasure_request(person=other_peer, note="秘密のメモ")
    for user in (peer, org_manager):
        api = _api(user)
        listed = api.get("/api/v1/erasure/")
        assert listed.status_code == 403 and "秘密のメモ" not in listed.content.decode()
        assert api.post(f"/api/v1/erasure/{made.pk}/carry-out/").status_code in (403, 404)
    client.force_login(platform_admin)  # an administrator with a password only
    assert client.get("/api/v1/erasure/").status_code == 403
    assert client.post(f"/api/v1/erasure/{made.pk}/carry-out/").status_code == 403
    made.refresh_from_db()
    assert made.status == ErasureRequest.Status.REQUESTED


# --- Vocabularies -----------------------------------------------------------------------------


def _vocabulary_admin(factories):
    return enrol_totp(factories.user(is_superuser=True, is_staff=True))


def test_signed_in_people_read_the_vocabularies(peer):
    response = _api(peer).get("/api/v1/vocabularies/organisation-kinds/", {"page_size": 100})
    assert response.status_code == 200
    codes = [t["code"] for t in response.json()["results"]]
    assert "group-home" in codes and len(codes) == OrganisationKind.objects.count()
    for key in ("professional-roles", "activities", "welfare-services"):
        assert _api(peer).get(f"/api/v1/vocabularies/{key}/").json()["results"]


def test_vocabulary_lists_only_terms_in_use_when_asked(peer):
    Activity.objects.filter(code="listening").update(is_active=False)
    codes = [t["code"] for t in _api(peer).get("/api/v1/vocabularies/activities/",
                                               {"active": "1", "page_size": 100}).json()["results"]]
    assert "listening" not in codes and "peer-group" in codes


def test_who_may_change_vocabularies_adds_and_retires_a_term(factories):
    client = _api(_vocabulary_admin(factories))
    response = client.post("/api/v1/vocabularies/activities/", {
        "code": "art-workshop", "name_ja": "アートワークショップ", "name_en": "Art workshop",
    }, format="json")
    assert response.status_code == 201
    assert Activity.objects.get(code="art-workshop").name_en == "Art workshop"
    response = client.patch("/api/v1/vocabularies/activities/", {"code": "art-workshop", "is_active": False},
                            format="json")
    assert response.status_code == 200
    assert Activity.objects.get(code="art-workshop").is_active is False


def test_others_cannot_change_vocabularies(peer, platform_admin, client, factories):
    before = list(Activity.objects.values_list("code", "name_en", "is_active"))
    for api in (_api(peer), _api(platform_admin)):  # platform admin role without the editor's permission
        assert api.post("/api/v1/vocabularies/activities/", {
            "code": "art-workshop", "name_ja": "アート", "name_en": "Art",
        }, format="json").status_code == 403
        assert api.patch("/api/v1/vocabularies/activities/", {"code": "listening", "is_active": False},
                         format="json").status_code == 403
    client.force_login(_vocabulary_admin(factories))  # the editor's permission, password only
    assert client.patch("/api/v1/vocabularies/activities/", {"code": "listening", "is_active": False},
                        content_type="application/json").status_code == 403
    assert list(Activity.objects.values_list("code", "name_en", "is_active")) == before


def test_bad_vocabulary_term_is_a_400_and_changes_nothing(factories):
    client = _api(_vocabulary_admin(factories))
    count = Activity.objects.count()
    response = client.post("/api/v1/vocabularies/activities/", {"code": "not a slug!", "name_ja": ""}, format="json")
    assert response.status_code == 400 and "code" in response.content.decode()
    response = client.post("/api/v1/vocabularies/activities/", {
        "code": "listening", "name_ja": "傾聴", "name_en": "Listening",
    }, format="json")  # the code is taken
    assert response.status_code == 400 and "code" in response.content.decode()
    assert Activity.objects.count() == count
