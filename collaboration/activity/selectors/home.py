"""What the activity log puts on the homes: a professional's supervision and confirmations,
the people they work with, and the entries waiting for a manager's or supervisor's check.
Each function runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from peers.models import User

from ..models import (
    ActivityColleague,
    ActivityVerifier,
    EntryStatus,
    OrganisationWaitingRollup,
    SupervisionSession,
)
from .entries import organisation_ids_verified_by

SHOWN = 5  # rows listed on a home card; the count says how many there are in all


@dataclass(frozen=True)
class SupervisionCounts:
    given: int  # sessions this person gave as supervisor
    waiting_for_you: int  # recorded by the peer, for this person to confirm
    waiting_for_peer: int  # recorded by this person, for the peer to confirm


def supervision_counts_given_by(user) -> SupervisionCounts:
    """The supervision this person gives, in one query."""
    row = SupervisionSession.objects.filter(supervisor=user).aggregate(
        given=Count("id"),
        waiting_for_you=Count("id", filter=Q(confirmed_at__isnull=True) & ~Q(recorded_by=user)),
        waiting_for_peer=Count("id", filter=Q(confirmed_at__isnull=True, recorded_by=user)),
    )
    return SupervisionCounts(**row)


def colleague_confirmation_list_for(user):
    """Entries that name this person as a colleague and wait for their confirmation (never a
    declined one), newest first, with their authors."""
    return (
        ActivityColleague.objects.filter(user=user, confirmed_at__isnull=True)
        .exclude(entry__status=EntryStatus.DECLINED)
        .select_related("entry__author", "entry__activity")
        .order_by("-entry__date", "-entry_id")
    )


def people_worked_with(user):
    """The people this person works with, as the activity log records it: the peers they
    supervise (or are supervised by) and the authors of entries that name them. Only people
    whose records already show them to this person."""
    supervised = SupervisionSession.objects.filter(Q(supervisor=user) | Q(peer=user))
    named_by = ActivityColleague.objects.filter(user=user).values("entry__author_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=supervised.values("peer_id")) | Q(pk__in=supervised.values("supervisor_id"))
            | Q(pk__in=named_by)
        )
        .exclude(pk=user.pk)
        .order_by("display_name", "id")
    )


def supervisor_organisation_list_of(user):
    """Organisations a manager named this person a supervisor for (their own record: shown on
    their home whether or not they passed two-step sign-in; the entries themselves are staff
    work behind it)."""
    return (
        ActivityVerifier.objects.filter(user=user, removed_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "id")
    )


def verification_waiting_by_organisation(user, *, limit: int = 50) -> list[dict]:
    """Entries waiting for this person's check, per organisation they verify for (managers,
    named supervisors after two-step sign-in, administrators): one query, the organisations
    with the most first. Each row: organisation_id, organisation__name, waiting."""
    org_ids = organisation_ids_verified_by(user)
    # From the waiting rollup (one row per organisation and author), not a count of the entries.
    qs = OrganisationWaitingRollup.objects.filter(entries__gt=0).exclude(author=user)
    if org_ids is not None:
        if not org_ids:
            return []
        qs = qs.filter(organisation_id__in=org_ids)
    return list(
        qs.order_by()
        .values("organisation_id", "organisation__name")
        .annotate(waiting=Sum("entries"))
        .order_by("-waiting", "organisation__name")[:limit]
    )
