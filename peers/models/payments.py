"""Honorarium payments (第二群 謝金): one row per occasion a person is paid for, without a contract.

What a row holds is what a 報酬、料金、契約金及び賞金の支払調書 needs from the payer's records:
the payer (支払者: the organisation, its name and where it is), the person paid (支払を受ける者),
the kind of payment (区分, e.g. 講演料) and its detail (細目: what it was for), the amount
(支払金額) and the income tax withheld, when it was (源泉徴収税額). The platform keeps no legal
name, address or My Number (個人番号) of the person: the statement says so rather than invent them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import TrustsSavedRelations
from .organisations import Organisation
from .people import Engagement

# The largest amount one payment may carry: a guard against a typo (an extra zero or two), far
# above any per-occasion honorarium (PositiveIntegerField's own limit is 2,147,483,647).
MAX_AMOUNT = 10_000_000


class HonorariumPayment(TrustsSavedRelations, models.Model):
    """One honorarium payment: recorded (by a manager, or from a meeting's attendance) as "to
    confirm", confirmed by the organisation's manager (or the body's coordinator for a meeting),
    then marked paid on the day it was paid. Corrections and cancellations are audited; a row
    is never deleted by a service, and once paid the database refuses to delete it (outside the
    personal-data registry's purge, peers.history)."""

    class Status(models.TextChoices):
        TO_CONFIRM = "to_confirm", _("To confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by hand")
        MEETING_ATTENDANCE = "meeting_attendance", _("Attendance at a consultation meeting")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="honorarium_payments",
        verbose_name=_("person paid"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="honorarium_payments",
        verbose_name=_("paying organisation"),
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, null=True, blank=True, related_name="honorarium_payments",
        verbose_name=_("engagement"),
        help_text=_("The honorarium engagement the payment is for, when there is one."),
    )
    occasion_date = models.DateField(_("date of the occasion"))
    category = models.CharField(
        _("kind of payment (区分)"), max_length=40, blank=True,
        help_text=_("As on the payment statement, e.g. 講演料 (talk) or 謝金 (honorarium)."),
    )
    description = models.CharField(
        _("what for (細目)"), max_length=200,
        help_text=_("For example: co-facilitating the basic training, 2nd day."),
    )
    amount = models.PositiveIntegerField(_("amount (yen)"))
    withholding_tax = models.PositiveIntegerField(
        _("income tax withheld (yen)"), null=True, blank=True,
        help_text=_("源泉徴収税額, when tax was withheld. Leave empty if it is not recorded."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TO_CONFIRM)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    source = models.CharField(_("recorded from"), max_length=30, choices=Source.choices, default=Source.MANUAL)
    # What the record came from, named by the app that made it ("collaboration.meeting:12"), so
    # that the ground floor names nothing above it; with `person` it makes attendance idempotent.
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    # The group whose coordinators confirm it ("collaboration.body:3"); see payment reach.
    source_group = models.CharField(_("source group"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # Cancelled because its source went (attendance marked absent), not by a person's decision:
    # the source coming back (marked present again) reopens it.
    withdrawn_by_source = models.BooleanField(_("withdrawn with its source"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-occasion_date", "-id"]
        verbose_name = _("honorarium payment")
        verbose_name_plural = _("honorarium payments")
        indexes = [
            models.Index(fields=["person", "-occasion_date", "-id"], name="honorarium_person_idx"),
            models.Index(fields=["organisation", "-occasion_date", "-id"], name="honorarium_org_idx"),
            models.Index(fields=["source_group", "status"], name="honorarium_group_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="honorarium_amount_positive",
                                   condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT)),
            models.CheckConstraint(
                name="honorarium_withholding_within_amount",
                condition=Q(withholding_tax__isnull=True) | Q(withholding_tax__lte=models.F("amount")),
            ),
            models.CheckConstraint(
                name="honorarium_paid_has_date",
                condition=Q(status="paid", paid_on__isnull=False) | (~Q(status="paid") & Q(paid_on__isnull=True)),
            ),
            models.CheckConstraint(
                name="honorarium_confirmation_complete",
                condition=Q(status="to_confirm") | Q(status="cancelled") | Q(confirmed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="honorarium_cancel_complete",
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["person", "source_reference"], condition=~Q(source_reference=""),
                name="honorarium_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation} · {self.occasion_date} · ¥{self.amount:,}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.amount is not None and not 0 < self.amount <= MAX_AMOUNT:
            errors["amount"] = _("Give the amount in yen: a whole number from 1 to %(max)s.") % {
                "max": f"{MAX_AMOUNT:,}"}
        if self.withholding_tax is not None and self.amount is not None and self.withholding_tax > self.amount:
            errors["withholding_tax"] = _("The tax withheld cannot be more than the amount.")
        if self.engagement_id and self.engagement is not None:
            engagement = self.engagement
            if engagement.kind != Engagement.Kind.HONORARIUM:
                errors["engagement"] = _("Choose an honorarium engagement (第二群 謝金).")
            elif engagement.person_id != self.person_id or engagement.organisation_id != self.organisation_id:
                errors["engagement"] = _("The engagement must be this person's, at this organisation.")
        if self.status == self.Status.PAID and self.paid_on is None:
            errors["paid_on"] = _("Give the day it was paid.")
        if errors:
            raise ValidationError(errors)

    @property
    def net_amount(self) -> int:
        """What the person received: the amount less any tax withheld."""
        return self.amount - (self.withholding_tax or 0)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.TO_CONFIRM, self.Status.CONFIRMED)
