"""The body's home page: counts and to-dos, each a small function running one query."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Application,
    Attendance,
    Certification,
    Cohort,
    CohortDay,
    ContinuingEducation,
    RenewalRequest,
    TrainingBody,
)
from .bodies import _body_ids
from .register import _expiring


@dataclass(frozen=True)
class HomeCount:
    """One count on a training body's home page, and where the staff work through it: a URL
    name of this app (taking body_id) and a query string."""

    key: str
    label: str
    count: int
    url_name: str
    query: str = ""


def _applications_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Application.objects.filter(cohort__course__body=body, state=Application.State.SUBMITTED).count()
    return HomeCount("applications_waiting", _("Applications waiting for a decision"), count, "training:staff_cohorts")


def _cohorts_to_complete(body: TrainingBody, today: datetime.date) -> HomeCount:
    """Cohorts whose last day has passed with people still enrolled: completion not yet run."""
    enrolled = Application.objects.filter(cohort=OuterRef("pk"), state=Application.State.ENROLLED)
    count = (
        Cohort.objects.filter(course__body=body)
        .annotate(last_day=Max("days__date"))
        .filter(last_day__lt=today)
        .filter(Exists(enrolled))
        .count()
    )
    return HomeCount("cohorts_to_complete", _("Cohorts to complete"), count, "training:staff_cohorts")


def _expiring_this_quarter(body: TrainingBody, today: datetime.date) -> HomeCount:
    # The same rows the register shows for its "this quarter" filter.
    count = _expiring(Certification.objects.filter(body=body), "this_quarter", today).count()
    return HomeCount("expiring_this_quarter", _("Certifications expiring this quarter"), count,
                     "training:staff_certifications", "expiry=this_quarter")


def _in_grace(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Certification.objects.filter(body=body, status=Certification.Status.GRACE).count()
    return HomeCount("in_grace", _("Certifications in the grace period"), count,
                     "training:staff_certifications", "status=grace")


def _lapsed(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Certification.objects.filter(body=body, status=Certification.Status.LAPSED).count()
    return HomeCount("lapsed", _("Lapsed certifications"), count, "training:staff_certifications", "status=lapsed")


def _sampled_evidence_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = ContinuingEducation.objects.filter(body=body, review=ContinuingEducation.Review.SAMPLED).count()
    return HomeCount("sampled_evidence_waiting", _("Sampled records waiting for review"), count,
                     "training:staff_ce", "review=sampled")


def _renewal_requests_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = RenewalRequest.objects.filter(certification__body=body, outcome="").count()
    return HomeCount("renewal_requests", _("Renewal requests waiting"), count, "training:staff_renewal_requests")


# The counts of a body's home page, in order: each a small function (body, today) -> HomeCount
# running one query. Another count is one more function appended here.
BODY_HOME_COUNTS: list[Callable[[TrainingBody, datetime.date], HomeCount]] = [
    _applications_waiting,
    _cohorts_to_complete,
    _expiring_this_quarter,
    _in_grace,
    _lapsed,
    _sampled_evidence_waiting,
    _renewal_requests_waiting,
]


def training_body_home_counts(user, *, body: TrainingBody, today: datetime.date | None = None) -> list[HomeCount]:
    """The counts and to-dos of a body's home page (one query each, whatever the numbers)."""
    if body.pk not in _body_ids(user):
        raise Http404
    today = today or timezone.localdate()
    return [count(body, today) for count in BODY_HOME_COUNTS]


@dataclass(frozen=True)
class BodyWaiting:
    """What waits for a body's staff, for the staff home: each count with where it is done."""

    body: TrainingBody
    counts: list[HomeCount]


def _grouped(qs, body_field: str, ids: list[int]) -> dict[int, int]:
    rows = qs.filter(**{f"{body_field}__in": ids}).order_by().values(body_field).annotate(n=Count("id"))
    return {row[body_field]: row["n"] for row in rows}


def training_staff_waiting_for(user, *, today: datetime.date | None = None, limit: int = 50) -> list[BodyWaiting]:
    """For the staff home: per body this person works for (every body for an administrator,
    the first `limit`), the applications to select, attendance to record, renewals due and
    evidence to review. Six queries whatever the number of bodies and rows."""
    from .bodies import training_body_list_for

    today = today or timezone.localdate()
    bodies = list(training_body_list_for(user).order_by("organisation__name", "pk")[:limit])
    if not bodies:
        return []
    ids = [body.pk for body in bodies]
    enrolled = Application.objects.filter(cohort=OuterRef("cohort"), state=Application.State.ENROLLED)
    recorded = Attendance.objects.filter(day=OuterRef("pk"))
    applications = _grouped(Application.objects.filter(state=Application.State.SUBMITTED), "cohort__course__body", ids)
    attendance = _grouped(
        CohortDay.objects.filter(date__lte=today).filter(Exists(enrolled)).exclude(Exists(recorded)),
        "cohort__course__body", ids,
    )
    renewals = _grouped(RenewalRequest.objects.filter(outcome=""), "certification__body", ids)
    expiring = _grouped(_expiring(Certification.objects.all(), "this_quarter", today), "body", ids)
    evidence = _grouped(ContinuingEducation.objects.filter(review=ContinuingEducation.Review.SAMPLED), "body", ids)
    return [
        BodyWaiting(body=body, counts=[
            HomeCount("applications_to_select", _("Applications to select"), applications.get(body.pk, 0),
                      "training:staff_cohorts"),
            HomeCount("attendance_to_record", _("Training days with attendance to record"),
                      attendance.get(body.pk, 0), "training:staff_cohorts"),
            HomeCount("renewal_requests", _("Renewal requests waiting"), renewals.get(body.pk, 0),
                      "training:staff_renewal_requests"),
            HomeCount("expiring_this_quarter", _("Certifications expiring this quarter"),
                      expiring.get(body.pk, 0), "training:staff_certifications", "expiry=this_quarter"),
            HomeCount("evidence_to_review", _("Sampled records waiting for review"), evidence.get(body.pk, 0),
                      "training:staff_ce", "review=sampled"),
        ])
        for body in bodies
    ]
