"""Verification of entries by managers and named verifiers, and the daily digest."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import (
    Organisation,
    Role,
    RoleAssignment,
    User,
)
from peers.services import audit_record
from training.services import ce_credit_practice

from .. import emails
from ..models import (
    ActivityColleague,
    ActivityEntry,
    ActivityStatusChange,
    ActivityVerifier,
    EntryStatus,
    VerificationDigest,
)
from ..selectors import (
    can_manage_verifiers,
    can_verify,
    forget_verifier_cache,
)
from .entries import _history
from .rollups import _rollup_apply, _waiting_apply

Action = ActivityStatusChange.Action


def _verify_many(actor: User, entries: list[ActivityEntry]) -> int:
    now = timezone.now()
    ids = [e.pk for e in entries]
    ActivityEntry.objects.filter(pk__in=ids).update(status=EntryStatus.VERIFIED, updated_at=now)
    ActivityStatusChange.objects.bulk_create(
        [ActivityStatusChange(entry_id=pk, action=Action.VERIFIED, actor=actor, at=now) for pk in ids]
    )
    _rollup_apply(entries, 1)
    _waiting_apply(entries, -1)
    # Verified practice counts toward certification renewal where the credential type says so.
    ce_credit_practice(
        items=[
            {
                "person_id": author_id, "date": day, "hours": _hours(minutes), "provider": organisation,
                "title": str(_("Verified peer-support activity")), "source_ref": f"activity:{pk}",
            }
            for pk, author_id, day, minutes, organisation in ActivityEntry.objects.filter(pk__in=ids).values_list(
                "pk", "author_id", "date", "duration_minutes", "engagement__organisation__name"
            )
        ]
    )
    return len(ids)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


@transaction.atomic
def activity_entry_verify(*, actor: User, entry: ActivityEntry) -> ActivityEntry:
    entry = ActivityEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_verify(actor, entry):
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can verify this."))
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(_("Only an entry waiting for verification can be verified."))
    _verify_many(actor, [entry])
    audit_record(actor=actor, action="activity.verify", target=entry)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def activity_entry_decline(*, actor: User, entry: ActivityEntry, reason: str) -> ActivityEntry:
    entry = ActivityEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_verify(actor, entry):
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can decline this."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason, so that the author can correct the entry.")})
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(_("Only an entry waiting for verification can be declined."))
    entry.status = EntryStatus.DECLINED
    entry.updated_at = timezone.now()
    entry.save(update_fields=["status", "updated_at"])
    _waiting_apply([entry], -1)
    _history(entry, Action.DECLINED, actor, reason.strip())
    audit_record(actor=actor, action="activity.decline", target=entry)
    return entry


@transaction.atomic
def activity_week_verify(*, actor: User, organisation: Organisation, week_start: datetime.date) -> int:
    """Verify every waiting entry of one organisation in the week starting that day (not the
    actor's own). Returns how many."""
    from ..selectors import organisation_ids_verified_by

    org_ids = organisation_ids_verified_by(actor)
    if org_ids is not None and organisation.pk not in org_ids:
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can verify this."))
    entries = list(
        ActivityEntry.objects.select_for_update()
        .filter(
            organisation=organisation, status=EntryStatus.SUBMITTED,
            date__gte=week_start, date__lt=week_start + datetime.timedelta(days=7),
        )
        .exclude(author=actor)
    )
    if not entries:
        return 0
    count = _verify_many(actor, entries)
    audit_record(actor=actor, action="activity.verify_week", target=organisation,
                 data={"week_start": week_start.isoformat(), "count": count})
    return count


@transaction.atomic
def activity_colleague_confirm(*, user: User, entry: ActivityEntry) -> ActivityColleague:
    link = ActivityColleague.objects.select_for_update().filter(entry=entry, user=user).first()
    if link is None:
        raise PermissionDenied(_("Only a colleague named in the entry can confirm it."))
    if link.confirmed_at is None:
        link.confirmed_at = timezone.now()
        link.save(update_fields=["confirmed_at"])
        audit_record(actor=user, action="activity.colleague_confirm", target=entry)
    return link


@transaction.atomic
def activity_verifier_name(*, actor: User, organisation: Organisation, user: User) -> ActivityVerifier:
    """A manager names a supervisor who may verify their organisation's entries."""
    if not can_manage_verifiers(actor, organisation):
        raise PermissionDenied(_("Only the organisation's manager can name supervisors."))
    row, created = ActivityVerifier.objects.get_or_create(
        organisation=organisation, user=user, removed_at__isnull=True, defaults={"named_by": actor}
    )
    if created:
        audit_record(actor=actor, action="activity.verifier_name", target=organisation, data={"user": user.pk})
    forget_verifier_cache(user)
    return row


@transaction.atomic
def activity_verifier_remove(*, actor: User, verifier: ActivityVerifier) -> ActivityVerifier:
    """The manager removes a supervisor they named: from now on that person cannot verify the
    organisation's entries. The row stays, with who removed it and when; what they verified
    before stays verified."""
    verifier = ActivityVerifier.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=verifier.pk)
    if not can_manage_verifiers(actor, verifier.organisation):
        raise PermissionDenied(_("Only the organisation's manager can remove supervisors."))
    if verifier.removed_at is None:
        verifier.removed_at = timezone.now()
        verifier.removed_by = actor
        verifier.save(update_fields=["removed_at", "removed_by"])
        audit_record(actor=actor, action="activity.verifier_remove", target=verifier.organisation,
                     data={"user": verifier.user_id})
    forget_verifier_cache(verifier.user)
    return verifier


@transaction.atomic
def activity_verification_digest_send(*, now: datetime.datetime | None = None) -> int:
    """The daily digest: each manager and named supervisor of an organisation where an entry
    arrived or was corrected since the last digest gets one email with what waits (their own
    entries left out). Returns how many emails were queued; running it again sends nothing new."""
    now = now or timezone.now()
    marks = dict(VerificationDigest.objects.select_for_update().values_list("organisation_id", "last_sent_at"))
    waiting: dict[int, dict[int, int]] = defaultdict(dict)  # organisation -> author -> entries
    due = set()
    for row in (
        ActivityEntry.objects.filter(status=EntryStatus.SUBMITTED)
        .values("organisation_id", "author_id").annotate(n=Count("id"), newest=Max("updated_at")).order_by()
    ):
        waiting[row["organisation_id"]][row["author_id"]] = row["n"]
        mark = marks.get(row["organisation_id"])
        if mark is None or row["newest"] > mark:
            due.add(row["organisation_id"])
    if not due:
        return 0
    recipients: dict[int, tuple[User, set[int]]] = {}
    managers = RoleAssignment.objects.filter(
        role=Role.MANAGER, organisation_id__in=due, user__is_active=True
    ).select_related("user")
    named = ActivityVerifier.objects.filter(
        organisation_id__in=due, removed_at__isnull=True, user__is_active=True
    ).select_related("user")
    for row in [*managers, *named]:
        recipients.setdefault(row.user_id, (row.user, set()))[1].add(row.organisation_id)
    organisations = Organisation.objects.in_bulk(due)
    sent = 0
    for user, org_ids in recipients.values():
        rows = []
        for org_id in sorted(org_ids, key=lambda pk: organisations[pk].name):
            count = sum(n for author_id, n in waiting[org_id].items() if author_id != user.pk)
            if count:
                rows.append({"organisation": organisations[org_id], "waiting": count})
        if rows:
            emails.verification_digest(user=user, organisations=rows)
            sent += 1
    for org_id in due:
        VerificationDigest.objects.update_or_create(organisation_id=org_id, defaults={"last_sent_at": now})
    return sent


