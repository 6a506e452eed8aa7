"""Courses and cohorts: the staff's own, and the open ones anyone may apply to."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import (
    Application,
    Cohort,
    Course,
)
from .bodies import _body_ids


def course_list_for(user) -> QuerySet[Course]:
    return (
        Course.objects.filter(body_id__in=_body_ids(user))
        .select_related("body__organisation", "ce_category")
        .prefetch_related("modules", "prerequisites")
    )


def course_get_for(user, pk) -> Course:
    course = course_list_for(user).filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def _cohort_qs() -> QuerySet[Cohort]:
    return (
        Cohort.objects.select_related("course__body__organisation", "prefecture")
        .prefetch_related("days", "instructors")
        .annotate(
            places_taken=Count(
                "applications", filter=Q(applications__state__in=Application.PLACE_STATES)
            )
        )
    )


def cohort_list_for(user) -> QuerySet[Cohort]:
    """Cohorts of the bodies this user runs."""
    return _cohort_qs().filter(course__body_id__in=_body_ids(user))


def cohort_get_for(user, pk) -> Cohort:
    cohort = cohort_list_for(user).filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


def cohort_list_open(*, now: datetime.datetime | None = None) -> QuerySet[Cohort]:
    """Published cohorts taking applications now: anyone may see these."""
    now = now or timezone.now()
    return _cohort_qs().filter(
        published=True, applications_open__lte=now, applications_close__gt=now
    ).order_by("applications_close", "id")


def cohort_list_open_with_places(*, limit: int = 100) -> list[Cohort]:
    """The open cohorts as the public lists show them (training/_cohort_card.html): each with
    `places_left`, never below zero. The card shows no instructors: they are not read."""
    cohorts = list(cohort_list_open().prefetch_related(None).prefetch_related("days")[:limit])
    for cohort in cohorts:
        cohort.places_left = max(cohort.capacity - cohort.places_taken, 0)
    return cohorts


def cohort_get_open(pk) -> Cohort:
    cohort = cohort_list_open().filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort
