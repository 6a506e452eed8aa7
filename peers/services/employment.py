"""Employed work (第三群): leave periods and the accommodations agreed at work (合理的配慮).

The person and the manager of the organisation record them (peers.selectors.employment decides
who); an accommodation is stored only under the person's active consent to share accommodation
information with the managers of the organisations they work with. The audit log names the
fields changed, never what was agreed."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Consent, DataCategory, Engagement, EngagementLeave, User, WorkAccommodation
from ..selectors.employment import employment_access
from .accounts import audit_record

LEAVE_FIELDS = ("kind", "start_date", "expected_return", "actual_return")
ACCOMMODATION_FIELDS = ("text", "agreed_on", "review_on")


def _check(actor: User, engagement: Engagement) -> None:
    if not employment_access(actor, engagement):
        raise PermissionDenied(_("Only the person and the organisation's manager can record this."))


@transaction.atomic
def leave_record(
    *, actor: User, engagement: Engagement, kind: str, start_date: datetime.date,
    expected_return: datetime.date | None = None, actual_return: datetime.date | None = None,
) -> EngagementLeave:
    """Record a period of leave from an employed engagement."""
    _check(actor, engagement)
    if engagement.end_date and start_date > engagement.end_date or start_date < engagement.start_date:
        raise ValidationError({"start_date": _("The leave must start while the engagement runs.")})
    if EngagementLeave.objects.filter(engagement=engagement, actual_return__isnull=True).exists():
        raise ValidationError(_("A leave is still open: record the return first."))
    leave = EngagementLeave(engagement=engagement, kind=kind, start_date=start_date,
                            expected_return=expected_return, actual_return=actual_return,
                            recorded_by=actor, recorded_at=timezone.now())
    leave.full_clean()
    leave.save()
    audit_record(actor=actor, action="leave.record", target=leave, data={"engagement": engagement.pk})
    return leave


@transaction.atomic
def leave_update(*, actor: User, leave: EngagementLeave, **values) -> EngagementLeave:
    """Change a leave: its expected return, the return itself, or a mistake in its kind or start."""
    unknown = set(values) - set(LEAVE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    leave = EngagementLeave.objects.select_for_update().select_related("engagement").get(pk=leave.pk)
    _check(actor, leave.engagement)
    changed = [name for name, value in values.items() if getattr(leave, name) != value]
    for name in changed:
        setattr(leave, name, values[name])
    if changed:
        leave.full_clean()
        leave.save(update_fields=changed)
        audit_record(actor=actor, action="leave.update", target=leave, data={"fields": sorted(changed)})
    return leave


@transaction.atomic
def leave_remove(*, actor: User, leave: EngagementLeave) -> None:
    """Remove a leave recorded by mistake."""
    leave = EngagementLeave.objects.select_for_update().select_related("engagement").get(pk=leave.pk)
    _check(actor, leave.engagement)
    audit_record(actor=actor, action="leave.remove", target=leave, data={"engagement": leave.engagement_id})
    leave.delete()


def _accommodation_consent(actor: User, person: User, given: bool) -> Consent:
    from .privacy import consent_give

    consent = Consent.objects.filter(person=person, purpose=Consent.Purpose.ACCOMMODATIONS,
                                     withdrawn_at__isnull=True).first()
    if consent is not None and consent.covers(DataCategory.ACCOMMODATIONS):
        return consent
    if given and actor.pk == person.pk:
        return consent_give(person=person, purpose=Consent.Purpose.ACCOMMODATIONS)
    if actor.pk == person.pk:
        raise ValidationError({"consent": _(
            "Accommodations are stored only with your consent to share them with your managers: "
            "tick the box to agree."
        )})
    raise ValidationError({"consent": _(
        "The person has not agreed to share accommodation information with managers. They can "
        "give their consent on their own consent page; until then nothing is stored."
    )})


@transaction.atomic
def accommodation_record(
    *, actor: User, engagement: Engagement, text: str, agreed_on: datetime.date,
    review_on: datetime.date | None = None, consent_given: bool = False,
) -> WorkAccommodation:
    """Record one accommodation agreed at work (the person ticks their consent here if they
    have not given it yet; a manager cannot give it for them)."""
    _check(actor, engagement)
    consent = _accommodation_consent(actor, engagement.person, consent_given)
    now = timezone.now()
    item = WorkAccommodation(engagement=engagement, text=(text or "").strip(), agreed_on=agreed_on,
                             review_on=review_on, consent=consent, recorded_by=actor, recorded_at=now,
                             updated_at=now)
    item.full_clean()
    item.save()
    audit_record(actor=actor, action="accommodation.record", target=item, data={"engagement": engagement.pk})
    return item


@transaction.atomic
def accommodation_update(*, actor: User, item: WorkAccommodation, **values) -> WorkAccommodation:
    unknown = set(values) - set(ACCOMMODATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    item = WorkAccommodation.objects.select_for_update().select_related("engagement", "consent").get(pk=item.pk)
    _check(actor, item.engagement)
    if not item.consent.covers(DataCategory.ACCOMMODATIONS):
        raise PermissionDenied(_("Only the person and the organisation's manager can record this."))
    if "text" in values:
        values["text"] = (values["text"] or "").strip()
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, values[name])
    if changed:
        item.updated_at = timezone.now()
        item.full_clean()
        item.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="accommodation.update", target=item, data={"fields": sorted(changed)})
    return item


@transaction.atomic
def accommodation_remove(*, actor: User, item: WorkAccommodation) -> None:
    """The agreement ended, or was recorded by mistake: the item is erased."""
    item = WorkAccommodation.objects.select_for_update().select_related("engagement").get(pk=item.pk)
    _check(actor, item.engagement)
    audit_record(actor=actor, action="accommodation.remove", target=item, data={"engagement": item.engagement_id})
    item.delete()
