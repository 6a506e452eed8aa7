"""Renewal in the API: the holder's renewal progress (the same figures as the training page),
their renewal requests, and the body's staff queue with its decision."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import login_as
from training.models import Certification, ContinuingEducation, RenewalRequest
from training.selectors import renewal_progress
from training.services import (
    add_months,
    certification_issue,
    completion_issue,
    renewal_request_submit,
)

pytestmark = pytest.mark.django_db

PROGRESS = "/api/v1/training/renewal-progress/"
REQUESTS = "/api/v1/training/renewal-requests/"
QUEUE = "/api/v1/training/staff/renewal-requests/"


def _decide(certification) -> str:
    return f"/api/v1/training/staff/certifications/{certification.pk}/renewal-request/"


def _signed_in(user) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _due(make_user, credential_type, trainer, completed) -> Certification:
    """In its renewal window, expiring in about two months."""
    person = make_user()
    issued_on = add_months(timezone.localdate(), -24) + datetime.timedelta(days=60)
    completed(person, on=issued_on - datetime.timedelta(days=1))
    return certification_issue(credential_type=credential_type, holder=person, actor=trainer, issued_on=issued_on,
                               notify=False)


def _meet_requirements(certification, general, ethics, renewal_course):
    day = timezone.localdate() - datetime.timedelta(days=10)
    for hours, category in (("17", general), ("3", ethics)):
        ContinuingEducation.objects.create(body=certification.body, person=certification.holder, date=day,
                                           provider="協会", hours=Decimal(hours), category=category)
    completion_issue(person=certification.holder, course=renewal_course, completed_on=day, actor=None, notify=False)


def test_holder_reads_the_same_progress_as_the_training_page(make_user, credential_type, trainer, completed,
                                                             general, ethics):
    certification = _due(make_user, credential_type, trainer, completed)
    ContinuingEducation.objects.create(body=certification.body, person=certification.holder,
                                       date=timezone.localdate(), provider="協会", hours=Decimal("5"), category=ethics)
    other = _due(make_user, credential_type, trainer, completed)
    client = _signed_in(certification.holder)
    data = client.get(PROGRESS, HTTP_ACCEPT_LANGUAGE="en").json()
    [row] = data["results"]
    expected = renewal_progress(certification)
    assert row["certification"] == certification.pk and row["number"] == certification.number
    assert (row["hours_total"], row["hours_required"], row["hours_enough"]) == ("5", "20", False)
    assert row["by_category"] == [{"category": ethics.pk, "category_name": "倫理", "have": "5", "need": "3"}]
    assert row["renewable_now"] is True and row["can_request"] is False and row["renewal_course_done"] is False
    assert len(row["missing"]) == len(expected.missing) == 2
    assert row["renewal_opens_on"] == expected.renewal_opens_on.isoformat()
    assert other.number not in client.get(PROGRESS).content.decode()


def test_holder_requests_renewal_and_lists_their_requests(make_user, credential_type, trainer, completed, general,
                                                          ethics, renewal_course):
    certification = _due(make_user, credential_type, trainer, completed)
    _meet_requirements(certification, general, ethics, renewal_course)
    client = _signed_in(certification.holder)
    response = client.post(REQUESTS, {"certification": certification.pk, "note": "お願いします"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    created = RenewalRequest.objects.get()
    assert created.certification == certification and created.note == "お願いします" and created.outcome == ""
    data = client.get(REQUESTS).json()
    assert [r["id"] for r in data["results"]] == [created.pk] and data["results"][0]["number"] == certification.number
    # A second one while the first is open is refused.
    response = client.post(REQUESTS, {"certification": certification.pk}, content_type="application/json")
    assert response.status_code == 400 and RenewalRequest.objects.count() == 1


def test_renewal_requests_are_refused_for_others_records_bad_input_and_unmet_requirements(
    make_user, credential_type, trainer, completed, general, ethics, renewal_course
):
    mine = _due(make_user, credential_type, trainer, completed)
    theirs = _due(make_user, credential_type, trainer, completed)
    _meet_requirements(theirs, general, ethics, renewal_course)
    renewal_request_submit(certification=theirs, holder=theirs.holder)
    client = _signed_in(mine.holder)
    assert client.post(REQUESTS, {"certification": theirs.pk}, content_type="application/json").status_code == 404
    response = client.post(REQUESTS, {"certification": "x"}, content_type="application/json")
    assert response.status_code == 400 and "certification" in response.content.decode()
    response = client.post(REQUESTS, {"certification": mine.pk}, content_type="application/json")
    assert response.status_code == 400  # hours and the renewal course are missing
    assert client.get(REQUESTS).json()["results"] == []
    assert RenewalRequest.objects.filter(certification=mine).count() == 0
    assert RenewalRequest.objects.count() == 1


def test_staff_see_the_queue_with_progress_and_decide(make_user, credential_type, trainer, completed, general,
                                                      ethics, renewal_course):
    renew_me = _due(make_user, credential_type, trainer, completed)
    decline_me = _due(make_user, credential_type, trainer, completed)
    for certification in (renew_me, decline_me):
        _meet_requirements(certification, general, ethics, renewal_course)
        renewal_request_submit(certification=certification, holder=certification.holder)
    api = _signed_in(trainer)
    data = api.get(QUEUE).json()
    assert [r["certification"] for r in data["results"]] == [renew_me.pk, decline_me.pk]
    assert data["results"][0]["progress"]["complete"] is True and data["results"][0]["holder"] == renew_me.holder_id
    response = api.post(_decide(renew_me), {"decision": "renew"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "renewed"
    renew_me.refresh_from_db()
    assert renew_me.cycle == 2
    response = api.post(_decide(decline_me), {"decision": "decline", "reason": "書類の確認が必要です"},
                        content_type="application/json")
    assert response.status_code == 200 and response.json()["outcome"] == "declined"
    assert RenewalRequest.objects.get(certification=decline_me).outcome == "declined"
    assert api.get(QUEUE).json()["results"] == []
    # Answered already: no open request, nothing more changes.
    response = api.post(_decide(decline_me), {"decision": "renew"}, content_type="application/json")
    assert response.status_code == 404
    decline_me.refresh_from_db()
    assert decline_me.cycle == 1


def test_queue_and_decisions_are_the_bodys_staff_only(make_user, credential_type, trainer, other_trainer, completed,
                                                      general, ethics, renewal_course, client):
    certification = _due(make_user, credential_type, trainer, completed)
    _meet_requirements(certification, general, ethics, renewal_course)
    request = renewal_request_submit(certification=certification, holder=certification.holder)
    for outsider in (other_trainer, certification.holder):
        api = _signed_in(outsider)
        assert api.get(QUEUE).json()["results"] == []
        assert api.post(_decide(certification), {"decision": "renew"},
                        content_type="application/json").status_code == 404
    client.force_login(trainer)  # a password only
    assert client.get(QUEUE).status_code == 403
    assert client.post(_decide(certification), {"decision": "renew"},
                       content_type="application/json").status_code == 403
    api = _signed_in(trainer)
    response = api.post(_decide(certification), {"decision": "decline"}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.content.decode()
    response = api.post(_decide(certification), {"decision": "later"}, content_type="application/json")
    assert response.status_code == 400 and "decision" in response.content.decode()
    request.refresh_from_db()
    certification.refresh_from_db()
    assert request.outcome == "" and certification.cycle == 1
