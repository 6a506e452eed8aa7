"""A person with several records of every kind, across peers, training and collaboration."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from collaboration.activity.services import activity_entry_create, supervision_record
from collaboration.models import (
    BodyMember,
    ConsultationBody,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    Sector,
)
from collaboration.services.meetings import reply_save
from peers.models import Activity, Consent, Prefecture, Role
from peers.services import role_grant
from peers.services.privacy import consent_give
from peers.services.workforce import profile_update
from training.models import (
    CECategory,
    Cohort,
    ContinuingEducation,
    Course,
    CourseKind,
    CredentialType,
    TrainingBody,
)
from training.services import (
    application_submit,
    certification_issue,
    cohort_day_add,
    completion_issue,
)

PDF = b"%PDF-1.4\n% evidence\n"


class Record:
    """What was made, for the assertions."""


def training_body(factories, *, prefix="PSS"):
    organisation = factories.organisation(name=f"研修機構 {prefix}")
    body = TrainingBody.objects.create(organisation=organisation, number_prefix=prefix)
    trainer = factories.user(display_name=f"研修 担当 {prefix}")
    role_grant(user=trainer, role=Role.TRAINER, organisation=organisation)
    return body, trainer


def open_cohort(body, trainer, *, name, days=(datetime.date(2026, 1, 10),)):
    course = Course.objects.filter(body=body, kind=CourseKind.INITIAL).first() or Course.objects.create(
        body=body, kind=CourseKind.INITIAL, title="養成研修")
    now = timezone.now()
    cohort = Cohort.objects.create(
        course=course, name=name, year=2026, prefecture=Prefecture.objects.get(code="13"), place="東京",
        capacity=10, applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=20),
    )
    for day in days:
        cohort_day_add(cohort=cohort, date=day, starts_at=datetime.time(10), ends_at=datetime.time(16), actor=trainer)
    return cohort


def consultation_meeting(factories, coordinator, *, title, ends=None):
    body = ConsultationBody.objects.filter(name="東京都協議の場").first() or ConsultationBody.objects.create(
        name="東京都協議の場", level=ConsultationBody.Level.PREFECTURE, prefecture=Prefecture.objects.get(code="13"))
    BodyMember.objects.get_or_create(body=body, user=coordinator, defaults={"sector": Sector.WELFARE,
                                                                              "is_coordinator": True})
    ends = ends or timezone.now() - datetime.timedelta(days=1)
    meeting = Meeting.objects.create(body=body, title=title, starts_at=ends - datetime.timedelta(hours=2),
                                     ends_at=ends, place="都庁", created_by=coordinator)
    return body, meeting


def rich_record(person, factories, org, *, count=3, prefix="PSS") -> Record:
    """`count` of each kind of record for `person`."""
    r = Record()
    r.body, r.trainer = training_body(factories, prefix=prefix)
    r.coordinator = factories.user(display_name="調整 花子")
    r.supervisor = factories.user(display_name="指導 次郎")
    consent_give(person=person, purpose=Consent.Purpose.ACCOMMODATIONS)
    profile_update(actor=person, person=person, accommodations="指示は文書で")
    r.engagements = [factories.engagement(person=person, organisation=org) for _ in range(count)]
    # The organisation verifies volunteer hours (issue 18), so an entry can be left unverified.
    org.volunteer_hours_need_verification = True
    org.save(update_fields=["volunteer_hours_need_verification"])
    # Supervision is recorded only with someone the peer works with: a named supervisor there.
    from collaboration.activity.models import ActivityVerifier

    ActivityVerifier.objects.create(organisation=org, user=r.supervisor)
    r.category = CECategory.objects.create(body=r.body, name="倫理")
    r.credential = CredentialType.objects.create(body=r.body, name="専門員", expires=True, validity_months=24)
    activity = Activity.objects.first()
    r.applications, r.meetings = [], []
    # Every application first: a course once completed cannot be applied to again.
    cohorts = [open_cohort(r.body, r.trainer, name=f"2026年度 第{i + 1}期") for i in range(count)]
    for i, cohort in enumerate(cohorts):
        r.applications.append(application_submit(
            cohort=cohort, applicant=person, consent=True, accommodation_request=f"休憩を多めに {i}",
            accommodation_consent=True))
    for i, cohort in enumerate(cohorts):
        completion = completion_issue(person=person, course=cohort.course, completed_on=datetime.date(2025, 3, 1 + i),
                                      actor=r.trainer, cohort=cohort, notify=False)
        if i == 0:
            r.certification = certification_issue(credential_type=r.credential, holder=person, actor=r.trainer,
                                                  basis=completion, issued_on=datetime.date(2025, 4, 1), notify=False)
        ContinuingEducation.objects.create(
            body=r.body, person=person, date=datetime.date(2025, 5, 1 + i), provider="研修機構",
            hours=Decimal("2"), category=r.category,
            evidence=SimpleUploadedFile(f"certificate-{i}.pdf", PDF, content_type="application/pdf"))
        _body, meeting = consultation_meeting(factories, r.coordinator, title=f"第{i + 1}回 協議の場")
        r.meetings.append(meeting)
        invitation = MeetingInvitation.objects.create(meeting=meeting, user=person, sector=Sector.PEER,
                                                      invited_by=r.coordinator)
        reply_save(invitation=invitation, user=person, response="attending",
                   accommodation_request=f"字幕をお願いします {i}", accommodation_consent=True)
        Meeting.objects.filter(pk=meeting.pk).update(last_seq=1)
        Message.objects.create(meeting=meeting, seq=1, rev=1, author=person, body=f"私の経験では {i}")
        Minutes.objects.create(meeting=meeting, text=f"{person.display_name}さんが発言した。", drafted_by=r.coordinator)
        entry = activity_entry_create(author=person, engagement=r.engagements[0], date=datetime.date(2025, 6, 1 + i),
                              duration_minutes=60, activity=activity, stage="community",
                              reflection="つらかった日のこと")
        if i == 0:  # verified by the organisation (the verification flow is tested in collaboration)
            type(entry).objects.filter(pk=entry.pk).update(status="verified")
        supervision_record(actor=person, supervisor=r.supervisor, peer=person, date=datetime.date(2025, 6, 1 + i),
                           minutes=30, topics="家族のこと", notify=False)
    return r
