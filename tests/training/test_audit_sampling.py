"""Audit sampling leads somewhere: the sampled person is told (email and home page) what to
upload and by when, uploads evidence, staff accept or reject (a rejection with a reason, told to
the person, who may upload again until the due date); sampled hours wait, not earned, until
accepted. Through the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from tests.conftest import login_two_step
from training.models import ContinuingEducation
from training.selectors import renewal_progress
from training.services import ce_record_add, certification_issue

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_in_tmp(settings, tmp_path):
    settings.KAKEHASHI_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setting(make_user, completed, credential_type, trainer, body, general):
    holder = make_user(display_name="抽出 花子", language="en")
    completed(holder)
    certification = certification_issue(credential_type=credential_type, holder=holder, actor=trainer)
    record = ce_record_add(person=holder, body=body, date=timezone.localdate(), provider="Peer Support Society",
                           title="Listening workshop", hours=Decimal("5"), category=general)
    return {"holder": holder, "certification": certification, "record": record}


def mfa_client(user) -> Client:
    """A client of its own per person (two people act in turn in one test); staff with the
    two-step sign-in passed."""
    client = Client()
    if user.role_assignments.exists():
        login_two_step(client, user)
    else:
        client.force_login(user)
    return client


def _sample(trainer, body, django_capture_on_commit_callbacks):
    client = mfa_client(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/staff/training/{body.pk}/ce/", {"size": "5"}, follow=True)
    assert response.status_code == 200
    assert "Each person has been emailed what to upload and by when." in response.content.decode()
    return client


def _upload(client, record, content=PDF, name="attendance.pdf"):
    return client.post(f"/en/me/training/ce/{record.pk}/evidence/upload/",
                       {"evidence": SimpleUploadedFile(name, content, content_type="application/pdf")})


def test_sampling_sets_a_due_date_from_the_body_and_emails_the_person_in_their_language(
        setting, trainer, body, django_capture_on_commit_callbacks):
    _sample(trainer, body, django_capture_on_commit_callbacks)
    record = ContinuingEducation.objects.get(pk=setting["record"].pk)
    due = timezone.localdate() + datetime.timedelta(days=30)
    assert record.review == "sampled" and record.evidence_due_on == due
    [message] = [m for m in mail.outbox if setting["holder"].email in m.to]
    assert message.subject == "Please send evidence for your continuing education"
    assert "Peer Support Society" in message.body and "Listening workshop" in message.body
    with translation.override("en"):
        assert formats.date_format(due, "DATE_FORMAT") in message.body  # the date in English
    assert "upload evidence" in message.body and "PDF" in message.body


def test_the_body_sets_how_many_days_people_have(setting, trainer, body,
                                                 django_capture_on_commit_callbacks):
    client = mfa_client(trainer)
    response = client.post(f"/en/staff/training/{body.pk}/settings/",
                           {"form": "evidence", "evidence-evidence_due_days": "0"})
    assert response.status_code == 200
    body.refresh_from_db()
    assert body.evidence_due_days == 30
    response = client.post(f"/en/staff/training/{body.pk}/settings/",
                           {"form": "evidence", "evidence-evidence_due_days": "14"}, follow=True)
    assert "The time to send evidence has been saved." in response.content.decode()
    body.refresh_from_db()
    assert body.evidence_due_days == 14
    _sample(trainer, body, django_capture_on_commit_callbacks)
    assert ContinuingEducation.objects.get(pk=setting["record"].pk).evidence_due_on == (
        timezone.localdate() + datetime.timedelta(days=14))


def test_sampled_hours_wait_and_are_not_earned_until_accepted(setting, trainer, body,
                                                              django_capture_on_commit_callbacks):
    certification = setting["certification"]
    assert renewal_progress(certification).hours_total == Decimal("5")
    staff = _sample(trainer, body, django_capture_on_commit_callbacks)
    progress = renewal_progress(certification)
    assert progress.hours_total == Decimal("0") and progress.hours_waiting == Decimal("5")
    person = mfa_client(setting["holder"])
    page = person.get("/en/me/training/").content.decode()
    assert "Waiting for evidence review" in page and "5 hours (not counted until accepted)" in page
    staff_page = staff.get(f"/en/staff/training/{body.pk}/certifications/{certification.pk}/").content.decode()
    assert "Waiting for evidence review" in staff_page
    assert _upload(person, setting["record"]).status_code == 302
    assert renewal_progress(certification).hours_waiting == Decimal("5")  # submitted: still waiting
    staff.post(f"/en/staff/training/{body.pk}/ce/{setting['record'].pk}/", {"decision": "accept", "reason": ""})
    progress = renewal_progress(certification)
    assert progress.hours_total == Decimal("5") and progress.hours_waiting == Decimal("0")


def test_the_person_sees_the_request_on_home_and_training_pages_uploads_and_both_sides_see_it_waiting(
        setting, trainer, body, django_capture_on_commit_callbacks):
    staff = _sample(trainer, body, django_capture_on_commit_callbacks)
    record = setting["record"]
    person = mfa_client(setting["holder"])
    home = person.get("/en/me/").content.decode()
    assert "Evidence requested" in home and "Peer Support Society" in home
    assert "Send evidence on your training page" in home
    training = person.get("/en/me/training/").content.decode()
    assert f'action="/en/me/training/ce/{record.pk}/evidence/upload/"' in training
    response = _upload(person, record)
    assert response.status_code == 302
    page = person.get(response["Location"]).content.decode()
    assert "Your evidence has been sent." in page
    assert "Evidence submitted, waiting for review" in page
    record.refresh_from_db()
    assert record.review == "submitted" and record.evidence and record.evidence_submitted_at is not None
    listing = staff.get(f"/en/staff/training/{body.pk}/ce/?review=submitted").content.decode()
    assert "Evidence submitted, waiting for review" in listing and "抽出 花子" in listing
    review = staff.get(f"/en/staff/training/{body.pk}/ce/{record.pk}/").content.decode()
    assert f"/me/training/ce/{record.pk}/evidence/" in review  # the file, through the checked view


def test_a_rejection_needs_a_reason_is_told_and_the_person_may_upload_again(
        setting, trainer, body, django_capture_on_commit_callbacks):
    staff = _sample(trainer, body, django_capture_on_commit_callbacks)
    record = setting["record"]
    person = mfa_client(setting["holder"])
    _upload(person, record)
    url = f"/en/staff/training/{body.pk}/ce/{record.pk}/"
    response = staff.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 400 and "Give a reason for rejecting" in response.content.decode()
    record.refresh_from_db()
    assert record.review == "submitted"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"decision": "reject", "reason": "The name on the receipt is not yours."},
                              follow=True)
    assert "The evidence has been rejected; the person has been told why." in response.content.decode()
    [message] = mail.outbox
    assert message.to == [setting["holder"].email] and "The name on the receipt is not yours." in message.body
    assert "upload evidence again" in message.body
    record.refresh_from_db()
    assert record.review == "rejected" and record.review_reason == "The name on the receipt is not yours."
    assert renewal_progress(setting["certification"]).hours_total == Decimal("0")
    page = person.get("/en/me/training/").content.decode()
    assert "The name on the receipt is not yours." in page and "Send evidence again" in page
    assert _upload(person, record, name="second.pdf").status_code == 302
    record.refresh_from_db()
    assert record.review == "submitted" and record.evidence.name.endswith("second.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"decision": "accept"}, follow=True)
    assert "The evidence has been accepted." in response.content.decode()
    assert "accepted" in mail.outbox[-1].body
    assert "Evidence requested" not in person.get("/en/me/").content.decode()


def test_uploads_are_refused_when_not_asked_past_the_date_of_the_wrong_kind_or_for_someone_else(
        setting, trainer, body, make_user, general, django_capture_on_commit_callbacks):
    person = mfa_client(setting["holder"])
    record = setting["record"]
    response = _upload(person, record)  # not sampled yet
    assert response.status_code == 400 and "Nothing was saved" in response.content.decode()
    _sample(trainer, body, django_capture_on_commit_callbacks)
    response = _upload(person, record, content=b"<html><script>alert(1)</script></html>", name="x.pdf")
    assert response.status_code == 400 and "cannot be used as evidence" in response.content.decode()
    stranger = mfa_client(make_user())
    assert _upload(stranger, record).status_code == 404
    ContinuingEducation.objects.filter(pk=record.pk).update(
        evidence_due_on=timezone.localdate() - datetime.timedelta(days=1))
    response = _upload(person, record)
    assert response.status_code == 400 and "the date to send it has passed" in response.content.decode()
    page = person.get("/en/me/training/").content.decode()
    assert "The date to send evidence has passed" in page
    assert f"/me/training/ce/{record.pk}/evidence/upload/" not in page
    record.refresh_from_db()
    assert record.review == "sampled" and not record.evidence


def test_another_bodys_staff_cannot_review(setting, trainer, other_trainer, other_body, body,
                                           django_capture_on_commit_callbacks):
    _sample(trainer, body, django_capture_on_commit_callbacks)
    record = setting["record"]
    client = mfa_client(other_trainer)
    for body_id in (other_body.pk, body.pk):
        response = client.post(f"/en/staff/training/{body_id}/ce/{record.pk}/", {"decision": "accept"})
        assert response.status_code == 404
    record.refresh_from_db()
    assert record.review == "sampled"


def test_the_pages_listing_requests_read_a_fixed_number_of_queries(setting, trainer, body, general,
                                                                    django_assert_num_queries,
                                                                    django_capture_on_commit_callbacks):
    holder = setting["holder"]
    _sample(trainer, body, django_capture_on_commit_callbacks)
    person = mfa_client(holder)
    counts = {}
    for url in ("/en/me/", "/en/me/training/"):
        person.get(url)
        with CaptureQueriesContext(connection) as first:
            person.get(url)
        counts[url] = len(first.captured_queries)
    for n in range(3):
        ce_record_add(person=holder, body=body, date=timezone.localdate(), provider=f"Provider {n}",
                      hours=Decimal("1"), category=general)
    _sample(trainer, body, django_capture_on_commit_callbacks)
    assert ContinuingEducation.objects.filter(person=holder, review="sampled").count() == 4
    for url, count in counts.items():
        with django_assert_num_queries(count):
            page = person.get(url).content.decode()
        assert "Provider 2" in page
