"""Continuing education and audit sampling in the API: the holder's own records and evidence
requests, the body's staff list, sample and review, each through the page's selectors and services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import login_as
from training.models import ContinuingEducation
from training.services import ce_record_add, ce_sample, certification_issue

pytestmark = pytest.mark.django_db

MINE = "/api/v1/training/ce/"
STAFF = "/api/v1/training/staff/ce/"
PDF = b"%PDF-1.4 evidence"


def _signed_in(user) -> Client:
    client = Client()
    login_as(client, user)
    return client


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.KAKEHASHI_PRIVATE_MEDIA_ROOT = tmp_path
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def holder(make_user, credential_type, trainer, completed):
    person = make_user(display_name="保持者 一郎")
    completed(person)
    certification_issue(credential_type=credential_type, holder=person, actor=trainer, notify=False)
    return person


def _record(person, body, category, *, title="研修A", day=datetime.date(2025, 6, 1)):
    return ce_record_add(person=person, body=body, date=day, provider="協会", hours=Decimal("2"),
                         category=category, title=title)


def test_holder_lists_only_their_own_records(holder, make_user, body, general, credential_type, trainer, completed):
    other = make_user()
    completed(other)
    certification_issue(credential_type=credential_type, holder=other, actor=trainer, notify=False)
    mine = _record(holder, body, general, title="自分の研修")
    _record(other, body, general, title="他人の研修")
    data = _signed_in(holder).get(MINE).json()
    assert [r["id"] for r in data["results"]] == [mine.pk] and data["next"] is None
    assert data["results"][0]["title"] == "自分の研修" and data["results"][0]["hours"] == "2.00"
    assert "他人の研修" not in _signed_in(holder).get(MINE).content.decode()


def test_holder_adds_a_record_with_evidence(holder, body, general, evidence_dir):
    response = _signed_in(holder).post(MINE, {
        "body": body.pk, "date": "2025-07-01", "provider": "地域協会", "hours": "1.5", "category": general.pk,
        "title": "傾聴", "evidence": SimpleUploadedFile("修了証.pdf", PDF),
    })
    assert response.status_code == 201, response.content
    record = ContinuingEducation.objects.get(pk=response.json()["id"])
    assert (record.person, record.body, record.hours, record.title) == (holder, body, Decimal("1.5"), "傾聴")
    assert record.evidence and response.json()["has_evidence"] is True


def test_adding_is_refused_for_bad_input_and_bodies_that_did_not_certify_the_person(
    holder, body, general, other_body, make_user, evidence_dir
):
    api = _signed_in(holder)
    foreign = other_body.ce_categories.create(name="他機構")
    good = {"body": body.pk, "date": "2025-07-01", "provider": "協会", "hours": "1", "category": general.pk}
    for bad, field in (
        ({**good, "hours": "0"}, "hours"),
        ({**good, "date": "いつか"}, "date"),
        ({**good, "body": other_body.pk, "category": foreign.pk}, "body"),
        ({**good, "category": foreign.pk}, "category"),
    ):
        response = api.post(MINE, bad, content_type="application/json")
        assert response.status_code == 400 and field in response.content.decode(), (bad, response.content)
    response = api.post(MINE, {**good, "evidence": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert response.status_code == 400 and "evidence" in response.content.decode()
    uncertified = make_user()
    response = _signed_in(uncertified).post(MINE, good, content_type="application/json")
    assert response.status_code == 400
    assert not ContinuingEducation.objects.exists()


def test_staff_list_sample_and_review_their_bodys_records(holder, trainer, body, general, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    records = [_record(holder, body, general, title=f"研修{i}") for i in range(3)]
    api = _signed_in(trainer)
    data = api.get(f"{STAFF}?body={body.pk}").json()
    assert {r["id"] for r in data["results"]} == {r.pk for r in records}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/training/staff/ce/sample/", {"body": body.pk, "size": 2},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    picked = {r["id"] for r in response.json()}
    assert len(picked) == 2
    assert set(ContinuingEducation.objects.filter(review="sampled").values_list("pk", flat=True)) == picked
    assert {r["id"] for r in api.get(f"{STAFF}?review=sampled").json()["results"]} == picked
    assert [m.to for m in mailoutbox] == [[holder.email]]  # the holder was told what to send
    target = sorted(picked)[0]
    response = api.post(f"{STAFF}{target}/review/", {"decision": "reject", "reason": "氏名がありません"},
                        content_type="application/json")
    assert response.status_code == 200 and response.json()["review"] == "rejected"
    record = ContinuingEducation.objects.get(pk=target)
    assert record.review == "rejected" and record.review_reason == "氏名がありません" and record.reviewed_by == trainer


def test_other_bodies_and_holders_reach_no_staff_record(holder, other_trainer, trainer, body, general):
    record = _record(holder, body, general, title="機構内の記録")
    assert _signed_in(other_trainer).get(STAFF).json()["results"] == []
    assert _signed_in(other_trainer).get(f"{STAFF}?body={body.pk}").status_code == 404
    for outsider in (other_trainer, holder):
        api = _signed_in(outsider)
        assert api.post(f"{STAFF}{record.pk}/review/", {"decision": "accept"},
                        content_type="application/json").status_code == 404
        assert api.post("/api/v1/training/staff/ce/sample/", {"body": body.pk, "size": 5},
                        content_type="application/json").status_code == 404
    assert _signed_in(holder).get(STAFF).json()["results"] == []
    record.refresh_from_db()
    assert record.review == "not_reviewed" and record.reviewed_by is None


def test_staff_bad_input_changes_nothing(holder, trainer, body, general):
    record = _record(holder, body, general)
    api = _signed_in(trainer)
    response = api.post(f"{STAFF}{record.pk}/review/", {"decision": "reject"}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.content.decode()
    response = api.post(f"{STAFF}{record.pk}/review/", {"decision": "maybe"}, content_type="application/json")
    assert response.status_code == 400 and "decision" in response.content.decode()
    response = api.post("/api/v1/training/staff/ce/sample/", {"body": body.pk, "size": 0},
                        content_type="application/json")
    assert response.status_code == 400 and "size" in response.content.decode()
    assert api.get(f"{STAFF}?review=whatever").status_code == 400
    record.refresh_from_db()
    assert record.review == "not_reviewed" and record.reviewed_by is None


def test_staff_with_a_password_only_reach_no_record(client, holder, trainer, body, general):
    record = _record(holder, body, general)
    client.force_login(trainer)
    assert client.get(STAFF).status_code == 403
    assert client.post(f"{STAFF}{record.pk}/review/", {"decision": "accept"},
                       content_type="application/json").status_code == 403
    record.refresh_from_db()
    assert record.review == "not_reviewed"


def test_holder_sees_their_evidence_requests_and_sends_the_evidence(holder, make_user, trainer, body, general,
                                                                     evidence_dir, credential_type, completed):
    record = _record(holder, body, general, title="確認される研修")
    other = make_user()
    completed(other)
    certification_issue(credential_type=credential_type, holder=other, actor=trainer, notify=False)
    theirs = _record(other, body, general, title="他人の確認")
    ce_sample(body=body, actor=trainer, size=10)
    api = _signed_in(holder)
    data = api.get("/api/v1/training/ce/evidence-requests/").json()
    assert [r["id"] for r in data["results"]] == [record.pk] and data["results"][0]["evidence_asked"] is True
    response = api.post(f"{MINE}{theirs.pk}/evidence/", {"evidence": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 404
    response = api.post(f"{MINE}{record.pk}/evidence/", {"evidence": SimpleUploadedFile("a.png", b"not an image")})
    assert response.status_code == 400 and "evidence" in response.content.decode()
    record.refresh_from_db()
    assert record.review == "sampled" and not record.evidence
    response = api.post(f"{MINE}{record.pk}/evidence/", {"evidence": SimpleUploadedFile("証明.pdf", PDF)})
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    theirs.refresh_from_db()
    assert record.review == "submitted" and record.evidence and record.evidence_submitted_at is not None
    assert theirs.review == "sampled" and not theirs.evidence


def test_an_upload_over_the_limit_is_refused_and_stores_nothing(holder, body, general, evidence_dir, settings):
    settings.KAKEHASHI_EVIDENCE_MAX_BYTES = 1024
    response = _signed_in(holder).post(MINE, {
        "body": body.pk, "date": "2025-07-01", "provider": "協会", "hours": "1", "category": general.pk,
        "evidence": SimpleUploadedFile("big.pdf", PDF + b"0" * 5000),
    })
    assert response.status_code == 400 and "evidence" in response.content.decode()
    assert not ContinuingEducation.objects.exists()
