"""Consent ledger, lived experience, sensitive-access log, purge after retention, erasure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from peers.models import (
    Consent,
    DataCategory,
    ErasureRequest,
    LivedExperience,
    Profile,
    RetentionRule,
    SensitiveAccess,
)
from peers.selectors.privacy import personal_data_for
from peers.selectors.workforce import accommodations_read, lived_experience_read
from peers.services.privacy import (
    consent_give,
    consent_purge_expired,
    consent_withdraw,
    erasure_carry_out,
    erasure_request,
    lived_experience_declare,
)
from peers.services.workforce import profile_update

pytestmark = pytest.mark.django_db


def test_accommodations_cannot_be_saved_without_consent(peer):
    with pytest.raises(ValidationError) as error:
        profile_update(actor=peer, person=peer, accommodations="短時間勤務を希望")
    assert "accommodations" in error.value.message_dict
    assert not Profile.objects.filter(user=peer, accommodations__gt="").exists()


def test_lived_experience_needs_active_consent(peer):
    with pytest.raises(ValidationError, match="当事者としての経験は、同意がある場合にだけ保存します"):
        lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    assert consent.data_categories == [DataCategory.LIVED_EXPERIENCE]
    declaration = lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    assert declaration.consent == consent
    field_names = {f.name for f in LivedExperience._meta.get_fields()}
    assert not any("diagnos" in name for name in field_names)


def test_only_the_person_edits_their_profile(peer, other_peer, org_manager):
    with pytest.raises(PermissionDenied):
        profile_update(actor=org_manager, person=peer, languages="English")
    with pytest.raises(PermissionDenied):
        profile_update(actor=other_peer, person=peer, languages="English")


def _share_accommodations(peer, factories, org):
    consent_give(person=peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    profile_update(actor=peer, person=peer, accommodations="指示は文書で")
    factories.engagement(person=peer, organisation=org)


def test_manager_reads_accommodations_and_the_read_is_logged(peer, org, org_manager, factories):
    _share_accommodations(peer, factories, org)
    assert accommodations_read(viewer=org_manager, person=peer, context="test") == "指示は文書で"
    log = SensitiveAccess.objects.get(person=peer)
    assert log.accessor == org_manager and log.category == DataCategory.ACCOMMODATIONS
    # The person reading their own data is not logged.
    assert accommodations_read(viewer=peer, person=peer, context="test") == "指示は文書で"
    assert SensitiveAccess.objects.filter(person=peer).count() == 1


def test_others_never_read_accommodations(peer, org, other_manager, tokyo_coordinator, platform_admin, factories):
    _share_accommodations(peer, factories, org)
    for viewer in (other_manager, tokyo_coordinator, platform_admin):
        assert accommodations_read(viewer=viewer, person=peer, context="test") is None
    assert not SensitiveAccess.objects.exists()


def test_withdrawing_consent_stops_use_at_once_and_purge_erases_after_retention(
    peer, org, org_manager, factories
):
    _share_accommodations(peer, factories, org)
    lived_consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer, relation="family", visibility="managers")
    assert lived_experience_read(viewer=org_manager, person=peer, context="t") is not None

    consent_withdraw(actor=peer, consent=lived_consent)
    accommodations = Consent.objects.get(person=peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    consent_withdraw(actor=peer, consent=accommodations)
    assert lived_experience_read(viewer=org_manager, person=peer, context="t") is None
    assert lived_experience_read(viewer=peer, person=peer, context="t") is None
    assert accommodations_read(viewer=org_manager, person=peer, context="t") is None

    RetentionRule.objects.filter(kind="withdrawn_consent_data").update(period=10, unit="days")
    assert consent_purge_expired(now=timezone.now() + datetime.timedelta(days=9))["consents"] == 0
    assert LivedExperience.objects.filter(person=peer).exists()

    result = consent_purge_expired(now=timezone.now() + datetime.timedelta(days=11))
    assert result == {"consents": 2, "lived_experience": 1, "accommodations": 1}
    assert not LivedExperience.objects.filter(person=peer).exists()
    assert Profile.objects.get(user=peer).accommodations == ""
    assert Consent.objects.filter(person=peer, data_erased_at__isnull=False).count() == 2


def test_purge_command_runs(peer, capsys):
    consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    consent_withdraw(actor=peer, consent=consent)
    RetentionRule.objects.filter(kind="withdrawn_consent_data").update(period=0, unit="days")
    call_command("retention_apply")
    assert "withdrawn_consent_data 1" in capsys.readouterr().out
    assert not LivedExperience.objects.exists()


def test_someone_else_cannot_withdraw_a_consent(peer, other_peer):
    consent = consent_give(person=peer, purpose=Consent.Purpose.ACCOMMODATIONS)
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=other_peer, consent=consent)


def test_lived_experience_visible_only_as_the_person_chose(peer, org, org_manager, other_peer, factories):
    factories.engagement(person=peer, organisation=org)
    consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    assert lived_experience_read(viewer=org_manager, person=peer, context="t") is None
    lived_experience_declare(person=peer, relation="personal", visibility="managers")
    assert lived_experience_read(viewer=org_manager, person=peer, context="t") is not None
    assert lived_experience_read(viewer=other_peer, person=peer, context="t") is None


def test_erasure_anonymises_and_records_what_is_kept(peer, org, platform_admin, factories):
    _share_accommodations(peer, factories, org)
    request = erasure_request(person=peer, note="退会します")
    assert erasure_request(person=peer) == request  # one open request at a time
    with pytest.raises(PermissionDenied):
        erasure_carry_out(actor=peer, request=request)
    erasure_carry_out(actor=platform_admin, request=request)
    peer.refresh_from_db()
    assert peer.email.startswith("erased-") and not peer.is_active
    assert peer.display_name != "ピア 陽子"
    assert not Profile.objects.filter(user=peer).exists()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.COMPLETED
    # Each part of the record says what it kept, under which rule and until when.
    kept = {item["data"]: item for item in request.kept}
    assert set(kept) == {"engagements", "consents", "audit"}
    assert kept["engagements"]["reason"]["ja"].startswith("ボランティア・謝金の従事記録は")
    assert peer.engagements.count() == 1


def test_personal_data_export_holds_everything(peer, org, org_manager, factories):
    _share_accommodations(peer, factories, org)
    accommodations_read(viewer=org_manager, person=peer, context="staff page")
    data = personal_data_for(peer)  # table → rows, from every part of the registry
    assert data["account"][0]["email"] == peer.email
    assert data["profile"][0]["accommodations"] == "指示は文書で"
    assert len(data["engagements"]) == 1
    assert data["consents"][0]["purpose"] == "accommodations"
    assert data["sensitive_access_log"][0]["accessor__display_name"] == str(org_manager)
