"""Accommodation requests (合理的配慮) in training applications and meeting replies (issue 11):
collected under a consent, shown only to those who need them, every read by someone else in
the person's access log, which the person sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collaboration.models import MeetingInvitation, Reply, Sector
from collaboration.selectors import meeting_access_for, reply_accommodations_read
from collaboration.services.meetings import reply_save
from peers.models import Consent, DataCategory, Role, SensitiveAccess
from peers.services import role_grant
from peers.services.privacy import consent_purge_expired, consent_withdraw
from training.models import Application
from training.selectors import accommodation_requests_read, application_list_for
from training.services import application_submit

from .record_support import consultation_meeting, open_cohort, training_body

pytestmark = pytest.mark.django_db


def _staff_rows(trainer):
    return list(application_list_for(trainer).select_related("cohort__course"))


def test_a_training_request_without_its_consent_is_not_stored(peer, factories):
    body, trainer = training_body(factories)
    cohort = open_cohort(body, trainer, name="第1期")
    with pytest.raises(ValidationError) as error:
        application_submit(cohort=cohort, applicant=peer, consent=True, accommodation_request="手話通訳")
    assert "accommodation_consent" in error.value.message_dict
    assert not Application.objects.exists()
    application = application_submit(cohort=cohort, applicant=peer, consent=True, accommodation_request="手話通訳",
                                     accommodation_consent=True)
    consent = application.accommodation_consent
    assert consent.purpose == Consent.Purpose.TRAINING_ACCOMMODATIONS
    assert consent.data_categories == [DataCategory.ACCOMMODATIONS]
    # An application with no request needs no such consent.
    other = open_cohort(body, trainer, name="第2期")
    assert application_submit(cohort=other, applicant=factories.user(), consent=True).accommodation_consent is None


def test_the_bodys_staff_read_it_and_each_read_is_logged_others_never(peer, factories, client):
    from tests.conftest import as_verified

    body, trainer = training_body(factories)
    other_body, other_trainer = training_body(factories, prefix="OTH")
    # Staff read with two-step sign-in passed (without it they hold no staff scope at all).
    trainer, other_trainer = as_verified(trainer), as_verified(other_trainer)
    cohort = open_cohort(body, trainer, name="第1期")
    application = application_submit(cohort=cohort, applicant=peer, consent=True,
                                     accommodation_request="休憩を多めに", accommodation_consent=True)
    shown = accommodation_requests_read(viewer=trainer, applications=_staff_rows(trainer), context="第1期")
    assert shown == {application.pk: "休憩を多めに"}
    log = SensitiveAccess.objects.get(person=peer)
    assert log.accessor == trainer and log.category == DataCategory.ACCOMMODATIONS and log.context == "第1期"
    assert accommodation_requests_read(viewer=other_trainer, applications=[application], context="x") == {}
    manager = factories.user()
    role_grant(user=manager, role=Role.MANAGER, organisation=factories.organisation())
    assert accommodation_requests_read(viewer=manager, applications=[application], context="x") == {}
    # The applicant reads her own without a line in her log.
    assert accommodation_requests_read(viewer=peer, applications=[application], context="x")
    assert SensitiveAccess.objects.filter(person=peer).count() == 1
    # She sees who read it on her privacy page.
    client.force_login(peer)
    page = client.get("/me/access-log/", follow=True).content.decode()
    assert str(trainer) in page and "第1期" in page


def test_after_withdrawal_nobody_reads_it_and_the_purge_erases_it(peer, factories):
    body, trainer = training_body(factories)
    application = application_submit(cohort=open_cohort(body, trainer, name="第1期"), applicant=peer,
                                     consent=True, accommodation_request="休憩", accommodation_consent=True)
    consent_withdraw(actor=peer, consent=application.accommodation_consent)
    assert accommodation_requests_read(viewer=trainer, applications=_staff_rows(trainer), context="x") == {}
    consent_purge_expired()
    application.refresh_from_db()
    assert application.accommodation_request == "" and application.accommodation_consent is None


def test_a_meeting_reply_request_needs_consent_and_only_coordinators_read_it(peer, factories):
    from tests.conftest import as_verified

    coordinator = as_verified(factories.user(display_name="調整 花子"))
    _body, meeting = consultation_meeting(factories, coordinator, title="第1回")
    other = factories.user(display_name="医師 一郎")
    invitation = MeetingInvitation.objects.create(meeting=meeting, user=peer, sector=Sector.PEER)
    other_invitation = MeetingInvitation.objects.create(meeting=meeting, user=other, sector=Sector.MEDICAL)
    with pytest.raises(ValidationError, match="合理的配慮の申出は、同意がある場合にだけ保存します") as error:
        reply_save(invitation=invitation, user=peer, response="attending", accommodation_request="字幕")
    assert set(error.value.message_dict) == {"accommodation_consent"}
    assert not Reply.objects.exists()
    reply = reply_save(invitation=invitation, user=peer, response="attending", accommodation_request="字幕",
                       accommodation_consent=True)
    assert reply.accommodation_consent.purpose == Consent.Purpose.MEETING_ACCOMMODATIONS
    invitations = list(meeting.invitations.select_related("reply__accommodation_consent"))
    for viewer, expected in ((coordinator, {invitation.pk: "字幕"}), (other, {})):
        access = meeting_access_for(viewer, meeting.pk)
        assert reply_accommodations_read(access=access, viewer=viewer, invitations=invitations,
                                         context="第1回") == expected
    assert [(a.accessor, a.context) for a in SensitiveAccess.objects.filter(person=peer)] == [(coordinator, "第1回")]
    assert other_invitation.pk not in reply_accommodations_read(
        access=meeting_access_for(coordinator, meeting.pk), viewer=coordinator, invitations=invitations, context="x")


def test_the_coordinators_page_shows_it_and_logs_the_read(peer, factories, make_user, mfa_client):
    coordinator = make_user(display_name="調整 花子", mfa=True)
    _body, meeting = consultation_meeting(factories, coordinator, title="第2回")
    role_grant(user=coordinator, role=Role.COORDINATOR, prefecture=meeting.body.prefecture)
    invitation = MeetingInvitation.objects.create(meeting=meeting, user=peer, sector=Sector.PEER)
    reply_save(invitation=invitation, user=peer, response="attending", accommodation_request="字幕",
               accommodation_consent=True)
    client = mfa_client(coordinator)
    response = client.get(f"/staff/meetings/{meeting.pk}/", follow=True)
    assert response.status_code == 200 and "字幕" in response.content.decode()
    assert SensitiveAccess.objects.filter(person=peer, accessor=coordinator, context="第2回").exists()
