"""Renewal: continuing education, the reminders sent and renewal requests."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..evidence import evidence_storage
from .bodies import CECategory, TrainingBody
from .certifications import Certification
from .courses import Cohort


def ce_evidence_path(instance, filename: str) -> str:
    """Evidence files sit under an unguessable folder of the private storage (training.evidence);
    they are served only through a view that checks who asks (training:ce_evidence)."""
    return f"training/ce/{secrets.token_urlsafe(16)}/{filename}"


class ContinuingEducation(models.Model):
    class Review(models.TextChoices):
        NOT_REVIEWED = "not_reviewed", _("Not reviewed")
        SAMPLED = "sampled", _("Evidence requested")
        SUBMITTED = "submitted", _("Evidence submitted, waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="ce_records",
        verbose_name=_("training body"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ce_records",
        verbose_name=_("person"),
    )
    date = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    category = models.ForeignKey(
        CECategory, on_delete=models.PROTECT, related_name="records", verbose_name=_("category")
    )
    evidence = models.FileField(_("evidence"), upload_to=ce_evidence_path, storage=evidence_storage, blank=True)
    source_ref = models.CharField(
        _("credited from"), max_length=60, blank=True,
        help_text=_("The verified activity or supervision these hours came from, if any."),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("credited from cohort"),
    )
    review = models.CharField(
        _("review"), max_length=20, choices=Review.choices, default=Review.NOT_REVIEWED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )
    # Audit sampling: evidence asked for by a date, sent, then accepted or rejected with a reason.
    evidence_due_on = models.DateField(_("evidence due by"), null=True, blank=True)
    evidence_submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    review_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    # Reviews whose hours wait for the evidence check: shown as waiting, not earned.
    WAITING_REVIEWS = ("sampled", "submitted")

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("continuing-education record")
        verbose_name_plural = _("continuing-education records")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"], condition=Q(cohort__isnull=False),
                name="ce_credit_once_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["person", "body", "source_ref"], condition=~Q(source_ref=""),
                name="ce_credit_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.provider} {self.hours}h"

    @property
    def evidence_asked(self) -> bool:
        """Staff asked for evidence and the person may still send it (again, after a rejection)."""
        if self.evidence_due_on is None or self.review not in ("sampled", "rejected"):
            return False
        return timezone.localdate() <= self.evidence_due_on


class ReminderSent(models.Model):
    """One renewal reminder sent: never twice for the same certification, cycle, offset and
    channel. The log of these is shown to staff and to the holder.

    Scheduled reminders go out at the credential type's offsets; staff may also send one by
    hand (MANUAL), recorded with the days left on the day it was sent, so at most one reminder
    of either kind reaches a person per certification and day."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Sent on schedule")
        MANUAL = "manual", _("Sent by staff")

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("reminder channel", "Email")
        LETTER = "letter", pgettext_lazy("reminder channel", "Letter")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reminders",
        verbose_name=_("certification"),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    offset_days = models.SmallIntegerField(_("days before expiry"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SCHEDULED)
    channel = models.CharField(
        _("sent by"), max_length=10, choices=Channel.choices, default=Channel.EMAIL, db_default=Channel.EMAIL
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    missing = models.JSONField(_("still missing then"), default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "cycle", "offset_days", "channel"], name="reminder_once_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} cycle {self.cycle} ({self.offset_days})"

    @property
    def which(self) -> str:
        """Which reminder this was, in words: 30 days before expiry, on the day, 30 days after."""
        days = abs(self.offset_days)
        if self.offset_days > 0:
            return ngettext("%(days)s day before expiry", "%(days)s days before expiry", days) % {"days": days}
        if self.offset_days < 0:
            return ngettext("%(days)s day after expiry", "%(days)s days after expiry", days) % {"days": days}
        return gettext("On the day of expiry")


class RenewalRequest(models.Model):
    """The holder asked for renewal (their requirements met); it waits in the staff queue until
    staff renew the certification or decline the request."""

    class Outcome(models.TextChoices):
        OPEN = "", _("Waiting")
        RENEWED = "renewed", _("Renewed")
        DECLINED = "declined", _("Declined")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="renewal_requests",
        verbose_name=_("certification"),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    note = models.CharField(_("note to the training body"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["certification"], condition=Q(outcome=""), name="renewal_request_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} cycle {self.cycle}"
