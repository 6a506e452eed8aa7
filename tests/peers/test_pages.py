"""The pages end to end through the client: who sees what, 404 on guessed ids, bounded queries."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from peers.models import (
    Consent,
    Engagement,
    ErasureRequest,
    LivedExperience,
    Profile,
    SensitiveAccess,
)
from peers.services.privacy import consent_give, lived_experience_declare
from peers.services.workforce import profile_update
from tests.conftest import login_as, with_mfa

pytestmark = pytest.mark.django_db


def _many_engagements(factories, org, count):
    people = [factories.user() for _ in range(count)]
    for i, person in enumerate(people):
        trait = ("employed", "honorarium", None)[i % 3]
        factories.engagement(person=person, organisation=org, **({trait: True} if trait else {}))


# --- /me/ -------------------------------------------------------------------------------------


def test_profile_edit_saves_with_consent_checkbox(signed_in, peer, psw):
    client = signed_in(peer)
    response = client.post(reverse("peers:profile"), {
        "display_name": "ピア 陽子", "name_kana": "ぴあ ようこ", "prefecture": "14",
        "languages": "日本語, English", "professional_roles": [psw.pk],
        "accommodations": "午前中の勤務を希望", "consent_accommodations": "on",
        "directory_opt_in": "on", "public_engagements": "on",
    })
    assert response.status_code == 302
    profile = Profile.objects.get(user=peer)
    assert profile.prefecture_id == "14" and profile.accommodations == "午前中の勤務を希望"
    assert profile.accommodations_consent.purpose == Consent.Purpose.ACCOMMODATIONS
    assert list(profile.professional_roles.all()) == [psw]


def test_profile_edit_without_consent_shows_linked_error_and_saves_nothing(signed_in, peer):
    client = signed_in(peer)
    response = client.post(reverse("peers:profile"), {
        "display_name": "ピア 陽子", "accommodations": "午前中の勤務を希望",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-describedby="id_accommodations_helptext id_accommodations_error"' in html
    assert 'id="id_accommodations_error"' in html
    assert not Profile.objects.filter(accommodations__gt="").exists()


def test_profile_requires_sign_in(client):
    response = client.get(reverse("peers:profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_peer_records_engagement_through_page(signed_in, peer, org, activities):
    client = signed_in(peer)
    response = client.post(reverse("peers:engagement_new"), {
        "organisation": org.pk, "kind": "employed", "job_title": "ピアスタッフ",
        "activities": [activities["listening"].pk], "start_date": "2024-04-01",
        "weekly_hours": "20", "full_time_weekly_hours": "40",
    })
    assert response.status_code == 302
    engagement = Engagement.objects.get(person=peer)
    assert engagement.fte == Decimal("0.50") and engagement.confirmed_at is None


def test_engagement_form_shows_kind_specific_errors(signed_in, peer, org):
    client = signed_in(peer)
    response = client.post(reverse("peers:engagement_new"), {
        "organisation": org.pk, "kind": "honorarium", "start_date": "2024-04-01",
    })
    assert response.status_code == 200
    assert 'id="id_honorarium_rate_error"' in response.content.decode()
    assert not Engagement.objects.exists()


def test_my_engagements_lists_only_mine_in_fixed_queries(
    signed_in, peer, other_peer, org, factories, django_assert_num_queries
):
    for day in range(1, 4):
        factories.engagement(person=peer, organisation=org, start_date=datetime.date(2024, 4, day))
    factories.engagement(person=other_peer, organisation=org, job_title="他人の仕事")
    client = signed_in(peer)
    client.get(reverse("peers:engagement_list"))  # warm the cached menus
    with django_assert_num_queries(5):  # two-step everywhere: -2 Wagtail userbar has_perm (no queries without the mark)
        response = client.get(reverse("peers:engagement_list"))
    main = response.content.decode().split('<main', 1)[1].split("</main>", 1)[0]
    assert main.count("ピアサポーター") == 3
    assert "他人の仕事" not in main
    for day in range(4, 30):
        factories.engagement(person=peer, organisation=org, start_date=datetime.date(2024, 4, day))
    with django_assert_num_queries(5):
        response = client.get(reverse("peers:engagement_list"))
    page = response.context["page"]
    assert len(page.items) == 25 and page.next_cursor
    second = client.get(reverse("peers:engagement_list"), {"after": page.next_cursor})
    assert len(second.context["page"].items) == 4


def test_ending_someone_elses_engagement_is_404(signed_in, peer, other_peer, factories):
    theirs = factories.engagement(person=other_peer)
    response = signed_in(peer).post(
        reverse("peers:engagement_end", args=[theirs.pk]), {"end_date": "2025-01-01"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.end_date is None


def test_consent_page_give_declare_withdraw(signed_in, peer):
    client = signed_in(peer)
    url = reverse("peers:consent")
    client.post(url, {"action": "give", "purpose": "lived_experience"})
    client.post(url, {"action": "declare", "relation": "personal", "visibility": "only_me"})
    assert LivedExperience.objects.filter(person=peer).exists()
    consent = Consent.objects.get(person=peer)
    client.post(url, {"action": "withdraw", "consent": consent.pk})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    response = client.get(url)
    assert response.context["declaration"] is None


def test_withdrawing_someone_elses_consent_is_404(signed_in, peer, other_peer):
    consent = consent_give(person=other_peer, purpose="accommodations")
    response = signed_in(peer).post(reverse("peers:consent"), {"action": "withdraw", "consent": consent.pk})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_access_log_shows_reads_by_others(signed_in, peer, org, org_manager, factories):
    consent_give(person=peer, purpose="accommodations")
    profile_update(actor=peer, person=peer, accommodations="静かな部屋")
    factories.engagement(person=peer, organisation=org)
    manager_client = signed_in(org_manager)
    response = manager_client.get(reverse("peers:person_detail", args=[peer.pk]))
    assert "静かな部屋" in response.content.decode()
    assert SensitiveAccess.objects.filter(person=peer, accessor=org_manager).count() == 1
    response = signed_in(peer).get(reverse("peers:access_log"))
    assert org_manager.display_name in response.content.decode()


def test_download_my_data_json_and_csv(signed_in, peer, factories):
    import io
    import zipfile

    factories.engagement(person=peer, job_title="傾聴ボランティア")
    client = signed_in(peer)
    response = client.get(reverse("peers:data_download", args=["json"]))
    data = json.loads(response.content)
    assert data["tables"]["account"]["rows"][0]["email"] == peer.email
    assert data["tables"]["engagements"]["rows"][0]["job_title"] == "傾聴ボランティア"
    response = client.get(reverse("peers:data_download", args=["csv"]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    engagements = next(name for name in archive.namelist() if "engagements" in name and name.endswith(".csv"))
    assert "傾聴ボランティア" in archive.read(engagements).decode("utf-8-sig")


def test_request_erasure(signed_in, peer):
    client = signed_in(peer)
    response = client.post(reverse("peers:my_data"), {"note": "", "confirm": "on"})
    assert response.status_code == 302
    assert ErasureRequest.objects.filter(person=peer, status="requested").count() == 1


# --- organisations ----------------------------------------------------------------------------


def test_organisation_list_filters_and_runs_fixed_queries(
    signed_in, peer, factories, activities, django_assert_num_queries
):
    from peers.models import OrganisationKind, Prefecture

    hokkaido = Prefecture.objects.get(code="01")
    clinic = OrganisationKind.objects.get(code="clinic")
    factories.organisation(name="札幌クリニック", prefecture=hokkaido, kind=clinic)
    group = factories.organisation(name="東京の家")
    e = factories.engagement(organisation=group)
    e.activities.set([activities["peer-group"]])
    client = signed_in(peer)
    url = reverse("peers:organisation_list")
    assert [o.name for o in client.get(url, {"prefecture": "01"}).context["page"].items] == ["札幌クリニック"]
    assert [o.name for o in client.get(url, {"kind": "clinic"}).context["page"].items] == ["札幌クリニック"]
    assert [o.name for o in client.get(url, {"activity": "peer-group"}).context["page"].items] == ["東京の家"]
    assert [o.name for o in client.get(url, {"q": "札幌"}).context["page"].items] == ["札幌クリニック"]
    with django_assert_num_queries(7):  # two-step everywhere: -2 Wagtail userbar has_perm (no queries without the mark)
        client.get(url)
    for _ in range(60):
        factories.organisation()
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["page"].items) == 25


def test_organisation_page_shows_only_people_who_opted_in(signed_in, peer, other_peer, org, factories):
    profile_update(actor=peer, person=peer, directory_opt_in=True, public_engagements=True)
    factories.engagement(person=peer, organisation=org)
    factories.engagement(person=other_peer, organisation=org)
    html = signed_in(other_peer).get(reverse("peers:organisation_detail", args=[org.pk])).content.decode()
    assert peer.display_name in html and other_peer.display_name not in html


def test_organisation_detail_unknown_id_is_404(signed_in, peer):
    assert signed_in(peer).get(reverse("peers:organisation_detail", args=[999999])).status_code == 404


# --- staff pages ------------------------------------------------------------------------------


def test_manager_sees_staff_terms_counts_and_fte_in_fixed_queries(
    signed_in, org, org_manager, factories, django_assert_num_queries
):
    _many_engagements(factories, org, 6)
    client = signed_in(org_manager)
    url = reverse("peers:organisation_staff", args=[org.pk])
    client.get(url)  # warm the cached menus
    with django_assert_num_queries(8):
        response = client.get(url)
    summary = response.context["summary"]
    assert (summary["volunteer"], summary["honorarium"], summary["employed"]) == (2, 2, 2)
    assert summary["fte"] == Decimal("1.00")
    assert "¥5000" in response.content.decode()
    _many_engagements(factories, org, 40)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["staff_page"].items) == 25


def test_coordinator_sees_counts_but_no_people_or_terms(signed_in, org, tokyo_coordinator, factories):
    _many_engagements(factories, org, 3)
    response = signed_in(tokyo_coordinator).get(reverse("peers:organisation_staff", args=[org.pk]))
    assert response.status_code == 200
    assert response.context["staff_page"] is None
    assert "¥5000" not in response.content.decode()
    response = signed_in(tokyo_coordinator).get(reverse("peers:coordinator_counts"))
    row = response.context["rows"][0]
    assert row["prefecture"].code == "13" and row["volunteer"] is None  # 1 is hidden


def test_coordinator_cannot_open_a_person(signed_in, peer, org, tokyo_coordinator, factories):
    factories.engagement(person=peer, organisation=org)
    response = signed_in(tokyo_coordinator).get(reverse("peers:person_detail", args=[peer.pk]))
    assert response.status_code == 403


def test_manager_of_another_organisation_gets_404(signed_in, peer, org, other_manager, factories):
    engagement = factories.engagement(person=peer, organisation=org)
    client = signed_in(other_manager)
    assert client.get(reverse("peers:organisation_staff", args=[org.pk])).status_code == 404
    assert client.get(reverse("peers:person_detail", args=[peer.pk])).status_code == 404
    assert client.post(reverse("peers:engagement_confirm", args=[engagement.pk])).status_code == 404


def test_peer_cannot_open_staff_pages(signed_in, peer, org):
    client = signed_in(with_mfa(peer))
    assert client.get(reverse("peers:organisation_staff", args=[org.pk])).status_code == 403
    assert client.get(reverse("peers:engagement_pending")).status_code == 403


def test_staff_without_mfa_are_sent_to_enrol(client, org, factories):
    from peers.services import role_grant

    manager = factories.user()
    role_grant(user=manager, role="manager", organisation=org)
    login_as(client, manager)
    response = client.get(reverse("peers:organisation_staff", args=[org.pk]))
    assert response.status_code == 302 and "two-step" in response["Location"]


def test_manager_confirms_pending_terms(signed_in, peer, org, org_manager, factories):
    engagement = factories.engagement(person=peer, organisation=org)
    client = signed_in(org_manager)
    assert client.get(reverse("peers:engagement_pending")).context["page"].items == [engagement]
    client.post(reverse("peers:engagement_confirm", args=[engagement.pk]))
    engagement.refresh_from_db()
    assert engagement.confirmed_by == org_manager


def test_lived_experience_shown_to_manager_only_when_allowed(signed_in, peer, org, org_manager, factories):
    factories.engagement(person=peer, organisation=org)
    consent_give(person=peer, purpose="lived_experience")
    lived_experience_declare(person=peer, relation="family", visibility="only_me")
    client = signed_in(org_manager)
    assert client.get(reverse("peers:person_detail", args=[peer.pk])).context["lived_experience"] is None
    lived_experience_declare(person=peer, relation="family", visibility="managers")
    assert client.get(reverse("peers:person_detail", args=[peer.pk])).context["lived_experience"] is not None


def test_admin_carries_out_erasure_from_staff_page(signed_in, peer, platform_admin):
    from peers.services.privacy import erasure_request

    request = erasure_request(person=peer)
    client = signed_in(platform_admin)
    assert client.get(reverse("peers:erasure_list")).status_code == 200
    client.post(reverse("peers:erasure_carry_out", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "completed"


def test_peer_changes_own_terms_and_manager_confirms(signed_in, peer, org, org_manager, factories):
    engagement = factories.engagement(person=peer, organisation=org, kind="volunteer",
                                      start_date=datetime.date(2024, 4, 1))
    client = signed_in(peer)
    listing = client.get("/en/me/engagements/").content.decode()
    assert reverse("peers:engagement_terms_own", args=[engagement.pk]) in listing
    response = client.post(reverse("peers:engagement_terms_own", args=[engagement.pk]), {
        "effective_date": "2025-04-01", "kind": "honorarium", "job_title": "ピアサポーター",
        "honorarium_rate": "3000", "honorarium_unit": "session",
    })
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.end_date == datetime.date(2025, 3, 31)  # the old terms stay in the history
    new = Engagement.objects.get(previous=engagement)
    assert (new.kind, new.honorarium_rate, new.start_date) == ("honorarium", 3000, datetime.date(2025, 4, 1))
    assert new.confirmed_at is None  # waits for the manager
    manager = signed_in(org_manager)
    assert new in manager.get(reverse("peers:engagement_pending")).context["page"].items


def test_changing_own_terms_rejects_bad_input_and_other_peoples_records(signed_in, peer, other_peer, org,
                                                                        factories):
    mine = factories.engagement(person=peer, organisation=org, start_date=datetime.date(2024, 4, 1))
    theirs = factories.engagement(person=other_peer, organisation=org)
    client = signed_in(peer)
    assert client.post(reverse("peers:engagement_terms_own", args=[theirs.pk]),
                       {"effective_date": "2025-04-01", "kind": "volunteer"}).status_code == 404
    response = client.post(reverse("peers:engagement_terms_own", args=[mine.pk]),
                           {"effective_date": "2023-01-01", "kind": "volunteer"})
    assert response.status_code == 200
    assert "新しい条件の開始日は、今の活動の開始日より後にしてください。" in response.content.decode()
    with translation.override("en"):
        response = client.post(reverse("peers:engagement_terms_own", args=[mine.pk]),
                               {"effective_date": "2023-01-01", "kind": "volunteer"})
    assert "New terms must start after the current engagement started." in response.content.decode()
    assert Engagement.objects.count() == 2
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.end_date is None and theirs.end_date is None
