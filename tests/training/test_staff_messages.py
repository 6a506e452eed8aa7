"""A success message after every action of the training staff pages, in Japanese and in English.

The walk goes through each form of training/views/staff.py and training/views/staffing.py in
the order a body's working day runs (settings, a course, a cohort, applications, attendance,
completion, certification, renewal and status changes, evidence sampling and review, the
register's import and bulk reminder, the staffing check), through the client, and reads the
message on the page the action leads to. A staff address that takes a POST and is not walked
fails the last test, so a new action cannot be added without its message."""

from __future__ import annotations

import datetime

import pytest
from django.urls import get_resolver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peers.models import AuditEvent, Engagement
from training.models import Application, Certification, ContinuingEducation
from training.services import application_submit

pytestmark = pytest.mark.django_db

# Staff addresses that only show something (GET), each with what it is.
READ_ONLY = {
    "staff_home": "the list of one's bodies",
    "staff_body": "the body's home",
    "staff_cohorts": "the list of cohorts",
    "staff_courses": "the list of courses and credential types",
    "staff_completions": "the list of completions",
    "staff_report_register": "a report",
    "staff_report_yearly": "a report",
    "staff_certifications_export": "a file download",
    "staff_renewal_requests": "the queue of renewal requests (each is declined on its certification's page)",
    "staffing_pack_xlsx": "a file download (the pack is prepared on the staffing page)",
    "staffing_pack_pdf": "a file download (the pack is prepared on the staffing page)",
}


def _expect(language: str, text, **values) -> str:
    """The message in `language`; `text` a msgid, or (singular, plural, n) for ngettext."""
    with translation.override(language):
        translated = ngettext(*text) if isinstance(text, tuple) else _(text)
    if language == "ja":
        assert translated not in (text if isinstance(text, tuple) else (text,)), f"no Japanese for {text!r}"
    return translated % values if values else translated


def _shows(response, message: str) -> None:
    assert response.status_code == 200, response.status_code
    assert f">{message}</p>" in response.content.decode(), message


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_staff_action_ends_with_a_success_message(language, mfa_client, trainer, body, credential_type,
                                                        initial_course, general, make_user, tokyo):
    prefix = "" if language == "ja" else "/en"
    client = mfa_client(trainer)
    base = f"{prefix}/staff/training/{body.pk}"
    walked = set()

    def act(url_name, url, data, text, **values):
        walked.add(url_name)
        response = client.post(url, data, follow=True)
        _shows(response, _expect(language, text, **values))
        return response

    act("staff_body_settings", f"{base}/settings/", {"form": "numbering", "number_prefix": "KPSS", "sequence_digits": "4"},
        "The numbering has been saved. The next certificate numbers follow it.")
    act("staff_body_settings", f"{base}/settings/", {"form": "category", "category-name": "家族支援"},
        "The category has been saved. It is used from now on.")
    act("staff_course_new", f"{base}/courses/new/", {"kind": "basic", "title": "基礎研修", "completion_rule": "all_days",
                                                    "active": "on"}, "The course has been saved. You can add cohorts of it now.")
    act("staff_course_edit", f"{base}/courses/{initial_course.pk}/", {"form": "module", "module-title": "リカバリー",
                                                                   "module-hours": "6"}, "The module has been added. It is part of the course from now on.")
    ctype_data = {
        "name": "認定ピアサポーター", "initial_course": initial_course.pk, "expires": "on", "validity_months": "24",
        "renewal_window_days": "90", "grace_days": "60", "late_renewal_limit_months": "6", "ce_hours_required": "30",
        "reminder_days": "120, 30", "floors": "",
    }
    act("staff_credential_type_new", f"{base}/credential-types/new/", ctype_data, "The credential type has been saved. Certifications issued from now on use it.")
    new_type = body.credential_types.get(name="認定ピアサポーター")
    act("staff_credential_type_edit", f"{base}/credential-types/{new_type.pk}/", {**ctype_data, "grace_days": "90"},
        "The credential type has been saved. Certifications issued from now on use it.")
    now = timezone.localtime()
    cohort_data = {
        "course": initial_course.pk, "name": "2026年度 東京", "year": "2026", "prefecture": tokyo.pk, "place": "千代田区",
        "capacity": "10", "applications_open": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "applications_close": (now + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "selection": "selection", "fee_yen": "0", "published": "on",
    }
    act("staff_cohort_new", f"{base}/cohorts/new/", cohort_data, "The cohort has been saved. Add its days and instructors on its page.")
    cohort = initial_course.cohorts.get()
    act("staff_cohort_edit", f"{base}/cohorts/{cohort.pk}/edit/", {**cohort_data, "capacity": "12"},
        "The cohort has been saved. Add its days and instructors on its page.")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    act("staff_cohort", f"{base}/cohorts/{cohort.pk}/", {"form": "day", "day-date": yesterday.isoformat(),
                                                       "day-starts_at": "10:00", "day-ends_at": "16:00"},
        "The day has been added. You can take attendance for it on the day.")
    act("staff_cohort", f"{base}/cohorts/{cohort.pk}/", {"form": "instructor", "ins-name": "ピア講師"},
        "The instructor has been added. They are shown with the cohort.")
    instructor = cohort.instructors.get(name="ピア講師")
    assert AuditEvent.objects.filter(actor=trainer, action="cohort.instructor_add", target_id=str(cohort.pk),
                                     data__instructor=instructor.pk).exists()
    person = make_user(display_name="研修 花子")
    application = application_submit(cohort=cohort, applicant=person, consent=True)
    for to in ("selected", "enrolled"):
        act("staff_application_action", f"{base}/applications/{application.pk}/action/", {"to": to},
            "%(name)s: the application has been updated. The applicant sees the new status on their training page.",
            name=person.display_name)
    day = cohort.days.get()
    act("staff_attendance", f"{base}/cohorts/{cohort.pk}/days/{day.pk}/attendance/",
        {f"present-{application.pk}": "1"}, "Attendance has been saved. You can change it on this page if needed.")
    act("staff_cohort_complete", f"{base}/cohorts/{cohort.pk}/complete/", {},
        "%(count)s people completed the course. Their completions are in the list of completions.", count=1)
    assert Application.objects.get(pk=application.pk).state == "completed"
    walked.add("staff_certifications")
    response = client.post(f"{base}/certifications/", {"credential_type": credential_type.pk,
                                                        "holder_email": person.email}, follow=True)
    certification = Certification.objects.get(holder=person)
    _shows(response, _expect(language, "Certified: %(number)s. The holder can download the certificate from their training page.",
                               number=certification.number))
    detail = f"{base}/certifications/{certification.pk}/"
    act("staff_certification", detail, {"action": "renew_override", "override-override_reason": "illness",
                                        "override-reason": "療養のため"},
        "The certification has been renewed by exception. The reason is kept in its history.")
    for action, text in (("suspend", "The certification has been suspended. It is not valid until it is reinstated."),
                         ("reinstate", "The certification has been reinstated. It is valid again."),
                         ("revoke", "The certification has been revoked. It is no longer valid; the reason is kept in its history.")):
        act("staff_certification", detail, {"action": action, "reason": "確認のため"}, text)
    ContinuingEducation.objects.create(body=body, person=person, date=yesterday, provider="協会", hours=2,
                                       category=general)
    act("staff_ce", f"{base}/ce/", {"size": "1"}, "%(count)s records were picked for evidence review. Each person "
        "has been emailed what to upload and by when.", count=1)
    record = ContinuingEducation.objects.get(provider="協会")
    act("staff_ce_review", f"{base}/ce/{record.pk}/", {"decision": "accept"}, "The evidence has been accepted. The hours now count for the person.")
    ContinuingEducation.objects.filter(pk=record.pk).update(review="sampled")
    act("staff_ce_review", f"{base}/ce/{record.pk}/", {"decision": "reject", "reason": "宛名が違います"},
        "The evidence has been rejected; the person has been told why.")
    act("staff_body_settings", f"{base}/settings/", {"form": "evidence", "evidence-evidence_due_days": "20"},
        "The time to send evidence has been saved. New evidence requests use it from now on.")

    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_text = (
        "email,display_name,name_kana,course,completed_on,completion_number,credential_type,certification_number,"
        "issued_on,valid_until\n"
        "imported@example.test,佐藤 一,サトウ ハジメ,養成研修,2019-03-01,,ピアサポート専門員,KPSS-2019-0001,"
        "2019-04-01,2027-03-31\n"
    )
    walked.add("staff_import")
    dry = client.post(f"{base}/import/", {"file": SimpleUploadedFile("r.csv", csv_text.encode()), "dry_run": "on"})
    assert dry.status_code == 200
    with translation.override(language):
        check_passed = _("Check passed: %(n)s rows can be imported. Untick “dry run” to import them.") % {"n": 1}
    assert check_passed in dry.content.decode()  # a check changes nothing: its result is the message
    act("staff_import", f"{base}/import/", {"file": SimpleUploadedFile("r.csv", csv_text.encode())},
        "The register has been imported: %(count)s rows. The completions and certifications are in their lists now.", count=1)
    imported = Certification.objects.get(holder__email="imported@example.test")
    act("staff_certifications_bulk", f"{base}/certifications/bulk/",
        {"action": "remind", "selected": [imported.pk], "confirm": "1"},
        ("A renewal reminder has been sent to %(people)s person (%(count)s certifications). "
         "They can ask for renewal from their training page.",
         "A renewal reminder has been sent to %(people)s people (%(count)s certifications). "
         "They can ask for renewal from their training page.", 1), people=1, count=1)

    # The staffing check of an organisation, by its manager.
    from peers.models import Role

    manager = make_user(roles=[(Role.MANAGER, {"organisation": body.organisation})], mfa=True)
    worker = make_user()
    Engagement.objects.create(person=worker, organisation=body.organisation, kind=Engagement.Kind.EMPLOYED,
                              start_date=datetime.date(2025, 4, 1), weekly_hours=40, full_time_weekly_hours=40)
    client.logout()
    client = mfa_client(manager)
    url = f"{prefix}/staff/staffing/{body.organisation.pk}/"
    act("staffing", url, {"record_training": "1", "training-held_on": "2026-06-01", "training-title": "倫理の研修",
                          "training-trainer": "ピア職員", "training-attendees": [worker.pk],
                          "training-given_by": [worker.pk]},
        "The in-house training has been recorded. The check below counts it from now on.")
    act("staffing", url, {"record_publication": "1", "publication-published_on": "2026-04-10",
                          "publication-where": "掲示板"}, "The publication has been recorded. The check below counts it from now on.")
    act("staffing", url, {"prepare_pack": "1"}, "The filing pack has been prepared and kept. Download it below.")

    # Every staff address of the training app is walked above or only shows something.
    staff_names = {
        name for name, (route, *_rest) in _training_routes().items() if route.startswith(("staff/",))
    }
    assert staff_names - walked - set(READ_ONLY) == set()


def _training_routes() -> dict[str, tuple[str]]:
    routes = {}
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", []):
            if getattr(inner, "namespace", None) == "training":
                for p in inner.url_patterns:
                    routes[p.name] = (str(p.pattern),)
    return routes


def test_the_walk_sees_every_training_staff_address():
    names = set(_training_routes())
    assert {"staff_certifications_bulk", "staffing", "staff_certification"} <= names
