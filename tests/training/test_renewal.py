"""Renewal and re-certification: certifying again after a lapse, renewal by exception, the
holder's renewal request and the staff queue, one source of renewal figures, the reminder log."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import login_as
from tests.problem_support import problem_fields
from training.models import (
    Certification,
    CertificationStatusChange,
    ContinuingEducation,
    ReminderSent,
    RenewalOverrideReason,
    RenewalRequest,
)
from training.services import (
    add_months,
    certification_issue,
    completion_issue,
    reminders_send,
)

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    """A client of its own per person (staff with two-step sign-in passed)."""
    client = Client()
    login_as(client, user)
    return client


def _certified(person, credential_type, trainer, completed, issued_on):
    completed(person, on=issued_on - datetime.timedelta(days=1))
    return certification_issue(credential_type=credential_type, holder=person, actor=trainer, issued_on=issued_on,
                               notify=False)


def _lapsed_past_limit(make_user, credential_type, trainer, completed):
    """Valid for 24 months, 90 days' grace, late renewal for 6 months: issued 36 months ago, the
    late-renewal limit passed about three months ago."""
    today = timezone.localdate()
    return _certified(make_user(), credential_type, trainer, completed, add_months(today, -36))


def _due_for_renewal(make_user, credential_type, trainer, completed):
    """In its renewal window (120 days before expiry), expiring in about two months."""
    today = timezone.localdate()
    return _certified(make_user(), credential_type, trainer, completed,
                      add_months(today, -24) + datetime.timedelta(days=60))


def _meet_requirements(certification, general, ethics, renewal_course, *, general_hours="17"):
    holder, body = certification.holder, certification.body
    day = timezone.localdate() - datetime.timedelta(days=10)
    for hours, category in ((general_hours, general), ("3", ethics)):
        ContinuingEducation.objects.create(body=body, person=holder, date=day, provider="協会", hours=Decimal(hours),
                                           category=category)
    completion_issue(person=holder, course=renewal_course, completed_on=day, actor=None, notify=False)


# ---------------------------------------------------------------- re-certification
def test_lapsed_past_its_limit_is_certified_again_with_a_new_number_through_the_staff_page(
    client, make_user, credential_type, trainer, completed, body
):
    old = _lapsed_past_limit(make_user, credential_type, trainer, completed)
    assert old.status == "lapsed"
    old_history = list(old.history.values_list("pk", "event", "to_status"))
    # Issuing is refused, and says what to do instead (no more revoking to get out).
    with translation.override("en"), pytest.raises(ValidationError, match="certify the person again"):
        certification_issue(credential_type=credential_type, holder=old.holder, actor=trainer)
    staff = _signed_in(trainer)
    url = f"/en/staff/training/{body.pk}/certifications/{old.pk}/"
    assert "Certify again" in staff.get(url).content.decode()
    # Without the confirmation, and without the initial course completed again: nothing changes.
    assert staff.post(url, {"action": "recertify"}).status_code == 400
    response = staff.post(url, {"action": "recertify", "recertify-confirm": "on"})
    assert response.status_code == 400 and "must complete 養成研修 again" in response.content.decode()
    assert Certification.objects.filter(holder=old.holder).count() == 1
    completed(old.holder, on=timezone.localdate() - datetime.timedelta(days=3))
    response = staff.post(url, {"action": "recertify", "recertify-confirm": "on"})
    new = Certification.objects.get(recertification_of=old)
    assert response.status_code == 302 and response["Location"].endswith(f"/certifications/{new.pk}/")
    old.refresh_from_db()
    assert new.number != old.number and new.status == "active" and new.cycle == 1
    assert old.status == "lapsed" and old.replaced_on == timezone.localdate()
    # The old record keeps its history: the rows it had, untouched, and one more.
    assert list(old.history.values_list("pk", "event", "to_status"))[:-1] == old_history
    assert old.history.last().event == "superseded" and old.history.last().reason == new.number
    assert list(new.history.values_list("event", "reason")) == [("recertified", old.number)]
    # Verifying the old number points to the current one, on the page and in the API.
    page = client.get(f"/en/verify/{old.number}/").content.decode()
    assert 'class="verdict-word">Lapsed<' in page
    assert re.search(rf'href="(/en)?/verify/{new.number}/"', page)
    data = client.get(f"/api/v1/verify/{old.number}/").json()
    assert (data["status"], data["replaced_by"]) == ("lapsed", new.number)
    assert client.get(f"/api/v1/verify/{new.number}/").json()["recertification_of"] == old.number


def test_the_bodys_setting_keeps_the_number_and_verification_shows_the_current_record(
    client, make_user, credential_type, trainer, completed, body
):
    staff = _signed_in(trainer)
    staff.post(f"/staff/training/{body.pk}/settings/", {
        "form": "numbering", "number_prefix": "PSS", "sequence_digits": "4", "recertification_keeps_number": "on",
    })
    body.refresh_from_db()
    assert body.recertification_keeps_number
    old = _lapsed_past_limit(make_user, credential_type, trainer, completed)
    completed(old.holder, on=timezone.localdate())
    response = staff.post(f"/api/v1/training/certifications/{old.pk}/recertify/", {}, content_type="application/json")
    assert response.status_code == 200, response.content
    new = Certification.objects.get(pk=response.json()["id"])
    assert new.number == old.number and new.recertification_of_id == old.pk
    assert Certification.objects.filter(number=old.number).count() == 2  # the old record stays
    data = client.get(f"/api/v1/verify/{old.number}/").json()
    assert (data["status"], data["valid"], data["replaced_by"]) == ("active", True, None)
    assert data["recertification_of"] == old.number
    # Asked again, it is refused in both languages and nothing changes.
    again = staff.post(f"/api/v1/training/certifications/{old.pk}/recertify/", {}, content_type="application/json")
    assert again.status_code == 400 and set(problem_fields(again)[None][0]) == {"ja", "en"}
    assert Certification.objects.filter(holder=old.holder).count() == 2


def test_a_certification_still_within_late_renewal_is_renewed_not_certified_again(
    make_user, credential_type, trainer, completed, body
):
    today = timezone.localdate()
    # Lapsed (grace ended) two months ago: late renewal is still open for four months.
    issued = add_months(today, -24) - datetime.timedelta(days=150)
    certification = _certified(make_user(), credential_type, trainer, completed, issued)
    assert certification.status == "lapsed"
    completed(certification.holder, on=today)
    response = _signed_in(trainer).post(f"/en/staff/training/{body.pk}/certifications/{certification.pk}/",
                                        {"action": "recertify", "recertify-confirm": "on"})
    assert response.status_code == 400 and "renew it instead" in response.content.decode()
    assert not Certification.objects.filter(recertification_of=certification).exists()


# ---------------------------------------------------------------- renewal by exception
def test_renewal_by_exception_needs_a_listed_reason_and_early_only_for_some(
    make_user, credential_type, trainer, completed, body, django_capture_on_commit_callbacks
):
    certification = _certified(make_user(), credential_type, trainer, completed, timezone.localdate())
    url = f"/api/v1/training/certifications/{certification.pk}/renew/"
    staff = _signed_in(trainer)
    # No reason from the list: 400 in both languages.
    response = staff.post(url, {"override": True, "reason": "事情"}, content_type="application/json")
    assert response.status_code == 400 and set(problem_fields(response)["override_reason"][0]) == {"ja", "en"}
    # Before the window, "other" does not allow it; the answer names the reasons that do.
    response = staff.post(url, {"override": True, "override_reason": "other", "reason": "事情"},
                          content_type="application/json")
    assert response.status_code == 400
    assert "療養・休職" in problem_fields(response)["override_reason"][0]["ja"]
    # A listed reason with no words: 400.
    response = staff.post(url, {"override_reason": "illness", "reason": " "}, content_type="application/json")
    assert response.status_code == 400 and "reason" in problem_fields(response)
    certification.refresh_from_db()
    assert certification.cycle == 1 and certification.history.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"override": True, "override_reason": "illness", "reason": "更新期間中に長期療養の予定"},
                              content_type="application/json")
    assert response.status_code == 200 and response.json()["cycle"] == 2
    row = CertificationStatusChange.objects.filter(certification=certification).last()
    assert (row.event, row.override_reason, row.reason) == ("renewed_override", "illness", "更新期間中に長期療養の予定")
    assert "例外として行いました（療養・休職）" in mail.outbox[-1].body
    # Shown as such, in words, to staff and to the holder; never the stored codes.
    for page in (
        staff.get(f"/staff/training/{body.pk}/certifications/{certification.pk}/").content.decode(),
        _signed_in(certification.holder).get("/me/training/").content.decode(),
    ):
        history = page[page.index("状態の履歴"):]
        assert "例外として更新" in history and "療養・休職" in history and "更新期間中に長期療養の予定" in history
        assert "renewed_override" not in history and "illness" not in history and ">active<" not in history


def test_the_reasons_that_allow_renewal_before_the_window_are_one_list():
    early = {r.value for r in RenewalOverrideReason if r.allows_early_renewal}
    assert early == {"illness", "parental_leave", "body_error"}
    with translation.override("ja"):
        assert [str(r.label) for r in RenewalOverrideReason] == [
            "療養・休職", "産休・育休", "災害", "研修機関の事務上の誤り", "その他",
        ]


# ---------------------------------------------------------------- the holder's request and the queue
def test_holder_asks_for_renewal_once_requirements_are_met_and_staff_see_the_queue(
    make_user, credential_type, trainer, completed, body, general, ethics, renewal_course
):
    certification = _due_for_renewal(make_user, credential_type, trainer, completed)
    holder = _signed_in(certification.holder)
    request_url = f"/me/training/certifications/{certification.pk}/renewal-request/"
    assert request_url not in holder.get("/me/training/").content.decode()
    holder.post(request_url, {"note": ""})
    assert not RenewalRequest.objects.exists()
    _meet_requirements(certification, general, ethics, renewal_course)
    assert request_url in holder.get("/me/training/").content.decode()
    response = holder.post(request_url, {"note": "よろしくお願いします"}, follow=True)
    assert "更新の申請を研修機関に送りました。" in response.content.decode()
    request = RenewalRequest.objects.get()
    assert (request.certification_id, request.outcome, request.note) == (certification.pk, "", "よろしくお願いします")
    assert certification.history.last().event == "renewal_requested"
    assert "に更新を申請しました" in response.content.decode()
    assert holder.post(request_url, {"note": ""}).status_code == 302
    assert RenewalRequest.objects.count() == 1  # one open request at a time
    staff = _signed_in(trainer)
    queue = staff.get(f"/staff/training/{body.pk}/renewal-requests/").content.decode()
    assert certification.number in queue and certification.holder.display_name in queue
    assert "よろしくお願いします" in queue
    staff.post(f"/staff/training/{body.pk}/certifications/{certification.pk}/", {"action": "renew"})
    request.refresh_from_db()
    certification.refresh_from_db()
    assert (certification.cycle, request.outcome, request.closed_by) == (2, "renewed", trainer)
    assert "待っている更新の申請はありません。" in staff.get(f"/staff/training/{body.pk}/renewal-requests/").content.decode()


def test_nobody_asks_for_renewal_of_someone_elses_certification(
    make_user, credential_type, trainer, completed, general, ethics, renewal_course
):
    certification = _due_for_renewal(make_user, credential_type, trainer, completed)
    _meet_requirements(certification, general, ethics, renewal_course)
    other = _signed_in(make_user())
    response = other.post(f"/me/training/certifications/{certification.pk}/renewal-request/", {"note": ""})
    assert response.status_code == 404 and not RenewalRequest.objects.exists()


def test_staff_decline_a_request_with_a_reason_and_the_holder_is_told(
    make_user, credential_type, trainer, completed, body, general, ethics, renewal_course,
    django_capture_on_commit_callbacks,
):
    certification = _due_for_renewal(make_user, credential_type, trainer, completed)
    _meet_requirements(certification, general, ethics, renewal_course)
    _signed_in(certification.holder).post(f"/me/training/certifications/{certification.pk}/renewal-request/", {})
    staff = _signed_in(trainer)
    url = f"/staff/training/{body.pk}/certifications/{certification.pk}/"
    assert staff.post(url, {"action": "decline_request", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"action": "decline_request", "reason": "修了証の写しが読めません"})
    assert RenewalRequest.objects.get().outcome == "declined"
    assert "修了証の写しが読めません" in mail.outbox[-1].body
    assert certification.history.last().event == "renewal_declined"


@pytest.mark.parametrize("n", [1, 4])
def test_the_renewal_queue_uses_a_fixed_number_of_queries(
    make_user, credential_type, trainer, completed, body, n, django_assert_num_queries
):
    for _ in range(n):
        certification = _due_for_renewal(make_user, credential_type, trainer, completed)
        RenewalRequest.objects.create(certification=certification, cycle=1)
    client = _signed_in(trainer)
    url = f"/staff/training/{body.pk}/renewal-requests/"
    client.get(url)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


# ---------------------------------------------------------------- one source of renewal figures
def _progress_blocks(html: str) -> dict[str, str]:
    found = re.findall(r'<div class="renewal-progress" data-renewal-progress="(\d+)">(.*?)</div>', html, re.S)
    return {pk: re.sub(r"\s+", " ", block).strip() for pk, block in found}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_home_card_training_page_and_activity_page_show_the_same_figures(
    make_user, credential_type, trainer, completed, general, ethics, prefix
):
    certification = _due_for_renewal(make_user, credential_type, trainer, completed)
    day = timezone.localdate() - datetime.timedelta(days=5)
    ContinuingEducation.objects.create(body=certification.body, person=certification.holder, date=day,
                                       provider="協会", hours=Decimal("32"), category=general)
    ContinuingEducation.objects.create(body=certification.body, person=certification.holder, date=day,
                                       provider="協会", hours=Decimal("1"), category=ethics)
    # What a reminder stored when it went out (stale, in English) is never what the card shows.
    ReminderSent.objects.create(certification=certification, cycle=1, offset_days=120,
                                missing=["14 more hours of continuing education."])
    client = _signed_in(certification.holder)
    pages = {path: client.get(f"{prefix}{path}").content.decode() for path in ("/me/", "/me/training/", "/me/activity/")}
    blocks = {path: _progress_blocks(html).get(str(certification.pk)) for path, html in pages.items()}
    assert blocks["/me/"] is not None
    assert blocks["/me/"] == blocks["/me/training/"] == blocks["/me/activity/"]
    if prefix:
        assert "33 of 20 hours (enough)" in blocks["/me/"]
        assert "2 more hours of 倫理 (1 of 3)." in blocks["/me/"]
    else:
        assert "20時間のうち33時間 (足りています)" in blocks["/me/"]
        assert "倫理" in blocks["/me/"] and "more hours" not in blocks["/me/"]
    assert "14 more hours" not in pages["/me/"]


# ---------------------------------------------------------------- the reminder log
def test_reminder_log_shows_which_reminder_went_out_when_and_how(
    make_user, credential_type, trainer, completed, body
):
    certification = _due_for_renewal(make_user, credential_type, trainer, completed)
    assert reminders_send() == 1
    reminder = ReminderSent.objects.get()
    assert (reminder.channel, reminder.offset_days) == ("email", 60)
    staff = _signed_in(trainer).get(f"/staff/training/{body.pk}/certifications/{certification.pk}/").content.decode()
    log = staff[staff.index('id="reminders-heading"'):]
    assert "有効期限の60日前" in log and "メール" in log
    mine = _signed_in(certification.holder).get("/en/me/training/").content.decode()
    assert "60 days before expiry" in mine and "Email" in mine
