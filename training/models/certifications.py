"""Credential types and their floors, certifications and their status history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Completion
from .base import AppendOnlyModel
from .bodies import CECategory, TrainingBody
from .courses import Course


class CredentialType(models.Model):
    """What a body certifies, and its rules: validity, windows, renewal needs, reminders."""

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="credential_types",
        verbose_name=_("training body"),
    )
    name = models.CharField(_("name"), max_length=200)
    initial_course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("course required for the first certification"),
    )
    expires = models.BooleanField(_("expires"), default=True)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), null=True, blank=True)
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window before expiry (days)"), default=0
    )
    grace_days = models.PositiveSmallIntegerField(_("grace period after expiry (days)"), default=0)
    late_renewal_limit_months = models.PositiveSmallIntegerField(
        _("late renewal allowed for (months after lapse)"), default=0,
        help_text=_("After this the person must apply again from the start."),
    )
    renewal_course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("renewal course required"),
    )
    practice_ce_category = models.ForeignKey(
        "CECategory", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("category credited with verified practice hours"),
        help_text=_(
            "If set, hours of peer-support work verified by the organisation, and confirmed "
            "supervision, count toward renewal in this category."
        ),
    )
    ce_hours_required = models.DecimalField(
        _("continuing-education hours required per cycle"), max_digits=6, decimal_places=2,
        default=0,
    )
    reminder_offsets = models.JSONField(
        _("reminder days"), default=list, blank=True,
        help_text=_(
            "Days before expiry to remind the holder, e.g. [120, 60, 30, 7]; negative numbers are "
            "days after expiry, during the grace period."
        ),
    )

    class Meta:
        ordering = ["body", "name"]
        verbose_name = _("credential type")
        verbose_name_plural = _("credential types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.expires and not self.validity_months:
            raise ValidationError({"validity_months": _("A credential that expires needs a validity.")})
        offsets = self.reminder_offsets or []
        if not isinstance(offsets, list) or not all(isinstance(o, int) for o in offsets):
            raise ValidationError({"reminder_offsets": _("Give a list of whole numbers of days.")})


class CEFloor(models.Model):
    """A minimum number of hours in one category per renewal cycle (e.g. 3 hours of ethics)."""

    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.CASCADE, related_name="ce_floors",
        verbose_name=_("credential type"),
    )
    category = models.ForeignKey(
        CECategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    minimum_hours = models.DecimalField(_("minimum hours"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("hours floor")
        verbose_name_plural = _("hours floors")
        constraints = [
            models.UniqueConstraint(fields=["credential_type", "category"], name="ce_floor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} ≥ {self.minimum_hours}"


class Certification(models.Model):
    """認定: a person certified by a body. Its number is kept across renewals."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Renewal due")
        GRACE = "grace", _("In grace period")
        LAPSED = "lapsed", _("Lapsed")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    body = models.ForeignKey(
        TrainingBody, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("training body"),
    )
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("credential type"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("holder"),
    )
    # Unique among current records only: a re-certification may keep the lapsed one's number.
    number = models.CharField(_("certificate number"), max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField(_("year of number"))
    sequence = models.PositiveIntegerField(_("serial"))
    basis = models.ForeignKey(
        Completion, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("completion it rests on"),
    )
    issued_on = models.DateField(_("first issued on"))
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    cycle_started_on = models.DateField(_("current cycle from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Dates the daily sweep compares with, fixed from the credential type when the cycle starts.
    renewal_due_from = models.DateField(null=True, blank=True, editable=False)
    grace_until = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    show_name_publicly = models.BooleanField(
        _("show my name on the public verification page"), default=False
    )
    # A re-certification points to the lapsed certification it follows; that one then carries
    # the day it was replaced (and may share its number: uniqueness holds among current ones).
    recertification_of = models.OneToOneField(
        # SET_NULL: the retention rule may delete the older record before the newer one.
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="recertified_as",
        verbose_name=_("re-certification of"),
    )
    replaced_on = models.DateField(_("replaced by a re-certification on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["body", "year", "sequence"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "sequence"], condition=Q(replaced_on__isnull=True),
                name="certification_serial_unique",
            ),
            models.UniqueConstraint(
                fields=["number"], condition=Q(replaced_on__isnull=True),
                name="certification_number_unique",
            ),
            models.CheckConstraint(
                name="certification_dates_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("cycle_started_on")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "renewal_due_from"], name="certification_due_idx"),
            models.Index(fields=["status", "valid_until"], name="certification_until_idx"),
            models.Index(fields=["status", "grace_until"], name="certification_grace_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def successor(self) -> Certification | None:
        """The re-certification that replaced this one, if any (load with
        select_related("recertified_as") to read it without a query)."""
        if self.replaced_on is None:
            return None
        try:
            return self.recertified_as
        except Certification.DoesNotExist:
            return None


class RenewalOverrideReason(models.TextChoices):
    """Why staff renew a certification outside the normal requirements (renewal by exception).

    The one list of these reasons; `allows_early_renewal` says which of them also allow
    renewing before the renewal window opens (someone who will be away during the window)."""

    ILLNESS = "illness", _("Illness or leave from work")
    PARENTAL_LEAVE = "parental_leave", _("Maternity or childcare leave")
    DISASTER = "disaster", _("Disaster")
    BODY_ERROR = "body_error", _("Administrative error by the training body")
    OTHER = "other", _("Other")

    @property
    def allows_early_renewal(self) -> bool:
        return self in _OVERRIDE_EARLY


_OVERRIDE_EARLY = frozenset({
    RenewalOverrideReason.ILLNESS, RenewalOverrideReason.PARENTAL_LEAVE, RenewalOverrideReason.BODY_ERROR,
})


class CertificationStatusChange(AppendOnlyModel):
    class Event(models.TextChoices):
        ISSUED = "issued", _("Issued")
        IMPORTED = "imported", _("Imported")
        SWEEP = "sweep", _("Date reached")
        RENEWED = "renewed", _("Renewed")
        RENEWED_OVERRIDE = "renewed_override", _("Renewed by exception")
        RENEWAL_REQUESTED = "renewal_requested", _("Renewal requested")
        RENEWAL_DECLINED = "renewal_declined", _("Renewal request declined")
        RECERTIFIED = "recertified", _("Certified again after lapse")
        SUPERSEDED = "superseded", _("Replaced by a new certification")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")

    # Events that note something without changing the status (the status's date ignores them).
    NOTE_EVENTS = ("renewal_requested", "renewal_declined", "superseded")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="history",
        verbose_name=_("certification"),
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Certification.Status.choices)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    override_reason = models.CharField(
        _("reason for the exception"), max_length=20, choices=RenewalOverrideReason.choices, blank=True,
        default="", db_default="",  # rows written in SQL (the daily sweep) need no value
    )
    valid_until = models.DateField(_("valid until then"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("certification status change")
        verbose_name_plural = _("certification status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def from_status_label(self) -> str:
        """The status before, in words (empty for the first row)."""
        if self.from_status in Certification.Status.values:
            return Certification.Status(self.from_status).label
        return ""
