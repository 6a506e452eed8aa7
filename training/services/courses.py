"""Training bodies, courses, cohorts and their days."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from peers.models import Organisation, User
from peers.services import audit_record

from ..models import (
    Cohort,
    CohortDay,
    Course,
    Instructor,
    TrainingBody,
)


# ---------------------------------------------------------------- bodies, courses, cohorts
@transaction.atomic
def training_body_create(*, organisation: Organisation, number_prefix: str, actor: User | None) -> TrainingBody:
    body = TrainingBody(organisation=organisation, number_prefix=number_prefix.upper())
    body.full_clean()
    body.save()
    audit_record(actor=actor, action="training_body.create", target=body)
    return body


@transaction.atomic
def course_save(*, course: Course, actor: User, prerequisites=None) -> Course:
    course.full_clean()
    created = course._state.adding
    course.save()
    if prerequisites is not None:
        others = [p for p in prerequisites if p.pk != course.pk and p.body_id == course.body_id]
        course.prerequisites.set(others)
    audit_record(actor=actor, action="course.create" if created else "course.update", target=course)
    return course


@transaction.atomic
def cohort_save(*, cohort: Cohort, actor: User) -> Cohort:
    cohort.full_clean()
    created = cohort._state.adding
    cohort.save()
    audit_record(actor=actor, action="cohort.create" if created else "cohort.update", target=cohort)
    return cohort


@transaction.atomic
def cohort_day_add(*, cohort: Cohort, date, starts_at, ends_at, hours=None, module=None, actor: User) -> CohortDay:
    if hours is None:
        start = datetime.datetime.combine(date, starts_at)
        end = datetime.datetime.combine(date, ends_at)
        hours = Decimal((end - start).seconds) / Decimal(3600)
    day = CohortDay(cohort=cohort, date=date, starts_at=starts_at, ends_at=ends_at,
                    hours=Decimal(hours).quantize(Decimal("0.01")), module=module)
    day.full_clean()
    day.save()
    audit_record(actor=actor, action="cohort.day_add", target=cohort, data={"day": day.pk})
    return day


@transaction.atomic
def instructor_add(*, cohort: Cohort, actor: User, name: str, is_peer: bool = False,
                   user: User | None = None) -> Instructor:
    """Name an instructor of the cohort (a peer instructor when `is_peer`), audited."""
    instructor = Instructor(cohort=cohort, name=name.strip(), is_peer=is_peer, user=user)
    instructor.full_clean()
    instructor.save()
    audit_record(actor=actor, action="cohort.instructor_add", target=cohort,
                 data={"instructor": instructor.pk, "is_peer": is_peer})
    return instructor
