"""A consultation body's honorarium per meeting (issue 18): attendance of a peer member makes a
payment "to confirm" through peers' service, once; the body's coordinators confirm it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from collaboration.models import BodyMember, ConsultationBody, Sector
from collaboration.selectors import meeting_access_for
from collaboration.services import attendance_check_in, attendance_record, body_honorarium_set
from peers.models import AuditEvent, HonorariumPayment, Organisation
from peers.selectors.payments import honorarium_payment_list_for, user_handles_payment
from peers.services.payments import honorarium_payment_confirm
from tests.conftest import login_two_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer(tokyo) -> Organisation:
    return Organisation.objects.create(name="東京都福祉局", prefecture=tokyo, municipality="新宿区",
                                       contact_phone="03-0000-0000")


@pytest.fixture
def paid_body(body, coordinator, payer) -> ConsultationBody:
    return body_honorarium_set(user=coordinator, body=body, amount=8000, payer=payer)


def _record(meeting, coordinator, person, present=True):
    return attendance_record(access=meeting_access_for(coordinator, meeting.pk), user=coordinator,
                             person=person, present=present)


def test_a_present_peer_member_gets_one_payment_to_confirm_at_the_body_rate(paid_body, meeting, coordinator,
                                                                            peer, doctor, payer):
    _record(meeting, coordinator, peer)
    _record(meeting, coordinator, doctor)  # not a peer: no honorarium
    payment = HonorariumPayment.objects.get()
    assert (payment.person, payment.organisation, payment.amount, payment.status) == (
        peer, payer, 8000, HonorariumPayment.Status.TO_CONFIRM)
    assert payment.source == HonorariumPayment.Source.MEETING_ATTENDANCE
    assert payment.source_reference == f"collaboration.meeting:{meeting.pk}"
    assert paid_body.name in payment.description and meeting.title in payment.description
    assert payment.occasion_date == timezone.localdate(meeting.starts_at)


def test_attendance_saved_again_or_checked_in_makes_no_second_payment(paid_body, meeting, coordinator, peer):
    _record(meeting, coordinator, peer)
    _record(meeting, coordinator, peer)
    attendance_check_in(access=meeting_access_for(peer, meeting.pk), user=peer)
    assert HonorariumPayment.objects.count() == 1
    assert AuditEvent.objects.filter(action="honorarium.from_source").count() == 1


def test_self_check_in_makes_the_payment_too(paid_body, meeting, peer):
    attendance_check_in(access=meeting_access_for(peer, meeting.pk), user=peer)
    assert HonorariumPayment.objects.filter(person=peer, status="to_confirm").count() == 1


def test_marked_absent_withdraws_a_payment_to_confirm_and_present_again_reopens_it(paid_body, meeting,
                                                                                   coordinator, peer):
    _record(meeting, coordinator, peer)
    _record(meeting, coordinator, peer, present=False)
    payment = HonorariumPayment.objects.get()
    assert payment.status == HonorariumPayment.Status.CANCELLED and payment.withdrawn_by_source
    _record(meeting, coordinator, peer, present=True)
    payment.refresh_from_db()
    assert payment.status == HonorariumPayment.Status.TO_CONFIRM
    assert HonorariumPayment.objects.count() == 1


def test_a_confirmed_payment_stays_when_attendance_is_marked_absent(paid_body, meeting, coordinator, peer):
    _record(meeting, coordinator, peer)
    honorarium_payment_confirm(actor=coordinator, payment=HonorariumPayment.objects.get())
    _record(meeting, coordinator, peer, present=False)
    assert HonorariumPayment.objects.get().status == HonorariumPayment.Status.CONFIRMED


def test_no_rate_no_payment_and_a_guest_peer_is_not_a_member(body, meeting, coordinator, peer, make_user, payer):
    _record(meeting, coordinator, peer)
    assert not HonorariumPayment.objects.exists()
    body_honorarium_set(user=coordinator, body=body, amount=8000, payer=payer)
    guest = make_user(display_name="ゲスト ピア")
    from collaboration.models import MeetingInvitation

    MeetingInvitation.objects.create(meeting=meeting, user=guest, sector=Sector.PEER, invited_by=coordinator)
    _record(meeting, coordinator, guest)
    assert not HonorariumPayment.objects.filter(person=guest).exists()


def test_the_body_coordinator_sees_and_confirms_and_another_coordinator_cannot(paid_body, meeting, coordinator,
                                                                               other_coordinator, peer):
    _record(meeting, coordinator, peer)
    payment = HonorariumPayment.objects.get()
    assert list(honorarium_payment_list_for(coordinator)) == [payment]
    assert user_handles_payment(coordinator, payment)
    assert not honorarium_payment_list_for(other_coordinator).exists()
    with pytest.raises(PermissionDenied):
        honorarium_payment_confirm(actor=other_coordinator, payment=payment)
    honorarium_payment_confirm(actor=coordinator, payment=payment)
    payment.refresh_from_db()
    assert payment.status == HonorariumPayment.Status.CONFIRMED and payment.confirmed_by == coordinator


def test_the_rate_needs_a_payer_in_the_body_prefecture(body, coordinator, make_user, kanagawa, client):
    elsewhere = Organisation.objects.create(name="神奈川の事業所", prefecture=kanagawa)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        body_honorarium_set(user=coordinator, body=body, amount=5000, payer=elsewhere)
    with pytest.raises(ValidationError):
        body_honorarium_set(user=coordinator, body=body, amount=5000, payer=None)
    body.refresh_from_db()
    assert body.honorarium_per_meeting is None


def test_the_staff_body_page_sets_the_rate_and_refuses_bad_amounts(body, coordinator, payer, client):
    login_two_step(client, coordinator)
    url = f"/staff/meetings/bodies/{body.pk}/"
    response = client.post(url, {"form": "honorarium", "amount": "-500", "payer": payer.pk})
    assert response.status_code == 400 and "1円以上" in response.content.decode()
    response = client.post(url, {"form": "honorarium", "amount": "８，０００円", "payer": payer.pk})
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.honorarium_per_meeting, body.honorarium_payer) == (8000, payer)


def test_the_api_sets_the_rate_for_coordinators_only(body, coordinator, other_coordinator, payer, client):
    login_two_step(client, other_coordinator)
    assert client.post(f"/api/v1/bodies/{body.pk}/honorarium/", {"amount": 5000, "payer": payer.pk},
                       content_type="application/json").status_code == 404
    login_two_step(client, coordinator)
    response = client.post(f"/api/v1/bodies/{body.pk}/honorarium/", {"amount": "5,000", "payer": payer.pk},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["honorarium_per_meeting"] == 5000
    response = client.post(f"/api/v1/bodies/{body.pk}/honorarium/", {"amount": "abc", "payer": payer.pk},
                           content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"][0]["message"]) == {"ja", "en"}


def test_member_fixture_is_a_peer(peer, body):
    assert BodyMember.objects.get(user=peer, body=body).sector == Sector.PEER
