"""Staff forms end to end: organisations, engagements recorded and re-termed by managers, and
consent given on paper. Bad input changes nothing; someone else's record is a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from peers.models import AuditEvent, Consent, Engagement, Organisation
from peers.services import role_grant

pytestmark = pytest.mark.django_db


def _ja(name, *args, **kwargs) -> str:
    with translation.override("ja"):
        return reverse(name, *args, **kwargs)

ORG_POST = {
    "name": "横浜ピアの家", "kind": "", "prefecture": "14", "municipality": "横浜市",
    "corporation": "社会福祉法人みなと", "contact_email": "info@example.jp",
    "contact_phone": "045-000-0000",
}


# --- Organisations ----------------------------------------------------------------------------


def test_administrator_adds_an_organisation(signed_in, platform_admin):
    response = signed_in(platform_admin).post(reverse("peers:organisation_new"), ORG_POST)
    organisation = Organisation.objects.get(name="横浜ピアの家")
    assert response.status_code == 302
    assert response["Location"] == reverse("peers:organisation_staff", args=[organisation.pk])
    assert organisation.prefecture_id == "14" and organisation.corporation == "社会福祉法人みなと"
    assert AuditEvent.objects.filter(action="organisation.create", actor=platform_admin).exists()


def test_manager_cannot_add_organisations(signed_in, org_manager):
    response = signed_in(org_manager).post(reverse("peers:organisation_new"), ORG_POST)
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="横浜ピアの家").exists()


def test_bad_organisation_shows_errors_in_japanese_and_english_and_saves_nothing(
    signed_in, platform_admin
):
    client = signed_in(platform_admin)
    bad = {**ORG_POST, "name": "", "contact_email": "not-an-email"}
    response = client.post(reverse("peers:organisation_new"), bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_error"' in html and "この項目は必須です。" in html
    english = client.post("/en" + _ja("peers:organisation_new"), bad)
    assert "This field is required." in english.content.decode()
    assert "Enter a valid email address." in english.content.decode()
    assert not Organisation.objects.filter(prefecture_id="14").exists()


def test_manager_edits_their_own_organisation(signed_in, org_manager, org):
    client = signed_in(org_manager)
    form = client.get(reverse("peers:organisation_edit", args=[org.pk]))
    assert form.context["form"].initial["name"] == org.name
    response = client.post(reverse("peers:organisation_edit", args=[org.pk]), {
        **ORG_POST, "name": "ピアサポートセンター東 本館", "prefecture": "13",
        "kind": org.kind.pk,
    })
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "ピアサポートセンター東 本館" and org.contact_phone == "045-000-0000"
    assert org.kind is not None


def test_bad_edit_leaves_the_organisation_unchanged(signed_in, org_manager, org):
    response = signed_in(org_manager).post(reverse("peers:organisation_edit", args=[org.pk]), {
        **ORG_POST, "name": "新しい名前", "prefecture": "99",
    })
    assert response.status_code == 200 and 'id="id_prefecture_error"' in response.content.decode()
    org.refresh_from_db()
    assert org.name == "ピアサポートセンター東" and org.prefecture_id == "13"


def test_editing_someone_elses_organisation_is_404(signed_in, org_manager, other_org):
    client = signed_in(org_manager)
    url = reverse("peers:organisation_edit", args=[other_org.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**ORG_POST, "prefecture": "13"}).status_code == 404
    other_org.refresh_from_db()
    assert other_org.name == "ピアサポートセンター西"


# --- Engagements recorded by a manager -----------------------------------------------------------


def _engagement_post(**extra):
    return {"kind": "volunteer", "job_title": "ピアスタッフ", "start_date": "2024-10-01", **extra}


def test_manager_records_engagement_for_a_person_linked_to_the_organisation(
    signed_in, org_manager, org, peer, factories
):
    factories.engagement(person=peer, organisation=org, end_date=datetime.date(2024, 9, 30))
    client = signed_in(org_manager)
    url = reverse("peers:engagement_record", args=[org.pk])
    choices = list(client.get(url).context["form"].fields["person"].queryset)
    assert choices == [peer]
    response = client.post(url, _engagement_post(
        person=peer.pk, kind="employed", weekly_hours="30", full_time_weekly_hours="40",
    ))
    assert response.status_code == 302
    engagement = Engagement.objects.get(person=peer, start_date=datetime.date(2024, 10, 1))
    assert engagement.organisation == org and engagement.fte == Decimal("0.75")
    assert engagement.confirmed_by == org_manager


def test_manager_records_engagement_by_email_of_an_existing_account(
    signed_in, org_manager, org, other_peer
):
    response = signed_in(org_manager).post(
        reverse("peers:engagement_record", args=[org.pk]),
        _engagement_post(email=other_peer.email.upper()),
    )
    assert response.status_code == 302
    assert Engagement.objects.get(person=other_peer).organisation == org


def test_people_not_linked_to_the_organisation_cannot_be_picked(
    signed_in, org_manager, org, other_peer
):
    response = signed_in(org_manager).post(
        reverse("peers:engagement_record", args=[org.pk]), _engagement_post(person=other_peer.pk)
    )
    assert response.status_code == 200 and 'id="id_person_error"' in response.content.decode()
    assert not Engagement.objects.exists()


def test_unknown_email_or_missing_terms_record_nothing(signed_in, org_manager, org, peer):
    client = signed_in(org_manager)
    url = reverse("peers:engagement_record", args=[org.pk])
    unknown = client.post("/en" + url.removeprefix("/en"), _engagement_post(email="nobody@example.test"))
    assert "No account has this email address" in unknown.content.decode()
    neither = client.post("/en" + url.removeprefix("/en"), _engagement_post())
    assert "Choose a person or give the email address" in neither.content.decode()
    no_rate = client.post(url, _engagement_post(email=peer.email, kind="honorarium"))
    assert 'id="id_honorarium_rate_error"' in no_rate.content.decode()
    assert not Engagement.objects.exists()


def test_recording_at_someone_elses_organisation_is_404(signed_in, org_manager, other_org, peer):
    response = signed_in(org_manager).post(
        reverse("peers:engagement_record", args=[other_org.pk]), _engagement_post(email=peer.email)
    )
    assert response.status_code == 404
    assert not Engagement.objects.exists()


# --- Changing terms ----------------------------------------------------------------------------


def test_manager_changes_terms_ending_the_old_engagement(
    signed_in, org_manager, org, peer, factories, activities
):
    old = factories.engagement(person=peer, organisation=org, honorarium=True)
    old.activities.set([activities["listening"]])
    client = signed_in(org_manager)
    url = reverse("peers:engagement_terms", args=[old.pk])
    assert client.get(url).context["form"].initial["honorarium_rate"] == 5000
    response = client.post(url, {
        "effective_date": "2025-04-01", "kind": "employed", "job_title": "ピアスタッフ",
        "activities": [activities["listening"].pk], "weekly_hours": "20",
        "full_time_weekly_hours": "40", "honorarium_rate": "5000", "honorarium_unit": "session",
    })
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.next
    assert old.end_date == datetime.date(2025, 3, 31) and old.kind == "honorarium"
    assert new.start_date == datetime.date(2025, 4, 1) and new.kind == "employed"
    assert new.honorarium_rate is None and new.fte == Decimal("0.50")
    assert list(new.activities.all()) == [activities["listening"]]


def test_bad_new_terms_leave_the_engagement_as_it_was(signed_in, org_manager, org, peer, factories):
    old = factories.engagement(person=peer, organisation=org)
    client = signed_in(org_manager)
    url = reverse("peers:engagement_terms", args=[old.pk])
    too_early = client.post(url, {"effective_date": "2024-01-01", "kind": "volunteer"})
    assert 'id="id_effective_date_error"' in too_early.content.decode()
    no_hours = client.post(url, {"effective_date": "2025-04-01", "kind": "employed"})
    assert 'id="id_weekly_hours_error"' in no_hours.content.decode()
    old.refresh_from_db()
    assert old.end_date is None and Engagement.objects.count() == 1


def test_changing_terms_at_someone_elses_organisation_is_404(
    signed_in, org_manager, other_org, peer, factories
):
    theirs = factories.engagement(person=peer, organisation=other_org)
    response = signed_in(org_manager).post(
        reverse("peers:engagement_terms", args=[theirs.pk]),
        {"effective_date": "2025-04-01", "kind": "volunteer"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.end_date is None and Engagement.objects.count() == 1


# --- Consent on paper ----------------------------------------------------------------------------


def test_administrator_records_paper_consent(signed_in, platform_admin, peer):
    response = signed_in(platform_admin).post(
        reverse("peers:paper_consent", args=[peer.pk]),
        {"purpose": Consent.Purpose.ACCOMMODATIONS, "confirm": "on"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=peer)
    assert consent.recorded_by == platform_admin and consent.is_active


def test_paper_consent_needs_the_confirmation(signed_in, platform_admin, peer):
    client = signed_in(platform_admin)
    url = reverse("peers:paper_consent", args=[peer.pk])
    response = client.post("/en" + url.removeprefix("/en"), {"purpose": Consent.Purpose.ACCOMMODATIONS})
    assert 'id="id_confirm_error"' in response.content.decode()
    assert "This field is required." in response.content.decode()
    assert not Consent.objects.exists()


def test_paper_consent_for_a_missing_person_is_404_and_managers_may_not(
    signed_in, platform_admin, org_manager, peer
):
    assert signed_in(platform_admin).get(
        reverse("peers:paper_consent", args=[999999])
    ).status_code == 404
    response = signed_in(org_manager).post(
        reverse("peers:paper_consent", args=[peer.pk]),
        {"purpose": Consent.Purpose.ACCOMMODATIONS, "confirm": "on"},
    )
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_staff_pages_link_to_the_forms(signed_in, org_manager, org, factories):
    engagement = factories.engagement(organisation=org)
    html = signed_in(org_manager).get(
        reverse("peers:organisation_staff", args=[org.pk])
    ).content.decode()
    assert reverse("peers:organisation_edit", args=[org.pk]) in html
    assert reverse("peers:engagement_record", args=[org.pk]) in html
    assert reverse("peers:engagement_terms", args=[engagement.pk]) in html


def test_invited_people_are_linked_before_any_engagement(org, org_manager, peer):
    from django.utils import timezone

    from peers.models import Invitation
    from peers.selectors.workforce import person_list_linked_to

    Invitation.objects.create(
        email=peer.email, role="peer", organisation=org, invited_by=org_manager,
        expires_at=timezone.now(), accepted_at=timezone.now(), accepted_by=peer,
    )
    assert list(person_list_linked_to(org)) == [peer]
    role_grant(user=peer, role="peer")
