"""Changes to honorarium payments (第二群 謝金): record, confirm, mark paid, correct, cancel.

Each checks who acts through peers.selectors.payments and writes one audit line (with the
values before and after: amounts and dates, never free text about the person). A payment is
never deleted here; a paid one cannot be cancelled, only corrected with a reason.

`honorarium_payment_from_source` is for upper apps' services (collaboration's attendance): they
decide who may act, and name their record by a reference string, so peers names nothing above it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Engagement, HonorariumPayment, Organisation, User
from ..selectors.payments import user_handles_payment, user_records_payments_for
from .accounts import audit_record

Status = HonorariumPayment.Status
CORRECTABLE = ("occasion_date", "category", "description", "amount", "withholding_tax", "paid_on")
_UNSET = object()


def _audit_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _honorarium_engagement_on(person: User, organisation: Organisation, day: datetime.date) -> Engagement | None:
    return (
        Engagement.objects.filter(person=person, organisation=organisation, kind=Engagement.Kind.HONORARIUM,
                                  start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("-start_date", "-id")
        .first()
    )


def _check_not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This day has not come yet: give a day up to today.")})


@transaction.atomic
def honorarium_payment_record(
    *,
    actor: User,
    occasion_date: datetime.date,
    description: str,
    engagement: Engagement | None = None,
    person: User | None = None,
    organisation: Organisation | None = None,
    amount: int | None = None,
    category: str = "",
    withholding_tax: int | None = None,
) -> HonorariumPayment:
    """The organisation's manager records a payment for an honorarium engagement (given, or the
    person's honorarium engagement there on the day). It is confirmed at once: the manager is
    who confirms. The amount defaults to the engagement's rate."""
    if engagement is not None:
        person, organisation = engagement.person, engagement.organisation
    if person is None or organisation is None:
        raise ValidationError({"engagement": _("Choose the honorarium engagement the payment is for.")})
    if not user_records_payments_for(actor, organisation):
        raise PermissionDenied(_("Only the organisation's manager can record its honorarium payments."))
    if engagement is None:
        engagement = _honorarium_engagement_on(person, organisation, occasion_date)
        if engagement is None:
            raise ValidationError({"engagement": _(
                "This person has no honorarium engagement (第二群 謝金) at this organisation on that day."
            )})
    if amount is None:
        amount = engagement.honorarium_rate if engagement.kind == Engagement.Kind.HONORARIUM else None
        if not amount:
            raise ValidationError({"amount": _("Give the amount in yen.")})
    now = timezone.now()
    payment = HonorariumPayment(
        person=person, organisation=organisation, engagement=engagement, occasion_date=occasion_date,
        category=(category or "").strip(), description=(description or "").strip(), amount=amount,
        withholding_tax=withholding_tax, status=Status.CONFIRMED, source=HonorariumPayment.Source.MANUAL,
        confirmed_by=actor, confirmed_at=now, created_by=actor, created_at=now, updated_at=now,
    )
    payment.full_clean()
    payment.save()
    audit_record(actor=actor, action="honorarium.record", target=payment, data={
        "person": person.pk, "organisation": organisation.pk, "engagement": engagement.pk,
        "occasion_date": occasion_date.isoformat(), "amount": amount, "withholding_tax": withholding_tax,
    })
    return payment


@transaction.atomic
def honorarium_payment_from_source(
    *,
    actor: User | None,
    person: User,
    organisation: Organisation,
    occasion_date: datetime.date,
    description: str,
    amount: int,
    source_reference: str,
    source_group: str = "",
    source: str = HonorariumPayment.Source.MEETING_ATTENDANCE,
    category: str = "",
) -> tuple[HonorariumPayment, bool]:
    """A payment "to confirm" for what an upper app recorded (a meeting attended), once per
    person and `source_reference`: calling again changes nothing and returns (payment, False),
    except that a payment withdrawn with its source (attendance marked absent) is reopened.
    The caller has decided who may act. Linked to the person's honorarium engagement at the
    organisation on the day, when there is one."""
    if not source_reference:
        raise ValueError("A payment from a source needs its reference.")
    existing = HonorariumPayment.objects.select_for_update().filter(
        person=person, source_reference=source_reference).first()
    if existing is not None:
        if existing.status == Status.CANCELLED and existing.withdrawn_by_source:
            existing.status = Status.TO_CONFIRM
            existing.cancelled_at = None
            existing.cancel_reason = ""
            existing.withdrawn_by_source = False
            existing.confirmed_by, existing.confirmed_at = None, None
            existing.updated_at = timezone.now()
            existing.full_clean()
            existing.save()
            audit_record(actor=actor, action="honorarium.reopen", target=existing,
                         data={"source_reference": source_reference})
            return existing, True
        return existing, False
    now = timezone.now()
    payment = HonorariumPayment(
        person=person, organisation=organisation,
        engagement=_honorarium_engagement_on(person, organisation, occasion_date),
        occasion_date=occasion_date, category=category, description=description[:200], amount=amount,
        status=Status.TO_CONFIRM, source=source, source_reference=source_reference, source_group=source_group,
        created_by=actor if actor is not None and actor.pk else None, created_at=now, updated_at=now,
    )
    payment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # Made by a concurrent request a moment ago (the unique constraint): that one stands.
        return HonorariumPayment.objects.get(person=person, source_reference=source_reference), False
    audit_record(actor=actor, action="honorarium.from_source", target=payment, data={
        "person": person.pk, "organisation": organisation.pk, "source": source,
        "source_reference": source_reference, "amount": amount,
    })
    return payment, True


@transaction.atomic
def honorarium_payment_source_withdrawn(*, actor: User | None, person: User, source_reference: str) -> bool:
    """The source went (attendance marked absent): a payment still to confirm is cancelled
    (and reopens if the source comes back). A confirmed or paid one is left for a person to
    decide. Returns whether something changed."""
    payment = HonorariumPayment.objects.select_for_update().filter(
        person=person, source_reference=source_reference, status=Status.TO_CONFIRM).first()
    if payment is None:
        return False
    payment.status = Status.CANCELLED
    payment.cancelled_at = payment.updated_at = timezone.now()
    payment.withdrawn_by_source = True
    payment.full_clean()
    payment.save()
    audit_record(actor=actor, action="honorarium.withdrawn", target=payment,
                 data={"source_reference": source_reference})
    return True


def _locked(payment: HonorariumPayment) -> HonorariumPayment:
    return HonorariumPayment.objects.select_for_update().select_related("organisation", "person").get(pk=payment.pk)


def _require_handler(actor: User, payment: HonorariumPayment) -> None:
    if not user_handles_payment(actor, payment):
        raise PermissionDenied(_("Only the paying organisation's manager, or the coordinator of the meeting's "
                                 "body, can change this payment."))


@transaction.atomic
def honorarium_payment_confirm(*, actor: User, payment: HonorariumPayment) -> HonorariumPayment:
    """Confirm a payment to confirm (again: changes nothing)."""
    _require_handler(actor, payment)
    payment = _locked(payment)
    if payment.status == Status.CANCELLED:
        raise ValidationError(_("This payment was cancelled, so it cannot be confirmed."))
    if payment.status == Status.TO_CONFIRM:
        payment.status = Status.CONFIRMED
        payment.confirmed_by, payment.confirmed_at = actor, timezone.now()
        payment.updated_at = payment.confirmed_at
        payment.full_clean()
        payment.save()
        audit_record(actor=actor, action="honorarium.confirm", target=payment, data={"amount": payment.amount})
    return payment


@transaction.atomic
def honorarium_payment_mark_paid(*, actor: User, payment: HonorariumPayment, paid_on: datetime.date,
                                 withholding_tax=_UNSET) -> HonorariumPayment:
    """Record the day a confirmed payment was paid (and the tax withheld, when given)."""
    _require_handler(actor, payment)
    payment = _locked(payment)
    if payment.status == Status.TO_CONFIRM:
        raise ValidationError(_("Confirm the payment first, then record the day it was paid."))
    if payment.status == Status.CANCELLED:
        raise ValidationError(_("This payment was cancelled, so it cannot be paid."))
    if payment.status == Status.PAID:
        raise ValidationError(_("This payment is already marked paid. To change its day, correct it."))
    _check_not_future(paid_on, "paid_on")
    payment.status = Status.PAID
    payment.paid_on = paid_on
    if withholding_tax is not _UNSET:
        payment.withholding_tax = withholding_tax
    payment.updated_at = timezone.now()
    payment.full_clean()
    payment.save()
    audit_record(actor=actor, action="honorarium.paid", target=payment, data={
        "paid_on": paid_on.isoformat(), "amount": payment.amount, "withholding_tax": payment.withholding_tax})
    return payment


@transaction.atomic
def honorarium_payment_correct(*, actor: User, payment: HonorariumPayment, reason: str = "",
                               **changes) -> HonorariumPayment:
    """Correct a payment's date, kind, what for, amount, tax withheld or day paid. The values
    before and after go to the audit log; a paid payment needs the reason."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"Unknown payment fields: {sorted(unknown)}")
    _require_handler(actor, payment)
    payment = _locked(payment)
    if payment.status == Status.CANCELLED:
        raise ValidationError(_("This payment was cancelled, so it cannot be corrected."))
    reason = (reason or "").strip()
    if payment.status == Status.PAID and not reason:
        raise ValidationError({"reason": _("Say why a paid payment is corrected: it is kept in its history.")})
    if "paid_on" in changes and payment.status != Status.PAID:
        changes.pop("paid_on")
    if payment.status == Status.PAID and "paid_on" in changes:
        if changes["paid_on"] is None:
            raise ValidationError({"paid_on": _("Give the day it was paid.")})
        _check_not_future(changes["paid_on"], "paid_on")
    before, after = {}, {}
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(payment, field) != value:
            before[field], after[field] = _audit_value(getattr(payment, field)), _audit_value(value)
            setattr(payment, field, value)
    if not after:
        return payment
    payment.updated_at = timezone.now()
    payment.full_clean()
    payment.save()
    # Free text (what for, the reason) stays out of the log: only that it changed.
    for field in ("description", "category"):
        if field in after:
            before[field], after[field] = "…", "…"
    audit_record(actor=actor, action="honorarium.correct", target=payment,
                 data={"before": before, "after": after, "with_reason": bool(reason)})
    return payment


@transaction.atomic
def honorarium_payment_cancel(*, actor: User, payment: HonorariumPayment, reason: str) -> HonorariumPayment:
    """Cancel a payment not yet paid, with the reason (the row stays, marked cancelled)."""
    _require_handler(actor, payment)
    payment = _locked(payment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is cancelled.")})
    if payment.status == Status.PAID:
        raise ValidationError(_("A paid payment cannot be cancelled. Correct it instead, and say why."))
    if payment.status == Status.CANCELLED:
        return payment
    payment.status = Status.CANCELLED
    payment.cancelled_at = payment.updated_at = timezone.now()
    payment.cancel_reason = reason
    payment.withdrawn_by_source = False
    payment.full_clean()
    payment.save()
    audit_record(actor=actor, action="honorarium.cancel", target=payment, data={"amount": payment.amount})
    return payment
