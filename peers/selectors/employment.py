"""Employed work (第三群): leave and return, and the accommodations agreed at work (合理的配慮).

Who sees them is decided here, and nowhere else: the person, and the manager of the
organisation the engagement is with (a manager's role there, which applies only after two-step
sign-in). Nobody else: not coordinators, not other staff, not named supervisors, and not
administrators, whose reach over every record stops at sensitive fields in this house (see
peers.selectors.workforce: "fewest people see them"). Outside that, the engagement is missing
(404). Accommodations are read only while the person's consent to share them with managers is
active, and each read by the manager is logged for the person (their access log).
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import (
    DataCategory,
    Engagement,
    EngagementLeave,
    Role,
    SensitiveAccess,
    WorkAccommodation,
)
from .accounts import role_assignment_list_for


def _managed_ids(user) -> set[int]:
    return {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}


def employment_access(user, engagement: Engagement) -> bool:
    """Whether the user may see and record the leave and agreed accommodations of this
    engagement: the person, or a manager of its organisation. Employed engagements only."""
    if not getattr(user, "is_authenticated", False) or engagement.kind != Engagement.Kind.EMPLOYED:
        return False
    return engagement.person_id == user.pk or engagement.organisation_id in _managed_ids(user)


def employment_engagement_list_for(user) -> QuerySet[Engagement]:
    """Employed engagements whose leave and accommodations this user may see."""
    if not getattr(user, "is_authenticated", False):
        return Engagement.objects.none()
    from django.db.models import Q

    return (
        Engagement.objects.select_related("person", "organisation")
        .filter(kind=Engagement.Kind.EMPLOYED)
        .filter(Q(person=user) | Q(organisation_id__in=_managed_ids(user)))
    )


def employment_engagement_get_for(user, pk) -> Engagement | None:
    try:
        return employment_engagement_list_for(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def leave_list_for(user, engagement: Engagement) -> QuerySet[EngagementLeave]:
    if not employment_access(user, engagement):
        return EngagementLeave.objects.none()
    return EngagementLeave.objects.filter(engagement=engagement).order_by("-start_date", "-id")


def leave_get_for(user, pk) -> EngagementLeave | None:
    try:
        leave = EngagementLeave.objects.select_related("engagement__organisation").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
    return leave if leave is not None and employment_access(user, leave.engagement) else None


def accommodation_queryset_for(user, engagement: Engagement) -> QuerySet[WorkAccommodation]:
    """The agreed accommodations the user may read now: stored under a consent still active
    (one given for accommodations always covers them). Reading them is logged by the caller
    through `accommodation_read_log`."""
    if not employment_access(user, engagement):
        return WorkAccommodation.objects.none()
    return WorkAccommodation.objects.filter(engagement=engagement, consent__withdrawn_at__isnull=True)


def accommodation_read_log(user, engagement: Engagement, items, *, context: str) -> None:
    """A read by anyone but the person is logged for the person (one line per read)."""
    if items and user.pk != engagement.person_id:
        SensitiveAccess.objects.create(person_id=engagement.person_id, accessor=user,
                                       category=DataCategory.ACCOMMODATIONS, context=context[:100])


def accommodation_list_for(user, engagement: Engagement, *, context: str) -> list[WorkAccommodation]:
    """The agreed accommodations the user may read now, the read logged for the person."""
    items = [item for item in accommodation_queryset_for(user, engagement).select_related("consent")
             if item.consent.covers(DataCategory.ACCOMMODATIONS)]
    accommodation_read_log(user, engagement, items, context=context)
    return items


def accommodation_get_for(user, pk) -> WorkAccommodation | None:
    try:
        item = WorkAccommodation.objects.select_related("engagement__organisation", "consent").filter(
            pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
    if item is None or not employment_access(user, item.engagement) or not item.consent.covers(
            DataCategory.ACCOMMODATIONS):
        return None
    return item
