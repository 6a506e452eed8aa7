"""Employed work (第三群, issue 18): leave and return, and the accommodations agreed at work,
seen only by the person and the manager of the organisation (not coordinators, other
managers, colleagues or administrators); accommodations only under the person's consent, each
manager's read logged; both in the person's data export and gone on erasure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from peers.models import (
    AuditEvent,
    Consent,
    DataCategory,
    EngagementLeave,
    SensitiveAccess,
    WorkAccommodation,
)
from peers.selectors.employment import accommodation_list_for, employment_access, leave_list_for
from peers.selectors.privacy import personal_data_for
from peers.services.employment import accommodation_record, leave_record, leave_update
from peers.services.privacy import (
    consent_give,
    consent_purge_expired,
    consent_withdraw,
    erasure_carry_out,
    erasure_request,
)
from tests.conftest import login_as
from tests.problem_support import problem_fields

from .conftest import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(factories, peer, org):
    return factories.engagement(person=peer, organisation=org, employed=True)


@pytest.fixture
def colleague(factories, org):
    """Someone else who works at the organisation (no manager's role)."""
    person = factories.user(display_name="同僚 花子")
    factories.engagement(person=person, organisation=org, employed=True)
    return enrol_totp(person)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def test_only_the_person_and_the_organisations_manager_have_access(
        job, peer, org_manager, other_manager, tokyo_coordinator, platform_admin, colleague):
    assert employment_access(peer, job) and employment_access(org_manager, job)
    for outsider in (other_manager, tokyo_coordinator, platform_admin, colleague):
        assert not employment_access(outsider, job), outsider
        with pytest.raises(PermissionDenied):
            leave_record(actor=outsider, engagement=job, kind="health", start_date=_ago(10))
    assert not EngagementLeave.objects.exists()


def test_a_manager_without_two_step_sign_in_has_no_access(job, org_manager):
    from peers.models import User

    fresh = User.objects.get(pk=org_manager.pk)  # no mark: not passed
    assert not employment_access(fresh, job)


def test_leave_and_return(job, peer, org_manager):
    leave = leave_record(actor=org_manager, engagement=job, kind=EngagementLeave.Kind.CHILDCARE,
                         start_date=_ago(30), expected_return=_ago(-30))
    assert leave.is_open()
    with pytest.raises(ValidationError):  # one open leave at a time
        leave_record(actor=peer, engagement=job, kind="personal", start_date=_ago(5))
    leave_update(actor=peer, leave=leave, actual_return=_ago(1))
    leave.refresh_from_db()
    assert leave.actual_return == _ago(1) and not leave.is_open()
    assert list(leave_list_for(peer, job)) == [leave] and list(leave_list_for(org_manager, job)) == [leave]
    events = AuditEvent.objects.filter(action__startswith="leave.").values_list("action", "data")
    assert [a for a, _d in events] == ["leave.update", "leave.record"]


def test_leave_is_for_employed_engagements_and_dates_in_order(factories, peer, org, job, org_manager):
    volunteer = factories.engagement(person=peer, organisation=org)
    with pytest.raises(PermissionDenied):  # not employed: no one has access to leave on it
        leave_record(actor=peer, engagement=volunteer, kind="health", start_date=_ago(3))
    leave = leave_record(actor=org_manager, engagement=job, kind="health", start_date=_ago(10))
    with pytest.raises(ValidationError) as refused:
        leave_update(actor=org_manager, leave=leave, actual_return=_ago(20))
    assert "actual_return" in refused.value.message_dict
    leave.refresh_from_db()
    assert leave.actual_return is None


def test_accommodations_need_the_persons_consent_and_reads_by_the_manager_are_logged(job, peer, org_manager):
    with pytest.raises(ValidationError) as refused:
        accommodation_record(actor=org_manager, engagement=job, text="指示は文書で", agreed_on=_ago(1))
    assert "consent" in refused.value.message_dict
    with pytest.raises(ValidationError):  # the manager cannot consent for the person
        accommodation_record(actor=org_manager, engagement=job, text="指示は文書で", agreed_on=_ago(1),
                             consent_given=True)
    assert not WorkAccommodation.objects.exists()
    item = accommodation_record(actor=peer, engagement=job, text="指示は文書で", agreed_on=_ago(1),
                                review_on=_ago(-90), consent_given=True)
    assert item.consent.purpose == Consent.Purpose.ACCOMMODATIONS
    assert accommodation_list_for(peer, job, context="test") == [item]
    assert not SensitiveAccess.objects.exists()  # the person's own read is not logged
    assert accommodation_list_for(org_manager, job, context="test") == [item]
    read = SensitiveAccess.objects.get()
    assert (read.person, read.accessor, read.category) == (peer, org_manager, DataCategory.ACCOMMODATIONS)
    # The audit log names the fields, never the text.
    assert not AuditEvent.objects.filter(data__icontains="文書").exists()


def test_withdrawing_the_consent_hides_them_at_once_and_the_purge_erases_them(job, peer, org_manager):
    consent = consent_give(person=peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    accommodation_record(actor=org_manager, engagement=job, text="静かな席", agreed_on=_ago(2))
    consent_withdraw(actor=peer, consent=consent)
    assert accommodation_list_for(org_manager, job, context="test") == []
    consent_purge_expired()
    assert not WorkAccommodation.objects.exists()


def test_pages_for_the_person_and_the_manager_and_404_for_everyone_else(
        client, job, peer, org_manager, other_manager, tokyo_coordinator, platform_admin, colleague):
    consent_give(person=peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    leave_record(actor=org_manager, engagement=job, kind="health", start_date=_ago(20))
    accommodation_record(actor=org_manager, engagement=job, text="午前中の勤務を中心に", agreed_on=_ago(2))
    login_as(client, peer)
    mine = client.get(f"/en/me/engagements/{job.pk}/employment/").content.decode()
    assert "午前中の勤務を中心に" in mine and "On leave now." in mine and "Rest for health" in mine
    client.logout()
    login_as(client, org_manager)
    staff = client.get(f"/en/staff/engagements/{job.pk}/employment/")
    assert staff.status_code == 200 and "午前中の勤務を中心に" in staff.content.decode()
    assert client.get(f"/en/staff/organisations/{job.organisation_id}/").content.decode().count(
        f"/en/staff/engagements/{job.pk}/employment/") == 1
    for outsider in (other_manager, tokyo_coordinator, platform_admin, colleague):
        client.logout()
        login_as(client, outsider)
        assert client.get(f"/staff/engagements/{job.pk}/employment/").status_code == 404, outsider
        assert client.get(f"/me/engagements/{job.pk}/employment/").status_code == 404, outsider
        api = _api(outsider)
        assert api.get(f"/api/v1/engagements/{job.pk}/accommodations/").status_code == 404
        assert api.get(f"/api/v1/engagements/{job.pk}/leave/").status_code == 404
    assert SensitiveAccess.objects.filter(accessor=org_manager).count() == 1
    assert not SensitiveAccess.objects.exclude(accessor=org_manager).exists()


def test_bad_input_on_the_page_is_refused_in_both_languages_and_changes_nothing(client, job, peer):
    login_as(client, peer)
    data = {"action": "leave_add", "kind": "flu", "start_date": "2026-02-30"}
    english = client.post(f"/en/me/engagements/{job.pk}/employment/", data)
    japanese = client.post(f"/me/engagements/{job.pk}/employment/", data)
    assert english.status_code == japanese.status_code == 400
    assert "Select a valid choice" in english.content.decode()
    assert "正しく選択してください" in japanese.content.decode()
    no_consent = client.post(f"/en/me/engagements/{job.pk}/employment/", {
        "action": "accommodation_add", "text": "静かな席", "agreed_on": _ago(1).isoformat()})
    assert no_consent.status_code == 400 and "tick the box to agree" in no_consent.content.decode()
    assert not EngagementLeave.objects.exists() and not WorkAccommodation.objects.exists()
    added = client.post(f"/me/engagements/{job.pk}/employment/", {
        "action": "accommodation_add", "text": "静かな席", "agreed_on": _ago(1).isoformat(), "consent_given": "on"})
    assert added.status_code == 302 and WorkAccommodation.objects.get().text == "静かな席"


def test_the_api_records_leave_and_accommodations_with_bilingual_refusals(job, peer, org_manager):
    api = _api(org_manager)
    bad = api.post(f"/api/v1/engagements/{job.pk}/leave/", {"kind": "flu", "start_date": "x"}, format="json")
    errors = problem_fields(bad)
    assert bad.status_code == 400 and set(errors) == {"kind", "start_date"}
    assert errors["kind"][0]["ja"] != errors["kind"][0]["en"]
    made = api.post(f"/api/v1/engagements/{job.pk}/leave/", {"kind": "family_care", "start_date": _ago(9).isoformat()},
                    format="json")
    assert made.status_code == 201
    back = api.patch(f"/api/v1/leave/{made.json()['id']}/", {"actual_return": _ago(30).isoformat()}, format="json")
    assert back.status_code == 400 and "actual_return" in problem_fields(back)
    assert EngagementLeave.objects.get().actual_return is None
    refused = api.post(f"/api/v1/engagements/{job.pk}/accommodations/", {"text": "静かな席", "agreed_on": _ago(1).isoformat()},
                       format="json")
    message = problem_fields(refused)["consent"][0]
    assert refused.status_code == 400 and message["ja"] != message["en"]
    own = _api(peer).post(f"/api/v1/engagements/{job.pk}/accommodations/", {
        "text": "静かな席", "agreed_on": _ago(1).isoformat(), "consent_given": True}, format="json")
    assert own.status_code == 201
    assert [i["text"] for i in api.get(f"/api/v1/engagements/{job.pk}/accommodations/").json()["results"]] == ["静かな席"]
    assert api.delete(f"/api/v1/accommodations/{own.json()['id']}/").status_code == 204
    assert not WorkAccommodation.objects.exists()


def test_they_are_in_the_persons_data_export_and_gone_after_erasure(client, job, peer, org_manager, platform_admin):
    leave_record(actor=org_manager, engagement=job, kind="health", start_date=_ago(40), actual_return=_ago(10))
    accommodation_record(actor=peer, engagement=job, text="指示は文書で", agreed_on=_ago(5), consent_given=True)
    data = personal_data_for(peer)
    assert [row["kind"] for row in data["leave"]] == ["health"]
    assert [row["text"] for row in data["accommodations_at_work"]] == ["指示は文書で"]
    exported = _api(peer).get("/api/v1/me/data/").json()
    assert exported["tables"]["accommodations_at_work"]["rows"][0]["text"] == "指示は文書で"
    erasure_carry_out(actor=platform_admin, request=erasure_request(person=peer))
    assert not EngagementLeave.objects.exists() and not WorkAccommodation.objects.exists()
