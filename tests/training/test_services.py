"""The training cycle's services against the real database: applications, capacity, attendance,
completion, certification, renewal and continuing education."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from training.models import (
    Application,
    ApplicationStateChange,
    Certification,
    CertificationStatusChange,
    Cohort,
    ContinuingEducation,
    Course,
    CourseKind,
)
from training.selectors import renewal_progress
from training.services import (
    add_months,
    application_submit,
    application_transition,
    attendance_record,
    ce_record_add,
    ce_sample,
    certification_issue,
    certification_reinstate,
    certification_renew,
    certification_revoke,
    certification_suspend,
    cohort_complete,
    number_is_genuine,
)

pytestmark = pytest.mark.django_db(transaction=False)


def _apply(cohort, person, **extra):
    return application_submit(cohort=cohort, applicant=person, consent=True, **extra)


def test_application_moves_through_states_with_history_and_emails(make_user, cohort, trainer, django_capture_on_commit_callbacks):
    person = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(cohort, person, accommodation_request="休憩を多めに", accommodation_consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, to_state="selected", actor=trainer)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, to_state="enrolled", actor=trainer)
    history = list(ApplicationStateChange.objects.filter(application=application).values_list("from_state", "to_state", "actor_id"))
    assert history == [("", "submitted", person.pk), ("submitted", "selected", trainer.pk), ("selected", "enrolled", trainer.pk)]
    assert [m.to for m in mail.outbox] == [[person.email]] * 3
    assert "2026年度 東京" in mail.outbox[-1].subject


def test_application_needs_consent_and_an_open_cohort(make_user, make_cohort):
    person = make_user()
    with pytest.raises(ValidationError, match="情報の使い方への同意をお願いします") as error:
        application_submit(cohort=make_cohort(), applicant=person, consent=False)
    assert set(error.value.error_dict) == {"consent"}
    with pytest.raises(ValidationError, match="この開催回は申込みを受け付けていません"):
        application_submit(cohort=make_cohort(open_now=False), applicant=person, consent=True)
    assert not Application.objects.exists()


def test_prerequisite_course_must_be_completed_first(make_user, body, make_cohort, initial_course, completed):
    specialised = Course.objects.create(body=body, kind=CourseKind.SPECIALISED, title="専門研修")
    specialised.prerequisites.add(initial_course)
    cohort = make_cohort(course=specialised)
    person = make_user()
    with pytest.raises(ValidationError, match="養成研修"):
        _apply(cohort, person)
    completed(person)
    assert _apply(cohort, person).state == "submitted"


def test_illegal_transition_is_refused(make_user, cohort, trainer):
    application = _apply(cohort, make_user())
    with pytest.raises(ValidationError, match="「申込み済み」の申込みを「完了」にすることはできません"):
        application_transition(application=application, to_state="completed", actor=trainer)
    application.refresh_from_db()
    assert application.state == "submitted"


def test_selection_never_exceeds_capacity(make_user, make_cohort, trainer):
    cohort = make_cohort(capacity=2)
    applications = [_apply(cohort, make_user()) for _ in range(3)]
    application_transition(application=applications[0], to_state="selected", actor=trainer)
    application_transition(application=applications[1], to_state="selected", actor=trainer)
    with translation.override("en"), pytest.raises(ValidationError, match="full"):
        application_transition(application=applications[2], to_state="selected", actor=trainer)
    assert Application.objects.filter(cohort=cohort, state__in=Application.PLACE_STATES).count() == 2
    application_transition(application=applications[2], to_state="waitlisted", actor=trainer)


def test_first_come_cohort_selects_until_full_then_wait_lists(make_user, make_cohort):
    cohort = make_cohort(capacity=1, selection=Cohort.Selection.FIRST_COME)
    first = _apply(cohort, make_user())
    second = _apply(cohort, make_user())
    assert (first.state, second.state) == ("selected", "waitlisted")


# Pair applications (one 当事者 and one 協働支援者 from one office): tests/training/test_pair_applications.py.


def test_completion_follows_the_all_days_rule_and_credits_hours(make_user, cohort, trainer):
    full, partial = make_user(), make_user()
    apps = []
    for person in (full, partial):
        application = _apply(cohort, person)
        application_transition(application=application, to_state="selected", actor=trainer)
        apps.append(application_transition(application=application, to_state="enrolled", actor=trainer))
    day1, day2 = list(cohort.days.all())
    attendance_record(day=day1, present={apps[0].pk: True, apps[1].pk: True}, actor=trainer)
    attendance_record(day=day2, present={apps[0].pk: True, apps[1].pk: False}, actor=trainer)
    completions = cohort_complete(cohort=cohort, actor=trainer)
    assert [c.person for c in completions] == [full]
    # Since issue 12 the number carries the body's check code, and the date is the last day.
    assert completions[0].number.startswith(f"PSS-C{day2.date.year}-0001-")
    assert number_is_genuine(completions[0].number)
    assert completions[0].completed_on == day2.date
    assert completions[0].hours == Decimal("12.00")
    credited = ContinuingEducation.objects.get(person=full)
    assert credited.hours == Decimal("12.00") and credited.cohort == cohort
    apps[1].refresh_from_db()
    assert apps[1].state == "enrolled"


def test_attendance_only_for_enrolled_applicants(make_user, cohort, trainer):
    application = _apply(cohort, make_user())
    with pytest.raises(ValidationError, match="出席を記録できるのは、受講決定の申込者だけです"):
        attendance_record(day=cohort.days.first(), present={application.pk: True}, actor=trainer)


def test_certification_needs_the_initial_course(make_user, credential_type, trainer, completed):
    person = make_user()
    with pytest.raises(ValidationError, match="養成研修 をまだ修了していません"):
        certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    completed(person)
    certification = certification_issue(credential_type=credential_type, holder=person, actor=trainer,
                                        issued_on=datetime.date(2025, 4, 1))
    assert certification.number.startswith("PSS-2025-0001-")
    assert number_is_genuine(certification.number)
    assert certification.valid_until == datetime.date(2027, 3, 31)
    assert certification.renewal_due_from == datetime.date(2026, 12, 1)
    assert certification.grace_until == datetime.date(2027, 6, 29)


def test_numbers_carry_a_check_code_that_rejects_guesses(make_user, credential_type, trainer, completed):
    person = make_user()
    completed(person)
    number = certification_issue(credential_type=credential_type, holder=person, actor=trainer).number
    base, check = number.rsplit("-", 1)
    wrong = "0" if check[0] != "0" else "1"
    assert not number_is_genuine(f"{base}-{wrong}{check[1:]}")
    assert not number_is_genuine(f"{base[:-1]}9-{check}")
    assert not number_is_genuine("PSS-2025-0153")


def _certified(make_user, completed, credential_type, trainer, issued_on):
    person = make_user()
    completed(person, on=issued_on - datetime.timedelta(days=1))
    return certification_issue(credential_type=credential_type, holder=person, actor=trainer, issued_on=issued_on)


def test_renewal_needs_hours_floors_and_course_and_keeps_the_number(make_user, completed, credential_type, trainer,
                                                                   ethics, general, renewal_course, time_machine_today):
    certification = _certified(make_user, completed, credential_type, trainer, datetime.date(2024, 1, 10))
    time_machine_today(datetime.date(2025, 12, 1))
    certification.status = "expiring"
    Certification.objects.filter(pk=certification.pk).update(status="expiring")
    progress = renewal_progress(certification)
    assert len(progress.missing) == 3  # hours, ethics floor, renewal course
    with pytest.raises(ValidationError) as refused:
        certification_renew(certification=certification, actor=trainer)
    assert refused.value.messages == [
        "継続研修があと 20 時間必要です（20 時間のうち 0 時間）。",
        "倫理 があと 3 時間必要です（3 時間のうち 0 時間）。",
        "更新研修「更新研修」を修了してください。",
    ]
    holder = certification.holder
    ce_record_add(person=holder, body=certification.body, date=datetime.date(2025, 5, 1), provider="協会",
                  hours=Decimal("17"), category=general)
    ce_record_add(person=holder, body=certification.body, date=datetime.date(2025, 6, 1), provider="協会",
                  hours=Decimal("3"), category=ethics)
    from training.services import completion_issue

    completion_issue(person=holder, course=renewal_course, completed_on=datetime.date(2025, 11, 1), actor=trainer)
    assert renewal_progress(certification).missing == []
    renewed = certification_renew(certification=certification, actor=trainer)
    assert renewed.number == certification.number
    assert renewed.cycle == 2
    assert renewed.cycle_started_on == datetime.date(2026, 1, 10)
    assert renewed.valid_until == datetime.date(2028, 1, 9)
    assert renewed.status == "active"
    assert CertificationStatusChange.objects.filter(certification=certification, event="renewed").count() == 1


def test_suspend_reinstate_revoke_need_a_reason_and_append_history(make_user, completed, credential_type, trainer):
    certification = _certified(make_user, completed, credential_type, trainer, datetime.date.today())
    with pytest.raises(ValidationError, match="理由を入力してください") as error:
        certification_suspend(certification=certification, actor=trainer, reason=" ")
    assert set(error.value.error_dict) == {"reason"}
    certification_suspend(certification=certification, actor=trainer, reason="調査中")
    certification_reinstate(certification=certification, actor=trainer, reason="調査終了")
    certification_revoke(certification=certification, actor=trainer, reason="重大な違反")
    certification.refresh_from_db()
    assert certification.status == "revoked"
    events = list(certification.history.values_list("event", "to_status", "reason"))
    assert events == [("issued", "active", ""), ("suspended", "suspended", "調査中"),
                      ("reinstated", "active", "調査終了"), ("revoked", "revoked", "重大な違反")]
    row = certification.history.first()
    row.reason = "edited"
    with pytest.raises(ValidationError, match="履歴は追加だけができ、編集はできません"):
        row.save()
    with pytest.raises(ValidationError, match="履歴は追加だけができ、削除はできません"):
        row.delete()


def test_late_renewal_limit_is_enforced(make_user, completed, credential_type, trainer, time_machine_today):
    certification = _certified(make_user, completed, credential_type, trainer, datetime.date(2022, 1, 1))
    Certification.objects.filter(pk=certification.pk).update(status="lapsed")
    time_machine_today(add_months(certification.grace_until, 7))
    with translation.override("en"), pytest.raises(ValidationError, match="certify the person again"):
        certification_renew(certification=certification, actor=trainer, override=True,
                            override_reason="illness", reason="療養のため")


def test_ce_sample_picks_only_unreviewed_records(make_user, body, general, trainer):
    person = make_user()
    for i in range(5):
        ce_record_add(person=person, body=body, date=datetime.date(2025, 1, 1 + i), provider="p",
                      hours=Decimal("1"), category=general)
    picked = ce_sample(body=body, actor=trainer, size=3, seed=1)
    assert len(picked) == 3
    assert ContinuingEducation.objects.filter(review="sampled").count() == 3
    assert len(ce_sample(body=body, actor=trainer, size=3, seed=1)) == 2
