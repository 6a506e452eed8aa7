"""The workforce: profiles, lived experience and engagements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import TrustsSavedRelations
from .organisations import Organisation
from .places import Prefecture
from .privacy import Consent
from .vocabularies import Activity, ProfessionalRole


class Profile(models.Model):
    """What a peer or professional tells the platform about themselves, beyond the account.

    Accommodation preferences are sensitive: kept only with an active consent covering them.
    What the public directory may show is the person's choice, field by field.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
        verbose_name=_("person"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("prefecture"),
    )
    languages = models.CharField(
        _("languages"), max_length=200, blank=True,
        help_text=_("Languages you can support people in, e.g. 日本語, English, 日本手話."),
    )
    professional_roles = models.ManyToManyField(
        ProfessionalRole, blank=True, related_name="profiles", verbose_name=_("professional roles")
    )
    accommodations = models.TextField(
        _("accommodation preferences (合理的配慮)"), blank=True,
        help_text=_("Only what you choose to share, e.g. flexible hours or written instructions."),
    )
    accommodations_consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("consent for accommodation preferences"),
    )
    directory_opt_in = models.BooleanField(_("list me in the directory"), default=False)
    public_prefecture = models.BooleanField(_("show my prefecture"), default=False)
    public_languages = models.BooleanField(_("show my languages"), default=False)
    public_roles = models.BooleanField(_("show my professional roles"), default=False)
    public_engagements = models.BooleanField(_("show where I work"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_accommodations_need_consent",
                condition=Q(accommodations="") | Q(accommodations_consent__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class LivedExperience(models.Model):
    """A person's own declaration of lived experience (当事者). Never required; never a diagnosis.

    It holds only how the person relates to it and who may see it, and exists only while a
    consent covering it is active (until the retention period after withdrawal runs out).
    """

    class Relation(models.TextChoices):
        PERSONAL = "personal", _("My own experience (本人)")
        FAMILY = "family", _("As a family member (家族)")
        BOTH = "both", _("Both")

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        MANAGERS = "managers", _("Managers of the organisations I work with")
        DIRECTORY = "directory", _("Anyone who can see my directory entry")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lived_experience",
        verbose_name=_("person"),
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent")
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.ONLY_ME
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("lived experience")
        verbose_name_plural = _("lived experience")

    def __str__(self) -> str:
        return str(self.get_relation_display())


class Engagement(TrustsSavedRelations, models.Model):
    """One person's work at one organisation on one set of terms (DOMAIN.md, three groups).

    Terms are never edited: changing them ends this engagement and starts another that points
    back here (`previous`). The organisation's manager confirms the terms.
    """

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer (第一群 ボランティア)")
        HONORARIUM = "honorarium", _("Honorarium, no contract (第二群 謝金)")
        EMPLOYED = "employed", _("Employed under contract (第三群 雇用)")

    class Contract(models.TextChoices):
        """For paid work under contract (kind EMPLOYED): the form of the contract."""

        EMPLOYMENT = "employment", _("Employment contract (雇用契約)")
        OUTSOURCING = "outsourcing", _("Outsourcing contract (業務委託)")
        WORK = "work", _("Contract for work (請負)")

    class RateUnit(models.TextChoices):
        HOUR = "hour", _("per hour")
        SESSION = "session", _("per session")
        DAY = "day", _("per day")
        TASK = "task", _("per task")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engagements",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of engagement"), max_length=20, choices=Kind.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="engagements", verbose_name=_("activities")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    honorarium_rate = models.PositiveIntegerField(_("honorarium (yen)"), null=True, blank=True)
    honorarium_unit = models.CharField(
        _("honorarium unit"), max_length=20, choices=RateUnit.choices, blank=True
    )
    weekly_hours = models.DecimalField(
        _("weekly contracted hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    full_time_weekly_hours = models.DecimalField(
        _("organisation's full-time weekly hours"), max_digits=5, decimal_places=2,
        null=True, blank=True,
    )
    on_leave = models.BooleanField(_("on leave"), default=False)
    contract = models.CharField(
        _("form of contract"), max_length=20, choices=Contract.choices, blank=True,
        help_text=_("For work under contract: an employment contract unless it says otherwise."),
    )
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next",
        verbose_name=_("replaces"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [
            models.Index(fields=["organisation", "end_date"], name="engagement_org_end_idx"),
            models.Index(fields=["person", "-start_date", "-id"], name="engagement_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="engagement_ends_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="engagement_honorarium_terms",
                condition=(
                    Q(kind="honorarium", honorarium_rate__isnull=False)
                    & ~Q(honorarium_unit="")
                    | ~Q(kind="honorarium") & Q(honorarium_rate__isnull=True, honorarium_unit="")
                ),
            ),
            models.CheckConstraint(
                name="engagement_employment_terms",
                condition=(
                    Q(
                        kind="employed",
                        weekly_hours__gt=0,
                        full_time_weekly_hours__gt=0,
                        weekly_hours__lte=models.F("full_time_weekly_hours"),
                    )
                    | ~Q(kind="employed")
                    & Q(weekly_hours__isnull=True, full_time_weekly_hours__isnull=True, on_leave=False)
                ),
            ),
            models.CheckConstraint(
                name="engagement_confirmation_complete",
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation} · {self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.kind == self.Kind.HONORARIUM:
            if self.honorarium_rate is None:
                errors["honorarium_rate"] = _("Give the honorarium for this kind of engagement.")
            if not self.honorarium_unit:
                errors["honorarium_unit"] = _("Give the unit the honorarium is paid per.")
        if self.kind == self.Kind.EMPLOYED:
            if not self.weekly_hours or self.weekly_hours <= 0:
                errors["weekly_hours"] = _("Give the weekly contracted hours for employment.")
            if not self.full_time_weekly_hours or self.full_time_weekly_hours <= 0:
                errors["full_time_weekly_hours"] = _(
                    "Give the organisation's full-time weekly hours for employment."
                )
            elif self.weekly_hours and self.weekly_hours > self.full_time_weekly_hours:
                errors["weekly_hours"] = _(
                    "Contracted hours cannot be more than the organisation's full-time hours."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def fte(self):
        """Full-time equivalent (常勤換算) for employment, rounded to two places; else None."""
        from decimal import ROUND_HALF_UP, Decimal

        if self.kind != self.Kind.EMPLOYED or not self.full_time_weekly_hours:
            return None
        return (Decimal(self.weekly_hours) / Decimal(self.full_time_weekly_hours)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def contract_form(self) -> str:
        """The form of contract of paid work under contract ("" for volunteer and honorarium
        work); an employed engagement recorded without one is under an employment contract."""
        if self.kind != self.Kind.EMPLOYED:
            return ""
        return self.contract or self.Contract.EMPLOYMENT

    def is_current(self, on=None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class EngagementLeave(models.Model):
    """A period of leave from an employed engagement (第三群): when it began, when the person is
    expected back and when they came back. The kind is a plain category and never says why
    (no diagnosis, no medical detail). Seen only by the person and the manager of the
    organisation (peers.selectors.employment)."""

    class Kind(models.TextChoices):
        HEALTH = "health", _("Rest for health (療養)")
        CHILDCARE = "childcare", _("Childcare (育児)")
        FAMILY_CARE = "family_care", _("Family care (介護)")
        PERSONAL = "personal", _("Personal (私事)")
        OTHER = "other", _("Other (その他)")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("engagement"),
    )
    kind = models.CharField(_("kind of leave"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("leave starts"))
    expected_return = models.DateField(_("expected return"), null=True, blank=True)
    actual_return = models.DateField(_("returned on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        constraints = [
            models.CheckConstraint(
                name="leave_expected_return_after_start",
                condition=Q(expected_return__isnull=True) | Q(expected_return__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="leave_return_after_start",
                condition=Q(actual_return__isnull=True) | Q(actual_return__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.engagement_id and self.engagement.kind != Engagement.Kind.EMPLOYED:
            errors["engagement"] = _("Leave is recorded for employed engagements only.")
        if self.start_date and self.expected_return and self.expected_return < self.start_date:
            errors["expected_return"] = _("The expected return cannot be before the leave starts.")
        if self.start_date and self.actual_return and self.actual_return < self.start_date:
            errors["actual_return"] = _("The return cannot be before the leave starts.")
        if self.actual_return and self.actual_return > timezone.localdate():
            errors["actual_return"] = _("The return cannot be in the future: record it on the day.")
        if errors:
            raise ValidationError(errors)

    def is_open(self, on=None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.actual_return is None or self.actual_return > day)


class WorkAccommodation(models.Model):
    """A reasonable accommodation (合理的配慮) agreed at work for an employed engagement: what was
    agreed, on which day, and when to look at it again. Sensitive: stored only under the
    person's consent to share accommodation information with managers, seen only by the person
    and the manager of the organisation (never coordinators, other staff or administrators),
    and every read by the manager is logged for the person."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="accommodations", verbose_name=_("engagement"),
    )
    text = models.TextField(_("what was agreed"), max_length=2000)
    agreed_on = models.DateField(_("agreed on"))
    review_on = models.DateField(_("review on"), null=True, blank=True)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["agreed_on", "id"]
        verbose_name = _("accommodation agreed at work")
        verbose_name_plural = _("accommodations agreed at work")
        constraints = [
            models.CheckConstraint(
                name="accommodation_review_after_agreement",
                condition=Q(review_on__isnull=True) | Q(review_on__gte=models.F("agreed_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreed_on}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.engagement_id and self.engagement.kind != Engagement.Kind.EMPLOYED:
            errors["engagement"] = _("Accommodations at work are recorded for employed engagements only.")
        if not (self.text or "").strip():
            errors["text"] = _("Write what was agreed.")
        if self.agreed_on and self.agreed_on > timezone.localdate():
            errors["agreed_on"] = _("An agreement cannot be in the future.")
        if self.agreed_on and self.review_on and self.review_on < self.agreed_on:
            errors["review_on"] = _("The review cannot be before the agreement.")
        if errors:
            raise ValidationError(errors)
