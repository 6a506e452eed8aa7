"""Who sees which entry: the verifiers of an organisation, a person's own entries and the entries
they may read or verify."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from peers.access import two_step_passed
from peers.models import (
    Organisation,
    Role,
)
from peers.selectors import role_assignment_list_for, user_is_admin

from ..models import (
    ActivityColleague,
    ActivityEntry,
    ActivityVerifier,
    EntryStatus,
)

SUPERVISION = "supervision"


_VERIFIER_CACHE = "_kakehashi_activity_org_ids"


def organisation_ids_verified_by(user) -> set[int] | None:
    """Organisations whose entries this user sees and verifies (None: every one, an administrator).
    Read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user_is_admin(user):
        return None
    managed = {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}
    # A named supervisor holds staff work without a staff role: it applies only after two-step
    # sign-in in this session, like a role (peers.access).
    if not two_step_passed(user):
        return managed
    cached = getattr(user, _VERIFIER_CACHE, None)
    if cached is None:
        cached = set(
            ActivityVerifier.objects.filter(user=user, removed_at__isnull=True).values_list("organisation_id", flat=True)
        )
        setattr(user, _VERIFIER_CACHE, cached)
    return managed | cached


def organisation_ids_managed_by(user) -> set[int] | None:
    """Organisations whose supervisors this user names and removes (None: every one, an
    administrator). No query beyond the roles already read for the request."""
    if user_is_admin(user):
        return None
    return {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}


def can_manage_verifiers(user, organisation: Organisation) -> bool:
    managed = organisation_ids_managed_by(user)
    return managed is None or organisation.pk in managed


def verifier_list_for_organisation(organisation: Organisation) -> QuerySet[ActivityVerifier]:
    """The supervisors named for this organisation who may verify now (not those removed)."""
    return (
        ActivityVerifier.objects.filter(organisation=organisation, removed_at__isnull=True)
        .select_related("user", "named_by")
        .order_by("user__display_name", "id")
    )


def forget_verifier_cache(user) -> None:
    if hasattr(user, _VERIFIER_CACHE):
        delattr(user, _VERIFIER_CACHE)


def _base() -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.select_related("author", "organisation", "activity", "setting")


def activity_entry_list_own(user) -> QuerySet[ActivityEntry]:
    return _base().filter(author=user)


def activity_entry_list_for(user) -> QuerySet[ActivityEntry]:
    """Every entry this person may read: their own, those naming them, their organisations'."""
    if not getattr(user, "is_authenticated", False):
        return ActivityEntry.objects.none()
    org_ids = organisation_ids_verified_by(user)
    if org_ids is None:
        return _base().all()
    q = Q(author=user) | Q(id__in=ActivityColleague.objects.filter(user=user).values("entry_id"))
    if org_ids:
        q |= Q(organisation_id__in=org_ids)
    return _base().filter(q)


def activity_entry_get_for(user, pk: int) -> ActivityEntry | None:
    return (
        activity_entry_list_for(user)
        .select_related("engagement")
        .prefetch_related("professional_roles", "colleague_links__user", "history__actor")
        .filter(pk=pk)
        .first()
    )


def activity_organisation_get_for(user, pk: int) -> Organisation | None:
    """An organisation whose team activity this user may see (its manager, a named supervisor)."""
    org_ids = organisation_ids_verified_by(user)
    qs = Organisation.objects.select_related("prefecture", "kind")
    if org_ids is None:
        return qs.filter(pk=pk).first()
    if pk not in org_ids:
        return None
    return qs.filter(pk=pk).first()


def activity_organisation_list_for(user) -> QuerySet[Organisation]:
    org_ids = organisation_ids_verified_by(user)
    qs = Organisation.objects.select_related("prefecture")
    return qs if org_ids is None else qs.filter(pk__in=org_ids)


def can_verify(user, entry: ActivityEntry) -> bool:
    """The organisation's manager or a supervisor they named, never the author themselves."""
    if entry.author_id == getattr(user, "pk", None):
        return False
    org_ids = organisation_ids_verified_by(user)
    return org_ids is None or entry.organisation_id in org_ids


def reflection_visible(viewer, entry: ActivityEntry) -> bool:
    """Private to the author; shared, it is read by those who verify the entry (their supervisors)."""
    if viewer.pk == entry.author_id:
        return True
    return entry.reflection_shared and can_verify(viewer, entry)


def activity_entry_list_for_organisation(organisation: Organisation) -> QuerySet[ActivityEntry]:
    """Call only with an organisation from activity_organisation_get_for."""
    return _base().filter(organisation=organisation)


def verification_queue(user, organisation: Organisation) -> QuerySet[ActivityEntry]:
    return (
        activity_entry_list_for_organisation(organisation)
        .filter(status=EntryStatus.SUBMITTED)
        .exclude(author=user)
    )


def possible_duplicates(*, author, date: datetime.date, activity_id: int, start_time=None,
                        exclude_pk: int | None = None) -> list[int]:
    """Entries by the same person on the same day for the same activity (and start time, if given)."""
    qs = ActivityEntry.objects.filter(author=author, date=date, activity_id=activity_id).exclude(
        status=EntryStatus.DECLINED
    )
    if start_time is not None:
        qs = qs.filter(Q(start_time=start_time) | Q(start_time__isnull=True))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.values_list("pk", flat=True)[:5])


def last_entry_defaults(user) -> dict:
    """What the quick entry remembers: the last engagement, activity, setting, mode and stage."""
    last = (
        ActivityEntry.objects.filter(author=user)
        .order_by("-created_at", "-id")
        .values("engagement_id", "activity_id", "setting_id", "mode", "stage", "duration_minutes")
        .first()
    )
    if not last:
        return {}
    return {
        "engagement": last["engagement_id"], "activity": last["activity_id"], "setting": last["setting_id"],
        "mode": last["mode"], "stage": last["stage"], "duration_minutes": last["duration_minutes"],
    }
