"""Consent, sensitive data and its reads, erasure, retention and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .base import TrustsSavedRelations


class AuditEvent(TrustsSavedRelations, models.Model):
    """One line of the audit log: who did what to which record, appended by services only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("record type"), max_length=60)
    target_id = models.CharField(_("record id"), max_length=40, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class DataCategory(models.TextChoices):
    """Sensitive data (要配慮個人情報 and near it) that is stored only under an active consent."""

    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
    ACCOMMODATIONS = "accommodations", _("Accommodation preferences")


class Consent(models.Model):
    """One line of the consent ledger: a person agreed to one purpose for some data categories.

    A consent is never edited except to record its withdrawal (and, later, the erasure of the
    data it covered). Giving consent again makes a new line.
    """

    class Purpose(models.TextChoices):
        LIVED_EXPERIENCE = "lived_experience", _(
            "Record my lived experience and show it only to the people I choose"
        )
        ACCOMMODATIONS = "accommodations", _(
            "Share my accommodation preferences with the managers of the organisations I work with"
        )
        TRAINING_ACCOMMODATIONS = "training_accommodations", _(
            "Share my accommodation request with the staff of the training body that runs the cohort"
        )
        MEETING_ACCOMMODATIONS = "meeting_accommodations", _(
            "Share my accommodation request with the coordinators of the meeting"
        )

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    data_categories = models.JSONField(_("data categories"), default=list)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    data_erased_at = models.DateTimeField(_("data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                name="consent_withdrawn_after_given",
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
            ),
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_purpose_display())

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        categories = self.data_categories
        if not isinstance(categories, list) or not categories or not set(categories) <= set(
            DataCategory.values
        ):
            raise ValidationError({"data_categories": _("Choose at least one known data category.")})

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, category: str) -> bool:
        return self.is_active and category in self.data_categories


class SensitiveAccess(models.Model):
    """Someone other than the person read one of their sensitive fields. Written by selectors."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sensitive_accesses",
        verbose_name=_("person"),
    )
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("read by"),
    )
    category = models.CharField(_("data"), max_length=40, choices=DataCategory.choices)
    context = models.CharField(_("where"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        indexes = [models.Index(fields=["person", "-at", "-id"], name="sensitive_access_person_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.category}"


class ErasureRequest(models.Model):
    """A person asked for their personal data to be erased. What a rule requires is kept,
    and recorded in `kept` with the reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests",
        verbose_name=_("person"),
    )
    note = models.TextField(_("note"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("completed by"),
    )
    kept = models.JSONField(_("kept, and why"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="requested"),
                name="erasure_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"


def _retention_kind_choices():
    from ..personal_data import retention_kind_choices

    return retention_kind_choices()


class RetentionRule(models.Model):
    """How long one kind of record is kept, set by an administrator; the daily task carries it
    out (retention_apply) and erasure tells the person the rule and until when."""

    class Anchor(models.TextChoices):
        CREATED = "created", _("after the record was made")
        ENDED = "ended", _("after it ends")
        WITHDRAWN = "withdrawn", _("after consent is withdrawn")

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    kind = models.CharField(_("kind of record"), max_length=60, unique=True, choices=_retention_kind_choices)
    period = models.PositiveIntegerField(_("keep for"), help_text=_("0 means at once."))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.YEARS)
    anchor = models.CharField(_("counted from"), max_length=20, choices=Anchor.choices)
    note_ja = models.TextField(_("rule and legal basis (Japanese)"))
    note_en = models.TextField(_("rule and legal basis (English)"), blank=True)
    active = models.BooleanField(_("carried out daily"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def note(self) -> str:
        if (get_language() or "ja").startswith("en") and self.note_en:
            return self.note_en
        return self.note_ja

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from ..personal_data import retention_kinds

        known = retention_kinds()
        if self.kind not in known:
            raise ValidationError({"kind": _("Choose a known kind of record.")})
        anchors = known[self.kind][1].anchors
        if self.anchor not in anchors:
            raise ValidationError({"anchor": _("This kind of record is counted from: %(anchors)s") % {
                "anchors": "、".join(str(self.Anchor(a).label) for a in anchors)}})


class RetentionRun(models.Model):
    """One rule carried out once by the daily task: how many records it removed."""

    kind = models.CharField(_("kind of record"), max_length=60)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now, db_index=True)
    cutoff = models.DateField(_("removed what was older than"), null=True, blank=True)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.kind}: {self.removed}"
