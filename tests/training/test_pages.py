"""Staff pages, the person's page and applying, through the client with MFA: each access
boundary is tested (another body's trainer gets 404, a person sees only their own)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from training.models import Application, Certification
from training.services import (
    application_submit,
    application_transition,
    certification_issue,
    certification_number,
    cycle_dates,
)

pytestmark = pytest.mark.django_db


def test_trainer_sees_their_body_and_another_bodys_trainer_gets_404(mfa_client, trainer, other_trainer, body, cohort):
    client = mfa_client(trainer)
    assert client.get("/staff/training/").status_code == 302
    for path in ("", "courses/", "cohorts/", f"cohorts/{cohort.pk}/", "certifications/", "completions/", "ce/",
                 "reports/register/", "reports/yearly/", "import/"):
        assert client.get(f"/staff/training/{body.pk}/{path}").status_code == 200, path
    client.logout()
    client = mfa_client(other_trainer)
    for path in ("", "cohorts/", f"cohorts/{cohort.pk}/", "certifications/"):
        assert client.get(f"/staff/training/{body.pk}/{path}").status_code == 404, path
    # Their own body's address with the other body's cohort is a 404 too.
    other_body_id = other_trainer.role_assignments.get().organisation.training_body.pk
    assert client.get(f"/staff/training/{other_body_id}/cohorts/{cohort.pk}/").status_code == 404


def test_staff_pages_require_two_step_sign_in(client, make_user, body):
    from peers.models import Role
    from tests.conftest import login_with_mfa

    trainer = make_user(roles=[(Role.TRAINER, {"organisation": body.organisation})], mfa=False)
    login_with_mfa(client, trainer)
    response = client.get(f"/staff/training/{body.pk}/")
    assert response.status_code == 302 and "two-step" in response["Location"]


def test_peer_cannot_open_staff_pages(mfa_client, make_user, body):
    client = mfa_client(make_user(mfa=True))
    assert client.get(f"/staff/training/{body.pk}/").status_code == 403


def test_staff_select_and_enrol_from_the_cohort_page(mfa_client, trainer, body, cohort, make_user,
                                                     django_capture_on_commit_callbacks):
    person = make_user()
    application = application_submit(cohort=cohort, applicant=person, consent=True, accommodation_request="手話通訳",
                                     accommodation_consent=True)
    client = mfa_client(trainer)
    page = client.get(f"/staff/training/{body.pk}/cohorts/{cohort.pk}/").content.decode()
    assert "手話通訳" in page  # organisers read the accommodation request
    for state in ("selected", "enrolled"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/staff/training/{body.pk}/applications/{application.pk}/action/", {"to": state})
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "enrolled"
    assert any(person.email in m.to for m in mail.outbox)


def test_other_bodys_trainer_cannot_act_on_an_application(mfa_client, other_trainer, other_body, cohort, make_user):
    application = application_submit(cohort=cohort, applicant=make_user(), consent=True)
    client = mfa_client(other_trainer)
    for body_id in (other_body.pk, cohort.course.body_id):
        response = client.post(f"/staff/training/{body_id}/applications/{application.pk}/action/", {"to": "selected"})
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == "submitted"


def test_attendance_and_completion_from_staff_pages(mfa_client, trainer, body, cohort, make_user):
    person = make_user()
    application = application_submit(cohort=cohort, applicant=person, consent=True)
    application_transition(application=application, to_state="selected", actor=trainer)
    application_transition(application=application, to_state="enrolled", actor=trainer)
    client = mfa_client(trainer)
    for day in cohort.days.all():
        url = f"/staff/training/{body.pk}/cohorts/{cohort.pk}/days/{day.pk}/attendance/"
        assert client.get(url).status_code == 200
        assert client.post(url, {f"present-{application.pk}": "1"}).status_code == 302
    client.post(f"/staff/training/{body.pk}/cohorts/{cohort.pk}/complete/")
    application.refresh_from_db()
    assert application.state == "completed"
    assert person.training_completions.count() == 1


def test_staff_suspend_needs_a_reason_and_records_it(mfa_client, trainer, body, credential_type, make_user, completed):
    person = make_user()
    completed(person)
    certification = certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/certifications/{certification.pk}/"
    client.post(url, {"action": "suspend", "reason": ""})
    certification.refresh_from_db()
    assert certification.status == "active"
    client.post(url, {"action": "suspend", "reason": "確認中"})
    certification.refresh_from_db()
    assert certification.status == "suspended"
    assert "確認中" in client.get(url).content.decode()


def test_anonymous_applicant_is_sent_to_sign_in(client, cohort):
    response = client.get(f"/training/cohorts/{cohort.pk}/apply/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert cohort.name in client.get("/training/cohorts/").content.decode()


def test_person_applies_through_the_form_with_consent(mfa_client, make_user, cohort):
    person = make_user()
    client = mfa_client(person)
    url = f"/training/cohorts/{cohort.pk}/apply/"
    response = client.post(url, {"accommodation_request": "車椅子"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Application.objects.exists()
    # The accommodation request needs its own consent (issue 11): without it, nothing is stored.
    response = client.post(url, {"accommodation_request": "車椅子", "consent": "on"})
    assert response.status_code == 200 and not Application.objects.exists()
    assert 'id="id_accommodation_consent_error"' in response.content.decode() or \
        "stored only with your consent" in response.content.decode()
    assert client.post(url, {"accommodation_request": "車椅子", "consent": "on",
                             "accommodation_consent": "on"}).status_code == 302
    application = Application.objects.get()
    assert application.accommodation_request == "車椅子"
    assert application.accommodation_consent.purpose == "training_accommodations"


def test_person_sees_only_their_own_training(mfa_client, make_user, credential_type, completed, trainer):
    mine, theirs = make_user(), make_user()
    for person in (mine, theirs):
        completed(person)
    my_cert = certification_issue(credential_type=credential_type, holder=mine, actor=trainer)
    their_cert = certification_issue(credential_type=credential_type, holder=theirs, actor=trainer)
    client = mfa_client(mine)
    page = client.get("/me/training/").content.decode()
    assert my_cert.number in page and their_cert.number not in page
    assert "20" in page  # hours required toward renewal
    assert "倫理" in page  # the floor still missing


def _many_certifications(credential_type, make_user, n):
    holder = make_user()
    body = credential_type.body
    issued = datetime.date(2025, 1, 1)
    Certification.objects.bulk_create([
        Certification(body=body, credential_type=credential_type, holder=holder, year=2025, sequence=i + 1,
                      number=certification_number(body=body, year=2025, sequence=i + 1), issued_on=issued,
                      cycle_started_on=issued, **cycle_dates(credential_type, issued))
        for i in range(n)
    ])


@pytest.mark.parametrize("n", [5, 120])
def test_certification_list_uses_a_fixed_number_of_queries(mfa_client, trainer, body, credential_type, make_user, n,
                                                           django_assert_num_queries):
    _many_certifications(credential_type, make_user, n)
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/certifications/"
    client.get(url)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<th scope=\"row\"") == min(n, 50)


@pytest.mark.parametrize("n", [2, 60])
def test_cohort_list_uses_a_fixed_number_of_queries(mfa_client, trainer, body, make_cohort, n, django_assert_num_queries):
    for i in range(n):
        make_cohort(name=f"cohort {i}", days=1)
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/cohorts/"
    client.get(url)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


def test_staff_set_credential_rules_as_data(mfa_client, trainer, body, initial_course):
    from training.models import CredentialType

    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/credential-types/new/"
    data = {
        "name": "認定ピアサポーター", "initial_course": initial_course.pk, "expires": "on", "validity_months": "24",
        "renewal_window_days": "90", "grace_days": "60", "late_renewal_limit_months": "6", "ce_hours_required": "30",
        "reminder_days": "7, 120, 30", "floors": "倫理 = 6\n権利擁護 = 2",
    }
    bad = client.post(url, {**data, "reminder_days": "soon"})
    assert bad.status_code == 200 and not CredentialType.objects.exists()
    assert client.post(url, data).status_code == 302
    ctype = CredentialType.objects.get()
    assert ctype.reminder_offsets == [120, 30, 7]
    assert {(f.category.name, str(f.minimum_hours)) for f in ctype.ce_floors.all()} == {("倫理", "6.00"), ("権利擁護", "2.00")}


def test_course_modules_are_added_by_staff(mfa_client, trainer, body, initial_course):
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/courses/{initial_course.pk}/"
    client.post(url, {"form": "module", "module-title": "リカバリー", "module-hours": "6"})
    assert list(initial_course.modules.values_list("title", "hours")) == [("リカバリー", 6)]


def test_applicant_withdraws_only_their_own_application(mfa_client, make_user, cohort):
    mine = application_submit(cohort=cohort, applicant=make_user(), consent=True)
    theirs = application_submit(cohort=cohort, applicant=make_user(), consent=True)
    client = mfa_client(mine.applicant)
    assert client.post(f"/me/training/applications/{theirs.pk}/withdraw/").status_code == 404
    assert client.post(f"/me/training/applications/{mine.pk}/withdraw/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == ("withdrawn", "submitted")
    assert mine.history.last().actor == mine.applicant


@pytest.mark.parametrize("n", [2, 70])
def test_completion_and_ce_lists_use_a_fixed_number_of_queries(mfa_client, trainer, body, initial_course, general,
                                                                make_user, n, django_assert_num_queries):
    from training.models import Completion, ContinuingEducation

    person = make_user()
    Completion.objects.bulk_create([
        Completion(body=body, course=initial_course, person=person, number=f"PSS-C2025-{i:04d}",
                   completed_on=datetime.date(2025, 1, 1)) for i in range(n)
    ])
    ContinuingEducation.objects.bulk_create([
        ContinuingEducation(body=body, person=person, date=datetime.date(2025, 1, 1), provider="p", hours=1,
                            category=general) for _ in range(n)
    ])
    client = mfa_client(trainer)
    for path, expected in (("completions/", 10), ("ce/", 10)):
        url = f"/staff/training/{body.pk}/{path}"
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_ce_evidence_is_served_only_to_its_person_and_the_bodys_staff(mfa_client, client, make_user, body, general,
                                                                    trainer, other_trainer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from training.services import ce_record_add

    settings.MEDIA_ROOT = tmp_path
    person = make_user()
    record = ce_record_add(person=person, body=body, date=datetime.date(2025, 5, 1), provider="協会",
                           hours=2, category=general, evidence=SimpleUploadedFile("修了証.pdf", b"%PDF-1.4 evidence"))
    url = f"/me/training/ce/{record.pk}/evidence/"
    assert client.get(url).status_code == 302  # signed out: to sign in
    for user, expected in ((person, 200), (trainer, 200), (other_trainer, 404), (make_user(), 404)):
        client.logout()
        response = mfa_client(user).get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"


def test_evidence_links_on_the_persons_page_and_the_certification_page(mfa_client, client, make_user, body, general,
                                                                       trainer, credential_type, completed,
                                                                       settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from training.services import ce_record_add

    settings.MEDIA_ROOT = tmp_path
    person = make_user()
    completed(person)
    certification = certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    day = certification.cycle_started_on
    with_file = ce_record_add(person=person, body=body, date=day, provider="協会", hours=2, category=general,
                              evidence=SimpleUploadedFile("修了証.pdf", b"%PDF-1.4 evidence"))
    ce_record_add(person=person, body=body, date=day, provider="地域の研修", hours=1, category=general)
    before_cycle = ce_record_add(person=person, body=body, date=day - datetime.timedelta(days=1),
                                 provider="前の周期", hours=1, category=general)
    link = f"/me/training/ce/{with_file.pk}/evidence/"
    mine = mfa_client(person).get("/me/training/").content.decode()
    assert mine.count(link) == 1 and "地域の研修" in mine
    client.logout()
    staff = mfa_client(trainer).get(f"/staff/training/{body.pk}/certifications/{certification.pk}/").content.decode()
    assert staff.count(link) == 1 and "地域の研修" in staff
    assert before_cycle.provider not in staff  # only this cycle's records


def test_body_settings_numbering_until_the_first_certificate(mfa_client, client, trainer, other_trainer, body,
                                                              credential_type, make_user, completed):
    url = f"/staff/training/{body.pk}/settings/"
    staff = mfa_client(trainer)
    assert staff.post(url, {"form": "numbering", "number_prefix": "kpss", "sequence_digits": "5"}).status_code == 302
    body.refresh_from_db()
    assert (body.number_prefix, body.sequence_digits) == ("KPSS", 5)
    response = staff.post(url, {"form": "numbering", "number_prefix": "1-bad", "sequence_digits": "5"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    person = make_user()
    completed(person)
    certification = certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    assert certification.number.startswith("KPSS-")
    with translation.override("en"):
        response = staff.post(reverse("training:staff_body_settings", args=[body.pk]),
                              {"form": "numbering", "number_prefix": "NEW", "sequence_digits": "5"})
    assert "can no longer change" in response.content.decode()
    body.refresh_from_db()
    assert body.number_prefix == "KPSS"
    client.logout()
    other = mfa_client(other_trainer)
    assert other.post(url, {"form": "numbering", "number_prefix": "OTHER", "sequence_digits": "4"}).status_code == 404
    body.refresh_from_db()
    assert body.number_prefix == "KPSS"


def test_body_settings_categories_added_and_renamed(mfa_client, trainer, body, general, other_body):
    from training.models import CECategory

    url = f"/staff/training/{body.pk}/settings/"
    staff = mfa_client(trainer)
    assert staff.post(url, {"form": "category", "category-name": "家族支援"}).status_code == 302
    assert body.ce_categories.filter(name="家族支援").exists()
    assert staff.post(url, {"form": "category", "category": general.pk, "category-name": "一般研修"}).status_code == 302
    general.refresh_from_db()
    assert general.name == "一般研修"
    response = staff.post(url, {"form": "category", "category-name": "家族支援"})  # a duplicate
    assert response.status_code == 200 and body.ce_categories.filter(name="家族支援").count() == 1
    theirs = CECategory.objects.create(body=other_body, name="他団体")
    assert staff.post(url, {"form": "category", "category": theirs.pk, "category-name": "奪う"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "他団体"
