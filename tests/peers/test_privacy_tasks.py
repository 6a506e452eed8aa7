"""The person is told when their erasure is done; the daily purge runs as a django-tasks task."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from peers.models import Consent, ErasureRequest, LivedExperience, RetentionRule
from peers.services.privacy import (
    consent_give,
    consent_withdraw,
    erasure_carry_out,
    erasure_request,
    lived_experience_declare,
)
from peers.tasks import retention_apply_task

pytestmark = pytest.mark.django_db


def test_person_is_emailed_in_their_language_once_erasure_is_committed(
    peer, platform_admin, factories, django_capture_on_commit_callbacks
):
    address = peer.email
    peer.language = "en"
    peer.save(update_fields=["language"])
    factories.engagement(person=peer)
    request = erasure_request(person=peer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erasure_carry_out(actor=platform_admin, request=request)
    assert mail.outbox == []  # nothing leaves before the erasure is committed
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [address]
    assert message.subject == "Your personal data has been erased from Kakehashi"
    assert "ピア 陽子" in message.body
    # The kept list names each kind of record, how many, until when and the rule, in English.
    assert "Engagements (volunteer and honorarium): 1" in message.body
    assert "kept for 3 years after they end" in message.body


def test_erasure_page_sends_the_email_and_a_second_run_sends_none(
    signed_in, peer, platform_admin, django_capture_on_commit_callbacks
):
    address = peer.email
    request = erasure_request(person=peer)
    client = signed_in(platform_admin)
    url = reverse("peers:erasure_carry_out", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        erasure_carry_out(actor=platform_admin, request=ErasureRequest.objects.get(pk=request.pk))
    assert [m.to for m in mail.outbox] == [[address]]


def _withdrawn_lived_experience(peer):
    consent = consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    consent_withdraw(actor=peer, consent=consent)
    RetentionRule.objects.filter(kind="withdrawn_consent_data").update(period=0, unit="days")


def test_purge_task_erases_expired_data(peer):
    _withdrawn_lived_experience(peer)
    result = retention_apply_task.enqueue()
    assert result.is_finished and result.return_value["withdrawn_consent_data"] == 1
    assert not LivedExperience.objects.exists()


def test_purge_command_can_hand_the_work_to_the_task_worker(peer, capsys):
    _withdrawn_lived_experience(peer)
    call_command("retention_apply", "--enqueue")
    assert "withdrawn_consent_data 1" in capsys.readouterr().out  # the immediate backend runs it at once
    assert not LivedExperience.objects.exists()
