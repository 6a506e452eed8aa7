"""Applications, accommodation requests (read with a record of who read them), attendance."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from peers.models import DataCategory
from peers.selectors.privacy import sensitive_access_record

from ..models import (
    Application,
    Attendance,
    Cohort,
    CohortDay,
)
from .bodies import _body_ids


def application_list_for(user) -> QuerySet[Application]:
    """Applications to cohorts this user runs (organisers see accommodation requests). A
    visitor's application still waiting for its email confirmation is not among them."""
    return (
        Application.objects.filter(cohort__course__body_id__in=_body_ids(user))
        .exclude(state=Application.State.UNCONFIRMED)
        .select_related("applicant", "organisation", "cohort__course__body", "pair__applicant",
                        "accommodation_consent")
    )


def application_get_for(user, pk) -> Application:
    application = application_list_for(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def application_groups(applications) -> list[list[Application]]:
    """Applications as the staff table shows them: a pair is one group (当事者 first) placed
    where its first application came in, anyone alone a group of one."""
    by_pk = {a.pk: a for a in applications}
    groups, seen = [], set()
    for application in applications:
        if application.pk in seen:
            continue
        group = [application]
        partner = by_pk.get(application.pair_id)
        if partner is not None and partner.pk not in seen:
            group.append(partner)
            group.sort(key=lambda a: (a.pair_role != "peer", a.pk))
        seen.update(a.pk for a in group)
        groups.append(group)
    return groups


def application_list_of(user) -> QuerySet[Application]:
    """A person's own applications."""
    return Application.objects.filter(applicant=user).select_related(
        "cohort__course__body__organisation", "cohort__prefecture", "accommodation_consent"
    )


def application_can_see_accommodation(user, application: Application) -> bool:
    """The reasonable-accommodation request is for the cohort's organisers only (the training
    body's staff; and the applicant, who wrote it), while its consent is active."""
    consent = application.accommodation_consent
    if not application.accommodation_request or consent is None or not consent.covers(
        DataCategory.ACCOMMODATIONS
    ):
        return False
    if application.applicant_id is not None and application.applicant_id == getattr(user, "pk", None):
        return True
    return application.cohort.course.body_id in _body_ids(user)


def accommodation_requests_read(*, viewer, applications, context: str) -> dict[int, str]:
    """The accommodation requests of `applications` that `viewer` may read, by application id.
    Each one read by someone other than the applicant is written to the applicant's access log
    (one insert for the lot). Load the applications with `accommodation_consent` and
    `cohort__course`."""
    shown = {a.pk: a for a in applications if application_can_see_accommodation(viewer, a)}
    sensitive_access_record(
        viewer=viewer, person_ids=[a.applicant_id for a in shown.values()],
        category=DataCategory.ACCOMMODATIONS, context=context,
    )
    return {pk: a.accommodation_request for pk, a in shown.items()}


def attendance_map(cohort: Cohort) -> dict[tuple[int, int], bool]:
    rows = Attendance.objects.filter(day__cohort=cohort).values_list(
        "day_id", "application_id", "present"
    )
    return {(day_id, app_id): present for day_id, app_id, present in rows}


def cohort_day_list(cohort: Cohort) -> QuerySet[CohortDay]:
    return CohortDay.objects.filter(cohort=cohort).select_related("module")


def cohort_prefetch_applications() -> Prefetch:
    return Prefetch("applications", queryset=Application.objects.select_related("applicant"))
