"""Fixtures for the training app: a training body with staff, courses, a cohort and a credential."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from peers.models import Organisation, Prefecture, Role
from peers.prefectures import PREFECTURES
from training.models import (
    CECategory,
    CEFloor,
    Cohort,
    Course,
    CourseKind,
    CredentialType,
    TrainingBody,
)
from training.services import cohort_day_add, completion_issue


@pytest.fixture
def tokyo(db) -> Prefecture:
    """As the shared fixture, but restoring the seeded prefectures first: a transactional test
    that ran before (browser, concurrency) flushed them."""
    if not Prefecture.objects.filter(code="13").exists():
        Prefecture.objects.bulk_create(
            [Prefecture(code=code, name_ja=ja, name_en=en) for code, ja, en in PREFECTURES],
            ignore_conflicts=True,
        )
    return Prefecture.objects.get(code="13")


@pytest.fixture
def body(tokyo) -> TrainingBody:
    organisation = Organisation.objects.create(name="ピアサポート専門員研修機構", prefecture=tokyo)
    return TrainingBody.objects.create(organisation=organisation, number_prefix="PSS")


@pytest.fixture
def other_body(tokyo) -> TrainingBody:
    organisation = Organisation.objects.create(name="別の研修機構", prefecture=tokyo)
    return TrainingBody.objects.create(organisation=organisation, number_prefix="OTH")


@pytest.fixture
def trainer(make_user, body):
    return make_user(roles=[(Role.TRAINER, {"organisation": body.organisation})], mfa=True)


@pytest.fixture
def other_trainer(make_user, other_body):
    return make_user(roles=[(Role.TRAINER, {"organisation": other_body.organisation})], mfa=True)


@pytest.fixture
def ethics(body) -> CECategory:
    return CECategory.objects.create(body=body, name="倫理")


@pytest.fixture
def general(body) -> CECategory:
    return CECategory.objects.create(body=body, name="一般")


@pytest.fixture
def initial_course(body, general) -> Course:
    return Course.objects.create(body=body, kind=CourseKind.INITIAL, title="養成研修", ce_category=general)


@pytest.fixture
def renewal_course(body) -> Course:
    return Course.objects.create(body=body, kind=CourseKind.RENEWAL, title="更新研修")


@pytest.fixture
def credential_type(body, initial_course, renewal_course, ethics) -> CredentialType:
    ctype = CredentialType.objects.create(
        body=body, name="ピアサポート専門員", initial_course=initial_course, expires=True,
        validity_months=24, renewal_window_days=120, grace_days=90, late_renewal_limit_months=6,
        renewal_course=renewal_course, ce_hours_required=Decimal("20"),
        reminder_offsets=[120, 60, 30, 7, -30],
    )
    CEFloor.objects.create(credential_type=ctype, category=ethics, minimum_hours=Decimal("3"))
    return ctype


@pytest.fixture
def make_cohort(initial_course, tokyo, trainer):
    def make(*, course=None, capacity=10, days=2, open_now=True, first_day=None, **extra) -> Cohort:
        """The days are the last `days` days before today unless `first_day` is given, so
        attendance can be recorded for them (never for a day that has not come)."""
        now = timezone.now()
        first_day = first_day or timezone.localdate() - datetime.timedelta(days=days)
        cohort = Cohort.objects.create(
            course=course or initial_course,
            name=extra.pop("name", "2026年度 東京"),
            year=extra.pop("year", 2026),
            prefecture=tokyo,
            place="東京都千代田区",
            capacity=capacity,
            applications_open=now - datetime.timedelta(days=1) if open_now else now + datetime.timedelta(days=10),
            applications_close=now + datetime.timedelta(days=20 if open_now else 40),
            **extra,
        )
        for i in range(days):
            cohort_day_add(
                cohort=cohort, date=first_day + datetime.timedelta(days=i),
                starts_at=datetime.time(10), ends_at=datetime.time(16), actor=trainer,
            )
        return cohort

    return make


@pytest.fixture
def cohort(make_cohort) -> Cohort:
    return make_cohort()


@pytest.fixture
def completed(initial_course):
    def complete(person, on=datetime.date(2025, 3, 1)):
        return completion_issue(person=person, course=initial_course, completed_on=on, actor=None)

    return complete


@pytest.fixture
def time_machine_today(monkeypatch):
    """Fix timezone.localdate() for services that read today's date."""

    def set_today(day: datetime.date):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    return set_today
